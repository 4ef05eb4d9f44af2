//! The plan of transit gateways (part 2 §14.4): a namespace per gateway with a link per available VPC attachment,
//! one kernel table per gateway route table selected by the attachment a packet arrives on, the VPC side's routes
//! to the gateway, and what comes back looked up in the attachment subnet's route table.

use localvpc_model::transit_gateway::route_table as gateway_tables;
use localvpc_model::transit_gateway::{self, peering, routes, vpc_attachment};

use super::*;
use crate::names::NEXT_HOP_V6;

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
pub(super) fn two_spokes() -> (Lab, String, String, [String; 2], [String; 2]) {
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
    RouteKind::Gateway { gateway: NEXT_HOP.into(), device: link.into(), source: None }
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
    // What it routes from there to a gateway again goes (the subnet is the attachment's own: no further ACL), and
    // what leaves the gateway crosses the attachment subnet's outbound ACL.
    let forward = router.firewall.chains.iter().find(|chain| chain.name == "forward").unwrap();
    let hairpin = vec![Match::InputInterface(link.clone()), Match::OutputInterface(link.clone())];
    assert!(!forward.rules.iter().any(|rule| rule.matches == hairpin));
    let from_gateway = vec![Match::InputInterface(link.clone())];
    assert!(forward
        .rules
        .iter()
        .any(|rule| rule.matches == from_gateway && rule.verdict == Verdict::Jump(format!("from_{link}"))));
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

/// Two gateways, each with one VPC (10.1/16 on the first, of this lab's account in us-east-1; 10.2/16 on the second,
/// of another account in us-west-2) and an accepted peering associated with each side's default table:
/// (lab, [gateway, its default table] per side, the peering attachment).
fn peered_gateways() -> (Lab, [(String, String); 2], String) {
    let mut lab = Lab::new();
    let east = lab.scope.clone();
    let west = Scope::new("222222222222", "us-west-2");
    let mut sides = Vec::new();
    for (n, scope) in [(1, &east), (2, &west)] {
        lab.scope = scope.clone();
        let (gateway, table) = lab.transit_gateway();
        let vpc = lab.vpc(&format!("10.{n}.0.0/16"));
        let subnet = lab.subnet(&vpc, &format!("10.{n}.1.0/24"));
        lab.instance(&subnet, &format!("10.{n}.1.10"));
        lab.attach(&gateway, &vpc, &subnet);
        sides.push((gateway, table));
    }
    lab.scope = east.clone();
    let request = peering::CreatePeeringAttachment {
        transit_gateway_id: sides[0].0.clone(),
        peer_transit_gateway_id: sides[1].0.clone(),
        peer_account_id: west.account.clone(),
        peer_region: west.region.clone(),
        tags: Vec::new(),
    };
    let attachment = lab.tx(|tx, scope| peering::create(tx, scope, request)).id.clone();
    lab.scope = west;
    lab.tx(|tx, scope| peering::accept(tx, scope, &attachment));
    for (index, (_, table)) in sides.iter().enumerate() {
        lab.scope = if index == 0 { east.clone() } else { Scope::new("222222222222", "us-west-2") };
        lab.tx(|tx, scope| gateway_tables::associate(tx, scope, table, &attachment));
    }
    lab.scope = east;
    (lab, sides.try_into().unwrap(), attachment)
}

impl Lab {
    /// A static route in a gateway table of `scope`'s account.
    fn gateway_route(&mut self, scope: &Scope, table: &str, destination: &str, attachment: &str) {
        let own = std::mem::replace(&mut self.scope, scope.clone());
        self.tx(|tx, scope| routes::create(tx, scope, table, destination, Some(attachment), false));
        self.scope = own;
    }
}

/// The rule of `namespace` that selects a table for packets arriving by `link`.
fn table_of_link(namespace: &Namespace, link: &str) -> u32 {
    namespace.rules.iter().find(|rule| rule.iif.as_deref() == Some(link)).expect("a rule for the link").table
}

#[test]
fn a_peering_attachment_is_one_link_between_the_two_gateways_namespaces_whatever_their_accounts_and_regions() {
    let (mut lab, [(east, east_table), (west, west_table)], attachment) = peered_gateways();
    let west_scope = Scope::new("222222222222", "us-west-2");
    let east_scope = lab.scope.clone();
    lab.gateway_route(&east_scope, &east_table, "10.2.0.0/16", &attachment);
    lab.gateway_route(&west_scope, &west_table, "10.1.0.0/16", &attachment);
    let state = lab.plan();
    let link = names::attachment_link(&attachment);
    let veth = &state.veths[&(format!("lv-{east}"), link.clone())];
    assert_eq!((veth.b.namespace.as_str(), veth.b.name.as_str()), (format!("lv-{west}").as_str(), link.as_str()));
    // Part 2 quota table: 8,500 bytes over a peering, across Regions too.
    assert_eq!(veth.mtu, crate::plan::transit::TGW_MTU);
    assert_eq!(state.veths.values().filter(|veth| veth.a.name == link).count(), 1, "one veth for both sides");
    for (gateway, peer, destination) in [(&east, &west, "10.2.0.0/16"), (&west, &east, "10.1.0.0/16")] {
        let namespace = &state.namespaces[&format!("lv-{gateway}")];
        let peer_mac = names::link_mac(&format!("lv-{peer}"), &link);
        assert!(namespace.neighbours.iter().any(|n| n.device == link && n.mac == peer_mac));
        // Each side looks what the peering brings up in its own associated table, which routes the static
        // route's block over the peering and the propagated local VPC's block to its attachment.
        let number = table_of_link(namespace, &link);
        assert_eq!(namespace.routes[&(number, net(destination))], via(&link));
    }
}

#[test]
fn without_its_association_on_one_side_what_the_peering_brings_there_is_dropped() {
    let (mut lab, [(_, east_table), (west, west_table)], attachment) = peered_gateways();
    let east_scope = lab.scope.clone();
    lab.gateway_route(&east_scope, &east_table, "10.2.0.0/16", &attachment);
    lab.scope = Scope::new("222222222222", "us-west-2");
    lab.tx(|tx, scope| gateway_tables::disassociate(tx, scope, &west_table, &attachment));
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{west}")];
    let link = names::attachment_link(&attachment);
    assert!(namespace.neighbours.iter().any(|n| n.device == link), "the link is there");
    assert!(!namespace.rules.iter().any(|rule| rule.iif.as_deref() == Some(link.as_str())));
    assert!(namespace.rules.contains(&Rule::all(200, table::NOWHERE)));
}

#[test]
fn a_block_two_peered_gateways_route_to_each_other_is_a_blackhole_on_both_sides_and_nothing_else_is() {
    let (mut lab, [(east, east_table), (west, west_table)], attachment) = peered_gateways();
    let west_scope = Scope::new("222222222222", "us-west-2");
    let east_scope = lab.scope.clone();
    // 10.9/16 goes round for ever; 10.2/16 crosses once and is delivered on the west side.
    lab.gateway_route(&east_scope, &east_table, "10.9.0.0/16", &attachment);
    lab.gateway_route(&west_scope, &west_table, "10.9.0.0/16", &attachment);
    lab.gateway_route(&east_scope, &east_table, "10.2.0.0/16", &attachment);
    lab.gateway_route(&west_scope, &west_table, "10.0.0.0/8", &attachment);
    let state = lab.plan();
    let link = names::attachment_link(&attachment);
    for gateway in [&east, &west] {
        let namespace = &state.namespaces[&format!("lv-{gateway}")];
        let number = table_of_link(namespace, &link);
        assert_eq!(namespace.routes[&(number, net("10.9.0.0/16"))], RouteKind::Blackhole, "{gateway}");
    }
    // What crosses once is carried: 10.2/16 from east to west's VPC, and west's 10/8 over the peering, which east
    // delivers to its own VPC (10.1/16) or drops for want of a route — no blackhole is added for those.
    let east_namespace = &state.namespaces[&format!("lv-{east}")];
    let east_number = table_of_link(east_namespace, &link);
    assert_eq!(east_namespace.routes[&(east_number, net("10.2.0.0/16"))], via(&link));
    assert!(matches!(&east_namespace.routes[&(east_number, net("10.1.0.0/16"))], RouteKind::Gateway { device, .. }
        if *device != link));
    let west_namespace = &state.namespaces[&format!("lv-{west}")];
    let west_number = table_of_link(west_namespace, &link);
    assert_eq!(west_namespace.routes[&(west_number, net("10.0.0.0/8"))], via(&link));
    assert!(!west_namespace.routes.contains_key(&(west_number, net("10.1.0.0/16"))));
    let blackholes = |namespace: &Namespace, number: u32| {
        namespace.routes.iter().filter(|((table, _), kind)| *table == number && **kind == RouteKind::Blackhole).count()
    };
    // Only the ring's block and the table's catch-alls (0.0.0.0/0 and ::/0).
    assert_eq!((blackholes(east_namespace, east_number), blackholes(west_namespace, west_number)), (3, 3));
}

#[test]
fn an_ipv6_block_two_peered_gateways_route_to_each_other_is_a_blackhole_and_one_crossing_once_goes_via_fe80_1() {
    let (mut lab, [(east, east_table), (west, west_table)], attachment) = peered_gateways();
    let west_scope = Scope::new("222222222222", "us-west-2");
    let east_scope = lab.scope.clone();
    // Part 2 §16.2 [D]: a peering carries IPv6, and its rings are IPv6's own.
    lab.gateway_route(&east_scope, &east_table, "2600:1f00::/40", &attachment);
    lab.gateway_route(&west_scope, &west_table, "2600:1f00::/40", &attachment);
    lab.gateway_route(&east_scope, &east_table, "2600:1e00::/40", &attachment);
    let state = lab.plan();
    let link = names::attachment_link(&attachment);
    for gateway in [&east, &west] {
        let namespace = &state.namespaces[&format!("lv-{gateway}")];
        let number = table_of_link(namespace, &link);
        assert_eq!(namespace.routes[&(number, net("2600:1f00::/40"))], RouteKind::Blackhole, "{gateway}");
        assert!(namespace.neighbours.iter().any(|n| n.device == link && n.address == IpAddr::from(NEXT_HOP_V6)));
    }
    let namespace = &state.namespaces[&format!("lv-{east}")];
    let number = table_of_link(namespace, &link);
    let over_peering = RouteKind::Gateway { gateway: NEXT_HOP_V6.into(), device: link.clone(), source: None };
    assert_eq!(namespace.routes[&(number, net("2600:1e00::/40"))], over_peering);
}

#[test]
fn a_vpc_routes_what_one_gateway_brought_to_another_and_a_ring_through_a_vpc_is_a_blackhole() {
    // A hub VPC (10.5/16) attached to two gateways in one subnet, routing 10.2/16 to the second and 10.9/16 back to
    // the first; the first gateway sends both blocks to the hub.
    let mut lab = Lab::new();
    let (first, first_table) = lab.transit_gateway();
    let (second, _) = lab.transit_gateway();
    let hub = lab.vpc("10.5.0.0/16");
    let hub_subnet = lab.subnet(&hub, "10.5.1.0/24");
    let into_first = lab.attach(&first, &hub, &hub_subnet);
    let into_second = lab.attach(&second, &hub, &hub_subnet);
    lab.route_to_gateway(&hub, "10.2.0.0/16", &second);
    lab.route_to_gateway(&hub, "10.9.0.0/16", &first);
    let scope = lab.scope.clone();
    lab.gateway_route(&scope, &first_table, "10.2.0.0/16", &into_first);
    lab.gateway_route(&scope, &first_table, "10.9.0.0/16", &into_first);
    let state = lab.plan();
    let (first_link, second_link) = (names::attachment_link(&into_first), names::attachment_link(&into_second));
    let router = &state.namespaces[&format!("lv-{hub}")];
    let forward = router.firewall.chains.iter().find(|chain| chain.name == "forward").unwrap();
    let onward = vec![Match::InputInterface(first_link.clone()), Match::OutputInterface(second_link.clone())];
    assert!(!forward.rules.iter().any(|rule| rule.matches == onward), "one subnet: nothing but its outbound ACL");
    let number = table_of_link(router, &first_link);
    assert_eq!(router.routes[&(number, net("10.2.0.0/16"))], via(&second_link));
    // The first gateway carries 10.2/16 into the hub, which sends it on; 10.9/16 would come straight back.
    let gateway = &state.namespaces[&format!("lv-{first}")];
    let number = table_of_link(gateway, &first_link);
    assert_eq!(gateway.routes[&(number, net("10.2.0.0/16"))], via(&first_link));
    assert_eq!(gateway.routes[&(number, net("10.9.0.0/16"))], RouteKind::Blackhole);
}

#[test]
fn what_a_gateway_brought_may_not_leave_by_an_attachment_that_does_not_serve_its_arrival_zone() {
    let mut lab = Lab::new();
    let (first, _) = lab.transit_gateway();
    let (second, _) = lab.transit_gateway();
    let hub = lab.vpc("10.5.0.0/16");
    let in_a = lab.subnet(&hub, "10.5.1.0/24");
    let in_b = subnet_in_zone(&mut lab, &hub, "10.5.2.0/24", "us-east-1b");
    let into_first = lab.attach(&first, &hub, &in_a);
    let into_second = lab.attach(&second, &hub, &in_b);
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{hub}")];
    let forward = router.firewall.chains.iter().find(|chain| chain.name == "forward").unwrap();
    let (first_link, second_link) = (names::attachment_link(&into_first), names::attachment_link(&into_second));
    let onward = vec![Match::InputInterface(first_link), Match::OutputInterface(second_link)];
    assert!(forward.rules.iter().any(|rule| rule.matches == onward && rule.verdict == Verdict::Drop));
}

fn subnet_in_zone(lab: &mut Lab, vpc_id: &str, cidr: &str, zone: &str) -> String {
    let request = subnet::CreateSubnet {
        vpc_id: vpc_id.into(),
        cidr_block: Some(cidr.into()),
        availability_zone: Some(zone.into()),
        ..Default::default()
    };
    lab.tx(|tx, scope| subnet::create_subnet(tx, scope, request)).id.clone()
}
