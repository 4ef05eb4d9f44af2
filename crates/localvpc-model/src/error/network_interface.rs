//! The refusals of the network interface actions that only they give (spec part 2 §11: CreateNetworkInterface,
//! DeleteNetworkInterface, ModifyNetworkInterfaceAttribute): one family of [`super::Ec2Error`], kept in its own enum
//! so the error table stays readable. Each variant's message is its `#[error]` text; [`NetworkInterfaceError::code`]
//! gives AWS's code (the HTTP status is 400 for all).

use thiserror::Error;

/// A network interface action's refusal; reaches the client as `Ec2Error::NetworkInterface`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NetworkInterfaceError {
    /// §11.1: DeleteNetworkInterface of an attached interface. ASSUMPTION (spec §11.1 [I]): the exact text is
    /// unverified; the spec's chosen wording.
    #[error("The network interface '{0}' is currently in use.")]
    InUse(String),
    /// §11.2/§11.3: an attachment ID that names no attachment (of this interface).
    #[error("The attachment ID '{0}' does not exist")]
    AttachmentNotFound(String),
    /// §11.2 [O hashicorp/terraform-provider-aws#27513]: AttachNetworkInterface of an interface already attached.
    #[error("Interface: [{0}] in use.")]
    AlreadyAttached(String),
    /// §11.2 [O]: the interface and the instance are in two zones.
    #[error("You may not attach a network interface to an instance if they are not in the same availability zone")]
    ZoneMismatch,
    /// §11.2 [I]: an interface of another VPC than the instance's. ASSUMPTION: AWS allows some multi-VPC
    /// attachments since 2023; localvpc refuses them (a documented divergence, spec §11.2).
    #[error("The network interface '{interface_id}' and the instance '{instance_id}' are in different VPCs.")]
    VpcMismatch {
        /// The interface.
        interface_id: String,
        /// The instance.
        instance_id: String,
    },
    /// §11.2 [O]: the device index is taken.
    #[error("Instance '{instance_id}' already has an interface attached at device index '{device_index}'.")]
    DeviceIndexInUse {
        /// The instance.
        instance_id: String,
        /// The index.
        device_index: u32,
    },
    /// §11.2 [O cilium/cilium#15877]: more interfaces than the instance type holds.
    #[error("Interface count {count} exceeds the limit for {instance_type}")]
    AttachmentLimitExceeded {
        /// The count the attachment would make.
        count: usize,
        /// The instance type.
        instance_type: String,
    },
    /// §11.4 [I]: more private addresses than the instance type allows per interface. ASSUMPTION: text [I].
    #[error("Number of private addresses will exceed limit.")]
    PrivateAddressLimitExceeded,
    /// §11.4 [O moto's AWS-verified wording]: UnassignPrivateIpAddresses of an address the interface does not
    /// hold as a secondary one.
    #[error("Some of the specified addresses are not assigned to interface {0}")]
    AddressNotAssigned(String),
    /// §11.2 [O]: DetachNetworkInterface of the primary interface.
    #[error("The network interface at device index 0 cannot be detached.")]
    PrimaryCannotBeDetached,
    /// Part 2 §11.2 [O tf-provider-aws code comment]: DetachNetworkInterface of a service's `ela-attach-`
    /// attachment.
    #[error("You are not allowed to manage 'ela-attach' attachments.")]
    ServiceAttachment,
    /// Part 2 §11.3/§11.5 [D]: a change other than tags to an interface a service holds. ASSUMPTION (code and text
    /// [I]): `OperationNotPermitted`, naming the holder.
    #[error("The network interface {interface_id} is managed by {holder}; only its tags can be changed.")]
    ManagedByService {
        /// The interface.
        interface_id: String,
        /// The resource holding it.
        holder: String,
    },
}

impl NetworkInterfaceError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        match self {
            NetworkInterfaceError::InUse(_) => "InvalidNetworkInterface.InUse",
            NetworkInterfaceError::AttachmentNotFound(_) => "InvalidAttachmentID.NotFound",
            NetworkInterfaceError::AlreadyAttached(_) => "InvalidNetworkInterface.InUse",
            NetworkInterfaceError::ZoneMismatch => "InvalidParameterCombination",
            NetworkInterfaceError::VpcMismatch { .. } | NetworkInterfaceError::DeviceIndexInUse { .. } => {
                "InvalidParameterValue"
            }
            NetworkInterfaceError::AttachmentLimitExceeded { .. } => "AttachmentLimitExceeded",
            NetworkInterfaceError::PrimaryCannotBeDetached
            | NetworkInterfaceError::ServiceAttachment
            | NetworkInterfaceError::ManagedByService { .. } => "OperationNotPermitted",
            NetworkInterfaceError::PrivateAddressLimitExceeded => "PrivateIpAddressLimitExceeded",
            NetworkInterfaceError::AddressNotAssigned(_) => "InvalidParameterValue",
        }
    }
}
