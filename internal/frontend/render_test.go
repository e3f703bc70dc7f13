package frontend

import (
	"context"
	"io"
	"testing"

	"github.com/pgw/pgw/static"
	"github.com/pgw/pgw/templates/hosted"
)

// BenchmarkRenderTemplate measures rendering alone (no database): the server
// time a page costs once its data is loaded.
func BenchmarkRenderTemplate(b *testing.B) {
	f := &Frontend{assets: static.New()}
	pc := pageCtx{nonce: "bm9uY2Vub25jZW5vbmNl", lang: "de-DE"}
	p := hosted.CheckoutPage{
		Head:  f.head(pc, "Pay Kaffee & Co"),
		Brand: hosted.Brand{SiteName: "Kaffee & Co", LogoURL: "https://cdn.example/logo.png"},
		Summary: hosted.Summary{Reference: "order-1042", Lines: []hosted.Line{
			{Label: "Hoodie", Quantity: 2, UnitPrice: "€ 50,00", Total: "€ 100,00", VATNote: "incl. 19% VAT"},
			{Label: "Versand", Quantity: 1, UnitPrice: "€ 19,00", Total: "€ 19,00", VATNote: "incl. 19% VAT"},
		}, Totals: hosted.Totals{Subtotal: "€ 100,00", Taxes: []hosted.TaxLine{{Label: "VAT 19%", Amount: "€ 19,00"}}, Total: "€ 119,00"}},
		ExpiresAt: hosted.When{Text: "22 Nov 2026, 10:00 UTC", ISO: "2026-11-22T10:00:00Z"}, TestMode: true, CancelURL: "https://shop.example/cart",
		Card: &hosted.CardForm{Action: "/checkout/x/pay", ProviderID: "prov_x", Attempt: "a", PayLabel: "Pay € 119,00"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := hosted.Checkout(p).Render(context.Background(), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
