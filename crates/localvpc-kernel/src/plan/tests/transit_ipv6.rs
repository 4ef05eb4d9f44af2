//! The IPv6 side of transit gateways in the plan (part 2 §14.4, §16.2): the gateway tables' IPv6 routes beside the
//! IPv4 ones, the VPC routers' IPv6 routes to a gateway over the attachment's link via the link-local next hop, and
//! an attachment without `Ipv6Support` carrying no IPv6 either way.

use ipnet::Ipv6Net;
use localvpc_model::transit_gateway::vpc_attachment::{self, OptionsRequest};
use localvpc_model::transit_gateway::{self, routes};

use super::*;
use crate::names::NEXT_HOP_V6;

/// A dual-stack VPC: its ID, its /56, and a subnet with the /56's first /64 holding an instance with one IPv6
/// address.
fn dual_stack(lab: &mut Lab, cidr: &str) -> (String, Ipv6Net, String) {
    let built = super::ipv6::dual_stack_vpc(lab, cidr);
    (built.vpc, built.block, built.subnet)
}

/// Two dual-stack VPCs (10.1/16, 10.2/16) attached to one gateway with AWS's default association and propagation,
/// the first with `Ipv6Support` as `first_ipv6`, the second with it on; each routes the other's /56 and /16 to the
/// gateway: (lab, gateway, its default table, VPCs, their /56s, attachments).
fn dual_stack_spokes(first_ipv6: bool) -> (Lab, String, String, [String; 2], [Ipv6Net; 2], [String; 2]) {
    let mut lab = Lab::new();
    let gateway = lab.tx(|tx, scope| transit_gateway::create(tx, scope, None, Default::default(), Vec::new()));
    let (gateway, table) =
        (gateway.id.clone(), gateway.options.association_default_route_table_id.clone().expect("default table"));
    let (mut vpcs, mut blocks, mut attachments) = (Vec::new(), Vec::new(), Vec::new());
    for n in 1..=2 {
        let (vpc, block, subnet) = dual_stack(&mut lab, &format!("10.{n}.0.0/16"));
        let request = vpc_attachment::CreateVpcAttachment {
            transit_gateway_id: gateway.clone(),
            vpc_id: vpc.clone(),
            subnet_ids: vec![subnet],
            options: OptionsRequest { ipv6_support: Some(n == 2 || first_ipv6), ..Default::default() },
            tags: Vec::new(),
        };
        attachments.push(lab.tx(|tx, scope| vpc_attachment::create(tx, scope, request)).id.clone());
        vpcs.push(vpc);
        blocks.push(block);
    }
    for (from, to) in [(0, 1), (1, 0)] {
        for (destination, destination_ipv6) in
            [(Some(format!("10.{}.0.0/16", to + 1)), None), (None, Some(blocks[to].to_string()))]
        {
            let request = RouteRequest {
                route_table_id: lab.main_table(&vpcs[from]),
                destination: destination.unwrap_or_default(),
                destination_ipv6,
                transit_gateway_id: Some(gateway.clone()),
                ..Default::default()
            };
            lab.tx(|tx, scope| route_table::create_route(tx, scope, &request));
        }
    }
    let pair = |v: Vec<String>| -> [String; 2] { v.try_into().unwrap() };
    (lab, gateway, table, pair(vpcs), blocks.try_into().unwrap(), pair(attachments))
}

fn links(attachments: &[String; 2]) -> [String; 2] {
    attachments.each_ref().map(|attachment| names::attachment_link(attachment))
}

fn via(next_hop: IpAddr, link: &str) -> RouteKind {
    RouteKind::Gateway { gateway: next_hop, device: link.into(), source: None }
}

/// The kernel table of the router of `vpc` its subnets (and so its attachment's link) look up.
fn subnet_table(state: &KernelState, vpc: &str) -> u32 {
    let router = &state.namespaces[&format!("lv-{vpc}")];
    router.rules.iter().find(|rule| rule.iif.as_deref().is_some_and(|i| i.starts_with('s'))).unwrap().table
}

#[test]
fn an_ipv6_route_to_a_gateway_leaves_by_an_attachment_with_ipv6_support_via_the_link_local_next_hop() {
    let (lab, gateway, _, vpcs, blocks, attachments) = dual_stack_spokes(true);
    let links = links(&attachments);
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{}", vpcs[0])];
    let number = subnet_table(&state, &vpcs[0]);
    assert_eq!(router.routes[&(number, IpNet::V6(blocks[1]))], via(NEXT_HOP_V6.into(), &links[0]));
    // The IPv4 route beside it is unchanged.
    assert_eq!(router.routes[&(number, net("10.2.0.0/16"))], via(NEXT_HOP.into(), &links[0]));
    // fe80::1 on the link resolves to the gateway's end, as 169.254.0.1 does.
    let gateway_mac = names::link_mac(&format!("lv-{gateway}"), &links[0]);
    let neighbour = Neighbour { device: links[0].clone(), address: NEXT_HOP_V6.into(), mac: gateway_mac };
    assert!(router.neighbours.contains(&neighbour), "{:?}", router.neighbours);
    // What comes back by the link is looked up in the same table, in both families (a rule without a source).
    let from_gateway = router.rules.iter().find(|rule| rule.iif.as_deref() == Some(links[0].as_str())).unwrap();
    assert_eq!((from_gateway.table, from_gateway.source), (number, None));
}

#[test]
fn each_gateway_table_carries_the_propagated_ipv6_blocks_out_by_their_attachments_and_drops_the_rest() {
    let (lab, gateway, _, vpcs, blocks, attachments) = dual_stack_spokes(true);
    let links = links(&attachments);
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{gateway}")];
    let tables: Vec<u32> = namespace.rules.iter().filter(|rule| rule.iif.is_some()).map(|rule| rule.table).collect();
    assert_eq!(tables.len(), 2);
    let number = tables[0];
    for ((vpc, block), link) in vpcs.iter().zip(&blocks).zip(&links) {
        assert_eq!(namespace.routes[&(number, IpNet::V6(*block))], via(NEXT_HOP_V6.into(), link));
        let router_mac = names::link_mac(&format!("lv-{vpc}"), link);
        let neighbour = Neighbour { device: link.clone(), address: NEXT_HOP_V6.into(), mac: router_mac };
        assert!(namespace.neighbours.contains(&neighbour));
    }
    assert_eq!(namespace.routes[&(number, net("10.1.0.0/16"))], via(NEXT_HOP.into(), &links[0]));
    // No match: dropped in either family, and so is what an unassociated attachment brings.
    assert_eq!(namespace.routes[&(number, net("::/0"))], RouteKind::Blackhole);
    assert_eq!(namespace.routes[&(table::NOWHERE, net("::/0"))], RouteKind::Blackhole);
}

#[test]
fn a_static_ipv6_gateway_route_goes_out_by_its_attachment_and_a_blackhole_one_is_a_kernel_blackhole() {
    let (mut lab, gateway, table_id, _, _, attachments) = dual_stack_spokes(true);
    let links = links(&attachments);
    lab.tx(|tx, scope| routes::create(tx, scope, &table_id, "2600:1f00::/40", Some(&attachments[0]), false));
    lab.tx(|tx, scope| routes::create(tx, scope, &table_id, "2600:1e00::/40", None, true));
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{gateway}")];
    let number = namespace.rules.iter().find(|rule| rule.iif.is_some()).unwrap().table;
    assert_eq!(namespace.routes[&(number, net("2600:1f00::/40"))], via(NEXT_HOP_V6.into(), &links[0]));
    assert_eq!(namespace.routes[&(number, net("2600:1e00::/40"))], RouteKind::Blackhole);
}

#[test]
fn without_ipv6_support_an_attachment_carries_no_ipv6_either_way_and_ipv4_still_goes() {
    let (mut lab, gateway, table_id, vpcs, blocks, attachments) = dual_stack_spokes(false);
    let links = links(&attachments);
    // A static route naming the attachment that does not carry IPv6 (the model propagates none for it).
    let attachment = attachments[0].clone();
    let first_block = blocks[0].to_string();
    lab.tx(|tx, scope| routes::create(tx, scope, &table_id, &first_block, Some(&attachment), false));
    let state = lab.plan();
    // The first VPC's IPv6 route to the gateway drops (the engine: the attachment does not carry IPv6); IPv4 goes.
    let router = &state.namespaces[&format!("lv-{}", vpcs[0])];
    let number = subnet_table(&state, &vpcs[0]);
    assert_eq!(router.routes[&(number, IpNet::V6(blocks[1]))], RouteKind::Blackhole);
    assert_eq!(router.routes[&(number, net("10.2.0.0/16"))], via(NEXT_HOP.into(), &links[0]));
    // The gateway hands it no IPv6; the second VPC, with Ipv6Support, is carried.
    let namespace = &state.namespaces[&format!("lv-{gateway}")];
    let number = namespace.rules.iter().find(|rule| rule.iif.is_some()).unwrap().table;
    assert_eq!(namespace.routes[&(number, IpNet::V6(blocks[0]))], RouteKind::Blackhole);
    assert_eq!(namespace.routes[&(number, IpNet::V6(blocks[1]))], via(NEXT_HOP_V6.into(), &links[1]));
    assert_eq!(namespace.routes[&(number, net("10.1.0.0/16"))], via(NEXT_HOP.into(), &links[0]));
    // And the second VPC's route to the first's /56 still reaches the gateway (which drops it there).
    let second = subnet_table(&state, &vpcs[1]);
    assert_eq!(
        state.namespaces[&format!("lv-{}", vpcs[1])].routes[&(second, IpNet::V6(blocks[0]))],
        via(NEXT_HOP_V6.into(), &links[1])
    );
}

#[test]
fn an_ipv6_block_a_vpc_sends_back_to_the_gateway_that_brought_it_is_a_blackhole_and_its_own_block_is_not() {
    let (mut lab, gateway, table_id, vpcs, blocks, attachments) = dual_stack_spokes(true);
    // The first VPC routes 2600:1f00::/40 to the gateway, whose table sends it to the first VPC: a ring.
    let request = RouteRequest {
        route_table_id: lab.main_table(&vpcs[0]),
        destination_ipv6: Some("2600:1f00::/40".into()),
        transit_gateway_id: Some(gateway.clone()),
        ..Default::default()
    };
    lab.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    lab.tx(|tx, scope| routes::create(tx, scope, &table_id, "2600:1f00::/40", Some(&attachments[0]), false));
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{gateway}")];
    let number = namespace.rules.iter().find(|rule| rule.iif.is_some()).unwrap().table;
    assert_eq!(namespace.routes[&(number, net("2600:1f00::/40"))], RouteKind::Blackhole);
    // What ends in a VPC is carried.
    let links = links(&attachments);
    assert_eq!(namespace.routes[&(number, IpNet::V6(blocks[0]))], via(NEXT_HOP_V6.into(), &links[0]));
    assert_eq!(namespace.routes[&(number, IpNet::V6(blocks[1]))], via(NEXT_HOP_V6.into(), &links[1]));
}
