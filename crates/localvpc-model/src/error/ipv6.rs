//! The refusals of IPv6 addressing and egress-only internet gateways (part 2 §16): one family of
//! [`super::Ec2Error`]. Each variant's message is its `#[error]` text; [`Ipv6Error::code`] gives AWS's code (the
//! HTTP status is 400 for all).

use thiserror::Error;

/// An IPv6 refusal; reaches the client as `Ec2Error::Ipv6`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Ipv6Error {
    /// §16.1 [O]: DisassociateVpcCidrBlock of an IPv6 block a subnet still uses; the block is written unabbreviated.
    #[error("The vpc {vpc_id} currently has a subnet within CIDR block {block}")]
    VpcBlockInUse {
        /// The VPC.
        vpc_id: String,
        /// The block, as `ipv6::unabbreviated` writes it.
        block: String,
    },
    /// §16.1 [O]: DisassociateSubnetCidrBlock while the subnet assigns IPv6 addresses on creation.
    #[error(
        "The subnet IPv6 CIDR block with association ID {0} may not be disassociated, because its subnet has \
         assign-ipv6-address-on-creation set to true."
    )]
    SubnetBlockAssignsOnCreation(String),
    /// §16.1 [O]: a subnet IPv6 block that is not a /64.
    #[error("invalid value for parameter ipv6-cidr-block: {0}")]
    InvalidSubnetBlock(String),
    /// §16.1 [O]: a subnet /64 outside every IPv6 block of its VPC.
    #[error("The IPv6 CIDR '{0}' is invalid.")]
    SubnetBlockOutsideVpc(String),
    /// §16.1 [I]: a subnet /64 another subnet of the VPC holds. ASSUMPTION (text as the IPv4 conflict's).
    #[error("The CIDR '{0}' conflicts with another subnet")]
    SubnetBlockConflict(String),
    /// §16.1: AssociateSubnetCidrBlock on a subnet that has an IPv6 block. ASSUMPTION (code and text [I]; a subnet
    /// holds one /64).
    #[error("The subnet {0} already has an IPv6 CIDR block associated with it.")]
    SubnetHasBlock(String),
    /// §16.1 [O]: a subnet attribute that needs an IPv6 block, set to true on a subnet without one.
    #[error(
        "Invalid value 'true' for {attribute}. Cannot set {attribute} to true unless the subnet ({subnet_id}) has \
         an IPv6 CIDR block associated with it."
    )]
    AttributeNeedsBlock {
        /// `assign-ipv6-address-on-creation`, `enable-dns64` or `enable-resource-name-dns-aaaa-record-on-launch`.
        attribute: &'static str,
        /// The subnet.
        subnet_id: String,
    },
    /// §16.1: an unknown subnet CIDR association. ASSUMPTION (code and text [I]; the VPC association's pattern).
    #[error("The subnet CIDR block with association ID '{0}' does not exist")]
    SubnetAssociationNotFound(String),
    /// §16.1 [D]: the sixth IPv6 block of a VPC. ASSUMPTION (text [I]; the code of the IPv4 limit).
    #[error("This network '{0}' has met its maximum number of allowed IPv6 CIDRs: 5")]
    VpcBlockLimitExceeded(String),
    /// §16.1: `Ipv6CidrBlockNetworkBorderGroup` other than the Region. ASSUMPTION (text [I]; localvpc has no Local
    /// Zones, so the Region is the only group).
    #[error("Value ({0}) for parameter ipv6CidrBlockNetworkBorderGroup is invalid.")]
    InvalidNetworkBorderGroup(String),
    /// §16.2 [M]: an unknown egress-only internet gateway.
    #[error("{}", super::not_found("eigw", .0))]
    EgressOnlyGatewayNotFound(Vec<String>),
    /// §20 [D]: five egress-only internet gateways per Region, under `--quotas aws`. ASSUMPTION (code and text
    /// [I]; the pattern of the other gateway limits).
    #[error("The maximum number of egress-only internet gateways has been reached.")]
    EgressOnlyGatewayLimitExceeded,
    /// §16.1: IPv6 addresses for an interface whose subnet has no IPv6 block. ASSUMPTION (code and text [I]).
    #[error("The subnet {0} has no IPv6 CIDR block, so its network interfaces cannot have IPv6 addresses.")]
    SubnetHasNoIpv6Block(String),
    /// §16.1 [D]: an address outside the subnet's /64 or one of its reserved addresses. ASSUMPTION (text [I]).
    #[error("The IPv6 address {0} is not a usable address of the subnet's IPv6 CIDR block.")]
    AddressOutsideSubnet(String),
    /// §16.1 [D]: an address another interface holds. ASSUMPTION (text [I]; the IPv4 code).
    #[error("Address {0} is in use.")]
    AddressInUse(String),
    /// §16.1 [D]: more addresses than the instance type's `ipv6AddressesPerInterface`. ASSUMPTION (code and text
    /// [I]).
    #[error("Network interface {interface_id} may hold at most {limit} IPv6 addresses.")]
    AddressLimitExceeded {
        /// The interface.
        interface_id: String,
        /// Its instance type's limit.
        limit: u32,
    },
    /// UnassignIpv6Addresses of an address the interface does not hold. ASSUMPTION (code and text [I]).
    #[error("The IPv6 address {address} is not assigned to network interface {interface_id}.")]
    AddressNotAssigned {
        /// The address as sent.
        address: String,
        /// The interface.
        interface_id: String,
    },
    /// §16.2 [D]: an egress-only internet gateway routes IPv6 destinations only. ASSUMPTION (code and text [I]).
    #[error("Route table {route_table_id} and egress-only internet gateway {gateway_id} cannot route IPv4 traffic.")]
    EgressOnlyGatewayIpv4Route {
        /// The table.
        route_table_id: String,
        /// The gateway.
        gateway_id: String,
    },
    /// §16.1 [O moto, checked against AWS]: CreateSubnet `Ipv6Native=true` without an IPv6 block.
    #[error("Either 'ipv6CidrBlock' or 'ipv6IpamPoolId' should be provided.")]
    Ipv6NativeNeedsBlock,
    /// §16.1 [O moto, checked against AWS]: CreateSubnet `Ipv6Native=true` with an IPv4 block.
    #[error("When specifying ipv4 parameters, cidrBlock or ipv4IpamPoolId, you cannot set ipv6Native to true.")]
    Ipv6NativeWithIpv4Block,
    /// §16.1: an IPv6-only subnet's setting that only a subnet with IPv4 may have (a public IPv4 address on launch,
    /// no automatic IPv6 address, the IP-name hostname). ASSUMPTION (code and text [I]; the pattern of
    /// `AttributeNeedsBlock`).
    #[error("Invalid value '{value}' for {attribute}. The subnet ({subnet_id}) is IPv6-only.")]
    Ipv6OnlySubnetAttribute {
        /// The attribute, as AWS names it in these refusals.
        attribute: &'static str,
        /// The value refused.
        value: String,
        /// The subnet.
        subnet_id: String,
    },
    /// §16.1 [D]: an IPv4 setting (private or public IPv4 address) for an interface of an IPv6-only subnet, whose
    /// interfaces have IPv6 addresses only. ASSUMPTION (code and text [I]).
    #[error("The subnet {subnet_id} is IPv6-only: {parameter} cannot be specified for its network interfaces.")]
    Ipv4InIpv6OnlySubnet {
        /// The parameter refused.
        parameter: &'static str,
        /// The subnet.
        subnet_id: String,
    },
    /// §16.1 [D]: an interface of an IPv6-only subnet without an IPv6 address (asked for none, or its last one
    /// unassigned). ASSUMPTION (code and text [I]).
    #[error("Network interfaces in the IPv6-only subnet {0} must have at least one IPv6 address.")]
    Ipv6OnlyNeedsAddress(String),
    /// §10.2/§16.1 [D]: only instance types built on the Nitro System launch into IPv6-only subnets. ASSUMPTION
    /// (code and text [I]).
    #[error("The instance type {instance_type} is not supported in IPv6-only subnet {subnet_id}: only instance types built on the Nitro System are.")]
    NotNitroInIpv6OnlySubnet {
        /// The type asked for.
        instance_type: String,
        /// The subnet.
        subnet_id: String,
    },
    /// §14.2 [D; code I], §13, §17: a service that needs an IPv4 address in the subnet (a transit gateway
    /// attachment, a NAT gateway, an interface endpoint) refuses an IPv6-only subnet. ASSUMPTION (text [I]).
    #[error("The subnet {subnet_id} is IPv6-only; a {service} needs a subnet with an IPv4 CIDR block.")]
    ServiceNeedsIpv4Subnet {
        /// The subnet.
        subnet_id: String,
        /// What refused it.
        service: &'static str,
    },
}

impl Ipv6Error {
    /// AWS's error code.
    pub fn code(&self) -> &'static str {
        use Ipv6Error::*;
        match self {
            VpcBlockInUse { .. } | SubnetBlockAssignsOnCreation(_) => "InvalidCidrBlock.InUse",
            InvalidSubnetBlock(_) | AttributeNeedsBlock { .. } | InvalidNetworkBorderGroup(_) => {
                "InvalidParameterValue"
            }
            SubnetBlockOutsideVpc(_) => "InvalidSubnet.Range",
            SubnetBlockConflict(_) => "InvalidSubnet.Conflict",
            SubnetHasBlock(_) => "InvalidParameterValue",
            SubnetAssociationNotFound(_) => "InvalidSubnetCidrBlockAssociationID.NotFound",
            VpcBlockLimitExceeded(_) => "CidrLimitExceeded",
            EgressOnlyGatewayNotFound(_) => "InvalidGatewayID.NotFound",
            EgressOnlyGatewayLimitExceeded => "EgressOnlyInternetGatewayLimitExceeded",
            EgressOnlyGatewayIpv4Route { .. } => "InvalidParameterCombination",
            SubnetHasNoIpv6Block(_) | AddressOutsideSubnet(_) | AddressNotAssigned { .. } => "InvalidParameterValue",
            AddressInUse(_) => "InvalidIPAddress.InUse",
            AddressLimitExceeded { .. } => "Ipv6AddressLimitExceeded",
            Ipv6NativeNeedsBlock => "MissingParameter",
            Ipv6NativeWithIpv4Block => "InvalidParameterCombination",
            Ipv6OnlySubnetAttribute { .. } | Ipv6OnlyNeedsAddress(_) | ServiceNeedsIpv4Subnet { .. } => {
                "InvalidParameterValue"
            }
            Ipv4InIpv6OnlySubnet { .. } => "InvalidParameterCombination",
            NotNitroInIpv6OnlySubnet { .. } => "UnsupportedOperation",
        }
    }
}
