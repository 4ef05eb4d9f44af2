//! The refusals of the Elastic IP actions that only they give (spec §2.10: AllocateAddress, AssociateAddress,
//! DisassociateAddress, ReleaseAddress): one family of [`super::Ec2Error`], kept in its own enum so the error table
//! stays readable. Each variant's message is its `#[error]` text; [`AddressError::code`] gives AWS's code (the HTTP
//! status is 400 for all).

use thiserror::Error;

/// An Elastic IP action's refusal; reaches the client as `Ec2Error::Address`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    /// §2.10 [O]: AssociateAddress in a VPC with no internet gateway.
    #[error("Network {0} is not attached to any internet gateway")]
    VpcHasNoInternetGateway(String),
    /// §2.10 [D]: AssociateAddress with `AllowReassociation=false` for an Elastic IP associated elsewhere.
    #[error("resource {allocation_id} is already associated with associate-id {association_id}")]
    AlreadyAssociated {
        /// The Elastic IP.
        allocation_id: String,
        /// Its current association.
        association_id: String,
    },
    /// §2.10 [O: cloudfoundry/bosh-aws-cpi-release#52, aws-sdk log of 2017]: AssociateAddress naming the Elastic IP
    /// by `PublicIp` alone; every address is a VPC address since EC2-Classic's retirement.
    #[error("You must specify an allocation id when mapping an address to a VPC instance")]
    AllocationIdRequiredToAssociate,
    /// §2.10 [O: mitchellh/vagrant-aws#530 and #540, NixOS/nixops#678]: DisassociateAddress by `PublicIp`.
    #[error("You must specify an association id when unmapping an address from a VPC instance")]
    AssociationIdRequiredToDisassociate,
    /// §2.10 [O: boto/boto#2727, NixOS/nixops#852, fog/fog#879]: ReleaseAddress by `PublicIp`.
    #[error("You must specify an allocation id when releasing a VPC elastic IP address")]
    AllocationIdRequiredToRelease,
    /// §2.10 [O: fog/fog#879]: ReleaseAddress with both `PublicIp` and `AllocationId`.
    #[error("You may specify public IP or allocation id, but not both in the same call")]
    PublicIpAndAllocationId,
    /// §2.10: AllocateAddress `Address` (recovery) naming an address that is not free to allocate.
    /// ASSUMPTION [O, weak: Eucalyptus's EC2 clone, Corymbia/eucalyptus#212]: its code and text.
    #[error("The requested IP address does not exist or is unavailable")]
    NotAvailable,
    /// Every address of the public pool (198.18.0.0/15) is taken.
    #[error("There is not enough capacity to fulfill your public IPv4 address request.")]
    InsufficientCapacity,
}

impl AddressError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        match self {
            AddressError::VpcHasNoInternetGateway(_) => "Gateway.NotAttached",
            AddressError::AlreadyAssociated { .. } => "Resource.AlreadyAssociated",
            AddressError::InsufficientCapacity => "InsufficientAddressCapacity",
            AddressError::AllocationIdRequiredToAssociate | AddressError::PublicIpAndAllocationId => {
                "InvalidParameterCombination"
            }
            AddressError::AssociationIdRequiredToDisassociate | AddressError::AllocationIdRequiredToRelease => {
                "InvalidParameterValue"
            }
            AddressError::NotAvailable => "InvalidAddressID.NotFound",
        }
    }
}
