//! The plan of transit gateways (part 2 §14.4): a namespace per gateway with a link per available VPC attachment,
//! one kernel table per gateway route table selected by the attachment a packet arrives on, the VPC side's routes
//! to the gateway, and what comes back looked up in the attachment subnet's route table.

use localvpc_model::transit_gateway::{self, routes, vpc_attachment};

use super::*;

impl Lab {
    fn transit_gateway(&mut self) -> (String, String) {
        let gateway = self.tx(|tx, scope| transit_gateway::create(tx, scope, None, Default::default(), Vec::new()));
        (gateway.id.clone(), gateway.options.association_default_route_table_id.clone().expect("default table"))
    }

    fn attach(&mut self, gateway: &str, vpc_id: &str, subnet_id: &str) -> String {
        let request = vpc_attachment::CreateVpcAttachment {
            transit_gateway_id: gateway.into(),
            vpc_id: vpc_id.into(),
            subnet_ids: vec![subnet_id.into()],
            ..Default::default()
        };
        self.tx(|tx, scope| vpc_attachment::create(tx, scope, request)).id.clone()
    }

    fn route_to_gateway(&mut self, vpc_id: &str, destination: &str, gateway: &str) {
        let request = RouteRequest {
            route_table_id: self.main_table(vpc_id),
            destination: destination.into(),
            transit_gateway_id: Some(gateway.into()),
            ..Default::default()
        };
        self.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    }
}

/// Two VPCs (10.1/16, 10.2/16) attached to one gateway with AWS's default association and propagation, each routing
/// the other to it: (lab, gateway, its default table, VPCs, attachments).
fn two_spokes() -> (Lab, String, String, [String; 2], [String; 2]) {
    let mut lab = Lab::new();
    let (gateway, table) = lab.transit_gateway();
    let mut vpcs = Vec::new();
    let mut attachments = Vec::new();
    for n in 1..=2 {
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let subnet = lab.subnet(&vpc, &format!("10.{n}.1.0/24"));
        lab.instance(&subnet, &format!("10.{n}.1.10"));
        attachments.push(lab.attach(&gateway, &vpc, &subnet));
        vpcs.push(vpc);
    }
    lab.route_to_gateway(&vpcs[0], "10.2.0.0/16", &gateway);
    lab.route_to_gateway(&vpcs[1], "10.1.0.0/16", &gateway);
    let pair = |v: Vec<String>| -> [String; 2] { v.try_into().unwrap() };
    (lab, gateway, table, pair(vpcs), pair(attachments))
}

fn via(link: &str) -> RouteKind {
    RouteKind::Gateway { gateway: NEXT_HOP, device: link.into(), source: None }
}

#[test]
fn a_transit_gateway_is_a_hidden_forwarding_namespace_linked_to_each_attached_vpc_router() {
    let (lab, gateway, _, vpcs, attachments) = two_spokes();
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{gateway}")];
    assert_eq!(namespace.role, Role::TransitGateway);
    assert!(namespace.role.forwards() && namespace.role.hides_from_traceroute());
    for (vpc, attachment) in vpcs.iter().zip(&attachments) {
        let link = names::attachment_link(attachment);
        let veth = &state.veths[&(format!("lv-{vpc}"), link.clone())];
        assert_eq!(
            (veth.b.namespace.as_str(), veth.b.name.as_str()),
            (format!("lv-{gateway}").as_str(), link.as_str())
        );
        assert_eq!(veth.mtu, crate::plan::transit::TGW_MTU);
        assert!(namespace.neighbours.iter().any(|n| n.device == link && n.mac == veth.a.mac));
    }
}

#[test]
fn each_gateway_route_table_is_a_kernel_table_selected_by_the_associated_attachments_link() {
    let (lab, gateway, _, _, attachments) = two_spokes();
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{gateway}")];
    let links = attachments.each_ref().map(|attachment| names::attachment_link(attachment));
    let tables: Vec<u32> = namespace.rules.iter().filter(|rule| rule.iif.is_some()).map(|rule| rule.table).collect();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0], tables[1], "both attachments are associated with the default table");
    let number = tables[0];
    // Propagated routes lead out by each VPC's attachment; nothing else is carried.
    assert_eq!(namespace.routes[&(number, net("10.1.0.0/16"))], via(&links[0]));
    assert_eq!(namespace.routes[&(number, net("10.2.0.0/16"))], via(&links[1]));
    assert_eq!(namespace.routes[&(number, net("0.0.0.0/0"))], RouteKind::Blackhole);
    // An attachment with no association falls through to a table that drops everything.
    assert!(namespace.rules.contains(&Rule::all(200, table::NOWHERE)));
    assert_eq!(namespace.routes[&(table::NOWHERE, net("0.0.0.0/0"))], RouteKind::Blackhole);
}

#[test]
fn a_blackhole_route_in_the_gateway_table_is_a_kernel_blackhole() {
    let (mut lab, gateway, table_id, _, _) = two_spokes();
    lab.tx(|tx, scope| routes::create(tx, scope, &table_id, "10.2.0.0/16", None, true));
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{gateway}")];
    let number = namespace.rules.iter().find(|rule| rule.iif.is_some()).unwrap().table;
    assert_eq!(namespace.routes[&(number, net("10.2.0.0/16"))], RouteKind::Blackhole);
}

#[test]
fn a_vpc_route_to_the_gateway_leaves_by_the_attachment_and_answers_use_the_attachment_subnets_table() {
    let (lab, _, _, vpcs, attachments) = two_spokes();
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{}", vpcs[0])];
    let link = names::attachment_link(&attachments[0]);
    let subnet_rule = router.rules.iter().find(|rule| rule.iif.as_deref().is_some_and(|i| i.starts_with('s'))).unwrap();
    let route = router.routes.get(&(subnet_rule.table, net("10.2.0.0/16")));
    assert_eq!(route, Some(&via(&link)));
    // What arrives from the gateway is looked up in the same table (its `local` route delivers in the VPC).
    let from_gateway = router.rules.iter().find(|rule| rule.iif.as_deref() == Some(link.as_str())).unwrap();
    assert_eq!(from_gateway.table, subnet_rule.table);
    // Never straight back into a gateway.
    let forward = router.firewall.chains.iter().find(|chain| chain.name == "forward").unwrap();
    let hairpin = vec![Match::InputInterface(link.clone()), Match::OutputInterface(link.clone())];
    assert!(forward.rules.iter().any(|rule| rule.matches == hairpin && rule.verdict == Verdict::Drop));
}

#[test]
fn a_gateway_without_an_available_attachment_is_no_namespace_and_routes_to_it_are_blackholes() {
    let mut lab = Lab::new();
    let (gateway, _) = lab.transit_gateway();
    let vpc = lab.vpc("10.1.0.0/16");
    lab.subnet(&vpc, "10.1.1.0/24");
    let state = lab.plan();
    assert!(!state.namespaces.contains_key(&format!("lv-{gateway}")));
    let topology = Topology::compile(&lab.world, 1);
    assert_eq!(crate::plan::transit::route_link(&topology, 0, &gateway), None);
}
