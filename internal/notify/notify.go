// Package notify is how merchants hear about payments: the IPN of
// payment-gateway.app and typed webhook events, their signatures, the retry
// schedule, and the guard that keeps deliveries off private networks.
package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sinks a delivery goes to.
const (
	SinkIPN     = "ipn"     // payment-gateway.app IPN to the checkout's ipnUrl
	SinkWebhook = "webhook" // typed event to a site webhook endpoint
	// SinkOrchestrapay is an Orchestrapay payment or refund webhook, sent with
	// the intent's secret in HeaderOrchestrapaySecret.
	SinkOrchestrapay = "orchestrapay"
	// SinkIntandem is inTandem's checkout update, a PUT with the business's token.
	SinkIntandem = "intandem"
)

// Delivery states.
const (
	Pending    = "pending"
	Delivered  = "delivered"
	Failed     = "failed"     // gave up after the maximum age
	Superseded = "superseded" // a newer status of the same transaction replaced it before delivery
)

// EventTypes are the events a webhook endpoint may subscribe to.
var EventTypes = []string{
	"checkout.completed", "checkout.expired",
	"transaction.succeeded", "transaction.failed", "transaction.refunded",
	"transaction.partially_paid", "transaction.overpaid", "transaction.paid_after_close",
	"dispute.created", "dispute.updated", "dispute.closed",
}

// ValidEventType reports whether t is one of EventTypes.
func ValidEventType(t string) bool { return slices.Contains(EventTypes, t) }

// Headers of a signed notification.
const (
	HeaderTimestamp         = "X-Signature-Timestamp"
	HeaderSignature         = "X-Signature-HMAC-SHA256"
	HeaderPreviousSignature = "X-Signature-HMAC-SHA256-Previous"
	HeaderEventID           = "X-Event-ID"
	// HeaderOrchestrapaySecret carries an Orchestrapay intent's webhook secret.
	HeaderOrchestrapaySecret = "Orchestrapay-Webhook-Secret"
)

// Sign returns the lowercase hex HMAC-SHA256 of "timestamp.body" keyed with
// the whole secret string (whsec_ included), as payment-gateway.app signs.
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature the way a merchant should: constant-time
// comparison and a timestamp within tolerance of now.
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := Sign(secret, ts, body)
	return hmac.Equal([]byte(want), []byte(signature))
}

// IPN is the body of a payment-gateway.app IPN of version 1; status is the
// integer code. A dispute's change adds its status and id.
type IPN struct {
	ID                string `json:"id"`
	ExternalReference string `json:"externalReference,omitempty"`
	Status            int    `json:"status"`
	DisputeStatus     string `json:"disputeStatus,omitempty"`
	DisputeID         string `json:"disputeId,omitempty"`
}

// IPNv2 is the body of an IPN of version 2, as the current official plugins
// verify it: exactly these names and types.
type IPNv2 struct {
	SchemaVersion int    `json:"schemaVersion"`
	DeliveryID    string `json:"deliveryId"`
	// EventVersion rises strictly per transaction with each new event.
	EventVersion int64 `json:"eventVersion"`
	// OccurredAt is the state change's time, RFC 3339.
	OccurredAt        string `json:"occurredAt"`
	ID                string `json:"id"`
	ExternalReference string `json:"externalReference"`
	Status            int    `json:"status"`
	SessionPublicID   string `json:"sessionPublicId"`
}

// IPNTest is the body of a v2 test notification.
type IPNTest struct {
	SchemaVersion int    `json:"schemaVersion"`
	EventType     string `json:"eventType"`
	DeliveryID    string `json:"deliveryId"`
	OccurredAt    string `json:"occurredAt"`
}

// Headers of a v2 IPN.
const (
	HeaderIPNVersion    = "X-IPN-Version"
	HeaderIPNDeliveryID = "X-IPN-Delivery-ID"
)

// IPNDeliveryID is the deliveryId of a delivery: its id in the characters v2
// allows ([A-Za-z0-9._:-]), the same for every attempt.
func IPNDeliveryID(deliveryID string) string { return strings.ReplaceAll(deliveryID, "_", ".") }

// MaxIPNv2Text is the longest id or externalReference a v2 IPN may carry, in
// bytes.
const MaxIPNv2Text = 64

// Event is the body of a typed webhook event. Receivers dedupe on ID.
type Event struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Created time.Time       `json:"created"`
	Data    json.RawMessage `json:"data"`
}

// Backoff returns the wait before retry number attempt (1 for the first
// retry): base doubled per attempt, capped at max, with the upper half
// randomised so that receivers that failed together do not retry together.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}
