package adminapi

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
)

type keyCtx struct{}

// keyFrom returns the API key that authenticated the request.
func keyFrom(ctx context.Context) *auth.APIKey {
	k, _ := ctx.Value(keyCtx{}).(*auth.APIKey)
	return k
}

// handler is an API handler that runs after authentication.
type handler func(w http.ResponseWriter, r *http.Request, key *auth.APIKey)

// authed authenticates the bearer key and checks it grants scope: 401 for a
// missing, malformed, unknown, revoked or wrong key (all alike, so nothing is
// learnt by probing), 403 for a missing scope.
func (a *API) authed(scope string, h handler) http.Handler {
	return a.authedBody(scope, maxBody, h)
}

// authedBody is authed with a body limit of its own (bank statements).
func (a *API) authedBody(scope string, limit int64, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pgw"`)
			httpx.WriteError(w, r, http.StatusUnauthorized, "unauthorized", "missing API key: send Authorization: Bearer sk_...")
			return
		}
		key, err := a.authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if !errors.Is(err, errBadKey) {
				httpx.Internal(w, r, a.log, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="pgw", error="invalid_token"`)
			httpx.WriteError(w, r, http.StatusUnauthorized, "unauthorized", "invalid or revoked API key")
			return
		}
		if !allowedFrom(w, r, key) || !a.withinLimits(w, r, key) {
			return
		}
		if !key.Allows(scope) {
			httpx.WriteError(w, r, http.StatusForbidden, "forbidden", "this API key lacks the scope "+scope)
			return
		}
		a.usage.Touch(key.ID, a.opts.Now())
		r = r.WithContext(context.WithValue(r.Context(), keyCtx{}, key))
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h(w, r, key)
	})
}

var errBadKey = errors.New("bad API key")

func (a *API) authenticate(ctx context.Context, token string) (*auth.APIKey, error) {
	mode, id, secret, err := auth.ParseToken(token)
	if err != nil {
		return nil, errBadKey
	}
	key, err := a.store.GetAPIKey(ctx, id)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errBadKey
	}
	if err != nil {
		return nil, err
	}
	if !key.Matches(mode, secret, a.opts.Now()) || !key.Active() {
		return nil, errBadKey
	}
	return key, nil
}

// withinLimits counts the request against its key's and organization's
// limits, tells the client where it stands in X-RateLimit-Limit, -Remaining
// and -Reset (Unix seconds), and answers 429 with Retry-After past a limit.
func (a *API) withinLimits(w http.ResponseWriter, r *http.Request, key *auth.APIKey) bool {
	l := a.opts.Limits
	if l == nil {
		return true
	}
	if addr, err := netip.ParseAddr(httpx.ClientAddr(r)); err == nil && l.Exempt(key.ID, addr) {
		return true
	}
	v, err := l.Request(r.Context(), key.ID, key.OrganizationID)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return false
	}
	if v.Limit > 0 {
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(v.Limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(v.Remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(v.Reset.Unix(), 10))
	}
	if !v.Allowed {
		w.Header().Set("Retry-After", strconv.Itoa(int(v.RetryAfter/time.Second)+1))
		httpx.WriteError(w, r, http.StatusTooManyRequests, "rate_limited", "too many requests; retry after the time in Retry-After")
		return false
	}
	return true
}
