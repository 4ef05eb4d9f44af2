//! Transit gateway routes (part 2 §14.1, §14.4): static and blackhole routes (Create, Delete, Replace), the
//! routes propagation adds, and SearchTransitGatewayRoutes.
//!
//! Propagated routes are derived, never stored: a table's routes are computed from its static routes, the
//! attachments propagating into it and those attachments' VPCs as they are now, so they follow attachments being
//! deleted and VPCs gaining blocks. The rules: a VPC attachment propagates its VPC's IPv4 blocks (and its IPv6 blocks
//! with `Ipv6Support`, part 2 §14.1 [D]), except a block
//! that overlaps one an earlier propagation already put in the table (part 2 §14.1 [D]: identical or overlapping
//! CIDRs are not propagated for the later attachment); a static route beats a propagated one to the same prefix
//! (part 2 §9 item 9 [D]); a peering attachment propagates nothing (§14.1 [D]).

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::attachment::{AttachmentResource, AttachmentState, TransitGatewayAttachment};
use super::route_table::{self, TransitGatewayRouteTable};
use crate::cidr;
use crate::filter::{glob_match, Filter};
use crate::world::{Scope, Tx, World};
use crate::{Ec2Error, Result, TransitGatewayError};

/// A route a user made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticRoute {
    /// `destinationCidrBlock`.
    pub destination: IpNet,
    /// Where it sends packets.
    pub target: StaticTarget,
}

/// The target of a static route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaticTarget {
    /// An attachment of the table's gateway.
    Attachment(String),
    /// `Blackhole=true`: drop.
    Blackhole,
}

/// `type` of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteType {
    /// Made by CreateTransitGatewayRoute.
    Static,
    /// From a propagation.
    Propagated,
}

impl RouteType {
    /// The wire spelling.
    pub fn code(self) -> &'static str {
        match self {
            RouteType::Static => "static",
            RouteType::Propagated => "propagated",
        }
    }
}

/// `state` of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteState {
    /// Carries traffic.
    Active,
    /// Drops it: a blackhole route, or a static route whose attachment is not available.
    Blackhole,
    /// In the answer of DeleteTransitGatewayRoute only.
    Deleted,
}

impl RouteState {
    /// The wire spelling.
    pub fn code(self) -> &'static str {
        match self {
            RouteState::Active => "active",
            RouteState::Blackhole => "blackhole",
            RouteState::Deleted => "deleted",
        }
    }
}

/// The attachment a route points at, as `transitGatewayAttachments/item` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteAttachment {
    /// `transitGatewayAttachmentId`.
    pub attachment_id: String,
    /// `resourceId`.
    pub resource_id: String,
    /// `resourceType`.
    pub resource_type: &'static str,
}

/// One route of a table as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `destinationCidrBlock`.
    pub destination: IpNet,
    /// The attachment (none for a blackhole route).
    pub attachment: Option<RouteAttachment>,
    /// `type`.
    pub route_type: RouteType,
    /// `state`.
    pub state: RouteState,
}

fn route_attachment(world: &World, table: &TransitGatewayRouteTable, attachment_id: &str) -> RouteAttachment {
    let attachment = world.transit_gateway_attachments.get(attachment_id);
    RouteAttachment {
        attachment_id: attachment_id.to_string(),
        resource_id: attachment.map(|a| a.resource_id_from(&table.transit_gateway_id).to_string()).unwrap_or_default(),
        resource_type: attachment.map(|a| a.resource_type()).unwrap_or("vpc"),
    }
}

fn static_route(world: &World, table: &TransitGatewayRouteTable, route: &StaticRoute) -> Route {
    let (attachment, state) = match &route.target {
        StaticTarget::Blackhole => (None, RouteState::Blackhole),
        StaticTarget::Attachment(attachment_id) => {
            // ASSUMPTION (part 2 §14.1 [I]): a static route outlives its attachment and is `blackhole` while the
            // attachment is not available, as a VPC route to a deleted target is.
            let available = world
                .transit_gateway_attachments
                .get(attachment_id.as_str())
                .is_some_and(|attachment| attachment.state == AttachmentState::Available);
            let state = if available { RouteState::Active } else { RouteState::Blackhole };
            (Some(route_attachment(world, table, attachment_id)), state)
        }
    };
    Route { destination: route.destination, attachment, route_type: RouteType::Static, state }
}

/// The blocks each propagating attachment adds, in propagation order, an overlapping later one left out: a VPC's
/// blocks, or the prefixes a VPN connection learns over BGP while a tunnel is up (part 2 §15.3 [D]).
fn propagated(world: &World, table: &TransitGatewayRouteTable) -> Vec<(IpNet, String)> {
    let mut taken: Vec<(IpNet, String)> = Vec::new();
    for attachment_id in &table.propagations {
        let Some(attachment) = world.transit_gateway_attachments.get(attachment_id.as_str()) else { continue };
        if attachment.state != AttachmentState::Available {
            continue;
        }
        let blocks: Vec<IpNet> = match &attachment.resource {
            AttachmentResource::Vpc(resource) => {
                let scope = Scope::new(&resource.account, &attachment.region);
                let Some(vpc) = world.region(&scope).vpcs.get(resource.vpc_id.as_str()) else { continue };
                let ipv6 = vpc.ipv6_cidr_blocks().filter(|_| resource.options.ipv6_support);
                vpc.cidr_blocks().map(|&block| IpNet::V4(block)).chain(ipv6.map(|&block| IpNet::V6(block))).collect()
            }
            AttachmentResource::Vpn(vpn) => super::vpn_attachment::propagated_prefixes(world, &attachment.region, vpn)
                .into_iter()
                .map(IpNet::V4)
                .collect(),
            AttachmentResource::Peering(_) => continue,
        };
        for block in &blocks {
            if !taken.iter().any(|(other, _)| other.contains(&block.network()) || block.contains(&other.network())) {
                taken.push((*block, attachment_id.clone()));
            }
        }
    }
    taken
}

/// Every route of `table`, ordered by destination: static routes, and propagated ones whose prefix no static route
/// has.
pub fn routes(world: &World, table: &TransitGatewayRouteTable) -> Vec<Route> {
    let mut out: Vec<Route> = table.routes.iter().map(|route| static_route(world, table, route)).collect();
    for (destination, attachment_id) in propagated(world, table) {
        if !table.routes.iter().any(|route| route.destination == destination) {
            out.push(Route {
                destination,
                attachment: Some(route_attachment(world, table, &attachment_id)),
                route_type: RouteType::Propagated,
                state: RouteState::Active,
            });
        }
    }
    out.sort_by_key(|route| (route.destination.network(), route.destination.prefix_len()));
    out
}

/// An IPv4 or IPv6 block (part 2 §16.2 [D]: a table routes both families once attachments carry IPv6).
fn parse_destination(text: &str) -> Result<IpNet> {
    let parsed = match cidr::parse_canonical(text) {
        Some(block) => Some(IpNet::V4(block)),
        None => crate::ipv6::parse_canonical(text).map(IpNet::V6),
    };
    parsed.ok_or_else(|| Ec2Error::invalid_cidr(text, "DestinationCidrBlock"))
}

/// The target a Create/ReplaceTransitGatewayRoute names: an attachment of the table's gateway, or a blackhole.
fn target(
    world: &World,
    scope: &Scope,
    table: &TransitGatewayRouteTable,
    attachment_id: Option<&str>,
    blackhole: bool,
    now: crate::Timestamp,
) -> Result<StaticTarget> {
    match (attachment_id, blackhole) {
        (None, true) => Ok(StaticTarget::Blackhole),
        (Some(attachment_id), false) => {
            let attachment: TransitGatewayAttachment =
                super::attachment::find_visible(world, scope, attachment_id, now)?;
            if !attachment.touches(&table.transit_gateway_id) {
                let error = TransitGatewayError::AttachmentOfOtherGateway {
                    attachment_id: attachment.id.clone(),
                    route_table_id: table.id.clone(),
                };
                return Err(error.into());
            }
            Ok(StaticTarget::Attachment(attachment.id))
        }
        _ => Err(TransitGatewayError::RouteTargetCombination.into()),
    }
}

/// CreateTransitGatewayRoute (part 2 §14.1, §14.2 [O]): one static route per prefix.
pub fn create(
    tx: &mut Tx,
    scope: &Scope,
    table_id: &str,
    destination: &str,
    attachment_id: Option<&str>,
    blackhole: bool,
) -> Result<Route> {
    let mut table = route_table::find(tx.world(), scope, table_id)?;
    let destination = parse_destination(destination)?;
    let target = target(tx.world(), scope, &table, attachment_id, blackhole, tx.now())?;
    if table.routes.iter().any(|route| route.destination == destination) {
        let error =
            TransitGatewayError::RouteAlreadyExists { destination: destination.to_string(), route_table_id: table.id };
        return Err(error.into());
    }
    let route = StaticRoute { destination, target };
    table.routes.push(route.clone());
    table.routes.sort_by_key(|route| (route.destination.network(), route.destination.prefix_len()));
    let shown = static_route(tx.world(), &table, &route);
    tx.put_spanning(table);
    Ok(shown)
}

fn position(table: &TransitGatewayRouteTable, destination: &IpNet) -> Result<usize> {
    table.routes.iter().position(|route| route.destination == *destination).ok_or_else(|| {
        TransitGatewayError::RouteNotFound { destination: destination.to_string(), route_table_id: table.id.clone() }
            .into()
    })
}

/// DeleteTransitGatewayRoute: a static route; the answer shows it `deleted`.
pub fn delete(tx: &mut Tx, scope: &Scope, table_id: &str, destination: &str) -> Result<Route> {
    let mut table = route_table::find(tx.world(), scope, table_id)?;
    let destination = parse_destination(destination)?;
    let index = position(&table, &destination)?;
    let removed = table.routes.remove(index);
    let mut shown = static_route(tx.world(), &table, &removed);
    shown.state = RouteState::Deleted;
    tx.put_spanning(table);
    Ok(shown)
}

/// ReplaceTransitGatewayRoute: a static route's target. ASSUMPTION (part 2 §14.1 [I]): a prefix with no static
/// route is refused as DeleteTransitGatewayRoute refuses it.
pub fn replace(
    tx: &mut Tx,
    scope: &Scope,
    table_id: &str,
    destination: &str,
    attachment_id: Option<&str>,
    blackhole: bool,
) -> Result<Route> {
    let mut table = route_table::find(tx.world(), scope, table_id)?;
    let destination = parse_destination(destination)?;
    let target = target(tx.world(), scope, &table, attachment_id, blackhole, tx.now())?;
    let index = position(&table, &destination)?;
    table.routes[index].target = target;
    let shown = static_route(tx.world(), &table, &table.routes[index]);
    tx.put_spanning(table);
    Ok(shown)
}

/// SearchTransitGatewayRoutes' filters (part 2 §14.1 [D bc]).
pub const SEARCH_FILTERS: &[&str] = &[
    "attachment.transit-gateway-attachment-id",
    "attachment.resource-id",
    "attachment.resource-type",
    "prefix-list-id",
    "route-search.exact-match",
    "route-search.longest-prefix-match",
    "route-search.subnet-of-match",
    "route-search.supernet-of-match",
    "state",
    "type",
];

fn parse_filter_cidr(value: &str) -> Result<IpNet> {
    let parsed = match value.contains('/') {
        true => value.parse::<IpNet>().ok(),
        false => value.parse::<std::net::IpAddr>().ok().map(IpNet::from),
    };
    parsed.map(|net| net.trunc()).ok_or_else(|| Ec2Error::invalid_cidr(value, "route-search"))
}

/// Whether `route` passes one (non-longest-prefix) filter.
fn passes(route: &Route, filter: &Filter) -> Result<bool> {
    let any = |values: &[String]| filter.values.iter().any(|p| values.iter().any(|v| glob_match(p, v)));
    let attachment = route.attachment.as_ref();
    Ok(match filter.name.as_str() {
        "attachment.transit-gateway-attachment-id" => {
            any(&attachment.map(|a| a.attachment_id.clone()).into_iter().collect::<Vec<_>>())
        }
        "attachment.resource-id" => any(&attachment.map(|a| a.resource_id.clone()).into_iter().collect::<Vec<_>>()),
        "attachment.resource-type" => {
            any(&attachment.map(|a| a.resource_type.to_string()).into_iter().collect::<Vec<_>>())
        }
        "prefix-list-id" => false,
        "state" => any(&[route.state.code().to_string()]),
        "type" => any(&[route.route_type.code().to_string()]),
        "route-search.exact-match" => {
            let mut hit = false;
            for value in &filter.values {
                hit |= parse_filter_cidr(value)? == route.destination;
            }
            hit
        }
        "route-search.subnet-of-match" => {
            let mut hit = false;
            for value in &filter.values {
                hit |= parse_filter_cidr(value)?.contains(&route.destination);
            }
            hit
        }
        "route-search.supernet-of-match" => {
            let mut hit = false;
            for value in &filter.values {
                hit |= route.destination.contains(&parse_filter_cidr(value)?);
            }
            hit
        }
        _ => true,
    })
}

/// SearchTransitGatewayRoutes (part 2 §14.1 [D bc]): the table's routes that pass every filter, at most
/// `max_results` of them, and whether more matched (`additionalRoutesAvailable`). `route-search.longest-prefix-match`
/// keeps, of the routes containing the address or block, those with the longest prefix.
pub fn search(
    world: &World,
    scope: &Scope,
    table_id: &str,
    filters: &[Filter],
    max_results: usize,
) -> Result<(Vec<Route>, bool)> {
    let table = route_table::find(world, scope, table_id)?;
    for filter in filters {
        if !SEARCH_FILTERS.contains(&filter.name.as_str()) {
            return Err(Ec2Error::InvalidFilter(filter.name.clone()));
        }
    }
    let mut kept = Vec::new();
    for route in routes(world, &table) {
        let mut keep = true;
        for filter in filters.iter().filter(|f| f.name != "route-search.longest-prefix-match") {
            keep &= passes(&route, filter)?;
        }
        if keep {
            kept.push(route);
        }
    }
    for filter in filters.iter().filter(|f| f.name == "route-search.longest-prefix-match") {
        let mut best: Vec<Route> = Vec::new();
        for value in &filter.values {
            let wanted = parse_filter_cidr(value)?;
            let containing = kept.iter().filter(|route| route.destination.contains(&wanted));
            let longest = containing.clone().map(|route| route.destination.prefix_len()).max();
            for route in containing.filter(|route| Some(route.destination.prefix_len()) == longest) {
                if !best.contains(route) {
                    best.push(route.clone());
                }
            }
        }
        kept = best;
    }
    let more = kept.len() > max_results;
    kept.truncate(max_results);
    Ok((kept, more))
}
