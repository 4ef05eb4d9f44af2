//! The accepter's and the owners' transitions of a peering connection (spec §2.6): AcceptVpcPeeringConnection,
//! RejectVpcPeeringConnection and DeleteVpcPeeringConnection — who may make each, from which state, and the quota
//! an acceptance counts against.

use super::{find, overlapping, side_vpc, PeeringSide, PeeringStatus, VpcPeeringConnection};
use crate::error::PeeringError;
use crate::world::{Scope, Timestamp, Tx};
use crate::{Ec2Error, Result};

fn invalid_transition(pcx: &VpcPeeringConnection, from: PeeringStatus, to: &str) -> Ec2Error {
    Ec2Error::from(PeeringError::InvalidStateTransition {
        pcx_id: pcx.id.clone(),
        from: from.code(),
        to: to.to_string(),
    })
}

/// The accepter-side checks shared by Accept and Reject: account first, then region, then state (moto's order).
fn check_accepter(pcx: &VpcPeeringConnection, scope: &Scope, now: Timestamp, verb: &'static str) -> Result<()> {
    if pcx.accepter.account != scope.account {
        return Err(Ec2Error::from(PeeringError::NotAccepter {
            account: scope.account.clone(),
            verb,
            pcx_id: pcx.id.clone(),
        }));
    }
    if pcx.accepter.region != scope.region {
        return Err(Ec2Error::from(PeeringError::WrongRegion {
            region: scope.region.clone(),
            pcx_id: pcx.id.clone(),
            accepter_region: pcx.accepter.region.clone(),
            verb,
        }));
    }
    let status = pcx.status_at(now);
    if status != PeeringStatus::PendingAcceptance {
        let target = if verb == "accept" { "active" } else { "rejected" };
        return Err(invalid_transition(pcx, status, target));
    }
    Ok(())
}

/// AcceptVpcPeeringConnection (spec §2.6): returns the connection as the response shows it (`provisioning`).
pub fn accept(tx: &mut Tx, scope: &Scope, pcx_id: &str) -> Result<VpcPeeringConnection> {
    let now = tx.now();
    let mut pcx = find(tx.world(), scope, pcx_id, now)?;
    check_accepter(&pcx, scope, now, "accept")?;
    // Spec §2.6 [O]: only one connection between two VPCs can be active; accepting a second one fails.
    let duplicate = tx.world().peerings().values().any(|other| {
        other.id != pcx.id && other.status_at(now) == PeeringStatus::Active && joins_same_vpcs(other, &pcx)
    });
    if duplicate {
        return Err(Ec2Error::from(PeeringError::AlreadyExists(pcx.id.clone())));
    }
    // Spec §2.6 [D]: acceptance re-checks the peer VPC and overlap (the accepter may have added a block).
    let peer_gone = side_vpc(tx.world(), &pcx.accepter).is_none() || side_vpc(tx.world(), &pcx.requester).is_none();
    pcx.status = if peer_gone || overlapping(tx.world(), &pcx.requester, &pcx.accepter) {
        PeeringStatus::Failed
    } else {
        PeeringStatus::Active
    };
    if pcx.status == PeeringStatus::Active {
        check_active_quota(tx, &pcx, now)?;
    }
    pcx.status_since = now;
    tx.put_peering(pcx.clone());
    if pcx.status == PeeringStatus::Active {
        pcx.status = PeeringStatus::Provisioning;
    }
    Ok(pcx)
}

/// Spec §5: active peering connections per VPC, checked for both of the connection's VPCs (the requester's first).
fn check_active_quota(tx: &Tx, pcx: &VpcPeeringConnection, now: Timestamp) -> Result<()> {
    let limit = tx.quotas().active_peerings_per_vpc;
    for side in [&pcx.requester, &pcx.accepter] {
        let same_vpc =
            |end: &PeeringSide| end.vpc_id == side.vpc_id && end.account == side.account && end.region == side.region;
        let active = tx
            .world()
            .peerings()
            .values()
            .filter(|other| other.id != pcx.id && other.status_at(now) == PeeringStatus::Active)
            .filter(|other| same_vpc(&other.requester) || same_vpc(&other.accepter))
            .count();
        // ASSUMPTION (spec §2.6/§5 name two codes [D]): Accept answers ActiveVpcPeeringConnectionPerVpcLimitExceeded,
        // the code errors-overview describes as "active VPC peering connections … for the specified VPC";
        // VpcPeeringConnectionsPerVpcLimitExceeded is not used.
        crate::quotas::check(limit, active, 1, || {
            Ec2Error::ActiveVpcPeeringConnectionPerVpcLimitExceeded(side.vpc_id.clone())
        })?;
    }
    Ok(())
}

fn joins_same_vpcs(a: &VpcPeeringConnection, b: &VpcPeeringConnection) -> bool {
    let key = |side: &PeeringSide| (side.account.clone(), side.region.clone(), side.vpc_id.clone());
    let mut a_pair = [key(&a.requester), key(&a.accepter)];
    let mut b_pair = [key(&b.requester), key(&b.accepter)];
    a_pair.sort();
    b_pair.sort();
    a_pair == b_pair
}

/// RejectVpcPeeringConnection (spec §2.6).
pub fn reject(tx: &mut Tx, scope: &Scope, pcx_id: &str) -> Result<()> {
    let now = tx.now();
    let mut pcx = find(tx.world(), scope, pcx_id, now)?;
    check_accepter(&pcx, scope, now, "reject")?;
    pcx.status = PeeringStatus::Rejected;
    pcx.status_since = now;
    pcx.ended_by = Some(scope.account.clone());
    tx.put_peering(pcx);
    Ok(())
}

/// DeleteVpcPeeringConnection (spec §2.6): active → either owner; pending → the requester only; terminal →
/// `InvalidStateTransition`.
pub fn delete(tx: &mut Tx, scope: &Scope, pcx_id: &str) -> Result<()> {
    let now = tx.now();
    let mut pcx = find(tx.world(), scope, pcx_id, now)?;
    let status = pcx.status_at(now);
    match status {
        PeeringStatus::Active => {}
        PeeringStatus::PendingAcceptance if pcx.requester.is(scope) => {}
        PeeringStatus::PendingAcceptance => {
            // ASSUMPTION (spec §2.6 [I] code): the accepter must Reject, not Delete, a pending request.
            return Err(Ec2Error::from(PeeringError::NotRequester {
                account: scope.account.clone(),
                pcx_id: pcx.id.clone(),
            }));
        }
        other => return Err(invalid_transition(&pcx, other, "deleting")),
    }
    pcx.status = PeeringStatus::Deleted;
    pcx.status_since = now;
    pcx.ended_by = Some(scope.account.clone());
    tx.put_peering(pcx);
    Ok(())
}
