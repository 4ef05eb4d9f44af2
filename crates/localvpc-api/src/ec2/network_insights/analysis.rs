//! The Reachability Analyzer front end of the packet engine: a Network Insights path in, AWS's analysis out.
//!
//! One engine, two front ends: `localvpc explain` runs [`localvpc_engine::trace`], StartNetworkInsightsAnalysis its
//! flow framing [`localvpc_engine::trace_flow`] — the same legs, walked by the same code. The path found is the
//! first-drop walk's verdict (what a packet does); the path components are that walk's hops; the explanations are
//! the collect-all walk's findings (every blocking setting, as `explain` lists them), named with AWS's explanation
//! codes. This module decides nothing about packets: it chooses the probe (the path's ends, addresses and ports),
//! renders hops and findings in AWS's vocabulary, and applies the analysis' own conditions — the path must end at
//! its destination resource, and `FilterInArns` / `FilterOutArns`.
//!
//! The caller sees its own resources only (`localvpc_engine::visibility`): components and explanations of
//! another account are left out, and the accounts of peers whose VPCs the path enters are named in
//! `SuggestedAccounts`, as AWS names the accounts a cross-account analysis would have to include.
//!
//! Where the path leaves a header field open (no `DestinationPort`, an internet gateway as one end without an
//! address), AWS analyses every value; localvpc tries the values at which some rule's range begins or ends (the
//! verdict can change only there) and reports the first that passes, else the one that is blocked by the fewest
//! settings.

mod explain;
mod render;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use localvpc_engine::packet::{proto, INTERNET_HOST};
use localvpc_engine::topology::{ipv4_block, EniIx, SgPeer, VpcIx};
use localvpc_engine::visibility::{endpoint_sight, sight, Sight};
use localvpc_engine::walk::is_internet_routable;
use localvpc_engine::{trace_flow, Endpoint, HopKind, Mode, Place, Probe, Protocol, Topology, Trace, Vantage, Verdict};
use localvpc_model::network_insights::result::{AnalysisResult, Component, Explanation, PathComponent, PortRange};
use localvpc_model::network_insights::{self, NetworkInsightsPath, PathProtocol};
use localvpc_model::{Scope, World};

/// The internet address "can this instance reach the internet" probes first (any public address would do).
const INTERNET_PROBE: Ipv4Addr = Ipv4Addr::new(8, 8, 8, 8);

/// At most this many header combinations are walked when the path leaves fields open.
const MAX_TRIES: usize = 512;

/// Analyses `path` on `world`; `filter_in` and `filter_out` are the analysis' ARNs.
pub(crate) fn analyse(
    world: &World,
    scope: &Scope,
    path: &NetworkInsightsPath,
    filter_in: &[String],
    filter_out: &[String],
) -> AnalysisResult {
    let topology = Topology::compile(world, 0);
    let analyser = Analyser { world, scope, topology: &topology };
    match analyser.probes(path) {
        Ok(probes) => analyser.run(path, &probes, filter_in, filter_out),
        Err(explanations) => AnalysisResult { explanations, ..AnalysisResult::default() },
    }
}

/// One end of a path.
#[derive(Debug, Clone)]
enum End {
    Eni(EniIx),
    Gateway { id: String, vpc: VpcIx },
}

/// The probes to try: one vantage, and the values of the header fields left open.
struct Probes {
    from: Vantage,
    source: End,
    destination: Option<End>,
    internet_sources: Vec<Ipv4Addr>,
    addresses: Vec<Ipv4Addr>,
    ports: Vec<u16>,
}

struct Analyser<'a> {
    world: &'a World,
    scope: &'a Scope,
    topology: &'a Topology,
}

type Explanations = Vec<Explanation>;

impl Analyser<'_> {
    /// The path's ends, resolved on the topology; an explanation when one cannot take part.
    fn end(&self, id: &str) -> Result<End, Explanations> {
        let region = self.world.region(self.scope);
        let topology = self.topology;
        let eni = if id.starts_with("i-") {
            topology.instance_eni(id)
        } else if id.starts_with("eni-") {
            topology.eni(id)
        } else if let Some(igw) = region.internet_gateways.get(id) {
            let vpc = igw.attached_vpc.as_ref().and_then(|vpc| topology.vpc(self.scope, vpc));
            return match vpc {
                Some(vpc) => Ok(End::Gateway { id: id.to_string(), vpc }),
                // The reachability guide: "The component is not associated with a VPC in your account".
                None => Err(vec![Explanation::new("UNASSOCIATED_COMPONENT", Some(self.component(self.scope, id)))]),
            };
        } else {
            None
        };
        match eni {
            Some(eni) => Ok(End::Eni(eni)),
            // A terminated instance is still described but has no interface.
            None if region.instances.contains_key(id) => {
                Err(vec![Explanation::new("UNASSOCIATED_COMPONENT", Some(self.component(self.scope, id)))])
            }
            None => Err(vec![Explanation::new("NO_SOURCE_OR_DESTINATION", Some(self.component(self.scope, id)))]),
        }
    }

    fn probes(&self, path: &NetworkInsightsPath) -> Result<Probes, Explanations> {
        let topology = self.topology;
        let source = self.end(&path.source)?;
        let destination = path.destination.as_deref().map(|id| self.end(id)).transpose()?;
        let requested_source = path.requested_source_address();
        let requested_destination = path.requested_destination_address();
        let not_public = |address: Ipv4Addr, igw: &str| {
            let mut explanation = Explanation::new("IGW_EXPECTS_PUBLIC_ADDRESS", Some(self.component(self.scope, igw)));
            explanation.address = Some(address.to_string());
            vec![explanation]
        };
        // Both ends must be in one network: an internet gateway serves the VPC it is attached to.
        if let (End::Gateway { id, vpc }, Some(End::Eni(eni))) | (End::Eni(eni), Some(End::Gateway { id, vpc })) =
            (&source, &destination)
        {
            if topology.enis[*eni].vpc != *vpc {
                let mut explanation = Explanation::new("DISCONNECTED_VPCS", Some(self.component(self.scope, id)));
                explanation.vpc = Some(self.vpc(*vpc));
                explanation.network_interface = Some(self.eni(*eni));
                return Err(vec![explanation]);
            }
        }
        let (from, internet_sources, near) = match &source {
            End::Eni(eni) => {
                // Part 2 §19 [D RA]: paths are analysed over IPv4 only — an IPv6-only interface has none.
                let Some(own) = topology.enis[*eni].private_ip else {
                    return Err(vec![Explanation::new("NO_PATH", Some(self.eni(*eni)))]);
                };
                if let Some(address) = requested_source.filter(|address| *address != own) {
                    return Err(vec![self.address_restriction(*eni, address)]);
                }
                (Vantage::Eni(*eni), vec![own], Some(*eni))
            }
            End::Gateway { id, .. } => {
                let at_destination = path.filter_at_destination.as_ref().and_then(|filter| filter.source_address);
                let sources = match requested_source.or(at_destination) {
                    Some(address) if !is_internet_routable(address.into()) => return Err(not_public(address, id)),
                    Some(address) => vec![address],
                    None => {
                        let eni = match &destination {
                            Some(End::Eni(eni)) => Some(*eni),
                            _ => None,
                        };
                        internet_candidates(topology, eni, INTERNET_HOST)
                    }
                };
                (Vantage::Internet, sources, None)
            }
        };
        let addresses = match (&destination, &source) {
            (Some(End::Gateway { .. }), End::Gateway { .. }) => {
                return Err(vec![Explanation::new("NO_PATH", Some(self.component(self.scope, &path.source)))]);
            }
            (Some(End::Eni(eni)), _) => {
                let node = &topology.enis[*eni];
                // Part 2 §19 [D RA]: IPv4 paths only — an IPv6-only interface is no destination.
                let Some(private_ip) = node.private_ip else {
                    return Err(vec![Explanation::new("NO_PATH", Some(self.eni(*eni)))]);
                };
                match requested_destination {
                    Some(address) if address == private_ip || Some(address) == node.public_ip => vec![address],
                    Some(address) => return Err(vec![self.address_restriction(*eni, address)]),
                    None => match (&source, node.public_ip) {
                        (End::Eni(_), _) => vec![private_ip],
                        (End::Gateway { .. }, Some(public)) => vec![public],
                        (End::Gateway { id, .. }, None) => {
                            // Internet gateways answer only for public addresses of interfaces of their VPC.
                            let mut explanation = Explanation::new(
                                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                                Some(self.component(self.scope, id)),
                            );
                            explanation.internet_gateway = Some(self.component(self.scope, id));
                            explanation.network_interface = Some(self.eni(*eni));
                            explanation.address = Some(private_ip.to_string());
                            return Err(vec![explanation]);
                        }
                    },
                }
            }
            (Some(End::Gateway { id, .. }), _) => match requested_destination {
                Some(address) if !is_internet_routable(address.into()) => return Err(not_public(address, id)),
                Some(address) => vec![address],
                None => internet_candidates(topology, near, INTERNET_PROBE),
            },
            (None, _) => requested_destination.into_iter().collect(),
        };
        let Some(range) = path.destination_ports() else {
            return Err(vec![Explanation::new("FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE", None)]);
        };
        let ports = candidate_ports(topology, range);
        Ok(Probes { from, source, destination, internet_sources, addresses, ports })
    }

    fn run(
        &self,
        path: &NetworkInsightsPath,
        probes: &Probes,
        filter_in: &[String],
        filter_out: &[String],
    ) -> AnalysisResult {
        let topology = self.topology;
        let protocol = |port: u16| match path.protocol {
            PathProtocol::Tcp => Protocol::Tcp(port),
            PathProtocol::Udp => Protocol::Udp(port),
        };
        // The first combination that passes, else one that passes but ends elsewhere, else the one blocked by the
        // fewest settings.
        let mut best: Option<(usize, Probe, Ipv4Addr)> = None;
        let mut tries = 0;
        'search: for &destination in &probes.addresses {
            for &source in &probes.internet_sources {
                for &port in &probes.ports {
                    let probe = Probe { from: probes.from, destination: destination.into(), protocol: protocol(port) };
                    let first = trace_flow(topology, &probe, Mode::FirstDrop, source.into());
                    // A walk that passes but ends wrong (a filter at the destination) beats any blocked one.
                    let blocked = if first.verdict == Verdict::Reachable {
                        if self.end_checks(path, probes, &first).is_empty() {
                            best = Some((0, probe, source));
                            break 'search;
                        }
                        1
                    } else {
                        trace_flow(topology, &probe, Mode::CollectAll, source.into()).findings().count() + 2
                    };
                    if best.as_ref().is_none_or(|(fewest, _, _)| blocked < *fewest) {
                        best = Some((blocked, probe, source));
                    }
                    tries += 1;
                    if tries >= MAX_TRIES {
                        break 'search;
                    }
                }
            }
        }
        let Some((_, probe, source)) = best else {
            return AnalysisResult {
                explanations: vec![Explanation::new("NO_PATH", None)],
                ..AnalysisResult::default()
            };
        };
        let first = trace_flow(topology, &probe, Mode::FirstDrop, source.into());
        let forward = self.components(&first.forward);
        let back = first.reply.as_ref().map(|leg| self.components(leg)).unwrap_or_default();
        let mut suggested_accounts = BTreeSet::new();
        self.suggest(&first, &mut suggested_accounts);
        let mut explanations = Vec::new();
        if first.verdict == Verdict::Reachable {
            explanations.extend(self.end_checks(path, probes, &first));
            if explanations.is_empty() {
                explanations.extend(self.filter_checks(&forward, &back, filter_in, filter_out));
            }
        } else {
            let all = trace_flow(topology, &probe, Mode::CollectAll, source.into());
            self.suggest(&all, &mut suggested_accounts);
            for finding in all.findings().filter(|finding| self.sees(&finding.place)) {
                for explanation in self.explain(finding) {
                    if !explanations.contains(&explanation) {
                        explanations.push(explanation);
                    }
                }
            }
            if explanations.is_empty() {
                explanations.push(Explanation::new("NO_PATH", None));
            }
        }
        AnalysisResult {
            network_path_found: explanations.is_empty(),
            forward_path_components: forward,
            return_path_components: back,
            explanations,
            suggested_accounts: suggested_accounts.into_iter().collect(),
        }
    }

    /// Whether the caller sees `place` whole (its own, the internet, a peering connection it is a party to).
    fn sees(&self, place: &Place) -> bool {
        sight(self.topology, self.scope, place) == Sight::Full
    }

    /// The other accounts whose peered VPCs `trace` entered: the analysis leaves their components out.
    fn suggest(&self, trace: &Trace, accounts: &mut BTreeSet<String>) {
        let legs = std::iter::once(&trace.forward).chain(trace.reply.as_ref());
        let places = legs.flat_map(|leg| {
            leg.hops.iter().map(|hop| &hop.place).chain(leg.findings.iter().map(|finding| &finding.place))
        });
        for place in places {
            if let Sight::Owner(owner) = sight(self.topology, self.scope, place) {
                if owner.account != self.scope.account {
                    accounts.insert(owner.account.clone());
                }
            }
        }
    }

    /// The analysis' conditions on where a passing walk ended: at the destination resource, through the
    /// destination gateway, with the header `FilterAtDestination` asks for.
    fn end_checks(&self, path: &NetworkInsightsPath, probes: &Probes, trace: &Trace) -> Explanations {
        let mut out = Vec::new();
        let delivered = trace.forward.delivered;
        let ends_right = match &probes.destination {
            Some(End::Eni(eni)) => matches!(delivered, Some((Endpoint::Eni(at), _)) if at == *eni),
            Some(End::Gateway { id, .. }) => {
                trace.forward.hops.iter().any(|hop| hop.kind == HopKind::InternetGateway && hop.id == *id)
            }
            None => true,
        };
        if !ends_right {
            let destination = path.destination.as_deref().map(|id| self.component(self.scope, id));
            out.push(Explanation::new("NO_PATH", destination));
        }
        // From the internet, the packet must enter through the source gateway.
        if let End::Gateway { id, .. } = &probes.source {
            let first = trace.forward.hops.first();
            if !first.is_some_and(|hop| hop.kind == HopKind::InternetGateway && hop.id == *id) {
                out.push(Explanation::new("NO_PATH", Some(self.component(self.scope, id))));
            }
        }
        // Where the packet landed in another account, its header there is not the caller's to see or test.
        let delivered =
            delivered.filter(|(endpoint, _)| endpoint_sight(self.topology, self.scope, endpoint) == Sight::Full);
        if let (Some(filter), Some((_, packet))) = (&path.filter_at_destination, delivered) {
            if filter.destination_address.is_some_and(|address| address != packet.dst) {
                let mut explanation = Explanation::new("FILTER_AT_DESTINATION_DESTINATION_ADDRESS", None);
                explanation.address = Some(packet.dst.to_string());
                out.push(explanation);
            }
            if filter.source_address.is_some_and(|address| address != packet.src) {
                let mut explanation = Explanation::new("FILTER_AT_DESTINATION_SOURCE_ADDRESS", None);
                explanation.address = Some(packet.src.to_string());
                out.push(explanation);
            }
        }
        out
    }

    /// `FilterOutArns`: the path must not cross them; `FilterInArns`: the forward path must.
    fn filter_checks(
        &self,
        forward: &[PathComponent],
        back: &[PathComponent],
        filter_in: &[String],
        filter_out: &[String],
    ) -> Explanations {
        let forward_ids: BTreeSet<&str> = forward.iter().flat_map(PathComponent::named_ids).collect();
        let all_ids: BTreeSet<&str> =
            back.iter().flat_map(PathComponent::named_ids).chain(forward_ids.clone()).collect();
        let named = |arn: &String| {
            let id = network_insights::id_of_arn(arn).unwrap_or(arn);
            (id.to_string(), Component { id: id.to_string(), arn: arn.clone(), name: None })
        };
        let excluded: Vec<String> = filter_out.iter().map(|arn| named(arn).0).collect();
        let mut out = Vec::new();
        for arn in filter_out {
            let (id, component) = named(arn);
            if all_ids.contains(id.as_str()) {
                out.push(Explanation::new("COMPONENT_FILTER_RESTRICTION", Some(component)));
            }
        }
        for arn in filter_in {
            let (id, component) = named(arn);
            if excluded.contains(&id) {
                out.push(Explanation::new("COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT", Some(component)));
            } else if !forward_ids.contains(id.as_str()) {
                out.push(Explanation::new("COMPONENT_FILTER_RESTRICTION", Some(component)));
            }
        }
        out
    }

    fn address_restriction(&self, eni: EniIx, address: Ipv4Addr) -> Explanation {
        let mut explanation = Explanation::new("ENI_ADDRESS_RESTRICTION", Some(self.eni(eni)));
        explanation.network_interface = Some(self.eni(eni));
        explanation.address = Some(address.to_string());
        explanation
    }
}

/// The destination ports worth walking in `range`: its first port and every port at which a security group or
/// network ACL rule's range begins or ends, ascending.
fn candidate_ports(topology: &Topology, range: PortRange) -> Vec<u16> {
    let mut ports = BTreeSet::from([range.from]);
    let mut add = |from: i32, to: i32| {
        ports.insert(from);
        ports.insert(to.saturating_add(1));
    };
    for group in &topology.groups {
        for rule in group.ingress.iter().chain(&group.egress) {
            if let (proto::TCP | proto::UDP, Some((from, to))) = (rule.protocol, rule.ports) {
                add(from, to);
            }
        }
    }
    for subnet in &topology.subnets {
        for rule in subnet.acl.inbound.iter().chain(&subnet.acl.outbound) {
            if let Some((from, to)) = rule.ports {
                add(i32::from(from), i32::from(to));
            }
        }
    }
    ports
        .into_iter()
        .filter(|port| (range.from..=range.to).contains(port))
        .filter_map(|port| u16::try_from(port).ok())
        .collect()
}

/// Internet addresses worth walking from or to: `first`, then, for the blocks the interface's groups and subnet
/// ACL name, the first address of the block and the one after it (where a rule's verdict changes).
fn internet_candidates(topology: &Topology, eni: Option<EniIx>, first: Ipv4Addr) -> Vec<Ipv4Addr> {
    let mut out = vec![first];
    let Some(eni) = eni else { return out };
    let node = &topology.enis[eni];
    let acl = &topology.subnets[node.subnet].acl;
    let group_blocks = node.groups.iter().flat_map(|&group| {
        let group = &topology.groups[group];
        group.ingress.iter().chain(&group.egress).filter_map(|rule| match rule.peer {
            SgPeer::Cidr(block) => ipv4_block(block),
            _ => None,
        })
    });
    // Network Insights paths are IPv4 (part 2 §16.5: the Reachability Analyzer does not analyse IPv6).
    let acl_blocks = acl.inbound.iter().chain(&acl.outbound).filter_map(|rule| ipv4_block(rule.cidr));
    for block in group_blocks.chain(acl_blocks) {
        let after = u32::from(block.broadcast()).checked_add(1).map(Ipv4Addr::from);
        for address in std::iter::once(block.network()).chain(after) {
            if is_internet_routable(address.into()) && !out.contains(&address) {
                out.push(address);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
