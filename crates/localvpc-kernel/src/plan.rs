//! Topology → desired kernel state: pure, no I/O, unit-testable without root.
//!
//! The shape (ARCHITECTURE.md, "localvpc-kernel"):
//! - per running instance a namespace (`lv-i-…`) with `eth0`: the instance's MAC, its private address, MTU 9001, a
//!   default route via the subnet's router address (base + 1), and its security groups as a stateful table; an
//!   interface attached at device index N is `ethN`, into its own subnet's bridge, with a routing table its own
//!   addresses send by;
//! - per VPC a router namespace (`lv-vpc-…`), so overlapping blocks of different VPCs coexist: one bridge per
//!   subnet holding base + 1 (same-subnet traffic is switched, never routed or filtered by the network ACL), one
//!   kernel routing table per route table selected by `iif <subnet bridge>` (longest-prefix match as AWS does;
//!   `local` routes throw to the delivery table, inactive routes are blackholes), network ACLs as stateless chains on
//!   the forward hook, the internet gateway's 1:1 NAT;
//! - a veth between the two routers of each active peering, over which only the delivery table is reachable, so a
//!   packet that came over a peering reaches the VPC's own interfaces and nothing else (no transit, no edge-to-edge);
//! - the `lv-internet` namespace, joined to each router with an attached internet gateway, answering every
//!   internet-routable address that is not localvpc's and routing localvpc's public addresses to their VPCs;
//! - per available NAT gateway a namespace (`lv-nat-…`, `plan/nat.rs`);
//! - per transit gateway with an available attachment a namespace (`lv-tgw-…`, `plan/transit.rs`) with a veth to
//!   each attached VPC's router (to the site of each VPN attachment, to the peer gateway of each peering), one
//!   kernel table per gateway route table; blocks that would circle (between peered gateways, or from a gateway
//!   through a VPC back to a gateway) are blackholes (`plan/transit_loops.rs`);
//! - per on-premises site a namespace (`lv-cgw-…`) answering its prefixes, and per attached virtual private gateway
//!   a namespace (`lv-vgw-…`) between the VPC router and the sites of its connections with a tunnel up
//!   (`plan/vpn.rs`);
//! - per gateway VPC endpoint a route table sends to, a namespace (`lv-vpce-…`) answering the service's blocks
//!   (`plan/endpoints.rs`); per interface endpoint's interface a host namespace (`lv-eni-…`) in its subnet
//!   (`plan/interface_endpoints.rs`).
//!
//! Security group and network ACL rules are translated in `plan/rules.rs`; the IPv6 side of instances, routers
//! and the internet (part 2 §16) is `plan/ipv6.rs`.

mod capture;
mod endpoints;
mod interface_endpoints;
mod ipv6;
mod nat;
mod rules;
mod transit;
mod transit_loops;
mod vpn;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};
use localvpc_engine::dns;
use localvpc_engine::packet::{Vantage, INTERNET_HOST};
use localvpc_engine::topology::{EniIx, EniNode, SubnetNode, Target, VpcIx};
use localvpc_engine::Topology;

use crate::firewall::{Chain, Firewall, Hook, Match, Rule as FirewallRule, Verdict};
use crate::names::{self, Names, GATEWAY_LINK, INSTANCE_LINK, NEXT_HOP, NEXT_HOP_V6};
use crate::state::{table, Address, Bridge, KernelState, Namespace, Neighbour, Role, RouteKind, Rule, Veth, VethEnd};

/// AWS's MTU inside a VPC and over an intra-region peering (jumbo frames).
pub const VPC_MTU: u32 = 9001;
/// The MTU of the internet and of inter-region peering.
pub const INTERNET_MTU: u32 = 1500;

/// Blocks the emulated internet never answers (the engine's `is_internet_routable` is false for them).
const NOT_INTERNET: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// The kernel state that realises `topology`.
pub fn plan(topology: &Topology, names: &Names) -> KernelState {
    let mut state = KernelState::default();
    state.namespaces.insert(names.internet(), internet(topology, names));
    for vpc in 0..topology.vpcs.len() {
        router(topology, names, vpc, &mut state);
    }
    for eni in realised(topology) {
        instance(topology, names, eni, &mut state);
    }
    for gateway in topology.nat_gateways() {
        nat::nat_gateway(topology, names, gateway, &mut state);
    }
    transit::transit_gateways(topology, names, &mut state);
    vpn::vpn(topology, names, &mut state);
    endpoints::gateway_endpoints(topology, names, &mut state);
    interface_endpoints::interface_endpoints(topology, names, &mut state);
    state
}

/// The interfaces that get a namespace: those of running instances, and interface endpoints' interfaces.
fn realised(topology: &Topology) -> impl Iterator<Item = EniIx> + '_ {
    (0..topology.enis.len()).filter(|&eni| is_realised(&topology.enis[eni]))
}

fn is_realised(eni: &EniNode) -> bool {
    eni.running && (eni.instance_id.is_some() || eni.interface_endpoint)
}

/// Whether a host answers at the interface's addresses: a running instance, an interface endpoint, or an available
/// NAT gateway.
fn has_host(topology: &Topology, eni: EniIx) -> bool {
    is_realised(&topology.enis[eni]) || topology.nat_of_eni(eni).is_some_and(|nat| nat.available)
}

/// The subnet's router address (AWS reserves base + 1 for the VPC router).
pub fn router_address(cidr: Ipv4Net) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(cidr.network()) + 1)
}

fn net(text: &str) -> IpNet {
    text.parse().expect("a literal block")
}

fn internet(topology: &Topology, names: &Names) -> Namespace {
    let mut internet = Namespace::new(Role::Internet);
    internet.addresses.insert(Address { device: "lo".into(), address: INTERNET_HOST.into(), prefix: 32 });
    // The public resolver the internet vantage asks (served by `resolver.rs`).
    internet.addresses.insert(Address { device: "lo".into(), address: dns::PUBLIC_RESOLVER.into(), prefix: 32 });
    internet.resolv_conf = Some(resolv_conf(Some(IpAddr::V4(dns::PUBLIC_RESOLVER)), None));
    // Any address the main table does not route is local: every internet host answers (AnyIP). The route must
    // be in the `local` table (the kernel accepts a reply's source address only if that table calls it local), so
    // the `local` rule moves after `main`, which routes localvpc's public addresses and blackholes private ones.
    internet.rules.insert(Rule::all(100, table::MAIN));
    internet.rules.insert(Rule::all(200, table::LOCAL));
    internet.routes.insert((table::LOCAL, net("0.0.0.0/0")), RouteKind::Local { device: "lo".into() });
    for block in NOT_INTERNET {
        internet.routes.insert((table::MAIN, net(block)), RouteKind::Blackhole);
    }
    for (index, eni) in topology.enis.iter().enumerate() {
        let Some(public) = eni.public_ip else { continue };
        let vpc = &topology.vpcs[eni.vpc];
        let kind = match (&vpc.internet_gateway, has_host(topology, index)) {
            (Some(_), true) => {
                // A device route with the router's MAC as the address's neighbour: a gateway address would have to
                // be non-local, and here every address is local.
                let device = names::internet_port(&vpc.id);
                let router_mac = names::link_mac(&names.router(&vpc.id), GATEWAY_LINK);
                internet.neighbours.insert(Neighbour {
                    device: device.clone(),
                    address: public.into(),
                    mac: router_mac,
                });
                RouteKind::Device { device, source: Some(INTERNET_HOST.into()) }
            }
            // localvpc's address with no way in (no gateway, no running instance or available NAT gateway behind
            // it): dropped, never "answered".
            _ => RouteKind::Blackhole,
        };
        internet.routes.insert((table::MAIN, IpNet::from(IpAddr::V4(public))), kind);
    }
    ipv6::internet(topology, names, &mut internet);
    internet
}

fn router(topology: &Topology, names: &Names, vpc: VpcIx, state: &mut KernelState) {
    let node = &topology.vpcs[vpc];
    let namespace = names.router(&node.id);
    let mut router = Namespace::new(Role::Router);
    for &subnet in &node.subnets {
        let subnet = &topology.subnets[subnet];
        let bridge = names::subnet_bridge(&subnet.id);
        router.bridges.insert(bridge.clone(), Bridge { mac: names::link_mac(&namespace, &bridge), mtu: VPC_MTU });
        // An IPv6-only subnet's bridge holds only the router's IPv6 address (part 2 §16.1).
        if let Some(cidr) = subnet.cidr {
            let address =
                Address { device: bridge.clone(), address: router_address(cidr).into(), prefix: cidr.prefix_len() };
            router.addresses.insert(address);
            router.routes.insert((table::VPC, cidr.into()), RouteKind::Device { device: bridge.clone(), source: None });
        }
        ipv6::router_subnet(subnet, &bridge, &mut router);
    }
    router.routes.insert((table::VPC, net("0.0.0.0/0")), RouteKind::Blackhole);
    router.routes.insert((table::VPC, net("::/0")), RouteKind::Blackhole);
    // The VPC's resolver (served by `resolver.rs`, which asks the engine what to answer), at base + 2 and, with
    // IPv6, at fd00:ec2::253 (part 2 §16.4).
    for address in dns::amazon_resolver_addresses(topology, vpc) {
        let prefix = if address.is_ipv6() { 128 } else { 32 };
        router.addresses.insert(Address { device: "lo".into(), address, prefix });
    }
    router.rules.insert(Rule::all(200, table::VPC));
    let numbers = route_tables(topology, vpc, &mut router);
    transit::router_links(topology, names, vpc, &numbers, &mut router, state);
    vpn::router_link(topology, names, vpc, &mut router);
    endpoints::router_links(topology, names, vpc, &mut router);
    if ipv6::has_internet_link(node) {
        let port = names::internet_port(&node.id);
        let near = VethEnd {
            namespace: namespace.clone(),
            name: GATEWAY_LINK.into(),
            mac: names::link_mac(&namespace, GATEWAY_LINK),
            bridge: None,
        };
        let far = VethEnd {
            namespace: names.internet(),
            name: port.clone(),
            mac: names::link_mac(&names.internet(), &port),
            bridge: None,
        };
        router.neighbours.insert(Neighbour { device: GATEWAY_LINK.into(), address: NEXT_HOP.into(), mac: far.mac });
        router.neighbours.insert(Neighbour { device: GATEWAY_LINK.into(), address: NEXT_HOP_V6.into(), mac: far.mac });
        state.veths.insert((near.namespace.clone(), near.name.clone()), Veth { a: near, b: far, mtu: INTERNET_MTU });
    }
    for pcx in topology.peerings.values() {
        let (Some(requester), Some(accepter)) = (pcx.requester, pcx.accepter) else { continue };
        if !pcx.active || requester == accepter || (requester != vpc && accepter != vpc) {
            continue;
        }
        let link = names::peering_link(&pcx.id);
        let end = |vpc: VpcIx| {
            let namespace = names.router(&topology.vpcs[vpc].id);
            VethEnd { mac: names::link_mac(&namespace, &link), namespace, name: link.clone(), bridge: None }
        };
        let (near, far) =
            if requester == vpc { (end(requester), end(accepter)) } else { (end(accepter), end(requester)) };
        router.neighbours.insert(Neighbour { device: link.clone(), address: NEXT_HOP.into(), mac: far.mac });
        router.neighbours.insert(Neighbour { device: link.clone(), address: NEXT_HOP_V6.into(), mac: far.mac });
        if requester == vpc {
            // Spec §3.3: jumbo frames within a region, 1500 bytes between regions.
            let same_region = topology.vpcs[requester].scope.region == topology.vpcs[accepter].scope.region;
            let mtu = if same_region { VPC_MTU } else { INTERNET_MTU };
            state.veths.insert((near.namespace.clone(), near.name.clone()), Veth { a: near, b: far, mtu });
        }
    }
    router.firewall = router_firewall(topology, vpc);
    capture::transit_attachments(topology, vpc, &mut router.firewall);
    state.namespaces.insert(namespace, router);
}

/// One kernel table per route table that some subnet of the VPC uses, and the rule that selects it.
fn route_tables<'t>(topology: &'t Topology, vpc: VpcIx, router: &mut Namespace) -> BTreeMap<&'t str, u32> {
    let node = &topology.vpcs[vpc];
    let mut tables = BTreeMap::new();
    for &subnet in &node.subnets {
        let table = &topology.subnets[subnet].route_table;
        tables.entry(table.id.as_str()).or_insert(table);
    }
    let ids: Vec<&str> = tables.keys().copied().collect();
    let numbers: BTreeMap<&str, u32> = ids.iter().copied().zip(names::route_table_ids(&ids)).collect();
    for (id, compiled) in &tables {
        let number = numbers[id];
        for route in &compiled.routes {
            let destination = route.destination;
            // Point-to-point links take the next hop of the destination's family (part 2 §16).
            let next_hop: IpAddr = if destination.addr().is_ipv6() { NEXT_HOP_V6.into() } else { NEXT_HOP.into() };
            let kind = match &route.target {
                _ if !route.active => RouteKind::Blackhole,
                Target::Local => RouteKind::Throw,
                Target::Peering(pcx) => match topology.peerings.get(pcx) {
                    Some(connection) if connection.active && connection.peer_of(vpc).is_some() => {
                        RouteKind::Gateway { gateway: next_hop, device: names::peering_link(pcx), source: None }
                    }
                    _ => RouteKind::Blackhole,
                },
                Target::InternetGateway(igw) if node.internet_gateway.as_deref() == Some(igw.as_str()) => {
                    RouteKind::Gateway { gateway: next_hop, device: GATEWAY_LINK.into(), source: None }
                }
                // Part 2 §16.2: an egress-only gateway shares the internet link (`ipv6::egress_only_filter` keeps
                // connections from the internet out).
                Target::EgressOnlyInternetGateway(eigw)
                    if destination.addr().is_ipv6() && node.egress_only_gateways.contains(eigw) =>
                {
                    RouteKind::Gateway { gateway: next_hop, device: GATEWAY_LINK.into(), source: None }
                }
                // Part 2 §16.2 [D]: IPv6 to a transit gateway only by an attachment with `Ipv6Support` (else the
                // engine's finding: the attachment does not carry IPv6, so a blackhole here).
                Target::TransitGateway(id) if destination.addr().is_ipv6() => {
                    match transit::ipv6_route_link(topology, vpc, id) {
                        Some(device) => RouteKind::Gateway { gateway: next_hop, device, source: None },
                        None => RouteKind::Blackhole,
                    }
                }
                // ASSUMPTION: the kernel plane carries IPv6 over internet gateways, peerings and transit gateways
                // only; an IPv6 route to any other target (NAT, VPN, endpoint: IPv4 namespaces) drops.
                _ if destination.addr().is_ipv6() => RouteKind::Blackhole,
                // Part 2 §13.2: to the gateway's address in its subnet (its namespace forwards and translates).
                Target::NatGateway(id) => match topology.nat_gateway(id) {
                    Some(nat) if nat.available && nat.vpc == vpc => {
                        match nat.eni.and_then(|eni| topology.enis[eni].private_ip) {
                            Some(nat_ip) => RouteKind::Gateway {
                                gateway: nat_ip.into(),
                                device: names::subnet_bridge(&topology.subnets[nat.subnet].id),
                                source: None,
                            },
                            None => RouteKind::Blackhole,
                        }
                    }
                    _ => RouteKind::Blackhole,
                },
                // Part 2 §14.4: by the VPC's available attachment to the gateway; part 2 §15.5: by the link to the
                // virtual private gateway attached to this VPC.
                Target::TransitGateway(id) => via_link(transit::route_link(topology, vpc, id)),
                Target::VpnGateway(id) => via_link(vpn::route_link(topology, vpc, id)),
                // Part 2 §17.4: the service's blocks (one route each, expanded from the prefix list) by the link to
                // the endpoint's namespace.
                Target::VpcEndpoint(id) => via_link(endpoints::route_link(topology, vpc, id)),
                // Gateways not attached here and appliances carry nothing (the engine's CannotRoute / blackhole).
                _ => RouteKind::Blackhole,
            };
            router.routes.insert((number, destination), kind);
        }
        // No route matches: AWS drops the packet (the engine's NoRouteToDestination), in either family.
        router.routes.entry((number, net("0.0.0.0/0"))).or_insert(RouteKind::Blackhole);
        router.routes.entry((number, net("::/0"))).or_insert(RouteKind::Blackhole);
    }
    for &subnet in &node.subnets {
        let subnet = &topology.subnets[subnet];
        let table = numbers[subnet.route_table.id.as_str()];
        router.rules.insert(Rule { priority: 100, iif: Some(names::subnet_bridge(&subnet.id)), source: None, table });
    }
    numbers
}

fn via_link(link: Option<String>) -> RouteKind {
    match link {
        Some(device) => RouteKind::Gateway { gateway: NEXT_HOP.into(), device, source: None },
        None => RouteKind::Blackhole,
    }
}

fn router_firewall(topology: &Topology, vpc: VpcIx) -> Firewall {
    let node = &topology.vpcs[vpc];
    let filter =
        |hook: &'static str, drop_by_default: bool| Hook { hook, kind: "filter", priority: 0, drop_by_default };
    let mut forward = Chain { name: "forward".into(), hook: Some(filter("forward", false)), rules: Vec::new() };
    let mut chains = Vec::new();
    for &index in &node.subnets {
        let subnet = &topology.subnets[index];
        let bridge = names::subnet_bridge(&subnet.id);
        let (outbound, inbound) = (format!("out_{bridge}"), format!("in_{bridge}"));
        forward.rules.push(FirewallRule {
            matches: vec![Match::InputInterface(bridge.clone())],
            verdict: Verdict::Jump(outbound.clone()),
        });
        forward.rules.push(FirewallRule {
            matches: vec![Match::OutputInterface(bridge.clone())],
            verdict: Verdict::Jump(inbound.clone()),
        });
        let outbound_rules =
            capture::network_acl(topology, index, true, rules::network_acl(&subnet.acl.outbound, true));
        let inbound_rules =
            capture::network_acl(topology, index, false, rules::network_acl(&subnet.acl.inbound, false));
        chains.push(Chain { name: outbound, hook: None, rules: outbound_rules });
        chains.push(Chain { name: inbound, hook: None, rules: inbound_rules });
    }
    // The router itself offers nothing but DNS at the resolver's address: a packet to a subnet's base + 1 goes
    // unanswered, as the engine says. Whom the resolver answers is the engine's to say, per query.
    let mut resolver: Vec<FirewallRule> =
        dns::amazon_resolver_addresses(topology, vpc).into_iter().flat_map(rules::resolver_queries).collect();
    resolver.insert(0, rules::neighbour_discovery(Verdict::Accept));
    let input = Chain { name: "input".into(), hook: Some(filter("input", true)), rules: resolver };
    let mut all = vec![input];
    forward.rules.extend(ipv6::egress_only_filter(node));
    if node.internet_gateway.is_some() {
        let mapped: Vec<(Ipv4Addr, Ipv4Addr)> = (0..topology.enis.len())
            .filter(|&eni| has_host(topology, eni))
            .map(|eni| &topology.enis[eni])
            .filter(|eni| eni.vpc == vpc)
            .filter_map(|eni| eni.public_ip.zip(eni.private_ip).map(|(public, private)| (private, public)))
            .collect();
        let privates: Vec<Ipv4Addr> = mapped.iter().map(|(private, _)| *private).collect();
        // Spec §3.4: an interface without a public address gets nothing through the gateway.
        let mut matches = vec![Match::OutputInterface(GATEWAY_LINK.into())];
        if privates.is_empty() {
            // IPv4 only: IPv6 passes the gateway untranslated (part 2 §16.2).
            matches.push(Match::Ipv6(false));
        } else {
            matches.push(Match::SourceNotIn(privates));
        }
        forward.rules.push(FirewallRule { matches, verdict: Verdict::Drop });
        if !mapped.is_empty() {
            let nat = |hook: &'static str, priority: i32| Hook { hook, kind: "nat", priority, drop_by_default: false };
            let inward = mapped.iter().map(|(private, public)| (*public, *private)).collect();
            all.push(Chain {
                name: "prerouting".into(),
                hook: Some(nat("prerouting", -100)),
                rules: vec![FirewallRule {
                    matches: vec![Match::InputInterface(GATEWAY_LINK.into())],
                    verdict: Verdict::DestinationNat(inward),
                }],
            });
            all.push(Chain {
                name: "postrouting".into(),
                hook: Some(nat("postrouting", 100)),
                rules: vec![FirewallRule {
                    matches: vec![Match::OutputInterface(GATEWAY_LINK.into())],
                    verdict: Verdict::SourceNat(mapped),
                }],
            });
        }
    }
    let (transit_rules, transit_chains) = transit::router_filters(topology, vpc);
    forward.rules.extend(transit_rules);
    chains.extend(transit_chains);
    all.push(forward);
    all.extend(chains);
    Firewall { chains: all }
}

/// The namespace of the instance whose primary interface is `eni`, with every running interface of the instance.
fn instance(topology: &Topology, names: &Names, eni: EniIx, state: &mut KernelState) {
    let node = &topology.enis[eni];
    let Some(instance_id) = &node.instance_id else { return };
    // Built once, from the primary interface (the one the engine probes from when the instance is named).
    if topology.instance_eni(instance_id) != Some(eni) {
        return;
    }
    let namespace = names.instance(instance_id);
    if state.namespaces.contains_key(&namespace) {
        return;
    }
    let mut interfaces: Vec<(EniIx, String)> = topology
        .interfaces_of(instance_id)
        .iter()
        .copied()
        .filter(|&other| is_realised(&topology.enis[other]))
        .map(|other| (other, interface_link(topology.enis[other].device_index)))
        .collect();
    interfaces.sort_by_key(|&(other, _)| topology.enis[other].device_index);
    let mut spec = Namespace::new(Role::Instance);
    for (other, link) in &interfaces {
        interface(topology, names, *other, link, &namespace, &mut spec, state);
    }
    let subnet = &topology.subnets[node.subnet];
    ipv4_default_route(subnet, table::MAIN, INSTANCE_LINK, &mut spec);
    ipv6::default_route(node, subnet, table::MAIN, INSTANCE_LINK, &mut spec);
    spec.firewall = rules::security_groups(topology, &interfaces);
    capture::instance(topology, &interfaces, &mut spec.firewall);
    // Part 2 §12.2: the server and search domain of the VPC's DHCP options (the default set: base + 2 and the
    // region's private domain).
    let server = dns::resolver_address(topology, Vantage::Eni(eni));
    spec.resolv_conf = Some(resolv_conf(server, dns::search_domain(topology, node.vpc).as_deref()));
    state.namespaces.insert(namespace, spec);
}

/// `0.0.0.0/0` via the subnet's router (base + 1) on `device`, in `table` — none in an IPv6-only subnet, whose
/// hosts have no IPv4 route at all (part 2 §16.1).
pub(crate) fn ipv4_default_route(subnet: &SubnetNode, table: u32, device: &str, spec: &mut Namespace) {
    if let Some(cidr) = subnet.cidr {
        let via_router =
            RouteKind::Gateway { gateway: router_address(cidr).into(), device: device.into(), source: None };
        spec.routes.insert((table, net("0.0.0.0/0")), via_router);
    }
}

/// `eth0` for the primary interface, `ethN` for the one at device index N.
fn interface_link(device_index: u32) -> String {
    if device_index == 0 {
        INSTANCE_LINK.into()
    } else {
        format!("eth{device_index}")
    }
}

/// One interface of an instance: its link into its subnet's bridge, its addresses, and — for an interface other
/// than the primary — source routing, so what its addresses send leaves by it (the way Amazon Linux's
/// ec2-net-utils configures secondary interfaces, and what the engine walks: an answer leaves by the interface the
/// request arrived on, never by another interface that does not own its source address).
fn interface(
    topology: &Topology,
    names: &Names,
    eni: EniIx,
    link: &str,
    namespace: &str,
    spec: &mut Namespace,
    state: &mut KernelState,
) {
    let node = &topology.enis[eni];
    let subnet = &topology.subnets[node.subnet];
    // The primary address and the secondary ones (AssignPrivateIpAddresses): the subnet's bridge resolves each on
    // this link, so every one of them answers.
    // (None on an IPv6-only interface, whose subnet has no IPv4 block.)
    let addresses = node.private_ip.into_iter().chain(node.secondary_ips.iter().copied());
    if let Some(cidr) = subnet.cidr {
        for address in addresses.clone() {
            spec.addresses.insert(Address { device: link.into(), address: address.into(), prefix: cidr.prefix_len() });
        }
    }
    ipv6::interface_addresses(node, subnet, link, spec);
    if node.device_index > 0 {
        let own = table::INTERFACE + node.device_index;
        if let Some(cidr) = subnet.cidr {
            spec.routes.insert((own, cidr.into()), RouteKind::Device { device: link.into(), source: None });
        }
        ipv4_default_route(subnet, own, link, spec);
        ipv6::default_route(node, subnet, own, link, spec);
        for address in addresses {
            spec.rules.insert(Rule { priority: 100, iif: None, source: Some(address.into()), table: own });
        }
    }
    let near = VethEnd {
        namespace: namespace.to_string(),
        name: link.into(),
        mac: names::parse_mac(&localvpc_model::network_interface::mac_address(&node.id), namespace),
        bridge: None,
    };
    let router = names.router(&topology.vpcs[node.vpc].id);
    let port = names::interface_port(&node.id);
    let far = VethEnd {
        mac: names::link_mac(&router, &port),
        namespace: router,
        name: port,
        bridge: Some(names::subnet_bridge(&subnet.id)),
    };
    state.veths.insert((namespace.to_string(), link.into()), Veth { a: near, b: far, mtu: VPC_MTU });
}

/// A `resolv.conf` naming one server, or none (the C library then asks the namespace's own loopback, where nothing
/// answers — as nothing answers an instance whose DHCP options give no server): short timeouts, since a VPC with
/// DNS support off answers nothing (spec §4.3) and a lookup there should fail in seconds, not the resolver's
/// default 5 s × 2 tries.
fn resolv_conf(server: Option<IpAddr>, search: Option<&str>) -> String {
    let mut text = server.map(|server| format!("nameserver {server}\n")).unwrap_or_default();
    if let Some(domain) = search {
        text.push_str(&format!("search {domain}\n"));
    }
    text.push_str("options timeout:1 attempts:2\n");
    text
}

#[cfg(test)]
mod tests;
