// Package paginate reads and answers list requests in the wire format of
// nestjs-paginate (limit, page, repeated sortBy, filter.<column> tokens; the
// data/meta/links envelope), against a whitelist of columns. It produces a
// store.Query, so values are only ever bound as SQL parameters.
package paginate

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/store"
)

// Type is how a column's filter values are read.
type Type int

// Column types.
const (
	Text Type = iota
	Int
	Time
)

// Column is a filterable and sortable column.
type Column struct {
	SQL   string // column of the list's table
	Type  Type
	Upper bool // values compare in upper case (currency codes)
}

// Config describes one list endpoint.
type Config struct {
	Columns      map[string]Column // by the name the API uses
	DefaultLimit int
	MaxLimit     int
	DefaultSort  [][2]string // [[column, ASC|DESC]]
}

// Request is a parsed list request.
type Request struct {
	Page, Limit int
	CountOnly   bool
	Sort        [][2]string
	filterKeys  []string
	filters     map[string][]string
	Query       store.Query
}

// Parse reads q. A malformed filter (unknown column or operator, a value of
// the wrong type, a $btw without two values) is an error for a 400; malformed
// sortBy entries are dropped, as nestjs-paginate does.
func Parse(q url.Values, cfg Config) (*Request, error) {
	r := &Request{Page: 1, Limit: cfg.DefaultLimit, filters: map[string][]string{}}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p >= 1 {
		r.Page = p
	}
	if v := q.Get("limit"); v != "" {
		l, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return nil, fmt.Errorf("limit must be a whole number, got %q", v)
		case l == 0:
			r.CountOnly = true
		case l > cfg.MaxLimit:
			r.Limit = cfg.MaxLimit
		case l > 0:
			r.Limit = l
		}
	}
	for _, s := range q["sortBy"] {
		parts := strings.Split(s, ":")
		if len(parts) != 2 || parts[1] != "ASC" && parts[1] != "DESC" {
			continue
		}
		col, ok := cfg.Columns[parts[0]]
		if !ok {
			continue
		}
		r.Sort = append(r.Sort, [2]string{parts[0], parts[1]})
		r.Query.Sorts = append(r.Query.Sorts, store.Sort{Column: col.SQL, Desc: parts[1] == "DESC"})
	}
	if len(r.Sort) == 0 {
		for _, s := range cfg.DefaultSort {
			r.Sort = append(r.Sort, s)
			r.Query.Sorts = append(r.Query.Sorts, store.Sort{Column: cfg.Columns[s[0]].SQL, Desc: s[1] == "DESC"})
		}
	}
	for key, values := range q {
		name, ok := strings.CutPrefix(key, "filter.")
		if !ok {
			continue
		}
		col, ok := cfg.Columns[name]
		if !ok {
			return nil, fmt.Errorf("filter.%s: %q cannot be filtered on", name, name)
		}
		r.filterKeys = append(r.filterKeys, name)
		r.filters[name] = values
		for _, tok := range values {
			c, err := parseToken(tok, col)
			if err != nil {
				return nil, fmt.Errorf("filter.%s=%s: %w", name, tok, err)
			}
			r.Query.Conds = append(r.Query.Conds, c)
		}
	}
	slices.Sort(r.filterKeys)
	r.Query.CountOnly = r.CountOnly
	r.Query.Limit = r.Limit
	r.Query.Offset = (r.Page - 1) * r.Limit
	return r, nil
}

var operators = map[string]string{
	"$eq": "eq", "$gt": "gt", "$gte": "gte", "$lt": "lt", "$lte": "lte", "$in": "in",
	"$btw": "btw", "$ilike": "ilike", "$sw": "sw", "$null": "null", "$contains": "contains",
}

// parseToken reads [$not:][$op:]value; without an operator it is $eq.
func parseToken(tok string, col Column) (store.Cond, error) {
	c := store.Cond{Column: col.SQL, Op: "eq", Text: col.Type == Text}
	rest := tok
	if v, ok := strings.CutPrefix(rest, "$not:"); ok {
		c.Not, rest = true, v
	} else if rest == "$not" {
		return c, errors.New("$not needs an operator or a value after it")
	}
	if strings.HasPrefix(rest, "$") {
		name, value, _ := strings.Cut(rest, ":")
		op, ok := operators[name]
		if !ok {
			return c, fmt.Errorf("unknown operator %s (use $eq $not $null $in $gt $gte $lt $lte $btw $ilike $sw $contains)", name)
		}
		c.Op, rest = op, value
	}
	var raw []string
	switch c.Op {
	case "null":
		return c, nil
	case "in":
		for _, v := range strings.Split(rest, ",") {
			raw = append(raw, strings.TrimSpace(v))
		}
	case "btw":
		raw = strings.Split(rest, ",")
		if len(raw) != 2 {
			return c, errors.New("$btw needs two values separated by a comma")
		}
	case "ilike", "sw", "contains":
		if col.Type != Text {
			return c, fmt.Errorf("$%s applies to text columns only", c.Op)
		}
		raw = []string{rest}
	default:
		raw = []string{rest}
	}
	for _, v := range raw {
		val, err := convert(strings.TrimSpace(v), col)
		if err != nil {
			return c, err
		}
		c.Values = append(c.Values, val)
	}
	return c, nil
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"}

func convert(v string, col Column) (any, error) {
	switch col.Type {
	case Int:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	case Time:
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, v); err == nil {
				return t.UTC(), nil
			}
		}
		return nil, fmt.Errorf("%q is not a date or time such as 2023-07-01T00:00:00", v)
	}
	if col.Upper {
		return strings.ToUpper(v), nil
	}
	return v, nil
}

// Meta is the envelope's meta; absent fields are left out, as in nestjs-paginate.
type Meta struct {
	ItemsPerPage int            `json:"itemsPerPage"`
	TotalItems   int            `json:"totalItems"`
	CurrentPage  int            `json:"currentPage"`
	TotalPages   int            `json:"totalPages"`
	SortBy       [][2]string    `json:"sortBy"`
	Filter       map[string]any `json:"filter,omitempty"`
}

// Links are the envelope's links; absent ones are left out.
type Links struct {
	First    string `json:"first,omitempty"`
	Previous string `json:"previous,omitempty"`
	Current  string `json:"current"`
	Next     string `json:"next,omitempty"`
	Last     string `json:"last,omitempty"`
}

// Page is the whole answer.
type Page struct {
	Data  any   `json:"data"`
	Meta  Meta  `json:"meta"`
	Links Links `json:"links"`
}

// Envelope wraps data for a request whose base URL (scheme, host and path) is base.
func (r *Request) Envelope(data any, total int, base string) Page {
	limit := r.Limit
	if r.CountOnly {
		limit = total
	}
	pages := 0
	if limit > 0 {
		pages = int(math.Ceil(float64(total) / float64(limit)))
	}
	m := Meta{ItemsPerPage: limit, TotalItems: total, CurrentPage: r.Page, TotalPages: pages, SortBy: r.Sort}
	if m.SortBy == nil {
		m.SortBy = [][2]string{}
	}
	if len(r.filterKeys) > 0 {
		m.Filter = map[string]any{}
		for _, k := range r.filterKeys {
			if v := r.filters[k]; len(v) == 1 {
				m.Filter[k] = v[0]
			} else {
				m.Filter[k] = v
			}
		}
	}
	link := func(page int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s?page=%d&limit=%d", base, page, limit)
		for _, s := range r.Sort {
			b.WriteString("&sortBy=" + s[0] + ":" + s[1])
		}
		for _, k := range r.filterKeys {
			for _, v := range r.filters[k] {
				b.WriteString("&filter." + k + "=" + v)
			}
		}
		return b.String()
	}
	l := Links{Current: link(r.Page)}
	if r.Page != 1 {
		l.First = link(1)
	}
	if r.Page-1 >= 1 {
		l.Previous = link(r.Page - 1)
	}
	if r.Page+1 <= pages {
		l.Next = link(r.Page + 1)
	}
	if r.Page != pages && total != 0 {
		l.Last = link(pages)
	}
	return Page{Data: data, Meta: m, Links: l}
}
