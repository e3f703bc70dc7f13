package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/checkout"
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
