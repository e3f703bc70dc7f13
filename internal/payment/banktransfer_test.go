package payment_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/statement"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/tenant"
)

// addWire gives the fixture's site a bank transfer account of mode.
func addWire(t *testing.T, s *store.Store, f storetest.Fixture, mode checkout.Mode) string {
	t.Helper()
	cfg := wire.Config{AccountHolder: "Beispiel Shop GmbH", BankName: "Commerzbank", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}
	storetest.Must(t, cfg.Normalize(mode), "config")
	p := &tenant.Provider{ID: ids.New("prov"), OrganizationID: f.OrgID, SiteID: f.SiteID, Type: tenant.ProviderWire,
		Name: "Bank transfer", Config: cfg.JSON(), Enabled: true, CreatedAt: store.TimeNow()}
	storetest.Must(t, s.CreateProvider(ctx, p), "provider")
	return p.ID
}

// ipnStatuses are the IPN bodies written for a transaction, in order.
func ipnStatuses(t *testing.T, s *store.Store, f storetest.Fixture, txID string) []string {
	t.Helper()
	ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: f.OrgID, Mode: checkout.ModeTest, SubjectID: txID, Limit: 100})
	storetest.Must(t, err, "deliveries")
	var out []string
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].Sink == notify.SinkIPN {
			_, status, _ := strings.Cut(ds[i].Body, `"status":`)
			out = append(out, strings.TrimRight(status, "}"))
		}
	}
	return out
}

func startTransfer(t *testing.T, s *store.Store, svc *payment.Service, f storetest.Fixture, wireID string) (*checkout.Checkout, *payment.Transfer) {
	t.Helper()
	c := newCheckout(t, s, f, checkout.ModeTest, "")
	c.IPNURL = "https://shop.example/ipn"
	_, err := s.Bun().NewUpdate().Model(c).Column("ipn_url").WherePK().Exec(ctx)
	storetest.Must(t, err, "ipn url")
	tr, err := svc.StartBankTransfer(ctx, c, wireID, "bt-"+c.ID, "192.0.2.1", payment.TaxBuyer{})
	storetest.Must(t, err, "start transfer")
	return c, tr
}

func TestBankTransferLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "bt")
		wireID := addWire(t, s, f, checkout.ModeTest)
		svc := payment.New(s)
		c, tr := startTransfer(t, s, svc, f, wireID)

		// Started: pending (IPN 0), a valid RF reference, the expiry moved to the window's end.
		if tr.Transaction.Status != checkout.TxPendingProvider || tr.Transfer.Amount != 4900 || tr.Account.IBAN != "DE89370400440532013000" {
			t.Fatalf("started %+v %+v", tr.Transaction, tr.Transfer)
		}
		if _, err := bank.ParseReference(tr.Transfer.Reference); err != nil || tr.Transaction.ProviderRef != tr.Transfer.Reference {
			t.Fatalf("reference %q: %v", tr.Transfer.Reference, err)
		}
		got, _ := s.GetCheckout(ctx, f.OrgID, c.ID)
		if d := got.ExpiresAt.Sub(store.TimeNow()); d < 13*24*time.Hour || !got.ExpiresAt.Equal(tr.Transfer.DueAt) {
			t.Fatalf("expiry %v, due %v", got.ExpiresAt, tr.Transfer.DueAt)
		}
		// Starting again gives the same transfer; the card cannot pay now.
		again, err := svc.StartBankTransfer(ctx, c, wireID, "other-key", "192.0.2.1", payment.TaxBuyer{})
		if err != nil || again.Transaction.ID != tr.Transaction.ID || again.Transfer.Reference != tr.Transfer.Reference {
			t.Fatalf("second start: %+v %v", again, err)
		}
		if _, err := svc.Pay(ctx, got, attempt(f, "card", "4242424242424242")); !errors.Is(err, store.ErrTransferPending) {
			t.Fatalf("card payment during a transfer: %v", err)
		}

		// 20.00 arrives: partially paid, still pending, no IPN change.
		rec, err := svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 2000, Currency: "EUR", BankReference: "B-1"})
		storetest.Must(t, err, "first receipt")
		if rec.Result != store.ReceivedPartly || rec.Transfer.AmountReceived != 2000 || rec.Transfer.Balance() != 2900 {
			t.Fatalf("partial: %+v %+v", rec, rec.Transfer)
		}
		// The same bank entry again changes nothing.
		rec, err = svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 2000, Currency: "EUR", BankReference: "B-1"})
		if err != nil || rec.Result != store.AlreadyApplied || rec.Transfer.AmountReceived != 2000 {
			t.Fatalf("repeated entry: %+v %v", rec, err)
		}
		// Another currency is refused.
		if _, err := svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 2900, Currency: "USD"}); !errors.Is(err, store.ErrTransferCurrency) {
			t.Fatalf("USD for an EUR transfer: %v", err)
		}
		// The rest arrives: paid, the checkout completes.
		rec, err = svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 2900, Currency: "EUR", BankReference: "B-2"})
		if err != nil || rec.Result != store.ReceivedInFull || rec.Transfer.Balance() != 0 {
			t.Fatalf("rest: %+v %v", rec, err)
		}
		got, _ = s.GetCheckout(ctx, f.OrgID, c.ID)
		if got.Status != checkout.StatusComplete {
			t.Fatalf("checkout %s after full payment", got.Status)
		}
		// More arrives: overpaid, flagged, the excess recorded.
		rec, err = svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 500, Currency: "EUR", BankReference: "B-3"})
		if err != nil || rec.Result != store.ReceivedOver || rec.Transfer.Excess != 500 {
			t.Fatalf("over: %+v %v", rec, err)
		}
		txn, _ := s.GetTransaction(ctx, f.OrgID, tr.Transaction.ID)
		if txn.Status != checkout.TxSucceeded || txn.Flag != checkout.FlagOverpaid {
			t.Fatalf("transaction %s flag %q", txn.Status, txn.Flag)
		}
		attention, err := s.TransfersNeedingAttention(ctx, f.OrgID, checkout.ModeTest, 10)
		if err != nil || len(attention) != 1 || attention[0].TransactionID != txn.ID {
			t.Fatalf("needing attention: %v %v", attention, err)
		}
		bt, err := s.ResolveExcess(ctx, f.OrgID, checkout.ModeTest, txn.ID, store.ExcessRefunded, "sent back 5.00")
		if err != nil || bt.ExcessResolution != store.ExcessRefunded {
			t.Fatalf("resolve: %+v %v", bt, err)
		}
		if attention, _ := s.TransfersNeedingAttention(ctx, f.OrgID, checkout.ModeTest, 10); len(attention) != 0 {
			t.Fatalf("still needing attention after the refund: %v", attention)
		}
		// IPNs: pending (0), then paid (1); the partial and the excess are none.
		if st := ipnStatuses(t, s, f, txn.ID); strings.Join(st, ",") != "0,1" {
			t.Fatalf("IPN statuses %v; want 0,1", st)
		}
		if ev := eventTypes(t, s, txn.ID); strings.Join(ev, ",") != "transaction.pending_provider,transaction.partially_paid,transaction.succeeded,transaction.overpaid" {
			t.Fatalf("events %v", ev)
		}
	})
}

func TestBankTransferExactAndLate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "late")
		wireID := addWire(t, s, f, checkout.ModeTest)
		svc := payment.New(s)

		// Exact in one go.
		c, tr := startTransfer(t, s, svc, f, wireID)
		rec, err := svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 4900, Currency: "EUR"})
		if err != nil || rec.Result != store.ReceivedInFull {
			t.Fatalf("exact: %+v %v", rec, err)
		}
		if got, _ := s.GetCheckout(ctx, f.OrgID, c.ID); got.Status != checkout.StatusComplete {
			t.Fatalf("exact: checkout %s", got.Status)
		}

		// The window ends with part of the money: the sweeper's expiry cancels
		// the transfer; the rest arriving later is recorded, flagged late.
		c2, tr2 := startTransfer(t, s, svc, f, wireID)
		_, err = svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr2.Transaction.ID, payment.Money{Amount: 1000, Currency: "EUR"})
		storetest.Must(t, err, "part")
		_, err = s.Bun().NewUpdate().Model((*checkout.Checkout)(nil)).Set("expires_at = ?", store.TimeNow().Add(-time.Second)).Where("id = ?", c2.ID).Exec(ctx)
		storetest.Must(t, err, "end window")
		expired, err := s.ExpireDue(ctx, 100)
		if err != nil || len(expired) != 1 || expired[0] != c2.ID {
			t.Fatalf("sweep: %v %v", expired, err)
		}
		txn, _ := s.GetTransaction(ctx, f.OrgID, tr2.Transaction.ID)
		if txn.Status != checkout.TxCancelled || txn.FailureCode != "payment_window_ended" {
			t.Fatalf("after the window: %s %s", txn.Status, txn.FailureCode)
		}
		rec, err = svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr2.Transaction.ID, payment.Money{Amount: 3900, Currency: "EUR"})
		if err != nil || rec.Result != store.ReceivedLate || !rec.Transfer.Late || rec.Transfer.AmountReceived != 4900 {
			t.Fatalf("late: %+v %v", rec, err)
		}
		txn, _ = s.GetTransaction(ctx, f.OrgID, tr2.Transaction.ID)
		if txn.Status != checkout.TxSucceeded || txn.Flag != checkout.FlagPaidAfterClose {
			t.Fatalf("late money: %s flag %q", txn.Status, txn.Flag)
		}
		if got, _ := s.GetCheckout(ctx, f.OrgID, c2.ID); got.Status != checkout.StatusExpired {
			t.Fatalf("a late payment reopened the checkout: %s", got.Status)
		}
		attention, _ := s.TransfersNeedingAttention(ctx, f.OrgID, checkout.ModeTest, 10)
		if len(attention) != 1 || attention[0].TransactionID != txn.ID {
			t.Fatalf("late money not listed: %v", attention)
		}
		if st := ipnStatuses(t, s, f, txn.ID); strings.Join(st, ",") != "0,-2,1" {
			t.Fatalf("IPN statuses %v; want 0,-2,1", st)
		}
		// Another organization's transaction is not found; a card payment is
		// not a bank transfer.
		g := storetest.Seed(t, s, "other")
		if _, err := svc.MarkPaid(ctx, g.OrgID, checkout.ModeTest, txn.ID, payment.Money{Amount: 1, Currency: "EUR"}); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("other organization: %v", err)
		}
		c3 := newCheckout(t, s, f, checkout.ModeTest, "")
		paid, err := svc.Pay(ctx, c3, attempt(f, "k", "4242424242424242"))
		storetest.Must(t, err, "card")
		if _, err := svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, paid.Transaction.ID, payment.Money{Amount: 1, Currency: "EUR"}); !errors.Is(err, store.ErrNotBankTransfer) {
			t.Fatalf("card transaction: %v", err)
		}
	})
}

func TestBankTransferConcurrentMarkPaid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "race")
		wireID := addWire(t, s, f, checkout.ModeTest)
		svc := payment.New(s)
		c, tr := startTransfer(t, s, svc, f, wireID)
		const n = 8
		results := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec, err := svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, tr.Transaction.ID, payment.Money{Amount: 4900, Currency: "EUR"})
				if err != nil {
					t.Errorf("mark-paid %d: %v", i, err)
					return
				}
				results[i] = rec.Result
			}()
		}
		wg.Wait()
		var paid int
		for _, r := range results {
			if r == store.ReceivedInFull {
				paid++
			}
		}
		bt, _ := s.TransferOf(ctx, tr.Transaction.ID)
		if paid != 1 || bt.AmountReceived != n*4900 || bt.Excess != (n-1)*4900 {
			t.Fatalf("results %v; received %d, excess %d", results, bt.AmountReceived, bt.Excess)
		}
		if st := ipnStatuses(t, s, f, tr.Transaction.ID); strings.Join(st, ",") != "0,1" {
			t.Fatalf("IPN statuses %v; want exactly one 1", st)
		}
		if ev := eventTypes(t, s, c.ID); strings.Count(strings.Join(ev, ","), "checkout.completed") != 1 {
			t.Fatalf("checkout events %v", ev)
		}
	})
}

func TestBankStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := storetest.Seed(t, s, "stmt")
		wireID := addWire(t, s, f, checkout.ModeTest)
		svc := payment.New(s)
		_, exact := startTransfer(t, s, svc, f, wireID)
		_, part := startTransfer(t, s, svc, f, wireID)
		_, dup := startTransfer(t, s, svc, f, wireID)
		// Money recorded by hand, without the bank's reference, for dup.
		_, err := svc.MarkPaid(ctx, f.OrgID, checkout.ModeTest, dup.Transaction.ID, payment.Money{Amount: 10030, Currency: "EUR"})
		storetest.Must(t, err, "manual")

		b, err := os.ReadFile("../statement/testdata/camt053-sparkasse.xml")
		storetest.Must(t, err, "statement file")
		doc := strings.NewReplacer(
			"RF18539007547034", exact.Transfer.Reference, // 49.00: the whole amount
			"rf60 4567 8900 12", strings.ToLower(bank.Reference(part.Transfer.Reference).Grouped()), // 20.00 of 49.00
			"EREF+RF9 2ABC DEF1 2345", "EREF+"+dup.Transfer.Reference[:9]+" "+dup.Transfer.Reference[9:], // 100.30
		).Replace(string(b))
		res, err := svc.ApplyStatement(ctx, f.OrgID, checkout.ModeTest, "dec.xml", []byte(doc))
		storetest.Must(t, err, "apply")
		st := res.Statement
		if st.EntriesRead != 5 || st.Matched != 2 || st.Unmatched != 3 || st.AlreadyApplied != 0 {
			t.Fatalf("statement: read %d matched %d unmatched %d already %d; entries %+v", st.EntriesRead, st.Matched, st.Unmatched, st.AlreadyApplied, res.Entries)
		}
		reasons := map[string]string{}
		for _, e := range res.Entries {
			reasons[e.EntryKey] = e.Status + "/" + e.Result + e.Reason
		}
		for key, want := range map[string]string{
			"ref:2026120400011234":   "matched/paid",
			"ref:2026120400021877-1": "matched/partially_paid",
			"ref:2026120400021877-2": "unmatched/possible_duplicate",
			"ref:2026120400021877-3": "unmatched/no_reference",
		} {
			if reasons[key] != want {
				t.Errorf("entry %s: %s; want %s", key, reasons[key], want)
			}
		}
		if bt, _ := s.TransferOf(ctx, part.Transaction.ID); bt.AmountReceived != 2000 {
			t.Errorf("partial transfer received %d", bt.AmountReceived)
		}
		// The same statement again, and one that overlaps it: nothing twice.
		res, err = svc.ApplyStatement(ctx, f.OrgID, checkout.ModeTest, "dec.xml", []byte(doc))
		storetest.Must(t, err, "apply again")
		if st := res.Statement; st.Matched != 0 || st.AlreadyApplied != 5 || st.Unmatched != 0 {
			t.Fatalf("uploaded again: matched %d already %d unmatched %d", st.Matched, st.AlreadyApplied, st.Unmatched)
		}
		if bt, _ := s.TransferOf(ctx, exact.Transaction.ID); bt.AmountReceived != 4900 || bt.Excess != 0 {
			t.Fatalf("exact transfer after a second upload: %+v", bt)
		}
		// The operator assigns the possible duplicate (it was other money)
		// and dismisses the credit without a reference.
		unmatched, err := s.ListReceipts(ctx, store.ReceiptFilter{OrganizationID: f.OrgID, Mode: checkout.ModeTest, Status: store.ReceiptUnmatched})
		storetest.Must(t, err, "list")
		if len(unmatched) != 3 {
			t.Fatalf("unmatched %d", len(unmatched))
		}
		for _, u := range unmatched {
			switch u.Reason {
			case payment.ReasonPossibleDuplicate:
				rec, err := s.AssignReceipt(ctx, f.OrgID, checkout.ModeTest, u.ID, dup.Transaction.ID, "second payment of the buyer")
				if err != nil || rec.Result != store.ReceivedOver || rec.Transfer.AmountReceived != 20060 {
					t.Fatalf("assign: %+v %v", rec, err)
				}
				if _, err := s.AssignReceipt(ctx, f.OrgID, checkout.ModeTest, u.ID, dup.Transaction.ID, ""); !errors.Is(err, store.ErrReceiptSettled) {
					t.Fatalf("assigned twice: %v", err)
				}
			case payment.ReasonNoReference:
				if _, err := s.DismissReceipt(ctx, f.OrgID, checkout.ModeTest, u.ID, "interest"); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A CSV statement with the organization's profile.
		storetest.Must(t, s.SaveCSVProfile(ctx, f.OrgID, &statement.Profile{Delimiter: ";", HasHeader: true, DateFormat: "DD.MM.YYYY",
			DecimalComma: true, Date: "Datum", Amount: "Betrag", Currency: "Währung", Reference: "Zweck", EntryID: "Ref"}), "profile")
		csv := "Datum;Zweck;Betrag;Währung;Ref\n05.12.2026;Rest " + part.Transfer.Reference + ";29,00;EUR;C-1\n05.12.2026;Miete;-800,00;EUR;C-2\n"
		res, err = svc.ApplyStatement(ctx, f.OrgID, checkout.ModeTest, "dec.csv", []byte(csv))
		storetest.Must(t, err, "csv")
		if st := res.Statement; st.Format != "csv" || st.EntriesRead != 2 || st.Skipped != 1 || st.Matched != 1 || res.Entries[0].Result != store.ReceivedInFull {
			t.Fatalf("csv statement %+v %+v", st, res.Entries)
		}
		// A live key's upload does not touch test transfers.
		res, err = svc.ApplyStatement(ctx, f.OrgID, checkout.ModeLive, "dec.xml", []byte(doc))
		storetest.Must(t, err, "live")
		if st := res.Statement; st.Matched != 0 || st.AlreadyApplied != 0 || st.Unmatched != 5 {
			t.Fatalf("live upload: %+v", st)
		}
	})
}
