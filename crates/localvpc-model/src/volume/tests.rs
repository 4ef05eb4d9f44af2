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
