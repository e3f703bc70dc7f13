package dashboard

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/money"
)

// Exports stream what a list's filters show, a page of exportPage rows at a
// time, at most maxExport rows.
const (
	exportPage = 500
	maxExport  = 100_000
)

// csvWriter starts a CSV answer: UTF-8 with a byte order mark, which
// spreadsheet apps need to read it as UTF-8.
func csvWriter(w http.ResponseWriter, name string, header ...string) *csv.Writer {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+"-"+time.Now().UTC().Format("20060102")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	w.Write([]byte("\ufeff")) //nolint:errcheck // a client that went away gets nothing more
	cw := csv.NewWriter(w)
	cw.Write(header) //nolint:errcheck // as above
	return cw
}

// cell keeps a text a spreadsheet app would run as a formula as text.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// decimal writes minor units of a currency as its decimal number (12.50).
func decimal(minor int64, code string) string {
	cur, err := money.ParseCurrency(code)
	if err != nil {
		return ""
	}
	return money.Format(minor, cur)
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (d *Dashboard) exportCheckouts(w http.ResponseWriter, r *http.Request, s *signedIn) {
	f, problem := checkoutFilter(r, s)
	if problem != "" {
		http.Error(w, problem, http.StatusBadRequest)
		return
	}
	_, names, err := d.siteOptions(r, s, "", "")
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	cw := csvWriter(w, "checkouts", "id", "reference", "invoice", "email", "site", "mode", "status", "amount", "currency",
		"created_at", "expires_at", "closed_at")
	now := d.opts.Now()
	f.Limit = exportPage
	for f.Page = 1; (f.Page-1)*exportPage < maxExport; f.Page++ {
		list, _, err := d.store.ListCheckouts(r.Context(), f)
		if err != nil {
			d.log.Error("exporting checkouts", "err", err)
			return // the answer has begun: a short file is all that can be said
		}
		for _, c := range list {
			cw.Write([]string{c.ID, cell(c.ExternalReference), cell(c.InvoiceNumber), cell(c.Email), cell(names[c.SiteID]), //nolint:errcheck // see Flush
				string(c.Mode), string(c.EffectiveStatus(now)), decimal(c.Amount, c.Currency), c.Currency,
				csvTime(c.CreatedAt), csvTime(c.ExpiresAt), csvTime(c.ClosedAt)})
		}
		cw.Flush()
		if len(list) < exportPage || cw.Error() != nil {
			return
		}
	}
}

func (d *Dashboard) exportTransactions(w http.ResponseWriter, r *http.Request, s *signedIn) {
	f, _, problem := txFilter(r, s)
	if problem != "" {
		http.Error(w, problem, http.StatusBadRequest)
		return
	}
	names, err := d.store.ProviderNames(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	cw := csvWriter(w, "transactions", "id", "checkout_id", "order", "provider", "status", "amount", "refunded", "currency",
		"card", "created_at")
	f.Limit = exportPage
	for f.Page = 1; (f.Page-1)*exportPage < maxExport; f.Page++ {
		list, _, err := d.store.ListTransactions(r.Context(), f)
		if err == nil {
			var refs map[string]string
			if refs, err = d.checkoutRefs(r, s, list); err == nil {
				for _, t := range list {
					card := ""
					if t.CardLast4 != "" {
						card = t.CardBrand + " " + t.CardLast4
					}
					cw.Write([]string{t.ID, t.CheckoutID, cell(refs[t.CheckoutID]), cell(names[t.ProviderID]), string(t.Status), //nolint:errcheck // see Flush
						decimal(t.Amount, t.Currency), decimal(t.RefundedAmount, t.Currency), t.Currency, card, csvTime(t.CreatedAt)})
				}
			}
		}
		if err != nil {
			d.log.Error("exporting transactions", "err", err)
			return
		}
		cw.Flush()
		if len(list) < exportPage || cw.Error() != nil {
			return
		}
	}
}
