//! What a probe leaves in VPC flow logs (part 2 §18.3): from a first-drop [`Trace`], one record per interface the
//! packets crossed — which interface logs which packet, in which direction, with which action. Which flow logs
//! cover an interface, the clock and the record's text are the API's and the model's; this is the data-plane rule.
//!
//! - `action` is the security group and network ACL verdict *at that interface*, not end-to-end delivery (§18.3
//!   [I]): the sender logs `ACCEPT` for a packet routing drops later; a packet its own groups or subnet ACL stop is
//!   `REJECT` there; the receiver logs `REJECT` for a packet its ACL (inbound) or groups deny, `ACCEPT` otherwise.
//! - A packet stopped before it reaches an interface leaves no record there.
//! - The interface's side of a record shows its primary private address, never a public or secondary one (§18.2
//!   [D]); `pkt_src`/`pkt_dst` keep the packet's real addresses.
//! - A NAT gateway's interface logs both legs it forwards (§18.3 [D]): in from the host, out to the destination
//!   (and back for the answer), its own address on its side; a transit gateway's VPC attachments log the packet
//!   entering the gateway and leaving it, at their interfaces.
//! - Never logged (§18.3 [D]): traffic to the Amazon DNS resolver (VPC base + 2, 169.254.169.253), instance
//!   metadata (169.254.169.254), Amazon Time Sync (169.254.169.123), the VPC router (base + 1).

use std::net::{IpAddr, Ipv4Addr};

use localvpc_model::flow_log::format::Action;

use crate::packet::{proto, Endpoint, HopKind, Leg, Packet, Place, Protocol, Trace, Vantage};
use crate::topology::{EniIx, Topology};

/// One flow log record, before a flow log stamps it with times and formats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord {
    /// The interface that logs it.
    pub eni: EniIx,
    /// `true`: the interface received the packet (`flow-direction` ingress).
    pub ingress: bool,
    /// Source as logged.
    pub srcaddr: IpAddr,
    /// Destination as logged.
    pub dstaddr: IpAddr,
    /// Source port (0 for ICMP).
    pub srcport: u16,
    /// Destination port (0 for ICMP).
    pub dstport: u16,
    /// IANA protocol number.
    pub protocol: i32,
    /// The packet's real source (`pkt-srcaddr`).
    pub pkt_src: IpAddr,
    /// The packet's real destination (`pkt-dstaddr`).
    pub pkt_dst: IpAddr,
    /// Packets (one probe sends one).
    pub packets: u64,
    /// Bytes on the wire.
    pub bytes: u64,
    /// TCP flags (`None` for other protocols).
    pub tcp_flags: Option<u8>,
    /// ACCEPT or REJECT at this interface.
    pub action: Action,
    /// `traffic-path` of an egress record, where known (part 2 §18.2: 1 same VPC, 3 virtual private gateway,
    /// 4 intra-Region peering, 8 internet gateway).
    pub traffic_path: Option<u8>,
}

/// The addresses whose traffic is never logged (part 2 §18.3 [D]).
const UNLOGGED: [Ipv4Addr; 3] =
    [Ipv4Addr::new(169, 254, 169, 253), Ipv4Addr::new(169, 254, 169, 254), Ipv4Addr::new(169, 254, 169, 123)];

/// TCP flags (part 2 §18.2 [D]).
const SYN: u8 = 2;
const RST: u8 = 4;
const SYN_ACK: u8 = 18;

/// Every record the probe of `trace` (walked first-drop) leaves, request leg first.
pub fn records(topology: &Topology, trace: &Trace) -> Vec<FlowRecord> {
    if never_logged(topology, trace) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let request_flags = matches!(trace.probe.protocol, Protocol::Tcp(_)).then_some(SYN);
    leg_records(topology, &trace.forward, request_flags, &mut out);
    if let Some(reply) = &trace.reply {
        let answer_flags = match (trace.probe.protocol, trace.forward.delivered) {
            (Protocol::Tcp(port), Some((Endpoint::Eni(eni), _))) if !topology.enis[eni].listening.contains(&port) => {
                Some(RST)
            }
            (Protocol::Tcp(_), _) => Some(SYN_ACK),
            _ => None,
        };
        leg_records(topology, reply, answer_flags, &mut out);
    }
    out
}

/// Part 2 §18.3 [D]: the Amazon resolver, metadata, time sync and the VPC router are not logged.
fn never_logged(topology: &Topology, trace: &Trace) -> bool {
    let destination = match trace.probe.destination {
        IpAddr::V4(destination) => destination,
        // The resolver's IPv6 address (part 2 §16.4) is the resolver, unlogged as its IPv4 ones are.
        IpAddr::V6(destination) => return destination == crate::dns::AMAZON_IPV6,
    };
    if UNLOGGED.contains(&destination) {
        return true;
    }
    let Vantage::Eni(eni) = trace.probe.from else {
        return false;
    };
    unlogged_peers(topology, eni).contains(&destination)
}

/// The addresses whose traffic with `eni` is never logged (part 2 §18.3 [D]): the Amazon resolver, metadata and
/// time sync, and the VPC router — its VPC's base + 1 and base + 2 and, ASSUMPTION (the router answers at every
/// subnet's base + 1), its own subnet's base + 1. The kernel data plane captures nothing to or from these.
pub fn unlogged_peers(topology: &Topology, eni: EniIx) -> Vec<Ipv4Addr> {
    let node = &topology.enis[eni];
    let base = u32::from(topology.vpcs[node.vpc].primary_cidr.network());
    // An IPv6-only subnet has no IPv4 router address of its own.
    let subnet_router = topology.subnets[node.subnet].cidr.map(|block| u32::from(block.network()) + 1);
    let mut peers = UNLOGGED.to_vec();
    for address in [Some(base + 1), Some(base + 2), subnet_router].into_iter().flatten() {
        if !peers.contains(&Ipv4Addr::from(address)) {
            peers.push(Ipv4Addr::from(address));
        }
    }
    peers
}

/// A flow the kernel data plane saw at an interface (real packets, not a probe), summed over its aggregation
/// window: what a flow log records for it once the API has stamped it with the emulator's clock and formatted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedFlow {
    /// `eni-…` that logs it.
    pub interface_id: String,
    /// `true`: the interface received the packets.
    pub ingress: bool,
    /// The packets' source.
    pub src: IpAddr,
    /// The packets' destination.
    pub dst: IpAddr,
    /// Source port (0 for ICMP).
    pub srcport: u16,
    /// Destination port (0 for ICMP).
    pub dstport: u16,
    /// IANA protocol number.
    pub protocol: i32,
    /// Packets in the window.
    pub packets: u64,
    /// Bytes in the window (IP total length).
    pub bytes: u64,
    /// TCP flags seen, OR-ed (part 2 §18.2); `None` for other protocols.
    pub tcp_flags: Option<u8>,
    /// ACCEPT or REJECT at this interface.
    pub action: Action,
    /// The first packet, Unix seconds of the host's clock.
    pub start: u64,
    /// The last packet, Unix seconds of the host's clock.
    pub end: u64,
}

/// Bytes of one packet on the wire. ASSUMPTION (part 2 §18.2: bytes are summed per window; a probe is one packet):
/// what Linux sends — a 56-byte ping (84), a SYN or SYN-ACK with options (60), a RST (40), traceroute's 60-byte UDP
/// probe (60), an ICMP port unreachable quoting it (88).
fn bytes(packet: &Packet, flags: Option<u8>) -> u64 {
    match (packet.protocol, flags) {
        (proto::TCP, Some(RST)) => 40,
        (proto::TCP, _) => 60,
        (proto::UDP, _) => 60,
        (_, _) if packet.icmp.0 == 3 => 88,
        _ => 84,
    }
}

fn record(eni: EniIx, ingress: bool, own: IpAddr, packet: &Packet, flags: Option<u8>, action: Action) -> FlowRecord {
    let (srcaddr, dstaddr) = if ingress { (packet.src, own) } else { (own, packet.dst) };
    FlowRecord {
        eni,
        ingress,
        srcaddr,
        dstaddr,
        srcport: packet.src_port,
        dstport: packet.dst_port,
        protocol: packet.protocol,
        pkt_src: packet.src,
        pkt_dst: packet.dst,
        packets: 1,
        bytes: bytes(packet, flags),
        tcp_flags: (packet.protocol == proto::TCP).then_some(flags).flatten(),
        action,
        traffic_path: None,
    }
}

/// The interface's side of a record (part 2 §18.2 [D]): its primary private IPv4 address for an IPv4 packet
/// (whichever of its addresses the packet carries), its IPv6 address — the packet's own — for an IPv6 one.
fn own_address(topology: &Topology, eni: EniIx, on_packet: IpAddr) -> IpAddr {
    match on_packet {
        IpAddr::V4(_) => topology.enis[eni].private_ip.map_or(on_packet, IpAddr::V4),
        IpAddr::V6(_) => on_packet,
    }
}

/// The hops a packet crosses while still at its sender: leaving the interface, its groups, its subnet's ACL.
fn at_sender(kind: HopKind) -> bool {
    matches!(kind, HopKind::NetworkInterface | HopKind::SecurityGroupEgress | HopKind::AclOutbound)
}

/// Part 2 §18.2 `traffic-path` of the sender's egress record, from the first component beyond it.
fn traffic_path(leg: &Leg) -> Option<u8> {
    leg.hops.iter().find_map(|hop| match hop.kind {
        HopKind::NatGateway => Some(1),
        HopKind::VpnGateway => Some(3),
        HopKind::PeeringConnection => Some(4),
        HopKind::InternetGateway => Some(8),
        _ => None,
    })
}

fn leg_records(topology: &Topology, leg: &Leg, flags: Option<u8>, out: &mut Vec<FlowRecord>) {
    let finding = leg.findings.first();
    // The sender: the leg's first hop, when it starts at an interface (not at the internet or a site).
    let sender = match leg.hops.first() {
        Some(hop) if hop.kind == HopKind::NetworkInterface => match hop.place {
            Place::Interface(eni) => Some((eni, hop.packet)),
            _ => None,
        },
        _ => None,
    };
    if let Some((eni, packet)) = sender {
        let stopped_here = finding.is_some_and(|finding| match finding.place {
            Place::Interface(at) => at == eni,
            _ => false,
        });
        let delivered_to_itself = matches!(leg.delivered, Some((Endpoint::Eni(to), _)) if to == eni);
        if stopped_here || delivered_to_itself {
            return;
        }
        let rejected = finding.is_some_and(|finding| {
            matches!(finding.place, Place::SecurityGroups { egress: true, .. } | Place::Acl { egress: true, .. })
                && leg.hops.iter().all(|hop| at_sender(hop.kind))
        });
        let action = if rejected { Action::Reject } else { Action::Accept };
        let own = own_address(topology, eni, packet.src);
        let path = match leg.delivered {
            Some((Endpoint::Eni(to), _)) if topology.enis[to].vpc == topology.enis[eni].vpc => Some(1),
            _ => traffic_path(leg),
        };
        out.push(FlowRecord { traffic_path: path, ..record(eni, false, own, &packet, flags, action) });
    }
    // A NAT gateway's interface: in from one side, out to the other, its own address on its side.
    for (index, hop) in leg.hops.iter().enumerate() {
        let (HopKind::NatGateway, Place::NatGateway { eni: Some(nat_eni), .. }) = (hop.kind, &hop.place) else {
            continue;
        };
        let own = topology.enis[*nat_eni].primary_address();
        let packet = hop.packet;
        let answer = packet.dst == own;
        // NAT64 (part 2 §13.2): the IPv6 side of a record keeps the packet's own addresses (the gateway has none).
        let own_in = own_address(topology, *nat_eni, packet.dst);
        let mut inbound = record(*nat_eni, true, own_in, &Packet { dst: own_in, ..packet }, flags, Action::Accept);
        inbound.pkt_dst = packet.dst;
        out.push(inbound);
        let leaving = match leg.translations.iter().find(|m| m.nat_eni == *nat_eni).filter(|_| !answer) {
            Some(mapping) if packet.dst.is_ipv6() => {
                let nat_ip = topology.enis[*nat_eni].private_ip;
                nat_ip.and_then(|ip| crate::walk::nat64::to_ipv4(&packet, ip, mapping.mapped_port)).unwrap_or(packet)
            }
            Some(mapping) if mapping.mapped_port != 0 => Packet { src: own, src_port: mapping.mapped_port, ..packet },
            Some(_) => Packet { src: own, ..packet },
            // The answer leaves towards the host with the addresses the gateway restored.
            None => {
                let next = leg.hops.get(index + 1).map(|hop| hop.packet).or(finding.map(|finding| finding.packet));
                let next = next.unwrap_or(packet);
                Packet { src: own_address(topology, *nat_eni, next.src), ..next }
            }
        };
        let beyond = &leg.hops[index + 1..];
        let rejected = finding.is_some_and(|finding| {
            matches!(finding.place, Place::Acl { egress: true, .. }) && beyond.iter().all(|hop| at_sender(hop.kind))
        });
        let action = if rejected { Action::Reject } else { Action::Accept };
        let mut outbound = record(*nat_eni, false, leaving.src, &leaving, flags, action);
        // The original host; a NAT64 answer's is its IPv6 (64:ff9b::) address, the family of the record.
        outbound.pkt_src = if leaving.src.is_ipv6() { leaving.src } else { packet.src };
        out.push(outbound);
    }
    transit_records(topology, leg, sender.map(|(eni, _)| eni), flags, out);
    // The receiver: delivered (ACCEPT), or denied by its subnet's ACL inbound or its groups (REJECT).
    if let Some((Endpoint::Eni(eni), packet)) = leg.delivered {
        if topology.nat_of_eni(eni).is_none() && sender.is_none_or(|(from, _)| from != eni) {
            let own = own_address(topology, eni, packet.dst);
            out.push(record(eni, true, own, &packet, flags, Action::Accept));
        }
        return;
    }
    let Some(finding) = finding else { return };
    let receiver = match finding.place {
        Place::SecurityGroups { eni, egress: false, .. } => Some(eni),
        Place::Acl { subnet, egress: false, .. } => {
            let vpc = &topology.vpcs[topology.subnets[subnet].vpc];
            vpc.eni_by_private_ip
                .get(&finding.packet.dst)
                .copied()
                .filter(|&eni| topology.enis[eni].subnet == subnet && topology.nat_of_eni(eni).is_none())
        }
        _ => None,
    };
    if let Some(eni) = receiver {
        let own = own_address(topology, eni, finding.packet.dst);
        out.push(record(eni, true, own, &finding.packet, flags, Action::Reject));
    }
}

/// A transit gateway's VPC attachments (part 2 §18.3 [D]): the interface the packet enters the gateway by (in the
/// sender's zone) logs it arriving, the interface it leaves by logs it leaving — each with its own address on its side,
/// like a NAT gateway's. ASSUMPTION (§18.3 [I]): only the first and last VPC attachments of a leg that starts at an
/// interface are logged; peering and VPN attachments have no interface.
fn transit_records(
    topology: &Topology,
    leg: &Leg,
    sender: Option<EniIx>,
    flags: Option<u8>,
    out: &mut Vec<FlowRecord>,
) {
    let Some(sender) = sender else { return };
    let zone = topology.subnets[topology.enis[sender].subnet].zone.as_str();
    let vpc_attachment_eni = |id: &str, entering: bool| {
        let node = topology.tgw_attachment(id)?;
        match entering {
            true => node.in_zone(zone).or_else(|| node.egress_in(zone)),
            false => node.egress_in(zone),
        }
        .map(|(_, eni)| eni)
    };
    let crossings: Vec<(usize, &Place)> = leg
        .hops
        .iter()
        .enumerate()
        .filter(|(_, hop)| hop.kind == HopKind::TransitGateway)
        .map(|(index, hop)| (index, &hop.place))
        .collect();
    let first = crossings.first().and_then(|(index, place)| match place {
        Place::TransitGateway { attachment, .. } => vpc_attachment_eni(attachment, true).map(|eni| (*index, eni)),
        _ => None,
    });
    if let Some((index, eni)) = first {
        let packet = leg.hops[index].packet;
        let own = topology.enis[eni].primary_address();
        let mut inbound = record(eni, true, own, &Packet { dst: own, ..packet }, flags, Action::Accept);
        inbound.pkt_dst = packet.dst;
        out.push(inbound);
    }
    let last = crossings.last().and_then(|(index, place)| match place {
        Place::TransitGateway { route: Some(route), .. } if route.active => {
            route.attachment.as_deref().and_then(|id| vpc_attachment_eni(id, false)).map(|eni| (*index, eni))
        }
        _ => None,
    });
    if let Some((index, eni)) = last {
        let packet = leg.hops[index].packet;
        let own = topology.enis[eni].primary_address();
        let subnet = topology.enis[eni].subnet;
        let rejected = leg.findings.first().is_some_and(|finding| {
            matches!(finding.place, Place::Acl { subnet: at, egress: true, .. } if at == subnet)
                && leg.hops[index + 1..].iter().all(|hop| hop.kind == HopKind::TransitGateway)
        });
        let action = if rejected { Action::Reject } else { Action::Accept };
        let mut outbound = record(eni, false, own, &Packet { src: own, ..packet }, flags, action);
        outbound.pkt_src = packet.src;
        out.push(outbound);
    }
}
