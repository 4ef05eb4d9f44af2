"""Launch templates: create, versions, describe with aliases and ranges, the default version, deletes, and
RunInstances from a template (the request's parameters win; the instance carries AWS's template tags)."""
import base64

from helpers import assert_id, cli_error, ec2_error, tag_spec, tags_of

DATA = {
    "ImageId": "ami-12c6146b",
    "InstanceType": "t3.micro",
    "UserData": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
    "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "from", "Value": "template"}]}],
    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3"}}],
}


def create(ec2, name="web", data=None, **kw):
    return ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data or DATA, **kw)["LaunchTemplate"]


def test_create_and_describe_round_trip_the_data(ec2):
    template = create(ec2, TagSpecifications=tag_spec("launch-template", team="x"), VersionDescription="first")
    assert_id(template["LaunchTemplateId"], "lt")
    assert (template["DefaultVersionNumber"], template["LatestVersionNumber"]) == (1, 1)
    assert template["CreatedBy"] == "arn:aws:iam::123456789012:root"
    assert tags_of(template) == {"team": "x"}
    with ec2_error("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use."):
        create(ec2)
    with ec2_error("InvalidLaunchTemplateName.MalformedException"):
        create(ec2, name="a b")
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateName="web")["LaunchTemplateVersions"]
    assert (version["VersionNumber"], version["DefaultVersion"], version["VersionDescription"]) == (1, True, "first")
    assert version["LaunchTemplateData"] == DATA
    (found,) = ec2.describe_launch_templates(LaunchTemplateNames=["web"])["LaunchTemplates"]
    assert found["LaunchTemplateId"] == template["LaunchTemplateId"]
    assert ec2.describe_launch_templates(Filters=[{"Name": "tag:team", "Values": ["x"]}])["LaunchTemplates"] == [found]
    with ec2_error("InvalidLaunchTemplateName.NotFoundException",
                   "At least one of the launch templates specified in the request does not exist."):
        ec2.describe_launch_templates(LaunchTemplateNames=["nope"])
    with ec2_error("InvalidLaunchTemplateId.NotFound",
                   "The specified launch template, with template ID lt-07ff4bb0369cd679c, does not exist."):
        ec2.describe_launch_template_versions(LaunchTemplateId="lt-07ff4bb0369cd679c")
    with ec2_error("DryRunOperation", status=412):
        create(ec2, name="dry", DryRun=True)


def test_versions_aliases_ranges_default_and_deletes(ec2):
    lt = create(ec2)["LaunchTemplateId"]
    v2 = ec2.create_launch_template_version(LaunchTemplateId=lt, SourceVersion="1",
                                            LaunchTemplateData={"InstanceType": "t3.large"})["LaunchTemplateVersion"]
    assert v2["VersionNumber"] == 2 and v2["DefaultVersion"] is False
    assert v2["LaunchTemplateData"]["InstanceType"] == "t3.large"
    assert v2["LaunchTemplateData"]["ImageId"] == DATA["ImageId"]
    ec2.create_launch_template_version(LaunchTemplateName="web", LaunchTemplateData={"ImageId": "ami-22222222"})

    def numbers(**kw):
        return [v["VersionNumber"] for v in
                ec2.describe_launch_template_versions(LaunchTemplateId=lt, **kw)["LaunchTemplateVersions"]]

    assert numbers() == [1, 2, 3]
    assert numbers(Versions=["$Latest", "$Default"]) == [1, 3]
    assert numbers(MinVersion="2") == [2, 3]
    assert numbers(MaxVersion="2") == [1, 2]
    with ec2_error("InvalidLaunchTemplateId.VersionNotFound",
                   f"Could not find the specified version 7 for the launch template with ID {lt}."):
        numbers(Versions=["7"])
    every_latest = ec2.describe_launch_template_versions(Versions=["$Latest"])["LaunchTemplateVersions"]
    assert [(v["LaunchTemplateId"], v["VersionNumber"]) for v in every_latest] == [(lt, 3)]
    with ec2_error("MissingParameter"):
        ec2.describe_launch_template_versions()
    with ec2_error("InvalidParameterValue"):
        ec2.describe_launch_template_versions(Versions=["1"])

    modified = ec2.modify_launch_template(LaunchTemplateId=lt, DefaultVersion="2")["LaunchTemplate"]
    assert modified["DefaultVersionNumber"] == 2
    with ec2_error("InvalidLaunchTemplateId.VersionNotFound",
                   "The launch template version 9 is not found for the specified launch template."):
        ec2.modify_launch_template(LaunchTemplateId=lt, DefaultVersion="9")
    with ec2_error("InvalidParameterCombination"):
        ec2.modify_launch_template(LaunchTemplateId=lt, LaunchTemplateName="web", DefaultVersion="1")

    result = ec2.delete_launch_template_versions(LaunchTemplateId=lt, Versions=["1", "2", "8"])
    assert [v["VersionNumber"] for v in result["SuccessfullyDeletedLaunchTemplateVersions"]] == [1]
    refused = {v["VersionNumber"]: v["ResponseError"]["Code"]
               for v in result["UnsuccessfullyDeletedLaunchTemplateVersions"]}
    assert refused == {2: "unexpectedError", 8: "launchTemplateVersionDoesNotExist"}
    assert numbers() == [2, 3]

    deleted = ec2.delete_launch_template(LaunchTemplateName="web")["LaunchTemplate"]
    assert deleted["LaunchTemplateId"] == lt
    with ec2_error("InvalidLaunchTemplateName.NotFoundException",
                   "The specified launch template, with template name web, does not exist."):
        ec2.delete_launch_template(LaunchTemplateName="web")
    with ec2_error("MissingParameter",
                   "The request must contain the parameter launch template ID or launch template name"):
        ec2.delete_launch_template()
    create(ec2)  # the name is free again


def test_run_instances_from_a_template(ec2):
    lt = create(ec2)["LaunchTemplateId"]
    ec2.create_launch_template_version(LaunchTemplateId=lt, SourceVersion="1",
                                       LaunchTemplateData={"InstanceType": "t3.small"})
    (instance,) = ec2.run_instances(MinCount=1, MaxCount=1,
                                    LaunchTemplate={"LaunchTemplateName": "web"})["Instances"]
    assert (instance["ImageId"], instance["InstanceType"]) == (DATA["ImageId"], "t3.micro")
    assert tags_of(instance) == {"from": "template", "aws:ec2launchtemplate:id": lt,
                                 "aws:ec2launchtemplate:version": "1"}
    flt = [{"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}]
    (root,) = ec2.describe_volumes(Filters=flt)["Volumes"]
    assert (root["Size"], root["VolumeType"]) == (20, "gp3")
    # The latest version, and a request parameter that wins over the template.
    (later,) = ec2.run_instances(MinCount=1, MaxCount=1, InstanceType="c5.large",
                                 LaunchTemplate={"LaunchTemplateId": lt, "Version": "$Latest"})["Instances"]
    assert later["InstanceType"] == "c5.large"
    assert tags_of(later)["aws:ec2launchtemplate:version"] == "2"
    with ec2_error("InvalidLaunchTemplateId.VersionNotFound"):
        ec2.run_instances(MinCount=1, MaxCount=1, LaunchTemplate={"LaunchTemplateId": lt, "Version": "5"})
    with ec2_error("InvalidLaunchTemplateName.NotFoundException"):
        ec2.run_instances(MinCount=1, MaxCount=1, LaunchTemplate={"LaunchTemplateName": "nope"})


def test_templates_are_isolated_and_persisted(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    lt = create(ec2)["LaunchTemplateId"]
    other = client_factory(endpoint=srv.endpoint, key="111122223333")
    others = other.describe_launch_templates()["LaunchTemplates"]
    assert others == []
    create(other)  # the same name in another account
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    (found,) = ec2.describe_launch_templates()["LaunchTemplates"]
    assert found["LaunchTemplateId"] == lt
    with ec2_error("InvalidLaunchTemplateName.AlreadyExistsException"):
        create(ec2)


def test_launch_template_lifecycle_cli(aws):
    created = aws("ec2", "create-launch-template", "--launch-template-name", "cli",
                  "--launch-template-data", '{"ImageId":"ami-12c6146b","InstanceType":"t3.nano"}').ok()
    lt = created["LaunchTemplate"]["LaunchTemplateId"]
    cli_error(aws("ec2", "create-launch-template", "--launch-template-name", "cli",
                  "--launch-template-data", '{"ImageId":"ami-12c6146b"}'),
              "InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
    version = aws("ec2", "create-launch-template-version", "--launch-template-id", lt, "--source-version", "1",
                  "--launch-template-data", '{"InstanceType":"t3.small"}').ok()["LaunchTemplateVersion"]
    assert version["VersionNumber"] == 2
    got = aws("ec2", "describe-launch-template-versions", "--launch-template-id", lt, "--versions", "$Latest").ok()
    assert [(v["VersionNumber"], v["LaunchTemplateData"]["InstanceType"]) for v in got["LaunchTemplateVersions"]] \
        == [(2, "t3.small")]
    run = aws("ec2", "run-instances", "--launch-template", f"LaunchTemplateId={lt},Version=2", "--count", "1").ok()
    assert run["Instances"][0]["InstanceType"] == "t3.small"
    assert aws("ec2", "delete-launch-template", "--launch-template-id", lt).rc == 0
    cli_error(aws("ec2", "describe-launch-templates", "--launch-template-ids", lt),
              "InvalidLaunchTemplateId.NotFound")
