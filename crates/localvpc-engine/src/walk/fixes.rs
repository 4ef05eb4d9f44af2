//! The fix texts the walk offers where a route is missing or a blackhole: which route would carry the packet, and
//! what makes a blackhole's target usable again.

use std::net::IpAddr;

use super::{is_internet_routable, Walker};
use crate::topology::{Target, VpcIx};

impl Walker<'_> {
    /// The route that would carry the packet, for the fix of a missing route: a peering connection to a VPC that
    /// holds the address, else the VPC's internet gateway for a public address.
    pub(super) fn route_fix(&self, vpc: VpcIx, table: &str, destination: IpAddr) -> (String, Option<Target>) {
        let topology = self.topology;
        for pcx in topology.peerings.values() {
            if let Some(peer) = pcx.peer_of(vpc) {
                if let Some(block) = topology.vpcs[peer].block_containing(destination) {
                    let accept = if pcx.active { String::new() } else { format!(" (and accept {})", pcx.id) };
                    return (
                        format!("add route {block} -> {} to {table}{accept}", pcx.id),
                        Some(Target::Peering(pcx.id.clone())),
                    );
                }
            }
        }
        if is_internet_routable(destination) {
            let default = if destination.is_ipv6() { "::/0" } else { "0.0.0.0/0" };
            return match &topology.vpcs[vpc].internet_gateway {
                Some(igw) => {
                    (format!("add route {default} -> {igw} to {table}"), Some(Target::InternetGateway(igw.clone())))
                }
                None => (
                    format!(
                        "attach an internet gateway to {} and add route {default} -> it to {table}",
                        topology.vpcs[vpc].id
                    ),
                    None,
                ),
            };
        }
        (format!("create a VPC peering connection to the VPC holding {destination} and route it in {table}"), None)
    }

    pub(super) fn blackhole_reason(&self, target: &Target) -> String {
        match target {
            Target::Peering(id) => format!("{id} is not active"),
            Target::InternetGateway(id) | Target::VpnGateway(id) => format!("{id} is not attached to this VPC"),
            Target::TransitGateway(id) => format!("the VPC has no available attachment to {id}"),
            other => format!("{} cannot carry traffic", other.id()),
        }
    }

    pub(super) fn blackhole_fix(&self, target: &Target) -> String {
        match target {
            Target::Peering(id) => format!("accept {id} (or replace the route with an active connection)"),
            Target::InternetGateway(id) | Target::VpnGateway(id) => format!("attach {id} to the VPC"),
            Target::TransitGateway(id) => format!("attach the VPC to {id} (a subnet in each zone that sends)"),
            other => format!("replace the route to {}", other.id()),
        }
    }
}
