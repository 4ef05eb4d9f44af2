//! Spec §4.5, the resolution matrix, row by row: an instance in VPC A asks Amazon DNS about instance X.

use std::net::Ipv4Addr;

use localvpc_model::dns_name::{private_dns_name, public_dns_name};

use super::lab::Lab;
use crate::dns::{answer, resolve, Answer, Server};
use crate::packet::Vantage;

/// Where X lives relative to the asker.
#[derive(Debug, Clone, Copy)]
enum Place {
    SameVpc,
    PeerOptionOff,
    PeerOptionOn,
    Unrelated,
}

struct World {
    lab: Lab,
    asker: String,
    x_private: Ipv4Addr,
    x_public: Ipv4Addr,
}

/// Builds A (10.6.0.0/16, or `asker_block`) with the asker, and X in its place with `x_block`.
fn build(place: Place, x_block: &str, x_ip: &str) -> World {
    let mut lab = Lab::new();
    let a = lab.vpc("10.6.0.0/16");
    lab.dns_hostnames(&a, true);
    let sa = lab.subnet(&a, "10.6.1.0/24");
    let asker = lab.instance(&sa, "10.6.1.10");
    let x_vpc = match place {
        Place::SameVpc => {
            let extra = lab.tx(|tx, scope| localvpc_model::vpc::associate_cidr_block(tx, scope, &a, x_block));
            let _ = extra;
            a.clone()
        }
        _ => {
            let vpc = lab.vpc(x_block);
            lab.dns_hostnames(&vpc, true);
            vpc
        }
    };
    let subnet_block = format!("{}/24", x_ip.rsplit_once('.').unwrap().0.to_string() + ".0");
    let sx = lab.subnet(&x_vpc, &subnet_block);
    let x = lab.instance(&sx, x_ip);
    if place != Place::SameVpc
        || !lab
            .world
            .region(&lab.scope)
            .internet_gateways
            .values()
            .any(|g| g.attached_vpc.as_deref() == Some(x_vpc.as_str()))
    {
        lab.igw(&x_vpc);
    }
    let x_public = lab.eip(&x);
    match place {
        Place::PeerOptionOff => {
            lab.peer(&a, &x_vpc, None);
        }
        Place::PeerOptionOn => {
            let pcx = lab.peer(&a, &x_vpc, None);
            lab.allow_remote_dns_accepter(&pcx);
        }
        Place::SameVpc | Place::Unrelated => {}
    }
    World { lab, asker, x_private: x_ip.parse().unwrap(), x_public }
}

impl PartialEq for Place {
    fn eq(&self, other: &Place) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

fn ask(world: &World, from_internet: bool, name: &str) -> Answer {
    let topology = world.lab.topology();
    let from =
        if from_internet { Vantage::Internet } else { Vantage::Eni(topology.instance_eni(&world.asker).unwrap()) };
    resolve(&topology, from, name)
}

const REGION: &str = "us-east-1";

#[test]
fn public_name_row() {
    let cases =
        [(Place::SameVpc, true), (Place::PeerOptionOff, false), (Place::PeerOptionOn, true), (Place::Unrelated, false)];
    for (place, private) in cases {
        let world = build(place, "10.7.0.0/16", "10.7.1.20");
        let name = public_dns_name(REGION, world.x_public);
        let expected = if private { world.x_private } else { world.x_public };
        assert_eq!(ask(&world, false, &name), Answer::Address(expected), "{place:?}");
        assert_eq!(ask(&world, true, &name), Answer::Address(world.x_public), "{place:?} from the internet");
    }
}

#[test]
fn private_name_row_rfc1918_same_region() {
    for place in [Place::SameVpc, Place::PeerOptionOff, Place::PeerOptionOn, Place::Unrelated] {
        let world = build(place, "10.7.0.0/16", "10.7.1.20");
        let name = private_dns_name(REGION, world.x_private);
        assert_eq!(ask(&world, false, &name), Answer::Address(world.x_private), "{place:?}");
        assert_eq!(ask(&world, true, &name), Answer::NxDomain, "{place:?} from the internet");
    }
}

#[test]
fn private_name_row_non_rfc1918() {
    let cases =
        [(Place::SameVpc, true), (Place::PeerOptionOff, false), (Place::PeerOptionOn, true), (Place::Unrelated, false)];
    for (place, resolves) in cases {
        let world = build(place, "100.64.0.0/16", "100.64.1.20");
        let name = private_dns_name(REGION, world.x_private);
        let expected = if resolves { Answer::Address(world.x_private) } else { Answer::NxDomain };
        assert_eq!(ask(&world, false, &name), expected, "{place:?}");
        assert_eq!(ask(&world, true, &name), Answer::NxDomain, "{place:?} from the internet");
    }
}

#[test]
fn no_dns_support_means_no_answer_for_any_name() {
    let mut world = build(Place::SameVpc, "10.7.0.0/16", "10.7.1.20");
    let asker_vpc = world
        .lab
        .world
        .region(&world.lab.scope)
        .vpcs
        .values()
        .find(|v| v.cidr_block.to_string() == "10.6.0.0/16")
        .unwrap()
        .id
        .clone();
    world.lab.dns_hostnames(&asker_vpc, false);
    world.lab.dns_support(&asker_vpc, false);
    for name in
        [public_dns_name(REGION, world.x_public), private_dns_name(REGION, world.x_private), "example.com".into()]
    {
        assert_eq!(ask(&world, false, &name), Answer::Timeout, "{name}");
    }
}

#[test]
fn short_names_use_the_search_domain_and_unknown_names_are_nxdomain() {
    let world = build(Place::SameVpc, "10.7.0.0/16", "10.7.1.20");
    assert_eq!(ask(&world, false, "ip-10-7-1-20"), Answer::Address(world.x_private));
    assert_eq!(ask(&world, false, "ip-10-9-9-9.ec2.internal"), Answer::NxDomain);
    assert_eq!(ask(&world, false, "nonsense.example"), Answer::NxDomain);
}

#[test]
fn private_names_need_dns_hostnames_on_the_asking_vpc() {
    let mut world = build(Place::Unrelated, "10.7.0.0/16", "10.7.1.20");
    let asker_vpc = world
        .lab
        .world
        .region(&world.lab.scope)
        .vpcs
        .values()
        .find(|v| v.cidr_block.to_string() == "10.6.0.0/16")
        .unwrap()
        .id
        .clone();
    world.lab.dns_hostnames(&asker_vpc, false);
    assert_eq!(ask(&world, false, &private_dns_name(REGION, world.x_private)), Answer::NxDomain);
}

/// The resolver at a VPC's base + 2 answers its own interfaces as `resolve` does, and nobody else (spec §4.5,
/// "query sent to B's +2 address": timeout), whatever the peering option says.
#[test]
fn a_vpc_resolver_answers_only_its_own_interfaces() {
    let world = build(Place::PeerOptionOn, "10.7.0.0/16", "10.7.1.20");
    let topology = world.lab.topology();
    let asker = topology.instance_eni(&world.asker).unwrap();
    let asker_vpc = topology.vpcs[topology.enis[asker].vpc].id.clone();
    let x_vpc = topology.vpcs.iter().find(|vpc| vpc.id != asker_vpc).unwrap().id.clone();
    let name = public_dns_name(REGION, world.x_public);
    let from = "10.6.1.10".parse().unwrap();
    assert_eq!(crate::dns::amazon_resolver_address(&topology, topology.enis[asker].vpc), Ipv4Addr::new(10, 6, 0, 2));
    assert_eq!(answer(&topology, Server::Amazon(&asker_vpc), from, &name), Answer::Address(world.x_private));
    assert_eq!(answer(&topology, Server::Amazon(&x_vpc), from, &name), Answer::Timeout);
    assert_eq!(answer(&topology, Server::Amazon(&asker_vpc), "10.6.1.99".parse().unwrap(), &name), Answer::Timeout);
    assert_eq!(answer(&topology, Server::Public, from, &name), Answer::Address(world.x_public));
}
