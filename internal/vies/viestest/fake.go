// Package viestest is a fake of the EU's VIES REST service on loopback,
// written from its public interface: a number ending in 1 does not exist,
// one ending in 9 finds its member state unavailable, one ending in 8 makes
// the service slow, every other number exists.
package viestest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"
)

// Fake is the running service; Calls counts the checks it answered.
type Fake struct {
	*httptest.Server
	Calls atomic.Int64
	// Slow is how long a number ending in 8 waits.
	Slow time.Duration
}

// New starts the fake; close it with Close.
func New() *Fake {
	f := &Fake{Slow: 10 * time.Second}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CountryCode, VATNumber, RequesterMemberStateCode, RequesterNumber string
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil || req.VATNumber == "" {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"actionSucceed": false, "errorWrappers": []map[string]string{{"error": "INVALID_INPUT"}}}) //nolint:errcheck
		return
	}
	f.Calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	last := req.VATNumber[len(req.VATNumber)-1]
	switch last {
	case '9':
		json.NewEncoder(w).Encode(map[string]any{"actionSucceed": false, "errorWrappers": []map[string]string{{"error": "MS_UNAVAILABLE"}}}) //nolint:errcheck
		return
	case '8':
		select {
		case <-time.After(f.Slow):
		case <-r.Context().Done():
			return
		}
	}
	out := map[string]any{"countryCode": req.CountryCode, "vatNumber": req.VATNumber, "requestDate": time.Now().UTC().Format(time.RFC3339),
		"valid": last != '1', "userError": map[bool]string{true: "VALID", false: "INVALID"}[last != '1'], "name": "---", "address": "---"}
	if req.RequesterNumber != "" {
		out["requestIdentifier"] = "WAPI" + strings.ToUpper(req.CountryCode+req.VATNumber)
	}
	json.NewEncoder(w).Encode(out) //nolint:errcheck
}
