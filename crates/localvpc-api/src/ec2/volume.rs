//! EBS volume actions: CreateVolume, DescribeVolumes, AttachVolume, DetachVolume, DeleteVolume, ModifyVolume.

use localvpc_model::filter::{matches, validate};
use localvpc_model::ids::IdKind;
use localvpc_model::volume::{
    self, AttachVolume, CreateVolume, DetachVolume, Volume, VolumeAttachment, VolumeModification, VolumeSpec,
};
use localvpc_model::VolumeError;
use localvpc_model::{Ec2Error, Tx, World};

use super::{return_true, select, Ctx};
use crate::params::Params;
use crate::xml::Xml;

type Result<T = ()> = std::result::Result<T, Ec2Error>;

/// One attachment (`VolumeAttachment`): in a volume's `attachmentSet`, and the answer of Attach/DetachVolume with
/// the transitional status AWS answers (`attaching`, `detaching`).
fn render_attachment(x: &mut Xml, volume_id: &str, attachment: &VolumeAttachment, status: &str) {
    x.text("volumeId", volume_id)
        .text("instanceId", &attachment.instance_id)
        .text("device", &attachment.device)
        .text("status", status)
        .text("attachTime", &attachment.attach_time.to_iso8601())
        .value("deleteOnTermination", attachment.delete_on_termination);
}

/// A volume's fields (`Volume`); `tagSet` only when it has tags, `kmsKeyId` only when encrypted, as AWS answers.
fn render_volume(x: &mut Xml, volume: &Volume) {
    x.text("volumeId", &volume.id)
        .value("size", volume.size)
        .text("snapshotId", &volume.snapshot_id)
        .text("availabilityZone", &volume.availability_zone)
        .text("status", volume.state())
        .text("createTime", &volume.create_time.to_iso8601())
        .list("attachmentSet", volume.attachment.iter(), |x, attachment| {
            render_attachment(x, &volume.id, attachment, "attached")
        });
    x.text("volumeType", volume.volume_type.name());
    if let Some(iops) = volume.effective_iops() {
        x.value("iops", iops);
    }
    x.tag_set_if_any(&volume.tags);
    x.value("encrypted", volume.encrypted).optional("kmsKeyId", volume.kms_key_id.as_deref());
    if let Some(throughput) = volume.effective_throughput() {
        x.value("throughput", throughput);
    }
    x.value("multiAttachEnabled", volume.multi_attach_enabled);
}

/// The shape parameters CreateVolume and ModifyVolume share.
fn volume_spec(params: &Params) -> Result<VolumeSpec> {
    Ok(VolumeSpec {
        size: params.int("Size")?,
        snapshot_id: params.get("SnapshotId").map(str::to_string),
        volume_type: params.get("VolumeType").map(str::to_string),
        iops: params.int("Iops")?,
        throughput: params.int("Throughput")?,
        encrypted: params.bool("Encrypted")?,
        kms_key_id: params.get("KmsKeyId").map(str::to_string),
        multi_attach_enabled: params.bool("MultiAttachEnabled")?,
    })
}

pub(crate) fn create_volume(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = CreateVolume {
        availability_zone: params.get("AvailabilityZone").map(str::to_string),
        availability_zone_id: params.get("AvailabilityZoneId").map(str::to_string),
        spec: volume_spec(params)?,
        tags: params.tag_specifications("volume")?,
    };
    let volume = volume::create_volume(tx, &ctx.scope, request)?;
    render_volume(x, &volume);
    Ok(())
}

pub(crate) fn describe_volumes(world: &World, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let ids = params.list("VolumeId")?;
    let filters = params.filters()?;
    validate::<Volume>(&filters)?;
    let page = params.page(5, 500)?;
    let region = world.region(&ctx.scope);
    let found = select(
        &region.volumes,
        &ids,
        IdKind::Volume,
        |ids| VolumeError::VolumeNotFound(ids).into(),
        &page,
        |volume| matches(volume, &filters),
    )?;
    x.list("volumeSet", &found.items, |x, volume| render_volume(x, volume));
    x.optional("nextToken", found.next_token.as_deref());
    Ok(())
}

pub(crate) fn attach_volume(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = AttachVolume {
        volume_id: params.required("VolumeId")?.to_string(),
        instance_id: params.required("InstanceId")?.to_string(),
        device: params.required("Device")?.to_string(),
    };
    let volume = volume::attach_volume(tx, &ctx.scope, request)?;
    if let Some(attachment) = &volume.attachment {
        render_attachment(x, &volume.id, attachment, "attaching");
    }
    Ok(())
}

pub(crate) fn detach_volume(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let request = DetachVolume {
        volume_id: params.required("VolumeId")?.to_string(),
        instance_id: params.get("InstanceId").map(str::to_string),
        device: params.get("Device").map(str::to_string),
        force: params.bool("Force")?.unwrap_or(false),
    };
    let (volume, attachment) = volume::detach_volume(tx, &ctx.scope, request)?;
    render_attachment(x, &volume.id, &attachment, "detaching");
    Ok(())
}

pub(crate) fn delete_volume(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    volume::delete_volume(tx, &ctx.scope, params.required("VolumeId")?)?;
    return_true(x);
    Ok(())
}

/// `VolumeModification`: the original and target shape; AWS answers `modifying` and completes in the background.
fn render_modification(x: &mut Xml, modification: &VolumeModification) {
    let (original, target) = (&modification.original, &modification.target);
    x.text("volumeId", &target.id)
        .text("modificationState", "modifying")
        .value("targetSize", target.size)
        .text("targetVolumeType", target.volume_type.name());
    if let Some(iops) = target.effective_iops() {
        x.value("targetIops", iops);
    }
    if let Some(throughput) = target.effective_throughput() {
        x.value("targetThroughput", throughput);
    }
    x.value("targetMultiAttachEnabled", target.multi_attach_enabled)
        .value("originalSize", original.size)
        .text("originalVolumeType", original.volume_type.name());
    if let Some(iops) = original.effective_iops() {
        x.value("originalIops", iops);
    }
    if let Some(throughput) = original.effective_throughput() {
        x.value("originalThroughput", throughput);
    }
    x.value("originalMultiAttachEnabled", original.multi_attach_enabled)
        .value("progress", 0)
        .text("startTime", &modification.start_time.to_iso8601());
}

pub(crate) fn modify_volume(tx: &mut Tx, ctx: &Ctx, params: &Params, x: &mut Xml) -> Result {
    let volume_id = params.required("VolumeId")?;
    let modification = volume::modify_volume(tx, &ctx.scope, volume_id, volume_spec(params)?)?;
    x.nested("volumeModification", |x| render_modification(x, &modification));
    Ok(())
}
