//! The plan of site-to-site VPN (part 2 §15.5): an on-premises site answering its prefixes, its virtual private
//! gateway forwarding only the connection's prefixes out and only to the VPC's interfaces in, the VPC's route to
//! the gateway, and a connection with both tunnels down gone.

use localvpc_model::customer_gateway::{self, CreateCustomerGateway};
use localvpc_model::tags::Tag;
use localvpc_model::vpn_connection::{self, CreateVpnConnection, TunnelChoice};
use localvpc_model::vpn_gateway;

use crate::names::VOID_LINK;

use super::*;

const OFFICE: &str = "172.16.0.0/16";

/// VPC 10.6/16 with an instance at 10.6.1.4, an attached VGW, and a BGP connection to a customer gateway advertising
/// 172.16.0.0/16, routed from the main table: (lab, VPC, VGW, CGW, VPN connection).
fn office() -> (Lab, String, String, String, String) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.6.0.0/16");
    let subnet = lab.subnet(&vpc, "10.6.1.0/24");
    lab.instance(&subnet, "10.6.1.4");
    let vpc_id = vpc.clone();
    let (vgw, cgw, vpn) = lab.tx(|tx, scope| {
        let gateway = vpn_gateway::create(tx, scope, "ipsec.1", None, None, Vec::new())?;
        vpn_gateway::attach(tx, scope, &gateway.id, &vpc_id)?;
        let request = CreateCustomerGateway {
            gateway_type: "ipsec.1".into(),
            ip_address: Some("203.0.113.12".into()),
            bgp_asn: Some(65000),
            tags: vec![Tag { key: customer_gateway::BGP_PREFIXES_TAG.into(), value: OFFICE.into() }],
            ..Default::default()
        };
        let customer = customer_gateway::create(tx, scope, request)?;
        let request = CreateVpnConnection {
            customer_gateway_id: customer.id.clone(),
            connection_type: "ipsec.1".into(),
            vpn_gateway_id: Some(gateway.id.clone()),
            ..Default::default()
        };
        let connection = vpn_connection::create(tx, scope, request)?;
        Ok((gateway.id.clone(), customer.id.clone(), connection.id.clone()))
    });
    lab.route(&vpc, OFFICE, Some(vgw.clone()), None);
    (lab, vpc, vgw, cgw, vpn)
}

fn via(link: &str, source: Option<Ipv4Addr>) -> RouteKind {
    RouteKind::Gateway { gateway: NEXT_HOP.into(), device: link.into(), source: source.map(Into::into) }
}

#[test]
fn a_site_answers_every_address_of_its_prefixes_and_sends_from_its_first_one() {
    let (lab, _, vgw, cgw, vpn) = office();
    let state = lab.plan();
    let site = &state.namespaces[&format!("lv-{cgw}")];
    assert_eq!(site.role, Role::Site);
    assert!(!site.role.forwards());
    let source = Ipv4Addr::new(172, 16, 0, 1);
    assert!(site.addresses.contains(&Address { device: "lo".into(), address: source.into(), prefix: 32 }));
    assert_eq!(site.routes[&(table::LOCAL, net(OFFICE))], RouteKind::Local { device: "lo".into() });
    // To the VPC over the connection, from the site's address; nothing else leaves.
    assert_eq!(site.routes[&(table::MAIN, net("10.6.0.0/16"))], via(&names::vpn_link(&vpn), Some(source)));
    assert_eq!(site.routes[&(table::MAIN, net("0.0.0.0/0"))], via(VOID_LINK, Some(source)));
    assert!(site.bridges.contains_key(VOID_LINK));
    let link = &state.veths[&(format!("lv-{vgw}"), names::vpn_link(&vpn))];
    assert_eq!(link.b.namespace, format!("lv-{cgw}"));
}

#[test]
fn the_vpn_gateway_forwards_the_connections_prefixes_out_and_only_to_the_vpcs_interfaces_in() {
    let (lab, vpc, vgw, _, vpn) = office();
    let state = lab.plan();
    let gateway = &state.namespaces[&format!("lv-{vgw}")];
    assert_eq!(gateway.role, Role::VpnGateway);
    assert!(gateway.role.hides_from_traceroute());
    let inward = names::vpn_gateway_link(&vgw);
    assert_eq!(gateway.routes[&(table::MAIN, net(OFFICE))], via(&names::vpn_link(&vpn), None));
    assert_eq!(gateway.routes[&(table::MAIN, net("10.6.0.0/16"))], via(&inward, None));
    assert_eq!(gateway.routes[&(table::MAIN, net("0.0.0.0/0"))], RouteKind::Blackhole);
    let forward = &gateway.firewall.chains[0];
    let interface = Ipv4Addr::new(10, 6, 1, 4);
    assert!(forward.rules.iter().any(|rule| rule.verdict == Verdict::Accept
        && rule.matches.iter().any(|m| matches!(m, Match::DestinationIn(list) if list.contains(&interface.into())))));
    assert_eq!(forward.rules.last().unwrap().matches, vec![Match::OutputInterface(inward.clone())]);
    assert_eq!(forward.rules.last().unwrap().verdict, Verdict::Drop);
    // The VPC routes the office by the gateway's link; what arrives by it reaches the delivery table only.
    let router = &state.namespaces[&format!("lv-{vpc}")];
    assert!(router.routes.iter().any(|((_, block), kind)| *block == net(OFFICE) && *kind == via(&inward, None)));
    assert!(!router.rules.iter().any(|rule| rule.iif.as_deref() == Some(inward.as_str())));
}

#[test]
fn both_tunnels_down_the_site_loses_the_connection() {
    let (mut lab, _, vgw, cgw, vpn) = office();
    let id = vpn.clone();
    lab.tx(|tx, scope| vpn_connection::set_tunnels(tx, scope, &id, TunnelChoice::Both, false));
    let state = lab.plan();
    assert!(!state.veths.contains_key(&(format!("lv-{vgw}"), names::vpn_link(&vpn))));
    let gateway = &state.namespaces[&format!("lv-{vgw}")];
    assert!(!gateway.routes.contains_key(&(table::MAIN, net(OFFICE))));
    let site = &state.namespaces[&format!("lv-{cgw}")];
    let source = Some(Ipv4Addr::new(172, 16, 0, 1));
    assert_eq!(site.routes[&(table::MAIN, net("10.6.0.0/16"))], via(VOID_LINK, source));
}

#[test]
fn a_detached_vpn_gateway_is_no_namespace_and_the_route_to_it_a_blackhole() {
    let (mut lab, vpc, vgw, _, _) = office();
    let (gateway, vpc_id) = (vgw.clone(), vpc.clone());
    lab.tx(|tx, scope| vpn_gateway::detach(tx, scope, &gateway, &vpc_id));
    let state = lab.plan();
    assert!(!state.namespaces.contains_key(&format!("lv-{vgw}")));
    let router = &state.namespaces[&format!("lv-{vpc}")];
    assert!(router.routes.iter().any(|((_, block), kind)| *block == net(OFFICE) && *kind == RouteKind::Blackhole));
}
