package buyerapi

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/tax"
	"github.com/pgw/pgw/internal/taxes"
)

// taxLineView is one line of a quote.
type taxLineView struct {
	Name      string        `json:"name"`
	Country   string        `json:"country"`
	Rate      string        `json:"rate"`
	Treatment tax.Treatment `json:"treatment"`
	Net       int64         `json:"net"`
	Tax       int64         `json:"tax"`
	Gross     int64         `json:"gross"`
}

// taxGroupView is the tax of one country, rate and treatment.
type taxGroupView struct {
	Country   string        `json:"country"`
	Rate      string        `json:"rate"`
	Treatment tax.Treatment `json:"treatment"`
	Net       int64         `json:"net"`
	Tax       int64         `json:"tax"`
}

// quoteView is what the page shows before the buyer pays.
type quoteView struct {
	Currency       string         `json:"currency"`
	Lines          []taxLineView  `json:"lines"`
	TaxBreakdown   []taxGroupView `json:"taxBreakdown"`
	AmountSubtotal int64          `json:"amountSubtotal"`
	AmountTax      int64          `json:"amountTax"`
	AmountTotal    int64          `json:"amountTotal"`
	B2B            bool           `json:"b2b"`
	Notes          []string       `json:"notes"`
	Evidence       taxes.Evidence `json:"evidence"`
}

func viewQuote(c *checkout.Checkout, q *taxes.Quote) quoteView {
	d := q.Decision
	v := quoteView{Currency: c.Currency, AmountSubtotal: d.Subtotal, AmountTax: d.Tax, AmountTotal: d.Total, B2B: d.B2B,
		Notes: append([]string{}, d.Notes...), Evidence: q.Evidence, Lines: []taxLineView{}, TaxBreakdown: []taxGroupView{}}
	for i, l := range d.Lines {
		v.Lines = append(v.Lines, taxLineView{Name: c.Items[i].Label(), Country: l.Country, Rate: string(l.Rate), Treatment: l.Treatment,
			Net: l.Net, Tax: l.Tax, Gross: l.Gross})
	}
	for _, g := range d.Groups {
		v.TaxBreakdown = append(v.TaxBreakdown, taxGroupView{Country: g.Country, Rate: string(g.Rate), Treatment: g.Treatment, Net: g.Net, Tax: g.Tax})
	}
	return v
}

// taxPreview answers what the buyer would pay with the details given:
// POST /api/v1/checkouts/{sessionPublicId}/tax-preview with
// {billingAddress, shippingAddress, vatId}. Nothing is stored.
func (a *API) taxPreview(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		httpx.WriteError(w, r, http.StatusRequestEntityTooLarge, "payload_too_large", "request body is too large")
		return
	}
	var req struct {
		BillingAddress  *checkout.Address `json:"billingAddress"`
		ShippingAddress *checkout.Address `json:"shippingAddress"`
		VATID           string            `json:"vatId"`
	}
	if err := httpx.CheckJSON(body, httpx.JSONLimits{MaxArray: 0, MaxDepth: 4}); err != nil || json.Unmarshal(body, &req) != nil {
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_json", "send {billingAddress, shippingAddress, vatId} as JSON")
		return
	}
	c, err := a.store.GetCheckoutByPublicID(r.Context(), r.PathValue("sessionPublicId"))
	if httpx.Fail(w, r, a.log, err, "checkout") {
		return
	}
	billing, err := checkout.CheckAddress("billingAddress", req.BillingAddress)
	var shipping *checkout.Address
	if err == nil {
		shipping, err = checkout.CheckAddress("shippingAddress", req.ShippingAddress)
	}
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	if billing == nil {
		billing = c.BillingAddress
	}
	if shipping == nil {
		shipping = c.ShippingAddress
	}
	q, err := a.taxes.Quote(r.Context(), c, taxes.Buyer{Billing: billing, Shipping: shipping, VATID: req.VATID})
	if httpx.Fail(w, r, a.log, err, "") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewQuote(c, q))
}
