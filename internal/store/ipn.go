package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/dispute"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/tenant"
)

// ipnPayload is what an IPN reads of an event's payload: a transaction's
// status change, or a dispute's change with the status its transaction has.
type ipnPayload struct {
	StatusCode    int    `json:"statusCode"`
	TransactionID string `json:"transactionId"`
	// ID and Status are a dispute's, in dispute events.
	ID     string `json:"id"`
	Status string `json:"status"`
}

// ipn fills d with the IPN an event causes, in the version the site speaks,
// and reports whether there is one. Every status change of a transaction
// is an IPN; a dispute's change is one in v1 (with disputeStatus and
// disputeId), and in v2 only when it moves the transaction to chargeback.
// The body is written once: every attempt and redelivery sends these bytes.
func (s *Store) ipn(ctx context.Context, tx bun.Tx, c *checkout.Checkout, e *Event, d *Delivery) (bool, error) {
	if e.SubjectType != "transaction" && e.SubjectType != "dispute" || e.Type == EventPartiallyPaid || e.Type == EventOverpaid || e.Type == EventPaidAfterClose {
		return false, nil // money arriving that changes no status is no IPN
	}
	var p ipnPayload
	if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
		return false, fmt.Errorf("reading %s event: %w", e.Type, err)
	}
	var version int
	if err := tx.NewSelect().Model((*siteRow)(nil)).Column("ipn_version").Where("id = ?", c.SiteID).Scan(ctx, &version); err != nil {
		return false, fmt.Errorf("reading the site's IPN version: %w", err)
	}
	txID := e.SubjectID
	if e.SubjectType == "dispute" {
		txID = p.TransactionID
	}
	// The IPN is about the transaction, whatever the event's subject, so
	// that its versions and its superseding go by the transaction.
	d.SubjectID, d.IPNVersion = txID, version
	var body any
	if version == tenant.IPNv2 {
		if e.SubjectType == "dispute" && e.Type != dispute.EventCreated {
			return false, nil
		}
		var last int64
		if err := tx.NewSelect().Model((*Delivery)(nil)).ColumnExpr("COALESCE(MAX(event_version), 0)").
			Where("subject_id = ?", txID).Where("sink = ?", notify.SinkIPN).Scan(ctx, &last); err != nil {
			return false, fmt.Errorf("reading the last event version: %w", err)
		}
		d.EventVersion = last + 1
		body = notify.IPNv2{SchemaVersion: 2, DeliveryID: notify.IPNDeliveryID(d.ID), EventVersion: d.EventVersion,
			OccurredAt: e.CreatedAt.UTC().Format(time.RFC3339Nano), ID: txID, ExternalReference: c.ExternalReference,
			Status: p.StatusCode, SessionPublicID: c.SessionPublicID}
	} else {
		v1 := notify.IPN{ID: txID, ExternalReference: c.ExternalReference, Status: p.StatusCode}
		if e.SubjectType == "dispute" {
			v1.DisputeStatus, v1.DisputeID = p.Status, p.ID
		}
		body = v1
	}
	b, err := json.Marshal(body)
	if err != nil {
		return false, fmt.Errorf("encoding IPN: %w", err)
	}
	d.Body = string(b)
	return true, nil
}
