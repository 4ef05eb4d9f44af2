//! The internet side of the walk (spec §3.4, part 2 §16.2): a packet on the emulated internet, entering a VPC by
//! its internet gateway (1:1 NAT for IPv4, none for IPv6) or by an egress-only internet gateway (answers only), or
//! answered by a host of the emulated internet.

use std::net::IpAddr;

use super::{Arrival, Walker};
use crate::packet::{Code, Endpoint, HopKind, Packet, Place};
use crate::rules::describe;
use crate::topology::EniIx;

impl Walker<'_> {
    /// The packet is on the internet: a localvpc public address enters its VPC through that VPC's gateway; any
    /// other public address is a host of the emulated internet that answers.
    pub(super) fn on_internet(&mut self, packet: Packet) -> Arrival {
        let topology = self.topology;
        if let Some(eni) = topology.eni_by_public_ip(packet.dst) {
            let node = &topology.enis[eni];
            let vpc = &topology.vpcs[node.vpc];
            if packet.dst.is_ipv6() && (self.is_answer || vpc.internet_gateway.is_none()) {
                if let Some(eigw) = vpc.egress_only_gateways.first() {
                    return self.enter_by_egress_only_gateway(eni, eigw, packet);
                }
            }
            let Some(igw) = vpc.internet_gateway.clone() else {
                self.block(
                    Code::NoInternetGateway,
                    &vpc.id,
                    format!("{} has no internet gateway", vpc.id),
                    format!("attach an internet gateway to {}", vpc.id),
                    Place::Vpc(node.vpc),
                    &packet,
                );
                return None;
            };
            // Spec §3.4 [D]: a public IPv4 address maps back to the private one; an IPv6 address is the interface's
            // own (part 2 §16.2 [D]).
            let inside = match packet.dst {
                // (Only an interface with a private IPv4 address holds a public one.)
                IpAddr::V4(_) => {
                    node.private_ip.map_or(packet, |private| Packet { dst: IpAddr::V4(private), ..packet })
                }
                IpAddr::V6(_) => packet,
            };
            self.hop(
                HopKind::InternetGateway,
                &igw,
                format!("{} -> {}", packet.dst, inside.dst),
                Place::InternetGateway { id: igw.clone(), vpc: node.vpc, eni },
                &packet,
            );
            if !self.acl(node.subnet, false, &inside) {
                return None;
            }
            return self.arrive(eni, inside, None);
        }
        if !is_internet_routable(packet.dst) {
            self.block(
                Code::CannotRoute,
                "internet",
                format!("{} is not an internet address", packet.dst),
                "use a public address or a private route".into(),
                Place::Internet,
                &packet,
            );
            return None;
        }
        self.hop(
            HopKind::Internet,
            &packet.dst.to_string(),
            "a host of the emulated internet".into(),
            Place::Internet,
            &packet,
        );
        Some((Endpoint::Internet(packet.dst), packet))
    }

    /// Part 2 §16.2 [D]: an IPv6 packet from the internet to an interface behind an egress-only internet gateway —
    /// the answer of a flow the interface started passes; a connection started on the internet stops at the gateway
    /// whatever the security groups allow.
    fn enter_by_egress_only_gateway(&mut self, eni: EniIx, eigw: &str, packet: Packet) -> Arrival {
        let node = &self.topology.enis[eni];
        let place = Place::InternetGateway { id: eigw.to_string(), vpc: node.vpc, eni };
        if !self.is_answer
            && !self.block(
                Code::EgressOnlyInbound,
                eigw,
                format!(
                    "{eigw} forwards only the answers of connections started inside its VPC; {} starts one",
                    describe(&packet)
                ),
                format!(
                    "attach an internet gateway to {} and route ::/0 to it to accept connections",
                    self.topology.vpcs[node.vpc].id
                ),
                place.clone(),
                &packet,
            )
        {
            return None;
        }
        self.hop(HopKind::EgressOnlyInternetGateway, eigw, format!("answer to {}", packet.dst), place, &packet);
        if !self.acl(node.subnet, false, &packet) {
            return None;
        }
        self.arrive(eni, packet, None)
    }
}

/// Addresses the emulated internet carries: not private (RFC 1918), shared (100.64/10), loopback, link-local,
/// multicast or reserved; over IPv6, global unicast (2000::/3) only.
pub fn is_internet_routable(address: IpAddr) -> bool {
    let address = match address {
        IpAddr::V4(address) => address,
        IpAddr::V6(address) => return address.segments()[0] & 0xe000 == 0x2000,
    };
    let [a, b, ..] = address.octets();
    !(address.is_private()
        || address.is_loopback()
        || address.is_link_local()
        || address.is_multicast()
        || address.is_broadcast()
        || address.is_unspecified()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)))
}
