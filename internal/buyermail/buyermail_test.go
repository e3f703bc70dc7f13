package buyermail_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/buyermail"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/mail"
	"github.com/pgw/pgw/internal/mail/mailpittest"
	"github.com/pgw/pgw/internal/outbox"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

var ctx = context.Background()

// world is a store whose state changes queue emails, a running outbox
// worker that sends them, and mailpit that receives them.
type world struct {
	s   *store.Store
	mp  *mailpittest.Mailpit
	snd *buyermail.Sender
	r   *store.BootstrapResult
	pay *payment.Service
}

func newWorld(t *testing.T, s *store.Store, system bool) *world {
	mp := mailpittest.Start(t)
	words, err := lang.New()
	storetest.Must(t, err, "catalogue")
	snd := &buyermail.Sender{Store: s, Words: words, Timeout: 5 * time.Second, DashboardURL: "https://admin.example"}
	if system {
		snd.System = &mail.Server{Host: mp.Host, Port: mp.Port, TLS: mail.TLSNone, From: "Payments <pay@pgw.example>"}
	}
	buyermail.Install(s, system)
	w := outbox.New(s, outbox.Config{PollInterval: 20 * time.Millisecond, Lease: 10 * time.Second, Concurrency: 2, MaxAge: time.Hour,
		RetryBase: 200 * time.Millisecond, RetryMax: time.Second, AttemptTimeout: 5 * time.Second, AllowPrivate: true,
		Senders: map[string]outbox.Sender{buyermail.Sink: snd}}, slog.New(slog.DiscardHandler))
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(wctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "Mail " + ids.Token(4), Site: "Kaffeehaus", Email: "owner-" + strings.ToLower(ids.Token(6)) + "@shop.example"})
	storetest.Must(t, err, "bootstrap")
	return &world{s: s, mp: mp, snd: snd, r: r, pay: payment.New(s)}
}

func (w *world) checkout(t *testing.T, locale, email string) *checkout.Checkout {
	t.Helper()
	c, err := checkout.Build(&checkout.CreateRequest{Amount: "4900", Currency: "EUR", ExternalReference: checkout.Text("ord-" + ids.Token(4)), Locale: locale, Email: email,
		Items: []checkout.ItemRequest{{Name: "Kaffee & Kuchen", Quantity: "2", UnitPrice: "2450", VATRate: "19"}}},
		checkout.Settings{OrganizationID: w.r.Organization.ID, SiteID: w.r.Site.ID, Mode: checkout.ModeTest, Source: checkout.SourceAPI,
			DefaultExpiry: time.Hour, MaxAmount: 1e9}, store.TimeNow())
	storetest.Must(t, err, "build")
	storetest.Must(t, w.s.CreateCheckout(ctx, c, nil), "create")
	return c
}

func (w *world) payCard(t *testing.T, c *checkout.Checkout) *checkout.Transaction {
	t.Helper()
	res, err := w.pay.Pay(ctx, c, payment.Attempt{ProviderID: w.r.Provider.ID, AttemptKey: "k-" + c.ID, CardNumber: "4242424242424242",
		ExpMonth: 12, ExpYear: 2034, CVC: "123", CardName: "Erika Muster"})
	storetest.Must(t, err, "pay")
	return res.Transaction
}

func find(t *testing.T, mp *mailpittest.Mailpit, n int, subject string) mailpittest.Summary {
	t.Helper()
	for _, m := range mp.Wait(t, n) {
		if strings.Contains(m.Subject, subject) {
			return m
		}
	}
	t.Fatalf("no email %q among %+v", subject, mp.Messages(t))
	return mailpittest.Summary{}
}

// sent fails the test with the email deliveries' last errors.
func sent(t *testing.T, s *store.Store, orgID string) {
	ds, _, _ := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: orgID, Mode: checkout.ModeTest, Limit: 100})
	for _, d := range ds {
		if d.Sink == buyermail.Sink {
			t.Logf("email delivery %s to %s: %s, %d attempts: %+v", d.ID, d.Target, d.Status, d.Attempts, d)
		}
	}
}

func unused() mailpittest.Summary {
	return mailpittest.Summary{}
}

func TestReceiptsAndRefundNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s, true)
		// A German receipt: subject, both parts, language, amounts as German writes them.
		c := w.checkout(t, "de", "erika@example.com")
		txn := w.payCard(t, c)
		sum := find(t, w.mp, 1, "Ihr Beleg von Kaffeehaus")
		msg := w.mp.Message(t, sum.ID)
		if len(msg.To) != 1 || msg.To[0].Address != "erika@example.com" || msg.From.Address != "pay@pgw.example" {
			t.Fatalf("addresses %+v", msg)
		}
		for _, want := range []string{"Vielen Dank für Ihre Zahlung an Kaffeehaus.", "2 × Kaffee & Kuchen", "49,00\u00a0€", "Visa mit Endziffern 4242", txn.ID, c.ExternalReference} {
			if !strings.Contains(msg.Text, want) {
				t.Errorf("text part lacks %q:\n%s", want, msg.Text)
			}
		}
		for _, want := range []string{`lang="de"`, "Kaffee &amp; Kuchen", "49,00\u00a0€"} {
			if !strings.Contains(msg.HTML, want) {
				t.Errorf("HTML part lacks %q", want)
			}
		}
		h := w.mp.Headers(t, sum.ID)
		if got := h["Content-Language"]; len(got) != 1 || got[0] != "de" {
			t.Errorf("Content-Language %v", got)
		}
		if got := h["Message-Id"]; len(got) != 1 || !strings.Contains(got[0], txn.ID) {
			t.Errorf("Message-ID %v", got)
		}
		// A partial refund sends a notice with the refunded amount.
		_, err := w.pay.Refund(ctx, w.r.Organization.ID, txn.ID, 1000)
		storetest.Must(t, err, "refund")
		sum = find(t, w.mp, 2, "Erstattung von Kaffeehaus")
		msg = w.mp.Message(t, sum.ID)
		if !strings.Contains(msg.Text, "10,00\u00a0€") || !strings.Contains(msg.Text, "Bisher erstattet: 10,00\u00a0€ von 49,00\u00a0€") {
			t.Errorf("refund notice:\n%s", msg.Text)
		}
		// An Arabic receipt is right to left; a checkout without an email sends none.
		ar := w.checkout(t, "ar", "layla@example.com")
		w.payCard(t, ar)
		sum = find(t, w.mp, 3, "إيصالك من Kaffeehaus")
		if msg := w.mp.Message(t, sum.ID); !strings.Contains(msg.HTML, `dir="rtl"`) || !strings.Contains(msg.Text, "٤٩٫٠٠") {
			t.Errorf("Arabic receipt:\n%s", msg.Text)
		}
		w.payCard(t, w.checkout(t, "en", ""))
		time.Sleep(500 * time.Millisecond)
		if n := len(w.mp.Messages(t)); n != 3 {
			t.Errorf("%d emails; the checkout without an email sent one", n)
		}
	})
}

func TestOperatorAlertsAndSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// No system server: nothing is queued until the organization has its own.
		w := newWorld(t, s, false)
		w.payCard(t, w.checkout(t, "en", "a@example.com"))
		ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: w.r.Organization.ID, Mode: checkout.ModeTest, Limit: 100})
		storetest.Must(t, err, "deliveries")
		for _, d := range ds {
			if d.Sink == buyermail.Sink {
				t.Fatalf("an email was queued without any SMTP server: %+v", d)
			}
		}
		storetest.Must(t, s.SaveOrgMailSettings(ctx, w.r.Organization.ID, &store.MailSettings{Server: mail.Server{Host: w.mp.Host, Port: w.mp.Port,
			TLS: mail.TLSNone, Username: "shop", Password: "s3cret-pw", From: "Kaffeehaus <hallo@kaffee.example>"}, Receipts: false, Alerts: true}, false), "settings")
		got, err := s.OrgMailSettings(ctx, w.r.Organization.ID)
		if err != nil || got.Server.Password != "s3cret-pw" {
			t.Fatalf("settings back: %+v %v", got, err)
		}
		var sealed string
		storetest.Must(t, s.Bun().NewSelect().Table("mail_settings").Column("password_sealed").Where("organization_id = ?", w.r.Organization.ID).Scan(ctx, &sealed), "sealed")
		if sealed == "" || strings.Contains(sealed, "s3cret") {
			t.Fatalf("the password is stored as %q", sealed)
		}
		// Receipts off: an overpaid bank transfer alerts the admins only.
		cfg := wire.Config{AccountHolder: "Kaffeehaus", BankName: "Bank", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}
		storetest.Must(t, cfg.Normalize(checkout.ModeTest), "wire")
		p := &tenant.Provider{ID: ids.New("prov"), OrganizationID: w.r.Organization.ID, SiteID: w.r.Site.ID, Type: tenant.ProviderWire,
			Name: "Bank transfer", Config: cfg.JSON(), Enabled: true, CreatedAt: store.TimeNow()}
		storetest.Must(t, s.CreateProvider(ctx, p), "provider")
		c := w.checkout(t, "de", "b@example.com")
		tr, err := w.pay.StartBankTransfer(ctx, c, p.ID, "k", "192.0.2.1", payment.TaxBuyer{})
		storetest.Must(t, err, "transfer")
		_, err = w.pay.MarkPaid(ctx, w.r.Organization.ID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 5900, Currency: "EUR"})
		storetest.Must(t, err, "overpay")
		if len(w.mp.Wait(t, 1)) == 0 {
			sent(t, s, w.r.Organization.ID)
		}
		sum := find(t, w.mp, 1, "Payment needs attention")
		msg := w.mp.Message(t, sum.ID)
		if !strings.Contains(msg.Subject, "received more than its amount") || len(msg.To) != 1 || msg.To[0].Address != w.r.User.Email ||
			msg.From.Address != "hallo@kaffee.example" || !strings.Contains(msg.Text, "https://admin.example/dashboard/checkouts/"+c.ID) {
			t.Fatalf("alert %+v\n%s", msg, msg.Text)
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(w.mp.Messages(t)); n != 1 {
			t.Errorf("%d emails; receipts are off", n)
		}
		// Money after the window: the checkout expired, the transfer paid late.
		late := w.checkout(t, "de", "c@example.com")
		tr, err = w.pay.StartBankTransfer(ctx, late, p.ID, "k2", "192.0.2.1", payment.TaxBuyer{})
		storetest.Must(t, err, "late transfer")
		_, err = s.Bun().NewUpdate().Model((*checkout.Checkout)(nil)).Set("expires_at = ?", store.TimeNow().Add(-time.Second)).Where("id = ?", late.ID).Exec(ctx)
		storetest.Must(t, err, "end window")
		_, err = s.ExpireDue(ctx, 10)
		storetest.Must(t, err, "sweep")
		_, err = w.pay.MarkPaid(ctx, w.r.Organization.ID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 4900, Currency: "EUR"})
		storetest.Must(t, err, "pay late")
		find(t, w.mp, 2, "was paid after its checkout had closed")
		// The test email, in the site's language.
		de := "de"
		site, err := s.UpdateSite(ctx, w.r.Organization.ID, w.r.Site.ID, store.SiteSettings{DefaultLanguage: &de})
		storetest.Must(t, err, "site")
		srv, err := w.snd.Server(ctx, w.r.Organization.ID)
		storetest.Must(t, err, "server")
		storetest.Must(t, w.snd.Test(ctx, srv, site, "ops@example.com"), "test email")
		find(t, w.mp, 3, "Test-E-Mail von Kaffeehaus")
		bad := srv
		bad.Port = 1
		if err := w.snd.Test(ctx, bad, site, "ops@example.com"); err == nil {
			t.Error("a test email through a closed port succeeded")
		}
	})
}
