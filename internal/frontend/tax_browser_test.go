package frontend_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tax"
	"github.com/pgw/pgw/internal/vies/viestest"
)

// A buyer chooses France and sees 20 % VAT in the total, pays it; another
// enters a VAT ID that VIES confirms, sees the reverse charge, pays without
// VAT. The transactions' frozen tax and the OSS report agree.
func TestBrowserTaxByCountryAndVATID(t *testing.T) {
	ctx := browser(t)
	fake := viestest.New()
	defer fake.Close()
	sh := newShop(t, func(c *config.Config) { c.Tax.VIESURL, c.Tax.VIESTimeout = fake.URL, 2*time.Second })
	bg := context.Background()
	org := sh.r.Organization.ID
	storetest.Must(t, sh.s.PutTaxConfig(bg, org, tax.Config{Enabled: true, VIESCheck: tax.VIESOnline,
		Settings: tax.Settings{SellerCountry: "DE", SellerVATID: "DE123456789", OSSRegistered: true, Rounding: tax.RoundLine}}), "settings")
	body := `{"amount":12000,"currency":"EUR","externalReference":"%s","returnUrl":"` + sh.merchant + `/return?tx={transactionId}",
		"items":[{"name":"Online course","unitPrice":12000,"itemType":"digital_service"}]}`
	text := func() string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		storetest.Must(t, err, "page text")
		return s
	}
	update := func(country, vat string) {
		t.Helper()
		js := `document.getElementById("tax-country").value = "` + country + `"; document.getElementById("tax-vat").value = "` + vat + `"; true`
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		storetest.Must(t, err, "choose %s", country)
		storetest.Must(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("update-total"))), "update total")
		// Wait for the page of these details, not the one before it.
		want := "vat_id=" + vat
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			at, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState + location.search + "&"`))
			if err == nil && strings.HasPrefix(at, "complete") && strings.Contains(at, "country="+country) && strings.Contains(at, want+"&") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the page of %s did not load: %s %v", want, at, err)
			}
		}
		storetest.Must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("card-form"))), "card form")
		if !strings.Contains(text(), "France") {
			t.Fatal("the page lost the country")
		}
	}
	paid := func() string {
		t.Helper()
		storetest.Must(t, chromedp.Do(ctx, fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("merchant-return"))), "pay")
		for {
			select {
			case q := <-sh.returns:
				// The browser may also ask the shop for its icon.
				if v, _ := url.ParseQuery(q); v.Get("tx") != "" {
					return v.Get("tx")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the merchant's return URL was not reached")
			}
		}
	}

	co := sh.create(strings.Replace(body, "%s", "b2c", 1))
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string)), chromedp.WaitVisible(chromedp.ID("tax-form"))), "open")
	if !strings.Contains(text(), "choose it to see the total") {
		t.Fatal("the page does not ask for the country")
	}
	update("FR", "")
	if page := text(); !strings.Contains(page, "VAT 20% (FR)") || !strings.Contains(page, "20.00") {
		t.Fatalf("France shows no 20 %% VAT:\n%s", page)
	}
	txB2C := paid()
	// The receipt shows the tax the payment was charged.
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string)), chromedp.WaitReady(chromedp.CSS("body"))), "receipt")
	if page := text(); !strings.Contains(page, "VAT 20% (FR)") {
		t.Fatalf("the receipt does not show the tax charged:\n%s", page)
	}
	frozen, _, err := sh.s.TransactionTaxOf(bg, txB2C)
	if err != nil || frozen == nil || frozen.Tax != 2000 || frozen.Total != 12000 {
		t.Fatalf("B2C frozen tax %+v %v", frozen, err)
	}

	co = sh.create(strings.Replace(body, "%s", "b2b", 1))
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string)), chromedp.WaitVisible(chromedp.ID("tax-form"))), "open")
	update("FR", "FR40303265040")
	if page := text(); !strings.Contains(page, "Reverse charge") || !strings.Contains(page, "reverse charge (FR)") {
		t.Fatalf("a confirmed VAT ID shows no reverse charge:\n%s", page)
	}
	txB2B := paid()
	frozen, _, err = sh.s.TransactionTaxOf(bg, txB2B)
	if err != nil || frozen == nil || frozen.Tax != 0 || frozen.Total != 12000 || !strings.Contains(frozen.Evidence, "vies_valid") {
		t.Fatalf("B2B frozen tax %+v %v", frozen, err)
	}

	// The OSS report holds the consumer's sale only, as the ledger has it.
	now := time.Now().UTC()
	from := time.Date(now.Year(), time.Month(3*((int(now.Month())-1)/3)+1), 1, 0, 0, 0, 0, time.UTC)
	rows, err := sh.s.TaxReport(bg, store.TaxReportFilter{OrganizationID: org, From: from, To: from.AddDate(0, 3, 0),
		Treatments: []tax.Treatment{tax.TreatStandard}, ExcludeCountry: "DE"})
	if err != nil || len(rows) != 1 || rows[0].Country != "FR" || rows[0].Tax != 2000 || rows[0].Net != 10000 {
		t.Fatalf("OSS rows %+v %v", rows, err)
	}
}

// With JavaScript the totals follow the buyer's choice without a reload, and
// the payment takes the country chosen.
func TestBrowserTaxUpdatesLive(t *testing.T) {
	ctx := browser(t)
	sh := newShop(t)
	bg := context.Background()
	storetest.Must(t, sh.s.PutTaxConfig(bg, sh.r.Organization.ID, tax.Config{Enabled: true, VIESCheck: tax.VIESFormat,
		Settings: tax.Settings{SellerCountry: "DE", OSSRegistered: true, Rounding: tax.RoundLine}}), "settings")
	co := sh.create(`{"amount":10000,"currency":"EUR","externalReference":"live","returnUrl":"` + sh.merchant + `/return?tx={transactionId}",
		"items":[{"name":"Course","unitPrice":10000,"amountType":"net","itemType":"digital_service"}]}`)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(co["paymentUrl"].(string)), chromedp.WaitVisible(chromedp.ID("tax-form"))), "open")
	choose := `window.__same = true; const s = document.getElementById("tax-country"); s.value = "FR"; s.dispatchEvent(new Event("change", {bubbles: true})); true`
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](choose))
	storetest.Must(t, err, "choose FR")
	deadline := time.Now().Add(5 * time.Second)
	for {
		total, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("total").textContent + "|" + document.getElementById("pay").textContent + "|" + (window.__same === true)`))
		storetest.Must(t, err, "read total")
		if strings.Contains(total, "120.00|") && strings.Contains(total, "120.00|true") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the total did not follow the country in place: %s", total)
		}
		time.Sleep(50 * time.Millisecond)
	}
	storetest.Must(t, chromedp.Do(ctx, fillCard("4242 4242 4242 4242"), chromedp.WaitVisible(chromedp.ID("merchant-return"))), "pay")
	for {
		select {
		case q := <-sh.returns:
			v, _ := url.ParseQuery(q)
			if v.Get("tx") == "" {
				continue
			}
			frozen, _, err := sh.s.TransactionTaxOf(bg, v.Get("tx"))
			if err != nil || frozen == nil || frozen.Total != 12000 || !strings.Contains(frozen.Evidence, `"billingCountry":"FR"`) {
				t.Fatalf("paid %+v %v", frozen, err)
			}
			return
		case <-time.After(5 * time.Second):
			t.Fatal("the merchant's return URL was not reached")
		}
	}
}
