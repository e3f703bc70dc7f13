package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/notify"
)

// Delivery is one notification to one target, written in the same transaction
// as the event that causes it.
type Delivery struct {
	bun.BaseModel  `bun:"table:outbox_deliveries,alias:delivery"`
	ID             string `bun:",pk"`
	EventID        string `bun:",notnull"`
	OrganizationID string `bun:",notnull"`
	SiteID         string `bun:",notnull"`
	CheckoutID     string `bun:",notnull"`
	// SubjectID is the transaction or checkout the notification is about.
	SubjectID string `bun:",notnull"`
	Sink      string `bun:",notnull"`
	Target    string `bun:",notnull"`
	// OrderingKey groups deliveries that must go out one after the other,
	// oldest first; empty for none.
	OrderingKey string `bun:",notnull"`
	Body        string `bun:",notnull"`
	// IPNVersion is the IPN version an IPN delivery speaks (0 for other
	// sinks); EventVersion is a v2 IPN's eventVersion.
	IPNVersion    int       `bun:"ipn_version,notnull"`
	EventVersion  int64     `bun:",notnull"`
	Status        string    `bun:",notnull"`
	Attempts      int       `bun:",notnull"`
	LastStatus    int       `bun:",notnull"`
	LastError     string    `bun:",notnull"`
	NextAttemptAt time.Time `bun:",notnull"`
	LeaseUntil    time.Time `bun:",nullzero"`
	LeaseOwner    string    `bun:",notnull"`
	ExpiresAt     time.Time `bun:",nullzero"`
	DeliveredAt   time.Time `bun:",nullzero"`
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`

	AttemptLog []Attempt `bun:"rel:has-many,join:id=delivery_id"`
}

// Attempt is one try of a delivery.
type Attempt struct {
	bun.BaseModel `bun:"table:delivery_attempts,alias:attempt"`
	ID            string    `bun:",pk"`
	DeliveryID    string    `bun:",notnull"`
	AttemptedAt   time.Time `bun:",notnull"`
	HTTPStatus    int       `bun:"http_status,notnull"`
	LatencyMS     int64     `bun:"latency_ms,notnull"`
	Error         string    `bun:",notnull"`
	Response      string    `bun:",notnull"`
}

// WebhookEndpoint is a merchant URL that receives typed events of a site.
type WebhookEndpoint struct {
	bun.BaseModel  `bun:"table:webhook_endpoints"`
	ID             string    `bun:",pk"`
	OrganizationID string    `bun:",notnull"`
	SiteID         string    `bun:",notnull"`
	URL            string    `bun:"url,notnull"`
	Events         string    `bun:",notnull"` // space-separated event types
	Enabled        bool      `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
}

// EventList returns the subscribed event types.
func (e *WebhookEndpoint) EventList() []string { return strings.Fields(e.Events) }

// enqueue writes the deliveries an event causes: the IPN for a transaction's
// status change when its checkout has an ipnUrl, and the typed event for every
// endpoint of the site subscribed to it.
func (s *Store) enqueue(ctx context.Context, tx bun.Tx, c *checkout.Checkout, e *Event, t time.Time) error {
	var ds []*Delivery
	base := func(sink, target, key, body string) *Delivery {
		return &Delivery{
			ID: ids.New("dlv"), EventID: e.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID, CheckoutID: c.ID,
			SubjectID: e.SubjectID, Sink: sink, Target: target, OrderingKey: key, Body: body, Status: notify.Pending,
			NextAttemptAt: t, CreatedAt: t, UpdatedAt: t,
		}
	}
	if c.IPNURL != "" {
		// One checkout's IPNs go out in order, so a failed attempt's status
		// can never reach the merchant after the payment that followed it.
		d := base(notify.SinkIPN, c.IPNURL, "ipn:"+c.ID+":"+c.IPNURL, "")
		ok, err := s.ipn(ctx, tx, c, e, d)
		if err != nil {
			return err
		}
		if ok {
			ds = append(ds, d)
		}
	}
	if notify.ValidEventType(e.Type) {
		var eps []*WebhookEndpoint
		if err := tx.NewSelect().Model(&eps).Where("site_id = ?", c.SiteID).Where("enabled = ?", true).Scan(ctx); err != nil {
			return fmt.Errorf("loading webhook endpoints: %w", err)
		}
		for _, ep := range eps {
			if !slices.Contains(ep.EventList(), e.Type) {
				continue
			}
			body, err := json.Marshal(notify.Event{ID: e.ID, Type: e.Type, Created: e.CreatedAt, Data: json.RawMessage(`{"object":` + e.Payload + `}`)})
			if err != nil {
				return err
			}
			ds = append(ds, base(notify.SinkWebhook, ep.URL, "", string(body)))
		}
	}
	if err := s.runEventHooks(ctx, tx, c, e, t); err != nil {
		return err
	}
	if len(ds) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&ds).Exec(ctx); err != nil {
		return fmt.Errorf("writing deliveries: %w", err)
	}
	return nil
}

// ClaimDeliveries leases up to n due deliveries to owner for lease. A delivery
// with an ordering key is due only when no older one of its key is pending.
// The claim is one portable UPDATE ... RETURNING whose condition is checked
// again on each row, so concurrent workers never claim the same delivery.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, n int, lease time.Duration) ([]*Delivery, error) {
	var claimed []*Delivery
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		var got []string
		err := tx.NewRaw(`UPDATE outbox_deliveries SET lease_until = ?, lease_owner = ?, updated_at = ?
WHERE id IN (
	SELECT d.id FROM outbox_deliveries d
	WHERE d.status = ? AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
	AND NOT EXISTS (
		SELECT 1 FROM outbox_deliveries o
		WHERE d.ordering_key <> '' AND o.ordering_key = d.ordering_key AND o.status = ?
		AND (o.created_at < d.created_at OR (o.created_at = d.created_at AND o.id < d.id)))
	ORDER BY d.next_attempt_at LIMIT ?)
AND status = ? AND (lease_until IS NULL OR lease_until < ?)
RETURNING id`, t.Add(lease), owner, t, notify.Pending, t, t, notify.Pending, n, notify.Pending, t).Scan(ctx, &got)
		if err != nil {
			return fmt.Errorf("claiming deliveries: %w", err)
		}
		claimed = nil
		if len(got) == 0 {
			return nil
		}
		return tx.NewSelect().Model(&claimed).Where("id IN (?)", bun.In(got)).OrderExpr("created_at, id").Scan(ctx)
	})
	return claimed, err
}

// SupersedeIfNewer marks a leased IPN superseded when a newer status of the
// same transaction waits behind it, and reports whether it did.
func (s *Store) SupersedeIfNewer(ctx context.Context, d *Delivery, owner string) (bool, error) {
	var superseded bool
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		superseded = false
		newer, err := tx.NewSelect().Model((*Delivery)(nil)).
			Where("ordering_key = ?", d.OrderingKey).Where("subject_id = ?", d.SubjectID).Where("id <> ?", d.ID).
			Where("status = ?", notify.Pending).
			Where("(created_at > ? OR (created_at = ? AND id > ?))", d.CreatedAt, d.CreatedAt, d.ID).Exists(ctx)
		if err != nil || !newer {
			return err
		}
		res, err := tx.NewUpdate().Model((*Delivery)(nil)).Set("status = ?", notify.Superseded).
			Set("lease_until = NULL").Set("lease_owner = ''").Set("updated_at = ?", now()).
			Where("id = ?", d.ID).Where("lease_owner = ?", owner).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		superseded = n == 1
		return nil
	})
	return superseded, err
}

// AttemptResult is what one try of a delivery gave.
type AttemptResult struct {
	At         time.Time
	HTTPStatus int
	Latency    time.Duration
	Error      string
	Response   string
	Delivered  bool
	// Retry is when to try again; zero means give up (the delivery fails).
	Retry time.Time
}

// RecordAttempt logs an attempt and moves the delivery on: delivered, due
// again at Retry, or failed. The delivery changes only while owner still
// holds its lease; the attempt is logged regardless.
func (s *Store) RecordAttempt(ctx context.Context, d *Delivery, owner string, r AttemptResult) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		a := &Attempt{ID: ids.New("att"), DeliveryID: d.ID, AttemptedAt: r.At, HTTPStatus: r.HTTPStatus,
			LatencyMS: r.Latency.Milliseconds(), Error: r.Error, Response: r.Response}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("logging attempt: %w", err)
		}
		q := tx.NewUpdate().Model((*Delivery)(nil)).Set("attempts = attempts + 1").Set("last_status = ?", r.HTTPStatus).
			Set("last_error = ?", r.Error).Set("lease_until = NULL").Set("lease_owner = ''").Set("updated_at = ?", now()).
			Where("id = ?", d.ID).Where("lease_owner = ?", owner)
		switch {
		case r.Delivered:
			q = q.Set("status = ?", notify.Delivered).Set("delivered_at = ?", r.At)
		case r.Retry.IsZero():
			q = q.Set("status = ?", notify.Failed)
		default:
			q = q.Set("next_attempt_at = ?", r.Retry.UTC())
		}
		_, err := q.Exec(ctx)
		return err
	})
}

// DeliveryFilter narrows ListDeliveries.
type DeliveryFilter struct {
	OrganizationID string
	Mode           checkout.Mode
	Status         string
	CheckoutID     string
	SubjectID      string
	Page, Limit    int
}

// ListDeliveries returns a page of the organization's deliveries, newest
// first, with their attempts, and how many match.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, int, error) {
	var ds []*Delivery
	q := s.read.NewSelect().Model(&ds).
		Relation("AttemptLog", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("attempted_at, id") }).
		Where("delivery.organization_id = ?", f.OrganizationID)
	if f.Mode != "" {
		q = q.Where("delivery.checkout_id IN (SELECT id FROM checkouts WHERE organization_id = ? AND mode = ?)", f.OrganizationID, f.Mode)
	}
	if f.Status != "" {
		q = q.Where("delivery.status = ?", f.Status)
	}
	if f.CheckoutID != "" {
		q = q.Where("delivery.checkout_id = ?", f.CheckoutID)
	}
	if f.SubjectID != "" {
		q = q.Where("delivery.subject_id = ?", f.SubjectID)
	}
	total, err := q.OrderExpr("delivery.created_at DESC, delivery.id DESC").
		Limit(int64(f.Limit)).Offset(int64((f.Page - 1) * f.Limit)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing deliveries: %w", err)
	}
	return ds, int(total), nil
}

// GetDelivery returns a delivery of the organization with its attempts.
func (s *Store) GetDelivery(ctx context.Context, orgID, id string) (*Delivery, error) {
	d := new(Delivery)
	err := s.read.NewSelect().Model(d).
		Relation("AttemptLog", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("attempted_at, id") }).
		Where("delivery.id = ?", id).Where("delivery.organization_id = ?", orgID).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "delivery")
	}
	return d, nil
}

// ErrDeliveryInFlight refuses to redeliver what a worker is sending now.
var ErrDeliveryInFlight = errs.New(errs.Conflict, "delivery_in_flight", "the delivery is being sent right now")

// Redeliver makes a delivery due now, whatever its state, with a fresh
// maximum age; it keeps its event id and body.
func (s *Store) Redeliver(ctx context.Context, orgID, id string, maxAge time.Duration) (*Delivery, error) {
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		res, err := tx.NewUpdate().Model((*Delivery)(nil)).Set("status = ?", notify.Pending).Set("next_attempt_at = ?", t).
			Set("expires_at = ?", t.Add(maxAge)).Set("updated_at = ?", t).
			Where("id = ?", id).Where("organization_id = ?", orgID).Where("(lease_until IS NULL OR lease_until < ?)", t).Exec(ctx)
		if err != nil {
			return fmt.Errorf("redelivering: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			exists, err := tx.NewSelect().Model((*Delivery)(nil)).Where("id = ?", id).Where("organization_id = ?", orgID).Exists(ctx)
			if err != nil {
				return err
			}
			if exists {
				return ErrDeliveryInFlight
			}
			return fmt.Errorf("delivery %s: %w", id, errs.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetDelivery(ctx, orgID, id)
}

// CreateWebhookEndpoint adds an endpoint to a site of the organization.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	if _, err := s.GetSite(ctx, e.OrganizationID, e.SiteID); err != nil {
		return err
	}
	if _, err := s.write.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("inserting webhook endpoint: %w", err)
	}
	return nil
}

// ListWebhookEndpoints returns a site's endpoints.
func (s *Store) ListWebhookEndpoints(ctx context.Context, orgID, siteID string) ([]*WebhookEndpoint, error) {
	var eps []*WebhookEndpoint
	if err := s.read.NewSelect().Model(&eps).Where("organization_id = ?", orgID).Where("site_id = ?", siteID).
		OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing webhook endpoints: %w", err)
	}
	return eps, nil
}

// DeleteWebhookEndpoint removes an endpoint of the organization.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, orgID, siteID, id string) error {
	res, err := s.write.NewDelete().Model((*WebhookEndpoint)(nil)).Where("id = ?", id).
		Where("organization_id = ?", orgID).Where("site_id = ?", siteID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("deleting webhook endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("webhook endpoint %s: %w", id, errs.ErrNotFound)
	}
	return nil
}

// RotateWebhookSecret gives a site a new signing secret; the old one stays
// valid, and is sent beside the new one, until overlap has passed.
func (s *Store) RotateWebhookSecret(ctx context.Context, orgID, siteID string, overlap time.Duration) (*SecretRotation, error) {
	// The update is conditional on the secret read: of two rotations at
	// once, the later one starts again from the earlier one's secret, so the
	// secret handed out first stays valid as the previous one.
	for range 5 {
		row := new(siteRow)
		if err := s.write.NewSelect().Model(row).Where("id = ?", siteID).Where("organization_id = ?", orgID).Scan(ctx); err != nil {
			return nil, notFound(err, "site")
		}
		current, err := s.box.Open(row.WebhookSecretEnc, "site:"+siteID)
		if err != nil {
			return nil, fmt.Errorf("opening signing secret of site %s: %w", siteID, err)
		}
		t := now()
		secret := "whsec_" + ids.Secret(32)
		res, err := s.write.NewUpdate().Model((*siteRow)(nil)).
			Set("webhook_secret_enc = ?", s.box.Seal(secret, "site:"+siteID)).
			Set("previous_webhook_secret_enc = ?", s.box.Seal(current, "site-previous:"+siteID)).
			Set("previous_secret_until = ?", t.Add(overlap)).Set("updated_at = ?", t).
			Where("id = ?", siteID).Where("organization_id = ?", orgID).Where("webhook_secret_enc = ?", row.WebhookSecretEnc).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("rotating signing secret: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return &SecretRotation{Secret: secret, PreviousUntil: t.Add(overlap)}, nil
		}
	}
	return nil, errors.New("rotating signing secret: other rotations kept winning; try again")
}

// SecretRotation is the new signing secret and when the previous one stops.
type SecretRotation struct {
	Secret        string
	PreviousUntil time.Time
}
