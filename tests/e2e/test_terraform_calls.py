"""The EC2 calls Terraform's AWS provider (v5) makes for the seed tutorial, in its order, through boto3.

Terraform is not installable here (no internet but the package registries), so this replays what the provider's
resources do — create, the waiter that follows, the read after create, a refresh that must find no drift, destroy and
its waiters — for `aws_vpc` ×2, `aws_subnet` ×2, `aws_internet_gateway`, `data "aws_ami"`, `aws_key_pair`,
`aws_instance` ×2, `aws_eip`, `aws_vpc_peering_connection` + `_accepter` and `aws_route` ×2. Each call and its
parameters follow the provider's source (internal/service/ec2: vpc_.go, vpc_subnet.go, ec2_instance.go, ec2_eip.go,
vpc_peering_connection.go, vpc_route.go, ec2_key_pair.go, ec2_ami_data_source.go): the provider stops at any error
these calls get (an `InvalidAction`, a missing field it dereferences), so every one must answer as AWS does.

Then `localvpc exec` pings across the peering the apply built — after every route exists, not before — and the
destroy leaves nothing behind.
"""
from __future__ import annotations

import subprocess

import pytest

from test_exec import binary, tool_env

ED25519_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwsSB9HbTeKCdkSlMZeTq9jZggaPJUwAsUi/7wakB+B deployer"


def tags(resource_type: str, name: str) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def tag_map(items: list[dict] | None) -> dict:
    return {tag["Key"]: tag["Value"] for tag in items or []}


class Calls:
    """Records the action of every request the boto3 client sends, in order (the provider's call log)."""

    def __init__(self, ec2):
        self.actions: list[str] = []
        ec2.meta.events.register("before-call.ec2.*", self._record)

    def _record(self, model, **_):
        self.actions.append(model.name)

    def since(self, mark: int) -> list[str]:
        return self.actions[mark:]


class Provider:
    """What each resource's Create/Read/Delete calls, as the provider does it."""

    def __init__(self, ec2, sts):
        self.ec2, self.sts = ec2, sts

    def wait(self, read, ready, what: str, tries: int = 20):
        """The provider's StateChangeConf: read until `ready` (localvpc answers at once; AWS may take a while)."""
        for _ in range(tries):
            found = read()
            if ready(found):
                return found
        raise AssertionError(f"{what} never became ready: {found}")

    # -- provider configure ------------------------------------------------------------------------------------
    def configure(self) -> str:
        return self.sts.get_caller_identity()["Account"]

    # -- aws_vpc ---------------------------------------------------------------------------------------------
    def vpc_create(self, cidr: str, name: str) -> str:
        vpc_id = self.ec2.create_vpc(CidrBlock=cidr, TagSpecifications=tags("vpc", name))["Vpc"]["VpcId"]
        self.wait(lambda: self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0], lambda v: v["State"] == "available",
                  "vpc")
        # enable_dns_hostnames = true differs from the default: modifyVPCAttributesOnCreate, then its waiter.
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        self.wait(lambda: self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames"),
                  lambda a: a["EnableDnsHostnames"]["Value"] is True, "enableDnsHostnames")
        return vpc_id

    def vpc_read(self, vpc_id: str) -> dict:
        vpc = self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        state = {"cidr_block": vpc["CidrBlock"], "dhcp_options_id": vpc["DhcpOptionsId"],
                 "instance_tenancy": vpc["InstanceTenancy"], "owner_id": vpc["OwnerId"], "tags": tag_map(vpc.get("Tags"))}
        for attribute, key in [("enableDnsHostnames", "EnableDnsHostnames"), ("enableDnsSupport", "EnableDnsSupport"),
                               ("enableNetworkAddressUsageMetrics", "EnableNetworkAddressUsageMetrics")]:
            state[attribute] = self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"]
        acls = self.ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]},
                                                       {"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]
        state["default_network_acl_id"] = acls[0]["NetworkAclId"]
        tables = self.ec2.describe_route_tables(Filters=[{"Name": "association.main", "Values": ["true"]},
                                                         {"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
        state["main_route_table_id"] = tables[0]["RouteTableId"]
        groups = self.ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]},
                                                            {"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
        state["default_security_group_id"] = groups[0]["GroupId"]
        state["ipv6_cidr_block"] = [a for a in vpc.get("Ipv6CidrBlockAssociationSet", [])
                                    if a["Ipv6CidrBlockState"]["State"] == "associated"]
        return state

    def vpc_delete(self, vpc_id: str) -> None:
        self.ec2.delete_vpc(VpcId=vpc_id)
        self.gone(lambda: self.ec2.describe_vpcs(VpcIds=[vpc_id]), "InvalidVpcID.NotFound")

    # -- aws_subnet ------------------------------------------------------------------------------------------
    def subnet_create(self, vpc_id: str, cidr: str, zone: str, name: str) -> str:
        subnet_id = self.ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone,
                                           TagSpecifications=tags("subnet", name))["Subnet"]["SubnetId"]
        self.wait(lambda: self.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0],
                  lambda s: s["State"] == "available", "subnet")
        # map_public_ip_on_launch = true: ModifySubnetAttribute, then its waiter.
        self.ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
        self.wait(lambda: self.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0],
                  lambda s: s["MapPublicIpOnLaunch"] is True, "map_public_ip_on_launch")
        return subnet_id

    def subnet_read(self, subnet_id: str) -> dict:
        subnet = self.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
        return {key: subnet[key] for key in ("VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId",
                                             "MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation", "OwnerId",
                                             "SubnetArn", "EnableDns64", "MapCustomerOwnedIpOnLaunch",
                                             "PrivateDnsNameOptionsOnLaunch", "Ipv6Native")} | {
            "tags": tag_map(subnet.get("Tags"))}

    def subnet_delete(self, subnet_id: str) -> None:
        self.ec2.delete_subnet(SubnetId=subnet_id)
        self.gone(lambda: self.ec2.describe_subnets(SubnetIds=[subnet_id]), "InvalidSubnetID.NotFound")

    # -- aws_internet_gateway --------------------------------------------------------------------------------
    def igw_create(self, vpc_id: str, name: str) -> str:
        igw_id = self.ec2.create_internet_gateway(TagSpecifications=tags("internet-gateway", name))[
            "InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        self.wait(lambda: self.ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0],
                  lambda g: g["Attachments"] and g["Attachments"][0]["State"] == "available", "igw attachment")
        return igw_id

    def igw_read(self, igw_id: str) -> dict:
        gateway = self.ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]
        return {"owner_id": gateway["OwnerId"], "vpc_id": gateway["Attachments"][0]["VpcId"],
                "tags": tag_map(gateway.get("Tags"))}

    def igw_delete(self, igw_id: str, vpc_id: str) -> None:
        self.ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        self.ec2.delete_internet_gateway(InternetGatewayId=igw_id)
        self.gone(lambda: self.ec2.describe_internet_gateways(InternetGatewayIds=[igw_id]),
                  "InvalidInternetGatewayID.NotFound")

    # -- data "aws_ami" --------------------------------------------------------------------------------------
    def ami(self) -> dict:
        images = self.ec2.describe_images(Owners=["amazon"], IncludeDeprecated=False, Filters=[
            {"Name": "name", "Values": ["al2023-ami-2023.*-x86_64"]},
            {"Name": "virtualization-type", "Values": ["hvm"]}])["Images"]
        assert images, "the al2023 filter matched no image"
        return max(images, key=lambda image: image["CreationDate"])  # most_recent = true

    # -- aws_key_pair ----------------------------------------------------------------------------------------
    def key_pair_create(self, name: str) -> str:
        self.ec2.import_key_pair(KeyName=name, PublicKeyMaterial=ED25519_PUBLIC.encode(),
                                 TagSpecifications=tags("key-pair", name))
        return name

    def key_pair_read(self, name: str) -> dict:
        pair = self.ec2.describe_key_pairs(KeyNames=[name], IncludePublicKey=True)["KeyPairs"][0]
        return {key: pair[key] for key in ("KeyPairId", "KeyFingerprint", "KeyType", "PublicKey")} | {
            "tags": tag_map(pair.get("Tags"))}

    def key_pair_delete(self, name: str) -> None:
        self.ec2.delete_key_pair(KeyName=name)

    # -- aws_instance ----------------------------------------------------------------------------------------
    def instance_create(self, ami: str, subnet_id: str, key_name: str, name: str) -> str:
        instance_id = self.ec2.run_instances(
            ImageId=ami, InstanceType="t3.micro", KeyName=key_name, SubnetId=subnet_id, MinCount=1, MaxCount=1,
            TagSpecifications=tags("instance", name) + tags("volume", name))["Instances"][0]["InstanceId"]
        self.wait(lambda: self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0],
                  lambda i: i["State"]["Name"] == "running", "instance")
        return instance_id

    def instance_read(self, instance_id: str) -> dict:
        ec2 = self.ec2
        instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        kind = ec2.describe_instance_types(InstanceTypes=[instance["InstanceType"]])["InstanceTypes"][0]
        primary = next(n for n in instance["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0)
        state = {
            "instance_state": instance["State"]["Name"], "availability_zone": instance["Placement"]["AvailabilityZone"],
            "tenancy": instance["Placement"]["Tenancy"],
            "cpu_options": (instance["CpuOptions"]["CoreCount"], instance["CpuOptions"]["ThreadsPerCore"]),
            "hibernation": instance["HibernationOptions"]["Configured"],
            "enclave_options": instance["EnclaveOptions"]["Enabled"],
            "maintenance_options": instance["MaintenanceOptions"]["AutoRecovery"],
            "metadata_options": (instance["MetadataOptions"]["HttpEndpoint"], instance["MetadataOptions"]["HttpTokens"]),
            "private_dns_name_options": instance["PrivateDnsNameOptions"]["HostnameType"],
            "ami": instance["ImageId"], "instance_type": instance["InstanceType"], "key_name": instance["KeyName"],
            "public_ip": instance.get("PublicIpAddress"), "private_ip": instance["PrivateIpAddress"],
            "private_dns": instance["PrivateDnsName"], "public_dns": instance["PublicDnsName"],
            "subnet_id": primary["SubnetId"], "primary_network_interface_id": primary["NetworkInterfaceId"],
            "source_dest_check": primary["SourceDestCheck"], "associate_public_ip_address": "Association" in primary,
            "secondary_private_ips": [a["PrivateIpAddress"] for a in primary["PrivateIpAddresses"] if not a["Primary"]],
            "ebs_optimized": instance["EbsOptimized"], "monitoring": instance["Monitoring"]["State"],
            "vpc_security_group_ids": sorted(g["GroupId"] for g in instance["SecurityGroups"]),
            "tags": tag_map(instance.get("Tags")),
            "capacity_reservation": instance["CapacityReservationSpecification"][
                "CapacityReservationPreference"],
        }
        # readInstanceShutdownBehavior, readBlockDevices (the root volume by ID), then the attribute reads.
        state["instance_initiated_shutdown_behavior"] = ec2.describe_instance_attribute(
            InstanceId=instance_id, Attribute="instanceInitiatedShutdownBehavior")[
            "InstanceInitiatedShutdownBehavior"]["Value"]
        volume_ids = [m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]]
        volumes = ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]
        state["root_block_device"] = [
            (v["Attachments"][0]["Device"], v["Size"], v["VolumeType"], v["Attachments"][0]["DeleteOnTermination"],
             v["Encrypted"], v.get("Iops"), tag_map(v.get("Tags"))) for v in volumes
            if v["Attachments"][0]["Device"] == instance["RootDeviceName"]]
        state["disable_api_stop"] = ec2.describe_instance_attribute(
            InstanceId=instance_id, Attribute="disableApiStop")["DisableApiStop"]["Value"]
        state["disable_api_termination"] = ec2.describe_instance_attribute(
            InstanceId=instance_id, Attribute="disableApiTermination")["DisableApiTermination"]["Value"]
        state["user_data"] = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData").get(
            "UserData", {}).get("Value")
        if kind["BurstablePerformanceSupported"]:
            credits = ec2.describe_instance_credit_specifications(InstanceIds=[instance_id])[
                "InstanceCreditSpecifications"]
            state["credit_specification"] = credits[0]["CpuCredits"]
        return state

    def instance_delete(self, instance_id: str) -> None:
        self.ec2.terminate_instances(InstanceIds=[instance_id])
        self.wait(lambda: self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0],
                  lambda i: i["State"]["Name"] == "terminated", "termination")

    # -- aws_eip (domain = "vpc", instance = …) --------------------------------------------------------------
    def eip_create(self, instance_id: str, name: str) -> str:
        allocation_id = self.ec2.allocate_address(Domain="vpc", TagSpecifications=tags("elastic-ip", name))[
            "AllocationId"]
        self.wait(lambda: self.ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"], bool, "eip")
        association_id = self.ec2.associate_address(AllocationId=allocation_id, InstanceId=instance_id)[
            "AssociationId"]
        self.wait(lambda: self.ec2.describe_addresses(
            Filters=[{"Name": "association-id", "Values": [association_id]}])["Addresses"], bool, "eip association")
        return allocation_id

    def eip_read(self, allocation_id: str) -> dict:
        address = self.ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
        state = {key: address.get(key) for key in ("AllocationId", "AssociationId", "Domain", "InstanceId",
                                                   "NetworkInterfaceId", "NetworkInterfaceOwnerId",
                                                   "PrivateIpAddress", "PublicIp", "PublicIpv4Pool",
                                                   "NetworkBorderGroup")} | {"tags": tag_map(address.get("Tags"))}
        attributes = self.ec2.describe_addresses_attribute(AllocationIds=[allocation_id], Attribute="domain-name")[
            "Addresses"]
        state["ptr_record"] = attributes[0].get("PtrRecord") if attributes else None
        return state

    def eip_delete(self, allocation_id: str) -> None:
        address = self.ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
        self.ec2.disassociate_address(AssociationId=address["AssociationId"])
        self.ec2.release_address(AllocationId=allocation_id)
        self.gone(lambda: self.ec2.describe_addresses(AllocationIds=[allocation_id]), "InvalidAllocationID.NotFound")

    # -- aws_vpc_peering_connection / _accepter --------------------------------------------------------------
    def pcx(self, pcx_id: str) -> dict:
        return self.ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx_id])[
            "VpcPeeringConnections"][0]

    def peering_create(self, vpc_id: str, peer_vpc_id: str, name: str) -> str:
        pcx_id = self.ec2.create_vpc_peering_connection(VpcId=vpc_id, PeerVpcId=peer_vpc_id, TagSpecifications=tags(
            "vpc-peering-connection", name))["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        self.wait(lambda: self.pcx(pcx_id), lambda p: p["Status"]["Code"] in ("pending-acceptance", "active"),
                  "peering")
        return pcx_id

    def peering_read(self, pcx_id: str) -> dict:
        pcx = self.pcx(pcx_id)
        return {"accept_status": pcx["Status"]["Code"], "vpc_id": pcx["RequesterVpcInfo"]["VpcId"],
                "peer_vpc_id": pcx["AccepterVpcInfo"]["VpcId"], "peer_owner_id": pcx["AccepterVpcInfo"]["OwnerId"],
                "peer_region": pcx["AccepterVpcInfo"]["Region"], "tags": tag_map(pcx.get("Tags")),
                "requester_dns": pcx["RequesterVpcInfo"].get("PeeringOptions", {}).get(
                    "AllowDnsResolutionFromRemoteVpc")}

    def accepter_create(self, pcx_id: str) -> None:
        self.pcx(pcx_id)
        self.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        self.wait(lambda: self.pcx(pcx_id), lambda p: p["Status"]["Code"] == "active", "peering active")
        self.ec2.create_tags(Resources=[pcx_id], Tags=[{"Key": "Side", "Value": "Accepter"}])

    def peering_delete(self, pcx_id: str) -> None:
        self.ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
        self.wait(lambda: self.pcx(pcx_id), lambda p: p["Status"]["Code"] == "deleted", "peering deleted")

    # -- aws_route -------------------------------------------------------------------------------------------
    def route_find(self, table_id: str, destination: str) -> dict | None:
        table = self.ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
        return next((r for r in table["Routes"] if r.get("DestinationCidrBlock") == destination), None)

    def route_create(self, table_id: str, destination: str, pcx_id: str) -> None:
        self.ec2.create_route(RouteTableId=table_id, DestinationCidrBlock=destination, VpcPeeringConnectionId=pcx_id)
        self.wait(lambda: self.route_find(table_id, destination), lambda r: r and r["State"] == "active", "route")

    def route_delete(self, table_id: str, destination: str) -> None:
        self.ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock=destination)
        self.wait(lambda: self.route_find(table_id, destination), lambda r: r is None, "route gone")

    def gone(self, read, code: str) -> None:
        """RetryUntilNotFound: read until AWS answers the resource's NotFound code."""
        with pytest.raises(self.ec2.exceptions.ClientError) as raised:
            read()
        assert raised.value.response["Error"]["Code"] == code, raised.value.response


def exec_ping(endpoint: str, instance_id: str, address: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary(), "--endpoint", endpoint, "exec", instance_id, "--", "ping", "-c", "1", "-W", "1",
                           address], capture_output=True, text=True, env=tool_env(region="us-east-1"), timeout=60)


def test_terraform_provider_calls_apply_refresh_ping_and_destroy(server, client_factory):
    ec2 = client_factory(region="us-east-1")
    calls = Calls(ec2)
    tf = Provider(ec2, client_factory(service="sts", region="us-east-1"))
    account = tf.configure()
    assert account.isdigit() and len(account) == 12

    # terraform apply, in the graph's order.
    vpc_a = tf.vpc_create("10.6.0.0/16", "peeringVPC-A")
    state = {"vpc_a": tf.vpc_read(vpc_a)}
    vpc_b = tf.vpc_create("10.7.0.0/16", "peeringVPC-B")
    state["vpc_b"] = tf.vpc_read(vpc_b)
    assert state["vpc_a"]["enableDnsHostnames"] is True and state["vpc_a"]["enableDnsSupport"] is True
    assert state["vpc_a"]["enableNetworkAddressUsageMetrics"] is False and state["vpc_a"]["ipv6_cidr_block"] == []
    assert state["vpc_a"]["tags"] == {"Name": "peeringVPC-A"} and state["vpc_a"]["owner_id"] == account
    assert state["vpc_a"]["main_route_table_id"].startswith("rtb-")
    assert state["vpc_a"]["default_network_acl_id"].startswith("acl-")
    assert state["vpc_a"]["default_security_group_id"].startswith("sg-")

    subnet_a = tf.subnet_create(vpc_a, "10.6.1.0/24", "us-east-1a", "subnet-A")
    state["subnet_a"] = tf.subnet_read(subnet_a)
    subnet_b = tf.subnet_create(vpc_b, "10.7.1.0/24", "us-east-1a", "subnet-B")
    state["subnet_b"] = tf.subnet_read(subnet_b)
    assert state["subnet_a"]["MapPublicIpOnLaunch"] is True and state["subnet_a"]["AvailabilityZoneId"]
    assert state["subnet_a"]["SubnetArn"] == f"arn:aws:ec2:us-east-1:{account}:subnet/{subnet_a}"

    igw = tf.igw_create(vpc_a, "igw-A")
    state["igw"] = tf.igw_read(igw)
    assert state["igw"] == {"owner_id": account, "vpc_id": vpc_a, "tags": {"Name": "igw-A"}}

    image = tf.ami()
    assert image["Name"].startswith("al2023-ami-2023.") and image["Architecture"] == "x86_64"
    key_name = tf.key_pair_create("deployer")
    state["key"] = tf.key_pair_read(key_name)
    assert state["key"]["KeyType"] == "ed25519" and state["key"]["PublicKey"].startswith("ssh-ed25519 ")

    mark = len(calls.actions)
    instance_a = tf.instance_create(image["ImageId"], subnet_a, key_name, "instance-A")
    state["instance_a"] = tf.instance_read(instance_a)
    assert calls.since(mark) == [
        "RunInstances", "DescribeInstances", "DescribeInstances", "DescribeInstanceTypes",
        "DescribeInstanceAttribute", "DescribeVolumes", "DescribeInstanceAttribute", "DescribeInstanceAttribute",
        "DescribeInstanceAttribute", "DescribeInstanceCreditSpecifications"]
    instance_b = tf.instance_create(image["ImageId"], subnet_b, key_name, "instance-B")
    state["instance_b"] = tf.instance_read(instance_b)
    a = state["instance_a"]
    assert a["instance_state"] == "running" and a["ami"] == image["ImageId"] and a["key_name"] == "deployer"
    assert a["subnet_id"] == subnet_a and a["private_ip"].startswith("10.6.1.") and a["public_ip"]
    assert a["associate_public_ip_address"] is True and a["source_dest_check"] is True
    assert a["vpc_security_group_ids"] == [state["vpc_a"]["default_security_group_id"]]
    assert a["instance_initiated_shutdown_behavior"] == "stop" and a["disable_api_termination"] is False
    assert a["disable_api_stop"] is False and a["user_data"] is None and a["credit_specification"] == "unlimited"
    assert a["metadata_options"][0] == "enabled" and a["cpu_options"][0] >= 1
    assert a["root_block_device"] and a["root_block_device"][0][3] is True, a["root_block_device"]
    assert a["root_block_device"][0][6] == {"Name": "instance-A"}, "volume_tags reach the root volume"

    eip = tf.eip_create(instance_a, "eip-A")
    state["eip"] = tf.eip_read(eip)
    assert state["eip"]["InstanceId"] == instance_a and state["eip"]["Domain"] == "vpc"
    assert state["eip"]["PrivateIpAddress"] == a["private_ip"] and state["eip"]["tags"] == {"Name": "eip-A"}
    # The instance's public address is now the Elastic IP (the next refresh shows it).
    state["instance_a"] = tf.instance_read(instance_a)
    assert state["instance_a"]["public_ip"] == state["eip"]["PublicIp"]

    pcx = tf.peering_create(vpc_a, vpc_b, "A-to-B")
    state["pcx"] = tf.peering_read(pcx)
    assert state["pcx"]["accept_status"] == "pending-acceptance"
    assert (state["pcx"]["peer_owner_id"], state["pcx"]["peer_region"]) == (account, "us-east-1")

    # Before the accepter and the routes: no reply across (the positive control for the ping below).
    peer_ip = state["instance_b"]["private_ip"]
    ec2.authorize_security_group_ingress(GroupId=state["vpc_b"]["default_security_group_id"], IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.6.0.0/16"}]}])
    before = exec_ping(server.endpoint, instance_a, peer_ip)
    assert before.returncode == 1 and "100% packet loss" in before.stdout, before.stdout + before.stderr

    tf.accepter_create(pcx)
    state["pcx"] = tf.peering_read(pcx)
    assert state["pcx"]["accept_status"] == "active" and state["pcx"]["tags"] == {"Name": "A-to-B",
                                                                                 "Side": "Accepter"}
    tf.route_create(state["vpc_a"]["main_route_table_id"], "10.7.0.0/16", pcx)
    half = exec_ping(server.endpoint, instance_a, peer_ip)
    assert half.returncode == 1 and "100% packet loss" in half.stdout, "no route back yet: " + half.stdout
    tf.route_create(state["vpc_b"]["main_route_table_id"], "10.6.0.0/16", pcx)
    route = tf.route_find(state["vpc_a"]["main_route_table_id"], "10.7.0.0/16")
    assert route["VpcPeeringConnectionId"] == pcx and route["Origin"] == "CreateRoute"

    across = exec_ping(server.endpoint, instance_a, peer_ip)
    assert across.returncode == 0 and " 0% packet loss" in across.stdout, across.stdout + across.stderr

    # terraform plan: a refresh of everything reads back the same state (no drift).
    refreshed = {
        "vpc_a": tf.vpc_read(vpc_a), "vpc_b": tf.vpc_read(vpc_b), "subnet_a": tf.subnet_read(subnet_a),
        "subnet_b": tf.subnet_read(subnet_b), "igw": tf.igw_read(igw), "key": tf.key_pair_read(key_name),
        "instance_a": tf.instance_read(instance_a), "instance_b": tf.instance_read(instance_b),
        "eip": tf.eip_read(eip), "pcx": tf.peering_read(pcx)}
    assert refreshed == state

    # terraform destroy, in reverse order.
    tf.route_delete(state["vpc_b"]["main_route_table_id"], "10.6.0.0/16")
    tf.route_delete(state["vpc_a"]["main_route_table_id"], "10.7.0.0/16")
    tf.peering_delete(pcx)
    tf.eip_delete(eip)
    tf.instance_delete(instance_a)
    tf.instance_delete(instance_b)
    tf.key_pair_delete(key_name)
    tf.igw_delete(igw, vpc_a)
    tf.subnet_delete(subnet_a)
    tf.subnet_delete(subnet_b)
    tf.vpc_delete(vpc_a)
    tf.vpc_delete(vpc_b)
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["peeringVPC-A", "peeringVPC-B"]}])["Vpcs"] == []
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert ec2.describe_addresses()["Addresses"] == []
    volumes = ec2.describe_volumes(Filters=[{"Name": "tag:Name", "Values": ["instance-A", "instance-B"]}])["Volumes"]
    assert volumes == [], "root volumes go with their instances (DeleteOnTermination)"
