package outbox_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// readmePHP is the PHP verification snippet of the README.
func readmePHP(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	storetest.Must(t, err, "README")
	section := string(b)[strings.Index(string(b), "### Verifying a notification"):]
	m := regexp.MustCompile("(?s)```php\n(.*?)```").FindStringSubmatch(section)
	if m == nil {
		t.Fatal("the README has no PHP verification snippet")
	}
	return m[1]
}

// A merchant that built its receiver from the README's PHP snippet and still
// holds the old secret keeps verifying notifications during a rotation, and
// refuses a forged one. The receiver runs in PHP's own web server.
func TestReadmePHPReceiverAcceptsPreviousSecret(t *testing.T) {
	php, err := exec.LookPath("php")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("php is not installed; CI must run this test (apt-get install php-cli)")
		}
		t.Skip("php not installed")
	}
	s := storetest.Open(t, store.SQLite)
	fx := setup(t, s)
	oldSecret := fx.secret(t)
	_, err = s.RotateWebhookSecret(ctx, fx.f.OrgID, fx.f.SiteID, time.Hour)
	storetest.Must(t, err, "rotate")

	dir := t.TempDir()
	script := "<?php\n$secret = '" + oldSecret + "';\n" + readmePHP(t) + "\nhttp_response_code(200); echo 'stored';\n"
	storetest.Must(t, os.WriteFile(filepath.Join(dir, "ipn.php"), []byte(script), 0o600), "script")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	storetest.Must(t, err, "port")
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(php, "-S", addr, "-t", dir)
	storetest.Must(t, cmd.Start(), "php -S")
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck // test server
	url := "http://" + addr + "/ipn.php"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("php -S did not start")
		}
	}
	// A request signed with nothing it knows is refused.
	req, _ := http.NewRequest("POST", url, strings.NewReader(`{"id":"txn_forged","status":1}`))
	req.Header.Set(notify.HeaderTimestamp, fmt.Sprint(time.Now().Unix()))
	req.Header.Set(notify.HeaderSignature, strings.Repeat("0", 64))
	resp, err := http.DefaultClient.Do(req)
	storetest.Must(t, err, "forged")
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a forged notification got %d", resp.StatusCode)
	}

	fx.pay1(t, fx.checkout(t, url, "php-1"), "4242424242424242")
	startWorker(t, s, config())
	waitFor(t, "the IPN accepted by the PHP receiver", func() bool {
		return len(fx.deliveries(t, notify.Delivered)) == 1
	})
}
