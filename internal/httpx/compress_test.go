package httpx_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/pgw/pgw/internal/httpx"
)

func TestCompress(t *testing.T) {
	page := strings.Repeat("<p>Bezahlen Sie jetzt sicher.</p>\n", 200)
	srv := httptest.NewServer(httpx.Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/png":
			w.Header().Set("Content-Type", "image/png")
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		io.WriteString(w, page) //nolint:errcheck // a test server
	})))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		path, accept, encoding string
	}{
		{"/", "br, gzip", "br"},
		{"/", "gzip", "gzip"},
		{"/", "gzip;q=1, br;q=0.5", "gzip"},
		{"/", "", ""},
		{"/", "identity", ""},
		{"/png", "br", ""},
		{"/empty", "br", ""},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Encoding", tc.accept)
		}
		// A transport that leaves the body as it came.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = resp.Body
		switch got := resp.Header.Get("Content-Encoding"); {
		case got != tc.encoding:
			t.Errorf("%s with %q: Content-Encoding %q; want %q", tc.path, tc.accept, got, tc.encoding)
		case got == "br":
			body = brotli.NewReader(resp.Body)
		case got == "gzip":
			body, _ = gzip.NewReader(resp.Body)
		}
		b, _ := io.ReadAll(body)
		resp.Body.Close()
		if tc.path != "/empty" && string(b) != page {
			t.Errorf("%s with %q: the body does not read back (%d bytes)", tc.path, tc.accept, len(b))
		}
		if tc.encoding != "" && !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: no Vary", tc.path)
		}
	}
}
