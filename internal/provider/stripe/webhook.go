package stripe

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// ErrSignature means a webhook's signature does not verify or is too old.
var ErrSignature = errors.New("Stripe webhook signature does not verify")

// Tolerance is how old a signed webhook may be: older ones are replays.
const Tolerance = 5 * time.Minute

// Event is what a webhook says, reduced to what we act on.
type Event struct {
	ID   string
	Type string
	// PaymentIntent is the PaymentIntent the event concerns.
	PaymentIntent string
	// FailureMessage explains a failed payment.
	FailureMessage string
	// AmountRefunded is a charge's total refunded amount (charge.refunded).
	AmountRefunded int64
	// Dispute is a charge.dispute.* event's dispute.
	Dispute Dispute
}

// Dispute is what a Stripe dispute says, in Stripe's words.
type Dispute struct {
	ID, Status, Reason string
	Amount             int64
}

// VerifyEvent checks the Stripe-Signature header with the endpoint's secret and
// reads the event. Events of newer API versions are accepted.
func VerifyEvent(payload []byte, header, secret string) (Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, header, secret, webhook.ConstructEventOptions{
		Tolerance: Tolerance, IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	out := Event{ID: ev.ID, Type: string(ev.Type)}
	if ev.Data == nil {
		return out, nil
	}
	raw := ev.Data.Raw
	switch {
	case len(ev.Type) > 15 && ev.Type[:15] == "payment_intent.":
		var pi stripego.PaymentIntent
		if err := json.Unmarshal(raw, &pi); err != nil {
			return Event{}, fmt.Errorf("reading PaymentIntent: %w", err)
		}
		out.PaymentIntent = pi.ID
		if pi.LastPaymentError != nil {
			out.FailureMessage = pi.LastPaymentError.Msg
		}
	case ev.Type == "charge.refunded":
		var ch stripego.Charge
		if err := json.Unmarshal(raw, &ch); err != nil {
			return Event{}, fmt.Errorf("reading charge: %w", err)
		}
		out.AmountRefunded = ch.AmountRefunded
		if ch.PaymentIntent != nil {
			out.PaymentIntent = ch.PaymentIntent.ID
		}
	case strings.HasPrefix(string(ev.Type), "charge.dispute."):
		var d stripego.Dispute
		if err := json.Unmarshal(raw, &d); err != nil {
			return Event{}, fmt.Errorf("reading dispute: %w", err)
		}
		out.Dispute = Dispute{ID: d.ID, Status: string(d.Status), Reason: string(d.Reason), Amount: d.Amount}
		if d.PaymentIntent != nil {
			out.PaymentIntent = d.PaymentIntent.ID
		}
	}
	return out, nil
}
