package checkout

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/pgw/pgw/internal/money"
)

// The rules of a create request's single fields: expiry, text, email, URL,
// address, metadata and rates.

func expiry(req *CreateRequest, def time.Duration, now time.Time) (time.Time, error) {
	if req.ExpiresAt != "" && req.ExpiresInMinutes != "" {
		return time.Time{}, invalid("expiresAt", "give expiresAt or expiresInMinutes, not both")
	}
	d := def
	switch {
	case req.ExpiresAt != "":
		t, err := time.Parse(time.RFC3339, req.ExpiresAt)
		if err != nil {
			return time.Time{}, invalid("expiresAt", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
		d = t.Sub(now)
	case req.ExpiresInMinutes != "":
		m, err := money.IntegerFromJSON(req.ExpiresInMinutes.String())
		if err != nil || m > int64(MaxExpiry/time.Minute) {
			return time.Time{}, invalid("expiresInMinutes", "must be a whole number of minutes from %d to %d", int(MinExpiry/time.Minute), int(MaxExpiry/time.Minute))
		}
		d = time.Duration(m) * time.Minute
	}
	if d < MinExpiry || d > MaxExpiry {
		field := "expiresInMinutes"
		if req.ExpiresAt != "" {
			field = "expiresAt"
		}
		return time.Time{}, invalid(field, "the checkout must expire between 5 minutes and 90 days from now")
	}
	return now.Add(d).UTC().Truncate(time.Second), nil
}

func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return invalid(field, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalid(field, "is %d characters long, at most %d allowed", n, max)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return invalid(field, "contains control characters")
	}
	return nil
}

// CheckEmail accepts a plain address ("ana@example.com"), as checkouts take
// them.
func CheckEmail(field, v string) error { return checkEmail(field, v) }

func checkEmail(field, v string) error {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 {
		return invalid(field, "%q is not an email address", v)
	}
	return nil
}

// CheckURL accepts absolute http and https URLs without credentials. The
// literal {transactionId} placeholder is kept as is and replaced when the
// buyer is redirected.
func CheckURL(field, v string) error {
	if len(v) > maxURLLen {
		return invalid(field, "is longer than %d characters", maxURLLen)
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return invalid(field, "must be an absolute https (or http) URL")
	}
	return checkText(field, v, maxURLLen)
}

// CheckAddress validates and trims an address given under field (for
// example "billingAddress"): bounded plain text, a real ISO 3166-1 alpha-2
// country, a plain email. An all-empty address is nil.
func CheckAddress(field string, a *Address) (*Address, error) { return checkAddress(field, a) }

func checkAddress(field string, a *Address) (*Address, error) {
	if a == nil {
		return nil, nil
	}
	out := *a
	fields := []struct {
		name string
		v    *string
	}{
		{"firstName", &out.FirstName}, {"lastName", &out.LastName}, {"name", &out.Name},
		{"company", &out.Company}, {"email", &out.Email}, {"address1", &out.Address1},
		{"address2", &out.Address2}, {"city", &out.City}, {"state", &out.State},
		{"postcode", &out.Postcode}, {"country", &out.Country}, {"phone", &out.Phone},
	}
	empty := true
	for _, f := range fields {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkText(field+"."+f.name, *f.v, maxAddressFieldLen); err != nil {
			return nil, err
		}
		empty = empty && *f.v == ""
	}
	if empty {
		return nil, nil
	}
	if out.Country != "" {
		r, err := language.ParseRegion(out.Country)
		if err != nil || len(out.Country) != 2 || !r.IsCountry() || !strings.EqualFold(r.String(), out.Country) {
			return nil, invalid(field+".country", "must be an ISO 3166-1 alpha-2 code, got %q", out.Country)
		}
		out.Country = r.String()
	}
	if out.Email != "" {
		if err := checkEmail(field+".email", out.Email); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

func checkMetadata(in map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(in))
	if len(in) > MaxMetadataKeys {
		return nil, invalid("metadata", "at most %d keys, got %d", MaxMetadataKeys, len(in))
	}
	for k, v := range in {
		if k == "" || utf8.RuneCountInString(k) > MaxMetadataKeyLen {
			return nil, invalid("metadata", "keys must be 1 to %d characters, got %q", MaxMetadataKeyLen, k)
		}
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case json.Number:
			s = v.String()
		case float64:
			s = fmt.Sprint(v)
		case bool:
			s = fmt.Sprint(v)
		case nil:
			continue
		default:
			return nil, invalid("metadata."+k, "values must be strings, numbers or booleans")
		}
		if err := checkText("metadata."+k, s, MaxMetadataValueLen); err != nil {
			return nil, err
		}
		if err := checkText("metadata", k, MaxMetadataKeyLen); err != nil {
			return nil, err
		}
		out[k] = s
	}
	return out, nil
}

// checkRate validates a VAT percentage from 0 to 100 and returns it as exact
// decimal text with at most four decimals.
func checkRate(field, lit string) (string, error) {
	r, ok := new(big.Rat).SetString(lit)
	if !ok || r.Sign() < 0 || r.Cmp(big.NewRat(100, 1)) > 0 {
		return "", invalid(field, "must be a percentage from 0 to 100, got %s", lit)
	}
	scaled := new(big.Rat).Mul(r, big.NewRat(10000, 1))
	if !scaled.IsInt() {
		return "", invalid(field, "has more than four decimals: %s", lit)
	}
	s := r.FloatString(4)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s, nil
}
