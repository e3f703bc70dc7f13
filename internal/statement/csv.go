package statement

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

// Profile maps the columns of an organization's CSV statements. Columns are
// named by their header, or by their 1-based number when the file has no
// header row.
type Profile struct {
	// Delimiter is one character: ",", ";" or a tab ("\t").
	Delimiter string `json:"delimiter"`
	HasHeader bool   `json:"hasHeader"`
	// DateFormat is one of DateFormats.
	DateFormat string `json:"dateFormat"`
	// DecimalComma reads "1.234,56"; otherwise "1,234.56".
	DecimalComma bool   `json:"decimalComma"`
	Date         string `json:"dateColumn"`
	Amount       string `json:"amountColumn"`
	// Currency is the currency column; DefaultCurrency serves files without one.
	Currency        string `json:"currencyColumn"`
	DefaultCurrency string `json:"defaultCurrency"`
	Reference       string `json:"referenceColumn"`
	Counterparty    string `json:"counterpartyColumn"`
	EntryID         string `json:"entryIdColumn"`
}

// DateFormats are the date layouts a profile may name.
var DateFormats = map[string]string{
	"YYYY-MM-DD": "2006-01-02", "DD.MM.YYYY": "02.01.2006", "DD/MM/YYYY": "02/01/2006",
	"MM/DD/YYYY": "01/02/2006", "DD-MM-YYYY": "02-01-2006", "YYYYMMDD": "20060102",
}

// Check reports what is wrong with a profile, naming the field.
func (p *Profile) Check() (field string, err error) {
	switch {
	case p.Delimiter != "," && p.Delimiter != ";" && p.Delimiter != "\t" && p.Delimiter != "|":
		return "delimiter", errors.New("delimiter must be \",\", \";\", \"|\" or a tab")
	case DateFormats[p.DateFormat] == "":
		return "dateFormat", errors.New("dateFormat must be YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, DD-MM-YYYY or YYYYMMDD")
	case strings.TrimSpace(p.Date) == "":
		return "dateColumn", errors.New("dateColumn names the column of the booking date")
	case strings.TrimSpace(p.Amount) == "":
		return "amountColumn", errors.New("amountColumn names the column of the amount")
	case strings.TrimSpace(p.Reference) == "":
		return "referenceColumn", errors.New("referenceColumn names the column of the remittance text")
	case strings.TrimSpace(p.Currency) == "" && len(p.DefaultCurrency) != 3:
		return "currencyColumn", errors.New("name the currencyColumn, or give defaultCurrency")
	}
	for _, c := range []string{p.Date, p.Amount, p.Currency, p.Reference, p.Counterparty, p.EntryID} {
		if len(c) > 100 {
			return "columns", errors.New("a column name is longer than 100 characters")
		}
		if !p.HasHeader && c != "" {
			if n, err := strconv.Atoi(c); err != nil || n < 1 || n > 1000 {
				return "columns", errors.New("without a header row, columns are numbered from 1")
			}
		}
	}
	return "", nil
}

// columns finds each mapped column's index (-1 when not mapped).
func (p *Profile) columns(header []string) (map[string]int, error) {
	idx := map[string]int{}
	for name, col := range map[string]string{"date": p.Date, "amount": p.Amount, "currency": p.Currency,
		"reference": p.Reference, "counterparty": p.Counterparty, "entryId": p.EntryID} {
		idx[name] = -1
		if col = strings.TrimSpace(col); col == "" {
			continue
		}
		if !p.HasHeader {
			n, _ := strconv.Atoi(col)
			idx[name] = n - 1
			continue
		}
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), col) {
				idx[name] = i
			}
		}
		if idx[name] < 0 {
			return nil, &ColumnError{msg: "the statement has no column " + strconv.Quote(col) + " (" + name + " in the CSV profile)"}
		}
	}
	return idx, nil
}

// ColumnError is a CSV profile that does not fit the file.
type ColumnError struct{ msg string }

func (e *ColumnError) Error() string { return e.msg }

// Unwrap is the error in the shared model.
func (e *ColumnError) Unwrap() error { return errs.New(errs.Invalid, "statement_columns", e.msg) }

func (p *Profile) parse(b []byte) (*Result, error) {
	if _, err := p.Check(); err != nil {
		return nil, &ColumnError{msg: "the saved CSV profile is not usable: " + err.Error()}
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.Comma = []rune(p.Delimiter)[0]
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	res := &Result{Format: "csv"}
	var idx map[string]int
	if !p.HasHeader {
		var err error
		if idx, err = p.columns(nil); err != nil {
			return nil, err
		}
	}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, ErrFormat
		}
		if idx == nil {
			if idx, err = p.columns(rec); err != nil {
				return nil, err
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if res.Read++; res.Read > MaxEntries {
			return nil, ErrTooMany
		}
		if err := res.addCSV(p, idx, rec, res.Read); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (res *Result) addCSV(p *Profile, idx map[string]int, rec []string, n int) error {
	get := func(name string) string {
		if i := idx[name]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	raw := get("amount")
	amt := strings.ReplaceAll(strings.ReplaceAll(raw, " ", ""), "\u00a0", "")
	if p.DecimalComma {
		amt = strings.ReplaceAll(strings.ReplaceAll(amt, ".", ""), ",", ".")
	} else {
		amt = strings.ReplaceAll(amt, ",", "")
	}
	amt = strings.TrimPrefix(amt, "+")
	if strings.HasPrefix(amt, "-") {
		res.Skipped++ // a debit
		return nil
	}
	currency := strings.ToUpper(get("currency"))
	if currency == "" {
		currency = strings.ToUpper(p.DefaultCurrency)
	}
	minor, err := amountOf(amt, currency)
	if err != nil {
		return &EntryError{Entry: n, Field: "amount", Value: raw + " " + currency}
	}
	if minor == 0 {
		res.Skipped++
		return nil
	}
	booked, err := time.Parse(DateFormats[p.DateFormat], get("date"))
	if err != nil {
		return &EntryError{Entry: n, Field: "date", Value: get("date")}
	}
	text := get("reference")
	e := Entry{BookedAt: booked, Amount: minor, Currency: currency, Text: text, Counterparty: get("counterparty"), BankRef: get("entryId")}
	e.Key = "ref:" + e.BankRef
	if e.BankRef == "" {
		e.Key = hashKey(booked, minor, currency, text)
	}
	res.Entries = append(res.Entries, e)
	return nil
}
