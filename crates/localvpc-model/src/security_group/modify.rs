//! Changing rules in place (spec §2.7): ModifySecurityGroupRules (a rule, found by its `sgr-` ID, replaced whole)
//! and UpdateSecurityGroupRuleDescriptionsIngress/Egress (only descriptions change, the rules found by their
//! properties or by ID). GetSecurityGroupsForVpc, which lists the groups usable in a VPC, sits here too: it is the
//! third of the rule-era additions to the group API and needs no module of its own.
//!
//! A rule keeps its ID and its tags through a modification, as on AWS, so `sgr-` tags and references by ID survive.

use std::sync::Arc;

use crate::filter::{paginate, Filterable, Page, PageRequest};
use crate::ids::IdKind;
use crate::tags::Tags;
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, Result};

use super::permission::{Described, GroupPair, PermissionRequest};
use super::reference::Purpose;
use super::rules::{candidate_rules, check_rule_quota};
use super::{find, resolve, Direction, GroupRef, SecurityGroup};

/// One `SecurityGroupRule.N.SecurityGroupRule` of ModifySecurityGroupRules (botocore `SecurityGroupRuleRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleRequest {
    /// `IpProtocol`.
    pub protocol: Option<String>,
    /// `FromPort`.
    pub from_port: Option<i64>,
    /// `ToPort`.
    pub to_port: Option<i64>,
    /// `CidrIpv4`.
    pub cidr_ipv4: Option<String>,
    /// `CidrIpv6`.
    pub cidr_ipv6: Option<String>,
    /// `PrefixListId`.
    pub prefix_list_id: Option<String>,
    /// `ReferencedGroupId`.
    pub referenced_group_id: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

/// One `SecurityGroupRule.N` of ModifySecurityGroupRules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleUpdate {
    /// `SecurityGroupRuleId`.
    pub rule_id: String,
    /// The rule that replaces it.
    pub rule: RuleRequest,
}

impl RuleRequest {
    /// The one-peer permission this request stands for, checked in AWS's order: protocol, ports, then exactly one
    /// peer (the texts are AWS's, as moto's tests record them).
    fn permission(&self) -> Result<PermissionRequest> {
        if self.protocol.is_none() {
            return Err(Ec2Error::RuleProtocolMissing);
        }
        let plain = |value: &Option<String>| {
            value
                .iter()
                .map(|value| Described { value: value.clone(), description: self.description.clone() })
                .collect()
        };
        let permission = PermissionRequest {
            protocol: self.protocol.clone(),
            from_port: self.from_port,
            to_port: self.to_port,
            ip_ranges: plain(&self.cidr_ipv4),
            ipv6_ranges: plain(&self.cidr_ipv6),
            prefix_list_ids: plain(&self.prefix_list_id),
            groups: self
                .referenced_group_id
                .iter()
                .map(|group_id| GroupPair {
                    group_id: Some(group_id.clone()),
                    description: self.description.clone(),
                    ..GroupPair::default()
                })
                .collect(),
        };
        permission.port_range()?;
        let peers = [&self.cidr_ipv4, &self.cidr_ipv6, &self.prefix_list_id, &self.referenced_group_id]
            .into_iter()
            .filter(|peer| peer.is_some())
            .count();
        match peers {
            0 => Err(Ec2Error::RulePeerMissing),
            1 => Ok(permission),
            _ => Err(Ec2Error::RulePeerAmbiguous),
        }
    }
}

/// ModifySecurityGroupRules (spec §2.7): each named rule of the group is replaced by the one sent — protocol,
/// ports, peer and description, the description cleared when none is sent — keeping its ID, tags and direction.
/// All or nothing: an unknown group or rule, a bad rule, or a result that duplicates another rule of the same
/// direction refuses the whole call.
pub fn modify_rules(tx: &mut Tx, scope: &Scope, group_id: &str, updates: &[RuleUpdate]) -> Result<SecurityGroup> {
    let group = find(tx.region(scope), group_id)?;
    if updates.is_empty() {
        return Err(Ec2Error::MissingParameter("SecurityGroupRules".into()));
    }
    let mut modified = (*group).clone();
    for update in updates {
        IdKind::SecurityGroupRule.check(&update.rule_id)?;
        let direction = [Direction::Ingress, Direction::Egress]
            .into_iter()
            .find(|direction| group.rules(*direction).iter().any(|rule| rule.id == update.rule_id))
            .ok_or_else(|| Ec2Error::SecurityGroupRuleNotFound(vec![update.rule_id.clone()]))?;
        let permission = update.rule.permission()?;
        let mut replacement = candidate_rules(tx.world(), &group, &[permission], Purpose::Authorize)?
            .pop()
            .ok_or(Ec2Error::RulePeerMissing)?;
        let rules = modified.rules_mut(direction);
        let position = rules.iter().position(|rule| rule.id == update.rule_id).expect("found above");
        replacement.id = update.rule_id.clone();
        replacement.tags = std::mem::take(&mut rules[position].tags);
        rules[position] = replacement;
    }
    for direction in [Direction::Ingress, Direction::Egress] {
        let rules = modified.rules(direction);
        for (index, rule) in rules.iter().enumerate() {
            if rules[..index].iter().any(|earlier| earlier.same_as(rule)) {
                return Err(Ec2Error::PermissionDuplicate(super::permission::rule_text(rule)));
            }
        }
        // A modification can move a rule to the other address family, so the quota is counted again.
        check_rule_quota(tx, scope, &[], rules)?;
    }
    tx.put(scope, modified.clone());
    Ok(modified)
}

/// An UpdateSecurityGroupRuleDescriptionsIngress/Egress request.
#[derive(Debug, Clone)]
pub struct DescriptionUpdate {
    /// `GroupId`, else `GroupName` (default VPC only).
    pub group: GroupRef,
    /// Inbound or outbound.
    pub direction: Direction,
    /// `IpPermissions.N`: rules matched by protocol, ports and peer; each gets the description sent with its peer
    /// (none sent: the description is removed).
    pub permissions: Vec<PermissionRequest>,
    /// `SecurityGroupRuleDescription.N`: (rule ID, new description).
    pub by_rule_id: Vec<(String, Option<String>)>,
}

/// UpdateSecurityGroupRuleDescriptionsIngress/Egress (spec §2.7): only descriptions change. Every rule named must
/// exist in that direction — by properties (`InvalidPermission.NotFound`) or by ID
/// (`InvalidSecurityGroupRuleId.NotFound`) — or nothing changes.
pub fn update_descriptions(tx: &mut Tx, scope: &Scope, request: DescriptionUpdate) -> Result<SecurityGroup> {
    let group = resolve(tx.region(scope), &request.group)?;
    if request.permissions.is_empty() && request.by_rule_id.is_empty() {
        return Err(Ec2Error::MissingParameter("IpPermissions".into()));
    }
    let mut updated = (*group).clone();
    for (rule_id, description) in &request.by_rule_id {
        IdKind::SecurityGroupRule.check(rule_id)?;
        let rule = updated
            .rules_mut(request.direction)
            .iter_mut()
            .find(|rule| &rule.id == rule_id)
            .ok_or_else(|| Ec2Error::SecurityGroupRuleNotFound(vec![rule_id.clone()]))?;
        rule.description = description.clone();
    }
    for wanted in candidate_rules(tx.world(), &group, &request.permissions, Purpose::Revoke)? {
        let rule = updated
            .rules_mut(request.direction)
            .iter_mut()
            .find(|rule| rule.same_as(&wanted))
            .ok_or(Ec2Error::PermissionNotFound)?;
        rule.description = wanted.description;
    }
    tx.put(scope, updated.clone());
    Ok(updated)
}

/// One group as GetSecurityGroupsForVpc lists it.
pub struct GroupForVpc<'a>(pub &'a SecurityGroup);

impl Filterable for GroupForVpc<'_> {
    /// botocore `GetSecurityGroupsForVpcRequest.Filters` (the tag filters are always accepted).
    const FILTERS: &'static [&'static str] = &["group-id", "description", "group-name", "owner-id", "primary-vpc-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let group = self.0;
        match name {
            "group-id" => out.push(group.id.clone()),
            "description" => out.push(group.description.clone()),
            "group-name" => out.push(group.name.clone()),
            "owner-id" => out.push(group.owner_id.clone()),
            "primary-vpc-id" => out.push(group.vpc_id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.0.tags)
    }
}

/// GetSecurityGroupsForVpc: the groups an interface in `vpc_id` may use. Without VPC sharing (not modelled) those
/// are the VPC's own groups, so `primaryVpcId` is always the VPC asked about. The VPC must exist.
pub fn groups_for_vpc(
    region: &RegionState,
    vpc_id: &str,
    page: &PageRequest,
    mut keep: impl FnMut(&GroupForVpc<'_>) -> bool,
) -> Result<Page<Arc<SecurityGroup>>> {
    crate::vpc::find(region, vpc_id)?;
    paginate(&region.security_groups, page, |group| group.vpc_id == vpc_id && keep(&GroupForVpc(group)))
}
