package payment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/statement"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// Transfer is a bank transfer a buyer was asked for, with the account it
// goes to.
type Transfer struct {
	Transaction *checkout.Transaction
	Transfer    *store.BankTransfer
	Account     wire.Config
}

// referenceLength is the random part of a payment reference: 16 of 34
// characters, so that nobody guesses another buyer's reference.
const referenceLength = 16

// StartBankTransfer asks the buyer of an open checkout for a bank transfer:
// the attempt is pending until the money is recorded, the checkout stays open
// until the end of the payment window, and the card payments the page had
// started are canceled. A checkout with a transfer under way gets that one.
func (s *Service) StartBankTransfer(ctx context.Context, c *checkout.Checkout, providerID, attemptKey, clientAddr string, buyer TaxBuyer) (*Transfer, error) {
	if c.EffectiveStatus(s.now()) != checkout.StatusOpen {
		return nil, fmt.Errorf("paying checkout %s: %w", c.ID, checkout.ErrNotOpen)
	}
	p, cfg, err := s.wireMethod(ctx, c, providerID)
	if err != nil {
		return nil, err
	}
	if bt, tx, err := s.store.PendingTransfer(ctx, c.ID); err == nil {
		return s.transferOf(ctx, tx, bt)
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	var typed string
	if buyer.Billing != nil {
		typed = buyer.Billing.Email
	}
	if err := s.screenPayer(ctx, c, typed, tenant.ProviderWire); err != nil {
		return nil, err
	}
	if err := s.TakeAttempt(ctx, c, clientAddr); err != nil {
		return nil, err
	}
	amount, frozen, err := s.taxed(ctx, c, buyer.Billing, buyer.VATID)
	if err != nil {
		return nil, err
	}
	t := s.now()
	ref := bank.RandomReference(referenceLength)
	tx, bt, _, err := s.store.StartBankTransfer(ctx, c, &checkout.Transaction{
		ID: ids.New("txn"), CheckoutID: c.ID, OrganizationID: c.OrganizationID, SiteID: c.SiteID, ProviderID: p.ID,
		Status: checkout.TxPendingProvider, Amount: amount, Currency: c.Currency, ProviderRef: string(ref),
		AttemptKey: attemptKey, BillingAddress: buyer.Billing, CreatedAt: t, UpdatedAt: t,
	}, &store.BankTransfer{OrganizationID: c.OrganizationID, CheckoutID: c.ID, Mode: c.Mode, Reference: string(ref),
		Amount: amount, Currency: c.Currency, DueAt: t.AddDate(0, 0, cfg.WindowDays), CreatedAt: t, UpdatedAt: t}, frozen)
	if err != nil {
		return nil, err
	}
	// The buyer pays by transfer now: the card payments the page started
	// for this checkout are closed with their provider.
	if err := s.cancelOthers(ctx, c, tx.ID); err != nil {
		s.opts.Log.Warn("canceling the card payments of a checkout paid by transfer", "err", err, "checkout", c.ID)
	}
	return &Transfer{Transaction: tx, Transfer: bt, Account: cfg}, nil
}

// wireMethod is the checkout's bank transfer method providerID.
func (s *Service) wireMethod(ctx context.Context, c *checkout.Checkout, providerID string) (*tenant.Provider, wire.Config, error) {
	methods, err := s.Methods(ctx, c)
	if err != nil {
		return nil, wire.Config{}, err
	}
	for _, m := range methods {
		if m.ID == providerID && m.Type == tenant.ProviderWire {
			p, err := s.store.GetProvider(ctx, providerID)
			if err != nil {
				return nil, wire.Config{}, err
			}
			cfg, err := wire.ParseConfig(p.Config)
			return p, cfg, err
		}
	}
	return nil, wire.Config{}, ErrNoSuchMethod
}

// PendingTransfer is the checkout's transfer under way, with its account,
// or errs.ErrNotFound.
func (s *Service) PendingTransfer(ctx context.Context, c *checkout.Checkout) (*Transfer, error) {
	bt, tx, err := s.store.PendingTransfer(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return s.transferOf(ctx, tx, bt)
}

func (s *Service) transferOf(ctx context.Context, tx *checkout.Transaction, bt *store.BankTransfer) (*Transfer, error) {
	p, err := s.store.GetProvider(ctx, tx.ProviderID)
	if err != nil {
		return nil, err
	}
	cfg, err := wire.ParseConfig(p.Config)
	if err != nil {
		return nil, err
	}
	return &Transfer{Transaction: tx, Transfer: bt, Account: cfg}, nil
}

// noTransferPending refuses another way to pay while a transfer is under way.
func (s *Service) noTransferPending(ctx context.Context, c *checkout.Checkout) error {
	_, _, err := s.store.PendingTransfer(ctx, c.ID)
	switch {
	case err == nil:
		return store.ErrTransferPending
	case errors.Is(err, errs.ErrNotFound):
		return nil
	}
	return err
}

// cancelOthers cancels a checkout's pending attempts other than keep.
func (s *Service) cancelOthers(ctx context.Context, c *checkout.Checkout, keep string) error {
	pending, err := s.store.PendingTransactions(ctx, c.ID)
	if err != nil {
		return err
	}
	var errList []error
	for _, tx := range pending {
		if tx.ID == keep {
			continue
		}
		if err := s.cancelAttempt(ctx, c, tx); err != nil {
			errList = append(errList, err)
		}
	}
	return errors.Join(errList...)
}

// Money is money an operator says arrived for a bank transfer.
type Money struct {
	Amount        int64
	Currency      string
	ReceivedAt    time.Time
	BankReference string
	Note          string
}

// MarkPaid records money an operator saw arrive for the bank transfer txID.
// With the bank's reference of the entry, the same entry in a statement
// uploaded later is recognised and not counted again.
func (s *Service) MarkPaid(ctx context.Context, orgID string, mode checkout.Mode, txID string, m Money) (*store.Receipt, error) {
	if m.Amount <= 0 || m.Amount > statement.MaxAmount {
		return nil, errs.Refused("validation_error", "amount", "amount must be a positive number of minor units, at most 10000000000000")
	}
	t := s.now()
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = t
	}
	r := &store.BankReceipt{ID: ids.New("brc"), OrganizationID: orgID, Mode: mode, Source: store.ReceiptManual,
		TransactionID: txID, Amount: m.Amount, Currency: m.Currency, ReceivedAt: m.ReceivedAt.UTC(),
		BankReference: strings.TrimSpace(m.BankReference), Note: strings.TrimSpace(m.Note), CreatedAt: t, UpdatedAt: t}
	if r.BankReference != "" {
		r.EntryKey = "ref:" + r.BankReference
	}
	return s.store.ReceiveBankMoney(ctx, r)
}
