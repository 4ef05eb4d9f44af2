//! Site-to-site VPN in the kernel (part 2 §15.5).
//!
//! Each on-premises site (a customer gateway with prefixes) is a namespace, `lv-cgw-…`, where every address of its
//! prefixes answers (a `local` route per prefix, as the internet answers any address) and the site's `source` — the
//! address the engine probes from — is the primary one. A virtual private gateway attached to a VPC is a namespace,
//! `lv-vgw-…`, joined to the VPC's router and, per VPN connection with a tunnel up, to the connection's site (both
//! tunnels down: the site loses that link). The gateway forwards to a site only the connection's prefixes, and into
//! the VPC only to private addresses of its interfaces, sent by them; the router delivers what comes from the
//! gateway to its own interfaces only (no route table is asked: no edge-to-edge routing), as over a peering.
//! A VPN connection ending on a transit gateway is a link between the gateway and the site (`transit.rs`).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use localvpc_engine::topology::{SiteNode, VgwIx, VpcIx};
use localvpc_engine::Topology;

use super::{net, INTERNET_MTU};
use crate::firewall::{Chain, Firewall, Hook, Match, Rule as FirewallRule, Verdict};
use crate::names::{self, Names, NEXT_HOP, VOID_LINK};
use crate::state::{table, Address, Bridge, KernelState, Namespace, Neighbour, Role, RouteKind, Rule, Veth, VethEnd};

/// Whether the virtual private gateway is a namespace: attached to a VPC, with a live VPN connection.
fn is_realised(topology: &Topology, gateway: VgwIx) -> bool {
    let node = &topology.vpn.gateways[gateway];
    node.vpc.is_some() && !node.links.is_empty()
}

/// The link a route of `vpc` to virtual private gateway `id` leaves by (none: the route is a blackhole).
pub(super) fn route_link(topology: &Topology, vpc: VpcIx, id: &str) -> Option<String> {
    let gateway = topology.vpn_gateway(id)?;
    (topology.vpn.gateways[gateway].vpc == Some(vpc) && is_realised(topology, gateway))
        .then(|| names::vpn_gateway_link(id))
}

/// The router's end of its virtual private gateway's link (no rule selects a route table for it: what arrives by
/// it reaches the delivery table only).
pub(super) fn router_link(topology: &Topology, names: &Names, vpc: VpcIx, router: &mut Namespace) {
    let Some(gateway) = (0..topology.vpn.gateways.len())
        .find(|&gateway| topology.vpn.gateways[gateway].vpc == Some(vpc) && is_realised(topology, gateway))
    else {
        return;
    };
    let link = names::vpn_gateway_link(&topology.vpn.gateways[gateway].id);
    let far = names.vpn_gateway(&topology.vpn.gateways[gateway].id);
    router.neighbours.insert(Neighbour {
        device: link.clone(),
        address: NEXT_HOP.into(),
        mac: names::link_mac(&far, &link),
    });
}

fn veth(near: &str, far: &str, link: &str) -> Veth {
    let end = |namespace: &str| VethEnd {
        namespace: namespace.to_string(),
        name: link.to_string(),
        mac: names::link_mac(namespace, link),
        bridge: None,
    };
    Veth { a: end(near), b: end(far), mtu: INTERNET_MTU }
}

/// Every site and every realised virtual private gateway.
pub(super) fn vpn(topology: &Topology, names: &Names, state: &mut KernelState) {
    for site in &topology.vpn.sites {
        if let Some(source) = site.source {
            let spec = site_namespace(topology, names, site, source);
            state.namespaces.insert(names.site(&site.id), spec);
        }
    }
    for gateway in (0..topology.vpn.gateways.len()).filter(|&gateway| is_realised(topology, gateway)) {
        vpn_gateway(topology, names, gateway, state);
    }
}

fn vpn_gateway(topology: &Topology, names: &Names, gateway: VgwIx, state: &mut KernelState) {
    let node = &topology.vpn.gateways[gateway];
    let Some(vpc) = node.vpc else { return };
    let namespace = names.vpn_gateway(&node.id);
    let router = names.router(&topology.vpcs[vpc].id);
    let mut spec = Namespace::new(Role::VpnGateway);
    let inward = names::vpn_gateway_link(&node.id);
    state.veths.insert((router.clone(), inward.clone()), veth(&router, &namespace, &inward));
    spec.neighbours.insert(Neighbour {
        device: inward.clone(),
        address: NEXT_HOP.into(),
        mac: names::link_mac(&router, &inward),
    });
    for block in &topology.vpcs[vpc].cidrs {
        spec.routes.insert(
            (table::MAIN, (*block).into()),
            RouteKind::Gateway { gateway: NEXT_HOP.into(), device: inward.clone(), source: None },
        );
    }
    // Part 2 §15.4 [D]: on equal prefixes a static route beats a BGP one; a connection with both tunnels down carries
    // nothing (the engine prefers a live tunnel over any prefix length, so a down connection's prefixes are absent).
    let mut chosen: std::collections::BTreeMap<Ipv4Net, (bool, String)> = std::collections::BTreeMap::new();
    for link in node.links.iter().filter(|link| link.tunnel.is_some()) {
        let site = &topology.vpn.sites[link.site];
        if site.source.is_none() {
            continue;
        }
        let device = names::vpn_link(&link.id);
        let far = names.site(&site.id);
        state.veths.insert((namespace.clone(), device.clone()), veth(&namespace, &far, &device));
        spec.neighbours.insert(Neighbour {
            device: device.clone(),
            address: NEXT_HOP.into(),
            mac: names::link_mac(&far, &device),
        });
        for prefix in &link.prefixes {
            let better = chosen.get(prefix).is_none_or(|(is_static, _)| link.static_routes_only && !is_static);
            if better {
                chosen.insert(*prefix, (link.static_routes_only, device.clone()));
            }
        }
    }
    for (prefix, (_, device)) in chosen {
        spec.routes.insert(
            (table::MAIN, prefix.into()),
            RouteKind::Gateway { gateway: NEXT_HOP.into(), device, source: None },
        );
    }
    spec.routes.insert((table::MAIN, net("0.0.0.0/0")), RouteKind::Blackhole);
    spec.rules.insert(Rule::all(200, table::MAIN));
    spec.firewall = vpn_gateway_firewall(topology, vpc, &inward);
    state.namespaces.insert(namespace, spec);
}

/// Part 2 §15.5 [D]: the gateway carries only traffic of the VPC's interfaces' private addresses, both ways
/// (VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS / _FOR_INGRESS).
fn vpn_gateway_firewall(topology: &Topology, vpc: VpcIx, inward: &str) -> Firewall {
    // Part 2 §16.2 [D]: virtual private gateways carry IPv4 only.
    let mut privates: Vec<Ipv4Addr> = topology.vpcs[vpc]
        .eni_by_private_ip
        .keys()
        .filter_map(|address| match address {
            std::net::IpAddr::V4(address) => Some(*address),
            std::net::IpAddr::V6(_) => None,
        })
        .collect();
    privates.sort_unstable();
    let from_vpc = Match::InputInterface(inward.to_string());
    let into_vpc = Match::OutputInterface(inward.to_string());
    let rules = if privates.is_empty() {
        vec![
            FirewallRule { matches: vec![from_vpc], verdict: Verdict::Drop },
            FirewallRule { matches: vec![into_vpc], verdict: Verdict::Drop },
        ]
    } else {
        vec![
            FirewallRule { matches: vec![from_vpc, Match::SourceNotIn(privates.clone())], verdict: Verdict::Drop },
            FirewallRule {
                matches: vec![into_vpc.clone(), Match::DestinationIn(privates.into_iter().map(Into::into).collect())],
                verdict: Verdict::Accept,
            },
            FirewallRule { matches: vec![into_vpc], verdict: Verdict::Drop },
        ]
    };
    let hook = Hook { hook: "forward", kind: "filter", priority: 0, drop_by_default: false };
    Firewall { chains: vec![Chain { name: "forward".into(), hook: Some(hook), rules }] }
}

/// One site: its prefixes answer, its routes lead into its connections the way the engine's `send_from_site`
/// picks them (to a gateway whose VPC holds the destination, or whose other site does — CloudHub — over a tunnel
/// that is up; what no gateway reaches, into its first connection to a transit gateway), the rest into the void.
fn site_namespace(topology: &Topology, names: &Names, site: &SiteNode, source: Ipv4Addr) -> Namespace {
    let namespace = names.site(&site.id);
    let mut spec = Namespace::new(Role::Site);
    spec.addresses.insert(Address { device: "lo".into(), address: source.into(), prefix: 32 });
    for prefix in &site.prefixes {
        spec.routes.insert((table::LOCAL, (*prefix).into()), RouteKind::Local { device: "lo".into() });
    }
    spec.bridges.insert(VOID_LINK.into(), Bridge { mac: names::link_mac(&namespace, VOID_LINK), mtu: INTERNET_MTU });
    spec.neighbours.insert(Neighbour {
        device: VOID_LINK.into(),
        address: NEXT_HOP.into(),
        mac: [0x02, 0, 0, 0, 0, 1],
    });
    let via = |device: String| RouteKind::Gateway { gateway: NEXT_HOP.into(), device, source: Some(source.into()) };
    let mut default = via(VOID_LINK.into());
    let transit = site.transit_links.first().and_then(|connection| {
        let (_, attachment) = topology.vpn.transit_attachments.get(connection)?;
        let attachment = topology.tgw_attachment(attachment)?;
        super::transit::vpn_attachment_site(topology, attachment).map(|_| names::vpn_link(connection))
    });
    if let Some(device) = transit {
        let gateway = &topology.vpn.transit_attachments[site.transit_links[0].as_str()].0;
        let far = names.transit_gateway(gateway);
        spec.neighbours.insert(Neighbour {
            device: device.clone(),
            address: NEXT_HOP.into(),
            mac: names::link_mac(&far, &device),
        });
        default = via(device);
    }
    spec.routes.insert((table::MAIN, net("0.0.0.0/0")), default);
    // What a gateway of the site reaches; a connection whose tunnels are both down still claims it (the engine
    // picks that connection and stops there), so its blocks go into the void, and a live one overrides.
    let mut links: Vec<(VgwIx, usize)> = site.links.clone();
    links.sort_by_key(|&(gateway, link)| topology.vpn.gateways[gateway].links[link].tunnel.is_some());
    for (gateway, index) in links {
        let node = &topology.vpn.gateways[gateway];
        let link = &node.links[index];
        let mut reached: Vec<Ipv4Net> = node.vpc.map(|vpc| topology.vpcs[vpc].cidrs.clone()).unwrap_or_default();
        for (_, peer) in node.links.iter().enumerate().filter(|(other, _)| *other != index) {
            reached.extend(peer.prefixes.iter().copied());
        }
        let kind = if link.tunnel.is_some() && is_realised(topology, gateway) {
            let device = names::vpn_link(&link.id);
            let far = names.vpn_gateway(&node.id);
            spec.neighbours.insert(Neighbour {
                device: device.clone(),
                address: NEXT_HOP.into(),
                mac: names::link_mac(&far, &device),
            });
            via(device)
        } else {
            via(VOID_LINK.into())
        };
        for block in reached.into_iter().filter(|block| !site.prefixes.contains(block)) {
            spec.routes.insert((table::MAIN, block.into()), kind.clone());
        }
    }
    spec
}
