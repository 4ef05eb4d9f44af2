//! Gateway VPC endpoints in the walk (part 2 §17.4): a packet a subnet's table routes to `vpce-…` is handed to the
//! AWS service privately — no public address, internet gateway or NAT needed, and the service sees the private
//! source — if it is TCP or an ICMP echo and comes from an interface of the endpoint's VPC (never across a peering,
//! transit gateway or VPN). The service's answer comes back through the endpoint into the VPC, where the
//! destination subnet's network ACL judges it as any inbound packet.

use super::{Arrival, Walker};
use crate::packet::{proto, Code, Endpoint, HopKind, Packet, Place};
use crate::topology::{EndpointIx, VpcIx};

impl Walker<'_> {
    /// A packet routed to the gateway endpoint `id` by a table of `vpc`.
    pub(super) fn through_gateway_endpoint(&mut self, vpc: VpcIx, id: &str, packet: Packet) -> Arrival {
        let topology = self.topology;
        let place = Place::VpcEndpoint { id: id.to_string(), vpc };
        let Some(endpoint) = topology.gateway_endpoint(id) else {
            self.block(
                Code::BadState,
                id,
                format!("{id} is not a gateway endpoint of {}", topology.vpcs[vpc].id),
                "route the service's prefix list to a gateway endpoint of this VPC".into(),
                place,
                &packet,
            );
            return None;
        };
        let node = &topology.gateway_endpoints[endpoint];
        // Part 2 §17.4 [D]: only subnets whose own table has the endpoint route use it; a packet from the other
        // side of a peering, transit gateway or VPN is no traffic of the VPC's interfaces (RA §19).
        if !topology.vpcs[vpc].eni_by_private_ip.contains_key(&packet.src)
            && !self.block(
                Code::GatewayRejectsSpoofedTraffic,
                id,
                format!(
                    "{id} accepts traffic from interfaces of {} only, not from {}",
                    topology.vpcs[vpc].id, packet.src
                ),
                "reach the service from an instance of the endpoint's VPC, or through an interface endpoint".into(),
                place.clone(),
                &packet,
            )
        {
            return None;
        }
        // Part 2 §17.4 [D PL, RA]: TCP and ICMP echo only.
        let echo = packet.protocol == proto::ICMP && packet.icmp.0 == 8;
        if packet.protocol != proto::TCP
            && !echo
            && !self.block(
                Code::VpceGatewayProtocolRestriction,
                id,
                format!("{id} accepts only TCP or ICMP echo traffic"),
                "use TCP (HTTPS) or ping to reach the service".into(),
                place.clone(),
                &packet,
            )
        {
            return None;
        }
        self.hop(
            HopKind::VpcEndpoint,
            id,
            format!("{} -> {} at {} (private source kept)", packet.src, node.service, packet.dst),
            place,
            &packet,
        );
        Some((Endpoint::AwsService(endpoint, packet.dst), packet))
    }

    /// The service's answer, back through the endpoint into its VPC.
    pub(super) fn answer_from_aws_service(&mut self, endpoint: EndpointIx, packet: Packet) -> Arrival {
        let topology = self.topology;
        let node = &topology.gateway_endpoints[endpoint];
        self.hop(
            HopKind::VpcEndpoint,
            &node.id,
            format!("{} answers {} from {}", node.service, packet.dst, packet.src),
            Place::VpcEndpoint { id: node.id.clone(), vpc: node.vpc },
            &packet,
        );
        self.deliver_private(node.vpc, None, packet, None)
    }
}
