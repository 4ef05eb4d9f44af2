//! What referencing a prefix list means (part 2 §17.3): the blocks a reference stands for (the list's current
//! version), its weight against the referencing resource's quota, and which resources (security groups, route
//! tables) reference a list — for GetManagedPrefixListAssociations and for refusing DeleteManagedPrefixList while
//! a list is in use.

use ipnet::IpNet;

use super::{AddressFamily, Readable};
use crate::security_group::Direction;
use crate::world::{RegionState, Scope, Tx};
use crate::{Ec2Error, Result};

/// Part 2 §17.1 [D UG]: the weight of the S3 and DynamoDB lists, the only AWS-managed lists localvpc has.
pub const AWS_MANAGED_WEIGHT: usize = 1;

impl Readable {
    /// `pl-…`.
    pub fn id(&self) -> &str {
        match self {
            Readable::Aws(list) => &list.id,
            Readable::Customer(list) => &list.id,
        }
    }

    /// The list's address family (AWS-managed lists hold IPv4 blocks only).
    pub fn family(&self) -> AddressFamily {
        match self {
            Readable::Aws(_) => AddressFamily::IPv4,
            Readable::Customer(list) => list.address_family,
        }
    }

    /// Part 2 §17.3 [D]: a reference costs `MaxEntries` against "rules per group" / "routes per table" (however
    /// many entries the list holds now); an AWS-managed list costs its published weight.
    pub fn weight(&self) -> usize {
        match self {
            Readable::Aws(_) => AWS_MANAGED_WEIGHT,
            Readable::Customer(list) => list.max_entries as usize,
        }
    }

    /// Part 2 §17.3 [D]: the blocks of the current version — what a rule or route naming the list matches.
    pub fn current_blocks(&self) -> Vec<IpNet> {
        let texts: Vec<&str> = match self {
            Readable::Aws(list) => list.cidrs.iter().map(String::as_str).collect(),
            Readable::Customer(list) => list.current().entries.iter().map(|entry| entry.cidr.as_str()).collect(),
        };
        texts.into_iter().filter_map(|text| text.parse().ok()).collect()
    }
}

/// Part 2 §17.2 GetManagedPrefixListAssociations: the resources of the scope that reference the list, as
/// (resource ID, owner), by resource ID — security groups whose rules name it and route tables that route to it.
/// A list is referenced only by
/// resources of its own account (another account's list is not found), so the scope's region is all there is.
pub fn referencing_resources(region: &RegionState, prefix_list_id: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = region
        .security_groups
        .values()
        .filter(|group| {
            group.ingress.iter().chain(&group.egress).any(|rule| rule.peer.prefix_list_id() == Some(prefix_list_id))
        })
        .map(|group| (group.id.clone(), group.owner_id.clone()))
        .collect();
    let tables = crate::route_table::tables_routing_to(region, prefix_list_id);
    found.extend(tables.iter().map(|table| (table.id.clone(), table.owner_id.clone())));
    found.sort();
    found
}

/// Part 2 §17.2 [D]: growing a list's `MaxEntries` fails if a group or route table that references it would then
/// exceed its quota (`RulesPerSecurityGroupLimitExceeded` / `RouteLimitExceeded`, §20). Checked against the list
/// as `tx` already holds it: a refused call is discarded whole, which is AWS's roll-back.
pub(crate) fn check_referencing_quotas(tx: &Tx, scope: &Scope, prefix_list_id: &str) -> Result<()> {
    let region = tx.region(scope);
    for (resource_id, _) in referencing_resources(region, prefix_list_id) {
        if let Some(group) = region.security_groups.get(resource_id.as_str()) {
            for direction in [Direction::Ingress, Direction::Egress] {
                crate::security_group::rules::check_rule_quota(tx, scope, group.rules(direction), &[])?;
            }
        } else if let Some(table) = region.route_tables.get(resource_id.as_str()) {
            let used = table.routes.iter().filter(|route| !route.is_local()).count()
                + crate::route_table::prefix_list_route_weight(region, table);
            crate::quotas::check(tx.quotas().routes_per_route_table, used, 0, || Ec2Error::RouteLimitExceeded)?;
        }
    }
    Ok(())
}
