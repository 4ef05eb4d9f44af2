//! Routes whose destination is a managed prefix list (part 2 §17.3): CreateRoute/ReplaceRoute/DeleteRoute with
//! `DestinationPrefixListId`, and what such a route stands for when a packet is routed — one route per block of the
//! list's current version, chosen by longest prefix; on an equal block a static CIDR route beats it and it beats a
//! propagated one. The list is read at routing time, so a change to the list changes routing at once.

use ipnet::IpNet;

use super::routes::resolve_target;
use super::*;
use crate::prefix_list::{self, Readable};
use crate::PrefixListError;

/// A route to every block of a prefix list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixListRoute {
    /// `destinationPrefixListId`.
    pub prefix_list_id: String,
    /// Where matching packets go.
    pub target: RouteTarget,
    /// The table's Region, where an AWS-managed list is looked up (a table does not otherwise know it).
    pub region: String,
}

impl PrefixListRoute {
    /// The list as it is now (`None` if it is gone, which deletion's refusal prevents).
    fn list(&self, region: &RegionState, owner_id: &str) -> Option<Readable> {
        prefix_list::find(region, &Scope::new(owner_id, &self.region), &self.prefix_list_id).ok()
    }

    /// The route as a plain route to `destination`, for the state and the selection.
    fn for_block(&self, destination: Ipv4Net) -> Route {
        Route { destination, target: self.target.clone(), origin: RouteOrigin::CreateRoute }
    }
}

/// Part 2 §17.3 [D]: what a table's prefix-list routes weigh against its 50 routes: each list's `MaxEntries`
/// (AWS-managed: its weight).
pub fn prefix_list_route_weight(region: &RegionState, table: &RouteTable) -> usize {
    table.prefix_list_routes.iter().filter_map(|route| route.list(region, &table.owner_id)).map(|l| l.weight()).sum()
}

/// A prefix-list route's state (spec §2.5): its target's, as for any route.
pub fn prefix_list_route_state(
    world: &World,
    region: &RegionState,
    table: &RouteTable,
    route: &PrefixListRoute,
) -> RouteState {
    let any_block = Ipv4Net::new(std::net::Ipv4Addr::UNSPECIFIED, 0).expect("valid");
    route_state(world, region, table, &route.for_block(any_block))
}

/// The route each block of each prefix-list route stands for, with its state (part 2 §17.3 [D]). A block a stored
/// route holds, or that lies inside a `local` route, is shadowed — ASSUMPTION (§17.3 is silent on `local`):
/// `local` wins over a prefix-list route as it does over a propagated one (§15.4). ASSUMPTION (§17.3 [D]: with two
/// lists overlapping "AWS picks one at random and keeps it"): the route created first keeps the block.
pub(super) fn entry_routes(world: &World, region: &RegionState, table: &RouteTable) -> Vec<EffectiveRoute> {
    let mut routes: Vec<EffectiveRoute> = Vec::new();
    for prefix_list_route in &table.prefix_list_routes {
        let Some(list) = prefix_list_route.list(region, &table.owner_id) else { continue };
        for block in list.current_blocks() {
            let IpNet::V4(block) = block else { continue };
            let route = prefix_list_route.for_block(block);
            let shadowed = table.routes.iter().any(|stored| {
                stored.destination == block || (stored.is_local() && stored.destination.contains(&block))
            }) || routes.iter().any(|earlier| earlier.route.destination == block);
            let state = route_state(world, region, table, &route);
            routes.push(EffectiveRoute {
                route,
                state,
                shadowed,
                prefix_list_id: Some(prefix_list_route.prefix_list_id.clone()),
            });
        }
    }
    routes
}

/// The table's prefix-list route to `prefix_list_id`, by position.
fn position(table: &RouteTable, prefix_list_id: &str) -> Option<usize> {
    table.prefix_list_routes.iter().position(|route| route.prefix_list_id == prefix_list_id)
}

/// Part 2 §17.4 [D]: a gateway endpoint's route can't be replaced or deleted directly.
fn check_not_endpoint_route(table: &RouteTable, route: &PrefixListRoute) -> Result<()> {
    if let RouteTarget::VpcEndpoint(endpoint_id) = &route.target {
        return Err(crate::VpcEndpointError::ManagedRoute {
            prefix_list_id: route.prefix_list_id.clone(),
            route_table_id: table.id.clone(),
            endpoint_id: endpoint_id.clone(),
        }
        .into());
    }
    Ok(())
}

/// Part 2 §17.3 [D]: a gateway (edge) route table can't use prefix lists. ASSUMPTION (code and text [I]).
fn check_not_gateway_table(table: &RouteTable) -> Result<()> {
    if table.associations.iter().any(|association| association.gateway_id.is_some()) {
        return Err(PrefixListError::GatewayRouteTable(table.id.clone()).into());
    }
    Ok(())
}

/// CreateRoute with `DestinationPrefixListId` (part 2 §17.3): the caller's or an AWS-managed list, any normal
/// target, once per list, weighing the list's `MaxEntries` against the routes per table quota.
pub(super) fn create(tx: &mut Tx, scope: &Scope, request: &RouteRequest, prefix_list_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let table = find(region, &request.route_table_id)?;
    let list = prefix_list::find(region, scope, prefix_list_id)?;
    check_not_gateway_table(&table)?;
    if position(&table, prefix_list_id).is_some() {
        return Err(Ec2Error::RouteAlreadyExists(prefix_list_id.to_string()));
    }
    let target = resolve_target(tx.world(), scope, region, &table, request, tx.now())?;
    if target == RouteTarget::Local {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The gateway ID 'local' cannot be used for CreateRoute in route table {}",
            table.id
        )));
    }
    // Spec §5 / part 2 §17.3 [D]: the stored routes (not `local`) and every list's weight count.
    let existing =
        table.routes.iter().filter(|route| !route.is_local()).count() + prefix_list_route_weight(region, &table);
    crate::quotas::check(tx.quotas().routes_per_route_table, existing, list.weight(), || Ec2Error::RouteLimitExceeded)?;
    let route = PrefixListRoute { prefix_list_id: list.id().to_string(), target, region: scope.region.clone() };
    tx.update::<RouteTable>(scope, &table.id, |table| table.prefix_list_routes.push(route));
    Ok(())
}

/// ReplaceRoute with `DestinationPrefixListId`: a new target for the table's route to the list.
pub(super) fn replace(tx: &mut Tx, scope: &Scope, request: &RouteRequest, prefix_list_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let table = find(region, &request.route_table_id)?;
    prefix_list::find(region, scope, prefix_list_id)?;
    let Some(index) = position(&table, prefix_list_id) else {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "There is no route defined for '{prefix_list_id}' in the route table. Use CreateRoute instead."
        )));
    };
    check_not_endpoint_route(&table, &table.prefix_list_routes[index])?;
    let target = resolve_target(tx.world(), scope, region, &table, request, tx.now())?;
    if target == RouteTarget::Local {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "The gateway ID 'local' cannot be used for a prefix list route in route table {}",
            table.id
        )));
    }
    tx.update::<RouteTable>(scope, &table.id, |table| table.prefix_list_routes[index].target = target);
    Ok(())
}

/// DeleteRoute with `DestinationPrefixListId`.
pub fn delete_prefix_list_route(tx: &mut Tx, scope: &Scope, route_table_id: &str, prefix_list_id: &str) -> Result<()> {
    let table = find(tx.region(scope), route_table_id)?;
    IdKind::PrefixList.check(prefix_list_id)?;
    let Some(index) = position(&table, prefix_list_id) else {
        return Err(PrefixListError::RouteNotFound {
            prefix_list_id: prefix_list_id.to_string(),
            route_table_id: table.id.clone(),
        }
        .into());
    };
    check_not_endpoint_route(&table, &table.prefix_list_routes[index])?;
    tx.update::<RouteTable>(scope, route_table_id, |table| {
        table.prefix_list_routes.remove(index);
    });
    Ok(())
}

/// The tables of the region that route to the list, by ID (for GetManagedPrefixListAssociations).
pub fn tables_routing_to(region: &RegionState, prefix_list_id: &str) -> Vec<Arc<RouteTable>> {
    region
        .route_tables
        .values()
        .filter(|table| table.prefix_list_routes.iter().any(|route| route.prefix_list_id == prefix_list_id))
        .cloned()
        .collect()
}
