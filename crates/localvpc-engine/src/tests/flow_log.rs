//! VPC flow log records (part 2 §18.3): one test per rule of which interface logs which packet with which action.

use std::net::Ipv4Addr;

use localvpc_model::flow_log::format::Action;

use super::lab::{Lab, Target};
use super::two_vpcs;
use crate::flow_log::{records, unlogged_peers, FlowRecord};
use crate::packet::{Protocol, Verdict, INTERNET_HOST};

/// A record as (interface, direction, src, dst, srcport, dstport, protocol, action).
type Line = (String, &'static str, String, String, u16, u16, i32, Action);

/// Each record as a [`Line`].
fn lines(lab: &Lab, records: &[FlowRecord]) -> Vec<Line> {
    let topology = lab.topology();
    records
        .iter()
        .map(|r| {
            (
                topology.enis[r.eni].id.clone(),
                if r.ingress { "in" } else { "out" },
                r.srcaddr.to_string(),
                r.dstaddr.to_string(),
                r.srcport,
                r.dstport,
                r.protocol,
                r.action,
            )
        })
        .collect()
}

fn eni_of(lab: &Lab, instance: &str) -> String {
    let topology = lab.topology();
    topology.enis[topology.instance_eni(instance).unwrap()].id.clone()
}

/// One VPC, one subnet, two instances (10.8.1.10 and 10.8.1.20) in the default group (all traffic between them).
fn neighbours() -> (Lab, String, String, String) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.8.0.0/16");
    let subnet = lab.subnet(&vpc, "10.8.1.0/24");
    let a = lab.instance(&subnet, "10.8.1.10");
    let b = lab.instance_in_new_group(&vpc, &subnet, "10.8.1.20", "web");
    (lab, subnet, a, b)
}

#[test]
fn a_ping_answered_between_two_interfaces_logs_four_accepts_with_ports_zero_and_protocol_1() {
    let (mut lab, _, a, b) = neighbours();
    lab.allow_in(&b, "icmp", Some((-1, -1)), "10.8.0.0/16");
    let trace = lab.probe(&a, "10.8.1.20", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    let (ea, eb) = (eni_of(&lab, &a), eni_of(&lab, &b));
    let (x, y) = ("10.8.1.10".to_string(), "10.8.1.20".to_string());
    assert_eq!(
        lines(&lab, &records(&lab.topology(), &trace)),
        vec![
            (ea.clone(), "out", x.clone(), y.clone(), 0, 0, 1, Action::Accept),
            (eb.clone(), "in", x.clone(), y.clone(), 0, 0, 1, Action::Accept),
            (eb, "out", y.clone(), x.clone(), 0, 0, 1, Action::Accept),
            (ea, "in", y, x, 0, 0, 1, Action::Accept),
        ]
    );
}

#[test]
fn a_security_group_denying_inbound_leaves_one_reject_on_the_target_and_accept_at_the_sender() {
    let (mut lab, _, a, b) = neighbours();
    lab.allow_in(&b, "icmp", Some((-1, -1)), "10.8.0.0/16");
    let trace = lab.probe(&a, "10.8.1.20", Protocol::Tcp(22));
    assert_eq!(trace.verdict, Verdict::Dropped);
    let (ea, eb) = (eni_of(&lab, &a), eni_of(&lab, &b));
    let (x, y) = ("10.8.1.10".to_string(), "10.8.1.20".to_string());
    let found = records(&lab.topology(), &trace);
    assert_eq!(
        lines(&lab, &found),
        vec![
            (ea, "out", x.clone(), y.clone(), 50000, 22, 6, Action::Accept),
            (eb, "in", x, y, 50000, 22, 6, Action::Reject)
        ]
    );
    assert_eq!(found.iter().map(|r| r.tcp_flags).collect::<Vec<_>>(), vec![Some(2), Some(2)], "SYN");
}

#[test]
fn a_closed_port_answers_with_a_reset_whose_record_carries_the_rst_flag() {
    let (mut lab, _, a, b) = neighbours();
    lab.allow_in(&b, "tcp", Some((0, 65535)), "10.8.0.0/16");
    let trace = lab.probe(&a, "10.8.1.20", Protocol::Tcp(8080));
    assert_eq!(trace.verdict, Verdict::Refused);
    let found = records(&lab.topology(), &trace);
    let flags: Vec<(bool, Option<u8>, u64)> = found.iter().map(|r| (r.ingress, r.tcp_flags, r.bytes)).collect();
    assert_eq!(flags, vec![(false, Some(2), 60), (true, Some(2), 60), (false, Some(4), 40), (true, Some(4), 40)]);
}

#[test]
fn a_nacl_allowing_the_request_but_denying_the_reply_logs_accept_then_reject_on_the_instance() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.9.0.0/16");
    let subnet = lab.subnet(&vpc, "10.9.1.0/24");
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    let host = lab.instance(&subnet, "10.9.1.10");
    let public = lab.eip(&host);
    lab.allow_in(&host, "icmp", Some((-1, -1)), "0.0.0.0/0");
    lab.custom_acl(&vpc, &subnet);
    lab.acl_entry(&subnet, 100, false, true, "1", "0.0.0.0/0", None);
    let trace = lab.probe("internet", &public.to_string(), Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    let eni = eni_of(&lab, &host);
    let (internet, private) = (INTERNET_HOST.to_string(), "10.9.1.10".to_string());
    assert_eq!(
        lines(&lab, &records(&lab.topology(), &trace)),
        vec![
            (eni.clone(), "in", internet.clone(), private.clone(), 0, 0, 1, Action::Accept),
            (eni.clone(), "out", private.clone(), internet.clone(), 0, 0, 1, Action::Reject),
        ],
        "the primary private address, never the Elastic IP {public}"
    );
    // Positive control: with the reply allowed, both records are ACCEPT.
    lab.acl_entry(&subnet, 100, true, true, "1", "0.0.0.0/0", None);
    let trace = lab.probe("internet", &public.to_string(), Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    let actions: Vec<Action> = records(&lab.topology(), &trace).iter().map(|r| r.action).collect();
    assert_eq!(actions, vec![Action::Accept, Action::Accept]);
}

#[test]
fn a_nacl_denying_the_request_inbound_is_reject_on_the_target() {
    let (mut lab, [a, b], [_, sb], [ia, ib]) = two_vpcs();
    let pcx = lab.peer(&a, &b, None);
    lab.route(&a, "10.7.0.0/16", Target::Peering(pcx.clone()));
    lab.route(&b, "10.6.0.0/16", Target::Peering(pcx));
    lab.allow_in(&ib, "icmp", Some((-1, -1)), "10.6.0.0/16");
    lab.custom_acl(&b, &sb);
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    let found = records(&lab.topology(), &trace);
    let summary: Vec<(String, bool, Action, Option<u8>)> =
        found.iter().map(|r| (lab.topology().enis[r.eni].id.clone(), r.ingress, r.action, r.traffic_path)).collect();
    assert_eq!(
        summary,
        vec![(eni_of(&lab, &ia), false, Action::Accept, Some(4)), (eni_of(&lab, &ib), true, Action::Reject, None)]
    );
}

#[test]
fn a_packet_routing_drops_is_accept_at_the_sender_and_nothing_at_the_destination() {
    let (lab, _, _, [ia, _]) = two_vpcs();
    let trace = lab.probe(&ia, "10.7.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(
        lines(&lab, &records(&lab.topology(), &trace)),
        vec![(eni_of(&lab, &ia), "out", "10.6.1.10".into(), "10.7.1.10".into(), 0, 0, 1, Action::Accept)]
    );
}

#[test]
fn the_senders_own_group_denying_outbound_is_reject_at_the_sender() {
    let (mut lab, _, a, _) = neighbours();
    lab.clear_egress(&a);
    let trace = lab.probe(&a, "10.8.1.20", Protocol::Icmp);
    let found = records(&lab.topology(), &trace);
    assert_eq!(found.iter().map(|r| (r.ingress, r.action)).collect::<Vec<_>>(), vec![(false, Action::Reject)]);
    assert_eq!(found[0].dstaddr, "10.8.1.20".parse::<Ipv4Addr>().unwrap());
}

#[test]
fn the_amazon_resolver_metadata_and_time_sync_are_never_logged() {
    let (lab, _, a, _) = neighbours();
    for to in ["10.8.0.2", "169.254.169.253", "169.254.169.254", "169.254.169.123"] {
        let trace = lab.probe(&a, to, Protocol::Udp(53));
        assert_eq!(records(&lab.topology(), &trace), Vec::new(), "{to}");
    }
    // Positive control: a custom DNS server's traffic is logged.
    let trace = lab.probe(&a, "10.8.1.20", Protocol::Udp(53));
    assert_eq!(records(&lab.topology(), &trace).first().map(|r| (r.protocol, r.dstport)), Some((17, 53)));
}

#[test]
fn the_subnet_router_is_never_logged_and_the_unlogged_peers_name_every_never_logged_address() {
    let (lab, _, a, _) = neighbours();
    let topology = lab.topology();
    let trace = lab.probe(&a, "10.8.1.1", Protocol::Icmp);
    assert_eq!(records(&topology, &trace), Vec::new());
    let eni = topology.instance_eni(&a).unwrap();
    let peers: Vec<String> = unlogged_peers(&topology, eni).iter().map(ToString::to_string).collect();
    assert_eq!(peers, ["169.254.169.253", "169.254.169.254", "169.254.169.123", "10.8.0.1", "10.8.0.2", "10.8.1.1"]);
    // Positive control: a neighbour's address is logged.
    let trace = lab.probe(&a, "10.8.1.20", Protocol::Icmp);
    assert_eq!(records(&topology, &trace).first().map(|r| (r.protocol, r.action)), Some((1, Action::Accept)));
}

#[test]
fn a_nat_gateway_interface_logs_both_legs_with_its_own_address_on_its_side() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.20.0.0/16");
    let public = lab.subnet(&vpc, "10.20.0.0/24");
    let private = lab.subnet(&vpc, "10.20.1.0/24");
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    let (nat, _) = lab.nat_gateway(&public, true);
    let table = lab.own_table(&vpc, &private);
    lab.route_in(&table, "0.0.0.0/0", Target::Nat(nat.clone()));
    let host = lab.instance(&private, "10.20.1.10");
    let trace = lab.probe(&host, "203.0.113.7", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    let topology = lab.topology();
    let nat_eni = topology.nat_gateway(&nat).unwrap().eni.unwrap();
    let nat_ip = topology.enis[nat_eni].private_ip.unwrap().to_string();
    let at_nat: Vec<(bool, String, String, String)> = records(&topology, &trace)
        .iter()
        .filter(|r| r.eni == nat_eni)
        .map(|r| (r.ingress, r.srcaddr.to_string(), r.dstaddr.to_string(), r.pkt_dst.to_string()))
        .collect();
    assert_eq!(
        at_nat,
        vec![
            (true, "10.20.1.10".into(), nat_ip.clone(), "203.0.113.7".into()),
            (false, nat_ip.clone(), "203.0.113.7".into(), "203.0.113.7".into()),
            (true, "203.0.113.7".into(), nat_ip.clone(), nat_ip.clone()),
            (false, nat_ip.clone(), "10.20.1.10".into(), "10.20.1.10".into()),
        ]
    );
}

#[test]
fn transit_gateway_attachment_interfaces_log_the_packet_entering_and_leaving_the_gateway() {
    let mut lab = Lab::new();
    let (gateway, _) = lab.transit_gateway();
    let mut hosts = Vec::new();
    let mut attachments = Vec::new();
    for n in 1..=2 {
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let subnet = lab.subnet_in(&vpc, &format!("10.{n}.1.0/24"), "us-east-1a");
        let host = lab.instance(&subnet, &format!("10.{n}.1.10"));
        lab.allow_in(&host, "-1", None, "10.0.0.0/8");
        attachments.push(lab.attach(&gateway, &vpc, &[&subnet]));
        lab.route(&vpc, "10.0.0.0/8", Target::TransitGateway(gateway.clone()));
        hosts.push(host);
    }
    let trace = lab.probe(&hosts[0], "10.2.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable);
    let topology = lab.topology();
    let found = records(&topology, &trace);
    let shape: Vec<(Option<String>, bool, String, String)> = found
        .iter()
        .map(|r| (topology.enis[r.eni].instance_id.clone(), r.ingress, r.srcaddr.to_string(), r.dstaddr.to_string()))
        .collect();
    let attachment_ip = |n: usize| {
        let eni = topology.tgw_attachment(&attachments[n]).unwrap().in_zone("us-east-1a").unwrap().1;
        topology.enis[eni].private_ip.unwrap().to_string()
    };
    let (a, b) = (attachment_ip(0), attachment_ip(1));
    let host = |n: usize| Some(hosts[n].clone());
    assert_eq!(
        shape[..4],
        [
            (host(0), false, "10.1.1.10".into(), "10.2.1.10".into()),
            (None, true, "10.1.1.10".into(), a.clone()),
            (None, false, b.clone(), "10.2.1.10".into()),
            (host(1), true, "10.1.1.10".into(), "10.2.1.10".into()),
        ]
    );
    assert_eq!(found[1].pkt_dst, "10.2.1.10".parse::<Ipv4Addr>().unwrap(), "the real destination");
    assert_eq!(found.len(), 8, "the answer crosses the same two attachments back");
}
