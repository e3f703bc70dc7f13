// Package store is the bun data layer shared by every binary: connections to
// SQLite or PostgreSQL, the embedded migrations, and the queries of each domain.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pgw/pgw/internal/secrets"
)

// Dialect names the database engine behind a Store.
type Dialect string

// Supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the data layer. On SQLite writes go through one connection (SQLite
// has one writer, and a Go-side queue beats lock retries) while reads use a pool
// of their own; on PostgreSQL both are the same pool.
type Store struct {
	write   *bun.DB
	read    *bun.DB
	dialect Dialect
	box     *secrets.Box
	batch   *batcher
	reads   readStmts
	hooks   hooks
	stmts   hotStmts
}

// Open connects to the database named by rawURL: "sqlite:PATH" (a file, created
// with its directory when missing) or "postgres://...". Values encrypted at rest
// are sealed with box.
func Open(ctx context.Context, rawURL string, box *secrets.Box) (*Store, error) {
	s := &Store{box: box, reads: readStmts{m: map[string]bun.Stmt{}}}
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
		if path == "" {
			return nil, errors.New("sqlite URL has no path: use sqlite:./data/pgw.db")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("creating database directory: %w", err)
			}
		}
		dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
		w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("opening sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
		if err != nil {
			return nil, fmt.Errorf("opening sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		s.dialect = SQLite
		s.write = bun.NewDB(w, sqlitedialect.New())
		s.read = bun.NewDB(r, sqlitedialect.New())
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("opening postgres: %w", err)
		}
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		s.dialect = Postgres
		s.write = bun.NewDB(db, pgdialect.New())
		s.read = s.write
	default:
		return nil, fmt.Errorf("unsupported database URL %q: want sqlite:PATH or postgres://", redactURL(rawURL))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write.PingContext(pingCtx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connecting to %s database: %w", s.dialect, err)
	}
	committers := 1
	if s.dialect == Postgres {
		committers = 4
	}
	s.batch = newBatcher(s.write, committers)
	s.stmts = s.newHotStmts()
	return s, nil
}

// Dialect says which engine the store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers; it backs /health/ready.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return s.read.NewSelect().ColumnExpr("1").Scan(ctx, &one)
}

// Close releases the connections.
func (s *Store) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	s.reads.mu.Lock()
	for _, st := range s.reads.m {
		st.Close()
	}
	s.reads.mu.Unlock()
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Bun exposes the write handle for tests and tools.
func (s *Store) Bun() *bun.DB { return s.write }

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Errors of the store, beside the domain's own.
var (
	// ErrNotMigrated means the schema is missing or behind the binary.
	ErrNotMigrated = errors.New("database is not migrated: run `pgw migrate`")
)

// pgUniqueViolation is PostgreSQL's SQLSTATE unique_violation.
const pgUniqueViolation = "23505"

// isUniqueViolation reports whether err is a unique or primary key
// constraint failing, by the driver's error code.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == pgUniqueViolation
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
