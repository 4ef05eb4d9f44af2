//! Engine hops as AWS path components: the sending instance and interface, security groups, network ACLs, route
//! tables, peering connections, internet gateways, the receiving interface and instance — each named by ID, ARN
//! and `Name` tag, with the rule, route or packet header AWS shows for it. Hops the caller may not see whole are
//! left out.

use localvpc_engine::packet::proto;
use localvpc_engine::topology::{
    AclRule as EngineAclRule, CompiledRoute, EniIx, SgPeer, SgRule, Target, TgwAttachmentKind, TgwRoute, VpcIx,
};
use localvpc_engine::{HopKind, Leg, Packet, Place};
use localvpc_model::network_insights;
use localvpc_model::network_insights::result::{
    AclRule, Component, Explanation, PacketHeader, PathComponent, PortRange, RouteTableRoute, SecurityGroupRule,
    TransitGatewayRouteTableRoute,
};
use localvpc_model::Scope;

use super::Analyser;

impl Analyser<'_> {
    pub(super) fn component(&self, scope: &Scope, id: &str) -> Component {
        let resource_type = network_insights::resource_type(id).unwrap_or("resource");
        Component {
            id: id.to_string(),
            arn: network_insights::arn(scope, resource_type, id),
            name: self.name(scope, id),
        }
    }

    /// The `Name` tag of a resource, as the console and the API show it. Tags stay with their owner: a peer's VPC
    /// named on a peering connection shows its ID and ARN, not its name, and a peering connection shows the
    /// caller's side's tags.
    pub(super) fn name(&self, scope: &Scope, id: &str) -> Option<String> {
        if id.starts_with("pcx-") {
            let tags = self.world.peerings().get(id).map(|pcx| pcx.tags_for(self.scope));
            return tags.and_then(|tags| tags.get("Name")).map(str::to_string);
        }
        if scope != self.scope {
            return None;
        }
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
            Some("vpce") => region.vpc_endpoints.get(id).map(|r| &r.tags),
            _ => None,
        };
        tags.and_then(|tags| tags.get("Name")).map(str::to_string)
    }

    pub(super) fn vpc(&self, vpc: VpcIx) -> Component {
        let node = &self.topology.vpcs[vpc];
        self.component(&node.scope, &node.id)
    }

    pub(super) fn subnet(&self, subnet: usize) -> Component {
        let node = &self.topology.subnets[subnet];
        self.component(&self.topology.vpcs[node.vpc].scope, &node.id)
    }

    pub(super) fn eni(&self, eni: EniIx) -> Component {
        let node = &self.topology.enis[eni];
        self.component(&node.scope, &node.id)
    }

    pub(super) fn instance(&self, eni: EniIx) -> Option<Component> {
        let node = &self.topology.enis[eni];
        node.instance_id.as_ref().map(|id| self.component(&node.scope, id))
    }

    pub(super) fn group(&self, group: usize) -> Component {
        let node = &self.topology.groups[group];
        self.component(&node.scope, &node.id)
    }

    /// A component of the subnet's VPC scope (its ACL, its route table).
    pub(super) fn of_subnet(&self, subnet: usize, id: &str) -> Component {
        self.component(&self.topology.vpcs[self.topology.subnets[subnet].vpc].scope, id)
    }

    pub(super) fn peering(&self, id: &str) -> Component {
        let scope =
            self.world.peerings().get(id).map(|pcx| pcx.requester.scope()).unwrap_or_else(|| self.scope.clone());
        self.component(&scope, id)
    }

    /// A transit gateway, or one of its route tables or attachments (`id`), in the gateway owner's scope.
    pub(super) fn of_transit_gateway(&self, gateway: &str, id: &str) -> Component {
        let scope = self.topology.transit_gateway(gateway).map_or(self.scope, |gateway| &gateway.scope);
        self.component(scope, id)
    }

    /// A transit gateway route as `TransitGatewayRouteTableRoute`, seen from `gateway`'s table.
    pub(super) fn transit_route<N: std::fmt::Display>(
        &self,
        gateway: &str,
        route: &TgwRoute<N>,
    ) -> TransitGatewayRouteTableRoute {
        let attachment = route.attachment.as_deref().and_then(|id| self.topology.tgw_attachment(id));
        let resource = attachment.map(|attachment| match &attachment.kind {
            TgwAttachmentKind::Vpc { vpc, .. } => (self.topology.vpcs[*vpc].id.clone(), "vpc"),
            TgwAttachmentKind::Peering { requester, accepter } => {
                let peer = if requester == gateway { accepter } else { requester };
                (peer.clone(), "peering")
            }
            TgwAttachmentKind::Vpn { connection } => (connection.clone(), "vpn"),
        });
        TransitGatewayRouteTableRoute {
            destination_cidr: route.destination.to_string(),
            state: if route.active { "active" } else { "blackhole" }.into(),
            route_origin: if route.is_static { "static" } else { "propagated" }.into(),
            attachment_id: route.attachment.clone(),
            resource_id: resource.as_ref().map(|(id, _)| id.clone()),
            resource_type: resource.map(|(_, kind)| kind.to_string()),
        }
    }

    pub(super) fn interface_component(&self, sequence: u32, eni: EniIx) -> PathComponent {
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
    pub(super) fn components(&self, leg: &Leg) -> Vec<PathComponent> {
        let mut out: Vec<PathComponent> = Vec::new();
        for (index, hop) in leg.hops.iter().enumerate() {
            if !self.sees(&hop.place) {
                continue;
            }
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
                (_, Place::NatGateway { id, vpc, eni }) => {
                    let mut component =
                        PathComponent::new(sequence, self.component(&self.topology.vpcs[*vpc].scope, id));
                    let translated = leg.hops.get(index + 1).map_or(hop.packet, |next| next.packet);
                    component.inbound_header = Some(header(&hop.packet));
                    component.outbound_header = Some(header(&translated));
                    component.subnet = eni.map(|eni| self.subnet(self.topology.enis[eni].subnet));
                    component.vpc = Some(self.vpc(*vpc));
                    component.explanations = nat_translations(&hop.packet, &translated);
                    out.push(component);
                }
                (_, Place::TransitGateway { id, attachment, route_table, route }) => {
                    // The attachment the packet entered by, then the table whose route carried it.
                    let gateway = self.of_transit_gateway(id, id);
                    let mut entry = PathComponent::new(sequence, self.of_transit_gateway(id, attachment));
                    entry.transit_gateway = Some(gateway.clone());
                    entry.inbound_header = Some(header(&hop.packet));
                    out.push(entry);
                    if let Some(table) = route_table {
                        let mut lookup = PathComponent::new(sequence + 1, self.of_transit_gateway(id, table));
                        lookup.transit_gateway = Some(gateway);
                        lookup.transit_gateway_route_table_route =
                            route.as_ref().map(|route| self.transit_route(id, route));
                        lookup.outbound_header = Some(header(&hop.packet));
                        out.push(lookup);
                    }
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
                (_, Place::VpnGateway { id, vpc, gateway }) => {
                    let scope = &self.topology.vpn.gateways[*gateway].scope;
                    let mut component = PathComponent::new(sequence, self.component(scope, id));
                    component.inbound_header = Some(header(&hop.packet));
                    component.outbound_header = Some(header(&hop.packet));
                    component.vpc = vpc.map(|vpc| self.vpc(vpc));
                    out.push(component);
                }
                (_, Place::VpcEndpoint { id, vpc }) => {
                    // Part 2 §17.4: the gateway endpoint and the service behind it.
                    let mut component =
                        PathComponent::new(sequence, self.component(&self.topology.vpcs[*vpc].scope, id));
                    component.inbound_header = Some(header(&hop.packet));
                    component.outbound_header = Some(header(&hop.packet));
                    component.vpc = Some(self.vpc(*vpc));
                    component.service_name = self
                        .topology
                        .gateway_endpoint(id)
                        .map(|endpoint| self.topology.gateway_endpoints[endpoint].service.clone());
                    out.push(component);
                }
                (_, Place::VpnConnection { id, site, .. }) => {
                    let scope = &self.topology.vpn.sites[*site].scope;
                    let mut component = PathComponent::new(sequence, self.component(scope, id));
                    component.inbound_header = Some(header(&hop.packet));
                    component.outbound_header = Some(header(&hop.packet));
                    out.push(component);
                }
                _ => {}
            }
        }
        out
    }
}

/// Part 2 §13.3 [D RA]: the informational codes of a NAT gateway's translation on the way out — a new source
/// address, a remapped source port (TCP, UDP), and the destination kept. An answer translated back has none.
fn nat_translations(before: &Packet, after: &Packet) -> Vec<Explanation> {
    if before.src == after.src {
        return Vec::new();
    }
    let mut codes = vec!["NGW_SOURCE_ADDRESS_REASSIGN"];
    if before.src_port != after.src_port {
        codes.push("REMAP_EPHEMERAL_PORT");
    }
    codes.push("NGW_DEST_ADDRESS_PRESERVATION");
    codes
        .into_iter()
        .map(|code| {
            let mut explanation = Explanation::new(code, None);
            explanation.address =
                Some(if code == "NGW_DEST_ADDRESS_PRESERVATION" { after.dst } else { after.src }.to_string());
            explanation
        })
        .collect()
}

pub(super) fn direction(egress: bool) -> String {
    if egress { "egress" } else { "ingress" }.to_string()
}

pub(super) fn protocol_name(protocol: i32) -> String {
    match protocol {
        -1 => "all".into(),
        proto::TCP => "tcp".into(),
        proto::UDP => "udp".into(),
        proto::ICMP => "icmp".into(),
        other => other.to_string(),
    }
}

/// The packet as `AnalysisPacketHeader`: one address each way, the ports it carries.
pub(super) fn header(packet: &Packet) -> PacketHeader {
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
pub(super) fn acl_rule(egress: bool, rule: Option<&EngineAclRule>) -> AclRule {
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

pub(super) fn route_table_route(route: &CompiledRoute) -> RouteTableRoute {
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
        // An egress-only gateway routes IPv6 only, which Network Insights paths never are (part 2 §16.5).
        Target::InternetGateway(id)
        | Target::VpnGateway(id)
        | Target::VpcEndpoint(id)
        | Target::EgressOnlyInternetGateway(id) => out.gateway_id = Some(id.clone()),
        Target::TransitGateway(id) => out.transit_gateway_id = Some(id.clone()),
        Target::Peering(id) => out.vpc_peering_connection_id = Some(id.clone()),
        Target::NatGateway(id) => out.nat_gateway_id = Some(id.clone()),
        Target::Instance(id) => out.instance_id = Some(id.clone()),
        Target::NetworkInterface(id) => out.network_interface_id = Some(id.clone()),
    }
    out
}

pub(super) fn security_group_rule(group_id: &str, egress: bool, rule: &SgRule) -> SecurityGroupRule {
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
