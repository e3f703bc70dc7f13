package statement

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// camt.053 read by local names only, so that every version of the message
// (001.02 to 001.13) and any namespace prefix read alike.
type camtDoc struct {
	Stmts []struct {
		Entries []camtEntry `xml:"Ntry"`
	} `xml:"BkToCstmrStmt>Stmt"`
}

type camtAmount struct {
	Value    string `xml:",chardata"`
	Currency string `xml:"Ccy,attr"`
}

type camtDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

type camtParty struct {
	Nm    string `xml:"Nm"`
	PtyNm string `xml:"Pty>Nm"`
}

type camtEntry struct {
	Amt       camtAmount `xml:"Amt"`
	CdtDbtInd string     `xml:"CdtDbtInd"`
	RvslInd   string     `xml:"RvslInd"`
	// Sts is the status as text (camt.053.001.02 to .07) or as a code (.08 on).
	Sts struct {
		Text string `xml:",chardata"`
		Cd   string `xml:"Cd"`
	} `xml:"Sts"`
	BookgDt      camtDate `xml:"BookgDt"`
	ValDt        camtDate `xml:"ValDt"`
	AcctSvcrRef  string   `xml:"AcctSvcrRef"`
	NtryRef      string   `xml:"NtryRef"`
	AddtlNtryInf string   `xml:"AddtlNtryInf"`
	Details      []camtTx `xml:"NtryDtls>TxDtls"`
}

type camtTx struct {
	AcctSvcrRef string     `xml:"Refs>AcctSvcrRef"`
	EndToEndID  string     `xml:"Refs>EndToEndId"`
	Amt         camtAmount `xml:"Amt"`
	TxAmt       camtAmount `xml:"AmtDtls>TxAmt>Amt"`
	CdtDbtInd   string     `xml:"CdtDbtInd"`
	Debtor      camtParty  `xml:"RltdPties>Dbtr"`
	Ustrd       []string   `xml:"RmtInf>Ustrd"`
	CdtrRefs    []string   `xml:"RmtInf>Strd>CdtrRefInf>Ref"`
	AddtlTxInf  string     `xml:"AddtlTxInf"`
}

func parseCamt(b []byte) (*Result, error) {
	var doc camtDoc
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		return nil, ErrFormat
	}
	res := &Result{Format: "camt.053"}
	n := 0
	for _, st := range doc.Stmts {
		for _, e := range st.Entries {
			n++
			if n > MaxEntries {
				return nil, ErrTooMany
			}
			if err := res.addCamt(n, e); err != nil {
				return nil, err
			}
		}
	}
	if n == 0 && len(doc.Stmts) == 0 {
		return nil, ErrFormat
	}
	return res, nil
}

// addCamt adds the credits of one entry: the entry itself, or each
// transaction of a batch entry with its own amount and remittance.
func (res *Result) addCamt(n int, e camtEntry) error {
	res.Read++
	status := strings.TrimSpace(e.Sts.Cd)
	if status == "" {
		status = strings.TrimSpace(e.Sts.Text)
	}
	if e.CdtDbtInd != "CRDT" || e.RvslInd == "true" || status != "" && status != "BOOK" {
		res.Skipped++
		return nil
	}
	booked, err := camtTime(e.BookgDt)
	if err != nil {
		if booked, err = camtTime(e.ValDt); err != nil {
			return &EntryError{Entry: n, Field: "booking date", Value: e.BookgDt.Dt + e.BookgDt.DtTm}
		}
	}
	entryRef := strings.TrimSpace(e.AcctSvcrRef)
	if entryRef == "" {
		entryRef = strings.TrimSpace(e.NtryRef)
	}
	if len(e.Details) <= 1 {
		var tx camtTx
		if len(e.Details) == 1 {
			tx = e.Details[0]
		}
		amt, err := amountOf(strings.TrimSpace(e.Amt.Value), e.Amt.Currency)
		if err != nil {
			return &EntryError{Entry: n, Field: "amount", Value: e.Amt.Value + " " + e.Amt.Currency}
		}
		text := camtText(tx, e.AddtlNtryInf)
		key := "ref:" + entryRef
		if entryRef == "" {
			key = hashKey(booked, amt, e.Amt.Currency, text)
		}
		res.Entries = append(res.Entries, Entry{Key: key, BankRef: entryRef, BookedAt: booked, Amount: amt,
			Currency: e.Amt.Currency, Text: text, Counterparty: tx.Debtor.name()})
		return nil
	}
	// A batch: one booking, several payments each with its own amount.
	for i, tx := range e.Details {
		if tx.CdtDbtInd != "" && tx.CdtDbtInd != "CRDT" {
			continue
		}
		a := tx.Amt
		if strings.TrimSpace(a.Value) == "" {
			a = tx.TxAmt
		}
		amt, err := amountOf(strings.TrimSpace(a.Value), a.Currency)
		if err != nil {
			return &EntryError{Entry: n, Field: "amount of batch transaction " + strconv.Itoa(i+1), Value: a.Value + " " + a.Currency}
		}
		text := camtText(tx, "")
		ref := strings.TrimSpace(tx.AcctSvcrRef)
		var key string
		switch {
		case ref != "":
			key = "ref:" + ref
		case entryRef != "":
			ref = entryRef + "/" + strconv.Itoa(i+1)
			key = "ref:" + ref
		default:
			key = hashKey(booked, amt, a.Currency, text)
		}
		res.Entries = append(res.Entries, Entry{Key: key, BankRef: ref, BookedAt: booked, Amount: amt,
			Currency: a.Currency, Text: text, Counterparty: tx.Debtor.name()})
	}
	return nil
}

func (p camtParty) name() string {
	if p.PtyNm != "" {
		return strings.TrimSpace(p.PtyNm)
	}
	return strings.TrimSpace(p.Nm)
}

// camtText is a transaction's remittance: its structured references, its
// unstructured lines, and the bank's additional information.
func camtText(tx camtTx, extra string) string {
	var lines []string
	for _, l := range append(append(append([]string{}, tx.CdtrRefs...), tx.Ustrd...), tx.AddtlTxInf, extra) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func camtTime(d camtDate) (time.Time, error) {
	if s := strings.TrimSpace(d.Dt); s != "" {
		return time.Parse("2006-01-02", s)
	}
	s := strings.TrimSpace(d.DtTm)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errBadDate
}
