"""The reverse DNS attribute of Elastic IPs: DescribeAddressesAttribute, ModifyAddressAttribute and
ResetAddressAttribute (Terraform's aws_eip reads it on every refresh), with AWS's shapes and errors."""
from helpers import cli_error, ec2_error

UNKNOWN = "eipalloc-0123456789abcdef0"


def attributes(ec2, **kw):
    return ec2.describe_addresses_attribute(Attribute="domain-name", **kw)["Addresses"]


def test_a_fresh_address_has_no_ptr_record(ec2):
    eip = ec2.allocate_address(Domain="vpc")
    expected = [{"PublicIp": eip["PublicIp"], "AllocationId": eip["AllocationId"]}]
    assert attributes(ec2, AllocationIds=[eip["AllocationId"]]) == expected


def test_modify_then_describe_then_reset(ec2):
    eip = ec2.allocate_address(Domain="vpc")
    other = ec2.allocate_address(Domain="vpc")
    changed = ec2.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName="Mail.Example.com")["Address"]
    expected_update = {"PublicIp": eip["PublicIp"], "AllocationId": eip["AllocationId"],
                       "PtrRecordUpdate": {"Value": "mail.example.com.", "Status": "PENDING"}}
    assert changed == expected_update, "the answer shows the record before the update and the update requested"
    listed = {a["AllocationId"]: a for a in attributes(ec2)}
    assert listed[eip["AllocationId"]] == {"PublicIp": eip["PublicIp"], "AllocationId": eip["AllocationId"],
                                           "PtrRecord": "mail.example.com."}
    assert "PtrRecord" not in listed[other["AllocationId"]], "positive control: only the modified address changed"

    again = ec2.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName="smtp.example.org.")["Address"]
    assert again["PtrRecord"] == "mail.example.com."
    assert again["PtrRecordUpdate"] == {"Value": "smtp.example.org.", "Status": "PENDING"}

    reset = ec2.reset_address_attribute(AllocationId=eip["AllocationId"], Attribute="domain-name")["Address"]
    assert reset["PtrRecord"] == "smtp.example.org."
    assert reset["PtrRecordUpdate"] == {"Status": "PENDING"}
    assert attributes(ec2, AllocationIds=[eip["AllocationId"]]) == [
        {"PublicIp": eip["PublicIp"], "AllocationId": eip["AllocationId"]}]


def test_errors(ec2, ec2_raw):
    eip = ec2.allocate_address(Domain="vpc")
    with ec2_error("InvalidAllocationID.NotFound"):
        attributes(ec2, AllocationIds=[UNKNOWN])
    with ec2_error("InvalidAllocationID.NotFound"):
        ec2.modify_address_attribute(AllocationId=UNKNOWN, DomainName="a.example.com")
    # AWS publishes no InvalidAllocationID.Malformed: an ID of any shape that names no address is not found.
    with ec2_error("InvalidAllocationID.NotFound"):
        ec2.reset_address_attribute(AllocationId="eipalloc-xyz", Attribute="domain-name")
    with ec2_error("InvalidParameterValue"):
        ec2_raw.describe_addresses_attribute(AllocationIds=[eip["AllocationId"]], Attribute="reverse-dns")
    with ec2_error("MissingParameter"):
        ec2_raw.describe_addresses_attribute(AllocationIds=[eip["AllocationId"]])
    for bad in ("-bad-.example.com", "no_underscores.example.com", "single-label", "a..b.com"):
        with ec2_error("InvalidParameterValue"):
            ec2.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName=bad)
    # Nothing of the refused calls stuck; the valid call right after succeeds (positive control).
    assert "PtrRecord" not in attributes(ec2, AllocationIds=[eip["AllocationId"]])[0]
    ok = ec2.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName="ok.example.com")["Address"]
    assert ok["PtrRecordUpdate"]["Value"] == "ok.example.com."


def test_accounts_do_not_see_each_others_records(ec2, client_factory):
    eip = ec2.allocate_address(Domain="vpc")
    ec2.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName="mine.example.com")
    other = client_factory(key="222222222222")
    assert [a["AllocationId"] for a in attributes(ec2)] == [eip["AllocationId"]], "positive control: the owner sees it"
    assert attributes(other) == []
    with ec2_error("InvalidAllocationID.NotFound"):
        other.modify_address_attribute(AllocationId=eip["AllocationId"], DomainName="theirs.example.com")


def test_cli_and_the_record_survives_a_restart(sqlite_server, client_factory, aws):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    eip = ec2.allocate_address(Domain="vpc")
    res = aws("ec2", "modify-address-attribute", "--allocation-id", eip["AllocationId"],
              "--domain-name", "cli.example.com", endpoint=srv.endpoint).ok()
    assert res["Address"]["PtrRecordUpdate"]["Value"] == "cli.example.com."
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    assert attributes(ec2, AllocationIds=[eip["AllocationId"]])[0]["PtrRecord"] == "cli.example.com."
    res = aws("ec2", "describe-addresses-attribute", "--allocation-ids", UNKNOWN, "--attribute", "domain-name",
              endpoint=srv.endpoint)
    cli_error(res, "InvalidAllocationID.NotFound")
