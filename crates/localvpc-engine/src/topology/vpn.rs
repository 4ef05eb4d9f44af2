//! Site-to-site VPN in the compiled topology (part 2 §15.5): each virtual private gateway with the VPC it is
//! attached to and its live connections, and each customer gateway as an on-premises site — the network behind it,
//! whose hosts are the prefixes the gateway is known by.
//!
//! Everything a probe asks is resolved here once: which prefixes a connection reaches (its static routes, or its
//! customer gateway's BGP prefixes), which of its tunnels carries traffic, and the address a site's probes come from.
//! A world without VPN resources compiles to empty vectors.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::Ipv4Net;
use localvpc_model::vpn_connection::VpnConnection;
use localvpc_model::{RegionState, Scope};

use super::{Topology, VpcIx};

/// Index of a virtual private gateway in [`VpnNetwork::gateways`].
pub type VgwIx = usize;
/// Index of an on-premises site in [`VpnNetwork::sites`].
pub type SiteIx = usize;

/// The VPN gateways and on-premises sites of every scope.
#[derive(Debug, Default)]
pub struct VpnNetwork {
    /// Virtual private gateways.
    pub gateways: Vec<VgwNode>,
    /// On-premises sites, one per live customer gateway.
    pub sites: Vec<SiteNode>,
    /// The live connections that end on a transit gateway (VPN attachments), by connection ID.
    pub transit_links: HashMap<String, VpnLink>,
    /// The transit gateway and live VPN attachment of each such connection (filled by `transit.rs`).
    pub transit_attachments: HashMap<String, (String, String)>,
    gateway_by_id: HashMap<String, VgwIx>,
    site_by_key: HashMap<(Scope, String), SiteIx>,
}

/// A virtual private gateway.
#[derive(Debug, Clone)]
pub struct VgwNode {
    /// `vgw-…`.
    pub id: String,
    /// Owner and region.
    pub scope: Scope,
    /// The VPC it is attached to.
    pub vpc: Option<VpcIx>,
    /// Its live VPN connections.
    pub links: Vec<VpnLink>,
}

/// A live VPN connection as the gateway forwards through it.
#[derive(Debug, Clone)]
pub struct VpnLink {
    /// `vpn-…`.
    pub id: String,
    /// The site behind its customer gateway.
    pub site: SiteIx,
    /// `StaticRoutesOnly`.
    pub static_routes_only: bool,
    /// What the gateway reaches through it: its static routes, or its customer gateway's BGP prefixes.
    pub prefixes: Vec<Ipv4Net>,
    /// The number (1 or 2) of the tunnel that carries traffic: the first one up (part 2 §15.5 [D]: one down, the
    /// other carries it); none when both are down.
    pub tunnel: Option<u8>,
}

impl VpnLink {
    /// The longest of its prefixes that holds `address` (part 2 §16.2 [D]: VPN carries IPv4 only).
    pub fn prefix_for(&self, address: IpAddr) -> Option<Ipv4Net> {
        let IpAddr::V4(address) = address else { return None };
        self.prefixes
            .iter()
            .filter(|prefix| prefix.contains(&address))
            .max_by_key(|prefix| prefix.prefix_len())
            .copied()
    }
}

/// The on-premises network behind a customer gateway.
#[derive(Debug, Clone)]
pub struct SiteNode {
    /// `cgw-…`.
    pub id: String,
    /// Owner and region.
    pub scope: Scope,
    /// Its hosts' addresses: the static routes of its connections and its BGP prefixes, sorted.
    pub prefixes: Vec<Ipv4Net>,
    /// The address its probes come from: the first usable host of its first prefix (none without prefixes).
    pub source: Option<Ipv4Addr>,
    /// Its connections to virtual private gateways: (gateway, index in the gateway's links).
    pub links: Vec<(VgwIx, usize)>,
    /// Its connections to transit gateways (keys of [`VpnNetwork::transit_links`]).
    pub transit_links: Vec<String>,
}

impl SiteNode {
    /// Whether a host of the site has `address`.
    pub fn contains(&self, address: IpAddr) -> bool {
        let IpAddr::V4(address) = address else { return false };
        self.prefixes.iter().any(|prefix| prefix.contains(&address))
    }
}

/// The first usable host of a prefix (a /32 or /31 is its own host).
fn first_host(prefix: Ipv4Net) -> Ipv4Addr {
    if prefix.prefix_len() >= 31 {
        prefix.network()
    } else {
        Ipv4Addr::from(u32::from(prefix.network()) + 1)
    }
}

/// How a gateway forwards through `connection` to `site`.
fn link_of(region: &RegionState, connection: &VpnConnection, site: SiteIx) -> VpnLink {
    let prefixes = if connection.options.static_routes_only {
        connection.routes.iter().map(|route| route.destination).collect()
    } else {
        region
            .customer_gateways
            .get(connection.customer_gateway_id.as_str())
            .map(|gateway| gateway.bgp_prefixes())
            .unwrap_or_default()
    };
    let tunnel = connection.tunnels.iter().position(|tunnel| !tunnel.forced_down).map(|at| at as u8 + 1);
    VpnLink {
        id: connection.id.clone(),
        site,
        static_routes_only: connection.options.static_routes_only,
        prefixes,
        tunnel,
    }
}

impl Topology {
    /// Adds the region's customer gateways (as sites) and virtual private gateways with their connections; after
    /// the VPCs, which gateways attach to.
    pub(super) fn add_vpn(&mut self, scope: &Scope, region: &RegionState) {
        if region.customer_gateways.is_empty() && region.vpn_gateways.is_empty() {
            return;
        }
        let first_site = self.vpn.sites.len();
        for gateway in region.customer_gateways.values().filter(|gateway| gateway.lifecycle.is_live()) {
            let mut prefixes = gateway.bgp_prefixes();
            let connections = region
                .vpn_connections
                .values()
                .filter(|connection| connection.lifecycle.is_live() && connection.customer_gateway_id == gateway.id);
            for connection in connections.filter(|connection| connection.options.static_routes_only) {
                prefixes.extend(connection.routes.iter().map(|route| route.destination));
            }
            prefixes.sort();
            prefixes.dedup();
            self.vpn.site_by_key.insert((scope.clone(), gateway.id.clone()), self.vpn.sites.len());
            self.vpn.sites.push(SiteNode {
                id: gateway.id.clone(),
                scope: scope.clone(),
                source: prefixes.first().map(|prefix| first_host(*prefix)),
                prefixes,
                links: Vec::new(),
                transit_links: Vec::new(),
            });
        }
        let to_transit_gateways = region
            .vpn_connections
            .values()
            .filter(|connection| connection.lifecycle.is_live() && connection.transit_gateway_id.is_some());
        for connection in to_transit_gateways {
            let Some(&site) = self.vpn.site_by_key.get(&(scope.clone(), connection.customer_gateway_id.clone())) else {
                continue;
            };
            let link = link_of(region, connection, site);
            self.vpn.sites[site].transit_links.push(connection.id.clone());
            self.vpn.transit_links.insert(connection.id.clone(), link);
        }
        for gateway in region.vpn_gateways.values().filter(|gateway| gateway.lifecycle.is_live()) {
            let index = self.vpn.gateways.len();
            let vpc = gateway.attached_vpc().and_then(|vpc_id| self.vpc(scope, vpc_id));
            let mut links = Vec::new();
            let connections = region.vpn_connections.values().filter(|connection| {
                connection.lifecycle.is_live() && connection.vpn_gateway_id.as_deref() == Some(gateway.id.as_str())
            });
            for connection in connections {
                let Some(&site) = self.vpn.site_by_key.get(&(scope.clone(), connection.customer_gateway_id.clone()))
                else {
                    continue;
                };
                debug_assert!(site >= first_site);
                self.vpn.sites[site].links.push((index, links.len()));
                links.push(link_of(region, connection, site));
            }
            self.vpn.gateway_by_id.insert(gateway.id.clone(), index);
            self.vpn.gateways.push(VgwNode { id: gateway.id.clone(), scope: scope.clone(), vpc, links });
        }
    }

    /// The virtual private gateway with this ID.
    pub fn vpn_gateway(&self, id: &str) -> Option<VgwIx> {
        self.vpn.gateway_by_id.get(id).copied()
    }

    /// The on-premises site behind the customer gateway `id` of `scope`.
    pub fn site(&self, scope: &Scope, id: &str) -> Option<SiteIx> {
        self.vpn.site_by_key.get(&(scope.clone(), id.to_string())).copied()
    }
}
