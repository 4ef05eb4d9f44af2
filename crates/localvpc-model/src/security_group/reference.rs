//! Rules that reference a group (spec §2.7, §2.6 "SG reference to peer group"): which groups a rule may name, how a
//! reference into a peered VPC is shown, when it is stale, and who references whom.
//!
//! A rule may name a group of its own VPC, or — only while an `active` peering connection joins the two VPCs — a
//! group of a peered VPC in the same region, of this account or another (`UserId`). Groups of other regions are
//! never found, since a rule's group is looked up in the rule's own region (spec §2.7 [D]: cross-region references
//! are not supported). Staleness is computed from current state, never stored: deleting the peering makes the rule
//! stale (it is kept), and peering the same two VPCs again makes it live again.

use crate::filter::{paginate, Page, PageRequest};
use crate::ids::IdKind;
use crate::vpc_peering::{active_between, VpcPeeringConnection};
use crate::world::{Scope, World};
use crate::{Ec2Error, Result};

use super::permission::GroupPair;
use super::{Direction, RulePeer, SecurityGroup, SecurityGroupRule};

/// What a group reference is resolved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Authorize: the group must exist and be reachable (same VPC or an active peering).
    Authorize,
    /// Revoke: only the identity matters, so stale references to vanished groups can still be revoked.
    Revoke,
}

/// Resolves one `Groups.M` of a request on `owner` (the group whose rules change) into a rule peer.
pub fn resolve_peer(world: &World, owner: &SecurityGroup, pair: &GroupPair, purpose: Purpose) -> Result<RulePeer> {
    let user_id = pair.user_id.clone().unwrap_or_else(|| owner.owner_id.clone());
    let peer_scope = Scope::new(&user_id, &owner.region);
    let peer_groups = &world.region(&peer_scope).security_groups;
    let referenced = match (&pair.group_id, &pair.group_name) {
        (Some(group_id), _) => {
            IdKind::SecurityGroup.check(group_id)?;
            match (peer_groups.get(group_id.as_str()), purpose) {
                (Some(group), _) => group.clone(),
                (None, Purpose::Revoke) => {
                    return Ok(RulePeer::Group { user_id, group_id: group_id.clone(), vpc_id: None });
                }
                (None, Purpose::Authorize) => return Err(Ec2Error::SecurityGroupNotFound(vec![group_id.clone()])),
            }
        }
        (None, Some(name)) => {
            // ASSUMPTION (spec §2.7 [D] says names are for the default VPC): a name of the caller's own account is
            // looked up in the owner's VPC (which is the default VPC in AWS's documented case), a name of another
            // account in that account's default VPC.
            let vpc_id = if user_id == owner.owner_id {
                owner.vpc_id.clone()
            } else {
                world.region(&peer_scope).index.default_vpc().unwrap_or_default().to_string()
            };
            let peer_region = world.region(&peer_scope);
            peer_region
                .index
                .security_groups
                .by_name(&vpc_id, name)
                .and_then(|id| peer_groups.get(id))
                .cloned()
                .ok_or_else(|| Ec2Error::SecurityGroupNameNotFound(name.clone(), vpc_id))?
        }
        (None, None) => return Err(Ec2Error::MissingParameter("GroupId".into())),
    };
    if referenced.vpc_id == owner.vpc_id {
        return Ok(RulePeer::Group { user_id, group_id: referenced.id.clone(), vpc_id: None });
    }
    let peered = active_between(world, &owner.scope(), &owner.vpc_id, &peer_scope, &referenced.vpc_id).is_some();
    if purpose == Purpose::Authorize && !peered {
        // Spec §2.7 [O] / §2.6 table: another VPC is reachable only over an active same-region peering.
        return Err(Ec2Error::SecurityGroupsInDifferentNetworks);
    }
    Ok(RulePeer::Group { user_id, group_id: referenced.id.clone(), vpc_id: Some(referenced.vpc_id.clone()) })
}

/// How a reference into another VPC looks from the referencing group.
#[derive(Debug, Clone)]
pub struct PeerLink<'w> {
    /// The referenced group's VPC.
    pub vpc_id: String,
    /// The active connection joining the two VPCs, else the latest one that did (for its ID).
    pub pcx: Option<&'w VpcPeeringConnection>,
    /// An active connection joins the VPCs and the referenced group exists.
    pub active: bool,
}

impl PeerLink<'_> {
    /// `peeringStatus`: `active`, or `deleted` once the rule is stale (spec §2.6 [D]).
    pub fn peering_status(&self) -> &'static str {
        if self.active {
            "active"
        } else {
            "deleted"
        }
    }
}

/// The peering side of a group reference of `owner`, or `None` for a reference inside the owner's VPC (and for
/// peers that are not groups).
pub fn peer_link<'w>(world: &'w World, owner: &SecurityGroup, peer: &RulePeer) -> Option<PeerLink<'w>> {
    let RulePeer::Group { user_id, group_id, vpc_id } = peer else { return None };
    let peer_scope = Scope::new(user_id, &owner.region);
    let referenced = world.region(&peer_scope).security_groups.get(group_id.as_str());
    let peer_vpc = referenced.map(|group| group.vpc_id.clone()).or_else(|| vpc_id.clone())?;
    if peer_vpc == owner.vpc_id {
        return None;
    }
    let owner_scope = owner.scope();
    let active = active_between(world, &owner_scope, &owner.vpc_id, &peer_scope, &peer_vpc);
    let pcx = active.or_else(|| {
        world
            .peerings()
            .values()
            .map(|pcx| &**pcx)
            .filter(|pcx| {
                pcx.sides_of(&owner_scope, &owner.vpc_id)
                    .is_some_and(|(_, other)| other.scope() == peer_scope && other.vpc_id == peer_vpc)
            })
            .max_by_key(|pcx| pcx.status_since)
    });
    Some(PeerLink { vpc_id: peer_vpc, pcx, active: active.is_some() && referenced.is_some() })
}

/// Spec §2.6 [D]: a rule referencing a group across a peering that no longer carries it is stale.
pub fn is_stale(world: &World, owner: &SecurityGroup, rule: &SecurityGroupRule) -> bool {
    peer_link(world, owner, &rule.peer).is_some_and(|link| !link.active)
}

/// The stale rules of one direction of a group.
pub fn stale_rules<'g>(world: &World, group: &'g SecurityGroup, direction: Direction) -> Vec<&'g SecurityGroupRule> {
    group.rules(direction).iter().filter(|rule| is_stale(world, group, rule)).collect()
}

/// Whether a rule of any group other than `group` itself names it (any account of the region, any VPC).
pub fn is_referenced_by_other_group(world: &World, group: &SecurityGroup) -> bool {
    world.index().is_group_referenced(&group.id)
}

fn references(peer: &RulePeer, group: &SecurityGroup) -> bool {
    matches!(peer, RulePeer::Group { user_id, group_id, .. } if *user_id == group.owner_id && *group_id == group.id)
}

/// One row of DescribeSecurityGroupReferences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupReference {
    /// The caller's group that is referenced.
    pub group_id: String,
    /// The peered VPC whose group references it.
    pub referencing_vpc_id: String,
    /// The connection the reference goes through.
    pub vpc_peering_connection_id: String,
}

/// DescribeSecurityGroupReferences (spec §2.7): for each of the caller's groups, the peered VPCs (any account of the
/// region) holding a live rule that references it.
pub fn references_to(world: &World, scope: &Scope, group_ids: &[String]) -> Result<Vec<GroupReference>> {
    if group_ids.is_empty() {
        return Err(Ec2Error::MissingParameter("GroupId".into()));
    }
    let region = world.region(scope);
    let mut found = Vec::new();
    for group_id in group_ids {
        let group = super::find(region, group_id)?;
        for (_, other_region) in world.scopes().filter(|(other, _)| other.region == scope.region) {
            for other in other_region.security_groups.values().filter(|other| other.vpc_id != group.vpc_id) {
                for rule in other.ingress.iter().chain(&other.egress).filter(|rule| references(&rule.peer, &group)) {
                    let Some(link) = peer_link(world, other, &rule.peer).filter(|link| link.active) else { continue };
                    let row = GroupReference {
                        group_id: group.id.clone(),
                        referencing_vpc_id: other.vpc_id.clone(),
                        vpc_peering_connection_id: link.pcx.map(|pcx| pcx.id.clone()).unwrap_or_default(),
                    };
                    if !found.contains(&row) {
                        found.push(row);
                    }
                }
            }
        }
    }
    Ok(found)
}

/// DescribeStaleSecurityGroups (spec §2.7): the groups of one of the caller's VPCs that have stale rules.
pub fn stale_groups(
    world: &World,
    scope: &Scope,
    vpc_id: &str,
    page: &PageRequest,
) -> Result<Page<std::sync::Arc<SecurityGroup>>> {
    let region = world.region(scope);
    let vpc = crate::vpc::find(region, vpc_id)?;
    paginate(&region.security_groups, page, |group| {
        group.vpc_id == vpc.id && group.ingress.iter().chain(&group.egress).any(|rule| is_stale(world, group, rule))
    })
}
