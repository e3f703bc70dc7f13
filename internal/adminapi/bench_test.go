package adminapi_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/store/storetest"
)

// BenchmarkCreateCheckout measures create-checkout through the real handler
// chain (auth, decoding, validation, store) on each engine, with concurrent
// callers. Run: go test -bench CreateCheckout -cpu 1,32 ./internal/adminapi/
func BenchmarkCreateCheckout(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		for _, tc := range []struct{ idem, limits bool }{{false, false}, {true, false}, {false, true}} {
			idem := tc.idem
			b.Run(fmt.Sprintf("%s/idempotency=%v/limits=%v", d, idem, tc.limits), func(b *testing.B) {
				s := storetest.Open(b, d)
				r, err := store.Bootstrap(ctx, s, store.BootstrapInput{Org: "bench", Site: "bench"})
				storetest.Must(b, err, "bootstrap")
				cfg := &config.Config{}
				cfg.URLs.MainFrontend = "https://secure.example.com"
				cfg.Checkout.MaxAmount = 100_000_000
				if tc.limits {
					// Counted in the database on every request, but never reached.
					cfg.Limits.API = config.APILimits{PerKeyPerMinute: 1 << 30, PerKeyPer5Minutes: 1 << 30, PerOrganizationPerMinute: 1 << 30}
				}
				h := app.Admin(cfg, s, slog.New(slog.DiscardHandler)).Handler
				path := "/v1/checkouts/" + r.Site.ID + "/create"
				var n atomic.Int64
				b.SetParallelism(16)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(
							strings.Replace(amemberBody, "INV7QX2", fmt.Sprint("b", n.Add(1)), 1)))
						req.Header.Set("Authorization", "Bearer "+r.Token)
						if idem {
							req.Header.Set("Idempotency-Key", ids.Token(20))
						}
						w := httptest.NewRecorder()
						h.ServeHTTP(w, req)
						if w.Code != http.StatusOK {
							b.Fatalf("status %d: %s", w.Code, w.Body)
						}
					}
				})
			})
		}
	}
}
