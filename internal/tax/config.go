package tax

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
)

// VIES checks of a buyer's VAT ID.
const (
	VIESNone   = "none"   // any VAT ID given is taken as confirmed
	VIESFormat = "format" // confirmed when its format is the country's
	VIESOnline = "vies"   // confirmed only by the EU's VIES service
)

// Config is an organization's tax settings: off by default, and then
// checkouts behave as without a tax engine.
type Config struct {
	Enabled bool
	Settings
	VIESCheck string
	UpdatedAt time.Time
}

// DefaultConfig is an organization's settings before it says anything.
func DefaultConfig() Config {
	return Config{Settings: Settings{Rounding: RoundLine}, VIESCheck: VIESFormat}
}

// Check refuses settings that cannot decide anything; countries are
// normalized to upper case.
func (c *Config) Check() error {
	bad := func(field, msg string) error { return errs.Refused("validation_error", field, msg) }
	c.SellerCountry = strings.ToUpper(strings.TrimSpace(c.SellerCountry))
	if c.Enabled && !isCountry(c.SellerCountry) {
		return bad("sellerCountry", "sellerCountry must be the ISO 3166-1 alpha-2 code of the seller's country when tax is enabled")
	}
	if c.SellerCountry != "" && !isCountry(c.SellerCountry) {
		return bad("sellerCountry", "sellerCountry must be an ISO 3166-1 alpha-2 code")
	}
	c.SellerVATID = NormalizeVATID(c.SellerVATID)
	if len(c.SellerVATID) > 20 || (c.SellerVATID != "" && !ValidVATIDFormat(c.SellerCountry, c.SellerVATID)) {
		return bad("sellerVatId", "sellerVatId does not have the format of "+c.SellerCountry+" VAT IDs")
	}
	if len(c.Registrations) > 50 {
		return bad("registrations", "at most 50 registrations")
	}
	for i, r := range c.Registrations {
		c.Registrations[i] = strings.ToUpper(strings.TrimSpace(r))
		if !isCountry(c.Registrations[i]) {
			return bad("registrations", fmt.Sprintf("registrations[%d] must be an ISO 3166-1 alpha-2 code", i))
		}
	}
	slices.Sort(c.Registrations)
	c.Registrations = slices.Compact(c.Registrations)
	switch c.Rounding {
	case "":
		c.Rounding = RoundLine
	case RoundLine, RoundTotal:
	default:
		return bad("rounding", "rounding must be line or total")
	}
	switch c.VIESCheck {
	case "":
		c.VIESCheck = VIESFormat
	case VIESNone, VIESFormat, VIESOnline:
	default:
		return bad("viesCheck", "viesCheck must be none, format or vies")
	}
	return nil
}

// rateRE is a percentage as merchants write it: 7, 7.25, 13.975.
var rateRE = regexp.MustCompile(`^\d{1,3}(\.\d{1,4})?$`)

func isCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// MerchantRate is a rate a merchant sets for a place the embedded data lacks
// (a US state, a Canadian province) or sets differently.
type MerchantRate struct {
	ID             string    `bun:",pk"`
	OrganizationID string    `bun:",notnull"`
	Country        string    `bun:",notnull"`
	Region         string    `bun:",notnull"`
	Category       Category  `bun:",notnull"`
	Rate           Rate      `bun:",notnull"`
	EffectiveFrom  time.Time `bun:",notnull"`
	CreatedAt      time.Time `bun:",notnull"`
}

// Check refuses a rate that cannot apply; country and region are upper case.
func (m *MerchantRate) Check() error {
	bad := func(field, msg string) error { return errs.Refused("validation_error", field, msg) }
	m.Country, m.Region = strings.ToUpper(strings.TrimSpace(m.Country)), strings.ToUpper(strings.TrimSpace(m.Region))
	if m.Category == "" {
		m.Category = Standard
	}
	switch {
	case !isCountry(m.Country):
		return bad("country", "country must be an ISO 3166-1 alpha-2 code")
	case len(m.Region) > 10 || strings.ContainsFunc(m.Region, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') }):
		return bad("region", "region must be a subdivision code such as CA or QC")
	case !ValidCategory(m.Category):
		return bad("category", "category must be standard, reduced, super_reduced, zero or exempt")
	case m.EffectiveFrom.IsZero():
		return bad("effectiveFrom", "effectiveFrom is required")
	}
	if _, err := m.Rate.Rat(); err != nil || !rateRE.MatchString(string(m.Rate)) {
		return bad("rate", "rate must be a decimal percentage from 0 to 100, such as 7.25")
	}
	return nil
}

// MerchantRates are an organization's own rates; they answer before the
// embedded table. A region's rate answers before the country's; the newest
// rate in force at the instant wins.
type MerchantRates []MerchantRate

// Rate implements Rates.
func (ms MerchantRates) Rate(country, region string, c Category, at time.Time) (Rate, bool) {
	country, region = strings.ToUpper(country), strings.ToUpper(region)
	for _, reg := range []string{region, ""} {
		var best *MerchantRate
		for i := range ms {
			m := &ms[i]
			if m.Country == country && m.Region == reg && m.Category == c && !at.Before(m.EffectiveFrom) &&
				(best == nil || m.EffectiveFrom.After(best.EffectiveFrom)) {
				best = m
			}
		}
		if best != nil {
			return best.Rate, true
		}
		if reg == "" {
			break
		}
	}
	if c != Standard && c != Zero && c != Exempt {
		return ms.Rate(country, region, Standard, at)
	}
	return "", false
}
