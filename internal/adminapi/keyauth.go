package adminapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

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
		if !allowedFrom(w, r, key) {
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
