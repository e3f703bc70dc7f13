package frontend_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// parentPage plays inTandem's back office: it frames the charge iframe and
// talks to it with postMessage.
const parentPage = `<!doctype html><html><body>
<iframe id="f" src="%[1]s/intandem/charge?pivot_id=%[2]s" width="480" height="320"></iframe>
<button id="open" onclick="openPopup()">open</button>
<script>
window.__msgs = [];
window.addEventListener('message', function (e) { window.__msgs.push({origin: e.origin, data: e.data}); });
function frame() { return document.getElementById('f').contentWindow; }
function requestToken(amount) {
  frame().postMessage({type: 'generic', func: 'getToken', params: {amount: amount, save_card: false, pivot_id: '%[2]s', client_id: 'c1', currency: 'USD'}}, '%[1]s');
  return true;
}
function setSave(v) { frame().postMessage({type: 'generic', func: 'setSaveCard', params: {checked: {checked: v}}}, '%[1]s'); return true; }
var popup;
function openPopup() { popup = window.open('%[1]s/intandem/charge?pivot_id=%[2]s'); }
function pokePopup() {
  popup.postMessage({type: 'generic', func: 'getToken', params: {amount: 10, save_card: false, pivot_id: '%[2]s', client_id: 'c1', currency: 'USD'}}, '*');
  return true;
}
</script></body></html>`

func servePage(t *testing.T, html func(self string) string) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, html(srv.URL))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowserIntandemChargeIframe(t *testing.T) {
	ctx := browser(t)
	s := storetest.Open(t, store.SQLite)
	var tn *tandem
	parent := servePage(t, func(string) string { return fmt.Sprintf(parentPage, tn.srv.URL, bizUID) })
	evil := servePage(t, func(string) string { return fmt.Sprintf(parentPage, tn.srv.URL, bizUID) })
	tn = newTandem(t, s, parent.URL)

	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(parent.URL), chromedp.WaitReady(chromedp.ID("f"))), "open the back office")
	var iframe []*chromedp.Node
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("iframe#f")))
		storetest.Must(t, err, "iframe")
		if len(nodes) == 1 && nodes[0].ContentDocument != nil {
			iframe = nodes
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the iframe did not load: is the parent's origin allowed to frame it?")
		}
	}
	in := chromedp.FromNode(iframe[0])
	typeCard := func(number string) {
		t.Helper()
		storetest.Must(t, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS("#number"), in),
			chromedp.SendKeys(chromedp.CSS("#number"), number, in),
			chromedp.SendKeys(chromedp.CSS("#expiry"), "12 / 34", in),
			chromedp.SendKeys(chromedp.CSS("#cvc"), "123", in),
			chromedp.SendKeys(chromedp.CSS("#name"), "Dana Staff", in),
		), "type the card")
	}
	awaitMessages := func(n int) []map[string]any {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			msgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]map[string]any](`window.__msgs`))
			storetest.Must(t, err, "messages")
			if len(msgs) >= n {
				return msgs
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d messages, want %d", len(msgs), n)
			}
		}
	}

	// A bad card: validationFailure, and the errors shown inside the iframe.
	typeCard("4242")
	eval := func(js string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		storetest.Must(t, err, "%s", js)
	}
	eval(`requestToken(10)`)
	msgs := awaitMessages(1)
	if data := msgs[0]["data"].(map[string]any); data["type"] != "generic" || data["func"] != "validationFailure" || msgs[0]["origin"] != tn.srv.URL {
		t.Fatalf("bad card answered %v", msgs[0])
	}
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#charge-errors"), in))
	storetest.Must(t, err, "errors")
	if !strings.Contains(shown, "card number") {
		t.Fatalf("errors shown in the iframe: %q", shown)
	}

	// A good card, with the save-card box ticked: a token and the cardholder.
	storetest.Must(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#number"), "4242 4242 4242 4242", in)), "fix the number")
	eval(`setSave(true)`)
	eval(`requestToken(10)`)
	msgs = awaitMessages(2)
	data := msgs[1]["data"].(map[string]any)
	token, _ := data["token"].(string)
	if data["type"] != "generic" || !strings.HasPrefix(token, "tok_") || data["cardholder_name"] != "Dana Staff" {
		t.Fatalf("good card answered %v", data)
	}
	// inTandem's server then charges it.
	if m := tn.charge(token, "10", "ps-browser"); !strings.HasPrefix(fmt.Sprint(m["charge_key"]), "ck_") {
		t.Fatalf("charge: %v", m)
	}

	// Control: the same popup, poked from the allowed origin with the same
	// timing, answers (its card fields are empty: validationFailure). So the
	// silence below is the origin check, not a popup that never loaded.
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(parent.URL), chromedp.Click(chromedp.ID("open"))), "open the popup")
	time.Sleep(1500 * time.Millisecond)
	eval(`pokePopup()`)
	if msgs := awaitMessages(1); msgs[0]["data"].(map[string]any)["func"] != "validationFailure" {
		t.Fatalf("allowed popup answered %v", msgs[0])
	}

	// A page of another origin gets no answer from the iframe's code.
	tokensBefore := countTokens(t, s)
	storetest.Must(t, chromedp.Do(ctx, chromedp.Navigate(evil.URL), chromedp.Click(chromedp.ID("open"))), "open the popup")
	time.Sleep(1500 * time.Millisecond)
	eval(`pokePopup()`)
	time.Sleep(1500 * time.Millisecond)
	foreign, err := chromedp.Run(ctx, chromedp.Evaluate[[]map[string]any](`window.__msgs`))
	storetest.Must(t, err, "messages")
	if len(foreign) != 0 || countTokens(t, s) != tokensBefore {
		t.Fatalf("a foreign origin got %v", foreign)
	}
}

func countTokens(t *testing.T, s *store.Store) int {
	n, err := s.Bun().NewSelect().Table("intandem_tokens").Count(ctx)
	storetest.Must(t, err, "count tokens")
	return int(n)
}
