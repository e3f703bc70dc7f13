package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func load(t *testing.T, args ...string) *Config {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	Flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	c, err := Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	c := load(t)
	if c.Database.URL != "sqlite:./data/pgw.db" || c.AdminBackend.Addr != "127.0.0.1:8080" ||
		c.MainBackend.Addr != "127.0.0.1:8081" || c.MainFrontend.Addr != "127.0.0.1:8082" {
		t.Fatalf("defaults %+v", c)
	}
	if c.URLs.MainFrontend != "http://127.0.0.1:8082" || c.Checkout.DefaultExpiry != 24*time.Hour {
		t.Fatalf("derived %+v", c.URLs)
	}
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.MkdirAll("config", 0o755)
	os.WriteFile(filepath.Join("config", "pgw.yaml"), []byte(`
database:
  url: sqlite:/from/file.db
main_frontend:
  addr: 127.0.0.1:9999
urls:
  main_frontend: https://secure.example.com/
log:
  level: debug
`), 0o644)
	t.Setenv("PGW_DATABASE_URL", "postgres://from-env/db")
	t.Setenv("PGW_MAIN_FRONTEND_ADDR", "127.0.0.1:7777")
	t.Setenv("PGW_URLS_ADMIN_BACKEND", "https://api.example.com")
	c := load(t, "--log.level=warn")
	if c.Database.URL != "postgres://from-env/db" {
		t.Errorf("env does not beat file: %s", c.Database.URL)
	}
	if c.MainFrontend.Addr != "127.0.0.1:7777" {
		t.Errorf("PGW_MAIN_FRONTEND_ADDR ignored: %s", c.MainFrontend.Addr)
	}
	if c.URLs.MainFrontend != "https://secure.example.com" || c.URLs.AdminBackend != "https://api.example.com" {
		t.Errorf("urls %+v", c.URLs)
	}
	if c.Log.Level != "warn" {
		t.Errorf("flag does not beat file: %s", c.Log.Level)
	}
}

func TestInvalid(t *testing.T) {
	t.Chdir(t.TempDir())
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	Flags(fs)
	fs.Parse([]string{"--log.format=xml"})
	if _, err := Load(fs); err == nil {
		t.Fatal("log.format=xml accepted")
	}
	fs = pflag.NewFlagSet("test", pflag.ContinueOnError)
	Flags(fs)
	fs.Parse([]string{"--config=/does/not/exist.yaml"})
	if _, err := Load(fs); err == nil {
		t.Fatal("missing config file accepted")
	}
}
