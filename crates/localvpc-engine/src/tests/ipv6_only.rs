//! IPv6-only subnets (part 2 §16.1, §16.4): one test per rule — an instance there has IPv6 addresses only, sends
//! nothing IPv4 (the finding says how IPv4 is reached instead), is reached over IPv6 like any dual-stack host, and
//! asks the resolver at `fd00:ec2::253`, which answers its resource name's AAAA record.

use std::net::{IpAddr, Ipv6Addr};

use localvpc_model::dns_name::resource_dns_name;
use localvpc_model::instance::{self, RunInstances};
use localvpc_model::security_group::RulePeer;
use localvpc_model::subnet::{self, CreateSubnet};

use super::codes;
use super::lab::Lab;
use crate::dns::{ask_query, resolver_address, Answer, QueryType, AMAZON_IPV6};
use crate::packet::{Code, Protocol, Vantage, Verdict};

impl Lab {
    /// An IPv6-only subnet with the `index`-th /64 of `block` in `vpc_id`, and a t3.micro launched there with no
    /// address asked for; returns the instance and its (automatic) IPv6 address.
    pub fn ipv6_only_instance(&mut self, vpc_id: &str, block: ipnet::Ipv6Net, index: u8) -> (String, Ipv6Addr) {
        let subnet_block = format!("{}/64", Ipv6Addr::from(u128::from(block.network()) | (u128::from(index) << 64)));
        let request = CreateSubnet {
            vpc_id: vpc_id.into(),
            ipv6_cidr_block: Some(subnet_block),
            ipv6_native: true,
            ..CreateSubnet::default()
        };
        let subnet = self.tx(|tx, scope| subnet::create_subnet(tx, scope, request)).id.clone();
        let request = RunInstances {
            image_id: "ami-12345678".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet),
            instance_type: Some("t3.micro".into()),
            ..RunInstances::default()
        };
        let instance = self.tx(|tx, scope| instance::run_instances(tx, scope, request)).instances[0].id.clone();
        let topology = self.topology();
        let address = topology.enis[topology.instance_eni(&instance).unwrap()].ipv6_addresses[0];
        (instance, address)
    }
}

struct Net {
    lab: Lab,
    vpc: String,
    /// The IPv6-only instance and its address.
    only: String,
    only_ip6: Ipv6Addr,
    /// A dual-stack instance of the same VPC and its IPv6 address.
    dual: String,
    dual_ip6: String,
}

/// A VPC 10.0.0.0/16 with an Amazon /56 and hostnames on: a dual-stack subnet (its first /64) with an instance
/// 10.0.1.10 holding one IPv6 address, and an IPv6-only subnet (the second /64) with an instance launched without
/// any address asked for. Both instances' group admits ICMPv6 from anywhere.
fn net() -> Net {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.0.0.0/16");
    lab.dns_hostnames(&vpc, true);
    let block = lab.ipv6_block(&vpc);
    let dual_subnet = lab.subnet(&vpc, "10.0.1.0/24");
    lab.ipv6_subnet_block(&dual_subnet, block, 1);
    let dual = lab.instance(&dual_subnet, "10.0.1.10");
    let dual_ip6 = lab.ipv6_address(&dual);
    let (only, only_ip6) = lab.ipv6_only_instance(&vpc, block, 2);
    lab.allow(&dual, false, "58", Some((-1, -1)), RulePeer::Ipv6Cidr("::/0".parse().unwrap()));
    Net { lab, vpc, only, only_ip6, dual, dual_ip6 }
}

#[test]
fn an_instance_of_an_ipv6_only_subnet_has_ipv6_addresses_only() {
    let net = net();
    let topology = net.lab.topology();
    let node = &topology.enis[topology.instance_eni(&net.only).unwrap()];
    assert_eq!((node.private_ip, node.ipv6_addresses.len()), (None, 1));
    let subnet = &topology.subnets[node.subnet];
    assert_eq!(subnet.cidr, None);
    assert!(subnet.contains(IpAddr::V6(net.only_ip6)));
    // Positive control: the dual-stack neighbour has both families.
    let dual = &topology.enis[topology.instance_eni(&net.dual).unwrap()];
    assert_eq!((dual.private_ip.map(|ip| ip.to_string()), dual.ipv6_addresses.len()), (Some("10.0.1.10".into()), 1));
}

#[test]
fn an_ipv6_only_instance_sends_nothing_ipv4() {
    let net = net();
    let trace = net.lab.probe(&net.only, "10.0.1.10", Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Dropped);
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
    assert!(trace.forward.hops.is_empty(), "{trace:#?}");
    let finding = trace.findings().next().unwrap();
    assert!(finding.detail.contains("IPv6-only"), "{finding:?}");
    assert!(finding.fix.contains("64:ff9b::/96"), "{finding:?}");
    // Positive control: over IPv6 the same instance reaches its neighbour.
    let trace = net.lab.probe(&net.only, &net.dual_ip6, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
}

#[test]
fn an_ipv6_only_instance_is_reached_over_ipv6_by_its_routes_and_groups() {
    let mut net = net();
    let target = net.only_ip6.to_string();
    // Its group (the VPC's default, which admits ICMPv6 from anywhere) admits the dual-stack neighbour.
    let trace = net.lab.probe(&net.dual, &target, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    // No way in from the internet without an internet gateway and a `::/0` route to it…
    assert_eq!(net.lab.probe("internet", &target, Protocol::Icmp).verdict, Verdict::Dropped);
    // …and with them it is public, as every IPv6 host (part 2 §16.2: no NAT for IPv6).
    let igw = net.lab.igw(&net.vpc);
    net.lab.route6(&net.vpc, "::/0", &igw);
    let trace = net.lab.probe("internet", &target, Protocol::Icmp);
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    let (_, arrived) = trace.forward.delivered.unwrap();
    assert_eq!(arrived.dst, IpAddr::V6(net.only_ip6), "not translated");
}

#[test]
fn an_ipv6_only_instance_asks_the_resolver_at_fd00_ec2_253_for_its_resource_name() {
    let net = net();
    let topology = net.lab.topology();
    let only = Vantage::Eni(topology.instance_eni(&net.only).unwrap());
    assert_eq!(resolver_address(&topology, only), Some(IpAddr::V6(AMAZON_IPV6)));
    let name = resource_dns_name("us-east-1", &net.only);
    // The subnet starts its instances with the AAAA record on and the A record off (no IPv4 address to give).
    assert_eq!(ask_query(&topology, only, None, &name, QueryType::Aaaa).1, Answer::Ipv6Address(net.only_ip6));
    assert_eq!(ask_query(&topology, only, None, &name, QueryType::A).1, Answer::NoData);
    // Positive control: the dual-stack neighbour keeps asking base + 2.
    let dual = Vantage::Eni(topology.instance_eni(&net.dual).unwrap());
    assert_eq!(resolver_address(&topology, dual), Some("10.0.0.2".parse().unwrap()));
}
