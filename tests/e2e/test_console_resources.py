"""The console's pages for DHCP option sets, network interfaces, volumes and launch templates, driven in Chromium:
each change by clicks, checked through boto3; each refusal AWS's code and message, beside its allowed case."""
from helpers import create_subnet, create_vpc


def test_dhcp_option_set_created_associated_refused_while_in_use_then_deleted(console, ec2):
    vpc = create_vpc(ec2, "10.1.0.0/16", Name="d")["VpcId"]
    console.open("/console/dhcp-option-sets/create").fill("name", "corp").fill("domain_name", "corp.example")
    console.fill("domain_name_servers", "10.1.0.2, AmazonProvidedDNS").click("submit-create-dhcp-options")
    (options,) = ec2.describe_dhcp_options(Filters=[{"Name": "tag:Name", "Values": ["corp"]}])["DhcpOptions"]
    dopt = options["DhcpOptionsId"]
    assert console.notice() == f"You successfully created {dopt}."
    values = {c["Key"]: [v["Value"] for v in c["Values"]] for c in options["DhcpConfigurations"]}
    assert values == {"domain-name": ["corp.example"], "domain-name-servers": ["10.1.0.2", "AmazonProvidedDNS"]}
    console.open(f"/console/vpcs/{vpc}").click("edit-dhcp").choose("dhcp_options_id", dopt).click("submit-edit-dhcp")
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["DhcpOptionsId"] == dopt
    console.open(f"/console/dhcp-option-sets/{dopt}").click("delete-dhcp-options")
    code, message = console.error()
    assert code == "DependencyViolation" and dopt in message
    console.shot("dhcp-delete-refused")
    console.open(f"/console/vpcs/{vpc}/dhcp").choose("dhcp_options_id", "default").click("submit-edit-dhcp")
    console.open(f"/console/dhcp-option-sets/{dopt}").click("delete-dhcp-options")
    assert console.notice() == f"You successfully deleted {dopt}."
    assert dopt not in {o["DhcpOptionsId"] for o in ec2.describe_dhcp_options()["DhcpOptions"]}


def test_network_interface_created_with_its_address_and_an_outside_address_refused(console, ec2):
    vpc = create_vpc(ec2, "10.2.0.0/16")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.2.1.0/24")["SubnetId"]
    console.open("/console/network-interfaces/create").choose("subnet", subnet).fill("private_ip", "10.9.9.9")
    console.fill("description", "outside").click("submit-create-network-interface")
    refused = console.error()
    assert refused is not None and refused[0] == "InvalidParameterValue"
    assert ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"] == []
    console.fill("private_ip", "10.2.1.50").click("submit-create-network-interface")
    (eni,) = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"]
    assert eni["PrivateIpAddress"] == "10.2.1.50" and eni["Description"] == "outside"
    assert console.notice() == f"You successfully created {eni['NetworkInterfaceId']}."
    console.open("/console/network-interfaces")
    assert [eni["NetworkInterfaceId"], "10.2.1.50"] == [r[1] for r in console.rows() if r[1] == eni["NetworkInterfaceId"]] + ["10.2.1.50"]
    console.open(f"/console/network-interfaces/{eni['NetworkInterfaceId']}").click("delete-network-interface")
    assert ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"] == []


def test_volume_created_refused_when_too_small_then_deleted(console, ec2):
    vpc = create_vpc(ec2, "10.3.0.0/16")["VpcId"]
    zone = create_subnet(ec2, vpc, "10.3.1.0/24")["AvailabilityZone"]
    before = {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}
    console.open("/console/volumes/create").choose("type", "io1").fill("size", "1").choose("zone", zone)
    console.click("submit-create-volume")
    refused = console.error()
    assert refused is not None and refused[0] in ("InvalidParameterValue", "InvalidParameterCombination", "MissingParameter")
    assert {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]} == before
    console.choose("type", "gp3").fill("size", "20").click("submit-create-volume")
    (volume,) = [v for v in ec2.describe_volumes()["Volumes"] if v["VolumeId"] not in before]
    assert (volume["Size"], volume["VolumeType"], volume["AvailabilityZone"]) == (20, "gp3", zone)
    console.click("delete-volume")
    assert console.notice() == f"You successfully deleted {volume['VolumeId']}."
    assert {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]} == before


def test_launch_template_default_version_set_and_template_deleted(console, ec2):
    template = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"InstanceType": "t3.micro"})
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData={"InstanceType": "t3.small"})
    console.open(f"/console/launch-templates/{template_id}")
    assert "t3.small" in console.text() and "t3.micro" in console.text()
    console.choose("version", "2").click("submit-default-version")
    described = ec2.describe_launch_templates(LaunchTemplateIds=[template_id])["LaunchTemplates"][0]
    assert described["DefaultVersionNumber"] == 2
    console.shot("launch-template")
    console.click("delete-launch-template")
    assert console.notice() == f"You successfully deleted {template_id}."
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []


def _instance(ec2, subnet):
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]


def test_reachability_analyzer_path_created_and_analyzed_by_clicks(console, ec2):
    vpc = create_vpc(ec2, "10.4.0.0/16")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.4.1.0/24")["SubnetId"]
    a, b = _instance(ec2, subnet), _instance(ec2, subnet)
    other_vpc = create_vpc(ec2, "10.5.0.0/16")["VpcId"]
    c = _instance(ec2, create_subnet(ec2, other_vpc, "10.5.1.0/24")["SubnetId"])
    console.open("/console/network-insights/create").choose("source", a).choose("destination", b)
    console.choose("protocol", "tcp").fill("port", "22").click("submit-create-path")
    (path,) = ec2.describe_network_insights_paths()["NetworkInsightsPaths"]
    assert (path["Source"], path["Destination"], path["DestinationPort"]) == (a, b, 22)
    (analysis,) = ec2.describe_network_insights_analyses(NetworkInsightsPathId=path["NetworkInsightsPathId"])[
        "NetworkInsightsAnalyses"]
    assert analysis["NetworkPathFound"] is True
    assert [b.text for b in console.css(".analysis .badge")] == ["Reachable"]
    # Another VPC without peering: not reachable, with the explanation the API gives.
    console.open("/console/network-insights/create").choose("source", a).choose("destination", c)
    console.fill("port", "22").click("submit-create-path")
    assert [b.text for b in console.css(".analysis .badge")] == ["Not reachable"]
    path_c = [p for p in ec2.describe_network_insights_paths()["NetworkInsightsPaths"] if p["Destination"] == c][0]
    (analysis_c,) = ec2.describe_network_insights_analyses(NetworkInsightsPathId=path_c["NetworkInsightsPathId"])[
        "NetworkInsightsAnalyses"]
    codes = [e["ExplanationCode"] for e in analysis_c["Explanations"]]
    assert codes and [cell.text for cell in console.css("table.explanations td.mono:first-child")] == codes
    console.shot("reachability-analyzer")
    # A refused path (UDP to a port out of range) shows AWS's error and creates nothing.
    before = len(ec2.describe_network_insights_paths()["NetworkInsightsPaths"])
    console.open("/console/network-insights/create").choose("source", a).choose("destination", b).fill("port", "70000")
    console.click("submit-create-path")
    assert console.error() is not None
    assert len(ec2.describe_network_insights_paths()["NetworkInsightsPaths"]) == before


def test_volume_detached_from_its_instance_then_deleted(console, ec2):
    vpc = create_vpc(ec2, "10.6.0.0/16")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.6.1.0/24")
    instance = _instance(ec2, subnet["SubnetId"])
    volume = ec2.create_volume(AvailabilityZone=subnet["AvailabilityZone"], Size=10)["VolumeId"]
    ec2.attach_volume(VolumeId=volume, InstanceId=instance, Device="/dev/sdf")
    console.open(f"/console/volumes/{volume}").click("delete-volume")
    refused = console.error()
    assert refused is not None and refused[0] == "VolumeInUse", refused
    console.click("detach-volume")
    assert console.notice() == f"You successfully detached {volume}."
    assert ec2.describe_volumes(VolumeIds=[volume])["Volumes"][0]["State"] == "available"
    console.click("delete-volume")
    assert volume not in {v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]}


def test_path_analyzed_again_then_deleted(console, ec2):
    vpc = create_vpc(ec2, "10.7.0.0/16")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.7.1.0/24")["SubnetId"]
    a, b = _instance(ec2, subnet), _instance(ec2, subnet)
    console.open("/console/network-insights/create").choose("source", a).choose("destination", b)
    console.fill("port", "22").click("submit-create-path")
    (path,) = ec2.describe_network_insights_paths()["NetworkInsightsPaths"]
    path_id = path["NetworkInsightsPathId"]
    console.click("analyze-path")
    analyses = ec2.describe_network_insights_analyses(NetworkInsightsPathId=path_id)["NetworkInsightsAnalyses"]
    assert len(analyses) == 2 and len(console.css(".analysis")) == 2
    assert console.notice().startswith("Analysis nia-") and console.notice().endswith(" started.")
    # AWS keeps a path while it has analyses; the refusal says so, then each analysis goes on its own.
    console.click("delete-path")
    code, message = console.error()
    assert code == "AnalysisExistsForNetworkInsightsPath" and path_id in message
    for analysis in analyses:
        console.click(f"delete-{analysis['NetworkInsightsAnalysisId']}")
        assert console.notice() == f"You successfully deleted {analysis['NetworkInsightsAnalysisId']}."
    assert ec2.describe_network_insights_analyses(NetworkInsightsPathId=path_id)["NetworkInsightsAnalyses"] == []
    console.click("delete-path")
    assert console.notice() == f"You successfully deleted {path_id}."
    assert ec2.describe_network_insights_paths()["NetworkInsightsPaths"] == []
