//! The walk through a NAT gateway (part 2 §13.2): out of a private subnet with the source translated to the
//! gateway's address, and back in for the answers of those flows only.
//!
//! On the way out the gateway must be `available` and the packet must come from an interface of its own VPC; the
//! gateway's subnet's network ACL sees the packet enter (unless the sender shares the subnet), the gateway replaces
//! source address and port, and the packet leaves by the gateway's subnet's ACL and route table — to the internet
//! gateway, which maps a public gateway's address to its Elastic IP (and refuses a private gateway's), or to any
//! other route. An answer reaching the gateway's address is translated back only if the request leg of the same
//! flow made the translation: nothing else passes a NAT gateway inwards. An IPv6 packet is translated to IPv4 on
//! the way in and its answer back to IPv6 (NAT64, `walk/nat64.rs`); the rest of the walk is the same.

use std::net::IpAddr;

use super::{Arrival, Walker};
use crate::packet::{Code, HopKind, NatMapping, Packet, Place};
use crate::rules::describe;
use crate::topology::EniIx;

/// Part 2 §13.2 [D]: the gateway picks source ports in 1024–65535. A fixed mix of the original port and address, so
/// a probe's path is the same every time, and a network ACL that admits only the sender's own ephemeral range
/// (not the gateway's) shows as the drop it is on AWS.
fn mapped_port(packet: &Packet) -> u16 {
    if packet.is_icmp() {
        return 0;
    }
    let source = match packet.src {
        IpAddr::V4(address) => u32::from(address),
        IpAddr::V6(address) => address
            .to_bits()
            .to_le_bytes()
            .chunks(4)
            .fold(0, |mix, word| mix ^ u32::from_le_bytes(word.try_into().unwrap_or_default())),
    };
    let mix = u32::from(packet.src_port).wrapping_mul(40_503) ^ source;
    (1024 + mix % (65_536 - 1024)) as u16
}

impl Walker<'_> {
    /// A route sent the packet of `source` to the NAT gateway `id`.
    pub(super) fn through_nat_gateway(&mut self, source: EniIx, id: &str, packet: Packet) -> Arrival {
        let topology = self.topology;
        let vpc = topology.enis[source].vpc;
        let Some(nat) = topology.nat_gateway(id) else {
            self.block(
                Code::BadState,
                id,
                format!("{id} does not exist"),
                "create a NAT gateway and route to it".into(),
                Place::Appliance { id: id.to_string(), vpc },
                &packet,
            );
            return None;
        };
        let place = Place::NatGateway { id: nat.id.clone(), vpc: nat.vpc, eni: nat.eni };
        let (Some(nat_eni), true) = (nat.eni, nat.available) else {
            self.block(
                Code::BadState,
                &nat.id,
                format!("{} is not available", nat.id),
                format!("route to an available NAT gateway instead of {}", nat.id),
                place,
                &packet,
            );
            return None;
        };
        // A NAT gateway's own packets routed to a NAT gateway: the second one would see a foreign source.
        if topology.nat_of_eni(source).is_some() {
            self.block(
                Code::CannotRoute,
                &nat.id,
                format!("{} does not forward traffic another NAT gateway translated", nat.id),
                format!("route the NAT gateway's subnet to an internet gateway, not to {}", nat.id),
                place,
                &packet,
            );
            return None;
        }
        // Part 2 §13.2 step 2 [D]: only interfaces of the gateway's own VPC may use it. Traffic a transit gateway
        // brought into the VPC is sent on by the attachment's interface in the VPC, so it passes (centralized
        // egress, part 2 §13.2 step 2 [D]); peering delivers only inside the VPC and never reaches here.
        if vpc != nat.vpc
            && !self.block(
                Code::NgwRequiresSourceInVpc,
                &nat.id,
                format!("{} accepts only traffic from interfaces of {}", nat.id, topology.vpcs[nat.vpc].id),
                format!("give {} a NAT gateway of its own", topology.vpcs[vpc].id),
                place.clone(),
                &packet,
            )
        {
            return None;
        }
        // Step 1: the packet enters the gateway's subnet (a sender in that subnet reaches it directly).
        if topology.enis[source].subnet != nat.subnet && !self.acl(nat.subnet, false, &packet) {
            return None;
        }
        let nat_ip = topology.enis[nat_eni].primary_address();
        let port = mapped_port(&packet);
        let translated = match packet.dst {
            IpAddr::V4(_) => Packet { src: nat_ip, src_port: if port == 0 { packet.src_port } else { port }, ..packet },
            // Part 2 §13.2 [D]: NAT64 — an IPv6 packet leaves as IPv4.
            IpAddr::V6(_) => self.nat64_out(nat, nat_eni, port, place.clone(), &packet)?,
        };
        let nat64 = if packet.dst == translated.dst {
            String::new()
        } else {
            format!(", NAT64 {} -> {}", packet.dst, translated.dst)
        };
        self.hop(
            HopKind::NatGateway,
            &nat.id,
            format!(
                "{} -> {} ({}){nat64}",
                endpoint(packet.src, packet.src_port),
                endpoint(nat_ip, translated.src_port),
                describe(&packet)
            ),
            place,
            &packet,
        );
        self.translations.push(NatMapping {
            nat_eni,
            original_src: packet.src,
            original_port: packet.src_port,
            mapped_port: port,
        });
        // Step 4: out of the gateway's subnet, by its network ACL and route table.
        if !self.acl(nat.subnet, true, &translated) {
            return None;
        }
        self.route(nat.vpc, nat.subnet, nat_eni, translated)
    }

    /// A packet reached the interface of a NAT gateway: the answer of a flow it translated goes back to the host
    /// that started it; anything else stops here.
    pub(super) fn arrive_at_nat_gateway(&mut self, nat_eni: EniIx, packet: Packet) -> Arrival {
        let topology = self.topology;
        let nat = topology.nat_of_eni(nat_eni)?;
        let place = Place::NatGateway { id: nat.id.clone(), vpc: nat.vpc, eni: Some(nat_eni) };
        // An ICMP error (a closed UDP port) answers the flow it quotes; the other answers are told by port.
        let mapping = self
            .conntrack
            .iter()
            .find(|m| m.nat_eni == nat_eni && (packet.is_icmp() || m.mapped_port == packet.dst_port))
            .filter(|_| self.is_answer)
            .copied();
        let Some(mapping) = mapping else {
            self.block(
                Code::UnsolicitedInbound,
                &nat.id,
                format!(
                    "{} forwards only the answers of flows started inside {}; {} starts a new one",
                    nat.id,
                    topology.vpcs[nat.vpc].id,
                    describe(&packet)
                ),
                "start the connection from inside the VPC, or give the destination a public address of its own".into(),
                place,
                &packet,
            );
            return None;
        };
        let back = Packet {
            dst: mapping.original_src,
            dst_port: if mapping.mapped_port == 0 { packet.dst_port } else { mapping.original_port },
            ..packet
        };
        // A NAT64 flow's answer goes back as IPv6 (part 2 §13.2 [D]).
        let back = match mapping.original_src {
            IpAddr::V6(host) => super::nat64::to_ipv6(&back, host),
            IpAddr::V4(_) => back,
        };
        self.hop(
            HopKind::NatGateway,
            &nat.id,
            format!(
                "{} -> {}{}",
                endpoint(packet.dst, packet.dst_port),
                endpoint(back.dst, back.dst_port),
                if back.src == packet.src { String::new() } else { format!(", NAT64 {} -> {}", packet.src, back.src) }
            ),
            place,
            &packet,
        );
        // A host outside the VPC sent through a transit gateway (centralized egress, part 2 §14.4 [D]): the
        // gateway's subnet routes the answer back towards it.
        if !topology.vpcs[nat.vpc].contains(back.dst) {
            if !self.acl(nat.subnet, true, &back) {
                return None;
            }
            return self.route(nat.vpc, nat.subnet, nat_eni, back);
        }
        // Into the VPC: out of the gateway's subnet (unless the host shares it), then the local route.
        let host_subnet = topology.subnet_containing(nat.vpc, back.dst);
        if host_subnet != Some(nat.subnet) && !self.acl(nat.subnet, true, &back) {
            return None;
        }
        self.deliver_private(nat.vpc, Some(nat.subnet), back, None)
    }
}

fn endpoint(address: IpAddr, port: u16) -> String {
    if port == 0 {
        address.to_string()
    } else {
        format!("{address}:{port}")
    }
}
