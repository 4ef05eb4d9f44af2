//! Gateway VPC endpoints in the kernel (part 2 §17.4).
//!
//! A gateway endpoint some route table of its VPC routes to is a namespace, `lv-vpce-…`, that plays the AWS service
//! behind it: every address of the service's prefix list answers there (a `local` route per block, AnyIP, as a
//! site answers its prefixes), and `endpoint_service.rs` listens on the service's ports. It is joined to the VPC's
//! router by one veth; the router's tables that hold the endpoint's routes send the list's blocks over it, and what
//! comes back reaches the router's delivery table only, as from a peering. The namespace's filter is the engine's
//! restrictions: only the VPC's interfaces, only TCP and ICMP echo, and a reset for any TCP port the service does
//! not answer on.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::Ipv4Net;
use localvpc_engine::topology::{EndpointIx, Target, VpcIx, SERVICE_PORTS};
use localvpc_engine::Topology;

use super::VPC_MTU;
use crate::firewall::{Chain, Firewall, Hook, Match, Rule as FirewallRule, Verdict};
use crate::names::{self, Names, NEXT_HOP};
use crate::state::{table, KernelState, Namespace, Neighbour, Role, RouteKind, Veth, VethEnd};

const TCP: u8 = 6;
const ICMP: u8 = 1;
const ECHO_REQUEST: u8 = 8;

/// Whether the endpoint is a namespace: a route table used by a subnet of its VPC routes to it (an endpoint no
/// table names carries nothing).
fn is_realised(topology: &Topology, endpoint: EndpointIx) -> bool {
    let node = &topology.gateway_endpoints[endpoint];
    topology.vpcs[node.vpc].subnets.iter().any(|&subnet| {
        let routes = &topology.subnets[subnet].route_table.routes;
        routes.iter().any(|route| route.active && matches!(&route.target, Target::VpcEndpoint(id) if *id == node.id))
    })
}

/// The link a route of `vpc` to endpoint `id` leaves by (none: the route is a blackhole).
pub(super) fn route_link(topology: &Topology, vpc: VpcIx, id: &str) -> Option<String> {
    let endpoint = topology.gateway_endpoint(id)?;
    (topology.gateway_endpoints[endpoint].vpc == vpc && is_realised(topology, endpoint))
        .then(|| names::endpoint_link(id))
}

/// The router's ends of its endpoints' links: a neighbour entry each (no rule selects a route table for them, so
/// what the service answers reaches the delivery table only).
pub(super) fn router_links(topology: &Topology, names: &Names, vpc: VpcIx, router: &mut Namespace) {
    for endpoint in realised(topology).filter(|&endpoint| topology.gateway_endpoints[endpoint].vpc == vpc) {
        let id = &topology.gateway_endpoints[endpoint].id;
        let link = names::endpoint_link(id);
        let mac = names::link_mac(&names.vpc_endpoint(id), &link);
        router.neighbours.insert(Neighbour { device: link, address: NEXT_HOP.into(), mac });
    }
}

fn realised(topology: &Topology) -> impl Iterator<Item = EndpointIx> + '_ {
    (0..topology.gateway_endpoints.len()).filter(|&endpoint| is_realised(topology, endpoint))
}

/// Every realised gateway endpoint's namespace and its link to the router.
pub(super) fn gateway_endpoints(topology: &Topology, names: &Names, state: &mut KernelState) {
    for endpoint in realised(topology) {
        let node = &topology.gateway_endpoints[endpoint];
        let namespace = names.vpc_endpoint(&node.id);
        let router = names.router(&topology.vpcs[node.vpc].id);
        let link = names::endpoint_link(&node.id);
        let end = |namespace: &str| VethEnd {
            namespace: namespace.to_string(),
            name: link.clone(),
            mac: names::link_mac(namespace, &link),
            bridge: None,
        };
        state.veths.insert((router.clone(), link.clone()), Veth { a: end(&router), b: end(&namespace), mtu: VPC_MTU });
        let mut spec = Namespace::new(Role::VpcEndpoint);
        spec.neighbours.insert(Neighbour {
            device: link.clone(),
            address: NEXT_HOP.into(),
            mac: names::link_mac(&router, &link),
        });
        // The service answers at every address of its blocks (AnyIP: a socket bound to 0.0.0.0 accepts them all).
        for block in &node.blocks {
            spec.routes.insert((table::LOCAL, (*block).into()), RouteKind::Local { device: "lo".into() });
        }
        for block in &topology.vpcs[node.vpc].cidrs {
            spec.routes.insert(
                (table::MAIN, (*block).into()),
                RouteKind::Gateway { gateway: NEXT_HOP.into(), device: link.clone(), source: None },
            );
        }
        spec.firewall = service_firewall(topology, node.vpc);
        spec.firewall.chains.push(service_output(&node.blocks));
        state.namespaces.insert(namespace, spec);
    }
}

/// Part 2 §17.4 [D]: the endpoint takes traffic from the VPC's interfaces only (a source from across a peering,
/// transit gateway or VPN is refused: RA's GATEWAY_REJECTS_SPOOFED_TRAFFIC), TCP and ICMP echo only
/// (VPCE_GATEWAY_PROTOCOL_RESTRICTION); the service answers on [`SERVICE_PORTS`] and resets any other TCP port.
fn service_firewall(topology: &Topology, vpc: VpcIx) -> Firewall {
    let mut privates: Vec<Ipv4Addr> = topology.vpcs[vpc]
        .eni_by_private_ip
        .keys()
        .filter_map(|address| match address {
            IpAddr::V4(address) => Some(*address),
            IpAddr::V6(_) => None,
        })
        .collect();
    privates.sort_unstable();
    let mut rules = vec![FirewallRule { matches: vec![Match::InputInterface("lo".into())], verdict: Verdict::Accept }];
    if privates.is_empty() {
        // Nothing in the VPC may use it: the default policy drops everything.
        return input_chain(rules);
    }
    rules.push(FirewallRule { matches: vec![Match::SourceNotIn(privates)], verdict: Verdict::Drop });
    rules.push(FirewallRule { matches: vec![Match::Tracked], verdict: Verdict::Accept });
    rules.push(FirewallRule {
        matches: vec![Match::Protocol(ICMP), Match::IcmpType(ECHO_REQUEST)],
        verdict: Verdict::Accept,
    });
    for &port in SERVICE_PORTS {
        rules.push(FirewallRule {
            matches: vec![Match::Protocol(TCP), Match::DestinationPort { protocol: TCP, from: port, to: port }],
            verdict: Verdict::Accept,
        });
    }
    rules.push(FirewallRule { matches: vec![Match::Protocol(TCP)], verdict: Verdict::RejectTcpReset });
    input_chain(rules)
}

/// Part 2 §17.4 [D PL considerations, RA]: the endpoint never starts a connection into the VPC
/// (VPCE_INTRA_VPC_TRAFFIC) and sends only from the list's blocks
/// (VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION): only answers leave, sent from a service address (a reset
/// the input filter sends is conntrack's `related`).
fn service_output(blocks: &[Ipv4Net]) -> Chain {
    let mut rules = vec![FirewallRule { matches: vec![Match::OutputInterface("lo".into())], verdict: Verdict::Accept }];
    for block in blocks {
        rules.push(FirewallRule {
            matches: vec![Match::Tracked, Match::Source((*block).into())],
            verdict: Verdict::Accept,
        });
    }
    let hook = Hook { hook: "output", kind: "filter", priority: 0, drop_by_default: true };
    Chain { name: "output".into(), hook: Some(hook), rules }
}

fn input_chain(rules: Vec<FirewallRule>) -> Firewall {
    let hook = Hook { hook: "input", kind: "filter", priority: 0, drop_by_default: true };
    Firewall { chains: vec![Chain { name: "input".into(), hook: Some(hook), rules }] }
}
