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
}

impl NetworkInterfaceError {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        match self {
            NetworkInterfaceError::InUse(_) => "InvalidNetworkInterface.InUse",
            NetworkInterfaceError::AttachmentNotFound(_) => "InvalidAttachmentID.NotFound",
        }
    }
}
