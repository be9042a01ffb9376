package ratelimit

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	l, err := New(Config{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("fd00::/8"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		remote  string
		headers []string
		want    string
	}{
		{"IPv4 peer", "192.0.2.1:4000", nil, "192.0.2.1"},
		{"IPv6 peer by its /64", "[2001:db8:1:2:3:4:5:6]:4000", nil, "2001:db8:1:2::/64"},
		{"IPv6 peer with a zone", "[fe80::1%eth0]:4000", nil, "fe80::/64"},
		{"IPv4-mapped peer", "[::ffff:192.0.2.1]:4000", nil, "192.0.2.1"},
		{"untrusted peer's X-Forwarded-For", "192.0.2.1:4000", []string{"X-Forwarded-For", "198.51.100.1"}, "192.0.2.1"},
		{"untrusted peer's X-Real-IP", "192.0.2.1:4000", []string{"X-Real-IP", "198.51.100.1"}, "192.0.2.1"},
		{"trusted peer", "10.0.0.1:4000", []string{"X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"trusted IPv6 peer", "[fd00::1]:4000", []string{"X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"right-most untrusted", "10.0.0.1:4000", []string{"X-Forwarded-For", "203.0.113.5, 198.51.100.1, 10.0.0.2"}, "198.51.100.1"},
		{"hops in several headers", "10.0.0.1:4000", []string{"X-Forwarded-For", "203.0.113.5", "X-Forwarded-For", "198.51.100.1, 10.0.0.2"}, "198.51.100.1"},
		{"hop with a port", "10.0.0.1:4000", []string{"X-Forwarded-For", "198.51.100.1:5555"}, "198.51.100.1"},
		{"bracketed IPv6 hop", "10.0.0.1:4000", []string{"X-Forwarded-For", "[2001:db8::9]"}, "2001:db8::/64"},
		{"every hop trusted", "10.0.0.1:4000", []string{"X-Forwarded-For", "10.9.9.9, 10.0.0.2"}, "10.9.9.9"},
		{"garbage hop", "10.0.0.1:4000", []string{"X-Forwarded-For", "198.51.100.1, junk, 10.0.0.2"}, "10.0.0.2"},
		{"garbage only", "10.0.0.1:4000", []string{"X-Forwarded-For", "junk"}, "10.0.0.1"},
		{"empty X-Forwarded-For", "10.0.0.1:4000", []string{"X-Forwarded-For", ""}, "10.0.0.1"},
		{"X-Real-IP from a trusted peer", "10.0.0.1:4000", []string{"X-Real-IP", "198.51.100.1"}, "198.51.100.1"},
		{"X-Forwarded-For wins over X-Real-IP", "10.0.0.1:4000", []string{"X-Real-IP", "198.51.100.1", "X-Forwarded-For", "203.0.113.5"}, "203.0.113.5"},
		{"garbage X-Real-IP", "10.0.0.1:4000", []string{"X-Real-IP", "junk"}, "10.0.0.1"},
		{"two X-Real-IP headers", "10.0.0.1:4000", []string{"X-Real-IP", "198.51.100.1", "X-Real-IP", "198.51.100.2"}, "10.0.0.1"},
		{"not an IP peer", "@", nil, "@"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}}
			for i := 0; i+1 < len(tc.headers); i += 2 {
				r.Header.Add(tc.headers[i], tc.headers[i+1])
			}
			if got := l.clientAddr(r); got != tc.want {
				t.Fatalf("clientAddr = %q, want %q", got, tc.want)
			}
		})
	}
}
