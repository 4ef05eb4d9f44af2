//! The plan of a gateway VPC endpoint (part 2 §17.4): its namespace answering the service's blocks, the router's
//! routes to it, the way back, and the engine's restrictions as its filter.

use localvpc_model::route_table::{self, AssociationTarget};
use localvpc_model::vpc_endpoint;

use super::*;

const S3: &str = "com.amazonaws.us-east-1.s3";

/// A VPC with two subnets, each with its own table and an instance; an S3 endpoint on the first one's table only.
fn storage() -> (Lab, String, String, u32, u32) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.30.0.0/16");
    let with = lab.subnet(&vpc, "10.30.1.0/24");
    let without = lab.subnet(&vpc, "10.30.2.0/24");
    lab.instance(&with, "10.30.1.10");
    lab.instance(&without, "10.30.2.10");
    let (endpoint, tables) = lab.tx(|tx, scope| {
        let mut tables = Vec::new();
        for subnet in [&with, &without] {
            let table = route_table::create(tx, scope, &vpc, Vec::new())?;
            route_table::associate(tx, scope, &table.id, AssociationTarget::Subnet(subnet.to_string()))?;
            tables.push(table.id.clone());
        }
        let request = vpc_endpoint::CreateVpcEndpoint {
            vpc_id: vpc.clone(),
            service_name: S3.into(),
            route_table_ids: vec![tables[0].clone()],
            ..Default::default()
        };
        Ok((vpc_endpoint::create(tx, scope, request)?.id.clone(), tables))
    });
    let mut ids: Vec<&str> = tables.iter().map(String::as_str).collect();
    ids.sort_unstable();
    let numbers = names::route_table_ids(&ids);
    let number = |id: &str| numbers[ids.iter().position(|other| *other == id).unwrap()];
    let (routed, plain) = (number(&tables[0]), number(&tables[1]));
    (lab, vpc, endpoint, routed, plain)
}

#[test]
fn a_gateway_endpoint_is_a_namespace_answering_every_address_of_its_services_blocks() {
    let (lab, vpc, endpoint, _, _) = storage();
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{endpoint}")];
    assert_eq!(namespace.role, Role::VpcEndpoint);
    assert!(namespace.role.hides_from_traceroute() && !namespace.role.forwards());
    let local: Vec<String> = namespace
        .routes
        .iter()
        .filter(|(_, kind)| matches!(kind, RouteKind::Local { .. }))
        .map(|((table, block), _)| format!("{table} {block}"))
        .collect();
    assert_eq!(local, ["255 52.216.0.0/15", "255 54.231.0.0/17"]);
    let link = names::endpoint_link(&endpoint);
    let back = RouteKind::Gateway { gateway: NEXT_HOP.into(), device: link.clone(), source: None };
    assert_eq!(namespace.routes[&(table::MAIN, net("10.30.0.0/16"))], back);
    let veth = &state.veths[&(format!("lv-{vpc}"), link.clone())];
    assert_eq!(
        (veth.b.namespace.as_str(), veth.b.name.as_str(), veth.mtu),
        (&*format!("lv-{endpoint}"), &*link, VPC_MTU)
    );
}

#[test]
fn only_the_tables_holding_the_endpoint_route_send_the_lists_blocks_over_its_link() {
    let (lab, vpc, endpoint, routed, plain) = storage();
    let router = &lab.plan().namespaces[&format!("lv-{vpc}")];
    let link = names::endpoint_link(&endpoint);
    let via = RouteKind::Gateway { gateway: NEXT_HOP.into(), device: link.clone(), source: None };
    assert_eq!(router.routes[&(routed, net("52.216.0.0/15"))], via);
    assert_eq!(router.routes[&(routed, net("54.231.0.0/17"))], via);
    assert!(!router.routes.contains_key(&(plain, net("52.216.0.0/15"))));
    assert_eq!(router.routes[&(plain, net("0.0.0.0/0"))], RouteKind::Blackhole);
    // What the service answers reaches the delivery table only: no rule selects a route table by its link.
    assert!(router.rules.iter().all(|rule| rule.iif.as_deref() != Some(link.as_str())));
    assert!(router.neighbours.iter().any(|neighbour| neighbour.device == link));
}

#[test]
fn an_endpoint_no_route_table_names_is_no_namespace() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.30.0.0/16");
    let subnet = lab.subnet(&vpc, "10.30.1.0/24");
    lab.instance(&subnet, "10.30.1.10");
    let request =
        vpc_endpoint::CreateVpcEndpoint { vpc_id: vpc.clone(), service_name: S3.into(), ..Default::default() };
    let endpoint = lab.tx(|tx, scope| vpc_endpoint::create(tx, scope, request)).id.clone();
    let state = lab.plan();
    assert!(!state.namespaces.contains_key(&format!("lv-{endpoint}")));
    assert!(state.veths.keys().all(|(_, link)| *link != names::endpoint_link(&endpoint)));
}

#[test]
fn the_endpoint_admits_only_tcp_and_echo_from_the_vpcs_interfaces_and_resets_other_ports() {
    let (lab, _, endpoint, _, _) = storage();
    let state = lab.plan();
    let chains = &state.namespaces[&format!("lv-{endpoint}")].firewall.chains;
    let [input, _output] = chains.as_slice() else { panic!("an input and an output chain: {chains:?}") };
    assert!(input.hook.is_some_and(|hook| hook.hook == "input" && hook.drop_by_default));
    let verdicts: Vec<(&[Match], &Verdict)> =
        input.rules.iter().map(|rule| (rule.matches.as_slice(), &rule.verdict)).collect();
    let privates = vec![Ipv4Addr::new(10, 30, 1, 10), Ipv4Addr::new(10, 30, 2, 10)];
    let tcp = |port| vec![Match::Protocol(6), Match::DestinationPort { protocol: 6, from: port, to: port }];
    assert_eq!(
        verdicts,
        [
            (&[Match::InputInterface("lo".into())][..], &Verdict::Accept),
            (&[Match::SourceNotIn(privates)][..], &Verdict::Drop),
            (&[Match::Tracked][..], &Verdict::Accept),
            (&[Match::Protocol(1), Match::IcmpType(8)][..], &Verdict::Accept),
            (&tcp(443)[..], &Verdict::Accept),
            (&tcp(80)[..], &Verdict::Accept),
            (&[Match::Protocol(6)][..], &Verdict::RejectTcpReset),
        ]
    );
}

#[test]
fn the_endpoint_sends_only_answers_from_its_services_blocks() {
    let (lab, _, endpoint, _, _) = storage();
    let state = lab.plan();
    let output = &state.namespaces[&format!("lv-{endpoint}")].firewall.chains[1];
    assert!(output.hook.is_some_and(|hook| hook.hook == "output" && hook.drop_by_default));
    let answers: Vec<&[Match]> = output.rules.iter().skip(1).map(|rule| rule.matches.as_slice()).collect();
    assert_eq!(
        answers,
        [
            &[Match::Tracked, Match::Source(net("52.216.0.0/15"))][..],
            &[Match::Tracked, Match::Source(net("54.231.0.0/17"))][..],
        ]
    );
    assert!(output.rules.iter().all(|rule| rule.verdict == Verdict::Accept));
}
