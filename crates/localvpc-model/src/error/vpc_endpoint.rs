//! The refusals of the VPC endpoint actions (part 2 §17.4–17.5): one family of [`super::Ec2Error`]. Each variant's
//! message is its `#[error]` text; [`VpcEndpointError::code`] gives AWS's code (the HTTP status is 400 for all).

use thiserror::Error;

/// A VPC endpoint action's refusal; reaches the client as `Ec2Error::VpcEndpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VpcEndpointError {
    /// §17.4 [D errs]: an endpoint ID of the right shape that the caller does not have. ASSUMPTION (text [I]):
    /// EC2's usual not-found wording.
    #[error("The Vpc Endpoint Id '{0}' does not exist")]
    NotFound(String),
    /// §17.4 [M; code D errs]: a service the Region does not offer.
    #[error("The Vpc Endpoint Service '{0}' does not exist")]
    InvalidServiceName(String),
    /// §17.4 [D bc]: `VpcEndpointType` is `Interface`, `Gateway` or `GatewayLoadBalancer`. ASSUMPTION (text [I]).
    #[error(
        "Value ({0}) for parameter vpcEndpointType is invalid. Valid values: Interface, Gateway, GatewayLoadBalancer"
    )]
    InvalidType(String),
    /// §17.4: the service exists but not as the type asked for. ASSUMPTION (code and text [I]).
    #[error("The Vpc Endpoint Service '{service}' does not support the endpoint type {kind}.")]
    TypeNotSupported {
        /// The service name.
        service: String,
        /// `Gateway` or `Interface`.
        kind: &'static str,
    },
    /// §17.4 [M]: CreateRoute/ReplaceRoute naming a gateway endpoint as the target.
    #[error(
        "Route table contains unsupported route target: {0}. VPC Endpoints of this type cannot be used as route targets."
    )]
    RouteNotSupported(String),
    /// §17.4 [D]: an endpoint's route can't be replaced or deleted directly. ASSUMPTION (code and text [I]).
    #[error(
        "The route to {prefix_list_id} in route table {route_table_id} is managed by VPC endpoint {endpoint_id}; \
         use ModifyVpcEndpoint instead."
    )]
    ManagedRoute {
        /// The service's prefix list.
        prefix_list_id: String,
        /// The table.
        route_table_id: String,
        /// The endpoint that holds the route.
        endpoint_id: String,
    },
    /// §17.4 [D older UG]: a table holds one route per service's prefix list. ASSUMPTION (code and text [I]).
    #[error("route table {route_table_id} already has a route with destination-prefix-list-id {prefix_list_id}")]
    RouteAlreadyExists {
        /// The table.
        route_table_id: String,
        /// The service's prefix list.
        prefix_list_id: String,
    },
    /// §17.4: a route table of another VPC. ASSUMPTION (code and text [I]).
    #[error("The route table {route_table_id} does not belong to the endpoint's VPC {vpc_id}.")]
    OtherNetwork {
        /// The table.
        route_table_id: String,
        /// The endpoint's VPC.
        vpc_id: String,
    },
    /// §20 [D]: the endpoint policy is at most 20,480 characters. ASSUMPTION (text [I]; code §20 [I]).
    #[error("The policy document exceeds the maximum length of 20480 characters.")]
    PolicyTooLong,
    /// §17.4: a policy that is not a JSON object. ASSUMPTION (text [I]).
    #[error("The policy document is not valid JSON.")]
    PolicyMalformed,
    /// §20 [D]: 20 gateway endpoints per Region, 50 interface endpoints per VPC, under `--quotas aws`.
    /// ASSUMPTION (text [I]).
    #[error("The maximum number of VPC endpoints has been reached.")]
    LimitExceeded,
    /// §17.5 [D errs]: two subnets of one Availability Zone. ASSUMPTION (text [I]).
    #[error(
        "Found another subnet in the same Availability Zone as subnet {0}; an endpoint takes one subnet per zone."
    )]
    DuplicateSubnetsInSameZone(String),
    /// §17.5 [D UG:vpc-dns.md]: private DNS needs `enableDnsSupport` and `enableDnsHostnames`. ASSUMPTION (text
    /// from AWS's console message [I]).
    #[error(
        "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {0}"
    )]
    PrivateDnsNeedsVpcDns(String),
    /// §17.5: an interface endpoint needs a subnet. ASSUMPTION (code and text [I]).
    #[error("At least one subnet is required for an Interface endpoint.")]
    SubnetRequired,
    /// §17.4/§17.5: a parameter of the other endpoint type. ASSUMPTION (code and text [I]).
    #[error("The parameter {parameter} is not supported for VPC endpoints of type {kind}.")]
    ParameterNotForType {
        /// The parameter.
        parameter: &'static str,
        /// `Gateway` or `Interface`.
        kind: &'static str,
    },
}

impl VpcEndpointError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        use VpcEndpointError::*;
        match self {
            NotFound(_) => "InvalidVpcEndpointId.NotFound",
            InvalidServiceName(_) => "InvalidServiceName",
            RouteNotSupported(_) => "RouteNotSupported",
            RouteAlreadyExists { .. } => "RouteAlreadyExists",
            LimitExceeded => "VpcEndpointLimitExceeded",
            DuplicateSubnetsInSameZone(_) => "DuplicateSubnetsInSameZone",
            PolicyTooLong | PolicyMalformed => "InvalidPolicyDocument",
            InvalidType(_)
            | TypeNotSupported { .. }
            | ManagedRoute { .. }
            | OtherNetwork { .. }
            | PrivateDnsNeedsVpcDns(_)
            | SubnetRequired
            | ParameterNotForType { .. } => "InvalidParameter",
        }
    }
}
