package dashboard

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/payment"
	"github.com/pgw/pgw/internal/plaintext"
	"github.com/pgw/pgw/internal/provider/wire"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
	views "github.com/pgw/pgw/templates/dashboard"
)

// maxStatementUpload bounds a statement uploaded from the dashboard.
const maxStatementUpload = 8 << 20

// bankMode is the mode the bank page shows: ?mode=test, else live.
func bankMode(r *http.Request) checkout.Mode {
	if r.URL.Query().Get("mode") == string(checkout.ModeTest) {
		return checkout.ModeTest
	}
	return checkout.ModeLive
}

func bankPath(mode checkout.Mode) string { return "/dashboard/bank?mode=" + string(mode) }

// addWire adds a bank transfer account to a site.
func (d *Dashboard) addWire(w http.ResponseWriter, r *http.Request, s *signedIn) {
	site, err := d.store.GetSite(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("window_days")))
	if err != nil {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "Not added: the payment window is a number of days.")
		return
	}
	cfg := wire.Config{AccountHolder: r.PostFormValue("account_holder"), BankName: r.PostFormValue("bank_name"),
		IBAN: r.PostFormValue("iban"), BIC: r.PostFormValue("bic"), Instructions: r.PostFormValue("instructions"), WindowDays: days}
	for _, c := range strings.FieldsFunc(r.PostFormValue("currencies"), func(r rune) bool { return r == ',' || r == ' ' }) {
		cfg.Currencies = append(cfg.Currencies, c)
	}
	mode := checkout.ModeTest
	if r.PostFormValue("mode") == string(checkout.ModeLive) {
		mode = checkout.ModeLive
	}
	if e, ok := errs.As(cfg.Normalize(mode)); ok {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "Not added: "+e.Message+".")
		return
	}
	p := &tenant.Provider{ID: ids.New("prov"), OrganizationID: s.orgID, SiteID: site.ID, Type: tenant.ProviderWire,
		Name: "Bank transfer", Config: cfg.JSON(), Enabled: true, CreatedAt: d.opts.Now()}
	if err := d.store.CreateProvider(r.Context(), p); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("bank transfer added from the dashboard", "site", site.ID, "provider", p.ID, "user", s.user.ID)
	d.back(w, r, s, "/dashboard/sites/"+url.PathEscape(site.ID), "Bank transfer is added for "+string(mode)+" checkouts.", "")
}

// wireDetail is what the sites page says of a bank transfer account.
func wireDetail(p *tenant.Provider) string {
	cfg, err := wire.ParseConfig(p.Config)
	if err != nil {
		return ""
	}
	return cfg.AccountHolder + ", IBAN " + bank.IBAN(cfg.IBAN).Grouped() + ", BIC " + cfg.BIC + ", " +
		strconv.Itoa(cfg.WindowDays) + " days, " + strings.Join(cfg.Currencies, " ")
}

// markPaid records money the operator saw arrive for a bank transfer.
func (d *Dashboard) markPaid(w http.ResponseWriter, r *http.Request, s *signedIn) {
	t, err := d.store.GetTransaction(r.Context(), s.orgID, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	back := "/dashboard/checkouts/" + url.PathEscape(t.CheckoutID)
	c, err := d.store.GetCheckout(r.Context(), s.orgID, t.CheckoutID)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	cur, err := money.ParseCurrency(t.Currency)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	minor, err := money.ParseDecimal(r.PostFormValue("amount"), cur)
	if err != nil || minor <= 0 {
		d.back(w, r, s, back, "", "The amount received must be a positive number of "+cur.Code+", such as 12.50.")
		return
	}
	ref, note := strings.TrimSpace(r.PostFormValue("bank_reference")), strings.TrimSpace(r.PostFormValue("note"))
	if len(ref) > 140 || len(note) > 500 || !plaintext.Valid(ref) {
		d.back(w, r, s, back, "", "The bank reference is one line of at most 140 characters, the note at most 500.")
		return
	}
	rec, err := d.pay.MarkPaid(r.Context(), s.orgID, c.Mode, t.ID, payment.Money{Amount: minor, Currency: cur.Code, BankReference: ref, Note: note})
	if e, ok := errs.As(err); ok && e.Kind != errs.NotFound {
		d.back(w, r, s, back, "", "Not recorded: "+e.Message+".")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("bank money recorded from the dashboard", "transaction", t.ID, "result", rec.Result, "user", s.user.ID)
	msg := map[string]string{
		store.ReceivedPartly: "Recorded " + amount(minor, cur.Code) + "; " + amount(rec.Transfer.Balance(), cur.Code) + " is still due.",
		store.ReceivedInFull: "Recorded " + amount(minor, cur.Code) + ": the transfer is paid in full and the checkout is complete.",
		store.ReceivedOver:   "Recorded " + amount(minor, cur.Code) + ": " + amount(rec.Transfer.Excess, cur.Code) + " beyond the amount, listed under Bank transfers.",
		store.ReceivedLate:   "Recorded " + amount(minor, cur.Code) + " after the payment window; listed under Bank transfers.",
		store.AlreadyApplied: "This bank entry was recorded before; nothing changed.",
	}[rec.Result]
	d.back(w, r, s, back, msg, "")
}

// transferRows are a checkout's bank transfers for its page.
func (d *Dashboard) transferRows(ctx context.Context, c *checkout.Checkout) ([]views.TransferRow, error) {
	bts, err := d.store.TransfersOfCheckout(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var rows []views.TransferRow
	for _, bt := range bts {
		rows = append(rows, transferRow(bt))
	}
	return rows, nil
}

func transferRow(bt *store.BankTransfer) views.TransferRow {
	return views.TransferRow{TransactionID: bt.TransactionID, CheckoutID: bt.CheckoutID, Reference: bank.Reference(bt.Reference).Grouped(),
		Amount: amount(bt.Amount, bt.Currency), Received: amount(bt.AmountReceived, bt.Currency), Balance: amount(bt.Balance(), bt.Currency),
		Excess: amount(bt.Excess, bt.Currency), ExcessResolution: bt.ExcessResolution, Due: when(bt.DueAt), Currency: bt.Currency,
		Late: bt.Late && bt.AmountReceived > 0, Overpaid: bt.Excess > 0}
}

// bankPage shows statements, unmatched credits and transfers to look at.
func (d *Dashboard) bankPage(w http.ResponseWriter, r *http.Request, s *signedIn) {
	d.renderBank(w, r, s, http.StatusOK, bankMode(r), nil)
}

func (d *Dashboard) renderBank(w http.ResponseWriter, r *http.Request, s *signedIn, status int, mode checkout.Mode, result *views.StatementRow) {
	v := views.BankPage{Mode: string(mode), Result: result}
	bts, err := d.store.TransfersNeedingAttention(r.Context(), s.orgID, mode, 200)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, bt := range bts {
		v.Attention = append(v.Attention, transferRow(bt))
	}
	rs, err := d.store.ListReceipts(r.Context(), store.ReceiptFilter{OrganizationID: s.orgID, Mode: mode, Status: store.ReceiptUnmatched, Limit: 200})
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, rc := range rs {
		v.Unmatched = append(v.Unmatched, views.ReceiptRow{ID: rc.ID, Source: rc.Source, Reason: strings.ReplaceAll(rc.Reason, "_", " "),
			Amount: amount(rc.Amount, rc.Currency), ReceivedAt: rc.ReceivedAt.UTC().Format("2006-01-02"), BankReference: rc.BankReference,
			Remittance: rc.Remittance, Counterparty: rc.Counterparty})
	}
	sts, err := d.store.ListStatements(r.Context(), s.orgID, mode, 20)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	for _, st := range sts {
		v.Statements = append(v.Statements, views.StatementRow{Filename: st.Filename, Format: st.Format, Uploaded: when(st.UploadedAt),
			Read: st.EntriesRead, Skipped: st.Skipped, Matched: st.Matched, AlreadyApplied: st.AlreadyApplied, Unmatched: st.Unmatched})
	}
	d.render(w, r, status, views.Bank(d.frame(s, "bank", "Bank transfers"), v))
}

// uploadStatement applies a statement uploaded from the page.
func (d *Dashboard) uploadStatement(w http.ResponseWriter, r *http.Request, s *signedIn) {
	mode := bankMode(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxStatementUpload+64<<10)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		d.back(w, r, s, bankPath(mode), "", "Choose a statement file of at most 8 MB.")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxStatementUpload+1))
	if err != nil || len(data) > maxStatementUpload {
		d.back(w, r, s, bankPath(mode), "", "Choose a statement file of at most 8 MB.")
		return
	}
	name := hdr.Filename
	if len(name) > 200 || !utf8.ValidString(name) {
		name = "statement"
	}
	res, err := d.pay.ApplyStatement(r.Context(), s.orgID, mode, name, data)
	if e, ok := errs.As(err); ok {
		d.back(w, r, s, bankPath(mode), "", "Not applied: "+e.Message+".")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	st := res.Statement
	d.log.Info("bank statement uploaded from the dashboard", "statement", st.ID, "matched", st.Matched, "user", s.user.ID)
	d.renderBank(w, r, s, http.StatusOK, mode, &views.StatementRow{Filename: st.Filename, Format: st.Format, Read: st.EntriesRead,
		Skipped: st.Skipped, Matched: st.Matched, AlreadyApplied: st.AlreadyApplied, Unmatched: st.Unmatched})
}

// assignReceipt applies an unmatched credit to the transfer the operator names.
func (d *Dashboard) assignReceipt(w http.ResponseWriter, r *http.Request, s *signedIn) {
	mode := bankMode(r)
	txID := strings.TrimSpace(r.PostFormValue("transaction_id"))
	rec, err := d.store.AssignReceipt(r.Context(), s.orgID, mode, r.PathValue("id"), txID, "assigned by "+s.user.Email)
	if e, ok := errs.As(err); ok {
		d.back(w, r, s, bankPath(mode), "", "Not assigned: "+e.Message+".")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.back(w, r, s, bankPath(mode), "Assigned "+amount(rec.Receipt.Amount, rec.Receipt.Currency)+" to "+txID+" ("+strings.ReplaceAll(rec.Result, "_", " ")+").", "")
}

// dismissReceipt sets aside a credit that was not a payment.
func (d *Dashboard) dismissReceipt(w http.ResponseWriter, r *http.Request, s *signedIn) {
	mode := bankMode(r)
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" || len(note) > 500 {
		d.back(w, r, s, bankPath(mode), "", "Say in a note (at most 500 characters) what the money was.")
		return
	}
	_, err := d.store.DismissReceipt(r.Context(), s.orgID, mode, r.PathValue("id"), note)
	if e, ok := errs.As(err); ok {
		d.back(w, r, s, bankPath(mode), "", "Not dismissed: "+e.Message+".")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.back(w, r, s, bankPath(mode), "Dismissed.", "")
}

// resolveExcess records what became of money beyond a transfer's amount.
func (d *Dashboard) resolveExcess(w http.ResponseWriter, r *http.Request, s *signedIn) {
	mode := bankMode(r)
	res := r.PostFormValue("resolution")
	if res != store.ExcessRefunded && res != store.ExcessKept {
		d.back(w, r, s, bankPath(mode), "", "Choose refunded or kept.")
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if len(note) > 500 {
		d.back(w, r, s, bankPath(mode), "", "The note is at most 500 characters.")
		return
	}
	_, err := d.store.ResolveExcess(r.Context(), s.orgID, mode, r.PathValue("id"), res, note)
	if e, ok := errs.As(err); ok {
		d.back(w, r, s, bankPath(mode), "", "Not recorded: "+e.Message+".")
		return
	}
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.back(w, r, s, bankPath(mode), "Recorded: the excess was "+res+".", "")
}
