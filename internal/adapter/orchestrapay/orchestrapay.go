// Package orchestrapay serves the Orchestrapay Checkout Intents API on
// admin-backend, mapped onto our checkout model: a checkout intent is a
// checkout, a payment intent starts its payment with one gateway (one of the
// site's providers), refunds go through our refunds, and webhooks through the
// outbox. Errors have NestJS's shape, as Orchestrapay's do.
package orchestrapay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Options of the surface.
type Options struct {
	PaymentBaseURL string // main-frontend's public URL
	MaxAmount      int64
	Now            func() time.Time
}

// Handler serves the surface.
type Handler struct {
	store *store.Store
	data  *Data
	pay   *payment.Service
	log   *slog.Logger
	opts  Options
	// checkouts builds checkouts, as every surface does.
	checkouts *checkouts.Service
	// pages is where each site's payment pages are.
	pages customdomain.Pages
}

// New returns the surface.
func New(s *store.Store, pay *payment.Service, log *slog.Logger, opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = store.TimeNow
	}
	return &Handler{store: s, data: NewData(s), pay: pay, log: log, opts: opts, checkouts: checkouts.New(s, pay, opts.MaxAmount, opts.Now),
		pages: customdomain.Pages{Default: opts.PaymentBaseURL, Hosts: s.PrimaryHosts, Log: log}}
}

// Authenticator wraps a handler in API-key authentication for a scope.
type Authenticator func(scope string, h func(http.ResponseWriter, *http.Request, *auth.APIKey)) http.Handler

// Register adds the routes to mux; authed checks keys as the Admin API does.
func (h *Handler) Register(mux httpx.Mux, authed Authenticator) {
	mux.Handle("POST /checkout-intents", authed(auth.ScopeCheckoutCreate, h.createIntent))
	mux.Handle("GET /checkout-intents", authed(auth.ScopeCheckoutRead, h.listIntents))
	mux.Handle("POST /payment-intents", authed(auth.ScopeCheckoutCreate, h.createPayment))
	mux.Handle("POST /refunds", authed(auth.ScopeTransactionExec, h.createRefund))
}

// nestError answers in NestJS's error shape, with our code and request id.
func nestError(w http.ResponseWriter, r *http.Request, status int, code string, messages ...string) {
	var msg any = messages
	if len(messages) == 1 {
		msg = messages[0]
	}
	httpx.WriteJSON(w, status, map[string]any{
		"statusCode": status, "message": msg, "error": http.StatusText(status), "code": code,
		"requestId": httpx.RequestID(r.Context()),
	})
}

// maxBody bounds a request body.
const maxBody = 1 << 20

// decode reads a JSON object, answering 400 itself when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		nestError(w, r, http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("the body must be at most %d bytes", maxBody))
		return false
	}
	// Lists stop at their limit and numbers stay small before anything is
	// decoded, so that no request costs much CPU.
	var je *httpx.JSONError
	if err := httpx.CheckJSON(body, httpx.JSONLimits{MaxArray: checkout.MaxItems, MaxDepth: 16,
		ArrayKeys:   map[string]int{"webhook_urls": maxWebhookURLs},
		IntegerKeys: map[string]bool{"amount": true, "line_items.price": true}}); errors.As(err, &je) {
		nestError(w, r, http.StatusBadRequest, "validation_error", je.Error())
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		nestError(w, r, http.StatusBadRequest, "invalid_json", "the body must be a JSON object: "+err.Error())
		return false
	}
	return true
}

// resolveSite finds the site a request is for: tenant names it by slug or id;
// without one, the organization must have exactly one site.
func (h *Handler) resolveSite(r *http.Request, key *auth.APIKey, name string) (*tenant.Site, int, string) {
	sites, err := h.store.ListSites(r.Context(), key.OrganizationID)
	if err != nil {
		return nil, http.StatusInternalServerError, err.Error()
	}
	if name == "" {
		if len(sites) != 1 {
			return nil, http.StatusUnprocessableEntity, "tenant is required: this organization has several sites (name one by slug or id)"
		}
		return sites[0], 0, ""
	}
	for _, s := range sites {
		if s.ID == name || strings.EqualFold(s.Slug, name) {
			return s, 0, ""
		}
	}
	return nil, http.StatusUnprocessableEntity, "tenant " + name + " is not a site of this organization"
}

type gateway struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Enabled bool   `json:"enabled"`
}

// gateways lists the site's payment methods for a mode, as Orchestrapay names them.
func (h *Handler) gateways(r *http.Request, c *checkout.Checkout) ([]gateway, []payment.Method, error) {
	methods, err := h.pay.Methods(r.Context(), c)
	if err != nil {
		return nil, nil, err
	}
	out := []gateway{}
	for _, m := range methods {
		out = append(out, gateway{ID: m.ID, Name: m.Name, Type: "card", Enabled: true})
	}
	return out, methods, nil
}

func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.ClientGone(w, r) {
		return
	}
	h.log.Error("orchestrapay request failed", "err", err, "requestId", httpx.RequestID(r.Context()))
	nestError(w, r, http.StatusInternalServerError, "internal_error", "internal error")
}

// documentedCodes are Orchestrapay's own codes for the core's errors it
// documents (for refused input the message is the code, as Orchestrapay
// sends it).
var documentedCodes = map[string]string{
	store.ErrRefundTooMuch.Code: errRefundTooMuch.Code,
	checkout.ErrNotOpen.Code:    "CHECKOUT_INTENT_CLOSED",
}

// failed renders a handler's error in Orchestrapay's envelope and reports
// whether there was one: a not-found by notFoundCode (what names the object),
// refused input as 400 (by Orchestrapay's documented code where it has one),
// a conflict as 409, a provider's failure as 502, anything else as 500.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, err error, notFoundCode, what string) bool {
	if err == nil {
		return false
	}
	e, ok := errs.As(err)
	switch {
	case !ok:
		h.internal(w, r, err)
	case e.Kind == errs.NotFound && notFoundCode != "":
		nestError(w, r, http.StatusNotFound, notFoundCode, what+" not found")
	case e.Kind == errs.Invalid && documentedCodes[e.Code] != "":
		nestError(w, r, http.StatusBadRequest, documentedCodes[e.Code], documentedCodes[e.Code])
	case e.Kind == errs.Invalid:
		nestError(w, r, http.StatusBadRequest, e.Code, e.Message)
	case e.Kind == errs.Conflict && documentedCodes[e.Code] != "":
		nestError(w, r, http.StatusConflict, documentedCodes[e.Code], e.Message)
	case e.Kind == errs.Conflict:
		nestError(w, r, http.StatusConflict, e.Code, e.Message)
	case e.Kind == errs.Forbidden:
		nestError(w, r, http.StatusForbidden, e.Code, e.Message)
	case e.Kind == errs.Upstream:
		h.log.Warn("orchestrapay: provider failed", "err", err, "requestId", httpx.RequestID(r.Context()))
		nestError(w, r, http.StatusBadGateway, e.Code, e.Message)
	default:
		h.internal(w, r, err)
	}
	return true
}

func newUUID() string { return ids.UUID() }
