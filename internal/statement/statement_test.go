package statement

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/bank"
)

func TestCamt053(t *testing.T) {
	b, err := os.ReadFile("testdata/camt053-sparkasse.xml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "camt.053" || res.Read != 5 || res.Skipped != 2 || len(res.Entries) != 5 {
		t.Fatalf("read %d, skipped %d, entries %d (%s); want 5, 2 (a debit and a pending credit), 5 credits", res.Read, res.Skipped, len(res.Entries), res.Format)
	}
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	want := []struct {
		key, ref, counterparty string
		amount                 int64
		wantRef                bank.Reference
	}{
		{"ref:2026120400011234", "2026120400011234", "Erika Mustermann", 4900, "RF18539007547034"},
		{"ref:2026120400021877-1", "2026120400021877-1", "Jan Jansen", 2000, "RF604567890012"},
		{"ref:2026120400021877-2", "2026120400021877-2", "Maria Rossi", 10030, "RF92ABCDEF12345"},
		{"ref:2026120400021877-3", "2026120400021877-3", "Unknown Payer Ltd", 3000, ""},
		{"", "", "", 1250, ""},
	}
	for i, w := range want {
		e := res.Entries[i]
		if w.key != "" && e.Key != w.key || e.BankRef != w.ref || e.Counterparty != w.counterparty ||
			e.Amount != w.amount || e.Currency != "EUR" || !e.BookedAt.Equal(day) {
			t.Errorf("entry %d = %+v; want key %s, amount %d, counterparty %q", i, e, w.key, w.amount, w.counterparty)
		}
		refs := bank.FindReferences(e.Text)
		found := w.wantRef == ""
		for _, r := range refs {
			found = found || r == w.wantRef
		}
		if !found {
			t.Errorf("entry %d: text %q yields %v; want %s among them", i, e.Text, refs, w.wantRef)
		}
	}
	if k := res.Entries[4].Key; !strings.HasPrefix(k, "hash:") {
		t.Errorf("an entry without a bank reference has key %q; want a hash", k)
	}
	if !strings.Contains(res.Entries[1].Text, "Bestellung vom 1.12.\nRef rf60") {
		t.Errorf("the remittance lines are not kept in order: %q", res.Entries[1].Text)
	}
	// The same file read again gives the same keys: an upload is recognised.
	again, _ := Parse(b, nil)
	for i := range again.Entries {
		if again.Entries[i].Key != res.Entries[i].Key {
			t.Errorf("entry %d has key %s then %s", i, res.Entries[i].Key, again.Entries[i].Key)
		}
	}
}

func TestCamtRefused(t *testing.T) {
	for name, doc := range map[string]string{
		"not XML":       "<Document><BkToCstmrStmt>",
		"other message": `<?xml version="1.0"?><Document><FIToFICstmrCdtTrf/></Document>`,
		"bad amount":    `<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="EUR">12.345</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-04</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
		"bad currency":  `<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="XXZ">12.34</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-04</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
		"bad date":      `<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="EUR">12.34</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>04.12.2026</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
	} {
		if _, err := Parse([]byte(doc), nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var many strings.Builder
	many.WriteString("<Document><BkToCstmrStmt><Stmt>")
	for range MaxEntries + 1 {
		many.WriteString(`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></Ntry>`)
	}
	many.WriteString("</Stmt></BkToCstmrStmt></Document>")
	if _, err := Parse([]byte(many.String()), nil); !errors.Is(err, ErrTooMany) {
		t.Errorf("a statement of %d entries: %v; want ErrTooMany", MaxEntries+1, err)
	}
}

func TestCSV(t *testing.T) {
	p := &Profile{Delimiter: ";", HasHeader: true, DateFormat: "DD.MM.YYYY", DecimalComma: true,
		Date: "Buchungstag", Amount: "Betrag", Currency: "Währung", Reference: "Verwendungszweck",
		Counterparty: "Name", EntryID: "Referenz"}
	if f, err := p.Check(); err != nil {
		t.Fatalf("profile refused at %s: %v", f, err)
	}
	file := "\ufeffBuchungstag;Name;Verwendungszweck;Betrag;Währung;Referenz\n" +
		"04.12.2026;Erika Mustermann;RF18 5390 0754 7034;1.049,00;EUR;A-1\n" +
		"04.12.2026;Bank;Gebühr;-12,50;EUR;A-2\n" +
		"04.12.2026;\"Rossi; Maria\";\"Rechnung 17\nRF92ABCDEF12345\";100,30;eur;\n"
	res, err := Parse([]byte(file), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "csv" || res.Read != 3 || res.Skipped != 1 || len(res.Entries) != 2 {
		t.Fatalf("read %d skipped %d entries %d; want 3, 1, 2", res.Read, res.Skipped, len(res.Entries))
	}
	e := res.Entries[0]
	if e.Key != "ref:A-1" || e.Amount != 104900 || e.Currency != "EUR" || e.Counterparty != "Erika Mustermann" ||
		!e.BookedAt.Equal(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first entry = %+v", e)
	}
	if e := res.Entries[1]; !strings.HasPrefix(e.Key, "hash:") || e.Amount != 10030 || e.Counterparty != "Rossi; Maria" ||
		len(bank.FindReferences(e.Text)) == 0 {
		t.Errorf("second entry = %+v", e)
	}
	// Without a header, columns by number; a default currency.
	p2 := &Profile{Delimiter: ",", DateFormat: "YYYY-MM-DD", Date: "1", Amount: "3", Reference: "2", DefaultCurrency: "GBP"}
	res, err = Parse([]byte("2026-12-04,Order RF18539007547034,\"1,234.50\"\n"), p2)
	if err != nil || len(res.Entries) != 1 || res.Entries[0].Amount != 123450 || res.Entries[0].Currency != "GBP" {
		t.Fatalf("header-less CSV = %+v, %v", res, err)
	}
	for name, bad := range map[string]string{
		"unknown column": "Datum;Betrag\n",
		"bad amount":     "Buchungstag;Name;Verwendungszweck;Betrag;Währung;Referenz\n04.12.2026;A;B;zwölf;EUR;X\n",
		"bad date":       "Buchungstag;Name;Verwendungszweck;Betrag;Währung;Referenz\n2026-12-04;A;B;1,00;EUR;X\n",
		"bad quoting":    "Buchungstag;Name;Verwendungszweck;Betrag;Währung;Referenz\n04.12.2026;\"A;B;1,00;EUR;X\n",
	} {
		if _, err := Parse([]byte(bad), p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Parse([]byte("a,b\n"), nil); !errors.Is(err, ErrNoProfile) {
		t.Errorf("CSV without a profile: %v", err)
	}
	for _, bad := range []Profile{
		{Delimiter: "x", DateFormat: "YYYY-MM-DD", Date: "d", Amount: "a", Reference: "r", Currency: "c"},
		{Delimiter: ",", DateFormat: "YY", Date: "d", Amount: "a", Reference: "r", Currency: "c"},
		{Delimiter: ",", DateFormat: "YYYY-MM-DD", Amount: "a", Reference: "r", Currency: "c"},
		{Delimiter: ",", DateFormat: "YYYY-MM-DD", Date: "d", Amount: "a", Reference: "r"},
		{Delimiter: ",", DateFormat: "YYYY-MM-DD", Date: "date", Amount: "2", Reference: "3", DefaultCurrency: "EUR"},
	} {
		if _, err := bad.Check(); err == nil {
			t.Errorf("profile %+v accepted", bad)
		}
	}
}

func TestEntryBounds(t *testing.T) {
	ref := bank.RandomReference(16)
	long := strings.Repeat("x", 5000)
	doc := `<Document><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-04</Dt></BookgDt><AcctSvcrRef>` + strings.Repeat("R", 300) + `</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>` + long + `</Nm></Dbtr></RltdPties><RmtInf><Ustrd>` + long + `</Ustrd><Ustrd>` + string(ref) + `</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`
	res, err := Parse([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := res.Entries[0]
	if len(e.Key) > 100 || len(e.BankRef) > maxRef || len(e.Text) > maxText || len(e.Counterparty) > maxName {
		t.Errorf("entry not bounded: key %d, ref %d, text %d, counterparty %d", len(e.Key), len(e.BankRef), len(e.Text), len(e.Counterparty))
	}
	// A prefix of a reference may pass the check digits too (1 in 97 per
	// length): the store keeps the ones it issued. Ours must be among them.
	if !slices.Contains(e.References, ref) {
		t.Errorf("the reference after 5000 characters of remittance was lost: %v", e.References)
	}
	huge := `<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="EUR">100000000000.01</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-04</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`
	var ee *EntryError
	if _, err := Parse([]byte(huge), nil); !errors.As(err, &ee) {
		t.Errorf("a credit above the bound: %v", err)
	}
	if got := cut("aé", 2); got != "a" {
		t.Errorf("cut splits a character: %q", got)
	}
}

// BenchmarkCamt053 reads a statement of 10,000 credits, the most one upload
// takes.
func BenchmarkCamt053(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>`)
	for i := range MaxEntries {
		ref := bank.RandomReference(16)
		doc.WriteString(`<Ntry><Amt Ccy="EUR">49.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-04</Dt></BookgDt><AcctSvcrRef>E-`)
		doc.WriteString(strings.Repeat("0", 6-len(itoa(i))) + itoa(i))
		doc.WriteString(`</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Erika Mustermann</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>Order 17 `)
		doc.WriteString(ref.Grouped())
		doc.WriteString(`</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`)
	}
	doc.WriteString(`</Stmt></BkToCstmrStmt></Document>`)
	data := []byte(doc.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		res, err := Parse(data, nil)
		if err != nil || len(res.Entries) != MaxEntries || len(res.Entries[0].References) == 0 {
			b.Fatal(err)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
