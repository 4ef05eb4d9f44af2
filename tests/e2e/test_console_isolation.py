"""The console respects account and Region isolation like every other endpoint: another scope's resources are not
shown, not found by ID, and not changed through the console — while their own scope sees and changes them."""
import requests

from helpers import create_subnet, create_vpc

OTHER = "210987654321"


def console_as(endpoint: str, account: str, region: str = "us-east-1") -> requests.Session:
    session = requests.Session()
    session.cookies.set("lv_account", account, path="/console")
    session.cookies.set("lv_region", region, path="/console")
    session.get(f"{endpoint}/console", timeout=10)
    return session


def test_another_accounts_resources_are_invisible_and_unchangeable_from_the_console(endpoint, client_factory):
    theirs = client_factory(key=OTHER)
    vpc = create_vpc(theirs, "10.77.0.0/16", Name="secret-vpc")["VpcId"]
    subnet = create_subnet(theirs, vpc, "10.77.1.0/24")["SubnetId"]
    mine = console_as(endpoint, "123456789012")
    owner = console_as(endpoint, OTHER)
    for path in (f"/console/vpcs/{vpc}", f"/console/subnets/{subnet}"):
        assert mine.get(endpoint + path, timeout=10).status_code == 404, path
        assert owner.get(endpoint + path, timeout=10).status_code == 200, path
    for path in ("/console/vpcs", "/console/subnets", "/console/map", "/console/route-tables"):
        page = mine.get(endpoint + path, timeout=10).text
        assert vpc not in page and "secret-vpc" not in page and "10.77.0.0/16" not in page, path
        assert vpc in owner.get(endpoint + path, timeout=10).text, path
    refused = mine.post(f"{endpoint}/console/vpcs/{vpc}/delete", timeout=10)
    assert refused.status_code == 400 and "InvalidVpcID.NotFound" in refused.text
    tags = mine.post(f"{endpoint}/console/tags/{vpc}", data={"key": "stolen", "value": "x"}, timeout=10)
    assert tags.status_code == 400 and "InvalidVpcID.NotFound" in tags.text
    described = theirs.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]
    assert {t["Key"] for t in described["Tags"]} == {"Name"}
    # Positive control: the owner's console deletes what the other's could not.
    theirs.delete_subnet(SubnetId=subnet)
    deleted = owner.post(f"{endpoint}/console/vpcs/{vpc}/delete", timeout=10)
    assert deleted.status_code == 200 and f"You successfully deleted {vpc}." in deleted.text
    assert vpc not in {v["VpcId"] for v in theirs.describe_vpcs()["Vpcs"]}


def test_another_regions_resources_are_not_on_this_regions_pages(endpoint, client_factory):
    ireland = client_factory(region="eu-west-1")
    vpc = create_vpc(ireland, "10.78.0.0/16")["VpcId"]
    here = console_as(endpoint, "123456789012", "us-east-1")
    there = console_as(endpoint, "123456789012", "eu-west-1")
    assert here.get(f"{endpoint}/console/vpcs/{vpc}", timeout=10).status_code == 404
    assert vpc not in here.get(f"{endpoint}/console/vpcs", timeout=10).text
    assert there.get(f"{endpoint}/console/vpcs/{vpc}", timeout=10).status_code == 200


def test_switcher_refuses_a_malformed_account_and_an_unknown_region(endpoint):
    session = requests.Session()
    bad_account = session.post(f"{endpoint}/console/session", data={"account": "12ab", "back": "/console"}, timeout=10)
    assert bad_account.status_code == 400 and "12 digits" in bad_account.text
    bad_region = session.post(f"{endpoint}/console/session", data={"region": "mars-1", "back": "/console"}, timeout=10)
    assert bad_region.status_code == 400 and "Unknown region: mars-1" in bad_region.text
    assert "lv_account" not in session.cookies and "lv_region" not in session.cookies
    # Positive control: a valid switch sets both and lands back on the page asked for.
    ok = session.post(f"{endpoint}/console/session", data={"account": OTHER, "region": "eu-west-1",
                                                            "back": "/console/vpcs"}, timeout=10)
    assert ok.status_code == 200 and ok.url.endswith("/console/vpcs")
    assert session.cookies.get("lv_account") == OTHER and session.cookies.get("lv_region") == "eu-west-1"
