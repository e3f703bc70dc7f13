package buyermail

import (
	"bytes"
	"context"
	"html/template"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/pgw/pgw/internal/bank"
	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/lang"
	"github.com/pgw/pgw/internal/mail"
	"github.com/pgw/pgw/internal/money"
	"github.com/pgw/pgw/internal/tenant"
)

// view is what a buyer's email shows, every text in its language.
type view struct {
	Lang, Dir, Site, Intro, Footer string
	Lines                          []line
	Totals                         []line
	Facts                          []line
}

type line struct {
	Label, Value string
	// Strong is the total.
	Strong bool
}

var htmlTmpl = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><head><meta charset="utf-8"><title>{{.Site}}</title></head>
<body style="margin:0;padding:24px;background:#f3f4f6;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#111827">
<div style="max-width:560px;margin:0 auto;background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:24px">
<h1 style="font-size:20px;margin:0 0 8px">{{.Site}}</h1>
<p style="margin:0 0 16px">{{.Intro}}</p>
{{if .Lines}}<table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 8px">
{{range .Lines}}<tr><td style="padding:6px 0;border-bottom:1px solid #e5e7eb">{{.Label}}</td><td style="padding:6px 0;border-bottom:1px solid #e5e7eb;text-align:end;white-space:nowrap">{{.Value}}</td></tr>
{{end}}</table>{{end}}
{{if .Totals}}<table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 16px">
{{range .Totals}}<tr><td style="padding:4px 0">{{.Label}}</td><td style="padding:4px 0;text-align:end;white-space:nowrap;font-weight:{{if .Strong}}700{{else}}400{{end}}">{{.Value}}</td></tr>
{{end}}</table>{{end}}
<table role="presentation" style="width:100%;border-collapse:collapse;color:#4b5563;font-size:14px">
{{range .Facts}}<tr><td style="padding:2px 0">{{.Label}}</td><td style="padding:2px 0;text-align:end">{{.Value}}</td></tr>
{{end}}</table>
<p style="color:#4b5563;font-size:13px;margin:16px 0 0">{{.Footer}}</p>
</div></body></html>
`))

var textTmpl = texttemplate.Must(texttemplate.New("mail").Parse(`{{.Site}}

{{.Intro}}
{{if .Lines}}
{{range .Lines}}{{.Label}}: {{.Value}}
{{end}}{{end}}{{if .Totals}}
{{range .Totals}}{{.Label}}: {{.Value}}
{{end}}{{end}}
{{range .Facts}}{{.Label}}: {{.Value}}
{{end}}
{{.Footer}}
`))

// render writes both parts of a view.
func render(v view) (text, html string, err error) {
	var t, h bytes.Buffer
	if err := textTmpl.Execute(&t, v); err != nil {
		return "", "", err
	}
	if err := htmlTmpl.Execute(&h, v); err != nil {
		return "", "", err
	}
	return t.String(), h.String(), nil
}

// printerFor is the language of a checkout's emails: the checkout's locale,
// else the site's language, else English.
func (s *Sender) printerFor(c *checkout.Checkout, site *tenant.Site) (*lang.Printer, *money.Formatter) {
	tag := s.Words.Choose([]string{c.Locale}, "", site.DefaultLanguage)
	return s.Words.Printer(tag), money.NewFormatter(tag.String())
}

// buyerMessage writes a receipt or a refund notice.
func (s *Sender) buyerMessage(ctx context.Context, j job, c *checkout.Checkout, txn *checkout.Transaction, site *tenant.Site) (mail.Message, error) {
	p, fm := s.printerFor(c, site)
	cur, err := money.ParseCurrency(txn.Currency)
	if err != nil {
		return mail.Message{}, err
	}
	name := site.DisplayName
	v := view{Lang: p.Tag.String(), Dir: p.Dir(), Site: name, Footer: p.T("email.footer", "Site", name)}
	ref := c.Reference()
	m := mail.Message{Lang: v.Lang, ID: "pgw." + j.Kind + "." + txn.ID + "." + j.RefundID}
	switch j.Kind {
	case KindReceipt:
		m.Subject = p.T("email.receipt_subject", "Site", name)
		v.Intro = p.T("email.receipt_intro", "Site", name)
		for _, it := range c.Items {
			v.Lines = append(v.Lines, line{Label: fm.InDigits(itoa(it.Quantity)) + " × " + it.Label(), Value: fm.Format(it.LineTotal(), cur)})
		}
		tt, _, err := s.Store.TransactionTaxOf(ctx, txn.ID)
		if err != nil {
			return m, err
		}
		if tt != nil {
			lines, err := tt.DecodedLines()
			if err != nil {
				return m, err
			}
			v.Totals = append(v.Totals, line{Label: p.T("summary.subtotal"), Value: fm.Format(tt.Subtotal, cur)})
			byRate := map[string]int64{}
			var rates []string
			for _, l := range lines {
				if _, ok := byRate[string(l.Rate)]; !ok {
					rates = append(rates, string(l.Rate))
				}
				byRate[string(l.Rate)] += l.Tax
			}
			for _, r := range rates {
				if byRate[r] != 0 {
					v.Totals = append(v.Totals, line{Label: p.T("summary.vat", "Rate", fm.Number(r)), Value: fm.Format(byRate[r], cur)})
				}
			}
		}
		v.Totals = append(v.Totals, line{Label: p.T("summary.total"), Value: fm.Format(txn.Amount, cur), Strong: true})
		v.Facts = append(v.Facts, line{Label: p.T("summary.reference"), Value: ref}, line{Label: p.T("email.paid_with"), Value: s.paidWith(ctx, p, txn)},
			line{Label: p.T("receipt.transaction"), Value: txn.ID}, line{Label: p.T("email.date"), Value: p.Time(txn.UpdatedAt, site.Location(), fm.InDigits)})
	case KindRefund:
		amount, at := txn.RefundedAmount, txn.UpdatedAt
		if j.RefundID != "" {
			rs, err := s.Store.ListRefunds(ctx, txn.ID)
			if err != nil {
				return m, err
			}
			for _, r := range rs {
				if r.ID == j.RefundID {
					amount, at = r.Amount, r.UpdatedAt
				}
			}
		}
		m.Subject = p.T("email.refund_subject", "Site", name)
		v.Intro = p.T("email.refund_intro", "Site", name, "Amount", fm.Format(amount, cur), "Ref", ref) + " " +
			p.T("email.refund_total", "Refunded", fm.Format(txn.RefundedAmount, cur), "Total", fm.Format(txn.Amount, cur))
		v.Facts = append(v.Facts, line{Label: p.T("summary.reference"), Value: ref}, line{Label: p.T("receipt.transaction"), Value: txn.ID},
			line{Label: p.T("email.date"), Value: p.Time(at, site.Location(), fm.InDigits)})
	}
	m.Text, m.HTML, err = render(v)
	return m, err
}

// paidWith names the way a payment was made.
func (s *Sender) paidWith(ctx context.Context, p *lang.Printer, txn *checkout.Transaction) string {
	if bt, err := s.Store.TransferOf(ctx, txn.ID); err == nil {
		return p.T("receipt.transfer") + " · " + bank.Reference(bt.Reference).Grouped()
	}
	if txn.CardBrand != "" && txn.CardLast4 != "" {
		return p.T("receipt.card_ending", "Brand", strings.ToUpper(txn.CardBrand[:1])+txn.CardBrand[1:], "Last4", txn.CardLast4)
	}
	return p.T("receipt.card")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
