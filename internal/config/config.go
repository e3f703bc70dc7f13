// Package config reads the configuration of every binary with viper: an
// optional YAML file, PGW_* environment variables and command-line flags, in
// rising order of precedence.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/secrets"
)

// Config is the whole configuration. Keys are written as in the file
// ("admin_backend.addr"); the environment variable of a key is PGW_ plus the key
// upper-cased with dots as underscores (PGW_ADMIN_BACKEND_ADDR).
type Config struct {
	Database struct {
		URL string `mapstructure:"url"`
	} `mapstructure:"database"`
	AdminBackend Listener `mapstructure:"admin_backend"`
	MainBackend  Listener `mapstructure:"main_backend"`
	MainFrontend Listener `mapstructure:"main_frontend"`
	URLs         struct {
		AdminBackend string `mapstructure:"admin_backend"`
		MainBackend  string `mapstructure:"main_backend"`
		MainFrontend string `mapstructure:"main_frontend"`
	} `mapstructure:"urls"`
	Secrets struct {
		MasterKey string `mapstructure:"master_key"`
	} `mapstructure:"secrets"`
	Session struct {
		Key         string        `mapstructure:"key"`
		IdleTimeout time.Duration `mapstructure:"idle_timeout"`
		MaxAge      time.Duration `mapstructure:"max_age"`
	} `mapstructure:"session"`
	Log struct {
		Level  string `mapstructure:"level"`
		Format string `mapstructure:"format"`
	} `mapstructure:"log"`
	Checkout struct {
		DefaultExpiry time.Duration `mapstructure:"default_expiry"`
		MaxAmount     int64         `mapstructure:"max_amount"`
		SweepInterval time.Duration `mapstructure:"sweep_interval"`
	} `mapstructure:"checkout"`
	Domains struct {
		// Resolver is the DNS server (host:port) custom domains are checked
		// with; empty is the system's.
		Resolver string `mapstructure:"resolver"`
	} `mapstructure:"domains"`
	Disputes struct {
		AutoHold string `mapstructure:"auto_hold"`
	} `mapstructure:"disputes"`
	Tax struct {
		VIESURL           string        `mapstructure:"vies_url"`
		VIESTimeout       time.Duration `mapstructure:"vies_timeout"`
		QuotesPerCheckout int           `mapstructure:"quotes_per_checkout"`
	} `mapstructure:"tax"`
	Notify struct {
		MaxAge              time.Duration `mapstructure:"max_age"`
		AllowPrivateTargets bool          `mapstructure:"allow_private_targets"`
		SecretOverlap       time.Duration `mapstructure:"secret_overlap"`
		PollInterval        time.Duration `mapstructure:"poll_interval"`
		Lease               time.Duration `mapstructure:"lease"`
		Concurrency         int64         `mapstructure:"concurrency"`
		RetryBase           time.Duration `mapstructure:"retry_base"`
		RetryMax            time.Duration `mapstructure:"retry_max"`
		AttemptTimeout      time.Duration `mapstructure:"attempt_timeout"`
	} `mapstructure:"notify"`
	Stripe struct {
		APIBase string `mapstructure:"api_base"`
	} `mapstructure:"stripe"`
	HTTP    HTTPSettings `mapstructure:"http"`
	Metrics struct {
		// Token, when set, is the bearer token /metrics asks for; without
		// it /metrics answers only the machine itself.
		Token string `mapstructure:"token"`
	} `mapstructure:"metrics"`
	Limits Limits `mapstructure:"limits"`
	// Mail is the system's SMTP server, for organizations without their own.
	Mail Mail `mapstructure:"mail"`
}

// Mail is an SMTP server and the address mail comes from.
type Mail struct {
	Host     string `mapstructure:"host"`
	Port     int64  `mapstructure:"port"`
	From     string `mapstructure:"from"`
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"`
	// TLS is none, starttls or tls.
	TLS string `mapstructure:"tls"`
}

// HTTPSettings are the servers' HTTP settings.
type HTTPSettings struct {
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	// TrustedProxies are the peers (CIDRs) whose X-Forwarded-For names the
	// client.
	TrustedProxies []string `mapstructure:"trusted_proxies"`
}

// Limits bound how often things may be tried, within Window each.
type Limits struct {
	Window               time.Duration `mapstructure:"window"`
	AttemptsPerCheckout  int           `mapstructure:"attempts_per_checkout"`
	AttemptsPerClient    int           `mapstructure:"attempts_per_client"`
	AttemptsPerSite      int           `mapstructure:"attempts_per_site"`
	SigninPerEmailClient int           `mapstructure:"signin_per_email_client"`
	SigninPerEmail       int           `mapstructure:"signin_per_email"`
	SigninPerClient      int           `mapstructure:"signin_per_client"`
	PasswordHashes       int           `mapstructure:"password_hashes"`
	API                  APILimits     `mapstructure:"api"`
}

// APILimits bound the Admin API's requests (sliding windows; 0 is no limit).
type APILimits struct {
	PerKeyPerMinute          int      `mapstructure:"per_key_per_minute"`
	PerKeyPer5Minutes        int      `mapstructure:"per_key_per_5_minutes"`
	PerOrganizationPerMinute int      `mapstructure:"per_organization_per_minute"`
	Exempt                   []string `mapstructure:"exempt"`
}

// Listener is where one server listens.
type Listener struct {
	Addr string `mapstructure:"addr"`
}

var defaults = map[string]any{
	"database.url":                           "sqlite:./data/pgw.db",
	"admin_backend.addr":                     "127.0.0.1:8080",
	"main_backend.addr":                      "127.0.0.1:8081",
	"main_frontend.addr":                     "127.0.0.1:8082",
	"urls.admin_backend":                     "",
	"urls.main_backend":                      "",
	"urls.main_frontend":                     "",
	"secrets.master_key":                     "",
	"session.key":                            "",
	"session.idle_timeout":                   30 * time.Minute,
	"session.max_age":                        12 * time.Hour,
	"log.level":                              "info",
	"log.format":                             "json",
	"checkout.default_expiry":                24 * time.Hour,
	"checkout.max_amount":                    int64(99_999_999_999),
	"checkout.sweep_interval":                30 * time.Second,
	"disputes.auto_hold":                     "block_all",
	"tax.vies_url":                           "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number",
	"tax.vies_timeout":                       5 * time.Second,
	"domains.resolver":                       "",
	"tax.quotes_per_checkout":                int64(60),
	"http.shutdown_timeout":                  20 * time.Second,
	"stripe.api_base":                        "",
	"mail.host":                              "",
	"mail.port":                              int64(587),
	"mail.from":                              "",
	"mail.username":                          "",
	"mail.password":                          "",
	"mail.tls":                               "starttls",
	"notify.max_age":                         72 * time.Hour,
	"notify.allow_private_targets":           false,
	"notify.secret_overlap":                  24 * time.Hour,
	"notify.poll_interval":                   500 * time.Millisecond,
	"notify.lease":                           time.Minute,
	"notify.concurrency":                     int64(32),
	"notify.retry_base":                      10 * time.Second,
	"notify.retry_max":                       time.Hour,
	"notify.attempt_timeout":                 10 * time.Second,
	"http.trusted_proxies":                   []string{},
	"limits.window":                          15 * time.Minute,
	"limits.attempts_per_checkout":           int64(10),
	"limits.attempts_per_client":             int64(30),
	"limits.attempts_per_site":               int64(300),
	"limits.signin_per_email_client":         int64(5),
	"limits.signin_per_email":                int64(100),
	"limits.signin_per_client":               int64(50),
	"limits.password_hashes":                 int64(4),
	"limits.api.per_key_per_minute":          int64(100),
	"limits.api.per_key_per_5_minutes":       int64(500),
	"limits.api.per_organization_per_minute": int64(1000),
	"limits.api.exempt":                      []string{},
}

var usage = map[string]string{
	"database.url":                           "database: sqlite:PATH or postgres://...",
	"admin_backend.addr":                     "listen address of admin-backend",
	"main_backend.addr":                      "listen address of main-backend",
	"main_frontend.addr":                     "listen address of main-frontend",
	"urls.admin_backend":                     "public base URL of admin-backend (default http://ADDR)",
	"urls.main_backend":                      "public base URL of main-backend (default http://ADDR)",
	"urls.main_frontend":                     "public base URL of main-frontend; paymentUrl is built from it (default http://ADDR)",
	"secrets.master_key":                     "base64 of 32 bytes that encrypt secrets at rest (pgw genkey makes one)",
	"session.key":                            "base64 of 32 bytes that sign and encrypt dashboard cookies (derived from secrets.master_key when empty)",
	"session.idle_timeout":                   "a dashboard session not used for this long ends",
	"session.max_age":                        "a dashboard session ends this long after sign-in, used or not",
	"log.level":                              "debug, info, warn or error",
	"log.format":                             "json or text",
	"checkout.default_expiry":                "lifetime of a checkout created without one, for new sites",
	"checkout.max_amount":                    "largest checkout amount accepted, in minor units",
	"checkout.sweep_interval":                "how often main-backend expires checkouts past their time",
	"disputes.auto_hold":                     "customer risk hold a lost or accepted dispute puts on its customer: block_all, manual_review or none",
	"tax.vies_url":                           "the EU's VIES REST check-vat-number endpoint (tests use a fake on loopback)",
	"tax.vies_timeout":                       "time limit of one VIES check; no answer means the VAT ID is not confirmed",
	"domains.resolver":                       "DNS server (host:port) custom domains are checked with; empty for the system's",
	"tax.quotes_per_checkout":                "tax previews per checkout within limits.window (each may ask VIES; 0: no limit)",
	"http.shutdown_timeout":                  "how long a server waits for requests in flight on SIGTERM",
	"stripe.api_base":                        "Stripe API URL; only for tests against stripe-mock",
	"mail.host":                              "SMTP server of receipts and alerts for organizations without their own (empty: none)",
	"mail.port":                              "SMTP port (587 for starttls, 465 for tls, 25 or 1025 for none)",
	"mail.from":                              "address receipts come from, such as \"Shop payments <pay@shop.example>\"",
	"mail.username":                          "SMTP user (empty: no authentication)",
	"mail.password":                          "SMTP password",
	"mail.tls":                               "none, starttls or tls",
	"notify.max_age":                         "how long notifications are retried before they fail",
	"notify.allow_private_targets":           "deliver notifications to loopback and private addresses (tests, local development)",
	"notify.secret_overlap":                  "how long a rotated signing secret still signs beside the new one",
	"notify.poll_interval":                   "how often main-backend looks for due notifications",
	"notify.lease":                           "how long a worker holds a claimed notification",
	"notify.concurrency":                     "notification attempts in flight per main-backend",
	"notify.retry_base":                      "first retry delay of a notification, doubled per attempt",
	"notify.retry_max":                       "longest retry delay of a notification",
	"notify.attempt_timeout":                 "time limit of one notification attempt",
	"http.trusted_proxies":                   "CIDRs of reverse proxies whose X-Forwarded-For names the client (comma-separated; default none)",
	"limits.window":                          "the window of every limit below",
	"limits.attempts_per_checkout":           "payment attempts per checkout within limits.window (0: no limit)",
	"limits.attempts_per_client":             "payment attempts per client address within limits.window (0: no limit)",
	"limits.attempts_per_site":               "payment attempts per site (or inTandem business) within limits.window (0: no limit)",
	"limits.signin_per_email_client":         "dashboard sign-in attempts per email and client address within limits.window",
	"limits.signin_per_email":                "dashboard sign-in attempts per email within limits.window",
	"limits.signin_per_client":               "dashboard sign-in attempts per client address within limits.window",
	"limits.password_hashes":                 "password hashes (64 MiB each) computed at once per admin-backend; more wait briefly, then 429",
	"limits.api.per_key_per_minute":          "Admin API requests per API key in any minute (sliding; 0: no limit)",
	"limits.api.per_key_per_5_minutes":       "Admin API requests per API key in any 5 minutes (sliding; 0: no limit)",
	"limits.api.per_organization_per_minute": "Admin API requests per organization in any minute, all its keys together (0: no limit)",
	"limits.api.exempt":                      "API key ids, client addresses and CIDRs exempt from the API limits (comma-separated; default none)",
}

// Flags adds a flag for every key (--database.url, --log.level...) and
// --config to fs.
func Flags(fs *pflag.FlagSet) {
	fs.String("config", "", "YAML configuration file (default config/pgw.yaml when present)")
	for k, v := range defaults {
		switch v := v.(type) {
		case string:
			fs.String(k, v, usage[k])
		case time.Duration:
			fs.Duration(k, v, usage[k])
		case int64:
			fs.Int64(k, v, usage[k])
		case bool:
			fs.Bool(k, v, usage[k])
		case []string:
			fs.StringSlice(k, v, usage[k])
		}
	}
}

// Load reads the configuration. fs must have been set up by Flags and parsed.
func Load(fs *pflag.FlagSet) (*Config, error) {
	v := viper.New()
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix("PGW")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()

	file, _ := fs.GetString("config")
	if file == "" {
		file = os.Getenv("PGW_CONFIG")
	}
	if file == "" {
		if _, err := os.Stat("config/pgw.yaml"); err == nil {
			file = "config/pgw.yaml"
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
	}
	// Only flags given on the command line override the file and environment.
	var bindErr error
	fs.Visit(func(f *pflag.Flag) {
		if _, known := defaults[f.Name]; known {
			bindErr = errors.Join(bindErr, v.BindPFlag(f.Name, f))
		}
	})
	if bindErr != nil {
		return nil, bindErr
	}
	c := new(Config)
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("decoding configuration: %w", err)
	}
	c.fillURLs()
	return c, c.validate()
}

// Default returns the configuration with every default and nothing else set
// (tests start from it).
func Default() *Config {
	v := viper.New()
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	c := new(Config)
	if err := v.Unmarshal(c); err != nil {
		panic("the defaults do not decode: " + err.Error())
	}
	return c
}

func (c *Config) fillURLs() {
	for _, p := range []struct {
		url  *string
		addr string
	}{
		{&c.URLs.AdminBackend, c.AdminBackend.Addr},
		{&c.URLs.MainBackend, c.MainBackend.Addr},
		{&c.URLs.MainFrontend, c.MainFrontend.Addr},
	} {
		if *p.url == "" {
			host := p.addr
			if strings.HasPrefix(host, ":") || strings.HasPrefix(host, "0.0.0.0:") {
				host = "localhost:" + host[strings.LastIndex(host, ":")+1:]
			}
			*p.url = "http://" + host
		}
		*p.url = strings.TrimRight(*p.url, "/")
	}
}

func (c *Config) validate() error {
	var errs []error
	if c.Database.URL == "" {
		errs = append(errs, errors.New("database.url is empty"))
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		errs = append(errs, fmt.Errorf("log.format %q: want json or text", c.Log.Format))
	}
	if c.Checkout.MaxAmount <= 0 {
		errs = append(errs, errors.New("checkout.max_amount must be positive"))
	}
	if c.Checkout.DefaultExpiry < 5*time.Minute || c.Checkout.DefaultExpiry > 90*24*time.Hour {
		errs = append(errs, errors.New("checkout.default_expiry must be between 5m and 2160h"))
	}
	switch c.Disputes.AutoHold {
	case "block_all", "manual_review", "none":
	default:
		errs = append(errs, fmt.Errorf("disputes.auto_hold %q: want block_all, manual_review or none", c.Disputes.AutoHold))
	}
	if c.Notify.Lease <= c.Notify.AttemptTimeout {
		errs = append(errs, errors.New("notify.lease must be longer than notify.attempt_timeout"))
	}
	if c.Notify.Concurrency < 1 || c.Notify.PollInterval <= 0 || c.Notify.RetryBase <= 0 || c.Notify.RetryMax < c.Notify.RetryBase {
		errs = append(errs, errors.New("notify.concurrency, poll_interval, retry_base and retry_max must be positive, retry_max at least retry_base"))
	}
	if c.Session.Key != "" {
		if _, err := secrets.ParseKey(c.Session.Key); err != nil {
			errs = append(errs, fmt.Errorf("session.key: %w", err))
		}
	}
	if _, err := c.HTTP.TrustedPrefixes(); err != nil {
		errs = append(errs, err)
	}
	l := c.Limits
	if l.Window < time.Second || l.PasswordHashes < 1 || min(l.AttemptsPerCheckout, l.AttemptsPerClient, l.AttemptsPerSite,
		l.SigninPerEmailClient, l.SigninPerEmail, l.SigninPerClient) < 0 {
		errs = append(errs, errors.New("limits.window must be at least 1s, limits.password_hashes at least 1, and no limit negative"))
	}
	if a := l.API; min(a.PerKeyPerMinute, a.PerKeyPer5Minutes, a.PerOrganizationPerMinute) < 0 {
		errs = append(errs, errors.New("limits.api: no limit may be negative"))
	}
	if _, err := limits.NewAPI(nil, c.APIRules(), nil); err != nil {
		errs = append(errs, err)
	}
	if c.Session.IdleTimeout < time.Minute || c.Session.MaxAge < c.Session.IdleTimeout {
		errs = append(errs, errors.New("session.idle_timeout must be at least 1m and session.max_age at least session.idle_timeout"))
	}
	return errors.Join(errs...)
}

// TrustedPrefixes parses http.trusted_proxies.
func (h *HTTPSettings) TrustedPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, raw := range h.TrustedProxies {
		for _, c := range strings.Split(raw, ",") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			p, err := netip.ParsePrefix(c)
			if err != nil {
				if a, aerr := netip.ParseAddr(c); aerr == nil {
					p = netip.PrefixFrom(a, a.BitLen())
				} else {
					return nil, fmt.Errorf("http.trusted_proxies: %q is not a CIDR or an address", c)
				}
			}
			out = append(out, p.Masked())
		}
	}
	return out, nil
}

// APIRules are limits.api as the limiter takes them.
func (c *Config) APIRules() limits.APIRules {
	a := c.Limits.API
	return limits.APIRules{
		PerKey:          []limits.Rule{{Limit: a.PerKeyPerMinute, Window: time.Minute}, {Limit: a.PerKeyPer5Minutes, Window: 5 * time.Minute}},
		PerOrganization: []limits.Rule{{Limit: a.PerOrganizationPerMinute, Window: time.Minute}},
		Exempt:          a.Exempt,
	}
}
