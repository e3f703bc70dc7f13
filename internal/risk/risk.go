// Package risk is what an organization decided about a customer after a
// dispute or by an operator's judgement: customer risk holds, and what they
// (and a customer's unresolved dispute) mean for a new checkout or a payment.
// It knows nothing of HTTP or of the database.
package risk

import (
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/plaintext"
)

// Action is what a hold does.
type Action string

// Actions: block_all and manual_review refuse new checkouts (manual_review
// until an operator removes the hold); allow_provider_types lets the customer
// pay only with the listed provider types (e.g. wire transfer).
const (
	BlockAll           Action = "block_all"
	ManualReview       Action = "manual_review"
	AllowProviderTypes Action = "allow_provider_types"
)

// Reasons a hold was made automatically; an operator may give any other.
const (
	ReasonLostDispute     = "lost_dispute"
	ReasonAcceptedDispute = "accepted_dispute"
)

// Hold is one decision about one customer of an organization, found by email
// (lowercased) and, when given, by the merchant's client id.
type Hold struct {
	ID             string `bun:",pk"`
	OrganizationID string `bun:",notnull"`
	Email          string `bun:",notnull"`
	ClientID       string `bun:",notnull"`
	Action         Action `bun:",notnull"`
	// AllowedProviderTypes is space-separated, for allow_provider_types.
	AllowedProviderTypes string `bun:",notnull"`
	Reason               string `bun:",notnull"`
	// DisputeID is the dispute that caused an automatic hold.
	DisputeID string    `bun:",notnull"`
	CreatedBy string    `bun:",notnull"`
	CreatedAt time.Time `bun:",notnull"`
}

// Allowed is the list of provider types an allow_provider_types hold permits.
func (h *Hold) Allowed() []string { return strings.Fields(h.AllowedProviderTypes) }

// NormalizeEmail is the form emails are held and matched in.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Codes of refused checkouts, as the official plugins read them.
const (
	CodeBlockedByHold      = "CHECKOUT_BLOCKED_BY_CUSTOMER_HOLD"
	CodeBlockedByDispute   = "CHECKOUT_BLOCKED_BY_DISPUTE"
	CodeRestrictedByHold   = "CHECKOUT_RESTRICTED_BY_CUSTOMER_HOLD"
	CodePaymentBlockedHold = "PAYMENT_BLOCKED_BY_CUSTOMER_HOLD"
)

// Refusal is a checkout or payment refused because of a customer's hold or
// dispute; it unwraps to a Forbidden errs.Error with its code.
type Refusal struct {
	Code    string
	Message string
	// Hold is the hold that decided, nil for an open dispute.
	Hold *Hold
	// Allowed are the provider types the customer may still pay with.
	Allowed []string
}

func (r *Refusal) Error() string { return r.Message }

// Unwrap is the refusal in the shared error model.
func (r *Refusal) Unwrap() error { return errs.New(errs.Forbidden, r.Code, r.Message) }

// Decide is what a customer's holds and unresolved disputes mean for a new
// checkout on a site whose enabled provider types are enabled: a refusal, or
// the provider types the checkout is restricted to (nil: no restriction).
// A blocking hold decides before an open dispute, which decides before a
// restriction.
func Decide(holds []*Hold, openDispute bool, enabled []string) ([]string, error) {
	for _, h := range holds {
		if h.Action == BlockAll || h.Action == ManualReview {
			return nil, &Refusal{Code: CodeBlockedByHold, Hold: h,
				Message: "checkouts for this customer are blocked by a customer risk hold"}
		}
	}
	if openDispute {
		return nil, &Refusal{Code: CodeBlockedByDispute,
			Message: "checkouts for this customer are blocked while one of their payments is disputed"}
	}
	var allowed []string
	var decided *Hold
	for _, h := range holds {
		if h.Action != AllowProviderTypes {
			continue
		}
		if decided == nil {
			allowed = h.Allowed()
		} else {
			allowed = slices.DeleteFunc(allowed, func(t string) bool { return !slices.Contains(h.Allowed(), t) })
		}
		decided = h
	}
	if decided == nil {
		return nil, nil
	}
	for _, t := range allowed {
		if slices.Contains(enabled, t) {
			return allowed, nil
		}
	}
	return nil, &Refusal{Code: CodeRestrictedByHold, Hold: decided, Allowed: allowed,
		Message: "this customer may pay only with " + strings.Join(allowed, ", ") + ", and the site offers none of them"}
}

// CheckHold refuses a hold an operator or the API may not create.
func CheckHold(h *Hold, knownTypes []string) error {
	bad := func(field, msg string) error { return errs.Refused("validation_error", field, msg) }
	if h.Email == "" && h.ClientID == "" {
		return bad("email", "email or clientId is required")
	}
	if h.Email != "" {
		if a, err := mail.ParseAddress(h.Email); err != nil || a.Address != h.Email || len(h.Email) > 254 {
			return bad("email", "email must be a plain email address")
		}
	}
	if len(h.ClientID) > 255 || !plaintext.Valid(h.ClientID) {
		return bad("clientId", "clientId must be plain text of at most 255 bytes")
	}
	switch h.Action {
	case BlockAll, ManualReview:
		if h.AllowedProviderTypes != "" {
			return bad("allowedProviderTypes", "allowedProviderTypes goes only with action allow_provider_types")
		}
	case AllowProviderTypes:
		types := h.Allowed()
		if len(types) == 0 {
			return bad("allowedProviderTypes", "allow_provider_types needs at least one provider type")
		}
		for _, t := range types {
			if !slices.Contains(knownTypes, t) {
				return bad("allowedProviderTypes", "unknown provider type "+t+"; known: "+strings.Join(knownTypes, ", "))
			}
		}
	default:
		return bad("action", "action must be block_all, manual_review or allow_provider_types")
	}
	if h.Reason == "" || len(h.Reason) > 200 || !plaintext.Valid(h.Reason) {
		return bad("reason", "reason is required, plain text of at most 200 bytes")
	}
	return nil
}
