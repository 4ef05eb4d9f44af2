"""VPC flow logs, the control plane (part 2 §18.1): CreateFlowLogs with each destination type and every
validation, DescribeFlowLogs with its filters and paging, DeleteFlowLogs, tags, account/region isolation and a
restart — with boto3 and the aws CLI. localvpc has no S3, CloudWatch Logs or Firehose: a well-formed ARN of the right
service is accepted without checking the bucket, group or stream (ASSUMPTION)."""
import pytest

from helpers import assert_id, ec2_error, tag_spec, tags_of

DEFAULT_FORMAT = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
                  "${packets} ${bytes} ${start} ${end} ${action} ${log-status}")
ROLE = "arn:aws:iam::123456789012:role/flow-logs"
BUCKET = "arn:aws:s3:::flow-log-bucket/vpc"
FIREHOSE = "arn:aws:firehose:us-east-1:123456789012:deliverystream/flows"
OTHER_ACCOUNT = "111111111111"


@pytest.fixture
def vpc(ec2):
    return ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]


def s3_flow_log(ec2, resource_id, resource_type="VPC", **extra):
    created = ec2.create_flow_logs(ResourceType=resource_type, ResourceIds=[resource_id], TrafficType="ALL",
                                   LogDestinationType="s3", LogDestination=BUCKET, **extra)
    assert created["Unsuccessful"] == [], created
    return created["FlowLogIds"][0]


def test_each_destination_type_is_created_and_described_as_aws_does(ec2, vpc):
    cwl = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="REJECT",
                               LogGroupName="vpc-flows", DeliverLogsPermissionArn=ROLE,
                               MaxAggregationInterval=60, ClientToken="tok-1")
    assert cwl["ClientToken"] == "tok-1" and cwl["Unsuccessful"] == []
    assert_id(cwl["FlowLogIds"][0], "fl")
    s3 = s3_flow_log(ec2, vpc, DestinationOptions={"FileFormat": "parquet", "PerHourPartition": True})
    firehose = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ACCEPT",
                                    LogDestinationType="kinesis-data-firehose", LogDestination=FIREHOSE,
                                    LogFormat="${version} ${vpc-id} ${action}")["FlowLogIds"][0]
    described = {fl["FlowLogId"]: fl for fl in ec2.describe_flow_logs()["FlowLogs"]}
    assert set(described) == {cwl["FlowLogIds"][0], s3, firehose}
    first = described[cwl["FlowLogIds"][0]]
    first.pop("CreationTime")
    assert first == {"DeliverLogsStatus": "SUCCESS", "DeliverLogsPermissionArn": ROLE,
                     "FlowLogId": cwl["FlowLogIds"][0], "FlowLogStatus": "ACTIVE", "LogGroupName": "vpc-flows",
                     "ResourceId": vpc, "TrafficType": "REJECT", "LogDestinationType": "cloud-watch-logs",
                     "LogFormat": DEFAULT_FORMAT, "Tags": [], "MaxAggregationInterval": 60}
    assert described[s3]["LogDestination"] == BUCKET and described[s3]["MaxAggregationInterval"] == 600
    assert described[s3]["DestinationOptions"] == {"FileFormat": "parquet", "HiveCompatiblePartitions": False,
                                                   "PerHourPartition": True}
    assert described[firehose]["LogFormat"] == "${version} ${vpc-id} ${action}"
    assert "DestinationOptions" not in described[firehose]
    # The same ClientToken answers the flow log it made, and makes no second one.
    again = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="REJECT",
                                 LogGroupName="vpc-flows", DeliverLogsPermissionArn=ROLE,
                                 MaxAggregationInterval=60, ClientToken="tok-1")
    assert again["FlowLogIds"] == cwl["FlowLogIds"]
    after = ec2.describe_flow_logs()["FlowLogs"]
    assert len(after) == 3


def test_an_unknown_resource_is_an_unsuccessful_item_and_the_others_are_created(ec2, vpc):
    created = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc, "vpc-0123456789abcdef0"],
                                   TrafficType="ALL", LogDestinationType="s3", LogDestination=BUCKET)
    assert len(created["FlowLogIds"]) == 1
    assert created["Unsuccessful"] == [{"Error": {"Code": "InvalidVpcID.NotFound",
                                                  "Message": "The vpc ID 'vpc-0123456789abcdef0' does not exist"},
                                        "ResourceId": "vpc-0123456789abcdef0"}]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    missing_subnet = ec2.create_flow_logs(ResourceType="Subnet", ResourceIds=["subnet-0123456789abcdef0"],
                                          TrafficType="ALL", LogDestinationType="s3", LogDestination=BUCKET)
    assert missing_subnet["FlowLogIds"] == []
    assert missing_subnet["Unsuccessful"][0]["Error"]["Code"] == "InvalidSubnetID.NotFound"
    on_subnet = s3_flow_log(ec2, subnet, resource_type="Subnet")
    assert_id(on_subnet, "fl")


@pytest.mark.parametrize("kwargs, code, message", [
    ({"LogGroupName": "g", "LogDestination": "arn:aws:logs:us-east-1:123456789012:log-group:g",
      "DeliverLogsPermissionArn": ROLE},
     "InvalidParameter", "Please only provide LogGroupName or only provide LogDestination."),
    ({"LogDestinationType": "s3"},
     "InvalidParameter", "LogDestination can't be empty if LogGroupName is not provided."),
    ({"LogDestinationType": "s3", "LogGroupName": "g"},
     "InvalidParameter", "LogDestination type must be cloud-watch-logs if LogGroupName is provided."),
    ({"LogGroupName": "g"},
     "InvalidParameter", "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs."),
    ({"LogDestinationType": "s3", "LogDestination": BUCKET, "MaxAggregationInterval": 300},
     "InvalidParameterValue", "Invalid value '300' for MaxAggregationInterval. Valid values: 60, 600"),
    ({"LogDestinationType": "s3", "LogDestination": BUCKET, "LogFormat": "${version} ${nope}"},
     "InvalidParameter", "Unknown fields provided in LogFormat: ${nope}"),
    ({"LogDestinationType": "s3", "LogDestination": "arn:aws:logs:us-east-1:1:log-group:g"},
     "InvalidParameter", "LogDestination: arn:aws:logs:us-east-1:1:log-group:g is not a valid ARN for the "
                         "LogDestinationType."),
    ({"LogGroupName": "g", "DeliverLogsPermissionArn": ROLE, "DestinationOptions": {"FileFormat": "parquet"}},
     "InvalidParameter", "Invalid DestinationOptions: DestinationOptions apply to S3 only"),
])
def test_every_validation_refuses_with_awss_code_and_message(ec2, vpc, kwargs, code, message):
    with ec2_error(code, message):
        ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", **kwargs)
    # Positive control: nothing was made, and the valid request is accepted.
    flow_logs = ec2.describe_flow_logs()["FlowLogs"]
    assert flow_logs == []
    assert_id(s3_flow_log(ec2, vpc), "fl")


def test_traffic_type_rules_and_duplicates(ec2_raw, ec2, vpc):
    with ec2_error("InvalidParameterValue", "Invalid value 'SOME' for TrafficType. Valid values: ACCEPT, REJECT, ALL"):
        ec2_raw.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="SOME",
                                 LogDestinationType="s3", LogDestination=BUCKET)
    with ec2_error("InvalidParameter", "TrafficType can't be empty if ResourceType is VPC."):
        ec2_raw.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], LogDestinationType="s3",
                                 LogDestination=BUCKET)
    first = s3_flow_log(ec2, vpc)
    with ec2_error("FlowLogAlreadyExists",
                   "Error. There is an existing Flow Log with the same configuration and log destination."):
        ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL", LogDestinationType="s3",
                             LogDestination=BUCKET)
    # Positive control: another traffic type to the same destination is another configuration.
    second = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="REJECT",
                                  LogDestinationType="s3", LogDestination=BUCKET)["FlowLogIds"]
    assert len(second) == 1 and second[0] != first


def test_describe_filters_and_paging(ec2, vpc):
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    on_vpc = s3_flow_log(ec2, vpc, TagSpecifications=tag_spec("vpc-flow-log", team="net"))
    on_subnet = ec2.create_flow_logs(ResourceType="Subnet", ResourceIds=[subnet], TrafficType="REJECT",
                                     LogGroupName="flows", DeliverLogsPermissionArn=ROLE)["FlowLogIds"][0]

    def ids(**kw):
        return sorted(fl["FlowLogId"] for fl in ec2.describe_flow_logs(**kw)["FlowLogs"])

    def by(name, *values):
        return ids(Filter=[{"Name": name, "Values": list(values)}])

    assert by("resource-id", subnet) == [on_subnet]
    assert by("traffic-type", "ALL") == [on_vpc]
    assert by("log-destination-type", "cloud-watch-logs") == [on_subnet]
    assert by("log-group-name", "flows") == [on_subnet]
    assert by("flow-log-id", on_vpc) == [on_vpc]
    assert by("deliver-log-status", "SUCCESS") == sorted([on_vpc, on_subnet])
    assert by("tag:team", "net") == [on_vpc]
    assert by("tag-key", "team") == [on_vpc]
    assert ids(FlowLogIds=[on_subnet]) == [on_subnet]
    page = ec2.describe_flow_logs(MaxResults=5)
    assert len(page["FlowLogs"]) == 2 and "NextToken" not in page
    with ec2_error("InvalidParameterValue"):
        ec2.describe_flow_logs(Filter=[{"Name": "bogus", "Values": ["x"]}])


def test_tags_and_delete(ec2, vpc):
    fl = s3_flow_log(ec2, vpc, TagSpecifications=tag_spec("vpc-flow-log", Name="web"))
    ec2.create_tags(Resources=[fl], Tags=[{"Key": "env", "Value": "dev"}])
    described = ec2.describe_flow_logs(FlowLogIds=[fl])["FlowLogs"][0]
    assert tags_of(described) == {"Name": "web", "env": "dev"}
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [fl]}])["Tags"]
    assert sorted((t["Key"], t["ResourceType"]) for t in tags) == [("Name", "vpc-flow-log"), ("env", "vpc-flow-log")]
    with ec2_error("InvalidParameterValue", "'vpc' is not a valid taggable resource type for this operation."):
        ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="REJECT", LogDestinationType="s3",
                             LogDestination=BUCKET, TagSpecifications=tag_spec("vpc", Name="x"))
    deleted = ec2.delete_flow_logs(FlowLogIds=[fl])
    assert deleted["Unsuccessful"] == []
    remaining = ec2.describe_flow_logs()["FlowLogs"]
    assert remaining == []
    with ec2_error("InvalidFlowLogId.NotFound",
                   f"These flow log ids in the input list are not found: [TotalCount: 1] {fl}"):
        ec2.delete_flow_logs(FlowLogIds=[fl])


def test_a_deleted_vpcs_flow_log_goes_with_it(ec2, vpc):
    fl = s3_flow_log(ec2, vpc, TagSpecifications=tag_spec("vpc-flow-log", Name="gone"))
    listed = ec2.describe_flow_logs(FlowLogIds=[fl])["FlowLogs"]
    assert [f["ResourceId"] for f in listed] == [vpc]
    tagged = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [fl]}])["Tags"]
    assert [t["Value"] for t in tagged] == ["gone"]
    ec2.delete_vpc(VpcId=vpc)
    after = ec2.describe_flow_logs()["FlowLogs"]
    assert after == []
    tags_after = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [fl]}])["Tags"]
    assert tags_after == []


def test_another_account_or_region_sees_none_of_them(ec2, client_factory, vpc):
    fl = s3_flow_log(ec2, vpc)
    other = client_factory(key=OTHER_ACCOUNT)
    other_region = client_factory(region="eu-west-1")
    for client in (other, other_region):
        flow_logs = client.describe_flow_logs()["FlowLogs"]
        assert flow_logs == []
        with ec2_error("InvalidFlowLogId.NotFound"):
            client.delete_flow_logs(FlowLogIds=[fl])
        refused = client.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ALL",
                                          LogDestinationType="s3", LogDestination=BUCKET)
        assert refused["FlowLogIds"] == [] and refused["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcID.NotFound"
    mine = ec2.describe_flow_logs()["FlowLogs"]
    assert [f["FlowLogId"] for f in mine] == [fl]


def test_the_aws_cli_creates_describes_and_deletes(aws, vpc):
    created = aws("ec2", "create-flow-logs", "--resource-type", "VPC", "--resource-ids", vpc, "--traffic-type",
                  "ALL", "--log-destination-type", "s3", "--log-destination", BUCKET)
    assert created.rc == 0, created.stderr
    fl = created.json["FlowLogIds"][0]
    described = aws("ec2", "describe-flow-logs", "--filter", f"Name=resource-id,Values={vpc}")
    assert [(f["FlowLogId"], f["LogFormat"]) for f in described.json["FlowLogs"]] == [(fl, DEFAULT_FORMAT)]
    refused = aws("ec2", "create-flow-logs", "--resource-type", "VPC", "--resource-ids", vpc, "--traffic-type",
                  "ALL", "--log-destination-type", "s3")
    assert refused.rc != 0 and "LogDestination can't be empty if LogGroupName is not provided." in refused.stderr
    deleted = aws("ec2", "delete-flow-logs", "--flow-log-ids", fl)
    assert deleted.rc == 0 and deleted.json["Unsuccessful"] == []
    gone = aws("ec2", "delete-flow-logs", "--flow-log-ids", fl)
    assert gone.rc != 0 and "InvalidFlowLogId.NotFound" in gone.stderr


def test_flow_logs_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    fl = s3_flow_log(ec2, vpc, TagSpecifications=tag_spec("vpc-flow-log", Name="kept"))
    before = ec2.describe_flow_logs()["FlowLogs"]
    srv.kill()
    srv.start()
    after = client_factory(endpoint=srv.endpoint).describe_flow_logs()["FlowLogs"]
    assert after == before and after[0]["FlowLogId"] == fl


def test_quotas_aws_refuses_a_third_flow_log_on_one_resource(log_dir, client_factory):
    from conftest import LocalVpcServer
    srv = LocalVpcServer("memory", log_dir, name="flow-log-quotas", extra_args=["--quotas", "aws"]).start()
    try:
        ec2 = client_factory(endpoint=srv.endpoint)
        vpc = ec2.create_vpc(CidrBlock="10.32.0.0/16")["Vpc"]["VpcId"]
        first = s3_flow_log(ec2, vpc)
        second = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="REJECT",
                                      LogDestinationType="s3", LogDestination=BUCKET)["FlowLogIds"]
        assert len(second) == 1 and second[0] != first
        with ec2_error("FlowLogsLimitExceeded", f"The maximum number of flow logs for the resource {vpc} has been "
                                                "reached."):
            ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ACCEPT",
                                 LogDestinationType="s3", LogDestination=BUCKET)
        # Positive control: after a delete there is room again.
        ec2.delete_flow_logs(FlowLogIds=[first])
        third = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType="ACCEPT",
                                     LogDestinationType="s3", LogDestination=BUCKET)["FlowLogIds"]
        assert len(third) == 1
    finally:
        srv.stop()


def test_without_quotas_a_resource_takes_any_number_of_flow_logs(ec2, vpc):
    made = [ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpc], TrafficType=traffic, LogDestinationType="s3",
                                 LogDestination=BUCKET)["FlowLogIds"][0] for traffic in ("ALL", "ACCEPT", "REJECT")]
    listed = ec2.describe_flow_logs()["FlowLogs"]
    assert sorted(f["FlowLogId"] for f in listed) == sorted(made)
