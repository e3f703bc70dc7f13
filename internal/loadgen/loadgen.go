// Package loadgen drives a running admin-backend with concurrent
// create-checkout requests and reports throughput and latency. It sends only
// to the URL it is given; point it at loopback.
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgw/pgw/internal/ids"
)

// Options of a run.
type Options struct {
	URL      string // admin-backend base URL
	Key      string // sk_ API key
	SiteID   string
	Clients  int
	Duration time.Duration
	// MaxRequests stops the run early when reached; 0 means no cap.
	MaxRequests int64
	// Idempotency sends a fresh Idempotency-Key with every request.
	Idempotency bool
}

// Result of a run.
type Result struct {
	Requests   int64
	Errors     int64
	Elapsed    time.Duration
	P50, P90   time.Duration
	P99, Max   time.Duration
	FirstError string
}

// RPS is successful and failed requests per second.
func (r Result) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func (r Result) String() string {
	s := fmt.Sprintf("requests %d in %s: %.0f req/s, errors %d\nlatency p50 %s  p90 %s  p99 %s  max %s",
		r.Requests, r.Elapsed.Round(time.Millisecond), r.RPS(), r.Errors,
		r.P50.Round(10*time.Microsecond), r.P90.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond))
	if r.FirstError != "" {
		s += "\nfirst error: " + r.FirstError
	}
	return s
}

// Run sends requests until the duration passes, the cap is reached or ctx ends.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Clients < 1 || o.Duration <= 0 || o.URL == "" || o.Key == "" || o.SiteID == "" {
		return Result{}, fmt.Errorf("load needs a URL, a key, a site, clients >= 1 and a duration")
	}
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: o.Clients, MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: o.Clients},
	}
	defer client.CloseIdleConnections()
	endpoint := o.URL + "/api/v1/checkouts/" + o.SiteID + "/create"
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()

	var (
		sent, failed atomic.Int64
		mu           sync.Mutex
		latencies    []time.Duration
		firstErr     string
		wg           sync.WaitGroup
	)
	start := time.Now()
	for c := range o.Clients {
		wg.Go(func() {
			local := make([]time.Duration, 0, 4096)
			for i := 0; ctx.Err() == nil; i++ {
				if o.MaxRequests > 0 && sent.Add(1) > o.MaxRequests {
					break
				} else if o.MaxRequests == 0 {
					sent.Add(1)
				}
				body := fmt.Sprintf(`{"amount":4900,"currency":"EUR","externalReference":"load-%d-%d","email":"buyer@example.com",`+
					`"returnUrl":"https://shop.example/thanks?tx={transactionId}","items":[{"name":"T-shirt","quantity":2,"unitPrice":1950},{"name":"Shipping","quantity":1,"unitPrice":1000}]}`, c, i)
				req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, endpoint, bytes.NewBufferString(body))
				req.Header.Set("Authorization", "Bearer "+o.Key)
				req.Header.Set("Content-Type", "application/json")
				if o.Idempotency {
					req.Header.Set("Idempotency-Key", ids.Token(24))
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				local = append(local, d)
				if err == nil {
					io.Copy(io.Discard, resp.Body) //nolint:errcheck // draining
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				}
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r := Result{Requests: int64(len(latencies)), Errors: failed.Load(), Elapsed: time.Since(start), FirstError: firstErr}
	if len(latencies) == 0 {
		return r, fmt.Errorf("no request completed")
	}
	slices.Sort(latencies)
	at := func(q float64) time.Duration { return latencies[int(q*float64(len(latencies)-1))] }
	r.P50, r.P90, r.P99, r.Max = at(0.50), at(0.90), at(0.99), latencies[len(latencies)-1]
	return r, nil
}
