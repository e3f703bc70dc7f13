package buyermail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/mail"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Sender sends queued emails for the outbox worker.
type Sender struct {
	Store *store.Store
	Words *lang.Catalog
	// System is the system's SMTP server; nil when none is configured.
	System *mail.Server
	// Timeout bounds one SMTP conversation.
	Timeout time.Duration
	// DashboardURL is where alerts link to.
	DashboardURL string
}

// ErrNoServer is an organization without its own SMTP server on a system
// without one.
var ErrNoServer = errors.New("no SMTP server: set the organization's mail settings or mail.host")

// Server is the SMTP server of an organization: its own, else the system's.
func (s *Sender) Server(ctx context.Context, orgID string) (mail.Server, error) {
	own, err := s.Store.OrgMailSettings(ctx, orgID)
	if err != nil {
		return mail.Server{}, err
	}
	if own != nil {
		return own.Server, nil
	}
	if s.System == nil {
		return mail.Server{}, ErrNoServer
	}
	return *s.System, nil
}

// Send writes a queued email from the records as they are now and sends it.
func (s *Sender) Send(ctx context.Context, d *store.Delivery, _ time.Time) (string, error) {
	var j job
	if err := json.Unmarshal([]byte(d.Body), &j); err != nil {
		return "", fmt.Errorf("reading the queued email: %w", err)
	}
	txn, err := s.Store.GetTransactionUnscoped(ctx, j.TransactionID)
	if err != nil {
		return "", err
	}
	c, err := s.Store.GetCheckout(ctx, txn.OrganizationID, txn.CheckoutID)
	if err != nil {
		return "", err
	}
	site, err := s.Store.SiteOf(ctx, c.OrganizationID, c.SiteID)
	if err != nil {
		return "", err
	}
	var m mail.Message
	switch j.Kind {
	case KindReceipt, KindRefund:
		if m, err = s.buyerMessage(ctx, j, c, txn, site); err != nil {
			return "", err
		}
		m.To = []string{d.Target}
	case KindAlert:
		if m.To, err = s.Store.AdminEmails(ctx, c.OrganizationID); err != nil {
			return "", err
		}
		if len(m.To) == 0 {
			return "no admin to alert", nil
		}
		m = s.alert(j, c, txn, site, m.To)
	default:
		return "", fmt.Errorf("unknown email kind %q", j.Kind)
	}
	srv, err := s.Server(ctx, c.OrganizationID)
	if err != nil {
		return "", err
	}
	if err := srv.Send(ctx, m, s.Timeout); err != nil {
		return "", err
	}
	return "sent to " + strings.Join(m.To, ", "), nil
}

// alert tells the organization's admins, in English, that a payment needs a
// look.
func (s *Sender) alert(j job, c *checkout.Checkout, txn *checkout.Transaction, site *tenant.Site, to []string) mail.Message {
	what := map[string]string{
		"transaction.overpaid":         "received more than its amount",
		"dispute.created":              "is disputed by the buyer's bank",
		"transaction.paid_after_close": "was paid after its checkout had closed",
	}[j.Event]
	amount := money.Format(txn.Amount, money.Currency{Code: txn.Currency, Exponent: 2})
	if cur, err := money.ParseCurrency(txn.Currency); err == nil {
		amount = money.NewFormatter("en").Format(txn.Amount, cur)
	}
	link := strings.TrimRight(s.DashboardURL, "/") + "/dashboard/checkouts/" + c.ID
	text := fmt.Sprintf("Payment %s of %s (%s, checkout %s) %s.\n\nLook at it in the dashboard: %s\n",
		txn.ID, amount, site.DisplayName, c.Reference(), what, link)
	v := view{Lang: "en", Dir: "ltr", Site: site.DisplayName, Intro: strings.TrimSpace(strings.SplitN(text, "\n", 2)[0]),
		Facts:  []line{{Label: "Transaction", Value: txn.ID}, {Label: "Checkout", Value: c.Reference()}, {Label: "Dashboard", Value: link}},
		Footer: "You receive this as an admin of the organization in pgw."}
	_, html, _ := render(v)
	return mail.Message{To: to, Subject: "Payment needs attention: " + c.Reference() + " " + what, Text: text, HTML: html, Lang: "en",
		ID: "pgw.alert." + txn.ID + "." + strings.ReplaceAll(j.Event, ".", "-")}
}

// Test sends a test email through an organization's server, in the site's
// language, and says what went wrong.
func (s *Sender) Test(ctx context.Context, srv mail.Server, site *tenant.Site, to string) error {
	p := s.Words.Printer(s.Words.Choose(nil, "", site.DefaultLanguage))
	v := view{Lang: p.Tag.String(), Dir: p.Dir(), Site: site.DisplayName, Intro: p.T("email.test_body", "Site", site.DisplayName)}
	text, html, err := render(v)
	if err != nil {
		return err
	}
	return srv.Send(ctx, mail.Message{To: []string{to}, Subject: p.T("email.test_subject", "Site", site.DisplayName), Text: text,
		HTML: html, Lang: v.Lang}, s.Timeout)
}
