package hosted

import (
	"context"
	"html"

	"github.com/a-h/templ"

	"github.com/pgw/pgw/internal/lang"
)

// t is the page language's message id, its placeholders filled from kv.
func t(ctx context.Context, id string, kv ...any) string { return lang.From(ctx).T(id, kv...) }

// tn is t for a message with plural forms.
func tn(ctx context.Context, id string, n int, kv ...any) string {
	return lang.From(ctx).N(id, n, kv...)
}

// rich is a message with some placeholders standing for markup (strong
// and when give it), so that the words around a marked value follow the
// language.
func rich(ctx context.Context, id string, marks map[string]string, kv ...any) templ.Component {
	return templ.Raw(lang.From(ctx).HTML(id, marks, kv...))
}

// strong is text in <strong>, with an id when one is given.
func strong(id, text string) string {
	if id == "" {
		return "<strong>" + html.EscapeString(text) + "</strong>"
	}
	return `<strong id="` + html.EscapeString(id) + `">` + html.EscapeString(text) + "</strong>"
}

// when is a time as the server wrote it, which the page's script rewrites
// in the buyer's time zone.
func when(w When) string {
	return `<time datetime="` + html.EscapeString(w.ISO) + `" data-local>` + html.EscapeString(w.Text) + "</time>"
}

// When is a moment: its text in the page's language, and RFC 3339 for the
// buyer's time zone.
type When struct {
	Text string
	ISO  string
}

// LangSwitch lets the buyer choose the page's language; it works without
// JavaScript (a GET form with ?lg=).
type LangSwitch struct {
	Action    string
	Current   string
	Languages []lang.Language
}
