package bank

import (
	"errors"
	"strings"
	"testing"
)

func TestParseIBAN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want IBAN
		err  error
	}{
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", nil},
		{"de89370400440532013000", "DE89370400440532013000", nil},
		{"GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819", nil},
		{"FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606", nil},
		{"NL91ABNA0417164300", "NL91ABNA0417164300", nil},
		{"NO93 8601 1117 947", "NO9386011117947", nil},
		{"MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S", nil},
		{"DE71 1102 2033 0123 4567 89", "DE71110220330123456789", nil},
		{"DE89-3704-0044-0532-0130-00", "DE89370400440532013000", nil},
		{"DE88370400440532013000", "", ErrIBANChecksum}, // one check digit off
		{"DE89370400440532013001", "", ErrIBANChecksum}, // one account digit off
		{"DE8937040044053201300", "", ErrIBANLength},    // a digit short
		{"DE893704004405320130000", "", ErrIBANLength},  // a digit long
		{"XX89370400440532013000", "", ErrIBANCountry},  // no such country
		{"US64SVBKUS6S3300958879", "", ErrIBANCountry},  // the US has no IBANs
		{"DE8937040044053201300!", "", ErrIBANChars},    // a stray character
		{"DEAB370400440532013000", "", ErrIBANChars},    // letters for check digits
		{"", "", ErrIBANCountry},
	} {
		got, err := ParseIBAN(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ParseIBAN(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if g := IBAN("DE89370400440532013000").Grouped(); g != "DE89 3704 0044 0532 0130 00" {
		t.Errorf("Grouped = %q", g)
	}
}

func TestParseBIC(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"DEUTDEFF", "DEUTDEFF", true},
		{"deutdeff500", "DEUTDEFF500", true},
		{"BHBL DE HH XXX", "BHBLDEHHXXX", true},
		{"NWBKGB2L", "NWBKGB2L", true},
		{"DEUTDEF", "", false},      // 7 characters
		{"DEUTDEFF50", "", false},   // 10 characters
		{"DEU1DEFF", "", false},     // a digit in the bank code
		{"DEUTD3FF", "", false},     // a digit in the country
		{"DEUTDEFF5000", "", false}, // 12 characters
		{"", "", false},
	} {
		got, err := ParseBIC(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseBIC(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestReferences(t *testing.T) {
	// The standard's own example and its printed form.
	for _, tc := range []struct {
		in   string
		want Reference
		err  error
	}{
		{"RF18 5390 0754 7034", "RF18539007547034", nil},
		{"rf18539007547034", "RF18539007547034", nil},
		{"RF18000000000539007547034", "RF18000000000539007547034", nil},
		{"RF19539007547034", "", ErrReferenceChecksum},
		{"RF18539007547035", "", ErrReferenceChecksum},
		{"RF1853900754703412345678901", "", ErrReferenceShape}, // body of 23
		{"RX18539007547034", "", ErrReferenceShape},
		{"RF1", "", ErrReferenceShape},
		{"RF18 5390 0754 703!", "", ErrReferenceShape},
	} {
		got, err := ParseReference(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ParseReference(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if r, err := NewReference("539007547034"); r != "RF18539007547034" || err != nil {
		t.Errorf("NewReference = %q, %v; want the standard's RF18539007547034", r, err)
	}
	if _, err := NewReference(strings.Repeat("1", 22)); !errors.Is(err, ErrReferenceShape) {
		t.Errorf("NewReference of 22 characters: %v", err)
	}
	seen := map[Reference]bool{}
	for range 1000 {
		r := RandomReference(16)
		if _, err := ParseReference(string(r)); err != nil || len(r) != 20 || seen[r] {
			t.Fatalf("RandomReference gave %q (%v, seen %v)", r, err, seen[r])
		}
		seen[r] = true
	}
	if g := Reference("RF18539007547034").Grouped(); g != "RF18 5390 0754 7034" {
		t.Errorf("Grouped = %q", g)
	}
}

func TestFindReferences(t *testing.T) {
	ref := RandomReference(16)
	for _, tc := range []struct {
		text string
		want Reference
	}{
		{string(ref), ref},
		{"Payment " + strings.ToLower(ref.Grouped()) + " order 12", ref},
		{"INV-2026-117/" + string(ref) + "/THANKS", ref},
		{"EREF+" + string(ref[:10]) + " " + string(ref[10:]) + " SVWZ+Order", ref},
		{"Ref RF18-5390-0754-7034", "RF18539007547034"},
	} {
		found := FindReferences(tc.text)
		var ok bool
		for _, f := range found {
			ok = ok || f == tc.want
		}
		if !ok {
			t.Errorf("FindReferences(%q) = %v; want it to hold %q", tc.text, found, tc.want)
		}
	}
	// A wrong check digit is no reference; nor is text without one.
	bad := "RF" + map[bool]string{true: "10", false: "11"}[ref[2:4] == "11"] + string(ref[4:])
	for _, f := range FindReferences(bad + " paid") {
		if f == Reference(bad) || f == ref {
			t.Errorf("FindReferences(%q) found %q", bad, f)
		}
	}
	if f := FindReferences("Invoice 123 thank you"); len(f) != 0 {
		t.Errorf("FindReferences of plain text = %v", f)
	}
}

func TestEPCPayload(t *testing.T) {
	// EPC069-12, section 2.3: the standard's example, 95 characters with
	// 9 line feeds, 96 bytes in UTF-8.
	want := "BCD\n001\n1\nSCT\nBHBLDEHHXXX\nFranz Mustermänn\nDE71110220330123456789\nEUR12.3\nGDDS\nRF18539007547034"
	got, err := EPC{Version: 1, BIC: "BHBLDEHHXXX", Name: "Franz Mustermänn", IBAN: "DE71110220330123456789",
		Cents: 1230, Purpose: "GDDS", Reference: "RF18539007547034"}.Payload()
	if err != nil || got != want {
		t.Fatalf("Payload = %q, %v; want %q", got, err, want)
	}
	if len([]rune(got)) != 95 || len(got) != 96 {
		t.Errorf("payload has %d characters and %d bytes; the standard says 95 and 96", len([]rune(got)), len(got))
	}
	// Version 2 without a BIC, a whole amount and unstructured text.
	got, err = EPC{Name: "Shop GmbH", IBAN: "DE89370400440532013000", Cents: 4900, Text: "Order 17"}.Payload()
	if want := "BCD\n002\n1\nSCT\n\nShop GmbH\nDE89370400440532013000\nEUR49\n\n\nOrder 17"; err != nil || got != want {
		t.Errorf("Payload v2 = %q, %v; want %q", got, err, want)
	}
	for _, e := range []EPC{
		{Name: "A", IBAN: "DE89370400440532013000", Cents: 0},
		{Name: "A", IBAN: "DE89370400440532013000", Cents: 100000000000},
		{Version: 1, Name: "A", IBAN: "DE89370400440532013000", Cents: 1}, // v1 needs a BIC
		{Name: strings.Repeat("a", 71), IBAN: "DE89370400440532013000", Cents: 1},
		{Name: "A", IBAN: "DE89370400440532013000", Cents: 1, Reference: "RF18539007547034", Text: "both"},
		{Name: "A\nB", IBAN: "DE89370400440532013000", Cents: 1},
	} {
		if _, err := e.Payload(); err == nil {
			t.Errorf("Payload(%+v) accepted", e)
		}
	}
	for cents, want := range map[int64]string{1: "0.01", 10: "0.1", 100: "1", 1230: "12.3", 1234: "12.34", 99999999999: "999999999.99"} {
		if got := euros(cents); got != want {
			t.Errorf("euros(%d) = %q; want %q", cents, got, want)
		}
	}
}
