// Package intandemtest is a fake inTandem API, written from the documented
// contract as a real HTTP server: 201 for GET, {"status":"OK","data":...}
// envelopes, 422 {"status":"Error","error":...} for unknown keys, bad types
// and Already_paid, 401 for a wrong token.
package intandemtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Update is a checkout update inTandem received.
type Update struct {
	Auth string
	Body map[string]any
}

// Fake is the fake API.
type Fake struct {
	*httptest.Server
	Token string
	// BusinessUID is what GET /oauth/userinfo answers for Token.
	BusinessUID string

	mu        sync.Mutex
	checkouts map[string]map[string]any // url_key -> data
	paid      map[string]string         // url_key -> transaction_id
	updates   []Update
	settings  []map[string]any
	// FailUpdates makes the next updates answer 500 before accepting.
	FailUpdates int
	// LoseUpdates accepts the next updates but answers 500, as if the answer
	// were lost: the retry then meets Already_paid.
	LoseUpdates int
}

// New starts a fake that accepts token.
func New(t testing.TB, token string) *Fake {
	f := &Fake{Token: token, checkouts: map[string]map[string]any{}, paid: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /platform/v1/payment/checkout/{url_key}", f.getCheckout)
	mux.HandleFunc("PUT /platform/v1/payment/checkout/", f.putCheckout)
	mux.HandleFunc("POST /platform/v1/payment/settings", f.postSettings)
	mux.HandleFunc("GET /oauth/userinfo", f.userinfo)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// AddCheckout makes url_key a checkout with the given data.
func (f *Fake) AddCheckout(urlKey string, data map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checkouts[urlKey] = data
}

// Updates returns the accepted checkout updates.
func (f *Fake) Updates() []Update {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Update(nil), f.updates...)
}

// Settings returns the payment settings posted.
func (f *Fake) Settings() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.settings...)
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // test server
}

func (f *Fake) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		reply(w, http.StatusUnauthorized, map[string]string{"status": "Error", "error": "Unauthorized"})
		return false
	}
	return true
}

func (f *Fake) getCheckout(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := r.PathValue("url_key")
	data, ok := f.checkouts[key]
	switch {
	case !ok:
		reply(w, http.StatusUnprocessableEntity, map[string]string{"status": "Error", "error": "no_content"})
	case f.paid[key] != "":
		reply(w, http.StatusUnprocessableEntity, map[string]string{"status": "Error", "error": "Already_paid"})
	default:
		reply(w, http.StatusCreated, map[string]any{"status": "OK", "data": data}) // 201 even for GET
	}
}

func (f *Fake) putCheckout(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		reply(w, http.StatusUnprocessableEntity, map[string]string{"status": "Error", "error": "invalid body"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key, _ := body["url_key"].(string)
	tx, _ := body["transaction_id"].(string)
	switch {
	case body["type"] != "checkout.session.completed":
		reply(w, http.StatusUnprocessableEntity, map[string]string{"status": "Error", "error": "type must be checkout.session.completed"})
	case f.checkouts[key] == nil:
		reply(w, http.StatusUnprocessableEntity, map[string]string{"status": "Error", "error": "no_content"})
	case f.FailUpdates > 0:
		f.FailUpdates--
		reply(w, http.StatusInternalServerError, map[string]string{"status": "Error", "error": "try later"})
	case f.paid[key] != "" && f.paid[key] == tx:
		reply(w, http.StatusUnprocessableEntity, map[string]string{"status": "Error", "error": "Already_paid"})
	default:
		f.paid[key] = tx
		f.updates = append(f.updates, Update{Auth: r.Header.Get("Authorization"), Body: body})
		if f.LoseUpdates > 0 {
			f.LoseUpdates--
			reply(w, http.StatusInternalServerError, map[string]string{"status": "Error", "error": "lost"})
			return
		}
		reply(w, http.StatusCreated, map[string]any{"status": "OK", "data": map[string]any{}})
	}
}

func (f *Fake) postSettings(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body) //nolint:errcheck // checked by the test
	ps, ok := body["payment_settings"].(map[string]any)
	if !ok || !strings.HasPrefix(firstKey(ps), "external_") && ps["payments_gateway_type"] == nil {
		reply(w, http.StatusUnprocessableEntity, map[string]string{"status": "Error", "error": "payment_settings missing"})
		return
	}
	f.mu.Lock()
	f.settings = append(f.settings, ps)
	f.mu.Unlock()
	reply(w, http.StatusCreated, map[string]any{"status": "OK", "data": map[string]any{"payment_settings": ps}})
}

func firstKey(m map[string]any) string {
	for k := range m {
		return k
	}
	return ""
}

// userinfo answers who the token is, bare as OAuth userinfo is.
func (f *Fake) userinfo(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	reply(w, http.StatusOK, map[string]string{"business_uid": f.BusinessUID, "type": "staff", "role": "admin", "sub": "staff-1"})
}
