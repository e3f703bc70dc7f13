// Package adminapi is admin-backend's merchant API (payment-gateway.app
// compatible): API-key authentication, idempotency, and the checkout
// endpoints. It translates HTTP into calls on the checkout model and the store,
// and their errors into status codes.
package adminapi

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/adapter/intandem"
	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/buyermail"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/limits"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
)

// Options are the settings the API needs from the configuration.
type Options struct {
	// PaymentBaseURL is main-frontend's public URL; paymentUrl is built on it.
	PaymentBaseURL string
	MaxAmount      int64
	// NotifyMaxAge is the fresh maximum age a redelivered notification gets.
	NotifyMaxAge time.Duration
	// SecretOverlap is how long a rotated signing secret keeps signing.
	SecretOverlap time.Duration
	// Now is the clock; nil means the store's.
	Now func() time.Time
	// IntandemClient asks inTandem whose access token a connection holds.
	IntandemClient *http.Client
	// DefaultExpiry is the checkout lifetime of sites created without one
	// (24 h when zero).
	DefaultExpiry time.Duration
	// Mail sends the test email of the mail settings.
	Mail *buyermail.Sender
	// Limits bounds each key's and organization's requests; nil is none.
	Limits *limits.APILimiter
	// Domains checks custom domains' DNS records; nil answers 503.
	Domains *customdomain.Verifier
}

// API serves the Admin API.
type API struct {
	store *store.Store
	pay   *payment.Service
	log   *slog.Logger
	usage *auth.Usage
	opts  Options
	// checkouts creates and closes checkouts, as every surface does.
	checkouts *checkouts.Service
	// intandem holds the sites' inTandem connections.
	intandem *intandem.Data
	// pages is where each site's paymentUrls point.
	pages customdomain.Pages
}

// New returns the API. usage records key use; see auth.Usage.
func New(s *store.Store, pay *payment.Service, log *slog.Logger, usage *auth.Usage, opts Options) *API {
	if opts.Now == nil {
		opts.Now = store.TimeNow
	}
	return &API{store: s, pay: pay, log: log, usage: usage, opts: opts, checkouts: checkouts.New(s, pay, opts.MaxAmount, opts.Now),
		intandem: intandem.NewData(s), pages: customdomain.Pages{Default: opts.PaymentBaseURL, Hosts: s.PrimaryHosts, Log: log}}
}

// maxBody is the largest request body accepted.
const maxBody = 1 << 20

// Register adds the API's routes to mux.
func (a *API) Register(mux httpx.Mux) {
	mux.Handle("POST /api/v1/checkouts/{siteId}/create", a.authed(auth.ScopeCheckoutCreate, a.idempotentClaim(a.createCheckout)))
	mux.Handle("GET /api/v1/checkouts/{id}", a.authed(auth.ScopeCheckoutRead, a.getCheckout))
	mux.Handle("GET /api/v1/checkouts", a.authed(auth.ScopeCheckoutRead, a.listCheckouts))
	mux.Handle("POST /api/v1/checkouts/{id}/expire", a.authed(auth.ScopeCheckoutUpdate, a.idempotent(a.closeCheckout(checkout.StatusExpired))))
	mux.Handle("POST /api/v1/checkouts/{id}/cancel", a.authed(auth.ScopeCheckoutUpdate, a.idempotent(a.closeCheckout(checkout.StatusCanceled))))
	mux.Handle("GET /api/v1/deliveries", a.authed(auth.ScopeNotificationRead, a.listDeliveries))
	mux.Handle("GET /api/v1/deliveries/{id}", a.authed(auth.ScopeNotificationRead, a.getDelivery))
	mux.Handle("POST /api/v1/deliveries/{id}/redeliver", a.authed(auth.ScopeNotificationExec, a.idempotent(a.redeliver)))
	mux.Handle("POST /api/v1/sites", a.authed(auth.ScopeSiteCreate, a.idempotent(a.createSite)))
	mux.Handle("GET /api/v1/sites", a.authed(auth.ScopeSiteRead, a.listSites))
	mux.Handle("GET /api/v1/sites/{id}", a.authed(auth.ScopeSiteRead, a.getSite))
	mux.Handle("PATCH /api/v1/sites/{id}", a.authed(auth.ScopeSiteUpdate, a.patchSite))
	mux.Handle("POST /api/v1/sites/{id}/webhook-secret/regenerate", a.authed(auth.ScopeSiteUpdate, a.idempotent(a.rotateSecret)))
	mux.Handle("GET /api/v1/sites/{id}/webhook-endpoints", a.authed(auth.ScopeSiteRead, a.listEndpoints))
	mux.Handle("POST /api/v1/sites/{id}/webhook-endpoints", a.authed(auth.ScopeSiteUpdate, a.idempotent(a.createEndpoint)))
	mux.Handle("DELETE /api/v1/sites/{id}/webhook-endpoints/{endpointId}", a.authed(auth.ScopeSiteUpdate, a.deleteEndpoint))
	mux.Handle("GET /api/v1/sites/{id}/providers", a.authed(auth.ScopeProviderRead, a.listProviders))
	mux.Handle("POST /api/v1/sites/{id}/providers", a.authed(auth.ScopeProviderCreate, a.idempotent(a.createProvider)))
	mux.Handle("GET /api/v1/sites/{id}/providers/{providerId}", a.authed(auth.ScopeProviderRead, a.getProvider))
	mux.Handle("PATCH /api/v1/sites/{id}/providers/{providerId}", a.authed(auth.ScopeProviderUpdate, a.patchProvider))
	mux.Handle("DELETE /api/v1/sites/{id}/providers/{providerId}", a.authed(auth.ScopeProviderUpdate, a.deleteProvider))
	mux.Handle("POST /api/v1/sites/{id}/providers/{providerId}/enable", a.authed(auth.ScopeProviderUpdate, a.toggleProvider(true)))
	mux.Handle("POST /api/v1/sites/{id}/providers/{providerId}/disable", a.authed(auth.ScopeProviderUpdate, a.toggleProvider(false)))
	mux.Handle("GET /api/v1/transactions", a.authed(auth.ScopeTransactionRead, a.listTransactions))
	mux.Handle("GET /api/v1/transactions/{id}", a.authed(auth.ScopeTransactionRead, a.getTransaction))
	mux.Handle("GET /api/v1/transactions/{id}/refunds", a.authed(auth.ScopeTransactionRead, a.listRefunds))
	mux.Handle("POST /api/v1/transactions/{id}/refund", a.authed(auth.ScopeTransactionExec, a.idempotent(a.refund)))
	mux.Handle("POST /api/v1/transactions/{id}/mark-paid", a.authed(auth.ScopeTransactionExec, a.idempotent(a.markPaid)))
	mux.Handle("GET /api/v1/transactions/{id}/bank-transfer", a.authed(auth.ScopeTransactionRead, a.getBankTransfer))
	mux.Handle("POST /api/v1/transactions/{id}/excess", a.authed(auth.ScopeTransactionExec, a.idempotent(a.resolveExcess)))
	mux.Handle("POST /api/v1/bank-statements", a.authedBody(auth.ScopeTransactionExec, maxStatement, a.idempotent(a.uploadStatement)))
	mux.Handle("GET /api/v1/bank-statements", a.authed(auth.ScopeTransactionRead, a.listStatements))
	mux.Handle("GET /api/v1/bank-statements/csv-profile", a.authed(auth.ScopeTransactionRead, a.getCSVProfile))
	mux.Handle("PUT /api/v1/bank-statements/csv-profile", a.authed(auth.ScopeTransactionExec, a.putCSVProfile))
	mux.Handle("GET /api/v1/bank-receipts", a.authed(auth.ScopeTransactionRead, a.listReceipts))
	mux.Handle("POST /api/v1/bank-receipts/{id}/assign", a.authed(auth.ScopeTransactionExec, a.idempotent(a.assignReceipt)))
	mux.Handle("POST /api/v1/bank-receipts/{id}/dismiss", a.authed(auth.ScopeTransactionExec, a.idempotent(a.dismissReceipt)))
	mux.Handle("GET /api/v1/bank-transfers/attention", a.authed(auth.ScopeTransactionRead, a.transfersNeedingAttention))
	mux.Handle("GET /api/v1/transactions/{id}/tax", a.authed(auth.ScopeTransactionRead, a.getTransactionTax))
	mux.Handle("GET /api/v1/transactions/{id}/disputes", a.authed(auth.ScopeTransactionRead, a.listDisputes))
	mux.Handle("POST /api/v1/transactions/{id}/disputes", a.authed(auth.ScopeTransactionUpdate, a.idempotent(a.openDispute)))
	mux.Handle("PATCH /api/v1/transactions/{id}/disputes/{disputeId}", a.authed(auth.ScopeTransactionUpdate, a.changeDispute("disputeId")))
	mux.Handle("PATCH /api/v1/transactions/{id}/chargeback/{chargebackId}", a.authed(auth.ScopeTransactionUpdate, a.changeDispute("chargebackId")))
	mux.Handle("GET /api/v1/organizations/settings/mail", a.authed(auth.ScopeOrganizationRead, a.getMailSettings))
	mux.Handle("PUT /api/v1/organizations/settings/mail", a.authed(auth.ScopeOrganizationExec, a.putMailSettings))
	mux.Handle("POST /api/v1/organizations/settings/mail/test", a.authed(auth.ScopeOrganizationExec, a.testMail))
	mux.Handle("GET /api/v1/organizations/settings/tax", a.authed(auth.ScopeOrganizationRead, a.getTaxSettings))
	mux.Handle("PUT /api/v1/organizations/settings/tax", a.authed(auth.ScopeOrganizationExec, a.putTaxSettings))
	mux.Handle("GET /api/v1/tax/reports/by-country", a.authed(auth.ScopeTaxReportRead, a.byCountry(false)))
	mux.Handle("GET /api/v1/tax/reports/by-country/export", a.authed(auth.ScopeTaxReportRead, a.byCountry(true)))
	mux.Handle("GET /api/v1/tax/reports/vat-oss", a.authed(auth.ScopeTaxReportRead, a.vatOSS(false)))
	mux.Handle("GET /api/v1/tax/reports/vat-oss/export", a.authed(auth.ScopeTaxReportRead, a.vatOSS(true)))
	mux.Handle("GET /api/v1/tax-rates", a.authed(auth.ScopeTaxRateRead, a.listTaxRates))
	mux.Handle("POST /api/v1/tax-rates", a.authed(auth.ScopeTaxRateCreate, a.idempotent(a.createTaxRate)))
	mux.Handle("PUT /api/v1/tax-rates/{id}", a.authed(auth.ScopeTaxRateUpdate, a.updateTaxRate))
	mux.Handle("DELETE /api/v1/tax-rates/{id}", a.authed(auth.ScopeTaxRateDelete, a.deleteTaxRate))
	mux.Handle("GET /api/v1/customer-risk-holds", a.authed(auth.ScopeClientRead, a.listHolds))
	mux.Handle("POST /api/v1/customer-risk-holds", a.authed(auth.ScopeClientCreate, a.idempotent(a.createHold)))
	mux.Handle("DELETE /api/v1/customer-risk-holds/{id}", a.authed(auth.ScopeClientDelete, a.deleteHold))
	mux.Handle("GET /api/v1/sites/{id}/intandem", a.authed(auth.ScopeSiteRead, a.getIntandem))
	mux.Handle("PUT /api/v1/sites/{id}/intandem", a.authed(auth.ScopeSiteUpdate, a.putIntandem))
	mux.Handle("DELETE /api/v1/sites/{id}/intandem", a.authed(auth.ScopeSiteUpdate, a.deleteIntandem))
	// Creating and rotating a key answer its secret, which no idempotency
	// record may keep: they take no Idempotency-Key.
	keys := "/api/v1/organizations/{orgId}/api-keys"
	mux.Handle("GET "+keys, a.authed(auth.ScopeAPIKeyRead, a.listKeys))
	mux.Handle("POST "+keys, a.authed(auth.ScopeAPIKeyCreate, a.createKey))
	mux.Handle("GET "+keys+"/{id}", a.authed(auth.ScopeAPIKeyRead, a.getKey))
	mux.Handle("PUT "+keys+"/{id}", a.authed(auth.ScopeAPIKeyUpdate, a.updateKey))
	mux.Handle("DELETE "+keys+"/{id}", a.authed(auth.ScopeAPIKeyDelete, a.deleteKey))
	mux.Handle("POST "+keys+"/{id}/revoke", a.authed(auth.ScopeAPIKeyExec, a.idempotent(a.revokeKey)))
	mux.Handle("POST "+keys+"/{id}/rotate", a.authed(auth.ScopeAPIKeyExec, a.rotateKey))
	mux.Handle("DELETE /api/v1/sites/{id}", a.authed(auth.ScopeSiteDelete, a.deleteSite))
	mux.Handle("GET /api/v1/clients", a.authed(auth.ScopeClientRead, a.listClients))
	mux.Handle("GET /api/v1/clients/{id}", a.authed(auth.ScopeClientRead, a.getClient))
	mux.Handle("GET /api/v1/events", a.authed(auth.ScopeNotificationRead, a.listEvents))
	mux.Handle("GET /api/v1/dashboard", a.authed(auth.ScopeTransactionRead, a.dashboard))
	mux.Handle("POST /api/v1/payment-links", a.authed(auth.ScopeCheckoutCreate, a.idempotent(a.createLink)))
	mux.Handle("GET /api/v1/payment-links", a.authed(auth.ScopeCheckoutRead, a.listLinks))
	mux.Handle("GET /api/v1/payment-links/{id}", a.authed(auth.ScopeCheckoutRead, a.getLink))
	mux.Handle("POST /api/v1/payment-links/{id}/deactivate", a.authed(auth.ScopeCheckoutUpdate, a.idempotent(a.deactivateLink)))
	mux.Handle("GET /api/v1/domains", a.authed(auth.ScopeDomainRead, a.listDomains))
	mux.Handle("POST /api/v1/domains", a.authed(auth.ScopeDomainCreate, a.idempotent(a.createDomain)))
	mux.Handle("PUT /api/v1/domains/{id}", a.authed(auth.ScopeDomainUpdate, a.updateDomain))
	mux.Handle("DELETE /api/v1/domains/{id}", a.authed(auth.ScopeDomainDelete, a.deleteDomain))
	mux.Handle("POST /api/v1/domains/{id}/verify", a.authed(auth.ScopeDomainExec, a.verifyDomain))
	mux.Handle("GET /api/v1/openapi.json", apidoc.Document(apidoc.MustAdmin()))
	mux.Handle("GET /docs", apidoc.Reference("pgw Admin API", "/api/v1/openapi.json"))
	mux.Handle("GET "+apidoc.AssetsPath, apidoc.Assets())
	mux.HandleFunc("/", httpx.Fallback(mux))
}

// V1Alias serves /v1/... as /api/v1/..., as the original's reverse proxy does;
// the official plugins call /v1/checkouts/{siteId}/create.
func V1Alias(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/api" + r.URL.Path
			r2.URL.RawPath = ""
			next.ServeHTTP(w, r2)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Authenticated wraps h in the API's key authentication, scope check and
// Idempotency-Key handling, for API surfaces that live beside this one.
func (a *API) Authenticated(scope string, h func(http.ResponseWriter, *http.Request, *auth.APIKey)) http.Handler {
	return a.authed(scope, a.idempotent(h))
}
