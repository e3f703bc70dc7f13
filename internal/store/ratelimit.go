package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
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

// CountRates counts one request against every counter and answers what
// each holds now: one upsert for all of them and one read of their previous
// windows, whatever their number. Counting first and judging after means
// two requests at once can never both take a last place; a refused request
// is given back with UncountRates.
func (s *Store) CountRates(ctx context.Context, counts []limits.Count, now time.Time) ([]limits.Seen, error) {
	if len(counts) == 0 {
		return nil, nil
	}
	values := make([]string, len(counts))
	args := make([]any, 0, 2*len(counts))
	starts := make([]int64, len(counts))
	prevKeys := make([]string, 0, len(counts))
	for i, c := range counts {
		w := int64(c.Window / time.Second)
		if w < 1 {
			return nil, errors.New("rate window shorter than a second")
		}
		starts[i] = now.Unix() / w * w
		values[i] = "(?, ?, 1)"
		args = append(args, c.Bucket, starts[i])
		prevKeys = append(prevKeys, c.Bucket)
	}
	var rows []struct {
		Bucket      string
		WindowStart int64
		Count       int64
	}
	err := s.write.NewRaw(`INSERT INTO rate_counters (bucket, window_start, count) VALUES `+strings.Join(values, ", ")+`
ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_counters.count + 1
RETURNING bucket, window_start, count`, args...).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting a request: %w", err)
	}
	seen := make([]limits.Seen, len(counts))
	for i, c := range counts {
		seen[i].WindowStart = time.Unix(starts[i], 0)
		for _, r := range rows {
			if r.Bucket == c.Bucket && r.WindowStart == starts[i] {
				seen[i].Current = r.Count
			}
		}
	}
	var prev []struct {
		Bucket      string
		WindowStart int64
		Count       int64
	}
	err = s.write.NewRaw("SELECT bucket, window_start, count FROM rate_counters WHERE bucket IN (?) AND window_start < ? AND window_start >= ?",
		bun.In(prevKeys), slices.Max(starts), slices.Min(starts)-int64(slices.MaxFunc(counts, func(a, b limits.Count) int {
			return cmp.Compare(a.Window, b.Window)
		}).Window/time.Second)).Scan(ctx, &prev)
	if err != nil {
		return nil, fmt.Errorf("reading previous rate windows: %w", err)
	}
	for i, c := range counts {
		want := starts[i] - int64(c.Window/time.Second)
		for _, p := range prev {
			if p.Bucket == c.Bucket && p.WindowStart == want {
				seen[i].Previous = p.Count
			}
		}
	}
	return seen, nil
}

// UncountRates takes back a request CountRates counted.
func (s *Store) UncountRates(ctx context.Context, counts []limits.Count, now time.Time) error {
	for _, c := range counts {
		if err := s.GiveRate(ctx, c.Bucket, c.Window, now); err != nil {
			return err
		}
	}
	return nil
}
