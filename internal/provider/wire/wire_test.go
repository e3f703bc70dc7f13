package wire

import (
	"testing"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
)

func TestNormalize(t *testing.T) {
	c := Config{AccountHolder: " Beispiel Shop GmbH ", BankName: "Commerzbank", IBAN: "de89 3704 0044 0532 0130 00", BIC: "cobadeffxxx"}
	if err := c.Normalize(checkout.ModeLive); err != nil {
		t.Fatal(err)
	}
	if c.IBAN != "DE89370400440532013000" || c.BIC != "COBADEFFXXX" || c.WindowDays != 14 || len(c.Currencies) != 1 ||
		c.Currencies[0] != "EUR" || c.Mode != checkout.ModeLive || c.AccountHolder != "Beispiel Shop GmbH" {
		t.Errorf("normalized = %+v", c)
	}
	gb := Config{AccountHolder: "Shop Ltd", BankName: "NatWest", IBAN: "GB29NWBK60161331926819", BIC: "NWBKGB2L", WindowDays: 7}
	if err := gb.Normalize(checkout.ModeTest); err != nil || gb.Currencies[0] != "GBP" || gb.WindowDays != 7 {
		t.Errorf("GB account = %+v, %v", gb, err)
	}
	for field, cfg := range map[string]Config{
		"config.accountHolder":     {BankName: "B", IBAN: "DE89370400440532013000", BIC: "COBADEFF"},
		"config.bankName":          {AccountHolder: "A", IBAN: "DE89370400440532013000", BIC: "COBADEFF"},
		"config.iban":              {AccountHolder: "A", BankName: "B", IBAN: "DE88370400440532013000", BIC: "COBADEFF"},
		"config.bic":               {AccountHolder: "A", BankName: "B", IBAN: "DE89370400440532013000", BIC: "COBADEF"},
		"config.paymentWindowDays": {AccountHolder: "A", BankName: "B", IBAN: "DE89370400440532013000", BIC: "COBADEFF", WindowDays: 91},
		"config.currencies":        {AccountHolder: "A", BankName: "B", IBAN: "DE89370400440532013000", BIC: "COBADEFF", Currencies: []string{"EURO"}},
	} {
		err := cfg.Normalize(checkout.ModeTest)
		if e, ok := errs.As(err); !ok || e.Field != field {
			t.Errorf("want an error at %s, got %v", field, err)
		}
	}
}
