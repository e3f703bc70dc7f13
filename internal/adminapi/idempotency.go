package adminapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/store"
)

var idemKeyRE = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// idemClaim is the Idempotency-Key a request holds (nil without one). A
// handler that stores its answer together with its own change (see
// completion) marks it done.
type idemClaim struct {
	orgID, key string
	done       bool
}

// completion returns the record to complete in the handler's own transaction
// with the answer it is about to give, or nil without an Idempotency-Key. If
// that transaction fails the handler must answer with an error status, which
// releases the claim.
func (c *idemClaim) completion(status int, body []byte) *store.IdempotencyResult {
	if c == nil {
		return nil
	}
	c.done = true
	return &store.IdempotencyResult{OrganizationID: c.orgID, Key: c.key, Status: status, Body: body}
}

// claimHandler is a handler that is handed its request's claim, to store its
// answer in its own transaction.
type claimHandler func(w http.ResponseWriter, r *http.Request, key *auth.APIKey, claim *idemClaim)

// idempotent is idempotentClaim for a handler whose answer is stored after it.
func (a *API) idempotent(h handler) handler {
	return a.idempotentClaim(func(w http.ResponseWriter, r *http.Request, key *auth.APIKey, _ *idemClaim) { h(w, r, key) })
}

// idempotent gives a POST Stripe's Idempotency-Key semantics: the same key and
// body replay the first answer byte for byte; the same key with another body
// (or another endpoint) is 422 idempotency_error; a request still in flight
// with the key is 409. Keys are per organization and mode. Only successful answers are
// kept: after an error the client may retry with the same key.
func (a *API) idempotentClaim(h claimHandler) handler {
	return func(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
		ik := r.Header.Get("Idempotency-Key")
		if ik == "" {
			h(w, r, key, nil)
			return
		}
		if !idemKeyRE.MatchString(ik) {
			httpx.WriteError(w, r, http.StatusBadRequest, "invalid_request", "Idempotency-Key must be 1 to 255 printable ASCII characters")
			return
		}
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		// Test and live keys of an organization have separate namespaces.
		ik = string(key.Mode) + ":" + ik
		sum := sha256.New()
		io.WriteString(sum, r.Method+" "+r.URL.Path+"\n") //nolint:errcheck // hashing cannot fail
		sum.Write(body)
		hash := hex.EncodeToString(sum.Sum(nil))

		rec, claimed, err := a.store.ClaimIdempotency(r.Context(), key.OrganizationID, ik, hash)
		if err != nil {
			httpx.Internal(w, r, a.log, err)
			return
		}
		if !claimed {
			switch {
			case rec.RequestHash != hash:
				httpx.WriteError(w, r, http.StatusUnprocessableEntity, "idempotency_error",
					"this Idempotency-Key was already used with a different request")
			case rec.State == store.IdemInFlight:
				w.Header().Set("Retry-After", "1")
				httpx.WriteError(w, r, http.StatusConflict, "idempotency_in_flight",
					"a request with this Idempotency-Key is still being processed; retry shortly")
			default:
				w.Header().Set("Idempotent-Replayed", "true")
				httpx.WriteRaw(w, rec.ResponseStatus, []byte(rec.ResponseBody))
			}
			return
		}

		claim := &idemClaim{orgID: key.OrganizationID, key: ik}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rw := &recorder{header: w.Header()}
		h(rw, r, key, claim)

		ctx := context.WithoutCancel(r.Context())
		if rw.status == 0 {
			rw.status = http.StatusOK
		}
		switch {
		case rw.status < 200 || rw.status >= 300:
			// Nothing was done (a handler that stored its answer in its own
			// transaction saw that transaction fail): free the key for a retry.
			if err := a.store.ReleaseIdempotency(ctx, key.OrganizationID, ik); err != nil {
				a.log.Error("releasing idempotency key", "err", err, "requestId", httpx.RequestID(ctx))
			}
		case claim.done:
		default:
			if err := a.store.CompleteIdempotency(ctx, &store.IdempotencyResult{
				OrganizationID: key.OrganizationID, Key: ik, Status: rw.status, Body: rw.body.Bytes(),
			}); err != nil {
				a.log.Error("storing idempotent answer", "err", err, "requestId", httpx.RequestID(ctx))
			}
		}
		w.WriteHeader(rw.status)
		w.Write(rw.body.Bytes()) //nolint:errcheck // the client went away
	}
}

// recorder holds a handler's answer so that it can be stored before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
