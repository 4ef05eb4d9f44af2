"""The web console's instance, Elastic IP and key pair pages, driven in Chromium by clicks: "Launch instances" into a
subnet with auto-assign public IP enabled (RunInstances with `NetworkInterface.1.*`), the list and details, Stop /
Start / Terminate with AWS's refusal of a protected instance, "Allocate" / "Associate" / "Disassociate" / "Release"
of an Elastic IP (release refused while associated), and "Create key pair" showing the private key once. Each
change is checked through boto3, and each expected refusal is first asked of the server through boto3."""
import botocore.exceptions
import pytest

from helpers import create_igw, create_subnet, create_vpc


def refusal_of(call, **kwargs) -> tuple[str, str]:
    """What the EC2 API answers an SDK for this call (which must be refused)."""
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def instance(ec2, instance_id: str) -> dict:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def network(ec2, cidr: str = "10.40.0.0/16", subnet_cidr: str = "10.40.1.0/24") -> tuple[str, str]:
    """A VPC with an attached internet gateway and one subnet."""
    vpc = create_vpc(ec2, cidr, Name="app")["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    subnet = create_subnet(ec2, vpc, subnet_cidr, Name="app-public")["SubnetId"]
    return vpc, subnet


def default_image(ec2) -> dict:
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-2023.*-x86_64"]}])
    return max(images["Images"], key=lambda image: image["CreationDate"])


def test_launch_instance_by_the_form_with_a_public_ip(console, ec2):
    vpc, subnet = network(ec2)
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.create_key_pair(KeyName="deployer")
    console.open("/console/instances").link("Launch instances")
    image = default_image(ec2)
    assert console.el("image").get_attribute("value") == image["ImageId"]
    assert console.el("instance-type").get_attribute("value") == "t3.micro"
    assert console.el("key-name").get_attribute("value") == ""
    console.fill("name", "web-1").choose("key-name", "deployer")
    console.choose("vpc", vpc).choose("subnet", subnet).choose("auto-assign", "enable").click(f"sg-{sg}")
    # The script narrows the groups to the chosen VPC's.
    default_vpc_group = next(g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]
                             if g["VpcId"] != vpc)
    assert not console.el(f"sg-{default_vpc_group}").is_displayed()
    console.shot("launch-form")
    console.click("launch-instance")

    banner = console.notice()
    (launched,) = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["web-1"]}])["Reservations"][0]["Instances"]
    instance_id = launched["InstanceId"]
    assert banner == f"Successfully initiated launch of instance ({instance_id})"
    assert launched["State"]["Name"] == "running"
    assert launched["SubnetId"] == subnet and launched["VpcId"] == vpc
    assert [g["GroupId"] for g in launched["SecurityGroups"]] == [sg]
    assert (launched["KeyName"], launched["InstanceType"], launched["ImageId"]) == ("deployer", "t3.micro", image["ImageId"])
    public_ip = launched["PublicIpAddress"]
    row = next(row for row in console.rows() if row[1] == instance_id)
    assert row == ["web-1", instance_id, "Running", "t3.micro", launched["Placement"]["AvailabilityZone"], public_ip,
                   launched["PrivateIpAddress"], vpc, subnet, "deployer"]
    console.shot("instances-list")

    console.link(instance_id)
    text = console.text()
    assert f"Instance summary for {instance_id} (web-1)" in text
    assert public_ip in text and launched["PrivateDnsName"] in text
    assert f"{sg} (web)" in text
    console.open(f"/console/instances/{instance_id}?tab=networking")
    assert console.rows() == [[launched["NetworkInterfaces"][0]["NetworkInterfaceId"], "–", "0",
                               launched["PrivateIpAddress"], public_ip, subnet, sg]]


def test_launch_refusal_keeps_the_form(console, ec2):
    vpc, subnet = network(ec2, "10.41.0.0/16", "10.41.1.0/24")
    other_vpc = create_vpc(ec2, "10.42.0.0/16")["VpcId"]
    foreign = ec2.create_security_group(GroupName="other", Description="other", VpcId=other_vpc)["GroupId"]
    image = default_image(ec2)["ImageId"]
    expected = refusal_of(ec2.run_instances, ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                          SubnetId=subnet, SecurityGroupIds=[foreign])
    # The script shows the chosen VPC's groups only; without it the form could send another VPC's, and AWS decides.
    console.open("/console/instances/launch").fill("name", "bad").choose("vpc", vpc).choose("subnet", subnet)
    console.driver.execute_script("document.getElementById(arguments[0]).closest('label').hidden = false;", f"sg-{foreign}")
    console.click(f"sg-{foreign}").click("launch-instance")
    assert console.error() == expected
    assert console.el("name").get_attribute("value") == "bad"
    assert console.el(f"sg-{foreign}").is_selected()
    assert not ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["bad"]}])["Reservations"]


def test_stop_start_and_terminate_with_awss_refusal_of_a_protected_instance(console, ec2):
    vpc, subnet = network(ec2, "10.43.0.0/16", "10.43.1.0/24")
    launched = ec2.run_instances(ImageId=default_image(ec2)["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                 NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet,
                                                     "AssociatePublicIpAddress": True}])["Instances"][0]
    instance_id = launched["InstanceId"]
    first_ip = instance(ec2, instance_id)["PublicIpAddress"]
    console.open(f"/console/instances/{instance_id}")
    assert console.css(".badge[data-state]")[0].text == "Running"
    console.click("stop-instance")
    assert console.notice() == f"Successfully stopped {instance_id}"
    assert instance(ec2, instance_id)["State"]["Name"] == "stopped"
    assert console.css(".badge[data-state]")[0].text == "Stopped"
    assert first_ip not in console.text()
    assert not console.el("stop-instance").is_enabled()

    console.click("start-instance")
    assert console.notice() == f"Successfully started {instance_id}"
    started = instance(ec2, instance_id)
    assert started["State"]["Name"] == "running"
    assert started["PublicIpAddress"] in console.text()

    console.click("reboot-instance")
    assert console.notice() == f"Successfully rebooted {instance_id}"

    ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": True})
    expected = refusal_of(ec2.terminate_instances, InstanceIds=[instance_id])
    assert expected[0] == "OperationNotPermitted"
    console.click("terminate-instance")
    assert console.error() == expected
    assert instance(ec2, instance_id)["State"]["Name"] == "running"

    ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": False})
    console.click("terminate-instance")
    assert console.notice() == f"Successfully initiated termination of {instance_id}"
    assert instance(ec2, instance_id)["State"]["Name"] == "terminated"
    console.open("/console/instances")
    row = next(row for row in console.rows() if row[1] == instance_id)
    assert row[2] == "Terminated" and row[5:7] == ["–", "–"]


def test_elastic_ip_allocate_associate_refused_release_disassociate_release(console, ec2):
    vpc, subnet = network(ec2, "10.44.0.0/16", "10.44.1.0/24")
    launched = ec2.run_instances(ImageId=default_image(ec2)["ImageId"], InstanceType="t3.micro", MinCount=1,
                                 MaxCount=1, SubnetId=subnet)["Instances"][0]
    instance_id = launched["InstanceId"]
    console.open("/console/elastic-ips").link("Allocate Elastic IP address").click("allocate-address")
    (address,) = ec2.describe_addresses()["Addresses"]
    ip, allocation = address["PublicIp"], address["AllocationId"]
    assert console.notice() == f"Elastic IP address allocated successfully. Elastic IP address {ip}"
    assert address["Domain"] == "vpc"
    assert console.rows() == [["–", ip, "Public IP", allocation, "–", "–", "–", "us-east-1"]]

    console.link(ip).click("associate-address").choose("instance", instance_id).click("submit-associate")
    (address,) = ec2.describe_addresses()["Addresses"]
    assert address["InstanceId"] == instance_id
    assert console.notice() == f"Elastic IP address associated successfully. Association ID {address['AssociationId']}"
    assert console.rows() == [["–", ip, "Public IP", allocation, instance_id, launched["PrivateIpAddress"],
                               address["AssociationId"], "us-east-1"]]
    assert instance(ec2, instance_id)["PublicIpAddress"] == ip
    console.shot("elastic-ips-list")

    expected = refusal_of(ec2.release_address, AllocationId=allocation)
    assert expected[0] == "InvalidIPAddress.InUse"
    console.link(ip).click("release-address")
    assert console.error() == expected
    assert len(ec2.describe_addresses()["Addresses"]) == 1

    console.click("disassociate-address")
    assert console.notice() == f"Elastic IP address disassociated successfully. Elastic IP address {ip}"
    assert "AssociationId" not in ec2.describe_addresses()["Addresses"][0]
    console.click("release-address")
    assert console.notice() == f"Elastic IP address released successfully. Allocation ID {allocation}"
    assert ec2.describe_addresses()["Addresses"] == []
    assert console.rows() == []


def test_associate_refusal_is_awss(console, ec2):
    vpc = create_vpc(ec2, "10.45.0.0/16")["VpcId"]  # no internet gateway
    subnet = create_subnet(ec2, vpc, "10.45.1.0/24")["SubnetId"]
    instance_id = ec2.run_instances(ImageId=default_image(ec2)["ImageId"], MinCount=1, MaxCount=1,
                                    SubnetId=subnet)["Instances"][0]["InstanceId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    expected = refusal_of(ec2.associate_address, AllocationId=allocation, InstanceId=instance_id)
    console.open(f"/console/elastic-ips/{allocation}/associate").choose("instance", instance_id).click("submit-associate")
    assert console.error() == expected
    assert console.el("instance").get_attribute("value") == instance_id
    assert "AssociationId" not in ec2.describe_addresses()["Addresses"][0]


def test_create_key_pair_shows_the_private_key_once(console, ec2):
    console.open("/console/key-pairs").link("Create key pair")
    console.fill("key-name", "console-key").click("submit-create-key-pair")
    assert console.notice() == "Successfully created key pair console-key"
    material = console.el("private-key").text
    assert material.startswith("-----BEGIN")
    download = console.el("download-key")
    filename, href = download.get_attribute("download"), download.get_attribute("href")
    assert filename == "console-key.pem"
    assert href.startswith("data:application/x-pem-file;base64,")
    (key,) = ec2.describe_key_pairs(KeyNames=["console-key"], IncludePublicKey=True)["KeyPairs"]
    assert key["KeyType"] == "rsa"

    console.open("/console/key-pairs")
    assert console.rows() == [["console-key", "rsa", console.rows()[0][2], key["KeyFingerprint"], key["KeyPairId"], "Delete"]]
    assert "BEGIN" not in console.driver.page_source  # never shown again

    # The same name again: AWS's refusal, the form kept.
    expected = refusal_of(ec2.create_key_pair, KeyName="console-key")
    console.link("Create key pair").fill("key-name", "console-key").click("type-ed25519").click("submit-create-key-pair")
    assert console.error() == expected
    assert console.el("type-ed25519").is_selected()

    # Import the public half under another name, then delete both by clicks.
    console.open("/console/key-pairs").click("import-key-pair")
    console.fill("key-name", "imported").fill("public-key", key["PublicKey"]).click("submit-import-key-pair")
    assert console.notice() == "Successfully imported key pair imported"
    imported = ec2.describe_key_pairs(KeyNames=["imported"])["KeyPairs"][0]
    assert imported["KeyType"] == "rsa"
    console.click("delete-console-key")
    assert console.notice() == "Successfully deleted key pair console-key"
    console.click("delete-imported")
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_associate_to_a_network_interface_at_its_address(console, ec2):
    vpc, subnet = network(ec2, "10.46.0.0/16", "10.46.1.0/24")
    eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.46.1.20")["NetworkInterface"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    # An address the interface does not have is refused with the API's words, and nothing is associated.
    expected = refusal_of(ec2.associate_address, AllocationId=allocation,
                          NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddress="10.46.1.99")
    console.open(f"/console/elastic-ips/{allocation}/associate").click("resource-network-interface")
    console.choose("network-interface", eni["NetworkInterfaceId"]).fill("private-ip", "10.46.1.99")
    console.click("submit-associate")
    assert console.error() == expected
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
    console.click("resource-network-interface").choose("network-interface", eni["NetworkInterfaceId"])
    console.fill("private-ip", "10.46.1.20").click("submit-associate")
    assert console.error() is None, console.error()
    (address,) = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]
    assert (address["NetworkInterfaceId"], address["PrivateIpAddress"]) == (eni["NetworkInterfaceId"], "10.46.1.20")
