package intandem

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/store"
)

// Data is the app's own tables (connections, card tokens, charge keys), kept
// in the core's database.
type Data struct{ st *store.Store }

// NewData returns the tables over s.
func NewData(s *store.Store) *Data { return &Data{st: s} }

// Connection links a site to an inTandem business.
type Connection struct {
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
func (c *Connection) Origins() []string { return strings.Fields(c.FrameOrigins) }

// AllowsRedirect reports whether raw is an absolute URL on one of the
// connection's inTandem origins, the only places connect and disconnect may
// send a browser back to.
func (c *Connection) AllowsRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return false
	}
	return slices.Contains(c.Origins(), u.Scheme+"://"+u.Host)
}

// SaveConnection creates or replaces a site's connection.
func (d *Data) SaveConnection(ctx context.Context, c *Connection) error {
	if _, err := d.st.GetSite(ctx, c.OrganizationID, c.SiteID); err != nil {
		return err
	}
	c.TokenEnc = d.st.Box().Seal(c.Token, "intandem:"+c.SiteID)
	_, err := d.st.Writer().NewInsert().Model(c).
		On("CONFLICT (site_id) DO UPDATE").
		Set("api_base = EXCLUDED.api_base, business_uid = EXCLUDED.business_uid, token_enc = EXCLUDED.token_enc").
		Set("frame_origins = EXCLUDED.frame_origins, app_name = EXCLUDED.app_name, mode = EXCLUDED.mode").
		Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	if store.IsUniqueViolation(err) {
		return &errs.Error{Kind: errs.Conflict, Code: "conflict", Field: "businessUid",
			Message: fmt.Sprintf("business %s is connected to another site", c.BusinessUID)}
	}
	if err != nil {
		return fmt.Errorf("saving inTandem connection: %w", err)
	}
	return nil
}

func (d *Data) openConnection(c *Connection, err error) (*Connection, error) {
	if err != nil {
		return nil, store.NotFound(err, "inTandem connection")
	}
	if c.Token, err = d.st.Box().Open(c.TokenEnc, "intandem:"+c.SiteID); err != nil {
		return nil, fmt.Errorf("opening inTandem token: %w", err)
	}
	return c, nil
}

// ConnectionBySite returns a site's connection.
func (d *Data) ConnectionBySite(ctx context.Context, siteID string) (*Connection, error) {
	c := new(Connection)
	return d.openConnection(c, d.st.Reader().NewSelect().Model(c).Where("site_id = ?", siteID).Scan(ctx))
}

// ConnectionByBusiness returns the connection of an inTandem business.
func (d *Data) ConnectionByBusiness(ctx context.Context, businessUID string) (*Connection, error) {
	c := new(Connection)
	return d.openConnection(c, d.st.Reader().NewSelect().Model(c).Where("business_uid = ?", businessUID).Scan(ctx))
}

// DeleteConnection removes a site's connection.
func (d *Data) DeleteConnection(ctx context.Context, orgID, siteID string) error {
	res, err := d.st.Writer().NewDelete().Model((*Connection)(nil)).Where("site_id = ?", siteID).Where("organization_id = ?", orgID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("inTandem connection: %w", errs.ErrNotFound)
	}
	return nil
}

// SetConnected records whether inTandem knows the business as connected.
func (d *Data) SetConnected(ctx context.Context, siteID string, connected bool) error {
	_, err := d.st.Writer().NewUpdate().Model((*Connection)(nil)).Set("connected = ?", connected).Set("updated_at = ?", store.TimeNow()).
		Where("site_id = ?", siteID).Exec(ctx)
	return err
}

// Token is a card the charge iframe checked, usable once for one
// charge of its business, amount and currency. The card number is never kept:
// only its brand and last four, and (sandbox) the outcome it will have.
type Token struct {
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

// CreateToken stores a fresh token.
func (d *Data) CreateToken(ctx context.Context, t *Token) error {
	_, err := d.st.Writer().NewInsert().Model(t).Exec(ctx)
	return err
}

// GetToken returns a token.
func (d *Data) GetToken(ctx context.Context, token string) (*Token, error) {
	t := new(Token)
	if err := d.st.Reader().NewSelect().Model(t).Where("token = ?", token).Scan(ctx); err != nil {
		return nil, store.NotFound(err, "card token")
	}
	return t, nil
}

// ClaimToken marks an unused token as used by a payment status and
// reports whether this call claimed it.
func (d *Data) ClaimToken(ctx context.Context, token, usedBy string) (bool, error) {
	var claimed bool
	err := d.st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*Token)(nil)).Set("used_by = ?", usedBy).
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

// SetTokenTransaction records the transaction a token paid.
func (d *Data) SetTokenTransaction(ctx context.Context, token, txID string) error {
	_, err := d.st.Writer().NewUpdate().Model((*Token)(nil)).Set("transaction_id = ?", txID).Where("token = ?", token).Exec(ctx)
	return err
}

// CheckoutRef is the source reference of a checkout paid through
// inTandem's redirect.
func CheckoutRef(businessUID, urlKey string) string {
	return "checkout:" + businessUID + ":" + urlKey
}

// ChargeRef is the source reference of a back-office charge.
func ChargeRef(businessUID, paymentStatusUID string) string {
	return "charge:" + businessUID + ":" + paymentStatusUID
}

// chargeKey records that a charge key was handed to inTandem for a
// transaction; only the key's SHA-256 is kept.
type chargeKey struct {
	bun.BaseModel  `bun:"table:intandem_charge_keys"`
	KeyHash        string    `bun:",pk"`
	TransactionID  string    `bun:",notnull"`
	OrganizationID string    `bun:",notnull"`
	Legacy         bool      `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
}

// IssueChargeKey returns the charge_key inTandem keeps for a
// transaction (for back-office charges, and as the checkout update's
// transaction_id) and records its hash, so that a refund can name it. The key
// is derived from the transaction id under the master key: 256 bits nobody can
// compute without that key, the same every time it is asked for (a replayed
// charge or a retried update hands over the same key), and never stored.
func (d *Data) IssueChargeKey(ctx context.Context, orgID, txID string) (string, error) {
	key := "ck_" + base64.RawURLEncoding.EncodeToString(d.st.Box().Derive("intandem charge key", txID))
	_, err := d.st.Writer().NewInsert().Model(&chargeKey{KeyHash: auth.HashToken(key), TransactionID: txID, OrganizationID: orgID,
		CreatedAt: store.TimeNow()}).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("recording the charge key of %s: %w", txID, err)
	}
	return key, nil
}

// TransactionByChargeKey returns the transaction a charge key was
// issued for.
func (d *Data) TransactionByChargeKey(ctx context.Context, key string) (*checkout.Transaction, error) {
	k := new(chargeKey)
	if err := d.st.Reader().NewSelect().Model(k).Where("key_hash = ?", auth.HashToken(key)).Scan(ctx); err != nil {
		return nil, store.NotFound(err, "charge key")
	}
	return d.st.GetTransaction(ctx, k.OrganizationID, k.TransactionID)
}
