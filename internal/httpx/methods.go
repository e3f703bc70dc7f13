package httpx

import (
	"net/http"
	"strings"
)

// methods are the methods a route may be registered for.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// AllowedMethods are the methods mux has a route for at r's path, other than
// its catch-all "/": a request that found only the catch-all asked a known
// path with the wrong method when the list is not empty.
func AllowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range methods {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := mux.Handler(r2); pattern != "" && pattern != "/" {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	return out
}

// Fallback is an API's catch-all route: 405 with Allow when the path has
// routes for other methods, else 404, both in the JSON error envelope.
func Fallback(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if allowed := AllowedMethods(mux, r); len(allowed) > 0 {
			list := strings.Join(allowed, ", ")
			w.Header().Set("Allow", list)
			WriteError(w, r, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+list)
			return
		}
		WriteError(w, r, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	}
}
