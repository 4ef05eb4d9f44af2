"""Part 2 §10.1 DescribeImages over the built-in catalog: the queries Terraform's `data "aws_ami"` and the aws CLI
send, owners, filters, paging and the errors."""
from __future__ import annotations

from helpers import cli_error, ec2_error

UNKNOWN_AMI = "ami-0123456789abcdef0"


def newest(images: list) -> dict:
    return max(images, key=lambda image: image["CreationDate"])


def test_terraform_aws_ami_most_recent_al2023(ec2):
    """Regression: DescribeImages was an unknown action, so `data "aws_ami"` could not be read."""
    images = ec2.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["al2023-ami-2023.*-x86_64"]},
        {"Name": "state", "Values": ["available"]},
        {"Name": "architecture", "Values": ["x86_64"]},
        {"Name": "virtualization-type", "Values": ["hvm"]},
        {"Name": "root-device-type", "Values": ["ebs"]},
    ])["Images"]
    assert sorted(i["Name"] for i in images) == ["al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
                                                 "al2023-ami-2023.9.20261110.0-kernel-6.1-x86_64"]
    image = newest(images)
    assert image["Name"] == "al2023-ami-2023.9.20261110.0-kernel-6.1-x86_64"
    assert (image["OwnerId"], image["ImageOwnerAlias"], image["State"], image["Public"]) == (
        "137112412989", "amazon", "available", True)
    assert image["ImageLocation"] == "amazon/" + image["Name"]
    assert (image["RootDeviceName"], image["RootDeviceType"], image["VirtualizationType"]) == (
        "/dev/xvda", "ebs", "hvm")
    assert image["BlockDeviceMappings"][0]["DeviceName"] == "/dev/xvda"
    ebs = image["BlockDeviceMappings"][0]["Ebs"]
    assert (ebs["VolumeType"], ebs["VolumeSize"], ebs["Iops"], ebs["Throughput"], ebs["DeleteOnTermination"]) == (
        "gp3", 8, 3000, 125, True)
    assert ebs["SnapshotId"].startswith("snap-")
    assert (image["EnaSupport"], image["BootMode"], image["ImdsSupport"]) == (True, "uefi-preferred", "v2.0")
    assert (image["PlatformDetails"], image["UsageOperation"]) == ("Linux/UNIX", "RunInstances")
    assert "Platform" not in image
    # Terraform then reads the image by ID, and the ID launches.
    (by_id,) = ec2.describe_images(ImageIds=[image["ImageId"]])["Images"]
    assert by_id == image
    launched = ec2.run_instances(ImageId=image["ImageId"], MinCount=1, MaxCount=1)["Instances"][0]
    assert launched["ImageId"] == image["ImageId"]


def test_catalog_families_owners_and_platforms(ec2, client_factory):
    everything = ec2.describe_images()["Images"]
    assert len(everything) == 12
    ubuntu = ec2.describe_images(Owners=["099720109477"], Filters=[
        {"Name": "name", "Values": ["ubuntu/images/hvm-ssd*/ubuntu-*-*-amd64-server-*"]}])["Images"]
    assert sorted(i["Name"].split("/")[-1].split("-")[1] for i in ubuntu) == ["jammy", "noble"]
    jammy = next(i for i in ubuntu if "jammy" in i["Name"])
    assert jammy["RootDeviceName"] == "/dev/sda1"
    assert [m.get("VirtualName") for m in jammy["BlockDeviceMappings"]] == [None, "ephemeral0", "ephemeral1"]
    debian = ec2.describe_images(Owners=["136693071363"])["Images"]
    assert sorted(i["Architecture"] for i in debian) == ["arm64", "x86_64"]
    assert all("ImageOwnerAlias" not in i for i in debian)
    windows = ec2.describe_images(Filters=[{"Name": "platform", "Values": ["windows"]}])["Images"]
    assert [(i["Platform"], i["PlatformDetails"], i["UsageOperation"], i["OwnerId"]) for i in windows] == [
        ("windows", "Windows", "RunInstances:0002", "801119661308")]
    arm = ec2.describe_images(Filters=[{"Name": "architecture", "Values": ["arm64"]}])["Images"]
    assert len(arm) == 5
    assert ec2.describe_images(Owners=["self"])["Images"] == []
    assert ec2.describe_images(Owners=["aws-marketplace"])["Images"] == []
    assert len(ec2.describe_images(ExecutableUsers=["all"])["Images"]) == 12
    # IDs are stable per Region and differ across Regions.
    west = client_factory(region="eu-west-1").describe_images()["Images"]
    assert {i["Name"] for i in west} == {i["Name"] for i in everything}
    assert not {i["ImageId"] for i in west} & {i["ImageId"] for i in everything}
    assert [i["ImageId"] for i in ec2.describe_images()["Images"]] == [i["ImageId"] for i in everything]


def test_describe_images_errors_and_paging(ec2):
    with ec2_error("InvalidAMIID.NotFound", f"The image id '[{UNKNOWN_AMI}]' does not exist"):
        ec2.describe_images(ImageIds=[UNKNOWN_AMI])
    with ec2_error("InvalidAMIID.Malformed", 'Invalid id: "ami-xyz" (expecting "ami-...")'):
        ec2.describe_images(ImageIds=["ami-xyz"])
    with ec2_error("InvalidUserID.Malformed"):
        ec2.describe_images(Owners=["nobody"])
    with ec2_error("InvalidParameterValue", "The filter 'no-such' is invalid"):
        ec2.describe_images(Filters=[{"Name": "no-such", "Values": ["x"]}])
    with ec2_error("DryRunOperation", status=412):
        ec2.describe_images(DryRun=True)
    first = ec2.describe_images(MaxResults=5)
    assert len(first["Images"]) == 5 and first["NextToken"]
    second = ec2.describe_images(MaxResults=5, NextToken=first["NextToken"])
    third = ec2.describe_images(MaxResults=5, NextToken=second["NextToken"])
    assert len(third["Images"]) == 2 and "NextToken" not in third
    assert len({i["ImageId"] for i in first["Images"] + second["Images"] + third["Images"]}) == 12


def test_describe_images_cli(aws):
    found = aws("ec2", "describe-images", "--owners", "amazon", "--filters",
                "Name=name,Values=amzn2-ami-kernel-5.10-hvm-2.0.*-x86_64-gp2",
                "--query", "sort_by(Images, &CreationDate)[-1].[ImageId,Name,RootDeviceName]").ok()
    assert found[1] == "amzn2-ami-kernel-5.10-hvm-2.0.20261103.0-x86_64-gp2"
    assert found[0].startswith("ami-") and found[2] == "/dev/xvda"
    cli_error(aws("ec2", "describe-images", "--image-ids", UNKNOWN_AMI), "InvalidAMIID.NotFound",
              f"The image id '[{UNKNOWN_AMI}]' does not exist")
