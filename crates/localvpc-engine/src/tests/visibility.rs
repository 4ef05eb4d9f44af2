//! What a caller sees of a walk (`visibility`): its own resources whole, a peer's by kind and owner, anything else
//! of another account not at all.

use localvpc_model::Scope;

use super::lab::{Lab, Target};
use crate::packet::{Code, HopKind, Protocol, Verdict};
use crate::visibility::{leg_view, FindingView, HopView, Sight};

const OWNER: &str = "111111111111";
const OTHER: &str = "222222222222";

fn scope(account: &str, region: &str) -> Scope {
    Scope::new(account, region)
}

/// OWNER's instance 10.6.1.10 behind an Elastic IP and an internet gateway, ssh open to the world; returns the lab,
/// the instance and its public address.
fn public_instance() -> (Lab, String, String) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    let instance = lab.instance(&subnet, "10.6.1.10");
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    lab.allow_in(&instance, "tcp", Some((22, 22)), "0.0.0.0/0");
    let public = lab.eip(&instance).to_string();
    (lab, instance, public)
}

/// A VPC 10.7.0.0/16 of `peer` (account, region) with instance 10.7.1.10, peered with OWNER's VPC 10.6.0.0/16
/// (instance 10.6.1.10) and routed both ways; returns the lab, OWNER's instance, the peer's instance, the pcx.
fn peered_with(peer: Scope) -> (Lab, String, String, String) {
    let mut lab = Lab::new();
    let a = lab.vpc("10.6.0.0/16");
    let sa = lab.subnet(&a, "10.6.1.0/24");
    let ia = lab.instance(&sa, "10.6.1.10");
    let owner = lab.scope.clone();
    lab.scope = peer.clone();
    let b = lab.vpc("10.7.0.0/16");
    let sb = lab.subnet(&b, "10.7.1.0/24");
    let ib = lab.instance(&sb, "10.7.1.10");
    lab.scope = owner.clone();
    let pcx = lab.peer(&a, &b, Some(peer.clone()));
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    lab.scope = peer;
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx.clone()));
    lab.scope = owner;
    (lab, ia, ib, pcx)
}

fn kinds(hops: &[HopView]) -> Vec<Option<HopKind>> {
    hops.iter()
        .map(|hop| match hop {
            HopView::Shown(hop) => Some(hop.kind),
            HopView::Withheld { kind, .. } => Some(*kind),
            HopView::Hidden => None,
        })
        .collect()
}

#[test]
fn from_the_internet_another_accounts_instance_is_one_hidden_hop_and_no_delivery() {
    let (lab, _, public) = public_instance();
    let topology = lab.topology();
    let trace = lab.probe("internet", &public, Protocol::Tcp(22));
    assert_eq!(trace.verdict, Verdict::Reachable);

    let outsider = leg_view(&topology, &scope(OTHER, "us-east-1"), &trace.forward);
    assert_eq!(outsider.hops, vec![HopView::Hidden]);
    assert_eq!((outsider.delivered, outsider.findings.len(), outsider.withheld), (None, 0, true));
    let reply = leg_view(&topology, &scope(OTHER, "us-east-1"), trace.reply.as_ref().unwrap());
    assert_eq!(kinds(&reply.hops), vec![None, Some(HopKind::Internet)]);
    assert!(reply.delivered.is_some(), "the internet host the answer reaches is no one's secret");

    // The owner sees every hop and where the packet landed; so does nobody else, not even the owner elsewhere.
    let owner = leg_view(&topology, &lab.scope, &trace.forward);
    assert!(owner.hops.iter().all(|hop| matches!(hop, HopView::Shown(_))), "{owner:?}");
    assert!(owner.delivered.is_some() && !owner.withheld);
    let owner_elsewhere = leg_view(&topology, &scope(OWNER, "eu-west-1"), &trace.forward);
    assert_eq!(owner_elsewhere.hops, vec![HopView::Hidden]);
}

#[test]
fn from_the_internet_another_accounts_blocking_group_is_left_out() {
    let (lab, _, public) = public_instance();
    let topology = lab.topology();
    let trace = lab.explain("internet", &public, Protocol::Tcp(80));
    assert_eq!(trace.findings().map(|f| f.code).collect::<Vec<_>>(), vec![Code::EniSgRulesMismatch]);
    let outsider = leg_view(&topology, &scope(OTHER, "us-east-1"), &trace.forward);
    assert!(outsider.findings.is_empty() && outsider.withheld);
    let owner = leg_view(&topology, &lab.scope, &trace.forward);
    assert!(
        matches!(owner.findings.as_slice(), [FindingView::Shown(finding)] if finding.code == Code::EniSgRulesMismatch)
    );
}

#[test]
fn over_a_cross_account_peering_the_peers_components_show_their_kind_and_owner() {
    let peer = scope(OTHER, "us-east-1");
    let (mut lab, ia, ib, pcx) = peered_with(peer.clone());
    lab.scope = peer.clone();
    lab.allow_in(&ib, "icmp", None, "10.6.0.0/16");
    let owner = scope(OWNER, "us-east-1");
    let topology = lab.topology();
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);

    let view = leg_view(&topology, &owner, &trace.forward);
    let shown: Vec<&str> = view
        .hops
        .iter()
        .filter_map(|hop| match hop {
            HopView::Shown(hop) => Some(hop.kind.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        shown,
        ["network-interface", "security-group-egress", "network-acl-outbound", "route-table", "vpc-peering-connection"]
    );
    assert!(matches!(&view.hops[4], HopView::Shown(hop) if hop.id == pcx));
    assert_eq!(
        view.hops[5..],
        [
            HopView::Withheld { kind: HopKind::AclInbound, owner: &peer },
            HopView::Withheld { kind: HopKind::SecurityGroupIngress, owner: &peer },
            HopView::Withheld { kind: HopKind::NetworkInterface, owner: &peer },
        ]
    );
    assert_eq!(view.delivered, None);
    // The peer's own view of the same walk shows its side whole and the requester's by kind.
    let peer_view = leg_view(&topology, &peer, &trace.forward);
    assert!(
        matches!(&peer_view.hops[0], HopView::Withheld { kind: HopKind::NetworkInterface, owner: o } if **o == owner)
    );
    assert!(matches!(&peer_view.hops[4], HopView::Shown(hop) if hop.id == pcx), "both parties see the connection");
    assert!(peer_view.delivered.is_some());
    // A third account sees none of it, the connection included.
    let third = leg_view(&topology, &scope("333333333333", "us-east-1"), &trace.forward);
    assert_eq!(third.hops, vec![HopView::Hidden]);
}

#[test]
fn a_peers_blocking_group_is_named_by_owner_with_the_traffic_to_allow() {
    let peer = scope(OTHER, "us-east-1");
    let (lab, ia, _, _) = peered_with(peer.clone());
    let topology = lab.topology();
    let trace = lab.explain(&ia, "10.7.1.10", Protocol::Tcp(5432));
    let view = leg_view(&topology, &lab.scope, &trace.forward);
    assert_eq!(
        view.findings,
        vec![FindingView::Withheld {
            code: Code::EniSgRulesMismatch,
            owner: &peer,
            detail: format!("a security group of account {OTHER} (us-east-1) blocks the packet"),
            fix: format!("ask account {OTHER} to allow tcp/5432 from 10.6.1.10/32"),
        }]
    );
}

#[test]
fn the_same_account_in_another_region_is_another_scope() {
    let peer = scope(OWNER, "eu-west-1");
    let (mut lab, ia, ib, _) = peered_with(peer.clone());
    lab.scope = peer.clone();
    lab.allow_in(&ib, "icmp", None, "10.6.0.0/16");
    let topology = lab.topology();
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    let view = leg_view(&topology, &scope(OWNER, "us-east-1"), &trace.forward);
    assert!(matches!(view.hops.last(), Some(HopView::Withheld { owner, .. }) if **owner == peer), "{view:?}");
    let last = trace.forward.hops.last().unwrap();
    assert_eq!(crate::visibility::sight(&topology, &peer, &last.place), Sight::Full);
}
