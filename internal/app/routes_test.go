package app

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/adapter/orchestrapay"
	"github.com/pgw/pgw/internal/adminapi"
	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/buyerapi"
	"github.com/pgw/pgw/internal/httpx"
)

// TestEveryRouteDocumented compares the routes each API registers with the
// operations of its document, both ways.
func TestEveryRouteDocumented(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	admin := httpx.NewRoutes()
	httpx.Health(admin, nil)
	httpx.NewRegistry(admin, "")
	api := adminapi.New(nil, nil, log, nil, adminapi.Options{})
	api.Register(admin)
	orchestrapay.New(nil, nil, log, orchestrapay.Options{}).Register(admin, api.Authenticated)

	runtime := httpx.NewRoutes()
	httpx.Health(runtime, nil)
	httpx.NewRegistry(runtime, "")
	buyerapi.NewAPI(nil, nil, nil, log, nil).Register(runtime)

	for _, tc := range []struct {
		name   string
		routes *httpx.Routes
		doc    []byte
	}{{"admin", admin, apidoc.MustAdmin()}, {"runtime", runtime, apidoc.MustRuntime()}} {
		t.Run(tc.name, func(t *testing.T) {
			ops, err := apidoc.Operations(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			var documented, registered []string
			for _, op := range ops {
				documented = append(documented, op.Method+" "+op.Path)
			}
			for _, p := range tc.routes.Patterns {
				switch {
				case p == "/":
					continue // the fallback: 404 and 405 in the envelope
				case p == "OPTIONS /api/v1/":
					continue // CORS preflights, described in the document's introduction
				case strings.HasPrefix(p, "GET /docs"):
					continue // the HTML reference of the document itself
				}
				registered = append(registered, p)
			}
			for _, r := range registered {
				if !slices.Contains(documented, r) {
					t.Errorf("%s is registered but not documented", r)
				}
			}
			for _, d := range documented {
				if !slices.Contains(registered, d) {
					t.Errorf("%s is documented but not registered", d)
				}
			}
			if len(registered) < 5 {
				t.Fatalf("only %d routes recorded", len(registered))
			}
		})
	}
}
