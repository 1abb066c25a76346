package safehttp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want string // a substring of the reason; "" means allowed
	}{
		// IPv4 private (RFC 1918) and its edges.
		{"10.0.0.1", "private"},
		{"10.255.255.255", "private"},
		{"9.255.255.255", ""},
		{"11.0.0.0", ""},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"172.15.255.255", ""},
		{"172.32.0.0", ""},
		{"192.168.0.1", "private"},
		{"192.168.255.255", "private"},
		{"192.169.0.0", ""},
		// Loopback, unspecified, "this network".
		{"127.0.0.1", "loopback"},
		{"127.1.2.3", "loopback"},
		{"127.255.255.255", "loopback"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "this network"},
		// Link-local and cloud metadata.
		{"169.254.0.1", "link-local"},
		{"169.254.255.255", "link-local"},
		{"169.254.169.254", ReasonMetadata},
		{"169.254.170.2", ReasonMetadata},
		{"100.100.100.200", ReasonMetadata},
		{"192.0.0.192", ReasonMetadata},
		{"168.63.129.16", ReasonMetadata},
		{"168.63.129.17", ""},
		// CGNAT (RFC 6598) and its edges.
		{"100.64.0.0", "CGNAT"},
		{"100.127.255.255", "CGNAT"},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		// Multicast, reserved, broadcast, documentation, benchmarking.
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "broadcast"},
		{"192.0.2.10", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.99", "documentation"},
		{"198.18.0.1", "benchmarking"},
		{"198.19.255.255", "benchmarking"},
		{"192.0.0.8", "IETF"},
		{"192.88.99.1", "6to4"},
		// Public IPv4.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"93.184.215.14", ""},
		{"223.255.255.255", ""},

		// IPv6 loopback, unspecified, IPv4-compatible.
		{"::1", "loopback"},
		{"::", "unspecified"},
		{"::127.0.0.1", "IPv4-compatible"},
		// IPv4-mapped: judged as the IPv4 address inside.
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:7f00:1", "loopback"},
		{"::ffff:10.1.2.3", "private"},
		{"::ffff:169.254.169.254", ReasonMetadata},
		{"::ffff:0.0.0.0", "unspecified"},
		{"::ffff:8.8.8.8", ""},
		// NAT64: judged as the IPv4 address inside.
		{"64:ff9b::7f00:1", "loopback"},
		{"64:ff9b::169.254.169.254", ReasonMetadata},
		{"64:ff9b::10.0.0.1", "private"},
		{"64:ff9b::8.8.8.8", ""},
		{"64:ff9b:1::1", "NAT64 local"},
		// Unique local (fc00::/7), link-local (fe80::/10), site-local.
		{"fc00::1", "unique local"},
		{"fd12:3456:789a::1", "unique local"},
		{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local"},
		{"fd00:ec2::254", ReasonMetadata},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"febf:ffff::1", "link-local"},
		{"fec0::1", "site-local"},
		// Multicast.
		{"ff02::1", "multicast"},
		{"ff05::1:3", "multicast"},
		{"ff0e::1", "multicast"},
		// Other special-purpose IPv6.
		{"100::1", "discard"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"2001::1", "IETF"},
		{"2002:7f00:1::1", "6to4"},
		{"5f00::1", "SRv6"},
		{"4000::1", "not IPv6 global unicast"},
		{"e000::1", "not IPv6 global unicast"},
		// Public IPv6.
		{"2606:4700:4700::1111", ""},
		{"2001:4860:4860::8888", ""},
		{"2a00:1450:4001:80b::200e", ""},
	} {
		a := netip.MustParseAddr(tc.addr)
		got := Classify(a)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("Classify(%s) = %q, want %q", tc.addr, got, tc.want)
		}
		if err := (Policy{}).Check(a); (err == nil) != (tc.want == "") {
			t.Errorf("Policy{}.Check(%s) = %v", tc.addr, err)
		}
	}
	if got := Classify(netip.Addr{}); got == "" {
		t.Error("the zero Addr is allowed")
	}
}

func TestPolicy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		policy  Policy
		allowed []string
		refused []string
	}{
		{
			"strict",
			Policy{},
			[]string{"8.8.8.8", "2606:4700:4700::1111"},
			[]string{"127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "fe80::1"},
		},
		{
			"AllowPrivate keeps metadata refused",
			Policy{AllowPrivate: true},
			[]string{"127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "fd12::1", "fe80::1%lo", "8.8.8.8"},
			[]string{"169.254.169.254", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "fd00:ec2::254", "168.63.129.16", "100.100.100.200"},
		},
		{
			"allow-list",
			Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("fd00:1::/64")}},
			[]string{"127.0.0.1", "::ffff:127.0.0.1", "fd00:1::5", "8.8.8.8"},
			[]string{"127.0.0.2", "::1", "10.0.0.1", "fd00:2::5", "169.254.169.254"},
		},
		{
			"metadata only when listed",
			Policy{AllowPrivate: true, Allow: []netip.Prefix{netip.MustParsePrefix("169.254.169.254/32")}},
			[]string{"169.254.169.254", "127.0.0.1"},
			[]string{"169.254.170.2"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.allowed {
				if err := tc.policy.Check(netip.MustParseAddr(s)); err != nil {
					t.Errorf("%s refused: %v", s, err)
				}
			}
			for _, s := range tc.refused {
				err := tc.policy.Check(netip.MustParseAddr(s))
				var re *RefusedError
				if !errors.As(err, &re) || re.Addr.Addr() != netip.MustParseAddr(s).WithZone("") {
					t.Errorf("%s: Check = %v, want a *RefusedError naming it", s, err)
				}
			}
		})
	}
}

func TestRefusedErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  RefusedError
		want string
	}{
		{RefusedError{Addr: netip.MustParseAddrPort("127.0.0.1:8080"), Reason: "loopback"},
			"safehttp: refused to connect to 127.0.0.1:8080 (loopback)"},
		{RefusedError{Addr: netip.MustParseAddrPort("127.0.0.1:8080"), Host: "127.0.0.1:8080", Reason: "loopback"},
			"safehttp: refused to connect to 127.0.0.1:8080 (loopback)"},
		{RefusedError{Addr: netip.MustParseAddrPort("127.0.0.1:443"), Host: "rebind.example:443", Reason: "loopback"},
			`safehttp: refused to connect to 127.0.0.1:443 (loopback), resolved from "rebind.example:443"`},
		{RefusedError{Addr: netip.AddrPortFrom(netip.MustParseAddr("169.254.169.254"), 0), Host: "169.254.169.254", Reason: ReasonMetadata},
			"safehttp: refused to connect to 169.254.169.254 (cloud metadata service)"},
		{RefusedError{Addr: netip.MustParseAddrPort("[::1]:80"), Reason: "loopback"},
			"safehttp: refused to connect to [::1]:80 (loopback)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestControl(t *testing.T) {
	p := Policy{}
	for _, tc := range []struct {
		network, address string
		ok               bool
	}{
		{"tcp4", "8.8.8.8:443", true},
		{"tcp6", "[2606:4700:4700::1111]:443", true},
		{"tcp4", "127.0.0.1:80", false},
		{"tcp6", "[::1]:80", false},
		{"tcp6", "[::ffff:127.0.0.1]:80", false},
		{"tcp6", "[fe80::1%eth0]:80", false},
		{"udp4", "8.8.8.8:53", false},
		{"unix", "/run/docker.sock", false},
		{"tcp4", "not-an-address", false},
	} {
		if err := p.control(tc.network, tc.address, nil); (err == nil) != tc.ok {
			t.Errorf("control(%s, %s) = %v", tc.network, tc.address, err)
		}
	}
}
