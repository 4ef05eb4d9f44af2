"""The aws CLI on the actions no other file drives through it: each one's happy path, its answer's content, and an
error with AWS's code. (boto3 covers the same actions, with every rule, in the resource's own file.)"""
from helpers import cli_error

AMI = "ami-0123456789abcdef0"


def network(aws, cidr: str = "10.0.0.0/16", subnet_cidr: str = "10.0.1.0/24") -> tuple[str, str]:
    vpc = aws("ec2", "create-vpc", "--cidr-block", cidr).ok()["Vpc"]["VpcId"]
    subnet = aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", subnet_cidr,
                 "--availability-zone", "us-east-1a").ok()["Subnet"]["SubnetId"]
    return vpc, subnet


def instance(aws, subnet: str) -> dict:
    return aws("ec2", "run-instances", "--image-id", AMI, "--instance-type", "t3.micro", "--count", "1",
               "--subnet-id", subnet).ok()["Instances"][0]


def test_security_group_lifecycle_and_its_rule_actions(aws):
    vpc, _ = network(aws)
    created = aws("ec2", "create-security-group", "--group-name", "web", "--description", "web tier",
                  "--vpc-id", vpc).ok()
    group = created["GroupId"]
    assert group.startswith("sg-") and created["SecurityGroupArn"].endswith(f":security-group/{group}")
    cli_error(aws("ec2", "create-security-group", "--group-name", "web", "--description", "again", "--vpc-id", vpc),
              "InvalidGroup.Duplicate")

    aws("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp", "--port", "443",
        "--cidr", "10.1.0.0/16").ok()
    added = aws("ec2", "authorize-security-group-egress", "--group-id", group, "--ip-permissions",
                "IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=10.2.0.0/16}]").ok()
    assert added["Return"] is True and added["SecurityGroupRules"][0]["IsEgress"] is True
    shown = aws("ec2", "describe-security-groups", "--group-ids", group).ok()["SecurityGroups"][0]
    assert [p["FromPort"] for p in shown["IpPermissions"]] == [443]
    assert sorted(p["IpProtocol"] for p in shown["IpPermissionsEgress"]) == ["-1", "tcp"]

    assert aws("ec2", "revoke-security-group-egress", "--group-id", group, "--ip-permissions",
               "IpProtocol=tcp,FromPort=5432,ToPort=5432,IpRanges=[{CidrIp=10.2.0.0/16}]").ok()["Return"] is True
    assert aws("ec2", "revoke-security-group-ingress", "--group-id", group, "--protocol", "tcp", "--port", "443",
               "--cidr", "10.1.0.0/16").ok()["Return"] is True
    shown = aws("ec2", "describe-security-groups", "--group-ids", group).ok()["SecurityGroups"][0]
    assert shown["IpPermissions"] == [] and [p["IpProtocol"] for p in shown["IpPermissionsEgress"]] == ["-1"]
    cli_error(aws("ec2", "revoke-security-group-ingress", "--group-id", "sg-0123456789abcdef0", "--protocol", "tcp",
                  "--port", "22", "--cidr", "0.0.0.0/0"), "InvalidGroup.NotFound")

    references = aws("ec2", "describe-security-group-references", "--group-id", group).ok()
    assert references["SecurityGroupReferenceSet"] == []
    stale = aws("ec2", "describe-stale-security-groups", "--vpc-id", vpc).ok()
    assert stale["StaleSecurityGroupSet"] == []
    cli_error(aws("ec2", "describe-stale-security-groups", "--vpc-id", "vpc-0123456789abcdef0"),
              "InvalidVpcID.NotFound")

    aws("ec2", "delete-security-group", "--group-id", group).ok()
    cli_error(aws("ec2", "describe-security-groups", "--group-ids", group), "InvalidGroup.NotFound")
    cli_error(aws("ec2", "delete-security-group", "--group-id", group), "InvalidGroup.NotFound")


def test_network_interface_attachment_attributes_and_addresses(aws):
    _, subnet = network(aws)
    host = instance(aws, subnet)
    eni = aws("ec2", "create-network-interface", "--subnet-id", subnet, "--description", "extra").ok()[
        "NetworkInterface"]["NetworkInterfaceId"]

    attachment = aws("ec2", "attach-network-interface", "--network-interface-id", eni, "--instance-id",
                     host["InstanceId"], "--device-index", "1").ok()["AttachmentId"]
    assert attachment.startswith("eni-attach-")
    cli_error(aws("ec2", "attach-network-interface", "--network-interface-id", eni, "--instance-id",
                  host["InstanceId"], "--device-index", "2"), "InvalidNetworkInterface.InUse")

    aws("ec2", "modify-network-interface-attribute", "--network-interface-id", eni, "--description",
        "Value=changed").ok()
    described = aws("ec2", "describe-network-interface-attribute", "--network-interface-id", eni, "--attribute",
                    "description").ok()
    assert described["Description"]["Value"] == "changed" and described["NetworkInterfaceId"] == eni
    attached = aws("ec2", "describe-network-interface-attribute", "--network-interface-id", eni, "--attribute",
                   "attachment").ok()["Attachment"]
    assert (attached["AttachmentId"], attached["DeviceIndex"], attached["Status"]) == (attachment, 1, "attached")
    cli_error(aws("ec2", "describe-network-interface-attribute", "--network-interface-id", "eni-0123456789abcdef0",
                  "--attribute", "description"), "InvalidNetworkInterfaceID.NotFound")

    assigned = aws("ec2", "assign-private-ip-addresses", "--network-interface-id", eni, "--private-ip-addresses",
                   "10.0.1.77").ok()
    assert [a["PrivateIpAddress"] for a in assigned["AssignedPrivateIpAddresses"]] == ["10.0.1.77"]
    # A t3.micro interface holds two IPv4 addresses (its instance type's limit, once attached).
    cli_error(aws("ec2", "assign-private-ip-addresses", "--network-interface-id", eni, "--private-ip-addresses",
                  "10.0.1.78"), "PrivateIpAddressLimitExceeded")
    aws("ec2", "unassign-private-ip-addresses", "--network-interface-id", eni, "--private-ip-addresses",
        "10.0.1.77").ok()
    left = aws("ec2", "describe-network-interfaces", "--network-interface-ids", eni).ok()["NetworkInterfaces"][0]
    assert [a["PrivateIpAddress"] for a in left["PrivateIpAddresses"]] == [left["PrivateIpAddress"]]
    cli_error(aws("ec2", "unassign-private-ip-addresses", "--network-interface-id", eni, "--private-ip-addresses",
                  "10.0.1.77"), "InvalidParameterValue")

    aws("ec2", "detach-network-interface", "--attachment-id", attachment).ok()
    after = aws("ec2", "describe-network-interfaces", "--network-interface-ids", eni).ok()["NetworkInterfaces"][0]
    assert after["Status"] == "available" and "Attachment" not in after
    cli_error(aws("ec2", "detach-network-interface", "--attachment-id", attachment), "InvalidAttachmentID.NotFound")


def test_subnet_cidr_reservations(aws):
    _, subnet = network(aws)
    made = aws("ec2", "create-subnet-cidr-reservation", "--subnet-id", subnet, "--cidr", "10.0.1.16/28",
               "--reservation-type", "explicit", "--description", "appliances").ok()["SubnetCidrReservation"]
    assert made["Cidr"] == "10.0.1.16/28" and made["ReservationType"] == "explicit"
    listed = aws("ec2", "get-subnet-cidr-reservations", "--subnet-id", subnet).ok()
    assert [r["SubnetCidrReservationId"] for r in listed["SubnetIpv4CidrReservations"]] == [
        made["SubnetCidrReservationId"]]
    cli_error(aws("ec2", "create-subnet-cidr-reservation", "--subnet-id", subnet, "--cidr", "10.0.2.0/28",
                  "--reservation-type", "explicit"), "InvalidParameterValue",
              "Reservation CIDR should be within subnet CIDR block (10.0.1.0/24)")
    deleted = aws("ec2", "delete-subnet-cidr-reservation", "--subnet-cidr-reservation-id",
                  made["SubnetCidrReservationId"]).ok()["DeletedSubnetCidrReservation"]
    assert deleted["SubnetCidrReservationId"] == made["SubnetCidrReservationId"]
    assert aws("ec2", "get-subnet-cidr-reservations", "--subnet-id", subnet).ok()["SubnetIpv4CidrReservations"] == []
    cli_error(aws("ec2", "delete-subnet-cidr-reservation", "--subnet-cidr-reservation-id",
                  made["SubnetCidrReservationId"]), "InvalidSubnetCidrReservationID.NotFound")
    cli_error(aws("ec2", "get-subnet-cidr-reservations", "--subnet-id", "subnet-0123456789abcdef0"),
              "InvalidSubnetID.NotFound")


def test_peering_reject_and_delete(aws):
    a, _ = network(aws, "10.6.0.0/16", "10.6.1.0/24")
    b, _ = network(aws, "10.7.0.0/16", "10.7.1.0/24")
    rejected = aws("ec2", "create-vpc-peering-connection", "--vpc-id", a, "--peer-vpc-id", b).ok()[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert aws("ec2", "reject-vpc-peering-connection", "--vpc-peering-connection-id", rejected).ok()["Return"] is True
    state = aws("ec2", "describe-vpc-peering-connections", "--vpc-peering-connection-ids", rejected).ok()
    assert state["VpcPeeringConnections"][0]["Status"]["Code"] == "rejected"
    cli_error(aws("ec2", "reject-vpc-peering-connection", "--vpc-peering-connection-id", rejected),
              "InvalidStateTransition")

    deleted = aws("ec2", "create-vpc-peering-connection", "--vpc-id", a, "--peer-vpc-id", b).ok()[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert aws("ec2", "delete-vpc-peering-connection", "--vpc-peering-connection-id", deleted).ok()["Return"] is True
    state = aws("ec2", "describe-vpc-peering-connections", "--vpc-peering-connection-ids", deleted).ok()
    assert state["VpcPeeringConnections"][0]["Status"]["Code"] == "deleted"
    cli_error(aws("ec2", "delete-vpc-peering-connection", "--vpc-peering-connection-id", "pcx-0123456789abcdef0"),
              "InvalidVpcPeeringConnectionID.NotFound")


def test_stop_start_and_console_output(aws):
    _, subnet = network(aws)
    iid = instance(aws, subnet)["InstanceId"]
    stopping = aws("ec2", "stop-instances", "--instance-ids", iid).ok()["StoppingInstances"][0]
    assert stopping["InstanceId"] == iid and stopping["CurrentState"]["Name"] in ("stopping", "stopped")
    starting = aws("ec2", "start-instances", "--instance-ids", iid).ok()["StartingInstances"][0]
    assert starting["InstanceId"] == iid and starting["CurrentState"]["Name"] in ("pending", "running")
    cli_error(aws("ec2", "start-instances", "--instance-ids", "i-0123456789abcdef0"), "InvalidInstanceID.NotFound")
    cli_error(aws("ec2", "stop-instances", "--instance-ids", "i-0123456789abcdef0"), "InvalidInstanceID.NotFound")
    console = aws("ec2", "get-console-output", "--instance-id", iid).ok()
    assert console["InstanceId"] == iid and "Timestamp" in console
    cli_error(aws("ec2", "get-console-output", "--instance-id", "i-0123456789abcdef0"), "InvalidInstanceID.NotFound")


def test_launch_template_default_version_and_version_deletion(aws):
    made = aws("ec2", "create-launch-template", "--launch-template-name", "app", "--launch-template-data",
               f'{{"ImageId":"{AMI}","InstanceType":"t3.micro"}}').ok()["LaunchTemplate"]
    template = made["LaunchTemplateId"]
    aws("ec2", "create-launch-template-version", "--launch-template-id", template, "--source-version", "1",
        "--launch-template-data", '{"InstanceType":"t3.small"}').ok()
    modified = aws("ec2", "modify-launch-template", "--launch-template-id", template, "--default-version",
                   "2").ok()["LaunchTemplate"]
    assert modified["DefaultVersionNumber"] == 2 and modified["LatestVersionNumber"] == 2
    cli_error(aws("ec2", "modify-launch-template", "--launch-template-id", template, "--default-version", "9"),
              "InvalidLaunchTemplateId.VersionNotFound")
    result = aws("ec2", "delete-launch-template-versions", "--launch-template-id", template, "--versions",
                 "1", "2").ok()
    assert [v["VersionNumber"] for v in result["SuccessfullyDeletedLaunchTemplateVersions"]] == [1]
    refused = result["UnsuccessfullyDeletedLaunchTemplateVersions"]
    # The default version is never deleted; `unexpectedError` is the one code of AWS's LaunchTemplateErrorCode
    # that fits (botocore's service model).
    assert [(v["VersionNumber"], v["ResponseError"]["Code"]) for v in refused] == [(2, "unexpectedError")]


def test_modify_volume_and_vpc_tenancy_and_reset_address_attribute(aws):
    vpc, _ = network(aws)
    volume = aws("ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "8", "--volume-type",
                 "gp3").ok()["VolumeId"]
    modification = aws("ec2", "modify-volume", "--volume-id", volume, "--size", "20").ok()["VolumeModification"]
    assert (modification["VolumeId"], modification["TargetSize"], modification["OriginalSize"]) == (volume, 20, 8)
    assert aws("ec2", "describe-volumes", "--volume-ids", volume).ok()["Volumes"][0]["Size"] == 20
    cli_error(aws("ec2", "modify-volume", "--volume-id", volume, "--size", "10"), "InvalidParameterValue")

    dedicated = aws("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16", "--instance-tenancy", "dedicated").ok()[
        "Vpc"]["VpcId"]
    assert aws("ec2", "modify-vpc-tenancy", "--vpc-id", dedicated, "--instance-tenancy", "default").ok()[
        "ReturnValue"] is True
    assert aws("ec2", "describe-vpcs", "--vpc-ids", dedicated).ok()["Vpcs"][0]["InstanceTenancy"] == "default"
    cli_error(aws("ec2", "modify-vpc-tenancy", "--vpc-id", vpc, "--instance-tenancy", "dedicated"),
              "UnsupportedTenancy")

    allocation = aws("ec2", "allocate-address", "--domain", "vpc").ok()["AllocationId"]
    aws("ec2", "modify-address-attribute", "--allocation-id", allocation, "--domain-name", "www.example.com").ok()
    reset = aws("ec2", "reset-address-attribute", "--allocation-id", allocation, "--attribute", "domain-name").ok()
    assert reset["Address"]["AllocationId"] == allocation
    cli_error(aws("ec2", "reset-address-attribute", "--allocation-id", "eipalloc-0123456789abcdef0", "--attribute",
                  "domain-name"), "InvalidAllocationID.NotFound")
