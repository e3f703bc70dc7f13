package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/tax"
)

// TransactionTax is the tax decision frozen on a transaction when its
// payment started: what the buyer was charged, line by line, and why.
type TransactionTax struct {
	bun.BaseModel  `bun:"table:transaction_taxes"`
	TransactionID  string    `bun:",pk"`
	OrganizationID string    `bun:",notnull"`
	Currency       string    `bun:",notnull"`
	Subtotal       int64     `bun:",notnull"`
	Tax            int64     `bun:",notnull"`
	Total          int64     `bun:",notnull"`
	Lines          string    `bun:",notnull"` // JSON of []tax.Line
	Evidence       string    `bun:",notnull"` // JSON of the evidence
	DecidedAt      time.Time `bun:",notnull"`
}

// DecodedLines are the frozen lines.
func (t *TransactionTax) DecodedLines() ([]tax.Line, error) {
	var ls []tax.Line
	if err := json.Unmarshal([]byte(t.Lines), &ls); err != nil {
		return nil, fmt.Errorf("reading the frozen tax lines: %w", err)
	}
	return ls, nil
}

// TaxRecord is one immutable row of the tax ledger: a line of a succeeded
// payment, or (negative) its share of a refund.
type TaxRecord struct {
	bun.BaseModel  `bun:"table:tax_records,alias:tax_record"`
	ID             string        `bun:",pk"`
	OrganizationID string        `bun:",notnull"`
	TransactionID  string        `bun:",notnull"`
	RefundID       string        `bun:",notnull"`
	LineNo         int           `bun:",notnull"`
	Country        string        `bun:",notnull"`
	Rate           tax.Rate      `bun:",notnull"`
	Treatment      tax.Treatment `bun:",notnull"`
	Net            int64         `bun:",notnull"`
	Tax            int64         `bun:",notnull"`
	Gross          int64         `bun:",notnull"`
	Currency       string        `bun:",notnull"`
	RecordedAt     time.Time     `bun:",notnull"`
}

// TransactionTaxOf returns the decision frozen on a transaction and its
// ledger rows; nil when the payment was taken without the tax engine.
func (s *Store) TransactionTaxOf(ctx context.Context, txID string) (*TransactionTax, []*TaxRecord, error) {
	tt := new(TransactionTax)
	err := s.read.NewSelect().Model(tt).Where("transaction_id = ?", txID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("loading the transaction's tax: %w", err)
	}
	var rs []*TaxRecord
	if err := s.read.NewSelect().Model(&rs).Where("transaction_id = ?", txID).OrderExpr("recorded_at, refund_id, line_no").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("loading the tax ledger: %w", err)
	}
	return tt, rs, nil
}

// ledgerPayment writes a succeeded payment's ledger rows, once, in the
// transaction that records its success; a payment without a frozen decision
// writes none.
func (s *Store) ledgerPayment(ctx context.Context, tx bun.Tx, txID string, t time.Time) error {
	tt := new(TransactionTax)
	err := tx.NewSelect().Model(tt).Where("transaction_id = ?", txID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("loading the frozen tax: %w", err)
	}
	done, err := tx.NewSelect().Model((*TaxRecord)(nil)).Where("transaction_id = ?", txID).Where("refund_id = ''").Exists(ctx)
	if err != nil || done {
		return err
	}
	lines, err := tt.DecodedLines()
	if err != nil {
		return err
	}
	return s.insertLedger(ctx, tx, tt, "", lines, 1, t)
}

// ledgerRefund writes a refund's negative rows: its amount split across
// what is left of each line, exactly.
func (s *Store) ledgerRefund(ctx context.Context, tx bun.Tx, r *Refund, t time.Time) error {
	tt := new(TransactionTax)
	err := tx.NewSelect().Model(tt).Where("transaction_id = ?", r.TransactionID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("loading the frozen tax: %w", err)
	}
	if done, err := tx.NewSelect().Model((*TaxRecord)(nil)).Where("refund_id = ?", r.ID).Exists(ctx); err != nil || done {
		return err
	}
	lines, err := tt.DecodedLines()
	if err != nil {
		return err
	}
	var prior []*TaxRecord
	if err := tx.NewSelect().Model(&prior).Where("transaction_id = ?", r.TransactionID).Where("refund_id <> ''").Scan(ctx); err != nil {
		return fmt.Errorf("loading earlier refunds' rows: %w", err)
	}
	left := lines
	for _, p := range prior {
		if p.LineNo < len(left) {
			left[p.LineNo].Gross += p.Gross // prior rows are negative
			left[p.LineNo].Net += p.Net
			left[p.LineNo].Tax += p.Tax
		}
	}
	parts, err := tax.Refund(left, r.Amount)
	if err != nil {
		return fmt.Errorf("splitting refund %s: %w", r.ID, err)
	}
	return s.insertLedger(ctx, tx, tt, r.ID, parts, -1, t)
}

func (s *Store) insertLedger(ctx context.Context, tx bun.Tx, tt *TransactionTax, refundID string, lines []tax.Line, sign int64, t time.Time) error {
	rows := make([]*TaxRecord, 0, len(lines))
	for i, l := range lines {
		rows = append(rows, &TaxRecord{ID: ids.New("txrec"), OrganizationID: tt.OrganizationID, TransactionID: tt.TransactionID,
			RefundID: refundID, LineNo: i, Country: l.Country, Rate: l.Rate, Treatment: l.Treatment,
			Net: sign * l.Net, Tax: sign * l.Tax, Gross: sign * l.Gross, Currency: tt.Currency, RecordedAt: t})
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("writing the tax ledger: %w", err)
	}
	return nil
}
