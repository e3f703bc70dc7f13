// Package apidoctest holds the HTTP test suites to the API documents: every
// request a suite sends and every answer it gets pass through a validator
// that fails the test when the answer, its status or its error code is not
// what the document says, or when the server took a request the document
// refuses.
package apidoctest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

var decoders sync.Once

// Load parses a document and checks it is valid OpenAPI, examples included.
func Load(ctx context.Context, doc []byte) (*openapi3.T, error) {
	decoders.Do(func() {
		// Statements are read as text: their rows are the server's to judge.
		openapi3filter.RegisterBodyDecoder("application/xml", openapi3filter.PlainBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	})
	l := openapi3.NewLoader()
	l.Context = ctx
	t, err := l.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("loading the document: %w", err)
	}
	if err := t.Validate(ctx, openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("the document is not valid OpenAPI: %w", err)
	}
	return t, nil
}

// Validator checks a handler's traffic against a document.
type Validator struct {
	t      testing.TB
	doc    *openapi3.T
	router routers.Router
	// prefixes are the paths the document speaks for: an answer under one of
	// them from no documented operation must be the fallback's 404 or 405.
	prefixes []string
}

// New returns a validator of doc for the test t. Paths under prefixes belong
// to the API; others (pages, static files) pass unchecked.
func New(t testing.TB, doc []byte, prefixes ...string) *Validator {
	t.Helper()
	d, err := Load(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	d.Servers = nil // match on paths only: tests run on any loopback address
	r, err := gorillamux.NewRouter(d)
	if err != nil {
		t.Fatalf("routing the document: %v", err)
	}
	return &Validator{t: t, doc: d, router: r, prefixes: prefixes}
}

// Wrap returns h with every request and answer checked.
func (v *Validator) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		v.check(r, body, rec)
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes()) //nolint:errcheck // the test client reads what it gets
	})
}

func (v *Validator) check(r *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	v.t.Helper()
	if !v.ours(r.URL.Path) || r.Method == http.MethodOptions || r.Method == http.MethodHead {
		return
	}
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	if req.Header.Get("Content-Type") == "" && len(body) > 0 {
		req.Header.Set("Content-Type", "application/json") // the APIs read a body without a type as JSON
	}
	if rest, ok := strings.CutPrefix(req.URL.Path, "/v1/"); ok {
		req.URL.Path = "/api/v1/" + rest // the plugins' alias
	}
	answer, err := decoded(rec)
	if err != nil {
		v.t.Errorf("%s %s: the answer cannot be decoded: %v", r.Method, r.URL.Path, err)
		return
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			v.t.Errorf("%s %s answered %d but the document has no such operation", r.Method, r.URL.Path, rec.Code)
		}
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && rec.Code < 400 {
		v.t.Errorf("%s %s answered %d to a request the document refuses: %v", r.Method, r.URL.Path, rec.Code, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: opts}
	out.SetBodyBytes(answer)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.t.Errorf("%s %s: the answer %d is not what the document says: %v\n%s", r.Method, r.URL.Path, rec.Code, err, clip(answer))
	}
	if rec.Code >= 400 {
		v.checkCode(r, route, rec.Code, answer)
	}
}

// checkCode fails unless the error's code is among those its response lists.
func (v *Validator) checkCode(r *http.Request, route *routers.Route, status int, answer []byte) {
	v.t.Helper()
	var e struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(answer, &e) != nil || e.Code == "" {
		return
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil || resp.Value.Description == nil {
		return // ValidateResponse has said so
	}
	if !strings.Contains(*resp.Value.Description, "`"+e.Code+"`") {
		v.t.Errorf("%s %s answered %d with code %q, which the document does not list for it: %q",
			r.Method, route.Path, status, e.Code, *resp.Value.Description)
	}
}

func (v *Validator) ours(path string) bool {
	for _, p := range v.prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// decoded is the answer's body without its Content-Encoding.
func decoded(rec *httptest.ResponseRecorder) ([]byte, error) {
	var rd io.Reader
	switch rec.Header().Get("Content-Encoding") {
	case "":
		return rec.Body.Bytes(), nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			return nil, err
		}
		rd = zr
	case "br":
		rd = brotli.NewReader(bytes.NewReader(rec.Body.Bytes()))
	default:
		return nil, fmt.Errorf("unknown Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
	return io.ReadAll(rd)
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}
