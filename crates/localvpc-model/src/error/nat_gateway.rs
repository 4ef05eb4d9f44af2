//! The refusals of the NAT gateway actions (part 2 §13.1: CreateNatGateway, DescribeNatGateways,
//! DeleteNatGateway, and a route naming a NAT gateway): one family of [`super::Ec2Error`]. Each variant's message
//! is its `#[error]` text; [`NatGatewayError::code`] gives AWS's code (the HTTP status is 400 for all).
//!
//! Creation problems AWS finds *after* answering (no internet gateway, an Elastic IP that is gone or taken, a full
//! subnet) are not refusals: they are the gateway's `failureCode`, in `nat_gateway.rs`.

use thiserror::Error;

/// A NAT gateway action's refusal; reaches the client as `Ec2Error::NatGateway`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NatGatewayError {
    /// §13.1 [O gruntwork-io/cloud-nuke#325: "NatGatewayNotFound: NAT gateway nat-0f23… was not found"]: a
    /// Describe or Delete naming a gateway that does not exist (or no longer shows).
    #[error("NAT gateway {0} was not found")]
    NotFound(String),
    /// §13.1 [O boto/boto3#779]: CreateRoute/ReplaceRoute naming a gateway that does not exist.
    #[error("The natGateway ID '{0}' does not exist")]
    RouteTargetNotFound(String),
    /// §13.1 [I]: a public NAT gateway without `AllocationId`. ASSUMPTION: AWS's missing-parameter wording.
    #[error("The request must contain the parameter AllocationId")]
    AllocationIdRequired,
    /// §13.1 [D bc: "You cannot specify an Elastic IP address with a private NAT gateway"]. ASSUMPTION: code and
    /// text [I].
    #[error("An Elastic IP address cannot be associated with a private NAT gateway.")]
    AllocationIdWithPrivate,
    /// A `ConnectivityType` other than `public` or `private`.
    #[error("Value ({0}) for parameter connectivityType is invalid. Valid values are: public, private.")]
    InvalidConnectivityType(String),
    /// §13.1 [D bc]: more than 7 secondary addresses (8 per gateway). ASSUMPTION: text [I].
    #[error("A NAT gateway can have at most 8 private IPv4 addresses.")]
    TooManyAddresses,
    /// §13.1 [D]: quota of 5 NAT gateways per zone (pending, available and deleting count), under
    /// `--quotas aws`.
    #[error("Performing this operation would exceed the limit of 5 NAT gateways")]
    LimitExceeded,
    /// §13.1: an address change on a gateway that is not `available`. ASSUMPTION (code and text [I]): AWS's
    /// wrong-state code for other resources.
    #[error("The NAT gateway {0} is not in the available state.")]
    NotAvailable(String),
    /// §13.1 [D bc]: Elastic IP actions are for public gateways, private-address actions for private ones.
    /// ASSUMPTION: text [I].
    #[error("NAT gateway {nat_gateway_id} does not support this operation: it is for {kind} NAT gateways.")]
    WrongConnectivity {
        /// The gateway.
        nat_gateway_id: String,
        /// `public` or `private`: the kind the operation is for.
        kind: &'static str,
    },
    /// §13.1 [D]: the primary address stays with the gateway until it is deleted. ASSUMPTION: text [I].
    #[error("The primary address of NAT gateway {0} cannot be removed.")]
    PrimaryAddress(String),
    /// §13.1: UnassignPrivateNatGatewayAddress of an address the gateway does not hold. ASSUMPTION: text [I].
    #[error("The private IP address {address} is not assigned to NAT gateway {nat_gateway_id}.")]
    AddressNotOnGateway {
        /// The gateway.
        nat_gateway_id: String,
        /// The address as sent.
        address: String,
    },
    /// §13.1: a route to a NAT gateway of another VPC, in the words AWS uses for every foreign route target
    /// (spec §2.5 [O]).
    #[error("route table {route_table_id} and network gateway {nat_gateway_id} belong to different networks")]
    OtherNetwork {
        /// The route table.
        route_table_id: String,
        /// The NAT gateway.
        nat_gateway_id: String,
    },
}

impl NatGatewayError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        match self {
            NatGatewayError::NotFound(_) => "NatGatewayNotFound",
            NatGatewayError::RouteTargetNotFound(_) => "InvalidNatGatewayID.NotFound",
            NatGatewayError::AllocationIdRequired => "MissingParameter",
            NatGatewayError::AllocationIdWithPrivate => "InvalidParameterCombination",
            NatGatewayError::InvalidConnectivityType(_)
            | NatGatewayError::TooManyAddresses
            | NatGatewayError::OtherNetwork { .. }
            | NatGatewayError::WrongConnectivity { .. }
            | NatGatewayError::PrimaryAddress(_)
            | NatGatewayError::AddressNotOnGateway { .. } => "InvalidParameterValue",
            NatGatewayError::NotAvailable(_) => "IncorrectState",
            NatGatewayError::LimitExceeded => "NatGatewayLimitExceeded",
        }
    }
}
