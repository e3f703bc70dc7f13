// Package wire is the bank transfer provider: the merchant's account the
// buyer transfers to, and how long the buyer has. Money is recorded when an
// operator marks it received or a bank statement shows it, never by a call.
package wire

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/plaintext"
)

// Config is the account a site's buyers transfer to. Nothing in it is
// secret: the page shows all of it.
type Config struct {
	AccountHolder string   `json:"accountHolder"`
	BankName      string   `json:"bankName"`
	IBAN          string   `json:"iban"`
	BIC           string   `json:"bic"`
	Instructions  string   `json:"instructions,omitempty"`
	WindowDays    int      `json:"paymentWindowDays"`
	Currencies    []string `json:"currencies"`
	// Mode is the mode of the checkouts it serves, the mode of the key or
	// dashboard that added it.
	Mode checkout.Mode `json:"mode"`
}

// DefaultWindowDays is the payment window when none is given.
const DefaultWindowDays = 14

// bad is a refused configuration, naming the field that is wrong.
func bad(field, msg string) error { return errs.Refused("validation_error", field, msg) }

// ParseConfig reads a stored configuration.
func ParseConfig(raw string) (Config, error) {
	var c Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return Config{}, fmt.Errorf("reading bank transfer configuration: %w", err)
	}
	return c, nil
}

// JSON is the configuration to store.
func (c Config) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Normalize checks a configuration as typed and fills its defaults: the IBAN
// and BIC in electronic form, a payment window of 14 days, the currency of
// the IBAN's country. The error (errs.Refused) names what is wrong.
func (c *Config) Normalize(mode checkout.Mode) error {
	c.Mode = mode
	c.AccountHolder = strings.TrimSpace(c.AccountHolder)
	c.BankName = strings.TrimSpace(c.BankName)
	c.Instructions = strings.TrimSpace(c.Instructions)
	switch {
	case c.AccountHolder == "" || len(c.AccountHolder) > 70 || !plaintext.Valid(c.AccountHolder):
		return bad("config.accountHolder", "accountHolder is the account's holder, 1 to 70 characters")
	case c.BankName == "" || len(c.BankName) > 100 || !plaintext.Valid(c.BankName):
		return bad("config.bankName", "bankName is the bank's name, 1 to 100 characters")
	case len(c.Instructions) > 500:
		return bad("config.instructions", "instructions are at most 500 characters")
	case c.WindowDays < 0 || c.WindowDays > 90:
		return bad("config.paymentWindowDays", "paymentWindowDays is 1 to 90 days")
	}
	iban, err := bank.ParseIBAN(c.IBAN)
	if err != nil {
		return bad("config.iban", err.Error())
	}
	c.IBAN = string(iban)
	if c.BIC, err = bank.ParseBIC(c.BIC); err != nil {
		return bad("config.bic", err.Error())
	}
	if c.WindowDays == 0 {
		c.WindowDays = DefaultWindowDays
	}
	if len(c.Currencies) == 0 {
		region, err := language.ParseRegion(iban.Country())
		cur, ok := currency.FromRegion(region)
		if err != nil || !ok {
			return bad("config.currencies", "name the currencies the account takes: its country has no currency of its own")
		}
		c.Currencies = []string{cur.String()}
	}
	if len(c.Currencies) > 20 {
		return bad("config.currencies", "at most 20 currencies")
	}
	for i, code := range c.Currencies {
		cur, err := money.ParseCurrency(strings.ToUpper(strings.TrimSpace(code)))
		if err != nil {
			return bad("config.currencies", strconv.Quote(code)+" is not an ISO 4217 currency")
		}
		c.Currencies[i] = cur.Code
	}
	return nil
}

// Serves reports whether the account takes payments of a checkout in cur.
func (c Config) Serves(cur string) bool { return slices.Contains(c.Currencies, cur) }
