"""The web console's VPC pages, driven in Chromium: the list, "Create VPC" (VPC only) with AWS's refusal shown,
the details page with its tabs, "Edit VPC settings", "Delete VPC" with AWS's dependency error — each change made by
clicks and checked through boto3, the console's changes being ordinary EC2 actions."""
from helpers import create_subnet, create_vpc


def test_create_vpc_by_clicks_shows_it_in_the_list_and_to_boto3(console, ec2):
    console.open("/console/vpcs")
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    assert [row[1] for row in console.rows()] == [default]
    console.link("Create VPC").fill("name", "vpc-a").fill("cidr", "10.6.0.0/16").click("submit-create-vpc")
    banner = console.notice()
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["vpc-a"]}])["Vpcs"]
    assert vpc["CidrBlock"] == "10.6.0.0/16"
    assert banner == f"You successfully created {vpc['VpcId']}."
    assert console.path.startswith(f"/console/vpcs/{vpc['VpcId']}")
    console.shot("vpc-details")
    console.open("/console/vpcs")
    assert {row[1]: row[0] for row in console.rows()} == {default: "–", vpc["VpcId"]: "vpc-a"}


def test_create_vpc_refusal_is_awss_code_and_message_and_keeps_the_input(console, ec2):
    before = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    console.open("/console/vpcs/create").fill("name", "bad").fill("cidr", "10.0.0.0/8").click("submit-create-vpc")
    assert console.error() == ("InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.")
    assert console.el("cidr").get_attribute("value") == "10.0.0.0/8"
    assert console.el("name").get_attribute("value") == "bad"
    console.shot("create-vpc-refused")
    assert {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]} == before
    # Positive control: the same form with a valid block creates it.
    console.fill("cidr", "10.0.0.0/16").click("submit-create-vpc")
    assert console.error() is None
    assert len(ec2.describe_vpcs()["Vpcs"]) == len(before) + 1


def test_delete_vpc_refused_with_its_dependency_then_allowed(console, ec2):
    vpc = create_vpc(ec2, "10.7.0.0/16", Name="b")["VpcId"]
    subnet = create_subnet(ec2, vpc, "10.7.1.0/24")["SubnetId"]
    console.open(f"/console/vpcs/{vpc}").click("delete-vpc")
    code, message = console.error()
    assert code == "DependencyViolation"
    assert vpc in message
    ec2.delete_subnet(SubnetId=subnet)
    console.open(f"/console/vpcs/{vpc}").click("delete-vpc")
    assert console.notice() == f"You successfully deleted {vpc}."
    assert vpc not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}


def test_vpc_settings_and_tabs(console, ec2):
    vpc = create_vpc(ec2, "10.8.0.0/16", Name="c")["VpcId"]
    create_subnet(ec2, vpc, "10.8.1.0/24", Name="c-1")
    console.open(f"/console/vpcs/{vpc}?tab=subnets")
    assert [row[0] for row in console.rows()] == ["c-1"]
    console.open(f"/console/vpcs/{vpc}?tab=settings")
    assert not console.el("enable-dns-hostnames").is_selected()
    console.click("enable-dns-hostnames").click("save-settings")
    assert console.notice() == f"You have successfully modified the settings for {vpc}."
    attribute = ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")
    assert attribute["EnableDnsHostnames"]["Value"] is True
    console.open(f"/console/vpcs/{vpc}?tab=tags")
    assert console.rows() == [["Name", "c"]]


def test_account_and_region_switcher_shows_only_that_scope(console, client_factory):
    other = client_factory(region="eu-west-1", key="210987654321")
    vpc = other.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    console.open("/console/vpcs")
    assert vpc not in console.text()
    console.fill("account", "210987654321").choose("region", "eu-west-1").click("switch")
    console.open("/console/vpcs")
    assert vpc in console.text()
    # Positive control the other way: back in the default scope it is gone again.
    console.fill("account", "123456789012").choose("region", "us-east-1").click("switch")
    console.open("/console/vpcs")
    assert vpc not in console.text()


def test_manage_tags_adds_changes_and_removes_with_awss_refusal(console, ec2):
    vpc = create_vpc(ec2, "10.11.0.0/16", Name="before", team="net")["VpcId"]
    console.open(f"/console/vpcs/{vpc}?tab=tags").click("manage-tags")
    keys = {console.el(f"tag-key-{i}").get_attribute("value"): i for i in range(2)}
    assert set(keys) == {"Name", "team"}
    console.fill(f"tag-value-{keys['Name']}", "after").fill(f"tag-key-{keys['team']}", "")
    console.fill("tag-key-2", "env").fill("tag-value-2", "dev").click("submit-tags")
    assert console.notice() == f"You successfully updated the tags of {vpc}."
    assert console.path.startswith(f"/console/vpcs/{vpc}?tab=tags")
    tags = {t["Key"]: t["Value"] for t in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]}
    assert tags == {"Name": "after", "env": "dev"}
    assert sorted(console.rows()) == [["Name", "after"], ["env", "dev"]]
    # AWS refuses the reserved prefix; nothing changes.
    console.click("manage-tags").fill("tag-key-2", "aws:owner").fill("tag-value-2", "x").click("submit-tags")
    code, _ = console.error()
    assert code == "InvalidParameterValue"
    tags_after = {t["Key"]: t["Value"] for t in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]}
    assert tags_after == {"Name": "after", "env": "dev"}


def test_dashboard_counts_the_regions_resources_and_links_to_their_lists(console, ec2):
    create_vpc(ec2, "10.12.0.0/16", Name="counted")
    ec2.allocate_address(Domain="vpc")
    console.open("/console")
    cards = {card.find_element("css selector", ".card-label").text: card for card in console.css("a.card")}
    counts = {label: int(card.find_element("css selector", ".card-count").text) for label, card in cards.items()}
    assert counts["VPCs"] == len(ec2.describe_vpcs()["Vpcs"]) == 2
    assert counts["Subnets"] == len(ec2.describe_subnets()["Subnets"])
    assert counts["Security groups"] == len(ec2.describe_security_groups()["SecurityGroups"]) == 2
    assert counts["Elastic IPs"] == 1 and counts["Running instances"] == 0
    console.shot("dashboard")
    card = cards["VPCs"]
    console._navigating(card, card.click)
    assert console.path == "/console/vpcs" and len(console.rows()) == 2
