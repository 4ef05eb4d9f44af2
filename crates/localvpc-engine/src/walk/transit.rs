//! The walk through a transit gateway (part 2 §14.4): into the gateway by the sending VPC's attachment in the
//! sender's Availability Zone, a longest-prefix lookup in the table associated with that attachment, and out by the
//! attachment the route names — into its VPC (delivered locally, or routed on by the route table of the
//! attachment's subnet: centralized egress), or across a peering attachment into the peer gateway, which looks the
//! packet up again. Unlike peering this is transitive by design. Answers walk the same way from the other side: the
//! walk has no memory of the request's path, as the gateway has none.
//!
//! The gateway itself is no traceroute hop (part 2 §14.4 [I]); its hop is for `explain` and Network Insights.

use super::{Arrival, Walker};
use crate::packet::{Code, HopKind, Packet, Place};
use crate::rules::describe;
use crate::topology::{EniIx, SgPeer, TgwAttachmentKind, TgwAttachmentNode, TgwRoute, VpcIx};

/// How many transit gateways one packet may cross before the walk calls it a routing loop (a VPC routing back to
/// the gateway, or two peered gateways pointing at each other). Real packets die by TTL; the walk stops earlier.
const MAX_TRANSIT_CROSSINGS: u8 = 8;

impl Walker<'_> {
    /// A route of `vpc` sent the packet of `eni` (an instance, a NAT gateway, or a transit gateway attachment's own
    /// interface for a packet the VPC routes on) to transit gateway `gateway`.
    pub(super) fn through_transit_gateway(&mut self, vpc: VpcIx, eni: EniIx, gateway: &str, packet: Packet) -> Arrival {
        let topology = self.topology;
        // Without a live attachment the route is `blackhole`, and the route table already said so.
        let attachment = topology.vpc_attachment(vpc, gateway)?;
        let place = Place::TransitGateway {
            id: gateway.to_string(),
            attachment: attachment.id.clone(),
            route_table: None,
            route: None,
        };
        if !attachment.available
            && !self.block(
                Code::BadStateAttachment,
                &attachment.id,
                format!("{} is not available", attachment.id),
                format!("accept {} (or wait until it is available)", attachment.id),
                place.clone(),
                &packet,
            )
        {
            return None;
        }
        if !self.carries_family(attachment, || place.clone(), &packet) {
            return None;
        }
        // Step 1: the attachment must serve the sender's zone.
        let subnet = topology.enis[eni].subnet;
        let zone = topology.subnets[subnet].zone.as_str();
        let entry = match attachment.in_zone(zone) {
            Some(entry) => entry,
            None => {
                let go_on = self.block(
                    Code::TgwRouteAzRestriction,
                    &attachment.id,
                    format!(
                        "{} has no subnet in {zone}, where {} sends from",
                        attachment.id, topology.subnets[subnet].id
                    ),
                    format!("add a subnet of {} in {zone} to {}", topology.vpcs[vpc].id, attachment.id),
                    place,
                    &packet,
                );
                match (go_on, attachment.egress_in(zone)) {
                    (true, Some(entry)) => entry,
                    _ => return None,
                }
            }
        };
        // Step 2: the attachment's subnet admits the packet, unless the sender is in it.
        if entry.0 != subnet && !self.acl(entry.0, false, &packet) {
            return None;
        }
        self.enter_transit_gateway(gateway, attachment, zone, packet)
    }

    /// Step 3: the packet entered `gateway` by `ingress`; it is looked up in the table associated with `ingress`.
    pub(super) fn enter_transit_gateway(
        &mut self,
        gateway: &str,
        ingress: &TgwAttachmentNode,
        zone: &str,
        packet: Packet,
    ) -> Arrival {
        let topology = self.topology;
        let place = |route_table: Option<&str>, route: Option<&TgwRoute<ipnet::IpNet>>| Place::TransitGateway {
            id: gateway.to_string(),
            attachment: ingress.id.clone(),
            route_table: route_table.map(str::to_string),
            route: route.cloned(),
        };
        self.transit_crossings += 1;
        if self.transit_crossings > MAX_TRANSIT_CROSSINGS {
            self.block(
                Code::CannotRoute,
                gateway,
                format!("{} crossed {MAX_TRANSIT_CROSSINGS} transit gateways: a routing loop", describe(&packet)),
                "route the destination to the attachment that holds it".into(),
                place(None, None),
                &packet,
            );
            return None;
        }
        let Some(table) = topology.tgw_associated_table(gateway, &ingress.id) else {
            self.block(
                Code::TgwAttachMissingTgwRtbAssociation,
                &ingress.id,
                format!("{} is associated with no route table of {gateway}", ingress.id),
                format!("associate {} with a route table of {gateway}", ingress.id),
                place(None, None),
                &packet,
            );
            return None;
        };
        let Some(route) = table.lookup(packet.dst) else {
            self.block(
                Code::TgwRtbNoRouteToTgwAttachment,
                &table.id,
                format!("no route in {} matches {}", table.id, packet.dst),
                format!(
                    "add a route for {} to {} (a static route, or a propagation from the attachment that holds it)",
                    packet.dst, table.id
                ),
                place(Some(&table.id), None),
                &packet,
            );
            return None;
        };
        let target = route.attachment.as_deref().unwrap_or("blackhole");
        let here = place(Some(&table.id), Some(&route));
        self.hop(
            HopKind::TransitGateway,
            gateway,
            format!("{} -> {}: {} -> {target}", ingress.id, table.id, route.destination),
            here.clone(),
            &packet,
        );
        let egress = route.attachment.as_deref().and_then(|id| topology.tgw_attachment(id));
        if !route.active || egress.is_none_or(|egress| !egress.available) {
            let why = match &route.attachment {
                None => "a blackhole route".to_string(),
                Some(id) => format!("{id} is not available"),
            };
            let go_on = self.block(
                Code::TgwRtbBadStateRoute,
                &table.id,
                format!("the route {} -> {target} of {} is blackhole: {why}", route.destination, table.id),
                format!("replace the route {} in {} with one to an available attachment", route.destination, table.id),
                here,
                &packet,
            );
            if !go_on {
                return None;
            }
        }
        let egress = egress?;
        match &egress.kind {
            TgwAttachmentKind::Vpc { vpc, .. } => self.leave_into_vpc(*vpc, egress, zone, packet),
            // Part 2 §14.4 step 4 [D]: the peer gateway looks the packet up again, in its table associated with the
            // peering attachment.
            TgwAttachmentKind::Peering { requester, accepter } => {
                let peer = if requester == gateway { accepter } else { requester };
                self.enter_transit_gateway(peer, egress, zone, packet)
            }
            TgwAttachmentKind::Vpn { connection } => self.into_vpn_attachment(gateway, connection, packet),
        }
    }

    /// Why an inbound group rule naming the sender's group did not match, when a transit gateway carried the packet
    /// (part 2 §14.4 [D]: the gateway discards security group information; RA SG_REFERENCES_NOT_PRESERVED).
    pub(super) fn group_references_note(&self, eni: EniIx, egress: bool) -> &'static str {
        let topology = self.topology;
        let names_groups = topology.enis[eni]
            .groups
            .iter()
            .any(|&group| topology.groups[group].ingress.iter().any(|rule| matches!(rule.peer, SgPeer::Group(_))));
        if !egress && self.transit_crossings > 0 && names_groups {
            " (SG_REFERENCES_NOT_PRESERVED: a transit gateway carried it, and rules naming security groups never \
             match such traffic)"
        } else {
            ""
        }
    }

    /// Part 2 §16.2 [D]: an IPv6 packet enters or leaves a gateway only by an attachment with `Ipv6Support`;
    /// whether the walk goes on.
    fn carries_family(
        &mut self,
        attachment: &TgwAttachmentNode,
        place: impl FnOnce() -> Place,
        packet: &Packet,
    ) -> bool {
        // The common case first, without building the place (a probe's hot path).
        if packet.dst.is_ipv4() || attachment.carries_ipv6 {
            return true;
        }
        let place = place();
        self.block(
            Code::CannotRoute,
            &attachment.id,
            format!("{} does not carry IPv6 (Ipv6Support is disable)", attachment.id),
            format!("enable Ipv6Support on {} (ModifyTransitGatewayVpcAttachment)", attachment.id),
            place,
            packet,
        )
    }

    /// Step 4: out of the gateway by the VPC attachment `egress` of `vpc`, through its interface in the packet's zone.
    fn leave_into_vpc(&mut self, vpc: VpcIx, egress: &TgwAttachmentNode, zone: &str, packet: Packet) -> Arrival {
        let topology = self.topology;
        let (subnet, eni) = egress.egress_in(zone)?;
        let place = || Place::TransitGateway {
            id: egress.gateway.clone(),
            attachment: egress.id.clone(),
            route_table: None,
            route: None,
        };
        if !self.carries_family(egress, place, &packet) {
            return None;
        }
        let destination_subnet = topology.subnet_containing(vpc, packet.dst);
        if topology.vpcs[vpc].contains(packet.dst) {
            // Delivered by the local route; the attachment's subnet lets it out unless the destination is in it, and
            // the destination's subnet lets it in even then (part 2 §14.4 step 4 [D]: the gateway is outside every
            // subnet).
            if destination_subnet != Some(subnet) && !self.acl(subnet, true, &packet) {
                return None;
            }
            // No interface is passed as the sender: group references never match transit gateway traffic (part 2
            // §14.4 [D], RA SG_REFERENCES_NOT_PRESERVED).
            return self.deliver_private(vpc, None, packet, None);
        }
        // Not the VPC's: the route table of the attachment's subnet decides (centralized egress through a NAT
        // gateway, part 2 §14.4 [D]); the attachment's interface is the sender inside this VPC.
        if !self.acl(subnet, true, &packet) {
            return None;
        }
        self.route(vpc, subnet, eni, packet)
    }
}
