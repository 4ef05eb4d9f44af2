//! The refusals of the VPC peering actions (spec §2.6: Accept, Reject, Delete, ModifyVpcPeeringConnectionOptions,
//! and the CIDR rule peering imposes on AssociateVpcCidrBlock): one family of [`super::Ec2Error`], kept in its own
//! enum so the error table stays readable. Each variant's message is its `#[error]` text; [`PeeringError::code`]
//! gives AWS's code (the HTTP status is 400 for all).

use thiserror::Error;

/// A VPC peering action's refusal; reaches the client as `Ec2Error::Peering`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeeringError {
    /// §2.6: Accept/Reject/Delete of a connection in a state that does not allow it.
    #[error("Invalid state transition for {pcx_id}, attempted to transition from {from} to {to}")]
    InvalidStateTransition {
        /// The connection.
        pcx_id: String,
        /// Its current status code.
        from: &'static str,
        /// The status the call would have entered.
        to: String,
    },
    /// §2.6: only the accepter account may accept or reject.
    #[error("User {account} cannot {verb} peering {pcx_id}")]
    NotAccepter {
        /// The caller.
        account: String,
        /// `accept` or `reject`.
        verb: &'static str,
        /// The connection.
        pcx_id: String,
    },
    /// §2.6: an inter-region connection is accepted or rejected only in the accepter's region.
    #[error("Incorrect region ({region}) specified for this request. VPC peering connection {pcx_id} must be {} in region {accepter_region}", if *.verb == "accept" { "accepted" } else { "accepted or rejected" })]
    WrongRegion {
        /// The calling region.
        region: String,
        /// The connection.
        pcx_id: String,
        /// Where it must be accepted.
        accepter_region: String,
        /// `accept` or `reject`.
        verb: &'static str,
    },
    /// §2.6: a pending request is deleted by its requester; the accepter rejects it.
    #[error("User {account} cannot delete peering {pcx_id}: a pending-acceptance request is rejected by its accepter")]
    NotRequester {
        /// The caller.
        account: String,
        /// The connection.
        pcx_id: String,
    },
    /// §2.6: options change only on active connections.
    #[error("Peering {0} is not active. Peering options can be added only to active peerings.")]
    NotActive(String),
    /// §2.6: each account changes only its own side's options.
    #[error("User {account} does not have permission to modify the {side} side peering options")]
    OptionsNotPermitted {
        /// The caller.
        account: String,
        /// `requester` or `accepter`.
        side: &'static str,
    },
    /// §2.6: the ClassicLink options do not exist for inter-region connections.
    #[error("Modifying VPC peering connection options AllowEgressFromLocalClassicLinkToRemoteVpc, AllowEgressFromLocalVpcToRemoteClassicLink is not supported for cross-region VPC peering connections")]
    ClassicLinkCrossRegion,
    /// §2.6: DNS resolution over peering needs both DNS attributes on both VPCs.
    #[error("To enable DNS hostname resolution for the VPC peering connection, DNS hostname support must be enabled for the VPCs.")]
    DnsHostnamesDisabled,
    /// §2.6: accepting a second connection between the same two VPCs.
    #[error("The vpc peering connection identified by {0} already exists.")]
    AlreadyExists(String),
    /// §2.2: the requester VPC of a pending connection cannot add CIDR blocks.
    #[error("The vpc {vpc_id} is the requester of the pending-acceptance VPC peering connection {pcx_id}; CIDR blocks cannot be added until it is accepted or rejected.")]
    PendingBlocksCidr {
        /// The VPC.
        vpc_id: String,
        /// The connection.
        pcx_id: String,
    },
}

impl PeeringError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        use PeeringError::*;
        match self {
            InvalidStateTransition { .. } => "InvalidStateTransition",
            NotAccepter { .. }
            | WrongRegion { .. }
            | NotRequester { .. }
            | NotActive(_)
            | OptionsNotPermitted { .. }
            | ClassicLinkCrossRegion
            | PendingBlocksCidr { .. } => "OperationNotPermitted",
            DnsHostnamesDisabled => "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
            AlreadyExists(_) => "VpcPeeringConnectionAlreadyExists",
        }
    }
}
