//! AWS's default quotas (spec §5) and whether this server enforces them.
//!
//! The DESIGN contract: quotas are *not* enforced by default — tests and labs should not trip over "5 VPCs per
//! region" — and `localvpc serve --quotas aws` enforces AWS's defaults with their exact error codes. A [`Quotas`]
//! value reaches the rules through the [`Tx`](crate::Tx) (`Tx::with_quotas`), as time does; each create rule asks
//! `tx.quotas()` for the one limit it is subject to and calls [`check`].
//!
//! Hard AWS rules that are not quotas are not here and always apply: one internet gateway per VPC, one peering
//! between the same two VPCs, /16–/28 prefixes, 50 tags per resource ([`crate::tags::MAX_TAGS`], not adjustable).
//!
//! One limit here is not an AWS quota and holds in both modes: [`Quotas::max_instances_per_call`], the most
//! instances one RunInstances may ask for (`serve --max-instances-per-call`, default
//! [`MAX_INSTANCES_PER_CALL`]). A launch runs under the one writer lock, so without a ceiling a single call with
//! an absurd `MaxCount` would hold every other writer for as long as it takes to launch what fits.
//!
//! Every quota is per `(account, Region)` [D: amazon-vpc-limits.md, "quotas … per Region for your AWS account"];
//! the per-VPC, per-table and per-group ones are counted inside that scope.

use crate::{Ec2Error, Result};

/// Spec §5: VPCs per Region (the default VPC included).
pub const VPCS_PER_REGION: usize = 5;
/// Spec §5: subnets per VPC.
pub const SUBNETS_PER_VPC: usize = 200;
/// Spec §5: IPv4 CIDR blocks per VPC, the primary included.
pub const CIDR_BLOCKS_PER_VPC: usize = 5;
/// Spec §5: internet gateways per Region (attached or not).
pub const INTERNET_GATEWAYS_PER_REGION: usize = 5;
/// Spec §5: Elastic IPs per Region.
pub const ELASTIC_IPS_PER_REGION: usize = 5;
/// Spec §5: route tables per VPC, the main table included.
pub const ROUTE_TABLES_PER_VPC: usize = 200;
/// Spec §5: routes per route table, not counting the `local` routes.
pub const ROUTES_PER_ROUTE_TABLE: usize = 50;
/// Spec §5: network ACLs per VPC, the default ACL included.
pub const NETWORK_ACLS_PER_VPC: usize = 200;
/// Spec §5: entries per network ACL and direction, the final `*` deny entry included [D: amazon-vpc-limits.md].
pub const ENTRIES_PER_NETWORK_ACL_DIRECTION: usize = 20;
/// Spec §5: security groups per Region (the default groups included).
pub const SECURITY_GROUPS_PER_REGION: usize = 2500;
/// Spec §5: rules per security group, per direction and per address family.
pub const RULES_PER_SECURITY_GROUP_DIRECTION: usize = 60;
/// Spec §5: security groups per network interface.
pub const SECURITY_GROUPS_PER_INTERFACE: usize = 5;
/// Spec §5: active VPC peering connections per VPC.
pub const ACTIVE_PEERINGS_PER_VPC: usize = 50;
/// Spec §5: outstanding (`pending-acceptance`) peering requests made by an account.
pub const OUTSTANDING_PEERING_REQUESTS: usize = 25;
/// Spec §5: network interfaces per Region.
pub const NETWORK_INTERFACES_PER_REGION: usize = 5000;
/// Part 2 §20 [D]: NAT gateways per Availability Zone (pending, available and deleting ones count).
pub const NAT_GATEWAYS_PER_ZONE: usize = 5;
/// Part 2 §20: transit gateways per account (and Region).
pub const TRANSIT_GATEWAYS_PER_REGION: usize = 5;
/// Part 2 §20: route tables per transit gateway.
pub const ROUTE_TABLES_PER_TRANSIT_GATEWAY: usize = 20;
/// Part 2 §20: transit gateways one VPC may attach to.
pub const TRANSIT_GATEWAYS_PER_VPC: usize = 5;
/// Part 2 §20: customer gateways per Region.
pub const CUSTOMER_GATEWAYS_PER_REGION: usize = 50;
/// Part 2 §20 [D]: customer-managed prefix lists per Region.
pub const PREFIX_LISTS_PER_REGION: usize = 100;
/// Part 2 §20 [D]: gateway VPC endpoints per Region.
pub const GATEWAY_ENDPOINTS_PER_REGION: usize = 20;
/// Part 2 §20 [D]: interface (and Gateway Load Balancer) endpoints per VPC.
pub const INTERFACE_ENDPOINTS_PER_VPC: usize = 50;
/// Part 2 §20: flow logs per VPC, subnet or interface. ASSUMPTION (§20: the count is not on AWS's 2023 quota page):
/// two, the limit AWS announced with flow logs (its 2015 launch post, quoted in awslabs/aws-config-resource-schema#9:
/// "you can create up to two Flow Logs on one resource").
pub const FLOW_LOGS_PER_RESOURCE: usize = 2;
/// Part 2 §20: virtual private gateways per Region.
pub const VPN_GATEWAYS_PER_REGION: usize = 5;
/// Part 2 §20: VPN connections per Region.
pub const VPN_CONNECTIONS_PER_REGION: usize = 50;
/// Part 2 §20: VPN connections per virtual private gateway.
pub const VPN_CONNECTIONS_PER_VPN_GATEWAY: usize = 10;

/// Part 2 §20 [D]: egress-only internet gateways per Region.
pub const EGRESS_ONLY_INTERNET_GATEWAYS_PER_REGION: usize = 5;

/// The default of [`Quotas::max_instances_per_call`]: a launch of this many takes a few milliseconds.
pub const MAX_INSTANCES_PER_CALL: usize = 1000;

/// The limits a server enforces: each `None` (not enforced) or the number of resources allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// VPCs per Region.
    pub vpcs_per_region: Option<usize>,
    /// Subnets per VPC.
    pub subnets_per_vpc: Option<usize>,
    /// IPv4 CIDR blocks per VPC.
    pub cidr_blocks_per_vpc: Option<usize>,
    /// Internet gateways per Region.
    pub internet_gateways_per_region: Option<usize>,
    /// Elastic IPs per Region.
    pub elastic_ips_per_region: Option<usize>,
    /// Route tables per VPC.
    pub route_tables_per_vpc: Option<usize>,
    /// Non-local routes per route table.
    pub routes_per_route_table: Option<usize>,
    /// Network ACLs per VPC.
    pub network_acls_per_vpc: Option<usize>,
    /// Entries per network ACL and direction.
    pub entries_per_network_acl_direction: Option<usize>,
    /// Security groups per Region.
    pub security_groups_per_region: Option<usize>,
    /// Rules per security group, direction and address family.
    pub rules_per_security_group_direction: Option<usize>,
    /// Security groups per network interface.
    pub security_groups_per_interface: Option<usize>,
    /// Active peering connections per VPC.
    pub active_peerings_per_vpc: Option<usize>,
    /// Outstanding peering requests per account (and Region).
    pub outstanding_peering_requests: Option<usize>,
    /// Network interfaces per Region.
    pub network_interfaces_per_region: Option<usize>,
    /// NAT gateways per Availability Zone.
    pub nat_gateways_per_zone: Option<usize>,
    /// Transit gateways per account and Region.
    pub transit_gateways_per_region: Option<usize>,
    /// Route tables per transit gateway.
    pub route_tables_per_transit_gateway: Option<usize>,
    /// Transit gateways per VPC (its live attachments).
    pub transit_gateways_per_vpc: Option<usize>,
    /// Customer gateways per Region (deleted ones not counted).
    pub customer_gateways_per_region: Option<usize>,
    /// Customer-managed prefix lists per Region.
    pub prefix_lists_per_region: Option<usize>,
    /// Gateway VPC endpoints per Region.
    pub gateway_endpoints_per_region: Option<usize>,
    /// Interface VPC endpoints per VPC.
    pub interface_endpoints_per_vpc: Option<usize>,
    /// Flow logs per VPC, subnet or interface.
    pub flow_logs_per_resource: Option<usize>,
    /// Virtual private gateways per Region (deleted ones not counted).
    pub vpn_gateways_per_region: Option<usize>,
    /// VPN connections per Region (deleted ones not counted).
    pub vpn_connections_per_region: Option<usize>,
    /// VPN connections per virtual private gateway.
    pub vpn_connections_per_vpn_gateway: Option<usize>,
    /// Egress-only internet gateways per Region.
    pub egress_only_internet_gateways_per_region: Option<usize>,
    /// The most instances one RunInstances may ask for (`MaxCount`); enforced whatever the mode (not an AWS quota,
    /// see the module doc).
    pub max_instances_per_call: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas::none()
    }
}

impl Quotas {
    /// Nothing enforced: the default of `localvpc serve` (DESIGN contracts).
    pub const fn none() -> Self {
        Quotas {
            vpcs_per_region: None,
            subnets_per_vpc: None,
            cidr_blocks_per_vpc: None,
            internet_gateways_per_region: None,
            elastic_ips_per_region: None,
            route_tables_per_vpc: None,
            routes_per_route_table: None,
            network_acls_per_vpc: None,
            entries_per_network_acl_direction: None,
            security_groups_per_region: None,
            rules_per_security_group_direction: None,
            security_groups_per_interface: None,
            active_peerings_per_vpc: None,
            outstanding_peering_requests: None,
            network_interfaces_per_region: None,
            nat_gateways_per_zone: None,
            transit_gateways_per_region: None,
            route_tables_per_transit_gateway: None,
            transit_gateways_per_vpc: None,
            customer_gateways_per_region: None,
            prefix_lists_per_region: None,
            gateway_endpoints_per_region: None,
            interface_endpoints_per_vpc: None,
            flow_logs_per_resource: None,
            vpn_gateways_per_region: None,
            vpn_connections_per_region: None,
            vpn_connections_per_vpn_gateway: None,
            egress_only_internet_gateways_per_region: None,
            max_instances_per_call: MAX_INSTANCES_PER_CALL,
        }
    }

    /// AWS's default quotas of spec §5: `localvpc serve --quotas aws`.
    pub const fn aws() -> Self {
        Quotas {
            vpcs_per_region: Some(VPCS_PER_REGION),
            subnets_per_vpc: Some(SUBNETS_PER_VPC),
            cidr_blocks_per_vpc: Some(CIDR_BLOCKS_PER_VPC),
            internet_gateways_per_region: Some(INTERNET_GATEWAYS_PER_REGION),
            elastic_ips_per_region: Some(ELASTIC_IPS_PER_REGION),
            route_tables_per_vpc: Some(ROUTE_TABLES_PER_VPC),
            routes_per_route_table: Some(ROUTES_PER_ROUTE_TABLE),
            network_acls_per_vpc: Some(NETWORK_ACLS_PER_VPC),
            entries_per_network_acl_direction: Some(ENTRIES_PER_NETWORK_ACL_DIRECTION),
            security_groups_per_region: Some(SECURITY_GROUPS_PER_REGION),
            rules_per_security_group_direction: Some(RULES_PER_SECURITY_GROUP_DIRECTION),
            security_groups_per_interface: Some(SECURITY_GROUPS_PER_INTERFACE),
            active_peerings_per_vpc: Some(ACTIVE_PEERINGS_PER_VPC),
            outstanding_peering_requests: Some(OUTSTANDING_PEERING_REQUESTS),
            network_interfaces_per_region: Some(NETWORK_INTERFACES_PER_REGION),
            nat_gateways_per_zone: Some(NAT_GATEWAYS_PER_ZONE),
            transit_gateways_per_region: Some(TRANSIT_GATEWAYS_PER_REGION),
            route_tables_per_transit_gateway: Some(ROUTE_TABLES_PER_TRANSIT_GATEWAY),
            transit_gateways_per_vpc: Some(TRANSIT_GATEWAYS_PER_VPC),
            customer_gateways_per_region: Some(CUSTOMER_GATEWAYS_PER_REGION),
            prefix_lists_per_region: Some(PREFIX_LISTS_PER_REGION),
            gateway_endpoints_per_region: Some(GATEWAY_ENDPOINTS_PER_REGION),
            interface_endpoints_per_vpc: Some(INTERFACE_ENDPOINTS_PER_VPC),
            flow_logs_per_resource: Some(FLOW_LOGS_PER_RESOURCE),
            vpn_gateways_per_region: Some(VPN_GATEWAYS_PER_REGION),
            vpn_connections_per_region: Some(VPN_CONNECTIONS_PER_REGION),
            vpn_connections_per_vpn_gateway: Some(VPN_CONNECTIONS_PER_VPN_GATEWAY),
            egress_only_internet_gateways_per_region: Some(EGRESS_ONLY_INTERNET_GATEWAYS_PER_REGION),
            max_instances_per_call: MAX_INSTANCES_PER_CALL,
        }
    }

    /// Whether any AWS quota is enforced (the per-call instance ceiling, always enforced, does not count).
    pub fn is_enforced(&self) -> bool {
        *self != Quotas { max_instances_per_call: self.max_instances_per_call, ..Quotas::none() }
    }
}

/// Refuses with `error()` when `existing` resources plus `adding` new ones would exceed `limit`; no limit, no
/// refusal.
pub fn check(limit: Option<usize>, existing: usize, adding: usize, error: impl FnOnce() -> Ec2Error) -> Result<()> {
    match limit {
        Some(limit) if existing.saturating_add(adding) > limit => Err(error()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
