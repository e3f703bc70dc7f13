// Package e2e builds the four binaries and drives them as an operator and a
// merchant would: migrate, bootstrap, serve, create, revoke, shut down.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pgw-e2e-bin")
	if err != nil {
		panic(err)
	}
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "github.com/pgw/pgw/cmd/...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building binaries: %v\n%s", err, out)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	storetest.Must(t, err, "listen")
	defer l.Close()
	return l.Addr().String()
}

// run runs a binary to completion and returns its stdout, stderr and exit code.
func run(t *testing.T, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", name, err)
	}
	return stdout.String(), stderr.String(), code
}

type proc struct {
	cmd    *exec.Cmd
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	exited chan error
}

func start(t *testing.T, env []string, name string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Env = env
	p := &proc{cmd: cmd, stdout: new(bytes.Buffer), stderr: new(bytes.Buffer), exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	storetest.Must(t, cmd.Start(), "starting %s", name)
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// stop sends SIGTERM and expects a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	storetest.Must(t, p.cmd.Process.Signal(syscall.SIGTERM), "SIGTERM")
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("%s exited with %v after SIGTERM\n%s", p.cmd.Path, err, p.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("%s did not stop within 15 s of SIGTERM", p.cmd.Path)
	}
}

func waitReady(t *testing.T, base string, p *proc) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-p.exited:
			t.Fatalf("%s exited early: %v\n%s", p.cmd.Path, err, p.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s not ready\n%s", base, p.stderr)
}

func call(t *testing.T, method, url, token, body string) (int, map[string]any, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	storetest.Must(t, err, "request")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(t, err, "%s %s", method, url)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m) //nolint:errcheck // pages are not JSON
	return resp.StatusCode, m, string(raw)
}

func baseEnv(dbURL string) []string {
	return append(os.Environ(),
		"PGW_DATABASE_URL="+dbURL,
		"PGW_SECRETS_MASTER_KEY="+base64.StdEncoding.EncodeToString([]byte("e2e-master-key-0123456789abcdef!")),
		"PGW_LOG_FORMAT=json",
	)
}

func TestBinaries(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			admin, runtime, front := freeAddr(t), freeAddr(t), freeAddr(t)
			env := append(baseEnv(storetest.URL(t, d)),
				"PGW_ADMIN_BACKEND_ADDR="+admin, "PGW_MAIN_BACKEND_ADDR="+runtime, "PGW_MAIN_FRONTEND_ADDR="+front,
				"PGW_URLS_MAIN_FRONTEND=https://secure.example.test")

			// Every server refuses an unmigrated database and says what to do.
			for _, b := range []string{"admin-backend", "main-backend", "main-frontend"} {
				_, stderr, code := run(t, env, b)
				if code == 0 || !strings.Contains(stderr, "pgw migrate") {
					t.Fatalf("%s on an unmigrated database: exit %d, %q", b, code, stderr)
				}
			}
			if _, stderr, code := run(t, env, "pgw", "migrate"); code != 0 {
				t.Fatalf("pgw migrate: %d %s", code, stderr)
			}
			if _, stderr, code := run(t, env, "pgw", "bootstrap", "--org", "X", "--site", "Y", "--amount-units", "dollars"); code != 2 || !strings.Contains(stderr, "minor or cents") {
				t.Fatalf("bootstrap with bad --amount-units: %d %s", code, stderr)
			}
			out, stderr, code := run(t, env, "pgw", "bootstrap", "--org", "Acme", "--site", "Acme Store", "--email", "ops@acme.test", "--password", "a long enough password", "--json")
			if code != 0 {
				t.Fatalf("bootstrap: %d %s", code, stderr)
			}
			var boot map[string]string
			if err := json.Unmarshal([]byte(out), &boot); err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Fatalf("bootstrap --json printed %q: %v", out, err)
			}
			for _, f := range []string{"organizationId", "siteId", "apiKey", "webhookSecret"} {
				if boot[f] == "" {
					t.Fatalf("bootstrap lacks %s: %s", f, out)
				}
			}
			if !strings.HasPrefix(boot["apiKey"], "sk_test_") || !strings.HasPrefix(boot["webhookSecret"], "whsec_") {
				t.Fatalf("bootstrap output %s", out)
			}

			procs := map[string]*proc{}
			for b, addr := range map[string]string{"admin-backend": admin, "main-backend": runtime, "main-frontend": front} {
				procs[b] = start(t, env, b)
				waitReady(t, "http://"+addr, procs[b])
			}
			createURL := "http://" + admin + "/v1/checkouts/" + boot["siteId"] + "/create"
			status, body, raw := call(t, "POST", createURL, boot["apiKey"],
				`{"amount":12345,"currency":"EUR","externalReference":"e2e-1","returnUrl":"https://shop.example/ok?tx={transactionId}"}`)
			if status != 200 || !strings.HasPrefix(body["paymentUrl"].(string), "https://secure.example.test/checkout/") {
				t.Fatalf("create: %d %s", status, raw)
			}
			// The bootstrap admin signs in to the dashboard and finds the checkout.
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar}
			resp, err := browser.PostForm("http://"+admin+"/dashboard/signin", url.Values{"email": {"ops@acme.test"}, "password": {"a long enough password"}})
			if err != nil {
				t.Fatalf("dashboard sign-in: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Request.URL.Path != "/dashboard/overview" {
				t.Fatalf("dashboard after sign-in: %d %s", resp.StatusCode, resp.Request.URL)
			}
			resp, err = browser.Get("http://" + admin + "/dashboard/checkouts")
			if err != nil {
				t.Fatalf("dashboard checkouts: %v", err)
			}
			dash, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(dash), ">e2e-1<") {
				t.Fatalf("dashboard checkouts: %d", resp.StatusCode)
			}
			status, _, page := call(t, "GET", "http://"+front+"/checkout/"+body["shortCode"].(string), "", "")
			if status != 200 || !strings.Contains(page, "€123.45") || !strings.Contains(page, "Acme Store") {
				t.Fatalf("hosted page: %d %s", status, page)
			}
			for _, addr := range []string{admin, runtime} {
				if status, _, raw := call(t, "GET", "http://"+addr+"/metrics", "", ""); status != 200 || !strings.Contains(raw, "pgw_http_requests_total") {
					t.Fatalf("metrics of %s: %d", addr, status)
				}
			}

			// A live key from the CLI makes live checkouts, and revoking it works at once.
			out, stderr, code = run(t, env, "pgw", "keys", "create", "--live", "--name", "prod", "--json")
			if code != 0 {
				t.Fatalf("keys create: %d %s", code, stderr)
			}
			var key map[string]any
			storetest.Must(t, json.Unmarshal([]byte(out), &key), "keys create output %q", out)
			live := key["apiKey"].(string)
			if !strings.HasPrefix(live, "sk_live_") {
				t.Fatalf("live key %q", live)
			}
			status, body, raw = call(t, "POST", createURL, live, `{"amount":500,"currency":"USD","invoiceNumber":"INV-9"}`)
			if status != 200 {
				t.Fatalf("create with live key: %d %s", status, raw)
			}
			if _, got, _ := call(t, "GET", "http://"+admin+"/api/v1/checkouts/"+body["id"].(string), live, ""); got["mode"] != "live" {
				t.Fatalf("live key made a %v checkout", got["mode"])
			}
			if out, _, _ := run(t, env, "pgw", "keys", "list"); !strings.Contains(out, key["id"].(string)) || !strings.Contains(out, "prod") {
				t.Fatalf("keys list: %s", out)
			}
			if _, stderr, code := run(t, env, "pgw", "keys", "revoke", key["id"].(string)); code != 0 {
				t.Fatalf("keys revoke: %s", stderr)
			}
			if status, _, _ := call(t, "POST", createURL, live, `{"amount":500,"currency":"USD","invoiceNumber":"INV-10"}`); status != 401 {
				t.Fatalf("revoked key: %d", status)
			}

			// Switching the site to cents reads plugin amounts exactly.
			if _, stderr, code := run(t, env, "pgw", "sites", "update", boot["siteId"], "--amount-units", "cents"); code != 0 {
				t.Fatalf("sites update: %s", stderr)
			}
			// A new site speaks IPN v2; an operator moves it back for an old plugin.
			if _, stderr, code := run(t, env, "pgw", "sites", "update", boot["siteId"], "--ipn-version", "3"); code != 2 || !strings.Contains(stderr, "1 or 2") {
				t.Fatalf("sites update --ipn-version 3: %d %s", code, stderr)
			}
			out, stderr, code = run(t, env, "pgw", "sites", "update", boot["siteId"], "--ipn-version", "1", "--json")
			if code != 0 || !strings.Contains(out, `"ipnVersion":1`) {
				t.Fatalf("sites update --ipn-version 1: %d %s %s", code, out, stderr)
			}
			// The rates that apply on a date, from the embedded data.
			for at, want := range map[string]string{"2025-07-31": `"standard":"19"`, "2025-08-01": `"standard":"21"`} {
				out, stderr, code = run(t, env, "pgw", "tax", "rates", "--country", "RO", "--at", at, "--json")
				if code != 0 || !strings.Contains(out, want) {
					t.Fatalf("tax rates on %s: %d %s %s", at, code, out, stderr)
				}
			}
			if _, stderr, code := run(t, env, "pgw", "tax", "rates", "--at", "yesterday"); code != 2 {
				t.Fatalf("tax rates --at yesterday: %d %s", code, stderr)
			}
			status, body, raw = call(t, "POST", createURL, boot["apiKey"], `{"amount":737600.0,"currency":"JPY","externalReference":"jp"}`)
			if status != 200 || body["amount"].(float64) != 7376 {
				t.Fatalf("cents site: %d %s", status, raw)
			}
			// A second organization, whose shop runs the official plugins.
			if out, stderr, code := run(t, env, "pgw", "bootstrap", "--org", "Plugin shop", "--site", "Woo", "--amount-units", "cents"); code != 0 ||
				!strings.Contains(out, "hundredths of the major unit (cents)") {
				t.Fatalf("bootstrap --amount-units cents: %d %s %s", code, out, stderr)
			}

			for _, p := range procs {
				p.stop(t)
			}
			if !strings.Contains(procs["admin-backend"].stderr.String(), `"msg":"stopped"`) {
				t.Fatalf("admin-backend did not log a clean stop:\n%s", procs["admin-backend"].stderr)
			}
			if strings.Contains(procs["admin-backend"].stderr.String(), boot["apiKey"]) {
				t.Fatal("API key written to the log")
			}
		})
	}
}

var curlRE = regexp.MustCompile(`(?s)\n  (curl .*?)\n\n`)

func TestDevCommand(t *testing.T) {
	data := t.TempDir()
	admin, runtime, front := freeAddr(t), freeAddr(t), freeAddr(t)
	env := append(os.Environ(), "PGW_DATABASE_URL=", "PGW_SECRETS_MASTER_KEY=")
	args := []string{"dev", "--data", data, "--admin_backend.addr", admin, "--main_backend.addr", runtime, "--main_frontend.addr", front}
	p := start(t, env, "pgw", args...)
	waitReady(t, "http://"+admin, p)
	waitReady(t, "http://"+runtime, p)
	waitReady(t, "http://"+front, p)
	out := p.stdout.String()
	for _, want := range []string{"http://" + admin, "http://" + runtime, "http://" + front, "sk_test_"} {
		if !strings.Contains(out, want) {
			t.Fatalf("dev output lacks %q:\n%s", want, out)
		}
	}
	m := curlRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no curl command in:\n%s", out)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is not installed")
		}
		t.Skip("curl not installed")
	}
	res, err := exec.Command("bash", "-c", m[1]).Output()
	storetest.Must(t, err, "running the printed curl command")
	var created map[string]any
	if err := json.Unmarshal(res, &created); err != nil || created["paymentUrl"] == nil {
		t.Fatalf("printed curl command answered %s", res)
	}
	status, _, page := call(t, "GET", created["paymentUrl"].(string), "", "")
	if status != 200 || !strings.Contains(page, "€49.00") {
		t.Fatalf("payment page %d:\n%s", status, page)
	}
	// The operator rotates the signing secret.
	key := regexp.MustCompile(`API key +(sk_test_\S+)`).FindStringSubmatch(out)
	site := regexp.MustCompile(`Site ID +(\S+)`).FindStringSubmatch(out)
	if key == nil || site == nil {
		t.Fatalf("no key or site in:\n%s", out)
	}
	status, rotated, raw := call(t, "POST", "http://"+admin+"/api/v1/sites/"+site[1]+"/webhook-secret/regenerate", key[1], "")
	newSecret, _ := rotated["webhookSecret"].(string)
	if status != 200 || !strings.HasPrefix(newSecret, "whsec_") {
		t.Fatalf("rotate: %d %s", status, raw)
	}
	p.stop(t)

	// The CLI reads what pgw dev keeps with --data; without it, it says so.
	if out, stderr, code := run(t, env, "pgw", "keys", "list", "--data", data); code != 0 || !strings.Contains(out, "bootstrap") {
		t.Fatalf("pgw keys list --data: %d %s %s", code, out, stderr)
	}
	if out, stderr, code := run(t, env, "pgw", "sites", "list", "--data", data); code != 0 || !strings.Contains(out, site[1]) {
		t.Fatalf("pgw sites list --data: %d %s %s", code, out, stderr)
	}
	if _, stderr, code := run(t, env, "pgw", "keys", "list", "--data", t.TempDir()); code == 0 || !strings.Contains(stderr, "--data DIR") {
		t.Fatalf("without the key: %d %s", code, stderr)
	}

	// A second start keeps the database, secrets and demo key, and prints
	// the signing secret now in force.
	p2 := start(t, env, "pgw", args...)
	waitReady(t, "http://"+admin, p2)
	if !strings.Contains(p2.stdout.String(), "Webhook secret "+newSecret) {
		t.Fatalf("the second start prints another secret than %s:\n%s", newSecret, p2.stdout.String())
	}
	res2, err := exec.Command("bash", "-c", m[1]).Output()
	storetest.Must(t, err, "curl after restart")
	if !bytes.Contains(res2, []byte(`"paymentUrl"`)) {
		t.Fatalf("after restart: %s", res2)
	}
	sc := bufio.NewScanner(strings.NewReader(p2.stdout.String()))
	found := false
	for sc.Scan() {
		found = found || strings.Contains(sc.Text(), strings.Fields(m[1])[0])
	}
	if !found {
		t.Fatal("second start printed no curl command")
	}
	p2.stop(t)
}
