//! The plan of a NAT gateway (part 2 §13.2): its namespace, the private subnet's route to its address, its
//! translation, and its Elastic IP at the internet gateway and on the internet.

use localvpc_model::route_table::{self, AssociationTarget, RouteRequest};
use localvpc_model::{address, nat_gateway};

use super::*;

/// A public subnet (0/0 → IGW) with a public NAT gateway, and a private subnet whose own table sends 0/0 to it.
pub(super) fn egress() -> (Lab, String, String, Ipv4Addr) {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.20.0.0/16");
    let public = lab.subnet(&vpc, "10.20.0.0/24");
    let private = lab.subnet(&vpc, "10.20.1.0/24");
    let igw = lab.igw(&vpc);
    lab.route(&vpc, "0.0.0.0/0", Some(igw), None);
    lab.instance(&private, "10.20.1.10");
    let (nat, eip) = lab.tx(|tx, scope| {
        let allocated = address::allocate(tx, scope, Vec::new())?;
        let request = nat_gateway::CreateNatGateway {
            subnet_id: public.clone(),
            allocation_id: Some(allocated.allocation_id.clone()),
            private_ip: Some("10.20.0.50".into()),
            ..Default::default()
        };
        let nat = nat_gateway::create(tx, scope, request)?;
        let table = route_table::create(tx, scope, &vpc, Vec::new())?;
        route_table::associate(tx, scope, &table.id, AssociationTarget::Subnet(private.clone()))?;
        let route = RouteRequest {
            route_table_id: table.id.clone(),
            destination: "0.0.0.0/0".into(),
            nat_gateway_id: Some(nat.id.clone()),
            ..Default::default()
        };
        route_table::create_route(tx, scope, &route)?;
        Ok((nat.id.clone(), allocated.public_ip))
    });
    (lab, vpc, nat, eip)
}

#[test]
fn a_nat_gateway_is_a_namespace_that_translates_to_its_address_and_admits_only_answers() {
    let (lab, _, nat, _) = egress();
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{nat}")];
    assert_eq!(namespace.role, Role::NatGateway);
    assert!(namespace.addresses.iter().any(|a| a.device == "eth0" && a.address == Ipv4Addr::new(10, 20, 0, 50)));
    assert_eq!(
        namespace.routes[&(table::MAIN, "0.0.0.0/0".parse().unwrap())],
        RouteKind::Gateway { gateway: Ipv4Addr::new(10, 20, 0, 1).into(), device: "eth0".into(), source: None }
    );
    let chain = |name: &str| namespace.firewall.chains.iter().find(|chain| chain.name == name).unwrap();
    let address = Ipv4Addr::new(10, 20, 0, 50);
    let translations: Vec<&Verdict> = chain("postrouting").rules.iter().map(|rule| &rule.verdict).collect();
    let ports = Verdict::SourceNatTo { address, ports: Some((1024, 65535)) };
    assert_eq!(translations, [&ports, &ports, &Verdict::SourceNatTo { address, ports: None }]);
    // Unsolicited traffic is dropped: only tracked flows, and new ones from the VPC's own block, pass.
    assert!(chain("forward").hook.as_ref().unwrap().drop_by_default);
    assert!(chain("input").hook.as_ref().unwrap().drop_by_default);
    assert_eq!(chain("input").rules.len(), 1);
    assert_eq!(chain("forward").rules.len(), 2);
}

#[test]
fn the_private_subnet_routes_to_the_gateways_address_and_its_elastic_ip_is_mapped() {
    let (lab, vpc, nat, eip) = egress();
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{vpc}")];
    let to_nat = router.routes.iter().find(
        |(_, kind)| matches!(kind, RouteKind::Gateway { gateway, .. } if *gateway == Ipv4Addr::new(10, 20, 0, 50)),
    );
    let ((_, destination), _) = to_nat.expect("a route via the NAT gateway's address");
    assert_eq!(*destination, "0.0.0.0/0".parse::<IpNet>().unwrap());
    let postrouting = router.firewall.chains.iter().find(|chain| chain.name == "postrouting").unwrap();
    assert!(matches!(&postrouting.rules[0].verdict,
        Verdict::SourceNat(pairs) if pairs.contains(&(Ipv4Addr::new(10, 20, 0, 50), eip))));
    let internet = &state.namespaces["lv-internet"];
    assert!(matches!(internet.routes[&(table::MAIN, IpNet::from(IpAddr::V4(eip)))], RouteKind::Device { .. }));

    // Deleted: no namespace, the route a blackhole, the address unrouted.
    let mut lab = lab;
    lab.tx(|tx, scope| nat_gateway::delete(tx, scope, &nat));
    let state = lab.plan();
    assert!(!state.namespaces.contains_key(&format!("lv-{nat}")));
    let router = &state.namespaces[&format!("lv-{vpc}")];
    assert!(!router.routes.values().any(|kind| {
        matches!(kind, RouteKind::Gateway { gateway, .. } if *gateway == Ipv4Addr::new(10, 20, 0, 50))
    }));
}
