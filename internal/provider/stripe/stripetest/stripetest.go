// Package stripetest gives tests stripe-mock (PGW_TEST_STRIPE_MOCK_URL; required
// when CI=true) behind a proxy that records every request.
package stripetest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"testing"
)

// Request is one call that reached stripe-mock.
type Request struct {
	Method, Path   string
	IdempotencyKey string
	Form           url.Values
}

// Mock is stripe-mock behind a recording proxy.
type Mock struct {
	URL  string
	mu   sync.Mutex
	reqs []Request
}

// Start returns the proxy, or skips the test when stripe-mock is not running
// (fails under CI=true).
func Start(t testing.TB) *Mock {
	t.Helper()
	base := os.Getenv("PGW_TEST_STRIPE_MOCK_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PGW_TEST_STRIPE_MOCK_URL is not set; CI must run the Stripe tests")
		}
		t.Skip("PGW_TEST_STRIPE_MOCK_URL not set: skipping stripe-mock tests")
	}
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	m := &Mock{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		m.mu.Lock()
		m.reqs = append(m.reqs, Request{Method: r.Method, Path: r.URL.Path, IdempotencyKey: r.Header.Get("Idempotency-Key"), Form: form})
		m.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

// Requests returns what was sent so far.
func (m *Mock) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.reqs...)
}
