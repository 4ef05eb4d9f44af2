//! Part 2 §17.4–17.5: gateway VPC endpoints carry a subnet's packets to S3 or DynamoDB privately, and interface
//! endpoints are hosts in their subnets. One test per rule; endpoints are made through the model's own Create.

use localvpc_model::prefix_list::aws_managed;
use localvpc_model::security_group::RulePeer;
use localvpc_model::vpc_endpoint::{self, CreateVpcEndpoint};

use super::codes;
use super::lab::{Lab, Target};
use crate::dns::{resolve, Answer};
use crate::packet::{Code, Endpoint, HopKind, Protocol, Vantage, Verdict};
use crate::Trace;

/// An address inside S3's list (what `s3.<region>.amazonaws.com` resolves to).
const S3: &str = "52.216.0.10";
const S3_LIST: &str = "pl-63a5400a";

/// A VPC with one subnet and an instance, no internet gateway, no public address.
fn private_vpc() -> (Lab, String, String, String) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    let instance = lab.instance(&subnet, "10.6.1.10");
    (lab, vpc, subnet, instance)
}

/// A gateway endpoint for `service` (`s3`, `dynamodb`) in `tables`; returns its ID.
fn gateway_endpoint(lab: &mut Lab, vpc_id: &str, service: &str, tables: &[String]) -> String {
    let request = CreateVpcEndpoint {
        vpc_id: vpc_id.into(),
        service_name: format!("com.amazonaws.us-east-1.{service}"),
        route_table_ids: tables.to_vec(),
        ..Default::default()
    };
    lab.tx(|tx, scope| vpc_endpoint::create(tx, scope, request)).id.clone()
}

fn crosses(trace: &Trace, kind: HopKind) -> bool {
    trace.forward.hops.iter().any(|hop| hop.kind == kind)
}

#[test]
fn a_subnet_whose_table_routes_to_the_endpoint_reaches_s3_with_its_private_source() {
    let (mut lab, vpc, _, instance) = private_vpc();
    assert_eq!(codes(&lab.probe(&instance, S3, Protocol::Tcp(443))), vec![Code::NoRouteToDestination]);
    let main = lab.main_table(&vpc);
    let endpoint = gateway_endpoint(&mut lab, &vpc, "s3", &[main]);
    let trace = lab.probe(&instance, S3, Protocol::Tcp(443));
    assert_eq!(trace.verdict, Verdict::Reachable, "{trace:#?}");
    assert!(trace.forward.hops.iter().any(|hop| hop.kind == HopKind::VpcEndpoint && hop.id == endpoint));
    let Some((Endpoint::AwsService(_, address), seen)) = trace.forward.delivered else { panic!("{trace:#?}") };
    assert_eq!((address.to_string(), seen.src.to_string()), (S3.to_string(), "10.6.1.10".to_string()));
    // The answer comes back through the endpoint.
    let reply = trace.reply.as_ref().expect("answered");
    assert_eq!(reply.hops.first().map(|hop| (hop.kind, hop.id.clone())), Some((HopKind::VpcEndpoint, endpoint)));
    assert_eq!(lab.probe(&instance, S3, Protocol::Icmp).verdict, Verdict::Reachable);
}

#[test]
fn the_service_answers_tcp_on_https_and_http_only() {
    let (mut lab, vpc, _, instance) = private_vpc();
    let main = lab.main_table(&vpc);
    gateway_endpoint(&mut lab, &vpc, "s3", &[main]);
    assert_eq!(lab.probe(&instance, S3, Protocol::Tcp(80)).verdict, Verdict::Reachable);
    assert_eq!(lab.probe(&instance, S3, Protocol::Tcp(22)).verdict, Verdict::Refused);
}

#[test]
fn a_gateway_endpoint_accepts_only_tcp_and_icmp_echo() {
    let (mut lab, vpc, _, instance) = private_vpc();
    let main = lab.main_table(&vpc);
    gateway_endpoint(&mut lab, &vpc, "s3", &[main]);
    let udp = lab.probe(&instance, S3, Protocol::Udp(53));
    assert_eq!(codes(&udp), vec![Code::VpceGatewayProtocolRestriction]);
    assert_eq!(udp.findings().next().map(|f| f.code.as_str()), Some("VPCE_GATEWAY_PROTOCOL_RESTRICTION"));
    // Positive control: TCP to the same address passes.
    assert_eq!(lab.probe(&instance, S3, Protocol::Tcp(443)).verdict, Verdict::Reachable);
}

#[test]
fn only_the_subnets_whose_own_table_has_the_endpoint_route_use_it() {
    let (mut lab, vpc, _, instance) = private_vpc();
    let other_subnet = lab.subnet(&vpc, "10.6.2.0/24");
    let other = lab.instance(&other_subnet, "10.6.2.10");
    let own = lab.own_table(&vpc, &other_subnet);
    gateway_endpoint(&mut lab, &vpc, "s3", &[own]);
    assert_eq!(lab.probe(&other, S3, Protocol::Tcp(443)).verdict, Verdict::Reachable);
    assert_eq!(codes(&lab.probe(&instance, S3, Protocol::Tcp(443))), vec![Code::NoRouteToDestination]);
}

#[test]
fn the_endpoint_route_beats_the_default_route_to_the_internet_gateway() {
    let (mut lab, vpc, _, instance) = private_vpc();
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    // Without an endpoint: the internet gateway, which needs a public address.
    assert_eq!(codes(&lab.probe(&instance, S3, Protocol::Tcp(443))), vec![Code::NoPublicAddress]);
    let public = lab.eip(&instance);
    let via_igw = lab.probe(&instance, S3, Protocol::Tcp(443));
    assert_eq!(via_igw.verdict, Verdict::Reachable);
    assert!(crosses(&via_igw, HopKind::InternetGateway));
    let Some((Endpoint::Internet(_), seen)) = via_igw.forward.delivered else { panic!("{via_igw:#?}") };
    assert_eq!(seen.src, public, "S3 sees the public address through the internet gateway");
    // With one: the endpoint, and the private source.
    let main = lab.main_table(&vpc);
    gateway_endpoint(&mut lab, &vpc, "s3", &[main]);
    let via_endpoint = lab.probe(&instance, S3, Protocol::Tcp(443));
    assert!(crosses(&via_endpoint, HopKind::VpcEndpoint) && !crosses(&via_endpoint, HopKind::InternetGateway));
    let Some((Endpoint::AwsService(..), seen)) = via_endpoint.forward.delivered else { panic!("{via_endpoint:#?}") };
    assert_eq!(seen.src.to_string(), "10.6.1.10");
}

#[test]
fn a_service_address_on_the_internet_answers_like_the_service() {
    let (mut lab, vpc, _, instance) = private_vpc();
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Target::Gateway(igw));
    lab.eip(&instance);
    assert_eq!(lab.probe(&instance, S3, Protocol::Tcp(443)).verdict, Verdict::Reachable);
    assert_eq!(lab.probe(&instance, S3, Protocol::Tcp(22)).verdict, Verdict::Refused);
    // Positive control: another internet host answers any port.
    assert_eq!(lab.probe(&instance, "203.0.113.7", Protocol::Tcp(22)).verdict, Verdict::Reachable);
}

#[test]
fn security_group_egress_applies_and_a_prefix_list_rule_opens_it() {
    let (mut lab, vpc, _, instance) = private_vpc();
    let main = lab.main_table(&vpc);
    gateway_endpoint(&mut lab, &vpc, "s3", &[main]);
    lab.clear_egress(&instance);
    assert_eq!(codes(&lab.probe(&instance, S3, Protocol::Tcp(443))), vec![Code::EniSgRulesMismatch]);
    lab.allow(&instance, true, "tcp", Some((443, 443)), RulePeer::PrefixList { prefix_list_id: S3_LIST.into() });
    assert_eq!(lab.probe(&instance, S3, Protocol::Tcp(443)).verdict, Verdict::Reachable);
}

#[test]
fn network_acls_apply_to_the_request_and_the_answer() {
    let (mut lab, vpc, subnet, instance) = private_vpc();
    let main = lab.main_table(&vpc);
    gateway_endpoint(&mut lab, &vpc, "s3", &[main]);
    lab.custom_acl(&vpc, &subnet);
    lab.acl_entry(&subnet, 100, true, true, "6", "0.0.0.0/0", Some((443, 443)));
    assert_eq!(codes(&lab.probe(&instance, S3, Protocol::Tcp(443))), vec![Code::SubnetAclRestriction]);
    lab.acl_entry(&subnet, 100, false, true, "6", "52.216.0.0/15", Some((1024, 65535)));
    assert_eq!(lab.probe(&instance, S3, Protocol::Tcp(443)).verdict, Verdict::Reachable);
}

#[test]
fn the_endpoint_is_not_usable_from_the_other_side_of_a_peering() {
    let (mut lab, vpc, _, _) = private_vpc();
    let main = lab.main_table(&vpc);
    gateway_endpoint(&mut lab, &vpc, "s3", &[main]);
    let peer_vpc = lab.vpc("10.7.0.0/16");
    let peer_subnet = lab.subnet(&peer_vpc, "10.7.1.0/24");
    let peer_instance = lab.instance(&peer_subnet, "10.7.1.10");
    let pcx = lab.peer(&vpc, &peer_vpc, None);
    lab.route(&peer_vpc, "52.216.0.0/15", Target::Peering(pcx));
    let trace = lab.probe(&peer_instance, S3, Protocol::Tcp(443));
    assert_eq!(codes(&trace), vec![Code::CannotRoute]);
    assert!(!crosses(&trace, HopKind::VpcEndpoint));
}

#[test]
fn the_endpoint_rejects_traffic_that_came_over_a_transit_gateway() {
    let mut lab = Lab::new();
    let (gateway, table) = lab.transit_gateway();
    let a = lab.vpc("10.1.0.0/16");
    let b = lab.vpc("10.2.0.0/16");
    let sa = lab.subnet_in(&a, "10.1.1.0/24", "us-east-1a");
    let sb = lab.subnet_in(&b, "10.2.1.0/24", "us-east-1a");
    lab.instance(&sa, "10.1.1.10");
    let host = lab.instance(&sb, "10.2.1.10");
    let attach_a = lab.attach(&gateway, &a, &[&sa]);
    lab.attach(&gateway, &b, &[&sb]);
    lab.route(&b, "52.216.0.0/15", Target::TransitGateway(gateway));
    lab.tgw_route(&table, "52.216.0.0/15", Some(&attach_a));
    let main = lab.main_table(&a);
    gateway_endpoint(&mut lab, &a, "s3", &[main]);
    let trace = lab.probe(&host, S3, Protocol::Tcp(443));
    assert_eq!(codes(&trace), vec![Code::GatewayRejectsSpoofedTraffic], "{trace:#?}");
    assert!(crosses(&trace, HopKind::TransitGateway));
}

#[test]
fn deleting_the_endpoint_takes_its_route_away() {
    let (mut lab, vpc, _, instance) = private_vpc();
    let main = lab.main_table(&vpc);
    let endpoint = gateway_endpoint(&mut lab, &vpc, "dynamodb", &[main]);
    let dynamodb = aws_managed::resolve_service_name("dynamodb.us-east-1.amazonaws.com").unwrap().to_string();
    assert_eq!(lab.probe(&instance, &dynamodb, Protocol::Tcp(443)).verdict, Verdict::Reachable);
    // An S3 address is not routed by a DynamoDB endpoint.
    assert_eq!(codes(&lab.probe(&instance, S3, Protocol::Tcp(443))), vec![Code::NoRouteToDestination]);
    lab.tx(|tx, scope| Ok(vpc_endpoint::delete(tx, scope, std::slice::from_ref(&endpoint))));
    assert_eq!(codes(&lab.probe(&instance, &dynamodb, Protocol::Tcp(443))), vec![Code::NoRouteToDestination]);
}

#[test]
fn service_names_resolve_to_the_service_address_inside_the_vpc_and_on_the_internet() {
    let (lab, _, _, instance) = private_vpc();
    let topology = lab.topology();
    let eni = topology.instance_eni(&instance).unwrap();
    let s3 = Answer::Address(S3.parse().unwrap());
    assert_eq!(resolve(&topology, Vantage::Eni(eni), "s3.us-east-1.amazonaws.com"), s3);
    assert_eq!(resolve(&topology, Vantage::Eni(eni), "my-bucket.s3.us-east-1.amazonaws.com"), s3);
    assert_eq!(resolve(&topology, Vantage::Internet, "s3.amazonaws.com"), s3);
    assert_eq!(resolve(&topology, Vantage::Internet, "nothing.example.com"), Answer::NxDomain);
}

#[test]
fn an_interface_endpoint_is_a_host_answering_https_with_private_dns_inside_its_vpc() {
    let (mut lab, vpc, subnet, instance) = private_vpc();
    lab.dns_hostnames(&vpc, true);
    let request = CreateVpcEndpoint {
        kind: Some("Interface".into()),
        vpc_id: vpc.clone(),
        service_name: "com.amazonaws.us-east-1.ssm".into(),
        subnet_ids: vec![subnet],
        ..Default::default()
    };
    let endpoint = lab.tx(|tx, scope| vpc_endpoint::create(tx, scope, request));
    let interface = endpoint.network_interface_ids[0].clone();
    let topology = lab.topology();
    let eni = topology.eni(&interface).unwrap();
    let address = topology.enis[eni].private_ip.unwrap();
    let asker = Vantage::Eni(topology.instance_eni(&instance).unwrap());
    assert_eq!(resolve(&topology, asker, "ssm.us-east-1.amazonaws.com"), Answer::Address(address));
    assert_eq!(resolve(&topology, Vantage::Internet, "ssm.us-east-1.amazonaws.com"), Answer::NxDomain);
    // The endpoint's interface has the VPC's default group, which admits the instance (a member of it too).
    let target = address.to_string();
    assert_eq!(lab.probe(&instance, &target, Protocol::Tcp(443)).verdict, Verdict::Reachable);
    assert_eq!(lab.probe(&instance, &target, Protocol::Tcp(80)).verdict, Verdict::Refused);
}

#[test]
fn an_interface_endpoint_is_reachable_over_a_peering_unlike_a_gateway_endpoint() {
    let (mut lab, vpc, subnet, _) = private_vpc();
    let request = CreateVpcEndpoint {
        kind: Some("Interface".into()),
        vpc_id: vpc.clone(),
        service_name: "com.amazonaws.us-east-1.sts".into(),
        subnet_ids: vec![subnet],
        private_dns_enabled: Some(false),
        ..Default::default()
    };
    let endpoint = lab.tx(|tx, scope| vpc_endpoint::create(tx, scope, request));
    let peer_vpc = lab.vpc("10.7.0.0/16");
    let peer_subnet = lab.subnet(&peer_vpc, "10.7.1.0/24");
    let peer_instance = lab.instance(&peer_subnet, "10.7.1.10");
    let pcx = lab.peer(&vpc, &peer_vpc, None);
    lab.route(&peer_vpc, "10.6.0.0/16", Target::Peering(pcx.clone()));
    lab.route(&vpc, "10.7.0.0/16", Target::Peering(pcx));
    let topology = lab.topology();
    let address =
        topology.enis[topology.eni(&endpoint.network_interface_ids[0]).unwrap()].private_ip.unwrap().to_string();
    // The endpoint's default group admits its own members only: the peer is stopped by it…
    assert_eq!(codes(&lab.probe(&peer_instance, &address, Protocol::Tcp(443))), vec![Code::EniSgRulesMismatch]);
    // …and admitted once the group allows the peer's block.
    let group = endpoint.group_ids[0].clone();
    lab.tx(|tx, scope| {
        let rule = localvpc_model::security_group::SecurityGroupRule {
            id: tx.next_id(localvpc_model::ids::IdKind::SecurityGroupRule),
            protocol: "tcp".into(),
            from_port: Some(443),
            to_port: Some(443),
            peer: RulePeer::Cidr("10.7.0.0/16".parse().unwrap()),
            description: None,
            tags: Default::default(),
        };
        tx.update::<localvpc_model::security_group::SecurityGroup>(scope, &group, |g| g.ingress.push(rule));
        Ok(())
    });
    assert_eq!(lab.probe(&peer_instance, &address, Protocol::Tcp(443)).verdict, Verdict::Reachable);
}
