package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

func cmdMigrate(ctx context.Context, env *Env, args []string) error {
	cfg, err := parse(flags("migrate", env), args)
	if err != nil {
		return err
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.Stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(env.Stdout, "applied", m)
	}
	return nil
}

func cmdGenkey(_ context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("genkey takes no arguments")}
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, base64.StdEncoding.EncodeToString(k))
	return nil
}

// bootstrapOutput is what `pgw bootstrap --json` prints: one JSON object.
type bootstrapOutput struct {
	OrganizationID string `json:"organizationId"`
	SiteID         string `json:"siteId"`
	SiteSlug       string `json:"siteSlug"`
	ProviderID     string `json:"providerId"`
	APIKey         string `json:"apiKey"`
	APIKeyID       string `json:"apiKeyId"`
	WebhookSecret  string `json:"webhookSecret"`
	AdminEmail     string `json:"adminEmail,omitempty"`
	AdminPassword  string `json:"adminPassword,omitempty"`
}

func bootstrap(ctx context.Context, st *store.Store, in store.BootstrapInput, password string) (*bootstrapOutput, error) {
	if in.Email != "" {
		if password == "" {
			password = ids.Token(20)
		} else if len(password) < 10 {
			return nil, usageError{fmt.Errorf("--password must be at least 10 characters")}
		}
		h, err := auth.HashPassword(password)
		if err != nil {
			return nil, err
		}
		in.PasswordHash = h
	} else {
		password = ""
	}
	r, err := store.Bootstrap(ctx, st, in)
	if err != nil {
		return nil, err
	}
	return &bootstrapOutput{
		OrganizationID: r.Organization.ID, SiteID: r.Site.ID, SiteSlug: r.Site.Slug, ProviderID: r.Provider.ID,
		APIKey: r.Token, APIKeyID: r.APIKey.ID, WebhookSecret: r.Site.WebhookSecret,
		AdminEmail: in.Email, AdminPassword: password,
	}, nil
}

func cmdBootstrap(ctx context.Context, env *Env, args []string) error {
	fs := flags("bootstrap", env)
	org := fs.String("org", "", "organization name (required)")
	site := fs.String("site", "", "site name (required)")
	email := fs.String("email", "", "email of the first admin user")
	password := fs.String("password", "", "password of the admin user (generated and printed when empty)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	units := fs.String("amount-units", "minor", "how the site's API callers write amounts: minor (ISO 4217 minor units) or cents (hundredths, as the official shop plugins send)")
	ipn := fs.Int("ipn-version", tenant.IPNCurrent, "IPN version of the site's notifications: 2 for the official plugins from 1.2.0, 1 for older ones")
	cfg, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *org == "" || *site == "" {
		return usageError{fmt.Errorf("--org and --site are required")}
	}
	if u := tenant.AmountUnits(*units); u != tenant.UnitsMinor && u != tenant.UnitsCents {
		return usageError{fmt.Errorf("--amount-units must be minor or cents")}
	}
	if *ipn != tenant.IPNv1 && *ipn != tenant.IPNv2 {
		return usageError{fmt.Errorf("--ipn-version must be 1 or 2")}
	}
	st, err := app.OpenMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	out, err := bootstrap(ctx, st, store.BootstrapInput{Org: *org, Site: *site, Email: *email, DefaultExpiry: cfg.Checkout.DefaultExpiry,
		AmountUnits: tenant.AmountUnits(*units), IPNVersion: *ipn}, *password)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "organization   %s\nsite           %s (%s)\nAPI key        %s\nwebhook secret %s\n",
		out.OrganizationID, out.SiteID, out.SiteSlug, out.APIKey, out.WebhookSecret)
	if out.AdminEmail != "" {
		fmt.Fprintf(env.Stdout, "admin          %s / %s\n", out.AdminEmail, out.AdminPassword)
	}
	fmt.Fprintln(env.Stdout, "The API key and password are shown only now.")
	fmt.Fprintf(env.Stdout, "Amounts are read as %s. Shops using the official WooCommerce or aMember plugins send every currency\n"+
		"times 100 and need cents (pgw sites update %s --amount-units cents); it matters for currencies without two decimals (JPY, KWD...).\n",
		map[string]string{"minor": "ISO 4217 minor units (minor)", "cents": "hundredths of the major unit (cents)"}[*units], out.SiteID)
	return nil
}

func cmdKeys(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("want keys create|list|revoke")}
	}
	sub, args := args[0], args[1:]
	fs := flags("keys "+sub, env)
	orgID := fs.String("org", "", "organization id (default: the only organization)")
	asJSON := fs.Bool("json", false, "print JSON")
	var name, scopes *string
	var live *bool
	switch sub {
	case "create":
		name = fs.String("name", "api", "a name to recognise the key by")
		live = fs.Bool("live", false, "make an sk_live_ key (real money) instead of sk_test_")
		scopes = fs.String("scopes", strings.Join(auth.DefaultScopes, ","), "comma-separated resource:action scopes")
	case "list":
	case "revoke":
	default:
		return usageError{fmt.Errorf("unknown keys command %q: want create, list or revoke", sub)}
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	var keyID string
	switch {
	case sub == "revoke" && fs.NArg() == 1:
		keyID = fs.Arg(0)
	case sub == "revoke":
		return usageError{fmt.Errorf("usage: pgw keys revoke KEY_ID")}
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected arguments %v", fs.Args())}
	}
	st, _, err := openParsed(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		org, err := resolveOrg(ctx, st, *orgID)
		if err != nil {
			return err
		}
		list := strings.FieldsFunc(*scopes, func(r rune) bool { return r == ',' || r == ' ' })
		for _, s := range list {
			if !auth.ValidScope(s) {
				return usageError{fmt.Errorf("unknown scope %q", s)}
			}
		}
		mode := checkout.ModeTest
		if *live {
			mode = checkout.ModeLive
		}
		k, token := auth.NewKey(org, *name, mode, list, store.TimeNow())
		if err := st.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(map[string]any{"id": k.ID, "organizationId": org, "apiKey": token, "mode": k.Mode, "scopes": k.ScopeList()})
		}
		fmt.Fprintf(env.Stdout, "%s\n(key %s; the secret is shown only now)\n", token, k.ID)
	case "list":
		keys, err := st.ListAPIKeys(ctx, *orgID)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(keys)
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tORGANIZATION\tMODE\tNAME\tSCOPES\tCREATED\tLAST USED\tREVOKED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.OrganizationID, k.Mode, k.Name,
				strings.Join(k.ScopeList(), ","), stamp(k.CreatedAt), stamp(k.LastUsedAt), stamp(k.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		k, err := st.RevokeAPIKey(ctx, *orgID, keyID)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "revoked %s at %s\n", k.ID, stamp(k.RevokedAt))
	}
	return nil
}

func resolveOrg(ctx context.Context, st *store.Store, id string) (string, error) {
	if id != "" {
		if _, err := st.GetOrganization(ctx, id); err != nil {
			return "", fmt.Errorf("organization %s: %w", id, err)
		}
		return id, nil
	}
	orgs, err := st.ListOrganizations(ctx)
	if err != nil {
		return "", err
	}
	if len(orgs) != 1 {
		return "", usageError{fmt.Errorf("there are %d organizations: name one with --org", len(orgs))}
	}
	return orgs[0].ID, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
