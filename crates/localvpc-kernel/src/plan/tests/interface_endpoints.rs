//! The plan of an interface VPC endpoint (part 2 §17.5): one host namespace per interface, in its subnet.

use localvpc_model::vpc_endpoint;

use super::*;

const STS: &str = "com.amazonaws.us-east-1.sts";

#[test]
fn each_interface_of_an_interface_endpoint_is_a_host_namespace_in_its_subnet_with_its_groups() {
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.40.0.0/16");
    let first = lab.subnet(&vpc, "10.40.1.0/24");
    let second = lab.subnet(&vpc, "10.40.2.0/24");
    lab.instance(&first, "10.40.1.10");
    let endpoint = lab.tx(|tx, scope| {
        let request = vpc_endpoint::CreateVpcEndpoint {
            kind: Some("Interface".into()),
            vpc_id: vpc.clone(),
            service_name: STS.into(),
            subnet_ids: vec![first.clone()],
            private_dns_enabled: Some(false),
            ..Default::default()
        };
        Ok(vpc_endpoint::create(tx, scope, request)?.clone())
    });
    let region = lab.world.region(&lab.scope);
    let eni = region.network_interfaces.values().find(|eni| eni.subnet_id == first && eni.attachment.is_none());
    let eni = eni.expect("the endpoint's interface").clone();
    let state = lab.plan();
    let namespace = &state.namespaces[&format!("lv-{}", eni.id)];
    assert_eq!(namespace.role, Role::InterfaceEndpoint);
    // A host: it forwards nothing, and it is the last hop a traceroute shows, as the engine's walk ends there.
    assert!(!namespace.role.forwards() && !namespace.role.hides_from_traceroute());
    let address = Address { device: INSTANCE_LINK.into(), address: eni.private_ip.unwrap().into(), prefix: 24 };
    assert!(namespace.addresses.contains(&address), "{:?}", namespace.addresses);
    let default =
        RouteKind::Gateway { gateway: "10.40.1.1".parse().unwrap(), device: INSTANCE_LINK.into(), source: None };
    assert_eq!(namespace.routes[&(table::MAIN, net("0.0.0.0/0"))], default);
    let veth = &state.veths[&(format!("lv-{}", eni.id), INSTANCE_LINK.to_string())];
    assert_eq!(
        (veth.b.namespace.as_str(), veth.b.bridge.as_deref()),
        (&*format!("lv-{vpc}"), Some(&*names::subnet_bridge(&first)))
    );
    // Its security groups (the VPC's default group when none was named) guard it as an instance's guard it.
    assert!(namespace.firewall.chains.iter().any(|chain| chain.name == "input"), "{:?}", namespace.firewall);
    // The second subnet was not given to the endpoint: no interface, no namespace there.
    let hosts: Vec<&String> = state
        .namespaces
        .iter()
        .filter(|(_, spec)| spec.role == Role::InterfaceEndpoint)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(hosts, [&format!("lv-{}", eni.id)], "{second} has none; {endpoint:?}");
}
