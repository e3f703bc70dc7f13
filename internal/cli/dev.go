package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// devSecrets are the secrets `pgw dev` generates once and keeps in its data directory.
type devSecrets struct {
	MasterKey  string `json:"masterKey"`
	SessionKey string `json:"sessionKey"`
}

func cmdDev(ctx context.Context, env *Env, args []string) error {
	fs := flags("dev", env)
	cfg, err := parse(fs, args)
	if err != nil {
		return err
	}
	data, _ := fs.GetString("data")
	dataDir := &data
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", *dataDir, err)
	}
	if !fs.Changed("log.format") && os.Getenv("PGW_LOG_FORMAT") == "" {
		cfg.Log.Format = "text"
	}
	// Locally the merchant's IPN receiver is on this machine too.
	if !fs.Changed("notify.allow_private_targets") && os.Getenv("PGW_NOTIFY_ALLOW_PRIVATE_TARGETS") == "" {
		cfg.Notify.AllowPrivateTargets = true
	}
	if cfg.Secrets.MasterKey == "" {
		sec, err := loadOrCreate(filepath.Join(*dataDir, "secrets.json"), func() (*devSecrets, error) {
			return &devSecrets{MasterKey: randomKey(), SessionKey: randomKey()}, nil
		})
		if err != nil {
			return err
		}
		cfg.Secrets.MasterKey = sec.MasterKey
		if cfg.Session.Key == "" {
			cfg.Session.Key = sec.SessionKey
		}
	}
	log := cfg.Logger(env.Stderr)

	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	demo, err := loadOrCreate(filepath.Join(*dataDir, "demo.json"), func() (*bootstrapOutput, error) {
		out, err := bootstrap(ctx, st, store.BootstrapInput{Org: "Demo Organization", Site: "Demo Shop", Email: "admin@example.com",
			DefaultExpiry: cfg.Checkout.DefaultExpiry, AmountUnits: tenant.UnitsMinor}, "")
		if err != nil {
			return nil, err
		}
		return out, addDemoWire(ctx, st, out)
	})
	if err != nil {
		return err
	}
	// The signing secret may have been rotated since demo.json was written.
	site, err := st.GetSite(ctx, demo.OrganizationID, demo.SiteID)
	if err != nil {
		return fmt.Errorf("reading the demo site: %w", err)
	}
	demo.WebhookSecret, _ = site.SigningSecrets(store.TimeNow())

	fmt.Fprintf(env.Stdout, `
pgw is running on %s

  Admin API      %s
  API reference  %s/docs
  Dashboard      %s/dashboard
  Runtime        %s
  Hosted pages   %s

  Site ID        %s
  API key        %s
  Webhook secret %s
  Admin user     %s / %s

Create a checkout, then open its paymentUrl:

  curl -sS -X POST %s/api/v1/checkouts/%s/create \
    -H 'Authorization: Bearer %s' \
    -H 'Content-Type: application/json' \
    -d '{"amount":4900,"currency":"EUR","externalReference":"order-1001","items":[{"name":"T-shirt","quantity":2,"unitPrice":1950},{"name":"Shipping","quantity":1,"unitPrice":1000}]}'

Stop with Ctrl-C. Demo credentials are kept in %s.
`, cfg.Database.URL, cfg.URLs.AdminBackend, cfg.URLs.AdminBackend, cfg.URLs.AdminBackend, cfg.URLs.MainBackend, cfg.URLs.MainFrontend,
		demo.SiteID, demo.APIKey, demo.WebhookSecret, demo.AdminEmail, demo.AdminPassword,
		cfg.URLs.AdminBackend, demo.SiteID, demo.APIKey, filepath.Join(*dataDir, "demo.json"))

	return app.Run(ctx, cfg, log,
		app.Admin(cfg, st, log), app.Runtime(cfg, st, log), app.Frontend(cfg, st, log))
}

// loadOrCreate reads a JSON file, or makes its value with create and writes
// it with owner-only permissions.
func loadOrCreate[T any](path string, create func() (*T, error)) (*T, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		return v, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	b, err = json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return v, nil
}

func randomKey() string {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// addDemoWire gives the demo site a test bank transfer account (the IBAN of
// the standard's examples), so that the hosted page offers bank transfer.
func addDemoWire(ctx context.Context, st *store.Store, demo *bootstrapOutput) error {
	cfg := wire.Config{AccountHolder: "Demo Shop", BankName: "Demo Bank", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX",
		Instructions: "Demo account: record the money in the dashboard under the checkout, or upload a statement."}
	if err := cfg.Normalize(checkout.ModeTest); err != nil {
		return err
	}
	return st.CreateProvider(ctx, &tenant.Provider{ID: ids.New("prov"), OrganizationID: demo.OrganizationID, SiteID: demo.SiteID,
		Type: tenant.ProviderWire, Name: "Bank transfer", Config: cfg.JSON(), Enabled: true, CreatedAt: store.TimeNow()})
}
