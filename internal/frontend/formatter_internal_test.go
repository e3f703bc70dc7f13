package frontend

import (
	"fmt"
	"testing"

	"github.com/pgw/pgw/internal/money"
)

// Any client may send any language tag: the cache stays bounded, and tags
// that differ only in extensions share one formatter.
func TestFormatterCacheBounded(t *testing.T) {
	f := &Frontend{}
	if f.formatter("de-DE-u-nu-latn") != f.formatter("de-DE-x-whatever") {
		t.Fatal("extensions made another formatter")
	}
	for i := range 5000 {
		f.formatter(fmt.Sprintf("en-x-a%07d", i))
		f.formatter(fmt.Sprintf("x%d", i)) // not a tag
	}
	regions := []string{"DE", "AT", "CH", "FR", "US", "GB", "JP", "EG", "IN", "BR", "MX", "ES", "IT", "NL", "SE", "DK"}
	for _, base := range []string{"de", "en", "fr", "ar", "es", "pt", "it", "nl", "ja", "zh", "hi", "sv", "da", "fi", "pl", "cs", "tr", "ru", "uk", "ko",
		"el", "he", "th", "hu", "ro", "bg", "hr", "sk", "sl", "et", "lv", "lt", "fa", "bn", "mr", "ne", "ur", "ta", "te", "ml"} {
		for _, r := range regions {
			f.formatter(base + "-" + r)
		}
	}
	n := 0
	f.formatters.Range(func(any, any) bool { n++; return true })
	if n > maxFormatters || f.cached.Load() != int64(n) {
		t.Fatalf("%d formatters cached, counted %d", n, f.cached.Load())
	}
	// Past the bound a formatter is still made, just not kept.
	if got := f.formatter("ar-EG").Format(4900, money.Currency{Code: "EUR", Exponent: 2}); got == "" {
		t.Fatal("no formatter past the bound")
	}
}
