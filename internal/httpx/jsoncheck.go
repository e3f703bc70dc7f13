package httpx

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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
	// ArrayKeys lower MaxArray for the arrays at these paths
	// ("webhook_urls": 10). A path is the object keys from the top joined
	// by dots, arrays left out: "items.unitPrice" is the unitPrice of every
	// entry of items.
	ArrayKeys   map[string]int
	MaxDepth    int
	IntegerKeys map[string]bool // paths, as ArrayKeys
}

// MaxNumber is the longest number literal accepted.
const MaxNumber = 32

// JSONError says what in a body broke the limits; Field is its path
// ("items[3].unitPrice").
type JSONError struct {
	Field, Message string
}

func (e *JSONError) Error() string { return e.Field + ": " + e.Message }

// jsonFrame is an open object or array; the path to it is built only for an
// error message.
type jsonFrame struct {
	object bool
	key    string // objects: the key of the value being read ("" between entries)
	n      int    // arrays: entries begun
	max    int    // arrays: entries allowed (0: no limit)
}

// CheckJSON scans body once, byte by byte, and answers the first thing past
// the limits as *JSONError, or a syntax error for a body that ends early; it
// builds no values (the decoder that follows reports any other syntax error).
func CheckJSON(body []byte, lim JSONLimits) error {
	if !utf8.Valid(body) {
		return &JSONError{Field: "body", Message: "is not valid UTF-8"}
	}
	var stack []jsonFrame
	expectKey := false
	// where names the value about to be read: with indices it is the field an
	// error names ("items[3].unitPrice", "body" at the top), without them the
	// path the limits are keyed by ("items.unitPrice", "" at the top).
	where := func(indices bool) string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.object && f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			case !f.object && indices:
				if b.Len() == 0 {
					b.WriteString("body")
				}
				fmt.Fprintf(&b, "[%d]", f.n-1)
			}
		}
		if indices {
			return cmp.Or(b.String(), "body")
		}
		return b.String()
	}
	path := func() string { return where(true) }
	keyPath := func() string { return where(false) }
	// begin counts a value starting in its container and answers the key it
	// stands under ("" in arrays).
	begin := func() (string, error) {
		if len(stack) == 0 {
			return "", nil
		}
		f := &stack[len(stack)-1]
		if f.object {
			return f.key, nil
		}
		if f.max > 0 && f.n >= f.max {
			return "", &JSONError{Field: cmp.Or(strings.TrimSuffix(path(), fmt.Sprintf("[%d]", f.n-1)), "body"),
				Message: fmt.Sprintf("at most %d entries", f.max)}
		}
		f.n++
		return "", nil
	}
	for i := 0; i < len(body); {
		switch c := body[i]; c {
		case ' ', '\t', '\n', '\r', ':':
			i++
		case ',':
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key, expectKey = "", true
			}
			i++
		case '{', '[':
			key, err := begin()
			if err != nil {
				return err
			}
			at := ""
			if key != "" && (len(lim.IntegerKeys) > 0 || len(lim.ArrayKeys) > 0) {
				at = keyPath()
			}
			if lim.IntegerKeys[at] {
				return &JSONError{Field: path(), Message: "must be a whole number, not " + map[byte]string{'{': "an object", '[': "an array"}[c]}
			}
			if lim.MaxDepth > 0 && len(stack) >= lim.MaxDepth {
				return &JSONError{Field: path(), Message: fmt.Sprintf("nested deeper than %d levels", lim.MaxDepth)}
			}
			f := jsonFrame{object: c == '{', max: lim.MaxArray}
			if n, ok := lim.ArrayKeys[at]; ok && at != "" && (n < f.max || f.max == 0) {
				f.max = n
			}
			stack = append(stack, f)
			expectKey = c == '{'
			i++
		case '}', ']':
			if len(stack) == 0 {
				return errors.New("unexpected end of an object or array")
			}
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = ""
			}
			expectKey = false
			i++
		case '"':
			j, nul, escaped := scanString(body, i)
			if j < 0 {
				return errors.New("unexpected end of JSON input in a string")
			}
			raw := body[i+1 : j]
			i = j + 1
			if expectKey {
				key := string(raw)
				if escaped {
					var decoded string
					if err := json.Unmarshal(body[j-len(raw)-1:j+1], &decoded); err == nil {
						key = decoded
					}
				}
				if nul {
					return &JSONError{Field: path(), Message: "keys must not contain a NUL character"}
				}
				stack[len(stack)-1].key, expectKey = key, false
				continue
			}
			key, err := begin()
			if err != nil {
				return err
			}
			if key != "" && len(lim.IntegerKeys) > 0 && lim.IntegerKeys[keyPath()] {
				return &JSONError{Field: path(), Message: "must be a JSON number (for example 4900), not a string"}
			}
			if nul {
				return &JSONError{Field: path(), Message: "must not contain a NUL character"}
			}
		default:
			j := i
			for j < len(body) && !strings.ContainsRune(" \t\n\r,]}:", rune(body[j])) {
				j++
			}
			tok := body[i:j]
			i = j
			if _, err := begin(); err != nil {
				return err
			}
			if c == '-' || c >= '0' && c <= '9' {
				if len(tok) > MaxNumber || bytes.ContainsAny(tok, "eE") {
					return &JSONError{Field: path(), Message: fmt.Sprintf("numbers must be plain decimals of at most %d characters", MaxNumber)}
				}
			}
		}
	}
	if len(stack) > 0 || expectKey && len(stack) > 0 {
		return errors.New("unexpected end of JSON input")
	}
	return nil
}

// scanString finds the closing quote of the string opening at body[i]; it
// answers its index (-1 when there is none), whether the string holds a NUL
// (raw or as \u0000), and whether it has escapes.
func scanString(body []byte, i int) (end int, nul, escaped bool) {
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '"':
			return j, nul, escaped
		case 0:
			nul = true
		case '\\':
			escaped = true
			if j+5 < len(body) && body[j+1] == 'u' && string(body[j+2:j+6]) == "0000" {
				nul = true
			}
			j++
		}
	}
	return -1, nul, escaped
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
