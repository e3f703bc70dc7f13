package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/pgw/pgw/internal/limits"
)

// Rate counters: one row per key and fixed window (its start in Unix
// seconds). A take is one conditional upsert, atomic on both engines, so that
// concurrent attempts, in one process or many, can never pass a limit
// together. The previous window counts in proportion to how much of it still
// lies within the last window's length (a sliding window, approximated).

// TakeRate counts one attempt of bucket unless limit attempts were already
// counted within the last window; it answers whether the attempt may go on
// and, when not, how long to wait.
func (s *Store) TakeRate(ctx context.Context, bucket string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	w := int64(window / time.Second)
	if w < 1 {
		return false, 0, errors.New("rate window shorter than a second")
	}
	cur := now.Unix() / w * w
	var prev int64
	err := s.write.NewRaw("SELECT count FROM rate_counters WHERE bucket = ? AND window_start = ?", bucket, cur-w).Scan(ctx, &prev)
	if err != nil && !errors.Is(err, errNoRows) {
		return false, 0, fmt.Errorf("reading rate counter: %w", err)
	}
	elapsed := now.Sub(time.Unix(cur, 0))
	capacity := int64(limit) - prev*int64(window-elapsed)/int64(window)
	wait := time.Unix(cur+w, 0).Sub(now)
	if capacity <= 0 {
		return false, wait, nil
	}
	var n int64
	err = s.write.NewRaw(`INSERT INTO rate_counters (bucket, window_start, count) VALUES (?, ?, 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_counters.count + 1 WHERE rate_counters.count < ?
RETURNING count`, bucket, cur, capacity).Scan(ctx, &n)
	if errors.Is(err, errNoRows) {
		return false, wait, nil
	}
	if err != nil {
		return false, 0, fmt.Errorf("counting rate: %w", err)
	}
	return true, 0, nil
}

// GiveRate takes back one attempt of bucket counted in the current window
// (a sign-in that succeeded).
func (s *Store) GiveRate(ctx context.Context, bucket string, window time.Duration, now time.Time) error {
	w := int64(window / time.Second)
	if w < 1 {
		return nil
	}
	_, err := s.write.NewRaw("UPDATE rate_counters SET count = count - 1 WHERE bucket = ? AND window_start = ? AND count > 0",
		bucket, now.Unix()/w*w).Exec(ctx)
	if err != nil {
		return fmt.Errorf("giving back a rate count: %w", err)
	}
	return nil
}

// PruneRates deletes counters of windows that started before cutoff.
func (s *Store) PruneRates(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.write.NewRaw("DELETE FROM rate_counters WHERE window_start < ?", cutoff.Unix()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("pruning rate counters: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// AddRates adds to the counts of windows, in one statement (see
// limits.APILimiter).
func (s *Store) AddRates(ctx context.Context, add map[limits.Window]int64) error {
	if len(add) == 0 {
		return nil
	}
	values := make([]string, 0, len(add))
	args := make([]any, 0, 3*len(add))
	for w, n := range add {
		values = append(values, "(?, ?, ?)")
		args = append(args, w.Bucket, w.Start, n)
	}
	_, err := s.write.NewRaw(`INSERT INTO rate_counters (bucket, window_start, count) VALUES `+strings.Join(values, ", ")+`
ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_counters.count + excluded.count`, args...).Exec(ctx)
	if err != nil {
		return fmt.Errorf("adding to rate counters: %w", err)
	}
	return nil
}

// ReadRates answers the counts of windows; a window never counted is 0.
func (s *Store) ReadRates(ctx context.Context, windows []limits.Window) (map[limits.Window]int64, error) {
	out := make(map[limits.Window]int64, len(windows))
	if len(windows) == 0 {
		return out, nil
	}
	buckets := make([]string, 0, len(windows))
	starts := make([]int64, 0, len(windows))
	for _, w := range windows {
		buckets = append(buckets, w.Bucket)
		starts = append(starts, w.Start)
	}
	var rows []struct {
		Bucket      string
		WindowStart int64
		Count       int64
	}
	err := s.read.NewRaw("SELECT bucket, window_start, count FROM rate_counters WHERE bucket IN (?) AND window_start IN (?)",
		bun.In(buckets), bun.In(starts)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("reading rate counters: %w", err)
	}
	want := make(map[limits.Window]bool, len(windows))
	for _, w := range windows {
		want[w] = true
	}
	for _, r := range rows {
		if w := (limits.Window{Bucket: r.Bucket, Start: r.WindowStart}); want[w] {
			out[w] = r.Count
		}
	}
	return out, nil
}
