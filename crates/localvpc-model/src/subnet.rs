//! Subnets (spec §2.3): range and conflict checks, zones, reserved addresses, `MapPublicIpOnLaunch`, hostname options.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::availability_zone::{zones, AvailabilityZone};
use crate::cidr::{self, Ipv4Net};
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::Indexes;
use crate::tags::{Tag, Tags};
use crate::vpc::Vpc;
use crate::world::{RegionState, Resource, Scope, Table, Tx};
use crate::{network_acl, route_table, Ec2Error, Result};

mod ipv6;
pub mod ipv6_only;

pub use ipv6::{
    associate_cidr_block, disassociate_cidr_block, set_ipv6_attribute, Ipv6Attribute, SubnetIpv6CidrAssociation,
};

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    /// `subnet-…`.
    pub id: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owning account.
    pub owner_id: String,
    /// The IPv4 block; none for an IPv6-only subnet (part 2 §16.1 [D]: `Ipv6Native`, DescribeSubnets omits
    /// `cidrBlock`).
    pub cidr_block: Option<Ipv4Net>,
    /// Zone name.
    pub availability_zone: String,
    /// Zone ID.
    pub availability_zone_id: String,
    /// A default VPC's subnet.
    pub default_for_az: bool,
    /// `mapPublicIpOnLaunch`.
    pub map_public_ip_on_launch: bool,
    /// `privateDnsNameOptionsOnLaunch` (a store written before it existed reads the defaults).
    #[serde(default)]
    pub private_dns_name_options: PrivateDnsNameOptionsOnLaunch,
    /// The region, for the ARN.
    pub region: String,
    /// Tags.
    pub tags: Tags,
    /// Its IPv6 /64 (part 2 §16.1); none in records written before IPv6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr_association: Option<SubnetIpv6CidrAssociation>,
    /// `assignIpv6AddressOnCreation`.
    #[serde(default)]
    pub assign_ipv6_address_on_creation: bool,
    /// `enableDns64`.
    #[serde(default)]
    pub enable_dns64: bool,
}

/// Part 2 §16.3 [D]: a subnet's `privateDnsNameOptionsOnLaunch`, the hostname settings instances launched into it
/// start from. A new subnet has `ip-name` and neither resource-name record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateDnsNameOptionsOnLaunch {
    /// `hostnameType`: `ip-name` or `resource-name`.
    pub hostname_type: String,
    /// `enableResourceNameDnsARecord`.
    pub enable_resource_name_dns_a_record: bool,
    /// `enableResourceNameDnsAAAARecord` (part 2 §16.4); false in records written before IPv6.
    #[serde(default)]
    pub enable_resource_name_dns_aaaa_record: bool,
}

impl Default for PrivateDnsNameOptionsOnLaunch {
    fn default() -> Self {
        PrivateDnsNameOptionsOnLaunch {
            hostname_type: HOSTNAME_TYPES[0].into(),
            enable_resource_name_dns_a_record: false,
            enable_resource_name_dns_aaaa_record: false,
        }
    }
}

/// `PrivateDnsHostnameTypeOnLaunch` values (EC2 API reference, ModifySubnetAttribute; the first is the default).
pub const HOSTNAME_TYPES: [&str; 2] = ["ip-name", "resource-name"];

/// Spec §2.3 [D]: every subnet loses its first four addresses and its last.
pub const RESERVED_ADDRESSES: u64 = 5;

impl Subnet {
    /// `arn:aws:ec2:<region>:<account>:subnet/<id>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:ec2:{}:{}:subnet/{}", self.region, self.owner_id, self.id)
    }

    /// `availableIpAddressCount`: the block less the reserved addresses and the addresses in use.
    pub fn available_ip_address_count(&self, region: &RegionState) -> u64 {
        // An IPv6-only subnet has no IPv4 addresses to count (the count is of IPv4 addresses only).
        let Some(block) = &self.cidr_block else { return 0 };
        let in_use = crate::network_interface::addresses_in_use(region, &self.id);
        (cidr::size(block) - RESERVED_ADDRESSES).saturating_sub(in_use)
    }

    /// `ipv6Native`: an IPv6-only subnet, the one kind without an IPv4 block.
    pub fn ipv6_native(&self) -> bool {
        self.cidr_block.is_none()
    }

    /// Its IPv6 block, if it has one.
    pub fn ipv6_cidr_block(&self) -> Option<crate::ipv6::Ipv6Net> {
        self.ipv6_cidr_association.as_ref().map(|association| association.ipv6_cidr_block)
    }
}

impl Resource for Subnet {
    const KIND: &'static str = "subnet";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.subnets
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.subnets
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    /// The block among its VPC's blocks (CreateSubnet's conflict check and the per-VPC count).
    fn reindex(index: &mut Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        if let (Some(old), Some(new)) = (old, new) {
            if old.vpc_id == new.vpc_id && old.cidr_block == new.cidr_block {
                return;
            }
        }
        // The per-VPC subnet count includes IPv6-only subnets (spec §5 counts subnets, not blocks).
        if let Some(old) = old {
            let first = old.cidr_block.map(|block| u32::from(block.network()));
            index.region.remove_subnet_block(&old.vpc_id, first, &old.id);
        }
        if let Some(new) = new {
            let range = new.cidr_block.map(|block| (u32::from(block.network()), u32::from(block.broadcast())));
            index.region.add_subnet_block(&new.vpc_id, range, &new.id);
        }
    }
}

/// A subnet seen together with its region, so filters can use derived values (free addresses).
pub struct SubnetView<'a> {
    /// The subnet.
    pub subnet: &'a Subnet,
    /// Its region.
    pub region: &'a RegionState,
}

impl Filterable for SubnetView<'_> {
    const FILTERS: &'static [&'static str] = &[
        "availability-zone",
        "availability-zone-id",
        "availabilityZone",
        "availabilityZoneId",
        "available-ip-address-count",
        "cidr",
        "cidr-block",
        "cidrBlock",
        "customer-owned-ipv4-pool",
        "default-for-az",
        "defaultForAz",
        "enable-dns64",
        "enable-lni-at-device-index",
        "ipv6-cidr-block-association.ipv6-cidr-block",
        "ipv6-cidr-block-association.association-id",
        "ipv6-cidr-block-association.state",
        "ipv6-native",
        "map-customer-owned-ip-on-launch",
        "map-public-ip-on-launch",
        "outpost-arn",
        "owner-id",
        "private-dns-name-options-on-launch.hostname-type",
        "private-dns-name-options-on-launch.enable-resource-name-dns-a-record",
        "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record",
        "state",
        "subnet-arn",
        "subnet-id",
        "vpc-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let subnet = self.subnet;
        match name {
            "availability-zone" | "availabilityZone" => out.push(subnet.availability_zone.clone()),
            "availability-zone-id" | "availabilityZoneId" => out.push(subnet.availability_zone_id.clone()),
            "available-ip-address-count" => out.push(subnet.available_ip_address_count(self.region).to_string()),
            "cidr" | "cidr-block" | "cidrBlock" => out.extend(subnet.cidr_block.map(|block| block.to_string())),
            "default-for-az" | "defaultForAz" => out.push(subnet.default_for_az.to_string()),
            "map-public-ip-on-launch" => out.push(subnet.map_public_ip_on_launch.to_string()),
            "enable-dns64" => out.push(subnet.enable_dns64.to_string()),
            "ipv6-cidr-block-association.ipv6-cidr-block" => {
                out.extend(subnet.ipv6_cidr_block().map(|block| block.to_string()))
            }
            "ipv6-cidr-block-association.association-id" => {
                out.extend(subnet.ipv6_cidr_association.as_ref().map(|a| a.association_id.clone()))
            }
            "ipv6-cidr-block-association.state" => {
                out.extend(subnet.ipv6_cidr_association.as_ref().map(|_| "associated".to_string()))
            }
            "private-dns-name-options-on-launch.enable-resource-name-dns-a-record" => {
                out.push(subnet.private_dns_name_options.enable_resource_name_dns_a_record.to_string())
            }
            "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record" => {
                out.push(subnet.private_dns_name_options.enable_resource_name_dns_aaaa_record.to_string())
            }
            "private-dns-name-options-on-launch.hostname-type" => {
                out.push(subnet.private_dns_name_options.hostname_type.clone())
            }
            "ipv6-native" => out.push(subnet.ipv6_native().to_string()),
            // Settings localvpc has no way to turn on (no Outposts): always their defaults, as DescribeSubnets shows
            // them; `customer-owned-ipv4-pool`, `enable-lni-at-device-index` and `outpost-arn` have no value, so
            // they match nothing.
            "map-customer-owned-ip-on-launch" => out.push("false".into()),
            "owner-id" => out.push(subnet.owner_id.clone()),
            "state" => out.push("available".into()),
            "subnet-arn" => out.push(subnet.arn()),
            "subnet-id" => out.push(subnet.id.clone()),
            "vpc-id" => out.push(subnet.vpc_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.subnet.tags)
    }
}

/// CreateSubnet parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateSubnet {
    /// `VpcId`.
    pub vpc_id: String,
    /// `CidrBlock` as sent (none for an IPv6-only subnet).
    pub cidr_block: Option<String>,
    /// `AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `AvailabilityZoneId`.
    pub availability_zone_id: Option<String>,
    /// Tags from `TagSpecification`.
    pub tags: Vec<Tag>,
    /// `Ipv6CidrBlock` as sent (part 2 §16.1).
    pub ipv6_cidr_block: Option<String>,
    /// `Ipv6Native`: an IPv6-only subnet (part 2 §16.1).
    pub ipv6_native: bool,
}

/// Looks a subnet up, checking the ID's shape first.
pub fn find(region: &RegionState, subnet_id: &str) -> Result<Arc<Subnet>> {
    IdKind::Subnet.check(subnet_id)?;
    region.subnets.get(subnet_id).cloned().ok_or_else(|| Ec2Error::SubnetNotFound(vec![subnet_id.to_string()]))
}

fn pick_zone(region_name: &str, name: Option<&str>, zone_id: Option<&str>) -> Result<AvailabilityZone> {
    let all = zones(region_name);
    let listing = || all.iter().map(|zone| zone.name.as_str()).collect::<Vec<_>>().join(", ");
    match (name, zone_id) {
        (Some(_), Some(_)) => Err(Ec2Error::InvalidParameterCombination(
            "Only one of availabilityZone or availabilityZoneId may be specified.".into(),
        )),
        (Some(name), None) => all.iter().find(|zone| zone.name == name).cloned().ok_or_else(|| {
            Ec2Error::InvalidParameterValue(format!(
                "Value ({name}) for parameter availabilityZone is invalid. Subnets can currently only be created in \
                 the following availability zones: {}.",
                listing()
            ))
        }),
        (None, Some(zone_id)) => all.iter().find(|zone| zone.zone_id == zone_id).cloned().ok_or_else(|| {
            Ec2Error::InvalidParameterValue(format!(
                "Value ({zone_id}) for parameter availabilityZoneId is invalid. Subnets can currently only be created \
                 in the following availability zones: {}.",
                listing()
            ))
        }),
        // AWS picks a zone when none is given; the first one keeps results predictable.
        (None, None) => Ok(all[0].clone()),
    }
}

/// CreateSubnet (spec §2.3).
pub fn create_subnet(tx: &mut Tx, scope: &Scope, request: CreateSubnet) -> Result<Arc<Subnet>> {
    if request.ipv6_native {
        ipv6_only::check_create(request.cidr_block.as_deref(), request.ipv6_cidr_block.as_deref())?;
    }
    let region = tx.region(scope);
    let vpc = crate::vpc::find(region, &request.vpc_id)?;
    let block = match &request.cidr_block {
        Some(text) => Some(check_new_ipv4_block(region, &vpc, text)?),
        None if request.ipv6_native => None,
        None => return Err(Ec2Error::MissingParameter("CidrBlock".into())),
    };
    let ipv6_block = match &request.ipv6_cidr_block {
        Some(text) => Some(ipv6::check_new_block(region, &vpc, text)?),
        None => None,
    };
    let zone = pick_zone(&scope.region, request.availability_zone.as_deref(), request.availability_zone_id.as_deref())?;
    crate::tags::validate(&request.tags)?;
    // Spec §5: subnets per VPC.
    let existing = region.index.subnet_count(&vpc.id);
    crate::quotas::check(tx.quotas().subnets_per_vpc, existing, 1, || Ec2Error::SubnetLimitExceeded)?;
    let subnet = insert(tx, scope, &vpc, block, &zone, false, Tags(request.tags));
    let Some(ipv6_block) = ipv6_block else { return Ok(subnet) };
    let association = ipv6::new_association(tx, ipv6_block);
    tx.update::<Subnet>(scope, &subnet.id, |subnet| {
        subnet.ipv6_cidr_association = Some(association);
        if subnet.ipv6_native() {
            ipv6_only::defaults(subnet);
        }
    });
    Ok(tx.get::<Subnet>(scope, &subnet.id).expect("just inserted"))
}

/// Spec §2.3: an IPv4 block inside one of the VPC's blocks, of a size AWS allows, overlapping no other subnet's.
fn check_new_ipv4_block(region: &RegionState, vpc: &Vpc, text: &str) -> Result<Ipv4Net> {
    let block = cidr::parse_canonical(text).ok_or_else(|| Ec2Error::invalid_cidr(text, "cidrBlock"))?;
    if !cidr::prefix_in_vpc_range(&block) || !vpc.cidr_blocks().any(|vpc_block| vpc_block.contains(&block)) {
        return Err(Ec2Error::InvalidSubnetRange(text.to_string()));
    }
    let (first, last) = (u32::from(block.network()), u32::from(block.broadcast()));
    if region.index.overlapping_subnet(&vpc.id, first, last).is_some() {
        return Err(Ec2Error::SubnetConflict(text.to_string()));
    }
    Ok(block)
}

/// CreateDefaultSubnet: a /20 default subnet in `zone` of the default VPC — refused without a default VPC, and when
/// the zone has a default subnet already. The block is the first /20 of the default VPC's block that no subnet of
/// the VPC overlaps (ASSUMPTION [I]: AWS documents the size, not which free /20 it takes).
pub fn create_default_subnet_in_zone(
    tx: &mut Tx,
    scope: &Scope,
    zone_name: Option<&str>,
    zone_id: Option<&str>,
) -> Result<Arc<Subnet>> {
    if zone_name.is_none() && zone_id.is_none() {
        return Err(Ec2Error::MissingParameter("AvailabilityZone".into()));
    }
    let zone = pick_zone(&scope.region, zone_name, zone_id)?;
    let region = tx.region(scope);
    let vpc = region.index.default_vpc().and_then(|id| region.vpcs.get(id).cloned());
    let vpc = vpc.ok_or(Ec2Error::DefaultVpcDoesNotExist)?;
    let taken =
        region.subnets.values().find(|s| s.vpc_id == vpc.id && s.default_for_az && s.availability_zone == zone.name);
    if let Some(taken) = taken {
        return Err(Ec2Error::DefaultSubnetAlreadyExistsInAvailabilityZone {
            subnet_id: taken.id.clone(),
            zone: zone.name.clone(),
        });
    }
    let free = vpc.cidr_block.subnets(20).into_iter().flatten().find(|block| {
        let (first, last) = (u32::from(block.network()), u32::from(block.broadcast()));
        region.index.overlapping_subnet(&vpc.id, first, last).is_none()
    });
    let block = free.ok_or(Ec2Error::NoFreeDefaultSubnetBlock)?;
    let existing = region.index.subnet_count(&vpc.id);
    crate::quotas::check(tx.quotas().subnets_per_vpc, existing, 1, || Ec2Error::SubnetLimitExceeded)?;
    Ok(insert(tx, scope, &vpc, Some(block), &zone, true, Tags::default()))
}

/// A default VPC's subnet: `defaultForAz` and `mapPublicIpOnLaunch` set (spec §2.2).
pub fn create_default_subnet(tx: &mut Tx, scope: &Scope, vpc: &Vpc, block: Ipv4Net, zone: &AvailabilityZone) {
    insert(tx, scope, vpc, Some(block), zone, true, Tags::default());
}

fn insert(
    tx: &mut Tx,
    scope: &Scope,
    vpc: &Vpc,
    block: Option<Ipv4Net>,
    zone: &AvailabilityZone,
    default_for_az: bool,
    tags: Tags,
) -> Arc<Subnet> {
    let subnet = Subnet {
        id: tx.next_id(IdKind::Subnet),
        vpc_id: vpc.id.clone(),
        owner_id: scope.account.clone(),
        cidr_block: block,
        availability_zone: zone.name.clone(),
        availability_zone_id: zone.zone_id.clone(),
        default_for_az,
        map_public_ip_on_launch: default_for_az,
        private_dns_name_options: PrivateDnsNameOptionsOnLaunch::default(),
        region: scope.region.clone(),
        tags,
        ipv6_cidr_association: None,
        assign_ipv6_address_on_creation: false,
        enable_dns64: false,
    };
    let id = subnet.id.clone();
    tx.put(scope, subnet);
    network_acl::associate_with_default(tx, scope, &vpc.id, &id);
    tx.get::<Subnet>(scope, &id).expect("just inserted")
}

/// DeleteSubnet (spec §2.3): removes the subnet and its explicit route-table and network-ACL associations.
pub fn delete_subnet(tx: &mut Tx, scope: &Scope, subnet_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let subnet = find(region, subnet_id)?;
    // Spec §2.3 [O]: interfaces (instances in any state but terminated) hold the subnet.
    // Part 2 §14.1 [D]: so does a live transit gateway attachment (its interfaces are in the subnet).
    if crate::network_interface::in_subnet(region, &subnet.id).next().is_some()
        || crate::transit_gateway::vpc_attachment::blocks_subnet_deletion(tx.world(), scope, &subnet.vpc_id, &subnet.id)
    {
        return Err(Ec2Error::SubnetHasDependencies(subnet.id.clone()));
    }
    route_table::forget_subnet(tx, scope, &subnet.id);
    network_acl::forget_subnet(tx, scope, &subnet.id);
    crate::subnet_cidr_reservation::delete_with_subnet(tx, scope, &subnet.id);
    tx.remove::<Subnet>(scope, &subnet.id);
    Ok(())
}

/// ModifySubnetAttribute `MapPublicIpOnLaunch`.
pub fn set_map_public_ip_on_launch(tx: &mut Tx, scope: &Scope, subnet_id: &str, value: bool) -> Result<()> {
    let subnet = find(tx.region(scope), subnet_id)?;
    ipv6_only::refuse_attribute(&subnet, "map-public-ip-on-launch", &value.to_string())?;
    tx.update::<Subnet>(scope, subnet_id, |subnet| subnet.map_public_ip_on_launch = value);
    Ok(())
}

/// ModifySubnetAttribute `PrivateDnsHostnameTypeOnLaunch` (part 2 §16.3): `ip-name` or `resource-name`, else
/// `InvalidParameterValue`.
pub fn set_hostname_type_on_launch(tx: &mut Tx, scope: &Scope, subnet_id: &str, value: &str) -> Result<()> {
    let subnet = find(tx.region(scope), subnet_id)?;
    if !HOSTNAME_TYPES.contains(&value) {
        return Err(Ec2Error::UnknownEnumValue { parameter: "privateDnsHostnameTypeOnLaunch", value: value.into() });
    }
    ipv6_only::refuse_attribute(&subnet, "private-dns-hostname-type-on-launch", value)?;
    tx.update::<Subnet>(scope, subnet_id, |subnet| subnet.private_dns_name_options.hostname_type = value.into());
    Ok(())
}

/// ModifySubnetAttribute `EnableResourceNameDnsARecordOnLaunch` (part 2 §16.3).
pub fn set_resource_name_dns_a_record_on_launch(
    tx: &mut Tx,
    scope: &Scope,
    subnet_id: &str,
    value: bool,
) -> Result<()> {
    find(tx.region(scope), subnet_id)?;
    tx.update::<Subnet>(scope, subnet_id, |subnet| {
        subnet.private_dns_name_options.enable_resource_name_dns_a_record = value
    });
    Ok(())
}
