//! The tunnels of a VPN connection (part 2 §15.3): their status as `vgwTelemetry` shows it, the admin switch that
//! forces one or both `DOWN` to test failover, and what the connections teach their virtual private gateway — the
//! prefixes route propagation installs in VPC route tables (part 2 §15.4).
//!
//! ASSUMPTION (part 2 §15.3 [I]): nothing real terminates a tunnel here, so both tunnels are `UP` as soon as the
//! connection is `available` (the customer gateway "exists"), until the switch forces them `DOWN`.

use std::sync::Arc;

use crate::cidr::Ipv4Net;
use crate::vpn_state::VpnState;
use crate::world::{RegionState, Scope, Timestamp, Tx};
use crate::{Result, VpnError};

use super::{find, VpnConnection};

/// One `<vgwTelemetry><item>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelStatus {
    /// `outsideIpAddress`.
    pub outside_ip: std::net::Ipv4Addr,
    /// `status`: `UP` or `DOWN`.
    pub up: bool,
    /// `lastStatusChange`.
    pub last_status_change: Timestamp,
    /// `statusMessage`.
    pub status_message: String,
    /// `acceptedRouteCount`.
    pub accepted_route_count: usize,
}

impl TunnelStatus {
    /// The wire spelling of the status.
    pub fn status(&self) -> &'static str {
        if self.up {
            "UP"
        } else {
            "DOWN"
        }
    }
}

impl VpnConnection {
    /// The telemetry of both tunnels when the connection is in `state` (part 2 §15.3 [O] values): a tunnel that
    /// is down says `IPSEC IS DOWN` and accepts no route; a BGP tunnel that is up accepts the customer gateway's
    /// advertised prefixes (`<n> BGP ROUTES`); a static tunnel that is up says nothing. ASSUMPTION (part 2 §15.3
    /// [I]): a static tunnel's `acceptedRouteCount` is 0, since it learns no route from the device.
    pub fn telemetry(&self, region: &RegionState, state: VpnState) -> Vec<TunnelStatus> {
        let advertised = self.advertised_prefixes(region).len();
        self.tunnels
            .iter()
            .map(|tunnel| {
                let up = state == VpnState::Available && !tunnel.forced_down;
                let (status_message, accepted_route_count) = match (up, self.options.static_routes_only) {
                    (false, _) => ("IPSEC IS DOWN".to_string(), 0),
                    (true, true) => (String::new(), 0),
                    (true, false) => (format!("{advertised} BGP ROUTES"), advertised),
                };
                TunnelStatus {
                    outside_ip: tunnel.outside_ip,
                    up,
                    last_status_change: tunnel.status_changed_at.unwrap_or(self.lifecycle.created_at),
                    status_message,
                    accepted_route_count,
                }
            })
            .collect()
    }

    /// Whether at least one tunnel is up (a live connection is `available` to every read after its Create answer).
    pub fn has_tunnel_up(&self) -> bool {
        self.lifecycle.is_live() && self.tunnels.iter().any(|tunnel| !tunnel.forced_down)
    }

    /// The prefixes the customer gateway advertises over BGP (none for a static connection).
    fn advertised_prefixes(&self, region: &RegionState) -> Vec<Ipv4Net> {
        if self.options.static_routes_only {
            return Vec::new();
        }
        region
            .customer_gateways
            .get(self.customer_gateway_id.as_str())
            .map(|gateway| gateway.bgp_prefixes())
            .unwrap_or_default()
    }

    /// What this connection teaches its gateway (part 2 §15.4 [D S2S]): a static connection its static routes; a
    /// BGP connection its customer gateway's advertised prefixes while a tunnel is up. Nothing once deleted.
    pub fn learned_prefixes(&self, region: &RegionState) -> Vec<Ipv4Net> {
        if !self.lifecycle.is_live() {
            return Vec::new();
        }
        if self.options.static_routes_only {
            return self.routes.iter().map(|route| route.destination).collect();
        }
        if self.has_tunnel_up() {
            self.advertised_prefixes(region)
        } else {
            Vec::new()
        }
    }
}

/// Every prefix `vpn_gateway_id` knows from its connections, sorted and without repeats: what route propagation
/// installs in the tables of the VPC it is attached to.
pub fn known_prefixes(region: &RegionState, vpn_gateway_id: &str) -> Vec<Ipv4Net> {
    let mut prefixes: Vec<Ipv4Net> = region
        .vpn_connections
        .values()
        .filter(|connection| connection.vpn_gateway_id.as_deref() == Some(vpn_gateway_id))
        .flat_map(|connection| connection.learned_prefixes(region))
        .collect();
    prefixes.sort();
    prefixes.dedup();
    prefixes
}

/// Which tunnels the admin switch acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TunnelChoice {
    /// Tunnel 1 or 2 (the order of `vgwTelemetry` and `tunnelOptionSet`).
    One(usize),
    /// Both tunnels.
    Both,
}

/// The admin switch (`localvpc vpn tunnel`, not an AWS action): forces tunnels `DOWN` or lets them come back `UP`,
/// so failover and the loss of BGP routes can be tested. A change of status is stamped with `now` for
/// `lastStatusChange`; a deleted connection has no tunnels to switch.
pub fn set_tunnels(tx: &mut Tx, scope: &Scope, id: &str, which: TunnelChoice, up: bool) -> Result<Arc<VpnConnection>> {
    let now = tx.now();
    let connection = find(tx.region(scope), id, now)?;
    if !connection.lifecycle.is_live() {
        return Err(VpnError::VpnConnectionNotAvailable(connection.id.clone()).into());
    }
    tx.update::<VpnConnection>(scope, id, |connection| {
        for (index, tunnel) in connection.tunnels.iter_mut().enumerate() {
            let chosen = match which {
                TunnelChoice::One(number) => index + 1 == number,
                TunnelChoice::Both => true,
            };
            if chosen && tunnel.forced_down == up {
                tunnel.forced_down = !up;
                tunnel.status_changed_at = Some(now);
            }
        }
    });
    Ok(tx.get(scope, id).expect("present"))
}
