//! The packet walk (spec §3.1): one leg from a vantage to wherever the packet ends, then the answer back.
//!
//! Read first: spec §3.1 (the walk, step by step), §3.3 (peering: non-transitive, no edge-to-edge), §3.4 (internet
//! gateway NAT), §3.5/§3.6 (security groups, network ACLs), §3.7 (what tools observe).
//!
//! A drop is data, not an error: each blocking setting becomes a [`Finding`] with an explanation code and a fix.
//! In [`Mode::FirstDrop`] the leg stops at the first finding (what a packet does); in [`Mode::CollectAll`] the walk
//! records the finding, assumes the fix, and carries on, so `explain` lists *every* setting that blocks a path.

use std::net::{IpAddr, Ipv4Addr};

mod endpoint;
mod fixes;
mod internet;
mod nat;
pub(crate) mod nat64;
mod transit;
mod vpn;

pub use internet::is_internet_routable;

#[cfg(test)]
pub(crate) use vpn::vpn_attachment_leg;

use crate::packet::{
    proto, Code, Endpoint, Finding, Hop, HopKind, Leg, NatMapping, Packet, Place, Probe, Protocol, Trace, Vantage,
    Verdict, INTERNET_HOST, INTERNET_HOST_V6,
};
use crate::rules::{acl_decides, describe, security_groups_allow, Remote};
use crate::topology::{EniIx, SgPeer, SubnetIx, Target, Topology, VpcIx, SERVICE_PORTS};
use localvpc_model::prefix_list::aws_managed;

/// How a walk treats a blocking setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Stop at the first drop, as a packet does.
    FirstDrop,
    /// Record every blocking setting, assuming each one fixed to look further.
    CollectAll,
}

/// Runs a probe: the request leg, and the answer leg if the request arrived.
pub fn trace(topology: &Topology, probe: &Probe, mode: Mode) -> Trace {
    run(topology, probe, mode, IpAddr::V4(INTERNET_HOST), false)
}

/// Runs a probe as a flow, the way the EC2 Reachability Analyzer frames one: from the internet the sender may be
/// any address (`internet_source`), a UDP datagram is answered by a UDP datagram (the flow's return traffic, not the
/// ICMP error a closed port sends), and whether anything listens is not asked — a flow whose request and answer both
/// pass is [`Verdict::Reachable`]. The legs are the same walks as [`trace`]'s.
pub fn trace_flow(topology: &Topology, probe: &Probe, mode: Mode, internet_source: IpAddr) -> Trace {
    run(topology, probe, mode, internet_source, true)
}

fn run(topology: &Topology, probe: &Probe, mode: Mode, internet_source: IpAddr, flow: bool) -> Trace {
    // An instance with several interfaces sends from the one its routing table picks (part 2 §11.2).
    let sender = match probe.from {
        Vantage::Eni(eni) => Vantage::Eni(topology.sending_interface(eni, probe.destination)),
        other => other,
    };
    let source = match sender {
        Vantage::Eni(eni) => match topology.enis[eni].source_for(probe.destination) {
            Some(source) => source,
            None => return without_source(topology, probe, eni),
        },
        // An IPv6 probe from the internet comes from the internet's IPv6 host.
        Vantage::Internet if probe.destination.is_ipv6() && internet_source.is_ipv4() => IpAddr::V6(INTERNET_HOST_V6),
        Vantage::Internet => internet_source,
        Vantage::OnPremises(site) => topology.vpn.sites[site].source.map_or_else(|| unspecified(probe), IpAddr::V4),
        // Never a probe's sender (the endpoint initiates nothing): no packet leaves it.
        Vantage::AwsService(_) => unspecified(probe),
    };
    let request = Packet::request(source, probe.destination, probe.protocol);
    let forward = walk(topology, sender, request, false, mode);
    let Some((endpoint, arrived)) = forward.delivered else {
        return Trace { probe: *probe, forward, reply: None, verdict: Verdict::Dropped };
    };
    let refused = match (endpoint, probe.protocol) {
        (Endpoint::Eni(eni), Protocol::Tcp(port)) => !flow && !topology.enis[eni].listening.contains(&port),
        // Part 2 §17.4: an AWS service answers on its own ports, reached privately or from the internet alike.
        (Endpoint::AwsService(_, _), Protocol::Tcp(port)) => !flow && !SERVICE_PORTS.contains(&port),
        (Endpoint::Internet(address), Protocol::Tcp(port)) => {
            !flow && aws_managed::is_service_address_anywhere(address) && !SERVICE_PORTS.contains(&port)
        }
        _ => false,
    };
    let from = match endpoint {
        Endpoint::Eni(eni) => Vantage::Eni(eni),
        Endpoint::Internet(_) => Vantage::Internet,
        Endpoint::OnPremises(site, _) => Vantage::OnPremises(site),
        Endpoint::AwsService(endpoint, _) => Vantage::AwsService(endpoint),
    };
    let answer = match arrived.protocol {
        proto::UDP if flow => Packet {
            src: arrived.dst,
            dst: arrived.src,
            src_port: arrived.dst_port,
            dst_port: arrived.src_port,
            ..arrived
        },
        _ => arrived.answer(),
    };
    let answer = Packet { src: answer_source(topology, endpoint, arrived), ..answer };
    // The answer comes back through the NAT gateways the request crossed, which undo their translations.
    let reply = walk_tracked(topology, from, answer, true, mode, &forward.translations);
    let came_back = match (reply.delivered, sender) {
        (Some((Endpoint::Eni(eni), _)), Vantage::Eni(source)) => eni == source,
        (Some((Endpoint::Internet(address), _)), Vantage::Internet) => address == source,
        (Some((Endpoint::OnPremises(site, address), _)), Vantage::OnPremises(sender)) => {
            site == sender && address == source
        }
        _ => false,
    };
    let verdict = match (came_back && reply.findings.is_empty() && forward.findings.is_empty(), refused) {
        (false, _) => Verdict::Dropped,
        (true, true) => Verdict::Refused,
        (true, false) => Verdict::Reachable,
    };
    Trace { probe: *probe, forward, reply: Some(reply), verdict }
}

/// Part 2 §16.1: an interface without an address of the destination's family has no route of that family —
/// `ping6` without an IPv6 address, or `ping` from an IPv6-only subnet, fails at once ("Network is unreachable"):
/// no packet leaves, and the finding says what to do.
fn without_source(topology: &Topology, probe: &Probe, eni: EniIx) -> Trace {
    let node = &topology.enis[eni];
    let packet = Packet::request(unspecified(probe), probe.destination, probe.protocol);
    let owner = node.instance_id.as_deref().unwrap_or(&node.id);
    let (detail, fix) = match probe.destination {
        IpAddr::V6(_) => (
            format!("{} has no IPv6 address to send from", node.id),
            format!("assign an IPv6 address to {owner} (AssignIpv6Addresses; its subnet needs an IPv6 block)"),
        ),
        IpAddr::V4(_) => (
            format!("{} is in an IPv6-only subnet: it has no IPv4 address to send from", node.id),
            "reach IPv4 destinations by their DNS64 name or 64:ff9b::/96 address through a NAT gateway, or launch \
             into a subnet with an IPv4 block"
                .to_string(),
        ),
    };
    let finding = Finding {
        code: Code::CannotRoute,
        component: node.id.clone(),
        detail,
        fix,
        place: Place::Interface(eni),
        packet,
    };
    let forward = Leg { hops: Vec::new(), delivered: None, findings: vec![finding], translations: Vec::new() };
    Trace { probe: *probe, forward, reply: None, verdict: Verdict::Dropped }
}

/// The unspecified address of the probe destination's family.
fn unspecified(probe: &Probe) -> IpAddr {
    match probe.destination {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
    }
}

/// An interface answers from its private address (the gateway translates on the way out) — an IPv4 request to a
/// secondary address too — and over IPv6 from the address it was sent to; an internet or on-premises host from the
/// address it was sent to.
fn answer_source(topology: &Topology, endpoint: Endpoint, arrived: Packet) -> IpAddr {
    match (endpoint, arrived.dst) {
        (Endpoint::Eni(eni), IpAddr::V4(_)) => topology.enis[eni].private_ip.map_or(arrived.dst, IpAddr::V4),
        (Endpoint::Eni(_), IpAddr::V6(_))
        | (Endpoint::Internet(_) | Endpoint::OnPremises(..) | Endpoint::AwsService(..), _) => arrived.dst,
    }
}

/// One leg: from `from`, carrying `packet`; `is_answer` marks the answer of a tracked flow, which security groups
/// let through in both directions (spec §3.5 [D]) while network ACLs evaluate it again (spec §3.6 [D]).
pub fn walk(topology: &Topology, from: Vantage, packet: Packet, is_answer: bool, mode: Mode) -> Leg {
    walk_tracked(topology, from, packet, is_answer, mode, &[])
}

/// [`walk`] for the answer of a flow whose request leg made the NAT gateway translations `conntrack`.
fn walk_tracked(
    topology: &Topology,
    from: Vantage,
    packet: Packet,
    is_answer: bool,
    mode: Mode,
    conntrack: &[NatMapping],
) -> Leg {
    let mut walker = Walker {
        topology,
        mode,
        is_answer,
        hops: Vec::with_capacity(12),
        findings: Vec::new(),
        conntrack,
        translations: Vec::new(),
        transit_crossings: 0,
    };
    let delivered = match from {
        Vantage::Eni(eni) => walker.send_from(eni, packet),
        Vantage::Internet => walker.on_internet(packet),
        Vantage::OnPremises(site) => walker.send_from_site(site, packet),
        Vantage::AwsService(endpoint) => walker.answer_from_aws_service(endpoint, packet),
    };
    let delivered = if walker.findings.is_empty() || mode == Mode::CollectAll { delivered } else { None };
    Leg { hops: walker.hops, delivered, findings: walker.findings, translations: walker.translations }
}

struct Walker<'t> {
    topology: &'t Topology,
    mode: Mode,
    is_answer: bool,
    hops: Vec<Hop>,
    findings: Vec<Finding>,
    /// The request leg's NAT translations, which an answer leg undoes.
    conntrack: &'t [NatMapping],
    /// The NAT translations this leg made.
    translations: Vec<NatMapping>,
    /// Transit gateways crossed so far (a routing loop ends the walk).
    transit_crossings: u8,
}

type Arrival = Option<(Endpoint, Packet)>;

impl Walker<'_> {
    fn hop(&mut self, kind: HopKind, id: &str, detail: String, place: Place, packet: &Packet) {
        self.hops.push(Hop { kind, id: id.to_string(), detail, place, packet: *packet });
    }

    /// Records a finding; returns whether the walk may go on (only when collecting).
    fn block(
        &mut self,
        code: Code,
        component: &str,
        detail: String,
        fix: String,
        place: Place,
        packet: &Packet,
    ) -> bool {
        self.findings.push(Finding { code, component: component.to_string(), detail, fix, place, packet: *packet });
        self.mode == Mode::CollectAll
    }

    fn send_from(&mut self, eni: EniIx, packet: Packet) -> Arrival {
        let topology = self.topology;
        let node = &topology.enis[eni];
        self.hop(
            HopKind::NetworkInterface,
            &node.id,
            format!("{} sends {}", node.primary_address(), describe(&packet)),
            Place::Interface(eni),
            &packet,
        );
        if !self.running(eni, &packet) {
            return None;
        }
        if node.holds(packet.dst) {
            return Some((Endpoint::Eni(eni), packet));
        }
        // Step 1: the sender's security groups, outbound (answers of tracked flows pass).
        if !self.is_answer {
            // Only a rule that references a group needs to know which interface the destination is.
            let needs_eni = node
                .groups
                .iter()
                .any(|&g| topology.groups[g].egress.iter().any(|r| matches!(r.peer, SgPeer::Group(_))));
            let remote_eni = if needs_eni { self.private_eni_near(node.vpc, packet.dst) } else { None };
            let remote = Remote { address: packet.dst, eni: remote_eni };
            if !self.security_groups(eni, true, &packet, remote) {
                return None;
            }
        }
        let subnet = node.subnet;
        // Step 2: same subnet → layer 2, no route table, no network ACL.
        if topology.subnets[subnet].contains(packet.dst) {
            return self.deliver_private(node.vpc, Some(subnet), packet, Some(eni));
        }
        // Step 3: the source subnet's network ACL, outbound.
        if !self.acl(subnet, true, &packet) {
            return None;
        }
        // Step 4: longest-prefix match in the subnet's route table.
        self.route(node.vpc, subnet, eni, packet)
    }

    fn route(&mut self, vpc: VpcIx, subnet: SubnetIx, eni: EniIx, packet: Packet) -> Arrival {
        let topology = self.topology;
        let table = &topology.subnets[subnet].route_table;
        let Some(route) = table.lookup(packet.dst) else {
            let fix = self.route_fix(vpc, &table.id, packet.dst);
            let go_on = self.block(
                Code::NoRouteToDestination,
                &table.id,
                format!("no route in {} matches {}", table.id, packet.dst),
                fix.0,
                Place::RouteTable { subnet, route: None },
                &packet,
            );
            return match (go_on, fix.1) {
                (true, Some(target)) => self.follow(vpc, eni, &target, packet),
                _ => None,
            };
        };
        let place = Place::RouteTable { subnet, route: Some(route.clone()) };
        self.hop(
            HopKind::RouteTable,
            &table.id,
            format!("{} -> {}", route.destination, route.target.id()),
            place.clone(),
            &packet,
        );
        // A route to a transit gateway whose attachment exists but is not available: the attachment is what is
        // named (BAD_STATE_ATTACHMENT), by the transit gateway's walk.
        let attachment_pending = match &route.target {
            Target::TransitGateway(id) => topology.vpc_attachment(vpc, id).is_some_and(|a| !a.available),
            _ => false,
        };
        if !route.active && !attachment_pending {
            let reason = self.blackhole_reason(&route.target);
            if !self.block(
                Code::BadStateRoute,
                &table.id,
                format!("the route {} -> {} is blackhole: {reason}", route.destination, route.target.id()),
                self.blackhole_fix(&route.target),
                place,
                &packet,
            ) {
                return None;
            }
        }
        self.follow(vpc, eni, &route.target.clone(), packet)
    }

    /// Step 5: what the matched target does with the packet.
    fn follow(&mut self, vpc: VpcIx, eni: EniIx, target: &Target, packet: Packet) -> Arrival {
        let topology = self.topology;
        match target {
            Target::Local => {
                if !topology.vpcs[vpc].contains(packet.dst) {
                    self.block(
                        Code::CannotRoute,
                        "local",
                        format!("{} is not in {}", packet.dst, topology.vpcs[vpc].id),
                        "route the address elsewhere".into(),
                        Place::Vpc(vpc),
                        &packet,
                    );
                    return None;
                }
                self.deliver_private(vpc, None, packet, Some(eni))
            }
            Target::Peering(pcx_id) => {
                let Some(pcx) = topology.peerings.get(pcx_id) else {
                    self.block(
                        Code::BadState,
                        pcx_id,
                        format!("{pcx_id} does not exist"),
                        "create and accept a peering connection".into(),
                        Place::Peering { id: pcx_id.clone(), vpc, peer: None },
                        &packet,
                    );
                    return None;
                };
                let Some(peer) = pcx.peer_of(vpc) else {
                    self.block(
                        Code::BadState,
                        pcx_id,
                        format!("{pcx_id} does not join {}", topology.vpcs[vpc].id),
                        "route to a connection of this VPC".into(),
                        Place::Peering { id: pcx_id.clone(), vpc, peer: None },
                        &packet,
                    );
                    return None;
                };
                let place = Place::Peering { id: pcx_id.clone(), vpc, peer: Some(peer) };
                self.hop(
                    HopKind::PeeringConnection,
                    pcx_id,
                    format!("{} -> {}", topology.vpcs[vpc].id, topology.vpcs[peer].id),
                    place.clone(),
                    &packet,
                );
                // Spec §3.3 [D]: non-transitive, no edge-to-edge — the peer delivers only inside its own blocks.
                if !topology.vpcs[peer].contains(packet.dst) {
                    self.block(
                        Code::CannotRoute,
                        pcx_id,
                        format!(
                            "{} is outside {} and peering is neither transitive nor edge-to-edge",
                            packet.dst, topology.vpcs[peer].id
                        ),
                        "peer the two VPCs directly, or route to a target that reaches the address".into(),
                        place,
                        &packet,
                    );
                    return None;
                }
                self.deliver_private(peer, None, packet, Some(eni))
            }
            Target::InternetGateway(igw) => {
                // Part 2 §16.2 [D]: IPv6 addresses are public; the gateway translates nothing.
                if packet.src.is_ipv6() {
                    let place = Place::InternetGateway { id: igw.clone(), vpc, eni };
                    self.hop(HopKind::InternetGateway, igw, format!("{} (not translated)", packet.src), place, &packet);
                    return self.on_internet(packet);
                }
                // Spec §3.4 [D]: the gateway maps the interface's private address to its public one.
                let Some(public) = topology.enis[eni].public_ip else {
                    self.block(
                        Code::NoPublicAddress,
                        &topology.enis[eni].id,
                        format!("{} has no public IPv4 address, so {igw} cannot translate it", topology.enis[eni].id),
                        format!(
                            "associate an Elastic IP with {}",
                            topology.enis[eni].instance_id.as_deref().unwrap_or(&topology.enis[eni].id)
                        ),
                        Place::InternetGateway { id: igw.clone(), vpc, eni },
                        &packet,
                    );
                    return None;
                };
                self.hop(
                    HopKind::InternetGateway,
                    igw,
                    format!("{} -> {}", packet.src, public),
                    Place::InternetGateway { id: igw.clone(), vpc, eni },
                    &packet,
                );
                self.on_internet(Packet { src: IpAddr::V4(public), ..packet })
            }
            Target::EgressOnlyInternetGateway(eigw) => {
                // Part 2 §16.2 [D]: IPv6 out to the internet, not translated (ASSUMPTION [I]: no address
                // translation); the gateway remembers the flow so its answers come back.
                let place = Place::InternetGateway { id: eigw.clone(), vpc, eni };
                let detail = format!("{} (not translated)", packet.src);
                self.hop(HopKind::EgressOnlyInternetGateway, eigw, detail, place, &packet);
                self.on_internet(packet)
            }
            Target::NatGateway(id) => self.through_nat_gateway(eni, id, packet),
            Target::VpnGateway(id) => self.through_vpn_gateway(vpc, id, packet),
            Target::TransitGateway(id) => self.through_transit_gateway(vpc, eni, id, packet),
            Target::VpcEndpoint(id) => self.through_gateway_endpoint(vpc, id, packet),
            Target::Instance(id) | Target::NetworkInterface(id) => {
                self.block(
                    Code::CannotRoute,
                    id,
                    format!("localvpc does not forward through {id}"),
                    "route the destination to a gateway or a peering connection".into(),
                    Place::Appliance { id: id.clone(), vpc },
                    &packet,
                );
                None
            }
        }
    }

    /// Delivery inside `vpc` to a private address: the destination subnet's ACL (unless it is the source subnet)
    /// and the interface.
    fn deliver_private(
        &mut self,
        vpc: VpcIx,
        from_subnet: Option<SubnetIx>,
        packet: Packet,
        source: Option<EniIx>,
    ) -> Arrival {
        let topology = self.topology;
        let Some(&eni) = topology.vpcs[vpc].eni_by_private_ip.get(&packet.dst) else {
            self.block(
                Code::NoDestination,
                &topology.vpcs[vpc].id,
                format!("no interface in {} has {}", topology.vpcs[vpc].id, packet.dst),
                "send to an address in use".into(),
                Place::Vpc(vpc),
                &packet,
            );
            return None;
        };
        let subnet = topology.enis[eni].subnet;
        if from_subnet != Some(subnet) && !self.acl(subnet, false, &packet) {
            return None;
        }
        // A group reference matches the sender only by its private address (spec §3.1 step 7).
        let remote = source.filter(|&s| topology.enis[s].source_for(packet.src) == Some(packet.src));
        self.arrive(eni, packet, remote)
    }

    /// Step 7: the receiving interface's security groups, inbound; the instance must be running. A NAT gateway's
    /// interface is no host: the gateway takes the packet (an answer it translates back, or a drop).
    fn arrive(&mut self, eni: EniIx, packet: Packet, source: Option<EniIx>) -> Arrival {
        let topology = self.topology;
        if topology.nat_of_eni(eni).is_some() {
            return self.arrive_at_nat_gateway(eni, packet);
        }
        let node = &topology.enis[eni];
        if !self.running(eni, &packet) {
            return None;
        }
        if !self.is_answer {
            let remote = Remote { address: packet.src, eni: source };
            if !self.security_groups(eni, false, &packet, remote) {
                return None;
            }
        }
        self.hop(
            HopKind::NetworkInterface,
            &node.id,
            format!("{} receives {}", node.primary_address(), describe(&packet)),
            Place::Interface(eni),
            &packet,
        );
        Some((Endpoint::Eni(eni), packet))
    }

    /// Step 1 / step 7: the union of an interface's groups in one direction; `false` stops the walk.
    fn security_groups(&mut self, eni: EniIx, egress: bool, packet: &Packet, remote: Remote) -> bool {
        let topology = self.topology;
        let groups = &topology.enis[eni].groups;
        let ids = self.group_ids(groups);
        let (kind, word, towards) = if egress {
            (HopKind::SecurityGroupEgress, "outbound", "to")
        } else {
            (HopKind::SecurityGroupIngress, "inbound", "from")
        };
        match security_groups_allow(topology, groups, egress, packet, remote) {
            Some(rule) => {
                let group = groups.iter().copied().find(|&group| {
                    let node = &topology.groups[group];
                    let rules = if egress { &node.egress } else { &node.ingress };
                    rules.iter().any(|candidate| std::ptr::eq(candidate, rule))
                });
                let allowed_by = group.map(|group| (group, rule.clone()));
                let place = Place::SecurityGroups { eni, egress, allowed_by };
                self.hop(kind, &ids, format!("allowed by {}", rule.id), place, packet);
                true
            }
            None => self.block(
                Code::EniSgRulesMismatch,
                &ids,
                format!(
                    "no {word} rule of {ids} allows {} {towards} {}{}",
                    describe(packet),
                    remote.address,
                    self.group_references_note(eni, egress)
                ),
                format!(
                    "add an {word} rule to {} allowing {} {towards} {}/32",
                    first(&ids),
                    describe(packet),
                    remote.address
                ),
                Place::SecurityGroups { eni, egress, allowed_by: None },
                packet,
            ),
        }
    }

    /// A stopped instance neither sends nor answers; `false` stops the walk.
    fn running(&mut self, eni: EniIx, packet: &Packet) -> bool {
        let node = &self.topology.enis[eni];
        node.running
            || self.block(
                Code::BadState,
                node.instance_id.as_deref().unwrap_or(&node.id),
                "the instance is not running".into(),
                "start the instance".into(),
                Place::Interface(eni),
                packet,
            )
    }

    /// A subnet's network ACL in one direction; `false` stops the walk.
    fn acl(&mut self, subnet: SubnetIx, outbound: bool, packet: &Packet) -> bool {
        let acl = &self.topology.subnets[subnet].acl;
        let (rules, remote, kind, word) = if outbound {
            (&acl.outbound, packet.dst, HopKind::AclOutbound, "outbound")
        } else {
            (&acl.inbound, packet.src, HopKind::AclInbound, "inbound")
        };
        match acl_decides(rules, packet, remote) {
            Some(rule) if rule.allow => {
                let place = Place::Acl { subnet, egress: outbound, rule: Some(rule.clone()) };
                self.hop(kind, &acl.id, format!("rule {} allow", rule.number), place, packet);
                true
            }
            decided => {
                let rule = decided.map_or("the final * rule".to_string(), |rule| format!("rule {}", rule.number));
                let remote_word = if outbound { "to" } else { "from" };
                self.block(
                    Code::SubnetAclRestriction,
                    &acl.id,
                    format!("{} {word} {rule} denies {} {remote_word} {remote}", acl.id, describe(packet)),
                    format!(
                        "add an {word} allow entry to {} for {} {remote_word} {remote}/32 numbered below {}",
                        acl.id,
                        describe(packet),
                        decided.map_or(32767, |rule| rule.number)
                    ),
                    Place::Acl { subnet, egress: outbound, rule: decided.cloned() },
                    packet,
                )
            }
        }
    }

    /// The interface with private address `address` in `vpc` or a VPC actively peered with it (for outbound group
    /// references).
    fn private_eni_near(&self, vpc: VpcIx, address: IpAddr) -> Option<EniIx> {
        let topology = self.topology;
        if let Some(&eni) = topology.vpcs[vpc].eni_by_private_ip.get(&address) {
            return Some(eni);
        }
        topology.vpcs[vpc]
            .active_peers
            .iter()
            .find_map(|&peer| topology.vpcs[peer].eni_by_private_ip.get(&address).copied())
    }

    fn group_ids(&self, groups: &[usize]) -> String {
        match groups {
            [] => "(no security groups)".into(),
            [one] => self.topology.groups[*one].id.clone(),
            many => many.iter().map(|&group| self.topology.groups[group].id.as_str()).collect::<Vec<_>>().join(","),
        }
    }
}

fn first(groups: &str) -> &str {
    groups.split(',').next().unwrap_or(groups)
}
