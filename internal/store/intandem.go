package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
)

// IntandemConnection links a site to an inTandem business.
type IntandemConnection struct {
	bun.BaseModel  `bun:"table:intandem_connections"`
	SiteID         string `bun:",pk"`
	OrganizationID string `bun:",notnull"`
	APIBase        string `bun:",notnull"`
	BusinessUID    string `bun:",notnull"`
	Token          string `bun:"-"` // the business's access token, sealed at rest
	TokenEnc       string `bun:",notnull"`
	// FrameOrigins may frame the charge iframe and post to it (space-separated).
	FrameOrigins string        `bun:",notnull"`
	AppName      string        `bun:",notnull"`
	Mode         checkout.Mode `bun:",notnull"`
	Connected    bool          `bun:",notnull"`
	CreatedAt    time.Time     `bun:",notnull"`
	UpdatedAt    time.Time     `bun:",notnull"`
}

// Origins returns the allowed parent origins.
func (c *IntandemConnection) Origins() []string { return strings.Fields(c.FrameOrigins) }

// AllowsRedirect reports whether raw is an absolute URL on one of the
// connection's inTandem origins, the only places connect and disconnect may
// send a browser back to.
func (c *IntandemConnection) AllowsRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return false
	}
	return slices.Contains(c.Origins(), u.Scheme+"://"+u.Host)
}

// SaveIntandemConnection creates or replaces a site's connection.
func (s *Store) SaveIntandemConnection(ctx context.Context, c *IntandemConnection) error {
	if _, err := s.GetSite(ctx, c.OrganizationID, c.SiteID); err != nil {
		return err
	}
	c.TokenEnc = s.box.Seal(c.Token, "intandem:"+c.SiteID)
	_, err := s.write.NewInsert().Model(c).
		On("CONFLICT (site_id) DO UPDATE").
		Set("api_base = EXCLUDED.api_base, business_uid = EXCLUDED.business_uid, token_enc = EXCLUDED.token_enc").
		Set("frame_origins = EXCLUDED.frame_origins, app_name = EXCLUDED.app_name, mode = EXCLUDED.mode").
		Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	if isUniqueViolation(err) {
		return fmt.Errorf("business %s is connected to another site", c.BusinessUID)
	}
	if err != nil {
		return fmt.Errorf("saving inTandem connection: %w", err)
	}
	return nil
}

func (s *Store) openConnection(c *IntandemConnection, err error) (*IntandemConnection, error) {
	if err != nil {
		return nil, notFound(err, "inTandem connection")
	}
	if c.Token, err = s.box.Open(c.TokenEnc, "intandem:"+c.SiteID); err != nil {
		return nil, fmt.Errorf("opening inTandem token: %w", err)
	}
	return c, nil
}

// IntandemBySite returns a site's connection.
func (s *Store) IntandemBySite(ctx context.Context, siteID string) (*IntandemConnection, error) {
	c := new(IntandemConnection)
	return s.openConnection(c, s.read.NewSelect().Model(c).Where("site_id = ?", siteID).Scan(ctx))
}

// IntandemByBusiness returns the connection of an inTandem business.
func (s *Store) IntandemByBusiness(ctx context.Context, businessUID string) (*IntandemConnection, error) {
	c := new(IntandemConnection)
	return s.openConnection(c, s.read.NewSelect().Model(c).Where("business_uid = ?", businessUID).Scan(ctx))
}

// DeleteIntandemConnection removes a site's connection.
func (s *Store) DeleteIntandemConnection(ctx context.Context, orgID, siteID string) error {
	res, err := s.write.NewDelete().Model((*IntandemConnection)(nil)).Where("site_id = ?", siteID).Where("organization_id = ?", orgID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("inTandem connection: %w", checkout.ErrNotFound)
	}
	return nil
}

// SetIntandemConnected records whether inTandem knows the business as connected.
func (s *Store) SetIntandemConnected(ctx context.Context, siteID string, connected bool) error {
	_, err := s.write.NewUpdate().Model((*IntandemConnection)(nil)).Set("connected = ?", connected).Set("updated_at = ?", now()).
		Where("site_id = ?", siteID).Exec(ctx)
	return err
}

// FindOrCreateCheckout stores c unless the site already has a checkout with
// the same source reference, which is returned instead (created=false).
func (s *Store) FindOrCreateCheckout(ctx context.Context, c *checkout.Checkout) (*checkout.Checkout, bool, error) {
	return RetryOnConflict(func() (*checkout.Checkout, bool, error) {
		var got *checkout.Checkout
		var created bool
		err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			existing := new(checkout.Checkout)
			err := tx.NewSelect().Model(existing).Where("site_id = ?", c.SiteID).Where("source = ?", c.Source).
				Where("source_ref = ?", c.SourceRef).Scan(ctx)
			if err == nil {
				got, created = existing, false
				return nil
			}
			if !errors.Is(err, errNoRows) {
				return err
			}
			got, created = c, true
			return s.insertCheckout(ctx, tx, c, nil)
		})
		return got, created, err
	})
}

// IntandemToken is a card the charge iframe checked, usable once for one
// charge of its business, amount and currency. The card number is never kept:
// only its brand and last four, and (sandbox) the outcome it will have.
type IntandemToken struct {
	bun.BaseModel  `bun:"table:intandem_tokens"`
	Token          string    `bun:",pk"`
	OrganizationID string    `bun:",notnull"`
	SiteID         string    `bun:",notnull"`
	BusinessUID    string    `bun:",notnull"`
	Amount         int64     `bun:",notnull"`
	Currency       string    `bun:",notnull"`
	ProviderID     string    `bun:",notnull"`
	CardBrand      string    `bun:",notnull"`
	CardLast4      string    `bun:"card_last4,notnull"`
	CardholderName string    `bun:",notnull"`
	OutcomeCode    string    `bun:",notnull"`
	OutcomeMessage string    `bun:",notnull"`
	PaymentMethod  string    `bun:",notnull"` // a Stripe PaymentMethod id
	ClientID       string    `bun:",notnull"`
	SaveCard       bool      `bun:",notnull"`
	UsedBy         string    `bun:",notnull"` // the payment_status_uid that used it
	TransactionID  string    `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	ExpiresAt      time.Time `bun:",notnull"`
}

// CreateIntandemToken stores a fresh token.
func (s *Store) CreateIntandemToken(ctx context.Context, t *IntandemToken) error {
	_, err := s.write.NewInsert().Model(t).Exec(ctx)
	return err
}

// GetIntandemToken returns a token.
func (s *Store) GetIntandemToken(ctx context.Context, token string) (*IntandemToken, error) {
	t := new(IntandemToken)
	if err := s.read.NewSelect().Model(t).Where("token = ?", token).Scan(ctx); err != nil {
		return nil, notFound(err, "card token")
	}
	return t, nil
}

// ClaimIntandemToken marks an unused token as used by a payment status and
// reports whether this call claimed it.
func (s *Store) ClaimIntandemToken(ctx context.Context, token, usedBy string) (bool, error) {
	var claimed bool
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*IntandemToken)(nil)).Set("used_by = ?", usedBy).
			Where("token = ?", token).Where("used_by = ''").Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// SetIntandemTokenTransaction records the transaction a token paid.
func (s *Store) SetIntandemTokenTransaction(ctx context.Context, token, txID string) error {
	_, err := s.write.NewUpdate().Model((*IntandemToken)(nil)).Set("transaction_id = ?", txID).Where("token = ?", token).Exec(ctx)
	return err
}

// IntandemCheckoutRef is the source reference of a checkout paid through
// inTandem's redirect.
func IntandemCheckoutRef(businessUID, urlKey string) string {
	return "checkout:" + businessUID + ":" + urlKey
}

// IntandemChargeRef is the source reference of a back-office charge.
func IntandemChargeRef(businessUID, paymentStatusUID string) string {
	return "charge:" + businessUID + ":" + paymentStatusUID
}

// FindCheckoutBySourceRef returns the checkout of a site with a source reference.
func (s *Store) FindCheckoutBySourceRef(ctx context.Context, siteID string, source checkout.Source, ref string) (*checkout.Checkout, error) {
	c := new(checkout.Checkout)
	if err := s.read.NewSelect().Model(c).Where("site_id = ?", siteID).Where("source = ?", source).Where("source_ref = ?", ref).Scan(ctx); err != nil {
		return nil, notFound(err, "checkout")
	}
	return c, nil
}

// intandemChargeKey records that a charge key was handed to inTandem for a
// transaction; only the key's SHA-256 is kept.
type intandemChargeKey struct {
	bun.BaseModel  `bun:"table:intandem_charge_keys"`
	KeyHash        string    `bun:",pk"`
	TransactionID  string    `bun:",notnull"`
	OrganizationID string    `bun:",notnull"`
	Legacy         bool      `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
}

// IssueIntandemChargeKey returns the charge_key inTandem keeps for a
// transaction (for back-office charges, and as the checkout update's
// transaction_id) and records its hash, so that a refund can name it. The key
// is derived from the transaction id under the master key: 256 bits nobody can
// compute without that key, the same every time it is asked for (a replayed
// charge or a retried update hands over the same key), and never stored.
func (s *Store) IssueIntandemChargeKey(ctx context.Context, orgID, txID string) (string, error) {
	key := "ck_" + base64.RawURLEncoding.EncodeToString(s.box.Derive("intandem charge key", txID))
	_, err := s.write.NewInsert().Model(&intandemChargeKey{KeyHash: auth.HashToken(key), TransactionID: txID, OrganizationID: orgID,
		CreatedAt: now()}).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("recording the charge key of %s: %w", txID, err)
	}
	return key, nil
}

// TransactionByIntandemChargeKey returns the transaction a charge key was
// issued for.
func (s *Store) TransactionByIntandemChargeKey(ctx context.Context, key string) (*checkout.Transaction, error) {
	k := new(intandemChargeKey)
	if err := s.read.NewSelect().Model(k).Where("key_hash = ?", auth.HashToken(key)).Scan(ctx); err != nil {
		return nil, notFound(err, "charge key")
	}
	return s.GetTransactionScoped(ctx, k.OrganizationID, k.TransactionID)
}
