"""EBS volumes: the root volume of every instance, CreateVolume's shape rules, Attach/Detach/Delete, what
TerminateInstances does to volumes, filters, paging, tags, persistence and isolation."""
from helpers import assert_id, cli_error, ec2_error, tag_spec, tags_of

AMI = "ami-12c6146b"


def launch(ec2, **kw):
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, **kw)["Instances"][0]


def volumes_of(ec2, instance_id):
    flt = [{"Name": "attachment.instance-id", "Values": [instance_id]}]
    return ec2.describe_volumes(Filters=flt)["Volumes"]


def test_every_instance_gets_an_attached_root_volume(ec2):
    instance = launch(ec2, TagSpecifications=tag_spec("volume", Name="root"))
    assert instance["RootDeviceName"] == "/dev/xvda"
    (mapping,) = instance["BlockDeviceMappings"]
    assert mapping["DeviceName"] == "/dev/xvda"
    assert mapping["Ebs"]["Status"] == "attached" and mapping["Ebs"]["DeleteOnTermination"] is True
    (root,) = volumes_of(ec2, instance["InstanceId"])
    assert root["VolumeId"] == mapping["Ebs"]["VolumeId"]
    assert_id(root["VolumeId"], "vol")
    assert (root["Size"], root["VolumeType"], root["Iops"], root["State"]) == (8, "gp2", 100, "in-use")
    assert root["AvailabilityZone"] == instance["Placement"]["AvailabilityZone"]
    assert root["Encrypted"] is False and "KmsKeyId" not in root
    assert tags_of(root) == {"Name": "root"}
    (attachment,) = root["Attachments"]
    assert (attachment["InstanceId"], attachment["Device"], attachment["State"]) == \
        (instance["InstanceId"], "/dev/xvda", "attached")
    (reservation,) = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"]
    assert reservation["Instances"][0]["BlockDeviceMappings"][0]["Ebs"]["VolumeId"] == root["VolumeId"]


def test_block_device_mappings_shape_the_launch_and_termination_keeps_what_it_should(ec2):
    mappings = [
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "DeleteOnTermination": False}},
        {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 5}},
    ]
    instance = launch(ec2, BlockDeviceMappings=mappings)
    volumes = {v["Attachments"][0]["Device"]: v for v in volumes_of(ec2, instance["InstanceId"])}
    assert (volumes["/dev/xvda"]["Size"], volumes["/dev/xvda"]["VolumeType"]) == (30, "gp3")
    assert (volumes["/dev/xvda"]["Iops"], volumes["/dev/xvda"]["Throughput"]) == (3000, 125)
    assert volumes["/dev/sdf"]["Size"] == 5 and volumes["/dev/sdf"]["Attachments"][0]["DeleteOnTermination"]
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    left = ec2.describe_volumes(VolumeIds=[volumes["/dev/xvda"]["VolumeId"]])["Volumes"]
    assert [(v["State"], v["Attachments"]) for v in left] == [("available", [])]
    with ec2_error("InvalidVolume.NotFound", f"The volume '{volumes['/dev/sdf']['VolumeId']}' does not exist."):
        ec2.describe_volumes(VolumeIds=[volumes["/dev/sdf"]["VolumeId"]])
    with ec2_error("InvalidBlockDeviceMapping"):
        launch(ec2, BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 4}}])


def test_create_volume_and_its_shape_rules(ec2):
    volume = ec2.create_volume(AvailabilityZone="us-east-1b", Size=100, TagSpecifications=tag_spec("volume", a="b"))
    assert_id(volume["VolumeId"], "vol")
    assert (volume["Size"], volume["VolumeType"], volume["Iops"], volume["State"]) == (100, "gp2", 300, "available")
    assert tags_of(volume) == {"a": "b"}
    plain = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10)
    assert "Tags" not in plain
    io2 = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, VolumeType="io2", Iops=5000,
                            MultiAttachEnabled=True)
    assert (io2["Iops"], io2["MultiAttachEnabled"]) == (5000, True)
    encrypted = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=True, KmsKeyId="key")
    assert (encrypted["Encrypted"], encrypted["KmsKeyId"]) == (True, "key")
    with ec2_error("MissingParameter", "The request must contain the parameter size/snapshot"):
        ec2.create_volume(AvailabilityZone="us-east-1a")
    with ec2_error("InvalidParameterValue", "Volume of 100GiB is too small for volume type st1; minimum is 125GiB"):
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="st1")
    with ec2_error("InvalidParameterCombination", "The parameter iops is not supported for gp2 volumes."):
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Iops=300)
    with ec2_error("InvalidParameterValue", prefix="Iops to volume size ratio of 60.000000 is too high"):
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, VolumeType="io1", Iops=600)
    with ec2_error("InvalidParameterDependency"):
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Throughput=200)
    with ec2_error("InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set."):
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, KmsKeyId="key")
    with ec2_error("InvalidZone.NotFound", "The zone 'us-east-1z' does not exist."):
        ec2.create_volume(AvailabilityZone="us-east-1z", Size=10)
    with ec2_error("InvalidSnapshot.NotFound"):
        ec2.create_volume(AvailabilityZone="us-east-1a", SnapshotId="snap-12345678")
    with ec2_error("DryRunOperation", status=412):
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, DryRun=True)


def test_attach_detach_delete(ec2):
    instance = launch(ec2)
    iid = instance["InstanceId"]
    zone = instance["Placement"]["AvailabilityZone"]
    volume = ec2.create_volume(AvailabilityZone=zone, Size=10)["VolumeId"]
    far = ec2.create_volume(AvailabilityZone="us-east-1c" if zone != "us-east-1c" else "us-east-1b", Size=10)
    with ec2_error("InvalidVolume.ZoneMismatch"):
        ec2.attach_volume(VolumeId=far["VolumeId"], InstanceId=iid, Device="/dev/sdh")
    with ec2_error("InvalidParameterValue",
                   "Invalid value '/dev/xvda' for unixDevice. Attachment point /dev/xvda is already in use"):
        ec2.attach_volume(VolumeId=volume, InstanceId=iid, Device="/dev/xvda")
    attached = ec2.attach_volume(VolumeId=volume, InstanceId=iid, Device="/dev/sdh")
    assert (attached["State"], attached["Device"], attached["InstanceId"]) == ("attaching", "/dev/sdh", iid)
    (d,) = ec2.describe_volumes(VolumeIds=[volume])["Volumes"]
    assert d["State"] == "in-use" and d["Attachments"][0]["DeleteOnTermination"] is False
    with ec2_error("VolumeInUse", f"{volume} is already attached to an instance"):
        ec2.attach_volume(VolumeId=volume, InstanceId=iid, Device="/dev/sdi")
    with ec2_error("VolumeInUse", f"Volume {volume} is currently attached to {iid}"):
        ec2.delete_volume(VolumeId=volume)
    root = [v for v in volumes_of(ec2, iid) if v["Attachments"][0]["Device"] == "/dev/xvda"][0]["VolumeId"]
    with ec2_error("OperationNotPermitted", f"Unable to detach root volume '{root}' from instance '{iid}'"):
        ec2.detach_volume(VolumeId=root, Force=True)
    detached = ec2.detach_volume(VolumeId=volume, InstanceId=iid)
    assert detached["State"] == "detaching"
    assert ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0]["State"] == "available"
    with ec2_error("IncorrectState", f"Volume '{volume}' is in the 'available' state."):
        ec2.detach_volume(VolumeId=volume)
    with ec2_error("InvalidAttachment.NotFound"):
        ec2.detach_volume(VolumeId=volume, InstanceId=iid)
    ec2.delete_volume(VolumeId=volume)
    with ec2_error("InvalidVolume.NotFound"):
        ec2.delete_volume(VolumeId=volume)
    with ec2_error("InvalidVolumeID.Malformed"):
        ec2.delete_volume(VolumeId="vol-xyz")
    # A stopped instance's root volume can be detached.
    ec2.stop_instances(InstanceIds=[iid])
    assert ec2.detach_volume(VolumeId=root)["State"] == "detaching"


def test_filters_paging_tags_and_modify(ec2):
    instance = launch(ec2)
    a = ec2.create_volume(AvailabilityZone="us-east-1a", Size=20, Encrypted=True)["VolumeId"]
    b = ec2.create_volume(AvailabilityZone="us-east-1b", Size=36, VolumeType="gp3")["VolumeId"]
    ec2.create_tags(Resources=[a], Tags=[{"Key": "team", "Value": "x"}])

    def found(name, *values):
        return {v["VolumeId"] for v in ec2.describe_volumes(Filters=[{"Name": name, "Values": list(values)}])["Volumes"]}

    root = volumes_of(ec2, instance["InstanceId"])[0]["VolumeId"]
    assert found("size", "36") == {b}
    assert found("volume-type", "gp3") == {b}
    assert found("encrypted", "true") == {a}
    assert found("availability-zone", "us-east-1b") == {b}
    assert found("status", "in-use") == {root}
    assert found("attachment.device", "/dev/xvda") == {root}
    assert found("attachment.delete-on-termination", "true") == {root}
    assert found("attachment.status", "attached") == {root}
    assert found("tag:team", "x") == {a}
    with ec2_error("InvalidParameterValue"):
        found("no-such-filter", "x")
    first = ec2.describe_volumes(MaxResults=5)
    assert len(first["Volumes"]) == 3 and "NextToken" not in first
    pages = [v["VolumeId"] for page in ec2.get_paginator("describe_volumes").paginate(PaginationConfig={"PageSize": 5})
             for v in page["Volumes"]]
    assert sorted(pages) == sorted([a, b, root])
    modified = ec2.modify_volume(VolumeId=b, Size=50, Iops=4000)["VolumeModification"]
    assert (modified["OriginalSize"], modified["TargetSize"], modified["TargetIops"]) == (36, 50, 4000)
    assert ec2.describe_volumes(VolumeIds=[b])["Volumes"][0]["Size"] == 50
    with ec2_error("InvalidParameterValue", "New size cannot be smaller than existing size"):
        ec2.modify_volume(VolumeId=b, Size=10)


def test_volumes_are_isolated_per_account_and_region(ec2, client_factory):
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10)["VolumeId"]
    other = client_factory(key="111122223333")
    west = client_factory(region="us-west-2")
    for outsider in (other, west):
        seen = outsider.describe_volumes()["Volumes"]
        assert seen == []
        with ec2_error("InvalidVolume.NotFound"):
            outsider.delete_volume(VolumeId=volume)
    assert [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]] == [volume]


def test_volumes_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    instance = launch(ec2)
    data = ec2.create_volume(AvailabilityZone=instance["Placement"]["AvailabilityZone"], Size=10)["VolumeId"]
    ec2.attach_volume(VolumeId=data, InstanceId=instance["InstanceId"], Device="/dev/sdh")
    before = ec2.describe_volumes()["Volumes"]
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    assert ec2.describe_volumes()["Volumes"] == before
    # The attachments were reloaded: the device is still taken.
    spare = ec2.create_volume(AvailabilityZone=instance["Placement"]["AvailabilityZone"], Size=10)["VolumeId"]
    with ec2_error("InvalidParameterValue"):
        ec2.attach_volume(VolumeId=spare, InstanceId=instance["InstanceId"], Device="/dev/sdh")
    (reservation,) = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"]
    assert len(reservation["Instances"][0]["BlockDeviceMappings"]) == 2


def test_volume_lifecycle_cli(aws):
    created = aws("ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "12", "--volume-type", "gp3",
                  "--tag-specifications", "ResourceType=volume,Tags=[{Key=Name,Value=cli}]").ok()
    vid = created["VolumeId"]
    assert (created["Size"], created["VolumeType"], tags_of(created)) == (12, "gp3", {"Name": "cli"})
    got = aws("ec2", "describe-volumes", "--filters", "Name=tag:Name,Values=cli").ok()
    assert [v["VolumeId"] for v in got["Volumes"]] == [vid]
    cli_error(aws("ec2", "create-volume", "--availability-zone", "us-east-1a"), "MissingParameter",
              "The request must contain the parameter size/snapshot")
    reservation = aws("ec2", "run-instances", "--image-id", AMI, "--count", "1").ok()
    iid = reservation["Instances"][0]["InstanceId"]
    attached = aws("ec2", "attach-volume", "--volume-id", vid, "--instance-id", iid, "--device", "/dev/sdf").ok()
    assert attached["State"] == "attaching"
    cli_error(aws("ec2", "delete-volume", "--volume-id", vid), "VolumeInUse")
    assert aws("ec2", "detach-volume", "--volume-id", vid).ok()["State"] == "detaching"
    assert aws("ec2", "delete-volume", "--volume-id", vid).rc == 0
    cli_error(aws("ec2", "describe-volumes", "--volume-ids", vid), "InvalidVolume.NotFound",
              f"The volume '{vid}' does not exist.")


def test_a_catalog_image_launches_with_its_own_root_device_and_snapshot(ec2):
    (noble,) = ec2.describe_images(Owners=["099720109477"], Filters=[
        {"Name": "name", "Values": ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]}])["Images"]
    image_root = noble["BlockDeviceMappings"][0]
    assert (noble["RootDeviceName"], image_root["DeviceName"]) == ("/dev/sda1", "/dev/sda1")
    mappings = [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 20}},
                {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 5, "DeleteOnTermination": False}}]
    instance = ec2.run_instances(ImageId=noble["ImageId"], MinCount=1, MaxCount=1,
                                 BlockDeviceMappings=mappings)["Instances"][0]
    assert instance["RootDeviceName"] == "/dev/sda1"
    volumes = {v["Attachments"][0]["Device"]: v for v in volumes_of(ec2, instance["InstanceId"])}
    assert sorted(volumes) == ["/dev/sda1", "/dev/sdf"], "the /dev/sda1 mapping reshapes the root, it adds none"
    root = volumes["/dev/sda1"]
    assert (root["Size"], root["VolumeType"], root["Iops"], root["Throughput"]) == (20, "gp3", 3000, 125)
    assert root["SnapshotId"] == image_root["Ebs"]["SnapshotId"]
    assert root["Attachments"][0]["DeleteOnTermination"] is True
    assert volumes["/dev/sdf"]["SnapshotId"] == "" and volumes["/dev/sdf"]["Attachments"][0]["DeleteOnTermination"] is False
    # Positive control: an image outside the catalog keeps the /dev/xvda root, made from no snapshot.
    other = launch(ec2)
    (plain,) = volumes_of(ec2, other["InstanceId"])
    assert (plain["Attachments"][0]["Device"], plain["SnapshotId"]) == ("/dev/xvda", "")


def test_block_device_mappings_need_ebs_a_size_and_an_empty_no_device(ec2):
    with ec2_error("MissingParameter", "The request must contain the parameter ebs"):
        launch(ec2, BlockDeviceMappings=[{"DeviceName": "/dev/sdf"}])
    with ec2_error("MissingParameter", "The request must contain the parameter size or snapshotId"):
        launch(ec2, BlockDeviceMappings=[{"DeviceName": "/dev/sdf", "Ebs": {"VolumeType": "standard"}}])
    with ec2_error("InvalidRequest", "The request received was invalid."):
        launch(ec2, BlockDeviceMappings=[{"DeviceName": "/dev/sdf", "NoDevice": "yes"}])
    assert ec2.describe_instances()["Reservations"] == [], "a refused launch leaves nothing behind"
    # An empty NoDevice suppresses the device, an instance store mapping needs no Ebs; the root volume stays.
    instance = launch(ec2, BlockDeviceMappings=[{"DeviceName": "/dev/sdf", "NoDevice": ""},
                                                {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}])
    (reservation,) = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"]
    assert [m["DeviceName"] for m in reservation["Instances"][0]["BlockDeviceMappings"]] == ["/dev/xvda"]


def test_modify_delete_on_termination_and_detach_from_the_wrong_device(ec2, aws):
    instance = launch(ec2, BlockDeviceMappings=[{"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 5}}])
    iid = instance["InstanceId"]

    def delete_on_termination():
        (reservation,) = ec2.describe_instances(InstanceIds=[iid])["Reservations"]
        return {m["DeviceName"]: m["Ebs"]["DeleteOnTermination"] for m in reservation["Instances"][0]["BlockDeviceMappings"]}

    assert delete_on_termination() == {"/dev/xvda": True, "/dev/sdf": True}
    ec2.modify_instance_attribute(InstanceId=iid, BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"DeleteOnTermination": False}}])
    assert delete_on_termination() == {"/dev/xvda": False, "/dev/sdf": True}
    attribute = ec2.describe_instance_attribute(InstanceId=iid, Attribute="blockDeviceMapping")
    assert {m["DeviceName"]: m["Ebs"]["DeleteOnTermination"] for m in attribute["BlockDeviceMappings"]} == \
        {"/dev/xvda": False, "/dev/sdf": True}
    aws("ec2", "modify-instance-attribute", "--instance-id", iid, "--block-device-mappings",
        '[{"DeviceName": "/dev/sdf", "Ebs": {"DeleteOnTermination": false}}]').ok()
    assert delete_on_termination() == {"/dev/xvda": False, "/dev/sdf": False}
    with ec2_error("InvalidInstanceAttributeValue", "No device named /dev/sdz is mapped to the specified instance."):
        ec2.modify_instance_attribute(InstanceId=iid, BlockDeviceMappings=[
            {"DeviceName": "/dev/sdz", "Ebs": {"DeleteOnTermination": True}}])
    data = [v["VolumeId"] for v in volumes_of(ec2, iid) if v["Attachments"][0]["Device"] == "/dev/sdf"][0]
    with ec2_error("InvalidAttachment.NotFound", f"The volume {data} is not attached to instance {iid} as device /dev/sdg"):
        ec2.detach_volume(VolumeId=data, Device="/dev/sdg")
    # Both volumes are now kept when the instance goes.
    ec2.terminate_instances(InstanceIds=[iid])
    left = ec2.describe_volumes()["Volumes"]
    assert sorted((v["Size"], v["State"]) for v in left) == [(5, "available"), (8, "available")]
