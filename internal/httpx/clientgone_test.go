package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/testbin"
)

// A client that hangs up is logged as canceled with 499, never as an error.
func TestClientHangUpIsNotAnError(t *testing.T) {
	var logs testbin.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	done := make(chan struct{})
	srv := httptest.NewServer(Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		<-r.Context().Done() // the work fails because the client left
		Internal(w, r, log, errors.Join(errors.New("query failed"), r.Context().Err()))
	}), log, nil))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow", nil)
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request was not canceled")
	}
	<-done
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(logs.String(), `"status":499`); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no 499 logged: %s", logs.String())
		}
	}
	if out := logs.String(); strings.Contains(out, `"level":"ERROR"`) || !strings.Contains(out, "request canceled by the client") {
		t.Fatalf("log: %s", out)
	}
}
