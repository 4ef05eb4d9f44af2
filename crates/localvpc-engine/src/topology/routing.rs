//! Route tables and network ACLs in compiled form: routes longest prefix first (stored, propagated and prefix-list
//! routes of both families in one vector), ACL rules by rule number per direction.

use std::net::IpAddr;

use ipnet::IpNet;
use localvpc_model::network_acl::NetworkAcl;
use localvpc_model::route_table::{self, route_state, Ipv6RouteTarget, RouteState, RouteTable, RouteTarget};
use localvpc_model::{RegionState, World};

use super::protocol_number;

/// A route table ready for longest-prefix match.
#[derive(Debug, Clone, Default)]
pub struct CompiledRouteTable {
    /// `rtb-…`.
    pub id: String,
    /// Routes, longest prefix first.
    pub routes: Vec<CompiledRoute>,
}

impl CompiledRouteTable {
    /// Spec §0 item 8 [D]: longest-prefix match among the routes whose destination contains `address`. The two
    /// families share the vector, but a block never contains an address of the other family, so IPv4 and IPv6
    /// lookups are the independent matches part 2 §16.2 [D] describes.
    pub fn lookup(&self, address: IpAddr) -> Option<&CompiledRoute> {
        self.routes.iter().find(|route| route.destination.contains(&address))
    }
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledRoute {
    /// Destination block (IPv4 or IPv6).
    pub destination: IpNet,
    /// Target.
    pub target: Target,
    /// `active` (false = `blackhole`).
    pub active: bool,
}

/// Where a route sends packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The VPC's implicit router.
    Local,
    /// An internet gateway.
    InternetGateway(String),
    /// A peering connection.
    Peering(String),
    /// A NAT gateway.
    NatGateway(String),
    /// An instance (its primary interface).
    Instance(String),
    /// A network interface.
    NetworkInterface(String),
    /// A transit gateway.
    TransitGateway(String),
    /// A virtual private gateway.
    VpnGateway(String),
    /// An egress-only internet gateway (IPv6 routes only, part 2 §16.2).
    EgressOnlyInternetGateway(String),
    /// A gateway VPC endpoint (part 2 §17.4).
    VpcEndpoint(String),
}

impl Target {
    /// The target's ID as route tables show it (`local` for the local route).
    pub fn id(&self) -> &str {
        match self {
            Target::Local => "local",
            Target::InternetGateway(id)
            | Target::Peering(id)
            | Target::NatGateway(id)
            | Target::Instance(id)
            | Target::NetworkInterface(id)
            | Target::TransitGateway(id)
            | Target::VpnGateway(id)
            | Target::EgressOnlyInternetGateway(id)
            | Target::VpcEndpoint(id) => id,
        }
    }
}

/// A network ACL, both directions sorted by rule number.
#[derive(Debug, Clone, Default)]
pub struct CompiledAcl {
    /// `acl-…`.
    pub id: String,
    /// Inbound rules (egress = false), ascending.
    pub inbound: Vec<AclRule>,
    /// Outbound rules (egress = true), ascending.
    pub outbound: Vec<AclRule>,
}

/// One network ACL rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclRule {
    /// Rule number (32767 is the final `*` rule).
    pub number: u16,
    /// Protocol number, -1 for all.
    pub protocol: i32,
    /// Allow or deny.
    pub allow: bool,
    /// The remote block (IPv4 or IPv6: a rule matches packets of its own family only).
    pub cidr: IpNet,
    /// Destination port range (TCP/UDP).
    pub ports: Option<(u16, u16)>,
    /// ICMP type and code (-1 = any).
    pub icmp: Option<(i32, i32)>,
}

fn compile_target(target: &RouteTarget) -> Target {
    match target {
        RouteTarget::Local => Target::Local,
        RouteTarget::InternetGateway(id) => Target::InternetGateway(id.clone()),
        RouteTarget::VpcPeeringConnection(id) => Target::Peering(id.clone()),
        RouteTarget::NatGateway(id) => Target::NatGateway(id.clone()),
        RouteTarget::Instance(id) => Target::Instance(id.clone()),
        RouteTarget::NetworkInterface(id) => Target::NetworkInterface(id.clone()),
        RouteTarget::TransitGateway(id) => Target::TransitGateway(id.clone()),
        RouteTarget::VpnGateway(id) => Target::VpnGateway(id.clone()),
        RouteTarget::VpcEndpoint(id) => Target::VpcEndpoint(id.clone()),
    }
}

/// A table's routes, longest prefix first. A table virtual private gateways propagate into takes its *effective*
/// routes (part 2 §15.4, the model's `effective_routes`): the propagated routes the selection never chooses — inside
/// `local`, or on a stored route's own prefix — are left out, so the walk's first containing route is the model's
/// `best_route`. So does a table with prefix-list routes (part 2 §17.3): one route per block of each list's current
/// version, expanded here at compile time. A table with neither compiles its stored routes alone, as ever.
/// A table's `ipv6_routes` (part 2 §16.2) join the same vector: the two families' longest-prefix matches stay
/// independent, since a block never contains an address of the other family.
pub(super) fn compile_route_table(world: &World, region: &RegionState, table: &RouteTable) -> CompiledRouteTable {
    let mut routes: Vec<CompiledRoute> = if table.propagating_vgws.is_empty() && table.prefix_list_routes.is_empty() {
        table
            .routes
            .iter()
            .map(|route| CompiledRoute {
                destination: IpNet::V4(route.destination),
                target: compile_target(&route.target),
                active: route_state(world, region, table, route) == RouteState::Active,
            })
            .collect()
    } else {
        route_table::effective_routes(world, region, table)
            .into_iter()
            .filter(|effective| !effective.shadowed)
            .map(|effective| CompiledRoute {
                destination: IpNet::V4(effective.route.destination),
                target: compile_target(&effective.route.target),
                active: effective.state == RouteState::Active,
            })
            .collect()
    };
    // Part 2 §16.2 [D]: the IPv6 routes, their own family's longest-prefix match in the same vector.
    routes.extend(table.ipv6_routes.iter().map(|route| CompiledRoute {
        destination: IpNet::V6(route.destination),
        target: match &route.target {
            Ipv6RouteTarget::Shared(target) => compile_target(target),
            Ipv6RouteTarget::EgressOnlyInternetGateway(id) => Target::EgressOnlyInternetGateway(id.clone()),
        },
        active: route_table::ipv6_route_state(world, region, table, route) == RouteState::Active,
    }));
    // Stable: on an equal prefix the stored route (listed first) stays ahead of a propagated one.
    routes.sort_by_key(|route| std::cmp::Reverse(route.destination.prefix_len()));
    CompiledRouteTable { id: table.id.clone(), routes }
}

/// A network ACL's entries of both families, each direction sorted by rule number.
pub(super) fn compile_acl(acl: &NetworkAcl) -> CompiledAcl {
    let rules = |egress: bool| {
        let mut rules: Vec<AclRule> = acl
            .entries
            .iter()
            .filter(|entry| entry.egress == egress)
            .map(|entry| AclRule {
                number: entry.rule_number,
                protocol: protocol_number(&entry.protocol),
                allow: entry.allow,
                cidr: IpNet::V4(entry.cidr_block),
                ports: entry.port_range,
                icmp: entry.icmp_type_code,
            })
            // Part 2 §16.3: the IPv6 entries, in the same order — an entry matches its own family only, so the two
            // families' rules never decide for each other.
            .chain(acl.ipv6_entries.iter().filter(|entry| entry.egress == egress).map(|entry| AclRule {
                number: entry.rule_number,
                protocol: protocol_number(&entry.protocol),
                allow: entry.allow,
                cidr: IpNet::V6(entry.ipv6_cidr_block),
                ports: entry.port_range,
                icmp: entry.icmp_type_code,
            }))
            .collect();
        rules.sort_by_key(|rule| rule.number);
        rules
    };
    CompiledAcl { id: acl.id.clone(), inbound: rules(false), outbound: rules(true) }
}
