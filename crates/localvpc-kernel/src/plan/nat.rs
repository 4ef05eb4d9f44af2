//! NAT gateways in the kernel (part 2 §13.2): each available gateway is a namespace with one interface in its
//! subnet's bridge, holding its private address. It forwards what its VPC's hosts send, rewriting the source to its
//! own address and a port in 1024–65535 (conntrack remembers the flow), and lets back in only the answers of those
//! flows; it leaves by its subnet's route table like any host of the subnet, so the router's network ACL chains and
//! the internet gateway's 1:1 mapping (its private address to its Elastic IP) apply to it unchanged.

use localvpc_engine::topology::NatNode;
use localvpc_engine::Topology;

use super::interface;
use crate::firewall::{Chain, Firewall, Hook, Match, Rule as FirewallRule, Verdict};
use crate::names::{Names, INSTANCE_LINK};
use crate::state::{table, KernelState, Namespace, Role};

/// Part 2 §13.2 [D]: the source ports a NAT gateway translates to.
const NAT_PORTS: (u16, u16) = (1024, 65535);

/// The namespace of one NAT gateway (none for a gateway that is not available).
pub(super) fn nat_gateway(topology: &Topology, names: &Names, nat: &NatNode, state: &mut KernelState) {
    let Some(eni) = nat.eni.filter(|_| nat.available) else { return };
    // (A NAT gateway always has a private IPv4 address: none is created in an IPv6-only subnet.)
    let Some(address) = topology.enis[eni].private_ip else { return };
    let namespace = names.nat_gateway(&nat.id);
    let mut spec = Namespace::new(Role::NatGateway);
    interface(topology, names, eni, INSTANCE_LINK, &namespace, &mut spec, state);
    let subnet = &topology.subnets[nat.subnet];
    super::ipv4_default_route(subnet, table::MAIN, INSTANCE_LINK, &mut spec);
    spec.firewall = firewall(topology, nat, address);
    super::capture::nat_gateway(topology, (eni, INSTANCE_LINK), &mut spec.firewall);
    state.namespaces.insert(namespace, spec);
}

fn firewall(topology: &Topology, nat: &NatNode, address: std::net::Ipv4Addr) -> Firewall {
    let filter = |hook: &'static str| Hook { hook, kind: "filter", priority: 0, drop_by_default: true };
    let tracked = FirewallRule { matches: vec![Match::Tracked], verdict: Verdict::Accept };
    // Part 2 §13.2 step 2 [D]: only the hosts of its own VPC may start a flow through it.
    let own_vpc: Vec<FirewallRule> = topology.vpcs[nat.vpc]
        .cidrs
        .iter()
        .map(|block| FirewallRule { matches: vec![Match::Source((*block).into())], verdict: Verdict::Accept })
        .collect();
    let mut forward = vec![tracked.clone()];
    forward.extend(own_vpc);
    // Part 2 §13.2 step 2 [D]: traffic a transit gateway brought into the VPC is sent on by the attachment's
    // interface there, so it passes too (centralized egress); only the router's attachment links bring such
    // sources (peering and VPN deliver to the VPC's own interfaces only).
    if !super::transit::vpc_attachments(topology, nat.vpc).is_empty() {
        forward.push(FirewallRule { matches: Vec::new(), verdict: Verdict::Accept });
    }
    // Nothing starts a flow *to* the gateway: unsolicited packets are dropped without an answer.
    let input = vec![tracked];
    // TCP and UDP get a port from the gateway's range; ICMP keeps its query ID unless two flows collide (then the
    // kernel picks another, as the gateway does).
    let leaving = || vec![Match::OutputInterface(INSTANCE_LINK.into()), Match::SourceNotIn(vec![address])];
    let mut translate: Vec<FirewallRule> = [6u8, 17]
        .into_iter()
        .map(|protocol| FirewallRule {
            matches: [leaving(), vec![Match::Protocol(protocol)]].concat(),
            verdict: Verdict::SourceNatTo { address, ports: Some(NAT_PORTS) },
        })
        .collect();
    translate.push(FirewallRule { matches: leaving(), verdict: Verdict::SourceNatTo { address, ports: None } });
    let nat_hook = Hook { hook: "postrouting", kind: "nat", priority: 100, drop_by_default: false };
    Firewall {
        chains: vec![
            Chain { name: "input".into(), hook: Some(filter("input")), rules: input },
            Chain { name: "forward".into(), hook: Some(filter("forward")), rules: forward },
            Chain { name: "postrouting".into(), hook: Some(nat_hook), rules: translate },
        ],
    }
}
