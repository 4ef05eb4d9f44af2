"""CreateDefaultSubnet: a /20 default subnet (public IPs on launch) in a zone of the default VPC that has none;
AWS's refusals when the zone has one or there is no default VPC."""
import ipaddress

from helpers import cli_error, ec2_error


def default_vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]


def default_subnets(ec2, vpc_id):
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {s["AvailabilityZone"]: s for s in subnets if s["DefaultForAz"]}


def test_recreate_a_deleted_default_subnet(ec2):
    vpc = default_vpc(ec2)
    before = default_subnets(ec2, vpc["VpcId"])
    zone = "us-east-1c"
    gone = before[zone]
    with ec2_error("DefaultSubnetAlreadyExistsInAvailabilityZone"):
        ec2.create_default_subnet(AvailabilityZone=zone)
    ec2.delete_subnet(SubnetId=gone["SubnetId"])
    made = ec2.create_default_subnet(AvailabilityZone=zone)["Subnet"]
    assert made["VpcId"] == vpc["VpcId"]
    assert made["AvailabilityZone"] == zone
    assert made["DefaultForAz"] is True and made["MapPublicIpOnLaunch"] is True
    block = ipaddress.ip_network(made["CidrBlock"])
    assert block.prefixlen == 20 and block.subnet_of(ipaddress.ip_network("172.31.0.0/16"))
    others = [ipaddress.ip_network(s["CidrBlock"]) for z, s in before.items() if z != zone]
    assert not any(block.overlaps(o) for o in others), "the new block is free in the default VPC"
    assert made["AvailableIpAddressCount"] == 4091
    after = default_subnets(ec2, vpc["VpcId"])
    assert after[zone]["SubnetId"] == made["SubnetId"] and len(after) == len(before)
    # An instance launched without a subnet in that zone lands in it with a public address.
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                 Placement={"AvailabilityZone": zone})["Instances"][0]
    assert instance["SubnetId"] == made["SubnetId"]


def test_refusals(ec2, client_factory):
    with ec2_error("InvalidParameterValue"):
        ec2.create_default_subnet(AvailabilityZone="us-east-1z")
    other = client_factory(key="333333333333")
    vpc = default_vpc(other)
    for subnet in other.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]:
        other.delete_subnet(SubnetId=subnet["SubnetId"])
    for igw in other.describe_internet_gateways()["InternetGateways"]:
        other.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc["VpcId"])
        other.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    other.delete_vpc(VpcId=vpc["VpcId"])
    with ec2_error("DefaultVpcDoesNotExist"):
        other.create_default_subnet(AvailabilityZone="us-east-1a")
    # Positive control: with a default VPC again, the same call works in a zone without a default subnet.
    other.create_default_vpc()
    vpc = default_vpc(other)
    zone_subnet = default_subnets(other, vpc["VpcId"])["us-east-1a"]
    other.delete_subnet(SubnetId=zone_subnet["SubnetId"])
    made = other.create_default_subnet(AvailabilityZone="us-east-1a")["Subnet"]
    assert (made["VpcId"], made["AvailabilityZone"], made["DefaultForAz"], made["MapPublicIpOnLaunch"]) == (
        vpc["VpcId"], "us-east-1a", True, True)
    assert made["CidrBlock"] == zone_subnet["CidrBlock"], "the freed /20 is the first free block again"


def test_cli(aws, ec2):
    taken = default_subnets(ec2, default_vpc(ec2)["VpcId"])["us-east-1a"]["SubnetId"]
    res = aws("ec2", "create-default-subnet", "--availability-zone", "us-east-1a")
    cli_error(res, "DefaultSubnetAlreadyExistsInAvailabilityZone",
              f"'{taken}' is already the default subnet in us-east-1a.")
