// Package auth holds API keys: their format, how their secrets are stored and
// checked, and the scopes that say what a key may do.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
)

// APIKey is an organization's key. Only the SHA-256 of its secret is kept: the
// secret is 256 random bits, so a slow KDF would add nothing but latency.
type APIKey struct {
	ID             string        `bun:",pk"`
	OrganizationID string        `bun:",notnull"`
	Name           string        `bun:",notnull"`
	Mode           checkout.Mode `bun:",notnull"`
	SecretHash     string        `bun:",notnull"`
	// Scopes is a space-separated list of resource:action grants.
	Scopes     string    `bun:",notnull"`
	CreatedAt  time.Time `bun:",notnull"`
	LastUsedAt time.Time `bun:",nullzero"`
	RevokedAt  time.Time `bun:",nullzero"`
}

// ErrMalformedKey is returned for a string that is not an sk_ key.
var ErrMalformedKey = errors.New("malformed API key")

const keyIDLen = 16

// NewKey makes a key with a fresh id and secret and returns it with the full
// token, which is shown once and never stored.
func NewKey(orgID, name string, mode checkout.Mode, scopes []string, now time.Time) (*APIKey, string) {
	k := &APIKey{
		ID:             ids.Token(keyIDLen),
		OrganizationID: orgID,
		Name:           name,
		Mode:           mode,
		Scopes:         strings.Join(scopes, " "),
		CreatedAt:      now,
	}
	return k, k.Rotate()
}

// Rotate gives the key a new secret and returns the new full token.
func (k *APIKey) Rotate() string {
	secret := ids.Secret(32)
	k.SecretHash = HashToken(secret)
	return prefix(k.Mode) + k.ID + "." + secret
}

func prefix(m checkout.Mode) string {
	if m == checkout.ModeLive {
		return "sk_live_"
	}
	return "sk_test_"
}

// ParseToken splits "sk_live_<id>.<secret>" or "sk_test_<id>.<secret>".
func ParseToken(token string) (mode checkout.Mode, id, secret string, err error) {
	rest, ok := strings.CutPrefix(token, "sk_live_")
	mode = checkout.ModeLive
	if !ok {
		if rest, ok = strings.CutPrefix(token, "sk_test_"); !ok {
			return "", "", "", ErrMalformedKey
		}
		mode = checkout.ModeTest
	}
	id, secret, ok = strings.Cut(rest, ".")
	if !ok || len(id) != keyIDLen || len(secret) < 32 || len(secret) > 128 {
		return "", "", "", ErrMalformedKey
	}
	return mode, id, secret, nil
}

// Matches reports in constant time whether secret is this key's secret.
func (k *APIKey) Matches(mode checkout.Mode, secret string) bool {
	h := HashToken(secret)
	return subtle.ConstantTimeCompare([]byte(h), []byte(k.SecretHash)) == 1 && mode == k.Mode
}

// Active reports whether the key has not been revoked.
func (k *APIKey) Active() bool { return k.RevokedAt.IsZero() }

// HashToken is how a random secret (an API key's, a dashboard session's) is
// kept: its SHA-256 in hex. The secret is long and random, so no salt or
// stretching is needed.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ScopeList returns the key's grants.
func (k *APIKey) ScopeList() []string { return strings.Fields(k.Scopes) }

// Allows reports whether the key grants scope ("checkout:create"). A grant of
// "resource:*" covers every action on the resource, "*" covers everything.
func (k *APIKey) Allows(scope string) bool {
	resource, _, _ := strings.Cut(scope, ":")
	for _, g := range k.ScopeList() {
		if g == scope || g == "*" || g == resource+":*" {
			return true
		}
	}
	return false
}

// Scopes known to the API.
const (
	ScopeCheckoutRead      = "checkout:read"
	ScopeCheckoutCreate    = "checkout:create"
	ScopeCheckoutUpdate    = "checkout:update"
	ScopeTransactionRead   = "transaction:read"
	ScopeTransactionCreate = "transaction:create"
	ScopeTransactionUpdate = "transaction:update"
	ScopeTransactionDelete = "transaction:delete"
	ScopeTransactionExec   = "transaction:execute"
	ScopeSiteRead          = "site:read"
	ScopeSiteUpdate        = "site:update"
	ScopeSiteCreate        = "site:create"
	ScopeNotificationRead  = "notification:read"
	ScopeNotificationExec  = "notification:execute"
	ScopeProviderRead      = "provider:read"
	ScopeProviderCreate    = "provider:create"
	ScopeProviderUpdate    = "provider:update"
	ScopeClientRead        = "client:read"
	ScopeClientCreate      = "client:create"
	ScopeClientDelete      = "client:delete"
	ScopeOrganizationRead  = "organization:read"
	ScopeOrganizationExec  = "organization:execute"
	ScopeTaxRateRead       = "tax_rate:read"
	ScopeTaxRateCreate     = "tax_rate:create"
	ScopeTaxRateUpdate     = "tax_rate:update"
	ScopeTaxRateDelete     = "tax_rate:delete"
	ScopeTaxReportRead     = "tax_report:read"
)

// DefaultScopes are what a bootstrap key gets: every checkout and transaction
// scope, and the site, notification and provider scopes a merchant needs to
// run notifications and connect a payment provider.
var DefaultScopes = []string{
	ScopeCheckoutRead, ScopeCheckoutCreate, ScopeCheckoutUpdate,
	ScopeTransactionRead, ScopeTransactionCreate, ScopeTransactionUpdate,
	ScopeTransactionDelete, ScopeTransactionExec,
	ScopeSiteRead, ScopeSiteCreate, ScopeSiteUpdate, ScopeNotificationRead, ScopeNotificationExec,
	ScopeProviderRead, ScopeProviderCreate, ScopeProviderUpdate,
	ScopeClientRead, ScopeClientCreate, ScopeClientDelete,
	ScopeOrganizationRead, ScopeOrganizationExec,
	ScopeTaxRateRead, ScopeTaxRateCreate, ScopeTaxRateUpdate, ScopeTaxRateDelete, ScopeTaxReportRead,
}

var validResources = []string{
	"checkout", "transaction", "site", "provider", "api_key", "organization", "notification", "client", "tax_rate", "tax_report",
}

var validActions = []string{"read", "create", "update", "delete", "execute", "*"}

// ValidScope reports whether s is "*" or a known resource:action pair.
func ValidScope(s string) bool {
	if s == "*" {
		return true
	}
	r, a, ok := strings.Cut(s, ":")
	return ok && slices.Contains(validResources, r) && slices.Contains(validActions, a)
}
