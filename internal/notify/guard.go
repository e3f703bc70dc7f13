package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateTarget refuses a delivery to an address inside a private network.
var ErrPrivateTarget = errors.New("target address is loopback, private, link-local or otherwise not public")

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Public reports whether addr may receive notifications: not loopback,
// private, link-local (cloud metadata lives there), unspecified, multicast or
// carrier-grade NAT.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	return addr.IsValid() && !addr.IsLoopback() && !addr.IsPrivate() && !addr.IsLinkLocalUnicast() &&
		!addr.IsLinkLocalMulticast() && !addr.IsInterfaceLocalMulticast() && !addr.IsMulticast() &&
		!addr.IsUnspecified() && !cgnat.Contains(addr)
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
				return fmt.Errorf("%w: %s", ErrPrivateTarget, address)
			}
			if !Public(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrPrivateTarget, ap.Addr())
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
