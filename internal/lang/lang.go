// Package lang holds the words of the hosted pages and the buyer's emails in
// every language pgw speaks: message catalogues, one JSON file per language
// in locales/, read with github.com/nicksnyder/go-i18n/v2 (CLDR plural rules,
// one plain file per language that translators edit without tools), and the
// choice of a buyer's language.
package lang

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:embed locales/*.json
var files embed.FS

// Catalog is every language's messages.
type Catalog struct {
	bundle  *i18n.Bundle
	tags    []language.Tag
	matcher language.Matcher
	// ids are the English catalogue's message ids, which every other
	// catalogue must have.
	ids []string
}

// New reads the embedded catalogues. English is the source: it comes first
// and is what every other language falls back to.
func New() (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, tags: []language.Tag{language.English}}
	entries, err := fs.ReadDir(files, "locales")
	if err != nil {
		return nil, fmt.Errorf("reading the catalogues: %w", err)
	}
	for _, e := range entries {
		raw, err := files.ReadFile(path.Join("locales", e.Name()))
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(raw, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading catalogue %s: %w", e.Name(), err)
		}
		if mf.Tag == language.English {
			for _, m := range mf.Messages {
				c.ids = append(c.ids, m.ID)
			}
			continue
		}
		c.tags = append(c.tags, mf.Tag)
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// Tags are the languages spoken, English first.
func (c *Catalog) Tags() []language.Tag { return c.tags }

// Missing returns the ids of the English catalogue that tag's lacks.
func (c *Catalog) Missing(tag language.Tag) []string {
	p := c.Printer(tag)
	var out []string
	for _, id := range c.ids {
		_, got, err := p.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
		if err != nil || got != tag {
			out = append(out, id)
		}
	}
	return out
}

// Choose picks the language of a page: the first of wanted (the checkout's
// locale, the page's ?lg=, ...) that pgw speaks, else the best match of the
// buyer's Accept-Language, else fallback (the site's language), else
// English.
func (c *Catalog) Choose(wanted []string, acceptLanguage, fallback string) language.Tag {
	for _, w := range wanted {
		if t, err := language.Parse(w); err == nil && w != "" {
			if m, ok := c.match(t); ok {
				return c.keep(m, t)
			}
		}
	}
	if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil {
		for _, t := range tags {
			if m, ok := c.match(t); ok {
				return c.keep(m, t)
			}
		}
	}
	if t, err := language.Parse(fallback); err == nil && fallback != "" {
		if m, ok := c.match(t); ok {
			return c.keep(m, t)
		}
	}
	return language.English
}

// match is the catalogue's language for t, when it speaks t's language
// (the matcher alone would offer English for any language at all).
func (c *Catalog) match(t language.Tag) (language.Tag, bool) {
	m, _, conf := c.matcher.Match(t)
	mb, _ := m.Base()
	tb, _ := t.Base()
	return m, conf >= language.High && mb == tb
}

// keep is the catalogue's tag m with the region the buyer asked for (de-AT
// speaks German and writes amounts as Austria does).
func (c *Catalog) keep(m, asked language.Tag) language.Tag {
	base, _ := m.Base()
	for _, t := range c.tags {
		if tb, _ := t.Base(); tb == base {
			m = t
			break
		}
	}
	if region, conf := asked.Region(); conf == language.Exact {
		if with, err := language.Compose(m, region); err == nil {
			return with
		}
	}
	return m
}

// Language is a language a buyer can switch to, named in itself.
type Language struct {
	Tag  string
	Name string
}

// Languages are the languages spoken, each named in its own language, for a
// switcher.
func (c *Catalog) Languages() []Language {
	out := make([]Language, 0, len(c.tags))
	for _, t := range c.tags {
		out = append(out, Language{Tag: t.String(), Name: display.Self.Name(t)})
	}
	return out
}

// Printer speaks one language.
type Printer struct {
	loc *i18n.Localizer
	// Tag is the language with the buyer's region, if any.
	Tag language.Tag
}

// Printer returns the printer of tag.
func (c *Catalog) Printer(tag language.Tag) *Printer {
	return &Printer{loc: i18n.NewLocalizer(c.bundle, tag.String(), "en"), Tag: tag}
}

// Dir is "rtl" for languages written right to left, else "ltr".
func (p *Printer) Dir() string {
	if p == nil {
		return "ltr"
	}
	base, _ := p.Tag.Base()
	switch base.String() {
	case "ar", "he", "fa", "ur":
		return "rtl"
	}
	return "ltr"
}

// T is message id with its placeholders ({{.Name}}) filled from kv, pairs
// of a name and a value. An unknown id shows as itself.
func (p *Printer) T(id string, kv ...any) string {
	return p.localize(id, nil, kv)
}

// N is T for a message with plural forms, chosen by count (also {{.Count}}).
func (p *Printer) N(id string, count int, kv ...any) string {
	return p.localize(id, count, append(kv, "Count", count))
}

func (p *Printer) localize(id string, count any, kv []any) string {
	if p == nil {
		return id
	}
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = kv[i+1]
	}
	s, err := p.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && count != nil {
		// A message without plural forms, asked with a count.
		s, err = p.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	}
	if err != nil && s == "" {
		return id
	}
	return s
}

// HTML is T with some placeholders standing for markup: the message is
// escaped, then each name of marks is replaced by its HTML as given (which
// the caller has escaped). Translators can move a marked word.
func (p *Printer) HTML(id string, marks map[string]string, kv ...any) string {
	for name := range marks {
		kv = append(kv, name, "\x00"+name+"\x00")
	}
	s := html.EscapeString(p.T(id, kv...))
	for name, markup := range marks {
		s = strings.ReplaceAll(s, "\x00"+name+"\x00", markup)
	}
	return s
}

type ctxKey struct{}

// With returns ctx carrying p, for templates.
func With(ctx context.Context, p *Printer) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the printer ctx carries; without one, message ids show as
// they are (nil is a valid printer).
func From(ctx context.Context) *Printer {
	p, _ := ctx.Value(ctxKey{}).(*Printer)
	return p
}

// IDs are the English catalogue's message ids.
func (c *Catalog) IDs() []string { return slices.Clone(c.ids) }

// Codes are the languages spoken, as tags: the catalogues' file names,
// English first.
func Codes() []string {
	entries, _ := fs.ReadDir(files, "locales") // embedded: it cannot fail
	out := []string{"en"}
	for _, e := range entries {
		if code := strings.TrimSuffix(e.Name(), ".json"); code != "en" {
			out = append(out, code)
		}
	}
	return out
}

// Spoken reads a language a merchant chose (a site's default): "" is none;
// a tag whose language is spoken comes back in canonical form ("de-AT"),
// any other is refused.
func Spoken(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	t, err := language.Parse(s)
	if err != nil || len(s) > 35 {
		return "", false
	}
	m, _, conf := language.NewMatcher(tagsOf(Codes())).Match(t)
	mb, _ := m.Base()
	tb, _ := t.Base()
	if conf < language.High || mb != tb {
		return "", false
	}
	return t.String(), true
}

func tagsOf(cs []string) []language.Tag {
	out := make([]language.Tag, len(cs))
	for i, c := range cs {
		out[i] = language.MustParse(c)
	}
	return out
}

// Time writes a moment in the printer's language (its month names and
// order) in loc (UTC when nil), naming the zone; digits writes ASCII digits
// in the language's own.
func (p *Printer) Time(t time.Time, loc *time.Location, digits func(string) string) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return p.T("date.time", "Day", digits(strconv.Itoa(t.Day())), "Month", p.T("month."+strconv.Itoa(int(t.Month()))),
		"Year", digits(strconv.Itoa(t.Year())), "Time", digits(t.Format("15:04"))+" "+t.Format("MST"))
}

// Day writes a date in the printer's language.
func (p *Printer) Day(t time.Time, digits func(string) string) string {
	t = t.UTC()
	return p.T("date.day", "Day", digits(strconv.Itoa(t.Day())), "Month", p.T("month."+strconv.Itoa(int(t.Month()))),
		"Year", digits(strconv.Itoa(t.Year())))
}
