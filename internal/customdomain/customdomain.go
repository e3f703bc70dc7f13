// Package customdomain is a merchant's own hostname for a site's payment
// pages (pay.shop.example): what a valid one is, and how control of it is
// proven, by a CNAME to our payment pages' host or a TXT record with the
// domain's token. It knows nothing of HTTP or SQL.
package customdomain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/errs"
	"github.com/pgw/pgw/internal/ids"
)

// States of a domain.
const (
	Pending   = "pending"
	Verified  = "verified"
	Failed    = "failed"
	Suspended = "suspended" // was verified; its records went away
)

// Domain is a site's own hostname.
type Domain struct {
	ID             string `bun:",pk"`
	OrganizationID string `bun:",notnull"`
	SiteID         string `bun:",notnull"`
	Hostname       string `bun:",notnull"`
	// Token is what a TXT record at _pgw-verify.<hostname> may hold instead
	// of the CNAME.
	Token  string `bun:",notnull"`
	Status string `bun:",notnull"`
	// Primary: the site's paymentUrls use this hostname while it is
	// verified. A site has at most one.
	Primary    bool      `bun:"is_primary,notnull"`
	Reason     string    `bun:",notnull"`
	VerifiedAt time.Time `bun:",nullzero"`
	CheckedAt  time.Time `bun:",nullzero"`
	CreatedAt  time.Time `bun:",notnull"`
}

// NewClaim is a site's new, pending claim of hostname (normalized already),
// with a fresh random token for the TXT record.
func NewClaim(orgID, siteID, hostname string, primary bool, now time.Time) *Domain {
	return &Domain{ID: ids.New("dom"), OrganizationID: orgID, SiteID: siteID, Hostname: hostname,
		Token: "pgw-verify=" + ids.Token(32), Status: Pending, Primary: primary, CreatedAt: now}
}

// TXTName is where the alternative TXT record goes.
func (d *Domain) TXTName() string { return "_pgw-verify." + d.Hostname }

// Normalize checks a hostname a merchant gave and returns it lower-case
// without a final dot: at least two labels of letters, digits and inner
// hyphens, no address, none of reserved (our own hosts).
func Normalize(hostname string, reserved []string) (string, error) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(hostname)), ".")
	bad := func(why string) error { return errs.Refused("validation_error", "hostname", "hostname "+why) }
	if h == "" || len(h) > 253 {
		return "", bad("must be 1 to 253 characters")
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return "", bad("must be a name, not an address")
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return "", bad("must have at least two labels (pay.shop.example)")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' ||
			strings.ContainsFunc(l, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') }) {
			return "", bad("must be letters, digits and inner hyphens (punycode for other scripts)")
		}
	}
	if slices.Contains(reserved, h) {
		return "", bad("is one of this installation's own")
	}
	return h, nil
}

// HostOf is the host of a public base URL (main-frontend's), where custom
// domains point; "" when it has none.
func HostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// Resolver is what verification asks; *net.Resolver is one.
type Resolver interface {
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Verifier checks that a domain points at the payment pages' host.
type Verifier struct {
	Resolver Resolver
	// Target is main-frontend's host, where CNAMEs must point.
	Target string
	// Own are the installation's other hostnames (the Admin API's, the
	// runtime API's): like Target, nobody may claim them, even where a
	// CNAME to Target would verify them.
	Own     []string
	Timeout time.Duration
}

// Reserved are the hostnames no merchant may claim: the installation's own
// and also (only also when v is nil: checks are not configured).
func (v *Verifier) Reserved(also ...string) []string {
	if v == nil {
		return also
	}
	return append(append([]string{v.Target}, v.Own...), also...)
}

// NewResolver asks the DNS server at addr (host:port), or the system's
// when addr is empty.
func NewResolver(addr string) *net.Resolver {
	if addr == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// Check answers a domain's status and, when not verified, why.
func (v *Verifier) Check(ctx context.Context, d *Domain) (status, reason string) {
	timeout := v.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	target := strings.TrimSuffix(strings.ToLower(v.Target), ".")
	cname, cerr := v.Resolver.LookupCNAME(ctx, d.Hostname)
	cname = strings.TrimSuffix(strings.ToLower(cname), ".")
	if cerr == nil && cname == target {
		return Verified, ""
	}
	txts, terr := v.Resolver.LookupTXT(ctx, d.TXTName())
	if terr == nil && slices.Contains(txts, d.Token) {
		return Verified, ""
	}
	was := Failed
	if d.Status == Verified || d.Status == Suspended {
		was = Suspended
	}
	var dnsErr *net.DNSError
	switch {
	case cerr == nil && cname != d.Hostname:
		return was, fmt.Sprintf("%s is a CNAME to %s, not to %s", d.Hostname, cname, target)
	case errors.As(cerr, &dnsErr) && dnsErr.IsNotFound, cerr == nil:
		return was, fmt.Sprintf("%s has no CNAME to %s and %s holds no TXT record with the domain's token", d.Hostname, target, d.TXTName())
	default:
		return was, "the DNS lookup failed: " + cerr.Error()
	}
}
