package bank

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// EPC is the content of an EPC QR code (EPC069-12, "GiroCode"): a SEPA
// credit transfer a banking app fills in from a scan. Only EUR transfers
// have one.
type EPC struct {
	// Version is 1 or 2; version 2 makes the BIC optional inside the EEA.
	Version int
	BIC     string
	Name    string
	IBAN    IBAN
	// Cents is the amount in euro cents.
	Cents int64
	// Purpose is an optional ISO 20022 purpose code, such as GDDS.
	Purpose string
	// Reference is the structured creditor reference; Text the
	// unstructured remittance. At most one of them.
	Reference Reference
	Text      string
	// Info is an optional note to the payer.
	Info string
}

// Errors of EPC.Payload.
var (
	ErrEPCAmount = errors.New("an EPC QR code carries 0.01 to 999,999,999.99 euros")
	ErrEPCField  = errors.New("a field of the EPC QR code is too long or missing")
)

// Payload is the text the QR code encodes: the fields one per line (LF),
// UTF-8 (character set 1), identification SCT, trailing empty fields left
// out, as the standard's own example is written.
func (e EPC) Payload() (string, error) {
	if e.Cents < 1 || e.Cents > 99999999999 {
		return "", ErrEPCAmount
	}
	version := e.Version
	if version == 0 {
		version = 2
	}
	if version != 1 && version != 2 || version == 1 && e.BIC == "" ||
		e.Name == "" || utf8.RuneCountInString(e.Name) > 70 || e.IBAN == "" ||
		len(e.Purpose) > 4 || e.Reference != "" && e.Text != "" || utf8.RuneCountInString(e.Text) > 140 ||
		utf8.RuneCountInString(e.Info) > 70 || strings.ContainsAny(e.Name+e.Text+e.Info, "\r\n") {
		return "", ErrEPCField
	}
	fields := []string{"BCD", "00" + strconv.Itoa(version), "1", "SCT", e.BIC, e.Name, string(e.IBAN),
		"EUR" + euros(e.Cents), e.Purpose, string(e.Reference), e.Text, e.Info}
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	p := strings.Join(fields, "\n")
	if len(p) > 331 {
		return "", ErrEPCField
	}
	return p, nil
}

// euros writes cents as the standard's amount: a point before the cents,
// no trailing zeros after it ("12.3", "12").
func euros(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	if c := cents % 100; c != 0 {
		s += strings.TrimRight("."+strconv.FormatInt(100+c, 10)[1:], "0")
	}
	return s
}
