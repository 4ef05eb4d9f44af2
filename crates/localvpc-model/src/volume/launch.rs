//! The volumes RunInstances creates: the root volume every instance boots from, shaped by the image and by a
//! `BlockDeviceMapping.N` naming the root device, and one volume per further EBS mapping. They are created
//! attached, DeleteOnTermination true unless the mapping says otherwise (EC2 User Guide, "Block device mappings").

use super::{check_shape, insert, Shape, VolumeAttachment, VolumeSpec};
use crate::tags::{Tag, Tags};
use crate::world::{Scope, Tx};
use crate::{Result, VolumeError};

/// `BlockDeviceMapping.N.Ebs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EbsBlockDevice {
    /// The volume's shape (`VolumeSize`, `VolumeType`, `Iops`, `Throughput`, `Encrypted`, `KmsKeyId`,
    /// `SnapshotId`).
    pub spec: VolumeSpec,
    /// `DeleteOnTermination` (default true).
    pub delete_on_termination: Option<bool>,
}

/// `BlockDeviceMapping.N` of RunInstances.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockDeviceMapping {
    /// `DeviceName`.
    pub device_name: String,
    /// `Ebs`.
    pub ebs: Option<EbsBlockDevice>,
    /// `NoDevice`: suppresses the image's mapping of that device.
    pub no_device: bool,
    /// `VirtualName` (`ephemeralN`: instance store, which holds no EBS volume).
    pub virtual_name: Option<String>,
}

/// The root device name of an image.
// ASSUMPTION (spec part 2, images [I]): without an image catalog, every image boots from `/dev/xvda`, the root
// device of Amazon Linux images (Ubuntu and Debian images use `/dev/sda1`); the catalog decides once it knows the
// image.
pub fn root_device_name(_image_id: &str) -> &'static str {
    "/dev/xvda"
}

/// The size of an image's root snapshot in GiB, which is also the smallest root volume it can boot.
// ASSUMPTION (spec part 2, images [I]): 8 GiB, the root snapshot of Amazon Linux images, for every image; its
// volume type gp2, what EC2 defaults to when a mapping names none.
const IMAGE_ROOT_SIZE: i64 = 8;

/// One volume each launched instance gets.
#[derive(Debug, Clone)]
pub struct PlannedVolume {
    device: String,
    shape: Shape,
    delete_on_termination: bool,
}

/// Checks the mappings of a RunInstances request once, before any instance is launched, and plans the volumes
/// each instance gets: the root first, then the other EBS mappings in request order.
pub fn plan(scope: &Scope, image_id: &str, mappings: &[BlockDeviceMapping]) -> Result<Vec<PlannedVolume>> {
    let root = root_device_name(image_id);
    let mut seen: Vec<&str> = Vec::new();
    for mapping in mappings {
        if seen.contains(&mapping.device_name.as_str()) {
            return Err(VolumeError::InvalidBlockDeviceMapping(format!(
                "The device '{}' is used in more than one block-device mapping",
                mapping.device_name
            ))
            .into());
        }
        seen.push(&mapping.device_name);
    }
    let root_mapping = mappings.iter().find(|mapping| mapping.device_name == root);
    if root_mapping.is_some_and(|mapping| mapping.no_device) {
        return Err(
            VolumeError::InvalidBlockDeviceMapping(format!("The root device {root} cannot be suppressed")).into()
        );
    }
    let root_ebs = root_mapping.and_then(|mapping| mapping.ebs.clone()).unwrap_or_default();
    let mut root_spec = root_ebs.spec.clone();
    let size = root_spec.size.get_or_insert(IMAGE_ROOT_SIZE);
    if *size < IMAGE_ROOT_SIZE {
        return Err(VolumeError::InvalidBlockDeviceMapping(format!(
            "Volume of size {size}GB is smaller than the image's root snapshot, expect size >= {IMAGE_ROOT_SIZE}GB"
        ))
        .into());
    }
    let mut planned = vec![PlannedVolume {
        device: root.to_string(),
        shape: check_shape(scope, &root_spec)?,
        delete_on_termination: root_ebs.delete_on_termination.unwrap_or(true),
    }];
    for mapping in mappings.iter().filter(|mapping| mapping.device_name != root && !mapping.no_device) {
        let Some(ebs) = &mapping.ebs else { continue };
        if !super::attach::valid_device(&mapping.device_name) {
            return Err(VolumeError::InvalidDeviceName(mapping.device_name.clone()).into());
        }
        planned.push(PlannedVolume {
            device: mapping.device_name.clone(),
            shape: check_shape(scope, &ebs.spec)?,
            delete_on_termination: ebs.delete_on_termination.unwrap_or(true),
        });
    }
    Ok(planned)
}

/// Creates the planned volumes of one launched instance, attached to it in its zone, with the launch's `volume`
/// tags.
pub fn create_for_instance(
    tx: &mut Tx,
    scope: &Scope,
    instance_id: &str,
    zone: (&str, &str),
    planned: &[PlannedVolume],
    tags: &[Tag],
) {
    for volume in planned {
        let attachment = VolumeAttachment {
            instance_id: instance_id.to_string(),
            device: volume.device.clone(),
            attach_time: tx.now(),
            delete_on_termination: volume.delete_on_termination,
        };
        let shape = volume.shape.clone();
        insert(tx, scope, shape, (zone.0.to_string(), zone.1.to_string()), Some(attachment), Tags(tags.to_vec()));
    }
}
