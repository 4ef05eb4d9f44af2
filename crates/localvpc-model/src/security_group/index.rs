//! Lookups over the security groups of a scope, so the rules that find a group by name, find the group of a rule,
//! or ask whether a group is still referenced or in use answer in O(log n) instead of walking every group.
//!
//! Why: those walks made each CreateSecurityGroup cost more than the one before (a name check over every group
//! of the region), and DeleteSecurityGroup walk every rule of every group. The index is derived data: it is kept
//! in step with the tables by [`Resource::reindex`](crate::world::Resource::reindex) on every put and remove
//! (and on load), lives in persistent maps like the tables (so a world clone stays O(1)), and is never stored.

use std::sync::Arc;

use imbl::OrdMap;

use crate::network_interface::NetworkInterface;
use crate::world::{Scope, World};

use super::{RulePeer, SecurityGroup};

/// Shared text: a change copies the nodes on its path, and copying an `Arc<str>` is a count, not an allocation.
type Text = Arc<str>;

/// The security group lookups of one scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityGroupIndex {
    /// `(VPC, name)` → group ID: names are unique per VPC (spec §2.7), and the VPC first lists a VPC's groups.
    by_name: OrdMap<(Text, Text), Text>,
    /// `sgr-` rule ID → the group holding it.
    rule_owners: OrdMap<Text, Text>,
    /// Group ID → how many rules of *other* groups (any account of the region) name it.
    referencing_rules: OrdMap<Text, u32>,
    /// Group ID → how many network interfaces use it.
    interfaces: OrdMap<Text, u32>,
}

impl SecurityGroupIndex {
    /// The group named `name` in `vpc_id`.
    pub fn by_name(&self, vpc_id: &str, name: &str) -> Option<&str> {
        self.by_name.get(&(Text::from(vpc_id), Text::from(name))).map(|id| &**id)
    }

    /// The IDs of the groups of `vpc_id`, by name.
    pub fn in_vpc<'a>(&'a self, vpc_id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.by_name
            .range((Text::from(vpc_id), Text::from(""))..)
            .take_while(move |((vpc, _), _)| &**vpc == vpc_id)
            .map(|(_, id)| &**id)
    }

    /// The group holding rule `rule_id`.
    pub fn rule_owner(&self, rule_id: &str) -> Option<&str> {
        self.rule_owners.get(rule_id).map(|id| &**id)
    }

    /// Whether a rule of another group names `group_id`.
    pub fn is_referenced(&self, group_id: &str) -> bool {
        self.referencing_rules.get(group_id).is_some_and(|count| *count > 0)
    }

    /// Whether a network interface uses `group_id`.
    pub fn is_used_by_interface(&self, group_id: &str) -> bool {
        self.interfaces.get(group_id).is_some_and(|count| *count > 0)
    }
}

/// The region's index, to change.
fn index_mut<'w>(world: &'w mut World, scope: &Scope) -> &'w mut SecurityGroupIndex {
    &mut world.region_mut(scope).security_group_index
}

/// Adds `delta` to a counter, dropping it at zero so the maps hold only live entries.
fn count(counts: &mut OrdMap<Text, u32>, key: &str, delta: i64) {
    let current = i64::from(counts.get(key).copied().unwrap_or(0));
    match u32::try_from(current + delta) {
        Ok(0) | Err(_) => {
            counts.remove(key);
        }
        Ok(next) => {
            counts.insert(key.into(), next);
        }
    }
}

/// The group peers of `group`'s rules that are not `group` itself: `(account, group ID)`, once per rule.
fn references(group: &SecurityGroup) -> impl Iterator<Item = (&str, &str)> {
    group.ingress.iter().chain(&group.egress).filter_map(move |rule| match &rule.peer {
        RulePeer::Group { user_id, group_id, .. } if *group_id != group.id => {
            Some((user_id.as_str(), group_id.as_str()))
        }
        _ => None,
    })
}

/// The IDs of a group's rules (none for no group).
fn rule_ids(group: Option<&SecurityGroup>) -> Vec<&str> {
    group.map(|g| g.ingress.iter().chain(&g.egress).map(|rule| rule.id.as_str()).collect()).unwrap_or_default()
}

/// [`Resource::reindex`](crate::world::Resource::reindex) of security groups.
pub(crate) fn group_changed(
    world: &mut World,
    scope: &Scope,
    old: Option<&SecurityGroup>,
    new: Option<&SecurityGroup>,
) {
    let name = |group: &SecurityGroup| (Text::from(group.vpc_id.as_str()), Text::from(group.name.as_str()));
    let index = index_mut(world, scope);
    if old.map(name) != new.map(name) {
        if let Some(old) = old {
            index.by_name.remove(&name(old));
        }
        if let Some(new) = new {
            index.by_name.insert(name(new), new.id.as_str().into());
        }
    }
    let (old_rules, new_rules) = (rule_ids(old), rule_ids(new));
    if old_rules != new_rules {
        for rule_id in old_rules.iter().filter(|id| !new_rules.contains(id)) {
            index.rule_owners.remove(*rule_id);
        }
        if let Some(new) = new {
            let group_id = Text::from(new.id.as_str());
            for rule_id in new_rules.iter().filter(|id| !old_rules.contains(id)) {
                index.rule_owners.insert((*rule_id).into(), group_id.clone());
            }
        }
        // A referenced group is looked up in the rule's own region (spec §2.7 [D]), under the rule's account.
        for (group, delta) in [(old, -1), (new, 1)] {
            let Some(group) = group else { continue };
            for (account, referenced) in references(group) {
                let peer_scope = Scope::new(account, &scope.region);
                count(&mut index_mut(world, &peer_scope).referencing_rules, referenced, delta);
            }
        }
    }
}

/// [`Resource::reindex`](crate::world::Resource::reindex) of network interfaces: which groups they use (an
/// interface's groups are in its own VPC, so in its own scope).
pub(crate) fn interface_changed(
    world: &mut World,
    scope: &Scope,
    old: Option<&NetworkInterface>,
    new: Option<&NetworkInterface>,
) {
    let groups = |interface: Option<&NetworkInterface>| interface.map(|i| i.security_group_ids.clone());
    if groups(old) == groups(new) {
        return;
    }
    let index = index_mut(world, scope);
    for (interface, delta) in [(old, -1), (new, 1)] {
        for group_id in interface.iter().flat_map(|interface| &interface.security_group_ids) {
            count(&mut index.interfaces, group_id, delta);
        }
    }
}
