package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tax"
)

// taxLine is one line of a frozen decision or of the ledger.
type taxLine struct {
	Country   string        `json:"country"`
	Rate      tax.Rate      `json:"rate"`
	Treatment tax.Treatment `json:"treatment"`
	Net       int64         `json:"net"`
	Tax       int64         `json:"tax"`
	Gross     int64         `json:"gross"`
}

type ledgerRow struct {
	taxLine
	Line       int       `json:"line"`
	RefundID   string    `json:"refundId,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
}

// taxTotals are a payment's amounts under the tax engine: what it was
// charged, split into nets and tax, and the tax per country and rate.
type taxTotals struct {
	AmountSubtotal int64      `json:"amountSubtotal"`
	AmountTax      int64      `json:"amountTax"`
	AmountTotal    int64      `json:"amountTotal"`
	TaxBreakdown   []taxGroup `json:"taxBreakdown"`
}

// taxGroup is the tax of one country, rate and treatment.
type taxGroup struct {
	Country   string        `json:"country"`
	Rate      tax.Rate      `json:"rate"`
	Treatment tax.Treatment `json:"treatment"`
	Net       int64         `json:"net"`
	Tax       int64         `json:"tax"`
}

func totalsOf(subtotal, taxAmount, total int64, lines []tax.Line) *taxTotals {
	t := &taxTotals{AmountSubtotal: subtotal, AmountTax: taxAmount, AmountTotal: total, TaxBreakdown: []taxGroup{}}
	for _, g := range (tax.Decision{Lines: lines}).Summed().Groups {
		t.TaxBreakdown = append(t.TaxBreakdown, taxGroup{Country: g.Country, Rate: g.Rate, Treatment: g.Treatment, Net: g.Net, Tax: g.Tax})
	}
	return t
}

// getTransactionTax answers the decision frozen on a transaction with its
// evidence and its ledger rows.
func (a *API) getTransactionTax(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	t, err := a.store.TransactionInScope(r.Context(), store.KeyScope(key), r.PathValue("id"))
	if httpx.Fail(w, r, a.log, err, "transaction") {
		return
	}
	tt, records, err := a.store.TransactionTaxOf(r.Context(), t.ID)
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	if tt == nil {
		httpx.WriteError(w, r, http.StatusNotFound, "no_tax_decision", "this payment was taken without the tax engine")
		return
	}
	lines, err := tt.DecodedLines()
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	out := struct {
		TransactionID  string          `json:"transactionId"`
		Currency       string          `json:"currency"`
		AmountSubtotal int64           `json:"amountSubtotal"`
		AmountTax      int64           `json:"amountTax"`
		AmountTotal    int64           `json:"amountTotal"`
		Lines          []taxLine       `json:"lines"`
		Evidence       json.RawMessage `json:"evidence"`
		DecidedAt      time.Time       `json:"decidedAt"`
		Ledger         []ledgerRow     `json:"ledger"`
	}{TransactionID: t.ID, Currency: tt.Currency, AmountSubtotal: tt.Subtotal, AmountTax: tt.Tax, AmountTotal: tt.Total,
		Evidence: json.RawMessage(tt.Evidence), DecidedAt: tt.DecidedAt, Lines: []taxLine{}, Ledger: []ledgerRow{}}
	for _, l := range lines {
		out.Lines = append(out.Lines, taxLine{Country: l.Country, Rate: l.Rate, Treatment: l.Treatment, Net: l.Net, Tax: l.Tax, Gross: l.Gross})
	}
	for _, rec := range records {
		out.Ledger = append(out.Ledger, ledgerRow{taxLine: taxLine{Country: rec.Country, Rate: rec.Rate, Treatment: rec.Treatment,
			Net: rec.Net, Tax: rec.Tax, Gross: rec.Gross}, Line: rec.LineNo, RefundID: rec.RefundID, RecordedAt: rec.RecordedAt})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
