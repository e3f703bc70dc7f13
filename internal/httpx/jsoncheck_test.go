package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckJSON(t *testing.T) {
	lim := JSONLimits{MaxArray: 3, MaxDepth: 4, IntegerKeys: map[string]bool{"amount": true, "items.unitPrice": true},
		ArrayKeys: map[string]int{"urls": 1}}
	for _, tc := range []struct {
		name, body, field string // field "" means accepted
	}{
		{"plain", `{"amount":4900,"items":[{"unitPrice":4900.0,"name":"x"}],"vatRate":"19.00"}`, ""},
		{"amount as a string", `{"amount":"49.00"}`, "amount"},
		{"nested price as a string", `{"items":[{"name":"a"},{"unitPrice":"5"}]}`, "items[1].unitPrice"},
		{"amount as an object", `{"amount":{"v":1}}`, "amount"},
		{"exponent", `{"x":1e999999}`, "x"},
		{"capital exponent", `{"items":[1E3]}`, "items[0]"},
		{"long number", `{"q":` + strings.Repeat("9", 33) + `}`, "q"},
		{"32 digits", `{"q":` + strings.Repeat("9", 32) + `}`, ""},
		{"array at its limit", `{"items":[{},{},{}]}`, ""},
		{"array past its limit", `{"items":[{},{},{},{}]}`, "items"},
		{"scalars past the limit", `[1,2,3,4]`, "body"},
		{"too deep", `{"a":{"b":{"c":{"d":{}}}}}`, "a.b.c.d"},
		{"a list with a lower limit", `{"urls":["a","b"]}`, "urls"},
		{"at the lower limit", `{"urls":["a"],"other":["a","b"]}`, ""},
		{"string key named like an integer key elsewhere is fine as key", `{"m":{"amount":1}}`, ""},
		{"an amount in metadata may be a string", `{"metadata":{"amount":"49.00"},"items":[{"meta":{"unitPrice":"x"}}]}`, ""},
		{"a list with the lower limit's name elsewhere", `{"m":{"urls":["a","b"]}}`, ""},
	} {
		err := CheckJSON([]byte(tc.body), lim)
		var je *JSONError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &je) || je.Field != tc.field):
			t.Errorf("%s: got %v, want a refusal of %s", tc.name, err, tc.field)
		}
	}
	if err := CheckJSON([]byte(`{"a":`), lim); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func BenchmarkCheckJSONHostile(b *testing.B) {
	body := []byte(`{"line_items":[` + strings.Repeat(`{"price":"1","quantity":1},`, 40000) + `{}]}`)
	lim := JSONLimits{MaxArray: 100, IntegerKeys: map[string]bool{"line_items.price": true}}
	for b.Loop() {
		if CheckJSON(body, lim) == nil {
			b.Fatal("accepted")
		}
	}
}

func TestJSONKind(t *testing.T) {
	type item struct{ Name string }
	for _, tc := range []struct {
		v    any
		want string
	}{
		{[]item{}, "an array of objects"}, {"", "a string"}, {map[string]any{}, "an object"}, {true, "true or false"},
		{int64(1), "a whole number"}, {[]string{}, "an array of strings"}, {&item{}, "an object"},
	} {
		if got := JSONKind(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("%T: %q, want %q", tc.v, got, tc.want)
		}
	}
}

// A 1 MiB object of small numbers is within every limit: the walk costs
// what reading it costs.
func BenchmarkCheckJSONWideObject(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("{")
	for i := 0; sb.Len() < 1<<20; i++ {
		sb.WriteString(`"k` + strconv.Itoa(i) + `":12345,`)
	}
	sb.WriteString(`"end":1}`)
	body := []byte(sb.String())
	for b.Loop() {
		if err := CheckJSON(body, JSONLimits{MaxArray: 100, MaxDepth: 16}); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzCheckJSON: any input is answered without a panic, and a value the
// standard decoder reads whole within the limits is accepted.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c"}]}`, `[`, `"\u0000"`, `{"amount":"1"}`, `{"k\"ey":1e5}`, `]]]`, `{"a":}`} {
		f.Add([]byte(s))
	}
	lim := JSONLimits{MaxArray: 1000, MaxDepth: 1000}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := CheckJSON(body, lim)
		var v any
		if utf8.Valid(body) && json.Unmarshal(body, &v) == nil && err != nil && !bytes.ContainsAny(body, "eE\x00") && !strings.Contains(string(body), `\u0000`) && len(body) < 32 {
			t.Fatalf("%q is valid JSON within the limits, refused: %v", body, err)
		}
	})
}
