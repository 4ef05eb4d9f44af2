"""Issue 9 (response fidelity): which empty sets an answer carries, resource by resource, as real EC2 answers do.

The reference is recorded real EC2 responses (Cloud Custodian's placebo fixtures, botocore-parsed, 2016–2025):
an untagged VPC, subnet, security group, instance, Elastic IP, volume or launch template has no `Tags` key at all,
while an untagged internet gateway, route table, network ACL, network interface (`TagSet`), key pair (Describe) and
peering connection carries `Tags: []` — and tools depend on both (amazon.aws `ec2_vpc_igw` reads an IGW's `Tags`
unguarded). CreateVpc's answer carries empty `Tags` and `Ipv6CidrBlockAssociationSet`; DescribeVpcs leaves both
out, while every subnet carries an empty `Ipv6CidrBlockAssociationSet` and every interface an empty
`Ipv6Addresses`. Each case is checked untagged and, as the positive control, tagged.
"""
from helpers import create_igw, create_subnet, create_vpc, main_route_table, tag_spec


def _vpc_with_subnet(ec2):
    vpc = create_vpc(ec2)["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.0.1.0/24")["SubnetId"]
    return vpc, subnet


def test_vpc_answers_leave_out_empty_sets_on_describe_but_not_on_create(ec2, aws):
    created = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert created["Tags"] == [] and created["Ipv6CidrBlockAssociationSet"] == []
    described = ec2.describe_vpcs(VpcIds=[created["VpcId"]])["Vpcs"][0]
    assert "Tags" not in described and "Ipv6CidrBlockAssociationSet" not in described, described
    tagged = create_vpc(ec2, "10.1.0.0/16", Name="a")["VpcId"]
    assert ec2.describe_vpcs(VpcIds=[tagged])["Vpcs"][0]["Tags"] == [{"Key": "Name", "Value": "a"}]
    by_cli = aws("ec2", "describe-vpcs", "--vpc-ids", created["VpcId"], tagged).ok()["Vpcs"]
    by_id = {v["VpcId"]: v for v in by_cli}
    assert "Tags" not in by_id[created["VpcId"]] and by_id[tagged]["Tags"] == [{"Key": "Name", "Value": "a"}]


def test_subnet_has_tags_only_when_tagged_and_always_an_ipv6_set(ec2):
    vpc, plain = _vpc_with_subnet(ec2)
    created = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24",
                                TagSpecifications=tag_spec("subnet", Name="s"))["Subnet"]
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]}
    assert "Tags" not in subnets[plain]
    assert subnets[created["SubnetId"]]["Tags"] == [{"Key": "Name", "Value": "s"}]
    assert created["Tags"] == [{"Key": "Name", "Value": "s"}]
    assert all(s["Ipv6CidrBlockAssociationSet"] == [] for s in subnets.values())


def test_security_group_has_tags_only_when_tagged(ec2, aws):
    vpc = create_vpc(ec2)["VpcId"]
    plain = ec2.create_security_group(GroupName="plain", Description="d", VpcId=vpc)
    assert set(plain) - {"ResponseMetadata"} == {"GroupId", "SecurityGroupArn"}
    tagged = ec2.create_security_group(GroupName="tagged", Description="d", VpcId=vpc,
                                       TagSpecifications=tag_spec("security-group", team="net"))
    assert tagged["Tags"] == [{"Key": "team", "Value": "net"}]
    groups = {g["GroupId"]: g for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]}
    default = next(g for g in groups.values() if g["GroupName"] == "default")
    assert "Tags" not in groups[plain["GroupId"]] and "Tags" not in default
    assert groups[tagged["GroupId"]]["Tags"] == [{"Key": "team", "Value": "net"}]
    by_cli = aws("ec2", "create-security-group", "--group-name", "cli", "--description", "d",
                 "--vpc-id", vpc).ok()
    assert set(by_cli) == {"GroupId", "SecurityGroupArn"}


def test_gateway_route_table_and_acl_always_carry_tags(ec2):
    vpc = create_vpc(ec2)["VpcId"]
    igw = create_igw(ec2)["InternetGatewayId"]
    assert ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]["Tags"] == []
    assert main_route_table(ec2, vpc)["Tags"] == []
    acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"][0]
    assert acl["Tags"] == []
    ec2.create_tags(Resources=[igw, acl["NetworkAclId"]], Tags=[{"Key": "k", "Value": "v"}])
    assert ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]["Tags"] == [
        {"Key": "k", "Value": "v"}]
    acl = ec2.describe_network_acls(NetworkAclIds=[acl["NetworkAclId"]])["NetworkAcls"][0]
    assert acl["Tags"] == [{"Key": "k", "Value": "v"}]


def test_interfaces_carry_tag_and_ipv6_sets_instances_and_addresses_do_not(ec2):
    _, subnet = _vpc_with_subnet(ec2)
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    assert eni["TagSet"] == [] and eni["Ipv6Addresses"] == []
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    assert described["NetworkInterfaces"][0]["TagSet"] == []
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    assert "Tags" not in instance
    assert instance["NetworkInterfaces"][0]["Ipv6Addresses"] == []
    plain_eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    tagged_eip = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Name="e"))
    addresses = {a["AllocationId"]: a for a in ec2.describe_addresses()["Addresses"]}
    assert "Tags" not in addresses[plain_eip]
    assert addresses[tagged_eip["AllocationId"]]["Tags"] == [{"Key": "Name", "Value": "e"}]
