package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/mail"
)

// MailSettings are an organization's own SMTP server and what it sends.
type MailSettings struct {
	Server mail.Server
	// Receipts: the buyer gets a receipt and refund notices; Alerts: the
	// organization's admins get payments that need attention.
	Receipts, Alerts bool
	UpdatedAt        time.Time
}

type mailSettingsRow struct {
	bun.BaseModel  `bun:"table:mail_settings"`
	OrganizationID string    `bun:",pk"`
	Host           string    `bun:",notnull"`
	Port           int       `bun:",notnull"`
	TLS            string    `bun:"tls,notnull"`
	Username       string    `bun:",notnull"`
	PasswordSealed string    `bun:",notnull"`
	FromAddress    string    `bun:",notnull"`
	Receipts       bool      `bun:",notnull"`
	Alerts         bool      `bun:",notnull"`
	UpdatedAt      time.Time `bun:",notnull"`
}

// OrgMailSettings returns an organization's own mail settings with the
// password opened, or nil when it has none.
func (s *Store) OrgMailSettings(ctx context.Context, orgID string) (*MailSettings, error) {
	row := new(mailSettingsRow)
	err := s.read.NewSelect().Model(row).Where("organization_id = ?", orgID).Scan(ctx)
	if errors.Is(err, errNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading mail settings: %w", err)
	}
	pw := ""
	if row.PasswordSealed != "" {
		if pw, err = s.box.Open(row.PasswordSealed, "mail:"+orgID); err != nil {
			return nil, fmt.Errorf("opening the SMTP password: %w", err)
		}
	}
	return &MailSettings{Server: mail.Server{Host: row.Host, Port: row.Port, TLS: row.TLS, Username: row.Username, Password: pw,
		From: row.FromAddress}, Receipts: row.Receipts, Alerts: row.Alerts, UpdatedAt: row.UpdatedAt}, nil
}

// SaveOrgMailSettings stores an organization's mail settings, the password
// sealed; keepPassword keeps the stored one (a form that does not show it).
func (s *Store) SaveOrgMailSettings(ctx context.Context, orgID string, m *MailSettings, keepPassword bool) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := &mailSettingsRow{OrganizationID: orgID, Host: m.Server.Host, Port: m.Server.Port, TLS: m.Server.TLS,
			Username: m.Server.Username, FromAddress: m.Server.From, Receipts: m.Receipts, Alerts: m.Alerts, UpdatedAt: now()}
		if m.Server.Password != "" {
			row.PasswordSealed = s.box.Seal(m.Server.Password, "mail:"+orgID)
		}
		q := tx.NewInsert().Model(row).On("CONFLICT (organization_id) DO UPDATE").
			Set("host = EXCLUDED.host, port = EXCLUDED.port, tls = EXCLUDED.tls, username = EXCLUDED.username").
			Set("from_address = EXCLUDED.from_address, receipts = EXCLUDED.receipts, alerts = EXCLUDED.alerts, updated_at = EXCLUDED.updated_at")
		if !keepPassword {
			q = q.Set("password_sealed = EXCLUDED.password_sealed")
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("saving mail settings: %w", err)
		}
		return nil
	})
}

// MailSends reports, inside a state change's transaction, whether an
// organization sends receipts and alerts: its own settings say, else the
// system's server (systemMail) sends both.
func MailSends(ctx context.Context, tx bun.IDB, orgID string, systemMail bool) (receipts, alerts bool, err error) {
	row := new(mailSettingsRow)
	err = tx.NewSelect().Model(row).Column("receipts", "alerts").Where("organization_id = ?", orgID).Scan(ctx)
	if errors.Is(err, errNoRows) {
		return systemMail, systemMail, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("reading mail settings: %w", err)
	}
	return row.Receipts, row.Alerts, nil
}

// AdminEmails are the emails of an organization's admins, for alerts.
func (s *Store) AdminEmails(ctx context.Context, orgID string) ([]string, error) {
	var emails []string
	err := s.read.NewRaw(`SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id
WHERE m.organization_id = ? AND m.role = 'admin' ORDER BY u.email`, orgID).Scan(ctx, &emails)
	if err != nil {
		return nil, fmt.Errorf("listing admins: %w", err)
	}
	return emails, nil
}
