//! What security groups and network interfaces contribute to the indexes ([`crate::index`]): groups by name, rules
//! by ID, which groups interfaces use, and which groups other groups' rules name — so the rules that ask answer in
//! O(log n) instead of walking every group of the region (see `index/security_groups.rs` for why).

use crate::index::Indexes;
use crate::network_interface::NetworkInterface;

use super::{RulePeer, SecurityGroup};

/// The groups named by `group`'s rules other than `group` itself, once per rule.
fn references(group: &SecurityGroup) -> impl Iterator<Item = &str> {
    group.ingress.iter().chain(&group.egress).filter_map(move |rule| match &rule.peer {
        RulePeer::Group { group_id, .. } if *group_id != group.id => Some(group_id.as_str()),
        _ => None,
    })
}

/// The IDs of a group's rules (none for no group).
fn rule_ids(group: Option<&SecurityGroup>) -> Vec<&str> {
    group.map(|g| g.ingress.iter().chain(&g.egress).map(|rule| rule.id.as_str()).collect()).unwrap_or_default()
}

/// [`Resource::reindex`](crate::world::Resource::reindex) of security groups.
pub(crate) fn group_changed(index: &mut Indexes<'_>, old: Option<&SecurityGroup>, new: Option<&SecurityGroup>) {
    let name = |group: &SecurityGroup| (group.vpc_id.clone(), group.name.clone());
    if old.map(name) != new.map(name) {
        if let Some(old) = old {
            index.region.security_groups.remove_name(&old.vpc_id, &old.name);
        }
        if let Some(new) = new {
            index.region.security_groups.add_name(&new.vpc_id, &new.name, &new.id);
        }
    }
    let (old_rules, new_rules) = (rule_ids(old), rule_ids(new));
    if old_rules != new_rules {
        for rule_id in old_rules.iter().filter(|id| !new_rules.contains(id)) {
            index.region.security_groups.remove_rule(rule_id);
        }
        if let Some(new) = new {
            for rule_id in new_rules.iter().filter(|id| !old_rules.contains(id)) {
                index.region.security_groups.add_rule(rule_id, &new.id);
            }
        }
    }
    // Compared apart from the rule IDs: ModifySecurityGroupRules changes a rule's peer and keeps its ID.
    let (old_named, new_named) = (old.map(|g| references(g).collect::<Vec<_>>()), new.map(|g| references(g).collect()));
    if old_named != new_named {
        // Group IDs are unique across accounts, so the count of rules naming a group is kept by ID, world-wide: a
        // rule may name a group of another account (spec §2.7 [D]).
        for (group, delta) in [(old, -1), (new, 1)] {
            for referenced in group.into_iter().flat_map(references) {
                index.world.count_group_reference(referenced, delta);
            }
        }
    }
}

/// [`Resource::reindex`](crate::world::Resource::reindex) of network interfaces, for their groups (an interface's
/// groups are in its own VPC, so in its own scope).
pub(crate) fn interface_changed(
    index: &mut Indexes<'_>,
    old: Option<&NetworkInterface>,
    new: Option<&NetworkInterface>,
) {
    let groups = |interface: Option<&NetworkInterface>| interface.map(|i| i.security_group_ids.clone());
    if groups(old) == groups(new) {
        return;
    }
    for (interface, delta) in [(old, -1), (new, 1)] {
        for group_id in interface.iter().flat_map(|interface| &interface.security_group_ids) {
            index.region.security_groups.count_interface(group_id, delta);
        }
    }
}
