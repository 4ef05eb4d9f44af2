//! Part 2 §17.3: security group rules and routes that reference a managed prefix list. Each test is named after the
//! rule it checks; the lists are made and changed through the model's own Create/Modify.

use localvpc_model::prefix_list::{self, CreateManagedPrefixList, ModifyManagedPrefixList, PrefixListEntry};
use localvpc_model::route_table::{self, RouteRequest};
use localvpc_model::security_group::RulePeer;

use super::lab::{Lab, Target};
use super::{codes, two_vpcs};
use crate::packet::{Code, HopKind, Protocol, Verdict};
use crate::topology::SgPeer;

/// A customer-managed IPv4 list holding `cidrs`; returns its ID.
pub(super) fn list(lab: &mut Lab, cidrs: &[&str]) -> String {
    let request = CreateManagedPrefixList {
        name: "office".into(),
        max_entries: 5,
        address_family: "IPv4".into(),
        entries: cidrs.iter().map(|cidr| PrefixListEntry { cidr: cidr.to_string(), description: None }).collect(),
        ..Default::default()
    };
    lab.tx(|tx, scope| prefix_list::create(tx, scope, request)).id.clone()
}

fn change(lab: &mut Lab, id: &str, add: &[&str], remove: &[&str]) {
    let request = ModifyManagedPrefixList {
        id: id.to_string(),
        add: add.iter().map(|cidr| PrefixListEntry { cidr: cidr.to_string(), description: None }).collect(),
        remove: remove.iter().map(|cidr| cidr.to_string()).collect(),
        ..Default::default()
    };
    lab.tx(|tx, scope| prefix_list::modify(tx, scope, request));
}

/// A and B peered with routes both ways, nothing admitted into B.
fn peered_closed() -> (Lab, [String; 2]) {
    let (mut lab, [a, b], _, instances) = two_vpcs();
    let pcx = lab.peer(&a, &b, None);
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx));
    (lab, instances)
}

#[test]
fn a_prefix_list_rule_admits_a_source_inside_any_block_of_the_list() {
    let (mut lab, [ia, ib]) = peered_closed();
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::EniSgRulesMismatch]);
    let office = list(&mut lab, &["192.168.0.0/16", "10.6.1.0/24"]);
    lab.allow(&ib, false, "icmp", Some((-1, -1)), RulePeer::PrefixList { prefix_list_id: office });
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn a_prefix_list_rule_follows_the_lists_current_version() {
    let (mut lab, [ia, ib]) = peered_closed();
    let office = list(&mut lab, &["10.6.1.0/24"]);
    lab.allow(&ib, false, "icmp", Some((-1, -1)), RulePeer::PrefixList { prefix_list_id: office.clone() });
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
    change(&mut lab, &office, &["10.6.2.0/24"], &["10.6.1.0/24"]);
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::EniSgRulesMismatch]);
    change(&mut lab, &office, &["10.6.0.0/16"], &[]);
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn an_egress_prefix_list_rule_limits_the_destinations() {
    let (mut lab, [ia, ib]) = peered_closed();
    lab.allow_in(&ib, "icmp", Some((-1, -1)), "10.6.0.0/16");
    lab.clear_egress(&ia);
    let elsewhere = list(&mut lab, &["10.8.0.0/16"]);
    lab.allow(&ia, true, "-1", None, RulePeer::PrefixList { prefix_list_id: elsewhere.clone() });
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::EniSgRulesMismatch]);
    change(&mut lab, &elsewhere, &["10.7.0.0/16"], &[]);
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn a_prefix_list_rule_keeps_its_protocol_and_ports() {
    let (mut lab, [ia, ib]) = peered_closed();
    let office = list(&mut lab, &["10.6.0.0/16"]);
    lab.allow(&ib, false, "tcp", Some((443, 443)), RulePeer::PrefixList { prefix_list_id: office });
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::EniSgRulesMismatch]);
    let topology = lab.topology();
    let group = lab.group_of(&ib);
    let blocks: Vec<_> = topology
        .groups
        .iter()
        .filter(|g| g.id == group)
        .flat_map(|g| g.ingress.iter())
        .filter(|rule| matches!(rule.peer, SgPeer::Cidr(_)))
        .map(|rule| (rule.protocol, rule.ports, rule.peer.clone()))
        .collect();
    assert_eq!(blocks, vec![(6, Some((443, 443)), SgPeer::Cidr("10.6.0.0/16".parse().unwrap()))]);
}

/// A and B peered; B routes back to A by CIDR and admits ICMP from A; A has no route to B yet.
fn peered_one_way() -> (Lab, [String; 2], String, String) {
    let (mut lab, [a, b], _, [ia, ib]) = two_vpcs();
    let pcx = lab.peer(&a, &b, None);
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx.clone()));
    lab.allow_in(&ib, "icmp", Some((-1, -1)), "10.6.0.0/16");
    (lab, [a, b], ia, pcx)
}

fn route_to_list(lab: &mut Lab, vpc_id: &str, prefix_list_id: &str, pcx: &str) {
    let request = RouteRequest {
        route_table_id: lab.main_table(vpc_id),
        destination_prefix_list_id: Some(prefix_list_id.to_string()),
        vpc_peering_connection_id: Some(pcx.to_string()),
        ..RouteRequest::default()
    };
    lab.tx(|tx, scope| route_table::create_route(tx, scope, &request));
}

fn crosses_peering(trace: &crate::Trace) -> bool {
    trace.forward.hops.iter().any(|hop| hop.kind == HopKind::PeeringConnection)
}

#[test]
fn a_prefix_list_route_routes_every_block_of_the_lists_current_version() {
    let (mut lab, [a, _], ia, pcx) = peered_one_way();
    let remote = list(&mut lab, &["10.9.0.0/16", "10.7.0.0/16"]);
    route_to_list(&mut lab, &a, &remote, &pcx);
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(crosses_peering(&trace));
    // A new version without the block takes the route away at once.
    change(&mut lab, &remote, &["10.8.0.0/16"], &["10.7.0.0/16"]);
    assert_eq!(codes(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)), vec![Code::NoRouteToDestination]);
}

#[test]
fn a_static_cidr_route_beats_a_prefix_list_route_on_the_same_block() {
    let (mut lab, [a, _], ia, pcx) = peered_one_way();
    let remote = list(&mut lab, &["10.7.0.0/16"]);
    route_to_list(&mut lab, &a, &remote, &pcx);
    let igw = lab.igw(&a);
    lab.route(&a, "10.7.0.0/16", Target::Gateway(igw));
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_ne!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(!crosses_peering(&trace), "{trace:#?}");
    // Positive control: without the static route the prefix-list route carries the packet.
    lab.delete_route(&a, "10.7.0.0/16");
    assert_eq!(lab.probe(&ia, "10.7.1.10", Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn a_longer_prefix_list_block_beats_a_shorter_static_route() {
    let (mut lab, [a, _], ia, pcx) = peered_one_way();
    let igw = lab.igw(&a);
    lab.route(&a, "10.7.0.0/16", Target::Gateway(igw));
    assert!(!crosses_peering(&lab.probe(&ia, "10.7.1.10", Protocol::Icmp)));
    let remote = list(&mut lab, &["10.7.1.0/24"]);
    route_to_list(&mut lab, &a, &remote, &pcx);
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(crosses_peering(&trace));
}
