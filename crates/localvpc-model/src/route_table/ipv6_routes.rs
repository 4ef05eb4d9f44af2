//! IPv6 routes of a route table (part 2 §16.2): a `local` route per IPv6 block of the VPC, and CreateRoute /
//! ReplaceRoute / DeleteRoute with `DestinationIpv6CidrBlock`. IPv4 and IPv6 lookups are independent longest-prefix
//! matches, so the IPv6 routes are a list of their own beside the IPv4 `routes` — which is all the engine and the
//! kernel plane read until the engine walks IPv6 packets. An egress-only internet gateway is a target of IPv6 routes
//! only.

use super::*;
use crate::error::Ipv6Error;
use crate::ipv6::{self, Ipv6Net};

/// One IPv6 route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv6Route {
    /// Destination block.
    pub destination: Ipv6Net,
    /// Where matching packets go.
    pub target: Ipv6RouteTarget,
    /// `CreateRouteTable` for local routes, `CreateRoute` for the rest.
    pub origin: RouteOrigin,
}

/// An IPv6 route's target: any IPv4 route's target, or an egress-only internet gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ipv6RouteTarget {
    /// A target IPv4 routes share.
    Shared(RouteTarget),
    /// An egress-only internet gateway (`egressOnlyInternetGatewayId` `eigw-…`).
    EgressOnlyInternetGateway(String),
}

impl Ipv6Route {
    /// A `local` route.
    pub fn is_local(&self) -> bool {
        self.target == Ipv6RouteTarget::Shared(RouteTarget::Local)
    }
}

/// The `local` IPv6 routes a new table of `vpc` starts with.
pub(super) fn local_ipv6_routes(vpc: &Vpc) -> Vec<Ipv6Route> {
    vpc.ipv6_cidr_blocks().map(|block| local_route(*block)).collect()
}

fn local_route(block: Ipv6Net) -> Ipv6Route {
    Ipv6Route {
        destination: block,
        target: Ipv6RouteTarget::Shared(RouteTarget::Local),
        origin: RouteOrigin::CreateRouteTable,
    }
}

/// Part 2 §16.2 [D]: associating an IPv6 block adds its `local` route to every table of the VPC.
pub fn add_local_ipv6_routes(tx: &mut Tx, scope: &Scope, vpc_id: &str, block: Ipv6Net) {
    for id in tables_of_vpc(tx, scope, vpc_id) {
        tx.update::<RouteTable>(scope, &id, |table| {
            let position = table.ipv6_routes.iter().take_while(|route| route.is_local()).count();
            table.ipv6_routes.insert(position, local_route(block));
        });
    }
}

/// Disassociating an IPv6 block removes its `local` route everywhere.
pub fn remove_local_ipv6_routes(tx: &mut Tx, scope: &Scope, vpc_id: &str, block: Ipv6Net) {
    for id in tables_of_vpc(tx, scope, vpc_id) {
        tx.update::<RouteTable>(scope, &id, |table| {
            table.ipv6_routes.retain(|route| !(route.is_local() && route.destination == block))
        });
    }
}

/// Whether an IPv6 route can carry traffic (`active`) or not (`blackhole`), as for IPv4 routes (spec §2.5); an
/// egress-only gateway is usable while it exists.
pub fn ipv6_route_state(world: &World, region: &RegionState, table: &RouteTable, route: &Ipv6Route) -> RouteState {
    match &route.target {
        Ipv6RouteTarget::Shared(target) => target_state(world, region, table, target),
        Ipv6RouteTarget::EgressOnlyInternetGateway(id) => {
            if region.egress_only_internet_gateways.get(id.as_str()).is_some_and(|g| g.vpc_id == table.vpc_id) {
                RouteState::Active
            } else {
                RouteState::Blackhole
            }
        }
    }
}

fn parse_ipv6_destination(text: &str) -> Result<Ipv6Net> {
    ipv6::parse_canonical(text).ok_or_else(|| Ec2Error::invalid_cidr(text, "destinationIpv6CidrBlock"))
}

/// The target of an IPv6 route request: an egress-only gateway of the table's VPC, or any IPv4 route's target.
fn resolve_ipv6_target(tx: &Tx, scope: &Scope, table: &RouteTable, request: &RouteRequest) -> Result<Ipv6RouteTarget> {
    let region = tx.region(scope);
    routes::check_single_target(request)?;
    let Some(gateway_id) = &request.egress_only_internet_gateway_id else {
        let target = routes::resolve_target(tx.world(), scope, region, table, request, tx.now())?;
        return Ok(Ipv6RouteTarget::Shared(target));
    };
    let gateway = crate::egress_only_internet_gateway::find(region, gateway_id)?;
    if gateway.vpc_id != table.vpc_id {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "route table {} and network gateway {} belong to different networks",
            table.id, gateway.id
        )));
    }
    Ok(Ipv6RouteTarget::EgressOnlyInternetGateway(gateway.id.clone()))
}

/// Spec §2.5 [O], for IPv6: a destination inside one of the VPC's IPv6 blocks may only target an interface, an
/// instance or a NAT gateway.
fn check_vpc_specific(
    region: &RegionState,
    table: &RouteTable,
    destination: &Ipv6Net,
    target: &Ipv6RouteTarget,
) -> Result<()> {
    let inside_vpc = region
        .vpcs
        .get(table.vpc_id.as_str())
        .is_some_and(|vpc| vpc.ipv6_cidr_blocks().any(|block| block.contains(destination)));
    let appliance = matches!(
        target,
        Ipv6RouteTarget::Shared(
            RouteTarget::NetworkInterface(_) | RouteTarget::Instance(_) | RouteTarget::NatGateway(_)
        )
    );
    if inside_vpc && !appliance {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The destination CIDR block {destination} is equal to or more specific than one of this VPC's CIDR blocks. \
             This route can target only an interface or an instance."
        )));
    }
    Ok(())
}

/// CreateRoute with `DestinationIpv6CidrBlock`.
pub(super) fn create(tx: &mut Tx, scope: &Scope, request: &RouteRequest, text: &str) -> Result<()> {
    let table = find(tx.region(scope), &request.route_table_id)?;
    let destination = parse_ipv6_destination(text)?;
    if table.ipv6_routes.iter().any(|route| route.destination == destination) {
        return Err(Ec2Error::RouteAlreadyExists(destination.to_string()));
    }
    let target = resolve_ipv6_target(tx, scope, &table, request)?;
    if target == Ipv6RouteTarget::Shared(RouteTarget::Local) {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The gateway ID 'local' cannot be used for CreateRoute in route table {}",
            table.id
        )));
    }
    check_vpc_specific(tx.region(scope), &table, &destination, &target)?;
    // ASSUMPTION (spec §5 counts routes per table; AWS's quota page counts IPv4 and IPv6 routes separately): the
    // IPv6 routes other than `local` have a limit of their own, the same number.
    let existing = table.ipv6_routes.iter().filter(|route| !route.is_local()).count();
    crate::quotas::check(tx.quotas().routes_per_route_table, existing, 1, || Ec2Error::RouteLimitExceeded)?;
    let route = Ipv6Route { destination, target, origin: RouteOrigin::CreateRoute };
    tx.update::<RouteTable>(scope, &table.id, |table| table.ipv6_routes.push(route));
    Ok(())
}

/// ReplaceRoute with `DestinationIpv6CidrBlock`.
pub(super) fn replace(tx: &mut Tx, scope: &Scope, request: &RouteRequest, text: &str) -> Result<()> {
    let table = find(tx.region(scope), &request.route_table_id)?;
    let destination = parse_ipv6_destination(text)?;
    let Some(position) = table.ipv6_routes.iter().position(|route| route.destination == destination) else {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "There is no route defined for '{destination}' in the route table. Use CreateRoute instead."
        )));
    };
    let target = resolve_ipv6_target(tx, scope, &table, request)?;
    let region = tx.region(scope);
    let local = Ipv6RouteTarget::Shared(RouteTarget::Local);
    if table.ipv6_routes[position].is_local() && target != local {
        // Spec §2.5 [D]: the local route may only be redirected to an appliance.
        let appliance =
            matches!(target, Ipv6RouteTarget::Shared(RouteTarget::NetworkInterface(_) | RouteTarget::NatGateway(_)));
        if !appliance {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The local route {destination} in route table {} can only target a network interface or a NAT gateway.",
                table.id
            )));
        }
    } else if target == local {
        if !region.vpcs.get(table.vpc_id.as_str()).is_some_and(|vpc| vpc.ipv6_cidr_blocks().any(|b| *b == destination))
        {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The route {destination} cannot target local: it is not one of this VPC's CIDR blocks."
            )));
        }
    } else {
        check_vpc_specific(region, &table, &destination, &target)?;
    }
    let origin = if target == local { RouteOrigin::CreateRouteTable } else { RouteOrigin::CreateRoute };
    tx.update::<RouteTable>(scope, &table.id, |table| {
        table.ipv6_routes[position] = Ipv6Route { destination, target, origin }
    });
    Ok(())
}

/// DeleteRoute with `DestinationIpv6CidrBlock`: local routes cannot be removed.
pub fn delete_ipv6_route(tx: &mut Tx, scope: &Scope, route_table_id: &str, text: &str) -> Result<()> {
    let table = find(tx.region(scope), route_table_id)?;
    let destination = parse_ipv6_destination(text)?;
    let Some(route) = table.ipv6_routes.iter().find(|route| route.destination == destination) else {
        return Err(Ec2Error::RouteNotFound { destination: text.to_string(), route_table_id: table.id.clone() });
    };
    if route.is_local() {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "cannot remove local route {destination} in route table {}",
            table.id
        )));
    }
    tx.update::<RouteTable>(scope, route_table_id, |table| {
        table.ipv6_routes.retain(|route| route.destination != destination)
    });
    Ok(())
}

/// The IPv4 side's refusal of an egress-only gateway (part 2 §16.2 [D]: IPv6 destinations only).
pub(super) fn refuse_for_ipv4(table: &RouteTable, request: &RouteRequest) -> Result<()> {
    match &request.egress_only_internet_gateway_id {
        Some(gateway_id) => Err(Ipv6Error::EgressOnlyGatewayIpv4Route {
            route_table_id: table.id.clone(),
            gateway_id: gateway_id.clone(),
        }
        .into()),
        None => Ok(()),
    }
}
