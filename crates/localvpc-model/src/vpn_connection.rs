//! Site-to-site VPN connections (part 2 §15.3) between a customer gateway and a virtual private gateway: the
//! resource, its Describe filters, Create (idempotent) and Delete. The request's options and their validation are
//! `vpn_connection/options.rs`; the tunnels, their status and what the connection teaches its gateway are
//! `vpn_connection/tunnels.rs`; static routes `vpn_connection/routes.rs`; the customer gateway configuration
//! document `vpn_connection/configuration.rs`.
//!
//! States (`vpn_state`): the Create answer shows `pending` ([`CREATE_ANSWER_STATE`]), any later read `available`;
//! DeleteVpnConnection makes it `deleted`, listed for a while. VPN connections terminated on a transit gateway are
//! refused until transit gateways exist.

mod configuration;
mod options;
mod routes;
mod tunnels;

pub use configuration::customer_gateway_configuration;
pub use options::{CreateVpnConnection, TunnelOptionsRequest, TunnelSettings, VpnOptions};
pub use routes::{create_route, delete_route};
pub use tunnels::{known_prefixes, set_tunnels, TunnelChoice, TunnelStatus};

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cidr::Ipv4Net;
use crate::filter::{Filter, Filterable};
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::vpn_state::{self, Lifecycle, VpnState};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{customer_gateway, vpn_gateway, Result, VpnError};

/// The state the CreateVpnConnection answer shows (part 2 §15.3 [D bc]): AWS takes minutes to make it `available`.
pub const CREATE_ANSWER_STATE: VpnState = VpnState::Pending;

/// One of the connection's two tunnels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunnel {
    /// The AWS end's public address (`outsideIpAddress`).
    pub outside_ip: Ipv4Addr,
    /// The /30 inside the tunnel: AWS's end is its first host, the customer gateway's the second.
    pub inside_cidr: Ipv4Net,
    /// The IKE pre-shared key.
    pub pre_shared_key: String,
    /// The IKE/IPsec settings the request gave.
    pub settings: TunnelSettings,
    /// Forced `DOWN` by the admin switch (`localvpc vpn tunnel`), to test failover.
    pub forced_down: bool,
    /// When the admin switch last changed this tunnel's status.
    pub status_changed_at: Option<Timestamp>,
}

/// One static route of a static-routes-only connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticRoute {
    /// `destinationCidrBlock`.
    pub destination: Ipv4Net,
}

/// A VPN connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnConnection {
    /// `vpn-…`.
    pub id: String,
    /// The customer gateway.
    pub customer_gateway_id: String,
    /// The virtual private gateway it ends on, or none when it ends on a transit gateway.
    pub vpn_gateway_id: Option<String>,
    /// The transit gateway it ends on (through an attachment of `resourceType` `vpn`).
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    /// The connection options.
    pub options: VpnOptions,
    /// The two tunnels.
    pub tunnels: Vec<Tunnel>,
    /// Static routes (static-routes-only connections).
    pub routes: Vec<StaticRoute>,
    /// Creation and deletion times.
    pub lifecycle: Lifecycle,
    /// Tags.
    pub tags: Tags,
}

impl VpnConnection {
    /// The state at `now`.
    pub fn state_at(&self, now: Timestamp) -> VpnState {
        self.lifecycle.state_at(now)
    }

    /// `gatewayAssociationState` in `state`. ASSUMPTION (part 2 §15.3 [I]): `associated` with its gateway until the
    /// connection is deleted, then `disassociated`.
    pub fn gateway_association_state(state: VpnState) -> &'static str {
        if state == VpnState::Deleted {
            "disassociated"
        } else {
            "associated"
        }
    }

    /// The state CreateVpnConnection's answer at `now` shows: [`CREATE_ANSWER_STATE`] for the connection it just
    /// made, the current state for an existing one an identical request returned.
    pub fn state_in_create_answer(&self, now: Timestamp) -> VpnState {
        if self.lifecycle.created_at == now {
            CREATE_ANSWER_STATE
        } else {
            self.state_at(now)
        }
    }
}

impl Resource for VpnConnection {
    const KIND: &'static str = "vpn_connection";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.vpn_connections
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.vpn_connections
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

/// A connection seen in its region at a moment, for the filters that read its customer gateway or its state.
pub struct VpnConnectionView<'a> {
    /// The connection.
    pub connection: &'a VpnConnection,
    /// Its region.
    pub region: &'a RegionState,
    /// The moment of the read.
    pub now: Timestamp,
}

impl Filterable for VpnConnectionView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "bgp-asn",
        "customer-gateway-configuration",
        "customer-gateway-id",
        "option.static-routes-only",
        "route.destination-cidr-block",
        "state",
        "transit-gateway-id",
        "type",
        "vpn-connection-id",
        "vpn-gateway-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let connection = self.connection;
        let customer_gateway = self.region.customer_gateways.get(connection.customer_gateway_id.as_str());
        match name {
            "bgp-asn" => out.extend(customer_gateway.map(|gateway| gateway.bgp_asn.to_string())),
            "customer-gateway-configuration" => {
                out.extend(customer_gateway_configuration(self.region, connection, self.now))
            }
            "customer-gateway-id" => out.push(connection.customer_gateway_id.clone()),
            "option.static-routes-only" => out.push(connection.options.static_routes_only.to_string()),
            "route.destination-cidr-block" => {
                out.extend(connection.routes.iter().map(|route| route.destination.to_string()))
            }
            "state" => out.push(connection.state_at(self.now).as_str().to_string()),
            "type" => out.push(customer_gateway::IPSEC_1.to_string()),
            "vpn-connection-id" => out.push(connection.id.clone()),
            "vpn-gateway-id" => out.extend(connection.vpn_gateway_id.clone()),
            "transit-gateway-id" => out.extend(connection.transit_gateway_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.connection.tags)
    }
}

/// Looks a connection up (a deleted one too, while listed), checking the ID's shape first.
pub fn find(region: &RegionState, id: &str, now: Timestamp) -> Result<Arc<VpnConnection>> {
    IdKind::VpnConnection.check(id)?;
    region
        .vpn_connections
        .get(id)
        .filter(|connection| connection.lifecycle.listed_at(now))
        .cloned()
        .ok_or_else(|| VpnError::VpnConnectionNotFound(vec![id.to_string()]).into())
}

/// DescribeVpnConnections.
pub fn describe(
    region: &RegionState,
    ids: &[String],
    filters: &[Filter],
    now: Timestamp,
) -> Result<Vec<Arc<VpnConnection>>> {
    crate::filter::validate::<VpnConnectionView>(filters)?;
    vpn_state::describe(
        &region.vpn_connections,
        ids,
        IdKind::VpnConnection,
        |ids| VpnError::VpnConnectionNotFound(ids).into(),
        |connection| connection.lifecycle.listed_at(now),
        |connection| crate::filter::matches(&VpnConnectionView { connection, region, now }, filters),
    )
}

/// CreateVpnConnection (part 2 §15.3).
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateVpnConnection) -> Result<Arc<VpnConnection>> {
    let now = tx.now();
    if request.connection_type != customer_gateway::IPSEC_1 {
        return Err(VpnError::InvalidGatewayType(request.connection_type).into());
    }
    // The order of the checks is AWS's [O: moto's AWS-verified tests]: both gateways is refused first, then the
    // customer gateway is looked up, then the gateway it ends on.
    if request.vpn_gateway_id.is_some() && request.transit_gateway_id.is_some() {
        return Err(VpnError::BothGateways.into());
    }
    let region = tx.region(scope);
    let customer_gateway = customer_gateway::find(region, &request.customer_gateway_id, now)?;
    if !customer_gateway.lifecycle.is_live() {
        return Err(VpnError::CustomerGatewayNotAvailable(customer_gateway.id.clone()).into());
    }
    let (vpn_gateway_id, transit_gateway_id) = match (&request.vpn_gateway_id, &request.transit_gateway_id) {
        (Some(vpn_gateway_id), _) => (Some(vpn_gateway::find_live(region, vpn_gateway_id, now)?.id.clone()), None),
        (None, Some(transit_gateway_id)) => {
            // AWS checks no shape here [O: moto's AWS-verified test]: an ID no usable gateway has is NotFound.
            let usable = IdKind::TransitGateway.check(transit_gateway_id).is_ok()
                && crate::transit_gateway::find_usable(tx.world(), scope, transit_gateway_id).is_ok();
            if !usable {
                return Err(VpnError::TransitGatewayNotFound(transit_gateway_id.clone()).into());
            }
            (None, Some(transit_gateway_id.clone()))
        }
        (None, None) => return Err(VpnError::NoGateway.into()),
    };
    let gateway_id = vpn_gateway_id.clone().or_else(|| transit_gateway_id.clone()).expect("one gateway");
    let options = request.options.validate()?;
    crate::tags::validate(&request.tags)?;
    let between = region.vpn_connections.values().find(|connection| {
        connection.lifecycle.is_live()
            && connection.customer_gateway_id == customer_gateway.id
            && connection.vpn_gateway_id == vpn_gateway_id
            && connection.transit_gateway_id == transit_gateway_id
    });
    if let Some(existing) = between {
        // Part 2 §15.3 [D bc]: repeating the same call answers the same connection; a different one between the
        // same two gateways is a conflict (ASSUMPTION, part 2 §15.3 [I]: the trigger of `InvalidOption.Conflict`).
        if existing.options == options && request.options.same_tunnels(&existing.tunnels) {
            return Ok(existing.clone());
        }
        return Err(VpnError::ConnectionConflict.into());
    }
    let live = region.vpn_connections.values().filter(|connection| connection.lifecycle.is_live());
    let (in_region, on_gateway) = live.fold((0, 0), |(all, on), connection| {
        (all + 1, on + usize::from(vpn_gateway_id.is_some() && connection.vpn_gateway_id == vpn_gateway_id))
    });
    let quotas = tx.quotas();
    crate::quotas::check(quotas.vpn_connections_per_region, in_region, 1, || {
        VpnError::VpnConnectionLimitExceeded.into()
    })?;
    crate::quotas::check(quotas.vpn_connections_per_vpn_gateway, on_gateway, 1, || {
        VpnError::VpnConnectionLimitExceeded.into()
    })?;
    let id = tx.next_id(IdKind::VpnConnection);
    let tunnels = options::tunnels(tx.region(scope), &gateway_id, &id, tx.id_sequence(), &request.options)?;
    let connection = VpnConnection {
        id: id.clone(),
        customer_gateway_id: customer_gateway.id.clone(),
        vpn_gateway_id,
        transit_gateway_id: transit_gateway_id.clone(),
        options,
        tunnels,
        routes: Vec::new(),
        lifecycle: Lifecycle::new(now),
        tags: Tags(request.tags),
    };
    tx.put(scope, connection);
    if let Some(transit_gateway_id) = &transit_gateway_id {
        crate::transit_gateway::vpn_attachment::attach(tx, scope, transit_gateway_id, &id)?;
    }
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// DeleteVpnConnection (part 2 §15.3): `deleted` at once, listed for a while; its gateway forgets what it taught
/// (derived at read time). Deleting a deleted connection again is a no-op.
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<()> {
    let now = tx.now();
    let connection = find(tx.region(scope), id, now)?;
    if connection.lifecycle.is_live() {
        tx.update::<VpnConnection>(scope, id, |connection| connection.lifecycle.deleted_at = Some(now));
        if connection.transit_gateway_id.is_some() {
            crate::transit_gateway::vpn_attachment::detach(tx, &connection.id);
        }
    }
    Ok(())
}
