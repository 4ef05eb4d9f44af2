//! What an analysis found, as plain data shaped like the EC2 API's `NetworkInsightsAnalysis` members: path found,
//! the forward and return path components, and the explanations of a blocked path.
//!
//! The model only stores these values; they are computed by `localvpc-api` from the packet engine when the analysis
//! starts (the model does not depend on the engine), so a later Describe — or one after a restart — answers exactly
//! what the analysis found then. Only the members localvpc fills exist here; the wire names are written by the API.

use serde::{Deserialize, Serialize};

/// The outcome of one analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisResult {
    /// `networkPathFound`.
    pub network_path_found: bool,
    /// `forwardPathComponentSet`: source to destination, as far as the packet went.
    pub forward_path_components: Vec<PathComponent>,
    /// `returnPathComponentSet`: the answer's way back.
    pub return_path_components: Vec<PathComponent>,
    /// `explanationSet`: every setting that blocks the path.
    pub explanations: Vec<Explanation>,
    /// `suggestedAccountSet`: accounts whose resources the path crosses but the analysis does not describe.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggested_accounts: Vec<String>,
}

/// `AnalysisComponent`: a resource named by ID, ARN and its `Name` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// The resource ID.
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// Its `Name` tag, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `PortRange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRange {
    /// First port.
    pub from: i32,
    /// Last port.
    pub to: i32,
}

/// `AnalysisPacketHeader`: the packet at a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketHeader {
    /// Destination addresses (`a.b.c.d/32`).
    pub destination_addresses: Vec<String>,
    /// Destination ports.
    pub destination_port_ranges: Vec<PortRange>,
    /// The IP protocol number, as text (`6`).
    pub protocol: String,
    /// Source addresses.
    pub source_addresses: Vec<String>,
    /// Source ports.
    pub source_port_ranges: Vec<PortRange>,
}

/// `AnalysisAclRule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclRule {
    /// The rule's block.
    pub cidr: String,
    /// Outbound rule.
    pub egress: bool,
    /// Its ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_range: Option<PortRange>,
    /// `all` or the protocol number.
    pub protocol: String,
    /// `allow` or `deny`.
    pub rule_action: String,
    /// The rule number (32767: the final `*` rule).
    pub rule_number: i32,
}

/// `AnalysisRouteTableRoute`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTableRoute {
    /// The destination block.
    pub destination_cidr: String,
    /// `local`, an internet gateway or a virtual private gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
    /// An instance target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// A NAT gateway target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_gateway_id: Option<String>,
    /// A network interface target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interface_id: Option<String>,
    /// A peering connection target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_id: Option<String>,
    /// A transit gateway target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_id: Option<String>,
    /// `CreateRouteTable` (the local route) or `CreateRoute`.
    pub origin: String,
    /// `active` or `blackhole`.
    pub state: String,
}

/// `TransitGatewayRouteTableRoute`: a route of a transit gateway route table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitGatewayRouteTableRoute {
    /// The destination block.
    pub destination_cidr: String,
    /// `active` or `blackhole`.
    pub state: String,
    /// `static` or `propagated`.
    pub route_origin: String,
    /// The attachment it sends to (absent for a blackhole route).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
    /// What that attachment joins (`vpc-…`, `tgw-…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// `vpc` or `peering`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
}

/// `AnalysisSecurityGroupRule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupRule {
    /// The peer block (absent for a group reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// `ingress` or `egress`.
    pub direction: String,
    /// The group holding the rule.
    pub security_group_id: String,
    /// Its ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_range: Option<PortRange>,
    /// `tcp`, `udp`, `icmp`, `all` or a number.
    pub protocol: String,
}

/// `PathComponent`: one component the packet crossed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathComponent {
    /// 1-based position in its path.
    pub sequence_number: u32,
    /// The component.
    pub component: Component,
    /// The network ACL rule that let the packet through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_rule: Option<AclRule>,
    /// What the component is attached to (an interface's instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<Component>,
    /// The VPC a peering connection leads into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_vpc: Option<Component>,
    /// The packet leaving the component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_header: Option<PacketHeader>,
    /// The packet entering the component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_header: Option<PacketHeader>,
    /// The route that carried the packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table_route: Option<RouteTableRoute>,
    /// The security group rule that let the packet through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group_rule: Option<SecurityGroupRule>,
    /// The VPC a peering connection leads out of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpc: Option<Component>,
    /// The component's subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Component>,
    /// The component's VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<Component>,
    /// The transit gateway (of an attachment or a transit gateway route table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway: Option<Component>,
    /// The transit gateway route that carried the packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_table_route: Option<TransitGatewayRouteTableRoute>,
    /// What the component did to the packet, as informational explanation codes (a NAT gateway's translations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explanations: Vec<Explanation>,
    /// The AWS service behind a VPC endpoint (`serviceName`, part 2 §17.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
}

impl PathComponent {
    /// A component with nothing but its position and identity.
    pub fn new(sequence_number: u32, component: Component) -> PathComponent {
        PathComponent {
            sequence_number,
            component,
            acl_rule: None,
            attached_to: None,
            destination_vpc: None,
            outbound_header: None,
            inbound_header: None,
            route_table_route: None,
            security_group_rule: None,
            source_vpc: None,
            subnet: None,
            vpc: None,
            transit_gateway: None,
            transit_gateway_route_table_route: None,
            explanations: Vec::new(),
            service_name: None,
        }
    }

    /// The IDs this component names (itself, what it is attached to, its subnet and VPCs): what `FilterInArns` and
    /// `FilterOutArns` are compared with.
    pub fn named_ids(&self) -> impl Iterator<Item = &str> {
        [&self.attached_to, &self.destination_vpc, &self.source_vpc, &self.subnet, &self.vpc, &self.transit_gateway]
            .into_iter()
            .flatten()
            .chain(std::iter::once(&self.component))
            .map(|component| component.id.as_str())
    }
}

/// `Explanation`: one setting that blocks the path, with the members AWS fills for its code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The explanation code (`ENI_SG_RULES_MISMATCH`, …).
    pub explanation_code: String,
    /// The blocking component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    /// The network ACL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Component>,
    /// The deciding network ACL rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_rule: Option<AclRule>,
    /// The address concerned (`address`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// What the component is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<Component>,
    /// The blocks concerned (`cidrSet`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cidrs: Vec<String>,
    /// The VPC the packet was going to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_vpc: Option<Component>,
    /// `ingress` or `egress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// The internet gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_gateway: Option<Component>,
    /// The NAT gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_gateway: Option<Component>,
    /// The network interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interface: Option<Component>,
    /// The packet's protocols (`protocolSet`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
    /// The route table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<Component>,
    /// The route concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table_route: Option<RouteTableRoute>,
    /// The security groups of the interface (`securityGroupSet`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<Component>,
    /// The VPC the packet came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpc: Option<Component>,
    /// The component's state (`stopped`, `pending-acceptance`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Component>,
    /// The VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<Component>,
    /// The peering connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection: Option<Component>,
    /// The transit gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway: Option<Component>,
    /// The transit gateway attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_attachment: Option<Component>,
    /// The transit gateway route table route concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_route_table_route: Option<TransitGatewayRouteTableRoute>,
    /// The VPC endpoint concerned (part 2 §19: the `VPCE_*` codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint: Option<Component>,
}

impl Explanation {
    /// An explanation with its code and blocking component, the other members empty.
    pub fn new(code: &str, component: Option<Component>) -> Explanation {
        Explanation { explanation_code: code.to_string(), component, ..Explanation::default() }
    }
}
