//! Interface endpoints (part 2 §17.5): one requester-managed interface per subnet (one subnet per zone), carrying
//! the endpoint's security groups (the VPC's default group when none is named), and private DNS, which needs the
//! VPC's `enableDnsSupport` and `enableDnsHostnames`.

use std::sync::Arc;

use super::manage::{dedup, CreateVpcEndpoint, ModifyVpcEndpoint};
use super::VpcEndpoint;
use crate::ids::IdKind;
use crate::network_interface::{self, ManagingService, NetworkInterface};
use crate::security_group;
use crate::subnet::{self, Subnet};
use crate::vpc::Vpc;
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, Result, VpcEndpointError};

/// Part 2 §17.5 [D EC2UG]: the description of an endpoint's interface.
pub fn interface_description(endpoint_id: &str) -> String {
    format!("VPC Endpoint Interface {endpoint_id}")
}

/// The subnets, each of the endpoint's VPC and no two in one zone (§17.5 [D errs]).
fn check_subnets(tx: &Tx, scope: &Scope, vpc_id: &str, subnet_ids: &[String]) -> Result<Vec<Arc<Subnet>>> {
    let region = tx.region(scope);
    let mut subnets: Vec<Arc<Subnet>> = Vec::new();
    for subnet_id in subnet_ids {
        let subnet = subnet::find(region, subnet_id)?;
        // ASSUMPTION (localvpc's endpoints are IPv4 only; AWS offers IPv6-only endpoints with
        // `IpAddressType=ipv6`, not modelled): an IPv6-only subnet is refused.
        subnet::ipv6_only::refuse_for_service(&subnet, "interface VPC endpoint")?;
        // ASSUMPTION (§17.5 is silent): a subnet of another VPC is refused in the words a route table gets.
        if subnet.vpc_id != vpc_id {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The subnet ID '{}' does not belong to the VPC '{vpc_id}'",
                subnet.id
            )));
        }
        if subnets.iter().any(|other| other.availability_zone == subnet.availability_zone) {
            return Err(VpcEndpointError::DuplicateSubnetsInSameZone(subnet.id.clone()).into());
        }
        subnets.push(subnet);
    }
    Ok(subnets)
}

/// The groups, each of the endpoint's VPC. ASSUMPTION (§17.5 is silent): another VPC's group is refused as on
/// CreateNetworkInterface.
fn check_groups(tx: &Tx, scope: &Scope, vpc_id: &str, group_ids: &[String]) -> Result<()> {
    for group_id in group_ids {
        let group = security_group::find(tx.region(scope), group_id)?;
        if group.vpc_id != vpc_id {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "The security group '{}' does not belong to the VPC '{vpc_id}'",
                group.id
            )));
        }
    }
    Ok(())
}

/// §17.5 [D UG:vpc-dns.md]: private DNS needs both DNS attributes of the VPC.
fn check_private_dns(vpc: &Vpc) -> Result<()> {
    if vpc.enable_dns_support && vpc.enable_dns_hostnames {
        Ok(())
    } else {
        Err(VpcEndpointError::PrivateDnsNeedsVpcDns(vpc.id.clone()).into())
    }
}

/// The endpoint's interface in `subnet`, with its groups.
fn add_interface(tx: &mut Tx, scope: &Scope, endpoint_id: &str, subnet: &Subnet, groups: &[String]) -> Result<String> {
    let description = interface_description(endpoint_id);
    let interface = network_interface::create_requester_managed(
        tx,
        scope,
        subnet,
        ManagingService::VpcEndpoint,
        endpoint_id,
        description,
        None,
    )
    .ok_or_else(|| Ec2Error::InsufficientFreeAddressesInSubnet(subnet.id.clone()))?;
    let groups = groups.to_vec();
    tx.update::<NetworkInterface>(scope, &interface.id, |interface| interface.security_group_ids = groups);
    Ok(interface.id.clone())
}

/// CreateVpcEndpoint of type `Interface`: subnets (at least one), groups (default: the VPC's default group),
/// private DNS (AWS's default for AWS services is on [D bc], so it needs the VPC's DNS attributes).
pub(super) fn create(
    tx: &mut Tx,
    scope: &Scope,
    request: &CreateVpcEndpoint,
    vpc: &Vpc,
    mut endpoint: VpcEndpoint,
) -> Result<Arc<VpcEndpoint>> {
    if !request.route_table_ids.is_empty() {
        return Err(VpcEndpointError::ParameterNotForType { parameter: "RouteTableId", kind: "Interface" }.into());
    }
    let subnet_ids = dedup(&request.subnet_ids);
    if subnet_ids.is_empty() {
        return Err(VpcEndpointError::SubnetRequired.into());
    }
    let subnets = check_subnets(tx, scope, &vpc.id, &subnet_ids)?;
    let mut groups = dedup(&request.security_group_ids);
    if groups.is_empty() {
        // Part 2 §17.5 [O LS snapshot]: the VPC's default group.
        let default = tx.region(scope).index.security_groups.by_name(&vpc.id, "default").map(str::to_string);
        groups.extend(default);
    }
    check_groups(tx, scope, &vpc.id, &groups)?;
    let private_dns = request.private_dns_enabled.unwrap_or(true);
    if private_dns {
        check_private_dns(vpc)?;
    }
    // Part 2 §20 [D]: 50 interface (and GWLB) endpoints per VPC.
    let existing = tx
        .region(scope)
        .vpc_endpoints
        .values()
        .filter(|e| e.vpc_id == vpc.id && e.kind == super::EndpointType::Interface)
        .count();
    crate::quotas::check(tx.quotas().interface_endpoints_per_vpc, existing, 1, || {
        VpcEndpointError::LimitExceeded.into()
    })?;
    endpoint.id = tx.next_id(IdKind::VpcEndpoint);
    for subnet in &subnets {
        let interface_id = add_interface(tx, scope, &endpoint.id, subnet, &groups)?;
        endpoint.network_interface_ids.push(interface_id);
    }
    endpoint.subnet_ids = subnet_ids;
    endpoint.group_ids = groups;
    endpoint.private_dns_enabled = private_dns;
    let id = endpoint.id.clone();
    tx.put(scope, endpoint);
    Ok(tx.region(scope).vpc_endpoints[id.as_str()].clone())
}

/// ModifyVpcEndpoint of an interface endpoint: subnets (an interface each), groups (on every interface), private
/// DNS.
pub(super) fn modify(tx: &mut Tx, scope: &Scope, endpoint: &VpcEndpoint, request: &ModifyVpcEndpoint) -> Result<()> {
    if !request.add_route_table_ids.is_empty() || !request.remove_route_table_ids.is_empty() {
        return Err(VpcEndpointError::ParameterNotForType { parameter: "AddRouteTableId", kind: "Interface" }.into());
    }
    let mut updated = endpoint.clone();
    for group_id in dedup(&request.remove_security_group_ids) {
        updated.group_ids.retain(|id| *id != group_id);
    }
    let added_groups = dedup(&request.add_security_group_ids);
    check_groups(tx, scope, &endpoint.vpc_id, &added_groups)?;
    for group_id in added_groups {
        if !updated.group_ids.contains(&group_id) {
            updated.group_ids.push(group_id);
        }
    }
    for subnet_id in dedup(&request.remove_subnet_ids) {
        if let Some(position) = updated.subnet_ids.iter().position(|id| *id == subnet_id) {
            updated.subnet_ids.remove(position);
            let interface_id = updated.network_interface_ids.remove(position);
            tx.remove::<NetworkInterface>(scope, &interface_id);
        }
    }
    let added: Vec<String> =
        dedup(&request.add_subnet_ids).into_iter().filter(|id| !updated.subnet_ids.contains(id)).collect();
    let all: Vec<String> = updated.subnet_ids.iter().chain(&added).cloned().collect();
    let subnets = check_subnets(tx, scope, &endpoint.vpc_id, &all)?;
    for subnet in subnets.iter().skip(updated.subnet_ids.len()) {
        let interface_id = add_interface(tx, scope, &endpoint.id, subnet, &updated.group_ids)?;
        updated.subnet_ids.push(subnet.id.clone());
        updated.network_interface_ids.push(interface_id);
    }
    for interface_id in &updated.network_interface_ids {
        let groups = updated.group_ids.clone();
        tx.update::<NetworkInterface>(scope, interface_id, |interface| interface.security_group_ids = groups);
    }
    if let Some(private_dns) = request.private_dns_enabled {
        if private_dns {
            let vpc = crate::vpc::find(tx.region(scope), &endpoint.vpc_id)?;
            check_private_dns(&vpc)?;
        }
        updated.private_dns_enabled = private_dns;
    }
    tx.put(scope, updated);
    Ok(())
}

/// DeleteVpcEndpoints: the endpoint's interfaces go with it.
pub(super) fn release_interfaces(tx: &mut Tx, scope: &Scope, endpoint: &VpcEndpoint) {
    for interface_id in &endpoint.network_interface_ids {
        tx.remove::<NetworkInterface>(scope, interface_id);
    }
}

/// One `dnsEntrySet` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsEntry {
    /// `dnsName`.
    pub name: String,
    /// `hostedZoneId`.
    pub hosted_zone_id: &'static str,
}

/// ASSUMPTION (§17.5 gives no zone ID): the hosted zone every endpoint-specific name is shown in.
const VPCE_HOSTED_ZONE: &str = "Z7HUB22UULQXV";

/// ASSUMPTION (§17.5 gives no zone ID): the hosted zone of a private DNS name.
const PRIVATE_HOSTED_ZONE: &str = "ZONEIDPENDING";

/// `dnsEntrySet` of an interface endpoint (part 2 §17.5 [O LS snapshot]): the Regional name
/// `vpce-<id>-<suffix>.<service>.<region>.vpce.amazonaws.com`, one per zone (`…-<zone>.<service>…`), and with
/// private DNS the service's public name. ASSUMPTION: the suffix is 8 characters derived from the ID.
pub fn dns_entries(endpoint: &VpcEndpoint, region: &RegionState, region_name: &str) -> Vec<DnsEntry> {
    let Some(service) = super::services::find(region_name, &endpoint.service_name) else { return Vec::new() };
    if endpoint.kind != super::EndpointType::Interface {
        return Vec::new();
    }
    let hex = endpoint.id.trim_start_matches("vpce-");
    let suffix: String = hex.chars().rev().take(8).collect();
    let base = format!("{}-{suffix}", endpoint.id);
    let zone_suffix = format!("{}.{region_name}.vpce.amazonaws.com", service.short_name);
    let mut entries = vec![DnsEntry { name: format!("{base}.{zone_suffix}"), hosted_zone_id: VPCE_HOSTED_ZONE }];
    for subnet_id in &endpoint.subnet_ids {
        if let Some(subnet) = region.subnets.get(subnet_id.as_str()) {
            entries.push(DnsEntry {
                name: format!("{base}-{}.{zone_suffix}", subnet.availability_zone),
                hosted_zone_id: VPCE_HOSTED_ZONE,
            });
        }
    }
    if endpoint.private_dns_enabled {
        if let Some(name) = service.private_dns_name {
            entries.push(DnsEntry { name, hosted_zone_id: PRIVATE_HOSTED_ZONE });
        }
    }
    entries
}
