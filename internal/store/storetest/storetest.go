// Package storetest opens real, migrated, empty stores for tests: SQLite always,
// and PostgreSQL when PGW_TEST_DATABASE_URL names a server (required when CI=true).
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/secrets"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Box returns a secrets box under a fixed test key.
func Box(t testing.TB) *secrets.Box {
	b, err := secrets.NewBox([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Each runs fn once on a fresh SQLite store and once on a fresh PostgreSQL
// store (a schema of its own), as subtests named after the engine.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// URL returns a database URL for a fresh, unmigrated database of dialect d,
// dropped when the test ends. On PostgreSQL without PGW_TEST_DATABASE_URL the
// test is skipped, or fails when CI=true.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "pgw.db")
	}
	base := os.Getenv("PGW_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PGW_TEST_DATABASE_URL is not set; CI must run the PostgreSQL tests")
		}
		t.Skip("PGW_TEST_DATABASE_URL not set: skipping PostgreSQL")
	}
	schema := "t_" + strings.ToLower(ids.Token(12))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE") //nolint:errcheck // cleanup
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated, empty store of dialect d, closed when the test ends.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t, d), Box(t))
	if err != nil {
		t.Fatalf("opening %s store: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrating %s store: %v", d, err)
	}
	return s
}

// Fixture is an organization with one site and its sandbox provider.
type Fixture struct {
	OrgID, SiteID, ProviderID string
}

// Seed creates a fixture organization named name; its site speaks IPN
// version 1 (SeedIPN chooses).
func Seed(t testing.TB, s *store.Store, name string) Fixture {
	t.Helper()
	return SeedIPN(t, s, name, tenant.IPNv1)
}

// SeedIPN creates a fixture organization whose site speaks IPN version.
func SeedIPN(t testing.TB, s *store.Store, name string, version int) Fixture {
	t.Helper()
	f, err := store.Bootstrap(context.Background(), s, store.BootstrapInput{Org: name, Site: name + " shop", IPNVersion: version})
	if err != nil {
		t.Fatalf("seeding %s: %v", name, err)
	}
	return Fixture{OrgID: f.Organization.ID, SiteID: f.Site.ID, ProviderID: f.Provider.ID}
}

// Must fails the test on err.
func Must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
