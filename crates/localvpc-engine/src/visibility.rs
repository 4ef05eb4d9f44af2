//! What a caller may see of a walk: the one rule every front end (the JSON API's probe and explain, the Network
//! Insights analyses) applies before it renders a hop, a finding or a component.
//!
//! A walk crosses whatever the packet crosses, whoever owns it; an answer shows a caller the inside of its own
//! resources only. The rule, by the scope (account and region) that owns the place a hop or finding happened:
//!
//! 1. The caller's own scope: everything ([`Sight::Full`]).
//! 2. The emulated internet: everything; it belongs to nobody.
//! 3. A peering connection the caller is a party to (one of its VPCs is on either side): its ID, and the two VPC IDs
//!    in its detail — what DescribeVpcPeeringConnections shows both owners anyway.
//! 4. A component inside a VPC of another scope that an active peering joins to one of the caller's VPCs: its kind
//!    and its owner's account and region, nothing else — no ID, no name, no rule, no address beyond the ones the
//!    caller sent to ([`Sight::Owner`]).
//! 5. Anything else of another scope (say, an instance the caller reached through its public address from the
//!    internet): nothing, not even the kind ([`Sight::Hidden`]). The internet sees the verdict and the public
//!    address; so does the caller.
//!
//! ASSUMPTION (issue 8 [I]): AWS's Reachability Analyzer describes only resources of the accounts an analysis
//! includes, and names the accounts a path crosses beyond them as `SuggestedAccounts`; rules 4 and 5 are that
//! practice, with the peer's account named only where the caller already knows it from the peering connection.
//!
//! Pure: a function of the topology, the place and the caller's scope. Front ends never decide visibility
//! themselves; they ask [`sight`] (or [`leg_view`], which applies it to a whole leg) and render what it allows.

use localvpc_model::Scope;

use crate::packet::{Code, Endpoint, Finding, Hop, HopKind, Leg, Packet, Place};
use crate::rules::describe;
use crate::topology::{EniIx, Topology, VpcIx};

/// How much of one place a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight<'t> {
    /// Everything: the caller's own, the internet, or a peering connection it is a party to.
    Full,
    /// The kind of component and this owner only: a peer VPC's inside (rule 4).
    Owner(&'t Scope),
    /// Nothing at all (rule 5).
    Hidden,
}

/// What `viewer` may see of `place` (the module's rule).
pub fn sight<'t>(topology: &'t Topology, viewer: &Scope, place: &Place) -> Sight<'t> {
    let home = match place {
        Place::Internet => return Sight::Full,
        // A VPN's gateways, connections and site are one account's: seen whole by it, by nobody else.
        Place::VpnGateway { gateway, .. } => return scope_sight(viewer, &topology.vpn.gateways[*gateway].scope),
        Place::VpnConnection { site, .. } | Place::OnPremises(site) => {
            return scope_sight(viewer, &topology.vpn.sites[*site].scope)
        }
        Place::Interface(eni) | Place::SecurityGroups { eni, .. } => topology.enis[*eni].vpc,
        Place::Acl { subnet, .. } | Place::RouteTable { subnet, .. } => topology.subnets[*subnet].vpc,
        Place::Peering { vpc, peer, .. } => {
            if peer.is_some_and(|peer| topology.vpcs[peer].scope == *viewer) {
                return Sight::Full;
            }
            *vpc
        }
        // A transit gateway's tables belong to its owner; another account whose traffic crosses it (its VPCs are
        // attached: the gateway is shared with it) learns only whose gateway it is — RA's TGW_RTB_ROUTES_ARE_UNKNOWN.
        Place::TransitGateway { id, .. } => {
            return match topology.transit_gateway(id) {
                Some(gateway) if gateway.scope == *viewer => Sight::Full,
                Some(gateway) => Sight::Owner(&gateway.scope),
                None => Sight::Hidden,
            };
        }
        Place::InternetGateway { vpc, .. }
        | Place::NatGateway { vpc, .. }
        | Place::VpcEndpoint { vpc, .. }
        | Place::Vpc(vpc)
        | Place::Appliance { vpc, .. } => *vpc,
    };
    vpc_sight(topology, viewer, home)
}

/// What `viewer` may see of where a leg ended.
pub fn endpoint_sight<'t>(topology: &'t Topology, viewer: &Scope, endpoint: &Endpoint) -> Sight<'t> {
    match endpoint {
        // An AWS service's address is public, whichever way it was reached.
        Endpoint::Internet(_) | Endpoint::AwsService(..) => Sight::Full,
        Endpoint::Eni(eni) => eni_sight(topology, viewer, *eni),
        Endpoint::OnPremises(site, _) => scope_sight(viewer, &topology.vpn.sites[*site].scope),
    }
}

fn scope_sight<'t>(viewer: &Scope, owner: &Scope) -> Sight<'t> {
    if owner == viewer {
        Sight::Full
    } else {
        Sight::Hidden
    }
}

/// What `viewer` may see of an interface (and the instance behind it).
pub fn eni_sight<'t>(topology: &'t Topology, viewer: &Scope, eni: EniIx) -> Sight<'t> {
    vpc_sight(topology, viewer, topology.enis[eni].vpc)
}

fn vpc_sight<'t>(topology: &'t Topology, viewer: &Scope, vpc: VpcIx) -> Sight<'t> {
    let node = &topology.vpcs[vpc];
    if node.scope == *viewer {
        Sight::Full
    } else if node.active_peers.iter().any(|&peer| topology.vpcs[peer].scope == *viewer) {
        Sight::Owner(&node.scope)
    } else {
        Sight::Hidden
    }
}

/// A hop as a caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HopView<'a> {
    /// The hop itself.
    Shown(&'a Hop),
    /// A peer's component: its kind and owner.
    Withheld {
        /// What it is.
        kind: HopKind,
        /// Whose it is.
        owner: &'a Scope,
    },
    /// One or more consecutive hops the caller may not see at all, as one.
    Hidden,
}

/// A finding as a caller may see it. Findings the caller may not see at all are left out of the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingView<'a> {
    /// The finding itself.
    Shown(&'a Finding),
    /// A blocking setting of a peer: the explanation code, the owner, and words that name no resource.
    Withheld {
        /// The explanation code.
        code: Code,
        /// Whose setting blocks.
        owner: &'a Scope,
        /// What blocks, without IDs.
        detail: String,
        /// Whom to ask, and for what.
        fix: String,
    },
}

/// A leg as a caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegView<'a> {
    /// Hops, with runs of hidden ones folded into one [`HopView::Hidden`].
    pub hops: Vec<HopView<'a>>,
    /// Where the leg ended, when the caller may see it (`None` as well when it did not arrive).
    pub delivered: Option<(Endpoint, Packet)>,
    /// The findings the caller may see.
    pub findings: Vec<FindingView<'a>>,
    /// Something of the leg (a hop, a finding, where it ended) was withheld or hidden.
    pub withheld: bool,
}

/// Applies [`sight`] to every hop and finding of `leg`, and [`endpoint_sight`] to where it ended.
pub fn leg_view<'a>(topology: &'a Topology, viewer: &Scope, leg: &'a Leg) -> LegView<'a> {
    let mut hops = Vec::with_capacity(leg.hops.len());
    let mut withheld = false;
    for hop in &leg.hops {
        match sight(topology, viewer, &hop.place) {
            Sight::Full => hops.push(HopView::Shown(hop)),
            Sight::Owner(owner) => {
                withheld = true;
                hops.push(HopView::Withheld { kind: hop.kind, owner });
            }
            Sight::Hidden => {
                withheld = true;
                if hops.last() != Some(&HopView::Hidden) {
                    hops.push(HopView::Hidden);
                }
            }
        }
    }
    let delivered = match leg.delivered {
        Some((endpoint, packet)) if endpoint_sight(topology, viewer, &endpoint) == Sight::Full => {
            Some((endpoint, packet))
        }
        Some(_) => {
            withheld = true;
            None
        }
        None => None,
    };
    let mut findings = Vec::with_capacity(leg.findings.len());
    for finding in &leg.findings {
        match finding_view(topology, viewer, finding) {
            Some(view) => {
                withheld |= !matches!(view, FindingView::Shown(_));
                findings.push(view);
            }
            None => withheld = true,
        }
    }
    LegView { hops, delivered, findings, withheld }
}

/// One finding as `viewer` may see it; `None` when it may not see it at all.
pub fn finding_view<'a>(topology: &'a Topology, viewer: &Scope, finding: &'a Finding) -> Option<FindingView<'a>> {
    match sight(topology, viewer, &finding.place) {
        Sight::Full => Some(FindingView::Shown(finding)),
        Sight::Hidden => None,
        Sight::Owner(owner) => {
            let whose = format!("account {} ({})", owner.account, owner.region);
            let (noun, direction) = noun_of(&finding.place);
            let fix = match direction {
                Some(egress) => format!("ask account {} to allow {}", owner.account, towards(&finding.packet, egress)),
                None => format!("ask account {} to fix it", owner.account),
            };
            Some(FindingView::Withheld {
                code: finding.code,
                owner,
                detail: format!("{noun} of {whose} blocks the packet"),
                fix,
            })
        }
    }
}

/// The words for a place's kind, and for security groups and network ACLs the direction (`true`: outbound).
fn noun_of(place: &Place) -> (&'static str, Option<bool>) {
    match place {
        Place::Interface(_) => ("an instance", None),
        Place::SecurityGroups { egress, .. } => ("a security group", Some(*egress)),
        Place::Acl { egress, .. } => ("a network ACL", Some(*egress)),
        Place::RouteTable { .. } => ("a route table", None),
        Place::Peering { .. } => ("a peering connection", None),
        Place::InternetGateway { .. } => ("an internet gateway", None),
        Place::NatGateway { .. } => ("a NAT gateway", None),
        Place::VpcEndpoint { .. } => ("a VPC endpoint", None),
        Place::TransitGateway { .. } => ("a transit gateway", None),
        Place::Vpc(_) => ("a VPC", None),
        Place::Appliance { .. } => ("a route target", None),
        Place::Internet => ("the internet", None),
        Place::VpnGateway { .. } => ("a virtual private gateway", None),
        Place::VpnConnection { .. } => ("a VPN connection", None),
        Place::OnPremises(_) => ("an on-premises network", None),
    }
}

/// `tcp/5432 from 10.1.1.4/32` (inbound) or `… to …` (outbound): the traffic a peer's setting should let through,
/// named by addresses the caller already knows (its own, or the one it sent to).
fn towards(packet: &Packet, egress: bool) -> String {
    if egress {
        format!("{} to {}/32", describe(packet), packet.dst)
    } else {
        format!("{} from {}/32", describe(packet), packet.src)
    }
}
