package dashboard

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tax"
	views "github.com/pgw/pgw/templates/dashboard"
	"github.com/pgw/pgw/templates/hosted"
)

func (d *Dashboard) taxPage(w http.ResponseWriter, r *http.Request, s *signedIn) {
	cfg, err := d.store.TaxConfig(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	now := d.opts.Now().UTC()
	q := r.URL.Query()
	from, err := time.Parse(time.DateOnly, q.Get("from"))
	if err != nil {
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	to, err := time.Parse(time.DateOnly, q.Get("to"))
	if err != nil || to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		to = from.AddDate(0, 1, -1)
	}
	quarter := (int(now.Month())-1)/3 + 1
	qFrom := time.Date(now.Year(), time.Month(3*quarter-2), 1, 0, 0, 0, 0, time.UTC)
	v := views.TaxPage{Enabled: cfg.Enabled, OSS: cfg.OSSRegistered, Small: cfg.SmallBusinessExemption,
		SellerCountry: cfg.SellerCountry, SellerVATID: cfg.SellerVATID, Registrations: strings.Join(cfg.Registrations, " "),
		Rounding: options(map[string]string{"line": "", "total": ""}, string(cfg.Rounding)),
		VIES:     options(map[string]string{tax.VIESNone: "", tax.VIESFormat: "", tax.VIESOnline: ""}, cfg.VIESCheck),
		From:     from.Format(time.DateOnly), To: to.Format(time.DateOnly),
		Year: strconv.Itoa(now.Year()), Quarter: strconv.Itoa(quarter)}
	if t, err := tax.Embedded(); err == nil {
		v.Sources = "embedded, read " + t.Retrieved + "; " + strings.Join(t.Sources[:2], "; ")
	}
	rows, err := d.store.TaxReport(r.Context(), store.TaxReportFilter{OrganizationID: s.orgID, From: from, To: to.AddDate(0, 0, 1)})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v.ByCountry = reportViews(rows, false)
	oss, err := d.store.TaxReport(r.Context(), store.TaxReportFilter{OrganizationID: s.orgID, From: qFrom, To: qFrom.AddDate(0, 3, 0),
		Treatments: []tax.Treatment{tax.TreatStandard}, ExcludeCountry: cfg.SellerCountry})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v.OSSRows = reportViews(oss, true)
	d.render(w, r, http.StatusOK, views.Tax(d.frame(s, "tax", "Tax"), v))
}

func reportViews(rows []store.TaxReportRow, euOnly bool) []views.TaxReportRow {
	var out []views.TaxReportRow
	for _, r := range rows {
		if euOnly && !tax.InEU(r.Country) {
			continue
		}
		out = append(out, views.TaxReportRow{Country: r.Country, Rate: string(r.Rate), Treatment: strings.ReplaceAll(string(r.Treatment), "_", " "),
			Currency: r.Currency, Taxable: amount(r.Net, r.Currency), Tax: amount(r.Tax, r.Currency)})
	}
	return out
}

// paidTax shows the tax a checkout's payment was charged under the tax
// engine, in place of the taxes its lines' vatRate include.
func (d *Dashboard) paidTax(ctx context.Context, c *checkout.Checkout, v *views.CheckoutDetail) error {
	for _, t := range c.Transactions {
		if !t.Paid() && t.Status != checkout.TxChargeback {
			continue
		}
		tt, _, err := d.store.TransactionTaxOf(ctx, t.ID)
		if err != nil || tt == nil {
			return err
		}
		lines, err := tt.DecodedLines()
		if err != nil {
			return err
		}
		v.Totals.Total, v.Totals.Taxes = amount(tt.Total, c.Currency), nil
		dec := tax.Decision{Lines: lines}
		for _, g := range dec.Summed().Groups {
			v.Totals.Taxes = append(v.Totals.Taxes, hosted.TaxLine{Label: g.Label(), Amount: amount(g.Tax, c.Currency)})
		}
	}
	return nil
}

func (d *Dashboard) saveTax(w http.ResponseWriter, r *http.Request, s *signedIn) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		d.back(w, r, s, "/dashboard/tax", "", "The form could not be read.")
		return
	}
	f := r.PostForm
	c := tax.Config{Enabled: f.Get("enabled") == "1", VIESCheck: f.Get("vies"), UpdatedAt: d.opts.Now(), Settings: tax.Settings{
		SellerCountry: f.Get("seller_country"), SellerVATID: f.Get("seller_vat_id"), OSSRegistered: f.Get("oss") == "1",
		Registrations: strings.Fields(f.Get("registrations")), SmallBusinessExemption: f.Get("small") == "1",
		Rounding: tax.Rounding(f.Get("rounding"))}}
	err := c.Check()
	if e, ok := errs.As(err); ok {
		d.back(w, r, s, "/dashboard/tax", "", "Not saved: "+e.Message+".")
		return
	}
	if err := d.store.PutTaxConfig(r.Context(), s.orgID, c); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("tax settings changed from the dashboard", "user", s.user.ID, "enabled", c.Enabled)
	d.back(w, r, s, "/dashboard/tax", "Saved.", "")
}
