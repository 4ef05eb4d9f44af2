"""An instance's `privateDnsNameOptions` (part 2 §16.4): inherited at launch from the subnet's `…OnLaunch` options,
overridden by RunInstances' `PrivateDnsNameOptions` (directly or from a launch template), kept when the subnet
changes later, and changed with ModifyPrivateDnsNameOptions (the hostname type only while stopped)."""
from helpers import ec2_error

AMI = "ami-12345678"
OFF = {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": False, "EnableResourceNameDnsAAAARecord": False}


def dual_stack_subnet(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24",
                             Ipv6CidrBlock="2600:1f21:0:1::/64")["Subnet"]["SubnetId"]


def launch(ec2, subnet_id, **kw):
    answer = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnet_id, **kw)
    (instance,) = answer["Instances"]
    return instance


def options_of(ec2, instance_id):
    (instance,) = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    return instance["PrivateDnsNameOptions"]


def test_an_instance_inherits_the_subnets_options_at_launch_and_keeps_them(ec2):
    subnet_id = dual_stack_subnet(ec2)
    before = launch(ec2, subnet_id)
    assert before["PrivateDnsNameOptions"] == OFF
    ec2.modify_subnet_attribute(SubnetId=subnet_id, PrivateDnsHostnameTypeOnLaunch="resource-name")
    ec2.modify_subnet_attribute(SubnetId=subnet_id, EnableResourceNameDnsAAAARecordOnLaunch={"Value": True})
    after = launch(ec2, subnet_id)
    inherited = {"HostnameType": "resource-name", "EnableResourceNameDnsARecord": False,
                 "EnableResourceNameDnsAAAARecord": True}
    assert after["PrivateDnsNameOptions"] == inherited
    assert options_of(ec2, after["InstanceId"]) == inherited
    # The instance launched earlier keeps its own options.
    assert options_of(ec2, before["InstanceId"]) == OFF
    # The subnet changing again changes neither.
    ec2.modify_subnet_attribute(SubnetId=subnet_id, EnableResourceNameDnsAAAARecordOnLaunch={"Value": False})
    assert options_of(ec2, after["InstanceId"]) == inherited


def test_run_instances_options_override_the_subnets(ec2):
    subnet_id = dual_stack_subnet(ec2)
    ec2.modify_subnet_attribute(SubnetId=subnet_id, EnableResourceNameDnsARecordOnLaunch={"Value": True})
    instance = launch(ec2, subnet_id, PrivateDnsNameOptions={"HostnameType": "resource-name",
                                                             "EnableResourceNameDnsAAAARecord": True})
    # What is sent wins; what is not sent (the A record) comes from the subnet.
    assert options_of(ec2, instance["InstanceId"]) == {
        "HostnameType": "resource-name", "EnableResourceNameDnsARecord": True, "EnableResourceNameDnsAAAARecord": True}
    with ec2_error("InvalidParameterValue", "Value (dns-name) for parameter hostnameType is invalid."):
        launch(ec2, subnet_id, PrivateDnsNameOptions={"HostnameType": "dns-name"})


def test_a_launch_templates_options(ec2):
    subnet_id = dual_stack_subnet(ec2)
    template = ec2.create_launch_template(LaunchTemplateName="named", LaunchTemplateData={
        "ImageId": AMI, "InstanceType": "t3.micro",
        "PrivateDnsNameOptions": {"HostnameType": "resource-name", "EnableResourceNameDnsARecord": True}})
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    answer = ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet_id,
                               LaunchTemplate={"LaunchTemplateId": template_id})
    (instance,) = answer["Instances"]
    assert instance["PrivateDnsNameOptions"] == {
        "HostnameType": "resource-name", "EnableResourceNameDnsARecord": True, "EnableResourceNameDnsAAAARecord": False}


def test_modify_private_dns_name_options(ec2):
    subnet_id = dual_stack_subnet(ec2)
    instance_id = launch(ec2, subnet_id)["InstanceId"]
    records = ec2.modify_private_dns_name_options(InstanceId=instance_id, EnableResourceNameDnsARecord=True,
                                                  EnableResourceNameDnsAAAARecord=True)
    assert records["Return"] is True
    assert options_of(ec2, instance_id) == {
        "HostnameType": "ip-name", "EnableResourceNameDnsARecord": True, "EnableResourceNameDnsAAAARecord": True}
    # The hostname type changes only while the instance is stopped.
    with ec2_error("IncorrectInstanceState", f"The instance '{instance_id}' is not in the 'stopped' state."):
        ec2.modify_private_dns_name_options(InstanceId=instance_id, PrivateDnsHostnameType="resource-name")
    assert options_of(ec2, instance_id)["HostnameType"] == "ip-name"
    ec2.stop_instances(InstanceIds=[instance_id])
    stopped = ec2.modify_private_dns_name_options(InstanceId=instance_id, PrivateDnsHostnameType="resource-name",
                                                  EnableResourceNameDnsARecord=False)
    assert stopped["Return"] is True
    assert options_of(ec2, instance_id) == {
        "HostnameType": "resource-name", "EnableResourceNameDnsARecord": False, "EnableResourceNameDnsAAAARecord": True}
    with ec2_error("InvalidParameterValue", "Value (host) for parameter hostnameType is invalid."):
        ec2.modify_private_dns_name_options(InstanceId=instance_id, PrivateDnsHostnameType="host")
    with ec2_error("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"):
        ec2.modify_private_dns_name_options(InstanceId="i-0123456789abcdef0", EnableResourceNameDnsARecord=True)


def test_options_survive_a_restart(sqlite_server, client_factory):
    srv = sqlite_server().start()
    ec2 = client_factory(endpoint=srv.endpoint)
    subnet_id = dual_stack_subnet(ec2)
    instance_id = launch(ec2, subnet_id, PrivateDnsNameOptions={"EnableResourceNameDnsAAAARecord": True})["InstanceId"]
    srv.kill()
    srv.start()
    ec2 = client_factory(endpoint=srv.endpoint)
    assert options_of(ec2, instance_id) == dict(OFF, EnableResourceNameDnsAAAARecord=True)
