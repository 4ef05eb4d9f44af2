//! DNS for IPv6 (part 2 §16.4): one test per rule — IP names answer A only, resource names answer A and/or AAAA per
//! their instance's options (fixed at launch from the subnet's), public names have no AAAA, and DNS64 synthesizes
//! `64:ff9b::<ipv4>` only for names without AAAA.

use std::net::{Ipv4Addr, Ipv6Addr};

use localvpc_model::dns_name::{private_dns_name, public_dns_name, resource_dns_name};
use localvpc_model::instance::{self, PrivateDnsNameChange};
use localvpc_model::subnet::{self, Ipv6Attribute};

use super::lab::Lab;
use crate::dns::{answer, answer_query, ask, ask_query, dns64_address, Answer, QueryType, Server};
use crate::packet::Vantage;

const REGION: &str = "us-east-1";

struct Net {
    lab: Lab,
    vpc: String,
    subnet: String,
    asker: String,
    target: String,
    target_ip: Ipv4Addr,
    target_ip6: Ipv6Addr,
}

/// A dual-stack VPC 10.0.0.0/16 with hostnames on: an asker 10.0.1.10 and a target 10.0.1.20, each with an IPv6
/// address, in one subnet whose options start off (ip-name, no resource-name record, no DNS64).
fn net() -> Net {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.0.0.0/16");
    lab.dns_hostnames(&vpc, true);
    let subnet = lab.subnet(&vpc, "10.0.1.0/24");
    let block = lab.ipv6_block(&vpc);
    lab.ipv6_subnet_block(&subnet, block, 1);
    let asker = lab.instance(&subnet, "10.0.1.10");
    let target = lab.instance(&subnet, "10.0.1.20");
    lab.ipv6_address(&asker);
    let target_ip6 = lab.ipv6_address(&target).parse().unwrap();
    Net { lab, vpc, subnet, asker, target, target_ip: "10.0.1.20".parse().unwrap(), target_ip6 }
}

impl Net {
    fn ask(&self, name: &str, qtype: QueryType) -> Answer {
        let topology = self.lab.topology();
        let from = Vantage::Eni(topology.instance_eni(&self.asker).unwrap());
        ask_query(&topology, from, None, name, qtype).1
    }

    fn internet_asks(&self, name: &str, qtype: QueryType) -> Answer {
        ask_query(&self.lab.topology(), Vantage::Internet, None, name, qtype).1
    }

    fn set(&mut self, attribute: Ipv6Attribute, on: bool) {
        let id = self.subnet.clone();
        self.lab.tx(|tx, scope| subnet::set_ipv6_attribute(tx, scope, &id, attribute, on));
    }

    /// ModifyPrivateDnsNameOptions on the target.
    fn target_records(&mut self, a: Option<bool>, aaaa: Option<bool>) {
        let id = self.target.clone();
        let change = PrivateDnsNameChange {
            enable_resource_name_dns_a_record: a,
            enable_resource_name_dns_aaaa_record: aaaa,
            ..Default::default()
        };
        self.lab.tx(|tx, scope| instance::modify_private_dns_name_options(tx, scope, &id, &change));
    }

    /// The subnet's `…OnLaunch` resource-name records, for instances launched later.
    fn subnet_records(&mut self, a: bool, aaaa: bool) {
        let id = self.subnet.clone();
        self.lab.tx(|tx, scope| subnet::set_resource_name_dns_a_record_on_launch(tx, scope, &id, a));
        self.set(Ipv6Attribute::EnableResourceNameDnsAaaaRecordOnLaunch, aaaa);
    }

    fn resource_name(&self) -> String {
        resource_dns_name(REGION, &self.target)
    }
}

#[test]
fn ip_names_answer_a_only() {
    let mut net = net();
    let name = private_dns_name(REGION, net.target_ip);
    assert_eq!(net.ask(&name, QueryType::A), Answer::Address(net.target_ip));
    assert_eq!(net.ask(&name, QueryType::Aaaa), Answer::NoData);
    // Resource-name options do not give the IP name an AAAA record.
    net.target_records(None, Some(true));
    assert_eq!(net.ask(&name, QueryType::Aaaa), Answer::NoData);
    assert_eq!(net.ask("ip-10-0-1-99.ec2.internal", QueryType::Aaaa), Answer::NxDomain);
}

#[test]
fn resource_names_answer_a_and_aaaa_per_the_instance_options() {
    let mut net = net();
    let name = net.resource_name();
    assert_eq!(name, format!("{}.ec2.internal", net.target));
    // Neither record: the name exists (the instance does) but answers nothing.
    assert_eq!(net.ask(&name, QueryType::A), Answer::NoData);
    assert_eq!(net.ask(&name, QueryType::Aaaa), Answer::NoData);
    net.target_records(None, Some(true));
    assert_eq!(net.ask(&name, QueryType::Aaaa), Answer::Ipv6Address(net.target_ip6));
    assert_eq!(net.ask(&name, QueryType::A), Answer::NoData);
    net.target_records(Some(true), None);
    assert_eq!(net.ask(&name, QueryType::A), Answer::Address(net.target_ip));
    assert_eq!(net.ask(&format!("{}.", name.to_uppercase()), QueryType::Aaaa), Answer::Ipv6Address(net.target_ip6));
    net.target_records(None, Some(false));
    assert_eq!(net.ask(&name, QueryType::Aaaa), Answer::NoData);
    assert_eq!(net.ask(&name, QueryType::A), Answer::Address(net.target_ip));
}

#[test]
fn resource_name_records_are_the_instances_from_launch_not_the_subnets_later_options() {
    let mut net = net();
    net.subnet_records(true, true);
    // The target was launched before the subnet changed: its options stay off.
    assert_eq!(net.ask(&net.resource_name(), QueryType::Aaaa), Answer::NoData);
    assert_eq!(net.ask(&net.resource_name(), QueryType::A), Answer::NoData);
    // An instance launched now inherits both records...
    let subnet = net.subnet.clone();
    let later = net.lab.instance(&subnet, "10.0.1.30");
    let later_ip6: Ipv6Addr = net.lab.ipv6_address(&later).parse().unwrap();
    let later_name = resource_dns_name(REGION, &later);
    assert_eq!(net.ask(&later_name, QueryType::Aaaa), Answer::Ipv6Address(later_ip6));
    assert_eq!(net.ask(&later_name, QueryType::A), Answer::Address("10.0.1.30".parse().unwrap()));
    // ...and keeps them when the subnet's options go off again.
    net.subnet_records(false, false);
    assert_eq!(net.ask(&later_name, QueryType::Aaaa), Answer::Ipv6Address(later_ip6));
    assert_eq!(net.ask(&net.resource_name(), QueryType::Aaaa), Answer::NoData);
}

#[test]
fn resource_names_of_no_instance_or_without_hostnames_do_not_exist() {
    let mut net = net();
    net.target_records(None, Some(true));
    assert_eq!(net.ask("i-0123456789abcdef0.ec2.internal", QueryType::Aaaa), Answer::NxDomain);
    // The name of the right instance in another region's domain does not exist either.
    let elsewhere = resource_dns_name("eu-west-1", &net.target);
    assert_eq!(net.ask(&elsewhere, QueryType::Aaaa), Answer::NxDomain);
    assert_eq!(net.ask(&net.resource_name(), QueryType::Aaaa), Answer::Ipv6Address(net.target_ip6));
    let vpc = net.vpc.clone();
    net.lab.dns_hostnames(&vpc, false);
    assert_eq!(net.ask(&net.resource_name(), QueryType::Aaaa), Answer::NxDomain);
    // The internet never resolves a private resource name.
    net.lab.dns_hostnames(&vpc, true);
    assert_eq!(net.internet_asks(&net.resource_name(), QueryType::Aaaa), Answer::NxDomain);
}

#[test]
fn public_names_have_no_aaaa() {
    let mut net = net();
    let vpc = net.vpc.clone();
    net.lab.igw(&vpc);
    let target = net.target.clone();
    let public = net.lab.eip(&target);
    let name = public_dns_name(REGION, public);
    assert_eq!(net.internet_asks(&name, QueryType::A), Answer::Address(public));
    assert_eq!(net.internet_asks(&name, QueryType::Aaaa), Answer::NoData);
    assert_eq!(net.ask(&name, QueryType::A), Answer::Address(net.target_ip));
    assert_eq!(net.ask(&name, QueryType::Aaaa), Answer::NoData);
}

#[test]
fn dns64_synthesizes_only_for_names_without_aaaa() {
    let mut net = net();
    net.target_records(None, Some(true));
    let ip_name = private_dns_name(REGION, net.target_ip);
    let synthesized = Answer::Ipv6Address("64:ff9b::a00:114".parse().unwrap());
    assert_eq!(dns64_address(net.target_ip), "64:ff9b::10.0.1.20".parse::<Ipv6Addr>().unwrap());
    // Off: no AAAA for the IP name.
    assert_eq!(net.ask(&ip_name, QueryType::Aaaa), Answer::NoData);
    net.set(Ipv6Attribute::EnableDns64, true);
    assert_eq!(net.ask(&ip_name, QueryType::Aaaa), synthesized);
    // A name that has AAAA is returned unchanged; a name that does not exist stays NXDOMAIN; A is untouched.
    assert_eq!(net.ask(&net.resource_name(), QueryType::Aaaa), Answer::Ipv6Address(net.target_ip6));
    assert_eq!(net.ask("ip-10-0-1-99.ec2.internal", QueryType::Aaaa), Answer::NxDomain);
    assert_eq!(net.ask(&ip_name, QueryType::A), Answer::Address(net.target_ip));
    // A resource name with only an A record is synthesized from it.
    net.target_records(Some(true), Some(false));
    assert_eq!(net.ask(&net.resource_name(), QueryType::Aaaa), synthesized);
    // The public resolver has no DNS64.
    assert_eq!(net.internet_asks("s3.us-east-1.amazonaws.com", QueryType::Aaaa), Answer::NoData);
}

#[test]
fn a_queries_keep_their_answers() {
    let mut net = net();
    net.set(Ipv6Attribute::EnableDns64, true);
    let topology = net.lab.topology();
    let from = Vantage::Eni(topology.instance_eni(&net.asker).unwrap());
    let server = Server::Amazon(&net.vpc);
    let source: Ipv4Addr = "10.0.1.10".parse().unwrap();
    for name in [private_dns_name(REGION, net.target_ip), "ip-10-0-1-99".into(), "www.example.com".into()] {
        let a = ask_query(&topology, from, None, &name, QueryType::A);
        assert_eq!(ask(&topology, from, None, &name), a, "{name}");
        let served = answer_query(&topology, server, source.into(), &name, QueryType::A);
        assert_eq!(answer(&topology, server, source, &name), served, "{name}");
    }
    assert_eq!(answer(&topology, server, source, "ip-10-0-1-20"), Answer::Address(net.target_ip));
}

#[test]
fn aaaa_queries_follow_the_resolver_rules_of_a_queries() {
    let mut net = net();
    net.target_records(None, Some(true));
    let name = net.resource_name();
    let topology = net.lab.topology();
    let server = Server::Amazon(&net.vpc);
    let expected = Answer::Ipv6Address(net.target_ip6);
    assert_eq!(answer_query(&topology, server, "10.0.1.10".parse().unwrap(), &name, QueryType::Aaaa), expected);
    // A source that is no interface of the VPC gets no answer, as for A.
    assert_eq!(answer_query(&topology, server, "10.9.9.9".parse().unwrap(), &name, QueryType::Aaaa), Answer::Timeout);
    // A question to fd00:ec2::253 comes from an interface's IPv6 address: the asker's is one of the VPC's.
    let asker_ip6 = topology.enis[topology.instance_eni(&net.asker).unwrap()].ipv6_addresses[0];
    assert_eq!(answer_query(&topology, server, asker_ip6.into(), &name, QueryType::Aaaa), expected);
    assert_eq!(
        answer_query(&topology, server, "2001:db8::9".parse().unwrap(), &name, QueryType::Aaaa),
        Answer::Timeout
    );
    let vpc = net.vpc.clone();
    net.lab.dns_support(&vpc, false);
    assert_eq!(net.ask(&name, QueryType::Aaaa), Answer::Timeout);
}

#[test]
fn the_amazon_resolver_answers_at_fd00_ec2_253_an_interface_with_an_ipv6_address() {
    use std::net::IpAddr;

    use crate::dns::{Resolver, AMAZON_IPV6};

    let mut net = net();
    let name = private_dns_name(REGION, net.target_ip);
    let server = Some(IpAddr::V6(AMAZON_IPV6));
    let topology = net.lab.topology();
    let from = Vantage::Eni(topology.instance_eni(&net.asker).unwrap());
    let (resolver, answer) = ask_query(&topology, from, server, &name, QueryType::A);
    assert_eq!((resolver, answer), (Resolver::Amazon(IpAddr::V6(AMAZON_IPV6)), Answer::Address(net.target_ip)));
    // Positive control: base + 2 answers the same.
    let (_, by_ipv4) = ask_query(&topology, from, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2))), &name, QueryType::A);
    assert_eq!(by_ipv4, Answer::Address(net.target_ip));
    // An interface without an IPv6 address sends nothing IPv6: its question to that address is an ordinary
    // datagram, and no one answers.
    let subnet = net.subnet.clone();
    let plain = net.lab.instance(&subnet, "10.0.1.30");
    let topology = net.lab.topology();
    let from = Vantage::Eni(topology.instance_eni(&plain).unwrap());
    let (resolver, answer) = ask_query(&topology, from, server, &name, QueryType::A);
    assert_eq!((resolver, answer), (Resolver::Network(IpAddr::V6(AMAZON_IPV6)), Answer::Timeout));
    let (_, by_ipv4) = ask_query(&topology, from, None, &name, QueryType::A);
    assert_eq!(by_ipv4, Answer::Address(net.target_ip));
}
