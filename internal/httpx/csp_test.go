package httpx

import "testing"

func TestCSP(t *testing.T) {
	got := StrictCSP().Add("script-src", "'nonce-abc'").Set("frame-ancestors", "https://a.example").Add("frame-src", "https://js.stripe.com").String()
	want := "default-src 'none'; script-src 'self' 'nonce-abc'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors https://a.example; frame-src https://js.stripe.com"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := StrictCSP().Del("connect-src").Del("nothing").String(); got != "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'" {
		t.Fatalf("after Del: %s", got)
	}
	base := StrictCSP()
	base.Add("form-action", "https://x.example")
	if StrictCSP().String() == base.String() {
		t.Fatal("a change leaked into StrictCSP")
	}
}
