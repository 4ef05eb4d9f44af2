//! Routes of a route table (spec §2.5): CreateRoute, ReplaceRoute and DeleteRoute — the destination, the target
//! and AWS's rules for each. Tables and their associations are `route_table.rs`.

use super::*;

/// The target named by a CreateRoute/ReplaceRoute request, before validation.
#[derive(Debug, Clone, Default)]
pub struct RouteRequest {
    /// `RouteTableId`.
    pub route_table_id: String,
    /// `DestinationCidrBlock` as sent (empty when the destination is a prefix list).
    pub destination: String,
    /// `DestinationPrefixListId` (part 2 §17.3): the route goes to every block of the list.
    pub destination_prefix_list_id: Option<String>,
    /// `GatewayId`.
    pub gateway_id: Option<String>,
    /// `VpcPeeringConnectionId`.
    pub vpc_peering_connection_id: Option<String>,
    /// `NatGatewayId`.
    pub nat_gateway_id: Option<String>,
    /// `TransitGatewayId`.
    pub transit_gateway_id: Option<String>,
    /// `InstanceId`.
    pub instance_id: Option<String>,
    /// `NetworkInterfaceId`.
    pub network_interface_id: Option<String>,
    /// `DestinationIpv6CidrBlock` as sent (part 2 §16.2): the route is an IPv6 route.
    pub destination_ipv6: Option<String>,
    /// `EgressOnlyInternetGatewayId` (part 2 §16.2; IPv6 routes only).
    pub egress_only_internet_gateway_id: Option<String>,
    /// `VpcEndpointId`: refused for the endpoint types localvpc models (part 2 §17.4).
    pub vpc_endpoint_id: Option<String>,
    /// Targets localvpc does not model (local and carrier gateways, …) by parameter name.
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

/// Spec §2.5: a route names exactly one target, and one localvpc models.
pub(super) fn check_single_target(request: &RouteRequest) -> Result<()> {
    let named = [
        request.gateway_id.is_some(),
        request.vpc_peering_connection_id.is_some(),
        request.nat_gateway_id.is_some(),
        request.transit_gateway_id.is_some(),
        request.instance_id.is_some(),
        request.network_interface_id.is_some(),
        request.egress_only_internet_gateway_id.is_some(),
        request.vpc_endpoint_id.is_some(),
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
    Ok(())
}

/// Validates the single target of a route request against the table's VPC (spec §2.5); an egress-only gateway is
/// refused (IPv6 routes resolve it themselves, `ipv6_routes.rs`).
pub(super) fn resolve_target(
    world: &World,
    scope: &Scope,
    region: &RegionState,
    table: &RouteTable,
    request: &RouteRequest,
    now: crate::world::Timestamp,
) -> Result<RouteTarget> {
    check_single_target(request)?;
    super::ipv6_routes::refuse_for_ipv4(table, request)?;
    if request.local_target {
        return Ok(RouteTarget::Local);
    }
    if let Some(endpoint_id) = &request.vpc_endpoint_id {
        // Part 2 §17.4 [M]: gateway (and interface) endpoints are no route targets; only Gateway Load Balancer
        // endpoints are, which localvpc does not model.
        let endpoint = crate::vpc_endpoint::find(region, endpoint_id)?;
        return Err(crate::VpcEndpointError::RouteNotSupported(endpoint.id.clone()).into());
    }
    if let Some(gateway_id) = &request.gateway_id {
        if gateway_id == "local" {
            return Ok(RouteTarget::Local);
        }
        if gateway_id.starts_with("vgw-") {
            // Part 2 §15.4: a route may name a virtual private gateway attached to the table's VPC. ASSUMPTION
            // (part 2 §15.2 [I]): any other is refused in the words AWS uses for an internet gateway of another
            // network.
            let gateway = crate::vpn_gateway::find_live(region, gateway_id, now)?;
            if crate::vpn_gateway::attached_to(region, &table.vpc_id).is_none_or(|attached| attached.id != gateway.id) {
                return Err(Ec2Error::InvalidParameterValue(format!(
                    "route table {} and network gateway {} belong to different networks",
                    table.id, gateway.id
                )));
            }
            return Ok(RouteTarget::VpnGateway(gateway.id.clone()));
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
    if let Some(gateway_id) = &request.transit_gateway_id {
        // Part 2 §14.1 [O: hashicorp/terraform-provider-aws#9222, #10025]: the VPC must have an available
        // attachment to the gateway; without one (or while it is pending) the gateway "does not exist".
        IdKind::TransitGateway.check(gateway_id)?;
        if !crate::transit_gateway::vpc_attachment::vpc_attached(world, &table.vpc_id, gateway_id) {
            return Err(crate::TransitGatewayError::RouteTargetNotFound(gateway_id.clone()).into());
        }
        return Ok(RouteTarget::TransitGateway(gateway_id.clone()));
    }
    if let Some(nat_id) = &request.nat_gateway_id {
        IdKind::NatGateway.check(nat_id)?;
        // Part 2 §13.1 [O boto/boto3#779]: a gateway that does not exist, or is gone, is not found in the route's
        // own words. ASSUMPTION [I]: a failed or deleted gateway that still lists counts as gone.
        let nat = region.nat_gateways.get(nat_id.as_str()).filter(|nat| nat.is_available());
        let Some(nat) = nat else { return Err(NatGatewayError::RouteTargetNotFound(nat_id.clone()).into()) };
        if nat.vpc_id != table.vpc_id {
            return Err(NatGatewayError::OtherNetwork {
                route_table_id: table.id.clone(),
                nat_gateway_id: nat.id.clone(),
            }
            .into());
        }
        return Ok(RouteTarget::NatGateway(nat.id.clone()));
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
    if let Some(prefix_list_id) = &request.destination_prefix_list_id {
        return super::prefix_list_routes::create(tx, scope, request, prefix_list_id);
    }
    if let Some(destination) = &request.destination_ipv6 {
        return super::ipv6_routes::create(tx, scope, request, destination);
    }
    let region = tx.region(scope);
    let table = find(region, &request.route_table_id)?;
    let destination = parse_destination(&request.destination)?;
    // ASSUMPTION (part 2 §15.4 [I]): only stored routes conflict; a destination present only as a propagated route
    // is accepted, and both are listed (the static one wins, `route_table::best_route`).
    if table.routes.iter().any(|route| route.destination == destination) {
        return Err(Ec2Error::RouteAlreadyExists(destination.to_string()));
    }
    let target = resolve_target(tx.world(), scope, region, &table, request, tx.now())?;
    if target == RouteTarget::Local {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The gateway ID 'local' cannot be used for CreateRoute in route table {}",
            table.id
        )));
    }
    check_vpc_specific(region, &table, &destination, &target)?;
    // Spec §5: routes per table, the `local` routes not counted (IPv6 routes count apart, `ipv6_routes.rs`).
    // Part 2 §17.3 [D]: prefix-list routes weigh their lists' `MaxEntries`.
    let existing =
        table.routes.iter().filter(|route| !route.is_local()).count() + super::prefix_list_route_weight(region, &table);
    crate::quotas::check(tx.quotas().routes_per_route_table, existing, 1, || Ec2Error::RouteLimitExceeded)?;
    let route = Route { destination, target, origin: RouteOrigin::CreateRoute };
    tx.update::<RouteTable>(scope, &table.id, |table| table.routes.push(route));
    Ok(())
}

/// ReplaceRoute (spec §2.5).
pub fn replace_route(tx: &mut Tx, scope: &Scope, request: &RouteRequest) -> Result<()> {
    if let Some(prefix_list_id) = &request.destination_prefix_list_id {
        return super::prefix_list_routes::replace(tx, scope, request, prefix_list_id);
    }
    if let Some(destination) = &request.destination_ipv6 {
        return super::ipv6_routes::replace(tx, scope, request, destination);
    }
    let region = tx.region(scope);
    let table = find(region, &request.route_table_id)?;
    let destination = parse_destination(&request.destination)?;
    let Some(position) = table.routes.iter().position(|route| route.destination == destination) else {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "There is no route defined for '{destination}' in the route table. Use CreateRoute instead."
        )));
    };
    let target = resolve_target(tx.world(), scope, region, &table, request, tx.now())?;
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
    // ASSUMPTION (part 2 §15.4 [I]): propagated routes are not the table's to delete; a destination present only as
    // one gets the answer for a missing route.
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
