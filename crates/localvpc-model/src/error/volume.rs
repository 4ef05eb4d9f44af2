//! The refusals of the EBS volume actions (EC2 API reference: CreateVolume, AttachVolume, DetachVolume,
//! DeleteVolume, ModifyVolume; RunInstances block device mappings): one family of [`super::Ec2Error`], kept in its
//! own enum so the error table stays readable. Each variant's message is its `#[error]` text; [`VolumeError::code`]
//! gives AWS's code (the HTTP status is 400 for all).

use thiserror::Error;

/// A volume action's refusal; reaches the client as `Ec2Error::Volume`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VolumeError {
    /// Unknown volume ID(s) [O: AWS's answer "The volume 'vol-…' does not exist."].
    #[error("The volume '{}' does not exist.", .0.join("', '"))]
    VolumeNotFound(Vec<String>),
    /// A `SnapshotId` (snapshots are not modelled, so none exists).
    #[error("The snapshot '{0}' does not exist.")]
    SnapshotNotFound(String),
    /// A zone the region does not have.
    #[error("The zone '{0}' does not exist.")]
    ZoneNotFound(String),
    /// A `VolumeType` that is not one of EBS's.
    #[error("Value ({0}) for parameter volumeType is invalid. Valid volume types are: standard, io1, io2, gp2, sc1, st1, gp3")]
    InvalidVolumeType(String),
    /// A size below the type's minimum.
    #[error("Volume of {size}GiB is too small for volume type {volume_type}; minimum is {min}GiB")]
    VolumeTooSmall {
        /// `Size`.
        size: i64,
        /// The type.
        volume_type: &'static str,
        /// The minimum.
        min: i64,
    },
    /// A size above the type's maximum.
    #[error("Volume of {size}GiB is too large for volume type {volume_type}; maximum is {max}GiB")]
    VolumeTooLarge {
        /// `Size`.
        size: i64,
        /// The type.
        volume_type: &'static str,
        /// The maximum.
        max: i64,
    },
    /// `Iops` for a type whose IOPS follow from its size.
    #[error("The parameter iops is not supported for {0} volumes.")]
    IopsNotSupported(&'static str),
    /// `Iops` below the type's minimum.
    #[error("Volume iops of {iops} is too low; minimum is {min}.")]
    IopsTooLow {
        /// `Iops`.
        iops: i64,
        /// The minimum.
        min: i64,
    },
    /// `Iops` above the type's maximum.
    #[error("Volume iops of {iops} is too high; maximum is {max}.")]
    IopsTooHigh {
        /// `Iops`.
        iops: i64,
        /// The maximum.
        max: i64,
    },
    /// More IOPS per GiB than the type allows.
    #[error("Iops to volume size ratio of {:.6} is too high; maximum is {max}.000000", *.iops as f64 / *.size as f64)]
    IopsRatioTooHigh {
        /// `Iops`.
        iops: i64,
        /// `Size`.
        size: i64,
        /// The type's maximum per GiB.
        max: i64,
    },
    /// `Throughput` for a type other than gp3. ASSUMPTION (code as moto answers it; text [I]).
    #[error("The parameter Throughput is only supported for gp3 volumes, not for {0} volumes.")]
    ThroughputNotSupported(&'static str),
    /// gp3 throughput outside 125–1,000 MiB/s. ASSUMPTION (text [I]).
    #[error("Volume throughput of {0} MiB/s is out of range; the range is 125 to 1000 MiB/s.")]
    ThroughputOutOfRange(i64),
    /// gp3 throughput above 0.25 MiB/s per provisioned IOPS. ASSUMPTION (text [I]).
    #[error("Throughput of {throughput} MiB/s is too high for {iops} iops; the maximum ratio is 0.25 MiB/s per iops.")]
    ThroughputRatioTooHigh {
        /// `Throughput`.
        throughput: i64,
        /// The IOPS it is measured against.
        iops: i64,
    },
    /// `MultiAttachEnabled` for a type other than io1 and io2. ASSUMPTION (text [I]; code as moto answers it).
    #[error("The parameter MultiAttachEnabled is only supported for io1 and io2 volumes, not for {0} volumes.")]
    MultiAttachNotSupported(&'static str),
    /// `KmsKeyId` without `Encrypted=true`.
    #[error("The parameter KmsKeyId requires the parameter Encrypted to be set.")]
    KmsKeyWithoutEncryption,
    /// ModifyVolume to a smaller size.
    #[error("New size cannot be smaller than existing size")]
    VolumeSizeDecrease,
    /// A device name that is not an EBS device name.
    #[error("Value ({0}) for parameter device is invalid. {0} is not a valid EBS device name.")]
    InvalidDeviceName(String),
    /// AttachVolume to a device name the instance already uses.
    #[error("Invalid value '{0}' for unixDevice. Attachment point {0} is already in use")]
    DeviceInUse(String),
    /// AttachVolume of a volume attached already.
    #[error("{0} is already attached to an instance")]
    VolumeAlreadyAttached(String),
    /// AttachVolume across zones.
    #[error("The volume '{volume_id}' is not in the same availability zone as instance '{instance_id}'")]
    VolumeZoneMismatch {
        /// The volume.
        volume_id: String,
        /// The instance.
        instance_id: String,
    },
    /// DetachVolume of a volume that is not attached.
    #[error("Volume '{0}' is in the 'available' state.")]
    VolumeNotAttached(String),
    /// DetachVolume naming an instance or device the volume is not attached to. ASSUMPTION (text [I]).
    #[error("The volume '{volume_id}' is not attached to instance '{instance_id}' at the device named.")]
    VolumeAttachmentNotFound {
        /// The volume.
        volume_id: String,
        /// The instance named (or the one the volume is attached to, when the device differs).
        instance_id: String,
    },
    /// DetachVolume naming a `Device` the volume is not attached at. ASSUMPTION (text as moto answers it [M]).
    #[error("The volume {volume_id} is not attached to instance {instance_id} as device {device}")]
    NotAttachedAsDevice {
        /// The volume.
        volume_id: String,
        /// The instance it is attached to.
        instance_id: String,
        /// The device named.
        device: String,
    },
    /// ModifyInstanceAttribute `BlockDeviceMapping.N` naming a device the instance has no volume at.
    /// ASSUMPTION (code and text [I]: AWS's attribute refusal).
    #[error("No device named {0} is mapped to the specified instance.")]
    DeviceNotMapped(String),
    /// A block device mapping whose `NoDevice` is not the empty string (aws/aws-sdk-ruby#1472: AWS's answer to
    /// `NoDevice=/dev/sdc`).
    #[error("The request received was invalid.")]
    InvalidNoDevice,
    /// DetachVolume of a running instance's root volume.
    #[error("Unable to detach root volume '{volume_id}' from instance '{instance_id}'")]
    CannotDetachRootVolume {
        /// The volume.
        volume_id: String,
        /// The instance.
        instance_id: String,
    },
    /// DeleteVolume of an attached volume [O: moto's copy of AWS's text].
    #[error("Volume {volume_id} is currently attached to {instance_id}")]
    VolumeAttachedCannotDelete {
        /// The volume.
        volume_id: String,
        /// The instance.
        instance_id: String,
    },
    /// RunInstances with a block device mapping AWS refuses; the message says why.
    #[error("{0}")]
    InvalidBlockDeviceMapping(String),
}

impl VolumeError {
    /// AWS's code for this refusal.
    pub fn code(&self) -> &'static str {
        use VolumeError::*;
        match self {
            VolumeNotFound(_) => "InvalidVolume.NotFound",
            SnapshotNotFound(_) => "InvalidSnapshot.NotFound",
            ZoneNotFound(_) => "InvalidZone.NotFound",
            InvalidVolumeType(_)
            | VolumeTooSmall { .. }
            | VolumeTooLarge { .. }
            | IopsTooLow { .. }
            | IopsTooHigh { .. }
            | IopsRatioTooHigh { .. }
            | ThroughputOutOfRange(_)
            | ThroughputRatioTooHigh { .. }
            | VolumeSizeDecrease
            | InvalidDeviceName(_)
            | DeviceInUse(_) => "InvalidParameterValue",
            IopsNotSupported(_) => "InvalidParameterCombination",
            ThroughputNotSupported(_) | MultiAttachNotSupported(_) | KmsKeyWithoutEncryption => {
                "InvalidParameterDependency"
            }
            VolumeAlreadyAttached(_) | VolumeAttachedCannotDelete { .. } => "VolumeInUse",
            VolumeZoneMismatch { .. } => "InvalidVolume.ZoneMismatch",
            VolumeNotAttached(_) => "IncorrectState",
            VolumeAttachmentNotFound { .. } | NotAttachedAsDevice { .. } => "InvalidAttachment.NotFound",
            DeviceNotMapped(_) => "InvalidInstanceAttributeValue",
            InvalidNoDevice => "InvalidRequest",
            CannotDetachRootVolume { .. } => "OperationNotPermitted",
            InvalidBlockDeviceMapping(_) => "InvalidBlockDeviceMapping",
        }
    }
}
