//! The volumes RunInstances creates: the root volume every instance boots from, shaped by the image and by a
//! `BlockDeviceMapping.N` naming the root device, and one volume per further EBS mapping. They are created
//! attached, DeleteOnTermination true unless the mapping says otherwise (EC2 User Guide, "Block device mappings").

use super::{check_shape, insert, Shape, VolumeAttachment, VolumeSpec};
use crate::image;
use crate::tags::{Tag, Tags};
use crate::world::{Scope, Tx};
use crate::{Ec2Error, Result, VolumeError};

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
    /// `NoDevice`: present (as the empty string, the only value AWS takes) to suppress the image's mapping of that
    /// device.
    pub no_device: Option<String>,
    /// `VirtualName` (`ephemeralN`: instance store, which holds no EBS volume).
    pub virtual_name: Option<String>,
}

/// The root device of an image localvpc's catalog does not hold.
// ASSUMPTION (spec part 2, images [I]): RunInstances accepts any well-formed `ami-…`; one outside the catalog boots
// from `/dev/xvda`, the root device of Amazon Linux images (Ubuntu, Windows and RHEL images use `/dev/sda1`).
const UNKNOWN_IMAGE_ROOT_DEVICE: &str = "/dev/xvda";

/// The size of an unknown image's root snapshot in GiB, which is also the smallest root volume it can boot.
// ASSUMPTION (spec part 2, images [I]): 8 GiB, the root snapshot of Amazon Linux images; its volume type gp2, what
// EC2 defaults to when a mapping names none.
const UNKNOWN_IMAGE_ROOT_SIZE: i64 = 8;

/// The root device name of an image outside the catalog, for instances stored before their root device was.
pub fn root_device_name(_image_id: &str) -> &'static str {
    UNKNOWN_IMAGE_ROOT_DEVICE
}

/// The root device of `image_id` in `region`: the catalog image's own (spec part 2 §10.1: `/dev/xvda` for Amazon
/// Linux and Debian, `/dev/sda1` for Ubuntu and Windows), else the unknown image's.
pub fn image_root_device(region: &str, image_id: &str) -> &'static str {
    image_root(region, image_id).0
}

/// An image's root device, the volume its root snapshot makes, and that snapshot's ID.
fn image_root(region: &str, image_id: &str) -> (&'static str, VolumeSpec, String) {
    match image::catalog(region).into_iter().find(|image| image.id == image_id) {
        Some(image) => {
            let root = image.root_volume;
            let spec = VolumeSpec {
                size: Some(i64::from(root.size)),
                volume_type: Some(root.volume_type.to_string()),
                iops: root.iops.map(i64::from),
                throughput: root.throughput.map(i64::from),
                ..Default::default()
            };
            (image.root_device_name, spec, image.snapshot_id)
        }
        None => (
            UNKNOWN_IMAGE_ROOT_DEVICE,
            VolumeSpec { size: Some(UNKNOWN_IMAGE_ROOT_SIZE), ..Default::default() },
            String::new(),
        ),
    }
}

/// The root volume's spec: the mapping's values over the image's. A mapping that changes the volume type drops
/// the image's IOPS and throughput, which belong to its type. A mapping may name the image's own root snapshot;
/// any other snapshot is kept, for the shape check to refuse (snapshots are not modelled).
fn root_spec(image: VolumeSpec, image_snapshot: &str, mapping: &VolumeSpec) -> VolumeSpec {
    let keeps_type = mapping.volume_type.is_none() || mapping.volume_type == image.volume_type;
    let inherited = |value: Option<i64>| if keeps_type { value } else { None };
    VolumeSpec {
        size: mapping.size.or(image.size),
        snapshot_id: mapping.snapshot_id.clone().filter(|snapshot_id| snapshot_id != image_snapshot),
        volume_type: mapping.volume_type.clone().or(image.volume_type),
        iops: mapping.iops.or(inherited(image.iops)),
        throughput: mapping.throughput.or(inherited(image.throughput)),
        encrypted: mapping.encrypted,
        kms_key_id: mapping.kms_key_id.clone(),
        multi_attach_enabled: mapping.multi_attach_enabled,
    }
}

/// The rules every mapping follows whatever device it names.
fn check_mapping(mapping: &BlockDeviceMapping) -> Result<()> {
    // The only value `NoDevice` takes is the empty string; any other is refused as malformed (aws/aws-sdk-ruby#1472:
    // `no_device = '/dev/sdc'` answers InvalidRequest "The request received was invalid.").
    if mapping.no_device.as_deref().is_some_and(|value| !value.is_empty()) {
        return Err(VolumeError::InvalidNoDevice.into());
    }
    // A mapping is an EBS volume, an instance store volume (`VirtualName`) or a suppression (`NoDevice`).
    // ASSUMPTION (text as moto answers it [M]): the parameter AWS names is `ebs`.
    if mapping.ebs.is_none() && mapping.no_device.is_none() && mapping.virtual_name.is_none() {
        return Err(Ec2Error::MissingParameter("ebs".into()));
    }
    Ok(())
}

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
    let (root, image_spec, image_snapshot) = image_root(&scope.region, image_id);
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
        check_mapping(mapping)?;
    }
    let root_mapping = mappings.iter().find(|mapping| mapping.device_name == root);
    if root_mapping.is_some_and(|mapping| mapping.no_device.is_some()) {
        return Err(
            VolumeError::InvalidBlockDeviceMapping(format!("The root device {root} cannot be suppressed")).into()
        );
    }
    let root_ebs = root_mapping.and_then(|mapping| mapping.ebs.clone()).unwrap_or_default();
    let image_size = image_spec.size.unwrap_or(UNKNOWN_IMAGE_ROOT_SIZE);
    let root_spec = root_spec(image_spec, &image_snapshot, &root_ebs.spec);
    let size = root_spec.size.unwrap_or(image_size);
    if size < image_size {
        return Err(VolumeError::InvalidBlockDeviceMapping(format!(
            "Volume of size {size}GB is smaller than the image's root snapshot, expect size >= {image_size}GB"
        ))
        .into());
    }
    // The root volume is made from the image's root snapshot, which its `snapshotId` shows.
    let root_shape = Shape { snapshot_id: image_snapshot, ..check_shape(scope, &root_spec)? };
    let mut planned = vec![PlannedVolume {
        device: root.to_string(),
        shape: root_shape,
        delete_on_termination: root_ebs.delete_on_termination.unwrap_or(true),
    }];
    for mapping in mappings.iter().filter(|mapping| mapping.device_name != root && mapping.no_device.is_none()) {
        let Some(ebs) = &mapping.ebs else { continue };
        if !super::attach::valid_device(&mapping.device_name) {
            return Err(VolumeError::InvalidDeviceName(mapping.device_name.clone()).into());
        }
        // A volume other than the root is sized by the mapping or by its snapshot. ASSUMPTION (text as moto
        // answers it [M]); CreateVolume words the same refusal `size/snapshot`.
        if ebs.spec.size.is_none() && ebs.spec.snapshot_id.is_none() {
            return Err(Ec2Error::MissingParameter("size or snapshotId".into()));
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
