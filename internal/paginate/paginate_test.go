package paginate

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

var cfg = Config{
	Columns: map[string]Column{
		"amount":     {SQL: "amount", Type: Int},
		"currency":   {SQL: "currency", Upper: true},
		"created_at": {SQL: "created_at", Type: Time},
		"key":        {SQL: "idempotency_key"},
	},
	DefaultLimit: 10, MaxLimit: 1000, DefaultSort: [][2]string{{"created_at", "DESC"}},
}

func parse(t *testing.T, q string) *Request {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(v, cfg)
	if err != nil {
		t.Fatalf("Parse(%s): %v", q, err)
	}
	return r
}

func TestPaging(t *testing.T) {
	for _, tt := range []struct {
		q           string
		page, limit int
		offset      int
		countOnly   bool
	}{
		{"", 1, 10, 0, false},
		{"page=3&limit=5", 3, 5, 10, false},
		{"page=0&limit=5", 1, 5, 0, false},
		{"page=x", 1, 10, 0, false},
		{"limit=5000", 1, 1000, 0, false},
		{"limit=-1", 1, 10, 0, false},
		{"limit=0", 1, 10, 0, true},
	} {
		r := parse(t, tt.q)
		if r.Page != tt.page || r.Limit != tt.limit || r.Query.Offset != tt.offset || r.CountOnly != tt.countOnly {
			t.Errorf("%q: page %d limit %d offset %d count-only %v", tt.q, r.Page, r.Limit, r.Query.Offset, r.CountOnly)
		}
	}
	if _, err := Parse(url.Values{"limit": {"ten"}}, cfg); err == nil {
		t.Error("limit=ten accepted")
	}
}

func TestSortBy(t *testing.T) {
	r := parse(t, "sortBy=amount:DESC&sortBy=currency:ASC&sortBy=nope:ASC&sortBy=amount:desc&sortBy=amount")
	if len(r.Sort) != 2 || r.Sort[0] != [2]string{"amount", "DESC"} || r.Query.Sorts[1].Column != "currency" || r.Query.Sorts[1].Desc {
		t.Fatalf("sort %v %v", r.Sort, r.Query.Sorts)
	}
	if r := parse(t, "sortBy=bad"); len(r.Sort) != 1 || r.Sort[0] != [2]string{"created_at", "DESC"} {
		t.Fatalf("default sort %v", r.Sort)
	}
}

func TestFilterTokens(t *testing.T) {
	for _, tt := range []struct {
		q      string
		op     string
		not    bool
		values []any
	}{
		{"filter.currency=egp", "eq", false, []any{"EGP"}},
		{"filter.currency=$eq:EGP", "eq", false, []any{"EGP"}},
		{"filter.currency=$not:EGP", "eq", true, []any{"EGP"}},
		{"filter.amount=$gt:3000", "gt", false, []any{int64(3000)}},
		{"filter.amount=$gte:3000", "gte", false, []any{int64(3000)}},
		{"filter.amount=$lt:3000", "lt", false, []any{int64(3000)}},
		{"filter.amount=$lte:3000", "lte", false, []any{int64(3000)}},
		{"filter.amount=$in:1, 2,3", "in", false, []any{int64(1), int64(2), int64(3)}},
		{"filter.amount=$not:$in:1,2", "in", true, []any{int64(1), int64(2)}},
		{"filter.created_at=$btw:2023-07-01T00:00:00,2023-07-31T23:59:59.59", "btw", false,
			[]any{time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 7, 31, 23, 59, 59, 590000000, time.UTC)}},
		{"filter.key=$ilike:ORD", "ilike", false, []any{"ORD"}},
		{"filter.key=$sw:ord:1", "sw", false, []any{"ord:1"}},
		{"filter.key=$contains:x", "contains", false, []any{"x"}},
		{"filter.key=$null", "null", false, nil},
		{"filter.key=$not:$null", "null", true, nil},
	} {
		r := parse(t, tt.q)
		if len(r.Query.Conds) != 1 {
			t.Fatalf("%s: %d conditions", tt.q, len(r.Query.Conds))
		}
		c := r.Query.Conds[0]
		b1, _ := json.Marshal(c.Values)
		b2, _ := json.Marshal(tt.values)
		if c.Op != tt.op || c.Not != tt.not || string(b1) != string(b2) {
			t.Errorf("%s: %+v", tt.q, c)
		}
	}
	for _, q := range []string{
		"filter.amount=abc", "filter.amount=$gt:1.5", "filter.created_at=$gt:yesterday", "filter.amount=$btw:1",
		"filter.amount=$like:1", "filter.amount=$ilike:1", "filter.secret_sauce=1", "filter.key=$not",
	} {
		v, _ := url.ParseQuery(q)
		if _, err := Parse(v, cfg); err == nil {
			t.Errorf("%s accepted", q)
		}
	}
}

func TestEnvelopeOmissionRules(t *testing.T) {
	r := parse(t, "page=2&limit=5&sortBy=amount:DESC&filter.currency=$eq:EGP&filter.amount=$gt:1&filter.amount=$lt:9")
	p := r.Envelope([]int{}, 12, "https://api.example/checkout-intents")
	b, _ := json.Marshal(p)
	s := string(b)
	want := `"meta":{"itemsPerPage":5,"totalItems":12,"currentPage":2,"totalPages":3,"sortBy":[["amount","DESC"]],"filter":{"amount":["$gt:1","$lt:9"],"currency":"$eq:EGP"}}`
	if !strings.Contains(s, want) {
		t.Fatalf("meta:\n%s\nwant %s", s, want)
	}
	base := "https://api.example/checkout-intents?page=%s&limit=5&sortBy=amount:DESC&filter.amount=$gt:1&filter.amount=$lt:9&filter.currency=$eq:EGP"
	if p.Links.First != strings.Replace(base, "%s", "1", 1) || p.Links.Previous != p.Links.First ||
		p.Links.Current != strings.Replace(base, "%s", "2", 1) || p.Links.Next != strings.Replace(base, "%s", "3", 1) ||
		p.Links.Last != p.Links.Next {
		t.Fatalf("links %+v", p.Links)
	}
	// First page: no first, no previous.
	first := parse(t, "limit=5").Envelope(nil, 12, "h")
	if first.Links.First != "" || first.Links.Previous != "" || first.Links.Next == "" || first.Links.Last == "" {
		t.Fatalf("page 1 links %+v", first.Links)
	}
	// Last page: no next, no last.
	last := parse(t, "page=3&limit=5").Envelope(nil, 12, "h")
	if last.Links.Next != "" || last.Links.Last != "" || last.Links.First == "" {
		t.Fatalf("last page links %+v", last.Links)
	}
	// Nothing matches: no pages, only current.
	none := parse(t, "").Envelope([]int{}, 0, "h")
	b, _ = json.Marshal(none)
	if none.Meta.TotalPages != 0 || strings.Contains(string(b), `"last"`) || strings.Contains(string(b), `"filter"`) ||
		!strings.Contains(string(b), `"sortBy":[["created_at","DESC"]]`) || strings.Contains(string(b), "null") {
		t.Fatalf("empty page %s", b)
	}
	// Count only: itemsPerPage is the total.
	if c := parse(t, "limit=0").Envelope([]int{}, 7, "h"); c.Meta.ItemsPerPage != 7 || c.Meta.TotalPages != 1 {
		t.Fatalf("count only %+v", c.Meta)
	}
	// A page past the end is echoed, empty, without next.
	past := parse(t, "page=9&limit=5").Envelope([]int{}, 12, "h")
	if past.Meta.CurrentPage != 9 || past.Links.Next != "" || past.Links.Last == "" {
		t.Fatalf("past the end %+v %+v", past.Meta, past.Links)
	}
}
