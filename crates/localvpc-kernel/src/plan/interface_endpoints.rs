//! Interface VPC endpoints in the kernel (part 2 §17.5).
//!
//! Each interface of an interface endpoint (one per subnet the endpoint was given) is the service's host in that
//! subnet: a namespace `lv-eni-…` with `eth0` into the subnet's bridge at the interface's address, its security
//! groups (and flow log capture) as an instance's are, and `endpoint_service.rs` listening on the service's port — the engine's
//! `INTERFACE_ENDPOINT_PORTS` (HTTPS). Unlike a gateway endpoint it is an ordinary address of the VPC, so it is
//! reached the way an instance is: from its subnet, the VPC, and over peerings, transit gateways and VPN.

use localvpc_engine::topology::EniIx;
use localvpc_engine::Topology;

use super::{capture, interface, ipv6, rules};
use crate::names::{Names, INSTANCE_LINK};
use crate::state::{table, KernelState, Namespace, Role};

/// Every interface endpoint interface's namespace.
pub(super) fn interface_endpoints(topology: &Topology, names: &Names, state: &mut KernelState) {
    for eni in (0..topology.enis.len()).filter(|&eni| is_service_host(topology, eni)) {
        let node = &topology.enis[eni];
        let namespace = names.interface_endpoint(&node.id);
        let link = INSTANCE_LINK.to_string();
        let mut spec = Namespace::new(Role::InterfaceEndpoint);
        interface(topology, names, eni, &link, &namespace, &mut spec, state);
        let subnet = &topology.subnets[node.subnet];
        super::ipv4_default_route(subnet, table::MAIN, INSTANCE_LINK, &mut spec);
        ipv6::default_route(node, subnet, table::MAIN, INSTANCE_LINK, &mut spec);
        let interfaces = [(eni, link)];
        spec.firewall = rules::security_groups(topology, &interfaces);
        // Part 2 §18.3: its flows are logged at its interface as an instance's are.
        capture::instance(topology, &interfaces, &mut spec.firewall);
        state.namespaces.insert(namespace, spec);
    }
}

fn is_service_host(topology: &Topology, eni: EniIx) -> bool {
    let node = &topology.enis[eni];
    node.interface_endpoint && node.running
}
