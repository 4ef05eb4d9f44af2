//! Security groups (spec §2.7): the group type with its rules, the default group every VPC gets, CreateSecurityGroup
//! and DeleteSecurityGroup, and the DescribeSecurityGroups filters.
//!
//! The rest is split by responsibility:
//! - [`permission`]: what one `IpPermissions.N` asks for — protocol names and numbers, port ranges, peers — checked
//!   and normalised, and the text AWS uses to name a rule.
//! - [`rules`]: Authorize/Revoke (ingress and egress) and the rule listing of DescribeSecurityGroupRules.
//! - [`modify`]: ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptionsIngress/Egress and
//!   GetSecurityGroupsForVpc.
//! - [`index`]: lookups by name, by rule, and of who references or uses a group, kept in step with every change.
//! - [`reference`]: rules that reference another group — the same-VPC / peered-VPC rule (spec §2.6 "SG reference to
//!   peer group"), staleness, DescribeSecurityGroupReferences and DescribeStaleSecurityGroups.
//!
//! One rule holds one peer (a CIDR block or a group) and has its own `sgr-` ID, as AWS's rule API shows it; the
//! `IpPermissions` view that groups rules by protocol and ports is a rendering concern of the API crate.

pub mod index;
pub mod modify;
pub mod permission;
pub mod reference;
pub mod rules;

use std::sync::Arc;

use ipnet::Ipv6Net;
use serde::{Deserialize, Serialize};

use crate::cidr::Ipv4Net;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::vpc::Vpc;
use crate::world::{RegionState, Resource, Scope, Table, Tx, World};
use crate::{Ec2Error, Result};

/// A security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// `sg-…`.
    pub id: String,
    /// `GroupName`.
    pub name: String,
    /// `GroupDescription`.
    pub description: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owning account.
    pub owner_id: String,
    /// The region, for the ARN.
    pub region: String,
    /// Inbound rules.
    pub ingress: Vec<SecurityGroupRule>,
    /// Outbound rules.
    pub egress: Vec<SecurityGroupRule>,
    /// Tags.
    pub tags: Tags,
}

/// One rule: a protocol/port range and one peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    /// `sgr-…`.
    pub id: String,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or another protocol number (normalised, see
    /// [`permission::normalize_protocol`]).
    pub protocol: String,
    /// From port (ICMP type); `None` when the protocol has no ports (`-1`, other numbers).
    pub from_port: Option<i32>,
    /// To port (ICMP code); `None` when the protocol has no ports.
    pub to_port: Option<i32>,
    /// Who the rule admits.
    pub peer: RulePeer,
    /// Optional description.
    pub description: Option<String>,
    /// The rule's own tags (`sgr-` IDs are taggable).
    #[serde(default)]
    pub tags: Tags,
}

/// The peer of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RulePeer {
    /// An IPv4 block.
    Cidr(Ipv4Net),
    /// An IPv6 block.
    Ipv6Cidr(Ipv6Net),
    /// Another (or the same) group.
    Group {
        /// The group's account.
        user_id: String,
        /// The group.
        group_id: String,
        /// The referenced group's VPC when it is not the rule's own VPC (a peered VPC), remembered so the rule can
        /// still be shown — stale — after that group is gone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vpc_id: Option<String>,
    },
    /// A managed prefix list (part 2 §17.3 [D]): the rule admits every block of the list's current version, so
    /// a change to the list changes what the rule admits at once.
    PrefixList {
        /// `pl-…`: the group owner's own list or the Region's AWS-managed one.
        prefix_list_id: String,
    },
}

impl RulePeer {
    /// Whether two peers are the same for duplicate and revoke matching (the remembered VPC does not count).
    pub fn same_as(&self, other: &RulePeer) -> bool {
        match (self, other) {
            (RulePeer::Group { user_id: a, group_id: x, .. }, RulePeer::Group { user_id: b, group_id: y, .. }) => {
                a == b && x == y
            }
            _ => self == other,
        }
    }

    /// The referenced group, for group peers.
    pub fn group_id(&self) -> Option<&str> {
        match self {
            RulePeer::Group { group_id, .. } => Some(group_id),
            _ => None,
        }
    }

    /// The referenced prefix list, for prefix list peers.
    pub fn prefix_list_id(&self) -> Option<&str> {
        match self {
            RulePeer::PrefixList { prefix_list_id } => Some(prefix_list_id),
            _ => None,
        }
    }
}

impl SecurityGroupRule {
    /// Same protocol, ports and peer (spec §2.7 [D]: descriptions are ignored when rules are compared).
    pub fn same_as(&self, other: &SecurityGroupRule) -> bool {
        self.protocol == other.protocol
            && self.from_port == other.from_port
            && self.to_port == other.to_port
            && self.peer.same_as(&other.peer)
    }
}

/// Inbound or outbound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `ipPermissions`.
    Ingress,
    /// `ipPermissionsEgress`.
    Egress,
}

impl SecurityGroup {
    /// `arn:aws:ec2:<region>:<account>:security-group/<id>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:ec2:{}:{}:security-group/{}", self.region, self.owner_id, self.id)
    }

    /// `arn:aws:ec2:<region>:<account>:security-group-rule/<id>`.
    pub fn rule_arn(&self, rule_id: &str) -> String {
        format!("arn:aws:ec2:{}:{}:security-group-rule/{}", self.region, self.owner_id, rule_id)
    }

    /// The rules of one direction.
    pub fn rules(&self, direction: Direction) -> &[SecurityGroupRule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// The rules of one direction, mutably.
    pub fn rules_mut(&mut self, direction: Direction) -> &mut Vec<SecurityGroupRule> {
        match direction {
            Direction::Ingress => &mut self.ingress,
            Direction::Egress => &mut self.egress,
        }
    }

    /// The scope the group lives in.
    pub fn scope(&self) -> Scope {
        Scope::new(&self.owner_id, &self.region)
    }

    /// Spec §2.7: each VPC's `default` group is the one that cannot be deleted.
    pub fn is_default(&self) -> bool {
        self.name == DEFAULT_GROUP_NAME
    }
}

/// The name of every VPC's default group (reserved for it).
pub const DEFAULT_GROUP_NAME: &str = "default";

impl Resource for SecurityGroup {
    const KIND: &'static str = "security_group";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.security_groups
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.security_groups
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    fn reindex(index: &mut crate::index::Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        index::group_changed(index, old, new);
    }
}

/// A group seen with the world, so filters on referenced groups (`ip-permission.group-name`) can look them up.
pub struct SecurityGroupView<'a> {
    /// The group.
    pub group: &'a SecurityGroup,
    /// The world, for referenced groups of this or another account.
    pub world: &'a World,
}

impl Filterable for SecurityGroupView<'_> {
    /// Spec §2.7 DescribeSecurityGroups filters.
    const FILTERS: &'static [&'static str] = &[
        "description",
        "group-id",
        "group-name",
        "owner-id",
        "vpc-id",
        "ip-permission.cidr",
        "ip-permission.from-port",
        "ip-permission.to-port",
        "ip-permission.protocol",
        "ip-permission.group-id",
        "ip-permission.group-name",
        "ip-permission.user-id",
        "ip-permission.ipv6-cidr",
        "ip-permission.prefix-list-id",
        "egress.ip-permission.cidr",
        "egress.ip-permission.from-port",
        "egress.ip-permission.to-port",
        "egress.ip-permission.protocol",
        "egress.ip-permission.group-id",
        "egress.ip-permission.group-name",
        "egress.ip-permission.user-id",
        "egress.ip-permission.ipv6-cidr",
        "egress.ip-permission.prefix-list-id",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let group = self.group;
        let (rules, field) = match name.strip_prefix("egress.ip-permission.") {
            Some(field) => (&group.egress, field),
            None => match name.strip_prefix("ip-permission.") {
                Some(field) => (&group.ingress, field),
                None => {
                    match name {
                        "description" => out.push(group.description.clone()),
                        "group-id" => out.push(group.id.clone()),
                        "group-name" => out.push(group.name.clone()),
                        "owner-id" => out.push(group.owner_id.clone()),
                        "vpc-id" => out.push(group.vpc_id.clone()),
                        _ => {}
                    }
                    return;
                }
            },
        };
        for rule in rules {
            match (field, &rule.peer) {
                ("cidr", RulePeer::Cidr(block)) => out.push(block.to_string()),
                ("ipv6-cidr", RulePeer::Ipv6Cidr(block)) => out.push(block.to_string()),
                ("group-id", RulePeer::Group { group_id, .. }) => out.push(group_id.clone()),
                ("user-id", RulePeer::Group { user_id, .. }) => out.push(user_id.clone()),
                ("prefix-list-id", RulePeer::PrefixList { prefix_list_id }) => out.push(prefix_list_id.clone()),
                // AWS does not match `egress.ip-permission.group-name` on an egress rule that references a group
                // (egress rules name their groups by ID only) [O: moto's
                // test_filter_egress__ip_permission__group_name_create_with_id_filter_by_name, checked against AWS:
                // "this fails to find the group in the AWS API"]. The ingress filter resolves the name.
                ("group-name", RulePeer::Group { .. }) if name.starts_with("egress.") => {}
                ("group-name", RulePeer::Group { user_id, group_id, .. }) => {
                    let scope = Scope::new(user_id, &group.region);
                    out.extend(
                        self.world.region(&scope).security_groups.get(group_id.as_str()).map(|g| g.name.clone()),
                    );
                }
                ("from-port", _) => out.extend(rule.from_port.map(|p| p.to_string())),
                ("to-port", _) => out.extend(rule.to_port.map(|p| p.to_string())),
                ("protocol", _) => out.push(rule.protocol.clone()),
                _ => {}
            }
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.group.tags)
    }
}

/// Spec §2.2/§2.7 [D]: `default` / "default VPC security group", ingress all from itself, egress all to anywhere.
pub fn create_default(tx: &mut Tx, scope: &Scope, vpc: &Vpc) {
    let id = tx.next_id(IdKind::SecurityGroup);
    let ingress = SecurityGroupRule {
        id: tx.next_id(IdKind::SecurityGroupRule),
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        peer: RulePeer::Group { user_id: scope.account.clone(), group_id: id.clone(), vpc_id: None },
        description: None,
        tags: Tags::default(),
    };
    let egress = allow_all_egress(tx);
    let group = SecurityGroup {
        id,
        name: DEFAULT_GROUP_NAME.into(),
        description: "default VPC security group".into(),
        vpc_id: vpc.id.clone(),
        owner_id: scope.account.clone(),
        region: scope.region.clone(),
        ingress: vec![ingress],
        egress: vec![egress],
        tags: Tags::default(),
    };
    tx.put(scope, group);
}

/// Spec §2.7 [D]: every new group allows all outbound IPv4 traffic (and nothing inbound).
fn allow_all_egress(tx: &mut Tx) -> SecurityGroupRule {
    allow_all_egress_to(tx, RulePeer::Cidr("0.0.0.0/0".parse().expect("valid")))
}

fn allow_all_egress_to(tx: &mut Tx, peer: RulePeer) -> SecurityGroupRule {
    SecurityGroupRule {
        id: tx.next_id(IdKind::SecurityGroupRule),
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        peer,
        description: None,
        tags: Tags::default(),
    }
}

/// Part 2 §16.3: the `-1` egress rule to `::/0` a group of a VPC with an IPv6 block gets.
fn allow_all_ipv6_egress(tx: &mut Tx) -> SecurityGroupRule {
    allow_all_egress_to(tx, RulePeer::Ipv6Cidr(Ipv6Net::default()))
}

/// Part 2 §16.3 [D]: associating an IPv6 block gives the VPC's default group an egress rule `-1` to `::/0`
/// (unless it has one; other groups keep their rules).
pub fn allow_ipv6_egress_in_default_group(tx: &mut Tx, scope: &Scope, vpc_id: &str) {
    let region = tx.region(scope);
    let Some(group_id) = region.index.security_groups.by_name(vpc_id, DEFAULT_GROUP_NAME).map(str::to_string) else {
        return;
    };
    let anywhere = RulePeer::Ipv6Cidr(Ipv6Net::default());
    let has_rule = region
        .security_groups
        .get(group_id.as_str())
        .is_some_and(|group| group.egress.iter().any(|rule| rule.protocol == "-1" && rule.peer == anywhere));
    if has_rule {
        return;
    }
    let rule = allow_all_ipv6_egress(tx);
    tx.update::<SecurityGroup>(scope, &group_id, |group| group.egress.push(rule));
}

/// CreateSecurityGroup parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateSecurityGroup {
    /// `GroupName`.
    pub name: String,
    /// `GroupDescription`.
    pub description: String,
    /// `VpcId`; the default VPC when absent.
    pub vpc_id: Option<String>,
    /// Tags from `TagSpecification` (`security-group`).
    pub tags: Vec<Tag>,
}

/// Spec §2.7 [D]: names and descriptions are at most 255 characters.
const MAX_NAME_LEN: usize = 255;

/// CreateSecurityGroup (spec §2.7).
pub fn create(tx: &mut Tx, scope: &Scope, request: CreateSecurityGroup) -> Result<SecurityGroup> {
    if request.name == DEFAULT_GROUP_NAME {
        return Err(Ec2Error::SecurityGroupNameReserved(request.name));
    }
    if request.name.starts_with("sg-") {
        return Err(Ec2Error::SecurityGroupNameLooksLikeId(request.name));
    }
    for (parameter, value) in [("GroupName", &request.name), ("GroupDescription", &request.description)] {
        if value.chars().count() > MAX_NAME_LEN {
            return Err(Ec2Error::InvalidParameterValue(format!(
                "Value ({value}) for parameter {parameter} is invalid. Length exceeds maximum of {MAX_NAME_LEN}"
            )));
        }
    }
    let region = tx.region(scope);
    let vpc = match &request.vpc_id {
        Some(vpc_id) => crate::vpc::find(region, vpc_id)?,
        None => default_vpc(region)?,
    };
    if region.index.security_groups.by_name(&vpc.id, &request.name).is_some() {
        return Err(Ec2Error::SecurityGroupDuplicate { name: request.name, vpc_id: vpc.id.clone() });
    }
    crate::tags::validate(&request.tags)?;
    // Spec §5: security groups per Region, the VPCs' default groups included.
    let existing = region.security_groups.len();
    crate::quotas::check(tx.quotas().security_groups_per_region, existing, 1, || Ec2Error::SecurityGroupLimitExceeded)?;
    let id = tx.next_id(IdKind::SecurityGroup);
    let mut egress = vec![allow_all_egress(tx)];
    // Part 2 §16.3 [O]: a group created while its VPC has an IPv6 block also allows all outbound IPv6.
    if !vpc.ipv6_cidr_associations.is_empty() {
        egress.push(allow_all_ipv6_egress(tx));
    }
    let group = SecurityGroup {
        id,
        name: request.name,
        description: request.description,
        vpc_id: vpc.id.clone(),
        owner_id: scope.account.clone(),
        region: scope.region.clone(),
        ingress: Vec::new(),
        egress,
        tags: Tags(request.tags),
    };
    tx.put(scope, group.clone());
    Ok(group)
}

/// Spec §2.7 [O]: without a `VpcId`, the region's default VPC; with none, `VPCIdNotSpecified`.
fn default_vpc(region: &RegionState) -> Result<Arc<Vpc>> {
    region.index.default_vpc().and_then(|id| region.vpcs.get(id)).cloned().ok_or(Ec2Error::NoDefaultVpc)
}

/// How a request names the group it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    /// `GroupId`.
    Id(String),
    /// `GroupName`: resolved in the default VPC (spec §2.7).
    Name(String),
}

/// Looks a group up by ID, checking the ID's shape first.
pub fn find(region: &RegionState, group_id: &str) -> Result<Arc<SecurityGroup>> {
    IdKind::SecurityGroup.check(group_id)?;
    region.security_groups.get(group_id).cloned().ok_or_else(|| Ec2Error::SecurityGroupNotFound(vec![group_id.into()]))
}

/// Resolves a [`GroupRef`]: an ID in the caller's scope, or a name in the default VPC.
pub fn resolve(region: &RegionState, group: &GroupRef) -> Result<Arc<SecurityGroup>> {
    match group {
        GroupRef::Id(id) => find(region, id),
        GroupRef::Name(name) => {
            let vpc = default_vpc(region)?;
            region
                .index
                .security_groups
                .by_name(&vpc.id, name)
                .and_then(|id| region.security_groups.get(id))
                .cloned()
                .ok_or_else(|| Ec2Error::SecurityGroupNameNotFound(name.clone(), vpc.id.clone()))
        }
    }
}

/// DeleteSecurityGroup (spec §2.7): the default group never goes; a group that another group's rule references
/// (same VPC or a peered one, any account) or that an interface uses stays. Returns the deleted group's ID.
pub fn delete(tx: &mut Tx, scope: &Scope, group: &GroupRef) -> Result<String> {
    let group = resolve(tx.region(scope), group)?;
    if group.is_default() {
        return Err(Ec2Error::CannotDeleteDefaultSecurityGroup(group.id.clone()));
    }
    // ASSUMPTION (spec §2.7 [O] names only the same VPC): a reference from a peered VPC blocks deletion too, so a
    // rule never points at a group that does not exist; a stale rule therefore comes only from a deleted peering.
    if reference::is_referenced_by_other_group(tx.world(), &group) || in_use_by_interface(tx.region(scope), &group.id) {
        return Err(Ec2Error::SecurityGroupHasDependencies(group.id.clone()));
    }
    tx.remove::<SecurityGroup>(scope, &group.id);
    Ok(group.id.clone())
}

/// Spec §2.7 [O]: a group attached to a network interface cannot be deleted (`DependencyViolation`).
pub fn in_use_by_interface(region: &RegionState, group_id: &str) -> bool {
    region.index.security_groups.is_used_by_interface(group_id)
}

#[cfg(test)]
mod tests;
