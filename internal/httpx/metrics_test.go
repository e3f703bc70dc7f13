package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMetricsOnlyForTheOperator(t *testing.T) {
	for _, tc := range []struct {
		name, token, peer, auth, xff string
		want                         int
	}{
		{"loopback, no proxy", "", "127.0.0.1:4000", "", "", 200},
		{"IPv6 loopback", "", "[::1]:4000", "", "", 200},
		{"through a proxy on this machine", "", "127.0.0.1:4000", "", "203.0.113.9", 404},
		{"from elsewhere", "", "198.51.100.7:4000", "", "", 404},
		{"token given", "s3cret", "198.51.100.7:4000", "Bearer s3cret", "203.0.113.9", 200},
		{"wrong token", "s3cret", "198.51.100.7:4000", "Bearer nope", "", 404},
		{"token required on loopback too", "s3cret", "127.0.0.1:4000", "", "", 404},
	} {
		mux := http.NewServeMux()
		NewRegistry(mux, tc.token)
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = tc.peer
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.want)
		}
	}
}
