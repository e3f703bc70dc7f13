package httpx

import (
	"net/http"
	"strings"
)

// Mux is where a surface registers its routes: an *http.ServeMux, or in
// tests a recorder of the patterns (see Routes).
type Mux interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
	Handler(r *http.Request) (http.Handler, string)
}

// Routes is a ServeMux that remembers the patterns registered on it.
type Routes struct {
	*http.ServeMux
	Patterns []string
}

// NewRoutes returns an empty Routes.
func NewRoutes() *Routes { return &Routes{ServeMux: http.NewServeMux()} }

// Handle registers h and remembers pattern.
func (r *Routes) Handle(pattern string, h http.Handler) {
	r.Patterns = append(r.Patterns, pattern)
	r.ServeMux.Handle(pattern, h)
}

// HandleFunc registers h and remembers pattern.
func (r *Routes) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	r.Handle(pattern, http.HandlerFunc(h))
}

// methods are the methods a route may be registered for.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// AllowedMethods are the methods mux has a route for at r's path, other than
// its catch-all "/": a request that found only the catch-all asked a known
// path with the wrong method when the list is not empty.
func AllowedMethods(mux Mux, r *http.Request) []string {
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
func Fallback(mux Mux) http.HandlerFunc {
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
