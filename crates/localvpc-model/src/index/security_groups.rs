//! The security group lookups of one scope: a group by name, the group of a rule, whether interfaces use a group.
//!
//! Why: those questions were walks — every CreateSecurityGroup checked its name against every group of the region
//! (each write cost more than the one before), and DeleteSecurityGroup walked every interface. What they hold is
//! kept in step by `security_group::index` (the resource module says what it contributes; this one knows keys
//! and IDs only). Whether *another* group's rule names a group spans accounts, so that count is in
//! [`WorldIndex`](super::WorldIndex).

use std::sync::Arc;

use imbl::OrdMap;

/// Shared text: a change copies the nodes on its path, and copying an `Arc<str>` is a count, not an allocation.
pub(crate) type Text = Arc<str>;

/// The security group lookups of one scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityGroupIndex {
    /// `(VPC, name)` → group ID: names are unique per VPC (spec §2.7), and the VPC first lists a VPC's groups.
    by_name: OrdMap<(Text, Text), Text>,
    /// `sgr-` rule ID → the group holding it.
    rule_owners: OrdMap<Text, Text>,
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

    /// Whether a network interface uses `group_id`.
    pub fn is_used_by_interface(&self, group_id: &str) -> bool {
        self.interfaces.get(group_id).is_some_and(|count| *count > 0)
    }

    /// Records group `group_id` under `name` in `vpc_id`.
    pub(crate) fn add_name(&mut self, vpc_id: &str, name: &str, group_id: &str) {
        self.by_name.insert((vpc_id.into(), name.into()), group_id.into());
    }

    /// Forgets the name `name` of `vpc_id`.
    pub(crate) fn remove_name(&mut self, vpc_id: &str, name: &str) {
        self.by_name.remove(&(Text::from(vpc_id), Text::from(name)));
    }

    /// Records that group `group_id` holds rule `rule_id`.
    pub(crate) fn add_rule(&mut self, rule_id: &str, group_id: &str) {
        self.rule_owners.insert(rule_id.into(), group_id.into());
    }

    /// Forgets rule `rule_id`.
    pub(crate) fn remove_rule(&mut self, rule_id: &str) {
        self.rule_owners.remove(rule_id);
    }

    /// One interface more (`delta` 1) or fewer (−1) uses `group_id`.
    pub(crate) fn count_interface(&mut self, group_id: &str, delta: i64) {
        count(&mut self.interfaces, group_id, delta);
    }
}

/// Adds `delta` to a counter, dropping it at zero so the maps hold only live entries.
pub(crate) fn count(counts: &mut OrdMap<Text, u32>, key: &str, delta: i64) {
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
