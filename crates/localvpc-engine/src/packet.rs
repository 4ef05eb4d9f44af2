//! Probes, packets and what a walk returns: hops, drops with explanation codes, verdicts.
//!
//! Engine types are deliberately not `Serialize`: the API keeps its own JSON shapes, so the wire format lives in
//! one crate.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::topology::{
    AclRule, CompiledRoute, EndpointIx, EniIx, GroupIx, SgRule, SiteIx, SubnetIx, TgwRoute, VgwIx, VpcIx,
};

/// Where a probe starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vantage {
    /// An instance's primary interface.
    Eni(EniIx),
    /// A host on the emulated internet ([`INTERNET_HOST`]).
    Internet,
    /// A host of the on-premises network behind a customer gateway (part 2 §15.5), sending from the site's
    /// [`crate::topology::SiteNode::source`].
    OnPremises(SiteIx),
    /// An AWS service answering behind a gateway VPC endpoint (part 2 §17.4): only the answer leg of a probe that
    /// reached it starts here — the endpoint never initiates connections (RA `VPCE_INTRA_VPC_TRAFFIC`).
    AwsService(EndpointIx),
}

/// The address probes from the internet come from (TEST-NET-2: never a real host).
pub const INTERNET_HOST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);

/// The address IPv6 probes from the internet come from (in the documentation prefix 2001:db8::/32, like
/// [`INTERNET_HOST`]: never a real host).
pub const INTERNET_HOST_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x5100, 0, 0, 0, 0, 0x10);

/// Spec §3.6: clients use an ephemeral source port; 50000 lies in the Linux (32768–60999), NAT gateway
/// (1024–65535) and Windows (49152–65535) ranges alike, so a NACL that allows any of them allows replies.
pub const EPHEMERAL_PORT: u16 = 50000;

/// The kind of traffic a probe sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// ICMP echo (ping, `traceroute -I`).
    Icmp,
    /// A TCP connection to a port (nc -z, ssh).
    Tcp(u16),
    /// A UDP datagram to a port (traceroute's default probes).
    Udp(u16),
}

/// One probe: from a vantage to an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The sender.
    pub from: Vantage,
    /// The destination address (names are resolved before probing), of either family.
    pub destination: IpAddr,
    /// What is sent.
    pub protocol: Protocol,
}

/// IP protocol numbers the walk uses.
pub mod proto {
    /// ICMP.
    pub const ICMP: i32 = 1;
    /// TCP.
    pub const TCP: i32 = 6;
    /// UDP.
    pub const UDP: i32 = 17;
    /// ICMPv6 (part 2 §16.2: `ping6` and the errors IPv6 hosts send).
    pub const ICMPV6: i32 = 58;
}

/// A packet as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// Source address.
    pub src: IpAddr,
    /// Destination address (the same family as the source).
    pub dst: IpAddr,
    /// IP protocol number.
    pub protocol: i32,
    /// TCP/UDP source port.
    pub src_port: u16,
    /// TCP/UDP destination port.
    pub dst_port: u16,
    /// ICMP type and code.
    pub icmp: (i32, i32),
}

impl Packet {
    /// The first packet of a probe: an IPv6 echo request is ICMPv6 type 128.
    pub fn request(src: IpAddr, dst: IpAddr, protocol: Protocol) -> Packet {
        let (icmp, echo) = if dst.is_ipv6() { (proto::ICMPV6, 128) } else { (proto::ICMP, 8) };
        let base = Packet { src, dst, protocol: icmp, src_port: 0, dst_port: 0, icmp: (echo, 0) };
        match protocol {
            Protocol::Icmp => base,
            Protocol::Tcp(port) => Packet { protocol: proto::TCP, src_port: EPHEMERAL_PORT, dst_port: port, ..base },
            Protocol::Udp(port) => Packet { protocol: proto::UDP, src_port: EPHEMERAL_PORT, dst_port: port, ..base },
        }
    }

    /// The answer to this packet: an echo reply, a TCP segment back (SYN-ACK or RST), or for UDP an ICMP port
    /// unreachable (what Linux sends for a closed port, and what traceroute waits for; ICMPv6 type 1 code 4 over
    /// IPv6).
    pub fn answer(&self) -> Packet {
        let swapped =
            Packet { src: self.dst, dst: self.src, src_port: self.dst_port, dst_port: self.src_port, ..*self };
        match self.protocol {
            proto::ICMP => Packet { icmp: (0, 0), ..swapped },
            proto::ICMPV6 => Packet { icmp: (129, 0), ..swapped },
            proto::UDP if self.dst.is_ipv6() => {
                Packet { protocol: proto::ICMPV6, icmp: (1, 4), src_port: 0, dst_port: 0, ..swapped }
            }
            proto::UDP => Packet { protocol: proto::ICMP, icmp: (3, 3), src_port: 0, dst_port: 0, ..swapped },
            _ => swapped,
        }
    }

    /// Whether this is an ICMP or ICMPv6 message (ports are then its type and code).
    pub fn is_icmp(&self) -> bool {
        matches!(self.protocol, proto::ICMP | proto::ICMPV6)
    }
}

/// The kind of component a hop crosses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopKind {
    /// The sending or receiving interface.
    NetworkInterface,
    /// The security groups of an interface, outbound.
    SecurityGroupEgress,
    /// The security groups of an interface, inbound.
    SecurityGroupIngress,
    /// A network ACL, outbound rules.
    AclOutbound,
    /// A network ACL, inbound rules.
    AclInbound,
    /// A route table (the matched route in the detail).
    RouteTable,
    /// An internet gateway (with its address translation).
    InternetGateway,
    /// An egress-only internet gateway (IPv6, part 2 §16.2).
    EgressOnlyInternetGateway,
    /// A VPC peering connection.
    PeeringConnection,
    /// A NAT gateway (with its address and port translation).
    NatGateway,
    /// A transit gateway: the attachment the packet entered by and the route its table matched.
    TransitGateway,
    /// The emulated internet.
    Internet,
    /// A virtual private gateway.
    VpnGateway,
    /// A VPN connection (one of its tunnels).
    VpnConnection,
    /// The on-premises network behind a customer gateway.
    OnPremises,
    /// A gateway VPC endpoint (part 2 §17.4).
    VpcEndpoint,
}

impl HopKind {
    /// A stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::NetworkInterface => "network-interface",
            HopKind::SecurityGroupEgress => "security-group-egress",
            HopKind::SecurityGroupIngress => "security-group-ingress",
            HopKind::AclOutbound => "network-acl-outbound",
            HopKind::AclInbound => "network-acl-inbound",
            HopKind::RouteTable => "route-table",
            HopKind::InternetGateway => "internet-gateway",
            HopKind::EgressOnlyInternetGateway => "egress-only-internet-gateway",
            HopKind::PeeringConnection => "vpc-peering-connection",
            HopKind::NatGateway => "nat-gateway",
            HopKind::TransitGateway => "transit-gateway",
            HopKind::Internet => "internet",
            HopKind::VpnGateway => "vpn-gateway",
            HopKind::VpnConnection => "vpn-connection",
            HopKind::OnPremises => "on-premises",
            HopKind::VpcEndpoint => "vpc-endpoint",
        }
    }
}

/// One component a packet crossed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// What it is.
    pub kind: HopKind,
    /// Its ID (`eni-…`, `acl-…`, `rtb-…`, `igw-…`, `pcx-…`; the address for the internet).
    pub id: String,
    /// What happened there, e.g. `rule 100 allow`, `10.7.0.0/16 -> pcx-…`, `10.6.1.10 -> 198.18.0.5`.
    pub detail: String,
    /// Where, by index, with the rule or route that let the packet through.
    pub place: Place,
    /// The packet as the component received it (before an internet gateway's translation).
    pub packet: Packet,
}

/// Where a hop or a finding happened, by index, with the setting that decided: what a front end needs to describe
/// a component field by field (the EC2 Reachability Analyzer API renders these) without walking again. The text of
/// `detail` and `fix` stays the human form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// An interface sending or receiving (or the instance behind it, for a state finding).
    Interface(EniIx),
    /// The security groups of `eni` in one direction; the group and rule that allowed the packet, if one did.
    SecurityGroups {
        /// The interface.
        eni: EniIx,
        /// Outbound rules (`false`: inbound).
        egress: bool,
        /// The allowing rule and its group.
        allowed_by: Option<(GroupIx, SgRule)>,
    },
    /// The network ACL of `subnet` in one direction; the deciding rule (`None`: the implicit final deny).
    Acl {
        /// The subnet.
        subnet: SubnetIx,
        /// Outbound rules (`false`: inbound).
        egress: bool,
        /// The rule that decided.
        rule: Option<AclRule>,
    },
    /// The route table of `subnet`; the matched route (`None`: nothing matched).
    RouteTable {
        /// The subnet.
        subnet: SubnetIx,
        /// The matched route.
        route: Option<CompiledRoute>,
    },
    /// A peering connection taken from `vpc`; `peer` is the other side when the connection joins `vpc`.
    Peering {
        /// `pcx-…`.
        id: String,
        /// The VPC the packet leaves.
        vpc: VpcIx,
        /// The VPC it enters.
        peer: Option<VpcIx>,
    },
    /// The internet gateway `id` of `vpc`, translating the address of `eni` (an egress-only internet gateway too,
    /// which translates nothing).
    InternetGateway {
        /// `igw-…`.
        id: String,
        /// Its VPC.
        vpc: VpcIx,
        /// The interface whose address it translates.
        eni: EniIx,
    },
    /// The NAT gateway `id` of `vpc`, through its interface `eni` (none once the gateway is deleted or failed).
    NatGateway {
        /// `nat-…`.
        id: String,
        /// Its VPC.
        vpc: VpcIx,
        /// Its interface.
        eni: Option<EniIx>,
    },
    /// The transit gateway `id`, entered through `attachment`; the table associated with that attachment and the
    /// route it matched, when there are.
    TransitGateway {
        /// `tgw-…`.
        id: String,
        /// `tgw-attach-…` the packet entered by.
        attachment: String,
        /// `tgw-rtb-…` associated with the attachment.
        route_table: Option<String>,
        /// The matched route.
        route: Option<TgwRoute<ipnet::IpNet>>,
    },
    /// The emulated internet.
    Internet,
    /// The virtual private gateway `id`, attached to `vpc` (none when detached).
    VpnGateway {
        /// `vgw-…`.
        id: String,
        /// The VPC it is attached to.
        vpc: Option<VpcIx>,
        /// Its index in the topology (whose it is).
        gateway: VgwIx,
    },
    /// The VPN connection `id` between the gateway `vgw` and the customer gateway of `site`; `tunnel` is the
    /// number (1 or 2) of the tunnel that carried the packet, none when both are down.
    VpnConnection {
        /// `vpn-…`.
        id: String,
        /// The gateway it ends on: `vgw-…`, or `tgw-…` for a VPN attachment.
        vgw: String,
        /// The site behind the customer gateway.
        site: SiteIx,
        /// The tunnel used.
        tunnel: Option<u8>,
    },
    /// The on-premises network behind a customer gateway.
    OnPremises(SiteIx),
    /// The gateway VPC endpoint `id` of `vpc` (part 2 §17.4).
    VpcEndpoint {
        /// `vpce-…`.
        id: String,
        /// Its VPC.
        vpc: VpcIx,
    },
    /// A VPC as a whole: its router (the local route), its lack of an internet gateway, an address nobody holds.
    Vpc(VpcIx),
    /// A route target localvpc does not forward through (NAT gateway, instance, interface), named by a route of
    /// `vpc`.
    Appliance {
        /// The target's ID.
        id: String,
        /// The VPC whose route table names it.
        vpc: VpcIx,
    },
}

/// Why a packet was dropped. Codes are AWS Reachability Analyzer's where one fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// No security group rule allows the packet.
    EniSgRulesMismatch,
    /// A network ACL denies the packet.
    SubnetAclRestriction,
    /// No route matches the destination.
    NoRouteToDestination,
    /// The matched route is `blackhole`.
    BadStateRoute,
    /// A component is not in a working state (stopped instance, inactive peering).
    BadState,
    /// The route's target cannot deliver to this destination (non-transitive peering, edge-to-edge, a private
    /// address on the internet, an appliance target).
    CannotRoute,
    /// The interface has no public address to leave through the internet gateway.
    NoPublicAddress,
    /// The VPC of a public address has no internet gateway attached.
    NoInternetGateway,
    /// No interface has the destination address.
    NoDestination,
    /// A NAT gateway was handed a packet that did not come from an interface of its own VPC (part 2 §13.2).
    NgwRequiresSourceInVpc,
    /// A VPN connection is not available or both its tunnels are down (part 2 §15.3).
    BadStateVpn,
    /// A transit gateway route leads to a VPN attachment whose connection has both tunnels down (part 2 §14.4).
    TgwBadStateVpn,
    /// A packet handed to a virtual private gateway does not come from a private address of an interface of its
    /// VPC (part 2 §15.5).
    VgwPrivateIpAssociationForEgress,
    /// A packet from a virtual private gateway is not for a private address of an interface of its VPC: a VPN
    /// reaches the interfaces of the attached VPC only, never beyond (part 2 §15.5).
    VgwPrivateIpAssociationForIngress,
    /// A packet reached a NAT gateway from outside with no outbound flow it answers: a NAT gateway never forwards
    /// unsolicited inbound traffic (part 2 §13.2).
    UnsolicitedInbound,
    /// A subnet routes to a transit gateway whose attachment has no subnet in the sender's zone (part 2 §14.4).
    TgwRouteAzRestriction,
    /// A transit gateway attachment is not `available` (part 2 §14.4), or a virtual private gateway is not attached
    /// to the VPC (part 2 §15.2).
    BadStateAttachment,
    /// The attachment a packet entered a transit gateway by is associated with no route table (part 2 §14.4).
    TgwAttachMissingTgwRtbAssociation,
    /// An egress-only internet gateway met a connection started on the internet: it forwards only the answers of
    /// connections started inside its VPC (part 2 §16.2).
    EgressOnlyInbound,
    /// The transit gateway route table has no route for the destination (part 2 §14.4).
    TgwRtbNoRouteToTgwAttachment,
    /// The transit gateway route is a blackhole or points at an attachment that is not available (part 2 §14.4).
    TgwRtbBadStateRoute,
    /// A gateway VPC endpoint accepts only TCP and ICMP echo (part 2 §17.4).
    VpceGatewayProtocolRestriction,
    /// A gateway received a packet whose source is no interface of its VPC (part 2 §11.3, §17.4: a gateway
    /// endpoint is not usable from the other side of a peering, transit gateway or VPN).
    GatewayRejectsSpoofedTraffic,
}

impl Code {
    /// The code's text.
    ///
    /// Every text is an AWS Reachability Analyzer code, so `localvpc explain` and the Network Insights API speak
    /// the same language. ASSUMPTION (issue 4/5: "use AWS Reachability Analyzer's codes where one fits"): the last
    /// three cases have no exactly matching documented code; the nearest ones are used (the same ones the Network
    /// Insights front end reports for them).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::EniSgRulesMismatch => "ENI_SG_RULES_MISMATCH",
            Code::SubnetAclRestriction => "SUBNET_ACL_RESTRICTION",
            Code::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            Code::BadStateRoute => "BAD_STATE_ROUTE",
            Code::BadState => "BAD_STATE",
            Code::CannotRoute => "CANNOT_ROUTE",
            Code::NoPublicAddress => "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
            Code::NoInternetGateway => "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            Code::NoDestination => "NO_POSSIBLE_DESTINATION",
            Code::NgwRequiresSourceInVpc => "NGW_REQUIRES_SOURCE_IN_VPC",
            Code::BadStateVpn => "BAD_STATE_VPN",
            Code::TgwBadStateVpn => "TGW_BAD_STATE_VPN",
            Code::VgwPrivateIpAssociationForEgress => "VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS",
            Code::VgwPrivateIpAssociationForIngress => "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            // ASSUMPTION (part 2 §19 [I]): the Reachability Analyzer analyses forward paths only and has no code for
            // unsolicited inbound traffic at a NAT gateway; the spec's choice is NO_PATH.
            Code::UnsolicitedInbound => "NO_PATH",
            // ASSUMPTION (part 2 §16.5, §19 [I]): the Reachability Analyzer does not analyse IPv6 and has no code
            // for this; the spec's choice is the internet gateway's inbound analogue.
            Code::EgressOnlyInbound => "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            Code::TgwRouteAzRestriction => "TGW_ROUTE_AZ_RESTRICTION",
            Code::BadStateAttachment => "BAD_STATE_ATTACHMENT",
            Code::TgwAttachMissingTgwRtbAssociation => "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION",
            Code::TgwRtbNoRouteToTgwAttachment => "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT",
            Code::TgwRtbBadStateRoute => "TGW_RTB_BAD_STATE_ROUTE",
            Code::VpceGatewayProtocolRestriction => "VPCE_GATEWAY_PROTOCOL_RESTRICTION",
            Code::GatewayRejectsSpoofedTraffic => "GATEWAY_REJECTS_SPOOFED_TRAFFIC",
        }
    }
}

/// A blocking setting: where, why, and the change that would fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The explanation code.
    pub code: Code,
    /// The blocking component's ID.
    pub component: String,
    /// What blocks, in words.
    pub detail: String,
    /// The change that would unblock it.
    pub fix: String,
    /// Where, by index, with the deciding rule or route.
    pub place: Place,
    /// The packet as the blocking component saw it.
    pub packet: Packet,
}

/// Where a leg ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// At an interface.
    Eni(EniIx),
    /// At a host on the emulated internet.
    Internet(IpAddr),
    /// At a host of an on-premises site.
    OnPremises(SiteIx, IpAddr),
    /// At an AWS service address, reached privately through a gateway VPC endpoint (part 2 §17.4).
    AwsService(EndpointIx, IpAddr),
}

/// One direction of a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// Components crossed, in order.
    pub hops: Vec<Hop>,
    /// The packet as it arrived (addresses after NAT), when it arrived.
    pub delivered: Option<(Endpoint, Packet)>,
    /// What blocked it: the first finding in first-drop mode, all of them when collecting.
    pub findings: Vec<Finding>,
    /// The NAT gateway translations the leg made: the answer leg undoes them.
    pub translations: Vec<NatMapping>,
}

/// A NAT gateway's translation of one flow (part 2 §13.2): the source it replaced and the port it chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatMapping {
    /// The gateway's interface.
    pub nat_eni: EniIx,
    /// The original source address.
    pub original_src: IpAddr,
    /// The original source port (0 for ICMP).
    pub original_port: u16,
    /// The source port the gateway chose (1024–65535; 0 for ICMP).
    pub mapped_port: u16,
}

/// The outcome of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The destination answered and the answer came back.
    Reachable,
    /// The destination answered with a TCP reset: nothing listens on the port ("Connection refused").
    Refused,
    /// A request or its answer was dropped silently (spec §0 item 12): a timeout.
    Dropped,
}

/// A probe's full result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The probe.
    pub probe: Probe,
    /// Request leg.
    pub forward: Leg,
    /// Answer leg, when the request arrived.
    pub reply: Option<Leg>,
    /// The outcome.
    pub verdict: Verdict,
}

impl Trace {
    /// Every blocking finding of both legs.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.forward.findings.iter().chain(self.reply.iter().flat_map(|leg| leg.findings.iter()))
    }
}
