package orchestrapay

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/store"
)

// Sink delivers Orchestrapay's payment webhooks: the stored body, with the
// intent's shared secret in Orchestrapay-Webhook-Secret (no HMAC); only 200
// counts as delivered.
type Sink struct{ Data *Data }

// Request adds the intent's secret.
func (s Sink) Request(ctx context.Context, d *store.Delivery, _ time.Time) (*http.Request, error) {
	secret, err := s.Data.WebhookSecret(ctx, d.CheckoutID, d.SubjectID)
	if err != nil {
		return nil, fmt.Errorf("loading webhook secret: %w", err)
	}
	req, err := outbox.JSONRequest(ctx, http.MethodPost, d, d.Body)
	if err != nil {
		return nil, err
	}
	if secret != "" {
		req.Header.Set(notify.HeaderOrchestrapaySecret, secret)
	}
	return req, nil
}

// Delivered: Orchestrapay clients answer 200; anything else is retried.
func (Sink) Delivered(status int, _ []byte) bool { return status == http.StatusOK }
