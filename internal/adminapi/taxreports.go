package adminapi

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tax"
)

// reportRow is one row of a tax report.
type reportRow struct {
	Country   string        `json:"country"`
	Rate      tax.Rate      `json:"rate"`
	Treatment tax.Treatment `json:"treatment,omitempty"`
	Currency  string        `json:"currency"`
	Net       int64         `json:"taxableAmount"`
	Tax       int64         `json:"tax"`
	Gross     int64         `json:"gross"`
}

func reportRows(rs []store.TaxReportRow, keep func(store.TaxReportRow) bool) []reportRow {
	out := []reportRow{}
	for _, r := range rs {
		if keep == nil || keep(r) {
			out = append(out, reportRow{Country: r.Country, Rate: r.Rate, Treatment: r.Treatment, Currency: r.Currency, Net: r.Net, Tax: r.Tax, Gross: r.Gross})
		}
	}
	return out
}

// maxReportDays bounds a report's period.
const maxReportDays = 366

// byCountry sums the ledger per country, rate and treatment for
// startDate..endDate (inclusive, UTC), refunds netted; export writes CSV.
func (a *API) byCountry(export bool) handler {
	return func(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
		q := r.URL.Query()
		from, err1 := time.Parse(time.DateOnly, q.Get("startDate"))
		to, err2 := time.Parse(time.DateOnly, q.Get("endDate"))
		var err error
		switch {
		case err1 != nil || err2 != nil:
			err = errs.Refused("validation_error", "startDate", "startDate and endDate are required dates such as 2026-01-01")
		case to.Before(from) || to.Sub(from) > maxReportDays*24*time.Hour:
			err = errs.Refused("validation_error", "endDate", "endDate must be on or after startDate, at most 366 days later")
		}
		cur := q.Get("currency")
		if c, cerr := money.ParseCurrency(cur); cur != "" && cerr != nil && err == nil {
			err = errs.Refused("validation_error", "currency", "currency must be an ISO 4217 code")
		} else if cur != "" && cerr == nil {
			cur = c.Code
		}
		var rows []store.TaxReportRow
		if err == nil {
			rows, err = a.store.TaxReport(r.Context(), store.TaxReportFilter{OrganizationID: key.OrganizationID,
				From: from, To: to.AddDate(0, 0, 1), Currency: cur, SiteID: q.Get("siteId")})
		}
		if httpx.Fail(w, r, a.log, err, "") {
			return
		}
		out := reportRows(rows, nil)
		if export {
			writeReportCSV(w, "tax-by-country-"+from.Format(time.DateOnly)+"-"+to.Format(time.DateOnly)+".csv", out)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"startDate": from.Format(time.DateOnly), "endDate": to.Format(time.DateOnly), "data": out})
	}
}

// vatOSS is the One-Stop Shop return of a quarter: standard-rated sales to
// consumers in member states other than the seller's, per member state of
// consumption and rate, refunds netted.
func (a *API) vatOSS(export bool) handler {
	return func(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
		year, err1 := strconv.Atoi(r.URL.Query().Get("year"))
		quarter, err2 := strconv.Atoi(r.URL.Query().Get("quarter"))
		if err1 != nil || err2 != nil || year < 2021 || year > 9999 || quarter < 1 || quarter > 4 {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "quarter", "year (from 2021) and quarter (1 to 4) are required")
			return
		}
		cfg, err := a.store.TaxConfig(r.Context(), key.OrganizationID)
		if httpx.Fail(w, r, a.log, err, "") {
			return
		}
		from := time.Date(year, time.Month(3*quarter-2), 1, 0, 0, 0, 0, time.UTC)
		rows, err := a.store.TaxReport(r.Context(), store.TaxReportFilter{OrganizationID: key.OrganizationID, From: from, To: from.AddDate(0, 3, 0),
			Treatments: []tax.Treatment{tax.TreatStandard}, ExcludeCountry: cfg.SellerCountry})
		if httpx.Fail(w, r, a.log, err, "") {
			return
		}
		out := reportRows(rows, func(r store.TaxReportRow) bool { return tax.InEU(r.Country) })
		if export {
			writeReportCSV(w, "vat-oss-"+strconv.Itoa(year)+"-q"+strconv.Itoa(quarter)+".csv", out)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"year": year, "quarter": quarter, "sellerCountry": cfg.SellerCountry, "data": out})
	}
}

func writeReportCSV(w http.ResponseWriter, name string, rows []reportRow) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"country", "rate", "treatment", "currency", "taxable_amount_minor", "tax_minor", "gross_minor"}) //nolint:errcheck // the writer's error is Flush's
	for _, r := range rows {
		cw.Write([]string{r.Country, string(r.Rate), string(r.Treatment), r.Currency, //nolint:errcheck
			strconv.FormatInt(r.Net, 10), strconv.FormatInt(r.Tax, 10), strconv.FormatInt(r.Gross, 10)})
	}
	cw.Flush()
}
