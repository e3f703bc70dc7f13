package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/dispute"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/risk"
)

// DisputeChange opens a dispute or moves one on.
type DisputeChange struct {
	// ProviderDisputeID is the provider's id; a second report of the same
	// provider dispute changes the one recorded.
	ProviderDisputeID string
	Status            dispute.Status
	// Amount and Reason are a new dispute's; Amount 0 is the payment's.
	Amount int64
	Reason string
	// AutoHold is the hold a lost or accepted dispute puts on its customer;
	// empty for none.
	AutoHold risk.Action
}

// OpenDispute records a dispute of a payment of the organization: the payment
// goes to chargeback (IPN status 4) in the same transaction, with the
// dispute's event, and a final status is applied at once.
func (s *Store) OpenDispute(ctx context.Context, orgID, txID string, ch DisputeChange) (*dispute.Dispute, error) {
	var out *dispute.Dispute
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.openDispute(ctx, tx, orgID, txID, ch, now())
		return err
	})
	return out, err
}

func (s *Store) openDispute(ctx context.Context, tx bun.Tx, orgID, txID string, ch DisputeChange, t time.Time) (*dispute.Dispute, error) {
	payment := new(checkout.Transaction)
	if err := tx.NewSelect().Model(payment).Where("id = ?", txID).Where("organization_id = ?", orgID).Scan(ctx); err != nil {
		return nil, notFound(err, "transaction")
	}
	c := new(checkout.Checkout)
	if err := tx.NewSelect().Model(c).Where("id = ?", payment.CheckoutID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("loading checkout of disputed payment: %w", err)
	}
	if ch.Amount == 0 {
		ch.Amount = payment.Amount
	}
	if err := dispute.CheckNew(ch.Amount, payment.Amount, ch.Reason, ch.Status); err != nil {
		return nil, err
	}
	var prior []dispute.Status
	if err := tx.NewSelect().Model((*dispute.Dispute)(nil)).Column("status").Where("transaction_id = ?", txID).Scan(ctx, &prior); err != nil {
		return nil, fmt.Errorf("looking for an open dispute: %w", err)
	}
	for _, st := range prior {
		if !st.Final() {
			return nil, dispute.ErrAlreadyOpen
		}
	}
	if len(prior) >= dispute.MaxPerPayment {
		return nil, dispute.ErrTooMany
	}
	res, err := tx.NewUpdate().Model((*checkout.Transaction)(nil)).Set("status = ?", checkout.TxChargeback).Set("updated_at = ?", t).
		Where("id = ?", txID).Where("status IN (?)", bun.In([]checkout.TxStatus{checkout.TxSucceeded, checkout.TxRefunded})).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("moving the payment to chargeback: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, dispute.ErrNotDisputable
	}
	d := &dispute.Dispute{ID: ids.New("dsp"), OrganizationID: orgID, TransactionID: txID, CheckoutID: c.ID,
		ProviderDisputeID: ch.ProviderDisputeID, Status: dispute.Open, Amount: ch.Amount, Currency: payment.Currency,
		Reason: ch.Reason, CustomerEmail: risk.NormalizeEmail(c.Email), ClientID: c.ClientID, OpenedAt: t, CreatedAt: t, UpdatedAt: t}
	if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return nil, dispute.ErrAlreadyOpen
		}
		return nil, fmt.Errorf("recording dispute: %w", err)
	}
	if err := s.disputeEvent(ctx, tx, c, d, checkout.TxChargeback, true, t); err != nil {
		return nil, err
	}
	if ch.Status != dispute.Open {
		return s.changeDispute(ctx, tx, c, d, ch, t)
	}
	return d, nil
}

// ChangeDispute moves a dispute of the organization's payment to ch.Status:
// a won dispute returns the payment to succeeded (or refunded), a lost or
// accepted one leaves it in chargeback and may hold its customer.
func (s *Store) ChangeDispute(ctx context.Context, orgID, txID, id string, ch DisputeChange) (*dispute.Dispute, error) {
	var out *dispute.Dispute
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d := new(dispute.Dispute)
		if err := tx.NewSelect().Model(d).Where("id = ?", id).Where("transaction_id = ?", txID).
			Where("organization_id = ?", orgID).Scan(ctx); err != nil {
			return notFound(err, "dispute")
		}
		c := new(checkout.Checkout)
		if err := tx.NewSelect().Model(c).Where("id = ?", d.CheckoutID).Scan(ctx); err != nil {
			return fmt.Errorf("loading checkout of dispute: %w", err)
		}
		var err error
		out, err = s.changeDispute(ctx, tx, c, d, ch, now())
		return err
	})
	return out, err
}

// ApplyProviderDispute records a provider's report of a dispute of txID: a
// new one opens, a known one moves on; a report of what is already recorded
// changes nothing.
func (s *Store) applyProviderDispute(ctx context.Context, tx bun.Tx, c *checkout.Checkout, txID string, ch DisputeChange, t time.Time) error {
	d := new(dispute.Dispute)
	err := tx.NewSelect().Model(d).Where("organization_id = ?", c.OrganizationID).
		Where("provider_dispute_id = ?", ch.ProviderDisputeID).Scan(ctx)
	if err != nil {
		if _, err := s.openDispute(ctx, tx, c.OrganizationID, txID, ch, t); err != nil && !isRefusal(err) {
			return err
		}
		return nil
	}
	if d.Status == ch.Status || d.Status.Final() {
		return nil
	}
	_, err = s.changeDispute(ctx, tx, c, d, ch, t)
	return err
}

// isRefusal reports whether err is a refusal of the input rather than a
// failure: a provider's report that cannot apply is acknowledged.
func isRefusal(err error) bool {
	e, ok := errs.As(err)
	return ok && (e.Kind == errs.Invalid || e.Kind == errs.Conflict)
}

func (s *Store) changeDispute(ctx context.Context, tx bun.Tx, c *checkout.Checkout, d *dispute.Dispute, ch DisputeChange, t time.Time) (*dispute.Dispute, error) {
	if err := dispute.CheckChange(d.Status, ch.Status); err != nil {
		return nil, err
	}
	q := tx.NewUpdate().Model((*dispute.Dispute)(nil)).Set("status = ?", ch.Status).Set("updated_at = ?", t).
		Where("id = ?", d.ID).Where("status = ?", d.Status)
	if ch.Status.Final() {
		q = q.Set("closed_at = ?", t)
	}
	if ch.Reason != "" && ch.Reason != d.Reason {
		if err := dispute.CheckNew(d.Amount, d.Amount, ch.Reason, ch.Status); err != nil {
			return nil, err
		}
		q = q.Set("reason = ?", ch.Reason)
		d.Reason = ch.Reason
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("changing dispute: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, dispute.ErrFinal // another change won the race
	}
	d.Status, d.UpdatedAt = ch.Status, t
	if ch.Status.Final() {
		d.ClosedAt = t
	}
	txStatus := checkout.TxChargeback
	if ch.Status == dispute.Won {
		// The money is the merchant's again: the payment is as it was.
		if _, err := tx.NewUpdate().Model((*checkout.Transaction)(nil)).
			Set("status = CASE WHEN refunded_amount >= amount THEN ? ELSE ? END", checkout.TxRefunded, checkout.TxSucceeded).
			Set("updated_at = ?", t).Where("id = ?", d.TransactionID).Where("status = ?", checkout.TxChargeback).Exec(ctx); err != nil {
			return nil, fmt.Errorf("returning the payment from chargeback: %w", err)
		}
		if err := tx.NewSelect().Model((*checkout.Transaction)(nil)).Column("status").Where("id = ?", d.TransactionID).Scan(ctx, &txStatus); err != nil {
			return nil, fmt.Errorf("reading the payment's status: %w", err)
		}
	}
	if err := s.disputeEvent(ctx, tx, c, d, txStatus, false, t); err != nil {
		return nil, err
	}
	if ch.Status.MerchantLost() && ch.AutoHold != "" && (d.CustomerEmail != "" || d.ClientID != "") {
		reason := risk.ReasonLostDispute
		if ch.Status == dispute.Accepted {
			reason = risk.ReasonAcceptedDispute
		}
		h := &risk.Hold{ID: ids.New("hold"), OrganizationID: d.OrganizationID, Email: d.CustomerEmail, ClientID: d.ClientID,
			Action: ch.AutoHold, Reason: reason, DisputeID: d.ID, CreatedBy: "dispute", CreatedAt: t}
		if _, err := tx.NewInsert().Model(&holdRow{Hold: *h}).Exec(ctx); err != nil {
			return nil, fmt.Errorf("holding the customer of a lost dispute: %w", err)
		}
	}
	return d, nil
}

// DisputePayload is the object of a dispute event, as merchants see it.
func DisputePayload(c *checkout.Checkout, d *dispute.Dispute, txStatus checkout.TxStatus) map[string]any {
	p := map[string]any{
		"id": d.ID, "transactionId": d.TransactionID, "checkoutId": d.CheckoutID, "status": d.Status,
		"amount": d.Amount, "currency": d.Currency, "reason": d.Reason, "providerDisputeId": d.ProviderDisputeID,
		"externalReference": c.ExternalReference, "transactionStatus": txStatus, "statusCode": txStatus.Code(),
		"openedAt": d.OpenedAt,
	}
	if !d.ClosedAt.IsZero() {
		p["closedAt"] = d.ClosedAt
	}
	return p
}

func (s *Store) disputeEvent(ctx context.Context, tx bun.Tx, c *checkout.Checkout, d *dispute.Dispute, txStatus checkout.TxStatus, created bool, t time.Time) error {
	return s.addEvent(ctx, tx, c, dispute.EventType(d.Status, created), "dispute", d.ID, DisputePayload(c, d, txStatus), t)
}

// ListDisputes returns the disputes of a payment of the organization, oldest
// first.
func (s *Store) ListDisputes(ctx context.Context, orgID, txID string) ([]*dispute.Dispute, error) {
	var ds []*dispute.Dispute
	if err := s.read.NewSelect().Model(&ds).Where("organization_id = ?", orgID).Where("transaction_id = ?", txID).
		OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing disputes: %w", err)
	}
	return ds, nil
}

// OpenDisputeOf reports whether a customer of the organization, by email or
// client id, has an unresolved dispute.
func (s *Store) OpenDisputeOf(ctx context.Context, orgID, email, clientID string) (bool, error) {
	email = risk.NormalizeEmail(email)
	if email == "" && clientID == "" {
		return false, nil
	}
	q := s.read.NewSelect().Model((*dispute.Dispute)(nil)).Where("organization_id = ?", orgID).
		Where("status IN (?)", bun.In([]dispute.Status{dispute.Open, dispute.UnderReview}))
	q = q.WhereGroup(" AND ", customerIs("customer_email", email, clientID))
	open, err := q.Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for open disputes: %w", err)
	}
	return open, nil
}
