"""`serve --data-plane kernel` with an interface VPC endpoint (part 2 §17.5): each of the endpoint's interfaces is
the service's host in its subnet — real TCP 443 opens on it (by address and by the service's public name, which
private DNS answers with the interface's address), its security groups decide who gets there, other ports are
closed, and deleting the endpoint takes the host away — the engine (`exec --model`) agreeing at every step. Needs
root, like the other kernel tests (skipped loudly otherwise)."""
from __future__ import annotations

import subprocess

from test_kernel_data_plane import REGION, kernel, lab  # noqa: F401  (fixtures)
from test_kernel_vpc_endpoint import connect, ping

SSM = f"com.amazonaws.{REGION}.ssm"
SSM_NAME = f"ssm.{REGION}.amazonaws.com"


def test_kernel_interface_endpoint_is_a_host_in_its_subnet_under_its_groups(lab):  # noqa: F811
    side = lab.network("10.32.0.0/16", "10.32.1.0/24", igw=False)
    ec2 = lab.ec2
    ec2.modify_vpc_attribute(VpcId=side["vpc"], EnableDnsHostnames={"Value": True})
    group = ec2.create_security_group(GroupName="endpoint", Description="HTTPS from the VPC", VpcId=side["vpc"])
    group = group["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.32.0.0/16"}]}])
    made = ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=side["vpc"], ServiceName=SSM,
                                   SubnetIds=[side["subnet"]], SecurityGroupIds=[group],
                                   PrivateDnsEnabled=True)["VpcEndpoint"]
    [eni] = made["NetworkInterfaceIds"]
    interface = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    address = interface["PrivateIpAddress"]
    assert interface["SubnetId"] == side["subnet"] and address.startswith("10.32.1."), interface

    # The service answers HTTPS at the interface's address; the group admits nothing else.
    assert connect(lab, side["instance"], address, 443) == ("open", "open")
    # (`exec` waits until the kernel holds what this client last wrote, so the namespace is there by now.)
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert f"{lab.server.prefix}-{eni}" in namespaces, namespaces
    assert connect(lab, side["instance"], address, 22) == ("dropped", "dropped")
    assert ping(lab, side["instance"], address) == (1, 1)
    # Private DNS: inside the VPC the service's public name is the interface's address, and HTTPS opens by name.
    resolved = lab.exec(side["instance"], "getent", "hosts", SSM_NAME)
    assert (resolved.returncode, resolved.stdout.split()[:1]) == (0, [address]), resolved
    assert connect(lab, side["instance"], SSM_NAME, 443) == ("open", "open")

    # The group is live: ICMP and TCP 80 let in, a ping answered and port 80 closed (the service listens on 443
    # only) — in the kernel and in the engine alike.
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.32.0.0/16"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.32.0.0/16"}]}])
    assert ping(lab, side["instance"], address) == (0, 0)
    assert connect(lab, side["instance"], address, 80) == ("refused", "refused")

    # Without the endpoint there is no host at that address any more.
    ec2.delete_vpc_endpoints(VpcEndpointIds=[made["VpcEndpointId"]])
    assert connect(lab, side["instance"], address, 443) == ("dropped", "dropped")
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert f"{lab.server.prefix}-{eni}" not in namespaces, namespaces
