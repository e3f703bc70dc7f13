package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/store"
)

// domainRecheck is how old a verified domain's last check may be before it is
// checked again; a domain whose records went away is suspended then.
const domainRecheck = 6 * time.Hour

// RecheckDomains checks again up to 100 domains verified (or suspended) more
// than domainRecheck ago and records what it finds; it answers how many.
func RecheckDomains(ctx context.Context, st *store.Store, v *customdomain.Verifier, now time.Time, log *slog.Logger) (int, error) {
	list, err := st.DomainsToRecheck(ctx, now.Add(-domainRecheck), 100)
	if err != nil {
		return 0, err
	}
	for _, d := range list {
		was := d.Status
		status, reason := v.Check(ctx, d)
		if err := st.SetDomainStatus(ctx, d, status, reason, now); err != nil {
			log.Warn("recording a domain check", "domain", d.Hostname, "err", err)
			continue
		}
		if status != was {
			log.Info("custom domain changed state", "domain", d.Hostname, "from", was, "to", status, "reason", reason)
		}
	}
	return len(list), nil
}
