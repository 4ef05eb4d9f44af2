//! The analysis on the default VPC of a fresh account (public subnets, an attached gateway, a `0.0.0.0/0` route, the
//! default group): two instances of one subnet reach each other, reach the internet through the gateway with its
//! address translation, and are not reachable from the internet until a group rule lets SSH in.

use localvpc_model::instance::{self, RunInstances};
use localvpc_model::network_insights::result::{AnalysisResult, PortRange};
use localvpc_model::network_insights::{self, CreatePath, PathProtocol, StartAnalysis};
use localvpc_model::{vpc, Scope, Timestamp, Tx, World};

use super::{analyse, candidate_ports};

fn scope() -> Scope {
    Scope::new("123456789012", "ap-northeast-2")
}

/// Two running instances in the default VPC's first subnet, and its internet gateway.
fn default_vpc() -> (World, [String; 2], String) {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(0));
    vpc::ensure_initialized(&mut tx, &scope());
    let region = tx.region(&scope());
    let igw = region.internet_gateways.values().next().unwrap().id.clone();
    let launch = RunInstances { image_id: "ami-12345678".into(), min_count: 2, max_count: 2, ..Default::default() };
    let reservation = instance::run_instances(&mut tx, &scope(), launch).unwrap();
    let ids = [reservation.instances[0].id.clone(), reservation.instances[1].id.clone()];
    tx.finish();
    (world, ids, igw)
}

fn run(world: &mut World, source: &str, destination: &str, port: Option<u16>) -> AnalysisResult {
    let mut tx = Tx::new(world, Timestamp(0));
    let request = CreatePath {
        source: source.into(),
        destination: Some(destination.into()),
        source_ip: None,
        destination_ip: None,
        protocol: PathProtocol::Tcp,
        destination_port: port,
        filter_at_source: None,
        filter_at_destination: None,
        client_token: None,
        tags: Vec::new(),
    };
    let path = network_insights::create_path(&mut tx, &scope(), request).unwrap();
    let start = StartAnalysis { path_id: path.id.clone(), ..StartAnalysis::default() };
    let analysis = network_insights::start_analysis(&mut tx, &scope(), start, |world, path| {
        analyse(world, &scope(), path, &[], &[])
    })
    .unwrap();
    analysis.result.clone().unwrap()
}

fn ids(result: &AnalysisResult, forward: bool) -> Vec<String> {
    let components = if forward { &result.forward_path_components } else { &result.return_path_components };
    components.iter().map(|component| component.component.id.clone()).collect()
}

#[test]
fn neighbours_in_one_subnet_reach_each_other_without_route_or_acl() {
    let (mut world, [a, b], _) = default_vpc();
    let result = run(&mut world, &a, &b, Some(22));
    assert!(result.network_path_found, "{:?}", result.explanations);
    let forward = ids(&result, true);
    assert_eq!(forward.first(), Some(&a));
    assert_eq!(forward.last(), Some(&b));
    assert!(forward.iter().all(|id| !id.starts_with("rtb-") && !id.starts_with("acl-")), "{forward:?}");
    assert_eq!(ids(&result, false).first(), Some(&b));
}

#[test]
fn the_gateway_translates_on_the_way_out_and_back() {
    let (mut world, [a, _], igw) = default_vpc();
    let result = run(&mut world, &a, &igw, Some(443));
    assert!(result.network_path_found, "{:?}", result.explanations);
    let gateway = result.forward_path_components.last().unwrap();
    assert_eq!(gateway.component.id, igw);
    let inbound = gateway.inbound_header.as_ref().unwrap();
    let outbound = gateway.outbound_header.as_ref().unwrap();
    assert_ne!(inbound.source_addresses, outbound.source_addresses, "the private address leaves as the public one");
    assert_eq!(outbound.destination_addresses, vec!["8.8.8.8/32".to_string()]);
    assert_eq!(ids(&result, false).first(), Some(&igw));
}

#[test]
fn from_the_internet_the_default_group_is_the_block() {
    let (mut world, [a, _], igw) = default_vpc();
    let result = run(&mut world, &igw, &a, Some(22));
    assert!(!result.network_path_found);
    let codes: Vec<&str> = result.explanations.iter().map(|e| e.explanation_code.as_str()).collect();
    assert_eq!(codes, ["ENI_SG_RULES_MISMATCH"]);
    assert_eq!(result.explanations[0].direction.as_deref(), Some("ingress"));
    // No port named: every port is tried at the rule boundaries; the default group lets none in from outside.
    assert!(!run(&mut world, &igw, &a, None).network_path_found);
}

#[test]
fn candidate_ports_are_the_rule_boundaries_in_range() {
    let (world, _, _) = default_vpc();
    let topology = localvpc_engine::Topology::compile(&world, 0);
    assert_eq!(candidate_ports(&topology, PortRange { from: 22, to: 22 }), vec![22]);
    assert_eq!(candidate_ports(&topology, PortRange { from: 0, to: 65535 }), vec![0]);
}
