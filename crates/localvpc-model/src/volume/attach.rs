//! AttachVolume and DetachVolume, and what TerminateInstances does to an instance's volumes: those marked
//! DeleteOnTermination go with it, the others are detached and become `available`. ModifyInstanceAttribute changes
//! that mark through [`set_delete_on_termination`].

use std::sync::Arc;

use super::{attached_to, find, Volume, VolumeAttachment};
use crate::instance::{self, InstanceState};
use crate::world::{Scope, Tx};
use crate::{Ec2Error, Result, VolumeError};

/// AttachVolume parameters.
#[derive(Debug, Clone)]
pub struct AttachVolume {
    /// `VolumeId`.
    pub volume_id: String,
    /// `InstanceId`.
    pub instance_id: String,
    /// `Device`.
    pub device: String,
}

/// Device names AWS accepts for EBS volumes on Linux: `/dev/sd[a-z]`, `/dev/xvd[a-z]` with an optional second
/// letter or a partition digit (`/dev/sda1`, `/dev/xvdba`), and the `xvd`/`sd` forms without `/dev/`
/// (Windows instances use `xvdf`).
pub(super) fn valid_device(device: &str) -> bool {
    let name = device.strip_prefix("/dev/").unwrap_or(device);
    let Some(rest) = name.strip_prefix("xvd").or_else(|| name.strip_prefix("sd")) else {
        return false;
    };
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = &rest[letters..];
    (1..=2).contains(&letters) && digits.bytes().all(|byte| byte.is_ascii_digit()) && digits.len() <= 2
}

/// The device name of every volume attached to the instance, with the volume.
pub(super) fn device_in_use(tx: &Tx, scope: &Scope, instance_id: &str, device: &str) -> bool {
    attached_to(tx.region(scope), instance_id)
        .any(|volume| volume.attachment.as_ref().is_some_and(|a| a.device == device))
}

/// AttachVolume: same zone, a free device name, a volume attached nowhere, an instance that is not terminated.
pub fn attach_volume(tx: &mut Tx, scope: &Scope, request: AttachVolume) -> Result<Arc<Volume>> {
    let region = tx.region(scope);
    let volume = find(region, &request.volume_id)?;
    let instance = instance::find(region, &request.instance_id)?;
    if !valid_device(&request.device) {
        return Err(VolumeError::InvalidDeviceName(request.device.clone()).into());
    }
    if matches!(instance.state, InstanceState::Terminated | InstanceState::ShuttingDown) {
        return Err(Ec2Error::InstanceNotInValidState(instance.id.clone()));
    }
    if volume.attachment.is_some() {
        return Err(VolumeError::VolumeAlreadyAttached(volume.id.clone()).into());
    }
    if volume.availability_zone != instance.availability_zone {
        return Err(
            VolumeError::VolumeZoneMismatch { volume_id: volume.id.clone(), instance_id: instance.id.clone() }.into()
        );
    }
    if device_in_use(tx, scope, &instance.id, &request.device) {
        return Err(VolumeError::DeviceInUse(request.device.clone()).into());
    }
    let attachment = VolumeAttachment {
        instance_id: instance.id.clone(),
        device: request.device.clone(),
        attach_time: tx.now(),
        // A volume attached after launch is kept when the instance goes (EC2 User Guide, "Preserve data when an
        // instance is terminated").
        delete_on_termination: false,
    };
    tx.update::<Volume>(scope, &volume.id, |volume| volume.attachment = Some(attachment));
    find(tx.region(scope), &volume.id)
}

/// DetachVolume parameters.
#[derive(Debug, Clone, Default)]
pub struct DetachVolume {
    /// `VolumeId`.
    pub volume_id: String,
    /// `InstanceId`: if given, the volume must be attached to it.
    pub instance_id: Option<String>,
    /// `Device`: if given, the volume must be attached there.
    pub device: Option<String>,
    /// `Force` (changes nothing here: there is no guest to wait for).
    pub force: bool,
}

/// DetachVolume: answers the attachment as it was; the volume is `available` afterwards.
pub fn detach_volume(tx: &mut Tx, scope: &Scope, request: DetachVolume) -> Result<(Arc<Volume>, VolumeAttachment)> {
    let region = tx.region(scope);
    let volume = find(region, &request.volume_id)?;
    if let Some(instance_id) = &request.instance_id {
        instance::find(region, instance_id)?;
    }
    let attachment = match (&volume.attachment, &request.instance_id) {
        (Some(attachment), Some(instance_id)) if *instance_id != attachment.instance_id => {
            return Err(VolumeError::VolumeAttachmentNotFound {
                volume_id: volume.id.clone(),
                instance_id: instance_id.clone(),
            }
            .into())
        }
        (None, Some(instance_id)) => {
            return Err(VolumeError::VolumeAttachmentNotFound {
                volume_id: volume.id.clone(),
                instance_id: instance_id.clone(),
            }
            .into())
        }
        (None, None) => return Err(VolumeError::VolumeNotAttached(volume.id.clone()).into()),
        (Some(attachment), _) => attachment.clone(),
    };
    if let Some(device) = request.device.as_ref().filter(|device| **device != attachment.device) {
        return Err(VolumeError::NotAttachedAsDevice {
            volume_id: volume.id.clone(),
            instance_id: attachment.instance_id.clone(),
            device: device.clone(),
        }
        .into());
    }
    // EC2 User Guide, "Detach an Amazon EBS volume": the root volume of a running instance cannot be detached;
    // `Force` does not change that. A stopped instance's root volume can be.
    let instance = instance::find(region, &attachment.instance_id)?;
    if instance.root_device_name() == attachment.device && instance.state != InstanceState::Stopped {
        return Err(VolumeError::CannotDetachRootVolume {
            volume_id: volume.id.clone(),
            instance_id: instance.id.clone(),
        }
        .into());
    }
    tx.update::<Volume>(scope, &volume.id, |volume| volume.attachment = None);
    Ok((volume, attachment))
}

/// TerminateInstances: the instance's volumes marked DeleteOnTermination are deleted, the others detached.
pub fn release_for_instance(tx: &mut Tx, scope: &Scope, instance_id: &str) {
    let volumes: Vec<Arc<Volume>> = attached_to(tx.region(scope), instance_id).cloned().collect();
    for volume in volumes {
        if volume.attachment.as_ref().is_some_and(|attachment| attachment.delete_on_termination) {
            tx.remove::<Volume>(scope, &volume.id);
        } else {
            tx.update::<Volume>(scope, &volume.id, |volume| volume.attachment = None);
        }
    }
}

/// ModifyInstanceAttribute `BlockDeviceMapping.N`: the `DeleteOnTermination` of the volume attached at `device`
/// (EC2 User Guide, "Preserve data when an instance is terminated": it changes on a running or stopped instance).
pub fn set_delete_on_termination(
    tx: &mut Tx,
    scope: &Scope,
    instance_id: &str,
    device: &str,
    delete_on_termination: bool,
) -> Result<()> {
    let volume = attached_to(tx.region(scope), instance_id)
        .find(|volume| volume.attachment.as_ref().is_some_and(|attachment| attachment.device == device))
        .cloned()
        .ok_or_else(|| VolumeError::DeviceNotMapped(device.to_string()))?;
    tx.update::<Volume>(scope, &volume.id, |volume| {
        if let Some(attachment) = &mut volume.attachment {
            attachment.delete_on_termination = delete_on_termination;
        }
    });
    Ok(())
}
