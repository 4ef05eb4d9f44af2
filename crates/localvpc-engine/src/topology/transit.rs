//! Transit gateways in the compiled topology (part 2 §14.4): each gateway's attachments with the subnet and
//! interface they hold in every Availability Zone, the route table associated with each attachment, and every
//! table's routes — static and propagated, as the model derives them — sorted for longest-prefix match, so the walk
//! never looks at an attachment or a route it does not use.

use std::collections::HashMap;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use localvpc_model::transit_gateway::routes::{self, RouteState, RouteType};
use localvpc_model::transit_gateway::{AttachmentResource, AttachmentState, TransitGatewayAttachment};
use localvpc_model::transit_gateway::{TransitGateway, TransitGatewayRouteTable};
use localvpc_model::{Scope, World};

use super::{EniIx, SubnetIx, Topology, VpcIx};

/// Index of a transit gateway route table in the topology.
pub type TgwTableIx = usize;

/// One attachment of a transit gateway.
#[derive(Debug, Clone)]
pub struct TgwAttachmentNode {
    /// `tgw-attach-…`.
    pub id: String,
    /// `tgw-…` of the gateway it belongs to (a peering attachment: the requester's).
    pub gateway: String,
    /// `available`: it carries traffic.
    pub available: bool,
    /// It carries IPv6: a VPC attachment with `Ipv6Support` (part 2 §16.2 [D]); ASSUMPTION: other kinds are not
    /// held back here (peering attachments carry both families; VPN walks are IPv4).
    pub carries_ipv6: bool,
    /// What it joins.
    pub kind: TgwAttachmentKind,
}

/// What an attachment joins its gateway to.
#[derive(Debug, Clone)]
pub enum TgwAttachmentKind {
    /// A VPC, through one interface per zone (zone, subnet, interface), in the attachment's subnet order.
    Vpc {
        /// The VPC.
        vpc: VpcIx,
        /// Its subnets and the attachment's interface in each.
        zones: Vec<(String, SubnetIx, EniIx)>,
    },
    /// Two transit gateways: the requester's and the accepter's.
    Peering {
        /// `tgw-…` of the requester.
        requester: String,
        /// `tgw-…` of the accepter.
        accepter: String,
    },
    /// A site-to-site VPN connection (`resourceType` `vpn`): the walk goes on in `walk/vpn.rs`.
    Vpn {
        /// `vpn-…`.
        connection: String,
    },
}

impl TgwAttachmentNode {
    /// The VPC attachment's subnet and interface in `zone`.
    pub fn in_zone(&self, zone: &str) -> Option<(SubnetIx, EniIx)> {
        match &self.kind {
            TgwAttachmentKind::Vpc { zones, .. } => {
                zones.iter().find(|(z, ..)| z == zone).map(|&(_, subnet, eni)| (subnet, eni))
            }
            TgwAttachmentKind::Peering { .. } | TgwAttachmentKind::Vpn { .. } => None,
        }
    }

    /// Part 2 §14.4 step 4 [D]: the interface in the packet's zone, else (ASSUMPTION part 2 §14.4 [I]: the fallback
    /// AWS picks is not documented) the first zone the attachment lists.
    pub fn egress_in(&self, zone: &str) -> Option<(SubnetIx, EniIx)> {
        match &self.kind {
            TgwAttachmentKind::Vpc { zones, .. } => {
                self.in_zone(zone).or_else(|| zones.first().map(|&(_, subnet, eni)| (subnet, eni)))
            }
            TgwAttachmentKind::Peering { .. } | TgwAttachmentKind::Vpn { .. } => None,
        }
    }
}

/// One route of a transit gateway route table, to a block of the family `N` (IPv4 by default; `IpNet` for a route
/// a lookup of either family found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgwRoute<N = Ipv4Net> {
    /// Destination block.
    pub destination: N,
    /// The attachment it sends to (`None`: a blackhole route).
    pub attachment: Option<String>,
    /// `static` (true) or `propagated`.
    pub is_static: bool,
    /// `active` (false: blackhole, or an attachment that is not available).
    pub active: bool,
}

/// A transit gateway route table.
#[derive(Debug, Clone)]
pub struct TgwTableNode {
    /// `tgw-rtb-…`.
    pub id: String,
    /// Its gateway.
    pub gateway: String,
    /// IPv4 routes, longest prefix first (the model already dropped a propagated route a static one overrides).
    pub routes: Vec<TgwRoute>,
    /// IPv6 routes, longest prefix first: propagated from attachments with `Ipv6Support`, and static ones (part 2
    /// §16.2 [D]).
    pub ipv6_routes: Vec<TgwRoute<Ipv6Net>>,
}

impl<N: Into<IpNet> + Copy> TgwRoute<N> {
    /// The route with its destination of either family.
    fn any_family(&self) -> TgwRoute<IpNet> {
        TgwRoute {
            destination: self.destination.into(),
            attachment: self.attachment.clone(),
            is_static: self.is_static,
            active: self.active,
        }
    }
}

impl TgwTableNode {
    /// Part 2 §14.4 step 3 [D]: the longest prefix containing `address`, among the routes of its family (part 2
    /// §16.2 [D]: IPv4 and IPv6 lookups are independent).
    pub fn lookup(&self, address: std::net::IpAddr) -> Option<TgwRoute<IpNet>> {
        match address {
            std::net::IpAddr::V4(address) => {
                self.routes.iter().find(|route| route.destination.contains(&address)).map(TgwRoute::any_family)
            }
            std::net::IpAddr::V6(address) => {
                self.ipv6_routes.iter().find(|route| route.destination.contains(&address)).map(TgwRoute::any_family)
            }
        }
    }
}

/// A transit gateway.
#[derive(Debug, Clone)]
pub struct TgwNode {
    /// `tgw-…`.
    pub id: String,
    /// Owner and Region.
    pub scope: Scope,
}

/// The compiled transit gateways: empty unless the world has some, so a topology without them pays nothing.
#[derive(Debug, Default)]
pub struct Transit {
    gateways: HashMap<String, TgwNode>,
    attachments: HashMap<String, TgwAttachmentNode>,
    tables: Vec<TgwTableNode>,
    /// gateway → attachment → the table associated with the attachment on that gateway.
    associations: HashMap<String, HashMap<String, TgwTableIx>>,
    /// VPC → (gateway, the VPC's live attachment to it).
    vpc_attachments: HashMap<VpcIx, Vec<(String, String)>>,
    /// Every block a walk through a gateway compares with an address: the gateways' routes, and the routes and
    /// network ACL entries of the attachments' subnets.
    compared: Vec<Ipv4Net>,
}

impl Topology {
    /// Adds every transit gateway, attachment and route table; after the interfaces, which attachments point at.
    pub(super) fn add_transit_gateways(&mut self, world: &World) {
        for gateway in world.spanning::<TransitGateway>().values() {
            let node = TgwNode { id: gateway.id.clone(), scope: gateway.owner_scope() };
            self.transit.gateways.insert(gateway.id.clone(), node);
        }
        for attachment in world.spanning::<TransitGatewayAttachment>().values() {
            if !attachment.is_live() {
                continue;
            }
            let kind = match &attachment.resource {
                AttachmentResource::Vpc(resource) => {
                    let scope = Scope::new(&resource.account, &attachment.region);
                    let Some(vpc) = self.vpc(&scope, &resource.vpc_id) else { continue };
                    let zones = resource
                        .interface_ids
                        .iter()
                        .filter_map(|id| self.eni(id))
                        .map(|eni| {
                            let subnet = self.enis[eni].subnet;
                            (self.subnets[subnet].zone.clone(), subnet, eni)
                        })
                        .collect();
                    let of_vpc = self.transit.vpc_attachments.entry(vpc).or_default();
                    of_vpc.push((attachment.transit_gateway_id.clone(), attachment.id.clone()));
                    TgwAttachmentKind::Vpc { vpc, zones }
                }
                AttachmentResource::Peering(peer) => TgwAttachmentKind::Peering {
                    requester: attachment.transit_gateway_id.clone(),
                    accepter: peer.transit_gateway_id.clone(),
                },
                AttachmentResource::Vpn(vpn) => {
                    let ends = (attachment.transit_gateway_id.clone(), attachment.id.clone());
                    self.vpn.transit_attachments.insert(vpn.vpn_connection_id.clone(), ends);
                    TgwAttachmentKind::Vpn { connection: vpn.vpn_connection_id.clone() }
                }
            };
            let carries_ipv6 = match &attachment.resource {
                AttachmentResource::Vpc(resource) => resource.options.ipv6_support,
                AttachmentResource::Peering(_) | AttachmentResource::Vpn(_) => true,
            };
            let node = TgwAttachmentNode {
                id: attachment.id.clone(),
                gateway: attachment.transit_gateway_id.clone(),
                available: attachment.state == AttachmentState::Available,
                carries_ipv6,
                kind,
            };
            self.transit.attachments.insert(attachment.id.clone(), node);
        }
        for table in world.spanning::<TransitGatewayRouteTable>().values() {
            let index = self.transit.tables.len();
            for attachment in &table.associations {
                let of_gateway = self.transit.associations.entry(table.transit_gateway_id.clone()).or_default();
                of_gateway.insert(attachment.clone(), index);
            }
            let (mut compiled, mut ipv6_routes) = (Vec::new(), Vec::new());
            for route in routes::routes(world, table) {
                let attachment = route.attachment.map(|attachment| attachment.attachment_id);
                let is_static = route.route_type == RouteType::Static;
                let active = route.state == RouteState::Active;
                match route.destination {
                    IpNet::V4(destination) => compiled.push(TgwRoute { destination, attachment, is_static, active }),
                    IpNet::V6(destination) => {
                        ipv6_routes.push(TgwRoute { destination, attachment, is_static, active });
                    }
                }
            }
            compiled.sort_by_key(|route| std::cmp::Reverse(route.destination.prefix_len()));
            ipv6_routes.sort_by_key(|route| std::cmp::Reverse(route.destination.prefix_len()));
            // The all-pairs answer is IPv4's (see `reachability`).
            self.transit.compared.extend(compiled.iter().map(|route| route.destination));
            let node = TgwTableNode {
                id: table.id.clone(),
                gateway: table.transit_gateway_id.clone(),
                routes: compiled,
                ipv6_routes,
            };
            self.transit.tables.push(node);
        }
        let mut subnets: Vec<SubnetIx> = self
            .transit
            .attachments
            .values()
            .filter_map(|attachment| match &attachment.kind {
                TgwAttachmentKind::Vpc { zones, .. } => Some(zones.iter().map(|&(_, subnet, _)| subnet)),
                TgwAttachmentKind::Peering { .. } | TgwAttachmentKind::Vpn { .. } => None,
            })
            .flatten()
            .collect();
        subnets.sort_unstable();
        subnets.dedup();
        for subnet in subnets {
            let node = &self.subnets[subnet];
            let routes = node.route_table.routes.iter().map(|route| route.destination);
            let acl = node.acl.inbound.iter().chain(&node.acl.outbound).map(|rule| rule.cidr);
            // The all-pairs answer is IPv4's (see `reachability`).
            self.transit.compared.extend(routes.chain(acl).filter_map(|block| match block {
                ipnet::IpNet::V4(block) => Some(block),
                ipnet::IpNet::V6(_) => None,
            }));
        }
    }

    /// The blocks a walk through any transit gateway compares with a packet's addresses (empty without
    /// gateways): the all-pairs answer treats a subnet as one only if none of them splits it.
    pub fn transit_cidrs(&self) -> &[Ipv4Net] {
        &self.transit.compared
    }

    /// The transit gateway with this ID.
    pub fn transit_gateway(&self, id: &str) -> Option<&TgwNode> {
        self.transit.gateways.get(id)
    }

    /// Every transit gateway, by ID.
    pub fn transit_gateways(&self) -> Vec<&TgwNode> {
        let mut gateways: Vec<&TgwNode> = self.transit.gateways.values().collect();
        gateways.sort_by(|a, b| a.id.cmp(&b.id));
        gateways
    }

    /// Every live attachment of every gateway, by ID.
    pub fn tgw_attachments(&self) -> Vec<&TgwAttachmentNode> {
        let mut attachments: Vec<&TgwAttachmentNode> = self.transit.attachments.values().collect();
        attachments.sort_by(|a, b| a.id.cmp(&b.id));
        attachments
    }

    /// Every transit gateway route table.
    pub fn tgw_tables(&self) -> &[TgwTableNode] {
        &self.transit.tables
    }

    /// The live attachment with this ID.
    pub fn tgw_attachment(&self, id: &str) -> Option<&TgwAttachmentNode> {
        self.transit.attachments.get(id)
    }

    /// The live attachment of `vpc` to gateway `gateway`.
    pub fn vpc_attachment(&self, vpc: VpcIx, gateway: &str) -> Option<&TgwAttachmentNode> {
        let (_, id) = self.transit.vpc_attachments.get(&vpc)?.iter().find(|(g, _)| g == gateway)?;
        self.transit.attachments.get(id)
    }

    /// The table of `gateway` that `attachment` is associated with.
    pub fn tgw_associated_table(&self, gateway: &str, attachment: &str) -> Option<&TgwTableNode> {
        let index = self.transit.associations.get(gateway)?.get(attachment)?;
        self.transit.tables.get(*index)
    }
}
