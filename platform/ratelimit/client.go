package ratelimit

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr returns the address a request is counted by: its direct
// peer, unless that peer is a trusted proxy, in which case the right-most
// address of X-Forwarded-For that is not a trusted proxy (or, without
// X-Forwarded-For, a valid X-Real-IP). IPv6 addresses are counted by
// their /64, which one client typically holds whole. A peer that is not an
// IP address (a Unix socket) is counted by RemoteAddr as it is.
func (l *Limiter) clientAddr(r *http.Request) string {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !l.isTrusted(peer) {
		return canonical(peer)
	}
	if forwarded := r.Header.Values("X-Forwarded-For"); len(forwarded) > 0 {
		return canonical(l.rightmostUntrusted(forwarded, peer))
	}
	if real := r.Header.Values("X-Real-IP"); len(real) == 1 {
		if a, ok := parseAddr(strings.TrimSpace(real[0])); ok {
			return canonical(a)
		}
	}
	return canonical(peer)
}

// rightmostUntrusted walks the X-Forwarded-For hops from the right (the
// nearest, appended by our own proxies) and returns the first that is not
// a trusted proxy. Hops left of it were written by the client and are
// not believed. When every hop is trusted it returns the farthest; when a
// hop does not parse (a proxy that did not append), the nearest trusted
// one seen, so that garbage cannot choose whom a request is counted as.
func (l *Limiter) rightmostUntrusted(values []string, peer netip.Addr) netip.Addr {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseAddr(strings.TrimSpace(hops[i]))
		if !ok {
			return last
		}
		if !l.isTrusted(a) {
			return a
		}
		last = a
	}
	return last
}

func (l *Limiter) isTrusted(a netip.Addr) bool {
	for _, p := range l.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseAddr parses "ip", "ip:port", "[ipv6]" or "[ipv6]:port", dropping
// the port and any zone and unmapping IPv4-mapped IPv6 addresses.
func parseAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// canonical returns the counter name of a: an IPv4 address itself, an
// IPv6 address its /64.
func canonical(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
