package checkout

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func settings() Settings {
	return Settings{
		OrganizationID: "org_1", SiteID: "site_1", Mode: ModeTest, Source: SourceAPI,
		DefaultExpiry: 24 * time.Hour, MaxAmount: 100_000_000,
	}
}

func parse(t *testing.T, body string) *CreateRequest {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var req CreateRequest
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return &req
}

func TestBuildValid(t *testing.T) {
	// The request the WooCommerce plugin sends: PHP floats for amounts, empty
	// address fields, the placeholder in the return URL, custom item types.
	body := `{"amount":4900.0,"currency":"eur","email":"buyer@example.com","externalReference":"1234",
		"returnUrl":"https://shop.example/checkout/order-received/1234/?key=wc_order_x&tx={transactionId}",
		"cancelUrl":"https://shop.example/cart/?cancel_order=true&tx={transactionId}",
		"ipnUrl":"https://shop.example/?wc-api=wc_payment_gateway_app",
		"billingAddress":{"firstName":"Ana","lastName":"Ruiz","address1":"Calle 1","address2":"","city":"Madrid","postcode":"28001","country":"es","phone":""},
		"shippingAddress":{"firstName":"","lastName":"","address1":"","address2":"","city":"","postcode":"","country":""},
		"items":[{"description":"T-shirt","quantity":2,"unitPrice":1500.0,"itemType":"physical","vatRate":19},
		         {"description":"Shipping","quantity":1,"unitPrice":2400,"itemType":"shipping"},
		         {"description":"Coupon","quantity":1,"unitPrice":-500.0,"itemType":"discount"}],
		"metadata":{"cart":"abc","attempt":2,"gift":true},"locale":"de-de","unknownField":{"x":1}}`
	c, err := Build(parse(t, body), settings(), now)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if c.Amount != 4900 || c.Currency != "EUR" || c.Status != StatusOpen || c.Mode != ModeTest {
		t.Fatalf("got amount %d %s status %s mode %s", c.Amount, c.Currency, c.Status, c.Mode)
	}
	if !strings.Contains(c.ReturnURL, "{transactionId}") || !strings.Contains(c.CancelURL, "{transactionId}") {
		t.Fatalf("placeholder lost: %q %q", c.ReturnURL, c.CancelURL)
	}
	if c.BillingAddress == nil || c.BillingAddress.Country != "ES" || c.ShippingAddress != nil {
		t.Fatalf("addresses: %+v %+v", c.BillingAddress, c.ShippingAddress)
	}
	if len(c.Items) != 3 || c.Items[0].VATRate != "19" || c.Items[2].UnitPrice != -500 || c.Items[0].Label() != "T-shirt" {
		t.Fatalf("items: %+v", c.Items)
	}
	if c.Metadata["attempt"] != "2" || c.Metadata["gift"] != "true" || c.Locale != "de-DE" {
		t.Fatalf("metadata %v locale %q", c.Metadata, c.Locale)
	}
	if !c.ExpiresAt.Equal(now.Add(24 * time.Hour)) {
		t.Fatalf("expiresAt %v", c.ExpiresAt)
	}
	if len(c.ShortCode) < 17 || len(c.SessionPublicID) < 17 || c.ShortCode == c.SessionPublicID {
		t.Fatalf("public ids %q %q", c.ShortCode, c.SessionPublicID)
	}
}

func TestBuildDefaultItemAndExpiry(t *testing.T) {
	c, err := Build(parse(t, `{"amount":"1000","currency":"USD","invoiceNumber":"INV-1","expiresInMinutes":30}`), settings(), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 1 || c.Items[0].Name != "INV-1" || c.Items[0].UnitPrice != 1000 || c.Items[0].Quantity != 1 {
		t.Fatalf("default item %+v", c.Items)
	}
	if !c.ExpiresAt.Equal(now.Add(30 * time.Minute)) {
		t.Fatalf("expiresAt %v", c.ExpiresAt)
	}
	c, err = Build(parse(t, `{"amount":1000,"currency":"USD","externalReference":42,"expiresAt":"2026-11-22T12:00:00+01:00"}`), settings(), now)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExternalReference != "42" || !c.ExpiresAt.Equal(time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)) {
		t.Fatalf("reference %q expiresAt %v", c.ExternalReference, c.ExpiresAt)
	}
}

func TestBuildAmountUnits(t *testing.T) {
	s := settings()
	s.AmountsInCents = true
	// The plugins send JPY 7,376 as 737600.
	c, err := Build(parse(t, `{"amount":737600.0,"currency":"JPY","externalReference":"o1","items":[{"description":"Tea","quantity":2,"unitPrice":368800}]}`), s, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Amount != 7376 || c.Items[0].UnitPrice != 3688 {
		t.Fatalf("JPY in cents: amount %d unit %d", c.Amount, c.Items[0].UnitPrice)
	}
	c, err = Build(parse(t, `{"amount":1234,"currency":"KWD","externalReference":"o1"}`), s, now)
	if err != nil || c.Amount != 12340 {
		t.Fatalf("KWD in cents: %v %v", c, err)
	}
	_, err = Build(parse(t, `{"amount":737650,"currency":"JPY","externalReference":"o1"}`), s, now)
	assertCode(t, err, CodeValidation, "amount")
	// The same JPY amount on a minor-units site is 737,600 yen.
	c, err = Build(parse(t, `{"amount":737600,"currency":"JPY","externalReference":"o1"}`), settings(), now)
	if err != nil || c.Amount != 737600 {
		t.Fatalf("JPY minor: %v %v", c, err)
	}
}

func assertCode(t *testing.T, err error, code, field string) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("want *Error with code %s on %s, got %v", code, field, err)
	}
	if e.Code != code || !strings.HasPrefix(e.Field, field) {
		t.Fatalf("got code %s field %s (%s), want %s on %s", e.Code, e.Field, e.Message, code, field)
	}
}

func TestBuildInvalid(t *testing.T) {
	long := strings.Repeat("x", 201)
	manyItems := `[` + strings.Repeat(`{"name":"a","unitPrice":1},`, 100) + `{"name":"a","unitPrice":1}]`
	manyKeys := "{"
	for i := range 51 {
		manyKeys += `"k` + strings.Repeat("0", 3) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `":"v",`
	}
	manyKeys = strings.TrimSuffix(manyKeys, ",") + "}"
	tests := []struct {
		name, body, code, field string
	}{
		{"no currency", `{"amount":100,"externalReference":"a"}`, CodeValidation, "currency"},
		{"unknown currency", `{"amount":100,"currency":"EUX","externalReference":"a"}`, CodeValidation, "currency"},
		{"no amount", `{"currency":"EUR","externalReference":"a"}`, CodeValidation, "amount"},
		{"zero amount", `{"amount":0,"currency":"EUR","externalReference":"a"}`, CodeValidation, "amount"},
		{"negative amount", `{"amount":-5,"currency":"EUR","externalReference":"a"}`, CodeValidation, "amount"},
		{"fractional amount", `{"amount":49.5,"currency":"EUR","externalReference":"a"}`, CodeValidation, "amount"},
		{"amount over max", `{"amount":100000001,"currency":"EUR","externalReference":"a"}`, CodeValidation, "amount"},
		{"huge amount", `{"amount":1e40,"currency":"EUR","externalReference":"a"}`, CodeValidation, "amount"},
		{"no reference", `{"amount":100,"currency":"EUR"}`, CodeValidation, "externalReference"},
		{"long reference", `{"amount":100,"currency":"EUR","externalReference":"` + long + `"}`, CodeValidation, "externalReference"},
		{"control chars", `{"amount":100,"currency":"EUR","externalReference":"a\u0000b"}`, CodeValidation, "externalReference"},
		{"bad email", `{"amount":100,"currency":"EUR","externalReference":"a","email":"not-an-email"}`, CodeValidation, "email"},
		{"relative url", `{"amount":100,"currency":"EUR","externalReference":"a","returnUrl":"/thanks"}`, CodeValidation, "returnUrl"},
		{"javascript url", `{"amount":100,"currency":"EUR","externalReference":"a","cancelUrl":"javascript:alert(1)"}`, CodeValidation, "cancelUrl"},
		{"ftp ipn", `{"amount":100,"currency":"EUR","externalReference":"a","ipnUrl":"ftp://x.example/ipn"}`, CodeValidation, "ipnUrl"},
		{"mismatch", `{"amount":1000,"currency":"EUR","externalReference":"a","items":[{"name":"x","quantity":3,"unitPrice":300}]}`, CodeAmountMismatch, "items"},
		{"item without name", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"quantity":1,"unitPrice":100}]}`, CodeValidation, "items[0].name"},
		{"quantity zero", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"name":"x","quantity":0,"unitPrice":100}]}`, CodeValidation, "items[0].quantity"},
		{"quantity too big", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"name":"x","quantity":10001,"unitPrice":100}]}`, CodeValidation, "items[0].quantity"},
		{"no unit price", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"name":"x","quantity":1}]}`, CodeValidation, "items[0].unitPrice"},
		{"fractional unit price", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"name":"x","unitPrice":99.5}]}`, CodeValidation, "items[0].unitPrice"},
		{"overflowing items", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"name":"x","quantity":10000,"unitPrice":9223372036854775}]}`, CodeValidation, "items[0].unitPrice"},
		{"bad amountType", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"name":"x","unitPrice":100,"amountType":"both"}]}`, CodeValidation, "items[0].amountType"},
		{"bad vatRate", `{"amount":100,"currency":"EUR","externalReference":"a","items":[{"name":"x","unitPrice":100,"vatRate":101}]}`, CodeValidation, "items[0].vatRate"},
		{"too many items", `{"amount":101,"currency":"EUR","externalReference":"a","items":` + manyItems + `}`, CodeValidation, "items"},
		{"too many metadata keys", `{"amount":100,"currency":"EUR","externalReference":"a","metadata":` + manyKeys + `}`, CodeValidation, "metadata"},
		{"long metadata key", `{"amount":100,"currency":"EUR","externalReference":"a","metadata":{"` + strings.Repeat("k", 41) + `":"v"}}`, CodeValidation, "metadata"},
		{"long metadata value", `{"amount":100,"currency":"EUR","externalReference":"a","metadata":{"k":"` + strings.Repeat("v", 501) + `"}}`, CodeValidation, "metadata"},
		{"nested metadata", `{"amount":100,"currency":"EUR","externalReference":"a","metadata":{"k":{"a":1}}}`, CodeValidation, "metadata"},
		{"bad locale", `{"amount":100,"currency":"EUR","externalReference":"a","locale":"xx-!!"}`, CodeValidation, "locale"},
		{"expiry too short", `{"amount":100,"currency":"EUR","externalReference":"a","expiresInMinutes":4}`, CodeValidation, "expiresInMinutes"},
		{"expiry too long", `{"amount":100,"currency":"EUR","externalReference":"a","expiresInMinutes":129601}`, CodeValidation, "expiresInMinutes"},
		{"expiry in past", `{"amount":100,"currency":"EUR","externalReference":"a","expiresAt":"2026-11-20T00:00:00Z"}`, CodeValidation, "expiresAt"},
		{"both expiries", `{"amount":100,"currency":"EUR","externalReference":"a","expiresAt":"2026-11-22T00:00:00Z","expiresInMinutes":60}`, CodeValidation, "expiresAt"},
		{"bad country", `{"amount":100,"currency":"EUR","externalReference":"a","billingAddress":{"country":"Germany"}}`, CodeValidation, "billingAddress.country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Build(parse(t, tt.body), settings(), now)
			if c != nil {
				t.Fatalf("accepted: %+v", c)
			}
			assertCode(t, err, tt.code, tt.field)
		})
	}
}

func TestMismatchMessageForPlugins(t *testing.T) {
	_, err := Build(parse(t, `{"amount":1000,"currency":"EUR","externalReference":"a","items":[{"name":"x","unitPrice":999}]}`), settings(), now)
	if err == nil || !strings.Contains(err.Error(), "sum of item amounts") || !strings.Contains(err.Error(), "does not match total amount") {
		t.Fatalf("message %v", err)
	}
}
