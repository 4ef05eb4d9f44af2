//! VPCs (spec §2.2): creation with its side effects, deletion with its dependency rule, DNS attributes, secondary
//! CIDR blocks, and the default VPC every (account, region) starts with.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::availability_zone::zones;
use crate::cidr::{self, Ipv4Net};
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::ipv6::{self, Ipv6Net};
use crate::tags::{Tag, Tags};
use crate::world::{RegionMeta, RegionState, Resource, Scope, Table, Tx};
use crate::{internet_gateway, network_acl, quotas, route_table, security_group, subnet, Ec2Error, Result};

mod ipv6_blocks;

use ipv6_blocks::check_network_border_group;
pub use ipv6_blocks::{associate_ipv6_cidr_block, disassociate_ipv6_cidr_block, is_ipv6_association};

/// A VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    /// `vpc-…`.
    pub id: String,
    /// Owning account.
    pub owner_id: String,
    /// The primary IPv4 block.
    pub cidr_block: Ipv4Net,
    /// Every associated IPv4 block, the primary first.
    pub cidr_associations: Vec<VpcCidrAssociation>,
    /// The DHCP options set.
    pub dhcp_options_id: String,
    /// `default`, `dedicated` or `host`.
    pub instance_tenancy: String,
    /// The region's default VPC.
    pub is_default: bool,
    /// `enableDnsSupport`.
    pub enable_dns_support: bool,
    /// `enableDnsHostnames`.
    pub enable_dns_hostnames: bool,
    /// `enableNetworkAddressUsageMetrics`.
    pub enable_network_address_usage_metrics: bool,
    /// Tags.
    pub tags: Tags,
    /// Every associated Amazon-provided IPv6 block (part 2 §16.1); none in records written before IPv6.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_cidr_associations: Vec<VpcIpv6CidrAssociation>,
}

/// One IPv6 block of a VPC (part 2 §16.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcIpv6CidrAssociation {
    /// `vpc-cidr-assoc-…`.
    pub association_id: String,
    /// The /56.
    pub ipv6_cidr_block: Ipv6Net,
    /// `networkBorderGroup`: the Region (localvpc has no Local Zones).
    pub network_border_group: String,
}

/// One IPv4 block of a VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcCidrAssociation {
    /// `vpc-cidr-assoc-…`.
    pub association_id: String,
    /// The block.
    pub cidr_block: Ipv4Net,
}

impl Vpc {
    /// Every IPv4 block of the VPC.
    pub fn cidr_blocks(&self) -> impl Iterator<Item = &Ipv4Net> {
        self.cidr_associations.iter().map(|association| &association.cidr_block)
    }

    /// Every IPv6 block of the VPC.
    pub fn ipv6_cidr_blocks(&self) -> impl Iterator<Item = &Ipv6Net> {
        self.ipv6_cidr_associations.iter().map(|association| &association.ipv6_cidr_block)
    }
}

impl Resource for Vpc {
    const KIND: &'static str = "vpc";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.vpcs
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.vpcs
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    /// The scope's default VPC (whether a VPC is the default never changes).
    fn reindex(index: &mut crate::index::Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        match (old, new) {
            (_, Some(vpc)) if vpc.is_default => index.region.set_default_vpc(&vpc.id),
            (Some(vpc), None) if vpc.is_default => index.region.remove_default_vpc(&vpc.id),
            _ => {}
        }
    }
}

impl Filterable for Vpc {
    const FILTERS: &'static [&'static str] = &[
        "cidr",
        // Not in the API reference, but AWS accepts it and Ansible's ec2_vpc_net always sends it.
        "cidr-block",
        "cidr-block-association.cidr-block",
        "cidr-block-association.association-id",
        "cidr-block-association.state",
        "dhcp-options-id",
        "ipv6-cidr-block-association.ipv6-cidr-block",
        "ipv6-cidr-block-association.ipv6-pool",
        "ipv6-cidr-block-association.association-id",
        "ipv6-cidr-block-association.state",
        "is-default",
        // The older API reference's name, which the VPC User Guide still tells users to send (and moto's tests do).
        "isDefault",
        "owner-id",
        "state",
        "vpc-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "cidr" | "cidr-block" => out.push(self.cidr_block.to_string()),
            "cidr-block-association.cidr-block" => out.extend(self.cidr_blocks().map(|block| block.to_string())),
            "cidr-block-association.association-id" => {
                out.extend(self.cidr_associations.iter().map(|a| a.association_id.clone()))
            }
            "cidr-block-association.state" => out.push("associated".into()),
            "dhcp-options-id" => out.push(self.dhcp_options_id.clone()),
            "ipv6-cidr-block-association.ipv6-cidr-block" => {
                out.extend(self.ipv6_cidr_blocks().map(|block| block.to_string()))
            }
            "ipv6-cidr-block-association.ipv6-pool" => {
                out.extend(self.ipv6_cidr_associations.iter().map(|_| ipv6::AMAZON_POOL.to_string()))
            }
            "ipv6-cidr-block-association.association-id" => {
                out.extend(self.ipv6_cidr_associations.iter().map(|a| a.association_id.clone()))
            }
            "ipv6-cidr-block-association.state" => {
                out.extend(self.ipv6_cidr_associations.iter().map(|_| "associated".to_string()))
            }
            "is-default" | "isDefault" => out.push(self.is_default.to_string()),
            "owner-id" => out.push(self.owner_id.clone()),
            "state" => out.push("available".into()),
            "vpc-id" => out.push(self.id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// CreateVpc parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateVpc {
    /// `CidrBlock` as sent.
    pub cidr_block: String,
    /// `InstanceTenancy`.
    pub instance_tenancy: Option<String>,
    /// Tags from `TagSpecification`.
    pub tags: Vec<Tag>,
    /// `AmazonProvidedIpv6CidrBlock=true`: the VPC starts with an IPv6 block (part 2 §16.1).
    pub amazon_provided_ipv6_cidr_block: bool,
    /// `Ipv6CidrBlockNetworkBorderGroup`.
    pub ipv6_network_border_group: Option<String>,
}

/// Checks a VPC block: parseable, /16../28, not link-local (spec §2.2).
fn parse_vpc_block(text: &str) -> Result<Ipv4Net> {
    let block = cidr::parse_canonical(text).ok_or_else(|| Ec2Error::invalid_cidr(text, "cidrBlock"))?;
    if !cidr::prefix_in_vpc_range(&block) || cidr::is_link_local(&block) {
        return Err(Ec2Error::InvalidVpcRange(text.to_string()));
    }
    Ok(block)
}

/// The state CreateVpc's own answer shows: `pending`, as AWS answers it (AWS CLI reference, `create-vpc`
/// example output) — Terraform and Ansible then wait for `available`, which DescribeVpcs shows at once (localvpc
/// makes a VPC in no time).
pub const STATE_WHEN_CREATED: &str = "pending";
/// The state a VPC shows afterwards.
pub const STATE: &str = "available";

/// CreateVpc: the VPC plus its main route table, default network ACL and default security group.
pub fn create_vpc(tx: &mut Tx, scope: &Scope, request: CreateVpc) -> Result<Arc<Vpc>> {
    let block = parse_vpc_block(&request.cidr_block)?;
    let tenancy = request.instance_tenancy.unwrap_or_else(|| "default".into());
    if !["default", "dedicated", "host"].contains(&tenancy.as_str()) {
        return Err(Ec2Error::InvalidParameterValue(format!(
            "Value ({tenancy}) for parameter instanceTenancy is invalid."
        )));
    }
    crate::tags::validate(&request.tags)?;
    if request.amazon_provided_ipv6_cidr_block {
        check_network_border_group(scope, request.ipv6_network_border_group.as_deref())?;
    }
    check_vpc_quota(tx, scope)?;
    let vpc = new_vpc(tx, scope, block, tenancy, false, Tags(request.tags));
    if request.amazon_provided_ipv6_cidr_block {
        associate_ipv6_cidr_block(tx, scope, &vpc.id, None)?;
        return Ok(tx.get::<Vpc>(scope, &vpc.id).expect("just created"));
    }
    Ok(vpc)
}

/// Spec §5: VPCs per Region, the default VPC included.
fn check_vpc_quota(tx: &Tx, scope: &Scope) -> Result<()> {
    let existing = tx.region(scope).vpcs.len();
    quotas::check(tx.quotas().vpcs_per_region, existing, 1, || Ec2Error::VpcLimitExceeded)
}

fn new_vpc(tx: &mut Tx, scope: &Scope, block: Ipv4Net, tenancy: String, is_default: bool, tags: Tags) -> Arc<Vpc> {
    let id = tx.next_id(IdKind::Vpc);
    let association_id = tx.next_id(IdKind::VpcCidrAssociation);
    let dhcp_options_id = crate::dhcp_options::default_for_new_vpc(tx, scope);
    let vpc = Vpc {
        id: id.clone(),
        owner_id: scope.account.clone(),
        cidr_block: block,
        cidr_associations: vec![VpcCidrAssociation { association_id, cidr_block: block }],
        dhcp_options_id,
        instance_tenancy: tenancy,
        is_default,
        enable_dns_support: true,
        // Spec §2.2 [D]: hostnames are off for new VPCs and on for the default VPC.
        enable_dns_hostnames: is_default,
        enable_network_address_usage_metrics: false,
        tags,
        ipv6_cidr_associations: Vec::new(),
    };
    tx.put(scope, vpc.clone());
    route_table::create_main(tx, scope, &vpc);
    network_acl::create_default(tx, scope, &vpc);
    security_group::create_default(tx, scope, &vpc);
    tx.get::<Vpc>(scope, &id).expect("just inserted")
}

/// Looks a VPC up, checking the ID's shape first.
pub fn find(tx_region: &RegionState, vpc_id: &str) -> Result<Arc<Vpc>> {
    IdKind::Vpc.check(vpc_id)?;
    tx_region.vpcs.get(vpc_id).cloned().ok_or_else(|| Ec2Error::VpcNotFound(vec![vpc_id.to_string()]))
}

/// DeleteVpc (spec §2.2): refused while subnets, non-default groups, non-main tables, an attached gateway or
/// non-default network ACLs remain (an attached virtual private gateway too, part 2 §15.2, and an egress-only
/// internet gateway, §16.2); otherwise removes the VPC with its main table, default ACL and default group.
pub fn delete_vpc(tx: &mut Tx, scope: &Scope, vpc_id: &str) -> Result<()> {
    let region = tx.region(scope);
    let vpc = find(region, vpc_id)?;
    let has_dependencies = region.subnets.values().any(|s| s.vpc_id == vpc.id)
        || region
            .index
            .security_groups
            .in_vpc(&vpc.id)
            .any(|id| region.security_groups.get(id).is_some_and(|g| !g.is_default()))
        || region.route_tables.values().any(|t| t.vpc_id == vpc.id && !t.is_main())
        || region.network_acls.values().any(|a| a.vpc_id == vpc.id && !a.is_default)
        || region.internet_gateways.values().any(|g| g.attached_vpc.as_deref() == Some(vpc.id.as_str()))
        // ASSUMPTION (part 2 §16.2 is silent): an egress-only gateway holds its VPC as an attached one does.
        || crate::egress_only_internet_gateway::any_in_vpc(region, &vpc.id)
        || region.vpn_gateways.values().any(|g| g.lifecycle.is_live() && g.attached_vpc() == Some(vpc.id.as_str()))
        || region.network_interfaces.values().any(|interface| interface.vpc_id == vpc.id)
        || crate::vpc_peering::blocks_vpc_deletion(tx.world(), scope, &vpc.id, tx.now())
        || crate::transit_gateway::vpc_attachment::blocks_vpc_deletion(tx.world(), scope, &vpc.id)
        || crate::vpc_endpoint::vpc_has_endpoints(region, &vpc.id);
    if has_dependencies {
        return Err(Ec2Error::VpcHasDependencies(vpc.id.clone()));
    }
    let tables: Vec<String> =
        region.route_tables.values().filter(|t| t.vpc_id == vpc.id).map(|t| t.id.clone()).collect();
    let acls: Vec<String> = region.network_acls.values().filter(|a| a.vpc_id == vpc.id).map(|a| a.id.clone()).collect();
    let groups: Vec<String> = region.index.security_groups.in_vpc(&vpc.id).map(str::to_string).collect();
    for id in tables {
        tx.remove::<route_table::RouteTable>(scope, &id);
    }
    for id in acls {
        tx.remove::<network_acl::NetworkAcl>(scope, &id);
    }
    for id in groups {
        tx.remove::<security_group::SecurityGroup>(scope, &id);
    }
    tx.remove::<Vpc>(scope, &vpc.id);
    Ok(())
}

/// The VPC attributes of DescribeVpcAttribute / ModifyVpcAttribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpcAttribute {
    /// `enableDnsSupport`.
    EnableDnsSupport,
    /// `enableDnsHostnames`.
    EnableDnsHostnames,
    /// `enableNetworkAddressUsageMetrics`.
    EnableNetworkAddressUsageMetrics,
}

impl VpcAttribute {
    /// Parses the `Attribute` parameter of DescribeVpcAttribute.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "enableDnsSupport" => Ok(VpcAttribute::EnableDnsSupport),
            "enableDnsHostnames" => Ok(VpcAttribute::EnableDnsHostnames),
            "enableNetworkAddressUsageMetrics" => Ok(VpcAttribute::EnableNetworkAddressUsageMetrics),
            other => Err(Ec2Error::InvalidParameterValue(format!(
                "Value ({other}) for parameter attribute is invalid. Unknown attribute."
            ))),
        }
    }

    /// The attribute's value on `vpc`.
    pub fn get(self, vpc: &Vpc) -> bool {
        match self {
            VpcAttribute::EnableDnsSupport => vpc.enable_dns_support,
            VpcAttribute::EnableDnsHostnames => vpc.enable_dns_hostnames,
            VpcAttribute::EnableNetworkAddressUsageMetrics => vpc.enable_network_address_usage_metrics,
        }
    }
}

/// ModifyVpcTenancy: a VPC's tenancy can only become `default` (EC2 API reference, ModifyVpcTenancy); instances
/// already running keep theirs.
pub fn modify_vpc_tenancy(tx: &mut Tx, scope: &Scope, vpc_id: &str, tenancy: &str) -> Result<()> {
    find(tx.region(scope), vpc_id)?;
    if tenancy != "default" {
        return Err(Ec2Error::UnsupportedTenancy(tenancy.to_string()));
    }
    tx.update::<Vpc>(scope, vpc_id, |vpc| vpc.instance_tenancy = tenancy.to_string());
    Ok(())
}

/// ModifyVpcAttribute: one attribute per call (the API layer refuses two with `InvalidParameterCombination`).
pub fn modify_vpc_attribute(
    tx: &mut Tx,
    scope: &Scope,
    vpc_id: &str,
    attribute: VpcAttribute,
    value: bool,
) -> Result<()> {
    let vpc = find(tx.region(scope), vpc_id)?;
    // ASSUMPTION (spec §2.2 [I] error code): enabling hostnames without DNS support is refused with
    // InvalidParameterValue, the code AWS uses for attribute-value conflicts.
    if attribute == VpcAttribute::EnableDnsHostnames && value && !vpc.enable_dns_support {
        return Err(Ec2Error::InvalidParameterValue(
            "DNS hostnames can only be enabled for a VPC that has DNS support enabled.".into(),
        ));
    }
    tx.update::<Vpc>(scope, vpc_id, |vpc| match attribute {
        VpcAttribute::EnableDnsSupport => vpc.enable_dns_support = value,
        VpcAttribute::EnableDnsHostnames => vpc.enable_dns_hostnames = value,
        VpcAttribute::EnableNetworkAddressUsageMetrics => vpc.enable_network_address_usage_metrics = value,
    });
    Ok(())
}

/// AssociateVpcCidrBlock (spec §2.2): returns the VPC and the new association.
pub fn associate_cidr_block(tx: &mut Tx, scope: &Scope, vpc_id: &str, text: &str) -> Result<VpcCidrAssociation> {
    let region = tx.region(scope);
    let vpc = find(region, vpc_id)?;
    let block = parse_vpc_block(text)?;
    // ASSUMPTION (spec §2.2 [D] rules, codes unverified): overlap with an existing block, a forbidden RFC 1918
    // family, or a block that would swallow an existing route destination all answer InvalidVpc.Range, the
    // code AWS uses for every other "this block cannot be used here" case.
    let overlaps_own = vpc.cidr_blocks().any(|existing| cidr::overlaps(existing, &block));
    let swallows_route = region
        .route_tables
        .values()
        .filter(|table| table.vpc_id == vpc.id)
        .flat_map(|table| table.routes.iter())
        .filter(|route| !route.is_local())
        .any(|route| block.contains(&route.destination));
    if overlaps_own || !cidr::secondary_allowed(&vpc.cidr_block, &block) || swallows_route {
        return Err(Ec2Error::InvalidVpcRange(text.to_string()));
    }
    // Spec §5: IPv4 blocks per VPC, the primary included — a quota, so only under `--quotas aws`.
    quotas::check(tx.quotas().cidr_blocks_per_vpc, vpc.cidr_associations.len(), 1, || {
        Ec2Error::CidrLimitExceeded(vpc.id.clone())
    })?;
    let failed_peerings = crate::vpc_peering::check_new_cidr(tx.world(), scope, &vpc.id, &block, tx.now())?;
    crate::vpc_peering::fail(tx, &failed_peerings);
    let association = VpcCidrAssociation { association_id: tx.next_id(IdKind::VpcCidrAssociation), cidr_block: block };
    let added = association.clone();
    tx.update::<Vpc>(scope, vpc_id, |vpc| vpc.cidr_associations.push(added));
    route_table::add_local_routes(tx, scope, vpc_id, block);
    Ok(association)
}

/// DisassociateVpcCidrBlock (spec §2.2): returns the VPC ID and the removed association.
pub fn disassociate_cidr_block(
    tx: &mut Tx,
    scope: &Scope,
    association_id: &str,
) -> Result<(String, VpcCidrAssociation)> {
    IdKind::VpcCidrAssociation.check(association_id)?;
    let region = tx.region(scope);
    let (vpc, association) = region
        .vpcs
        .values()
        .find_map(|vpc| {
            vpc.cidr_associations.iter().find(|a| a.association_id == association_id).map(|a| (vpc.clone(), a.clone()))
        })
        .ok_or_else(|| Ec2Error::VpcCidrAssociationNotFound(association_id.to_string()))?;
    if association.cidr_block == vpc.cidr_block {
        return Err(Ec2Error::CannotDisassociatePrimaryCidr(association_id.to_string()));
    }
    // A block that still holds subnets cannot go: their addresses would leave the VPC.
    if region
        .subnets
        .values()
        .any(|s| s.vpc_id == vpc.id && s.cidr_block.is_some_and(|block| association.cidr_block.contains(&block)))
    {
        return Err(Ec2Error::CidrBlockHasDependencies(association_id.to_string()));
    }
    tx.update::<Vpc>(scope, &vpc.id, |vpc| vpc.cidr_associations.retain(|a| a.association_id != association_id));
    route_table::remove_local_routes(tx, scope, &vpc.id, association.cidr_block);
    Ok((vpc.id.clone(), association))
}

/// The default VPC's block (spec §2.2).
const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";

/// CreateDefaultVpc: refused while a default VPC exists, and under `--quotas aws` when the new VPC or its internet
/// gateway would pass a quota (spec §5).
pub fn create_default_vpc(tx: &mut Tx, scope: &Scope) -> Result<Arc<Vpc>> {
    if tx.region(scope).index.default_vpc().is_some() {
        return Err(Ec2Error::DefaultVpcAlreadyExists);
    }
    check_vpc_quota(tx, scope)?;
    // ASSUMPTION (spec §5 [I]): the default VPC's gateway counts against the internet-gateway quota like any other,
    // so CreateDefaultVpc is refused when it would pass that quota (the code CreateInternetGateway gives).
    internet_gateway::check_quota(tx, scope)?;
    Ok(build_default_vpc(tx, scope))
}

/// 172.31.0.0/16, one /20 default subnet per zone, an attached internet gateway and a 0.0.0.0/0 route to it.
fn build_default_vpc(tx: &mut Tx, scope: &Scope) -> Arc<Vpc> {
    let block: Ipv4Net = DEFAULT_VPC_CIDR.parse().expect("valid");
    let vpc = new_vpc(tx, scope, block, "default".into(), true, Tags::default());
    let subnet_blocks = block.subnets(20).expect("a /16 splits into /20s");
    for (zone, subnet_block) in zones(&scope.region).iter().zip(subnet_blocks) {
        subnet::create_default_subnet(tx, scope, &vpc, subnet_block, zone);
    }
    let igw = internet_gateway::insert(tx, scope, Tags::default());
    internet_gateway::attach(tx, scope, &igw.id, &vpc.id).expect("fresh gateway attaches");
    route_table::add_default_route_to_gateway(tx, scope, &vpc.id, &igw.id);
    tx.get::<Vpc>(scope, &vpc.id).expect("just created")
}

/// Sets up a scope the first time it is used: AWS accounts come with a default VPC in every region.
pub fn ensure_initialized(tx: &mut Tx, scope: &Scope) {
    let meta = tx.region(scope).meta.clone();
    if meta.initialized {
        return;
    }
    build_default_vpc(tx, scope);
    let meta = tx.region(scope).meta.clone();
    tx.set_meta(scope, RegionMeta { initialized: true, ..meta });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{matches, validate, Filter};
    use crate::{Timestamp, World};

    fn filter(name: &str, value: &str) -> Filter {
        Filter { name: name.into(), values: vec![value.into()] }
    }

    #[test]
    fn cidr_block_filter_is_accepted_as_on_aws() {
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let scope = Scope::new(crate::DEFAULT_ACCOUNT, crate::DEFAULT_REGION);
        let vpc =
            create_vpc(&mut tx, &scope, CreateVpc { cidr_block: "10.1.0.0/16".into(), ..Default::default() }).unwrap();
        // Ansible's ec2_vpc_net sends `cidr-block`, which the API reference omits and AWS accepts.
        assert!(validate::<Vpc>(&[filter("cidr-block", "10.1.0.0/16")]).is_ok());
        assert!(matches(&*vpc, &[filter("cidr-block", "10.1.0.0/16")]));
        assert!(!matches(&*vpc, &[filter("cidr-block", "10.2.0.0/16")]));
        assert!(matches(&*vpc, &[filter("cidr", "10.1.*")]));
        assert!(matches(&*vpc, &[filter("isDefault", "false")]));
        assert!(!matches(&*vpc, &[filter("isDefault", "true")]));
        // No IPv6: the IPv6 association filters are valid and match nothing.
        assert!(validate::<Vpc>(&[filter("ipv6-cidr-block-association.state", "associated")]).is_ok());
        assert!(!matches(&*vpc, &[filter("ipv6-cidr-block-association.state", "*")]));
        assert_eq!(validate::<Vpc>(&[filter("cidr-blocks", "x")]).unwrap_err().code(), "InvalidParameterValue");
    }
}
