//! The Reachability Analyzer front end of the packet engine: a Network Insights path in, AWS's analysis out.
//!
//! One engine, two front ends: `localvpc explain` and StartNetworkInsightsAnalysis run the same walk
//! ([`localvpc_engine::trace_flow`], the flow framing of [`localvpc_engine::trace`]). The path found is the
//! first-drop walk's verdict (what a packet does); the path components are that walk's hops; the explanations are
//! the collect-all walk's findings (every blocking setting, as `explain` lists them), named with AWS's explanation
//! codes. This module decides nothing about packets: it chooses the probe (the path's ends, addresses and ports),
//! renders hops and findings in AWS's vocabulary, and applies the analysis' own conditions — the path must end at
//! its destination resource, and `FilterInArns` / `FilterOutArns`.
//!
//! Where the path leaves a header field open (no `DestinationPort`, an internet gateway as one end without an
//! address), AWS analyses every value; localvpc tries the values at which some rule's range begins or ends (the
//! verdict can change only there) and reports the first that passes, else the one that is blocked by the fewest
//! settings.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use localvpc_engine::packet::{proto, INTERNET_HOST};
use localvpc_engine::topology::{AclRule as EngineAclRule, CompiledRoute, EniIx, SgPeer, SgRule, Target, VpcIx};
use localvpc_engine::walk::is_internet_routable;
use localvpc_engine::{
    trace_flow, Code, Endpoint, Finding, HopKind, Leg, Mode, Packet, Place, Probe, Protocol, Topology, Trace, Vantage,
    Verdict,
};
use localvpc_model::network_insights::result::{
    AclRule, AnalysisResult, Component, Explanation, PacketHeader, PathComponent, PortRange, RouteTableRoute,
    SecurityGroupRule,
};
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
                if let Some(address) = requested_source.filter(|address| *address != topology.enis[*eni].private_ip) {
                    return Err(vec![self.address_restriction(*eni, address)]);
                }
                (Vantage::Eni(*eni), vec![topology.enis[*eni].private_ip], Some(*eni))
            }
            End::Gateway { id, .. } => {
                let at_destination = path.filter_at_destination.as_ref().and_then(|filter| filter.source_address);
                let sources = match requested_source.or(at_destination) {
                    Some(address) if !is_internet_routable(address) => return Err(not_public(address, id)),
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
                match requested_destination {
                    Some(address) if address == node.private_ip || Some(address) == node.public_ip => vec![address],
                    Some(address) => return Err(vec![self.address_restriction(*eni, address)]),
                    None => match (&source, node.public_ip) {
                        (End::Eni(_), _) => vec![node.private_ip],
                        (End::Gateway { .. }, Some(public)) => vec![public],
                        (End::Gateway { id, .. }, None) => {
                            // Internet gateways answer only for public addresses of interfaces of their VPC.
                            let mut explanation = Explanation::new(
                                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                                Some(self.component(self.scope, id)),
                            );
                            explanation.internet_gateway = Some(self.component(self.scope, id));
                            explanation.network_interface = Some(self.eni(*eni));
                            explanation.address = Some(node.private_ip.to_string());
                            return Err(vec![explanation]);
                        }
                    },
                }
            }
            (Some(End::Gateway { id, .. }), _) => match requested_destination {
                Some(address) if !is_internet_routable(address) => return Err(not_public(address, id)),
                Some(address) => vec![address],
                None => internet_candidates(topology, near, INTERNET_PROBE),
            },
            (None, _) => requested_destination.into_iter().collect(),
        };
        let Some(range) = path.destination_ports() else {
            return Err(vec![Explanation::new("FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE", None)]);
        };
        Ok(Probes { from, destination, internet_sources, addresses, ports: candidate_ports(topology, range) })
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
                    let probe = Probe { from: probes.from, destination, protocol: protocol(port) };
                    let first = trace_flow(topology, &probe, Mode::FirstDrop, source);
                    // A walk that passes but ends wrong (a filter at the destination) beats any blocked one.
                    let blocked = if first.verdict == Verdict::Reachable {
                        if self.end_checks(path, probes, &first).is_empty() {
                            best = Some((0, probe, source));
                            break 'search;
                        }
                        1
                    } else {
                        trace_flow(topology, &probe, Mode::CollectAll, source).findings().count() + 2
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
        let first = trace_flow(topology, &probe, Mode::FirstDrop, source);
        let forward = self.components(&first.forward);
        let back = first.reply.as_ref().map(|leg| self.components(leg)).unwrap_or_default();
        let mut explanations = Vec::new();
        if first.verdict == Verdict::Reachable {
            explanations.extend(self.end_checks(path, probes, &first));
            if explanations.is_empty() {
                explanations.extend(self.filter_checks(&forward, &back, filter_in, filter_out));
            }
        } else {
            let all = trace_flow(topology, &probe, Mode::CollectAll, source);
            for finding in all.findings() {
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

    // ---- components ----

    fn component(&self, scope: &Scope, id: &str) -> Component {
        let resource_type = network_insights::resource_type(id).unwrap_or("resource");
        Component {
            id: id.to_string(),
            arn: network_insights::arn(scope, resource_type, id),
            name: self.name(scope, id),
        }
    }

    /// The `Name` tag of a resource, as the console and the API show it.
    fn name(&self, scope: &Scope, id: &str) -> Option<String> {
        let region = self.world.region(scope);
        let tags = match id.split_once('-').map(|(prefix, _)| prefix) {
            Some("vpc") => region.vpcs.get(id).map(|r| &r.tags),
            Some("subnet") => region.subnets.get(id).map(|r| &r.tags),
            Some("igw") => region.internet_gateways.get(id).map(|r| &r.tags),
            Some("rtb") => region.route_tables.get(id).map(|r| &r.tags),
            Some("acl") => region.network_acls.get(id).map(|r| &r.tags),
            Some("sg") => region.security_groups.get(id).map(|r| &r.tags),
            Some("i") => region.instances.get(id).map(|r| &r.tags),
            Some("eni") => region.network_interfaces.get(id).map(|r| &r.tags),
            Some("pcx") => self.world.peerings().get(id).map(|pcx| pcx.tags_for(scope)),
            _ => None,
        };
        tags.and_then(|tags| tags.get("Name")).map(str::to_string)
    }

    fn vpc(&self, vpc: VpcIx) -> Component {
        let node = &self.topology.vpcs[vpc];
        self.component(&node.scope, &node.id)
    }

    fn subnet(&self, subnet: usize) -> Component {
        let node = &self.topology.subnets[subnet];
        self.component(&self.topology.vpcs[node.vpc].scope, &node.id)
    }

    fn eni(&self, eni: EniIx) -> Component {
        let node = &self.topology.enis[eni];
        self.component(&node.scope, &node.id)
    }

    fn instance(&self, eni: EniIx) -> Option<Component> {
        let node = &self.topology.enis[eni];
        node.instance_id.as_ref().map(|id| self.component(&node.scope, id))
    }

    fn group(&self, group: usize) -> Component {
        let node = &self.topology.groups[group];
        self.component(&node.scope, &node.id)
    }

    /// A component of the subnet's VPC scope (its ACL, its route table).
    fn of_subnet(&self, subnet: usize, id: &str) -> Component {
        self.component(&self.topology.vpcs[self.topology.subnets[subnet].vpc].scope, id)
    }

    fn peering(&self, id: &str) -> Component {
        let scope =
            self.world.peerings().get(id).map(|pcx| pcx.requester.scope()).unwrap_or_else(|| self.scope.clone());
        self.component(&scope, id)
    }

    fn interface_component(&self, sequence: u32, eni: EniIx) -> PathComponent {
        let node = &self.topology.enis[eni];
        let mut component = PathComponent::new(sequence, self.eni(eni));
        component.attached_to = self.instance(eni);
        component.subnet = Some(self.subnet(node.subnet));
        component.vpc = Some(self.vpc(node.vpc));
        component
    }

    /// A leg's hops as AWS's path components: the sending instance and interface, groups, ACLs, route tables,
    /// peering connections and gateways, then the receiving interface and instance. The internet beyond a gateway
    /// is not a component.
    fn components(&self, leg: &Leg) -> Vec<PathComponent> {
        let mut out: Vec<PathComponent> = Vec::new();
        for (index, hop) in leg.hops.iter().enumerate() {
            let sequence = out.len() as u32 + 1;
            match (&hop.kind, &hop.place) {
                (HopKind::NetworkInterface, Place::Interface(eni)) => {
                    let instance = self.instance(*eni);
                    if index == 0 {
                        let mut interface = self.interface_component(sequence, *eni);
                        if let Some(instance) = instance {
                            let mut first = PathComponent::new(sequence, instance);
                            first.outbound_header = Some(header(&hop.packet));
                            out.push(first);
                            interface.sequence_number += 1;
                        } else {
                            interface.outbound_header = Some(header(&hop.packet));
                        }
                        out.push(interface);
                    } else {
                        let mut interface = self.interface_component(sequence, *eni);
                        match instance {
                            Some(instance) => {
                                out.push(interface);
                                let mut last = PathComponent::new(sequence + 1, instance);
                                last.inbound_header = Some(header(&hop.packet));
                                out.push(last);
                            }
                            None => {
                                interface.inbound_header = Some(header(&hop.packet));
                                out.push(interface);
                            }
                        }
                    }
                }
                (_, Place::SecurityGroups { eni, egress, allowed_by }) => {
                    let groups = &self.topology.enis[*eni].groups;
                    let group = allowed_by.as_ref().map(|(group, _)| *group).or(groups.first().copied());
                    let Some(group) = group else { continue };
                    let mut component = PathComponent::new(sequence, self.group(group));
                    component.security_group_rule = allowed_by
                        .as_ref()
                        .map(|(group, rule)| security_group_rule(&self.topology.groups[*group].id, *egress, rule));
                    out.push(component);
                }
                (_, Place::Acl { subnet, egress, rule }) => {
                    let acl = &self.topology.subnets[*subnet].acl;
                    let mut component = PathComponent::new(sequence, self.of_subnet(*subnet, &acl.id));
                    component.acl_rule = Some(acl_rule(*egress, rule.as_ref()));
                    out.push(component);
                }
                (_, Place::RouteTable { subnet, route }) => {
                    let table = &self.topology.subnets[*subnet].route_table;
                    let mut component = PathComponent::new(sequence, self.of_subnet(*subnet, &table.id));
                    component.route_table_route = route.as_ref().map(route_table_route);
                    component.subnet = Some(self.subnet(*subnet));
                    component.vpc = Some(self.vpc(self.topology.subnets[*subnet].vpc));
                    out.push(component);
                }
                (_, Place::Peering { id, vpc, peer }) => {
                    let mut component = PathComponent::new(sequence, self.peering(id));
                    component.source_vpc = Some(self.vpc(*vpc));
                    component.destination_vpc = peer.map(|peer| self.vpc(peer));
                    component.inbound_header = Some(header(&hop.packet));
                    component.outbound_header = Some(header(&hop.packet));
                    out.push(component);
                }
                (_, Place::InternetGateway { id, vpc, .. }) => {
                    let mut component =
                        PathComponent::new(sequence, self.component(&self.topology.vpcs[*vpc].scope, id));
                    // The translated packet is what the next component receives.
                    let translated = leg.hops.get(index + 1).map_or(hop.packet, |next| next.packet);
                    component.inbound_header = Some(header(&hop.packet));
                    component.outbound_header = Some(header(&translated));
                    component.vpc = Some(self.vpc(*vpc));
                    out.push(component);
                }
                _ => {}
            }
        }
        out
    }

    // ---- explanations ----

    /// One engine finding in AWS's vocabulary (a peering connection that is not active also gets its own
    /// BAD_STATE, so both the route and the connection are named).
    fn explain(&self, finding: &Finding) -> Explanations {
        let topology = self.topology;
        let packet = &finding.packet;
        let protocols = vec![protocol_name(packet.protocol)];
        let mut out = Vec::new();
        match (&finding.code, &finding.place) {
            (Code::EniSgRulesMismatch, Place::SecurityGroups { eni, egress, .. }) => {
                let node = &topology.enis[*eni];
                let groups: Vec<Component> = node.groups.iter().map(|&group| self.group(group)).collect();
                let mut explanation =
                    Explanation::new("ENI_SG_RULES_MISMATCH", groups.first().cloned().or(Some(self.eni(*eni))));
                explanation.direction = Some(direction(*egress));
                explanation.network_interface = Some(self.eni(*eni));
                explanation.security_groups = groups;
                explanation.subnet = Some(self.subnet(node.subnet));
                explanation.vpc = Some(self.vpc(node.vpc));
                explanation.protocols = protocols;
                out.push(explanation);
            }
            (Code::SubnetAclRestriction, Place::Acl { subnet, egress, rule }) => {
                let acl = self.of_subnet(*subnet, &topology.subnets[*subnet].acl.id);
                let mut explanation = Explanation::new("SUBNET_ACL_RESTRICTION", Some(acl.clone()));
                explanation.acl = Some(acl);
                explanation.acl_rule = Some(acl_rule(*egress, rule.as_ref()));
                explanation.direction = Some(direction(*egress));
                explanation.subnet = Some(self.subnet(*subnet));
                explanation.vpc = Some(self.vpc(topology.subnets[*subnet].vpc));
                explanation.protocols = protocols;
                out.push(explanation);
            }
            (Code::NoRouteToDestination | Code::BadStateRoute, Place::RouteTable { subnet, route }) => {
                let table = self.of_subnet(*subnet, &topology.subnets[*subnet].route_table.id);
                let code = if route.is_some() { "BAD_STATE_ROUTE" } else { "NO_ROUTE_TO_DESTINATION" };
                let mut explanation = Explanation::new(code, Some(table.clone()));
                explanation.route_table = Some(table);
                explanation.route_table_route = route.as_ref().map(route_table_route);
                explanation.subnet = Some(self.subnet(*subnet));
                explanation.vpc = Some(self.vpc(topology.subnets[*subnet].vpc));
                explanation.address = Some(packet.dst.to_string());
                match route.as_ref().map(|route| &route.target) {
                    Some(Target::Peering(id)) => {
                        explanation.vpc_peering_connection = Some(self.peering(id));
                        out.push(explanation);
                        out.extend(self.peering_state(id));
                    }
                    Some(Target::InternetGateway(id)) => {
                        explanation.internet_gateway = Some(self.component(self.scope, id));
                        out.push(explanation);
                    }
                    _ => out.push(explanation),
                }
            }
            (Code::BadState, Place::Interface(eni)) => {
                let node = &topology.enis[*eni];
                let component = self.instance(*eni).unwrap_or_else(|| self.eni(*eni));
                let mut explanation = Explanation::new("BAD_STATE", Some(component));
                explanation.network_interface = Some(self.eni(*eni));
                explanation.state = node.instance_id.as_ref().and_then(|id| {
                    self.world.region(&node.scope).instances.get(id).map(|instance| instance.state.name().to_string())
                });
                out.push(explanation);
            }
            (Code::BadState, Place::Peering { id, .. }) => {
                let mut explanation = Explanation::new("BAD_STATE", Some(self.peering(id)));
                explanation.vpc_peering_connection = Some(self.peering(id));
                out.push(explanation);
            }
            (Code::CannotRoute, Place::Peering { id, vpc, peer }) => {
                // Spec §3.3: non-transitive, no edge-to-edge — AWS's PCX_REQUIRES_ADDRESS_IN_VPC_CIDR.
                let mut explanation = Explanation::new("PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", Some(self.peering(id)));
                explanation.vpc_peering_connection = Some(self.peering(id));
                explanation.source_vpc = Some(self.vpc(*vpc));
                explanation.destination_vpc = peer.map(|peer| self.vpc(peer));
                explanation.cidrs = peer
                    .map(|peer| topology.vpcs[peer].cidrs.iter().map(ToString::to_string).collect())
                    .unwrap_or_default();
                explanation.address = Some(packet.dst.to_string());
                out.push(explanation);
            }
            (Code::CannotRoute, Place::Internet) => {
                let [a, b, ..] = packet.dst.octets();
                let code = if packet.dst.is_private() {
                    "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
                } else if a == 100 && (64..128).contains(&b) {
                    "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"
                } else {
                    "CANNOT_ROUTE"
                };
                // The gateway the packet left by: the one of the VPC holding its (translated) source address.
                let igw = topology.eni_by_public_ip(packet.src).and_then(|eni| {
                    let vpc = &topology.vpcs[topology.enis[eni].vpc];
                    vpc.internet_gateway.as_ref().map(|igw| self.component(&vpc.scope, igw))
                });
                let mut explanation = Explanation::new(code, igw.clone());
                explanation.internet_gateway = igw;
                explanation.address = Some(packet.dst.to_string());
                out.push(explanation);
            }
            (Code::CannotRoute, Place::Vpc(vpc)) => {
                let mut explanation = Explanation::new("VPC_LOCAL_ROUTE_CIDR_RESTRICTION", Some(self.vpc(*vpc)));
                explanation.vpc = Some(self.vpc(*vpc));
                explanation.address = Some(packet.dst.to_string());
                out.push(explanation);
            }
            (Code::NoPublicAddress, Place::InternetGateway { id, vpc, eni }) => {
                let igw = self.component(&topology.vpcs[*vpc].scope, id);
                let mut explanation = Explanation::new("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", Some(igw.clone()));
                explanation.internet_gateway = Some(igw);
                explanation.network_interface = Some(self.eni(*eni));
                explanation.vpc = Some(self.vpc(*vpc));
                explanation.address = Some(packet.src.to_string());
                out.push(explanation);
            }
            (Code::NoInternetGateway, Place::Vpc(vpc)) => {
                let mut explanation = Explanation::new("IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", Some(self.vpc(*vpc)));
                explanation.vpc = Some(self.vpc(*vpc));
                explanation.address = Some(packet.dst.to_string());
                out.push(explanation);
            }
            (Code::NoDestination, Place::Vpc(vpc)) => {
                // ASSUMPTION: AWS's nearest code for an address no interface holds.
                let mut explanation = Explanation::new("NO_POSSIBLE_DESTINATION", Some(self.vpc(*vpc)));
                explanation.vpc = Some(self.vpc(*vpc));
                explanation.address = Some(packet.dst.to_string());
                out.push(explanation);
            }
            (code, place) => {
                // CANNOT_ROUTE for the appliance targets localvpc does not forward through (NAT gateways,
                // instances, interfaces), and the engine's code for any other pairing.
                let component = match place {
                    Place::Appliance(id) => self.component(self.scope, id),
                    _ => self.component(self.scope, &finding.component),
                };
                out.push(Explanation::new(code.as_str(), Some(component)));
            }
        }
        out
    }

    /// A peering connection that is not active, as its own BAD_STATE with its status.
    fn peering_state(&self, id: &str) -> Option<Explanation> {
        let pcx = self.world.peerings().get(id)?;
        let mut explanation = Explanation::new("BAD_STATE", Some(self.peering(id)));
        explanation.vpc_peering_connection = Some(self.peering(id));
        explanation.state = Some(pcx.status.code().to_string());
        Some(explanation)
    }
}

fn direction(egress: bool) -> String {
    if egress { "egress" } else { "ingress" }.to_string()
}

fn protocol_name(protocol: i32) -> String {
    match protocol {
        -1 => "all".into(),
        proto::TCP => "tcp".into(),
        proto::UDP => "udp".into(),
        proto::ICMP => "icmp".into(),
        other => other.to_string(),
    }
}

/// The packet as `AnalysisPacketHeader`: one address each way, the ports it carries.
fn header(packet: &Packet) -> PacketHeader {
    let ports = |port: u16| match packet.protocol {
        proto::TCP | proto::UDP => vec![PortRange { from: i32::from(port), to: i32::from(port) }],
        _ => Vec::new(),
    };
    PacketHeader {
        destination_addresses: vec![format!("{}/32", packet.dst)],
        destination_port_ranges: ports(packet.dst_port),
        protocol: packet.protocol.to_string(),
        source_addresses: vec![format!("{}/32", packet.src)],
        source_port_ranges: ports(packet.src_port),
    }
}

/// A network ACL rule as `AnalysisAclRule`; `None` is the implicit final deny (rule `*`, number 32767).
fn acl_rule(egress: bool, rule: Option<&EngineAclRule>) -> AclRule {
    match rule {
        Some(rule) => AclRule {
            cidr: rule.cidr.to_string(),
            egress,
            port_range: rule.ports.map(|(from, to)| PortRange { from: i32::from(from), to: i32::from(to) }),
            protocol: if rule.protocol == -1 { "all".into() } else { rule.protocol.to_string() },
            rule_action: if rule.allow { "allow" } else { "deny" }.into(),
            rule_number: i32::from(rule.number),
        },
        None => AclRule {
            cidr: "0.0.0.0/0".into(),
            egress,
            port_range: None,
            protocol: "all".into(),
            rule_action: "deny".into(),
            rule_number: 32767,
        },
    }
}

fn route_table_route(route: &CompiledRoute) -> RouteTableRoute {
    let mut out = RouteTableRoute {
        destination_cidr: route.destination.to_string(),
        origin: "CreateRoute".into(),
        state: if route.active { "active" } else { "blackhole" }.into(),
        ..RouteTableRoute::default()
    };
    match &route.target {
        Target::Local => {
            out.gateway_id = Some("local".into());
            out.origin = "CreateRouteTable".into();
        }
        Target::InternetGateway(id) => out.gateway_id = Some(id.clone()),
        Target::Peering(id) => out.vpc_peering_connection_id = Some(id.clone()),
        Target::NatGateway(id) => out.nat_gateway_id = Some(id.clone()),
        Target::Instance(id) => out.instance_id = Some(id.clone()),
        Target::NetworkInterface(id) => out.network_interface_id = Some(id.clone()),
    }
    out
}

fn security_group_rule(group_id: &str, egress: bool, rule: &SgRule) -> SecurityGroupRule {
    SecurityGroupRule {
        cidr: match rule.peer {
            SgPeer::Cidr(block) => Some(block.to_string()),
            _ => None,
        },
        direction: direction(egress),
        security_group_id: group_id.to_string(),
        port_range: rule
            .ports
            .filter(|_| matches!(rule.protocol, proto::TCP | proto::UDP))
            .map(|(from, to)| PortRange { from, to }),
        protocol: protocol_name(rule.protocol),
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
            SgPeer::Cidr(block) => Some(block),
            _ => None,
        })
    });
    let acl_blocks = acl.inbound.iter().chain(&acl.outbound).map(|rule| rule.cidr);
    for block in group_blocks.chain(acl_blocks) {
        let after = u32::from(block.broadcast()).checked_add(1).map(Ipv4Addr::from);
        for address in std::iter::once(block.network()).chain(after) {
            if is_internet_routable(address) && !out.contains(&address) {
                out.push(address);
            }
        }
    }
    out
}
