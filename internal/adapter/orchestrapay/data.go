package orchestrapay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
)

// Data is the surface's own tables (intents, payment intents, refunds) and
// the webhooks they send, kept in the core's database and transactions.
type Data struct{ st *store.Store }

// NewData returns the tables over s.
func NewData(s *store.Store) *Data { return &Data{st: s} }

// Install adds the surface's hook to the store: a checkout's closing is
// followed on its payment intents in the same transaction.
func Install(s *store.Store) { s.OnCheckoutClosed("orchestrapay", NewData(s).syncPayments) }

// Intent is a checkout created through the Orchestrapay surface,
// with what that surface sends and shows beside our checkout.
type Intent struct {
	bun.BaseModel    `bun:"table:orchestrapay_intents,alias:oi"`
	CheckoutID       string    `bun:",pk"`
	OrganizationID   string    `bun:",notnull"`
	UUID             string    `bun:"uuid,notnull"`
	Secret           int64     `bun:",notnull"`
	Amount           int64     `bun:",notnull"`
	Currency         string    `bun:",notnull"`
	FinalSuccessURL  string    `bun:"final_success_url,notnull"`
	FinalFailureURL  string    `bun:"final_failure_url,notnull"`
	Locale           string    `bun:",notnull"`
	IdempotencyKey   string    `bun:",notnull"`
	HumanRef         string    `bun:",notnull"`
	TimeoutSeconds   int64     `bun:",notnull"`
	WebhookURLs      string    `bun:"webhook_urls,notnull"` // JSON array
	WebhookSecret    string    `bun:"-"`
	WebhookSecretEnc string    `bun:",notnull"`
	FeatureFlag      string    `bun:",notnull"`
	Tenant           string    `bun:",notnull"`
	LineItems        string    `bun:",notnull"` // JSON array, as sent
	Payload          string    `bun:",notnull"` // JSON object, as sent
	CreatedAt        time.Time `bun:",notnull"`
	UpdatedAt        time.Time `bun:",notnull"`
	DeletedAt        time.Time `bun:",nullzero"`
}

// URLs returns the webhook URLs.
func (i *Intent) URLs() []string {
	var u []string
	json.Unmarshal([]byte(i.WebhookURLs), &u) //nolint:errcheck // written by us
	return u
}

// Payment is a payment intent: one gateway's try at a checkout intent.
type Payment struct {
	bun.BaseModel  `bun:"table:orchestrapay_payments,alias:op"`
	UUID           string    `bun:"uuid,pk"`
	ID             int64     `bun:"id,notnull"`
	OrganizationID string    `bun:",notnull"`
	CheckoutID     string    `bun:",notnull"`
	Gateway        string    `bun:",notnull"`
	Status         string    `bun:",notnull"` // pending, success, canceled
	SubStatus      string    `bun:",notnull"`
	TimeoutAt      time.Time `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

// Refund is a refund asked through the Orchestrapay surface.
type Refund struct {
	bun.BaseModel    `bun:"table:orchestrapay_refunds,alias:orf"`
	UUID             string    `bun:"uuid,pk"`
	ID               int64     `bun:"id,notnull"`
	OrganizationID   string    `bun:",notnull"`
	PaymentUUID      string    `bun:"payment_uuid,notnull"`
	RefundID         string    `bun:",notnull"`
	IdempotencyKey   string    `bun:",notnull"`
	Amount           int64     `bun:",notnull"`
	Currency         string    `bun:",notnull"`
	Status           string    `bun:",notnull"`
	SubStatus        string    `bun:",notnull"`
	WebhookURLs      string    `bun:"webhook_urls,notnull"`
	WebhookSecret    string    `bun:"-"`
	WebhookSecretEnc string    `bun:",notnull"`
	CreatedAt        time.Time `bun:",notnull"`
	UpdatedAt        time.Time `bun:",notnull"`
}

// Orchestrapay statuses: only pending ever changes.
const (
	StatusPending  = "pending"
	StatusSuccess  = "success"
	StatusCanceled = "canceled"
)

// ErrIdempotencyOtherMode refuses an idempotency key that a key of the
// organization's other mode (test or live) used first.
var ErrIdempotencyOtherMode = errs.New(errs.Conflict, "idempotency_error",
	"checkout_intent_idempotency_key was used by a key of the other mode")

// CreateIntent stores a checkout and its intent in one
// transaction, numbering the intent's secret. An intent with the same
// idempotency key in the organization is returned instead (created=false).
func (d *Data) CreateIntent(ctx context.Context, c *checkout.Checkout, in *Intent) (*Intent, bool, error) {
	return store.RetryOnConflict(func() (*Intent, bool, error) { return d.createIntent(ctx, c, in) })
}

func (d *Data) createIntent(ctx context.Context, c *checkout.Checkout, in *Intent) (*Intent, bool, error) {
	var got *Intent
	var created bool
	err := d.st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if in.IdempotencyKey != "" {
			existing := new(Intent)
			err := tx.NewSelect().Model(existing).Where("organization_id = ?", in.OrganizationID).
				Where("idempotency_key = ?", in.IdempotencyKey).Scan(ctx)
			if err == nil {
				var mode checkout.Mode
				if err := tx.NewSelect().Model((*checkout.Checkout)(nil)).Column("mode").Where("id = ?", existing.CheckoutID).Scan(ctx, &mode); err != nil {
					return fmt.Errorf("reading the mode of intent %s: %w", existing.UUID, err)
				}
				if mode != c.Mode {
					return ErrIdempotencyOtherMode
				}
				got, created = existing, false
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := d.st.InsertCheckout(ctx, tx, c, nil); err != nil {
			return err
		}
		secret, err := store.NextCounter(ctx, tx, in.OrganizationID, "checkout_intent")
		if err != nil {
			return err
		}
		row := *in
		row.Secret = secret
		row.WebhookSecretEnc = d.st.Box().Seal(in.WebhookSecret, "orchestrapay:"+in.CheckoutID)
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("inserting checkout intent: %w", err)
		}
		got, created = &row, true
		return nil
	})
	return got, created, err
}

// GetIntent finds an intent of the organization by its UUID.
func (d *Data) GetIntent(ctx context.Context, orgID, uuid string) (*Intent, error) {
	i := new(Intent)
	if err := d.st.Reader().NewSelect().Model(i).Where("organization_id = ?", orgID).Where("uuid = ?", uuid).
		Where("deleted_at IS NULL").Scan(ctx); err != nil {
		return nil, store.NotFound(err, "checkout intent")
	}
	return i, nil
}

// ListIntents returns a page of the organization's intents with
// the filters and sort applied (see Query), and the number matching.
func (d *Data) ListIntents(ctx context.Context, sc store.Scope, q store.Query) ([]*Intent, int, error) {
	var list []*Intent
	sq := d.st.Reader().NewSelect().Model(&list).Where("oi.organization_id = ?", sc.OrganizationID).Where("oi.deleted_at IS NULL")
	if sc.Mode != "" {
		sq = sq.Where("oi.checkout_id IN (SELECT id FROM checkouts WHERE organization_id = ? AND mode = ?)", sc.OrganizationID, sc.Mode)
	}
	if q.CountOnly {
		q.Limit = 1
		n, err := q.Apply(sq, "oi").Count(ctx)
		return nil, int(n), err
	}
	total, err := q.Apply(sq, "oi").ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing checkout intents: %w", err)
	}
	return list, int(total), nil
}

// CreatePayment starts a payment intent on an open checkout: it is
// numbered, and the checkout now expires when the payment intent times out.
func (d *Data) CreatePayment(ctx context.Context, c *checkout.Checkout, gateway string, timeout time.Duration) (*Payment, error) {
	var p *Payment
	err := d.st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := store.TimeNow()
		res, err := tx.NewUpdate().Model((*checkout.Checkout)(nil)).Set("expires_at = ?", t.Add(timeout)).Set("updated_at = ?", t).
			Where("id = ?", c.ID).Where("status = ?", checkout.StatusOpen).Where("expires_at > ?", t).Exec(ctx)
		if err != nil {
			return fmt.Errorf("setting the payment timeout: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("checkout %s: %w", c.ID, checkout.ErrNotOpen)
		}
		id, err := store.NextCounter(ctx, tx, c.OrganizationID, "payment_intent")
		if err != nil {
			return err
		}
		p = &Payment{UUID: ids.UUID(), ID: id, OrganizationID: c.OrganizationID, CheckoutID: c.ID, Gateway: gateway,
			Status: StatusPending, SubStatus: StatusPending, TimeoutAt: t.Add(timeout), CreatedAt: t, UpdatedAt: t}
		_, err = tx.NewInsert().Model(p).Exec(ctx)
		return err
	})
	return p, err
}

// GetPayment finds a payment intent of the organization by its id.
func (d *Data) GetPayment(ctx context.Context, orgID string, id int64) (*Payment, error) {
	p := new(Payment)
	if err := d.st.Reader().NewSelect().Model(p).Where("organization_id = ?", orgID).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, store.NotFound(err, "payment intent")
	}
	return p, nil
}

// syncPayments follows a checkout's closing on its payment intents, in the
// same transaction: completion makes the latest one a success (creating one
// when the buyer paid without asking for one), expiry and cancel cancel the
// pending ones; each change notifies the intent's webhook URLs.
func (d *Data) syncPayments(ctx context.Context, tx bun.Tx, c *checkout.Checkout, to checkout.Status, t time.Time) error {
	if c.Source != checkout.SourceOrchestrapay {
		return nil
	}
	intent := new(Intent)
	if err := tx.NewSelect().Model(intent).Where("checkout_id = ?", c.ID).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}
	var pending []*Payment
	if err := tx.NewSelect().Model(&pending).Where("checkout_id = ?", c.ID).Where("status = ?", StatusPending).
		OrderExpr("created_at DESC, id DESC").Scan(ctx); err != nil {
		return err
	}
	var changed []*Payment
	switch to {
	case checkout.StatusComplete:
		if len(pending) == 0 {
			id, err := store.NextCounter(ctx, tx, c.OrganizationID, "payment_intent")
			if err != nil {
				return err
			}
			p := &Payment{UUID: ids.UUID(), ID: id, OrganizationID: c.OrganizationID, CheckoutID: c.ID,
				Gateway: "hosted", TimeoutAt: t, CreatedAt: t, UpdatedAt: t}
			if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
				return err
			}
			pending = []*Payment{p}
		}
		pending[0].Status, pending[0].SubStatus = StatusSuccess, StatusSuccess
		changed = pending[:1]
		for _, p := range pending[1:] {
			p.Status, p.SubStatus = StatusCanceled, "canceled_superseded"
			changed = append(changed, p)
		}
	default:
		sub := "canceled_timeout_e2e"
		if to == checkout.StatusCanceled {
			sub = "canceled_by_merchant"
		}
		for _, p := range pending {
			p.Status, p.SubStatus = StatusCanceled, sub
			changed = append(changed, p)
		}
	}
	for _, p := range changed {
		p.UpdatedAt = t
		if _, err := tx.NewUpdate().Model(p).Column("status", "sub_status", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("updating payment intent: %w", err)
		}
		body, err := json.Marshal(map[string]any{
			"idempotency_key": ids.UUID(), "uuid": p.UUID, "id": p.ID, "gateway": p.Gateway, "status": p.Status,
			"sub_status": p.SubStatus, "preflight_id": intent.Secret, "payload": json.RawMessage(orEmptyObject(intent.Payload)),
			"amount": c.Amount, "currency": c.Currency, "step_number": 3, "last_reason": nil, "webhook_type": "payment",
		})
		if err != nil {
			return err
		}
		if err := enqueueWebhook(ctx, tx, c.OrganizationID, c.SiteID, c.ID, p.UUID, intent.URLs(), string(body), t); err != nil {
			return err
		}
	}
	return nil
}

// enqueueWebhook records the webhook as an outbox event and writes one
// delivery per URL; they go out in order per object and URL and count as
// delivered on HTTP 200 only.
func enqueueWebhook(ctx context.Context, tx bun.Tx, orgID, siteID, checkoutID, subjectID string, urls []string, body string, t time.Time) error {
	e := &store.Event{ID: ids.New("evt"), OrganizationID: orgID, Type: "orchestrapay.webhook", SubjectType: "orchestrapay",
		SubjectID: subjectID, Payload: body, CreatedAt: t}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("writing Orchestrapay event: %w", err)
	}
	for _, u := range urls {
		d := &store.Delivery{ID: ids.New("dlv"), EventID: e.ID, OrganizationID: orgID, SiteID: siteID, CheckoutID: checkoutID,
			SubjectID: subjectID, Sink: notify.SinkOrchestrapay, Target: u, OrderingKey: "orch:" + subjectID + ":" + u,
			Body: body, Status: notify.Pending, NextAttemptAt: t, CreatedAt: t, UpdatedAt: t}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return fmt.Errorf("writing Orchestrapay webhook: %w", err)
		}
	}
	return nil
}

// WebhookSecret returns the secret to send with an Orchestrapay webhook
// about subjectID (a payment intent or refund UUID).
func (d *Data) WebhookSecret(ctx context.Context, checkoutID, subjectID string) (string, error) {
	r := new(Refund)
	if err := d.st.Reader().NewSelect().Model(r).Where("uuid = ?", subjectID).Scan(ctx); err == nil {
		return d.st.Box().Open(r.WebhookSecretEnc, "orchestrapay-refund:"+r.UUID)
	}
	i := new(Intent)
	if err := d.st.Reader().NewSelect().Model(i).Where("checkout_id = ?", checkoutID).Scan(ctx); err != nil {
		return "", store.NotFound(err, "checkout intent")
	}
	return d.st.Box().Open(i.WebhookSecretEnc, "orchestrapay:"+i.CheckoutID)
}

// ClaimRefund records a refund request before money moves, so a
// retried request with the same idempotency key finds it instead of refunding
// twice (created=false).
func (d *Data) ClaimRefund(ctx context.Context, r *Refund) (*Refund, bool, error) {
	return store.RetryOnConflict(func() (*Refund, bool, error) { return d.claimRefund(ctx, r) })
}

func (d *Data) claimRefund(ctx context.Context, r *Refund) (*Refund, bool, error) {
	var got *Refund
	var created bool
	err := d.st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if r.IdempotencyKey != "" {
			existing := new(Refund)
			err := tx.NewSelect().Model(existing).Where("organization_id = ?", r.OrganizationID).
				Where("idempotency_key = ?", r.IdempotencyKey).Scan(ctx)
			if err == nil {
				got, created = existing, false
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		id, err := store.NextCounter(ctx, tx, r.OrganizationID, "refund")
		if err != nil {
			return err
		}
		row := *r
		row.ID = id
		row.WebhookSecretEnc = d.st.Box().Seal(r.WebhookSecret, "orchestrapay-refund:"+r.UUID)
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return fmt.Errorf("inserting refund: %w", err)
		}
		got, created = &row, true
		return nil
	})
	return got, created, err
}

// SettleRefund records how a refund ended and notifies its URLs.
func (d *Data) SettleRefund(ctx context.Context, r *Refund, payment *Payment, c *checkout.Checkout, refundID string, ok bool) error {
	return d.st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := store.TimeNow()
		r.Status, r.SubStatus, r.RefundID, r.UpdatedAt = StatusSuccess, StatusSuccess, refundID, t
		if !ok {
			r.Status, r.SubStatus = StatusCanceled, "canceled_provider_error"
		}
		if _, err := tx.NewUpdate().Model(r).Column("status", "sub_status", "refund_id", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		var urls []string
		json.Unmarshal([]byte(r.WebhookURLs), &urls) //nolint:errcheck // written by us
		body, err := json.Marshal(map[string]any{
			"idempotency_key": ids.UUID(), "uuid": r.UUID, "id": r.ID, "status": r.Status, "sub_status": r.SubStatus,
			"transaction_id": payment.ID, "amount": r.Amount, "currency": r.Currency, "webhook_type": "refund",
		})
		if err != nil {
			return err
		}
		return enqueueWebhook(ctx, tx, c.OrganizationID, c.SiteID, c.ID, r.UUID, urls, string(body), t)
	})
}

func orEmptyObject(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

// FindRefund finds a refund of the organization by idempotency key.
func (d *Data) FindRefund(ctx context.Context, orgID, key string) (*Refund, error) {
	r := new(Refund)
	if err := d.st.Reader().NewSelect().Model(r).Where("organization_id = ?", orgID).Where("idempotency_key = ?", key).Scan(ctx); err != nil {
		return nil, store.NotFound(err, "refund")
	}
	return r, nil
}
