//! The steps of seed tutorial 003 (VPC peering, ap-northeast-2), each as the aws CLI or localvpc command a user would
//! type, its result, and the checks that it behaved as AWS does (spec §2.6, §3.7, §3.8, §4.4).
//!
//! Two VPCs, peeringVPC-A 10.6.0.0/16 and peeringVPC-B 10.7.0.0/16, a subnet, an internet gateway and an instance
//! in each; an Elastic IP on A's instance and SSH from the internet (only once A's route table sends 0.0.0.0/0 to its
//! gateway); a ping from A to B that fails; the peering requested by A and accepted by B; a route to the other VPC on
//! each side (B gets no internet route); the ping answering; a one-hop traceroute; and the split-horizon answer for
//! A's public name. The security group rules the tutorial's console wizard sets up (SSH from anywhere into A, ICMP
//! from A's VPC into B) are steps too.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};

use anyhow::Context;
use clap::Parser;

use super::ec2::{Ec2, Element};
use super::report::Report;
use crate::cli::{PingArgs, TracerouteArgs};
use crate::client::{Client, RecordType, Verdict};
use crate::ssh;
use crate::tools::{nslookup, ping, resolver, traceroute, Printed};

/// The tutorial's region (Seoul).
pub const REGION: &str = "ap-northeast-2";

/// The zone of both subnets.
const ZONE: &str = "ap-northeast-2a";

/// The image the instances are launched from (images are accepted, not modelled).
const IMAGE: &str = "ami-0123456789abcdef0";

/// One VPC of the tutorial and what was built in it.
#[derive(Debug, Default)]
struct Side {
    name: &'static str,
    letter: char,
    cidr: &'static str,
    subnet_cidr: &'static str,
    vpc: String,
    subnet: String,
    igw: String,
    group: String,
    instance: String,
    ip: String,
    rtb: String,
}

impl Side {
    fn new(letter: char, name: &'static str, cidr: &'static str, subnet_cidr: &'static str) -> Side {
        Side { name, letter, cidr, subnet_cidr, ..Side::default() }
    }
}

/// Where a new route sends its traffic.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The side's own internet gateway.
    InternetGateway,
    /// The peering connection.
    Peering,
}

/// The run: the two APIs, the transcript, and the two sides.
pub struct Tutorial<'a, W: Write> {
    ec2: &'a Ec2,
    client: &'a Client,
    report: &'a mut Report<W>,
    a: Side,
    b: Side,
    eip: String,
    pcx: String,
}

/// `ResourceType=…,Tags=[{Key=Name,Value=…}]` in the CLI's shorthand.
fn name_tag(kind: &str, name: &str) -> String {
    format!("--tag-specifications 'ResourceType={kind},Tags=[{{Key=Name,Value={name}}}]'")
}

impl<'a, W: Write> Tutorial<'a, W> {
    /// A tutorial against `ec2` (the EC2 Query API) and `client` (the JSON API), written to `report`.
    pub fn new(ec2: &'a Ec2, client: &'a Client, report: &'a mut Report<W>) -> Tutorial<'a, W> {
        Tutorial {
            ec2,
            client,
            report,
            a: Side::new('A', "peeringVPC-A", "10.6.0.0/16", "10.6.1.0/24"),
            b: Side::new('B', "peeringVPC-B", "10.7.0.0/16", "10.7.1.0/24"),
            eip: String::new(),
            pcx: String::new(),
        }
    }

    /// Runs every step; an `Err` is a step that could not run (the caller reports it and stops).
    pub fn run(&mut self) -> anyhow::Result<()> {
        self.report.step("create the two VPCs");
        for side in [&mut self.a, &mut self.b] {
            let tags = name_tag("vpc", side.name);
            let cli = format!("create-vpc --cidr-block {} {tags}", side.cidr);
            let answer =
                aws(self.ec2, self.report, &cli, "CreateVpc", &tagged("vpc", side.name, &[("CidrBlock", side.cidr)]))?;
            side.vpc = answer.text("vpc/vpcId")?.to_string();
            self.report.result(format_args!("{}  {} {}", side.vpc, side.name, side.cidr));
        }

        self.report.step("create a subnet in each VPC");
        for side in [&mut self.a, &mut self.b] {
            let name = format!("peeringSubnet-{}", side.letter);
            let cli = format!(
                "create-subnet --vpc-id {} --cidr-block {} --availability-zone {ZONE} {}",
                side.vpc,
                side.subnet_cidr,
                name_tag("subnet", &name)
            );
            let params = [("VpcId", side.vpc.as_str()), ("CidrBlock", side.subnet_cidr), ("AvailabilityZone", ZONE)];
            let answer = aws(self.ec2, self.report, &cli, "CreateSubnet", &tagged("subnet", &name, &params))?;
            side.subnet = answer.text("subnet/subnetId")?.to_string();
            let free = answer.text("subnet/availableIpAddressCount")?;
            self.report.result(format_args!("{}  {} in {ZONE}, {free} addresses free", side.subnet, side.subnet_cidr));
            self.report.check(free == "251", "251 free addresses: AWS reserves 5 in every subnet", free);
        }

        self.report.step("create an internet gateway for each VPC and attach it");
        for side in [&mut self.a, &mut self.b] {
            let name = format!("peeringIGW-{}", side.letter);
            let cli = format!("create-internet-gateway {}", name_tag("internet-gateway", &name));
            let answer =
                aws(self.ec2, self.report, &cli, "CreateInternetGateway", &tagged("internet-gateway", &name, &[]))?;
            side.igw = answer.text("internetGateway/internetGatewayId")?.to_string();
            self.report.result(&side.igw);
            let cli = format!("attach-internet-gateway --internet-gateway-id {} --vpc-id {}", side.igw, side.vpc);
            let params = [("InternetGatewayId", side.igw.as_str()), ("VpcId", side.vpc.as_str())];
            aws(self.ec2, self.report, &cli, "AttachInternetGateway", &params)?;
        }

        self.report.step("security groups: SSH from anywhere into A, ping from peeringVPC-A into B");
        let rules = [
            (&mut self.a, "tcp", "22", "0.0.0.0/0", "SSH from anywhere"),
            (&mut self.b, "icmp", "-1", "10.6.0.0/16", "ICMP from peeringVPC-A"),
        ];
        for (side, protocol, port, cidr, description) in rules {
            let name = format!("peeringSG-{}", side.letter);
            let cli = format!(
                "create-security-group --group-name {name} --description '{description}' --vpc-id {}",
                side.vpc
            );
            let params =
                [("GroupName", name.as_str()), ("GroupDescription", description), ("VpcId", side.vpc.as_str())];
            side.group = aws(self.ec2, self.report, &cli, "CreateSecurityGroup", &params)?.text("groupId")?.to_string();
            self.report.result(&side.group);
            let cli = format!(
                "authorize-security-group-ingress --group-id {} --protocol {protocol} --port {port} --cidr {cidr}",
                side.group
            );
            let params = [
                ("GroupId", side.group.as_str()),
                ("IpPermissions.1.IpProtocol", protocol),
                ("IpPermissions.1.FromPort", port),
                ("IpPermissions.1.ToPort", port),
                ("IpPermissions.1.IpRanges.1.CidrIp", cidr),
            ];
            let answer = aws(self.ec2, self.report, &cli, "AuthorizeSecurityGroupIngress", &params)?;
            self.report.result(answer.text("securityGroupRuleSet/item/securityGroupRuleId")?);
        }

        self.report.step("launch an EC2 instance in each subnet");
        for side in [&mut self.a, &mut self.b] {
            let cli = format!(
                "run-instances --image-id {IMAGE} --instance-type t2.micro --key-name peering-key --subnet-id {} \
                 --security-group-ids {} --count 1",
                side.subnet, side.group
            );
            let params = [
                ("ImageId", IMAGE),
                ("InstanceType", "t2.micro"),
                ("KeyName", "peering-key"),
                ("SubnetId", side.subnet.as_str()),
                ("SecurityGroupId.1", side.group.as_str()),
                ("MinCount", "1"),
                ("MaxCount", "1"),
            ];
            let answer = aws(self.ec2, self.report, &cli, "RunInstances", &params)?;
            side.instance = answer.text("instancesSet/item/instanceId")?.to_string();
            side.ip = answer.text("instancesSet/item/privateIpAddress")?.to_string();
            self.report.result(format_args!("{}  private IP {}", side.instance, side.ip));
            let inside = side.ip.parse().is_ok_and(|ip| in_cidr(ip, side.subnet_cidr));
            self.report.check(inside, &format!("a private address in {}", side.subnet_cidr), &side.ip);
        }

        self.report.step("allocate an Elastic IP for A's instance; SSH to it from the internet");
        let answer =
            aws(self.ec2, self.report, "allocate-address --domain vpc", "AllocateAddress", &[("Domain", "vpc")])?;
        self.eip = answer.text("publicIp")?.to_string();
        let allocation = answer.text("allocationId")?.to_string();
        self.report.result(format_args!("{allocation}  {}", self.eip));
        let cli = format!("associate-address --allocation-id {allocation} --instance-id {}", self.a.instance);
        let params = [("AllocationId", allocation.as_str()), ("InstanceId", self.a.instance.as_str())];
        let answer = aws(self.ec2, self.report, &cli, "AssociateAddress", &params)?;
        self.report.result(answer.text("associationId")?);
        let landed = self.ssh()?;
        self.report.check(
            landed.is_none(),
            "ssh times out: A's route table has no route to its internet gateway yet",
            "a login",
        );

        self.report.step("route 0.0.0.0/0 to the internet gateway in A's route table; SSH again");
        self.a.rtb = main_route_table(self.ec2, self.report, &self.a.vpc)?;
        self.create_route('A', "0.0.0.0/0", Target::InternetGateway)?;
        let landed = self.ssh()?;
        let expected = format!("logged in to {} ({})", self.a.instance, self.a.ip);
        let got = landed.as_ref().map_or("no connection".to_string(), |(instance, ip)| format!("{instance} ({ip})"));
        self.report.check(
            landed.as_ref().is_some_and(|(i, ip)| *i == self.a.instance && ip.to_string() == self.a.ip),
            &expected,
            got,
        );

        self.report.step("in the SSH session on A: ping B's instance (no peering yet)");
        self.ping(3, false, "100% packet loss: there is no path between two VPCs that are not peered")?;

        self.report.step("request a peering connection from peeringVPC-A to peeringVPC-B");
        let cli = format!(
            "create-vpc-peering-connection --vpc-id {} --peer-vpc-id {} {}",
            self.a.vpc,
            self.b.vpc,
            name_tag("vpc-peering-connection", "peeringVPC-A-B")
        );
        let params = [("VpcId", self.a.vpc.as_str()), ("PeerVpcId", self.b.vpc.as_str())];
        let answer = aws(
            self.ec2,
            self.report,
            &cli,
            "CreateVpcPeeringConnection",
            &tagged("vpc-peering-connection", "peeringVPC-A-B", &params),
        )?;
        self.pcx = answer.text("vpcPeeringConnection/vpcPeeringConnectionId")?.to_string();
        let status = answer.text("vpcPeeringConnection/status/code")?;
        self.report.result(format_args!("{}  {status}", self.pcx));
        self.report.check(status == "initiating-request", "the request answers initiating-request", status);
        self.peering_status("pending-acceptance")?;

        self.report.step("accept the peering connection (as peeringVPC-B's owner)");
        let cli = format!("accept-vpc-peering-connection --vpc-peering-connection-id {}", self.pcx);
        let answer = aws(
            self.ec2,
            self.report,
            &cli,
            "AcceptVpcPeeringConnection",
            &[("VpcPeeringConnectionId", self.pcx.as_str())],
        )?;
        let status = answer.text("vpcPeeringConnection/status/code")?;
        self.report.result(format_args!("{}  {status}", self.pcx));
        self.report.check(status == "provisioning", "the acceptance answers provisioning", status);
        self.peering_status("active")?;

        self.report.step("route 10.7.0.0/16 to the peering connection in A's route table");
        self.create_route('A', "10.7.0.0/16", Target::Peering)?;
        self.routes('A')?;
        self.ping(1, false, "still 100% packet loss: B's replies have no route back to 10.6.0.0/16")?;

        self.report.step("route 10.6.0.0/16 to the peering connection in B's route table (and no 0.0.0.0/0 there)");
        self.b.rtb = main_route_table(self.ec2, self.report, &self.b.vpc)?;
        self.create_route('B', "10.6.0.0/16", Target::Peering)?;
        self.routes('B')?;

        self.report.step("in the SSH session on A: ping B's instance again");
        self.ping(3, true, "0% packet loss: B answers over the peering connection")?;

        self.report.step("traceroute -I from A to B: the VPC router and the peering connection never show");
        self.traceroute()?;

        self.report.step("DNS split horizon: A's public name from inside the VPC and from the internet");
        self.split_horizon()
    }

    /// `ssh ec2-user@EIP` from the internet: the instance and address it lands on, or `None` (ssh's error printed).
    fn ssh(&mut self) -> anyhow::Result<Option<(String, IpAddr)>> {
        self.report.command(&format!("localvpc ssh ec2-user@{}", self.eip));
        match ssh::connect(self.client, &self.eip, 22)? {
            Ok((instance, address)) => {
                let transcript = format!(
                    "{}exit\nlogout\nConnection to {} closed.\n",
                    ssh::prompt("ec2-user", address, &instance),
                    self.eip
                );
                self.report.output(&Printed::out(transcript, 0));
                Ok(Some((instance, address)))
            }
            Err(failure) => {
                self.report.output(&failure);
                Ok(None)
            }
        }
    }

    /// `create-route` in side `letter`'s route table: `destination` to that side's gateway or to the peering.
    fn create_route(&mut self, letter: char, destination: &str, target: Target) -> anyhow::Result<()> {
        let side = if letter == 'A' { &self.a } else { &self.b };
        let (flag, param, target) = match target {
            Target::InternetGateway => ("--gateway-id", "GatewayId", side.igw.as_str()),
            Target::Peering => ("--vpc-peering-connection-id", "VpcPeeringConnectionId", self.pcx.as_str()),
        };
        let cli = format!(
            "create-route --route-table-id {} --destination-cidr-block {destination} {flag} {target}",
            side.rtb
        );
        let params = [("RouteTableId", side.rtb.as_str()), ("DestinationCidrBlock", destination), (param, target)];
        let answer = aws(self.ec2, self.report, &cli, "CreateRoute", &params)?;
        self.report.result(format_args!("return {}", answer.text("return")?));
        Ok(())
    }

    /// `describe-route-tables` of side `letter`: every route with its state, and a check that all are active.
    fn routes(&mut self, letter: char) -> anyhow::Result<()> {
        let side = if letter == 'A' { &self.a } else { &self.b };
        let cli = format!("describe-route-tables --route-table-ids {} --query 'RouteTables[0].Routes'", side.rtb);
        let answer = aws(self.ec2, self.report, &cli, "DescribeRouteTables", &[("RouteTableId.1", side.rtb.as_str())])?;
        let mut inactive = Vec::new();
        for route in answer.all("routeTableSet/item/routeSet/item") {
            let field = |name: &str| route.find(name).map_or("", |element| element.text.as_str());
            let target = ["gatewayId", "vpcPeeringConnectionId", "natGatewayId", "networkInterfaceId"]
                .iter()
                .map(|name| field(name))
                .find(|value| !value.is_empty())
                .unwrap_or("?");
            let (destination, state) = (field("destinationCidrBlock"), field("state"));
            self.report.result(format_args!("{destination:<14} -> {target:<24} {state}"));
            if state != "active" {
                inactive.push(format!("{destination} {state}"));
            }
        }
        self.report.check(inactive.is_empty(), "every route active", inactive.join(", "));
        Ok(())
    }

    /// `describe-vpc-peering-connections`: checks the connection's status.
    fn peering_status(&mut self, expected: &str) -> anyhow::Result<()> {
        let cli = format!(
            "describe-vpc-peering-connections --vpc-peering-connection-ids {} --query 'VpcPeeringConnections[0].Status'",
            self.pcx
        );
        let params = [("VpcPeeringConnectionId.1", self.pcx.as_str())];
        let answer = aws(self.ec2, self.report, &cli, "DescribeVpcPeeringConnections", &params)?;
        let code = answer.text("vpcPeeringConnectionSet/item/status/code")?;
        let message = answer.text("vpcPeeringConnectionSet/item/status/message")?;
        self.report.result(format_args!("{code}  \"{message}\""));
        self.report.check(code == expected, &format!("Describe shows {expected}"), code);
        Ok(())
    }

    /// `ping -c COUNT B` from A: replies iff `replies`.
    fn ping(&mut self, count: u32, replies: bool, expected: &str) -> anyhow::Result<()> {
        let argv = ["ping".to_string(), "-c".into(), count.to_string(), self.b.ip.clone()];
        self.report.command(&format!("localvpc exec {} -- {}", self.a.instance, argv.join(" ")));
        let ran = ping::run(self.client, &self.a.instance, &PingArgs::try_parse_from(&argv)?)?;
        self.report.output(&ran.printed);
        let verdict = ran.sent.map(|sent| sent.result.verdict);
        let loss = if replies { ", 0% packet loss" } else { ", 100% packet loss" };
        let ok = (verdict == Some(Verdict::Reachable)) == replies
            && ran.printed.stdout.contains(loss)
            && ran.printed.status == u8::from(!replies);
        self.report.check(ok, expected, format_args!("{verdict:?}, exit status {}", ran.printed.status));
        Ok(())
    }

    /// `traceroute -I B` from A: exactly one hop, B's private address.
    fn traceroute(&mut self) -> anyhow::Result<()> {
        let argv = ["traceroute", "-I", self.b.ip.as_str()];
        self.report.command(&format!("localvpc exec {} -- {}", self.a.instance, argv.join(" ")));
        let ran = traceroute::run(self.client, &self.a.instance, &TracerouteArgs::try_parse_from(argv)?)?;
        self.report.output(&ran.printed);
        let hops: Vec<String> =
            ran.sent.map(|sent| sent.result.traceroute).unwrap_or_default().iter().map(ToString::to_string).collect();
        let lines = ran.printed.stdout.lines().skip(1).count();
        let ok = hops == [self.b.ip.clone()] && lines == 1;
        let expected = format!("one hop: {} itself", self.b.ip);
        self.report.check(ok, &expected, format_args!("hops [{}] in {lines} lines", hops.join(", ")));
        Ok(())
    }

    /// Enables DNS hostnames on both VPCs, reads A's public name, and asks it from A and from the internet.
    fn split_horizon(&mut self) -> anyhow::Result<()> {
        for side in [&self.a, &self.b] {
            let cli = format!("modify-vpc-attribute --vpc-id {} --enable-dns-hostnames '{{\"Value\":true}}'", side.vpc);
            let params = [("VpcId", side.vpc.as_str()), ("EnableDnsHostnames.Value", "true")];
            aws(self.ec2, self.report, &cli, "ModifyVpcAttribute", &params)?;
        }
        let cli = format!(
            "describe-instances --instance-ids {} --query 'Reservations[0].Instances[0].PublicDnsName'",
            self.a.instance
        );
        let answer =
            aws(self.ec2, self.report, &cli, "DescribeInstances", &[("InstanceId.1", self.a.instance.as_str())])?;
        let name = answer.text("reservationSet/item/instancesSet/item/dnsName")?.to_string();
        self.report.result(&name);
        let expected_name = format!("ec2-{}.{REGION}.compute.amazonaws.com", self.eip.replace('.', "-"));
        self.report.check(name == expected_name, &format!("the public name {expected_name}"), &name);
        let views = [
            (self.a.instance.clone(), self.a.ip.clone(), "from inside peeringVPC-A: the private address"),
            ("internet".to_string(), self.eip.clone(), "from the internet: the Elastic IP"),
        ];
        for (vantage, expected, what) in views {
            self.report.command(&format!("localvpc exec {vantage} -- nslookup {name}"));
            let lookup = resolver::lookup(self.client, &vantage, &name, None, RecordType::A)?;
            self.report.output(&nslookup::format(&name, &lookup));
            let got = lookup.address.map_or_else(|| format!("{:?}", lookup.status), |address| address.to_string());
            self.report.check(got == expected, &format!("{what}, {expected}"), got);
        }
        Ok(())
    }
}

/// The `TagSpecification.1` fields naming the new resource, after `params`.
fn tagged<'p>(kind: &'p str, name: &'p str, params: &[(&'p str, &'p str)]) -> Vec<(&'p str, &'p str)> {
    let mut all = params.to_vec();
    all.extend([
        ("TagSpecification.1.ResourceType", kind),
        ("TagSpecification.1.Tag.1.Key", "Name"),
        ("TagSpecification.1.Tag.1.Value", name),
    ]);
    all
}

/// Whether `ip` lies in `cidr` (`10.6.1.0/24`); a malformed CIDR contains nothing.
fn in_cidr(ip: Ipv4Addr, cidr: &str) -> bool {
    let Some((network, prefix)) = cidr.split_once('/') else { return false };
    let (Ok(network), Ok(prefix)) = (network.parse::<Ipv4Addr>(), prefix.parse::<u32>()) else { return false };
    let mask = u32::MAX.checked_shl(32 - prefix.min(32)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(network) & mask
}

/// Prints `$ aws ec2 CLI` and sends the action.
fn aws<W: Write>(
    ec2: &Ec2,
    report: &mut Report<W>,
    cli: &str,
    action: &str,
    params: &[(&str, &str)],
) -> anyhow::Result<Element> {
    report.command(&format!("aws ec2 {cli}"));
    ec2.call(action, params)
}

/// The main route table of `vpc` (the one its subnets use: the tutorial associates none).
fn main_route_table<W: Write>(ec2: &Ec2, report: &mut Report<W>, vpc: &str) -> anyhow::Result<String> {
    let cli = format!(
        "describe-route-tables --filters Name=vpc-id,Values={vpc} Name=association.main,Values=true \
         --query 'RouteTables[0].RouteTableId'"
    );
    let params = [
        ("Filter.1.Name", "vpc-id"),
        ("Filter.1.Value.1", vpc),
        ("Filter.2.Name", "association.main"),
        ("Filter.2.Value.1", "true"),
    ];
    let answer = aws(ec2, report, &cli, "DescribeRouteTables", &params)?;
    let table = answer.text("routeTableSet/item/routeTableId").context("no main route table")?.to_string();
    report.result(&table);
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_a_cidr() {
        assert!(in_cidr(Ipv4Addr::new(10, 6, 1, 4), "10.6.1.0/24"));
        assert!(!in_cidr(Ipv4Addr::new(10, 6, 2, 4), "10.6.1.0/24"));
        assert!(in_cidr(Ipv4Addr::new(8, 8, 8, 8), "0.0.0.0/0"));
        assert!(!in_cidr(Ipv4Addr::new(10, 6, 1, 4), "10.6.1.0"));
    }

    #[test]
    fn cli_shorthands_and_tag_fields() {
        assert_eq!(
            name_tag("vpc", "peeringVPC-A"),
            "--tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=peeringVPC-A}]'"
        );
        assert_eq!(
            tagged("vpc", "peeringVPC-A", &[("CidrBlock", "10.6.0.0/16")]),
            [
                ("CidrBlock", "10.6.0.0/16"),
                ("TagSpecification.1.ResourceType", "vpc"),
                ("TagSpecification.1.Tag.1.Key", "Name"),
                ("TagSpecification.1.Tag.1.Value", "peeringVPC-A"),
            ]
        );
    }
}
