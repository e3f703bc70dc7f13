// Package dispute is a buyer's challenge of a payment (a chargeback): its
// states, which changes are allowed, and what each means for the payment and
// for the merchant's notifications. It knows nothing of HTTP or of the
// database.
package dispute

import (
	"fmt"
	"time"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/plaintext"
)

// Status is where a dispute stands.
type Status string

// Dispute states: open and under_review are unresolved; won, lost and
// accepted (the merchant gave in) are final.
const (
	Open        Status = "open"
	UnderReview Status = "under_review"
	Won         Status = "won"
	Lost        Status = "lost"
	Accepted    Status = "accepted"
)

// Statuses are every state, in their order.
var Statuses = []Status{Open, UnderReview, Won, Lost, Accepted}

// Valid reports whether s is a known state.
func (s Status) Valid() bool {
	switch s {
	case Open, UnderReview, Won, Lost, Accepted:
		return true
	}
	return false
}

// Final reports whether the dispute is resolved.
func (s Status) Final() bool { return s == Won || s == Lost || s == Accepted }

// MerchantLost reports whether the money stays with the buyer.
func (s Status) MerchantLost() bool { return s == Lost || s == Accepted }

// Dispute is one challenge of one payment.
type Dispute struct {
	ID             string `bun:",pk"`
	OrganizationID string `bun:",notnull"`
	TransactionID  string `bun:",notnull"`
	CheckoutID     string `bun:",notnull"`
	// ProviderDisputeID is the provider's own id (Stripe's du_...), empty for
	// disputes an operator entered.
	ProviderDisputeID string `bun:",notnull"`
	Status            Status `bun:",notnull"`
	Amount            int64  `bun:",notnull"`
	Currency          string `bun:",notnull"`
	Reason            string `bun:",notnull"`
	// CustomerEmail and ClientID are the paying customer's, copied from the
	// checkout, so that holds and checkout refusals find them.
	CustomerEmail string    `bun:",notnull"`
	ClientID      string    `bun:",notnull"`
	OpenedAt      time.Time `bun:",notnull"`
	ClosedAt      time.Time `bun:",nullzero"`
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// Event types of disputes, for typed webhooks.
const (
	EventCreated = "dispute.created"
	EventUpdated = "dispute.updated"
	EventClosed  = "dispute.closed"
)

// EventType is the typed event of a change to status.
func EventType(to Status, created bool) string {
	switch {
	case created:
		return EventCreated
	case to.Final():
		return EventClosed
	}
	return EventUpdated
}

// Errors of dispute changes.
var (
	ErrFinal = errs.New(errs.Conflict, "dispute_final", "the dispute is already resolved (won, lost or accepted)")
	// ErrNotDisputable: only a payment that captured money can be disputed.
	ErrNotDisputable = errs.New(errs.Conflict, "not_disputable", "only a succeeded or refunded payment can be disputed")
	// ErrAlreadyOpen: a payment has at most one unresolved dispute.
	ErrAlreadyOpen = errs.New(errs.Conflict, "dispute_open", "this payment already has an unresolved dispute")
	// ErrTooMany: a payment has at most MaxPerPayment disputes.
	ErrTooMany = errs.New(errs.Conflict, "limit_reached", fmt.Sprintf("a payment has at most %d disputes", MaxPerPayment))
)

// MaxPerPayment is how many disputes one payment may have in all.
const MaxPerPayment = 10

// maxReason bounds the reason text.
const maxReason = 200

// CheckChange refuses a change from a dispute in from to status to.
func CheckChange(from, to Status) error {
	if !to.Valid() {
		return errs.Refused("validation_error", "status", "status must be one of open, under_review, won, lost, accepted")
	}
	if from.Final() {
		return ErrFinal
	}
	return nil
}

// CheckNew refuses what a new dispute may not hold: amount is 1..paid, the
// reason bounded plain text, the status unresolved or final.
func CheckNew(amount, paid int64, reason string, status Status) error {
	switch {
	case amount <= 0 || amount > paid:
		return errs.Refused("validation_error", "amount", "amount must be a positive number of minor units, at most the payment's amount")
	case len(reason) > maxReason || !plaintext.Valid(reason):
		return errs.Refused("validation_error", "reason", "reason must be plain text of at most 200 bytes")
	case !status.Valid():
		return errs.Refused("validation_error", "status", "status must be one of open, under_review, won, lost, accepted")
	}
	return nil
}
