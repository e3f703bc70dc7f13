// Package statement reads the credits of bank statements: ISO 20022 camt.053
// (the bank-to-customer statement European banks export) and CSV files whose
// columns an organization maps once in a Profile. It knows nothing of
// transactions or storage: matching entries to payments is the caller's.
package statement

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/money"
)

// Entry is one credit to the account.
type Entry struct {
	// Key identifies the entry across uploads: the bank's own reference
	// ("ref:...") or, when the bank gives none, a hash of the booking date,
	// amount, currency and text ("hash:...").
	Key string
	// BankRef is the bank's reference as shown to the operator ("" when none).
	BankRef  string
	BookedAt time.Time
	Amount   int64 // minor units, positive
	Currency string
	// Text is the remittance information, lines joined by a newline, with
	// structured creditor references on lines of their own.
	Text         string
	Counterparty string
	// References are the valid creditor references anywhere in the whole
	// remittance (Text keeps its first 2000 bytes).
	References []bank.Reference
}

// Result is what a statement held.
type Result struct {
	Format  string // "camt.053" or "csv"
	Entries []Entry
	// Read counts every entry of the statement, credits or not; Skipped the
	// debits, reversals and entries not yet booked among them.
	Read, Skipped int
}

// MaxEntries bounds the entries of one statement.
const MaxEntries = 10000

// Errors of parsing.
var (
	ErrFormat     = errs.New(errs.Invalid, "statement_format", "the file is neither a camt.053 statement nor a CSV file")
	ErrTooMany    = errs.New(errs.Invalid, "statement_too_many_entries", "the statement has more than 10000 entries; split it")
	ErrNoProfile  = errs.New(errs.Invalid, "csv_profile_missing", "a CSV statement needs the organization's CSV profile; save one first")
	errBadAmount  = errors.New("amount")
	errBadDate    = errors.New("date")
	errNoCurrency = errors.New("currency")
)

// EntryError names the entry a statement could not be read at.
type EntryError struct {
	Entry int // 1-based, in the file's order
	Field string
	Value string
}

func (e *EntryError) Error() string {
	return "entry " + strconv.Itoa(e.Entry) + ": the " + e.Field + " " + strconv.Quote(e.Value) + " cannot be read"
}

// Unwrap is the error in the shared model: nothing of the statement was
// applied.
func (e *EntryError) Unwrap() error {
	return errs.New(errs.Invalid, "statement_entry", e.Error()+"; nothing was applied")
}

// Parse reads a statement: camt.053 when it is XML, else CSV with profile
// (nil when the organization has none).
func Parse(b []byte, profile *Profile) (*Result, error) {
	var res *Result
	var err error
	trimmed := strings.TrimLeft(strings.TrimPrefix(string(b[:min(len(b), 512)]), "\ufeff"), " \t\r\n")
	switch {
	case strings.HasPrefix(trimmed, "<"):
		res, err = parseCamt(b)
	case profile == nil:
		return nil, ErrNoProfile
	default:
		res, err = profile.parse(b)
	}
	if err != nil {
		return nil, err
	}
	for i := range res.Entries {
		res.Entries[i].tidy()
	}
	return res, nil
}

// hashKey is the key of an entry the bank gave no reference for.
func hashKey(booked time.Time, amount int64, currency, text string) string {
	h := sha256.Sum256([]byte(booked.Format("2006-01-02") + "|" + strconv.FormatInt(amount, 10) + "|" + currency + "|" +
		strings.Join(strings.Fields(text), " ")))
	return "hash:" + hex.EncodeToString(h[:16])
}

// MaxAmount bounds one credit, in minor units: far above any real payment,
// far below what sums of them could overflow.
const MaxAmount = 1e13

// amountOf reads a decimal amount in currency.
func amountOf(s, currency string) (int64, error) {
	cur, err := money.ParseCurrency(currency)
	if err != nil {
		return 0, errNoCurrency
	}
	v, err := money.ParseDecimal(s, cur)
	if err != nil || v > MaxAmount {
		return 0, errBadAmount
	}
	return v, nil
}

// Bounds of what an entry keeps of a statement's text.
const (
	maxRef  = 100
	maxText = 2000
	maxName = 200
)

// tidy finds the entry's references in its whole remittance, then bounds
// its texts and keys a long bank reference by its hash.
func (e *Entry) tidy() {
	e.References = bank.FindReferences(e.Text)
	if len(e.BankRef) > maxRef {
		h := sha256.Sum256([]byte(e.BankRef))
		e.BankRef = e.BankRef[:maxRef]
		e.Key = "ref:sha256:" + hex.EncodeToString(h[:16])
	}
	e.Text, e.Counterparty = cut(e.Text, maxText), cut(e.Counterparty, maxName)
}

// cut shortens s to at most n bytes on a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
