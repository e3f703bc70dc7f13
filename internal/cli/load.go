package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/pgw/pgw/internal/loadgen"
)

func cmdLoad(ctx context.Context, env *Env, args []string) error {
	fs := pflag.NewFlagSet("pgw load", pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var o loadgen.Options
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "admin-backend base URL")
	fs.StringVar(&o.Key, "key", "", "API key with checkout:create (required)")
	fs.StringVar(&o.SiteID, "site", "", "site id (required)")
	fs.IntVarP(&o.Clients, "clients", "c", 32, "concurrent clients")
	fs.DurationVarP(&o.Duration, "duration", "d", 10*time.Second, "how long to run")
	fs.Int64Var(&o.MaxRequests, "requests", 0, "stop after this many requests (0: no cap)")
	fs.BoolVar(&o.Idempotency, "idempotency", false, "send an Idempotency-Key with every request")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if o.Key == "" || o.SiteID == "" {
		return usageError{fmt.Errorf("--key and --site are required")}
	}
	fmt.Fprintf(env.Stdout, "POST %s/api/v1/checkouts/%s/create with %d clients for %s\n", o.URL, o.SiteID, o.Clients, o.Duration)
	r, err := loadgen.Run(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, r)
	if r.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed", r.Errors, r.Requests)
	}
	return nil
}
