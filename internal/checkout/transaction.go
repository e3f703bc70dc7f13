package checkout

import "time"

// TxStatus is the state of one payment attempt.
type TxStatus string

// Transaction states, with the integer codes the merchant's IPN carries.
const (
	TxInitiated       TxStatus = "initiated"
	TxPendingProvider TxStatus = "pending_provider"
	TxSucceeded       TxStatus = "succeeded"
	TxFailed          TxStatus = "failed"
	TxCancelled       TxStatus = "cancelled"
	TxRefunded        TxStatus = "refunded"
	TxChargeback      TxStatus = "chargeback"
)

// TxStatuses are every transaction status.
var TxStatuses = []TxStatus{TxInitiated, TxPendingProvider, TxSucceeded, TxFailed, TxCancelled, TxRefunded, TxChargeback}

var txCodes = map[TxStatus]int{
	TxCancelled:       -2,
	TxInitiated:       -1,
	TxPendingProvider: 0,
	TxSucceeded:       1,
	TxFailed:          2,
	TxRefunded:        3,
	TxChargeback:      4,
}

// Code is the integer the payment-gateway.app IPN uses for the status.
func (s TxStatus) Code() int { return txCodes[s] }

// Valid reports whether s is a known transaction status.
func (s TxStatus) Valid() bool {
	_, ok := txCodes[s]
	return ok
}

// Transaction is one attempt to pay a checkout through a provider. A checkout
// may have several; at most one succeeds.
type Transaction struct {
	ID             string   `bun:",pk"`
	CheckoutID     string   `bun:",notnull"`
	OrganizationID string   `bun:",notnull"`
	SiteID         string   `bun:",notnull"`
	ProviderID     string   `bun:",notnull"`
	Status         TxStatus `bun:",notnull"`
	Amount         int64    `bun:",notnull"`
	Currency       string   `bun:",notnull"`
	// ProviderRef is the provider's own id (a Stripe PaymentIntent id, a wire reference).
	ProviderRef string `bun:",notnull"`
	// AttemptKey identifies the submission that made the attempt; a replayed
	// submission finds the first attempt instead of paying twice.
	AttemptKey string `bun:",notnull"`
	// CardBrand and CardLast4 are all that is kept of a card.
	CardBrand      string   `bun:",notnull"`
	CardLast4      string   `bun:"card_last4,notnull"`
	FailureCode    string   `bun:",notnull"`
	FailureMessage string   `bun:",notnull"`
	BillingAddress *Address `bun:",json_use_number"`
	// RefundedAmount is the sum of successful refunds, never above Amount.
	RefundedAmount int64 `bun:",notnull"`
	// Flag marks what an operator must look at, such as FlagPaidAfterClose.
	Flag      string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
	UpdatedAt time.Time `bun:",notnull"`
}

// Final reports whether the attempt has reached a state it leaves only
// through a refund or a dispute.
func (t *Transaction) Final() bool {
	return t.Status != TxInitiated && t.Status != TxPendingProvider
}

// Paid reports whether the attempt captured money, refunded since or not.
func (t *Transaction) Paid() bool {
	return t.Status == TxSucceeded || t.Status == TxRefunded
}

// Refundable reports whether some of the attempt's money can still be
// refunded: only a succeeded attempt with something left.
func (t *Transaction) Refundable() bool {
	return t.Status == TxSucceeded && t.RefundedAmount < t.Amount
}

// FlagPaidAfterClose marks money that arrived for a checkout that had already
// expired, been canceled or been paid: it is recorded, never lost, and left to
// the operator (refund or honour).
const FlagPaidAfterClose = "paid_after_close"

// FlagOverpaid marks a bank transfer that received more than its amount:
// the operator refunds the excess (outside pgw) or keeps it.
const FlagOverpaid = "overpaid"
