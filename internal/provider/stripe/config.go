// Package stripe is the Stripe provider: PaymentIntents confirmed by the
// Payment Element on our page, refunds, and verified webhooks, through
// github.com/stripe/stripe-go/v76 with an idempotency key on every call.
package stripe

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pgw/pgw/internal/checkout"
)

// Config is a Stripe account's credentials as a site stores them (encrypted).
type Config struct {
	SecretKey      string `json:"secretKey"`
	PublishableKey string `json:"publishableKey"`
	WebhookSecret  string `json:"webhookSecret"`
}

// ParseConfig reads a stored configuration.
func ParseConfig(raw string) (Config, error) {
	var c Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return Config{}, fmt.Errorf("reading Stripe configuration: %w", err)
	}
	return c, nil
}

// JSON is the configuration to store.
func (c Config) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

func keyMode(key string, prefixes ...string) (checkout.Mode, bool) {
	for _, p := range prefixes {
		if strings.HasPrefix(key, p+"_test_") {
			return checkout.ModeTest, true
		}
		if strings.HasPrefix(key, p+"_live_") {
			return checkout.ModeLive, true
		}
	}
	return "", false
}

// Mode checks the keys and says whether they are test or live keys: test keys
// serve test checkouts, live keys live ones, and a mixed pair is refused.
func (c Config) Mode() (checkout.Mode, error) {
	sm, ok := keyMode(c.SecretKey, "sk", "rk")
	if !ok {
		return "", errors.New("secretKey must be a Stripe secret or restricted key (sk_test_, sk_live_, rk_test_, rk_live_)")
	}
	pm, ok := keyMode(c.PublishableKey, "pk")
	if !ok {
		return "", errors.New("publishableKey must be a Stripe publishable key (pk_test_, pk_live_)")
	}
	if sm != pm {
		return "", errors.New("secretKey and publishableKey must both be test keys or both live keys")
	}
	if !strings.HasPrefix(c.WebhookSecret, "whsec_") {
		return "", errors.New("webhookSecret must be the endpoint's signing secret (whsec_...)")
	}
	return sm, nil
}

// Masked shows the configuration without its secrets.
func (c Config) Masked() map[string]string {
	return map[string]string{
		"secretKey":      mask(c.SecretKey),
		"publishableKey": c.PublishableKey, // public by design
		"webhookSecret":  mask(c.WebhookSecret),
	}
}

// secretPrefix is the kind of a Stripe secret, which is safe to show.
var secretPrefix = regexp.MustCompile(`^(?:(?:sk|rk)_(?:test|live)_|whsec_)`)

// mask shows a secret's kind and its last four characters, nothing more
// ("sk_live_…Wxyz"): the secret part may itself contain underscores.
func mask(s string) string {
	if len(s) <= 12 {
		return "…"
	}
	return secretPrefix.FindString(s) + "…" + s[len(s)-4:]
}
