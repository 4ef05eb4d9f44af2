"""IPv6 addresses of the interfaces a launch creates (part 2 §16.1): RunInstances' `NetworkInterface.N` with
`Ipv6AddressCount` / `Ipv6Addresses.M.Ipv6Address`, directly and from a launch template, with the instance type's
per-interface limit and the refusals the flat parameters already give."""
import re

from helpers import create_subnet, ec2_error

AMI = "ami-12345678"
SUBNET_BLOCK = "2600:1f21:0:1::/64"


def dual_stack_subnet(ec2, assign_on_creation=False):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24",
                                  Ipv6CidrBlock=SUBNET_BLOCK)["Subnet"]["SubnetId"]
    if assign_on_creation:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, AssignIpv6AddressOnCreation={"Value": True})
    return vpc_id, subnet_id


def launch(ec2, interfaces, instance_type="t3.micro", **kw):
    answer = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType=instance_type,
                               NetworkInterfaces=interfaces, **kw)
    (instance,) = answer["Instances"]
    return instance


def ipv6_by_device(instance):
    interfaces = sorted(instance["NetworkInterfaces"], key=lambda i: i["Attachment"]["DeviceIndex"])
    return [[a["Ipv6Address"] for a in interface["Ipv6Addresses"]] for interface in interfaces]


def test_each_interface_of_a_launch_gets_its_ipv6_addresses(ec2):
    _, subnet_id = dual_stack_subnet(ec2)
    instance = launch(ec2, [
        {"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv6AddressCount": 2},
        {"DeviceIndex": 1, "SubnetId": subnet_id, "Ipv6Addresses": [{"Ipv6Address": "2600:1f21:0:1::99"}]},
    ])
    assert ipv6_by_device(instance) == [["2600:1f21:0:1::4", "2600:1f21:0:1::5"], ["2600:1f21:0:1::99"]]
    assert instance["Ipv6Address"] == "2600:1f21:0:1::4"
    (described,) = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"]
    assert ipv6_by_device(described) == [["2600:1f21:0:1::4", "2600:1f21:0:1::5"], ["2600:1f21:0:1::99"]]
    assert described["NetworkInterfaces"][0]["Ipv6Addresses"][0] == {
        "Ipv6Address": "2600:1f21:0:1::4", "IsPrimaryIpv6": False}
    found = ec2.describe_instances(
        Filters=[{"Name": "network-interface.ipv6-addresses.ipv6-address", "Values": ["2600:1f21:0:1::99"]}])
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [instance["InstanceId"]]
    # A named address is taken: the next launch naming it is refused.
    with ec2_error("InvalidIPAddress.InUse", "Address 2600:1f21:0:1::99 is in use."):
        launch(ec2, [{"DeviceIndex": 0, "SubnetId": subnet_id,
                      "Ipv6Addresses": [{"Ipv6Address": "2600:1f21:0:1::99"}]}])


def test_an_interface_without_ipv6_parameters_follows_its_subnet(ec2):
    vpc_id, auto_id = dual_stack_subnet(ec2, assign_on_creation=True)
    plain_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24",
                                 Ipv6CidrBlock="2600:1f21:0:2::/64")["Subnet"]["SubnetId"]
    instance = launch(ec2, [{"DeviceIndex": 0, "SubnetId": plain_id},
                            {"DeviceIndex": 1, "SubnetId": auto_id}])
    # Device 0's subnet does not assign on creation; device 1's does.
    assert ipv6_by_device(instance) == [[], ["2600:1f21:0:1::4"]]
    assert "Ipv6Address" not in instance


def test_the_instance_types_limit_holds_per_interface(ec2):
    _, subnet_id = dual_stack_subnet(ec2)
    # t3.micro: 2 IPv6 addresses per interface.
    with ec2_error("Ipv6AddressLimitExceeded") as refused:
        launch(ec2, [{"DeviceIndex": 0, "SubnetId": subnet_id},
                     {"DeviceIndex": 1, "SubnetId": subnet_id, "Ipv6AddressCount": 3}])
    message = refused.value.response["Error"]["Message"]
    assert re.fullmatch(r"Network interface eni-[0-9a-f]{17} may hold at most 2 IPv6 addresses\.", message), message
    # Nothing of the refused launch remains.
    listed = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])
    assert listed["NetworkInterfaces"] == []
    # Positive control: the limit itself is accepted, and a larger type takes more.
    instance = launch(ec2, [{"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv6AddressCount": 2}])
    assert ipv6_by_device(instance) == [["2600:1f21:0:1::4", "2600:1f21:0:1::5"]]
    larger = launch(ec2, [{"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv6AddressCount": 3}], "m5.large")
    assert ipv6_by_device(larger) == [["2600:1f21:0:1::6", "2600:1f21:0:1::7", "2600:1f21:0:1::8"]]


def test_ipv6_parameters_of_an_interface_are_checked(ec2):
    vpc_id, subnet_id = dual_stack_subnet(ec2)
    plain_id = create_subnet(ec2, vpc_id, "10.0.3.0/24")["SubnetId"]
    with ec2_error("InvalidParameterValue",
                   f"The subnet {plain_id} has no IPv6 CIDR block, so its network interfaces cannot have IPv6 "
                   "addresses."):
        launch(ec2, [{"DeviceIndex": 0, "SubnetId": plain_id, "Ipv6AddressCount": 1}])
    with ec2_error("InvalidParameterValue",
                   "The IPv6 address 2600:1f21:0:1::2 is not a usable address of the subnet's IPv6 CIDR block."):
        launch(ec2, [{"DeviceIndex": 0, "SubnetId": subnet_id,
                      "Ipv6Addresses": [{"Ipv6Address": "2600:1f21:0:1::2"}]}])
    with ec2_error("InvalidParameterCombination", "Only one of ipv6AddressCount and ipv6Addresses may be specified."):
        launch(ec2, [{"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv6AddressCount": 1,
                      "Ipv6Addresses": [{"Ipv6Address": "2600:1f21:0:1::10"}]}])
    with ec2_error("InvalidParameterCombination",
                   "Network interfaces and an instance-level IPv6 address may not be specified on the same request"):
        launch(ec2, [{"DeviceIndex": 0, "SubnetId": subnet_id}], Ipv6AddressCount=1)
    with ec2_error("InvalidParameterCombination",
                   "A private IP address can only be specified when launching a single instance."):
        ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv6Addresses": [{"Ipv6Address": "2600:1f21:0:1::10"}]}])
    existing = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    with ec2_error("InvalidParameterCombination",
                   "A network interface ID and IPv6 addresses may not be specified for the same network interface"):
        launch(ec2, [{"DeviceIndex": 0, "NetworkInterfaceId": existing, "Ipv6AddressCount": 1}])
    # Positive control: a count for several instances gives each its own addresses.
    answer = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, InstanceType="t3.micro", NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv6AddressCount": 1}])
    assert [ipv6_by_device(i) for i in answer["Instances"]] == [[["2600:1f21:0:1::4"]], [["2600:1f21:0:1::5"]]]


def test_a_launch_templates_interfaces_carry_ipv6_addresses(ec2):
    _, subnet_id = dual_stack_subnet(ec2)
    template = ec2.create_launch_template(LaunchTemplateName="dual-stack", LaunchTemplateData={
        "ImageId": AMI, "InstanceType": "t3.micro",
        "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": subnet_id, "Ipv6AddressCount": 2}]})
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=template_id)["LaunchTemplateVersions"]
    (interface,) = versions[0]["LaunchTemplateData"]["NetworkInterfaces"]
    assert (interface["DeviceIndex"], interface["SubnetId"], interface["Ipv6AddressCount"]) == (0, subnet_id, 2)
    answer = ec2.run_instances(MinCount=1, MaxCount=1, LaunchTemplate={"LaunchTemplateId": template_id})
    (instance,) = answer["Instances"]
    assert ipv6_by_device(instance) == [["2600:1f21:0:1::4", "2600:1f21:0:1::5"]]

    named = ec2.create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData={
        "ImageId": AMI, "InstanceType": "t3.micro",
        "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": subnet_id,
                               "Ipv6Addresses": [{"Ipv6Address": "2600:1f21:0:1::abc"}]}]})
    version = str(named["LaunchTemplateVersion"]["VersionNumber"])
    data = named["LaunchTemplateVersion"]["LaunchTemplateData"]
    assert data["NetworkInterfaces"][0]["Ipv6Addresses"] == [{"Ipv6Address": "2600:1f21:0:1::abc"}]
    answer = ec2.run_instances(MinCount=1, MaxCount=1,
                               LaunchTemplate={"LaunchTemplateId": template_id, "Version": version})
    (instance,) = answer["Instances"]
    assert ipv6_by_device(instance) == [["2600:1f21:0:1::abc"]]
