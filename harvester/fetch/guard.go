package fetch

import (
	"fmt"
	"net/netip"
	"syscall"
)

// Ranges that IsPrivate and friends leave out but that are no place for a harvester either.
var specialNets = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64: its translator may reach anything
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("::/96"),          // IPv4-compatible (deprecated): ::127.0.0.1 reaches loopback on some stacks
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated), still routed inside some networks
}

// Prefixes whose addresses carry an IPv4 address that a translator or relay reaches on the
// client's behalf: they are as public as the address they embed.
var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64: v4 in the last 32 bits
	sixTo = netip.MustParsePrefix("2002::/16")    // 6to4: v4 in bits 16 to 47
)

// refusePrivate is a net.Dialer Control function: it runs on the resolved address just before
// connecting, so it sees what DNS really answered and every redirect hop.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read %q", ErrPrivateAddress, address)
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
	}
	return nil
}

// Public reports whether a is an address the client may reach without AllowPrivate.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() ||
		a.IsMulticast() {
		return false
	}
	for _, p := range specialNets {
		if p.Contains(a) {
			return false
		}
	}
	if v4, ok := embeddedV4(a); ok {
		return Public(v4)
	}
	return true
}

// embeddedV4 returns the IPv4 address that a NAT64 or 6to4 address leads to.
func embeddedV4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixTo.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}
