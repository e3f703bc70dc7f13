// Package vies asks the European Commission's VIES service whether a VAT
// identification number exists, through its REST interface, and remembers
// definite answers for a day. An answer that is not definite (the service or
// the member state down, a timeout) is Unavailable: callers fail closed.
package vies

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultURL is the EU's check-vat-number endpoint.
const DefaultURL = "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number"

// Status is what VIES said.
type Status string

// Statuses.
const (
	Valid       Status = "valid"
	Invalid     Status = "invalid"
	Unavailable Status = "unavailable"
)

// Result is one check, kept as evidence.
type Result struct {
	Status Status
	// RequestIdentifier is VIES's consultation number (given when the
	// requester's own VAT ID was sent), the proof a check was made.
	RequestIdentifier string
	Name              string
	CheckedAt         time.Time
	// Reason says why a check is unavailable.
	Reason string
}

// Client checks numbers. Timeout bounds one call (5 s when zero); TTL is how
// long a definite answer is remembered (24 h when zero).
type Client struct {
	URL     string
	HTTP    *http.Client
	Timeout time.Duration
	TTL     time.Duration
	Now     func() time.Time

	mu    sync.Mutex
	cache map[string]Result
}

// maxCached bounds the remembered answers.
const maxCached = 10000

type request struct {
	CountryCode          string `json:"countryCode"`
	VATNumber            string `json:"vatNumber"`
	RequesterMemberState string `json:"requesterMemberStateCode,omitempty"`
	RequesterNumber      string `json:"requesterNumber,omitempty"`
}

type response struct {
	Valid             *bool  `json:"valid"`
	RequestIdentifier string `json:"requestIdentifier"`
	Name              string `json:"name"`
	UserError         string `json:"userError"`
	ActionSucceed     *bool  `json:"actionSucceed"`
	ErrorWrappers     []struct {
		Error string `json:"error"`
	} `json:"errorWrappers"`
}

// Check asks whether id (with its two-letter prefix, EL for Greece) exists;
// requester is the seller's own VAT ID, sent so that VIES gives a
// consultation number.
func (c *Client) Check(ctx context.Context, id, requester string) Result {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ttl := c.TTL
	if ttl == 0 {
		ttl = 24 * time.Hour
	}
	key := id + "|" + requester
	c.mu.Lock()
	if r, ok := c.cache[key]; ok && now().Sub(r.CheckedAt) < ttl {
		c.mu.Unlock()
		return r
	}
	c.mu.Unlock()
	r := c.ask(ctx, id, requester)
	r.CheckedAt = now()
	if r.Status != Unavailable {
		c.mu.Lock()
		if c.cache == nil || len(c.cache) >= maxCached {
			c.cache = map[string]Result{}
		}
		c.cache[key] = r
		c.mu.Unlock()
	}
	return r
}

func (c *Client) ask(ctx context.Context, id, requester string) Result {
	if len(id) < 3 {
		return Result{Status: Invalid}
	}
	req := request{CountryCode: id[:2], VATNumber: id[2:]}
	if len(requester) > 2 {
		req.RequesterMemberState, req.RequesterNumber = requester[:2], requester[2:]
	}
	body, _ := json.Marshal(req)
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := c.URL
	if url == "" {
		url = DefaultURL
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Status: Unavailable, Reason: "bad VIES URL"}
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return Result{Status: Unavailable, Reason: "VIES did not answer within " + timeout.String()}
		}
		return Result{Status: Unavailable, Reason: "VIES could not be reached"}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var r response
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &r) != nil {
		return Result{Status: Unavailable, Reason: fmt.Sprintf("VIES answered HTTP %d", resp.StatusCode)}
	}
	if len(r.ErrorWrappers) > 0 || (r.ActionSucceed != nil && !*r.ActionSucceed) {
		reason := "VIES refused the check"
		if len(r.ErrorWrappers) > 0 {
			reason = "VIES: " + r.ErrorWrappers[0].Error
		}
		return Result{Status: Unavailable, Reason: reason}
	}
	switch {
	case r.Valid == nil, r.UserError != "" && r.UserError != "VALID" && r.UserError != "INVALID":
		return Result{Status: Unavailable, Reason: strings.TrimSpace("VIES: " + r.UserError)}
	case *r.Valid:
		return Result{Status: Valid, RequestIdentifier: r.RequestIdentifier, Name: r.Name}
	}
	return Result{Status: Invalid, RequestIdentifier: r.RequestIdentifier}
}
