//! Route tables (spec §2.5, §3.2): the main table, local routes, associations, and the `active`/`blackhole`
//! state of each route; CreateRoute/ReplaceRoute/DeleteRoute with their validations are `route_table/routes.rs`;
//! route propagation from virtual private gateways and the selection among stored and propagated routes are
//! `route_table/propagation.rs`; routes whose destination is a managed prefix list are
//! `route_table/prefix_list_routes.rs`; IPv6 routes (part 2 §16.2) are `route_table/ipv6_routes.rs`.

mod ipv6_routes;
mod prefix_list_routes;
mod propagation;
mod routes;

pub use ipv6_routes::{
    add_local_ipv6_routes, delete_ipv6_route, ipv6_route_state, remove_local_ipv6_routes, Ipv6Route, Ipv6RouteTarget,
};
pub use prefix_list_routes::{
    delete_prefix_list_route, prefix_list_route_state, prefix_list_route_weight, tables_routing_to, PrefixListRoute,
};
pub use propagation::{
    best_route, disable_vgw_route_propagation, effective_routes, enable_vgw_route_propagation, propagating_vgws,
    EffectiveRoute,
};
pub use routes::{create_route, delete_route, replace_route, RouteRequest};

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cidr::{self, Ipv4Net};
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::vpc::Vpc;
use crate::world::{RegionState, Resource, Scope, Table, Tx, World};
use crate::{Ec2Error, NatGatewayError, Result};

/// A route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    /// `rtb-…`.
    pub id: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owning account.
    pub owner_id: String,
    /// Routes, local ones first.
    pub routes: Vec<Route>,
    /// Associations: the implicit main one and explicit subnet/gateway ones.
    pub associations: Vec<Association>,
    /// Virtual private gateways whose routes this table receives (EnableVgwRoutePropagation, part 2 §15.4).
    #[serde(default)]
    pub propagating_vgws: Vec<String>,
    /// Routes whose destination is a managed prefix list (part 2 §17.3), in the order created.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_list_routes: Vec<PrefixListRoute>,
    /// IPv6 routes (part 2 §16.2), local ones first; none in records written before IPv6.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_routes: Vec<Ipv6Route>,
    /// Tags.
    pub tags: Tags,
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Destination block.
    pub destination: Ipv4Net,
    /// Where matching packets go.
    pub target: RouteTarget,
    /// `CreateRouteTable` for local routes, `CreateRoute` for the rest.
    pub origin: RouteOrigin,
}

/// A route's target: exactly one per route (spec §2.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteTarget {
    /// The VPC's implicit router (`gatewayId` `local`).
    Local,
    /// An internet gateway (`gatewayId` `igw-…`).
    InternetGateway(String),
    /// A VPC peering connection.
    VpcPeeringConnection(String),
    /// A NAT gateway.
    NatGateway(String),
    /// An instance (rendered with its primary network interface).
    Instance(String),
    /// A network interface.
    NetworkInterface(String),
    /// A transit gateway (`transitGatewayId` `tgw-…`, part 2 §14.1).
    TransitGateway(String),
    /// A virtual private gateway (`gatewayId` `vgw-…`, part 2 §15.4).
    VpnGateway(String),
    /// A gateway VPC endpoint (`gatewayId` `vpce-…`, part 2 §17.4): only on the route to its service's prefix
    /// list, which the endpoint adds and removes itself.
    VpcEndpoint(String),
}

/// How a route came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    /// Created with the table (local routes).
    CreateRouteTable,
    /// Added by CreateRoute/ReplaceRoute.
    CreateRoute,
    /// Learned from a virtual private gateway whose propagation the table enables (part 2 §15.4).
    EnableVgwRoutePropagation,
}

impl RouteOrigin {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteOrigin::CreateRouteTable => "CreateRouteTable",
            RouteOrigin::CreateRoute => "CreateRoute",
            RouteOrigin::EnableVgwRoutePropagation => "EnableVgwRoutePropagation",
        }
    }
}

impl Route {
    /// A `local` route.
    pub fn is_local(&self) -> bool {
        self.target == RouteTarget::Local
    }
}

/// One association of a route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Association {
    /// `rtbassoc-…`.
    pub id: String,
    /// The subnet, for an explicit subnet association.
    pub subnet_id: Option<String>,
    /// The gateway, for an edge association.
    pub gateway_id: Option<String>,
    /// The implicit main association (no subnet).
    pub main: bool,
}

impl RouteTable {
    /// Holds the VPC's main association.
    pub fn is_main(&self) -> bool {
        self.associations.iter().any(|association| association.main)
    }
}

impl Resource for RouteTable {
    const KIND: &'static str = "route_table";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.route_tables
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.route_tables
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

/// `active` or `blackhole` (spec §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteState {
    /// The target can carry traffic.
    Active,
    /// The target is gone or unusable; matching packets are dropped.
    Blackhole,
}

impl RouteState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteState::Active => "active",
            RouteState::Blackhole => "blackhole",
        }
    }
}

/// Spec §2.5 [D]: a route is `blackhole` when its target cannot carry traffic — a gateway that is detached from
/// the table's VPC or deleted, and (until those resources exist here) any other target that cannot be found.
pub fn route_state(world: &World, region: &RegionState, table: &RouteTable, route: &Route) -> RouteState {
    target_state(world, region, table, &route.target)
}

/// The state of a route to `target` in `table` (either family).
fn target_state(world: &World, region: &RegionState, table: &RouteTable, target: &RouteTarget) -> RouteState {
    let usable = match target {
        RouteTarget::Local => true,
        RouteTarget::InternetGateway(igw_id) => region
            .internet_gateways
            .get(igw_id.as_str())
            .is_some_and(|igw| igw.attached_vpc.as_deref() == Some(table.vpc_id.as_str())),
        RouteTarget::VpcPeeringConnection(pcx_id) => crate::vpc_peering::carries_traffic(world, pcx_id),
        // Spec §2.5 [D]: an instance that is stopped or terminated, or an interface that is gone (or whose
        // instance is not running), is a blackhole.
        RouteTarget::Instance(instance_id) => region
            .instances
            .get(instance_id.as_str())
            .is_some_and(|instance| instance.state.is_running() && instance.interface(region).is_some()),
        RouteTarget::NetworkInterface(interface_id) => {
            region.network_interfaces.get(interface_id.as_str()).is_some_and(|interface| {
                interface.attachment.as_ref().is_some_and(|attachment| {
                    region
                        .instances
                        .get(attachment.instance_id.as_str())
                        .is_some_and(|instance| instance.state.is_running())
                })
            })
        }
        // Part 2 §13.1 [D]: a route to a deleted (or failed) NAT gateway is a blackhole.
        RouteTarget::NatGateway(nat_id) => {
            region.nat_gateways.get(nat_id.as_str()).is_some_and(|nat| nat.is_available())
        }
        // Part 2 §14.1 [D]: a route to a transit gateway is usable while the VPC's attachment to it is available.
        RouteTarget::TransitGateway(gateway_id) => {
            crate::transit_gateway::vpc_attachment::vpc_attached(world, &table.vpc_id, gateway_id)
        }
        // ASSUMPTION (part 2 §15.2 [I], by analogy with internet gateways): a virtual private gateway that is
        // detached from the table's VPC or deleted makes its routes `blackhole`.
        RouteTarget::VpnGateway(vgw_id) => {
            crate::vpn_gateway::attached_to(region, &table.vpc_id).is_some_and(|gateway| gateway.id == *vgw_id)
        }
        // Part 2 §17.4 [D]: an endpoint's routes are `active` while it exists (they go with it).
        RouteTarget::VpcEndpoint(endpoint_id) => region.vpc_endpoints.contains_key(endpoint_id.as_str()),
    };
    if usable {
        RouteState::Active
    } else {
        RouteState::Blackhole
    }
}

/// The table a subnet's traffic follows (spec §2.5): the table explicitly associated with it, else its VPC's main
/// table. `None` only for a VPC without a main table, which AWS never leaves.
pub fn effective_for_subnet<'r>(region: &'r RegionState, subnet_id: &str, vpc_id: &str) -> Option<&'r Arc<RouteTable>> {
    let explicit =
        region.route_tables.values().find(|t| t.associations.iter().any(|a| a.subnet_id.as_deref() == Some(subnet_id)));
    explicit.or_else(|| region.route_tables.values().find(|t| t.vpc_id == vpc_id && t.is_main()))
}

/// A route table seen with its region, so filters can use route states.
pub struct RouteTableView<'a> {
    /// The table.
    pub table: &'a RouteTable,
    /// The whole world (peering connections live outside the region).
    pub world: &'a World,
    /// Its region.
    pub region: &'a RegionState,
}

impl Filterable for RouteTableView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "association.gateway-id",
        "association.route-table-association-id",
        "association.route-table-id",
        "association.subnet-id",
        "association.main",
        "owner-id",
        "route-table-id",
        "route.destination-cidr-block",
        "route.destination-ipv6-cidr-block",
        "route.destination-prefix-list-id",
        "route.egress-only-internet-gateway-id",
        "route.gateway-id",
        "route.instance-id",
        "route.nat-gateway-id",
        "route.transit-gateway-id",
        "route.origin",
        "route.state",
        "route.vpc-peering-connection-id",
        "vpc-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let table = self.table;
        let associations = table.associations.iter();
        // Part 2 §15.4: the route filters see propagated routes too, as Describe lists them.
        let effective =
            if name.starts_with("route.") { effective_routes(self.world, self.region, table) } else { Vec::new() };
        // Part 2 §16.2: the target filters see the IPv6 routes too (an egress-only gateway only there).
        let ipv6_targets = table.ipv6_routes.iter().filter_map(|route| match &route.target {
            Ipv6RouteTarget::Shared(target) => Some(target),
            Ipv6RouteTarget::EgressOnlyInternetGateway(_) => None,
        });
        let targets: Vec<&RouteTarget> =
            effective.iter().map(|effective| &effective.route.target).chain(ipv6_targets).collect();
        let routes = targets.iter().copied();
        match name {
            "association.gateway-id" => out.extend(associations.filter_map(|a| a.gateway_id.clone())),
            "association.route-table-association-id" => out.extend(associations.map(|a| a.id.clone())),
            "association.route-table-id" if !table.associations.is_empty() => out.push(table.id.clone()),
            "association.subnet-id" => out.extend(associations.filter_map(|a| a.subnet_id.clone())),
            // Spec §2.5: only the main table matches `true`; every table matches `false` if it has a non-main
            // association, as on AWS.
            "association.main" => out.extend(associations.map(|a| a.main.to_string())),
            "owner-id" => out.push(table.owner_id.clone()),
            "route-table-id" => out.push(table.id.clone()),
            // Part 2 §17.3: a prefix-list route is listed by its list, not by the blocks it stands for.
            "route.destination-cidr-block" => out.extend(
                effective.iter().filter(|e| e.prefix_list_id.is_none()).map(|e| e.route.destination.to_string()),
            ),
            "route.destination-prefix-list-id" => {
                out.extend(table.prefix_list_routes.iter().map(|route| route.prefix_list_id.clone()))
            }
            "route.destination-ipv6-cidr-block" => {
                out.extend(table.ipv6_routes.iter().map(|route| route.destination.to_string()))
            }
            "route.egress-only-internet-gateway-id" => {
                out.extend(table.ipv6_routes.iter().filter_map(|route| match &route.target {
                    Ipv6RouteTarget::EgressOnlyInternetGateway(id) => Some(id.clone()),
                    Ipv6RouteTarget::Shared(_) => None,
                }))
            }
            "route.gateway-id" => out.extend(routes.filter_map(|r| match r {
                RouteTarget::Local => Some("local".to_string()),
                RouteTarget::InternetGateway(id) | RouteTarget::VpnGateway(id) | RouteTarget::VpcEndpoint(id) => {
                    Some(id.clone())
                }
                _ => None,
            })),
            "route.instance-id" => out.extend(routes.filter_map(|r| match r {
                RouteTarget::Instance(id) => Some(id.clone()),
                _ => None,
            })),
            "route.nat-gateway-id" => out.extend(routes.filter_map(|r| match r {
                RouteTarget::NatGateway(id) => Some(id.clone()),
                _ => None,
            })),
            "route.transit-gateway-id" => out.extend(routes.filter_map(|r| match r {
                RouteTarget::TransitGateway(id) => Some(id.clone()),
                _ => None,
            })),
            "route.vpc-peering-connection-id" => out.extend(routes.filter_map(|r| match r {
                RouteTarget::VpcPeeringConnection(id) => Some(id.clone()),
                _ => None,
            })),
            "route.origin" => out.extend(
                effective
                    .iter()
                    .map(|effective| effective.route.origin)
                    .chain(table.ipv6_routes.iter().map(|route| route.origin))
                    .map(|origin| origin.as_str().to_string()),
            ),
            "route.state" => out.extend(
                effective
                    .iter()
                    .map(|effective| effective.state)
                    .chain(
                        table.ipv6_routes.iter().map(|route| ipv6_route_state(self.world, self.region, table, route)),
                    )
                    .map(|state| state.as_str().to_string()),
            ),
            "vpc-id" => out.push(table.vpc_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.table.tags)
    }
}

/// Looks a route table up, checking the ID's shape first.
pub fn find(region: &RegionState, route_table_id: &str) -> Result<Arc<RouteTable>> {
    IdKind::RouteTable.check(route_table_id)?;
    region
        .route_tables
        .get(route_table_id)
        .cloned()
        .ok_or_else(|| Ec2Error::RouteTableNotFound(vec![route_table_id.to_string()]))
}

fn local_routes(vpc: &Vpc) -> Vec<Route> {
    vpc.cidr_blocks()
        .map(|block| Route { destination: *block, target: RouteTarget::Local, origin: RouteOrigin::CreateRouteTable })
        .collect()
}

/// The main table CreateVpc makes (spec §2.2).
pub fn create_main(tx: &mut Tx, scope: &Scope, vpc: &Vpc) {
    let association =
        Association { id: tx.next_id(IdKind::RouteTableAssociation), subnet_id: None, gateway_id: None, main: true };
    let table = RouteTable {
        id: tx.next_id(IdKind::RouteTable),
        vpc_id: vpc.id.clone(),
        owner_id: scope.account.clone(),
        routes: local_routes(vpc),
        associations: vec![association],
        propagating_vgws: Vec::new(),
        prefix_list_routes: Vec::new(),
        ipv6_routes: ipv6_routes::local_ipv6_routes(vpc),
        tags: Tags::default(),
    };
    tx.put(scope, table);
}

/// CreateRouteTable.
pub fn create(tx: &mut Tx, scope: &Scope, vpc_id: &str, tags: Vec<Tag>) -> Result<Arc<RouteTable>> {
    let vpc = crate::vpc::find(tx.region(scope), vpc_id)?;
    crate::tags::validate(&tags)?;
    // Spec §5: route tables per VPC, the main table included.
    let existing = tx.region(scope).route_tables.values().filter(|table| table.vpc_id == vpc.id).count();
    crate::quotas::check(tx.quotas().route_tables_per_vpc, existing, 1, || Ec2Error::RouteTableLimitExceeded)?;
    let table = RouteTable {
        id: tx.next_id(IdKind::RouteTable),
        vpc_id: vpc.id.clone(),
        owner_id: scope.account.clone(),
        routes: local_routes(&vpc),
        associations: Vec::new(),
        propagating_vgws: Vec::new(),
        prefix_list_routes: Vec::new(),
        ipv6_routes: ipv6_routes::local_ipv6_routes(&vpc),
        tags: Tags(tags),
    };
    let id = table.id.clone();
    tx.put(scope, table);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// DeleteRouteTable: refused for the main table and for any table with associations.
pub fn delete(tx: &mut Tx, scope: &Scope, route_table_id: &str) -> Result<()> {
    let table = find(tx.region(scope), route_table_id)?;
    if !table.associations.is_empty() {
        return Err(Ec2Error::RouteTableHasDependencies(table.id.clone()));
    }
    tx.remove::<RouteTable>(scope, route_table_id);
    Ok(())
}

fn tables_of_vpc(tx: &Tx, scope: &Scope, vpc_id: &str) -> Vec<String> {
    tx.region(scope).route_tables.values().filter(|t| t.vpc_id == vpc_id).map(|t| t.id.clone()).collect()
}

/// AssociateVpcCidrBlock adds a local route for the new block to every table of the VPC (spec §2.2 [D]).
pub fn add_local_routes(tx: &mut Tx, scope: &Scope, vpc_id: &str, block: Ipv4Net) {
    for id in tables_of_vpc(tx, scope, vpc_id) {
        tx.update::<RouteTable>(scope, &id, |table| {
            let position = table.routes.iter().take_while(|route| route.is_local()).count();
            let route = Route { destination: block, target: RouteTarget::Local, origin: RouteOrigin::CreateRouteTable };
            table.routes.insert(position, route);
        });
    }
}

/// DisassociateVpcCidrBlock removes that block's local route everywhere.
pub fn remove_local_routes(tx: &mut Tx, scope: &Scope, vpc_id: &str, block: Ipv4Net) {
    for id in tables_of_vpc(tx, scope, vpc_id) {
        tx.update::<RouteTable>(scope, &id, |table| {
            table.routes.retain(|route| !(route.is_local() && route.destination == block))
        });
    }
}

/// The default VPC's `0.0.0.0/0 → igw` route on its main table.
pub fn add_default_route_to_gateway(tx: &mut Tx, scope: &Scope, vpc_id: &str, igw_id: &str) {
    let main = tx.region(scope).route_tables.values().find(|t| t.vpc_id == vpc_id && t.is_main()).map(|t| t.id.clone());
    if let Some(id) = main {
        tx.update::<RouteTable>(scope, &id, |table| {
            table.routes.push(Route {
                destination: "0.0.0.0/0".parse().expect("valid"),
                target: RouteTarget::InternetGateway(igw_id.to_string()),
                origin: RouteOrigin::CreateRoute,
            })
        });
    }
}

/// DeleteSubnet drops the subnet's explicit association.
pub fn forget_subnet(tx: &mut Tx, scope: &Scope, subnet_id: &str) {
    let holders: Vec<String> = tx
        .region(scope)
        .route_tables
        .values()
        .filter(|t| t.associations.iter().any(|a| a.subnet_id.as_deref() == Some(subnet_id)))
        .map(|t| t.id.clone())
        .collect();
    for id in holders {
        tx.update::<RouteTable>(scope, &id, |table| {
            table.associations.retain(|a| a.subnet_id.as_deref() != Some(subnet_id))
        });
    }
}

/// What AssociateRouteTable associates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssociationTarget {
    /// `SubnetId`.
    Subnet(String),
    /// `GatewayId` (an edge association).
    Gateway(String),
}

/// AssociateRouteTable (spec §2.5): returns the new association ID.
pub fn associate(tx: &mut Tx, scope: &Scope, route_table_id: &str, target: AssociationTarget) -> Result<String> {
    let region = tx.region(scope);
    let table = find(region, route_table_id)?;
    let association_id = tx.next_id(IdKind::RouteTableAssociation);
    let region = tx.region(scope);
    let association = match target {
        AssociationTarget::Subnet(subnet_id) => {
            let subnet = crate::subnet::find(region, &subnet_id)?;
            if subnet.vpc_id != table.vpc_id {
                // ASSUMPTION (spec §2.5 [I]): the "belong to different networks" form AWS uses for gateways.
                return Err(Ec2Error::InvalidParameterValue(format!(
                    "Route table {} and subnet {} belong to different networks",
                    table.id, subnet.id
                )));
            }
            let taken = region
                .route_tables
                .values()
                .any(|t| t.associations.iter().any(|a| a.subnet_id.as_deref() == Some(subnet.id.as_str())));
            if taken {
                return Err(Ec2Error::RouteTableAssociationConflict(table.id.clone()));
            }
            Association {
                id: association_id.clone(),
                subnet_id: Some(subnet.id.clone()),
                gateway_id: None,
                main: false,
            }
        }
        AssociationTarget::Gateway(gateway_id) => {
            let igw = crate::internet_gateway::find(region, &gateway_id)?;
            // Part 2 §15.4 [D UG]: a table that propagates routes cannot be a gateway (edge) route table.
            if !table.propagating_vgws.is_empty() {
                return Err(crate::VpnError::GatewayAssociationWithPropagation(table.id.clone()).into());
            }
            // Part 2 §17.3 [D]: nor can a table with routes to prefix lists.
            if !table.prefix_list_routes.is_empty() {
                return Err(crate::PrefixListError::GatewayRouteTable(table.id.clone()).into());
            }
            if igw.attached_vpc.as_deref() != Some(table.vpc_id.as_str()) {
                return Err(Ec2Error::InvalidParameterValue(format!(
                    "route table {} and network gateway {} belong to different networks",
                    table.id, igw.id
                )));
            }
            let taken = region
                .route_tables
                .values()
                .any(|t| t.associations.iter().any(|a| a.gateway_id.as_deref() == Some(igw.id.as_str())));
            if taken {
                return Err(Ec2Error::RouteTableAssociationConflict(table.id.clone()));
            }
            Association { id: association_id.clone(), subnet_id: None, gateway_id: Some(igw.id.clone()), main: false }
        }
    };
    tx.update::<RouteTable>(scope, route_table_id, |table| table.associations.push(association));
    Ok(association_id)
}

fn find_association(region: &RegionState, association_id: &str) -> Result<(Arc<RouteTable>, Association)> {
    IdKind::RouteTableAssociation.check(association_id)?;
    region
        .route_tables
        .values()
        .find_map(|table| {
            table.associations.iter().find(|a| a.id == association_id).map(|a| (table.clone(), a.clone()))
        })
        .ok_or_else(|| Ec2Error::AssociationNotFound(association_id.to_string()))
}

/// DisassociateRouteTable: the subnet falls back to the main table; the main association cannot go.
pub fn disassociate(tx: &mut Tx, scope: &Scope, association_id: &str) -> Result<()> {
    let (table, association) = find_association(tx.region(scope), association_id)?;
    if association.main {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "cannot disassociate the main route table association {association_id}"
        )));
    }
    tx.update::<RouteTable>(scope, &table.id, |table| table.associations.retain(|a| a.id != association_id));
    Ok(())
}

/// ReplaceRouteTableAssociation: moves an association (the main one included) to another table of the same VPC;
/// returns the new association ID.
pub fn replace_association(tx: &mut Tx, scope: &Scope, association_id: &str, route_table_id: &str) -> Result<String> {
    let region = tx.region(scope);
    let (old_table, association) = find_association(region, association_id)?;
    let new_table = find(region, route_table_id)?;
    if new_table.vpc_id != old_table.vpc_id {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Route table {} and association {} belong to different networks",
            new_table.id, association_id
        )));
    }
    let new_id = tx.next_id(IdKind::RouteTableAssociation);
    tx.update::<RouteTable>(scope, &old_table.id, |table| table.associations.retain(|a| a.id != association_id));
    let moved = Association { id: new_id.clone(), ..association };
    tx.update::<RouteTable>(scope, &new_table.id, |table| table.associations.push(moved));
    Ok(new_id)
}
