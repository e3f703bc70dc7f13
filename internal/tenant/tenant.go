// Package tenant holds the owners of everything else: organizations, their
// users and memberships, their sites and the payment providers of each site.
package tenant

import "time"

// Organization is the top tenant. Keys, sites and checkouts belong to one.
type Organization struct {
	ID        string    `bun:",pk"`
	Name      string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
}

// Role is what a member may do in an organization.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// User is an operator who signs in to the dashboard.
type User struct {
	ID           string    `bun:",pk"`
	Email        string    `bun:",notnull,unique"`
	Name         string    `bun:",notnull"`
	PasswordHash string    `bun:",notnull"`
	CreatedAt    time.Time `bun:",notnull"`
}

// Membership gives a user a role in an organization.
type Membership struct {
	OrganizationID string    `bun:",pk"`
	UserID         string    `bun:",pk"`
	Role           Role      `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
}

// AmountUnits says how a site's API callers express amounts.
type AmountUnits string

const (
	// UnitsUnset means nobody said yet: amounts of two-decimal currencies
	// read the same either way, others are refused until the site says.
	UnitsUnset AmountUnits = ""
	// UnitsMinor means ISO 4217 minor units (JPY 7376 is 7376), the documented form.
	UnitsMinor AmountUnits = "minor"
	// UnitsCents means hundredths of the major unit whatever the currency
	// (JPY 7376 is 737600), what the official shop plugins send.
	UnitsCents AmountUnits = "cents"
)

// Site is a merchant's shop: it owns checkouts, branding and a signing secret.
type Site struct {
	ID             string `bun:",pk"`
	OrganizationID string `bun:",notnull"`
	Slug           string `bun:",notnull"`
	DisplayName    string `bun:",notnull"`
	// Branding of the hosted page.
	LogoURL      string `bun:",notnull"`
	PrimaryColor string `bun:",notnull"`
	Font         string `bun:",notnull"`
	CornerStyle  string `bun:",notnull"`
	// WebhookSecret is the whsec_ string that signs notifications; the store
	// keeps it encrypted and hands it out in clear.
	WebhookSecret string `bun:"-"`
	// PreviousWebhookSecret still signs, beside the new one, until
	// PreviousSecretUntil: receivers switch over without losing a notification.
	PreviousWebhookSecret string      `bun:"-"`
	PreviousSecretUntil   time.Time   `bun:",nullzero"`
	AmountUnits           AmountUnits `bun:",notnull"`
	// IPNVersion is the one version of payment-gateway.app's IPN the site's
	// notifications speak: 1, or 2 for the current official plugins.
	IPNVersion int `bun:"ipn_version,notnull"`
	// DefaultLanguage is the language (BCP 47) the hosted pages speak when
	// neither the checkout nor the buyer's browser names one pgw speaks.
	DefaultLanguage string `bun:",notnull"`
	// RequireEmail makes the hosted page ask the buyer's email, for the
	// receipt, when the checkout has none.
	RequireEmail bool `bun:",notnull"`
	// TimeZone (IANA, such as "Europe/Berlin") is where the site's pages and
	// emails write times when the buyer's browser does not say; "" is UTC.
	TimeZone string `bun:",notnull"`
	// DefaultExpirySeconds is the lifetime of a checkout created without one.
	DefaultExpirySeconds int64     `bun:",notnull"`
	CreatedAt            time.Time `bun:",notnull"`
	UpdatedAt            time.Time `bun:",notnull"`
	// DeletedAt is when the merchant deleted the site: it takes no more
	// checkouts and is gone from its lists, but its history stays readable.
	DeletedAt time.Time `bun:",nullzero"`
}

// IPN versions; sites created from now on speak the current one.
const (
	IPNv1      = 1
	IPNv2      = 2
	IPNCurrent = IPNv2
)

// ProviderType names an implementation of the provider interface.
type ProviderType string

// Provider types.
const (
	ProviderSandbox ProviderType = "sandbox"
	ProviderStripe  ProviderType = "stripe"
	ProviderWire    ProviderType = "wire"
)

// ProviderTypes are every provider type, as text (a hold's allowed types).
var ProviderTypes = []string{string(ProviderSandbox), string(ProviderStripe), string(ProviderWire)}

// Provider is a configured way to pay on one site.
type Provider struct {
	ID             string       `bun:",pk"`
	OrganizationID string       `bun:",notnull"`
	SiteID         string       `bun:",notnull"`
	Type           ProviderType `bun:",notnull"`
	Name           string       `bun:",notnull"`
	// Config is the provider's credentials as JSON; encrypted at rest by the store.
	Config    string    `bun:"-"`
	Enabled   bool      `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
}

// SigningSecrets returns the secret that signs now and, during a rotation's
// overlap, the previous one ("" otherwise).
func (s *Site) SigningSecrets(now time.Time) (current, previous string) {
	if s.PreviousWebhookSecret != "" && now.Before(s.PreviousSecretUntil) {
		previous = s.PreviousWebhookSecret
	}
	return s.WebhookSecret, previous
}

// Location is the site's time zone, UTC when it has none or it is unknown.
func (s *Site) Location() *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
