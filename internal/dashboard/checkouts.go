package dashboard

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	views "github.com/pgw/pgw/templates/dashboard"
	"github.com/pgw/pgw/templates/hosted"
)

// pageSize is the number of rows of a list page.
const pageSize = 25

var fm = money.NewFormatter("en")

// amount formats minor units of a currency for people ("€12.50").
func amount(minor int64, code string) string {
	cur, err := money.ParseCurrency(code)
	if err != nil {
		return strconv.FormatInt(minor, 10) + " " + code
	}
	return fm.Format(minor, cur)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// pageNumber reads ?page=, 1 when absent or bad.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 1<<20 {
		return 1
	}
	return n
}

// listProblem says what is wrong with a list's page and filters, "" when
// nothing: a page that is not a number from 1, a page past the last (known
// once the list is counted; total < 0 before), a status not in statuses.
func listProblem(r *http.Request, total int, status string, statuses []string) string {
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1<<20 {
			return "The page must be a whole number from 1."
		}
		if pages := max(1, int(math.Ceil(float64(total)/pageSize))); total >= 0 && n > pages {
			return fmt.Sprintf("There is no page %d: the list has %d.", n, pages)
		}
	}
	if status != "" && !slices.Contains(statuses, status) {
		return fmt.Sprintf("%q is not a status; choose one from the list.", status)
	}
	return ""
}

// pagerFor links the pages around page of total rows, keeping the other query parameters.
func pagerFor(r *http.Request, page, total int) views.Pager {
	pages := max(1, int(math.Ceil(float64(total)/pageSize)))
	p := views.Pager{Page: page, Pages: pages, Total: total}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// siteOptions lists the organization's sites, with "" (any) first when anyLabel is set.
func (d *Dashboard) siteOptions(r *http.Request, s *signedIn, selected, anyLabel string) ([]views.Option, map[string]string, error) {
	sites, err := d.store.ListSites(r.Context(), s.orgID)
	if err != nil {
		return nil, nil, err
	}
	var opts []views.Option
	if anyLabel != "" {
		opts = append(opts, views.Option{Value: "", Label: anyLabel, Selected: selected == ""})
	}
	names := map[string]string{}
	for _, site := range sites {
		names[site.ID] = site.DisplayName
		opts = append(opts, views.Option{Value: site.ID, Label: site.DisplayName, Selected: site.ID == selected})
	}
	return opts, names, nil
}

// checkoutStatuses are the statuses the checkout list filters on.
var checkoutStatuses = []checkout.Status{checkout.StatusOpen, checkout.StatusComplete, checkout.StatusExpired, checkout.StatusCanceled}

// checkoutFilter reads the checkout list's filters: q, status, site, from and
// to (dates, to inclusive), page; problem says what is wrong with them.
func checkoutFilter(r *http.Request, s *signedIn) (f store.CheckoutFilter, problem string) {
	q := r.URL.Query()
	f = store.CheckoutFilter{OrganizationID: s.orgID, SiteID: q.Get("site"), Status: checkout.Status(q.Get("status")),
		Search: q.Get("q"), Page: pageNumber(r), Limit: pageSize}
	if len(f.Search) > 200 {
		f.Search = f.Search[:200]
	}
	if isAmount(f.Search) {
		f.Amount, _ = money.ParseDecimal(f.Search, twoDecimals)
		f.Search = ""
	}
	problem = listProblem(r, -1, string(f.Status), texts(checkoutStatuses))
	if problem == "" {
		f.CreatedFrom, f.CreatedTo, problem = dateRange(r)
	}
	if problem != "" {
		f.Status = ""
	}
	return f, problem
}

// dateRange reads ?from= and ?to= (dates, UTC, to inclusive) as [from, to).
func dateRange(r *http.Request) (from, to time.Time, problem string) {
	q := r.URL.Query()
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return from, to, "The dates must be written YYYY-MM-DD."
			}
			*dst = t
		}
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, "From must be on or before To."
	}
	return from, to, ""
}

// exportURL is the list's CSV with the same filters.
func exportURL(r *http.Request, path string) string {
	q := r.URL.Query()
	q.Del("page")
	return path + "?" + q.Encode()
}

func (d *Dashboard) listCheckouts(w http.ResponseWriter, r *http.Request, s *signedIn) {
	f, problem := checkoutFilter(r, s)
	list, total, err := d.store.ListCheckouts(r.Context(), f)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	if problem == "" {
		problem = listProblem(r, total, "", nil)
	}
	sites, names, err := d.siteOptions(r, s, f.SiteID, "All sites")
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	q := r.URL.Query()
	v := views.CheckoutList{Sites: sites, Search: q.Get("q"), From: q.Get("from"), To: q.Get("to"), Pager: pagerFor(r, f.Page, total),
		ExportURL: exportURL(r, "/dashboard/checkouts/export.csv")}
	v.Statuses = append(v.Statuses, views.Option{Value: "", Label: "Any status", Selected: f.Status == ""})
	for _, st := range checkoutStatuses {
		v.Statuses = append(v.Statuses, views.Option{Value: string(st), Label: string(st), Selected: f.Status == st})
	}
	if problem != "" {
		v.Pager = pagerFor(r, 1, total)
		d.render(w, r, http.StatusBadRequest, views.Checkouts(d.frameError(s, "checkouts", "Checkouts", problem), v))
		return
	}
	now := d.opts.Now()
	for _, c := range list {
		v.Rows = append(v.Rows, views.CheckoutRow{
			ID: c.ID, Reference: c.Reference(), Email: c.Email, Site: names[c.SiteID], Amount: amount(c.Amount, c.Currency),
			Status: string(c.EffectiveStatus(now)), Created: when(c.CreatedAt), Mode: string(c.Mode),
		})
	}
	d.render(w, r, http.StatusOK, views.Checkouts(d.frame(s, "checkouts", "Checkouts"), v))
}

func (d *Dashboard) showCheckout(w http.ResponseWriter, r *http.Request, s *signedIn) {
	c, err := d.store.GetCheckout(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	site, err := d.store.SiteOf(r.Context(), s.orgID, c.SiteID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	deliveries, _, err := d.store.ListDeliveries(r.Context(), store.DeliveryFilter{OrganizationID: s.orgID, CheckoutID: c.ID, Page: 1, Limit: 100})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	provName, err := d.store.ProviderNames(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	now := d.opts.Now()
	status := c.EffectiveStatus(now)
	v := views.CheckoutDetail{
		ID: c.ID, Reference: c.Reference(), Invoice: c.InvoiceNumber, Email: c.Email, Site: site.DisplayName,
		Status: string(status), Mode: string(c.Mode), Currency: c.Currency, Created: when(c.CreatedAt), Expires: when(c.ExpiresAt),
		ExpiresLabel: "Expires", PaymentURL: c.PaymentURL(d.pages.Base(r.Context(), c.SiteID)), Open: status == checkout.StatusOpen,
	}
	switch status {
	case checkout.StatusExpired:
		v.ExpiresLabel = "Expired"
		if !c.ClosedAt.IsZero() && c.ClosedAt.Before(c.ExpiresAt) {
			v.Expires = when(c.ClosedAt) // expired early, by hand
		}
	case checkout.StatusComplete, checkout.StatusCanceled:
		v.ExpiresLabel = map[checkout.Status]string{checkout.StatusComplete: "Paid", checkout.StatusCanceled: "Canceled"}[status]
		v.Expires = when(c.ClosedAt)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Metadata)) {
		v.Metadata = append(v.Metadata, views.Option{Value: k, Label: c.Metadata[k]})
	}
	totals, err := payment.Totals(c)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	v.Totals.Total = amount(c.Amount, c.Currency)
	for _, t := range totals.Rates {
		v.Totals.Taxes = append(v.Totals.Taxes, hosted.TaxLine{Label: "incl. VAT " + t.Rate + "%", Amount: amount(t.Tax, c.Currency)})
	}
	if err := d.paidTax(r.Context(), c, &v); err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, it := range c.Items {
		v.Lines = append(v.Lines, hosted.Line{Label: it.Label(), Quantity: it.Quantity, Total: amount(it.LineTotal(), c.Currency)})
	}
	type event struct {
		at   time.Time
		what string
	}
	events := []event{{c.CreatedAt, "Created (" + string(c.Source) + ")"}}
	for i := range c.Transactions {
		t := &c.Transactions[i]
		v.Transactions = append(v.Transactions, txRow(t, provName[t.ProviderID]))
		events = append(events, event{t.CreatedAt, "Payment attempt " + t.ID + " with " + provName[t.ProviderID]})
		if t.UpdatedAt.After(t.CreatedAt) || t.Final() {
			events = append(events, event{t.UpdatedAt, "Payment attempt " + t.ID + " " + string(t.Status)})
		}
	}
	if !c.ClosedAt.IsZero() {
		events = append(events, event{c.ClosedAt, "Checkout " + string(c.Status)})
	} else if status == checkout.StatusExpired {
		events = append(events, event{c.ExpiresAt, "Checkout expired"})
	}
	for _, dl := range deliveries {
		v.Deliveries = append(v.Deliveries, deliveryRow(dl))
		if !dl.DeliveredAt.IsZero() {
			events = append(events, event{dl.DeliveredAt, "Notification delivered (" + dl.Sink + ")"})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	for _, e := range events {
		v.Timeline = append(v.Timeline, views.TimelineEntry{At: when(e.at), What: e.what})
	}
	if v.Transfers, err = d.transferRows(r.Context(), c); err != nil {
		d.fail(w, r, s, err)
		return
	}
	if v.Disputes, err = d.disputesOf(r.Context(), s.orgID, c); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.render(w, r, http.StatusOK, views.Checkout(d.frame(s, "checkouts", "Checkout "+c.Reference()), v))
}

func txRow(t *checkout.Transaction, provider string) views.TxRow {
	row := views.TxRow{
		ID: t.ID, CheckoutID: t.CheckoutID, Provider: provider, Amount: amount(t.Amount, t.Currency),
		Refunded: amount(t.RefundedAmount, t.Currency), Status: string(t.Status), Created: when(t.CreatedAt), Flag: t.Flag,
		Refundable: t.Refundable(), Failure: t.FailureMessage, Currency: t.Currency,
	}
	if t.CardLast4 != "" {
		row.Card = t.CardBrand + " •••• " + t.CardLast4
	}
	if cur, err := money.ParseCurrency(t.Currency); err == nil {
		row.Left = money.Format(t.Amount-t.RefundedAmount, cur)
	}
	return row
}

func deliveryRow(dl *store.Delivery) views.DeliveryRow {
	row := views.DeliveryRow{ID: dl.ID, Sink: dl.Sink, Target: dl.Target, Status: dl.Status,
		Attempts: strconv.Itoa(dl.Attempts), Created: when(dl.CreatedAt), Redeliverable: dl.Sink == "ipn" || dl.Sink == "webhook"}
	switch {
	case dl.Sink == notify.SinkIPN && dl.IPNVersion == tenant.IPNv2:
		row.Sink = "IPN v2 · " + notify.IPNDeliveryID(dl.ID) + " · event " + strconv.FormatInt(dl.EventVersion, 10)
	case dl.Sink == notify.SinkIPN && dl.IPNVersion == tenant.IPNv1:
		row.Sink = "IPN v1"
	}
	for _, a := range dl.AttemptLog {
		what := "HTTP " + strconv.Itoa(a.HTTPStatus)
		if a.HTTPStatus == 0 {
			what = a.Error
		}
		row.Log = append(row.Log, views.TimelineEntry{At: when(a.AttemptedAt), What: what + " in " + strconv.FormatInt(a.LatencyMS, 10) + " ms"})
	}
	switch {
	case dl.LastStatus != 0:
		row.LastResult = "HTTP " + strconv.Itoa(dl.LastStatus)
	case dl.LastError != "":
		row.LastResult = dl.LastError
	default:
		row.LastResult = "–"
	}
	return row
}

// closeCheckout expires or cancels an open checkout; a payment in flight wins
// or its open PaymentIntents are canceled.
func (d *Dashboard) closeCheckout(to checkout.Status) func(http.ResponseWriter, *http.Request, *signedIn) {
	verb := map[checkout.Status]string{checkout.StatusExpired: "expired", checkout.StatusCanceled: "canceled"}[to]
	return func(w http.ResponseWriter, r *http.Request, s *signedIn) {
		id := r.PathValue("id")
		c, err := d.checkouts.Close(r.Context(), s.orgID, id, to)
		if errors.Is(err, checkouts.ErrIntentsLeftOpen) {
			d.log.Warn("closing a checkout", "err", err, "checkout", c.ID)
			err = nil
		}
		if errors.Is(err, checkout.ErrNotOpen) {
			d.back(w, r, s, "/dashboard/checkouts/"+url.PathEscape(id), "", "Only an open checkout can be "+verb+".")
			return
		}
		if err != nil {
			d.fail(w, r, s, err)
			return
		}
		d.log.Info("checkout closed from the dashboard", "checkout", c.ID, "status", to, "user", s.user.ID)
		d.back(w, r, s, "/dashboard/checkouts/"+url.PathEscape(c.ID), "The checkout is "+verb+".", "")
	}
}

func (d *Dashboard) redeliver(w http.ResponseWriter, r *http.Request, s *signedIn) {
	dl, err := d.store.GetDelivery(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	back := "/dashboard/checkouts/" + url.PathEscape(dl.CheckoutID)
	_, err = d.store.Redeliver(r.Context(), s.orgID, dl.ID, d.opts.NotifyMaxAge)
	if errors.Is(err, store.ErrDeliveryInFlight) {
		d.back(w, r, s, back, "", "The notification is being sent right now; try again in a moment.")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.back(w, r, s, back, "The notification is queued again.", "")
}

// txStatuses are the statuses the transaction list filters on.
var txStatuses = []checkout.TxStatus{checkout.TxSucceeded, checkout.TxPendingProvider, checkout.TxFailed, checkout.TxCancelled,
	checkout.TxRefunded, checkout.TxChargeback}

// txFilter reads the transaction list's filters: q (a provider id, an
// amount such as 25.00, or the start of the order reference or email),
// status, from and to, page; problem says what is wrong with them.
func txFilter(r *http.Request, s *signedIn) (f store.TransactionFilter, search, problem string) {
	q := r.URL.Query()
	f = store.TransactionFilter{OrganizationID: s.orgID, Status: checkout.TxStatus(q.Get("status")), Page: pageNumber(r), Limit: pageSize}
	search = strings.TrimSpace(q.Get("q"))
	if len(search) > 200 {
		search = search[:200]
	}
	switch {
	case search == "":
	case strings.HasPrefix(search, "prov_"):
		f.ProviderID = search
	case isAmount(search):
		f.Amount, _ = money.ParseDecimal(search, twoDecimals)
	default:
		f.Search = search
	}
	problem = listProblem(r, -1, string(f.Status), texts(txStatuses))
	if problem == "" {
		f.From, f.To, problem = dateRange(r)
	}
	if problem != "" {
		f.Status = ""
	}
	return f, search, problem
}

// twoDecimals reads an amount searched for as most currencies write it.
var twoDecimals = money.Currency{Code: "XXX", Exponent: 2}

func isAmount(s string) bool {
	n, err := money.ParseDecimal(s, twoDecimals)
	return err == nil && n > 0
}

func (d *Dashboard) listTransactions(w http.ResponseWriter, r *http.Request, s *signedIn) {
	f, search, problem := txFilter(r, s)
	list, total, err := d.store.ListTransactions(r.Context(), f)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	if problem == "" {
		problem = listProblem(r, total, "", nil)
	}
	names, err := d.store.ProviderNames(r.Context(), s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	q := r.URL.Query()
	v := views.TxList{Pager: pagerFor(r, f.Page, total), Search: search, From: q.Get("from"), To: q.Get("to"),
		ExportURL: exportURL(r, "/dashboard/transactions/export.csv")}
	v.Statuses = append(v.Statuses, views.Option{Value: "", Label: "Any status", Selected: f.Status == ""})
	for _, st := range txStatuses {
		v.Statuses = append(v.Statuses, views.Option{Value: string(st), Label: string(st), Selected: f.Status == st})
	}
	if problem != "" {
		v.Pager = pagerFor(r, 1, total)
		d.render(w, r, http.StatusBadRequest, views.Transactions(d.frameError(s, "transactions", "Transactions", problem), v))
		return
	}
	refs, err := d.checkoutRefs(r, s, list)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, t := range list {
		row := txRow(t, names[t.ProviderID])
		row.Reference = refs[t.CheckoutID]
		v.Rows = append(v.Rows, row)
	}
	d.render(w, r, http.StatusOK, views.Transactions(d.frame(s, "transactions", "Transactions"), v))
}

func (d *Dashboard) checkoutRefs(r *http.Request, s *signedIn, list []*checkout.Transaction) (map[string]string, error) {
	ids := make([]string, 0, len(list))
	for _, t := range list {
		ids = append(ids, t.CheckoutID)
	}
	return d.store.CheckoutRefs(r.Context(), s.orgID, ids)
}

// refund gives back the amount entered (in major units) of a transaction.
func (d *Dashboard) refund(w http.ResponseWriter, r *http.Request, s *signedIn) {
	t, err := d.store.GetTransaction(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	// Back to the page the refund started from: its checkout's, or the list.
	back := "/dashboard/transactions"
	if b := r.PostFormValue("back"); b == "/dashboard/checkouts/"+t.CheckoutID {
		back = b
	} else if ref := r.Referer(); ref != "" {
		if u, err := url.Parse(ref); err == nil && u.Path == "/dashboard/checkouts/"+t.CheckoutID {
			back = u.Path
		}
	}
	cur, err := money.ParseCurrency(t.Currency)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	minor, err := money.ParseDecimal(r.PostFormValue("amount"), cur)
	if err != nil || minor <= 0 {
		d.back(w, r, s, back, "", "The refund amount must be a positive number of "+cur.Code+", such as 12.50.")
		return
	}
	rf, err := d.pay.Refund(r.Context(), s.orgID, t.ID, minor)
	switch {
	case errors.Is(err, store.ErrRefundTooMuch):
		d.back(w, r, s, back, "", "That is more than is left to refund ("+amount(t.Amount-t.RefundedAmount, t.Currency)+").")
	case errors.Is(err, store.ErrNotRefundable):
		d.back(w, r, s, back, "", "Only a succeeded payment can be refunded.")
	case errors.Is(err, payment.ErrProvider):
		d.back(w, r, s, back, "", "The payment provider refused the refund: "+err.Error())
	case err != nil:
		d.fail(w, r, s, err)
	default:
		d.log.Info("refund from the dashboard", "transaction", t.ID, "refund", rf.ID, "user", s.user.ID)
		d.back(w, r, s, back, fmt.Sprintf("Refunded %s of %s (%s).", amount(minor, t.Currency), amount(t.Amount, t.Currency), t.ID), "")
	}
}

// texts is a list of statuses as text.
func texts[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}
