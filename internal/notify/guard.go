package notify

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateTarget refuses a delivery to an address that is not public. Its
// text is all a merchant sees; the address itself is for the operator's log
// (see BlockedError).
var ErrPrivateTarget = errors.New("target address not allowed")

// BlockedError is a connection refused by the guard; Addr is the address the
// name resolved to, for the operator's log only.
type BlockedError struct{ Addr string }

func (e *BlockedError) Error() string { return ErrPrivateTarget.Error() }

// Unwrap makes errors.Is(err, ErrPrivateTarget) hold.
func (e *BlockedError) Unwrap() error { return ErrPrivateTarget }

// notPublic are ranges that are not loopback, private or link-local by the
// standard library's tests, yet reach no public host or reach private ones:
// shared address space (carrier-grade NAT), benchmarking, IETF protocol
// assignments, documentation, reserved, and the IPv6 transition prefixes
// that embed an IPv4 address (NAT64, 6to4, Teredo), through which any IPv4
// address, a private one included, can be reached.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// Public reports whether addr may receive notifications: not loopback,
// private, link-local (cloud metadata lives there), unspecified, multicast,
// nor in one of the ranges of notPublic.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// Dialer returns a dialer that checks the address it actually connects to,
// after DNS resolution, so a name that resolves (or rebinds) to a private
// address is refused too. With allowPrivate every address is allowed.
func Dialer(timeout time.Duration, allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &BlockedError{Addr: address}
			}
			if !Public(ap.Addr()) {
				return &BlockedError{Addr: ap.Addr().String()}
			}
			return nil
		}
	}
	return d
}

// DialContext is the dialer's DialContext, for an http.Transport.
func DialContext(timeout time.Duration, allowPrivate bool) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return Dialer(timeout, allowPrivate).DialContext
}
