package dashboard

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/store"
	views "github.com/pgw/pgw/templates/dashboard"
)

// ranges are the overview's periods: a number of days ending today (UTC).
var ranges = []struct {
	value, label string
	days         int
}{{"today", "Today", 1}, {"7d", "7 days", 7}, {"30d", "30 days", 30}, {"90d", "90 days", 90}}

// period is an overview's time span [from, to), in whole UTC days.
type period struct {
	from, to time.Time
}

func (p period) days() int        { return int(p.to.Sub(p.from) / (24 * time.Hour)) }
func (p period) previous() period { return period{from: p.from.Add(-p.to.Sub(p.from)), to: p.from} }
func (p period) label() string {
	last := p.to.Add(-24 * time.Hour)
	if p.days() == 1 {
		return p.from.Format("2 Jan 2006")
	}
	return p.from.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
}

// readPeriod reads ?range= (or a custom ?from= and ?to=, dates, to inclusive)
// into the period and the range's name; a bad one is an error to show.
func readPeriod(r *http.Request, now time.Time) (period, string, error) {
	q := r.URL.Query()
	today := now.UTC().Truncate(24 * time.Hour)
	name := q.Get("range")
	if name == "" && (q.Get("from") != "" || q.Get("to") != "") {
		name = "custom"
	}
	if name == "" {
		name = "30d"
	}
	for _, rg := range ranges {
		if rg.value == name {
			return period{from: today.AddDate(0, 0, 1-rg.days), to: today.AddDate(0, 0, 1)}, name, nil
		}
	}
	if name != "custom" {
		return period{}, "", fmt.Errorf("the range must be today, 7d, 30d, 90d or custom")
	}
	from, err1 := time.Parse(time.DateOnly, q.Get("from"))
	to, err2 := time.Parse(time.DateOnly, q.Get("to"))
	if err1 != nil || err2 != nil {
		return period{}, "", fmt.Errorf("a custom range needs from and to as dates (YYYY-MM-DD)")
	}
	p := period{from: from, to: to.AddDate(0, 0, 1)}
	if !p.from.Before(p.to) || p.days() > 366 {
		return period{}, "", fmt.Errorf("from must be on or before to, at most 366 days apart")
	}
	return p, name, nil
}

// overview is the dashboard's landing page: what the organization took over a
// period in one currency, against the period before, with charts, recent
// payments and what needs a person.
func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request, s *signedIn) {
	ctx := r.Context()
	q := r.URL.Query()
	v := views.OverviewPage{}
	p, rangeName, perr := readPeriod(r, d.opts.Now())
	mode := checkout.Mode(q.Get("mode"))
	if mode == "" {
		mode = checkout.ModeLive
		if live, err := d.store.HasTransactions(ctx, s.orgID, checkout.ModeLive); err != nil {
			d.fail(w, r, s, err)
			return
		} else if !live {
			mode = checkout.ModeTest
		}
	}
	if mode != checkout.ModeLive && mode != checkout.ModeTest {
		perr = fmt.Errorf("the mode must be live or test")
	}
	if perr != nil {
		f := d.frameError(s, "overview", "Overview", perr.Error()+".")
		d.render(w, r, http.StatusBadRequest, views.Overview(f, v))
		return
	}
	currencies, err := d.store.Currencies(ctx, s.orgID, mode)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	cur := strings.ToUpper(q.Get("currency"))
	if cur == "" {
		cur = "EUR"
		if len(currencies) > 0 {
			cur = currencies[0]
		}
	}
	code, err := money.ParseCurrency(cur)
	if err != nil {
		f := d.frameError(s, "overview", "Overview", "The currency must be an ISO 4217 code.")
		d.render(w, r, http.StatusBadRequest, views.Overview(f, v))
		return
	}
	filter := func(p period) store.OverviewFilter {
		return store.OverviewFilter{OrganizationID: s.orgID, Mode: mode, Currency: cur, From: p.from, To: p.to}
	}
	now, err := d.store.Overview(ctx, filter(p))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	before, err := d.store.Overview(ctx, filter(p.previous()))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	conv, err := d.store.Conversion(ctx, filter(p))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	convBefore, err := d.store.Conversion(ctx, filter(p.previous()))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	days, err := d.store.Daily(ctx, filter(p))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	attention, err := d.store.NeedsAttention(ctx, s.orgID, mode, d.opts.Now())
	if err != nil {
		d.fail(w, r, s, err)
		return
	}

	v.Period, v.PreviousPeriod, v.Currency, v.Mode = p.label(), p.previous().label(), cur, string(mode)
	for _, rg := range ranges {
		v.Ranges = append(v.Ranges, views.Option{Value: rg.value, Label: rg.label, Selected: rg.value == rangeName})
	}
	if rangeName == "custom" {
		v.From, v.To = p.from.Format(time.DateOnly), p.to.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if !slices.Contains(currencies, cur) {
		currencies = append(currencies, cur)
	}
	for _, c := range currencies {
		v.Currencies = append(v.Currencies, views.Option{Value: c, Label: c, Selected: c == cur})
	}
	for _, m := range []checkout.Mode{checkout.ModeLive, checkout.ModeTest} {
		v.Modes = append(v.Modes, views.Option{Value: string(m), Label: string(m), Selected: m == mode})
	}
	money := func(n int64) string { return fm.Format(n, code) }
	v.Stats = []views.Stat{
		stat("Gross volume", money(now.GrossVolume), money(before.GrossVolume), float64(now.GrossVolume), float64(before.GrossVolume), true),
		stat("Net of refunds", money(now.NetRevenue), money(before.NetRevenue), float64(now.NetRevenue), float64(before.NetRevenue), true),
		stat("Successful payments", strconv.Itoa(now.Paid()), strconv.Itoa(before.Paid()), float64(now.Paid()), float64(before.Paid()), true),
		stat("Failed payments", strconv.Itoa(now.Counts[checkout.TxFailed]), strconv.Itoa(before.Counts[checkout.TxFailed]),
			float64(now.Counts[checkout.TxFailed]), float64(before.Counts[checkout.TxFailed]), false),
		stat("Conversion", percent(conv.Completed, conv.Created), percent(convBefore.Completed, convBefore.Created),
			ratio(conv.Completed, conv.Created), ratio(convBefore.Completed, convBefore.Created), true),
		stat("Failure ratio", percent(now.Counts[checkout.TxFailed], now.Settled()), percent(before.Counts[checkout.TxFailed], before.Settled()),
			now.FailureRatio(), before.FailureRatio(), false),
	}
	v.Stats[4].Detail = fmt.Sprintf("%d of %d checkouts paid", conv.Completed, conv.Created)
	v.Volume, v.Payments = charts(p, days, money)
	names, err := d.store.ProviderNames(ctx, s.orgID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	refs, err := d.checkoutRefs(r, s, now.Recent)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, t := range now.Recent {
		row := views.TxRow{Reference: refs[t.CheckoutID], ID: t.ID, CheckoutID: t.CheckoutID, Status: string(t.Status),
			Amount: amount(t.Amount, t.Currency), Provider: names[t.ProviderID], Created: when(t.CreatedAt)}
		if t.RefundedAmount > 0 {
			row.Refunded = amount(t.RefundedAmount, t.Currency)
		}
		v.Recent = append(v.Recent, row)
	}
	add := func(n int, one, many, href string) {
		if n > 0 {
			label := many
			if n == 1 {
				label = one
			}
			v.Attention = append(v.Attention, views.Attention{Count: n, Label: label, URL: href})
		}
	}
	add(attention.Transfers, "bank transfer with late, partial or extra money", "bank transfers with late, partial or extra money", "/dashboard/bank")
	add(attention.Disputes, "open dispute", "open disputes", "/dashboard/transactions?status=chargeback")
	add(attention.FailedDeliveries, "notification failing or given up", "notifications failing or given up", "/dashboard/checkouts")
	f := d.frame(s, "overview", "Overview")
	d.render(w, r, http.StatusOK, views.Overview(f, v))
}

func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

func percent(n, of int) string {
	if of == 0 {
		return "–"
	}
	return strconv.FormatFloat(100*float64(n)/float64(of), 'f', 1, 64) + " %"
}

// stat is one figure against the period before; up says whether more is
// better, which decides the change's colour.
func stat(label, value, prev string, now, before float64, up bool) views.Stat {
	st := views.Stat{Label: label, Value: value, Previous: prev}
	switch {
	case before == 0 && now == 0:
		st.Change = "no change"
	case before == 0:
		st.Change, st.Good = "new", up
	default:
		delta := (now - before) / before * 100
		st.Change = strconv.FormatFloat(delta, 'f', 1, 64) + " %"
		if delta > 0 {
			st.Change = "+" + st.Change
		}
		st.Good = (delta >= 0) == up
	}
	return st
}
