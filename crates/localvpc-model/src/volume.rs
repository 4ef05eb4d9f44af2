//! EBS volumes (`vol-…`): CreateVolume with AWS's per-type size, IOPS and throughput limits, DescribeVolumes'
//! filters, ModifyVolume and DeleteVolume. Attaching and detaching (and what TerminateInstances does to volumes)
//! are in `volume/attach.rs`; the volumes RunInstances creates from an instance's block device mappings are in
//! `volume/launch.rs`.
//!
//! A volume holds no data: what matters to tools is its shape (size, type, zone, encryption) and its attachment,
//! which an instance's `blockDeviceMapping` shows. Snapshots are not modelled: a `SnapshotId` names none, so it is
//! `InvalidSnapshot.NotFound`. Volumes are created `available` at once (AWS shows `creating` for a moment, which
//! no waiter depends on).

mod attach;
mod launch;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use attach::set_delete_on_termination;
pub use attach::{attach_volume, detach_volume, release_for_instance, AttachVolume, DetachVolume};
pub use launch::{
    create_for_instance, image_root_device, plan, root_device_name, BlockDeviceMapping, EbsBlockDevice, PlannedVolume,
};

use crate::availability_zone::zones;
use crate::filter::Filterable;
use crate::ids::IdKind;
use crate::index::Indexes;
use crate::tags::{Tag, Tags};
use crate::world::{RegionState, Resource, Scope, Table, Timestamp, Tx};
use crate::{Ec2Error, Result, VolumeError};

/// The EBS volume types and their limits (AWS EBS User Guide, "Amazon EBS volume types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VolumeType {
    /// General Purpose SSD, 3 IOPS per GiB (100–16,000); AWS's default for CreateVolume.
    Gp2,
    /// General Purpose SSD, 3,000–16,000 IOPS and 125–1,000 MiB/s set apart from size.
    Gp3,
    /// Provisioned IOPS SSD, 100–64,000 IOPS at most 50 per GiB.
    Io1,
    /// Provisioned IOPS SSD, 100–256,000 IOPS at most 1,000 per GiB.
    Io2,
    /// Throughput Optimized HDD.
    St1,
    /// Cold HDD.
    Sc1,
    /// Magnetic (previous generation).
    Standard,
}

/// Every type, in the order AWS lists them in its error message.
const ALL_TYPES: [VolumeType; 7] = [
    VolumeType::Standard,
    VolumeType::Io1,
    VolumeType::Io2,
    VolumeType::Gp2,
    VolumeType::Sc1,
    VolumeType::St1,
    VolumeType::Gp3,
];

impl VolumeType {
    /// The name AWS uses.
    pub fn name(self) -> &'static str {
        match self {
            VolumeType::Gp2 => "gp2",
            VolumeType::Gp3 => "gp3",
            VolumeType::Io1 => "io1",
            VolumeType::Io2 => "io2",
            VolumeType::St1 => "st1",
            VolumeType::Sc1 => "sc1",
            VolumeType::Standard => "standard",
        }
    }

    /// Parses a `VolumeType` value.
    pub fn parse(text: &str) -> Result<VolumeType> {
        ALL_TYPES
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| VolumeError::InvalidVolumeType(text.into()).into())
    }

    /// The sizes in GiB the type allows.
    fn size_range(self) -> (i64, i64) {
        match self {
            VolumeType::Gp2 | VolumeType::Gp3 => (1, 16_384),
            VolumeType::Io1 => (4, 16_384),
            VolumeType::Io2 => (4, 65_536),
            VolumeType::St1 | VolumeType::Sc1 => (125, 16_384),
            VolumeType::Standard => (1, 1_024),
        }
    }

    /// `(min, max, max per GiB)` of provisioned IOPS, for the types that take `Iops`.
    fn iops_range(self) -> Option<(i64, i64, i64)> {
        match self {
            VolumeType::Gp3 => Some((3_000, 16_000, 500)),
            VolumeType::Io1 => Some((100, 64_000, 50)),
            VolumeType::Io2 => Some((100, 256_000, 1_000)),
            _ => None,
        }
    }

    /// The IOPS a volume of this type and size has when none are provisioned (`iops` in Describe).
    fn baseline_iops(self, size: i64) -> Option<i64> {
        match self {
            // gp2 earns 3 IOPS per GiB, at least 100 and at most 16,000.
            VolumeType::Gp2 => Some((size * 3).clamp(100, 16_000)),
            VolumeType::Gp3 => Some(3_000),
            _ => None,
        }
    }
}

/// Where a volume is attached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeAttachment {
    /// The instance.
    pub instance_id: String,
    /// The device name, e.g. `/dev/xvda` or `/dev/sdh`.
    pub device: String,
    /// When it was attached.
    pub attach_time: Timestamp,
    /// Deleted with the instance.
    pub delete_on_termination: bool,
}

/// An EBS volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// `vol-…`.
    pub id: String,
    /// Size in GiB.
    pub size: i64,
    /// The type.
    pub volume_type: VolumeType,
    /// Provisioned IOPS (gp3, io1, io2); `None` means the type's baseline.
    pub iops: Option<i64>,
    /// Provisioned throughput in MiB/s (gp3 only).
    pub throughput: Option<i64>,
    /// Zone name.
    pub availability_zone: String,
    /// Zone ID.
    pub availability_zone_id: String,
    /// `Encrypted`.
    pub encrypted: bool,
    /// `KmsKeyId` (encrypted volumes only).
    pub kms_key_id: Option<String>,
    /// `MultiAttachEnabled` (io1 and io2 only).
    pub multi_attach_enabled: bool,
    /// The snapshot it was created from: a catalog image's root snapshot for the root volume of its instances,
    /// else empty (CreateVolume takes no snapshot: snapshots are not modelled).
    pub snapshot_id: String,
    /// Creation time.
    pub create_time: Timestamp,
    /// The attachment, while attached.
    pub attachment: Option<VolumeAttachment>,
    /// Tags.
    pub tags: Tags,
}

impl Resource for Volume {
    const KIND: &'static str = "volume";
    fn id(&self) -> &str {
        &self.id
    }
    fn table(region: &RegionState) -> &Table<Self> {
        &region.volumes
    }
    fn table_mut(region: &mut RegionState) -> &mut Table<Self> {
        &mut region.volumes
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    /// The volumes attached to each instance, so DescribeInstances' `blockDeviceMapping` and the device-name check
    /// of AttachVolume are lookups, not walks of the volume table.
    fn reindex(index: &mut Indexes<'_>, old: Option<&Self>, new: Option<&Self>) {
        let attached =
            |volume: Option<&Self>| volume.and_then(|volume| volume.attachment.as_ref().map(|a| a.instance_id.clone()));
        if attached(old) == attached(new) {
            return;
        }
        if let (Some(old), Some(instance_id)) = (old, attached(old)) {
            index.region.remove_instance_volume(&instance_id, &old.id);
        }
        if let (Some(new), Some(instance_id)) = (new, attached(new)) {
            index.region.add_instance_volume(&instance_id, &new.id);
        }
    }
}

impl Volume {
    /// `available` or `in-use` (volumes never linger in `creating` or `deleting` here).
    pub fn state(&self) -> &'static str {
        if self.attachment.is_some() {
            "in-use"
        } else {
            "available"
        }
    }

    /// The IOPS Describe shows: the provisioned ones, else the type's baseline.
    pub fn effective_iops(&self) -> Option<i64> {
        self.iops.or_else(|| self.volume_type.baseline_iops(self.size))
    }

    /// The throughput Describe shows (gp3: 125 MiB/s unless provisioned).
    pub fn effective_throughput(&self) -> Option<i64> {
        match self.volume_type {
            VolumeType::Gp3 => Some(self.throughput.unwrap_or(125)),
            _ => None,
        }
    }
}

/// The volumes attached to `instance_id`, in ID order.
pub fn attached_to<'a>(region: &'a RegionState, instance_id: &str) -> impl Iterator<Item = &'a Arc<Volume>> + 'a {
    region.index.volumes_of_instance(instance_id).filter_map(|id| region.volumes.get(id))
}

impl Filterable for Volume {
    const FILTERS: &'static [&'static str] = &[
        "attachment.attach-time",
        "attachment.delete-on-termination",
        "attachment.device",
        "attachment.instance-id",
        "attachment.status",
        "availability-zone",
        "create-time",
        "encrypted",
        "fast-restored",
        "multi-attach-enabled",
        "size",
        "snapshot-id",
        "status",
        "volume-id",
        "volume-type",
    ];
    fn filter_values(&self, name: &str, out: &mut Vec<String>) {
        let attachment = self.attachment.as_ref();
        match name {
            "attachment.attach-time" => out.extend(attachment.map(|a| a.attach_time.to_iso8601())),
            "attachment.delete-on-termination" => out.extend(attachment.map(|a| a.delete_on_termination.to_string())),
            "attachment.device" => out.extend(attachment.map(|a| a.device.clone())),
            "attachment.instance-id" => out.extend(attachment.map(|a| a.instance_id.clone())),
            "attachment.status" => out.extend(attachment.map(|_| "attached".to_string())),
            "availability-zone" => out.push(self.availability_zone.clone()),
            "create-time" => out.push(self.create_time.to_iso8601()),
            "encrypted" => out.push(self.encrypted.to_string()),
            "fast-restored" => out.push("false".into()),
            "multi-attach-enabled" => out.push(self.multi_attach_enabled.to_string()),
            "size" => out.push(self.size.to_string()),
            "snapshot-id" => out.push(self.snapshot_id.clone()),
            "status" => out.push(self.state().into()),
            "volume-id" => out.push(self.id.clone()),
            "volume-type" => out.push(self.volume_type.name().into()),
            _ => {}
        }
    }
    fn filter_tags(&self) -> Option<&Tags> {
        Some(&self.tags)
    }
}

/// Looks a volume up, checking the ID's shape first.
pub fn find(region: &RegionState, volume_id: &str) -> Result<Arc<Volume>> {
    IdKind::Volume.check(volume_id)?;
    region
        .volumes
        .get(volume_id)
        .cloned()
        .ok_or_else(|| VolumeError::VolumeNotFound(vec![volume_id.to_string()]).into())
}

/// The shape of a volume, as CreateVolume, ModifyVolume and a block device mapping ask for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeSpec {
    /// `Size` in GiB.
    pub size: Option<i64>,
    /// `SnapshotId`.
    pub snapshot_id: Option<String>,
    /// `VolumeType` (default gp2).
    pub volume_type: Option<String>,
    /// `Iops`.
    pub iops: Option<i64>,
    /// `Throughput`.
    pub throughput: Option<i64>,
    /// `Encrypted`.
    pub encrypted: Option<bool>,
    /// `KmsKeyId`.
    pub kms_key_id: Option<String>,
    /// `MultiAttachEnabled`.
    pub multi_attach_enabled: Option<bool>,
}

/// A checked shape: what a new volume is made of.
#[derive(Debug, Clone)]
struct Shape {
    size: i64,
    volume_type: VolumeType,
    iops: Option<i64>,
    throughput: Option<i64>,
    encrypted: bool,
    kms_key_id: Option<String>,
    multi_attach_enabled: bool,
    /// The snapshot the volume is made from (empty for none).
    snapshot_id: String,
}

/// The alias ARN AWS reports for volumes encrypted with the account's default EBS key.
fn default_kms_key(scope: &Scope) -> String {
    format!("arn:aws:kms:{}:{}:alias/aws/ebs", scope.region, scope.account)
}

/// The AWS rules of a volume's shape (EBS User Guide, "Amazon EBS volume types"; CreateVolume's parameters).
fn check_shape(scope: &Scope, spec: &VolumeSpec) -> Result<Shape> {
    if let Some(snapshot_id) = &spec.snapshot_id {
        return Err(VolumeError::SnapshotNotFound(snapshot_id.clone()).into());
    }
    let size = spec.size.ok_or_else(|| Ec2Error::MissingParameter("size/snapshot".into()))?;
    let volume_type = spec.volume_type.as_deref().map(VolumeType::parse).transpose()?.unwrap_or(VolumeType::Gp2);
    check_size(volume_type, size)?;
    check_iops(volume_type, size, spec.iops)?;
    check_throughput(volume_type, spec.throughput, spec.iops)?;
    let multi_attach_enabled = spec.multi_attach_enabled.unwrap_or(false);
    if multi_attach_enabled && !matches!(volume_type, VolumeType::Io1 | VolumeType::Io2) {
        return Err(VolumeError::MultiAttachNotSupported(volume_type.name()).into());
    }
    let encrypted = spec.encrypted.unwrap_or(false);
    if spec.kms_key_id.is_some() && !encrypted {
        return Err(VolumeError::KmsKeyWithoutEncryption.into());
    }
    let kms_key_id = encrypted.then(|| spec.kms_key_id.clone().unwrap_or_else(|| default_kms_key(scope)));
    Ok(Shape {
        size,
        volume_type,
        iops: spec.iops,
        throughput: spec.throughput,
        encrypted,
        kms_key_id,
        multi_attach_enabled,
        snapshot_id: String::new(),
    })
}

fn check_size(volume_type: VolumeType, size: i64) -> Result<()> {
    let (min, max) = volume_type.size_range();
    if size < min {
        return Err(VolumeError::VolumeTooSmall { size, volume_type: volume_type.name(), min }.into());
    }
    if size > max {
        return Err(VolumeError::VolumeTooLarge { size, volume_type: volume_type.name(), max }.into());
    }
    Ok(())
}

fn check_iops(volume_type: VolumeType, size: i64, iops: Option<i64>) -> Result<()> {
    let Some((min, max, per_gib)) = volume_type.iops_range() else {
        return match iops {
            Some(_) => Err(VolumeError::IopsNotSupported(volume_type.name()).into()),
            None => Ok(()),
        };
    };
    let Some(iops) = iops else {
        // io1 and io2 have no baseline: the IOPS are what the customer provisions.
        return match volume_type {
            VolumeType::Io1 | VolumeType::Io2 => Err(Ec2Error::MissingParameter("iops".into())),
            _ => Ok(()),
        };
    };
    if iops < min {
        return Err(VolumeError::IopsTooLow { iops, min }.into());
    }
    if iops > max {
        return Err(VolumeError::IopsTooHigh { iops, max }.into());
    }
    if iops > size * per_gib {
        return Err(VolumeError::IopsRatioTooHigh { iops, size, max: per_gib }.into());
    }
    Ok(())
}

fn check_throughput(volume_type: VolumeType, throughput: Option<i64>, iops: Option<i64>) -> Result<()> {
    let Some(throughput) = throughput else { return Ok(()) };
    if volume_type != VolumeType::Gp3 {
        return Err(VolumeError::ThroughputNotSupported(volume_type.name()).into());
    }
    if !(125..=1_000).contains(&throughput) {
        return Err(VolumeError::ThroughputOutOfRange(throughput).into());
    }
    // gp3 carries at most 0.25 MiB/s per provisioned IOPS.
    let iops = iops.unwrap_or(3_000);
    if throughput * 4 > iops {
        return Err(VolumeError::ThroughputRatioTooHigh { throughput, iops }.into());
    }
    Ok(())
}

/// CreateVolume parameters.
#[derive(Debug, Clone, Default)]
pub struct CreateVolume {
    /// `AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `AvailabilityZoneId`.
    pub availability_zone_id: Option<String>,
    /// The volume's shape.
    pub spec: VolumeSpec,
    /// `TagSpecification` type `volume`.
    pub tags: Vec<Tag>,
}

/// The zone a volume goes in: one of the region's, by name or ID (one of the two is required).
fn pick_zone(region_name: &str, name: Option<&str>, zone_id: Option<&str>) -> Result<(String, String)> {
    let all = zones(region_name);
    let found = match (name, zone_id) {
        (Some(name), _) => {
            all.into_iter().find(|zone| zone.name == name).ok_or_else(|| VolumeError::ZoneNotFound(name.into()).into())
        }
        (None, Some(zone_id)) => all
            .into_iter()
            .find(|zone| zone.zone_id == zone_id)
            .ok_or_else(|| VolumeError::ZoneNotFound(zone_id.into()).into()),
        (None, None) => Err(Ec2Error::MissingParameter("AvailabilityZone".into())),
    }?;
    Ok((found.name, found.zone_id))
}

/// CreateVolume.
pub fn create_volume(tx: &mut Tx, scope: &Scope, request: CreateVolume) -> Result<Arc<Volume>> {
    let (availability_zone, availability_zone_id) =
        pick_zone(&scope.region, request.availability_zone.as_deref(), request.availability_zone_id.as_deref())?;
    let shape = check_shape(scope, &request.spec)?;
    crate::tags::validate(&request.tags)?;
    Ok(insert(tx, scope, shape, (availability_zone, availability_zone_id), None, Tags(request.tags)))
}

/// Stores a new volume of a checked shape.
fn insert(
    tx: &mut Tx,
    scope: &Scope,
    shape: Shape,
    (availability_zone, availability_zone_id): (String, String),
    attachment: Option<VolumeAttachment>,
    tags: Tags,
) -> Arc<Volume> {
    let volume = Volume {
        id: tx.next_id(IdKind::Volume),
        size: shape.size,
        volume_type: shape.volume_type,
        iops: shape.iops,
        throughput: shape.throughput,
        availability_zone,
        availability_zone_id,
        encrypted: shape.encrypted,
        kms_key_id: shape.kms_key_id,
        multi_attach_enabled: shape.multi_attach_enabled,
        snapshot_id: shape.snapshot_id,
        create_time: tx.now(),
        attachment,
        tags,
    };
    let id = volume.id.clone();
    tx.put(scope, volume);
    tx.get(scope, &id).expect("just inserted")
}

/// DeleteVolume: refused while the volume is attached.
pub fn delete_volume(tx: &mut Tx, scope: &Scope, volume_id: &str) -> Result<()> {
    let volume = find(tx.region(scope), volume_id)?;
    if let Some(attachment) = &volume.attachment {
        return Err(VolumeError::VolumeAttachedCannotDelete {
            volume_id: volume.id.clone(),
            instance_id: attachment.instance_id.clone(),
        }
        .into());
    }
    tx.remove::<Volume>(scope, volume_id);
    Ok(())
}

/// What ModifyVolume answers: the volume before and after (the modification completes at once).
#[derive(Debug, Clone)]
pub struct VolumeModification {
    /// The volume as it was.
    pub original: Arc<Volume>,
    /// The volume as it is now.
    pub target: Arc<Volume>,
    /// When the modification started.
    pub start_time: Timestamp,
}

/// ModifyVolume: size (only up), type, IOPS, throughput and Multi-Attach, checked as CreateVolume checks them.
pub fn modify_volume(tx: &mut Tx, scope: &Scope, volume_id: &str, change: VolumeSpec) -> Result<VolumeModification> {
    let original = find(tx.region(scope), volume_id)?;
    if let Some(size) = change.size {
        if size < original.size {
            return Err(VolumeError::VolumeSizeDecrease.into());
        }
    }
    let volume_type = change.volume_type.clone().unwrap_or_else(|| original.volume_type.name().into());
    let type_changes = volume_type != original.volume_type.name();
    // IOPS and throughput a type change makes meaningless are dropped rather than refused.
    let keeps = |value: Option<i64>, kept: bool| if kept { value } else { None };
    let spec = VolumeSpec {
        size: Some(change.size.unwrap_or(original.size)),
        snapshot_id: None,
        iops: change.iops.or(keeps(original.iops, !type_changes)),
        throughput: change.throughput.or(keeps(original.throughput, !type_changes)),
        volume_type: Some(volume_type),
        encrypted: Some(original.encrypted),
        kms_key_id: original.kms_key_id.clone(),
        multi_attach_enabled: Some(change.multi_attach_enabled.unwrap_or(original.multi_attach_enabled)),
    };
    let shape = check_shape(scope, &spec)?;
    tx.update::<Volume>(scope, volume_id, |volume| {
        volume.size = shape.size;
        volume.volume_type = shape.volume_type;
        volume.iops = shape.iops;
        volume.throughput = shape.throughput;
        volume.multi_attach_enabled = shape.multi_attach_enabled;
    });
    let target = find(tx.region(scope), volume_id)?;
    Ok(VolumeModification { original, target, start_time: tx.now() })
}
