package dashboard

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		fails []time.Duration // offsets from t0
		at    time.Duration
		want  time.Duration
	}{
		{"no failures", nil, 0, 0},
		{"below the limit", []time.Duration{0, time.Second}, 3 * time.Second, 0},
		{"at the limit", []time.Duration{0, 1 * time.Minute, 2 * time.Minute}, 3 * time.Minute, 7 * time.Minute},
		{"oldest failure left the window", []time.Duration{0, 1 * time.Minute, 2 * time.Minute}, 10 * time.Minute, 0},
		{"window slides", []time.Duration{0, 5 * time.Minute, 6 * time.Minute, 7 * time.Minute}, 11 * time.Minute, 4 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newThrottle(3, 10*time.Minute)
			for _, f := range tt.fails {
				th.fail("k", t0.Add(f))
			}
			if got := th.blocked("k", t0.Add(tt.at)); got != tt.want {
				t.Fatalf("blocked = %v, want %v", got, tt.want)
			}
			if got := th.blocked("other", t0.Add(tt.at)); got != 0 {
				t.Fatalf("another key is blocked for %v", got)
			}
		})
	}
}

func TestThrottleReset(t *testing.T) {
	th := newThrottle(2, time.Hour)
	now := time.Now()
	th.fail("k", now)
	th.fail("k", now)
	if th.blocked("k", now) == 0 {
		t.Fatal("two failures of two allowed do not block")
	}
	th.reset("k")
	if th.blocked("k", now) != 0 {
		t.Fatal("reset keeps blocking")
	}
}
