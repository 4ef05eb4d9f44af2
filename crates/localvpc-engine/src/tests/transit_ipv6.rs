//! IPv6 through transit gateways (part 2 §14.4, §16.2): one test per rule — an attachment with `Ipv6Support`
//! propagates its VPC's IPv6 blocks and carries IPv6 both ways, one without it propagates and carries none, a
//! static IPv6 route beats a propagated one and the longest prefix wins, and IPv4 and IPv6 lookups in a gateway
//! table stay independent.

use localvpc_model::security_group::RulePeer;
use localvpc_model::transit_gateway::vpc_attachment::{self, CreateVpcAttachment, OptionsRequest};

use super::codes;
use super::lab::{Lab, Target};
use crate::packet::{Code, HopKind, Protocol, Verdict};

/// Two dual-stack VPCs (10.1/16 and 10.2/16, each with a /56 and a /64 subnet in us-east-1a) with an instance each
/// that has an IPv6 address and admits ICMPv6 from anywhere, attached to one gateway (`ipv6_support` on both
/// attachments), each main table sending `::/0` and 10.0.0.0/8 to it.
struct Dual {
    lab: Lab,
    table: String,
    hosts: [String; 2],
    addresses: [String; 2],
    blocks: [ipnet::Ipv6Net; 2],
    attachments: [String; 2],
}

fn dual(ipv6_support: bool) -> Dual {
    let mut lab = Lab::new();
    let (gateway, table) = lab.transit_gateway();
    let (mut hosts, mut addresses, mut blocks, mut attachments) = (vec![], vec![], vec![], vec![]);
    for n in 1..=2 {
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let block = lab.ipv6_block(&vpc);
        let subnet = lab.subnet_in(&vpc, &format!("10.{n}.1.0/24"), "us-east-1a");
        lab.ipv6_subnet_block(&subnet, block, 1);
        let host = lab.instance(&subnet, &format!("10.{n}.1.10"));
        addresses.push(lab.ipv6_address(&host));
        lab.allow(&host, false, "58", Some((-1, -1)), RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
        lab.allow_in(&host, "-1", None, "10.0.0.0/8");
        let request = CreateVpcAttachment {
            transit_gateway_id: gateway.clone(),
            vpc_id: vpc.clone(),
            subnet_ids: vec![subnet.clone()],
            options: OptionsRequest { ipv6_support: Some(ipv6_support), ..Default::default() },
            ..Default::default()
        };
        attachments.push(lab.tx(|tx, scope| vpc_attachment::create(tx, scope, request)).id.clone());
        lab.route6(&vpc, "::/0", &gateway);
        lab.route(&vpc, "10.0.0.0/8", Target::TransitGateway(gateway.clone()));
        hosts.push(host);
        blocks.push(block);
    }
    let two = |v: Vec<String>| -> [String; 2] { v.try_into().unwrap() };
    Dual {
        lab,
        table,
        hosts: two(hosts),
        addresses: two(addresses),
        blocks: blocks.try_into().unwrap(),
        attachments: two(attachments),
    }
}

#[test]
fn an_attachment_with_ipv6_support_propagates_its_ipv6_blocks_and_carries_ipv6_both_ways() {
    let net = dual(true);
    let topology = net.lab.topology();
    let table = topology.tgw_tables().iter().find(|table| table.id == net.table).unwrap();
    let propagated: Vec<String> = table.ipv6_routes.iter().map(|route| route.destination.to_string()).collect();
    assert_eq!(propagated, vec![net.blocks[0].to_string(), net.blocks[1].to_string()]);
    for (from, to) in [(0, 1), (1, 0)] {
        let trace = net.lab.probe(&net.hosts[from], &net.addresses[to], Protocol::Icmp);
        assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
        let hop = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::TransitGateway).unwrap();
        assert!(hop.detail.contains(&net.blocks[to].to_string()), "{hop:?}");
        let (_, arrived) = trace.forward.delivered.unwrap();
        assert_eq!(arrived.src.to_string(), net.addresses[from]);
        assert!(trace.reply.unwrap().hops.iter().any(|hop| hop.kind == HopKind::TransitGateway));
    }
    // IPv4 between the same instances goes the same way (positive control of the IPv4 routes).
    let ipv4 = net.lab.probe(&net.hosts[0], "10.2.1.10", Protocol::Icmp);
    assert_eq!(ipv4.verdict, Verdict::Reachable, "{ipv4:#?}");
}

#[test]
fn an_attachment_without_ipv6_support_propagates_and_carries_no_ipv6() {
    let mut net = dual(false);
    let topology = net.lab.topology();
    let table = topology.tgw_tables().iter().find(|table| table.id == net.table).unwrap();
    assert!(table.ipv6_routes.is_empty(), "{:?}", table.ipv6_routes);
    // Even a static IPv6 route does not make such an attachment carry IPv6: the packet stops where it enters...
    let (table, block, second) = (net.table.clone(), net.blocks[1].to_string(), net.attachments[1].clone());
    net.lab.tgw_route(&table, &block, Some(&second));
    let entering = net.lab.probe(&net.hosts[0], &net.addresses[1], Protocol::Icmp);
    assert_eq!(entering.verdict, Verdict::Dropped);
    assert_eq!(codes(&entering), vec![Code::CannotRoute]);
    let finding = entering.findings().next().unwrap();
    assert_eq!(finding.component, net.attachments[0]);
    assert!(finding.detail.contains("does not carry IPv6"), "{finding:?}");
    // ...or, once the sender's attachment carries it, where it would leave.
    let first = net.attachments[0].clone();
    let options = OptionsRequest { ipv6_support: Some(true), ..Default::default() };
    net.lab.tx(|tx, scope| vpc_attachment::modify(tx, scope, &first, &[], &[], options));
    let leaving = net.lab.probe(&net.hosts[0], &net.addresses[1], Protocol::Icmp);
    assert_eq!(codes(&leaving), vec![Code::CannotRoute]);
    assert_eq!(leaving.findings().next().unwrap().component, net.attachments[1]);
    // Positive control: IPv4 still crosses the gateway.
    let ipv4 = net.lab.probe(&net.hosts[0], "10.2.1.10", Protocol::Icmp);
    assert_eq!(ipv4.verdict, Verdict::Reachable, "{ipv4:#?}");
}

#[test]
fn a_static_ipv6_route_in_a_transit_gateway_table_beats_the_propagated_one_and_the_longest_prefix_wins() {
    let mut net = dual(true);
    let table = net.table.clone();
    let to_second = net.blocks[1].to_string();
    let second = net.attachments[1].clone();
    net.lab.tgw_route(&table, &to_second, Some(&second));
    let trace = net.lab.probe(&net.hosts[0], &net.addresses[1], Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let hop = trace.forward.hops.iter().find(|hop| hop.kind == HopKind::TransitGateway).unwrap();
    let crate::packet::Place::TransitGateway { route: Some(route), .. } = &hop.place else { panic!("{hop:?}") };
    assert_eq!((route.destination.to_string(), route.is_static), (to_second, true));
    // A blackhole route to the one address beats the block (longest prefix).
    let host_route = format!("{}/128", net.addresses[1]);
    net.lab.tgw_route(&table, &host_route, None);
    let dropped = net.lab.probe(&net.hosts[0], &net.addresses[1], Protocol::Icmp);
    assert_eq!(codes(&dropped), vec![Code::TgwRtbBadStateRoute]);
    // The IPv4 lookup is untouched by IPv6 routes.
    let ipv4 = net.lab.probe(&net.hosts[0], "10.2.1.10", Protocol::Icmp);
    assert_eq!(ipv4.verdict, Verdict::Reachable, "{ipv4:#?}");
}
