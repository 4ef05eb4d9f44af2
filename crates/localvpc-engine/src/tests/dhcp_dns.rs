//! Part 2 §12.2: what a VPC's DHCP options change for DNS — the search domain and the names under it, and which
//! server an instance asks (the Amazon resolver, a server over the network, or none).

use std::net::Ipv4Addr;

use localvpc_model::dhcp_options::{self, DhcpConfiguration};

use super::lab::{Lab, Target};
use crate::dns::{answer, ask, resolve, resolver_address, search_domain, Answer, Resolver, Server};
use crate::packet::Vantage;

struct Net {
    lab: Lab,
    vpc: String,
    asker: String,
    peer_instance: String,
    peer: Ipv4Addr,
}

/// VPC 10.0.0.0/16 with hostnames on, an asker 10.0.1.10 and a peer instance 10.0.1.20.
fn net() -> Net {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.0.0.0/16");
    lab.dns_hostnames(&vpc, true);
    let subnet = lab.subnet(&vpc, "10.0.1.0/24");
    let asker = lab.instance(&subnet, "10.0.1.10");
    let peer_instance = lab.instance(&subnet, "10.0.1.20");
    Net { lab, vpc, asker, peer_instance, peer: "10.0.1.20".parse().unwrap() }
}

impl Net {
    fn options(&mut self, options: &[(&str, &[&str])]) {
        let configurations: Vec<DhcpConfiguration> = options
            .iter()
            .map(|(key, values)| DhcpConfiguration {
                key: key.to_string(),
                values: values.iter().map(|v| v.to_string()).collect(),
            })
            .collect();
        let vpc = self.vpc.clone();
        self.lab.tx(|tx, scope| {
            let set = dhcp_options::create(tx, scope, configurations, Vec::new())?;
            dhcp_options::associate(tx, scope, &set.id, &vpc)
        });
    }

    fn no_options(&mut self) {
        let vpc = self.vpc.clone();
        self.lab.tx(|tx, scope| dhcp_options::associate(tx, scope, dhcp_options::NO_OPTIONS, &vpc));
    }

    fn ask(&self, name: &str, server: Option<&str>) -> (Resolver, Answer) {
        let topology = self.lab.topology();
        let from = Vantage::Eni(topology.instance_eni(&self.asker).unwrap());
        ask(&topology, from, server.map(|s| s.parse().unwrap()), name)
    }
}

#[test]
fn the_default_set_keeps_the_amazon_resolver_and_the_region_suffix() {
    let net = net();
    let (resolver, answer) = net.ask("ip-10-0-1-20", None);
    assert_eq!(resolver, Resolver::Amazon("10.0.0.2".parse().unwrap()));
    assert_eq!(answer, Answer::Address(net.peer));
    assert_eq!(net.ask("ip-10-0-1-20.corp.example", None).1, Answer::NxDomain);
}

#[test]
fn a_custom_domain_name_is_the_search_suffix_and_names_the_instances() {
    let mut net = net();
    net.options(&[("domain-name", &["corp.example"]), ("domain-name-servers", &["AmazonProvidedDNS"])]);
    assert_eq!(net.ask("ip-10-0-1-20.corp.example", None).1, Answer::Address(net.peer));
    assert_eq!(net.ask("ip-10-0-1-20", None).1, Answer::Address(net.peer));
    // The Amazon-provided names keep resolving.
    assert_eq!(net.ask("ip-10-0-1-20.ec2.internal", None).1, Answer::Address(net.peer));
    // A name under the domain that no instance of the VPC holds does not exist.
    assert_eq!(net.ask("ip-10-0-1-99.corp.example", None).1, Answer::NxDomain);
    assert_eq!(net.ask("www.corp.example", None).1, Answer::NxDomain);
    // The internet does not know the VPC's domain.
    let topology = net.lab.topology();
    assert_eq!(resolve(&topology, Vantage::Internet, "ip-10-0-1-20.corp.example"), Answer::NxDomain);
    // Without hostnames the resolver answers no private name, custom or Amazon's.
    let vpc = net.vpc.clone();
    net.lab.dns_hostnames(&vpc, false);
    assert_eq!(net.ask("ip-10-0-1-20.corp.example", None).1, Answer::NxDomain);
}

#[test]
fn custom_name_servers_are_asked_over_the_network_and_only_internet_hosts_answer() {
    let mut net = net();
    net.options(&[("domain-name-servers", &["10.0.1.250"])]);
    let (resolver, answer) = net.ask("ip-10-0-1-20.ec2.internal", None);
    assert_eq!(resolver, Resolver::Network("10.0.1.250".parse().unwrap()));
    assert_eq!(answer, Answer::Timeout);
    let topology = net.lab.topology();
    let from = Vantage::Eni(topology.instance_eni(&net.asker).unwrap());
    assert_eq!(resolver_address(&topology, from), Some("10.0.1.250".parse().unwrap()));
    // The Amazon resolver still answers when asked by address (part 2 §12.2 [I]).
    assert_eq!(net.ask("ip-10-0-1-20.ec2.internal", Some("10.0.0.2")).1, Answer::Address(net.peer));
    assert_eq!(net.ask("ip-10-0-1-20.ec2.internal", Some("169.254.169.253")).1, Answer::Address(net.peer));

    // A public resolver on the internet answers once the VPC routes to the internet, with the internet's view:
    // the peer's public name gives its public address, private names do not exist.
    let mut net = self::net();
    net.options(&[("domain-name-servers", &["8.8.8.8"])]);
    let public = {
        let vpc = net.vpc.clone();
        let igw = net.lab.igw(&vpc);
        net.lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
        // The asker needs a public address to reach the internet at all.
        let asker = net.asker.clone();
        net.lab.eip(&asker);
        let peer = net.peer_instance.clone();
        net.lab.eip(&peer)
    };
    let public_name = localvpc_model::dns_name::public_dns_name("us-east-1", public);
    assert_eq!(net.ask(&public_name, None), (Resolver::Network("8.8.8.8".parse().unwrap()), Answer::Address(public)));
    assert_eq!(net.ask("ip-10-0-1-20.ec2.internal", None).1, Answer::NxDomain);
    // Without the route the datagram is dropped: no answer.
    let vpc = net.vpc.clone();
    net.lab.delete_route(&vpc, "0.0.0.0/0");
    assert_eq!(net.ask(&public_name, None).1, Answer::Timeout);
}

#[test]
fn no_dhcp_options_means_no_server() {
    let mut net = net();
    net.no_options();
    assert_eq!(net.ask("ip-10-0-1-20.ec2.internal", None), (Resolver::None, Answer::Timeout));
    // Asking the Amazon resolver by address still works.
    assert_eq!(net.ask("ip-10-0-1-20.ec2.internal", Some("10.0.0.2")).1, Answer::Address(net.peer));
}

#[test]
fn the_amazon_server_answers_its_instances_whatever_server_the_options_name() {
    let mut net = net();
    let vpc_of = |net: &Net| {
        let topology = net.lab.topology();
        let eni = topology.instance_eni(&net.asker).unwrap();
        (topology.enis[eni].vpc, topology)
    };
    let (vpc, topology) = vpc_of(&net);
    assert_eq!(search_domain(&topology, vpc).as_deref(), Some("ec2.internal"));
    net.options(&[("domain-name", &["Corp.Example other.example"]), ("domain-name-servers", &["10.0.1.250"])]);
    let (vpc, topology) = vpc_of(&net);
    // The search domain is the first domain name, in lower case.
    assert_eq!(search_domain(&topology, vpc).as_deref(), Some("corp.example"));
    // A query that reaches base + 2 from an instance of the VPC is answered, custom domain and all.
    let source = "10.0.1.10".parse().unwrap();
    let server = Server::Amazon(&net.vpc);
    assert_eq!(answer(&topology, server, source, "IP-10-0-1-20.corp.example."), Answer::Address(net.peer));
    assert_eq!(answer(&topology, server, source, "ip-10-0-1-20"), Answer::Address(net.peer));
    net.no_options();
    let (vpc, topology) = vpc_of(&net);
    assert_eq!(search_domain(&topology, vpc), None);
}
