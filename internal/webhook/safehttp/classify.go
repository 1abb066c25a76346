package safehttp

import (
	"net/netip"
)

// Reasons Classify gives. Any other non-empty reason is a special-purpose
// range named after the IANA registries.
const (
	ReasonMetadata = "cloud metadata service"
)

type rangeReason struct {
	prefix netip.Prefix
	reason string
}

func ranges(reason string, prefixes ...string) []rangeReason {
	out := make([]rangeReason, len(prefixes))
	for i, p := range prefixes {
		out[i] = rangeReason{netip.MustParsePrefix(p), reason}
	}
	return out
}

// metadata lists cloud instance-metadata and host-agent addresses. They are
// refused even when Policy.AllowPrivate is set; only an explicit
// Policy.Allow entry reaches them. Most also lie in a refused range; Azure's
// wire server does not (it is in public space).
var metadata = ranges(ReasonMetadata,
	"169.254.169.254/32", // AWS, GCP, Azure, OpenStack, DigitalOcean, ... IMDS
	"169.254.170.2/32",   // AWS ECS task metadata
	"169.254.170.23/32",  // AWS EKS Pod Identity agent
	"169.254.0.23/32",    // Tencent Cloud metadata
	"100.100.100.200/32", // Alibaba Cloud metadata
	"192.0.0.192/32",     // Oracle Cloud metadata
	"168.63.129.16/32",   // Azure wire server / host agent
	"fd00:ec2::254/128",  // AWS IMDS over IPv6
	"fd00:ec2::23/128",   // AWS EKS Pod Identity agent over IPv6
)

// v4Special are the IPv4 ranges that are not public unicast (IANA IPv4
// Special-Purpose Address Registry, plus multicast and the reserved block).
var v4Special = concat(
	ranges("\"this network\" / unspecified", "0.0.0.0/8"),
	ranges("private (RFC 1918)", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
	ranges("shared address space / CGNAT (RFC 6598)", "100.64.0.0/10"),
	ranges("loopback", "127.0.0.0/8"),
	ranges("link-local", "169.254.0.0/16"),
	ranges("IETF protocol assignments", "192.0.0.0/24"),
	ranges("documentation", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
	ranges("6to4 relay anycast", "192.88.99.0/24"),
	ranges("benchmarking", "198.18.0.0/15"),
	ranges("multicast", "224.0.0.0/4"),
	ranges("reserved / broadcast", "240.0.0.0/4"),
)

// v6Special are the IPv6 ranges refused inside global unicast (2000::/3);
// everything outside 2000::/3 is refused too (see Classify).
var v6Special = concat(
	ranges("IETF protocol assignments (Teredo, ORCHID, benchmarking, ...)", "2001::/23"),
	ranges("documentation", "2001:db8::/32", "3fff::/20"),
	ranges("6to4", "2002::/16"),
)

// v6Outside names the ranges outside 2000::/3 for the error message.
var v6Outside = concat(
	ranges("unspecified", "::/128"),
	ranges("loopback", "::1/128"),
	ranges("IPv4-compatible (deprecated)", "::/96"),
	ranges("NAT64 local use", "64:ff9b:1::/48"),
	ranges("discard-only", "100::/64"),
	ranges("SRv6 SIDs", "5f00::/16"),
	ranges("unique local (fc00::/7)", "fc00::/7"),
	ranges("link-local", "fe80::/10"),
	ranges("site-local (deprecated)", "fec0::/10"),
	ranges("multicast", "ff00::/8"),
)

var (
	nat64       = netip.MustParsePrefix("64:ff9b::/96")
	globalV6    = netip.MustParsePrefix("2000::/3")
	v6Reason    = "not IPv6 global unicast"
	invalidAddr = "invalid address"
)

func concat(lists ...[]rangeReason) []rangeReason {
	var out []rangeReason
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func lookup(table []rangeReason, a netip.Addr) string {
	// The most specific (longest) matching prefix names the reason.
	best, bits := "", -1
	for _, r := range table {
		if r.prefix.Contains(a) && r.prefix.Bits() > bits {
			best, bits = r.reason, r.prefix.Bits()
		}
	}
	return best
}

// Classify returns why a is not an acceptable destination for an outgoing
// request, or "" for a public unicast address. It looks through IPv4-mapped
// (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) IPv6 addresses to the IPv4
// address inside, and ignores zones.
func Classify(a netip.Addr) string {
	if !a.IsValid() {
		return invalidAddr
	}
	a = a.WithZone("")
	if r := lookup(metadata, a); r != "" {
		return r
	}
	if a.Is4In6() {
		return Classify(a.Unmap())
	}
	if a.Is4() {
		return lookup(v4Special, a)
	}
	if nat64.Contains(a) {
		b := a.As16()
		return Classify(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	if !globalV6.Contains(a) {
		if r := lookup(v6Outside, a); r != "" {
			return r
		}
		return v6Reason
	}
	return lookup(v6Special, a)
}
