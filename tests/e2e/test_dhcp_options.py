"""Part 2 §12 DHCP options sets: Create/Describe/Delete/Associate with boto3 and the aws CLI, each VPC's
`dhcpOptionsId`, and what a set changes for the instances' DNS (`localvpc exec … nslookup`)."""
from __future__ import annotations

import subprocess

import pytest

from helpers import DEFAULT_ACCOUNT, assert_id, cli_error, create_vpc, ec2_error, tag_spec, tags_of
from test_exec import binary, tool_env

UNKNOWN_DOPT = "dopt-0123456789abcdef0"


def config(options: dict) -> list:
    return [{"Key": key, "Values": values} for key, values in options.items()]


def as_dict(dhcp_options: dict) -> dict:
    return {c["Key"]: [v["Value"] for v in c["Values"]] for c in dhcp_options["DhcpConfigurations"]}


def test_create_and_describe_dhcp_options_boto3(ec2):
    created = ec2.create_dhcp_options(
        DhcpConfigurations=config({"domain-name": ["corp.example"], "domain-name-servers": ["10.0.0.6", "10.0.0.7"],
                                   "ntp-servers": ["169.254.169.123"], "netbios-node-type": ["2"]}),
        TagSpecifications=tag_spec("dhcp-options", Name="corp"))["DhcpOptions"]
    assert_id(created["DhcpOptionsId"], "dopt")
    assert created["OwnerId"] == DEFAULT_ACCOUNT
    assert as_dict(created) == {"domain-name": ["corp.example"], "domain-name-servers": ["10.0.0.6", "10.0.0.7"],
                                "ntp-servers": ["169.254.169.123"], "netbios-node-type": ["2"]}
    assert tags_of(created) == {"Name": "corp"}
    (described,) = ec2.describe_dhcp_options(DhcpOptionsIds=[created["DhcpOptionsId"]])["DhcpOptions"]
    assert described == created
    by_value = ec2.describe_dhcp_options(Filters=[{"Name": "value", "Values": ["10.0.0.7"]}])["DhcpOptions"]
    assert [d["DhcpOptionsId"] for d in by_value] == [created["DhcpOptionsId"]]
    by_tag = ec2.describe_dhcp_options(Filters=[{"Name": "tag:Name", "Values": ["corp"]}])["DhcpOptions"]
    assert [d["DhcpOptionsId"] for d in by_tag] == [created["DhcpOptionsId"]]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [created["DhcpOptionsId"]]}])["Tags"]
    assert tags == [{"Key": "Name", "ResourceId": created["DhcpOptionsId"], "ResourceType": "dhcp-options",
                     "Value": "corp"}]


def test_every_region_has_a_default_set_that_vpcs_start_with(ec2, client_factory):
    """Regression: DescribeDhcpOptions was an unknown action and the `dopt-` every VPC named did not exist."""
    (default_vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    vpc = create_vpc(ec2)
    assert vpc["DhcpOptionsId"] == default_vpc["DhcpOptionsId"]
    (default_set,) = ec2.describe_dhcp_options(DhcpOptionsIds=[vpc["DhcpOptionsId"]])["DhcpOptions"]
    assert as_dict(default_set) == {"domain-name": ["ec2.internal"], "domain-name-servers": ["AmazonProvidedDNS"]}
    west = client_factory(region="eu-west-1")
    (west_set,) = west.describe_dhcp_options()["DhcpOptions"]
    assert as_dict(west_set) == {"domain-name": ["eu-west-1.compute.internal"],
                                 "domain-name-servers": ["AmazonProvidedDNS"]}
    # Sets are per account and Region.
    with ec2_error("InvalidDhcpOptionID.NotFound", f"The dhcpOption ID '{west_set['DhcpOptionsId']}' does not exist"):
        ec2.describe_dhcp_options(DhcpOptionsIds=[west_set["DhcpOptionsId"]])


def test_associate_a_set_and_default_then_delete(ec2):
    vpc = create_vpc(ec2)["VpcId"]
    dopt = ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": ["corp.example"]}))["DhcpOptions"]
    dopt_id = dopt["DhcpOptionsId"]
    assert ec2.associate_dhcp_options(DhcpOptionsId=dopt_id, VpcId=vpc)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["DhcpOptionsId"] == dopt_id
    by_filter = ec2.describe_vpcs(Filters=[{"Name": "dhcp-options-id", "Values": [dopt_id]}])["Vpcs"]
    assert [v["VpcId"] for v in by_filter] == [vpc]
    with ec2_error("DependencyViolation", f"The dhcpOptions '{dopt_id}' has dependencies and cannot be deleted."):
        ec2.delete_dhcp_options(DhcpOptionsId=dopt_id)
    assert ec2.describe_dhcp_options(DhcpOptionsIds=[dopt_id])["DhcpOptions"][0]["DhcpOptionsId"] == dopt_id
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc)
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["DhcpOptionsId"] == "default"
    ec2.delete_dhcp_options(DhcpOptionsId=dopt_id)
    with ec2_error("InvalidDhcpOptionID.NotFound", f"The dhcpOption ID '{dopt_id}' does not exist"):
        ec2.describe_dhcp_options(DhcpOptionsIds=[dopt_id])


def test_dhcp_errors(ec2):
    vpc = create_vpc(ec2)["VpcId"]
    with ec2_error("InvalidDhcpOptionID.NotFound"):
        ec2.associate_dhcp_options(DhcpOptionsId=UNKNOWN_DOPT, VpcId=vpc)
    dopt = ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": ["a.example"]}))["DhcpOptions"]
    with ec2_error("InvalidVpcID.NotFound"):
        ec2.associate_dhcp_options(DhcpOptionsId=dopt["DhcpOptionsId"], VpcId="vpc-0123456789abcdef0")
    with ec2_error("InvalidDhcpOptionsId.Malformed"):
        ec2.delete_dhcp_options(DhcpOptionsId="foo-abcd1234")
    with ec2_error("InvalidDhcpOptionID.NotFound"):
        ec2.delete_dhcp_options(DhcpOptionsId=UNKNOWN_DOPT)
    with ec2_error("InvalidParameterValue", "Value (0) for parameter netbios-node-type is invalid."):
        ec2.create_dhcp_options(DhcpConfigurations=config({"netbios-node-type": ["0"]}))
    with ec2_error("InvalidParameterValue"):
        ec2.create_dhcp_options(DhcpConfigurations=config({"ntp-servers": ["f"] * 5}))
    with ec2_error("InvalidParameterValue", "Value (not-an-ip) for parameter domain-name-servers is invalid."):
        ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name-servers": ["not-an-ip"]}))
    with ec2_error("InvalidParameterValue", "Value (routers) for parameter key is invalid. Unknown DHCP option"):
        ec2.create_dhcp_options(DhcpConfigurations=config({"routers": ["10.0.0.1"]}))
    with ec2_error("InvalidParameterValue", "The filter 'no-such-filter' is invalid"):
        ec2.describe_dhcp_options(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    # Positive control: the same keys with valid values are accepted, and nothing refused was stored.
    ok = ec2.create_dhcp_options(DhcpConfigurations=config({"netbios-node-type": ["2"],
                                                            "domain-name-servers": ["10.0.0.2"]}))["DhcpOptions"]
    assert as_dict(ok) == {"netbios-node-type": ["2"], "domain-name-servers": ["10.0.0.2"]}
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == 3  # the default set, a.example and this one


def test_dry_run_and_paging(ec2):
    with ec2_error("DryRunOperation", status=412):
        ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": ["x.example"]}), DryRun=True)
    assert len(ec2.describe_dhcp_options()["DhcpOptions"]) == 1
    for n in range(6):
        ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": [f"n{n}.example"]}))
    first = ec2.describe_dhcp_options(MaxResults=5)
    assert len(first["DhcpOptions"]) == 5 and first["NextToken"]
    rest = ec2.describe_dhcp_options(MaxResults=5, NextToken=first["NextToken"])
    assert len(rest["DhcpOptions"]) == 2 and "NextToken" not in rest
    seen = [d["DhcpOptionsId"] for d in first["DhcpOptions"] + rest["DhcpOptions"]]
    assert len(set(seen)) == 7


def test_dhcp_options_cli(aws):
    created = aws("ec2", "create-dhcp-options", "--dhcp-configurations",
                  "Key=domain-name,Values=corp.example", "Key=domain-name-servers,Values=10.0.0.6,10.0.0.7").ok()
    dopt_id = created["DhcpOptions"]["DhcpOptionsId"]
    assert as_dict(created["DhcpOptions"]) == {"domain-name": ["corp.example"],
                                               "domain-name-servers": ["10.0.0.6", "10.0.0.7"]}
    vpc = aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16").ok()["Vpc"]["VpcId"]
    assert aws("ec2", "associate-dhcp-options", "--dhcp-options-id", dopt_id, "--vpc-id", vpc).rc == 0
    listed = aws("ec2", "describe-dhcp-options", "--filters", "Name=key,Values=domain-name-servers").ok()
    assert [d["DhcpOptionsId"] for d in listed["DhcpOptions"]] == sorted(
        d["DhcpOptionsId"] for d in listed["DhcpOptions"])
    assert dopt_id in [d["DhcpOptionsId"] for d in listed["DhcpOptions"]]
    cli_error(aws("ec2", "delete-dhcp-options", "--dhcp-options-id", dopt_id), "DependencyViolation",
              f"The dhcpOptions '{dopt_id}' has dependencies and cannot be deleted.")
    assert aws("ec2", "associate-dhcp-options", "--dhcp-options-id", "default", "--vpc-id", vpc).rc == 0
    assert aws("ec2", "delete-dhcp-options", "--dhcp-options-id", dopt_id).rc == 0
    cli_error(aws("ec2", "describe-dhcp-options", "--dhcp-options-ids", dopt_id), "InvalidDhcpOptionID.NotFound",
              f"The dhcpOption ID '{dopt_id}' does not exist")
    cli_error(aws("ec2", "create-dhcp-options", "--dhcp-configurations", "Key=netbios-node-type,Values=3"),
              "InvalidParameterValue", "Value (3) for parameter netbios-node-type is invalid.")


# ---------------------------------------------------------------------------------------------------------------
# What the set changes for DNS (part 2 §12.2)
# ---------------------------------------------------------------------------------------------------------------
REGION = "us-east-1"


@pytest.fixture
def exec_tool(server):
    def run(instance: str, *command) -> subprocess.CompletedProcess:
        argv = [binary(), "--endpoint", server.endpoint, "exec", instance, "--", *command]
        return subprocess.run(argv, capture_output=True, text=True, env=tool_env(region=REGION), timeout=60)

    return run


@pytest.fixture
def network(ec2):
    """A VPC 10.0.0.0/16 with DNS hostnames on, a subnet, an internet route and two instances."""
    vpc = create_vpc(ec2)["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"][0]
    ec2.create_route(RouteTableId=rtb["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    instances = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=2, MaxCount=2, SubnetId=subnet,
                                  InstanceType="t3.micro")["Instances"]
    return {"vpc": vpc, "a": instances[0], "b": instances[1]}


def test_custom_domain_name_is_the_search_suffix_of_instance_names(ec2, network, exec_tool):
    """Regression: the VPC's DHCP `domain-name` was ignored; `ip-…corp.example` did not resolve from inside."""
    b_ip = network["b"]["PrivateIpAddress"]
    short = "ip-" + b_ip.replace(".", "-")
    custom = f"{short}.corp.example"
    before = exec_tool(network["a"]["InstanceId"], "nslookup", custom)
    assert before.returncode == 1 and f"** server can't find {custom}: NXDOMAIN" in before.stdout, before
    dopt = ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name": ["corp.example"],
                                                              "domain-name-servers": ["AmazonProvidedDNS"]}))
    ec2.associate_dhcp_options(DhcpOptionsId=dopt["DhcpOptions"]["DhcpOptionsId"], VpcId=network["vpc"])
    after = exec_tool(network["a"]["InstanceId"], "nslookup", custom)
    assert after.returncode == 0, after
    assert after.stdout == (f"Server:\t\t10.0.0.2\nAddress:\t10.0.0.2#53\n\nNon-authoritative answer:\n"
                            f"Name:\t{custom}\nAddress: {b_ip}\n\n")
    # The short name takes the new search suffix; the Amazon-provided name keeps resolving.
    short_lookup = exec_tool(network["a"]["InstanceId"], "nslookup", short)
    assert short_lookup.returncode == 0 and f"Address: {b_ip}\n" in short_lookup.stdout, short_lookup
    amazon = exec_tool(network["a"]["InstanceId"], "nslookup", f"{short}.ec2.internal")
    assert amazon.returncode == 0 and f"Address: {b_ip}\n" in amazon.stdout, amazon
    # Only inside the VPC: the internet does not know the name.
    outside = exec_tool("internet", "nslookup", custom)
    assert outside.returncode == 1 and "NXDOMAIN" in outside.stdout, outside


def test_custom_name_servers_replace_the_amazon_resolver(ec2, network, exec_tool):
    """Regression: custom `domain-name-servers` were ignored and the Amazon resolver kept answering."""
    a = network["a"]["InstanceId"]
    name = "ip-{}.ec2.internal".format(network["b"]["PrivateIpAddress"].replace(".", "-"))
    assert exec_tool(a, "nslookup", name).returncode == 0  # positive control: AmazonProvidedDNS answers
    dopt = ec2.create_dhcp_options(DhcpConfigurations=config({"domain-name-servers": ["10.0.1.250"]}))
    ec2.associate_dhcp_options(DhcpOptionsId=dopt["DhcpOptions"]["DhcpOptionsId"], VpcId=network["vpc"])
    custom = exec_tool(a, "nslookup", name)
    assert (custom.returncode, custom.stdout) == (1, ";; connection timed out; no servers could be reached\n\n"), custom
    dig = exec_tool(a, "dig", name)
    assert dig.returncode == 9 and ";; communications error to 10.0.1.250#53: timed out" in dig.stdout, dig
    # The Amazon resolver still answers when asked by address (part 2 §12.2 [I]).
    explicit = exec_tool(a, "nslookup", name, "10.0.0.2")
    assert explicit.returncode == 0 and "Server:\t\t10.0.0.2\n" in explicit.stdout, explicit
    # No options at all: no server.
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=network["vpc"])
    none = exec_tool(a, "nslookup", name)
    assert (none.returncode, none.stdout) == (1, ";; connection timed out; no servers could be reached\n\n"), none
