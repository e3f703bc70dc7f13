package intandem

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/store"
)

// Sink delivers inTandem's checkout updates: a PUT with the business's token,
// whose transaction_id is the payment's charge key, a secret that is added
// here and never stored with the update.
type Sink struct{ Data *Data }

// Request completes the stored update with its charge key.
func (s Sink) Request(ctx context.Context, d *store.Delivery, _ time.Time) (*http.Request, error) {
	conn, err := s.Data.ConnectionBySite(ctx, d.SiteID)
	if err != nil {
		return nil, fmt.Errorf("loading inTandem connection: %w", err)
	}
	var body map[string]any
	dec := json.NewDecoder(strings.NewReader(d.Body))
	dec.UseNumber() // keeps the amount's decimals as they were written
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("reading the checkout update: %w", err)
	}
	key, err := s.Data.IssueChargeKey(ctx, d.OrganizationID, d.SubjectID)
	if err != nil {
		return nil, err
	}
	body["transaction_id"] = key
	out, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("writing the checkout update: %w", err)
	}
	req, err := outbox.JSONRequest(ctx, http.MethodPut, d, string(out)) // inTandem's "send checkout update"
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+conn.Token)
	return req, nil
}

// Delivered: inTandem answers 201; Already_paid means it has this payment
// already (an update retried after its answer was lost).
func (Sink) Delivered(status int, body []byte) bool {
	return status >= 200 && status < 300 || status == http.StatusUnprocessableEntity && strings.Contains(string(body), "Already_paid")
}
