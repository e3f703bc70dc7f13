// Package app wires configuration, the store and the HTTP packages into the
// three servers, for their own binaries and for `pgw dev`, which runs all three.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/adapter/orchestrapay"
	"github.com/pgw/pgw/internal/adminapi"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/buyerapi"
	"github.com/pgw/pgw/internal/buyermail"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/dashboard"
	"github.com/pgw/pgw/internal/frontend"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/mail"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/risk"
	"github.com/pgw/pgw/internal/secrets"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/taxes"
	"github.com/pgw/pgw/internal/vies"
)

// Server names.
const (
	AdminBackend = "admin-backend"
	MainBackend  = "main-backend"
	MainFrontend = "main-frontend"
)

// Component is a server and the background work that goes with it.
type Component struct {
	httpx.Server
	Background []func(ctx context.Context)
}

// OpenStore opens the configured database with the master key.
func OpenStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	if cfg.Secrets.MasterKey == "" {
		return nil, errors.New("secrets.master_key is not set (PGW_SECRETS_MASTER_KEY). For the data `pgw dev` made, " +
			"run pgw with --data DIR, the directory where it keeps its key (default ./data); a new key from `pgw genkey` cannot read that data. " +
			"For a new installation, make one with `pgw genkey` and keep it")
	}
	key, err := secrets.ParseKey(cfg.Secrets.MasterKey)
	if err != nil {
		return nil, fmt.Errorf("secrets.master_key: %w", err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.Database.URL, box)
}

// OpenMigrated opens the store and checks that its schema is current; a
// database that is not migrated gives store.ErrNotMigrated.
func OpenMigrated(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := st.CheckMigrated(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// sessionKey is session.key, or a key derived from the master key when it is not set.
func sessionKey(cfg *config.Config) []byte {
	if k, err := secrets.ParseKey(cfg.Session.Key); err == nil {
		return k
	}
	m := hmac.New(sha256.New, []byte(cfg.Secrets.MasterKey))
	m.Write([]byte("pgw dashboard sessions"))
	return m.Sum(nil)
}

// disputeHold is the hold a lost dispute puts on its customer, none for "none".
func disputeHold(cfg *config.Config) risk.Action {
	if cfg.Disputes.AutoHold == "none" {
		return ""
	}
	return risk.Action(cfg.Disputes.AutoHold)
}

func payments(cfg *config.Config, st *store.Store, log *slog.Logger) *payment.Service {
	l := cfg.Limits
	return payment.New(st, payment.Options{StripeAPIBase: cfg.Stripe.APIBase, Log: log.With("component", "payment"),
		Limiter: limits.New(st, store.TimeNow), DisputeHold: disputeHold(cfg),
		Taxes: taxes.New(st, taxes.Options{VIES: &vies.Client{URL: cfg.Tax.VIESURL, Timeout: cfg.Tax.VIESTimeout},
			Limiter: limits.New(st, store.TimeNow), PerCheckout: limits.Rule{Limit: cfg.Tax.QuotesPerCheckout, Window: cfg.Limits.Window}}),
		AttemptLimits: payment.AttemptLimits{
			PerCheckout: limits.Rule{Limit: l.AttemptsPerCheckout, Window: l.Window},
			PerClient:   limits.Rule{Limit: l.AttemptsPerClient, Window: l.Window},
			PerSite:     limits.Rule{Limit: l.AttemptsPerSite, Window: l.Window},
		}})
}

// serve wraps a server's routes in the common middleware.
func serve(cfg *config.Config, h http.Handler, log *slog.Logger, m *httpx.Metrics) http.Handler {
	trusted, _ := cfg.HTTP.TrustedPrefixes() // checked when the configuration was loaded
	return httpx.Wrap(httpx.TrustProxies(httpx.RefuseBadBytes(httpx.Compress(h)), trusted, log), log, m)
}

func newMux(cfg *config.Config, name string, st *store.Store) (*http.ServeMux, *httpx.Metrics) {
	installHooks(cfg, st)
	mux := http.NewServeMux()
	reg := httpx.NewRegistry(mux, cfg.Metrics.Token)
	httpx.Health(mux, st)
	return mux, httpx.NewMetrics(reg, name)
}

// installHooks gives the store the adapters' hooks: every server changes
// checkouts, and each change carries what the adapters add to it.
func installHooks(cfg *config.Config, st *store.Store) {
	orchestrapay.Install(st)
	intandem.Install(st)
	buyermail.Install(st, cfg.Mail.Host != "")
}

// mailSender writes and sends the buyer's emails and the operators' alerts.
func mailSender(cfg *config.Config, st *store.Store) *buyermail.Sender {
	words, err := lang.New()
	if err != nil {
		panic(err) // the catalogues are compiled in and tested
	}
	snd := &buyermail.Sender{Store: st, Words: words, Timeout: cfg.Notify.AttemptTimeout, DashboardURL: cfg.URLs.AdminBackend}
	if m := cfg.Mail; m.Host != "" {
		snd.System = &mail.Server{Host: m.Host, Port: int(m.Port), TLS: m.TLS, Username: m.Username, Password: m.Password, From: m.From}
	}
	return snd
}

// Admin builds admin-backend.
func Admin(cfg *config.Config, st *store.Store, log *slog.Logger) Component {
	log = log.With("server", AdminBackend)
	mux, m := newMux(cfg, AdminBackend, st)
	usage := auth.NewUsage(st.TouchAPIKeys, log)
	pay := payments(cfg, st, log)
	mailer := mailSender(cfg, st)
	limiter := apiLimits(cfg, st)
	api := adminapi.New(st, pay, log, usage, adminapi.Options{
		PaymentBaseURL: cfg.URLs.MainFrontend,
		MaxAmount:      cfg.Checkout.MaxAmount,
		NotifyMaxAge:   cfg.Notify.MaxAge,
		SecretOverlap:  cfg.Notify.SecretOverlap,
		IntandemClient: intandemClient(cfg),
		DefaultExpiry:  cfg.Checkout.DefaultExpiry,
		Mail:           mailer,
		Limits:         limiter,
		Domains:        domainVerifier(cfg),
	})
	api.Register(mux)
	preview := frontend.New(st, pay, log.With("surface", "preview"))
	dash := dashboard.New(st, pay, log.With("surface", "dashboard"), dashboard.Options{
		Mail:               mailer,
		Preview:            preview.Preview,
		Domains:            domainVerifier(cfg),
		SessionKey:         sessionKey(cfg),
		Secure:             strings.HasPrefix(cfg.URLs.AdminBackend, "https://"),
		IdleTimeout:        cfg.Session.IdleTimeout,
		MaxAge:             cfg.Session.MaxAge,
		PaymentBaseURL:     cfg.URLs.MainFrontend,
		MaxAmount:          cfg.Checkout.MaxAmount,
		NotifyMaxAge:       cfg.Notify.MaxAge,
		SecretOverlap:      cfg.Notify.SecretOverlap,
		IntandemClient:     intandemClient(cfg),
		NotifyAllowPrivate: cfg.Notify.AllowPrivateTargets,
		Limiter:            limits.New(st, store.TimeNow),
		SigninLimits: dashboard.SigninLimits{
			PerEmailClient: limits.Rule{Limit: cfg.Limits.SigninPerEmailClient, Window: cfg.Limits.Window},
			PerEmail:       limits.Rule{Limit: cfg.Limits.SigninPerEmail, Window: cfg.Limits.Window},
			PerClient:      limits.Rule{Limit: cfg.Limits.SigninPerClient, Window: cfg.Limits.Window},
		},
		PasswordHashes: cfg.Limits.PasswordHashes,
	})
	dash.Register(mux)
	orchestrapay.New(st, pay, log.With("surface", "orchestrapay"), orchestrapay.Options{
		PaymentBaseURL: cfg.URLs.MainFrontend, MaxAmount: cfg.Checkout.MaxAmount,
	}).Register(mux, api.Authenticated)
	return Component{
		Server: httpx.Server{Name: AdminBackend, Addr: cfg.AdminBackend.Addr, Handler: serve(cfg, adminapi.V1Alias(mux), log, m)},
		Background: []func(context.Context){
			func(ctx context.Context) { usage.Run(ctx, 10*time.Second) },
			func(ctx context.Context) {
				limiter.Run(ctx, 250*time.Millisecond, func(err error) { log.Error("syncing API rate counters", "err", err) })
			},
			func(ctx context.Context) {
				every(ctx, time.Hour, func(ctx context.Context) {
					pruneIdempotency(ctx, st, log)
					// The longest window is the attempts' or the API's five minutes.
					if _, err := st.PruneRates(ctx, store.TimeNow().Add(-2*max(cfg.Limits.Window, 5*time.Minute))); err != nil && ctx.Err() == nil {
						log.Error("pruning rate counters", "err", err)
					}
				})
			},
			func(ctx context.Context) {
				every(ctx, 10*time.Minute, func(ctx context.Context) {
					if err := dash.Prune(ctx); err != nil && ctx.Err() == nil {
						log.Warn("pruning dashboard sessions", "err", err)
					}
				})
			},
		},
	}
}

// Runtime builds main-backend.
func Runtime(cfg *config.Config, st *store.Store, log *slog.Logger) Component {
	log = log.With("server", MainBackend)
	mux, m := newMux(cfg, MainBackend, st)
	pay := payments(cfg, st, log)
	buyerapi.NewAPI(st, pay, pay.Taxes(), log, []string{httpx.Origin(cfg.URLs.MainFrontend)}).Register(mux)
	n := cfg.Notify
	worker := outbox.New(st, outbox.Config{
		PollInterval: n.PollInterval, Lease: n.Lease, Concurrency: int(n.Concurrency), MaxAge: n.MaxAge,
		RetryBase: n.RetryBase, RetryMax: n.RetryMax, AttemptTimeout: n.AttemptTimeout, AllowPrivate: n.AllowPrivateTargets,
		Sinks: Sinks(st), Senders: map[string]outbox.Sender{buyermail.Sink: mailSender(cfg, st)},
	}, log.With("component", "outbox"))
	return Component{
		Server: httpx.Server{Name: MainBackend, Addr: cfg.MainBackend.Addr, Handler: serve(cfg, mux, log, m)},
		Background: []func(context.Context){
			func(ctx context.Context) {
				checkouts.New(st, pay, cfg.Checkout.MaxAmount, nil).Sweep(ctx, log, cfg.Checkout.SweepInterval)
			},
			worker.Run,
			func(ctx context.Context) {
				v := domainVerifier(cfg)
				every(ctx, 10*time.Minute, func(ctx context.Context) {
					if _, err := RecheckDomains(ctx, st, v, store.TimeNow(), log); err != nil && ctx.Err() == nil {
						log.Error("checking custom domains", "err", err)
					}
				})
			},
		},
	}
}

// Sinks are every kind of notification main-backend delivers: the IPN and
// events of payment-gateway.app, and what each adapter sends.
func Sinks(st *store.Store) map[string]outbox.Sink {
	sinks := outbox.DefaultSinks(st)
	sinks[notify.SinkOrchestrapay] = orchestrapay.Sink{Data: orchestrapay.NewData(st)}
	sinks[notify.SinkIntandem] = intandem.Sink{Data: intandem.NewData(st)}
	return sinks
}

// Frontend builds main-frontend.
func Frontend(cfg *config.Config, st *store.Store, log *slog.Logger) Component {
	log = log.With("server", MainFrontend)
	mux, m := newMux(cfg, MainFrontend, st)
	pay := payments(cfg, st, log)
	pages := frontend.New(st, pay, log)
	pages.Links(checkouts.New(st, pay, cfg.Checkout.MaxAmount, nil), limits.New(st, store.TimeNow),
		limits.Rule{Limit: cfg.Limits.AttemptsPerClient, Window: cfg.Limits.Window})
	pages.Hosts(domainVerifier(cfg).Target)
	pages.Register(mux)
	intandem.NewApp(st, pay, checkouts.New(st, pay, cfg.Checkout.MaxAmount, nil), log.With("surface", "intandem"), pages,
		intandem.Options{HTTPClient: intandemClient(cfg), DashboardURL: cfg.URLs.AdminBackend}).Register(mux)
	return Component{Server: httpx.Server{Name: MainFrontend, Addr: cfg.MainFrontend.Addr, Handler: serve(cfg, mux, log, m)}}
}

// intandemClient calls inTandem's API, never on a private address unless the
// configuration allows it.
func intandemClient(cfg *config.Config) *http.Client {
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		DialContext: notify.DialContext(10*time.Second, cfg.Notify.AllowPrivateTargets)}}
}

// Run serves the components until ctx ends, then shuts the servers down
// gracefully and waits for their background work to stop.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, comps ...Component) error {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	servers := make([]httpx.Server, 0, len(comps))
	for _, c := range comps {
		servers = append(servers, c.Server)
		for _, fn := range c.Background {
			wg.Go(func() { fn(bctx) })
		}
	}
	err := httpx.Serve(ctx, log, cfg.HTTP.ShutdownTimeout, servers...)
	cancel()
	wg.Wait()
	return err
}

// idempotencyRetention is how long answers are kept for replay.
const idempotencyRetention = 24 * time.Hour

func pruneIdempotency(ctx context.Context, st *store.Store, log *slog.Logger) {
	if n, err := st.PruneIdempotency(ctx, idempotencyRetention); err != nil {
		log.Error("pruning idempotency keys", "err", err)
	} else if n > 0 {
		log.Info("pruned idempotency keys", "count", n)
	}
}

// every runs fn every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// apiLimits is the Admin API's limiter; the rules were checked when the
// configuration was loaded.
func apiLimits(cfg *config.Config, st *store.Store) *limits.APILimiter {
	l, err := limits.NewAPI(st, cfg.APIRules(), store.TimeNow)
	if err != nil {
		panic(err) // config.Validate refuses such rules
	}
	return l
}

// domainVerifier checks custom domains against main-frontend's host.
func domainVerifier(cfg *config.Config) *customdomain.Verifier {
	return &customdomain.Verifier{Resolver: customdomain.NewResolver(cfg.Domains.Resolver), Target: customdomain.HostOf(cfg.URLs.MainFrontend),
		Own: []string{customdomain.HostOf(cfg.URLs.AdminBackend), customdomain.HostOf(cfg.URLs.MainBackend)}}
}
