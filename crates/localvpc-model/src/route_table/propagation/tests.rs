//! Route propagation and the selection rules of part 2 §15.4, each through the model's own rules on a real world:
//! which prefixes a gateway propagates (static routes always, BGP prefixes while a tunnel is up), and which route a
//! packet follows among stored and propagated ones (local first, longest prefix, static over propagated).

use super::*;
use crate::customer_gateway::{self, CreateCustomerGateway, BGP_PREFIXES_TAG};
use crate::vpc::{self, CreateVpc};
use crate::vpn_connection::{self, CreateVpnConnection, TunnelChoice};
use crate::world::Timestamp;
use crate::{internet_gateway, Tag};

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

/// A VPC 10.0.0.0/16 with a gateway attached, a connection to a device advertising `advertised`, and propagation
/// into the main table.
struct Lab {
    world: World,
    vpc_id: String,
    table_id: String,
    vgw_id: String,
    vpn_id: String,
}

fn lab(static_routes_only: bool, advertised: &str) -> Lab {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(1_000));
    let scope = scope();
    let vpc =
        vpc::create_vpc(&mut tx, &scope, CreateVpc { cidr_block: "10.0.0.0/16".into(), ..Default::default() }).unwrap();
    let vgw = vpn_gateway::create(&mut tx, &scope, "ipsec.1", None, None, Vec::new()).unwrap();
    vpn_gateway::attach(&mut tx, &scope, &vgw.id, &vpc.id).unwrap();
    let tags = vec![Tag { key: BGP_PREFIXES_TAG.into(), value: advertised.into() }];
    let request = CreateCustomerGateway {
        gateway_type: "ipsec.1".into(),
        ip_address: Some("203.0.113.7".into()),
        tags,
        ..Default::default()
    };
    let cgw = customer_gateway::create(&mut tx, &scope, request).unwrap();
    let mut request = CreateVpnConnection {
        customer_gateway_id: cgw.id.clone(),
        connection_type: "ipsec.1".into(),
        vpn_gateway_id: Some(vgw.id.clone()),
        ..Default::default()
    };
    request.options.static_routes_only = Some(static_routes_only);
    let vpn = vpn_connection::create(&mut tx, &scope, request).unwrap();
    let table_id = tx.region(&scope).route_tables.values().find(|t| t.vpc_id == vpc.id).unwrap().id.clone();
    enable_vgw_route_propagation(&mut tx, &scope, &vgw.id, &table_id).unwrap();
    let (vpc_id, vgw_id, vpn_id) = (vpc.id.clone(), vgw.id.clone(), vpn.id.clone());
    tx.finish();
    Lab { world, vpc_id, table_id, vgw_id, vpn_id }
}

impl Lab {
    fn change(&mut self, rule: impl FnOnce(&mut Tx, &Scope) -> Result<()>) {
        let mut tx = Tx::new(&mut self.world, Timestamp(2_000));
        rule(&mut tx, &scope()).unwrap();
        tx.finish();
    }

    fn routes(&self) -> Vec<EffectiveRoute> {
        let region = self.world.region(&scope());
        effective_routes(&self.world, region, &region.route_tables[self.table_id.as_str()])
    }

    /// `(destination, shadowed)` of every propagated route.
    fn propagated(&self) -> Vec<(String, bool)> {
        self.routes()
            .into_iter()
            .filter(|route| route.route.origin == RouteOrigin::EnableVgwRoutePropagation)
            .map(|route| (route.route.destination.to_string(), route.shadowed))
            .collect()
    }

    fn chosen(&self, address: &str) -> (String, RouteOrigin) {
        let routes = self.routes();
        let best = best_route(&routes, address.parse().unwrap()).expect("a route");
        (best.route.destination.to_string(), best.route.origin)
    }

    fn tunnels(&mut self, which: TunnelChoice, up: bool) {
        let vpn_id = self.vpn_id.clone();
        self.change(|tx, scope| vpn_connection::set_tunnels(tx, scope, &vpn_id, which, up).map(|_| ()));
    }
}

#[test]
fn bgp_prefixes_propagate_while_a_tunnel_is_up() {
    let mut lab = lab(false, "10.6.0.0/16, 10.7.0.0/16,not-a-cidr");
    let both = vec![("10.6.0.0/16".to_string(), false), ("10.7.0.0/16".to_string(), false)];
    assert_eq!(lab.propagated(), both);
    lab.tunnels(TunnelChoice::One(1), false);
    assert_eq!(lab.propagated(), both, "one tunnel down: the other carries the routes");
    lab.tunnels(TunnelChoice::One(2), false);
    assert_eq!(lab.propagated(), vec![], "both tunnels down: BGP routes are withdrawn");
    lab.tunnels(TunnelChoice::Both, true);
    assert_eq!(lab.propagated(), both);
}

#[test]
fn static_routes_propagate_whatever_the_tunnels_and_bgp_tags_do_not() {
    let mut lab = lab(true, "10.6.0.0/16");
    assert_eq!(lab.propagated(), vec![]);
    let vpn_id = lab.vpn_id.clone();
    lab.change(|tx, scope| vpn_connection::create_route(tx, scope, &vpn_id, "192.168.0.0/24"));
    lab.tunnels(TunnelChoice::Both, false);
    assert_eq!(lab.propagated(), vec![("192.168.0.0/24".to_string(), false)]);
    let vpn_id = lab.vpn_id.clone();
    lab.change(|tx, scope| vpn_connection::delete_route(tx, scope, &vpn_id, "192.168.0.0/24"));
    assert_eq!(lab.propagated(), vec![]);
}

#[test]
fn local_wins_over_a_more_specific_propagated_route() {
    let lab = lab(false, "10.0.5.0/24,10.6.0.0/16");
    assert_eq!(lab.propagated(), vec![("10.0.5.0/24".to_string(), true), ("10.6.0.0/16".to_string(), false)]);
    assert_eq!(lab.chosen("10.0.5.9"), ("10.0.0.0/16".to_string(), RouteOrigin::CreateRouteTable));
    assert_eq!(lab.chosen("10.6.1.4"), ("10.6.0.0/16".to_string(), RouteOrigin::EnableVgwRoutePropagation));
}

#[test]
fn a_static_route_beats_a_propagated_one_on_the_same_prefix_and_the_longest_prefix_wins_otherwise() {
    let mut lab = lab(false, "10.6.0.0/16,172.16.1.0/24");
    let (vpc_id, table_id) = (lab.vpc_id.clone(), lab.table_id.clone());
    lab.change(|tx, scope| {
        let igw = internet_gateway::create(tx, scope, Vec::new())?;
        internet_gateway::attach(tx, scope, &igw.id, &vpc_id)?;
        for destination in ["10.6.0.0/16", "172.16.0.0/16"] {
            let request = RouteRequest {
                route_table_id: table_id.clone(),
                destination: destination.into(),
                gateway_id: Some(igw.id.clone()),
                ..Default::default()
            };
            create_route(tx, scope, &request)?;
        }
        Ok(())
    });
    // The propagated 10.6.0.0/16 stays listed, unused.
    assert_eq!(lab.propagated(), vec![("10.6.0.0/16".to_string(), true), ("172.16.1.0/24".to_string(), false)]);
    assert_eq!(lab.chosen("10.6.1.4"), ("10.6.0.0/16".to_string(), RouteOrigin::CreateRoute));
    assert_eq!(lab.chosen("172.16.1.9"), ("172.16.1.0/24".to_string(), RouteOrigin::EnableVgwRoutePropagation));
    assert_eq!(lab.chosen("172.16.2.9"), ("172.16.0.0/16".to_string(), RouteOrigin::CreateRoute));
}

#[test]
fn detaching_the_gateway_withdraws_its_routes_and_blackholes_static_ones() {
    let mut lab = lab(false, "10.6.0.0/16");
    let (vpc_id, table_id, vgw_id) = (lab.vpc_id.clone(), lab.table_id.clone(), lab.vgw_id.clone());
    lab.change(|tx, scope| {
        let request = RouteRequest {
            route_table_id: table_id.clone(),
            destination: "10.9.0.0/16".into(),
            gateway_id: Some(vgw_id.clone()),
            ..Default::default()
        };
        create_route(tx, scope, &request)
    });
    let state_of = |lab: &Lab, destination: &str| {
        lab.routes().into_iter().find(|r| r.route.destination.to_string() == destination).map(|r| r.state)
    };
    assert_eq!(state_of(&lab, "10.9.0.0/16"), Some(RouteState::Active));
    let vgw_id = lab.vgw_id.clone();
    lab.change(|tx, scope| vpn_gateway::detach(tx, scope, &vgw_id, &vpc_id));
    assert_eq!(lab.propagated(), vec![]);
    assert_eq!(state_of(&lab, "10.9.0.0/16"), Some(RouteState::Blackhole));
    let region = lab.world.region(&scope());
    let table = &region.route_tables[lab.table_id.as_str()];
    assert_eq!(propagating_vgws(region, table).collect::<Vec<_>>(), vec![&lab.vgw_id], "still listed");
}

#[test]
fn disabling_propagation_removes_the_routes_and_the_listing() {
    let mut lab = lab(false, "10.6.0.0/16");
    let (vgw_id, table_id) = (lab.vgw_id.clone(), lab.table_id.clone());
    lab.change(|tx, scope| disable_vgw_route_propagation(tx, scope, &vgw_id, &table_id));
    assert_eq!(lab.propagated(), vec![]);
    let region = lab.world.region(&scope());
    assert_eq!(propagating_vgws(region, &region.route_tables[lab.table_id.as_str()]).count(), 0);
}
