//! The refusals of the site-to-site VPN actions (part 2 §15: customer gateways, virtual private gateways, VPN
//! connections and their static routes, VGW route propagation): one family of [`super::Ec2Error`], kept in its own
//! enum so the error table stays readable. Each variant's message is its `#[error]` text; [`VpnError::code`] gives
//! AWS's code (the HTTP status is 400 for all).

use thiserror::Error;

/// A VPN action's refusal; reaches the client as `Ec2Error::Vpn`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VpnError {
    /// §15.1 [M text; code D]: unknown customer gateway ID(s).
    #[error("{}", super::not_found("customerGateway", .0))]
    CustomerGatewayNotFound(Vec<String>),
    /// §15.2 [M text; code D]: unknown virtual private gateway ID(s).
    #[error("{}", super::not_found("virtual private gateway", .0))]
    VpnGatewayNotFound(Vec<String>),
    /// §15.3 [M text; code D]: unknown VPN connection ID(s).
    #[error("{}", super::not_found("vpnConnection", .0))]
    VpnConnectionNotFound(Vec<String>),
    /// §15.3 [O: moto's AWS-verified test]: CreateVpnConnection naming a transit gateway the caller cannot use —
    /// unknown, of any shape, or another account's not shared with it.
    #[error("The transitGateway ID '{0}' does not exist")]
    TransitGatewayNotFound(String),
    /// §15.1: a `Type` other than `ipsec.1`. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter type is invalid. Valid values: ipsec.1")]
    InvalidGatewayType(String),
    /// §15.1 [D bc]: `BgpAsn` outside 1–2,147,483,647. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter bgpAsn is invalid. The value must be between 1 and 2147483647.")]
    InvalidBgpAsn(i64),
    /// §15.1 [D bc]: both `BgpAsn` and `BgpAsnExtended`. ASSUMPTION (text [I]).
    #[error("Only one of BgpAsn or BgpAsnExtended may be specified.")]
    BgpAsnAndExtended,
    /// §15.1 [D bc]: `BgpAsnExtended` outside 2,147,483,648–4,294,967,295. ASSUMPTION (text [I]).
    #[error(
        "Value ({0}) for parameter bgpAsnExtended is invalid. The value must be between 2147483648 and 4294967295."
    )]
    InvalidBgpAsnExtended(i64),
    /// §15.1: an `IpAddress` that is not an IPv4 address. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter ipAddress is invalid. This is not a valid IPv4 address.")]
    InvalidCustomerGatewayIp(String),
    /// §15.1 [I]: DeleteCustomerGateway while a VPN connection that is not deleted uses it. ASSUMPTION (text [I],
    /// the shape of the VGW's "in use" answer).
    #[error("The customer gateway {0} is in use.")]
    CustomerGatewayInUse(String),
    /// §15.3: CreateVpnConnection naming a deleted customer gateway. ASSUMPTION (text [I]).
    #[error("The customer gateway {0} is not in the available state.")]
    CustomerGatewayNotAvailable(String),
    /// §15.2 [D bc]: `AmazonSideAsn` outside 64512–65534 and 4200000000–4294967294. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter amazonSideAsn is invalid. Valid values are 64512 to 65534 and 4200000000 to 4294967294.")]
    InvalidAmazonSideAsn(i64),
    /// §15.2 [O cloudposse/terraform-aws-vpn-connection#22]: the VPC already has a virtual private gateway.
    #[error("VPC {0} is currently attached to the Virtual Private Gateway.")]
    VpcAlreadyHasVpnGateway(String),
    /// §15.2 [D errs code]: the gateway is attached to another VPC. ASSUMPTION (text [I]: the errs description).
    #[error("The VPN gateway {0} is already attached to a VPC.")]
    VpnGatewayAttachmentLimitExceeded(String),
    /// §15.2 [D errs code]: an action on a deleted gateway. ASSUMPTION (text [I]).
    #[error("The VPN gateway {0} is not in the available state.")]
    VpnGatewayNotAvailable(String),
    /// §15.2 [O hashicorp/terraform-provider-aws#9650]: DetachVpnGateway for a VPC the gateway is not attached to.
    #[error("The attachment with vpn gateway ID '{vpn_gateway_id}' and vpc ID '{vpc_id}' does not exist")]
    AttachmentNotFound {
        /// The gateway.
        vpn_gateway_id: String,
        /// The VPC.
        vpc_id: String,
    },
    /// §15.2 [O hashicorp/terraform-provider-aws#5831]: DeleteVpnGateway while attached.
    #[error("The VPN gateway is in use.")]
    VpnGatewayInUse,
    /// §15.3 [O: moto's AWS-verified test_create_vpn_connection_to_both_vpn_gateway_and_transit_gateway]:
    /// CreateVpnConnection with both `VpnGatewayId` and `TransitGatewayId`, refused before anything is looked up.
    #[error("The request must not contain both parameter vpnGatewayId and transitGatewayId")]
    BothGateways,
    /// §15.3: CreateVpnConnection with neither `VpnGatewayId` nor `TransitGatewayId`. ASSUMPTION (code and text [I]:
    /// the shape of the answer to both).
    #[error("The request must contain either parameter vpnGatewayId or transitGatewayId")]
    NoGateway,
    /// §15.3 [D errs; trigger I]: a second, different connection between the same two gateways.
    #[error("A VPN connection between the virtual private gateway and the customer gateway already exists.")]
    ConnectionConflict,
    /// §15.3 [D bc]: more than two `TunnelOptions`. ASSUMPTION (text [I]).
    #[error("A VPN connection has two tunnels: at most 2 TunnelOptions may be specified.")]
    TooManyTunnelOptions,
    /// §15.3 [D bc]: a tunnel inside CIDR that is not a /30 in 169.254.0.0/16. ASSUMPTION (text [I]).
    #[error("The tunnel inside CIDR {0} is invalid. It must be a /30 CIDR block from the 169.254.0.0/16 range.")]
    InvalidTunnelInsideCidr(String),
    /// §15.3 [D bc]: one of the reserved /30s. ASSUMPTION (text [I]).
    #[error("The tunnel inside CIDR {0} is reserved and cannot be used.")]
    ReservedTunnelInsideCidr(String),
    /// §15.3 [D bc]: a tunnel inside CIDR already used on the same virtual private gateway. ASSUMPTION (text [I]).
    #[error("The tunnel inside CIDR {cidr} is already in use on {vpn_gateway_id}.")]
    TunnelInsideCidrInUse {
        /// The block.
        cidr: String,
        /// The gateway.
        vpn_gateway_id: String,
    },
    /// §15.3 [D bc]: a pre-shared key of the wrong length or characters, or starting with 0. ASSUMPTION (text [I]).
    #[error("The pre-shared key is invalid. It must be 8 to 64 characters long, contain only alphanumeric characters, periods (.) and underscores (_), and cannot start with zero (0).")]
    InvalidPreSharedKey,
    /// §15.3 [D bc]: a tunnel option with a value outside its enumeration. ASSUMPTION (text [I]).
    #[error("Value ({value}) for parameter {parameter} is invalid.")]
    InvalidTunnelOption {
        /// The option.
        parameter: &'static str,
        /// The value as sent.
        value: String,
    },
    /// §15.3 [D bc]: a local or remote network that is not an IPv4 CIDR block. ASSUMPTION (text [I]).
    #[error("Value ({value}) for parameter {parameter} is invalid. This is not a valid CIDR block.")]
    InvalidNetworkCidr {
        /// `LocalIpv4NetworkCidr` or `RemoteIpv4NetworkCidr`.
        parameter: &'static str,
        /// The value as sent.
        value: String,
    },
    /// §15.3 [D errs]: CreateVpnConnectionRoute/DeleteVpnConnectionRoute on a BGP connection.
    #[error("The specified VPN connection does not support static routes.")]
    StaticRoutesNotSupported,
    /// §15.3: a route action on a deleted connection. ASSUMPTION (code and text [I]).
    #[error("The VPN connection {0} is not in the available state.")]
    VpnConnectionNotAvailable(String),
    /// §15.3: DeleteVpnConnectionRoute for a destination the connection has no route to. ASSUMPTION (code and
    /// text [I]).
    #[error(
        "The route with destination-cidr-block {destination} does not exist in VPN connection {vpn_connection_id}"
    )]
    VpnRouteNotFound {
        /// The destination as sent.
        destination: String,
        /// The connection.
        vpn_connection_id: String,
    },
    /// §15.4 [I; error code I]: EnableVgwRoutePropagation for a gateway not attached to the table's VPC.
    #[error("resource {vpn_gateway_id} is not attached to network {vpc_id}")]
    PropagationGatewayNotAttached {
        /// The gateway.
        vpn_gateway_id: String,
        /// The table's VPC.
        vpc_id: String,
    },
    /// §15.4 [D UG; code and text I]: EnableVgwRoutePropagation on a gateway (edge) route table.
    #[error("Route propagation cannot be enabled on route table {0}: it is associated with a gateway.")]
    PropagationOnGatewayRouteTable(String),
    /// §15.4 [D UG; code and text I]: AssociateRouteTable with a gateway for a table that propagates routes.
    #[error("Route table {0} has route propagation enabled: it cannot be associated with a gateway.")]
    GatewayAssociationWithPropagation(String),
    /// §20 [D]: customer gateways per Region. ASSUMPTION (text [I]).
    #[error("The maximum number of customer gateways has been reached.")]
    CustomerGatewayLimitExceeded,
    /// §20 [D]: virtual private gateways per Region. ASSUMPTION (text [I]).
    #[error("The maximum number of virtual private gateways has been reached.")]
    VpnGatewayLimitExceeded,
    /// §20 [D]: VPN connections per Region or per virtual private gateway. ASSUMPTION (text [I]).
    #[error("The maximum number of VPN connections has been reached.")]
    VpnConnectionLimitExceeded,
}

impl VpnError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        use VpnError::*;
        match self {
            CustomerGatewayNotFound(_) => "InvalidCustomerGatewayID.NotFound",
            TransitGatewayNotFound(_) => "InvalidTransitGatewayID.NotFound",
            VpnGatewayNotFound(_) => "InvalidVpnGatewayID.NotFound",
            VpnConnectionNotFound(_) => "InvalidVpnConnectionID.NotFound",
            InvalidGatewayType(_)
            | InvalidBgpAsn(_)
            | InvalidBgpAsnExtended(_)
            | InvalidCustomerGatewayIp(_)
            | InvalidAmazonSideAsn(_)
            | TooManyTunnelOptions
            | InvalidTunnelInsideCidr(_)
            | ReservedTunnelInsideCidr(_)
            | TunnelInsideCidrInUse { .. }
            | InvalidPreSharedKey
            | InvalidTunnelOption { .. }
            | InvalidNetworkCidr { .. }
            | BothGateways
            | NoGateway
            | PropagationOnGatewayRouteTable(_)
            | GatewayAssociationWithPropagation(_) => "InvalidParameterValue",
            BgpAsnAndExtended => "InvalidParameterCombination",
            CustomerGatewayInUse(_) | VpnGatewayInUse | VpnConnectionNotAvailable(_) => "IncorrectState",
            CustomerGatewayNotAvailable(_) => "InvalidCustomerGatewayState",
            VpcAlreadyHasVpnGateway(_) => "InvalidVpcState",
            VpnGatewayAttachmentLimitExceeded(_) => "VpnGatewayAttachmentLimitExceeded",
            VpnGatewayNotAvailable(_) => "InvalidVpnGatewayState",
            AttachmentNotFound { .. } => "InvalidVpnGatewayAttachment.NotFound",
            ConnectionConflict => "InvalidOption.Conflict",
            StaticRoutesNotSupported => "InvalidVpnConnection.InvalidType",
            VpnRouteNotFound { .. } => "InvalidRoute.NotFound",
            PropagationGatewayNotAttached { .. } => "Gateway.NotAttached",
            CustomerGatewayLimitExceeded => "CustomerGatewayLimitExceeded",
            VpnGatewayLimitExceeded => "VpnGatewayLimitExceeded",
            VpnConnectionLimitExceeded => "VpnConnectionLimitExceeded",
        }
    }
}
