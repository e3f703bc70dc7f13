package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

func TestFail(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name        string
		err         error
		what        string
		status      int
		code, field string
		msg         string
		retryAfter  string
	}{
		{"refused field", errs.Refused("validation_error", "amount", "amount: is out of range"), "", 422, "validation_error", "amount", "amount: is out of range", ""},
		{"not found names what", fmt.Errorf("checkout x: %w", errs.ErrNotFound), "checkout", 404, "not_found", "", "checkout not found", ""},
		{"not found without what", errs.ErrNotFound, "", 404, "not_found", "", "not found", ""},
		{"wrapped conflict", fmt.Errorf("closing: %w", errs.New(errs.Conflict, "checkout_not_open", "closed")), "", 409, "checkout_not_open", "", "closed", ""},
		{"too many", &errs.Error{Kind: errs.TooMany, Code: "too_many_attempts", Message: "wait", RetryAfter: 90 * time.Second}, "", 429, "too_many_attempts", "", "wait", "91"},
		{"upstream", errs.New(errs.Upstream, "provider_error", "down"), "", 502, "provider_error", "", "down", ""},
		{"unavailable", errs.New(errs.Unavailable, "no_provider", "none"), "", 503, "no_provider", "", "none", ""},
		{"bad request", errs.New(errs.BadRequest, "foreign_payment_intent", "not ours"), "", 400, "foreign_payment_intent", "", "not ours", ""},
		{"unclassified is internal", errors.New("disk on fire"), "", 500, "internal_error", "", "internal error", ""},
		{"internal kind is internal", errs.New(errs.Internal, "intents_left_open", "secret detail"), "", 500, "internal_error", "", "internal error", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, r := httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)
			if !Fail(w, r, log, tc.err, tc.what) {
				t.Fatal("Fail reported no error")
			}
			var got Error
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.status || got.Code != tc.code || got.Field != tc.field || got.Error != tc.msg {
				t.Errorf("got %d %+v, want %d %s %s %q", w.Code, got, tc.status, tc.code, tc.field, tc.msg)
			}
			if ra := w.Header().Get("Retry-After"); ra != tc.retryAfter {
				t.Errorf("Retry-After %q, want %q", ra, tc.retryAfter)
			}
		})
	}
	if Fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), log, nil, "") {
		t.Error("Fail reported an error for nil")
	}
}
