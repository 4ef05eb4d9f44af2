"""The console's access rules and accessibility, in Chromium: the tutorial page; under `serve --auth sigv4` a sign-in
with a key and secret of the credentials file (a wrong secret refused, the right one acting for the key's account);
every form control labelled on every page the navigation reaches; the create form usable by keyboard alone."""
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import LocalVpcServer, make_client
from console import Console
from helpers import create_subnet, create_vpc

ALICE = ("AKIDALICEEXAMPLE", "alice/secret+key", "111111111111")


@pytest.fixture(scope="module")
def strict(tmp_path_factory, log_dir):
    credentials = tmp_path_factory.mktemp("console-strict") / "credentials"
    credentials.write_text(f"{ALICE[0]} {ALICE[1]} {ALICE[2]}\n")
    server = LocalVpcServer("memory", log_dir, name="console-strict",
                            extra_args=["--auth", "sigv4", "--credentials", str(credentials)])
    server.start()
    yield server
    server.stop()


def test_sigv4_console_without_a_session_shows_and_changes_nothing(strict):
    import requests
    anonymous = requests.Session()
    for path in ("/console", "/console/vpcs", "/console/map", "/console/version"):
        answer = anonymous.get(strict.endpoint + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/signin", path
    create = anonymous.post(strict.endpoint + "/console/vpcs/create", data={"cidr": "10.21.0.0/16"},
                            allow_redirects=False, timeout=10)
    assert create.status_code == 303 and create.headers["location"] == "/console/signin"
    alice = make_client(strict.endpoint, "ec2", "us-east-1", ALICE[0], ALICE[1])
    assert "10.21.0.0/16" not in {v["CidrBlock"] for v in alice.describe_vpcs()["Vpcs"]}
    # Positive control: the sign-in page itself answers without a session.
    assert anonymous.get(strict.endpoint + "/console/signin", timeout=10).status_code == 200


def test_sigv4_console_signs_in_with_a_key_and_acts_for_its_account(browser, strict):
    console = Console(browser, strict.endpoint)
    browser.get(strict.endpoint + "/console/assets/console.css")
    browser.delete_all_cookies()
    console.open("/console/vpcs")
    assert console.path == "/console/signin"
    console.fill("access_key", ALICE[0]).fill("secret_key", "not-the-secret")
    console.submit("secret_key")
    assert console.error() == ("AuthFailure", "The access key ID or the secret access key is not valid.")
    console.shot("signin-refused")
    console.fill("access_key", ALICE[0]).fill("secret_key", ALICE[1])
    console.submit("secret_key")
    assert console.path == "/console"
    assert f"Account {ALICE[2]}" in console.css("header.top")[0].text
    console.open("/console/vpcs/create").fill("name", "alice-vpc").fill("cidr", "10.20.0.0/16")
    console.click("submit-create-vpc")
    alice = make_client(strict.endpoint, "ec2", "us-east-1", ALICE[0], ALICE[1])
    (vpc,) = alice.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["alice-vpc"]}])["Vpcs"]
    assert vpc["OwnerId"] == ALICE[2]
    # The console's routes are outside the SigV4 gate, the EC2 API is not: an unsigned EC2 call is still refused.
    import requests
    unsigned = requests.post(strict.endpoint + "/", data={"Action": "DescribeVpcs", "Version": "2016-11-15"})
    assert unsigned.status_code in (400, 401, 403) and "<Code>" in unsigned.text
    console.click("signout")
    console.open("/console/vpcs")
    assert console.path == "/console/signin"


def test_tutorial_page_ticks_steps_as_the_region_shows_them_done(console, client_factory):
    seoul = client_factory(region="ap-northeast-2")
    console.open("/console/tutorial")
    assert console.css("li.next")[0].get_attribute("id") == "step-1"
    console.choose("region", "ap-northeast-2").click("switch")
    console.open("/console/tutorial")
    assert console.css("li.next")[0].get_attribute("id") == "step-2"
    vpc_a = create_vpc(seoul, "10.6.0.0/16", Name="peeringVPC-A")["VpcId"]
    vpc_b = create_vpc(seoul, "10.7.0.0/16", Name="peeringVPC-B")["VpcId"]
    create_subnet(seoul, vpc_a, "10.6.1.0/24", "ap-northeast-2a")
    console.open("/console/tutorial")
    done = [li.get_attribute("id") for li in console.css("li.done")]
    assert done == ["step-1", "step-2", "step-3"]
    assert console.css("li.next")[0].get_attribute("id") == "step-4"
    create_subnet(seoul, vpc_b, "10.7.1.0/24", "ap-northeast-2a")
    console.open("/console/tutorial")
    assert "step-4" in [li.get_attribute("id") for li in console.css("li.done")]
    console.shot("tutorial")
    # The step's link opens the form with the element to click outlined.
    console.open("/console/tutorial")
    console.link(console.css("#step-2 a")[0].text)
    assert console.path.startswith("/console/vpcs/create")
    assert "highlight" in console.el("submit-create-vpc").get_attribute("class")


def nav_pages(console) -> list[str]:
    console.open("/console")
    pages = ["/console"] + [a.get_attribute("href")[len(console.endpoint):]
                            for a in console.css("nav.side a") if a.get_attribute("href").startswith(console.endpoint)]
    extra = []
    for page in pages:
        console.open(page)
        extra += [a.get_attribute("href")[len(console.endpoint):] for a in console.css("main a.button")
                  if a.get_attribute("href") and a.get_attribute("href").startswith(console.endpoint)]
    return list(dict.fromkeys(pages + extra))


UNLABELLED = """
return Array.from(document.querySelectorAll('input, select, textarea')).filter(function (el) {
  if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') return false;
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
  if (el.closest('label')) return false;
  return !(el.id && document.querySelector('label[for="' + el.id + '"]'));
}).map(function (el) { return el.outerHTML; });
"""


def test_every_form_control_on_every_page_has_a_label(console, ec2):
    create_vpc(ec2, "10.30.0.0/16", Name="labelled")
    pages = nav_pages(console)
    assert "/console/vpcs/create" in pages and "/console/tutorial" in pages
    checked = 0
    for page in pages:
        console.open(page)
        assert console.driver.execute_script(UNLABELLED) == [], page
        checked += len(console.css("main input, main select, main textarea"))
    assert checked >= 5
    # The check can fail: an unlabelled control is reported.
    console.open("/console/vpcs/create")
    console.driver.execute_script("document.querySelector('main form').appendChild(document.createElement('input'))")
    assert len(console.driver.execute_script(UNLABELLED)) == 1


def test_create_vpc_by_keyboard_alone(console, ec2):
    console.open("/console/vpcs/create")
    reached = []
    for _ in range(80):
        # From the top of the freshly loaded page, as a keyboard user starts.
        ActionChains(console.driver).send_keys(Keys.TAB).perform()
        element_id = console.driver.switch_to.active_element.get_attribute("id")
        reached.append(element_id)
        if element_id == "submit-create-vpc":
            break
    order = [i for i in reached if i in ("name", "cidr", "tenancy", "submit-create-vpc")]
    assert order == ["name", "cidr", "tenancy", "submit-create-vpc"], reached
    console.el("name").send_keys("typed")
    cidr = console.el("cidr")
    cidr.send_keys(Keys.CONTROL, "a")
    old = console.driver.find_element(By.TAG_NAME, "html")
    cidr.send_keys("10.40.0.0/16", Keys.ENTER)
    console.wait_gone(old)
    assert console.notice() is not None and console.notice().startswith("You successfully created vpc-")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["typed"]}])["Vpcs"]
    assert vpc["CidrBlock"] == "10.40.0.0/16"


def test_unknown_console_path_is_the_consoles_404_not_the_ec2_fallback(endpoint):
    import requests
    missing = requests.get(f"{endpoint}/console/no-such-page", timeout=10)
    assert missing.status_code == 404
    assert "There is no console page at /console/no-such-page." in missing.text
    assert requests.get(f"{endpoint}/console/vpcs", timeout=10).status_code == 200


def test_every_tutorial_link_outlines_elements_that_exist(console, client_factory):
    seoul = client_factory(region="ap-northeast-2")
    vpc_a = create_vpc(seoul, "10.6.0.0/16", Name="peeringVPC-A")["VpcId"]
    vpc_b = create_vpc(seoul, "10.7.0.0/16", Name="peeringVPC-B")["VpcId"]
    pcx = seoul.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    console.open("/console/tutorial").choose("region", "ap-northeast-2").click("switch")
    console.open("/console/tutorial")
    links = [a.get_attribute("href")[len(console.endpoint):] for a in console.css("ol.tutorial a")]
    assert any(pcx in link for link in links)
    outlined = 0
    for link in links:
        if "hl=" not in link:
            continue
        console.open(link)
        wanted = link.split("hl=")[1].split("&")[0].split(",")
        for element_id in wanted:
            assert console.css(f"[id='{element_id}']"), (link, element_id)
            assert "highlight" in console.el(element_id).get_attribute("class"), (link, element_id)
            outlined += 1
    assert outlined >= 15
