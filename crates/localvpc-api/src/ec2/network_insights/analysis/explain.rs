//! Engine findings as AWS explanations: each blocking setting the collect-all walk found, under AWS's explanation
//! code for it, with the members AWS fills for that code.

use localvpc_engine::topology::Target;
use localvpc_engine::{Code, Finding, Place};
use localvpc_model::network_insights::result::{Component, Explanation};

use super::render::{acl_rule, direction, protocol_name, route_table_route};
use super::{Analyser, Explanations};

impl Analyser<'_> {
    /// One engine finding in AWS's vocabulary (a peering connection that is not active also gets its own
    /// BAD_STATE, so both the route and the connection are named).
    pub(super) fn explain(&self, finding: &Finding) -> Explanations {
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
                    Some(Target::NatGateway(id)) => {
                        explanation.nat_gateway = Some(self.component(self.scope, id));
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
                    self.world
                        .region(&node.scope)
                        .instances
                        .get(id.as_str())
                        .map(|instance| instance.state.name().to_string())
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
                let (private, [a, b, ..]) = match packet.dst {
                    std::net::IpAddr::V4(address) => (address.is_private(), address.octets()),
                    std::net::IpAddr::V6(_) => (false, [0; 4]),
                };
                let code = if private {
                    "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
                } else if a == 100 && (64..128).contains(&b) {
                    "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"
                } else {
                    "CANNOT_ROUTE"
                };
                // The gateway the packet left by: the one of the VPC holding its (translated) source address.
                let igw = topology.eni_by_public_ip(packet.src).and_then(|eni| {
                    let vpc_ix = topology.enis[eni].vpc;
                    let vpc = &topology.vpcs[vpc_ix];
                    let igw = vpc.internet_gateway.as_ref().filter(|_| self.sees(&Place::Vpc(vpc_ix)))?;
                    Some(self.component(&vpc.scope, igw))
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
            (code, Place::NatGateway { id, vpc, eni }) => {
                // Part 2 §13.3 [D RA]: BAD_STATE (not available), NGW_REQUIRES_SOURCE_IN_VPC, CANNOT_ROUTE (a
                // second NAT gateway), and NO_PATH for unsolicited inbound traffic (part 2 §19 [I]).
                let nat = self.component(&topology.vpcs[*vpc].scope, id);
                let mut explanation = Explanation::new(code.as_str(), Some(nat.clone()));
                explanation.nat_gateway = Some(nat);
                explanation.vpc = Some(self.vpc(*vpc));
                explanation.subnet = eni.map(|eni| self.subnet(topology.enis[eni].subnet));
                if *code == Code::BadState {
                    explanation.state = self
                        .world
                        .region(&topology.vpcs[*vpc].scope)
                        .nat_gateways
                        .get(id.as_str())
                        .map(|nat| nat.state_at(localvpc_model::Timestamp(0)).as_str().to_string());
                }
                if *code == Code::NgwRequiresSourceInVpc {
                    explanation.address = Some(packet.src.to_string());
                }
                out.push(explanation);
            }
            (code, Place::VpnGateway { id, vpc, gateway }) => {
                // Part 2 §19 [D RA]: BAD_STATE_ATTACHMENT, VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS/INGRESS, and
                // NO_ROUTE_TO_DESTINATION for a prefix the gateway does not know ([mapping I]).
                let vgw = self.component(&topology.vpn.gateways[*gateway].scope, id);
                let mut explanation = Explanation::new(code.as_str(), Some(vgw));
                explanation.vpc = vpc.map(|vpc| self.vpc(vpc));
                explanation.address = Some(match code {
                    Code::VgwPrivateIpAssociationForEgress => packet.src.to_string(),
                    _ => packet.dst.to_string(),
                });
                out.push(explanation);
            }
            (code, Place::VpcEndpoint { id, vpc }) => {
                // Part 2 §19 [D RA]: VPCE_GATEWAY_PROTOCOL_RESTRICTION, and GATEWAY_REJECTS_SPOOFED_TRAFFIC for a
                // packet from beyond the VPC; both name the endpoint.
                let endpoint = self.component(&topology.vpcs[*vpc].scope, id);
                let mut explanation = Explanation::new(code.as_str(), Some(endpoint.clone()));
                explanation.vpc_endpoint = Some(endpoint);
                explanation.vpc = Some(self.vpc(*vpc));
                explanation.protocols = protocols.clone();
                explanation.address = Some(match code {
                    Code::GatewayRejectsSpoofedTraffic => packet.src.to_string(),
                    _ => packet.dst.to_string(),
                });
                out.push(explanation);
            }
            (code, Place::VpnConnection { id, site, .. }) => {
                let connection = self.component(&topology.vpn.sites[*site].scope, id);
                out.push(Explanation::new(code.as_str(), Some(connection)));
            }
            (code, Place::TransitGateway { id, attachment, route_table, route }) => {
                // Part 2 §14.5 [D RA]: TGW_ROUTE_AZ_RESTRICTION and BAD_STATE_ATTACHMENT name the attachment;
                // TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION the attachment; TGW_RTB_* the table and its route.
                let gateway = self.of_transit_gateway(id, id);
                let attachment = self.of_transit_gateway(id, attachment);
                let table = route_table.as_ref().map(|table| self.of_transit_gateway(id, table));
                let blocking = match code {
                    Code::TgwRtbNoRouteToTgwAttachment | Code::TgwRtbBadStateRoute => table.clone(),
                    _ => Some(attachment.clone()),
                };
                let mut explanation = Explanation::new(code.as_str(), blocking.or(Some(gateway.clone())));
                explanation.transit_gateway = Some(gateway);
                explanation.transit_gateway_attachment = Some(attachment);
                explanation.route_table = table;
                explanation.transit_gateway_route_table_route =
                    route.as_ref().map(|route| self.transit_route(id, route));
                explanation.address = Some(packet.dst.to_string());
                if *code == Code::BadStateAttachment {
                    explanation.state = Some("pendingAcceptance".into());
                }
                out.push(explanation);
            }
            (code, place) => {
                // CANNOT_ROUTE for the appliance targets localvpc does not forward through (instances,
                // interfaces), and the engine's code for any other pairing.
                let component = match place {
                    Place::Appliance { id, .. } => self.component(self.scope, id),
                    _ => self.component(self.scope, &finding.component),
                };
                out.push(Explanation::new(code.as_str(), Some(component)));
            }
        }
        out
    }

    /// A peering connection that is not active, as its own BAD_STATE with its status.
    pub(super) fn peering_state(&self, id: &str) -> Option<Explanation> {
        let pcx = self.world.peerings().get(id)?;
        let mut explanation = Explanation::new("BAD_STATE", Some(self.peering(id)));
        explanation.vpc_peering_connection = Some(self.peering(id));
        explanation.state = Some(pcx.status.code().to_string());
        Some(explanation)
    }
}
