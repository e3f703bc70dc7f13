// Package outbox delivers the notifications the store's outbox holds: it
// claims due deliveries under a lease, signs and sends each attempt, logs it,
// and schedules retries. Several workers (main-backend copies) may run at
// once; a worker killed mid-delivery loses nothing, since its lease runs out
// and another worker sends again with the same event id.
package outbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Config tunes delivery.
type Config struct {
	PollInterval   time.Duration // how often to look for due deliveries
	Lease          time.Duration // how long a claim lasts; longer than AttemptTimeout
	Concurrency    int           // attempts in flight at once
	MaxAge         time.Duration // give up this long after the event
	RetryBase      time.Duration // first retry delay, doubled per attempt
	RetryMax       time.Duration // longest retry delay
	AttemptTimeout time.Duration // one attempt, connect to last byte
	AllowPrivate   bool          // deliver to loopback and private addresses
	// Sinks build and judge the requests of each kind of delivery (by
	// store.Delivery.Sink); nil means DefaultSinks.
	Sinks map[string]Sink
	// Senders deliver the kinds that are not HTTP requests (email).
	Senders map[string]Sender
}

// Sender is a kind of notification that delivers itself (an email through
// SMTP): an error is a failed attempt, retried as any other.
type Sender interface {
	Send(ctx context.Context, d *store.Delivery, now time.Time) (response string, err error)
}

// Sink is one kind of notification: it turns a stored delivery into the
// request of one attempt (signed afresh) and says whether an answer means
// the receiver has it. Adapters bring their own.
type Sink interface {
	Request(ctx context.Context, d *store.Delivery, now time.Time) (*http.Request, error)
	Delivered(status int, body []byte) bool
}

// Worker sends deliveries.
type Worker struct {
	store  *store.Store
	cfg    Config
	log    *slog.Logger
	client *http.Client
	owner  string
}

// responseSnippet is how much of an answer the attempt log keeps.
const responseSnippet = 512

// New returns a worker with a fresh owner id.
func New(s *store.Store, cfg Config, log *slog.Logger) *Worker {
	if cfg.Sinks == nil {
		cfg.Sinks = DefaultSinks(s)
	}
	tr := &http.Transport{
		DialContext:           notify.DialContext(cfg.AttemptTimeout, cfg.AllowPrivate),
		TLSHandshakeTimeout:   cfg.AttemptTimeout,
		ResponseHeaderTimeout: cfg.AttemptTimeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       60 * time.Second,
	}
	return &Worker{
		store: s, cfg: cfg, log: log, owner: "wrk_" + ids.Token(16),
		client: &http.Client{
			Transport: tr,
			Timeout:   cfg.AttemptTimeout,
			// A redirect is an answer, not a new target: it counts as a failure.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Run delivers until ctx ends, then waits for the attempts it started.
func (w *Worker) Run(ctx context.Context) {
	slots := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		free := cap(slots) - len(slots)
		claimed := 0
		if free > 0 {
			ds, err := w.store.ClaimDeliveries(ctx, w.owner, free, w.cfg.Lease)
			if err != nil && ctx.Err() == nil {
				w.log.Error("claiming deliveries", "err", err)
			}
			claimed = len(ds)
			for _, d := range ds {
				slots <- struct{}{}
				wg.Go(func() {
					defer func() { <-slots }()
					// A claimed delivery is finished even during shutdown.
					w.deliver(context.WithoutCancel(ctx), d)
				})
			}
		}
		if claimed > 0 && claimed == free {
			continue // there may be more due
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.cfg.PollInterval):
		}
	}
}

func (w *Worker) deliver(ctx context.Context, d *store.Delivery) {
	log := w.log.With("delivery", d.ID, "event", d.EventID, "sink", d.Sink, "subject", d.SubjectID)
	// A v2 IPN is never dropped for a newer one: the plugins ignore an older
	// eventVersion themselves, and refuse a refund whose payment they have
	// not seen.
	if d.OrderingKey != "" && d.IPNVersion != tenant.IPNv2 {
		superseded, err := w.store.SupersedeIfNewer(ctx, d, w.owner)
		if err != nil {
			log.Error("checking for a newer status", "err", err)
			return // the lease runs out and the delivery is tried again
		}
		if superseded {
			log.Info("notification dropped: superseded by a newer status of the same transaction")
			return
		}
	}
	res := w.attempt(ctx, d)
	if !res.Delivered {
		expires := d.ExpiresAt
		if expires.IsZero() {
			expires = d.CreatedAt.Add(w.cfg.MaxAge)
		}
		if next := res.At.Add(notify.Backoff(d.Attempts+1, w.cfg.RetryBase, w.cfg.RetryMax)); next.Before(expires) {
			res.Retry = next
		}
	}
	if err := w.store.RecordAttempt(ctx, d, w.owner, res); err != nil {
		log.Error("recording attempt", "err", err)
		return
	}
	switch {
	case res.Delivered:
		log.Info("notification delivered", "attempt", d.Attempts+1, "status", res.HTTPStatus, "latencyMs", res.Latency.Milliseconds())
	case res.Retry.IsZero():
		log.Warn("notification failed for good", "attempts", d.Attempts+1, "status", res.HTTPStatus, "err", res.Error)
	default:
		log.Warn("notification attempt failed", "attempt", d.Attempts+1, "status", res.HTTPStatus, "err", res.Error, "retryAt", res.Retry)
	}
}

// attempt sends one request, built and judged by the delivery's sink.
func (w *Worker) attempt(ctx context.Context, d *store.Delivery) store.AttemptResult {
	now := store.TimeNow()
	res := store.AttemptResult{At: now}
	if snd, ok := w.cfg.Senders[d.Sink]; ok {
		start := time.Now()
		resp, err := snd.Send(ctx, d, now)
		res.Latency, res.Response, res.Delivered = time.Since(start), resp, err == nil
		if err != nil {
			res.Error = err.Error()
		}
		return res
	}
	sink, ok := w.cfg.Sinks[d.Sink]
	if !ok {
		res.Error = "no sink delivers " + d.Sink + " notifications in this process"
		return res
	}
	req, err := sink.Request(ctx, d, now)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	req.Header.Set("User-Agent", "pgw-notify/1")
	start := time.Now()
	resp, err := w.client.Do(req)
	res.Latency = time.Since(start)
	if err != nil {
		var blocked *notify.BlockedError
		if errors.As(err, &blocked) {
			// The merchant sees only that the target is not allowed.
			w.log.Warn("notification target address not allowed", "delivery", d.ID, "addr", blocked.Addr)
		}
		res.Error = cleanError(err)
		return res
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, responseSnippet))
	res.HTTPStatus = resp.StatusCode
	res.Response = strings.ToValidUTF8(string(snippet), "?")
	res.Delivered = sink.Delivered(resp.StatusCode, snippet)
	if !res.Delivered {
		res.Error = "HTTP " + strconv.Itoa(resp.StatusCode)
	}
	return res
}

// cleanError drops the target URL (it may carry the merchant's tokens) from a
// client error.
func cleanError(err error) string {
	if errors.Is(err, notify.ErrPrivateTarget) {
		return notify.ErrPrivateTarget.Error() // without the address it resolved to
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout: " + err.Error()
	}
	return err.Error()
}
