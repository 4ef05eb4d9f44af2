//! The walk through a site-to-site VPN (part 2 §15.5): from a VPC through its virtual private gateway and a tunnel
//! to the on-premises network behind a customer gateway, from there back into the VPC, and between two sites of one
//! gateway (VPN CloudHub).
//!
//! Out of the VPC the packet must come from a private address of an interface of the gateway's VPC, and the gateway
//! forwards only to prefixes it knows — a static connection's static routes, a BGP connection's advertised prefixes
//! — through a tunnel that is up (one down, the other carries it). Into the VPC the gateway delivers only to a
//! private address of an interface of the attached VPC, through the destination subnet's network ACL and the
//! interface's security groups: VPN traffic never leaves again by the VPC's internet gateway, NAT gateway or peering
//! connections (no edge-to-edge routing), because nothing here looks up a route table on the way in.

use std::net::IpAddr;

use super::{Arrival, Walker};
use crate::packet::{Code, Endpoint, HopKind, Packet, Place};
use crate::rules::describe;
use crate::topology::{SiteIx, VgwIx, VpcIx, VpnLink};

impl Walker<'_> {
    /// A route of `vpc` sent the packet to the virtual private gateway `id`.
    pub(super) fn through_vpn_gateway(&mut self, vpc: VpcIx, id: &str, packet: Packet) -> Arrival {
        let topology = self.topology;
        let Some(gateway) = topology.vpn_gateway(id) else {
            self.block(
                Code::BadState,
                id,
                format!("{id} does not exist"),
                "create a virtual private gateway, attach it and route to it".into(),
                Place::Appliance { id: id.to_string(), vpc },
                &packet,
            );
            return None;
        };
        let node = &topology.vpn.gateways[gateway];
        let place = Place::VpnGateway { id: node.id.clone(), vpc: node.vpc, gateway };
        if node.vpc != Some(vpc)
            && !self.block(
                Code::BadStateAttachment,
                &node.id,
                format!("{} is not attached to {}", node.id, topology.vpcs[vpc].id),
                format!("attach {} to {}", node.id, topology.vpcs[vpc].id),
                place.clone(),
                &packet,
            )
        {
            return None;
        }
        self.hop(
            HopKind::VpnGateway,
            &node.id,
            format!("{} enters {}", describe(&packet), node.id),
            place.clone(),
            &packet,
        );
        // Part 2 §15.5 [D]: the gateway carries only the VPC's own interfaces' traffic.
        if !topology.vpcs[vpc].eni_by_private_ip.contains_key(&packet.src)
            && !self.block(
                Code::VgwPrivateIpAssociationForEgress,
                &node.id,
                format!("{} is not a private address of an interface in {}", packet.src, topology.vpcs[vpc].id),
                format!("send from an interface of {} to reach {}", topology.vpcs[vpc].id, node.id),
                place,
                &packet,
            )
        {
            return None;
        }
        self.vgw_to_site(gateway, None, packet)
    }

    /// Inside the gateway, towards the on-premises network of one of its connections (not the one the packet came
    /// in on: a site's own traffic does not go back to it). The connection whose prefix holds the destination most
    /// specifically wins; part 2 §15.4 [D]: on equal prefixes a static route beats a BGP one; a connection with a
    /// tunnel up beats one whose tunnels are both down.
    fn vgw_to_site(&mut self, gateway: VgwIx, arrived_on: Option<usize>, packet: Packet) -> Arrival {
        let topology = self.topology;
        let node = &topology.vpn.gateways[gateway];
        let chosen = node
            .links
            .iter()
            .enumerate()
            .filter(|(index, _)| Some(*index) != arrived_on)
            .filter_map(|(index, link)| link.prefix_for(packet.dst).map(|prefix| (index, link, prefix)))
            .max_by_key(|(_, link, prefix)| (link.tunnel.is_some(), prefix.prefix_len(), link.static_routes_only));
        let Some((_, link, _)) = chosen else {
            self.block(
                Code::NoRouteToDestination,
                &node.id,
                format!("{} knows no route to {}: no VPN connection of it reaches the address", node.id, packet.dst),
                format!(
                    "add a static route for {} to a VPN connection of {} (or advertise it over BGP)",
                    packet.dst, node.id
                ),
                Place::VpnGateway { id: node.id.clone(), vpc: node.vpc, gateway },
                &packet,
            );
            return None;
        };
        let place =
            Place::VpnConnection { id: link.id.clone(), vgw: node.id.clone(), site: link.site, tunnel: link.tunnel };
        if !self.tunnels_up(link, Code::BadStateVpn, &place, &packet) {
            return None;
        }
        let tunnel = link.tunnel.unwrap_or(1);
        let site = &topology.vpn.sites[link.site];
        self.hop(
            HopKind::VpnConnection,
            &link.id,
            format!("{} tunnel {tunnel} -> {}", node.id, site.id),
            place,
            &packet,
        );
        self.at_site(link.site, packet)
    }

    /// The packet is on the on-premises network: every address of the site's prefixes is a host that answers.
    fn at_site(&mut self, site: SiteIx, packet: Packet) -> Arrival {
        let node = &self.topology.vpn.sites[site];
        self.hop(
            HopKind::OnPremises,
            &node.id,
            format!("{} receives {} on the network behind {}", packet.dst, describe(&packet), node.id),
            Place::OnPremises(site),
            &packet,
        );
        Some((Endpoint::OnPremises(site, packet.dst), packet))
    }

    /// A host of the on-premises network behind `site` sends: to a host of its own network directly, anything else
    /// into a VPN connection — the customer device routes towards a gateway that reaches the destination (its
    /// attached VPC holds it, or another site of the gateway does), preferring a connection with a tunnel up.
    pub(super) fn send_from_site(&mut self, site: SiteIx, packet: Packet) -> Arrival {
        let topology = self.topology;
        let node = &topology.vpn.sites[site];
        self.hop(
            HopKind::OnPremises,
            &node.id,
            format!("{} sends {} from the network behind {}", packet.src, describe(&packet), node.id),
            Place::OnPremises(site),
            &packet,
        );
        if node.contains(packet.dst) {
            return self.at_site(site, packet);
        }
        let reaches = |gateway: VgwIx, link: usize| {
            let vgw = &topology.vpn.gateways[gateway];
            vgw.vpc.is_some_and(|vpc| topology.vpcs[vpc].contains(packet.dst))
                || vgw.links.iter().enumerate().any(|(other, l)| other != link && l.prefix_for(packet.dst).is_some())
        };
        let chosen = node.links.iter().copied().max_by_key(|&(gateway, link)| {
            (reaches(gateway, link), topology.vpn.gateways[gateway].links[link].tunnel.is_some())
        });
        // A connection to a transit gateway takes what no virtual private gateway of the site reaches: the
        // transit gateway's route tables decide from there.
        let vgw_reaches = chosen.is_some_and(|(gateway, link)| reaches(gateway, link));
        if !vgw_reaches {
            if let Some(connection) = node.transit_links.first() {
                return self.site_into_transit_gateway(site, connection, packet);
            }
        }
        let Some((gateway, link_index)) = chosen else {
            self.block(
                Code::NoRouteToDestination,
                &node.id,
                format!("{} has no VPN connection", node.id),
                format!(
                    "create a VPN connection from {} to a virtual private gateway attached to the VPC of {}",
                    node.id, packet.dst
                ),
                Place::OnPremises(site),
                &packet,
            );
            return None;
        };
        let vgw = &topology.vpn.gateways[gateway];
        let link = &vgw.links[link_index];
        let place = Place::VpnConnection { id: link.id.clone(), vgw: vgw.id.clone(), site, tunnel: link.tunnel };
        if !self.tunnels_up(link, Code::BadStateVpn, &place, &packet) {
            return None;
        }
        let tunnel = link.tunnel.unwrap_or(1);
        self.hop(
            HopKind::VpnConnection,
            &link.id,
            format!("{} tunnel {tunnel} -> {}", node.id, vgw.id),
            place,
            &packet,
        );
        self.vgw_inbound(gateway, link_index, packet)
    }

    /// The gateway received the packet from a site: to another site it knows (VPN CloudHub, part 2 §15.5 [D]), else
    /// into its VPC, to a private address of an interface there only.
    fn vgw_inbound(&mut self, gateway: VgwIx, arrived_on: usize, packet: Packet) -> Arrival {
        let topology = self.topology;
        let node = &topology.vpn.gateways[gateway];
        let place = Place::VpnGateway { id: node.id.clone(), vpc: node.vpc, gateway };
        self.hop(
            HopKind::VpnGateway,
            &node.id,
            format!("{} enters {}", describe(&packet), node.id),
            place.clone(),
            &packet,
        );
        let cloudhub = node
            .links
            .iter()
            .enumerate()
            .any(|(index, link)| index != arrived_on && link.prefix_for(packet.dst).is_some());
        if cloudhub {
            return self.vgw_to_site(gateway, Some(arrived_on), packet);
        }
        let Some(vpc) = node.vpc else {
            self.block(
                Code::BadStateAttachment,
                &node.id,
                format!("{} is not attached to a VPC", node.id),
                format!("attach {} to the VPC holding {}", node.id, packet.dst),
                place,
                &packet,
            );
            return None;
        };
        if !self.is_private_eni_address(vpc, packet.dst) {
            self.block(
                Code::VgwPrivateIpAssociationForIngress,
                &node.id,
                format!(
                    "{} is not a private address of an interface in {}: a VPN reaches only the attached VPC's interfaces",
                    packet.dst,
                    topology.vpcs[vpc].id
                ),
                format!("send to the private address of an interface in {}", topology.vpcs[vpc].id),
                place,
                &packet,
            );
            return None;
        }
        self.deliver_private(vpc, None, packet, None)
    }

    /// The transit gateway walk hands a packet to the VPN attachment of connection `vpn_connection_id` on gateway
    /// `transit_gateway_id` (part 2 §14.4 step 4): into a tunnel that is up, to the site behind the customer
    /// gateway; both tunnels down → `TGW_BAD_STATE_VPN`. The transit gateway's route table chose the attachment, so
    /// the connection's prefixes are not asked.
    // The name the transit gateway walk calls it by: it moves the packet into the attachment, not the walker.
    #[allow(clippy::wrong_self_convention)]
    pub(super) fn into_vpn_attachment(
        &mut self,
        transit_gateway_id: &str,
        vpn_connection_id: &str,
        packet: Packet,
    ) -> Arrival {
        let topology = self.topology;
        let Some(link) = topology.vpn.transit_links.get(vpn_connection_id) else {
            self.block(
                Code::TgwBadStateVpn,
                vpn_connection_id,
                format!("{vpn_connection_id} is not available"),
                format!("route {transit_gateway_id}'s traffic to an attachment that is available"),
                Place::Internet,
                &packet,
            );
            return None;
        };
        let place = Place::VpnConnection {
            id: link.id.clone(),
            vgw: transit_gateway_id.to_string(),
            site: link.site,
            tunnel: link.tunnel,
        };
        if !self.tunnels_up(link, Code::TgwBadStateVpn, &place, &packet) {
            return None;
        }
        let tunnel = link.tunnel.unwrap_or(1);
        let site = &topology.vpn.sites[link.site];
        let detail = format!("{transit_gateway_id} tunnel {tunnel} -> {}", site.id);
        self.hop(HopKind::VpnConnection, &link.id, detail, place, &packet);
        self.at_site(link.site, packet)
    }

    /// From the site into the transit gateway its connection `connection` ends on, through the connection's VPN
    /// attachment (part 2 §14.4: the gateway looks the packet up in the table associated with that attachment).
    fn site_into_transit_gateway(&mut self, site: SiteIx, connection: &str, packet: Packet) -> Arrival {
        let topology = self.topology;
        let node = &topology.vpn.sites[site];
        let link = &topology.vpn.transit_links[connection];
        let (gateway, attachment) = topology.vpn.transit_attachments.get(connection)?;
        let place = Place::VpnConnection { id: link.id.clone(), vgw: gateway.clone(), site, tunnel: link.tunnel };
        if !self.tunnels_up(link, Code::BadStateVpn, &place, &packet) {
            return None;
        }
        let tunnel = link.tunnel.unwrap_or(1);
        self.hop(HopKind::VpnConnection, &link.id, format!("{} tunnel {tunnel} -> {gateway}", node.id), place, &packet);
        let ingress = topology.tgw_attachment(attachment)?;
        // ASSUMPTION (part 2 §14.4 [I]): a VPN attachment has no zone; the egress VPC attachment uses its first.
        self.enter_transit_gateway(gateway, ingress, "", packet)
    }

    fn is_private_eni_address(&self, vpc: VpcIx, address: IpAddr) -> bool {
        self.topology.vpcs[vpc].eni_by_private_ip.contains_key(&address)
    }
}

/// One leg that starts at a transit gateway handing `packet` to a VPN attachment, for the engine's tests of
/// [`Walker::into_vpn_attachment`] on its own.
#[cfg(test)]
pub(crate) fn vpn_attachment_leg(
    topology: &crate::Topology,
    transit_gateway_id: &str,
    vpn_connection_id: &str,
    packet: Packet,
) -> crate::Leg {
    let mut walker = Walker {
        topology,
        mode: super::Mode::FirstDrop,
        is_answer: false,
        hops: Vec::new(),
        findings: Vec::new(),
        conntrack: &[],
        translations: Vec::new(),
        transit_crossings: 1,
    };
    let delivered = walker.into_vpn_attachment(transit_gateway_id, vpn_connection_id, packet);
    crate::Leg { hops: walker.hops, delivered, findings: walker.findings, translations: walker.translations }
}

impl Walker<'_> {
    /// A connection with both tunnels down carries nothing (part 2 §15.5 [D]): `code` is BAD_STATE_VPN at a virtual
    /// private gateway, TGW_BAD_STATE_VPN at a transit gateway; `false` stops the walk.
    fn tunnels_up(&mut self, link: &VpnLink, code: Code, place: &Place, packet: &Packet) -> bool {
        link.tunnel.is_some()
            || self.block(
                code,
                &link.id,
                format!("both tunnels of {} are down", link.id),
                format!("bring a tunnel of {} up (localvpc vpn tunnel {} --tunnel both --up)", link.id, link.id),
                place.clone(),
                packet,
            )
    }
}
