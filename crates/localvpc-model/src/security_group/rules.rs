//! AuthorizeSecurityGroupIngress/Egress, RevokeSecurityGroupIngress/Egress and the rule listing of
//! DescribeSecurityGroupRules (spec §2.7).
//!
//! Each (CIDR block or group) of a permission becomes one rule with its own `sgr-` ID. A call is all-or-nothing:
//! every permission is checked before any rule is added or removed, and a refused call leaves the group as it was.

use std::sync::Arc;

use crate::filter::{matches, paginate, Filter, Filterable, Page, PageRequest};
use crate::ids::IdKind;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Scope, Table, Tx};
use crate::{Ec2Error, Result};

use super::permission::{self, PermissionRequest};
use super::reference::{self, Purpose};
use super::{resolve, Direction, GroupRef, RulePeer, SecurityGroup, SecurityGroupRule};

/// An Authorize or Revoke request.
#[derive(Debug, Clone)]
pub struct RuleChange {
    /// The group whose rules change.
    pub group: GroupRef,
    /// Inbound or outbound.
    pub direction: Direction,
    /// `IpPermissions.N` plus whatever the legacy flat form stood for.
    pub permissions: Vec<PermissionRequest>,
    /// Authorize: tags for every new rule (`TagSpecification`, type `security-group-rule`).
    pub tags: Vec<Tag>,
    /// Revoke: `SecurityGroupRuleId.N`.
    pub rule_ids: Vec<String>,
}

/// The rules one request names, with IDs still blank.
pub(super) fn candidate_rules(
    world: &crate::World,
    group: &SecurityGroup,
    permissions: &[PermissionRequest],
    purpose: Purpose,
) -> Result<Vec<SecurityGroupRule>> {
    let mut candidates = Vec::new();
    for request in permissions {
        let range = request.port_range()?;
        let mut peers: Vec<(RulePeer, Option<String>)> = Vec::new();
        for range in &request.ip_ranges {
            peers.push((permission::parse_ipv4_peer(&range.value)?, range.description.clone()));
        }
        for range in &request.ipv6_ranges {
            peers.push((permission::parse_ipv6_peer(&range.value)?, range.description.clone()));
        }
        for prefix_list in &request.prefix_list_ids {
            peers.push((prefix_list_peer(world, group, &prefix_list.value)?, prefix_list.description.clone()));
        }
        for pair in &request.groups {
            peers.push((reference::resolve_peer(world, group, pair, purpose)?, pair.description.clone()));
        }
        if peers.is_empty() {
            // ASSUMPTION (spec §2.7 [I]): a permission that names no peer is refused rather than ignored.
            return Err(Ec2Error::InvalidParameterValue(
                "Each IpPermissions item must name at least one of IpRanges, Ipv6Ranges, Groups or PrefixListIds."
                    .into(),
            ));
        }
        for (peer, description) in peers {
            candidates.push(SecurityGroupRule {
                id: String::new(),
                protocol: range.protocol.clone(),
                from_port: range.from,
                to_port: range.to,
                peer,
                description,
                tags: Tags::default(),
            });
        }
    }
    Ok(candidates)
}

/// Part 2 §17.3 [D]: a rule may name the group owner's own prefix list or one of the Region's AWS-managed lists;
/// any other (unknown, or another account's) is `InvalidPrefixListID.NotFound`. ASSUMPTION (§17.3 is silent on
/// families): a list of either family is accepted — an IPv6 list makes an IPv6 rule, as `Ipv6Ranges` does.
fn prefix_list_peer(world: &crate::World, group: &SecurityGroup, prefix_list_id: &str) -> Result<RulePeer> {
    let scope = group.scope();
    let list = crate::prefix_list::find(world.region(&scope), &scope, prefix_list_id)?;
    Ok(RulePeer::PrefixList { prefix_list_id: list.id().to_string() })
}

/// Spec §5 [D]: at most 60 rules per group, per direction and per address family (a group reference counts once in
/// each family) — a quota, so only under `--quotas aws`. Part 2 §17.3 [D]: a prefix list reference counts its
/// list's weight (`MaxEntries`) in the list's family. `existing` are the direction's rules kept, `added` the ones
/// joining them; `scope` is the group's, where its lists are found.
pub(crate) fn check_rule_quota(
    tx: &Tx,
    scope: &Scope,
    existing: &[SecurityGroupRule],
    added: &[SecurityGroupRule],
) -> Result<()> {
    let Some(limit) = tx.quotas().rules_per_security_group_direction else { return Ok(()) };
    let region = tx.region(scope);
    let weight = |rule: &SecurityGroupRule, ipv6: bool| match &rule.peer {
        RulePeer::Cidr(_) => usize::from(!ipv6),
        RulePeer::Ipv6Cidr(_) => usize::from(ipv6),
        RulePeer::Group { .. } => 1,
        RulePeer::PrefixList { prefix_list_id } => crate::prefix_list::find(region, scope, prefix_list_id)
            .ok()
            .filter(|list| (list.family() == crate::prefix_list::AddressFamily::IPv6) == ipv6)
            .map_or(0, |list| list.weight()),
    };
    let family_weight =
        |rules: &[SecurityGroupRule], ipv6: bool| -> usize { rules.iter().map(|rule| weight(rule, ipv6)).sum() };
    for ipv6 in [false, true] {
        let (old, new) = (family_weight(existing, ipv6), family_weight(added, ipv6));
        crate::quotas::check(Some(limit), old, new, || Ec2Error::RulesPerSecurityGroupLimitExceeded)?;
    }
    Ok(())
}

/// AuthorizeSecurityGroupIngress/Egress (spec §2.7): returns the group as it is now and the new rules.
pub fn authorize(tx: &mut Tx, scope: &Scope, request: RuleChange) -> Result<(SecurityGroup, Vec<SecurityGroupRule>)> {
    let group = resolve(tx.region(scope), &request.group)?;
    if request.permissions.is_empty() {
        return Err(Ec2Error::MissingParameter("IpPermissions".into()));
    }
    let mut candidates = candidate_rules(tx.world(), &group, &request.permissions, Purpose::Authorize)?;
    for (index, rule) in candidates.iter().enumerate() {
        if candidates[..index].iter().any(|earlier| earlier.same_as(rule)) {
            return Err(Ec2Error::PermissionRepeatedInRequest);
        }
    }
    let existing = group.rules(request.direction);
    if let Some(duplicate) = candidates.iter().find(|rule| existing.iter().any(|old| old.same_as(rule))) {
        return Err(Ec2Error::PermissionDuplicate(permission::rule_text(duplicate)));
    }
    check_rule_quota(tx, scope, existing, &candidates)?;
    crate::tags::validate(&request.tags)?;
    for rule in &mut candidates {
        rule.id = tx.next_id(IdKind::SecurityGroupRule);
        rule.tags = Tags(request.tags.clone());
    }
    let mut group = (*group).clone();
    group.rules_mut(request.direction).extend(candidates.iter().cloned());
    tx.put(scope, group.clone());
    Ok((group, candidates))
}

/// What a Revoke did.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The group as it is now.
    pub group: SecurityGroup,
    /// The rules removed.
    pub revoked: Vec<SecurityGroupRule>,
    /// Default VPC only: the requested rules that did not exist (IDs blank), for `unknownIpPermissionSet`.
    pub unknown: Vec<SecurityGroupRule>,
}

/// RevokeSecurityGroupIngress/Egress (spec §2.7 [D]): by properties (exact match, description ignored) and/or by
/// `SecurityGroupRuleId.N`. In a non-default VPC any miss refuses the whole call; in the default VPC the misses are
/// reported back and the matches removed.
pub fn revoke(tx: &mut Tx, scope: &Scope, request: RuleChange) -> Result<Revoked> {
    let region = tx.region(scope);
    let group = resolve(region, &request.group)?;
    if request.permissions.is_empty() && request.rule_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("IpPermissions".into()));
    }
    let existing = group.rules(request.direction);
    let mut revoked_ids: Vec<String> = Vec::new();
    for rule_id in &request.rule_ids {
        IdKind::SecurityGroupRule.check(rule_id)?;
        if !existing.iter().any(|rule| &rule.id == rule_id) {
            return Err(Ec2Error::SecurityGroupRuleNotFound(vec![rule_id.clone()]));
        }
        revoked_ids.push(rule_id.clone());
    }
    let candidates = candidate_rules(tx.world(), &group, &request.permissions, Purpose::Revoke)?;
    let mut unknown = Vec::new();
    for candidate in candidates {
        match existing.iter().find(|rule| rule.same_as(&candidate)) {
            Some(rule) => revoked_ids.push(rule.id.clone()),
            None => unknown.push(candidate),
        }
    }
    let in_default_vpc = region.vpcs.get(group.vpc_id.as_str()).is_some_and(|vpc| vpc.is_default);
    if !unknown.is_empty() && !in_default_vpc {
        return Err(Ec2Error::PermissionNotFound);
    }
    let mut group = (*group).clone();
    let (revoked, kept): (Vec<_>, Vec<_>) =
        group.rules(request.direction).iter().cloned().partition(|rule| revoked_ids.contains(&rule.id));
    *group.rules_mut(request.direction) = kept;
    tx.put(scope, group.clone());
    Ok(Revoked { group, revoked, unknown })
}

/// One rule as DescribeSecurityGroupRules lists it: the rule with its group and direction.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    /// The rule's group.
    pub group: Arc<SecurityGroup>,
    /// Inbound or outbound.
    pub direction: Direction,
    /// The rule.
    pub rule: SecurityGroupRule,
}

impl Filterable for RuleEntry {
    /// Spec §2.7 DescribeSecurityGroupRules filters (the tag filters are always accepted).
    const FILTERS: &'static [&'static str] = &["group-id", "security-group-rule-id"];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        match name {
            "group-id" => out.push(self.group.id.clone()),
            "security-group-rule-id" => out.push(self.rule.id.clone()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.rule.tags)
    }
}

/// Every rule of the scope, by rule ID (the listing and paging order).
fn rule_table(region: &RegionState) -> Table<RuleEntry> {
    let mut table = Table::new();
    for group in region.security_groups.values() {
        for direction in [Direction::Ingress, Direction::Egress] {
            for rule in group.rules(direction) {
                let entry = RuleEntry { group: group.clone(), direction, rule: rule.clone() };
                table.insert(Arc::from(rule.id.as_str()), Arc::new(entry));
            }
        }
    }
    table
}

/// DescribeSecurityGroupRules (spec §2.7): explicit rule IDs must all exist, and a `group-id` filter value must be
/// shaped like a group ID (moto's AWS-verified test: `InvalidGroupId.Malformed` "The security group ID 'foobar' is
/// malformed"; a well-formed unknown ID matches nothing); then the filters and paging.
pub fn describe(
    region: &RegionState,
    rule_ids: &[String],
    filters: &[Filter],
    page: &PageRequest,
) -> Result<Page<Arc<RuleEntry>>> {
    for filter in filters.iter().filter(|filter| filter.name == "group-id") {
        // Wildcards are patterns, not IDs.
        let malformed = filter
            .values
            .iter()
            .find(|value| !value.contains(['*', '?']) && IdKind::SecurityGroup.check(value).is_err());
        if let Some(value) = malformed {
            return Err(Ec2Error::SecurityGroupIdFilterMalformed(value.clone()));
        }
    }
    let table = rule_table(region);
    for rule_id in rule_ids {
        IdKind::SecurityGroupRule.check(rule_id)?;
    }
    let missing: Vec<String> = rule_ids.iter().filter(|id| !table.contains_key(id.as_str())).cloned().collect();
    if !missing.is_empty() {
        return Err(Ec2Error::SecurityGroupRuleNotFound(missing));
    }
    paginate(&table, page, |entry| {
        (rule_ids.is_empty() || rule_ids.contains(&entry.rule.id)) && matches(entry, filters)
    })
}

/// Tags on one rule (CreateTags/DeleteTags with an `sgr-` ID).
pub fn edit_tags(
    tx: &mut Tx,
    scope: &Scope,
    rule_id: &str,
    change: &mut dyn FnMut(&mut Tags) -> Result<()>,
) -> Result<()> {
    let region = tx.region(scope);
    let owner = region
        .index
        .security_groups
        .rule_owner(rule_id)
        .and_then(|group_id| region.security_groups.get(group_id))
        .cloned()
        .ok_or_else(|| Ec2Error::SecurityGroupRuleNotFound(vec![rule_id.to_string()]))?;
    let mut group = (*owner).clone();
    for rule in group.ingress.iter_mut().chain(group.egress.iter_mut()).filter(|rule| rule.id == rule_id) {
        change(&mut rule.tags)?;
    }
    tx.put(scope, group);
    Ok(())
}

/// The rule tags of a scope, for DescribeTags: (rule ID, tags).
pub fn tagged_rules(region: &RegionState) -> impl Iterator<Item = (&str, &Tags)> {
    region
        .security_groups
        .values()
        .flat_map(|group| group.ingress.iter().chain(&group.egress))
        .filter(|rule| !rule.tags.0.is_empty())
        .map(|rule| (rule.id.as_str(), &rule.tags))
}
