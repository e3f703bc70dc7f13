package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
)

// The hot path of create-checkout uses prepared statements: bun writes values
// into the SQL text, so every statement would be parsed anew, and parsing was
// the largest cost of a create. Inserts are prepared once per group-commit
// transaction and key lookups once per connection.

// timeArg passes a time the way bun writes it (its dialect's own text), so
// rows written here and by bun compare and sort alike on SQLite, which keeps
// times as text.
func (s *Store) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if s.dialect == SQLite {
		quoted := s.write.Dialect().AppendTime(nil, t)
		return string(quoted[1 : len(quoted)-1])
	}
	return t.UTC()
}

// param is the n-th (from 1) bind parameter in the dialect's own syntax.
func (s *Store) param(n int) string {
	if s.dialect == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// hotStmts are the statements of the hot path, built once from bun's
// metadata of the models' tables rather than from column lists kept by hand,
// with the dialect's own parameters.
type hotStmts struct {
	insertCheckout, insertItem rowInsert
	// checkoutBy* select a checkout by its short code or public id, items
	// the lines of a checkout, siteByID a site of an organization, apiKey a
	// key by id.
	checkoutByShortCode, checkoutByPublicID, items, siteByID, apiKey string
	// anySiteByID is siteByID with deleted sites too.
	anySiteByID string
	// claimIdempotency inserts a record unless its key is taken,
	// completeIdempotency stores a claimed request's answer.
	claimIdempotency    rowInsert
	completeIdempotency string
	// riskOf finds whether a customer has a hold or an unresolved dispute.
	riskOf string
}

func (s *Store) newHotStmts() hotStmts {
	claim := s.newRowInsert((*IdempotencyRecord)(nil))
	claim.sql += " ON CONFLICT (organization_id, idem_key) DO NOTHING"
	return hotStmts{
		insertCheckout:      s.newRowInsert((*checkout.Checkout)(nil)),
		insertItem:          s.newRowInsert((*checkout.LineItem)(nil)),
		checkoutByShortCode: s.selectWhere((*checkout.Checkout)(nil), "", "short_code"),
		checkoutByPublicID:  s.selectWhere((*checkout.Checkout)(nil), "", "session_public_id"),
		items:               s.selectWhere((*checkout.LineItem)(nil), " ORDER BY position", "checkout_id"),
		siteByID:            s.selectWhere((*siteRow)(nil), " AND deleted_at IS NULL", "id", "organization_id"),
		anySiteByID:         s.selectWhere((*siteRow)(nil), "", "id", "organization_id"),
		apiKey:              s.selectWhere((*auth.APIKey)(nil), "", "id"),
		claimIdempotency:    claim,
		completeIdempotency: s.updateWhere((*IdempotencyRecord)(nil), []string{"state", "response_status", "response_body"}, "organization_id", "idem_key"),
		riskOf: "SELECT 1 FROM customer_risk_holds WHERE organization_id = " + s.param(1) + " AND (email = " + s.param(2) +
			" OR client_id = " + s.param(3) + ") UNION ALL SELECT 1 FROM disputes WHERE organization_id = " + s.param(4) +
			" AND status IN ('open', 'under_review') AND (customer_email = " + s.param(5) + " OR client_id = " + s.param(6) + ") LIMIT 1",
	}
}

// updateWhere sets each of sets, then where each of cols equals, to
// parameters in that order, in the model's table.
func (s *Store) updateWhere(model any, sets []string, cols ...string) string {
	table := s.write.Table(reflect.TypeOf(model).Elem())
	parts := make([]string, len(sets))
	for i, c := range sets {
		parts[i] = c + " = " + s.param(i+1)
	}
	return "UPDATE " + table.Name + " SET " + strings.Join(parts, ", ") + s.where(len(sets), cols)
}

// where is " WHERE" each of cols equals a parameter, numbered after the
// first n.
func (s *Store) where(n int, cols []string) string {
	conds := make([]string, len(cols))
	for i, c := range cols {
		conds[i] = c + " = " + s.param(n+i+1)
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// selectWhere selects the model's columns from its table where each of cols
// equals a parameter, in order, followed by suffix.
func (s *Store) selectWhere(model any, suffix string, cols ...string) string {
	table := s.write.Table(reflect.TypeOf(model).Elem())
	names := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		names[i] = f.Name
	}
	return "SELECT " + strings.Join(names, ", ") + " FROM " + table.Name + s.where(0, cols) + suffix
}

// rowInsert is a model's INSERT: its table's columns in field order, and how
// to read their values from a row.
type rowInsert struct {
	sql    string
	fields []*schema.Field
	kinds  []argKind
}

// argKind is how a field's value goes to the driver.
type argKind int

const (
	argPlain  argKind = iota // as it is
	argString                // a string of a named string type
	argTime                  // as bun writes times
	argJSON                  // as JSON; a nil pointer is NULL, a nil map {}
)

var timeType = reflect.TypeFor[time.Time]()

func (s *Store) newRowInsert(model any) rowInsert {
	table := s.write.Table(reflect.TypeOf(model).Elem())
	ri := rowInsert{fields: table.Fields, kinds: make([]argKind, len(table.Fields))}
	names, params := make([]string, len(table.Fields)), make([]string, len(table.Fields))
	for i, f := range table.Fields {
		names[i], params[i] = f.Name, s.param(i+1)
		switch t := f.StructField.Type; {
		case t == timeType:
			ri.kinds[i] = argTime
		case t.Kind() == reflect.Pointer, t.Kind() == reflect.Map, t.Kind() == reflect.Slice, t.Kind() == reflect.Struct:
			ri.kinds[i] = argJSON
		case t.Kind() == reflect.String:
			ri.kinds[i] = argString
		}
	}
	ri.sql = "INSERT INTO " + table.Name + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(params, ", ") + ")"
	return ri
}

// args are the row's values as the driver takes them.
func (ri rowInsert) args(s *Store, row any) ([]any, error) {
	v := reflect.ValueOf(row).Elem()
	out := make([]any, len(ri.fields))
	for i, f := range ri.fields {
		fv := f.Value(v)
		switch ri.kinds[i] {
		case argTime:
			out[i] = s.timeArg(fv.Interface().(time.Time))
		case argString:
			out[i] = fv.String()
		case argJSON:
			if fv.Kind() == reflect.Pointer && fv.IsNil() {
				continue
			}
			if fv.Kind() == reflect.Map && fv.IsNil() {
				fv = reflect.MakeMap(fv.Type())
			}
			b, err := json.Marshal(fv.Interface())
			if err != nil {
				return nil, fmt.Errorf("encoding %s: %w", f.Name, err)
			}
			out[i] = string(b)
		default:
			out[i] = fv.Interface()
		}
	}
	return out, nil
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
		return tx.ExecContext(ctx, query, args...)
	}
	st, ok := c.m[query]
	if !ok {
		var err error
		if st, err = tx.Tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		c.m[query] = st
	}
	return st.ExecContext(ctx, args...)
}

func (s *Store) insertCheckout(ctx context.Context, tx bun.Tx, c *checkout.Checkout, done *IdempotencyResult) error {
	c.ClientKey = checkout.ClientKey(c.OrganizationID, c.ClientID, c.Email, c.BillingAddress)
	args, err := s.stmts.insertCheckout.args(s, c)
	if err != nil {
		return fmt.Errorf("encoding checkout: %w", err)
	}
	if _, err := s.execPrepared(ctx, tx, s.stmts.insertCheckout.sql, args...); err != nil {
		return fmt.Errorf("inserting checkout: %w", err)
	}
	for i := range c.Items {
		c.Items[i].CheckoutID = c.ID
		args, err := s.stmts.insertItem.args(s, &c.Items[i])
		if err != nil {
			return fmt.Errorf("encoding checkout items: %w", err)
		}
		if _, err := s.execPrepared(ctx, tx, s.stmts.insertItem.sql, args...); err != nil {
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
		if st, err = s.read.PrepareContext(ctx, query); err != nil {
			s.reads.mu.Unlock()
			return nil, err
		}
		s.reads.m[query] = st
	}
	s.reads.mu.Unlock()
	return st.QueryContext(ctx, args...)
}

// GetAPIKey returns a key by id, revoked or not.
func (s *Store) GetAPIKey(ctx context.Context, id string) (*auth.APIKey, error) {
	rows, err := s.queryPrepared(ctx, s.stmts.apiKey, id)
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
	if rows, err = s.queryPrepared(ctx, s.stmts.items, c.ID); err != nil {
		return nil, fmt.Errorf("loading checkout items: %w", err)
	}
	if err := s.read.ScanRows(ctx, rows, &c.Items); err != nil {
		return nil, fmt.Errorf("loading checkout items: %w", err)
	}
	return c, nil
}
