package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
)

// Client is a buyer as the organization's checkouts know them: grouped by
// the merchant's clientId, else the email (see checkout.ClientKey), per mode.
type Client struct {
	ID string
	// Latest is the client's newest checkout, whose details stand for theirs.
	Latest        *checkout.Checkout
	Checkouts     int
	FirstSeenAt   time.Time
	LastSeenAt    time.Time
	LifetimeValue []Amount
}

// Email is the client's email: their newest checkout's, else its billing
// address's (as checkout.ClientKey reads it).
func (c *Client) Email() string {
	if c.Latest == nil {
		return ""
	}
	if c.Latest.Email != "" {
		return c.Latest.Email
	}
	return c.Billing().Email
}

// Billing is the billing address of the client's newest checkout (empty
// when it has none).
func (c *Client) Billing() checkout.Address {
	if c.Latest == nil || c.Latest.BillingAddress == nil {
		return checkout.Address{}
	}
	return *c.Latest.BillingAddress
}

// Amount is money in one currency.
type Amount struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// ClientFilter selects clients.
type ClientFilter struct {
	OrganizationID string
	Mode           checkout.Mode
	Page, Limit    int
}

type clientRow struct {
	ClientKey string
	N         int
	First     time.Time
	Last      time.Time
}

// ListClients returns a page of the organization's clients in a mode, the
// most recently seen first, and how many there are.
func (s *Store) ListClients(ctx context.Context, f ClientFilter) ([]*Client, int, error) {
	base := func() *bun.SelectQuery {
		return s.read.NewSelect().Model((*checkout.Checkout)(nil)).Where("organization_id = ?", f.OrganizationID).
			Where("mode = ?", f.Mode).Where("client_key <> ''")
	}
	total, err := s.read.NewSelect().TableExpr("(?) AS k", base().Column("client_key").Group("client_key")).Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("counting clients: %w", err)
	}
	var rows []clientRow
	err = base().ColumnExpr("client_key, COUNT(*) AS n, MIN(created_at) AS first, MAX(created_at) AS last").
		Group("client_key").OrderExpr("MAX(created_at) DESC, client_key").
		Limit(int64(f.Limit)).Offset(int64((f.Page-1)*f.Limit)).Scan(ctx, &rows)
	if err != nil {
		return nil, 0, fmt.Errorf("listing clients: %w", err)
	}
	out, err := s.clients(ctx, f.OrganizationID, f.Mode, rows)
	return out, int(total), err
}

// GetClient returns one client of the organization in a mode.
func (s *Store) GetClient(ctx context.Context, orgID string, mode checkout.Mode, id string) (*Client, error) {
	var rows []clientRow
	err := s.read.NewSelect().Model((*checkout.Checkout)(nil)).
		ColumnExpr("client_key, COUNT(*) AS n, MIN(created_at) AS first, MAX(created_at) AS last").
		Where("organization_id = ?", orgID).Where("mode = ?", mode).Where("client_key = ?", id).
		Group("client_key").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("loading client: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("client %s: %w", id, errs.ErrNotFound)
	}
	out, err := s.clients(ctx, orgID, mode, rows)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// clients completes the rows with each client's newest checkout and
// lifetime value: succeeded payments net of their refunds, per currency.
func (s *Store) clients(ctx context.Context, orgID string, mode checkout.Mode, rows []clientRow) ([]*Client, error) {
	if len(rows) == 0 {
		return []*Client{}, nil
	}
	keys := make([]string, len(rows))
	byKey := make(map[string]*Client, len(rows))
	out := make([]*Client, len(rows))
	for i, r := range rows {
		keys[i] = r.ClientKey
		out[i] = &Client{ID: r.ClientKey, Checkouts: r.N, FirstSeenAt: r.First.UTC(), LastSeenAt: r.Last.UTC(), LifetimeValue: []Amount{}}
		byKey[r.ClientKey] = out[i]
	}
	var latest []*checkout.Checkout
	err := s.read.NewSelect().Model(&latest).Where("organization_id = ?", orgID).Where("mode = ?", mode).
		Where("client_key IN (?)", bun.In(keys)).OrderExpr("created_at DESC, id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading clients' checkouts: %w", err)
	}
	for _, c := range latest {
		if cl := byKey[c.ClientKey]; cl.Latest == nil {
			cl.Latest = c
		}
	}
	var sums []struct {
		ClientKey string
		Currency  string
		Total     int64
	}
	err = s.read.NewSelect().TableExpr("transactions AS t").Join("JOIN checkouts AS c ON c.id = t.checkout_id").
		ColumnExpr("c.client_key, t.currency, SUM(t.amount - t.refunded_amount) AS total").
		Where("c.organization_id = ?", orgID).Where("c.mode = ?", mode).Where("c.client_key IN (?)", bun.In(keys)).
		Where("t.status IN (?)", bun.In([]checkout.TxStatus{checkout.TxSucceeded, checkout.TxRefunded})).
		Group("c.client_key", "t.currency").OrderExpr("c.client_key, t.currency").Scan(ctx, &sums)
	if err != nil {
		return nil, fmt.Errorf("adding up clients' payments: %w", err)
	}
	for _, sm := range sums {
		cl := byKey[sm.ClientKey]
		cl.LifetimeValue = append(cl.LifetimeValue, Amount{Currency: sm.Currency, Amount: sm.Total})
	}
	return out, nil
}

// ClientVATID is the VAT ID the tax of the client's latest taxed payment was
// decided on, "" when none gave one.
func (s *Store) ClientVATID(ctx context.Context, orgID string, mode checkout.Mode, clientKey string) (string, error) {
	var evidence []string
	err := s.read.NewSelect().TableExpr("transaction_taxes AS x").Column("x.evidence").
		Join("JOIN transactions AS t ON t.id = x.transaction_id").Join("JOIN checkouts AS c ON c.id = t.checkout_id").
		Where("c.organization_id = ?", orgID).Where("c.mode = ?", mode).Where("c.client_key = ?", clientKey).
		OrderExpr("x.decided_at DESC").Limit(20).Scan(ctx, &evidence)
	if err != nil {
		return "", fmt.Errorf("loading the client's tax evidence: %w", err)
	}
	for _, e := range evidence {
		var ev struct {
			VATID string `json:"vatId"`
		}
		if json.Unmarshal([]byte(e), &ev) == nil && ev.VATID != "" {
			return ev.VATID, nil
		}
	}
	return "", nil
}
