//! Scenario tests of volumes on a real [`World`]: the root volume of a launch, attach and detach rules, what
//! termination does to volumes, and the shape rules of CreateVolume.

use super::*;
use crate::instance::{self, RunInstances};
use crate::world::World;

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

fn launch(tx: &mut Tx, mappings: Vec<BlockDeviceMapping>) -> String {
    crate::vpc::ensure_initialized(tx, &scope());
    let request = RunInstances {
        image_id: "ami-12345678".into(),
        min_count: 1,
        max_count: 1,
        block_device_mappings: mappings,
        ..Default::default()
    };
    instance::run_instances(tx, &scope(), request).unwrap().instances[0].id.clone()
}

fn create(tx: &mut Tx, zone: &str, spec: VolumeSpec) -> Result<Arc<Volume>> {
    let request = CreateVolume { availability_zone: Some(zone.into()), spec, ..Default::default() };
    create_volume(tx, &scope(), request)
}

fn sized(size: i64) -> VolumeSpec {
    VolumeSpec { size: Some(size), ..Default::default() }
}

#[test]
fn a_launch_gives_the_instance_an_attached_root_volume() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let instance_id = launch(&mut tx, Vec::new());
    let volumes: Vec<_> = attached_to(tx.region(&scope()), &instance_id).cloned().collect();
    assert_eq!(volumes.len(), 1);
    let root = &volumes[0];
    assert_eq!((root.size, root.volume_type, root.state()), (8, VolumeType::Gp2, "in-use"));
    let attachment = root.attachment.as_ref().unwrap();
    assert_eq!((attachment.device.as_str(), attachment.delete_on_termination), ("/dev/xvda", true));
    assert_eq!(root.availability_zone, "us-east-1a");
}

#[test]
fn terminate_deletes_delete_on_termination_volumes_and_detaches_the_rest() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let kept = BlockDeviceMapping {
        device_name: "/dev/xvda".into(),
        ebs: Some(EbsBlockDevice { spec: sized(20), delete_on_termination: Some(false) }),
        ..Default::default()
    };
    let data = BlockDeviceMapping {
        device_name: "/dev/sdf".into(),
        ebs: Some(EbsBlockDevice { spec: sized(5), delete_on_termination: None }),
        ..Default::default()
    };
    let instance_id = launch(&mut tx, vec![kept, data]);
    let extra = create(&mut tx, "us-east-1a", sized(10)).unwrap();
    let request =
        AttachVolume { volume_id: extra.id.clone(), instance_id: instance_id.clone(), device: "/dev/sdh".into() };
    attach_volume(&mut tx, &scope(), request).unwrap();
    assert_eq!(attached_to(tx.region(&scope()), &instance_id).count(), 3);
    instance::terminate_instances(&mut tx, &scope(), std::slice::from_ref(&instance_id)).unwrap();
    let region = tx.region(&scope());
    assert_eq!(attached_to(region, &instance_id).count(), 0);
    let sizes: Vec<(i64, &str)> = region.volumes.values().map(|volume| (volume.size, volume.state())).collect();
    assert_eq!(sizes.len(), 2, "{sizes:?}");
    assert!(sizes.contains(&(20, "available")) && sizes.contains(&(10, "available")));
}

#[test]
fn attach_refuses_other_zones_used_devices_and_attached_volumes() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let instance_id = launch(&mut tx, Vec::new());
    let attach = |volume_id: &str, device: &str| AttachVolume {
        volume_id: volume_id.into(),
        instance_id: instance_id.clone(),
        device: device.into(),
    };
    let far = create(&mut tx, "us-east-1b", sized(10)).unwrap();
    let error = attach_volume(&mut tx, &scope(), attach(&far.id, "/dev/sdh")).unwrap_err();
    assert_eq!(error.code(), "InvalidVolume.ZoneMismatch");
    let near = create(&mut tx, "us-east-1a", sized(10)).unwrap();
    let error = attach_volume(&mut tx, &scope(), attach(&near.id, "/dev/xvda")).unwrap_err();
    assert_eq!(error, Ec2Error::Volume(VolumeError::DeviceInUse("/dev/xvda".into())));
    let error = attach_volume(&mut tx, &scope(), attach(&near.id, "/dev/nope")).unwrap_err();
    assert_eq!(error.code(), "InvalidParameterValue");
    attach_volume(&mut tx, &scope(), attach(&near.id, "/dev/sdh")).unwrap();
    let error = attach_volume(&mut tx, &scope(), attach(&near.id, "/dev/sdi")).unwrap_err();
    assert_eq!(error.code(), "VolumeInUse");
    let error = delete_volume(&mut tx, &scope(), &near.id).unwrap_err();
    assert_eq!(error.to_string(), format!("Volume {} is currently attached to {instance_id}", near.id));
}

#[test]
fn the_root_volume_of_a_running_instance_stays_until_it_stops() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let instance_id = launch(&mut tx, Vec::new());
    let root = attached_to(tx.region(&scope()), &instance_id).next().unwrap().id.clone();
    let detach = || DetachVolume { volume_id: root.clone(), ..Default::default() };
    let error = detach_volume(&mut tx, &scope(), detach()).unwrap_err();
    assert_eq!(error.code(), "OperationNotPermitted");
    instance::stop_instances(&mut tx, &scope(), std::slice::from_ref(&instance_id)).unwrap();
    let (_, attachment) = detach_volume(&mut tx, &scope(), detach()).unwrap();
    assert_eq!(attachment.instance_id, instance_id);
    assert_eq!(detach_volume(&mut tx, &scope(), detach()).unwrap_err().code(), "IncorrectState");
}

#[test]
fn shapes_follow_the_per_type_limits() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let spec = |volume_type: &str, size: i64, iops: Option<i64>| VolumeSpec {
        size: Some(size),
        volume_type: Some(volume_type.into()),
        iops,
        ..Default::default()
    };
    let code =
        |tx: &mut Tx, spec: VolumeSpec| create(tx, "us-east-1a", spec).map(|_| "ok").unwrap_or_else(|e| e.code());
    assert_eq!(code(&mut tx, VolumeSpec::default()), "MissingParameter");
    assert_eq!(code(&mut tx, spec("st1", 100, None)), "InvalidParameterValue");
    assert_eq!(code(&mut tx, spec("st1", 125, None)), "ok");
    assert_eq!(code(&mut tx, spec("gp2", 10, Some(300))), "InvalidParameterCombination");
    assert_eq!(code(&mut tx, spec("io1", 10, None)), "MissingParameter");
    assert_eq!(code(&mut tx, spec("io1", 10, Some(501))), "InvalidParameterValue");
    assert_eq!(code(&mut tx, spec("io1", 10, Some(500))), "ok");
    assert_eq!(code(&mut tx, spec("gp9", 10, None)), "InvalidParameterValue");
    let gp2 = create(&mut tx, "us-east-1a", sized(100)).unwrap();
    assert_eq!((gp2.volume_type, gp2.effective_iops()), (VolumeType::Gp2, Some(300)));
    let kms = VolumeSpec { kms_key_id: Some("key".into()), ..sized(10) };
    assert_eq!(code(&mut tx, kms), "InvalidParameterDependency");
    let zone = CreateVolume { availability_zone: Some("us-east-1z".into()), spec: sized(10), ..Default::default() };
    assert_eq!(create_volume(&mut tx, &scope(), zone).unwrap_err().code(), "InvalidZone.NotFound");
}

fn launch_image(tx: &mut Tx, image_id: &str, mappings: Vec<BlockDeviceMapping>) -> Result<String> {
    crate::vpc::ensure_initialized(tx, &scope());
    let request = RunInstances {
        image_id: image_id.into(),
        min_count: 1,
        max_count: 1,
        block_device_mappings: mappings,
        ..Default::default()
    };
    Ok(instance::run_instances(tx, &scope(), request)?.instances[0].id.clone())
}

fn mapping(device: &str, ebs: Option<VolumeSpec>) -> BlockDeviceMapping {
    BlockDeviceMapping {
        device_name: device.into(),
        ebs: ebs.map(|spec| EbsBlockDevice { spec, delete_on_termination: None }),
        ..Default::default()
    }
}

#[test]
fn a_catalog_image_gives_its_own_root_device_volume_and_snapshot() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let images = crate::image::catalog("us-east-1");
    let noble = images.iter().find(|image| image.name.contains("noble-24.04-amd64")).unwrap();
    let instance_id = launch_image(&mut tx, &noble.id, vec![mapping("/dev/sda1", Some(sized(20)))]).unwrap();
    let volumes: Vec<_> = attached_to(tx.region(&scope()), &instance_id).cloned().collect();
    assert_eq!(volumes.len(), 1, "the mapping of /dev/sda1 reshapes the root volume, it adds none");
    let root = &volumes[0];
    assert_eq!(root.attachment.as_ref().unwrap().device, "/dev/sda1");
    assert_eq!((root.size, root.volume_type, root.effective_iops()), (20, VolumeType::Gp3, Some(3000)));
    assert_eq!(root.snapshot_id, noble.snapshot_id);
    let instance = instance::find(tx.region(&scope()), &instance_id).unwrap();
    assert_eq!(instance.root_device_name(), "/dev/sda1");
    // The root mapping may name the image's own snapshot, not another one.
    let named = |snapshot: &str| VolumeSpec { snapshot_id: Some(snapshot.into()), ..Default::default() };
    launch_image(&mut tx, &noble.id, vec![mapping("/dev/sda1", Some(named(&noble.snapshot_id)))]).unwrap();
    let error = launch_image(&mut tx, &noble.id, vec![mapping("/dev/sda1", Some(named("snap-12345678")))]);
    assert_eq!(error.unwrap_err().code(), "InvalidSnapshot.NotFound");
    // An image outside the catalog keeps the Amazon Linux root, made from no snapshot.
    let other = launch(&mut tx, Vec::new());
    let root = attached_to(tx.region(&scope()), &other).next().unwrap().clone();
    assert_eq!((root.attachment.as_ref().unwrap().device.as_str(), root.snapshot_id.as_str()), ("/dev/xvda", ""));
}

#[test]
fn mappings_need_ebs_a_size_and_an_empty_no_device() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let refused = |tx: &mut Tx, mapping: BlockDeviceMapping| {
        launch_image(tx, "ami-12345678", vec![mapping]).unwrap_err().to_string()
    };
    assert_eq!(refused(&mut tx, mapping("/dev/sdf", None)), "The request must contain the parameter ebs");
    let no_size = VolumeSpec { volume_type: Some("standard".into()), ..Default::default() };
    assert_eq!(
        refused(&mut tx, mapping("/dev/sdf", Some(no_size))),
        "The request must contain the parameter size or snapshotId"
    );
    let yes = BlockDeviceMapping { no_device: Some("yes".into()), ..mapping("/dev/sdf", None) };
    let error = launch_image(&mut tx, "ami-12345678", vec![yes]).unwrap_err();
    assert_eq!((error.code(), error.to_string().as_str()), ("InvalidRequest", "The request received was invalid."));
    // Positive controls: an empty NoDevice and an instance store mapping need no Ebs.
    let suppressed = BlockDeviceMapping { no_device: Some(String::new()), ..mapping("/dev/sdf", None) };
    let store = BlockDeviceMapping { virtual_name: Some("ephemeral0".into()), ..mapping("/dev/sdb", None) };
    let instance_id = launch_image(&mut tx, "ami-12345678", vec![suppressed, store]).unwrap();
    assert_eq!(attached_to(tx.region(&scope()), &instance_id).count(), 1);
}

#[test]
fn delete_on_termination_changes_per_device_and_detach_names_the_device() {
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, Timestamp(5));
    let instance_id = launch(&mut tx, vec![mapping("/dev/sdf", Some(sized(5)))]);
    set_delete_on_termination(&mut tx, &scope(), &instance_id, "/dev/xvda", false).unwrap();
    let error = set_delete_on_termination(&mut tx, &scope(), &instance_id, "/dev/sdz", false).unwrap_err();
    assert_eq!(error.code(), "InvalidInstanceAttributeValue");
    let data = attached_to(tx.region(&scope()), &instance_id)
        .find(|volume| volume.attachment.as_ref().unwrap().device == "/dev/sdf")
        .unwrap()
        .id
        .clone();
    let wrong = DetachVolume { volume_id: data.clone(), device: Some("/dev/sdg".into()), ..Default::default() };
    let error = detach_volume(&mut tx, &scope(), wrong).unwrap_err();
    assert_eq!(
        (error.code(), error.to_string()),
        (
            "InvalidAttachment.NotFound",
            format!("The volume {data} is not attached to instance {instance_id} as device /dev/sdg")
        )
    );
    instance::terminate_instances(&mut tx, &scope(), std::slice::from_ref(&instance_id)).unwrap();
    let left: Vec<_> = tx.region(&scope()).volumes.values().map(|volume| volume.size).collect();
    assert_eq!(left, vec![8], "the root volume is kept, the data volume goes with the instance");
}
