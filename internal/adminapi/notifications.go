package adminapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

type attemptView struct {
	AttemptedAt time.Time `json:"attemptedAt"`
	HTTPStatus  int       `json:"httpStatus"`
	LatencyMS   int64     `json:"latencyMs"`
	Error       string    `json:"error,omitempty"`
	Response    string    `json:"response,omitempty"`
}

type deliveryView struct {
	ID         string          `json:"id"`
	EventID    string          `json:"eventId"`
	Sink       string          `json:"sink"`
	Target     string          `json:"target"`
	Status     string          `json:"status"`
	CheckoutID string          `json:"checkoutId"`
	SubjectID  string          `json:"subjectId"`
	Body       json.RawMessage `json:"body"`
	// IPNVersion, IPNDeliveryID and EventVersion describe an IPN: the
	// version it speaks and, for v2, its deliveryId and eventVersion.
	IPNVersion    int           `json:"ipnVersion,omitempty"`
	IPNDeliveryID string        `json:"ipnDeliveryId,omitempty"`
	EventVersion  int64         `json:"eventVersion,omitempty"`
	Attempts      int           `json:"attempts"`
	LastStatus    int           `json:"lastStatus,omitempty"`
	LastError     string        `json:"lastError,omitempty"`
	NextAttemptAt *time.Time    `json:"nextAttemptAt,omitempty"`
	DeliveredAt   *time.Time    `json:"deliveredAt,omitempty"`
	CreatedAt     time.Time     `json:"createdAt"`
	AttemptLog    []attemptView `json:"attemptLog"`
}

func viewDelivery(d *store.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, EventID: d.EventID, Sink: d.Sink, Target: d.Target, Status: d.Status,
		CheckoutID: d.CheckoutID, SubjectID: d.SubjectID, Body: json.RawMessage(d.Body), Attempts: d.Attempts,
		LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt, AttemptLog: []attemptView{},
		IPNVersion: d.IPNVersion, EventVersion: d.EventVersion}
	if d.Sink == notify.SinkIPN && d.IPNVersion == tenant.IPNv2 {
		v.IPNDeliveryID = notify.IPNDeliveryID(d.ID)
	}
	if d.Status == notify.Pending {
		t := d.NextAttemptAt
		v.NextAttemptAt = &t
	}
	if !d.DeliveredAt.IsZero() {
		t := d.DeliveredAt
		v.DeliveredAt = &t
	}
	for _, a := range d.AttemptLog {
		v.AttemptLog = append(v.AttemptLog, attemptView{AttemptedAt: a.AttemptedAt, HTTPStatus: a.HTTPStatus,
			LatencyMS: a.LatencyMS, Error: a.Error, Response: a.Response})
	}
	return v
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	q := r.URL.Query()
	f := store.DeliveryFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, Status: q.Get("status"),
		CheckoutID: q.Get("checkoutId"), SubjectID: q.Get("transactionId"), Page: 1, Limit: defaultLimit}
	switch f.Status {
	case "", notify.Pending, notify.Delivered, notify.Failed, notify.Superseded:
	default:
		httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "status", "status must be pending, delivered, failed or superseded")
		return
	}
	if !pageParams(w, r, &f.Page, &f.Limit) {
		return
	}
	ds, total, err := a.store.ListDeliveries(r.Context(), f)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]deliveryView, 0, len(ds))
	for _, d := range ds {
		out = append(out, viewDelivery(d))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "page": f.Page, "limit": f.Limit, "total": total,
		"hasMore": f.Page*f.Limit < total})
}

// deliveryInScope finds a delivery of the key's organization whose checkout
// is of the key's mode.
func (a *API) deliveryInScope(r *http.Request, key *auth.APIKey) (*store.Delivery, error) {
	d, err := a.store.GetDelivery(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if _, err := a.store.CheckoutInScope(r.Context(), store.KeyScope(key), d.CheckoutID); err != nil {
		return nil, fmt.Errorf("delivery: %w", errs.ErrNotFound)
	}
	return d, nil
}

func (a *API) getDelivery(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	d, err := a.deliveryInScope(r, key)
	if httpx.Fail(w, r, a.log, err, "delivery") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewDelivery(d))
}

func (a *API) redeliver(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if _, err := a.deliveryInScope(r, key); httpx.Fail(w, r, a.log, err, "delivery") {
		return
	}
	d, err := a.store.Redeliver(r.Context(), key.OrganizationID, r.PathValue("id"), a.opts.NotifyMaxAge)
	if httpx.Fail(w, r, a.log, err, "delivery") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewDelivery(d))
}

func (a *API) rotateSecret(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	rot, err := a.store.RotateWebhookSecret(r.Context(), key.OrganizationID, r.PathValue("id"), a.opts.SecretOverlap)
	if httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"webhookSecret": rot.Secret, "previousSecretValidUntil": rot.PreviousUntil})
}

type endpointView struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"siteId"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"createdAt"`
}

func viewEndpoint(e *store.WebhookEndpoint) endpointView {
	return endpointView{ID: e.ID, SiteID: e.SiteID, URL: e.URL, Events: e.EventList(), Enabled: e.Enabled, CreatedAt: e.CreatedAt}
}

func (a *API) listEndpoints(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	if _, err := a.store.GetSite(r.Context(), key.OrganizationID, r.PathValue("id")); httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	eps, err := a.store.ListWebhookEndpoints(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	out := make([]endpointView, 0, len(eps))
	for _, e := range eps {
		out = append(out, viewEndpoint(e))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (a *API) createEndpoint(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if !decodeJSON(w, r, body, &req) {
		return
	}
	if err := checkout.CheckURL("url", strings.TrimSpace(req.URL)); err != nil {
		httpx.Fail(w, r, a.log, err, "")
		return
	}
	if len(req.Events) == 0 {
		req.Events = notify.EventTypes
	}
	for _, e := range req.Events {
		if !notify.ValidEventType(e) {
			httpx.WriteFieldError(w, r, http.StatusUnprocessableEntity, "validation_error", "events",
				"unknown event type "+strconv.Quote(e)+": want one of "+strings.Join(notify.EventTypes, ", "))
			return
		}
	}
	e := &store.WebhookEndpoint{ID: ids.New("we"), OrganizationID: key.OrganizationID, SiteID: r.PathValue("id"),
		URL: strings.TrimSpace(req.URL), Events: strings.Join(req.Events, " "), Enabled: true, CreatedAt: a.opts.Now()}
	if err := a.store.CreateWebhookEndpoint(r.Context(), e); httpx.Fail(w, r, a.log, err, "site") {
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, viewEndpoint(e))
}

func (a *API) deleteEndpoint(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	err := a.store.DeleteWebhookEndpoint(r.Context(), key.OrganizationID, r.PathValue("id"), r.PathValue("endpointId"))
	if httpx.Fail(w, r, a.log, err, "webhook endpoint") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
