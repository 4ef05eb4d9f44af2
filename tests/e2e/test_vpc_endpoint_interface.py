"""Interface VPC endpoints (part 2 §17.5): one requester-managed interface per subnet (one subnet per zone), the
VPC's default group unless groups are named, private DNS (which needs both DNS attributes of the VPC), the endpoint's
DNS names, Modify (subnets, groups, private DNS), Delete freeing the interfaces, and the traffic: inside the VPC the
service's public name resolves to the interfaces, which answer HTTPS under their security groups."""
import pytest

from helpers import ec2_error
from test_exec import AMI, REGION, localvpc  # noqa: F401  (the `localvpc` fixture runs the tools)

SSM = f"com.amazonaws.{REGION}.ssm"
SSM_NAME = f"ssm.{REGION}.amazonaws.com"


class Network:
    """VPC 10.40.0.0/16 with DNS hostnames on and subnets in zones a, b, c (and a second one in a)."""

    def __init__(self, ec2):
        self.ec2 = ec2
        self.vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=self.vpc, EnableDnsHostnames={"Value": True})
        self.subnets = {}
        for n, zone in enumerate("abc", start=1):
            self.subnets[zone] = ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"10.40.{n}.0/24",
                                                   AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        self.second_a = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.40.9.0/24",
                                          AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
        self.default_group = ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [self.vpc]}, {"Name": "group-name", "Values": ["default"]}])[
            "SecurityGroups"][0]["GroupId"]

    def create(self, zones="ab", **kw):
        return self.ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=self.vpc, ServiceName=SSM,
                                            SubnetIds=[self.subnets[z] for z in zones], **kw)["VpcEndpoint"]

    def described(self, vpce):
        return self.ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]

    def interfaces(self, vpce):
        found = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "vpc-id", "Values": [self.vpc]}, {"Name": "interface-type", "Values": ["vpc_endpoint"]}])
        return [i for i in found["NetworkInterfaces"] if i["Description"] == f"VPC Endpoint Interface {vpce}"]


@pytest.fixture
def net(client_factory):
    return Network(client_factory(region=REGION))


def test_create_makes_one_requester_managed_interface_per_subnet_with_the_default_group(net):
    made = net.create()
    vpce = made["VpcEndpointId"]
    assert (made["VpcEndpointType"], made["State"], made["ServiceName"]) == ("Interface", "pending", SSM)
    assert made["SubnetIds"] == [net.subnets["a"], net.subnets["b"]]
    assert made["Groups"] == [{"GroupId": net.default_group, "GroupName": "default"}]
    assert (made["PrivateDnsEnabled"], made["RouteTableIds"]) == (True, [])
    names = [entry["DnsName"] for entry in made["DnsEntries"]]
    suffix = f"ssm.{REGION}.vpce.amazonaws.com"
    assert names[0].startswith(f"{vpce}-") and names[0].endswith(f".{suffix}"), names
    assert [n for n in names if n.endswith(f"-{REGION}a.{suffix}") or n.endswith(f"-{REGION}b.{suffix}")] == names[1:3]
    assert names[3] == SSM_NAME
    described = net.described(vpce)
    assert described["State"] == "available"
    interfaces = net.interfaces(vpce)
    assert sorted(i["NetworkInterfaceId"] for i in interfaces) == sorted(made["NetworkInterfaceIds"])
    assert {(i["SubnetId"], i["RequesterManaged"], i["InterfaceType"]) for i in interfaces} == {
        (net.subnets["a"], True, "vpc_endpoint"), (net.subnets["b"], True, "vpc_endpoint")}
    assert all([g["GroupId"] for g in i["Groups"]] == [net.default_group] for i in interfaces)
    # A subnet holding an endpoint interface cannot be deleted.
    with ec2_error("DependencyViolation"):
        net.ec2.delete_subnet(SubnetId=net.subnets["a"])


def test_create_refuses_what_aws_refuses(net):
    with ec2_error("DuplicateSubnetsInSameZone"):
        net.ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=net.vpc, ServiceName=SSM,
                                    SubnetIds=[net.subnets["a"], net.second_a])
    with ec2_error("InvalidParameter", f"The Vpc Endpoint Service 'com.amazonaws.{REGION}.s3' does not support the "
                   "endpoint type Interface."):
        net.ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=net.vpc,
                                    ServiceName=f"com.amazonaws.{REGION}.s3", SubnetIds=[net.subnets["a"]])
    with ec2_error("InvalidParameter", f"The Vpc Endpoint Service '{SSM}' does not support the endpoint type "
                   "Gateway."):
        net.ec2.create_vpc_endpoint(VpcId=net.vpc, ServiceName=SSM)
    with ec2_error("InvalidParameter", "At least one subnet is required for an Interface endpoint."):
        net.ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=net.vpc, ServiceName=SSM)
    net.ec2.modify_vpc_attribute(VpcId=net.vpc, EnableDnsHostnames={"Value": False})
    with ec2_error("InvalidParameter", "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames "
                   f"VPC attributes set to true for {net.vpc}"):
        net.create()
    assert net.ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
    assert net.interfaces("vpce-any") == []
    # Positive control: without private DNS the same endpoint is made.
    made = net.create(PrivateDnsEnabled=False)
    assert made["PrivateDnsEnabled"] is False and len(made["NetworkInterfaceIds"]) == 2
    assert SSM_NAME not in [entry["DnsName"] for entry in made["DnsEntries"]]


def test_modify_moves_interfaces_and_groups_and_delete_frees_them(net):
    made = net.create(zones="a")
    vpce = made["VpcEndpointId"]
    group = net.ec2.create_security_group(GroupName="endpoint", Description="endpoint", VpcId=net.vpc)["GroupId"]
    changed = net.ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSubnetIds=[net.subnets["c"]],
                                          RemoveSubnetIds=[net.subnets["a"]], AddSecurityGroupIds=[group],
                                          RemoveSecurityGroupIds=[net.default_group])
    assert changed["Return"] is True
    after = net.described(vpce)
    assert after["SubnetIds"] == [net.subnets["c"]]
    assert after["Groups"] == [{"GroupId": group, "GroupName": "endpoint"}]
    interfaces = net.interfaces(vpce)
    assert [(i["SubnetId"], [g["GroupId"] for g in i["Groups"]]) for i in interfaces] == [(net.subnets["c"], [group])]
    assert after["NetworkInterfaceIds"] == [interfaces[0]["NetworkInterfaceId"]]
    with ec2_error("DuplicateSubnetsInSameZone"):
        net.ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSubnetIds=[net.subnets["a"], net.second_a])
    with ec2_error("InvalidParameter"):
        net.ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=["rtb-0123456789abcdef0"])
    net.ec2.modify_vpc_endpoint(VpcEndpointId=vpce, PrivateDnsEnabled=False)
    assert net.described(vpce)["PrivateDnsEnabled"] is False
    gone = net.ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    assert gone["Unsuccessful"] == []
    assert net.interfaces(vpce) == []
    # The subnet is free again.
    net.ec2.delete_subnet(SubnetId=net.subnets["c"])


def test_the_service_name_resolves_to_the_interfaces_inside_the_vpc_which_answer_https(net, localvpc):  # noqa: F811
    made = net.create(zones="a")
    address = net.interfaces(made["VpcEndpointId"])[0]["PrivateIpAddress"]
    instance = net.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=net.subnets["b"])[
        "Instances"][0]["InstanceId"]
    inside = localvpc("exec", instance, "--", "dig", "+short", SSM_NAME)
    assert inside.rc == 0 and inside.out.strip() == address, inside
    outside = localvpc("exec", "internet", "--", "dig", "+short", SSM_NAME)
    assert outside.out.strip() == "", outside
    connected = localvpc("exec", instance, "--", "nc", "-z", "-w", "1", SSM_NAME, "443")
    assert connected.rc == 0 and "succeeded" in connected.err, connected
    refused = localvpc("exec", instance, "--", "nc", "-z", "-w", "1", SSM_NAME, "80")
    assert refused.rc == 1 and "Connection refused" in refused.err, refused
    # The interface's security group decides: without the default group's self-reference nothing gets in.
    net.ec2.modify_vpc_endpoint(VpcEndpointId=made["VpcEndpointId"], AddSecurityGroupIds=[
        net.ec2.create_security_group(GroupName="closed", Description="closed", VpcId=net.vpc)["GroupId"]],
        RemoveSecurityGroupIds=[net.default_group])
    blocked = localvpc("exec", instance, "--", "nc", "-z", "-w", "1", SSM_NAME, "443")
    assert blocked.rc == 1 and "timed out" in blocked.err, blocked
    why = localvpc("explain", instance, address, "--protocol", "tcp", "--port", "443")
    assert "ENI_SG_RULES_MISMATCH" in why.out, why


def test_the_aws_cli_creates_and_deletes_an_interface_endpoint(net, aws):
    made = aws("ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", net.vpc,
               "--service-name", SSM, "--subnet-ids", net.subnets["a"], "--no-private-dns-enabled", region=REGION)
    assert made.rc == 0, made.stderr
    endpoint = made.json["VpcEndpoint"]
    assert (endpoint["VpcEndpointType"], endpoint["PrivateDnsEnabled"]) == ("Interface", False)
    listed = aws("ec2", "describe-vpc-endpoints", "--filters", "Name=vpc-endpoint-type,Values=Interface",
                 region=REGION)
    assert [e["VpcEndpointId"] for e in listed.json["VpcEndpoints"]] == [endpoint["VpcEndpointId"]]
    gone = aws("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids", endpoint["VpcEndpointId"], region=REGION)
    assert gone.json["Unsuccessful"] == []
