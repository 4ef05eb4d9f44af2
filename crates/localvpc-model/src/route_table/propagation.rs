//! Route propagation from virtual private gateways (part 2 §15.4): EnableVgwRoutePropagation and
//! DisableVgwRoutePropagation, the routes a propagating gateway puts in a table, and the selection rules among
//! stored and propagated routes.
//!
//! Propagated routes are never stored: [`effective_routes`] derives them at read time from what the gateway's VPN
//! connections teach it (`vpn_connection::known_prefixes`: static routes, and BGP prefixes while a tunnel is up),
//! so they appear and vanish as connections, their routes and their tunnels change, with nothing to keep in step.

use std::net::Ipv4Addr;

use super::*;
use crate::{vpn_connection, vpn_gateway, VpnError};

/// Part 2 §15.4 [D, part 1 §5]: at most 100 propagated routes per table. ASSUMPTION (part 2 §20 [I]): the ones
/// past the limit (in prefix order) are not installed.
pub const MAX_PROPAGATED_ROUTES: usize = 100;

/// A route of a table as the selection sees it: a stored route, or one propagated from a gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveRoute {
    /// The route (`origin` says whether it was propagated).
    pub route: Route,
    /// `active` or `blackhole`.
    pub state: RouteState,
    /// A propagated route that loses to a stored one on its own prefix, or lies inside a `local` route: listed, but
    /// never chosen (Reachability Analyzer's `HIGHER_PRIORITY_ROUTE`). Also a prefix-list route's block that a
    /// stored route holds (part 2 §17.3).
    pub shadowed: bool,
    /// For the route one block of a prefix-list route stands for (part 2 §17.3): the list. Describe shows the
    /// prefix-list route once, by list, not these.
    pub prefix_list_id: Option<String>,
}

/// The gateways a table lists in `propagatingVgwSet`: those propagation was enabled for, while they exist.
pub fn propagating_vgws<'t>(region: &'t RegionState, table: &'t RouteTable) -> impl Iterator<Item = &'t String> {
    let live = |id: &String| region.vpn_gateways.get(id.as_str()).is_some_and(|gateway| gateway.lifecycle.is_live());
    table.propagating_vgws.iter().filter(move |id| live(id))
}

/// The table's stored routes, the routes its prefix-list routes stand for (part 2 §17.3), then one route per
/// prefix each propagating gateway attached to the table's VPC knows
/// (part 2 §15.4 [D]: `origin` `EnableVgwRoutePropagation`, target the gateway), each with its state and whether
/// the selection rules leave it unused.
pub fn effective_routes(world: &World, region: &RegionState, table: &RouteTable) -> Vec<EffectiveRoute> {
    let mut routes: Vec<EffectiveRoute> = table
        .routes
        .iter()
        .map(|route| EffectiveRoute {
            route: route.clone(),
            state: route_state(world, region, table, route),
            shadowed: false,
            prefix_list_id: None,
        })
        .collect();
    routes.extend(super::prefix_list_routes::entry_routes(world, region, table));
    let attached = vpn_gateway::attached_to(region, &table.vpc_id);
    let sources = propagating_vgws(region, table).filter(|id| attached.is_some_and(|gateway| gateway.id == **id));
    let mut propagated = Vec::new();
    for vgw_id in sources {
        for destination in vpn_connection::known_prefixes(region, vgw_id) {
            if propagated.len() == MAX_PROPAGATED_ROUTES {
                break;
            }
            propagated.push(Route {
                destination,
                target: RouteTarget::VpnGateway(vgw_id.clone()),
                origin: RouteOrigin::EnableVgwRoutePropagation,
            });
        }
    }
    for route in propagated {
        // Part 2 §15.4 [D UG:VPC_Route_Tables.md]: `local` beats any propagated route, even a more specific one;
        // on the same prefix a static route beats the propagated one, which stays listed. Part 2 §17.3 [D]: so
        // does a prefix-list route on the same block.
        let shadowed = table.routes.iter().any(|stored| {
            stored.destination == route.destination
                || (stored.is_local() && stored.destination.contains(&route.destination))
        }) || routes.iter().any(|entry| {
            entry.prefix_list_id.is_some() && !entry.shadowed && entry.route.destination == route.destination
        });
        routes.push(EffectiveRoute { route, state: RouteState::Active, shadowed, prefix_list_id: None });
    }
    routes
}

/// The route a packet to `address` follows among `routes` (part 2 §15.4 [D]): the longest prefix that contains it
/// among the routes not shadowed — which is how `local` beats propagated routes and static beats propagated on
/// equal prefixes — whatever its state (a `blackhole` winner drops the packet).
pub fn best_route(routes: &[EffectiveRoute], address: Ipv4Addr) -> Option<&EffectiveRoute> {
    routes
        .iter()
        .filter(|candidate| !candidate.shadowed && candidate.route.destination.contains(&address))
        .max_by_key(|candidate| (candidate.route.destination.prefix_len(), candidate.route.is_local()))
}

fn propagation_target(
    tx: &Tx,
    scope: &Scope,
    gateway_id: &str,
    route_table_id: &str,
) -> Result<(Arc<RouteTable>, String)> {
    let region = tx.region(scope);
    let table = find(region, route_table_id)?;
    let gateway = vpn_gateway::find(region, gateway_id, tx.now())?;
    Ok((table, gateway.id.clone()))
}

/// EnableVgwRoutePropagation (part 2 §15.4). ASSUMPTION (part 2 §15.4 [I], code and text [I]): the gateway must be
/// attached to the table's VPC, else `Gateway.NotAttached` in the words AWS uses for internet gateways; enabling
/// it again changes nothing.
pub fn enable_vgw_route_propagation(tx: &mut Tx, scope: &Scope, gateway_id: &str, route_table_id: &str) -> Result<()> {
    let (table, gateway_id) = propagation_target(tx, scope, gateway_id, route_table_id)?;
    let attached =
        vpn_gateway::attached_to(tx.region(scope), &table.vpc_id).is_some_and(|gateway| gateway.id == gateway_id);
    if !attached {
        return Err(VpnError::PropagationGatewayNotAttached {
            vpn_gateway_id: gateway_id,
            vpc_id: table.vpc_id.clone(),
        }
        .into());
    }
    // Part 2 §15.4 [D UG]: a gateway (edge) route table takes no propagated routes.
    if table.associations.iter().any(|association| association.gateway_id.is_some()) {
        return Err(VpnError::PropagationOnGatewayRouteTable(table.id.clone()).into());
    }
    if !table.propagating_vgws.contains(&gateway_id) {
        tx.update::<RouteTable>(scope, &table.id, |table| table.propagating_vgws.push(gateway_id));
    }
    Ok(())
}

/// DisableVgwRoutePropagation (part 2 §15.4): the gateway's routes leave the table. ASSUMPTION (part 2 §15.4 [I]):
/// disabling propagation that is not enabled succeeds and changes nothing.
pub fn disable_vgw_route_propagation(tx: &mut Tx, scope: &Scope, gateway_id: &str, route_table_id: &str) -> Result<()> {
    let (table, gateway_id) = propagation_target(tx, scope, gateway_id, route_table_id)?;
    if table.propagating_vgws.contains(&gateway_id) {
        tx.update::<RouteTable>(scope, &table.id, |table| table.propagating_vgws.retain(|id| *id != gateway_id));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
