package httpx

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// RefuseBadBytes answers 400 to a request whose path or query holds a NUL
// byte or is not UTF-8: no handler, query or database sees such text.
func RefuseBadBytes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanText(r.URL.Path) || !cleanQuery(r.URL.RawQuery) {
			WriteError(w, r, http.StatusBadRequest, "invalid_request", "the URL holds a NUL byte or is not valid UTF-8")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func cleanQuery(raw string) bool {
	if raw == "" {
		return true
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return false
	}
	for k, vs := range q {
		if !cleanText(k) {
			return false
		}
		for _, v := range vs {
			if !cleanText(v) {
				return false
			}
		}
	}
	return true
}
