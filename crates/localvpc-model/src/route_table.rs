//! Route tables (spec §2.5, §3.2): the main table, local routes, associations, CreateRoute/ReplaceRoute/
//! DeleteRoute with their validations, and the `active`/`blackhole` state of each route.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cidr::{self, Ipv4Net};
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::vpc::Vpc;
use crate::world::{RegionState, Resource, Scope, Table, Tx, World};
use crate::{Ec2Error, Result};

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
}

/// How a route came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    /// Created with the table (local routes).
    CreateRouteTable,
    /// Added by CreateRoute/ReplaceRoute.
    CreateRoute,
}

impl RouteOrigin {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteOrigin::CreateRouteTable => "CreateRouteTable",
            RouteOrigin::CreateRoute => "CreateRoute",
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
    let usable = match &route.target {
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
        RouteTarget::NatGateway(_) => false,
    };
    if usable {
        RouteState::Active
    } else {
        RouteState::Blackhole
    }
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
        let routes = table.routes.iter();
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
            "route.destination-cidr-block" => out.extend(routes.map(|r| r.destination.to_string())),
            "route.gateway-id" => out.extend(routes.filter_map(|r| match &r.target {
                RouteTarget::Local => Some("local".to_string()),
                RouteTarget::InternetGateway(id) => Some(id.clone()),
                _ => None,
            })),
            "route.instance-id" => out.extend(routes.filter_map(|r| match &r.target {
                RouteTarget::Instance(id) => Some(id.clone()),
                _ => None,
            })),
            "route.nat-gateway-id" => out.extend(routes.filter_map(|r| match &r.target {
                RouteTarget::NatGateway(id) => Some(id.clone()),
                _ => None,
            })),
            "route.vpc-peering-connection-id" => out.extend(routes.filter_map(|r| match &r.target {
                RouteTarget::VpcPeeringConnection(id) => Some(id.clone()),
                _ => None,
            })),
            "route.origin" => out.extend(routes.map(|r| r.origin.as_str().to_string())),
            "route.state" => {
                out.extend(routes.map(|r| route_state(self.world, self.region, table, r).as_str().to_string()))
            }
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

/// The target named by a CreateRoute/ReplaceRoute request, before validation.
#[derive(Debug, Clone, Default)]
pub struct RouteRequest {
    /// `RouteTableId`.
    pub route_table_id: String,
    /// `DestinationCidrBlock` as sent.
    pub destination: String,
    /// `GatewayId`.
    pub gateway_id: Option<String>,
    /// `VpcPeeringConnectionId`.
    pub vpc_peering_connection_id: Option<String>,
    /// `NatGatewayId`.
    pub nat_gateway_id: Option<String>,
    /// `InstanceId`.
    pub instance_id: Option<String>,
    /// `NetworkInterfaceId`.
    pub network_interface_id: Option<String>,
    /// Targets localvpc does not model (transit gateway, egress-only gateway, …) by parameter name.
    pub unsupported_targets: Vec<&'static str>,
    /// `LocalTarget=true` (ReplaceRoute only).
    pub local_target: bool,
}

const TARGET_PARAMETERS: &str = "GatewayId, NatGatewayId, InstanceId, NetworkInterfaceId, VpcPeeringConnectionId, \
    TransitGatewayId, EgressOnlyInternetGatewayId, VpcEndpointId, LocalGatewayId, CarrierGatewayId, CoreNetworkArn";

fn parse_destination(text: &str) -> Result<Ipv4Net> {
    let destination =
        cidr::parse_canonical(text).ok_or_else(|| Ec2Error::invalid_cidr(text, "destinationCidrBlock"))?;
    if cidr::in_reserved_route_range(&destination) {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The destination CIDR block {text} is within the reserved range 169.254.168.0/22."
        )));
    }
    Ok(destination)
}

/// Validates the single target of a route request against the table's VPC (spec §2.5).
fn resolve_target(
    world: &World,
    scope: &Scope,
    region: &RegionState,
    table: &RouteTable,
    request: &RouteRequest,
) -> Result<RouteTarget> {
    let named = [
        request.gateway_id.is_some(),
        request.vpc_peering_connection_id.is_some(),
        request.nat_gateway_id.is_some(),
        request.instance_id.is_some(),
        request.network_interface_id.is_some(),
        request.local_target,
    ]
    .iter()
    .filter(|named| **named)
    .count()
        + request.unsupported_targets.len();
    if named != 1 {
        return Err(Ec2Error::InvalidParameterCombination(format!(
            "The request must contain exactly one of {TARGET_PARAMETERS}"
        )));
    }
    if let Some(parameter) = request.unsupported_targets.first() {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The route target {parameter} is not supported by localvpc"
        )));
    }
    if request.local_target {
        return Ok(RouteTarget::Local);
    }
    if let Some(gateway_id) = &request.gateway_id {
        if gateway_id == "local" {
            return Ok(RouteTarget::Local);
        }
        let igw = crate::internet_gateway::find(region, gateway_id)?;
        if igw.attached_vpc.as_deref() != Some(table.vpc_id.as_str()) {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "route table {} and network gateway {} belong to different networks",
                table.id, igw.id
            )));
        }
        return Ok(RouteTarget::InternetGateway(igw.id.clone()));
    }
    if let Some(pcx_id) = &request.vpc_peering_connection_id {
        IdKind::VpcPeeringConnection.check(pcx_id)?;
        let pcx = world.peerings().get(pcx_id.as_str()).filter(|pcx| pcx.involves(scope));
        let Some(pcx) = pcx else { return Err(Ec2Error::VpcPeeringConnectionNotFound(pcx_id.clone())) };
        // Spec §2.5 [O]: a connection that does not involve this table's VPC "belongs to a different network".
        // Any status is accepted; the route is `blackhole` until the connection is active (spec §2.5 [D]).
        if pcx.sides_of(scope, &table.vpc_id).is_none() {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "route table {} and network gateway {} belong to different networks",
                table.id, pcx.id
            )));
        }
        return Ok(RouteTarget::VpcPeeringConnection(pcx.id.clone()));
    }
    if let Some(nat_id) = &request.nat_gateway_id {
        IdKind::NatGateway.check(nat_id)?;
        return Err(Ec2Error::NatGatewayNotFound(nat_id.clone()));
    }
    // ASSUMPTION (spec §2.5 [O] gives the text only for gateways and peering connections): an instance or an
    // interface of another VPC "belongs to a different network" in the same words.
    if let Some(instance_id) = &request.instance_id {
        let instance = crate::instance::find(region, instance_id)?;
        let interface =
            instance.interface(region).ok_or_else(|| Ec2Error::InstanceNotInValidState(instance.id.clone()))?;
        if interface.vpc_id != table.vpc_id {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "route table {} and instance {} belong to different networks",
                table.id, instance.id
            )));
        }
        return Ok(RouteTarget::Instance(instance.id.clone()));
    }
    let interface_id = request.network_interface_id.as_deref().unwrap_or_default();
    let interface = crate::network_interface::find(region, interface_id)?;
    if interface.vpc_id != table.vpc_id {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "route table {} and network interface {} belong to different networks",
            table.id, interface.id
        )));
    }
    Ok(RouteTarget::NetworkInterface(interface.id.clone()))
}

/// Spec §2.5 [O]: a destination inside one of the VPC's blocks may only target an interface, an instance or a NAT
/// gateway.
fn check_vpc_specific(
    region: &RegionState,
    table: &RouteTable,
    destination: &Ipv4Net,
    target: &RouteTarget,
) -> Result<()> {
    let inside_vpc = region
        .vpcs
        .get(table.vpc_id.as_str())
        .is_some_and(|vpc| vpc.cidr_blocks().any(|block| block.contains(destination)));
    let appliance =
        matches!(target, RouteTarget::NetworkInterface(_) | RouteTarget::Instance(_) | RouteTarget::NatGateway(_));
    if inside_vpc && !appliance {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The destination CIDR block {destination} is equal to or more specific than one of this VPC's CIDR blocks. \
             This route can target only an interface or an instance."
        )));
    }
    Ok(())
}

/// CreateRoute (spec §2.5).
pub fn create_route(tx: &mut Tx, scope: &Scope, request: &RouteRequest) -> Result<()> {
    let region = tx.region(scope);
    let table = find(region, &request.route_table_id)?;
    let destination = parse_destination(&request.destination)?;
    if table.routes.iter().any(|route| route.destination == destination) {
        return Err(Ec2Error::RouteAlreadyExists(destination.to_string()));
    }
    let target = resolve_target(tx.world(), scope, region, &table, request)?;
    if target == RouteTarget::Local {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The gateway ID 'local' cannot be used for CreateRoute in route table {}",
            table.id
        )));
    }
    check_vpc_specific(region, &table, &destination, &target)?;
    // Spec §5: routes per table, the `local` routes not counted (IPv4 only: IPv6 routes are not supported).
    let existing = table.routes.iter().filter(|route| !route.is_local()).count();
    crate::quotas::check(tx.quotas().routes_per_route_table, existing, 1, || Ec2Error::RouteLimitExceeded)?;
    let route = Route { destination, target, origin: RouteOrigin::CreateRoute };
    tx.update::<RouteTable>(scope, &table.id, |table| table.routes.push(route));
    Ok(())
}

/// ReplaceRoute (spec §2.5).
pub fn replace_route(tx: &mut Tx, scope: &Scope, request: &RouteRequest) -> Result<()> {
    let region = tx.region(scope);
    let table = find(region, &request.route_table_id)?;
    let destination = parse_destination(&request.destination)?;
    let Some(position) = table.routes.iter().position(|route| route.destination == destination) else {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "There is no route defined for '{destination}' in the route table. Use CreateRoute instead."
        )));
    };
    let target = resolve_target(tx.world(), scope, region, &table, request)?;
    let existing = &table.routes[position];
    if existing.is_local() && target != RouteTarget::Local {
        // Spec §2.5 [D]: the local route may only be redirected to an appliance (ENI, NAT, GWLB endpoint).
        if !matches!(target, RouteTarget::NetworkInterface(_) | RouteTarget::NatGateway(_)) {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The local route {destination} in route table {} can only target a network interface or a NAT gateway.",
                table.id
            )));
        }
    } else if target == RouteTarget::Local {
        if !region.vpcs.get(table.vpc_id.as_str()).is_some_and(|vpc| vpc.cidr_blocks().any(|b| *b == destination)) {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The route {destination} cannot target local: it is not one of this VPC's CIDR blocks."
            )));
        }
    } else {
        check_vpc_specific(region, &table, &destination, &target)?;
    }
    let origin = if target == RouteTarget::Local { RouteOrigin::CreateRouteTable } else { RouteOrigin::CreateRoute };
    tx.update::<RouteTable>(scope, &table.id, |table| table.routes[position] = Route { destination, target, origin });
    Ok(())
}

/// DeleteRoute (spec §2.5): local routes cannot be removed.
pub fn delete_route(tx: &mut Tx, scope: &Scope, route_table_id: &str, destination_text: &str) -> Result<()> {
    let table = find(tx.region(scope), route_table_id)?;
    let destination = cidr::parse_canonical(destination_text)
        .ok_or_else(|| Ec2Error::invalid_cidr(destination_text, "destinationCidrBlock"))?;
    let Some(route) = table.routes.iter().find(|route| route.destination == destination) else {
        return Err(Ec2Error::RouteNotFound {
            destination: destination_text.to_string(),
            route_table_id: table.id.clone(),
        });
    };
    if route.is_local() {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "cannot remove local route {destination} in route table {}",
            table.id
        )));
    }
    tx.update::<RouteTable>(scope, route_table_id, |table| {
        table.routes.retain(|route| route.destination != destination)
    });
    Ok(())
}
