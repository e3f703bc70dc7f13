package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/notify"
)

// readBody reads the request body, answering 413 when it is over the limit.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.WriteError(w, r, http.StatusRequestEntityTooLarge, "payload_too_large",
				fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit))
			return nil, false
		}
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_request", "could not read the request body")
		return nil, false
	}
	return b, true
}

// readJSON reads the request's body and decodes it into v, answering what
// is wrong; it reports whether v holds the request.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readBody(w, r)
	return ok && decodeJSON(w, r, body, v)
}

// bodyLimits bound every request body before it is decoded: lists stop at
// the largest list the API takes (items), and amounts are JSON numbers.
var bodyLimits = httpx.JSONLimits{MaxArray: checkout.MaxItems, MaxDepth: 16,
	ArrayKeys: map[string]int{"frameOrigins": maxFrameOrigins, "events": len(notify.EventTypes),
		"scopes": 64, "allowedIps": auth.MaxAllowedIPs},
	IntegerKeys: map[string]bool{"amount": true, "items.unitPrice": true}}

// decodeJSON decodes one JSON object from body into v, keeping numbers exact.
// Malformed JSON and wrongly typed fields are a 400 that says where.
func decodeJSON(w http.ResponseWriter, r *http.Request, body []byte, v any) bool {
	if len(bytes.TrimSpace(body)) == 0 {
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_json", "request body is empty: send a JSON object")
		return false
	}
	if !utf8.Valid(body) {
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_json", "request body is not valid UTF-8")
		return false
	}
	var je *httpx.JSONError
	if err := httpx.CheckJSON(body, bodyLimits); errors.As(err, &je) {
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_json", je.Field, je.Error())
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err == nil {
		return true
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_json", fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_json", field,
			fmt.Sprintf("%s: must be %s, not a JSON %s", field, httpx.JSONKind(typ.Type), typ.Value))
	default:
		httpx.WriteError(w, r, http.StatusBadRequest, "invalid_json", "malformed JSON: "+err.Error())
	}
	return false
}
