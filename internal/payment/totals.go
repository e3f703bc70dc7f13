package payment

import (
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/tax"
)

// Totals splits a checkout's gross lines into net and included VAT, rounded
// per line so that the lines always add up to the total.
func Totals(c *checkout.Checkout) (tax.Summary, error) {
	lines := make([]tax.GrossLine, len(c.Items))
	for i, it := range c.Items {
		lines[i] = tax.GrossLine{Gross: it.LineTotal(), Rate: it.VATRate}
	}
	return tax.Summarize(lines)
}
