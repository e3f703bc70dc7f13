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

// hotStmts are the statements of the hot path, built once from bun's
// metadata of the models' tables rather than from column lists kept by hand.
type hotStmts struct {
	insertCheckout, insertItem rowInsert
	// checkoutBy* select a checkout by its short code or public id, items
	// the lines of a checkout.
	checkoutByShortCode, checkoutByPublicID, items string
}

func (s *Store) newHotStmts() hotStmts {
	co, it := s.newRowInsert((*checkout.Checkout)(nil)), s.newRowInsert((*checkout.LineItem)(nil))
	return hotStmts{insertCheckout: co, insertItem: it,
		checkoutByShortCode: "SELECT " + co.cols + " FROM " + co.table + " WHERE short_code = ?",
		checkoutByPublicID:  "SELECT " + co.cols + " FROM " + co.table + " WHERE session_public_id = ?",
		items:               "SELECT " + it.cols + " FROM " + it.table + " WHERE checkout_id = ? ORDER BY position"}
}

// rowInsert is a model's INSERT: its table's columns in field order, and how
// to read their values from a row.
type rowInsert struct {
	sql, table, cols string
	fields           []*schema.Field
	kinds            []argKind
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
	ri := rowInsert{fields: table.Fields, table: table.Name, kinds: make([]argKind, len(table.Fields))}
	names := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		names[i] = f.Name
		switch t := f.StructField.Type; {
		case t == timeType:
			ri.kinds[i] = argTime
		case t.Kind() == reflect.Pointer, t.Kind() == reflect.Map, t.Kind() == reflect.Slice, t.Kind() == reflect.Struct:
			ri.kinds[i] = argJSON
		case t.Kind() == reflect.String:
			ri.kinds[i] = argString
		}
	}
	ri.cols = strings.Join(names, ", ")
	ri.sql = "INSERT INTO " + table.Name + " (" + ri.cols + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
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
