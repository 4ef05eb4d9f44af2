"""DescribeInstanceStatus and RebootInstances (spec §10.5, §10.7), CPU credit specifications (spec §10.6),
detailed monitoring (Monitor/UnmonitorInstances), and the option objects DescribeInstances sends for every instance."""
from helpers import cli_error, create_subnet, create_vpc, ec2_error

AMI = "ami-0123456789abcdef0"
UNKNOWN_INSTANCE = "i-0123456789abcdef0"
FAST = {"Delay": 1, "MaxAttempts": 10}


def subnet(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    return create_subnet(ec2, vid, "10.0.1.0/24")["SubnetId"]


def run(ec2, sid, count=1, **kw):
    kw.setdefault("InstanceType", "t3.micro")
    return [i["InstanceId"] for i in
            ec2.run_instances(ImageId=AMI, MinCount=count, MaxCount=count, SubnetId=sid, **kw)["Instances"]]


def statuses(ec2, **kw):
    return {s["InstanceId"]: s for s in ec2.describe_instance_status(**kw)["InstanceStatuses"]}


def test_running_instances_report_ok_and_the_waiter_passes(ec2):
    sid = subnet(ec2)
    (iid,) = run(ec2, sid)
    status = statuses(ec2)[iid]
    assert status["InstanceState"] == {"Code": 16, "Name": "running"}
    assert status["AvailabilityZone"] == "us-east-1a" and status["AvailabilityZoneId"] == "use1-az6"
    passed = {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]}
    assert status["InstanceStatus"] == passed and status["SystemStatus"] == passed
    assert status["AttachedEbsStatus"] == passed
    assert "Events" not in status
    ec2.get_waiter("instance_status_ok").wait(InstanceIds=[iid], WaiterConfig=FAST)
    ec2.get_waiter("system_status_ok").wait(InstanceIds=[iid], WaiterConfig=FAST)


def test_only_running_instances_unless_include_all(ec2):
    sid = subnet(ec2)
    running, stopped = run(ec2, sid, count=2)
    ec2.stop_instances(InstanceIds=[stopped])
    assert set(statuses(ec2)) == {running}
    # An explicit ID of a stopped instance is simply absent.
    assert set(statuses(ec2, InstanceIds=[running, stopped])) == {running}
    every = statuses(ec2, IncludeAllInstances=True)
    assert set(every) == {running, stopped}
    assert every[stopped]["InstanceState"] == {"Code": 80, "Name": "stopped"}
    assert every[stopped]["InstanceStatus"] == {"Status": "not-applicable"}
    assert every[stopped]["SystemStatus"] == {"Status": "not-applicable"}
    only = statuses(ec2, IncludeAllInstances=True, Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])
    assert set(only) == {stopped}
    assert set(statuses(ec2, Filters=[{"Name": "instance-status.status", "Values": ["ok"]}])) == {running}
    assert set(statuses(ec2, Filters=[{"Name": "availability-zone", "Values": ["us-east-1b"]}])) == set()


def test_status_errors_and_paging(ec2):
    sid = subnet(ec2)
    ids = run(ec2, sid, count=7)
    with ec2_error("InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN_INSTANCE}' does not exist"):
        ec2.describe_instance_status(InstanceIds=[ids[0], UNKNOWN_INSTANCE])
    with ec2_error("InvalidParameterValue", "The filter 'nonsense' is invalid"):
        ec2.describe_instance_status(Filters=[{"Name": "nonsense", "Values": ["x"]}])
    first = ec2.describe_instance_status(MaxResults=5)
    assert len(first["InstanceStatuses"]) == 5 and first["NextToken"]
    rest = ec2.describe_instance_status(MaxResults=5, NextToken=first["NextToken"])
    assert {s["InstanceId"] for s in first["InstanceStatuses"] + rest["InstanceStatuses"]} == set(ids)
    with ec2_error("InvalidParameterCombination"):
        ec2.describe_instance_status(InstanceIds=[ids[0]], MaxResults=5)
    with ec2_error("DryRunOperation", status=412):
        ec2.describe_instance_status(DryRun=True)


def test_reboot(ec2):
    sid = subnet(ec2)
    iid, stopped = run(ec2, sid, count=2)
    before = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    with ec2_error("DryRunOperation", status=412):
        ec2.reboot_instances(InstanceIds=[iid], DryRun=True)
    ec2.reboot_instances(InstanceIds=[iid])
    after = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert after["State"] == {"Code": 16, "Name": "running"}
    assert after["PrivateIpAddress"] == before["PrivateIpAddress"] and after["LaunchTime"] == before["LaunchTime"]
    with ec2_error("InvalidInstanceID.NotFound", f"The instance ID '{UNKNOWN_INSTANCE}' does not exist"):
        ec2.reboot_instances(InstanceIds=[iid, UNKNOWN_INSTANCE])
    ec2.stop_instances(InstanceIds=[stopped])
    with ec2_error("IncorrectInstanceState",
                   f"The instance '{stopped}' is not in a state from which it can be rebooted."):
        ec2.reboot_instances(InstanceIds=[stopped])
    # Terminated instances are ignored.
    ec2.terminate_instances(InstanceIds=[stopped])
    ec2.reboot_instances(InstanceIds=[iid, stopped])


def credits(ec2, **kw):
    return {c["InstanceId"]: c["CpuCredits"]
            for c in ec2.describe_instance_credit_specifications(**kw)["InstanceCreditSpecifications"]}


def test_credit_specifications(ec2):
    sid = subnet(ec2)
    (t3,) = run(ec2, sid, InstanceType="t3.micro")
    (t2,) = run(ec2, sid, InstanceType="t2.micro")
    (m5,) = run(ec2, sid, InstanceType="m5.large")
    (t3_standard,) = run(ec2, sid, InstanceType="t3a.small", CreditSpecification={"CpuCredits": "standard"})
    # Without IDs: the unlimited ones only; with IDs: every one named, a non-burstable type as `standard`.
    assert credits(ec2) == {t3: "unlimited"}
    assert credits(ec2, InstanceIds=[t3, t2, m5, t3_standard]) == \
        {t3: "unlimited", t2: "standard", m5: "standard", t3_standard: "standard"}
    resp = ec2.modify_instance_credit_specification(InstanceCreditSpecifications=[
        {"InstanceId": t2, "CpuCredits": "unlimited"}, {"InstanceId": m5, "CpuCredits": "unlimited"},
        {"InstanceId": UNKNOWN_INSTANCE, "CpuCredits": "unlimited"}])
    assert resp["SuccessfulInstanceCreditSpecifications"] == [{"InstanceId": t2}]
    failed = {u["InstanceId"]: u["Error"] for u in resp["UnsuccessfulInstanceCreditSpecifications"]}
    assert failed[m5] == {"Code": "InstanceCreditSpecification.NotSupported",
                          "Message": "The m5.large instance type does not support T2 Unlimited."}
    assert failed[UNKNOWN_INSTANCE]["Code"] == "InvalidInstanceID.NotFound"
    assert credits(ec2) == {t3: "unlimited", t2: "unlimited"}
    assert credits(ec2, Filters=[{"Name": "instance-id", "Values": [t2]}]) == {t2: "unlimited"}
    with ec2_error("InvalidCpuCredits.Malformed"):
        ec2.modify_instance_credit_specification(InstanceCreditSpecifications=[
            {"InstanceId": t2, "CpuCredits": "infinite"}])
    with ec2_error("InstanceCreditSpecification.NotSupported",
                   "The m5.large instance type does not support T2 Unlimited."):
        run(ec2, sid, InstanceType="m5.large", CreditSpecification={"CpuCredits": "standard"})
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.describe_instance_credit_specifications(InstanceIds=[UNKNOWN_INSTANCE])


def test_describe_instances_sends_the_option_objects(ec2):
    sid = subnet(ec2)
    (iid,) = run(ec2, sid, InstanceType="t3.micro")
    (old,) = run(ec2, sid, InstanceType="t2.micro")
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert inst["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 2}
    assert inst["CapacityReservationSpecification"] == {"CapacityReservationPreference": "open"}
    assert inst["HibernationOptions"] == {"Configured": False}
    assert inst["MetadataOptions"] == {"State": "applied", "HttpTokens": "optional", "HttpPutResponseHopLimit": 1,
                                       "HttpEndpoint": "enabled", "HttpProtocolIpv6": "disabled",
                                       "InstanceMetadataTags": "disabled"}
    assert inst["EnclaveOptions"] == {"Enabled": False}
    assert inst["MaintenanceOptions"] == {"AutoRecovery": "default", "RebootMigration": "default"}
    assert inst["PrivateDnsNameOptions"] == {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": False,
                                             "EnableResourceNameDnsAAAARecord": False}
    assert inst["PlatformDetails"] == "Linux/UNIX" and inst["UsageOperation"] == "RunInstances"
    assert inst["UsageOperationUpdateTime"] == inst["LaunchTime"]
    assert inst["CurrentInstanceBootMode"] == "legacy-bios"
    assert inst["Operator"] == {"Managed": False}
    assert inst["NetworkInterfaces"][0]["Operator"] == {"Managed": False}
    # An untagged instance has no Tags key, as on AWS.
    assert "Tags" not in inst
    older = ec2.describe_instances(InstanceIds=[old])["Reservations"][0]["Instances"][0]
    assert older["CpuOptions"] == {"CoreCount": 1, "ThreadsPerCore": 1}


def test_cli(aws, ec2):
    sid = subnet(ec2)
    (iid,) = run(ec2, sid)
    res = aws("ec2", "describe-instance-status", "--instance-ids", iid).ok()
    assert res["InstanceStatuses"][0]["InstanceStatus"]["Status"] == "ok"
    aws("ec2", "reboot-instances", "--instance-ids", iid).ok()
    cli_error(aws("ec2", "reboot-instances", "--instance-ids", UNKNOWN_INSTANCE), "InvalidInstanceID.NotFound")
    res = aws("ec2", "describe-instance-credit-specifications", "--instance-ids", iid).ok()
    assert res["InstanceCreditSpecifications"] == [{"InstanceId": iid, "CpuCredits": "unlimited"}]
    res = aws("ec2", "modify-instance-credit-specification", "--instance-credit-specification",
              f"InstanceId={iid},CpuCredits=standard").ok()
    assert res["SuccessfulInstanceCreditSpecifications"] == [{"InstanceId": iid}]
    res = aws("ec2", "describe-instance-credit-specifications", "--instance-ids", iid).ok()
    assert res["InstanceCreditSpecifications"][0]["CpuCredits"] == "standard"
    cli_error(aws("ec2", "describe-instance-status", "--filters", "Name=nonsense,Values=x"), "InvalidParameterValue",
              "The filter 'nonsense' is invalid")


def monitoring(ec2, iid):
    return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["Monitoring"]["State"]


def test_detailed_monitoring_at_launch_and_monitor_unmonitor(ec2):
    sid = subnet(ec2)
    launched = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid, InstanceType="t3.micro",
                                 Monitoring={"Enabled": True})["Instances"][0]
    (basic,) = run(ec2, sid)
    monitored = launched["InstanceId"]
    # The launch's answer shows the transition, as MonitorInstances does; Describe shows the setting.
    assert launched["Monitoring"] == {"State": "pending"}
    assert monitoring(ec2, monitored) == "enabled" and monitoring(ec2, basic) == "disabled"

    def by_state(state):
        return {i["InstanceId"] for r in ec2.describe_instances(
            Filters=[{"Name": "monitoring-state", "Values": [state]}])["Reservations"] for i in r["Instances"]}

    assert by_state("enabled") == {monitored} and by_state("disabled") == {basic}
    answer = ec2.unmonitor_instances(InstanceIds=[monitored])["InstanceMonitorings"]
    assert answer == [{"InstanceId": monitored, "Monitoring": {"State": "disabling"}}]
    assert monitoring(ec2, monitored) == "disabled"
    answer = ec2.monitor_instances(InstanceIds=[basic, monitored])["InstanceMonitorings"]
    assert [(m["InstanceId"], m["Monitoring"]["State"]) for m in answer] == [(basic, "pending"), (monitored, "pending")]
    assert by_state("enabled") == {monitored, basic}
    # Every ID is checked before anything changes; a terminated instance is refused.
    with ec2_error("InvalidInstanceID.NotFound"):
        ec2.unmonitor_instances(InstanceIds=[basic, UNKNOWN_INSTANCE])
    assert monitoring(ec2, basic) == "enabled"
    ec2.terminate_instances(InstanceIds=[basic])
    with ec2_error("IncorrectInstanceState"):
        ec2.monitor_instances(InstanceIds=[basic])


def test_cli_monitor_and_unmonitor(aws, ec2):
    sid = subnet(ec2)
    (iid,) = run(ec2, sid)
    res = aws("ec2", "monitor-instances", "--instance-ids", iid).ok()
    assert res["InstanceMonitorings"] == [{"InstanceId": iid, "Monitoring": {"State": "pending"}}]
    res = aws("ec2", "unmonitor-instances", "--instance-ids", iid).ok()
    assert res["InstanceMonitorings"] == [{"InstanceId": iid, "Monitoring": {"State": "disabling"}}]
    cli_error(aws("ec2", "monitor-instances", "--instance-ids", UNKNOWN_INSTANCE), "InvalidInstanceID.NotFound")
