//! The refusals of the transit gateway actions (part 2 §14: gateways, route tables, attachments, routes, peering):
//! one family of [`super::Ec2Error`] in its own enum. Each variant's message is its `#[error]` text;
//! [`TransitGatewayError::code`] gives AWS's code (HTTP 400 for all).

use thiserror::Error;

/// A transit gateway action's refusal; reaches the client as `Ec2Error::TransitGateway`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitGatewayError {
    /// §14.2 [O: terraform-aws-modules/terraform-aws-transit-gateway#89]: an unknown (or unshared) gateway.
    #[error("Transit Gateway {0} was deleted or does not exist.")]
    TransitGatewayNotFound(String),
    /// §14.1 [O: hashicorp/terraform-provider-aws#9222]: CreateRoute/ReplaceRoute `TransitGatewayId` naming a gateway
    /// the route table's VPC has no available attachment to.
    #[error("The transitGateway ID '{0}' does not exist.")]
    RouteTargetNotFound(String),
    /// §14.2 [O: rebuy-de/aws-nuke#961]: an unknown VPC attachment. `noun` is `VPC` or `Peering`; AWS's text is
    /// seen for VPC attachments, the peering one follows it (ASSUMPTION part 2 §14.2 [I]).
    #[error("Transit Gateway {noun} Attachment {id} was deleted or does not exist.")]
    AttachmentNotFound {
        /// `VPC` or `Peering`.
        noun: &'static str,
        /// The attachment as sent.
        id: String,
    },
    /// §14.2 [I]: an unknown transit gateway route table (ASSUMPTION part 2 §14.2 [I]: text shaped like the
    /// gateway's).
    #[error("Transit Gateway Route Table {0} was deleted or does not exist.")]
    RouteTableNotFound(String),
    /// §14.2 [O]: a second live attachment of one VPC to one gateway.
    #[error("{0} has non-deleted Transit Gateway Attachments with same VPC ID.")]
    DuplicateVpcAttachment(String),
    /// §14.3 [D: one peering attachment per gateway pair] (ASSUMPTION part 2 §14.3 [I]: code and text).
    #[error("{0} has non-deleted Transit Gateway Cross Region Peering Attachments with same peer.")]
    DuplicatePeeringAttachment(String),
    /// §14.2 [D code; ASSUMPTION text I]: two subnets of one Availability Zone in one attachment.
    #[error("Duplicate subnets for the same Availability Zone {0} are not allowed.")]
    DuplicateSubnetsInSameZone(String),
    /// Part 2 §16.2 [D "TGW carries IPv6 when Ipv6Support=enable"]: IPv6 support on an attachment whose subnet has
    /// no IPv6 block. ASSUMPTION (code and text [I]).
    #[error("Cannot enable IPv6 support for the attachment: subnet {0} has no IPv6 CIDR block.")]
    Ipv6SupportWithoutSubnetBlock(String),
    /// §14.2 [I]: a subnet of another VPC in an attachment (ASSUMPTION part 2 §14.2 [I]: text).
    #[error("Subnet {subnet_id} does not belong to VPC {vpc_id}.")]
    SubnetNotInVpc {
        /// The subnet.
        subnet_id: String,
        /// The attachment's VPC.
        vpc_id: String,
    },
    /// ModifyTransitGatewayVpcAttachment removing a subnet the attachment does not have, or every subnet
    /// (ASSUMPTION part 2 §14.1 [I]: InvalidParameterValue and this text).
    #[error("Subnet {0} cannot be removed from the attachment.")]
    SubnetNotRemovable(String),
    /// §14.2 [O: hashicorp/terraform-provider-aws#7196, #8752]: DeleteTransitGateway while attachments live.
    #[error("{transit_gateway_id} has non-deleted Transit Gateway Attachments: {}.", .attachment_ids.join(", "))]
    HasAttachments {
        /// The gateway.
        transit_gateway_id: String,
        /// Its live attachments.
        attachment_ids: Vec<String>,
    },
    /// §14.2 [O: gruntwork-io/cloud-nuke#744]: DeleteTransitGateway while peering attachments live.
    #[error(
        "{transit_gateway_id} has non-deleted Transit Gateway Cross Region Peering Attachments: {}.",
        .attachment_ids.join(", ")
    )]
    HasPeeringAttachments {
        /// The gateway.
        transit_gateway_id: String,
        /// Its live peering attachments.
        attachment_ids: Vec<String>,
    },
    /// §14.2 [I]: DeleteTransitGatewayRouteTable while attachments are associated with it or propagate into it
    /// (ASSUMPTION part 2 §14.2 [I]: IncorrectState and this text).
    #[error("{0} has associations or propagations and cannot be deleted.")]
    RouteTableInUse(String),
    /// §14.2 [I]: DeleteTransitGatewayRouteTable of the gateway's default table (ASSUMPTION part 2 §14.2 [I]).
    #[error("{route_table_id} is the default route table of {transit_gateway_id} and cannot be deleted.")]
    DefaultRouteTable {
        /// The table.
        route_table_id: String,
        /// Its gateway.
        transit_gateway_id: String,
    },
    /// §14.2 [O: terraform comments]: associating an attachment that already has a route table.
    #[error("Transit Gateway Attachment {0} is already associated to a route table.")]
    AlreadyAssociated(String),
    /// DisassociateTransitGatewayRouteTable for an attachment the table does not hold (ASSUMPTION part 2 §14.1
    /// [I]: code and text).
    #[error("Transit Gateway Attachment {attachment_id} is not associated with {route_table_id}.")]
    NotAssociated {
        /// The attachment.
        attachment_id: String,
        /// The table.
        route_table_id: String,
    },
    /// §14.2 [O code]: a propagation that already exists.
    #[error("Propagation {attachment_id} already exists in Transit Gateway Route Table {route_table_id}.")]
    PropagationDuplicate {
        /// The attachment.
        attachment_id: String,
        /// The table.
        route_table_id: String,
    },
    /// DisableTransitGatewayRouteTablePropagation for a propagation that does not exist (ASSUMPTION part 2 §14.1
    /// [I]: code and text shaped like the duplicate's).
    #[error("Propagation {attachment_id} does not exist in Transit Gateway Route Table {route_table_id}.")]
    PropagationNotFound {
        /// The attachment.
        attachment_id: String,
        /// The table.
        route_table_id: String,
    },
    /// An attachment of another gateway named with a table (ASSUMPTION part 2 §14.1 [I]: code and text).
    #[error("Transit Gateway Attachment {attachment_id} and Transit Gateway Route Table {route_table_id} belong to different transit gateways.")]
    AttachmentOfOtherGateway {
        /// The attachment.
        attachment_id: String,
        /// The table.
        route_table_id: String,
    },
    /// §14.2 [O public tf log]: a second static route to one prefix.
    #[error("Route {destination} already exists in Transit Gateway Route Table {route_table_id}.")]
    RouteAlreadyExists {
        /// The prefix.
        destination: String,
        /// The table.
        route_table_id: String,
    },
    /// DeleteTransitGatewayRoute/ReplaceTransitGatewayRoute for a prefix with no static route (ASSUMPTION part 2
    /// §14.1 [I]: code and text).
    #[error("No route with destination-cidr-block {destination} in Transit Gateway Route Table {route_table_id}")]
    RouteNotFound {
        /// The prefix.
        destination: String,
        /// The table.
        route_table_id: String,
    },
    /// CreateTransitGatewayRoute with both an attachment and `Blackhole=true`, or neither (ASSUMPTION part 2 §14.1
    /// [I]: text).
    #[error("Exactly one of TransitGatewayAttachmentId and Blackhole must be specified.")]
    RouteTargetCombination,
    /// An attachment whose state does not allow the action (accepting an available one, modifying a pending
    /// one). ASSUMPTION (part 2 §14.2 [I]: IncorrectState and this text).
    #[error("{id} is in invalid state: {state}.")]
    AttachmentIncorrectState {
        /// The attachment.
        id: String,
        /// Its state.
        state: &'static str,
    },
    /// §14.3 [M]: accepting or rejecting a peering attachment from the requester's side. The VPC attachment's
    /// requester is refused in the same words (ASSUMPTION part 2 §14.3 [I]).
    #[error("Cannot {verb} {id} as the source of the peering request.")]
    NotAccepter {
        /// `accept` or `reject`.
        verb: &'static str,
        /// The attachment.
        id: String,
    },
    /// §14.1 [D]: `AmazonSideAsn` outside 64512–65534 and 4200000000–4294967294 (ASSUMPTION [I]: text).
    #[error("Amazon side ASN {0} is not in a valid range. Use 64512-65534 or 4200000000-4294967294.")]
    InvalidAmazonSideAsn(i64),
    /// §14.3: a `PeerRegion` that is no Region, in the words CreateVpcPeeringConnection uses for its own.
    #[error("Invalid region: {0}")]
    InvalidPeerRegion(String),
    /// A `TransitGatewayCidrBlocks` entry that is no CIDR block (ASSUMPTION [I]: text).
    #[error("{0} is not a valid transit gateway CIDR block.")]
    InvalidCidrBlock(String),
    /// Part 2 §20: transit gateways per account (ASSUMPTION [I]: code and text).
    #[error("You have reached the maximum number of transit gateways allowed.")]
    TransitGatewayLimitExceeded,
    /// Part 2 §20: route tables per gateway (ASSUMPTION [I]: code and text).
    #[error("You have reached the maximum number of route tables for transit gateway {0}.")]
    RouteTableLimitExceeded(String),
    /// Part 2 §20: transit gateways per VPC (ASSUMPTION [I]: code and text).
    #[error("VPC {0} has reached the maximum number of transit gateway attachments.")]
    AttachmentsPerVpcLimitExceeded(String),
}

impl TransitGatewayError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        use TransitGatewayError::*;
        match self {
            TransitGatewayNotFound(_) | RouteTargetNotFound(_) => "InvalidTransitGatewayID.NotFound",
            AttachmentNotFound { .. } => "InvalidTransitGatewayAttachmentID.NotFound",
            RouteTableNotFound(_) => "InvalidRouteTableID.NotFound",
            DuplicateVpcAttachment(_) | DuplicatePeeringAttachment(_) => "DuplicateTransitGatewayAttachment",
            DuplicateSubnetsInSameZone(_) => "DuplicateSubnetsInSameZone",
            SubnetNotInVpc { .. }
            | Ipv6SupportWithoutSubnetBlock(_)
            | SubnetNotRemovable(_)
            | AttachmentOfOtherGateway { .. }
            | NotAccepter { .. }
            | InvalidAmazonSideAsn(_)
            | InvalidPeerRegion(_)
            | InvalidCidrBlock(_) => "InvalidParameterValue",
            RouteTargetCombination => "InvalidParameterCombination",
            HasAttachments { .. }
            | HasPeeringAttachments { .. }
            | RouteTableInUse(_)
            | DefaultRouteTable { .. }
            | AttachmentIncorrectState { .. } => "IncorrectState",
            AlreadyAssociated(_) => "Resource.AlreadyAssociated",
            NotAssociated { .. } => "InvalidAssociation.NotFound",
            PropagationDuplicate { .. } => "TransitGatewayRouteTablePropagation.Duplicate",
            PropagationNotFound { .. } => "TransitGatewayRouteTablePropagation.NotFound",
            RouteAlreadyExists { .. } => "RouteAlreadyExists",
            RouteNotFound { .. } => "InvalidRoute.NotFound",
            TransitGatewayLimitExceeded => "TransitGatewayLimitExceeded",
            RouteTableLimitExceeded(_) => "TransitGatewayRouteTableLimitExceeded",
            AttachmentsPerVpcLimitExceeded(_) => "TransitGatewayAttachmentLimitExceeded",
        }
    }
}
