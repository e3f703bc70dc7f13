// Package auth holds API keys: their format, how their secrets are stored and
// checked, and the scopes that say what a key may do.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
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
	// PreviousSecretHash is the secret a rotation replaced; it is accepted
	// until PreviousUntil (the grace period the rotation asked for).
	PreviousSecretHash string    `bun:",notnull"`
	PreviousUntil      time.Time `bun:",nullzero"`
	// AllowedIPs is a space-separated list of addresses and CIDR prefixes the
	// key may be used from; empty allows any.
	AllowedIPs string `bun:"allowed_ips,notnull"`
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

// RotateWithGrace gives the key a new secret and keeps the one it had valid
// until until (not at all when until is not after now).
func (k *APIKey) RotateWithGrace(now, until time.Time) string {
	k.PreviousSecretHash, k.PreviousUntil = "", time.Time{}
	if until.After(now) {
		k.PreviousSecretHash, k.PreviousUntil = k.SecretHash, until
	}
	return k.Rotate()
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

// Matches reports in constant time whether secret is this key's secret at
// now: its current one, or the one a rotation replaced while its grace lasts.
func (k *APIKey) Matches(mode checkout.Mode, secret string, now time.Time) bool {
	h := []byte(HashToken(secret))
	current := subtle.ConstantTimeCompare(h, []byte(k.SecretHash)) == 1
	previous := k.PreviousSecretHash != "" && subtle.ConstantTimeCompare(h, []byte(k.PreviousSecretHash)) == 1 &&
		now.Before(k.PreviousUntil)
	return (current || previous) && mode == k.Mode
}

// MaxAllowedIPs is how many entries a key's IP allow-list may have.
const MaxAllowedIPs = 50

// ParseAllowedIPs checks an allow-list of addresses ("203.0.113.7") and
// prefixes ("203.0.113.0/24", "2001:db8::/32") and returns it normalized.
func ParseAllowedIPs(list []string) ([]string, error) {
	if len(list) > MaxAllowedIPs {
		return nil, fmt.Errorf("at most %d entries", MaxAllowedIPs)
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		p = p.Masked()
		if !slices.Contains(out, p.String()) {
			out = append(out, p.String())
		}
	}
	return out, nil
}

// IPList returns the key's allow-list.
func (k *APIKey) IPList() []string { return strings.Fields(k.AllowedIPs) }

// AllowsAddr reports whether the key may be used from addr: any address when
// its allow-list is empty.
func (k *APIKey) AllowsAddr(addr netip.Addr) bool {
	list := k.IPList()
	if len(list) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
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

// Covers reports whether the key holds every right grant gives, so that a
// key can hand on no more than it has: "site:*" needs "site:*" or "*", and
// "*" needs "*".
func (k *APIKey) Covers(grant string) bool {
	if grant == "*" {
		return slices.Contains(k.ScopeList(), "*")
	}
	if resource, ok := strings.CutSuffix(grant, ":*"); ok {
		return slices.Contains(k.ScopeList(), "*") || slices.Contains(k.ScopeList(), resource+":*")
	}
	return k.Allows(grant)
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
	ScopeSiteDelete        = "site:delete"
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
	ScopeAPIKeyRead        = "api_key:read"
	ScopeAPIKeyCreate      = "api_key:create"
	ScopeAPIKeyUpdate      = "api_key:update"
	ScopeAPIKeyDelete      = "api_key:delete"
	ScopeAPIKeyExec        = "api_key:execute"
	ScopeDomainRead        = "domain:read"
	ScopeDomainCreate      = "domain:create"
	ScopeDomainUpdate      = "domain:update"
	ScopeDomainDelete      = "domain:delete"
	ScopeDomainExec        = "domain:execute"
)

// DefaultScopes are what a bootstrap key gets: every checkout and transaction
// scope, and the site, notification and provider scopes a merchant needs to
// run notifications and connect a payment provider.
var DefaultScopes = []string{
	ScopeCheckoutRead, ScopeCheckoutCreate, ScopeCheckoutUpdate,
	ScopeTransactionRead, ScopeTransactionCreate, ScopeTransactionUpdate,
	ScopeTransactionDelete, ScopeTransactionExec,
	ScopeSiteRead, ScopeSiteCreate, ScopeSiteUpdate, ScopeSiteDelete, ScopeNotificationRead, ScopeNotificationExec,
	ScopeProviderRead, ScopeProviderCreate, ScopeProviderUpdate,
	ScopeClientRead, ScopeClientCreate, ScopeClientDelete,
	ScopeOrganizationRead, ScopeOrganizationExec,
	ScopeTaxRateRead, ScopeTaxRateCreate, ScopeTaxRateUpdate, ScopeTaxRateDelete, ScopeTaxReportRead,
	ScopeDomainRead, ScopeDomainCreate, ScopeDomainUpdate, ScopeDomainDelete, ScopeDomainExec,
}

// KeyScopes let a key manage the organization's keys. No key gets them by
// default: a leaked shop key must not be able to mint keys of its own.
var KeyScopes = []string{ScopeAPIKeyRead, ScopeAPIKeyCreate, ScopeAPIKeyUpdate, ScopeAPIKeyDelete, ScopeAPIKeyExec}

var validResources = []string{
	"checkout", "transaction", "site", "provider", "api_key", "organization", "notification", "client", "tax_rate", "tax_report",
	"domain",
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
