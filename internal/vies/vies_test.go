package vies_test

import (
	"context"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/vies"
	"github.com/pgw/pgw/internal/vies/viestest"
)

func TestCheck(t *testing.T) {
	f := viestest.New()
	defer f.Close()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c := &vies.Client{URL: f.URL, Timeout: 300 * time.Millisecond, Now: func() time.Time { return now }}
	ctx := context.Background()
	for _, tc := range []struct {
		id   string
		want vies.Status
	}{
		{"FR40303265040", vies.Valid}, {"FR40303265041", vies.Invalid}, {"FR40303265049", vies.Unavailable}, {"FR40303265048", vies.Unavailable},
	} {
		if got := c.Check(ctx, tc.id, "DE123456789"); got.Status != tc.want {
			t.Errorf("%s: %+v, want %s", tc.id, got, tc.want)
		}
	}
	r := c.Check(ctx, "FR40303265040", "DE123456789")
	if r.RequestIdentifier == "" || !r.CheckedAt.Equal(now) {
		t.Fatalf("evidence %+v", r)
	}
	// Definite answers are remembered for a day; unavailability is not.
	calls := f.Calls.Load()
	c.Check(ctx, "FR40303265040", "DE123456789")
	c.Check(ctx, "FR40303265041", "DE123456789")
	if f.Calls.Load() != calls {
		t.Fatal("a definite answer was asked again within the day")
	}
	c.Check(ctx, "FR40303265049", "DE123456789")
	if f.Calls.Load() != calls+1 {
		t.Fatal("an unavailable answer was remembered")
	}
	now = now.Add(25 * time.Hour)
	c.Check(ctx, "FR40303265040", "DE123456789")
	if f.Calls.Load() != calls+2 {
		t.Fatal("an answer older than a day was reused")
	}
	down := &vies.Client{URL: "http://127.0.0.1:1/none", Timeout: time.Second}
	if got := down.Check(ctx, "FR40303265040", ""); got.Status != vies.Unavailable || got.Reason == "" {
		t.Fatalf("unreachable VIES: %+v", got)
	}
}
