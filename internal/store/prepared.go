package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
)

// The hot path of create-checkout uses prepared statements: bun writes values
// into the SQL text, so every statement would be parsed anew, and parsing was
// the largest cost of a create. Inserts are prepared once per group-commit
// transaction and key lookups once per connection.

const bunTimeFormat = "2006-01-02 15:04:05.999999-07:00"

// timeArg passes a time the way bun writes it, so rows written here and by bun
// compare and sort alike on SQLite, which keeps times as text.
func (s *Store) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if s.dialect == SQLite {
		return t.UTC().Format(bunTimeFormat)
	}
	return t.UTC()
}

// rebind turns ? placeholders into PostgreSQL's $1, $2...
func (s *Store) rebind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func insertSQL(table string, cols []string) string {
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
}

var (
	checkoutCols = []string{"id", "organization_id", "site_id", "mode", "session_public_id", "short_code", "status",
		"currency", "amount", "email", "return_url", "cancel_url", "ipn_url", "external_reference", "invoice_number",
		"client_id", "billing_address", "shipping_address", "metadata", "locale", "source", "source_ref",
		"expires_at", "closed_at", "created_at", "updated_at"}
	itemCols = []string{"checkout_id", "position", "name", "description", "quantity", "unit_price", "vat_rate",
		"item_type", "amount_type"}
	insertCheckoutSQL = insertSQL("checkouts", checkoutCols)
	insertItemSQL     = insertSQL("line_items", itemCols)
)

func jsonArg(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

func (s *Store) checkoutArgs(c *checkout.Checkout) ([]any, error) {
	var billing, shipping any
	var err error
	if c.BillingAddress != nil {
		if billing, err = jsonArg(c.BillingAddress); err != nil {
			return nil, err
		}
	}
	if c.ShippingAddress != nil {
		if shipping, err = jsonArg(c.ShippingAddress); err != nil {
			return nil, err
		}
	}
	md := c.Metadata
	if md == nil {
		md = map[string]string{}
	}
	metadata, err := jsonArg(md)
	if err != nil {
		return nil, err
	}
	return []any{c.ID, c.OrganizationID, c.SiteID, string(c.Mode), c.SessionPublicID, c.ShortCode, string(c.Status),
		c.Currency, c.Amount, c.Email, c.ReturnURL, c.CancelURL, c.IPNURL, c.ExternalReference, c.InvoiceNumber,
		c.ClientID, billing, shipping, metadata, c.Locale, string(c.Source), c.SourceRef,
		s.timeArg(c.ExpiresAt), s.timeArg(c.ClosedAt), s.timeArg(c.CreatedAt), s.timeArg(c.UpdatedAt)}, nil
}

// stmtCache holds the statements prepared in one transaction.
type stmtCache struct {
	tx bun.Tx
	m  map[string]*sql.Stmt
}

type stmtCacheKey struct{}

func withStmtCache(ctx context.Context, tx bun.Tx) (context.Context, func()) {
	c := &stmtCache{tx: tx, m: map[string]*sql.Stmt{}}
	return context.WithValue(ctx, stmtCacheKey{}, c), func() {
		for _, st := range c.m {
			st.Close()
		}
	}
}

// execPrepared runs query in tx, prepared once per transaction.
func (s *Store) execPrepared(ctx context.Context, tx bun.Tx, query string, args ...any) (sql.Result, error) {
	c, _ := ctx.Value(stmtCacheKey{}).(*stmtCache)
	if c == nil || c.tx != tx {
		return tx.ExecContext(ctx, s.rebind(query), args...)
	}
	st, ok := c.m[query]
	if !ok {
		var err error
		if st, err = tx.Tx.PrepareContext(ctx, s.rebind(query)); err != nil {
			return nil, err
		}
		c.m[query] = st
	}
	return st.ExecContext(ctx, args...)
}

func (s *Store) insertCheckout(ctx context.Context, tx bun.Tx, c *checkout.Checkout, done *IdempotencyResult) error {
	args, err := s.checkoutArgs(c)
	if err != nil {
		return fmt.Errorf("encoding checkout: %w", err)
	}
	if _, err := s.execPrepared(ctx, tx, insertCheckoutSQL, args...); err != nil {
		return fmt.Errorf("inserting checkout: %w", err)
	}
	for _, it := range c.Items {
		if _, err := s.execPrepared(ctx, tx, insertItemSQL, c.ID, it.Position, it.Name, it.Description, it.Quantity,
			it.UnitPrice, it.VATRate, it.ItemType, it.AmountType); err != nil {
			return fmt.Errorf("inserting checkout items: %w", err)
		}
	}
	if done != nil {
		return s.completeIdempotency(ctx, tx, done)
	}
	return nil
}

// readStmts are statements prepared on the read pool, once.
type readStmts struct {
	mu sync.Mutex
	m  map[string]bun.Stmt
}

func (s *Store) queryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s.reads.mu.Lock()
	st, ok := s.reads.m[query]
	if !ok {
		var err error
		if st, err = s.read.PrepareContext(ctx, s.rebind(query)); err != nil {
			s.reads.mu.Unlock()
			return nil, err
		}
		s.reads.m[query] = st
	}
	s.reads.mu.Unlock()
	return st.QueryContext(ctx, args...)
}

var getSiteSQL = "SELECT id, organization_id, slug, display_name, logo_url, primary_color, font, corner_style, " +
	"webhook_secret_enc, previous_webhook_secret_enc, previous_secret_until, amount_units, default_expiry_seconds, created_at, updated_at " +
	"FROM sites WHERE id = ? AND organization_id = ?"

var getAPIKeySQL = "SELECT id, organization_id, name, mode, secret_hash, scopes, created_at, last_used_at, revoked_at FROM api_keys WHERE id = ?"

// GetAPIKey returns a key by id, revoked or not.
func (s *Store) GetAPIKey(ctx context.Context, id string) (*auth.APIKey, error) {
	rows, err := s.queryPrepared(ctx, getAPIKeySQL, id)
	if err != nil {
		return nil, fmt.Errorf("loading API key: %w", err)
	}
	k := new(auth.APIKey)
	if err := s.scanOne(ctx, rows, k); err != nil {
		return nil, notFound(err, "API key")
	}
	return k, nil
}

// scanOne scans the first row into dest and closes rows; no row is
// sql.ErrNoRows.
func (s *Store) scanOne(ctx context.Context, rows *sql.Rows, dest any) error {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := s.read.ScanRow(ctx, rows, dest); err != nil {
		return err
	}
	return rows.Close()
}

var (
	getCheckoutByShortCodeSQL = "SELECT " + strings.Join(checkoutCols, ", ") + " FROM checkouts WHERE short_code = ?"
	getCheckoutByPublicIDSQL  = "SELECT " + strings.Join(checkoutCols, ", ") + " FROM checkouts WHERE session_public_id = ?"
	getItemsSQL               = "SELECT " + strings.Join(itemCols, ", ") + " FROM line_items WHERE checkout_id = ? ORDER BY position"
)

// checkoutWithItems loads one checkout and its lines with prepared statements:
// the hosted pages and the runtime API do this on every view.
func (s *Store) checkoutWithItems(ctx context.Context, query, arg string) (*checkout.Checkout, error) {
	rows, err := s.queryPrepared(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("loading checkout: %w", err)
	}
	c := new(checkout.Checkout)
	if err := s.scanOne(ctx, rows, c); err != nil {
		return nil, notFound(err, "checkout")
	}
	if rows, err = s.queryPrepared(ctx, getItemsSQL, c.ID); err != nil {
		return nil, fmt.Errorf("loading checkout items: %w", err)
	}
	if err := s.read.ScanRows(ctx, rows, &c.Items); err != nil {
		return nil, fmt.Errorf("loading checkout items: %w", err)
	}
	return c, nil
}
