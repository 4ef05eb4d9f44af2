//! NAT64 at a NAT gateway (part 2 §13.2, §16.4): an IPv6 packet to `64:ff9b::/96` (the prefix DNS64 synthesizes
//! in, `dns::dns64_address`) leaves the gateway as IPv4 — source the gateway's private IPv4 address, destination the
//! last 32 bits — and its answer comes back as IPv6 from `64:ff9b::<answering IPv4 address>`. Any NAT gateway does
//! it, public or private; what happens to the IPv4 packet afterwards is the ordinary NAT path (`walk/nat.rs`).
//!
//! ICMP is rewritten between the two families as RFC 7915 (the stateless IP/ICMP translation algorithm) says for
//! the messages a probe sends or receives: echo request and reply, destination unreachable, time exceeded.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::Walker;
use crate::dns::dns64_address;
use crate::packet::{proto, Code, Packet, Place};
use crate::topology::{EniIx, NatNode};

impl Walker<'_> {
    /// The IPv6 packet `packet` at the NAT gateway `nat` leaves as IPv4 from source port `port` (part 2 §13.2 [D]);
    /// a destination outside `64:ff9b::/96` is not translated, and stops at the gateway.
    pub(super) fn nat64_out(
        &mut self,
        nat: &NatNode,
        nat_eni: EniIx,
        port: u16,
        place: Place,
        packet: &Packet,
    ) -> Option<Packet> {
        // (A NAT gateway always has a private IPv4 address: none is created in an IPv6-only subnet.)
        let nat_ip = self.topology.enis[nat_eni].private_ip;
        if let Some(translated) = nat_ip.and_then(|ip| to_ipv4(packet, ip, port)) {
            return Some(translated);
        }
        // ASSUMPTION (part 2 §19 [I]: the Reachability Analyzer analyses IPv4 only, and for IPv6-only drops the
        // engine uses the nearest IPv4 code): a NAT gateway translates IPv6 to 64:ff9b::/96 only, so another IPv6
        // destination is one the route's target cannot deliver to — CANNOT_ROUTE, as for peering's edge-to-edge.
        self.block(
            Code::CannotRoute,
            &nat.id,
            format!("{} translates only IPv6 destinations in 64:ff9b::/96 (NAT64), not {}", nat.id, packet.dst),
            format!(
                "route {} to an internet gateway or an egress-only internet gateway; keep only 64:ff9b::/96 -> {}",
                packet.dst, nat.id
            ),
            place,
            packet,
        );
        None
    }
}

/// The IPv4 address a NAT64 destination embeds, when `address` is in the well-known prefix `64:ff9b::/96`
/// (part 2 §13.2 [D]: "destination → last 32 bits").
pub(crate) fn embedded_ipv4(address: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = address.to_bits();
    (bits >> 32 == 0x0064_ff9b_u128 << 64).then(|| Ipv4Addr::from(bits as u32))
}

/// The packet a NAT gateway sends on for an IPv6 packet it received, when the destination is a NAT64 one: source
/// the gateway's private IPv4 address `nat_ip` and port `port` (kept for ICMP, port 0), destination the embedded
/// IPv4 address, ICMPv6 as ICMP. `None` for an IPv4 packet or a destination outside `64:ff9b::/96`.
pub(crate) fn to_ipv4(packet: &Packet, nat_ip: Ipv4Addr, port: u16) -> Option<Packet> {
    let IpAddr::V6(destination) = packet.dst else { return None };
    let destination = embedded_ipv4(destination)?;
    let (protocol, icmp) = match packet.protocol {
        proto::ICMPV6 => (proto::ICMP, icmpv6_to_icmp(packet.icmp)),
        other => (other, packet.icmp),
    };
    Some(Packet {
        src: IpAddr::V4(nat_ip),
        dst: IpAddr::V4(destination),
        protocol,
        src_port: if port == 0 { packet.src_port } else { port },
        icmp,
        ..*packet
    })
}

/// The answer an IPv6 host gets for an IPv4 answer `packet` the gateway translates back to `host` (its original
/// source): from `64:ff9b::<the answering address>`, ICMP as ICMPv6.
pub(crate) fn to_ipv6(packet: &Packet, host: Ipv6Addr) -> Packet {
    let source = match packet.src {
        IpAddr::V4(source) => IpAddr::V6(dns64_address(source)),
        IpAddr::V6(source) => IpAddr::V6(source),
    };
    let (protocol, icmp) = match packet.protocol {
        proto::ICMP => (proto::ICMPV6, icmp_to_icmpv6(packet.icmp)),
        other => (other, packet.icmp),
    };
    Packet { src: source, dst: IpAddr::V6(host), protocol, icmp, ..*packet }
}

/// RFC 7915 §5.2: ICMPv6 type and code as ICMP.
fn icmpv6_to_icmp((kind, code): (i32, i32)) -> (i32, i32) {
    match (kind, code) {
        (128, _) => (8, 0),
        (129, _) => (0, 0),
        (1, 4) => (3, 3),
        (1, _) => (3, 1),
        (2, _) => (3, 4),
        (3, code) => (11, code),
        other => other,
    }
}

/// RFC 7915 §4.2: ICMP type and code as ICMPv6.
fn icmp_to_icmpv6((kind, code): (i32, i32)) -> (i32, i32) {
    match (kind, code) {
        (8, _) => (128, 0),
        (0, _) => (129, 0),
        (3, 3) => (1, 4),
        (3, 4) => (2, 0),
        (3, _) => (1, 0),
        (11, code) => (3, code),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nat64_takes_the_last_32_bits_of_64_ff9b_96_only() {
        let inside: Ipv6Addr = "64:ff9b::cb00:7107".parse().unwrap();
        assert_eq!(embedded_ipv4(inside), Some(Ipv4Addr::new(203, 0, 113, 7)));
        assert_eq!(dns64_address(Ipv4Addr::new(203, 0, 113, 7)), inside);
        for outside in ["64:ff9b:1::cb00:7107", "2001:db8::cb00:7107", "::cb00:7107", "64:ff9b::1:cb00:7107"] {
            assert_eq!(embedded_ipv4(outside.parse().unwrap()), None, "{outside}");
        }
    }

    #[test]
    fn nat64_translates_an_echo_request_out_and_its_reply_back() {
        let host: Ipv6Addr = "2600:1f00::5".parse().unwrap();
        let request =
            Packet::request(IpAddr::V6(host), "64:ff9b::cb00:7107".parse().unwrap(), crate::packet::Protocol::Icmp);
        let out = to_ipv4(&request, Ipv4Addr::new(10, 0, 0, 9), 0).expect("a NAT64 destination");
        assert_eq!(
            (out.src, out.dst, out.protocol, out.icmp),
            ("10.0.0.9".parse().unwrap(), "203.0.113.7".parse().unwrap(), proto::ICMP, (8, 0))
        );
        let back = to_ipv6(&out.answer(), host);
        assert_eq!(
            (back.src, back.dst, back.protocol, back.icmp),
            ("64:ff9b::cb00:7107".parse().unwrap(), IpAddr::V6(host), proto::ICMPV6, (129, 0))
        );
        // A closed UDP port's ICMP error comes back as ICMPv6 port unreachable.
        assert_eq!(icmp_to_icmpv6((3, 3)), (1, 4));
        assert_eq!(to_ipv4(&Packet { dst: "2001:db8::1".parse().unwrap(), ..request }, Ipv4Addr::LOCALHOST, 0), None);
    }
}
