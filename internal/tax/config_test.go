package tax

import (
	"testing"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		c     Config
		field string
	}{
		{Config{}, ""},
		{Config{Enabled: true, Settings: Settings{SellerCountry: "de"}}, ""},
		{Config{Enabled: true}, "sellerCountry"},
		{Config{Settings: Settings{SellerCountry: "Germany"}}, "sellerCountry"},
		{Config{Settings: Settings{SellerCountry: "DE", SellerVATID: "DE 123 456 789"}}, ""},
		{Config{Settings: Settings{SellerCountry: "DE", SellerVATID: "FR40303265045"}}, "sellerVatId"},
		{Config{Settings: Settings{Registrations: []string{"gb", "GB", "ch"}}}, ""},
		{Config{Settings: Settings{Registrations: []string{"United Kingdom"}}}, "registrations"},
		{Config{Settings: Settings{Rounding: "bankers"}}, "rounding"},
		{Config{VIESCheck: "always"}, "viesCheck"},
	} {
		err := tc.c.Check()
		e, _ := errs.As(err)
		if (tc.field == "") != (err == nil) || (e != nil && e.Field != tc.field) {
			t.Errorf("%+v: %v, want %q", tc.c, err, tc.field)
		}
	}
	c := Config{Settings: Settings{Registrations: []string{"gb", "GB", "ch"}}}
	if err := c.Check(); err != nil || len(c.Registrations) != 2 || c.Registrations[0] != "CH" || c.Rounding != RoundLine || c.VIESCheck != VIESFormat {
		t.Fatalf("normalized %+v %v", c, err)
	}
}

func TestMerchantRates(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	ms := MerchantRates{
		{Country: "US", Region: "CA", Category: Standard, Rate: "7.25", EffectiveFrom: day("2020-01-01")},
		{Country: "US", Region: "CA", Category: Standard, Rate: "7.5", EffectiveFrom: day("2027-01-01")},
		{Country: "US", Category: Standard, Rate: "5", EffectiveFrom: day("2020-01-01")},
		{Country: "CA", Region: "QC", Category: Reduced, Rate: "5", EffectiveFrom: day("2020-01-01")},
		{Country: "CA", Region: "QC", Category: Standard, Rate: "14.975", EffectiveFrom: day("2020-01-01")},
	}
	for _, tc := range []struct {
		country, region string
		c               Category
		at, want        string
	}{
		{"US", "CA", Standard, "2026-06-01", "7.25"},
		{"us", "ca", Standard, "2027-01-01", "7.5"},
		{"US", "NY", Standard, "2026-06-01", "5"},
		{"US", "CA", Standard, "2019-12-31", ""},
		{"CA", "QC", Reduced, "2026-06-01", "5"},
		{"CA", "QC", SuperReduced, "2026-06-01", "14.975"},
		{"MX", "", Standard, "2026-06-01", ""},
	} {
		got, ok := ms.Rate(tc.country, tc.region, tc.c, day(tc.at))
		if string(got) != tc.want || ok != (tc.want != "") {
			t.Errorf("%s/%s %s at %s: %q %v, want %q", tc.country, tc.region, tc.c, tc.at, got, ok, tc.want)
		}
	}
	for _, bad := range []MerchantRate{
		{Country: "USA", Rate: "5", EffectiveFrom: day("2020-01-01")},
		{Country: "US", Region: "C A", Rate: "5", EffectiveFrom: day("2020-01-01")},
		{Country: "US", Rate: "1e1", EffectiveFrom: day("2020-01-01")},
		{Country: "US", Rate: "101", EffectiveFrom: day("2020-01-01")},
		{Country: "US", Rate: "5"},
		{Country: "US", Rate: "5", Category: "luxury", EffectiveFrom: day("2020-01-01")},
	} {
		if err := bad.Check(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
