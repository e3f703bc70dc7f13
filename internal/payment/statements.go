package payment

import (
	"context"
	"fmt"
	"sync"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/statement"
	"github.com/pgw/pgw/internal/store"
)

// EntryOutcome is what became of one credit of a statement.
type EntryOutcome struct {
	EntryKey      string `json:"entryKey"`
	BankReference string `json:"bankReference,omitempty"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	// Status is matched, already_applied or unmatched.
	Status string `json:"status"`
	// Result is what the money did to its transfer (partially_paid, paid,
	// overpaid, late), for matched entries.
	Result        string `json:"result,omitempty"`
	TransactionID string `json:"transactionId,omitempty"`
	ReceiptID     string `json:"receiptId"`
	// Reason says why an entry is unmatched.
	Reason string `json:"reason,omitempty"`
}

// StatementResult is what an uploaded statement did.
type StatementResult struct {
	Statement *store.BankStatement
	Entries   []EntryOutcome
}

// Reasons an entry is left unmatched.
const (
	ReasonNoReference       = "no_reference"       // no valid RF reference in the remittance
	ReasonUnknownReference  = "unknown_reference"  // a valid reference we did not issue
	ReasonCurrency          = "currency_mismatch"  // the transfer is in another currency
	ReasonOtherMode         = "other_mode"         // the reference belongs to the other mode
	ReasonPossibleDuplicate = "possible_duplicate" // a receipt recorded by hand may be this money
	ReasonAmbiguous         = "ambiguous"          // several of our references
)

// statementWorkers bounds the entries of a statement applied at once.
const statementWorkers = 8

// ApplyStatement reads a statement and applies each credit: matched by the
// structured reference anywhere in its remittance (check digits verified) and
// recorded as a receipt, or kept as unmatched for the operator. An entry
// recorded before, by an earlier or overlapping upload, is not applied
// again. Each entry is applied in its own transaction, so a statement cut
// short by a failure can simply be uploaded again.
func (s *Service) ApplyStatement(ctx context.Context, orgID string, mode checkout.Mode, filename string, data []byte) (*StatementResult, error) {
	profile, err := s.store.CSVProfile(ctx, orgID)
	if err != nil {
		return nil, err
	}
	parsed, err := statement.Parse(data, profile)
	if err != nil {
		return nil, err
	}
	t := s.now()
	st := &store.BankStatement{ID: ids.New("bst"), OrganizationID: orgID, Mode: mode, Format: parsed.Format, Filename: filename,
		EntriesRead: parsed.Read, Skipped: parsed.Skipped, UploadedAt: t}
	out := &StatementResult{Statement: st, Entries: make([]EntryOutcome, len(parsed.Entries))}
	// Entries are independent (a receipt adds up in one UPDATE), so a few
	// are applied at once and the store commits them together.
	errList := make([]error, len(parsed.Entries))
	sem := make(chan struct{}, statementWorkers)
	var wg sync.WaitGroup
	for i, e := range parsed.Entries {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out.Entries[i], errList[i] = s.applyEntry(ctx, st, e)
		})
	}
	wg.Wait()
	for i, err := range errList {
		if err != nil {
			return nil, fmt.Errorf("applying entry %s: %w", parsed.Entries[i].Key, err)
		}
	}
	for _, o := range out.Entries {
		switch o.Status {
		case "matched":
			st.Matched++
		case store.AlreadyApplied:
			st.AlreadyApplied++
		default:
			st.Unmatched++
		}
	}
	if err := s.store.SaveStatement(ctx, st); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) applyEntry(ctx context.Context, st *store.BankStatement, e statement.Entry) (EntryOutcome, error) {
	t := s.now()
	r := &store.BankReceipt{ID: ids.New("brc"), OrganizationID: st.OrganizationID, Mode: st.Mode, EntryKey: e.Key,
		StatementID: st.ID, Source: store.ReceiptStatement, Amount: e.Amount, Currency: e.Currency, ReceivedAt: e.BookedAt,
		BankReference: e.BankRef, Remittance: e.Text, Counterparty: e.Counterparty, CreatedAt: t, UpdatedAt: t}
	o := EntryOutcome{EntryKey: e.Key, BankReference: e.BankRef, Amount: e.Amount, Currency: e.Currency, ReceiptID: r.ID}
	bt, reason, err := s.matchEntry(ctx, st, e)
	if err != nil {
		return o, err
	}
	if bt != nil {
		r.TransactionID = bt.TransactionID
		rec, err := s.store.ReceiveBankMoney(ctx, r)
		if err != nil {
			return o, err
		}
		o.Status, o.Result, o.TransactionID, o.ReceiptID = "matched", rec.Result, bt.TransactionID, rec.Receipt.ID
		if rec.Result == store.AlreadyApplied {
			o.Status, o.Result = store.AlreadyApplied, ""
		}
		return o, nil
	}
	r.Reason = reason
	rec, err := s.store.RecordUnmatched(ctx, r)
	if err != nil {
		return o, err
	}
	o.Status, o.Reason, o.ReceiptID = store.ReceiptUnmatched, rec.Receipt.Reason, rec.Receipt.ID
	if rec.Result == store.AlreadyApplied {
		o.Status, o.TransactionID = store.AlreadyApplied, rec.Receipt.TransactionID
	}
	return o, nil
}

// matchEntry finds the one transfer of the statement's organization and mode
// an entry pays, or says why there is none.
func (s *Service) matchEntry(ctx context.Context, st *store.BankStatement, e statement.Entry) (*store.BankTransfer, string, error) {
	refs := e.References
	if len(refs) == 0 {
		return nil, ReasonNoReference, nil
	}
	texts := make([]string, len(refs))
	for i, r := range refs {
		texts[i] = string(r)
	}
	found, err := s.store.TransfersByReference(ctx, st.OrganizationID, texts)
	if err != nil {
		return nil, "", err
	}
	var mine []*store.BankTransfer
	for _, bt := range found {
		if bt.Mode == st.Mode {
			mine = append(mine, bt)
		}
	}
	switch {
	case len(found) == 0:
		return nil, ReasonUnknownReference, nil
	case len(mine) == 0:
		return nil, ReasonOtherMode, nil
	case len(mine) > 1:
		return nil, ReasonAmbiguous, nil
	}
	bt := mine[0]
	if bt.Currency != e.Currency {
		return nil, ReasonCurrency, nil
	}
	// Money recorded by hand without the bank's reference may be this very
	// entry: the operator tells, by assigning or dismissing it.
	if dup, err := s.store.ManualReceiptLike(ctx, bt.TransactionID, e.Amount); err != nil || dup {
		return nil, ReasonPossibleDuplicate, err
	}
	return bt, "", nil
}
