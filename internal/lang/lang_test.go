package lang

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

func catalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCatalogues fails when a language lacks a message of the English
// catalogue, or leaves one in English.
func TestCatalogues(t *testing.T) {
	c := catalog(t)
	want := []string{"en", "ar", "cs", "da", "de", "es", "fi", "fr", "it", "ja", "nl", "pl", "pt", "sv", "zh-Hans"}
	var got []string
	for _, tag := range c.Tags() {
		got = append(got, tag.String())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") || strings.Join(Codes(), " ") != strings.Join(want, " ") {
		t.Fatalf("languages %v (codes %v); want %v", got, Codes(), want)
	}
	for in, want := range map[string]string{"": "", "de": "de", "de-at": "de-AT", "ar": "ar", "zh-Hans": "zh-Hans"} {
		if got, ok := Spoken(in); !ok || got != want {
			t.Errorf("Spoken(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"xx", "ko", "tlh", "not a tag", strings.Repeat("a", 40)} {
		if _, ok := Spoken(in); ok {
			t.Errorf("Spoken(%q) accepted", in)
		}
	}
	if len(c.ids) < 100 {
		t.Fatalf("the English catalogue has %d messages", len(c.ids))
	}
	en := c.Printer(language.English)
	for _, tag := range c.Tags()[1:] {
		if m := c.Missing(tag); len(m) > 0 {
			t.Errorf("%s lacks %v", tag, m)
		}
		p := c.Printer(tag)
		same := 0
		for _, id := range c.ids {
			if p.N(id, 2, "Site", "S", "Amount", "A") == en.N(id, 2, "Site", "S", "Amount", "A") {
				same++
			}
		}
		// A few words are the same everywhere (IBAN, BIC, CVC).
		if same > 8 {
			t.Errorf("%s says %d messages exactly as English does", tag, same)
		}
	}
}

func TestPlurals(t *testing.T) {
	c := catalog(t)
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "in 1 minute."},
		{"en", 5, "in 5 minutes."},
		{"de", 1, "in 1 Minute erneut"},
		{"pl", 2, "za 2 minuty."},
		{"pl", 5, "za 5 minut."},
		{"cs", 3, "za 3 minuty."},
		{"ar", 2, "دقيقتين"},
		{"ja", 3, "3 分後"},
	} {
		got := c.Printer(language.MustParse(tc.lang)).N("state.too_many", tc.n)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s %d: %q lacks %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestChoose(t *testing.T) {
	c := catalog(t)
	for _, tc := range []struct {
		wanted           []string
		accept, fallback string
		want             string
	}{
		{[]string{"de"}, "fr", "", "de"},
		{[]string{"de-AT"}, "", "", "de-AT"},
		{[]string{"", "fr"}, "ja", "", "fr"},
		{[]string{"xx"}, "ja,en;q=0.5", "", "ja"},
		{nil, "zh-CN,zh;q=0.9", "", "zh-Hans-CN"},
		{nil, "ko,ar;q=0.8", "", "ar"},
		{nil, "ko", "it", "it"},
		{nil, "", "", "en"},
		{nil, "!!!", "??", "en"},
		{[]string{"pt-BR"}, "", "", "pt-BR"},
	} {
		if got := c.Choose(tc.wanted, tc.accept, tc.fallback).String(); got != tc.want {
			t.Errorf("Choose(%v, %q, %q) = %s; want %s", tc.wanted, tc.accept, tc.fallback, got, tc.want)
		}
	}
}

func TestPrinter(t *testing.T) {
	c := catalog(t)
	ar := c.Printer(language.Arabic)
	if ar.Dir() != "rtl" || c.Printer(language.German).Dir() != "ltr" {
		t.Error("direction")
	}
	de := c.Printer(language.German)
	if got := de.T("card.pay", "Amount", "49,00 €"); got != "49,00 € zahlen" {
		t.Errorf("placeholder: %q", got)
	}
	got := de.HTML("receipt.thanks", map[string]string{"Amount": `<strong id="paid">49,00 €</strong>`}, "Site", "Kaffee & <Co>")
	if got != `Vielen Dank. Kaffee &amp; &lt;Co&gt; hat Ihre Zahlung über <strong id="paid">49,00 €</strong> erhalten.` {
		t.Errorf("HTML: %q", got)
	}
	if got := de.T("no.such.id"); got != "no.such.id" {
		t.Errorf("unknown id: %q", got)
	}
	var none *Printer
	if none.T("card.pay") != "card.pay" || From(context.Background()) != nil {
		t.Error("nil printer")
	}
	if From(With(context.Background(), de)) != de {
		t.Error("context")
	}
	names := map[string]string{}
	for _, l := range c.Languages() {
		names[l.Tag] = l.Name
	}
	if names["de"] != "Deutsch" || names["ja"] != "日本語" || names["ar"] != "العربية" {
		t.Errorf("self names %v", names)
	}
}
