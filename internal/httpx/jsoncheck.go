package httpx

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSONLimits bound what a request body may hold before it is decoded, so that
// no cheap request costs much CPU: arrays past MaxArray entries and numbers
// longer than MaxNumber characters or written with an exponent are refused as
// soon as they are met. The values of IntegerKeys (object keys, wherever they
// appear) must be JSON numbers, never strings: "49.00" must not become 49.
type JSONLimits struct {
	MaxArray int
	// ArrayKeys lower MaxArray for the arrays under these keys
	// ("webhook_urls": 10), wherever they appear.
	ArrayKeys   map[string]int
	MaxDepth    int
	IntegerKeys map[string]bool
}

// MaxNumber is the longest number literal accepted.
const MaxNumber = 32

// JSONError says what in a body broke the limits; Field is its path
// ("items[3].unitPrice").
type JSONError struct {
	Field, Message string
}

func (e *JSONError) Error() string { return e.Field + ": " + e.Message }

type jsonFrame struct {
	object bool
	path   string
	key    string // the key whose value comes next (objects)
	n      int    // entries seen (arrays)
	max    int    // entries allowed (arrays; 0: no limit)
}

// CheckJSON walks body token by token and answers the first thing past the
// limits as *JSONError, or a syntax error; it never builds the values.
func CheckJSON(body []byte, lim JSONLimits) error {
	if !utf8.Valid(body) {
		return &JSONError{Field: "body", Message: "is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonFrame
	// where names the value about to be read.
	where := func() (string, string) {
		if len(stack) == 0 {
			return "body", ""
		}
		f := stack[len(stack)-1]
		if f.object {
			if f.path == "" {
				return f.key, f.key
			}
			return f.path + "." + f.key, f.key
		}
		return cmp.Or(f.path, "body") + "[" + strconv.Itoa(f.n) + "]", ""
	}
	expectValue := false // a key was read, its value not yet
	expectKey := func() bool { return len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].key == "" }
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 || expectValue {
				return errors.New("unexpected end of JSON input")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = ""
			}
			continue
		}
		if expectKey() {
			if strings.ContainsRune(tok.(string), 0) {
				return &JSONError{Field: cmp.Or(stack[len(stack)-1].path, "body"), Message: "keys must not contain a NUL character"}
			}
			stack[len(stack)-1].key = tok.(string)
			expectValue = true
			continue
		}
		expectValue = false
		path, key := where()
		if len(stack) > 0 && !stack[len(stack)-1].object {
			// A value starts in an array: count it before reading it.
			f := stack[len(stack)-1]
			if f.max > 0 && f.n >= f.max {
				return &JSONError{Field: cmp.Or(f.path, "body"), Message: fmt.Sprintf("at most %d entries", f.max)}
			}
			f.n++
		}
		switch v := tok.(type) {
		case json.Delim:
			if lim.MaxDepth > 0 && len(stack) >= lim.MaxDepth {
				return &JSONError{Field: path, Message: fmt.Sprintf("nested deeper than %d levels", lim.MaxDepth)}
			}
			if lim.IntegerKeys[key] {
				return &JSONError{Field: path, Message: "must be a whole number, not " + map[json.Delim]string{'{': "an object", '[': "an array"}[v]}
			}
			if len(stack) == 0 {
				path = ""
			}
			f := &jsonFrame{object: v == '{', path: path, max: lim.MaxArray}
			if n, ok := lim.ArrayKeys[key]; ok && (n < f.max || f.max == 0) {
				f.max = n
			}
			stack = append(stack, f)
			continue
		case json.Number:
			if len(v) > MaxNumber || strings.ContainsAny(string(v), "eE") {
				return &JSONError{Field: path, Message: fmt.Sprintf("numbers must be plain decimals of at most %d characters", MaxNumber)}
			}
		case string:
			if lim.IntegerKeys[key] {
				return &JSONError{Field: path, Message: "must be a JSON number (for example 4900), not a string"}
			}
			if strings.ContainsRune(v, 0) {
				return &JSONError{Field: path, Message: "must not contain a NUL character"}
			}
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = ""
		}
	}
}

// JSONKind says in JSON's words what a Go type takes: "an array of objects"
// rather than "[]checkout.ItemRequest".
func JSONKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[json.Number]():
		return "a number"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(JSONKind(t.Elem()), "a "), "an ") + "s"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a JSON value"
}
