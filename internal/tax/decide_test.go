package tax

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

// merchantRates are a merchant's own rates, for places the data lacks.
type merchantRates map[string]Rate

func (m merchantRates) Rate(country, region string, _ Category, _ time.Time) (Rate, bool) {
	r, ok := m[country+"/"+region]
	return r, ok
}

func TestDecide(t *testing.T) {
	table, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	rates := Chain{merchantRates{"US/CA": "7.25"}, table}
	deOSS := Settings{SellerCountry: "DE", OSSRegistered: true}
	deNoOSS := Settings{SellerCountry: "DE"}
	deReg := Settings{SellerCountry: "DE", OSSRegistered: true, Registrations: []string{"GB", "CH", "NO"}}
	small := Settings{SellerCountry: "DE", SmallBusinessExemption: true}
	gb := Settings{SellerCountry: "GB"}
	gbOSS := Settings{SellerCountry: "GB", OSSRegistered: true}
	us := Settings{SellerCountry: "DE", Registrations: []string{"US"}}
	b := func(country string) Buyer { return Buyer{BillingCountry: country} }
	vat := func(country string) Buyer {
		return Buyer{BillingCountry: country, VATID: country + "123456789", VATIDConfirmed: true}
	}
	ship := func(billing, shipping string) Buyer { return Buyer{BillingCountry: billing, ShippingCountry: shipping} }
	gross := func(a int64, typ string) Item { return Item{Amount: a, ItemType: typ} }
	net := func(a int64, typ string) Item { return Item{Amount: a, Net: true, ItemType: typ} }
	cat := func(it Item, c Category) Item { it.Category = c; return it }
	for _, tc := range []struct {
		name      string
		s         Settings
		b         Buyer
		at        string
		items     []Item
		treatment Treatment
		country   string
		rate      Rate
		tax       int64
		total     int64
		err       string
	}{
		{"OSS: FR consumer pays FR VAT, gross kept", deOSS, b("FR"), "", []Item{gross(12000, "digital_service")}, TreatStandard, "FR", "20", 2000, 12000, ""},
		{"OSS: FR net price gets FR VAT added", deOSS, b("FR"), "", []Item{net(10000, "digital_service")}, TreatStandard, "FR", "20", 2000, 12000, ""},
		{"no OSS: FR consumer pays the seller's rate", deNoOSS, b("FR"), "", []Item{gross(11900, "digital_service")}, TreatStandard, "DE", "19", 1900, 11900, ""},
		{"intra-EU B2B: reverse charge, gross kept", deOSS, vat("FR"), "", []Item{gross(12000, "digital_service")}, TreatReverseCharge, "FR", "0", 0, 12000, ""},
		{"domestic B2B is domestic", deOSS, vat("DE"), "", []Item{gross(11900, "digital_service")}, TreatStandard, "DE", "19", 1900, 11900, ""},
		{"unconfirmed VAT ID is a consumer", deOSS, Buyer{BillingCountry: "FR", VATID: "FR123"}, "", []Item{net(10000, "digital_service")}, TreatStandard, "FR", "20", 2000, 12000, ""},
		{"services outside the EU: out of scope", deOSS, b("US"), "", []Item{net(10000, "digital_service")}, TreatOutOfScope, "US", "0", 0, 10000, ""},
		{"goods outside the EU: export", deOSS, b("US"), "", []Item{net(10000, "goods")}, TreatExport, "US", "0", 0, 10000, ""},
		{"goods shipped outside the EU: export", deOSS, ship("FR", "US"), "", []Item{net(10000, "goods")}, TreatExport, "US", "0", 0, 10000, ""},
		{"goods shipped into FR: FR VAT", deOSS, ship("US", "FR"), "", []Item{net(10000, "goods")}, TreatStandard, "FR", "20", 2000, 12000, ""},
		{"shipping follows the goods", deOSS, ship("US", "FR"), "", []Item{net(1000, "shipping")}, TreatStandard, "FR", "20", 200, 1200, ""},
		{"services follow the billing country", deOSS, ship("FR", "US"), "", []Item{net(10000, "digital_service")}, TreatStandard, "FR", "20", 2000, 12000, ""},
		{"GB registration: GB VAT", deReg, b("GB"), "", []Item{gross(12000, "digital_service")}, TreatStandard, "GB", "20", 2000, 12000, ""},
		{"CH registration, 2026: 8.1 %", deReg, b("CH"), "2026-06-01", []Item{net(10000, "digital_service")}, TreatStandard, "CH", "8.1", 810, 10810, ""},
		{"CH registration, 2023: 7.7 %", deReg, b("CH"), "2023-06-01", []Item{net(10000, "digital_service")}, TreatStandard, "CH", "7.7", 770, 10770, ""},
		{"NO registration: 25 %", deReg, b("NO"), "", []Item{net(10000, "digital_service")}, TreatStandard, "NO", "25", 2500, 12500, ""},
		{"GB without registration: out of scope", deOSS, b("GB"), "", []Item{net(10000, "digital_service")}, TreatOutOfScope, "GB", "0", 0, 10000, ""},
		{"GB goods without registration: export", deOSS, b("GB"), "", []Item{net(10000, "goods")}, TreatExport, "GB", "0", 0, 10000, ""},
		{"FI the day before 25.5 %", deOSS, b("FI"), "2024-08-31", []Item{net(10000, "digital_service")}, TreatStandard, "FI", "24", 2400, 12400, ""},
		{"FI from 2024-09-01", deOSS, b("FI"), "2024-09-01", []Item{net(10000, "digital_service")}, TreatStandard, "FI", "25.5", 2550, 12550, ""},
		{"EE before 2025-07-01", deOSS, b("EE"), "2025-06-30", []Item{net(10000, "digital_service")}, TreatStandard, "EE", "22", 2200, 12200, ""},
		{"EE from 2025-07-01", deOSS, b("EE"), "2025-07-01", []Item{net(10000, "digital_service")}, TreatStandard, "EE", "24", 2400, 12400, ""},
		{"RO before 2025-08-01", deOSS, b("RO"), "2025-07-31", []Item{net(10000, "digital_service")}, TreatStandard, "RO", "19", 1900, 11900, ""},
		{"RO from 2025-08-01", deOSS, b("RO"), "2025-08-01", []Item{net(10000, "digital_service")}, TreatStandard, "RO", "21", 2100, 12100, ""},
		{"RO reduced from 2025-08-01", deOSS, b("RO"), "2025-08-01", []Item{cat(net(10000, "goods"), Reduced)}, TreatStandard, "RO", "11", 1100, 11100, ""},
		{"RO reduced before", deOSS, b("RO"), "2025-07-31", []Item{cat(net(10000, "goods"), Reduced)}, TreatStandard, "RO", "5", 500, 10500, ""},
		{"FR reduced", deOSS, b("FR"), "", []Item{cat(net(10000, "goods"), Reduced)}, TreatStandard, "FR", "5.5", 550, 10550, ""},
		{"FR super-reduced", deOSS, b("FR"), "", []Item{cat(net(10000, "goods"), SuperReduced)}, TreatStandard, "FR", "2.1", 210, 10210, ""},
		{"DK has no reduced rate: standard", deOSS, b("DK"), "", []Item{cat(net(10000, "goods"), Reduced)}, TreatStandard, "DK", "25", 2500, 12500, ""},
		{"DE has no super-reduced rate: reduced", deOSS, b("DE"), "", []Item{cat(net(10000, "goods"), SuperReduced)}, TreatStandard, "DE", "7", 700, 10700, ""},
		{"zero-rated item", deOSS, b("FR"), "", []Item{cat(net(10000, "goods"), Zero)}, TreatStandard, "FR", "0", 0, 10000, ""},
		{"exempt item", deOSS, b("FR"), "", []Item{cat(gross(10000, "goods"), Exempt)}, TreatExempt, "FR", "0", 0, 10000, ""},
		{"small business: exempt", small, b("FR"), "", []Item{net(10000, "digital_service")}, TreatExempt, "FR", "0", 0, 10000, ""},
		{"no country", deOSS, Buyer{}, "", []Item{net(100, "digital_service")}, "", "", "", 0, 0, "tax_country_required"},
		{"registered where the data has no rate", us, b("US"), "", []Item{net(100, "digital_service")}, "", "", "", 0, 0, "tax_rate_missing"},
		{"the merchant's own rate for a region", us, Buyer{BillingCountry: "US", BillingRegion: "CA"}, "", []Item{net(10000, "digital_service")}, TreatStandard, "US", "7.25", 725, 10725, ""},
		{"GB seller to an FR consumer: out of scope", gb, b("FR"), "", []Item{net(10000, "digital_service")}, TreatOutOfScope, "FR", "0", 0, 10000, ""},
		{"GB seller at home", gb, b("GB"), "", []Item{gross(12000, "digital_service")}, TreatStandard, "GB", "20", 2000, 12000, ""},
		{"GB seller in the non-Union OSS", gbOSS, b("FR"), "", []Item{net(10000, "digital_service")}, TreatStandard, "FR", "20", 2000, 12000, ""},
		{"half a unit rounds up", deOSS, b("FR"), "", []Item{gross(3, "digital_service")}, TreatStandard, "FR", "20", 1, 3, ""},
		{"under half a unit rounds down", deOSS, b("FR"), "", []Item{gross(1, "digital_service")}, TreatStandard, "FR", "20", 0, 1, ""},
		{"a discount rounds away from zero", deOSS, b("FR"), "", []Item{gross(-3, "digital_service")}, TreatStandard, "FR", "20", -1, -3, ""},
		{"JPY-size gross", deOSS, b("FR"), "", []Item{gross(1000, "digital_service")}, TreatStandard, "FR", "20", 167, 1000, ""},
		{"KWD-size net", deOSS, b("FR"), "", []Item{net(1234, "digital_service")}, TreatStandard, "FR", "20", 247, 1481, ""},
		{"B2B outside the EU is not a reverse charge", deOSS, vat("US"), "", []Item{net(10000, "digital_service")}, TreatOutOfScope, "US", "0", 0, 10000, ""},
		{"DE in the 2020 cut", deOSS, b("DE"), "2020-08-01", []Item{net(10000, "digital_service")}, TreatStandard, "DE", "16", 1600, 11600, ""},
		{"LU in 2023", deOSS, b("LU"), "2023-05-01", []Item{net(10000, "digital_service")}, TreatStandard, "LU", "16", 1600, 11600, ""},
		{"IE late 2020", deOSS, b("IE"), "2020-10-01", []Item{net(10000, "digital_service")}, TreatStandard, "IE", "21", 2100, 12100, ""},
		{"Canary Islands goods: export", deOSS, Buyer{BillingCountry: "ES", BillingPostcode: "35001"}, "", []Item{net(10000, "goods")}, TreatExport, "ES", "0", 0, 10000, ""},
		{"Canary Islands services: out of scope", deOSS, Buyer{BillingCountry: "ES", BillingPostcode: "38 001"}, "", []Item{net(10000, "digital_service")}, TreatOutOfScope, "ES", "0", 0, 10000, ""},
		{"mainland Spain: ES VAT", deOSS, Buyer{BillingCountry: "ES", BillingPostcode: "28013"}, "", []Item{net(10000, "digital_service")}, TreatStandard, "ES", "21", 2100, 12100, ""},
		{"Heligoland from a DE seller: out of scope", deOSS, Buyer{BillingCountry: "DE", BillingPostcode: "27498"}, "", []Item{net(10000, "digital_service")}, TreatOutOfScope, "DE", "0", 0, 10000, ""},
		{"Réunion goods shipped: export", deOSS, Buyer{BillingCountry: "FR", ShippingCountry: "FR", ShippingPostcode: "97400"}, "", []Item{net(10000, "goods")}, TreatExport, "FR", "0", 0, 10000, ""},
		{"unknown category", deOSS, b("FR"), "", []Item{cat(net(100, "goods"), "luxury")}, "", "", "", 0, 0, "validation_error"},
		{"the shop's own tax line: nothing added", deOSS, b("FR"), "", []Item{gross(1000, "goods"), gross(200, "tax")}, TreatShopComputed, "", "0", 0, 1200, ""},
		{"line rounding: three thirds round down", deOSS, b("FR"), "", []Item{gross(1, "digital_service"), gross(1, "digital_service"), gross(1, "digital_service")}, TreatStandard, "FR", "20", 0, 3, ""},
		{"total rounding: the three thirds make a unit", Settings{SellerCountry: "DE", OSSRegistered: true, Rounding: RoundTotal}, b("FR"), "",
			[]Item{gross(1, "digital_service"), gross(1, "digital_service"), gross(1, "digital_service")}, TreatStandard, "FR", "20", 1, 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			if tc.at != "" {
				at, _ = time.Parse(time.DateOnly, tc.at)
			}
			d, err := Decide(tc.s, tc.b, tc.items, at, rates)
			if tc.err != "" {
				if e, ok := errs.As(err); !ok || e.Code != tc.err {
					t.Fatalf("got %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := d.Lines[0]
			if l.Treatment != tc.treatment || l.Country != tc.country || l.Rate != tc.rate || d.Tax != tc.tax || d.Total != tc.total {
				t.Fatalf("got %s %s %s%% tax %d total %d, want %s %s %s%% tax %d total %d",
					l.Treatment, l.Country, l.Rate, d.Tax, d.Total, tc.treatment, tc.country, tc.rate, tc.tax, tc.total)
			}
			if d.Subtotal+d.Tax != d.Total {
				t.Fatalf("subtotal %d + tax %d != total %d", d.Subtotal, d.Tax, d.Total)
			}
			if n := Notes[l.Treatment]; n != "" && (len(d.Notes) == 0 || d.Notes[0] != n) {
				t.Fatalf("notes %v", d.Notes)
			}
		})
	}
}

// Random carts in currencies of 0, 2 and 3 decimals, both roundings, gross
// and net lines, discounts: nets plus taxes are always the total, a gross
// line's price never changes, and refunds in up to three parts return
// exactly each line's money and tax, no unit lost or invented.
func TestDecideNeverLosesAUnit(t *testing.T) {
	table, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	countries := []string{"FR", "DE", "FI", "RO", "LU", "IE", "HU", "GB", "CH", "US"}
	cats := []Category{Standard, Reduced, SuperReduced, Zero, Exempt}
	types := []string{"goods", "shipping", "digital_service", "service"}
	scales := map[string]int64{"JPY": 1, "EUR": 100, "KWD": 1000}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for n := range 10000 {
		cur := []string{"JPY", "EUR", "KWD"}[n%3]
		s := Settings{SellerCountry: "DE", OSSRegistered: rng.IntN(2) == 0, Registrations: []string{"GB", "CH"},
			Rounding: []Rounding{RoundLine, RoundTotal}[rng.IntN(2)]}
		b := Buyer{BillingCountry: countries[rng.IntN(len(countries))], ShippingCountry: countries[rng.IntN(len(countries))]}
		var items []Item
		var grossIn int64
		for range 1 + rng.IntN(8) {
			it := Item{Amount: rng.Int64N(500*scales[cur]) + 1, Net: rng.IntN(2) == 0,
				Category: cats[rng.IntN(len(cats))], ItemType: types[rng.IntN(len(types))]}
			if rng.IntN(8) == 0 {
				it.Amount = -it.Amount / 4 // a discount
			}
			if !it.Net {
				grossIn += it.Amount
			}
			items = append(items, it)
		}
		d, err := Decide(s, b, items, at, table)
		if err != nil {
			t.Fatalf("cart %d: %v", n, err)
		}
		var grossOut, nets, taxes int64
		for i, l := range d.Lines {
			if l.Net+l.Tax != l.Gross {
				t.Fatalf("cart %d line %d: %+v", n, i, l)
			}
			if !items[i].Net {
				grossOut += l.Gross
			}
			nets += l.Net
			taxes += l.Tax
		}
		if grossOut != grossIn || nets != d.Subtotal || taxes != d.Tax || d.Subtotal+d.Tax != d.Total {
			t.Fatalf("cart %d (%s): %+v", n, cur, d)
		}
		if d.Total <= 0 {
			continue
		}
		// Refund everything in up to three parts.
		left := d.Lines
		var refunded int64
		parts := 1 + rng.IntN(3)
		for p := range parts {
			if refunded == d.Total {
				break
			}
			amount := d.Total - refunded
			if p < parts-1 {
				amount = rng.Int64N(d.Total-refunded) + 1
			}
			got, err := Refund(left, amount)
			if err != nil {
				t.Fatalf("cart %d refund %d of %d: %v", n, amount, d.Total-refunded, err)
			}
			var sum int64
			for _, l := range got {
				if l.Net+l.Tax != l.Gross {
					t.Fatalf("cart %d refund part %+v", n, l)
				}
				sum += l.Gross
			}
			if sum != amount {
				t.Fatalf("cart %d: refund parts sum to %d, want %d", n, sum, amount)
			}
			left = Sub(left, got)
			refunded += amount
		}
		for i, l := range left {
			if l.Gross != 0 || l.Net != 0 || l.Tax != 0 {
				t.Fatalf("cart %d: line %d not fully refunded: %+v", n, i, l)
			}
		}
	}
}

func TestEmbeddedRates(t *testing.T) {
	table, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(table.Countries()); got != 30 {
		t.Fatalf("%d countries, want the 27 member states, GB, CH and NO", got)
	}
	for _, c := range EU {
		if _, ok := table.Rate(c, "", Standard, time.Now()); !ok {
			t.Errorf("no rate for %s", c)
		}
	}
	if table.Retrieved == "" || len(table.Sources) == 0 {
		t.Error("the data does not name its sources and date")
	}
	if _, ok := table.Rate("NL", "", Standard, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("a date before the data begins found a rate")
	}
}
