package buyerapi_test

import (
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

func TestBuyerBankTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		cfg := wire.Config{AccountHolder: "Shop GmbH", BankName: "Commerzbank", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}
		storetest.Must(t, cfg.Normalize(checkout.ModeTest), "config")
		p := &tenant.Provider{ID: ids.New("prov"), OrganizationID: e.r.Organization.ID, SiteID: e.r.Site.ID, Type: tenant.ProviderWire,
			Name: "Bank transfer", Config: cfg.JSON(), Enabled: true, CreatedAt: store.TimeNow()}
		storetest.Must(t, s.CreateProvider(ctx, p), "provider")
		c := e.checkout(`{"amount":1230,"currency":"EUR","externalReference":"bt-1"}`, checkout.ModeTest)
		body := `{"sessionPublicId":"` + c.SessionPublicID + `","providerId":"` + p.ID + `","attemptKey":"k1"}`
		status, _, v, raw := e.do("POST", "/api/v1/transactions/create", body, "Origin", frontend)
		if status != 200 || v["status"] != float64(0) || v["statusName"] != "pending_provider" {
			t.Fatalf("start: %d %s", status, raw)
		}
		bt := v["bankTransfer"].(map[string]any)
		ref := bt["reference"].(string)
		if _, err := bank.ParseReference(ref); err != nil || bt["iban"] != "DE89370400440532013000" || bt["amountDue"] != float64(1230) {
			t.Fatalf("instructions %s", raw)
		}
		if want := "BCD\n002\n1\nSCT\nCOBADEFFXXX\nShop GmbH\nDE89370400440532013000\nEUR12.3\n\n" + ref; bt["epcPayload"] != want {
			t.Fatalf("EPC payload %q; want %q", bt["epcPayload"], want)
		}
		// The card cannot pay now.
		if status, _, raw := e.pay(c, "4242424242424242", ""); status != 409 || !strings.Contains(raw, "bank_transfer_pending") {
			t.Fatalf("card during a transfer: %d %s", status, raw)
		}
	})
}
