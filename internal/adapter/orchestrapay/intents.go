package orchestrapay

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/checkouts"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/paginate"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// lineItem is an entry of line_items, kept as sent.
type lineItem struct {
	Name     string      `json:"name"`
	Price    json.Number `json:"price"`
	Quantity json.Number `json:"quantity"`
	Image    string      `json:"image,omitempty"`
	Category string      `json:"category,omitempty"`
	Slug     string      `json:"slug,omitempty"`
	URL      string      `json:"url,omitempty"`
}

// intentRequest is the body of POST /checkout-intents (and the inline fields
// of POST /payment-intents).
type intentRequest struct {
	Amount          json.Number     `json:"amount"`
	Currency        string          `json:"currency"`
	FinalSuccessURL string          `json:"final_success_url"`
	FinalFailureURL string          `json:"final_failure_url"`
	IdempotencyKey  string          `json:"checkout_intent_idempotency_key"`
	HumanRef        string          `json:"human_friendly_payment_intent_secret"`
	TimeoutSeconds  json.Number     `json:"payment_intent_timeout_seconds"`
	WebhookURLs     []string        `json:"webhook_urls"`
	WebhookSecret   string          `json:"webhook_secret"`
	FeatureFlag     string          `json:"feature_flag"`
	Tenant          string          `json:"tenant"`
	Lg              string          `json:"lg"`
	LineItems       []lineItem      `json:"line_items"`
	Payload         json.RawMessage `json:"payload"`
	Customer        *struct {
		Email string `json:"email"`
	} `json:"customer"`
}

// Limits of the surface's inputs.
const (
	defaultTimeout = 1800
	maxWebhookURLs = 10
	maxPayload     = 64 << 10
)

// checkIntent validates a request and lists what is wrong, NestJS style.
func checkIntent(req *intentRequest) (amount int64, timeout int64, problems []string) {
	amount, err := money.IntegerFromJSON(req.Amount.String())
	switch {
	case req.Amount == "":
		problems = append(problems, "amount is required")
	case err != nil || amount < 0:
		problems = append(problems, "amount must be an integer greater than or equal to 0 (minor units)")
	}
	if _, err := money.ParseCurrency(req.Currency); err != nil {
		problems = append(problems, "currency must be a 3-letter ISO 4217 code")
	}
	timeout = defaultTimeout
	if req.TimeoutSeconds != "" {
		t, err := money.IntegerFromJSON(req.TimeoutSeconds.String())
		if err != nil || t < int64(checkout.MinExpiry/time.Second) || t > int64(checkout.MaxExpiry/time.Second) {
			problems = append(problems, fmt.Sprintf("payment_intent_timeout_seconds must be an integer from %d to %d",
				int64(checkout.MinExpiry/time.Second), int64(checkout.MaxExpiry/time.Second)))
		}
		timeout = t
	}
	for name, u := range map[string]string{"final_success_url": req.FinalSuccessURL, "final_failure_url": req.FinalFailureURL} {
		if u != "" && checkout.CheckURL(name, u) != nil {
			problems = append(problems, name+" must be an absolute http or https URL")
		}
	}
	if len(req.WebhookURLs) > maxWebhookURLs {
		problems = append(problems, fmt.Sprintf("webhook_urls takes at most %d URLs", maxWebhookURLs))
	}
	for _, u := range req.WebhookURLs {
		if checkout.CheckURL("webhook_urls", u) != nil {
			problems = append(problems, "each of webhook_urls must be an absolute http or https URL")
			break
		}
	}
	for name, v := range map[string]struct {
		s   string
		max int
	}{
		"checkout_intent_idempotency_key": {req.IdempotencyKey, 255}, "human_friendly_payment_intent_secret": {req.HumanRef, 200},
		"webhook_secret": {req.WebhookSecret, 256}, "feature_flag": {req.FeatureFlag, 100}, "tenant": {req.Tenant, 100},
	} {
		if len(v.s) > v.max {
			problems = append(problems, fmt.Sprintf("%s is longer than %d characters", name, v.max))
		}
	}
	if req.Lg != "" {
		if _, err := language.Parse(req.Lg); err != nil {
			problems = append(problems, "lg must be a locale such as en or ar-EG")
		}
	}
	if len(req.Payload) > 0 && (len(req.Payload) > maxPayload || strings.TrimSpace(string(req.Payload))[0] != '{') {
		problems = append(problems, "payload must be a JSON object of at most 64 KiB")
	}
	if len(req.LineItems) > checkout.MaxItems {
		problems = append(problems, fmt.Sprintf("line_items takes at most %d items", checkout.MaxItems))
	}
	for i, it := range req.LineItems {
		if strings.TrimSpace(it.Name) == "" {
			problems = append(problems, fmt.Sprintf("line_items[%d].name is required", i))
		}
		if p, err := money.IntegerFromJSON(it.Price.String()); err != nil || p < 0 {
			problems = append(problems, fmt.Sprintf("line_items[%d].price must be an integer of minor units", i))
		}
		if it.Quantity != "" {
			if q, err := money.IntegerFromJSON(it.Quantity.String()); err != nil || q < 1 || q > checkout.MaxQuantity {
				problems = append(problems, fmt.Sprintf("line_items[%d].quantity must be an integer from 1 to %d", i, checkout.MaxQuantity))
			}
		}
	}
	return amount, timeout, problems
}

// buildIntent turns a valid request into a checkout and its intent.
func (h *Handler) buildIntent(key *auth.APIKey, site *tenant.Site, req *intentRequest, amount, timeout int64) (*checkout.Checkout, *Intent, error) {
	uuid := ids.UUID()
	ref := req.HumanRef
	if ref == "" {
		ref = uuid
	}
	cr := &checkout.CreateRequest{
		Amount: json.Number(fmt.Sprint(amount)), Currency: req.Currency, ReturnURL: req.FinalSuccessURL, CancelURL: req.FinalFailureURL,
		ExternalReference: checkout.Text(ref), Locale: req.Lg, Metadata: map[string]any{"orchestrapay_checkout_intent": uuid},
	}
	if req.Customer != nil {
		cr.Email = req.Customer.Email
	}
	// Line items become the checkout's lines when they add up to the amount;
	// otherwise they are kept as sent and the checkout has one line.
	var sum int64
	var items []checkout.ItemRequest
	for _, it := range req.LineItems {
		q := it.Quantity
		if q == "" {
			q = "1"
		}
		p, _ := money.IntegerFromJSON(it.Price.String())
		n, _ := money.IntegerFromJSON(q.String())
		sum += p * n
		items = append(items, checkout.ItemRequest{Name: it.Name, Description: it.Category, Quantity: q, UnitPrice: it.Price})
	}
	if len(items) > 0 && sum == amount {
		cr.Items = items
	}
	c, err := h.checkouts.Build(checkouts.Input{Request: cr, Site: site, Mode: key.Mode, Source: checkout.SourceOrchestrapay,
		SourceRef: uuid, AllowZero: true})
	if err != nil {
		return nil, nil, err
	}
	urls, _ := json.Marshal(orEmpty(req.WebhookURLs))
	lines, _ := json.Marshal(orEmptyItems(req.LineItems))
	payload := string(req.Payload)
	if payload == "" || payload == "null" {
		payload = "{}"
	}
	t := h.opts.Now()
	in := &Intent{
		CheckoutID: c.ID, OrganizationID: key.OrganizationID, UUID: uuid, Amount: c.Amount, Currency: c.Currency,
		FinalSuccessURL: req.FinalSuccessURL, FinalFailureURL: req.FinalFailureURL, Locale: c.Locale,
		IdempotencyKey: req.IdempotencyKey, HumanRef: req.HumanRef, TimeoutSeconds: timeout, WebhookURLs: string(urls),
		WebhookSecret: req.WebhookSecret, FeatureFlag: req.FeatureFlag, Tenant: req.Tenant, LineItems: string(lines),
		Payload: payload, CreatedAt: t, UpdatedAt: t,
	}
	return c, in, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyItems(s []lineItem) []lineItem {
	if s == nil {
		return []lineItem{}
	}
	return s
}

// intentFrom creates (or finds, by idempotency key) the intent a request
// describes; it answers the request itself on failure. check, when given,
// looks at the checkout before anything is written and may refuse it (having
// answered).
func (h *Handler) intentFrom(w http.ResponseWriter, r *http.Request, key *auth.APIKey, req *intentRequest,
	check func(*checkout.Checkout) bool) (*Intent, *checkout.Checkout, bool, bool) {
	amount, timeout, problems := checkIntent(req)
	if len(problems) > 0 {
		nestError(w, r, http.StatusBadRequest, "validation_error", problems...)
		return nil, nil, false, false
	}
	site, status, msg := h.resolveSite(r, key, req.Tenant)
	if status != 0 {
		nestError(w, r, status, "invalid_tenant", msg)
		return nil, nil, false, false
	}
	c, in, err := h.buildIntent(key, site, req, amount, timeout)
	if err == nil {
		// The intent stores its checkout itself: the customer is screened here.
		err = h.checkouts.Screen(r.Context(), c)
	}
	if h.failed(w, r, err, "", "") {
		return nil, nil, false, false
	}
	if check != nil && !check(c) {
		return nil, nil, false, false
	}
	got, created, err := h.data.CreateIntent(r.Context(), c, in)
	if h.failed(w, r, err, "", "") {
		return nil, nil, false, false
	}
	if !created {
		if c, err = h.store.GetCheckout(r.Context(), key.OrganizationID, got.CheckoutID); err != nil {
			h.internal(w, r, err)
			return nil, nil, false, false
		}
	}
	return got, c, created, true
}

func (h *Handler) createIntent(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	var req intentRequest
	if !decode(w, r, &req) {
		return
	}
	in, c, created, ok := h.intentFrom(w, r, key, &req, nil)
	if !ok {
		return
	}
	gws, _, err := h.gateways(r, c)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, map[string]any{
		"checkout_intent": in.UUID, "checkout_intent_secret": in.Secret, "resource_created": created,
		"gateways": gws, "payment_url": c.PaymentURL(h.pages.Base(r.Context(), c.SiteID)),
	})
}

// listColumns are the filterable and sortable columns of GET /checkout-intents.
var listColumns = paginate.Config{
	Columns: map[string]paginate.Column{
		"currency":                        {SQL: "currency", Upper: true},
		"created_at":                      {SQL: "created_at", Type: paginate.Time},
		"updated_at":                      {SQL: "updated_at", Type: paginate.Time},
		"amount":                          {SQL: "amount", Type: paginate.Int},
		"checkout_intent_secret":          {SQL: "secret", Type: paginate.Int},
		"checkout_intent":                 {SQL: "uuid"},
		"checkout_intent_idempotency_key": {SQL: "idempotency_key"},
	},
	DefaultLimit: 10, MaxLimit: 1000, DefaultSort: [][2]string{{"created_at", "DESC"}},
}

// intentView is an intent in a list: payload, webhook_secret, payment_id,
// updated_at and deleted_at are never shown.
type intentView struct {
	CheckoutIntent  string          `json:"checkout_intent"`
	Secret          int64           `json:"checkout_intent_secret"`
	Amount          int64           `json:"amount"`
	Currency        string          `json:"currency"`
	FinalSuccessURL string          `json:"final_success_url"`
	FinalFailureURL string          `json:"final_failure_url"`
	TimeoutSeconds  int64           `json:"payment_intent_timeout_seconds"`
	IdempotencyKey  string          `json:"checkout_intent_idempotency_key"`
	HumanRef        string          `json:"human_friendly_payment_intent_secret"`
	WebhookURLs     json.RawMessage `json:"webhook_urls"`
	FeatureFlag     string          `json:"feature_flag"`
	Tenant          string          `json:"tenant,omitempty"`
	Locale          string          `json:"locale"`
	CreatedAt       time.Time       `json:"created_at"`
	LineItems       json.RawMessage `json:"line_items"`
}

func (h *Handler) listIntents(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	req, err := paginate.Parse(r.URL.Query(), listColumns)
	if err != nil {
		nestError(w, r, http.StatusBadRequest, "invalid_query", err.Error())
		return
	}
	list, total, err := h.data.ListIntents(r.Context(), store.KeyScope(key), req.Query)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	data := make([]intentView, 0, len(list))
	for _, in := range list {
		data = append(data, intentView{CheckoutIntent: in.UUID, Secret: in.Secret, Amount: in.Amount, Currency: in.Currency,
			FinalSuccessURL: in.FinalSuccessURL, FinalFailureURL: in.FinalFailureURL, TimeoutSeconds: in.TimeoutSeconds,
			IdempotencyKey: in.IdempotencyKey, HumanRef: in.HumanRef, WebhookURLs: json.RawMessage(in.WebhookURLs),
			FeatureFlag: in.FeatureFlag, Tenant: in.Tenant, Locale: in.Locale, CreatedAt: in.CreatedAt,
			LineItems: json.RawMessage(in.LineItems)})
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	httpx.WriteJSON(w, http.StatusOK, req.Envelope(data, total, scheme+"://"+r.Host+r.URL.Path))
}
