package outbox

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// DefaultSinks are the notifications of payment-gateway.app: the IPN and the
// typed webhook events, both signed with the site's secret.
func DefaultSinks(s *store.Store) map[string]Sink {
	return map[string]Sink{
		// The plugins answer 200; anything else, 204 included, is retried.
		notify.SinkIPN:     Signed{Store: s, Accept: func(status int) bool { return status == http.StatusOK }},
		notify.SinkWebhook: Signed{Store: s, Accept: func(status int) bool { return status >= 200 && status < 300 }},
	}
}

// Signed posts the stored body signed with the site's secret (and, during a
// rotation's overlap, the previous one) as payment-gateway.app does.
type Signed struct {
	Store  *store.Store
	Accept func(status int) bool
}

// Request signs the body afresh.
func (sg Signed) Request(ctx context.Context, d *store.Delivery, now time.Time) (*http.Request, error) {
	site, err := sg.Store.SiteOf(ctx, d.OrganizationID, d.SiteID)
	if err != nil {
		return nil, fmt.Errorf("loading signing secret: %w", err)
	}
	req, err := JSONRequest(ctx, http.MethodPost, d, d.Body)
	if err != nil {
		return nil, err
	}
	current, previous := site.SigningSecrets(now)
	ts := now.Unix()
	req.Header.Set(notify.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(notify.HeaderSignature, notify.Sign(current, ts, []byte(d.Body)))
	if previous != "" {
		req.Header.Set(notify.HeaderPreviousSignature, notify.Sign(previous, ts, []byte(d.Body)))
	}
	if d.IPNVersion == tenant.IPNv2 {
		req.Header.Set(notify.HeaderIPNVersion, "2")
		req.Header.Set(notify.HeaderIPNDeliveryID, notify.IPNDeliveryID(d.ID))
	}
	return req, nil
}

// Delivered applies the sink's rule.
func (sg Signed) Delivered(status int, _ []byte) bool { return sg.Accept(status) }

// JSONRequest is a delivery's request to its target with a JSON body and the
// headers every attempt carries.
func JSONRequest(ctx context.Context, method string, d *store.Delivery, body string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, d.Target, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("bad target URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(notify.HeaderEventID, d.EventID)
	req.Header.Set("X-Delivery-Attempt", strconv.Itoa(d.Attempts+1))
	return req, nil
}
