// Package mailpittest runs a real SMTP server for tests: the mailpit binary
// (go install github.com/axllent/mailpit@v1.33.1), on loopback ports of its
// own, and reads back what it received through mailpit's API.
package mailpittest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/testbin"
)

// Mailpit is a running mailpit.
type Mailpit struct {
	Host string
	Port int
	API  string
}

// binary finds mailpit: $PGW_TEST_MAILPIT_BIN, the PATH, or Go's bin folder.
func binary() string { return testbin.Find("PGW_TEST_MAILPIT_BIN", "mailpit") }

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs mailpit until the test ends. Without the binary the test is
// skipped, except under CI=true, where it fails: CI installs mailpit.
func Start(t testing.TB) *Mailpit {
	t.Helper()
	bin := binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("mailpit is not installed; CI must run the email tests (go install github.com/axllent/mailpit@v1.33.1)")
		}
		t.Skip("mailpit is not installed (go install github.com/axllent/mailpit@v1.33.1)")
	}
	smtp, api := freePort(t), freePort(t)
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtp), "--listen", fmt.Sprintf("127.0.0.1:%d", api),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--disable-version-check", "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting mailpit: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck // the test is over
	m := &Mailpit{Host: "127.0.0.1", Port: smtp, API: fmt.Sprintf("http://127.0.0.1:%d", api)}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(m.API + "/api/v1/messages"); err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", smtp)); err == nil {
				c.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("mailpit did not start")
		}
	}
}

// Summary is a received message as mailpit lists it.
type Summary struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// Message is one received message, whole.
type Message struct {
	Subject string `json:"Subject"`
	Text    string `json:"Text"`
	HTML    string `json:"HTML"`
	From    struct {
		Address string `json:"Address"`
	} `json:"From"`
	To []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// Messages lists what mailpit received, newest first.
func (m *Mailpit) Messages(t testing.TB) []Summary {
	t.Helper()
	var out struct {
		Messages []Summary `json:"messages"`
	}
	m.get(t, "/api/v1/messages", &out)
	return out.Messages
}

// Wait waits up to 15 s for n messages.
func (m *Mailpit) Wait(t testing.TB, n int) []Summary {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got := m.Messages(t); len(got) >= n || time.Now().After(deadline) {
			return got
		}
	}
}

// Message reads one message whole.
func (m *Mailpit) Message(t testing.TB, id string) Message {
	t.Helper()
	var out Message
	m.get(t, "/api/v1/message/"+id, &out)
	return out
}

// Headers reads one message's headers.
func (m *Mailpit) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	m.get(t, "/api/v1/message/"+id+"/headers", &out)
	return out
}

func (m *Mailpit) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("mailpit %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
