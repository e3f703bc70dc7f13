package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/notify"
)

// Overview is an organization's payments in one currency over a period.
type Overview struct {
	// GrossVolume is what succeeded payments took; NetRevenue is that less
	// their refunds.
	GrossVolume, NetRevenue, Refunded int64
	Counts                            map[checkout.TxStatus]int
	TopProviders                      []ProviderVolume
	Recent                            []*checkout.Transaction
}

// Paid counts the payments that took money: succeeded, refunded since.
func (o *Overview) Paid() int { return o.Counts[checkout.TxSucceeded] + o.Counts[checkout.TxRefunded] }

// Settled counts the payments that came to an end with the provider: paid,
// failed, or charged back.
func (o *Overview) Settled() int {
	return o.Paid() + o.Counts[checkout.TxFailed] + o.Counts[checkout.TxChargeback]
}

// FailureRatio is the share of settled payments that failed, 0 with none.
func (o *Overview) FailureRatio() float64 {
	if o.Settled() == 0 {
		return 0
	}
	return float64(o.Counts[checkout.TxFailed]) / float64(o.Settled())
}

// ProviderVolume is one provider's part of an overview.
type ProviderVolume struct {
	ProviderID string
	Count      int
	Volume     int64
}

// OverviewFilter says which transactions an overview counts: those created
// in [From, To) in Currency and Mode.
type OverviewFilter struct {
	OrganizationID string
	Mode           checkout.Mode
	Currency       string
	From, To       time.Time
}

// Overview adds up the organization's transactions.
func (s *Store) Overview(ctx context.Context, f OverviewFilter) (*Overview, error) {
	// scope selects the transactions from table ("transactions AS t" or a
	// model's own), whose columns are named with prefix.
	scope := func(q *bun.SelectQuery, prefix string) *bun.SelectQuery {
		return q.Where(prefix+"organization_id = ?", f.OrganizationID).Where(prefix+"currency = ?", f.Currency).
			Where(prefix+"created_at >= ?", f.From.UTC()).Where(prefix+"created_at < ?", f.To.UTC()).
			Where(prefix+"checkout_id IN (?)", s.read.NewSelect().Model((*checkout.Checkout)(nil)).Column("id").
				Where("organization_id = ?", f.OrganizationID).Where("mode = ?", f.Mode))
	}
	paid := bun.In([]checkout.TxStatus{checkout.TxSucceeded, checkout.TxRefunded})
	o := &Overview{Counts: map[checkout.TxStatus]int{}}
	var counts []struct {
		Status   checkout.TxStatus
		N        int
		Amount   int64
		Refunded int64
	}
	err := scope(s.read.NewSelect().TableExpr("transactions AS t"), "t.").
		ColumnExpr("t.status, COUNT(*) AS n, SUM(t.amount) AS amount, SUM(t.refunded_amount) AS refunded").
		Group("t.status").Scan(ctx, &counts)
	if err != nil {
		return nil, fmt.Errorf("counting transactions: %w", err)
	}
	for _, c := range counts {
		o.Counts[c.Status] = c.N
		if c.Status == checkout.TxSucceeded || c.Status == checkout.TxRefunded {
			o.GrossVolume += c.Amount
			o.Refunded += c.Refunded
		}
	}
	o.NetRevenue = o.GrossVolume - o.Refunded
	err = scope(s.read.NewSelect().TableExpr("transactions AS t"), "t.").
		ColumnExpr("t.provider_id, COUNT(*) AS count, SUM(t.amount) AS volume").Where("t.status IN (?)", paid).
		Group("t.provider_id").OrderExpr("volume DESC, t.provider_id").Limit(5).Scan(ctx, &o.TopProviders)
	if err != nil {
		return nil, fmt.Errorf("ranking providers: %w", err)
	}
	if o.TopProviders == nil {
		o.TopProviders = []ProviderVolume{}
	}
	err = scope(s.read.NewSelect().Model(&o.Recent), "").OrderExpr("created_at DESC, id DESC").Limit(10).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing recent transactions: %w", err)
	}
	return o, nil
}

// Conversion is how many checkouts of a period were created and how many of
// those were paid.
type Conversion struct {
	Created, Completed int
}

// Conversion counts the checkouts created in [From, To) in Currency and Mode.
func (s *Store) Conversion(ctx context.Context, f OverviewFilter) (Conversion, error) {
	var c Conversion
	err := s.read.NewSelect().Model((*checkout.Checkout)(nil)).
		ColumnExpr("COUNT(*) AS created").
		ColumnExpr("COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) AS completed", checkout.StatusComplete).
		Where("organization_id = ?", f.OrganizationID).Where("mode = ?", f.Mode).Where("currency = ?", f.Currency).
		Where("created_at >= ?", f.From.UTC()).Where("created_at < ?", f.To.UTC()).Scan(ctx, &c.Created, &c.Completed)
	if err != nil {
		return c, fmt.Errorf("counting checkouts: %w", err)
	}
	return c, nil
}

// DayPoint is one day (UTC) of an overview's series.
type DayPoint struct {
	Day               string // YYYY-MM-DD
	Volume            int64  // what succeeded payments took
	Succeeded, Failed int
}

// Daily answers the overview's series, one point per day that had
// transactions, oldest first.
func (s *Store) Daily(ctx context.Context, f OverviewFilter) ([]DayPoint, error) {
	day := "strftime('%Y-%m-%d', t.created_at)"
	if s.dialect == Postgres {
		day = "to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	var out []DayPoint
	err := s.read.NewSelect().TableExpr("transactions AS t").
		ColumnExpr(day+" AS day").
		ColumnExpr("COALESCE(SUM(CASE WHEN t.status IN (?) THEN t.amount ELSE 0 END), 0) AS volume",
			bun.In([]checkout.TxStatus{checkout.TxSucceeded, checkout.TxRefunded})).
		ColumnExpr("COALESCE(SUM(CASE WHEN t.status IN (?) THEN 1 ELSE 0 END), 0) AS succeeded",
			bun.In([]checkout.TxStatus{checkout.TxSucceeded, checkout.TxRefunded})).
		ColumnExpr("COALESCE(SUM(CASE WHEN t.status = ? THEN 1 ELSE 0 END), 0) AS failed", checkout.TxFailed).
		Where("t.organization_id = ?", f.OrganizationID).Where("t.currency = ?", f.Currency).
		Where("t.created_at >= ?", f.From.UTC()).Where("t.created_at < ?", f.To.UTC()).
		Where("t.checkout_id IN (?)", s.read.NewSelect().Model((*checkout.Checkout)(nil)).Column("id").
			Where("organization_id = ?", f.OrganizationID).Where("mode = ?", f.Mode)).
		GroupExpr("1").OrderExpr("1").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("adding up days: %w", err)
	}
	return out, nil
}

// Currencies lists the currencies of the organization's transactions in a
// mode, the most used first.
func (s *Store) Currencies(ctx context.Context, orgID string, mode checkout.Mode) ([]string, error) {
	var out []string
	err := s.read.NewSelect().TableExpr("transactions AS t").Column("t.currency").
		Where("t.organization_id = ?", orgID).
		Where("t.checkout_id IN (?)", s.read.NewSelect().Model((*checkout.Checkout)(nil)).Column("id").
			Where("organization_id = ?", orgID).Where("mode = ?", mode)).
		Group("t.currency").OrderExpr("COUNT(*) DESC, t.currency").Limit(50).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("listing currencies: %w", err)
	}
	return out, nil
}

// Attention counts what needs a person: bank transfers with late, partial or
// extra money, open disputes, and notifications that gave up in the last
// seven days or keep failing.
type Attention struct {
	Transfers, Disputes, FailedDeliveries int
}

// NeedsAttention counts the organization's open matters in a mode.
func (s *Store) NeedsAttention(ctx context.Context, orgID string, mode checkout.Mode, now time.Time) (Attention, error) {
	var a Attention
	transfers, err := s.TransfersNeedingAttention(ctx, orgID, mode, 100)
	if err != nil {
		return a, err
	}
	a.Transfers = len(transfers)
	inMode := s.read.NewSelect().Model((*checkout.Checkout)(nil)).Column("id").
		Where("organization_id = ?", orgID).Where("mode = ?", mode)
	n, err := s.read.NewSelect().Table("disputes").Where("organization_id = ?", orgID).
		Where("status IN (?)", bun.In([]string{"open", "under_review"})).Where("checkout_id IN (?)", inMode).Count(ctx)
	if err != nil {
		return a, fmt.Errorf("counting disputes: %w", err)
	}
	a.Disputes = int(n)
	n, err = s.read.NewSelect().Table("outbox_deliveries").Where("organization_id = ?", orgID).
		Where("checkout_id IN (?)", inMode).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("status = ? AND updated_at >= ?", notify.Failed, now.Add(-7*24*time.Hour).UTC()).
				WhereOr("status = ? AND attempts >= 3", notify.Pending)
		}).Count(ctx)
	if err != nil {
		return a, fmt.Errorf("counting failing notifications: %w", err)
	}
	a.FailedDeliveries = int(n)
	return a, nil
}

// HasTransactions reports whether the organization has any transaction in mode.
func (s *Store) HasTransactions(ctx context.Context, orgID string, mode checkout.Mode) (bool, error) {
	return s.read.NewSelect().Model((*checkout.Checkout)(nil)).Where("organization_id = ?", orgID).
		Where("mode = ?", mode).Where("status = ?", checkout.StatusComplete).Exists(ctx)
}
