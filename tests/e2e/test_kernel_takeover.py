"""`serve --data-plane kernel` taking over the namespaces a crashed server of an older build left behind: IPv6
switched off in them and their rules in the `ip`-family table older builds used. The new server gives them their
settings again and removes that table, so real ping and ping6 answer as the engine says. Needs root."""
from __future__ import annotations

import subprocess

import pytest

from conftest import LocalVpcServer
from test_kernel_data_plane import Lab, kernel_refusal, namespaces, new_prefix, remove_namespaces
from test_kernel_ipv6 import allow_icmpv6, dual_stack

# What an older build left in an instance's namespace: its rules in an `ip` table (here one dropping everything it
# sends) and IPv6 switched off.
OLD_TABLE = """table ip localvpc {
    chain output { type filter hook output priority 0; policy drop; }
}
"""


def test_kernel_takes_over_the_namespaces_an_older_build_left_behind(log_dir, tmp_path):
    refusal = kernel_refusal()
    if refusal:
        pytest.skip(f"KERNEL DATA PLANE TESTS SKIPPED: {refusal}")
    prefix = new_prefix()
    args = ["--data-plane", "kernel", "--kernel-prefix", prefix]
    server = LocalVpcServer(f"sqlite:{tmp_path / 'kernel.db'}", log_dir, name=f"takeover-{prefix}", extra_args=args)
    try:
        server.start(timeout=30)
        lab = Lab(server)
        side = dual_stack(lab, "10.59.0.0/16")
        allow_icmpv6(lab, side, "::/0")
        lab.ec2.authorize_security_group_ingress(GroupId=side["sg"], IpPermissions=[
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.59.0.0/16"}]}])
        peer = lab.ec2.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="t3.micro", MinCount=1,
                                     MaxCount=1, SubnetId=side["subnet"])["Instances"][0]
        peer_v6 = peer["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
        # Positive control: both families answer before the crash.
        assert lab.exec(side["instance"], "ping6", "-c", "1", "-W", "2", "-n", peer_v6).returncode == 0
        assert lab.ping(side["instance"], peer["PrivateIpAddress"]).returncode == 0
        server.kill()  # no teardown: the namespaces stay behind
        namespace = f"{prefix}-{side['instance']}"
        assert namespace in namespaces(prefix)
        subprocess.run(["ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
                       check=True)
        subprocess.run(["ip", "netns", "exec", namespace, "nft", "-f", "-"], input=OLD_TABLE, text=True, check=True)
        broken = subprocess.run(["ip", "netns", "exec", namespace, "ping", "-c", "1", "-W", "1",
                                 peer["PrivateIpAddress"]], capture_output=True, text=True)
        assert broken.returncode != 0, broken  # the old table really drops
        server.start(timeout=30)
        lab = Lab(server)  # a restart listens on a new port
        v6 = lab.exec(side["instance"], "ping6", "-c", "1", "-W", "2", "-n", peer_v6)
        assert v6.returncode == 0 and f"64 bytes from {peer_v6}" in v6.stdout, v6
        v4 = lab.ping(side["instance"], peer["PrivateIpAddress"])
        assert v4.returncode == 0, v4
        tables = subprocess.run(["ip", "netns", "exec", namespace, "nft", "list", "tables"], capture_output=True,
                                text=True, check=True).stdout.split("\n")
        assert "table ip localvpc" not in tables and "table inet localvpc" in tables, tables
        server.stop()
        assert namespaces(prefix) == [], server.log_tail()
    finally:
        server.kill()
        remove_namespaces(prefix)
