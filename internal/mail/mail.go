// Package mail sends email through an SMTP server with
// github.com/wneessen/go-mail: a server's settings, checked, and a message of
// a plain text part and an HTML alternative. It knows nothing of what the
// messages say.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
	gomail "github.com/wneessen/go-mail"
)

// TLS modes.
const (
	TLSNone     = "none"     // plain SMTP (a relay on the same host or network)
	TLSStartTLS = "starttls" // STARTTLS required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// Server is an SMTP server and the address mail comes from.
type Server struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	TLS      string `json:"tls"`
	Username string `json:"username"`
	Password string `json:"-"`
	From     string `json:"from"`
}

// Check reports what is wrong with the settings.
func (s Server) Check() error {
	bad := func(f, m string) error { return errs.Refused("validation_error", f, m) }
	switch {
	case s.Host == "" || len(s.Host) > 253 || strings.ContainsAny(s.Host, " /:@\r\n"):
		return bad("host", "host is the SMTP server's name or address")
	case s.Port < 1 || s.Port > 65535:
		return bad("port", "port is 1 to 65535")
	case s.TLS != TLSNone && s.TLS != TLSStartTLS && s.TLS != TLSImplicit:
		return bad("tls", "tls is none, starttls or tls")
	case len(s.Username) > 200 || len(s.Password) > 500 || strings.ContainsAny(s.Username+s.Password, "\r\n"):
		return bad("username", "username and password are one line each")
	}
	if _, err := mail.ParseAddress(s.From); err != nil || len(s.From) > 300 {
		return bad("from", "from is an address such as \"Shop payments <pay@shop.example>\"")
	}
	return nil
}

// Message is one email: a plain text part and the same in HTML.
type Message struct {
	To      []string
	Subject string
	Text    string
	HTML    string
	// Lang is the message's language (Content-Language).
	Lang string
	// ID is a stable Message-ID local part: a retried delivery is the
	// same message to the receiving side.
	ID string
}

// ErrRecipient is a recipient address that cannot be mailed.
var ErrRecipient = errors.New("the recipient's address is not a valid email address")

// Send delivers m through s within timeout.
func (s Server) Send(ctx context.Context, m Message, timeout time.Duration) error {
	if err := s.Check(); err != nil {
		return err
	}
	var to []string
	for _, raw := range m.To {
		a, err := mail.ParseAddress(raw)
		if err != nil {
			return ErrRecipient
		}
		to = append(to, a.Address)
	}
	if len(to) == 0 {
		return ErrRecipient
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(to...); err != nil {
		return ErrRecipient
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		domain := "pgw.invalid"
		if from, err := mail.ParseAddress(s.From); err == nil {
			if _, d, ok := strings.Cut(from.Address, "@"); ok {
				domain = d
			}
		}
		msg.SetGenHeader(gomail.HeaderMessageID, "<"+m.ID+"@"+domain+">")
	} else {
		msg.SetMessageID()
	}
	if m.Lang != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Lang)
	}
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(timeout)}
	switch s.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS), gomail.WithPort(s.Port))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if s.Username != "" {
		// Over TLS the best mechanism the server offers; without TLS (a relay
		// on the same host or network) PLAIN, which the operator chose.
		auth := gomail.SMTPAuthAutoDiscover
		if s.TLS == TLSNone {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("SMTP client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("sending through %s: %w", s.Host+":"+strconv.Itoa(s.Port), err)
	}
	return nil
}
