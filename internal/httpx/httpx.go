// Package httpx is the HTTP plumbing the three servers share: request ids,
// access logs, panic recovery, JSON answers and errors, metrics, health
// endpoints and graceful serving.
package httpx

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
)

type ctxKey int

const requestIDKey ctxKey = iota

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,64}$`)

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Error is the body of every error answer: a message for people, a stable code
// for programs, and the request id to quote to support.
type Error struct {
	Error     string `json:"error"`
	Code      string `json:"code"`
	RequestID string `json:"requestId"`
	Field     string `json:"field,omitempty"`
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error","code":"internal_error"}`)
	}
	WriteRaw(w, status, b)
}

// WriteRaw writes an already encoded JSON body.
func WriteRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away
}

// WriteError writes an error answer.
func WriteError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	WriteJSON(w, status, Error{Error: msg, Code: code, RequestID: RequestID(r.Context())})
}

// WriteFieldError writes an error answer that names the offending field.
func WriteFieldError(w http.ResponseWriter, r *http.Request, status int, code, field, msg string) {
	WriteJSON(w, status, Error{Error: msg, Code: code, Field: field, RequestID: RequestID(r.Context())})
}

// StatusClientClosed is the status recorded for a request whose client went
// away before the answer (nginx's 499); nobody receives it.
const StatusClientClosed = 499

// ClientGone records 499 when the request's client has gone away, which is
// then why its work failed, and reports whether it did: a hang-up is not a
// server error.
func ClientGone(w http.ResponseWriter, r *http.Request) bool {
	if r.Context().Err() == nil {
		return false
	}
	w.WriteHeader(StatusClientClosed)
	return true
}

// Internal logs err with the request id and answers 500 without details,
// or 499 when the client went away.
func Internal(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if ClientGone(w, r) {
		return
	}
	log.ErrorContext(r.Context(), "request failed", "err", err, "requestId", RequestID(r.Context()),
		"method", r.Method, "path", r.URL.Path)
	WriteError(w, r, http.StatusInternalServerError, "internal_error", "internal error")
}

// newRequestID keeps a sane incoming X-Request-ID (set by the reverse proxy)
// and otherwise makes one.
func newRequestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-ID"); requestIDRE.MatchString(id) {
		return id
	}
	return "req_" + ids.Token(20)
}

// Origin returns the scheme://host[:port] of a URL, or "" when it has none.
func Origin(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// StatusOf is the HTTP status of a kind of error, 0 for Internal.
func StatusOf(k errs.Kind) int { return statusOf[k] }

var statusOf = map[errs.Kind]int{
	errs.Invalid:     http.StatusUnprocessableEntity,
	errs.NotFound:    http.StatusNotFound,
	errs.Conflict:    http.StatusConflict,
	errs.TooMany:     http.StatusTooManyRequests,
	errs.Upstream:    http.StatusBadGateway,
	errs.BadRequest:  http.StatusBadRequest,
	errs.Unavailable: http.StatusServiceUnavailable,
	errs.Forbidden:   http.StatusForbidden,
}

// Fail renders a handler's error in the JSON APIs' envelope, and reports
// whether there was one: an *errs.Error by its code, field and the status of
// its kind (what, when given, names the object a not-found refers to),
// anything else as 500, or 499 when the client went away.
func Fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, what string) bool {
	if err == nil {
		return false
	}
	e, ok := errs.As(err)
	if !ok || statusOf[e.Kind] == 0 {
		Internal(w, r, log, err)
		return true
	}
	msg := e.Message
	if e.Kind == errs.NotFound && what != "" {
		msg = what + " not found"
	}
	if e.Kind == errs.TooMany {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds()))
	}
	WriteFieldError(w, r, statusOf[e.Kind], e.Code, e.Field, msg)
	return true
}
