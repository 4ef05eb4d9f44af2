"""Subnet CIDR reservations (spec part 2 §11.6): Create/Get/DeleteSubnetCidrReservation(s); automatic address
assignment never picks a reserved address, naming one still works, and deleting the reservation frees its range."""
from helpers import create_subnet, create_vpc, ec2_error

AMI = "ami-12345678"


def network(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    return vid, create_subnet(ec2, vid, "10.0.1.0/24", az="us-east-1b")["SubnetId"]


def new_eni_address(ec2, sid, **kw):
    return ec2.create_network_interface(SubnetId=sid, **kw)["NetworkInterface"]["PrivateIpAddress"]


def test_reserved_ranges_are_skipped_until_deleted(ec2):
    _, sid = network(ec2)
    made = ec2.create_subnet_cidr_reservation(
        SubnetId=sid, Cidr="10.0.1.0/28", ReservationType="explicit", Description="appliances",
        TagSpecifications=[{"ResourceType": "subnet-cidr-reservation", "Tags": [{"Key": "team", "Value": "net"}]}],
    )["SubnetCidrReservation"]
    assert made["SubnetCidrReservationId"].startswith("scr-")
    assert (made["SubnetId"], made["Cidr"], made["ReservationType"], made["Description"]) == (
        sid, "10.0.1.0/28", "explicit", "appliances")
    assert made["OwnerId"] and made["Tags"] == [{"Key": "team", "Value": "net"}]

    assert new_eni_address(ec2, sid) == "10.0.1.16", "the first address after the reserved /28"
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid)["Instances"][0]
    assert instance["PrivateIpAddress"] == "10.0.1.17"
    assert new_eni_address(ec2, sid, PrivateIpAddress="10.0.1.5") == "10.0.1.5", "a named address may be reserved"

    listed = ec2.get_subnet_cidr_reservations(SubnetId=sid)
    assert [r["SubnetCidrReservationId"] for r in listed["SubnetIpv4CidrReservations"]] == [
        made["SubnetCidrReservationId"]]
    assert listed["SubnetIpv6CidrReservations"] == []
    none = ec2.get_subnet_cidr_reservations(SubnetId=sid, Filters=[{"Name": "reservationType", "Values": ["prefix"]}])
    assert none["SubnetIpv4CidrReservations"] == []

    deleted = ec2.delete_subnet_cidr_reservation(SubnetCidrReservationId=made["SubnetCidrReservationId"])
    assert deleted["DeletedSubnetCidrReservation"]["Cidr"] == "10.0.1.0/28"
    assert ec2.get_subnet_cidr_reservations(SubnetId=sid)["SubnetIpv4CidrReservations"] == []
    assert new_eni_address(ec2, sid) == "10.0.1.4", "the range is assignable again"
    gone = made["SubnetCidrReservationId"]
    with ec2_error("InvalidSubnetCidrReservationID.NotFound", f"The subnet-cidr-reservation ID '{gone}' does not exist"):
        ec2.delete_subnet_cidr_reservation(SubnetCidrReservationId=gone)
    with ec2_error("InvalidSubnetCidrReservationID.NotFound"):
        ec2.delete_subnet_cidr_reservation(SubnetCidrReservationId="scr-not-exists")


def test_refusals_and_isolation(ec2, client_factory):
    _, sid = network(ec2)
    ec2.create_subnet_cidr_reservation(SubnetId=sid, Cidr="10.0.1.64/26", ReservationType="prefix")
    with ec2_error("InvalidParameterValue", "Reservation CIDR 10.0.1.96/27 has overlap with existing reserved CIDR block"):
        ec2.create_subnet_cidr_reservation(SubnetId=sid, Cidr="10.0.1.96/27", ReservationType="explicit")
    with ec2_error("InvalidParameterValue", "Reservation CIDR should be within subnet CIDR block (10.0.1.0/24)"):
        ec2.create_subnet_cidr_reservation(SubnetId=sid, Cidr="10.0.2.0/28", ReservationType="explicit")
    with ec2_error("InvalidParameterValue"):
        ec2.create_subnet_cidr_reservation(SubnetId=sid, Cidr="10.0.1.128/28", ReservationType="sometimes")
    with ec2_error("InvalidSubnetID.NotFound"):
        ec2.create_subnet_cidr_reservation(SubnetId="subnet-0123456789abcdef0", Cidr="10.0.1.0/28",
                                           ReservationType="explicit")
    # Positive control: a range beside the first one is accepted.
    ec2.create_subnet_cidr_reservation(SubnetId=sid, Cidr="10.0.1.128/28", ReservationType="explicit")
    assert len(ec2.get_subnet_cidr_reservations(SubnetId=sid)["SubnetIpv4CidrReservations"]) == 2
    other = client_factory(key="555555555555")
    with ec2_error("InvalidSubnetID.NotFound"):
        other.get_subnet_cidr_reservations(SubnetId=sid)


def test_a_subnet_full_outside_its_reservations(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.3.0/28")["SubnetId"]        # usable: .4 .. .14
    ec2.create_subnet_cidr_reservation(SubnetId=sid, Cidr="10.0.3.8/29", ReservationType="explicit")  # .8 .. .15
    assert [new_eni_address(ec2, sid) for _ in range(4)] == ["10.0.3.4", "10.0.3.5", "10.0.3.6", "10.0.3.7"]
    with ec2_error("InsufficientFreeAddressesInSubnet"):
        ec2.create_network_interface(SubnetId=sid)
    assert new_eni_address(ec2, sid, PrivateIpAddress="10.0.3.9") == "10.0.3.9"


def test_a_launch_counts_only_the_addresses_outside_reservations(ec2):
    vid = create_vpc(ec2, "10.0.0.0/16")["VpcId"]
    sid = create_subnet(ec2, vid, "10.0.4.0/28")["SubnetId"]        # usable: .4 .. .14, eleven addresses
    ec2.create_subnet_cidr_reservation(SubnetId=sid, Cidr="10.0.4.8/30", ReservationType="explicit")  # .8 .. .11
    # Seven addresses are left outside the reservation: a MinCount of eight launches nothing at all.
    with ec2_error("InsufficientFreeAddressesInSubnet",
                   f"There are not enough free addresses in subnet '{sid}' to satisfy the requested number of "
                   f"instances."):
        ec2.run_instances(ImageId=AMI, MinCount=8, MaxCount=10, SubnetId=sid)
    assert ec2.describe_instances()["Reservations"] == []
    # MinCount fits and MaxCount does not: as many as fit, none inside the reservation.
    launched = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=10, SubnetId=sid)["Instances"]
    assert [i["PrivateIpAddress"] for i in launched] == [
        "10.0.4.4", "10.0.4.5", "10.0.4.6", "10.0.4.7", "10.0.4.12", "10.0.4.13", "10.0.4.14"]
    with ec2_error("InsufficientFreeAddressesInSubnet"):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=sid)
    # The reservation's addresses are still there to be named.
    assert new_eni_address(ec2, sid, PrivateIpAddress="10.0.4.9") == "10.0.4.9"
