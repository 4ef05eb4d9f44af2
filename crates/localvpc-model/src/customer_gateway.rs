//! Customer gateways (part 2 §15.1): the on-premises end of a site-to-site VPN as AWS knows it — a public IPv4
//! address, a BGP ASN, a device name — created `available`, idempotent for an identical request, deleted while no
//! live VPN connection uses it, then listed as `deleted` for a while (`vpn_state`).
//!
//! The prefixes a customer gateway advertises over BGP: nothing here speaks BGP, so they are read from the tag
//! [`BGP_PREFIXES_TAG`] (comma-separated IPv4 CIDR blocks) — see [`CustomerGateway::bgp_prefixes`].

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cidr::{self, Ipv4Net};
use crate::filter::{Filter, Filterable};
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::vpn_state::{self, Lifecycle, VpnState};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{Result, VpnError};

/// The one gateway type AWS offers (`GatewayType`).
pub const IPSEC_1: &str = "ipsec.1";
/// Part 2 §15.1 [D bc]: the BGP ASN when the request names none.
pub const DEFAULT_BGP_ASN: u64 = 65000;
/// The tag whose value lists the prefixes the device advertises over BGP (comma-separated IPv4 CIDR blocks).
pub const BGP_PREFIXES_TAG: &str = "localvpc:bgp-prefixes";
/// Part 2 §20 [D]: a VGW VPN accepts at most 100 routes from the customer gateway; ASSUMPTION (part 2 §20 [I]):
/// the rest are dropped silently, as a BGP speaker with a prefix limit would.
pub const MAX_ACCEPTED_PREFIXES: usize = 100;

/// A customer gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerGateway {
    /// `cgw-…`.
    pub id: String,
    /// The device's public IPv4 address.
    pub ip_address: Ipv4Addr,
    /// The BGP ASN (`bgpAsn`, rendered as a string); a 4-byte ASN sent as `BgpAsnExtended` is here too.
    pub bgp_asn: u64,
    /// Whether the ASN came as `BgpAsnExtended` (then also rendered as `bgpAsnExtended`).
    pub bgp_asn_extended: bool,
    /// `DeviceName`.
    pub device_name: Option<String>,
    /// `CertificateArn`.
    pub certificate_arn: Option<String>,
    /// Creation and deletion times.
    pub lifecycle: Lifecycle,
    /// Tags.
    pub tags: Tags,
}

impl CustomerGateway {
    /// The state at `now`.
    pub fn state_at(&self, now: Timestamp) -> VpnState {
        self.lifecycle.state_at(now)
    }

    /// The prefixes the device advertises over BGP, in the order written, at most [`MAX_ACCEPTED_PREFIXES`].
    ///
    /// Nothing in localvpc speaks BGP, so the advertisement is modelled by the tag [`BGP_PREFIXES_TAG`]
    /// (`10.6.0.0/16,10.7.0.0/16`): set it with CreateTags and the connections that use this gateway announce those
    /// blocks while a tunnel is up. Entries that are not IPv4 CIDR blocks are skipped: a tag is free text, and a
    /// BGP speaker would not announce them either.
    pub fn bgp_prefixes(&self) -> Vec<Ipv4Net> {
        let mut prefixes: Vec<Ipv4Net> = Vec::new();
        for entry in self.tags.get(BGP_PREFIXES_TAG).unwrap_or_default().split(',') {
            if let Some(prefix) = cidr::parse_canonical(entry.trim()) {
                if !prefixes.contains(&prefix) {
                    prefixes.push(prefix);
                }
            }
        }
        prefixes.truncate(MAX_ACCEPTED_PREFIXES);
        prefixes
    }
}

impl Resource for CustomerGateway {
    const KIND: &'static str = "customer_gateway";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.customer_gateways
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.customer_gateways
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
}

/// A customer gateway seen at a moment, so the `state` filter reads the derived state.
pub struct CustomerGatewayView<'a> {
    /// The gateway.
    pub gateway: &'a CustomerGateway,
    /// The moment of the read.
    pub now: Timestamp,
}

impl Filterable for CustomerGatewayView<'_> {
    const FILTERS: &'static [&'static str] = &["bgp-asn", "customer-gateway-id", "ip-address", "state", "type"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let gateway = self.gateway;
        match name {
            "bgp-asn" => out.push(gateway.bgp_asn.to_string()),
            "customer-gateway-id" => out.push(gateway.id.clone()),
            "ip-address" => out.push(gateway.ip_address.to_string()),
            "state" => out.push(gateway.state_at(self.now).as_str().to_string()),
            "type" => out.push(IPSEC_1.to_string()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.gateway.tags)
    }
}

/// Looks a gateway up (a deleted one too, while listed), checking the ID's shape first.
pub fn find(region: &RegionState, id: &str, now: Timestamp) -> Result<Arc<CustomerGateway>> {
    IdKind::CustomerGateway.check(id)?;
    region
        .customer_gateways
        .get(id)
        .filter(|gateway| gateway.lifecycle.listed_at(now))
        .cloned()
        .ok_or_else(|| VpnError::CustomerGatewayNotFound(vec![id.to_string()]).into())
}

/// DescribeCustomerGateways.
pub fn describe(
    region: &RegionState,
    ids: &[String],
    filters: &[Filter],
    now: Timestamp,
) -> Result<Vec<Arc<CustomerGateway>>> {
    crate::filter::validate::<CustomerGatewayView>(filters)?;
    vpn_state::describe(
        &region.customer_gateways,
        ids,
        IdKind::CustomerGateway,
        |ids| VpnError::CustomerGatewayNotFound(ids).into(),
        |gateway| gateway.lifecycle.listed_at(now),
        |gateway| crate::filter::matches(&CustomerGatewayView { gateway, now }, filters),
    )
}

/// A CreateCustomerGateway request, as sent.
#[derive(Debug, Clone, Default)]
pub struct CreateCustomerGateway {
    /// `Type`.
    pub gateway_type: String,
    /// `IpAddress` (or the legacy `PublicIp`).
    pub ip_address: Option<String>,
    /// `BgpAsn`.
    pub bgp_asn: Option<i64>,
    /// `BgpAsnExtended`.
    pub bgp_asn_extended: Option<i64>,
    /// `DeviceName`.
    pub device_name: Option<String>,
    /// `CertificateArn`.
    pub certificate_arn: Option<String>,
    /// `TagSpecification.N` of type `customer-gateway`.
    pub tags: Vec<Tag>,
}

/// Part 2 §15.1 [D bc]: `BgpAsn` is 1–2,147,483,647; a larger (4-byte) ASN goes in `BgpAsnExtended`.
fn bgp_asn(request: &CreateCustomerGateway) -> Result<(u64, bool)> {
    match (request.bgp_asn, request.bgp_asn_extended) {
        (Some(_), Some(_)) => Err(VpnError::BgpAsnAndExtended.into()),
        (Some(asn), None) if (1..=2_147_483_647).contains(&asn) => Ok((asn as u64, false)),
        (Some(asn), None) => Err(VpnError::InvalidBgpAsn(asn).into()),
        (None, Some(asn)) if (2_147_483_648..=4_294_967_295).contains(&asn) => Ok((asn as u64, true)),
        (None, Some(asn)) => Err(VpnError::InvalidBgpAsnExtended(asn).into()),
        (None, None) => Ok((DEFAULT_BGP_ASN, false)),
    }
}

/// CreateCustomerGateway (part 2 §15.1). Part 2 §15.1 [D bc doc]: an identical request (same type, address, ASN,
/// device name and certificate) answers the existing live gateway instead of creating a second one.
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateCustomerGateway) -> Result<Arc<CustomerGateway>> {
    if request.gateway_type != IPSEC_1 {
        return Err(VpnError::InvalidGatewayType(request.gateway_type).into());
    }
    let ip_text = request.ip_address.clone().unwrap_or_default();
    let ip_address: Ipv4Addr = ip_text.parse().map_err(|_| VpnError::InvalidCustomerGatewayIp(ip_text.clone()))?;
    let (asn, extended) = bgp_asn(&request)?;
    crate::tags::validate(&request.tags)?;
    let region = tx.region(scope);
    let identical = region.customer_gateways.values().find(|gateway| {
        gateway.lifecycle.is_live()
            && gateway.ip_address == ip_address
            && gateway.bgp_asn == asn
            && gateway.device_name == request.device_name
            && gateway.certificate_arn == request.certificate_arn
    });
    if let Some(existing) = identical {
        return Ok(existing.clone());
    }
    let live = region.customer_gateways.values().filter(|gateway| gateway.lifecycle.is_live()).count();
    crate::quotas::check(tx.quotas().customer_gateways_per_region, live, 1, || {
        VpnError::CustomerGatewayLimitExceeded.into()
    })?;
    let gateway = CustomerGateway {
        id: tx.next_id(IdKind::CustomerGateway),
        ip_address,
        bgp_asn: asn,
        bgp_asn_extended: extended,
        device_name: request.device_name,
        certificate_arn: request.certificate_arn,
        lifecycle: Lifecycle::new(tx.now()),
        tags: Tags(request.tags),
    };
    let id = gateway.id.clone();
    tx.put(scope, gateway);
    Ok(tx.get(scope, &id).expect("just inserted"))
}

/// DeleteCustomerGateway (part 2 §15.1): refused while a VPN connection that is not deleted uses the gateway;
/// deleting a deleted gateway again is a no-op.
pub fn delete(tx: &mut Tx, scope: &Scope, id: &str) -> Result<()> {
    let now = tx.now();
    let region = tx.region(scope);
    let gateway = find(region, id, now)?;
    if !gateway.lifecycle.is_live() {
        return Ok(());
    }
    // The connections table is read field by field: this module sits below `vpn_connection`, which imports it.
    let in_use = region
        .vpn_connections
        .values()
        .any(|connection| connection.customer_gateway_id == gateway.id && connection.lifecycle.is_live());
    if in_use {
        return Err(VpnError::CustomerGatewayInUse(gateway.id.clone()).into());
    }
    tx.update::<CustomerGateway>(scope, id, |gateway| gateway.lifecycle.deleted_at = Some(now));
    Ok(())
}
