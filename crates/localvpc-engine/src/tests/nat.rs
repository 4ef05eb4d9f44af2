//! NAT gateways (part 2 §13.2): one test per rule — the translation out and back, unsolicited inbound, the
//! gateway's subnet needing a route to an internet gateway, a private gateway at an internet gateway, a deleted
//! gateway, the NACLs of both subnets, the sender's security group, and the gateway's own VPC only.

use localvpc_model::security_group::RulePeer;

use super::codes;
use super::lab::{Lab, Target};
use crate::packet::{Code, HopKind, Protocol, Verdict};

const HOST: &str = "203.0.113.7";

struct Egress {
    lab: Lab,
    vpc: String,
    public: String,
    host: String,
    nat: String,
    eip: std::net::Ipv4Addr,
}

/// The textbook layout: a public subnet (0/0 → IGW) holding a public NAT gateway, and a private subnet
/// (0/0 → the NAT gateway) holding an instance with no public address.
fn egress() -> Egress {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.20.0.0/16");
    let public = lab.subnet(&vpc, "10.20.0.0/24");
    let private = lab.subnet(&vpc, "10.20.1.0/24");
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    let (nat, eip) = lab.nat_gateway(&public, true);
    let private_table = lab.own_table(&vpc, &private);
    lab.route_in(&private_table, "0.0.0.0/0", Target::Nat(nat.clone()));
    let host = lab.instance(&private, "10.20.1.10");
    Egress { lab, vpc, public, host, nat, eip: eip.expect("public") }
}

#[test]
fn a_private_instance_reaches_the_internet_as_the_nat_gateways_elastic_ip_and_the_answer_comes_back() {
    let net = egress();
    for protocol in [Protocol::Icmp, Protocol::Tcp(443), Protocol::Udp(53)] {
        let trace = net.lab.probe(&net.host, HOST, protocol);
        assert_eq!(trace.verdict, Verdict::Reachable, "{protocol:?}: {trace:#?}");
        let (_, arrived) = trace.forward.delivered.expect("arrived");
        assert_eq!(arrived.src, net.eip, "the internet sees the Elastic IP");
        let reply = trace.reply.as_ref().unwrap();
        let nat_hops =
            |leg: &crate::Leg| leg.hops.iter().filter(|h| h.kind == HopKind::NatGateway && h.id == net.nat).count();
        assert_eq!((nat_hops(&trace.forward), nat_hops(reply)), (1, 1));
    }
    // TCP: the source port is remapped into 1024–65535 and restored on the way back.
    let trace = net.lab.probe(&net.host, HOST, Protocol::Tcp(443));
    let (_, arrived) = trace.forward.delivered.unwrap();
    assert!(arrived.src_port >= 1024 && arrived.src_port != crate::packet::EPHEMERAL_PORT);
    let (_, answered) = trace.reply.unwrap().delivered.unwrap();
    assert_eq!((answered.dst, answered.dst_port), ("10.20.1.10".parse().unwrap(), crate::packet::EPHEMERAL_PORT));
}

#[test]
fn the_internet_cannot_start_a_flow_through_a_nat_gateway() {
    let net = egress();
    let trace = net.lab.probe("internet", &net.eip.to_string(), Protocol::Tcp(22));
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::UnsolicitedInbound]);
    assert_eq!(Code::UnsolicitedInbound.as_str(), "NO_PATH");
}

#[test]
fn the_nat_gateways_subnet_needs_a_route_to_the_internet_gateway() {
    let mut net = egress();
    net.lab.delete_route(&net.vpc, "0.0.0.0/0");
    let trace = net.lab.probe(&net.host, HOST, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::NoRouteToDestination]);
    // The packet was already the NAT gateway's when the gateway's subnet found no route.
    let finding = trace.findings().next().unwrap();
    let nat_subnet: ipnet::Ipv4Net = "10.20.0.0/24".parse().unwrap();
    let std::net::IpAddr::V4(source) = finding.packet.src else { panic!("{:?}", finding.packet) };
    assert!(nat_subnet.contains(&source), "{:?}", finding.packet);
    assert!(finding.fix.contains("0.0.0.0/0"), "{}", finding.fix);
}

#[test]
fn a_private_nat_gateway_has_no_public_address_at_the_internet_gateway() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.20.0.0/16");
    let public = lab.subnet(&vpc, "10.20.0.0/24");
    let private = lab.subnet(&vpc, "10.20.1.0/24");
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    let (nat, _) = lab.nat_gateway(&public, false);
    let table = lab.own_table(&vpc, &private);
    lab.route_in(&table, "0.0.0.0/0", Target::Nat(nat));
    let host = lab.instance(&private, "10.20.1.10");
    let trace = lab.probe(&host, HOST, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::NoPublicAddress]);
    assert_eq!(Code::NoPublicAddress.as_str(), "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS");
}

#[test]
fn a_deleted_nat_gateway_leaves_a_blackhole_route() {
    let mut net = egress();
    assert_eq!(net.lab.probe(&net.host, HOST, Protocol::Icmp).verdict, Verdict::Reachable);
    net.lab.delete_nat_gateway(&net.nat);
    let trace = net.lab.probe(&net.host, HOST, Protocol::Icmp);
    assert_eq!(codes(&trace), vec![Code::BadStateRoute]);
    let all = net.lab.explain(&net.host, HOST, Protocol::Icmp);
    assert_eq!(codes(&all), vec![Code::BadStateRoute, Code::BadState], "route and gateway both named");
}

#[test]
fn the_nat_gateways_subnet_acl_must_admit_the_answer_to_the_remapped_port() {
    let mut net = egress();
    let public = net.public.clone();
    net.lab.custom_acl(&net.vpc, &public);
    // Everything out, and in only the sender's own ephemeral range (Linux's): the NAT gateway's ports miss it.
    net.lab.acl_entry(&public, 100, true, true, "-1", "0.0.0.0/0", None);
    net.lab.acl_entry(&public, 100, false, true, "6", "0.0.0.0/0", Some((32768, 60999)));
    net.lab.acl_entry(&public, 110, false, true, "6", "10.20.0.0/16", Some((443, 443)));
    let trace = net.lab.probe(&net.host, HOST, Protocol::Tcp(443));
    assert_eq!(trace.verdict, Verdict::Dropped);
    let finding = trace.findings().next().unwrap();
    assert_eq!(finding.code, Code::SubnetAclRestriction);
    assert!(trace.forward.findings.is_empty(), "the request went out; its answer is what the ACL drops");
    assert_eq!(trace.reply.as_ref().unwrap().findings.len(), 1);
    // The documented fix: admit 1024–65535 from the internet.
    net.lab.acl_entry(&public, 120, false, true, "6", "0.0.0.0/0", Some((1024, 65535)));
    assert_eq!(net.lab.probe(&net.host, HOST, Protocol::Tcp(443)).verdict, Verdict::Reachable);
}

#[test]
fn the_senders_security_group_still_decides_egress() {
    let mut net = egress();
    net.lab.clear_egress(&net.host);
    let trace = net.lab.probe(&net.host, HOST, Protocol::Tcp(443));
    assert_eq!(codes(&trace), vec![Code::EniSgRulesMismatch]);
    net.lab.allow(&net.host, true, "tcp", Some((443, 443)), RulePeer::Cidr("0.0.0.0/0".parse().unwrap()));
    assert_eq!(net.lab.probe(&net.host, HOST, Protocol::Tcp(443)).verdict, Verdict::Reachable);
}

#[test]
fn a_peer_vpc_cannot_reach_the_internet_through_this_vpcs_nat_gateway() {
    let mut net = egress();
    let other = net.lab.vpc("10.30.0.0/16");
    let other_subnet = net.lab.subnet(&other, "10.30.1.0/24");
    let other_host = net.lab.instance(&other_subnet, "10.30.1.10");
    let pcx = net.lab.peer(&other, &net.vpc, None);
    // Even with every route in place, peering delivers only inside the peer's blocks (no edge-to-edge).
    net.lab.route(&other, "0.0.0.0/0", Target::Peering(pcx));
    let trace = net.lab.probe(&other_host, HOST, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
}
