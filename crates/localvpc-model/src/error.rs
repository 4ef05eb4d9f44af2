//! Every EC2 error localvpc returns: the exact AWS code, the message, and the HTTP status.
//!
//! One enum, one place: a variant is named for its *case* (`VpcHasDependencies`), `code()` gives AWS's exact
//! spelling (which is inconsistent by design: `InvalidVpcID.NotFound` but `InvalidRouteTableId.Malformed`), and
//! the `#[error]` text is the message. The doc of each variant names the spec section it comes from
//! (`shared/spec/aws-vpc-behaviour.md`). The snapshot test at the bottom lists every (code, message) pair, so a
//! changed spelling shows up in review. A family of many variants gets an enum of its own behind one variant here
//! (`Ec2Error::Volume(VolumeError)` in `error/volume.rs`, `Ec2Error::LaunchTemplate` in `error/launch_template.rs`, `Ec2Error::NetworkInterface` in `error/network_interface.rs`, `Ec2Error::Address` in `error/address.rs`, `Ec2Error::TransitGateway` in `error/transit_gateway.rs`, `Ec2Error::Vpn` in `error/vpn.rs`, `Ec2Error::PrefixList` in `error/prefix_list.rs`, `Ec2Error::Ipv6` in `error/ipv6.rs`, `Ec2Error::VpcEndpoint` in `error/vpc_endpoint.rs`, `Ec2Error::FlowLog` in `error/flow_log.rs`), with its codes beside it.

use thiserror::Error;

/// An EC2 API error as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Ec2Error {
    // ---- protocol (spec §1) ----
    /// §1.1: `DryRun=true` on a request that would have succeeded. HTTP 412.
    #[error("Request would have succeeded, but DryRun flag is set.")]
    DryRunOperation,
    /// §1.1: the `Action` is not one localvpc serves.
    #[error("The action {0} is not valid for this web service.")]
    InvalidAction(String),
    /// §1.1: a required parameter is absent.
    #[error("The request must contain the parameter {0}")]
    MissingParameter(String),
    /// A parameter value is wrong; the message says which and why.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// Two parameters that cannot be used together.
    #[error("{0}")]
    InvalidParameterCombination(String),
    /// A parameter that is malformed in a way AWS reports as `InvalidParameter`.
    #[error("{0}")]
    InvalidParameter(String),
    /// §1.1: a member of a flattened list whose index is not a list index (`Filter.-1.Name`,
    /// `VpcId.4294967296`): the request is refused rather than read as if the member were absent, which would
    /// silently widen a Describe to every resource. AWS's code and wording for a parameter it does not recognise.
    #[error("The parameter {0} is not recognized")]
    UnknownParameter(String),
    /// §1.5: a `NextToken` this server did not issue.
    #[error("Invalid NextToken: {0}")]
    InvalidNextToken(String),
    /// §1.1: a filter name the action does not know.
    #[error("The filter '{0}' is invalid")]
    InvalidFilter(String),
    /// §1.1: a filter value longer than 255 characters.
    #[error("The maximum length for a filter value is 255 characters")]
    FilterLimitExceeded,
    /// §1.2: EC2's answer to a signature that does not verify or an access key it does not know
    /// (`serve --auth sigv4`; see `authentication`). HTTP 401.
    #[error("AWS was not able to validate the provided access credentials")]
    AuthFailure,
    /// `serve --auth sigv4`: a request with neither an `Authorization` header nor presigned query parameters. The
    /// text is AWS's common-errors table; HTTP 403 as there.
    #[error("The request must contain either a valid (registered) AWS access key ID or X.509 certificate.")]
    MissingAuthenticationToken,
    /// `serve --auth sigv4`: a signature with a part missing or malformed; the message says which. HTTP 400.
    #[error("{0}")]
    IncompleteSignature(String),
    /// `serve --auth sigv4`: EC2's answer to a request signed more than 15 minutes away from now, or a presigned
    /// URL past its `X-Amz-Expires` [O text: aws/aws-sdk-java#1443, aws/aws-sdk-go-v2#1674]. HTTP 400.
    #[error("Request has expired.")]
    RequestExpired,
    /// `serve --auth sigv4`: STS's answer to a signature that does not verify, or (with the "Signature expired"
    /// text) to a stale one [O: boto/boto3#756, convox/rack#235]. HTTP 403.
    #[error("{0}")]
    SignatureDoesNotMatch(String),
    /// `serve --auth sigv4`: STS's answer to an access key it does not know [O: aws-azure-login#251]. HTTP 403.
    #[error("The security token included in the request is invalid.")]
    InvalidClientTokenId,
    /// The request body exceeds the 1 MiB limit. HTTP 413.
    #[error("Request body is too large: the limit is 1048576 bytes.")]
    RequestTooLarge,
    /// An ID whose shape is wrong for its type (§1.6). `code` is the exact AWS code for that ID type.
    #[error("Invalid id: \"{id}\" (expecting \"{prefix}-...\")")]
    MalformedId {
        /// The AWS code, e.g. `InvalidVpcID.Malformed`.
        code: &'static str,
        /// The ID as sent.
        id: String,
        /// The expected prefix, e.g. `vpc`.
        prefix: &'static str,
    },
    /// A fault inside localvpc (the store failed). HTTP 500; never used for bad input.
    #[error("An internal error has occurred")]
    InternalError,
    /// The store cannot be reached for now (a shared database is down or restarting): nothing was changed, and
    /// the same request may succeed later. HTTP 503, which the SDKs retry on their own.
    #[error("The request has failed due to a temporary failure of the server.")]
    ServiceUnavailable,

    // ---- not found (§2) ----
    /// §2.2: unknown VPC ID(s).
    #[error("{}", not_found("vpc", .0))]
    VpcNotFound(Vec<String>),
    /// §2.3: unknown subnet ID(s).
    #[error("{}", not_found("subnet", .0))]
    SubnetNotFound(Vec<String>),
    /// §2.4: unknown internet gateway ID(s).
    #[error("{}", not_found("internetGateway", .0))]
    InternetGatewayNotFound(Vec<String>),
    /// §2.5: unknown route table ID(s).
    #[error("{}", not_found("routeTable", .0))]
    RouteTableNotFound(Vec<String>),
    /// §2.8: unknown network ACL ID(s). The noun is `networkAcl` as in AWS's own output ("The networkAcl ID
    /// 'acl-…' does not exist" [O: hashicorp/terraform#1634, hashicorp/terraform-provider-aws#9710, #34462]); the
    /// spec's "network acl" is moto's spelling.
    #[error("{}", not_found("networkAcl", .0))]
    NetworkAclNotFound(Vec<String>),
    /// §2.7: unknown security group ID(s).
    #[error("The security group '{}' does not exist", .0.join("', '"))]
    SecurityGroupNotFound(Vec<String>),
    /// §2.7: a group name that does not exist in the default VPC.
    #[error("The security group '{0}' does not exist in default VPC '{1}'")]
    SecurityGroupNameNotFound(String, String),
    /// §2.5: unknown route table association ID (also used for unknown address associations).
    #[error("The association ID '{0}' does not exist")]
    AssociationNotFound(String),
    /// §2.2: unknown VPC CIDR association ID.
    #[error("The vpc CIDR block association ID '{0}' does not exist")]
    VpcCidrAssociationNotFound(String),
    /// §2.5: DeleteRoute for a destination with no route.
    #[error("no route with destination-cidr-block {destination} in route table {route_table_id}")]
    RouteNotFound {
        /// The destination as the request named it.
        destination: String,
        /// The route table searched.
        route_table_id: String,
    },
    /// §2.6 (used here for CreateRoute targets): unknown peering connection.
    #[error("The vpcPeeringConnection ID '{0}' does not exist")]
    VpcPeeringConnectionNotFound(String),
    /// §2.5: a route target naming an instance that does not exist.
    #[error("{}", not_found("instance", .0))]
    InstanceNotFound(Vec<String>),
    /// §2.9: unknown network interface ID(s) (also a route target naming one).
    #[error("{}", not_found("networkInterface", .0))]
    NetworkInterfaceNotFound(Vec<String>),
    /// §2.10: unknown Elastic IP allocation ID(s).
    #[error("{}", not_found("allocation", .0))]
    AllocationNotFound(Vec<String>),
    /// §2.10: an Elastic IP named by a public address this account does not hold.
    #[error("Address '{0}' not found.")]
    AddressNotFound(String),

    // ---- VPC (§2.2) ----
    /// §2.2: a VPC CIDR outside /16../28.
    #[error("The CIDR '{0}' is invalid.")]
    InvalidVpcRange(String),
    /// §2.2: DeleteVpc while subnets, groups, tables, gateways or ENIs remain.
    #[error("The vpc '{0}' has dependencies and cannot be deleted.")]
    VpcHasDependencies(String),
    /// §2.2: CreateDefaultVpc when one exists.
    #[error("A Default VPC already exists for this account in this region.")]
    DefaultVpcAlreadyExists,
    /// CreateDefaultSubnet in a zone that has one (EC2 API reference, error codes). ASSUMPTION [O, weak]: the text
    /// of getmoto/moto#8818 (2025), whose author records answers against AWS; the error-codes reference gives only
    /// a description ("A default subnet already exists in the specified Availability Zone…").
    #[error("'{subnet_id}' is already the default subnet in {zone}.")]
    DefaultSubnetAlreadyExistsInAvailabilityZone {
        /// The zone's default subnet.
        subnet_id: String,
        /// The zone.
        zone: String,
    },
    /// CreateDefaultSubnet without a default VPC (EC2 API reference, error codes).
    #[error("There is no default VPC in which to create a default subnet. Create a default VPC first.")]
    DefaultVpcDoesNotExist,
    /// CreateDefaultSubnet when no /20 of the default VPC's block is free [I]: AWS documents no code for it; the
    /// code CreateSubnet gives for a block that overlaps.
    #[error("The default VPC has no free /20 block for a default subnet.")]
    NoFreeDefaultSubnetBlock,
    /// §2.2/§5: more than 5 IPv4 CIDR blocks (a quota: enforced only with `serve --quotas aws`).
    #[error("This network {0} has met its maximum number of allowed CIDRs: 5")]
    CidrLimitExceeded(String),
    /// §2.2: disassociating the primary CIDR block.
    #[error("The vpc CIDR block with association ID {0} may not be disassociated. It is the primary IPv4 CIDR block of the VPC")]
    CannotDisassociatePrimaryCidr(String),
    /// §2.2: disassociating a CIDR block that still holds subnets.
    #[error("The vpc CIDR block with association ID {0} may not be disassociated. It has dependencies.")]
    CidrBlockHasDependencies(String),

    // ---- VPC peering (§2.6) ----
    /// A VPC peering action's refusal (`error/vpc_peering.rs`).
    #[error(transparent)]
    Peering(#[from] PeeringError),

    // ---- subnet (§2.3) ----
    /// §2.3: a subnet CIDR outside /16../28 or outside every VPC block.
    #[error("The CIDR '{0}' is invalid.")]
    InvalidSubnetRange(String),
    /// §2.3: a subnet CIDR overlapping another subnet.
    #[error("The CIDR '{0}' conflicts with another subnet")]
    SubnetConflict(String),
    /// §2.3: DeleteSubnet while ENIs remain.
    #[error("The subnet '{0}' has dependencies and cannot be deleted.")]
    SubnetHasDependencies(String),

    // ---- internet gateway (§2.4) ----
    /// §2.4: attaching an IGW that is attached already.
    #[error("resource {igw} is already attached to network {vpc}")]
    GatewayAlreadyAttached {
        /// The gateway.
        igw: String,
        /// The VPC it is attached to.
        vpc: String,
    },
    /// §2.4: detaching an IGW from a VPC it is not attached to.
    #[error("resource {igw} is not attached to network {vpc}")]
    GatewayNotAttached {
        /// The gateway.
        igw: String,
        /// The VPC named in the request.
        vpc: String,
    },
    /// §2.4: deleting an attached IGW.
    #[error("The internetGateway '{0}' has dependencies and cannot be deleted.")]
    InternetGatewayHasDependencies(String),

    // ---- route table (§2.5) ----
    /// §2.5: deleting the main table or a table with associations.
    #[error("The routeTable '{0}' has dependencies and cannot be deleted.")]
    RouteTableHasDependencies(String),
    /// §2.5: associating a subnet that already has an explicit association.
    #[error("the specified association for route table {0} conflicts with an existing association")]
    RouteTableAssociationConflict(String),
    /// §2.5: CreateRoute for a destination that has a route.
    #[error("The route identified by {0} already exists.")]
    RouteAlreadyExists(String),

    // ---- network ACL (§2.8) ----
    /// §2.8 [M]: deleting an ACL that still has subnet associations.
    #[error("The network ACL '{0}' has dependencies and cannot be deleted.")]
    NetworkAclHasDependencies(String),
    /// §2.8 [D]: the default ACL of a VPC cannot be deleted (code and text: see `network_acl::delete`).
    #[error("cannot delete default network ACL {0}")]
    CannotDeleteDefaultNetworkAcl(String),
    /// §2.8 [M]: CreateNetworkAclEntry for a rule number taken in that direction.
    #[error("The network acl entry identified by {0} already exists.")]
    NetworkAclEntryAlreadyExists(u16),
    /// §2.8 [D code; O text: hashicorp/terraform-provider-aws#12175]: Replace/DeleteNetworkAclEntry for a rule number
    /// with no entry in that direction.
    #[error("no {direction} entry with number {rule_number}")]
    NetworkAclEntryNotFound {
        /// `ingress` or `egress`.
        direction: &'static str,
        /// The rule number asked for.
        rule_number: u16,
    },

    // ---- instances, network interfaces, Elastic IPs (§2.9, §2.10) ----
    /// §2.9 [O]: RunInstances without a subnet when the region has no default VPC.
    #[error("No default VPC for this user")]
    NoDefaultVpc,
    /// §2.9: RunInstances without a subnet when the default VPC has no default subnet (code and text as AWS
    /// answers it; not in the spec).
    #[error("No subnets found for the default VPC '{0}'. Please specify a subnet.")]
    NoDefaultSubnet(String),
    /// §2.9 [O: ryanmurakami/hbfl#40, google/cloud-forensics-utils#316]: RunInstances without a subnet when the
    /// region has no default VPC (RunInstances' newer text; CreateSecurityGroup still answers [`Self::NoDefaultVpc`]).
    #[error("No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")]
    NoDefaultVpcForLaunch,
    /// §2.9: RunInstances without a subnet, in a zone where the default VPC has no default subnet (other zones
    /// have one).
    #[error("No default subnet for availability zone: '{0}'.")]
    NoDefaultSubnetInZone(String),
    /// §2.9 [O: newsapps/beeswithmachineguns#90]: `Placement.AvailabilityZone` that is not a zone of the region.
    #[error("Invalid availability zone: [{0}]")]
    InvalidAvailabilityZone(String),
    /// §2.9 [O: gruntwork-io/cloud-nuke#731]: TerminateInstances without an instance ID.
    #[error("No instances specified")]
    NoInstancesSpecified,
    /// §2.9 [O]: a private address (or, for ReleaseAddress, an Elastic IP) that is in use.
    #[error("Address {0} is in use.")]
    IpAddressInUse(String),
    /// §2.9 [O]: the subnet has fewer free addresses than MinCount.
    #[error("There are not enough free addresses in subnet '{0}' to satisfy the requested number of instances.")]
    InsufficientFreeAddressesInSubnet(String),
    /// §2.9: RunInstances with a `MaxCount` above the per-call ceiling (`serve --max-instances-per-call`); AWS's
    /// code and text for a count above the account's instance quota.
    #[error(
        "You have requested more instances ({requested}) than your current instance limit of {limit} allows for the \
         specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an \
         adjustment to this limit."
    )]
    InstanceLimitExceeded {
        /// `MaxCount` as asked.
        requested: i64,
        /// The ceiling.
        limit: usize,
    },
    /// §2.7/§2.9 [O]: launching with a group of another VPC than the subnet's.
    #[error("Security group {group_id} and subnet {subnet_id} belong to different networks.")]
    SecurityGroupInOtherNetwork {
        /// The group.
        group_id: String,
        /// The subnet.
        subnet_id: String,
    },
    /// §2.9: StartInstances on a terminated instance.
    #[error("The instance '{0}' is not in a state from which it can be started.")]
    InstanceCannotBeStarted(String),
    /// §2.9: StopInstances on a terminated instance.
    #[error("The instance '{0}' is not in a state from which it can be stopped.")]
    InstanceCannotBeStopped(String),
    /// §2.5/§2.10: a terminated instance used as a route target or an Elastic IP target.
    #[error("The instance '{0}' is not in a valid state for this operation.")]
    InstanceNotInValidState(String),
    /// §10.3 [O moto's AWS-verified test]: DescribeInstanceAttribute with a name that is not one of botocore's
    /// `InstanceAttributeName` (case-sensitive).
    #[error("Value ({0}) for parameter attribute is invalid. Unknown attribute.")]
    UnknownInstanceAttribute(String),
    /// §10.3/§10.4: an instance attribute value outside what AWS allows (a shutdown behavior other than
    /// `stop`/`terminate`, a `Value` that is not a boolean). ASSUMPTION (text [I], AWS's usual form).
    #[error("Value ({value}) for parameter {attribute} is invalid.")]
    InvalidAttributeValue {
        /// The attribute.
        attribute: String,
        /// The value as sent.
        value: String,
    },
    /// §10.3: the legacy `Attribute`/`Value` form for an attribute that has no scalar value. ASSUMPTION (text [I]).
    #[error("The attribute '{0}' cannot be modified with the parameter value.")]
    AttributeNotModifiableWithValue(String),
    /// §10.3 [D bc]: ResetInstanceAttribute resets kernel, ramdisk and sourceDestCheck only. ASSUMPTION (code and
    /// text [I]).
    #[error("Value ({0}) for parameter attribute is invalid. Only kernel, ramdisk and sourceDestCheck can be reset.")]
    AttributeNotResettable(String),
    /// §10.3 [O ansible-collections/amazon.aws#470]: ModifyInstanceAttribute that names no attribute.
    #[error("No attributes specified.")]
    NoInstanceAttributeSpecified,
    /// §10.3 [D bc "only one attribute at a time"]: several attributes in one call. ASSUMPTION (text [I]).
    #[error("Only one attribute can be modified at a time.")]
    SeveralInstanceAttributes,
    /// §9 item 4 [O]: instanceType, userData, kernel, ramdisk (and EBS optimization, ENA, SR-IOV) change only while
    /// the instance is stopped.
    #[error("The instance '{0}' is not in the 'stopped' state.")]
    InstanceNotStopped(String),
    /// §10.3 [D bc]: an instance type that is not one. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter instanceType is invalid.")]
    InvalidInstanceType(String),
    /// §10.4 [O]: TerminateInstances on an instance with termination protection.
    #[error("The instance '{0}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.")]
    InstanceTerminationProtected(String),
    /// §10.4 [O]: StopInstances (or TerminateInstances) on an instance with stop protection.
    #[error("The instance '{0}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.")]
    InstanceStopProtected(String),
    /// §10.7: RebootInstances on a stopped instance. ASSUMPTION (code and text [I]).
    #[error("The instance '{0}' is not in a state from which it can be rebooted.")]
    InstanceCannotBeRebooted(String),
    /// §10.6 [D errs]: a CPU credit option other than `standard` or `unlimited`. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter cpuCredits is invalid. Valid values are standard and unlimited.")]
    CpuCreditsMalformed(String),
    /// §10.3 [M moto `InvalidUserDataError`]: user data that is not base64.
    #[error("Invalid BASE64 encoding of user data.")]
    InvalidUserData,
    /// §10.6 [O hashicorp/terraform-provider-aws#5067]: a credit option for a type that is not burstable.
    #[error("The {0} instance type does not support T2 Unlimited.")]
    CreditSpecificationNotSupported(String),
    /// §2.4 [O]: DetachInternetGateway while instances of the VPC have public addresses or Elastic IPs.
    #[error("Network {0} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.")]
    VpcHasMappedPublicAddresses(String),

    // ---- security groups (§2.7) ----
    /// §2.7 [O]: CreateSecurityGroup with a name the VPC already has.
    #[error("The security group '{name}' already exists for VPC '{vpc_id}'")]
    SecurityGroupDuplicate {
        /// The name.
        name: String,
        /// The VPC.
        vpc_id: String,
    },
    /// §2.7 [D code]: the name `default` belongs to each VPC's default group. ASSUMPTION (text [I]: Eucalyptus's
    /// copy of the AWS message).
    #[error("The security group '{0}' is reserved")]
    SecurityGroupNameReserved(String),
    /// §2.7 [D; text O: CloudFormation logs]: group names may not start with `sg-`.
    #[error("Value ({0}) for parameter GroupName is invalid. Group names may not be in the format sg-*.")]
    SecurityGroupNameLooksLikeId(String),
    /// §2.7 [O-style]: the default group cannot be deleted.
    #[error("the specified group: \"{0}\" name: \"default\" cannot be deleted by a user")]
    CannotDeleteDefaultSecurityGroup(String),
    /// §2.7 [O]: DeleteSecurityGroup while another group's rule references it or an interface uses it.
    #[error("resource {0} has a dependent object")]
    SecurityGroupHasDependencies(String),
    /// §2.7 [O] / §2.6: a rule naming a group of another VPC with no active same-region peering between them.
    #[error("You have specified two resources that belong to different networks.")]
    SecurityGroupsInDifferentNetworks,
    /// §2.7 [O]: Authorize of a rule the group has (descriptions ignored); the text names the rule.
    #[error("the specified rule \"{0}\" already exists")]
    PermissionDuplicate(String),
    /// §2.7 [O-style]: one Authorize naming the same rule twice.
    #[error("The same permission must not appear multiple times")]
    PermissionRepeatedInRequest,
    /// §2.7 [D]: Revoke by properties, outside the default VPC, of a rule the group does not have.
    #[error("The specified rule does not exist in this security group.")]
    PermissionNotFound,
    /// §2.7: unknown `sgr-` ID(s). ASSUMPTION (text [I]; the code is AWS's).
    #[error("The security group rule ID '{}' does not exist", .0.join("', '"))]
    SecurityGroupRuleNotFound(Vec<String>),
    /// §2.7 DescribeSecurityGroupRules: a `group-id` filter value that is not a group ID [text: moto's
    /// AWS-verified test].
    #[error("The security group ID '{0}' is malformed")]
    SecurityGroupIdFilterMalformed(String),
    /// §2.7 [M]: a rule peer that is not a CIDR block.
    #[error("invalid CIDR subnet specification: {0}")]
    InvalidCidrSubnet(String),
    /// §2.7 [D; text O: CloudFormation logs]: TCP/UDP without both ports.
    #[error("Invalid value for portRange. Must specify both from and to ports with TCP/UDP.")]
    PortRangeMissing,
    /// §2.7 [D]: TCP/UDP ports outside 0..=65535 or from above to. ASSUMPTION (text [I]).
    #[error("Invalid TCP/UDP port range: from port {from}, to port {to}. Ports are 0 to 65535 and the from port may not exceed the to port.")]
    InvalidPortRange {
        /// `FromPort`.
        from: i64,
        /// `ToPort`.
        to: i64,
    },
    /// §2.7 [D]: ICMP type/code outside -1..=255, or all types (-1) with one code. ASSUMPTION (text [I]).
    #[error(
        "Invalid ICMP type {icmp_type} or code {code}: each is -1 (all) or 0 to 255, and all types need all codes."
    )]
    InvalidIcmpTypeCode {
        /// `FromPort`.
        icmp_type: i64,
        /// `ToPort`.
        code: i64,
    },
    /// §2.7 [D]: a protocol that is neither a known name nor a number 0..=255. ASSUMPTION (text [I]).
    #[error("Invalid value '{0}' for IP protocol. Unknown protocol.")]
    UnknownIpProtocol(String),
    /// Part 2 §17.1–17.2: an unknown managed prefix list ID, or one another account owns (also when a security
    /// group rule names one). ASSUMPTION (text [I]: AWS's NotFound form).
    #[error("The prefix list ID '{0}' does not exist")]
    PrefixListNotFound(String),
    /// §2.7/§5 [D]: more than 60 rules in one direction and address family of a group (a quota: enforced only
    /// with `serve --quotas aws`).
    #[error("The maximum number of rules per security group has been reached.")]
    RulesPerSecurityGroupLimitExceeded,
    /// §2.7 ModifySecurityGroupRules: a rule without `IpProtocol` [text: moto's test, recorded from AWS].
    #[error("Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly.")]
    RuleProtocolMissing,
    /// §2.7 ModifySecurityGroupRules: a rule naming no peer [text: moto's test, recorded from AWS].
    #[error("The request must contain exactly one of: cidrIp, cidrIpv6, prefixListId, or referencedGroupId")]
    RulePeerMissing,
    /// §2.7 ModifySecurityGroupRules: a rule naming more than one peer [text: moto's test, recorded from AWS].
    #[error("Only one of cidrIp, cidrIpv6, prefixListId, or referencedGroupId can be specified")]
    RulePeerAmbiguous,

    // ---- quotas (§5; enforced only with `serve --quotas aws`, see `quotas.rs`) ----
    /// §2.2/§5: CreateVpc or CreateDefaultVpc past the VPCs-per-Region quota [O text: terraform and CloudFormation
    /// output].
    #[error("The maximum number of VPCs has been reached.")]
    VpcLimitExceeded,
    /// §2.3/§5: CreateSubnet past the subnets-per-VPC quota. ASSUMPTION (text seen quoted once, not in AWS output).
    #[error("The maximum number of subnets has been reached.")]
    SubnetLimitExceeded,
    /// §2.4/§5: CreateInternetGateway past the internet-gateways-per-Region quota [O text: CloudFormation output].
    #[error("The maximum number of internet gateways has been reached.")]
    InternetGatewayLimitExceeded,
    /// §2.10/§5: AllocateAddress past the Elastic-IPs-per-Region quota [O text: terraform output].
    #[error("The maximum number of addresses has been reached.")]
    AddressLimitExceeded,
    /// §2.5/§5: CreateRouteTable past the route-tables-per-VPC quota. ASSUMPTION (text [I]).
    #[error("The maximum number of route tables has been reached.")]
    RouteTableLimitExceeded,
    /// §2.5/§5: CreateRoute past the routes-per-table quota. ASSUMPTION (text [I]).
    #[error("The maximum number of routes has been reached.")]
    RouteLimitExceeded,
    /// §2.8/§5: CreateNetworkAcl past the network-ACLs-per-VPC quota. ASSUMPTION (text [I]).
    #[error("The maximum number of network ACLs has been reached.")]
    NetworkAclLimitExceeded,
    /// §2.8/§5: CreateNetworkAclEntry past the entries-per-direction quota. ASSUMPTION (text [I]).
    #[error("The maximum number of network ACL entries has been reached.")]
    NetworkAclEntryLimitExceeded,
    /// §2.7/§5: CreateSecurityGroup past the security-groups-per-Region quota. ASSUMPTION (text [I]).
    #[error("The maximum number of security groups has been reached.")]
    SecurityGroupLimitExceeded,
    /// §2.9/§5: RunInstances with more groups than an interface may have. ASSUMPTION (text from moto's EFS model,
    /// not seen in EC2 output).
    #[error("The maximum number of security groups per interface has been reached.")]
    SecurityGroupsPerInterfaceLimitExceeded,
    /// §2.6/§5: AcceptVpcPeeringConnection when one of the two VPCs is at its active-peerings quota (the VPC named).
    /// ASSUMPTION (text [I]; the code is errors-overview's "active VPC peering connections … for the specified VPC").
    #[error("The maximum number of active VPC peering connections has been reached for {0}.")]
    ActiveVpcPeeringConnectionPerVpcLimitExceeded(String),
    /// §2.6/§5: CreateVpcPeeringConnection past the outstanding-requests quota. Spec §2.6 [O]: real AWS output
    /// (amplify-education/asiaq#254) shows this code and text for that case, so it wins over §5's
    /// `OutstandingVpcPeeringConnectionLimitExceeded`.
    #[error("Vpc peering connection request limit exceeded.")]
    PendingVpcPeeringConnectionLimitExceeded,
    /// §2.9/§5: RunInstances past the network-interfaces-per-Region quota. ASSUMPTION (text [I]).
    #[error("The maximum number of network interfaces has been reached.")]
    NetworkInterfaceLimitExceeded,

    // ---- Network Insights (Reachability Analyzer; not in the spec) ----
    /// Unknown path ID(s) [O code: hashicorp/terraform-provider-aws `errCodeInvalidNetworkInsightsPathIdNotFound`].
    /// ASSUMPTION (text [I]: the usual NotFound form).
    #[error("{}", not_found("networkInsightsPath", .0))]
    NetworkInsightsPathNotFound(Vec<String>),
    /// Unknown analysis ID(s) [O code: hashicorp/terraform-provider-aws
    /// `errCodeInvalidNetworkInsightsAnalysisIdNotFound`]. ASSUMPTION (text [I]).
    #[error("{}", not_found("networkInsightsAnalysis", .0))]
    NetworkInsightsAnalysisNotFound(Vec<String>),
    /// DeleteNetworkInsightsPath while analyses of the path remain [O: hashicorp/terraform-provider-aws#28330].
    #[error("At least one analysis [{}] exists for path {path_id}. Delete all the analyses before deleting this network path.", .analysis_ids.join(", "))]
    AnalysisExistsForNetworkInsightsPath {
        /// The path.
        path_id: String,
        /// Its analyses.
        analysis_ids: Vec<String>,
    },
    /// CreateNetworkInsightsPath with neither `Destination` nor `FilterAtSource.DestinationAddress` (a
    /// `DestinationIp` alone is not enough) [O: hashicorp/terraform-provider-aws#38132].
    #[error("The request must include either the Destination parameter or the FilterAtSource.DestinationAddress parameter. Add the required parameter and retry the request.")]
    NetworkInsightsPathMissingDestination,

    // ---- DHCP options, images, instance types, key pairs, ClassicLink (spec part 2 §10, §12) ----
    /// Part 2 §12.1: unknown DHCP options set ID(s). ASSUMPTION (text [I]: the usual NotFound form).
    #[error("{}", not_found("dhcpOption", .0))]
    DhcpOptionsNotFound(Vec<String>),
    /// Part 2 §12.1 [O: rebuy-de/aws-nuke transcript]: DeleteDhcpOptions while a VPC uses the set.
    #[error("The dhcpOptions '{0}' has dependencies and cannot be deleted.")]
    DhcpOptionsHasDependencies(String),
    /// Part 2 §12.1: a `DhcpConfiguration` key that is not a DHCP option. ASSUMPTION (text [I]).
    #[error("Value ({0}) for parameter key is invalid. Unknown DHCP option")]
    DhcpOptionUnknownKey(String),
    /// Part 2 §12.1: a value of the wrong form for its option. ASSUMPTION (text [I]).
    #[error("Value ({value}) for parameter {key} is invalid.")]
    DhcpOptionInvalidValue {
        /// The option.
        key: String,
        /// The value as sent.
        value: String,
    },
    /// Part 2 §12.1: more values than the option takes, or the option twice. ASSUMPTION (text [I]).
    #[error("The DHCP option {key} accepts at most {max} value(s), given once.")]
    DhcpOptionTooManyValues {
        /// The option.
        key: String,
        /// How many values it takes.
        max: usize,
    },
    /// Part 2 §10.1 [M text; D code]: unknown image ID(s).
    #[error("{}", match .0.as_slice() { [one] => format!("The image id '[{one}]' does not exist"), many => format!("The image ids '[{}]' do not exist", many.join(", ")) })]
    ImageNotFound(Vec<String>),
    /// Part 2 §10.1 [D code]: an `Owner` that is neither an account ID nor an alias. ASSUMPTION (text [I]).
    #[error("Invalid user id: \"{0}\"")]
    InvalidOwner(String),
    /// Part 2 §10.2 [M]: unknown instance type(s) named in DescribeInstanceTypes.
    #[error("The following supplied instance types do not exist: [{}]", .0.join(", "))]
    InstanceTypeNotFound(Vec<String>),
    /// A parameter whose value is not one of the values the action knows (an enum), as AWS words it.
    #[error("Value ({value}) for parameter {parameter} is invalid.")]
    UnknownEnumValue {
        /// The parameter as AWS names it in messages.
        parameter: &'static str,
        /// The value as sent.
        value: String,
    },
    /// Part 2 §10.10 [O]: CreateKeyPair/ImportKeyPair with a name the region has (note "keypair").
    #[error("The keypair '{0}' already exists.")]
    KeyPairDuplicate(String),
    /// Part 2 §10.10 [O]: an unknown key pair name or ID (note "key pair", no final period).
    #[error("The key pair '{0}' does not exist")]
    KeyPairNotFound(String),
    /// Part 2 §10.10 [M text; D code]: ImportKeyPair with material that is not a supported public key.
    #[error("Key is not in valid OpenSSH public key format")]
    KeyPairFormat,
    /// Part 2 §10.10 [D]: a key name that is empty, longer than 255 characters or not ASCII. ASSUMPTION (text [I]).
    #[error(
        "Value ({0}) for parameter keyName is invalid. Length exceeds maximum of 255 ASCII characters, or is empty."
    )]
    KeyNameInvalid(String),
    /// ModifyVpcTenancy with a tenancy other than `default`, the only value it can set (EC2 API reference,
    /// ModifyVpcTenancy: "You can change the instance tenancy attribute of a VPC to default only"). The code is in
    /// AWS's error-code list; ASSUMPTION (text [M]).
    #[error("The tenancy value {0} is not supported.")]
    UnsupportedTenancy(String),
    /// ClassicLink actions: EC2-Classic is retired, and accounts without it have always been answered this
    /// [O: aws/aws-sdk-java#754, the answer in a VPC-only account].
    #[error("The functionality you requested is not available in this region.")]
    ClassicLinkUnsupported,

    // ---- EBS volumes ----
    /// A volume action's refusal (`error/volume.rs`).
    #[error(transparent)]
    Volume(#[from] VolumeError),

    // ---- subnet CIDR reservations (part 2 §11.6) ----
    /// §11.6 [M: moto's test of it, whose wording has AWS's shape]: an unknown reservation ID — any text, shape
    /// unchecked (`scr-not-exists` is NotFound there, not Malformed).
    #[error("The subnet-cidr-reservation ID '{0}' does not exist")]
    SubnetCidrReservationNotFound(String),

    // ---- network interfaces (part 2 §11) ----
    /// A network interface action's refusal (`error/network_interface.rs`).
    #[error(transparent)]
    NetworkInterface(#[from] NetworkInterfaceError),
    /// An Elastic IP action's own refusals (`error/address.rs`).
    #[error(transparent)]
    Address(#[from] AddressError),

    // ---- NAT gateways (part 2 §13) ----
    /// A NAT gateway action's refusal (`error/nat_gateway.rs`).
    #[error(transparent)]
    NatGateway(#[from] NatGatewayError),
    // ---- site-to-site VPN (part 2 §15) ----
    /// A VPN action's refusal (`error/vpn.rs`).
    #[error(transparent)]
    Vpn(#[from] VpnError),

    // ---- IPv6 and egress-only internet gateways (part 2 §16) ----
    /// An IPv6 refusal (`error/ipv6.rs`).
    #[error(transparent)]
    Ipv6(#[from] Ipv6Error),
    // ---- VPC flow logs (part 2 §18.1) ----
    /// A flow log action's refusal (`error/flow_log.rs`).
    #[error(transparent)]
    FlowLog(#[from] FlowLogError),

    // ---- managed prefix lists (part 2 §17.1–17.2) ----
    /// A prefix list action's refusal (`error/prefix_list.rs`).
    #[error(transparent)]
    PrefixList(#[from] PrefixListError),

    // ---- VPC endpoints (part 2 §17.4–17.5) ----
    /// A VPC endpoint action's refusal (`error/vpc_endpoint.rs`).
    #[error(transparent)]
    VpcEndpoint(#[from] VpcEndpointError),

    // ---- transit gateways (part 2 §14) ----
    /// A transit gateway action's refusal (`error/transit_gateway.rs`).
    #[error(transparent)]
    TransitGateway(#[from] TransitGatewayError),

    // ---- launch templates ----
    /// A launch-template action's refusal (`error/launch_template.rs`).
    #[error(transparent)]
    LaunchTemplate(#[from] LaunchTemplateError),

    // ---- tags (§2.12) ----
    /// §2.12: CreateTags/DeleteTags with an ID of no taggable kind.
    #[error("The ID '{0}' is not valid")]
    InvalidId(String),
    /// §2.12: more than 50 tags on one resource.
    #[error("The maximum number of Tags per resource is 50")]
    TagLimitExceeded,
}

fn not_found(noun: &str, ids: &[String]) -> String {
    match ids {
        [one] => format!("The {noun} ID '{one}' does not exist"),
        many => format!("The {noun} IDs '{}' do not exist", many.join(", ")),
    }
}

mod address;
mod codes;
mod flow_log;
mod ipv6;
mod launch_template;
mod nat_gateway;
mod network_interface;
mod prefix_list;
mod transit_gateway;
mod volume;
mod vpc_endpoint;
mod vpc_peering;
mod vpn;

pub use address::AddressError;
pub use flow_log::FlowLogError;
pub use ipv6::Ipv6Error;
pub use launch_template::LaunchTemplateError;
pub use nat_gateway::NatGatewayError;
pub use network_interface::NetworkInterfaceError;
pub use prefix_list::PrefixListError;
pub use transit_gateway::TransitGatewayError;
pub use volume::VolumeError;
pub use vpc_endpoint::VpcEndpointError;
pub use vpc_peering::PeeringError;
pub use vpn::VpnError;
#[cfg(test)]
mod tests;

pub use codes::malformed_code;
