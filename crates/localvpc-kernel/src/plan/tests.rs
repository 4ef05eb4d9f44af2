//! The plan of small worlds built through the model's own rules (the ones the API calls): which namespaces,
//! links, routes and rules a topology becomes. No root needed.

use localvpc_engine::Topology;
use localvpc_model::route_table::{self, RouteRequest};
use localvpc_model::security_group::{RulePeer, SecurityGroup, SecurityGroupRule};
use localvpc_model::{address, instance, internet_gateway, subnet, vpc, vpc_peering, Scope, Timestamp, Tx, World};

use super::*;
use crate::firewall::Verdict;

struct Lab {
    world: World,
    scope: Scope,
}

impl Lab {
    fn new() -> Lab {
        Lab { world: World::default(), scope: Scope::new("111111111111", "us-east-1") }
    }

    fn tx<R>(&mut self, change: impl FnOnce(&mut Tx, &Scope) -> localvpc_model::Result<R>) -> R {
        let scope = self.scope.clone();
        let mut tx = Tx::new(&mut self.world, Timestamp(1_767_225_600_000));
        let result = change(&mut tx, &scope).expect("fixture steps are valid");
        tx.finish();
        result
    }

    fn vpc(&mut self, cidr: &str) -> String {
        let request = vpc::CreateVpc { cidr_block: cidr.into(), ..Default::default() };
        self.tx(|tx, scope| vpc::create_vpc(tx, scope, request)).id.clone()
    }

    fn subnet(&mut self, vpc_id: &str, cidr: &str) -> String {
        let request =
            subnet::CreateSubnet { vpc_id: vpc_id.into(), cidr_block: Some(cidr.into()), ..Default::default() };
        self.tx(|tx, scope| subnet::create_subnet(tx, scope, request)).id.clone()
    }

    fn instance(&mut self, subnet_id: &str, private_ip: &str) -> String {
        let request = instance::RunInstances {
            image_id: "ami-12345678".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet_id.into()),
            private_ip_address: Some(private_ip.into()),
            ..Default::default()
        };
        self.tx(|tx, scope| instance::run_instances(tx, scope, request)).instances[0].id.clone()
    }

    fn main_table(&self, vpc_id: &str) -> String {
        let region = self.world.region(&self.scope);
        region.route_tables.values().find(|t| t.vpc_id == vpc_id && t.is_main()).unwrap().id.clone()
    }

    fn route(&mut self, vpc_id: &str, destination: &str, gateway: Option<String>, pcx: Option<String>) {
        let request = RouteRequest {
            route_table_id: self.main_table(vpc_id),
            destination: destination.into(),
            gateway_id: gateway,
            vpc_peering_connection_id: pcx,
            ..Default::default()
        };
        self.tx(|tx, scope| route_table::create_route(tx, scope, &request));
    }

    fn peer(&mut self, a: &str, b: &str, accept: bool) -> String {
        let request = vpc_peering::CreatePeering { vpc_id: a.into(), peer_vpc_id: b.into(), ..Default::default() };
        let id = self.tx(|tx, scope| vpc_peering::create(tx, scope, request)).0.id;
        if accept {
            let pcx = id.clone();
            self.tx(|tx, scope| vpc_peering::accept(tx, scope, &pcx));
        }
        id
    }

    fn igw(&mut self, vpc_id: &str) -> String {
        let vpc_id = vpc_id.to_string();
        self.tx(|tx, scope| {
            let igw = internet_gateway::create(tx, scope, Vec::new())?;
            internet_gateway::attach(tx, scope, &igw.id, &vpc_id)?;
            Ok(igw.id.clone())
        })
    }

    fn eip(&mut self, instance_id: &str) -> Ipv4Addr {
        let instance_id = instance_id.to_string();
        self.tx(|tx, scope| {
            let allocated = address::allocate(tx, scope, Vec::new())?;
            let request = address::AssociateAddress {
                address: address::AddressRef::Allocation(allocated.allocation_id.clone()),
                instance_id: Some(instance_id),
                network_interface_id: None,
                private_ip_address: None,
                allow_reassociation: None,
            };
            address::associate(tx, scope, &request)?;
            Ok(allocated.public_ip)
        })
    }

    fn group_of(&self, instance_id: &str) -> String {
        let region = self.world.region(&self.scope);
        let eni = region.instances[instance_id].network_interface_id.clone().unwrap();
        region.network_interfaces[eni.as_str()].security_group_ids[0].clone()
    }

    fn allow_in(&mut self, instance_id: &str, protocol: &str, ports: Option<(i32, i32)>, peer: RulePeer) {
        let group_id = self.group_of(instance_id);
        self.tx(|tx, scope| {
            let rule = SecurityGroupRule {
                id: tx.next_id(localvpc_model::ids::IdKind::SecurityGroupRule),
                protocol: protocol.into(),
                from_port: ports.map(|p| p.0),
                to_port: ports.map(|p| p.1),
                peer,
                description: None,
                tags: Default::default(),
            };
            tx.update::<SecurityGroup>(scope, &group_id, |group| group.ingress.push(rule));
            Ok(())
        });
    }

    fn plan(&self) -> KernelState {
        plan(&Topology::compile(&self.world, 1), &Names::new("lv"))
    }
}

/// The seed tutorial's two VPCs, peered with routes both ways.
fn tutorial() -> (Lab, [String; 2], [String; 2], String) {
    let mut lab = Lab::new();
    let a = lab.vpc("10.6.0.0/16");
    let b = lab.vpc("10.7.0.0/16");
    let sa = lab.subnet(&a, "10.6.1.0/24");
    let sb = lab.subnet(&b, "10.7.1.0/24");
    let ia = lab.instance(&sa, "10.6.1.10");
    let ib = lab.instance(&sb, "10.7.1.10");
    let pcx = lab.peer(&a, &b, true);
    lab.route(&a, "10.7.0.0/16", None, Some(pcx.clone()));
    lab.route(&b, "10.6.0.0/16", None, Some(pcx.clone()));
    (lab, [a, b], [ia, ib], pcx)
}

#[test]
fn every_running_instance_and_vpc_gets_a_prefixed_namespace() {
    let (lab, [a, b], [ia, ib], _) = tutorial();
    let state = lab.plan();
    let names: Vec<&str> = state.namespaces.keys().map(String::as_str).collect();
    let expected = [format!("lv-{ia}"), format!("lv-{ib}"), "lv-internet".into(), format!("lv-{a}"), format!("lv-{b}")];
    for name in &expected {
        assert!(names.contains(&name.as_str()), "{name} missing from {names:?}");
    }
    assert_eq!(names.len(), 5);
    assert!(names.iter().all(|name| Names::new("lv").owns(name)));
}

#[test]
fn an_instance_has_its_mac_address_mtu_and_default_route_via_base_plus_one() {
    let (lab, [a, _], [ia, _], _) = tutorial();
    let state = lab.plan();
    let namespace = format!("lv-{ia}");
    let instance = &state.namespaces[&namespace];
    assert!(instance.addresses.contains(&Address {
        device: "eth0".into(),
        address: "10.6.1.10".parse().unwrap(),
        prefix: 24
    }));
    assert_eq!(
        instance.routes[&(table::MAIN, net("0.0.0.0/0"))],
        RouteKind::Gateway { gateway: "10.6.1.1".parse().unwrap(), device: "eth0".into(), source: None }
    );
    let veth = &state.veths[&(namespace, "eth0".to_string())];
    assert_eq!(veth.mtu, 9001);
    assert_eq!(veth.a.mac[0], 0x0a, "the model's MAC (0a:…)");
    assert_eq!(veth.b.namespace, format!("lv-{a}"));
    assert!(veth.b.bridge.as_deref().is_some_and(|bridge| bridge.starts_with('s')));
}

#[test]
fn a_route_table_becomes_a_kernel_table_selected_by_the_subnet_bridge() {
    let (lab, [a, _], _, pcx) = tutorial();
    let state = lab.plan();
    let router = &state.namespaces[&format!("lv-{a}")];
    let rule = router.rules.iter().find(|rule| rule.priority == 100).expect("a subnet rule");
    assert!(rule.iif.as_deref().is_some_and(|iif| iif.starts_with('s')));
    let routes: BTreeMap<IpNet, &RouteKind> =
        router.routes.iter().filter(|((table, _), _)| *table == rule.table).map(|((_, d), k)| (*d, k)).collect();
    assert_eq!(routes[&net("10.6.0.0/16")], &RouteKind::Throw);
    assert_eq!(
        routes[&net("10.7.0.0/16")],
        &RouteKind::Gateway { gateway: NEXT_HOP.into(), device: names::peering_link(&pcx), source: None }
    );
    assert_eq!(routes[&net("0.0.0.0/0")], &RouteKind::Blackhole);
    assert!(router.rules.contains(&Rule::all(200, table::VPC)));
}

#[test]
fn a_peering_is_one_veth_between_the_routers_only_while_active() {
    let (lab, [a, b], _, pcx) = tutorial();
    let state = lab.plan();
    let link = names::peering_link(&pcx);
    let veth = state.veths.values().find(|veth| veth.a.name == link).expect("the peering link");
    let ends = [veth.a.namespace.clone(), veth.b.namespace.clone()];
    assert!(ends.contains(&format!("lv-{a}")) && ends.contains(&format!("lv-{b}")));
    assert_eq!(state.veths.values().filter(|veth| veth.a.name == link).count(), 1);

    let mut pending = Lab::new();
    let a = pending.vpc("10.6.0.0/16");
    let b = pending.vpc("10.7.0.0/16");
    pending.subnet(&a, "10.6.1.0/24");
    let pcx = pending.peer(&a, &b, false);
    pending.route(&a, "10.7.0.0/16", None, Some(pcx.clone()));
    let state = pending.plan();
    assert!(state.veths.values().all(|veth| veth.a.name != names::peering_link(&pcx)));
    let router = &state.namespaces[&format!("lv-{a}")];
    assert!(router.routes.iter().any(|((_, d), k)| *d == net("10.7.0.0/16") && *k == RouteKind::Blackhole));
}

#[test]
fn an_internet_gateway_links_the_router_to_the_internet_with_one_to_one_nat() {
    let (mut lab, [a, b], [ia, _], _) = tutorial();
    let igw = lab.igw(&a);
    lab.route(&a, "0.0.0.0/0", Some(igw), None);
    let public = lab.eip(&ia);
    let state = lab.plan();
    let internet = &state.namespaces["lv-internet"];
    assert_eq!(
        internet.routes[&(table::MAIN, IpNet::from(IpAddr::V4(public)))],
        RouteKind::Device { device: names::internet_port(&a), source: Some(INTERNET_HOST.into()) }
    );
    let router_mac = names::link_mac(&format!("lv-{a}"), GATEWAY_LINK);
    assert!(internet.neighbours.contains(&Neighbour {
        device: names::internet_port(&a),
        address: public.into(),
        mac: router_mac
    }));
    assert_eq!(internet.routes[&(table::LOCAL, net("0.0.0.0/0"))], RouteKind::Local { device: "lo".into() });
    assert_eq!(internet.routes[&(table::MAIN, net("10.0.0.0/8"))], RouteKind::Blackhole);
    let router = &state.namespaces[&format!("lv-{a}")];
    let nat: Vec<&Verdict> = router.firewall.chains.iter().flat_map(|c| &c.rules).map(|r| &r.verdict).collect();
    assert!(nat.contains(&&Verdict::SourceNat(vec![("10.6.1.10".parse().unwrap(), public)])));
    assert!(nat.contains(&&Verdict::DestinationNat(vec![(public, "10.6.1.10".parse().unwrap())])));
    // B has no gateway: no link to the internet, and B's instance no public route.
    assert!(state.veths.values().all(|veth| veth.b.name != names::internet_port(&b)));
}

#[test]
fn group_references_become_the_members_private_addresses_in_reach() {
    let (mut lab, _, [ia, ib], _) = tutorial();
    let group_a = lab.group_of(&ia);
    let account = lab.scope.account.clone();
    lab.allow_in(&ib, "icmp", Some((-1, -1)), RulePeer::Group { user_id: account, group_id: group_a, vpc_id: None });
    let state = lab.plan();
    let firewall = &state.namespaces[&format!("lv-{ib}")].firewall;
    let input = firewall.chains.iter().find(|chain| chain.name == "input").unwrap();
    assert!(input.rules.iter().any(|rule| rule.matches.contains(&Match::SourceIn(vec!["10.6.1.10".parse().unwrap()]))
        && rule.matches.contains(&Match::Protocol(1))));
}

#[test]
fn a_network_acl_is_ordered_stateless_and_ends_in_the_implicit_deny() {
    use localvpc_engine::topology::AclRule;
    let rule = |number, protocol, allow, cidr: &str, ports| AclRule {
        number,
        protocol,
        allow,
        cidr: cidr.parse().unwrap(),
        ports,
        icmp: None,
    };
    let chain = rules::network_acl(
        &[rule(100, 6, false, "10.6.0.0/16", Some((22, 22))), rule(200, -1, true, "0.0.0.0/0", None)],
        false,
    );
    assert_eq!(chain.len(), 3);
    assert_eq!(chain[0].verdict, Verdict::Drop);
    assert!(chain[0].matches.contains(&Match::Source(net("10.6.0.0/16"))));
    // `0.0.0.0/0` matches every IPv4 packet and no IPv6 one (part 2 §16.3: `::/0` is a rule of its own).
    assert_eq!(chain[1], FirewallRule { matches: vec![Match::Ipv6(false)], verdict: Verdict::Return });
    assert_eq!(chain[2], FirewallRule { matches: vec![], verdict: Verdict::Drop });
}

#[test]
fn overlapping_vpcs_get_separate_routers() {
    let mut lab = Lab::new();
    let a = lab.vpc("10.0.0.0/16");
    let b = lab.vpc("10.0.0.0/16");
    let sa = lab.subnet(&a, "10.0.1.0/24");
    let sb = lab.subnet(&b, "10.0.1.0/24");
    lab.instance(&sa, "10.0.1.10");
    lab.instance(&sb, "10.0.1.10");
    let state = lab.plan();
    for vpc in [&a, &b] {
        let router = &state.namespaces[&format!("lv-{vpc}")];
        assert!(router.addresses.iter().any(|address| address.address == "10.0.1.1".parse::<Ipv4Addr>().unwrap()));
    }
}

#[test]
fn an_instance_resolv_conf_follows_its_vpcs_dhcp_options() {
    use localvpc_model::dhcp_options::{self, DhcpConfiguration};
    let mut lab = Lab::new();
    let vpc = lab.vpc("10.0.0.0/16");
    let subnet = lab.subnet(&vpc, "10.0.1.0/24");
    let instance = lab.instance(&subnet, "10.0.1.10");
    let resolv_conf = |lab: &Lab| lab.plan().namespaces[&format!("lv-{instance}")].resolv_conf.clone().unwrap();
    // The default set: AmazonProvidedDNS (base + 2) and the region's private domain.
    assert_eq!(resolv_conf(&lab), "nameserver 10.0.0.2\nsearch ec2.internal\noptions timeout:1 attempts:2\n");
    let associate = |lab: &mut Lab, options: Vec<(&str, Vec<&str>)>| {
        let configurations = options
            .into_iter()
            .map(|(key, values)| DhcpConfiguration {
                key: key.into(),
                values: values.into_iter().map(String::from).collect(),
            })
            .collect();
        let vpc = vpc.clone();
        lab.tx(|tx, scope| {
            let set = dhcp_options::create(tx, scope, configurations, Vec::new())?;
            dhcp_options::associate(tx, scope, &set.id, &vpc)
        });
    };
    // The first server named, and the first domain as the search domain.
    associate(
        &mut lab,
        vec![
            ("domain-name", vec!["Corp.Example other.example"]),
            ("domain-name-servers", vec!["10.0.1.250", "AmazonProvidedDNS"]),
        ],
    );
    assert_eq!(resolv_conf(&lab), "nameserver 10.0.1.250\nsearch corp.example\noptions timeout:1 attempts:2\n");
    associate(&mut lab, vec![("domain-name-servers", vec!["AmazonProvidedDNS"])]);
    assert_eq!(resolv_conf(&lab), "nameserver 10.0.0.2\noptions timeout:1 attempts:2\n");
    // No options: no server and no search domain.
    let vpc_id = vpc.clone();
    lab.tx(|tx, scope| dhcp_options::associate(tx, scope, dhcp_options::NO_OPTIONS, &vpc_id));
    assert_eq!(resolv_conf(&lab), "options timeout:1 attempts:2\n");
}

#[test]
fn a_second_interface_is_eth1_in_its_own_subnet_with_its_own_groups_and_source_routing() {
    let mut lab = Lab::new();
    let a = lab.vpc("10.6.0.0/16");
    let first = lab.subnet(&a, "10.6.1.0/24");
    let second = lab.subnet(&a, "10.6.2.0/24");
    let instance = lab.instance(&first, "10.6.1.10");
    let group = localvpc_model::security_group::CreateSecurityGroup {
        name: "second".into(),
        description: "eth1 only".into(),
        vpc_id: Some(a.clone()),
        tags: Vec::new(),
    };
    let group = lab.tx(|tx, scope| localvpc_model::security_group::create(tx, scope, group)).id;
    let request = localvpc_model::network_interface::CreateNetworkInterface {
        subnet_id: second.clone(),
        private_ip: Some("10.6.2.20".into()),
        group_ids: vec![group],
        ..Default::default()
    };
    let eni = lab.tx(|tx, scope| localvpc_model::network_interface::create(tx, scope, request)).id.clone();
    lab.tx(|tx, scope| localvpc_model::network_interface::attach(tx, scope, &eni, &instance, 1));
    // Only the primary interface's group admits ICMP: the rule must match eth0's packets alone.
    lab.allow_in(&instance, "icmp", Some((-1, -1)), RulePeer::Cidr("10.0.0.0/8".parse().unwrap()));
    let state = lab.plan();
    let namespace = format!("lv-{instance}");
    let spec = &state.namespaces[&namespace];
    assert!(spec.addresses.contains(&Address {
        device: "eth1".into(),
        address: "10.6.2.20".parse().unwrap(),
        prefix: 24
    }));
    let veth = &state.veths[&(namespace.clone(), "eth1".to_string())];
    assert_eq!(veth.b.name, names::interface_port(&eni));
    assert_eq!(veth.b.bridge.as_deref(), Some(names::subnet_bridge(&second).as_str()));
    let own = table::INTERFACE + 1;
    assert!(spec.rules.contains(&Rule {
        priority: 100,
        iif: None,
        source: Some("10.6.2.20".parse().unwrap()),
        table: own
    }));
    assert_eq!(
        spec.routes[&(own, net("0.0.0.0/0"))],
        RouteKind::Gateway { gateway: "10.6.2.1".parse().unwrap(), device: "eth1".into(), source: None }
    );
    assert_eq!(
        spec.routes[&(table::MAIN, net("0.0.0.0/0"))],
        RouteKind::Gateway { gateway: "10.6.1.1".parse().unwrap(), device: "eth0".into(), source: None },
        "the instance's own default stays on eth0"
    );
    let input = spec.firewall.chains.iter().find(|chain| chain.name == "input").unwrap();
    let icmp: Vec<_> = input.rules.iter().filter(|rule| rule.matches.contains(&Match::Protocol(1))).collect();
    assert_eq!(icmp.len(), 1, "{input:?}");
    assert_eq!(icmp[0].matches[0], Match::InputInterface("eth0".into()));
    // The primary-only instances of other tests keep rules without an interface match.
    let (lab, _, [ia, _], _) = tutorial();
    let single = &lab.plan().namespaces[&format!("lv-{ia}")];
    let input = single.firewall.chains.iter().find(|chain| chain.name == "input").unwrap();
    assert!(input.rules.iter().all(|rule| !rule.matches.contains(&Match::InputInterface("eth0".into()))));
    assert!(single.rules.iter().all(|rule| rule.source.is_none()));
}

mod capture;
mod endpoints;
mod interface_endpoints;
mod ipv6;
mod nat;
mod transit;
mod transit_ipv6;
mod vpn;
