package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/customdomain/dnstest"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
	"github.com/pgw/pgw/internal/testbin"
)

// caddyBin is the Caddy binary the custom-domain test runs:
// $PGW_TEST_CADDY_BIN, the PATH, or Go's bin folder. CI installs it;
// elsewhere the test is skipped without one.
func caddyBin(t *testing.T) string {
	t.Helper()
	bin := testbin.Find("PGW_TEST_CADDY_BIN", "caddy")
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Caddy: set PGW_TEST_CADDY_BIN (go install github.com/caddyserver/caddy/v2/cmd/caddy@v2.11.9)")
		}
		t.Skip("no Caddy: set PGW_TEST_CADDY_BIN to run this test")
	}
	return bin
}

// askRecorder stands between Caddy and main-frontend's ask endpoint and
// remembers what Caddy asked and what it was told.
type askRecorder struct {
	mu      sync.Mutex
	answers map[string]int
}

func (a *askRecorder) answer(domain string) (int, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.answers[domain]
	return s, ok
}

func (a *askRecorder) handler(front string) http.Handler {
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: front})
	proxy.ModifyResponse = func(resp *http.Response) error {
		a.mu.Lock()
		a.answers[resp.Request.URL.Query().Get("domain")] = resp.StatusCode
		a.mu.Unlock()
		return nil
	}
	return proxy
}

// caddyfile is config/Caddyfile as an operator runs it, with the servers'
// addresses of this test, main-frontend's ask endpoint behind rec, and the
// global options of a test: certificates from Caddy's own local CA (the
// public CA aside, everything is the file's), on loopback ports, state in
// dir.
func caddyfile(t *testing.T, dir, admin, runtime, front, ask, httpPort, httpsPort string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "config", "Caddyfile"))
	storetest.Must(t, err, "reading config/Caddyfile")
	text := string(raw)
	for _, r := range []struct{ old, new string }{
		{"ask http://127.0.0.1:8082/api/v1/domains/verify", "ask http://" + ask + "/api/v1/domains/verify"},
		{"reverse_proxy 127.0.0.1:8080", "reverse_proxy " + admin},
		{"reverse_proxy 127.0.0.1:8081", "reverse_proxy " + runtime},
		{"reverse_proxy 127.0.0.1:8082", "reverse_proxy " + front},
		{"\n{\n", "\n{\n\tlocal_certs\n\tskip_install_trust\n\tadmin off\n\tdefault_bind 127.0.0.1\n\thttp_port " + httpPort +
			"\n\thttps_port " + httpsPort + "\n\tstorage file_system " + dir + "\n"},
	} {
		if !strings.Contains(text, r.old) {
			t.Fatalf("config/Caddyfile no longer has %q: update this test with it", r.old)
		}
		text = strings.ReplaceAll(text, r.old, r.new)
	}
	return text
}

// TestCustomDomainThroughCaddy runs the real Caddy with config/Caddyfile in
// front of the real binaries, a DNS server on loopback answering the
// merchants' CNAMEs: a verified domain gets a certificate on demand and
// serves its site's pages, another site's checkout there is not found, and a
// name that is not verified gets no certificate at all, because
// main-frontend's ask endpoint said no.
func TestCustomDomainThroughCaddy(t *testing.T) {
	bin := caddyBin(t)
	ns := dnstest.Start(t)
	ns.CNAME("pay.shop.example", "secure.pay.example.com")
	ns.CNAME("pay.other.example", "secure.pay.example.com")
	admin, runtime, front := freeAddr(t), freeAddr(t), freeAddr(t)
	env := append(baseEnv(storetest.URL(t, store.SQLite)),
		"PGW_ADMIN_BACKEND_ADDR="+admin, "PGW_MAIN_BACKEND_ADDR="+runtime, "PGW_MAIN_FRONTEND_ADDR="+front,
		"PGW_URLS_MAIN_FRONTEND=https://secure.pay.example.com", "PGW_DOMAINS_RESOLVER="+ns.Addr)
	if _, stderr, code := run(t, env, "pgw", "migrate"); code != 0 {
		t.Fatalf("pgw migrate: %d %s", code, stderr)
	}
	boot := func(org, site string) map[string]string {
		out, stderr, code := run(t, env, "pgw", "bootstrap", "--org", org, "--site", site, "--json")
		var b map[string]string
		if code != 0 || json.Unmarshal([]byte(out), &b) != nil {
			t.Fatalf("bootstrap %s: %d %s %s", org, code, out, stderr)
		}
		return b
	}
	shop, other := boot("Shop", "Tea Shop"), boot("Other", "Other Shop")
	for b, addr := range map[string]string{"admin-backend": admin, "main-backend": runtime, "main-frontend": front} {
		waitReady(t, "http://"+addr, start(t, env, b))
	}

	rec := &askRecorder{answers: map[string]int{}}
	askSrv := httptest.NewServer(rec.handler(front))
	t.Cleanup(askSrv.Close)
	dir := t.TempDir()
	httpPort, httpsPort := port(t), port(t)
	cfg := filepath.Join(dir, "Caddyfile")
	storetest.Must(t, os.WriteFile(cfg, []byte(caddyfile(t, filepath.Join(dir, "data"), admin, runtime, front,
		strings.TrimPrefix(askSrv.URL, "http://"), httpPort, httpsPort)), 0o600), "writing the Caddyfile")
	caddy := exec.Command(bin, "run", "--config", cfg, "--adapter", "caddyfile")
	caddy.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	caddyLog := new(testbin.Buffer)
	caddy.Stdout, caddy.Stderr = caddyLog, caddyLog
	storetest.Must(t, caddy.Start(), "starting Caddy")
	t.Cleanup(func() { caddy.Process.Kill(); caddy.Wait() }) //nolint:errcheck // the test is over

	// Caddy's local CA, which the client trusts (and nothing else).
	rootPath := filepath.Join(dir, "data", "pki", "authorities", "local", "root.crt")
	var root []byte
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if root, _ = os.ReadFile(rootPath); len(root) > 0 {
			if c, err := net.Dial("tcp", "127.0.0.1:"+httpsPort); err == nil {
				c.Close()
				break
			}
		}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(root) {
		t.Fatalf("Caddy did not start with its local CA:\n%s", caddyLog.String())
	}
	// Every name resolves to Caddy, as the CNAMEs would have it.
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", "127.0.0.1:"+httpsPort)
		},
	}}
	get := func(u string) (*http.Response, string, error) {
		resp, err := client.Get(u)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b), nil
	}
	// Caddy gets its own hosts' certificates in the background as it starts.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, _, err := get("https://api.pay.example.com/health/live")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Caddy does not serve api.pay.example.com: %v\n%s", err, caddyLog.String())
		}
	}
	api := func(method, path, token, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, "https://api.pay.example.com"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		storetest.Must(t, err, "%s %s through Caddy", method, path)
		defer resp.Body.Close()
		var m map[string]any
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 || json.Unmarshal(raw, &m) != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return m
	}

	// The shop claims its hostname as its primary domain and verifies it;
	// the other organization claims one it never verifies.
	d := api("POST", "/api/v1/domains", shop["apiKey"], `{"siteId":"`+shop["siteId"]+`","hostname":"pay.shop.example","primary":true}`)
	if d = api("POST", "/api/v1/domains/"+d["id"].(string)+"/verify", shop["apiKey"], ""); d["status"] != "verified" {
		t.Fatalf("verification: %v", d)
	}
	ns.CNAME("pay.other.example", "")
	o := api("POST", "/api/v1/domains", other["apiKey"], `{"siteId":"`+other["siteId"]+`","hostname":"pay.other.example","primary":true}`)
	if o = api("POST", "/api/v1/domains/"+o["id"].(string)+"/verify", other["apiKey"], ""); o["status"] != "failed" {
		t.Fatalf("the other domain: %v", o)
	}
	ours := api("POST", "/api/v1/checkouts/"+shop["siteId"]+"/create", shop["apiKey"], `{"amount":1250,"currency":"EUR","externalReference":"tea-1"}`)
	theirs := api("POST", "/api/v1/checkouts/"+other["siteId"]+"/create", other["apiKey"], `{"amount":990,"currency":"EUR","externalReference":"x-1"}`)
	if ours["paymentUrl"] != "https://pay.shop.example/checkout/"+ours["shortCode"].(string) ||
		theirs["paymentUrl"] != "https://secure.pay.example.com/checkout/"+theirs["shortCode"].(string) {
		t.Fatalf("payment URLs: %v, %v", ours["paymentUrl"], theirs["paymentUrl"])
	}

	// The verified domain: a certificate made on demand, the shop's page.
	resp, page, err := get(ours["paymentUrl"].(string))
	if err != nil {
		t.Fatalf("the verified domain: %v\n%s", err, caddyLog.String())
	}
	leaf := resp.TLS.PeerCertificates[0]
	if resp.StatusCode != 200 || !strings.Contains(page, "Tea Shop") || !strings.Contains(page, "€12.50") ||
		!slices.Contains(leaf.DNSNames, "pay.shop.example") {
		t.Fatalf("the verified domain: %d %v %s", resp.StatusCode, leaf.DNSNames, page)
	}
	if s, ok := rec.answer("pay.shop.example"); !ok || s != 200 {
		t.Fatalf("Caddy did not ask for pay.shop.example (or was told %d)", s)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "max-age=63072000" {
		t.Errorf("HSTS on the custom domain: %q", hsts)
	}
	// A buyer who types http:// is sent to https://.
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:"+httpPort+"/checkout/"+ours["shortCode"].(string), nil)
	req.Host = "pay.shop.example"
	if resp, err := plain.Do(req); err != nil || resp.StatusCode/100 != 3 || resp.Header.Get("Location") != ours["paymentUrl"] {
		t.Errorf("http:// on the custom domain: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// The ask endpoint is Caddy's alone: the public does not reach it.
	for _, host := range []string{"secure.pay.example.com", "pay.shop.example"} {
		if resp, _, err := get("https://" + host + "/api/v1/domains/verify?domain=pay.shop.example"); err != nil || resp.StatusCode != 404 {
			t.Errorf("the ask endpoint through %s: %v %v", host, resp, err)
		}
	}
	// Another organization's checkout there is not found; on our own host
	// it is served.
	if resp, _, err := get("https://pay.shop.example/checkout/" + theirs["shortCode"].(string)); err != nil || resp.StatusCode != 404 {
		t.Fatalf("another site's checkout on the domain: %v %v", resp, err)
	}
	if resp, page, err := get(theirs["paymentUrl"].(string)); err != nil || resp.StatusCode != 200 || !strings.Contains(page, "Other Shop") {
		t.Fatalf("the other checkout on our own host: %v %v", resp, err)
	}

	// Names that are not verified get no certificate: the handshake fails,
	// after Caddy asked and was told no.
	for _, name := range []string{"pay.other.example", "unclaimed.example"} {
		_, _, err := get("https://" + name + "/checkout/" + theirs["shortCode"].(string))
		var certErr *tls.CertificateVerificationError
		if err == nil || errors.As(err, &certErr) || !strings.Contains(err.Error(), "tls") {
			t.Errorf("%s: want a failed handshake, got %v", name, err)
		}
		if s, ok := rec.answer(name); !ok || s != 404 {
			t.Errorf("Caddy did not ask for %s, or was not refused (%d)", name, s)
		}
	}
}

// port is a free TCP port on loopback.
func port(t *testing.T) string {
	_, p, _ := net.SplitHostPort(freeAddr(t))
	return p
}
