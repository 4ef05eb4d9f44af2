//! AWS's code and HTTP status for every [`Ec2Error`] (and the malformed-ID code of each ID kind): the second half
//! of the error table, kept apart from the variants and their messages so each half stays readable.

use crate::ids::IdKind;

use super::Ec2Error;

/// The code AWS returns for a malformed ID of this kind.
///
/// ASSUMPTION (spec §1.6 [D] gives the pattern `Invalid<Thing>Id.Malformed` with inconsistent capitalisation;
/// the spellings below are the ones seen in public client code — `InvalidVpcID.Malformed`,
/// `InvalidRouteTableId.Malformed`, `InvalidGroupId.Malformed` — and the rest follow the NotFound spelling).
pub fn malformed_code(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Vpc => "InvalidVpcID.Malformed",
        IdKind::Subnet => "InvalidSubnetID.Malformed",
        IdKind::InternetGateway => "InvalidInternetGatewayID.Malformed",
        IdKind::RouteTable => "InvalidRouteTableId.Malformed",
        IdKind::RouteTableAssociation | IdKind::NetworkAclAssociation => "InvalidAssociationID.Malformed",
        IdKind::NetworkAcl => "InvalidNetworkAclId.Malformed",
        IdKind::SecurityGroup => "InvalidGroupId.Malformed",
        IdKind::SecurityGroupRule => "InvalidSecurityGroupRuleId.Malformed",
        IdKind::VpcCidrAssociation => "InvalidVpcCidrBlockAssociationId.Malformed",
        IdKind::DhcpOptions => "InvalidDhcpOptionsId.Malformed",
        IdKind::VpcPeeringConnection => "InvalidVpcPeeringConnectionId.Malformed",
        IdKind::Instance => "InvalidInstanceID.Malformed",
        IdKind::NetworkInterface => "InvalidNetworkInterfaceId.Malformed",
        // Part 2 §13.1 [D errs]: the NAT gateway's codes do not follow the `Invalid…ID` pattern.
        IdKind::NatGateway => "NatGatewayMalformed",
        IdKind::Reservation => "InvalidReservationID.Malformed",
        IdKind::NetworkInterfaceAttachment => "InvalidAttachmentID.Malformed",
        IdKind::ElasticIpAllocation => "InvalidAllocationID.Malformed",
        IdKind::ElasticIpAssociation => "InvalidAssociationID.Malformed",
        // [O: aws-cloudformation/aws-cloudformation-resource-providers-ec2, the analysis handler's error table];
        // the path's spelling follows it (ASSUMPTION).
        IdKind::NetworkInsightsPath => "InvalidNetworkInsightsPathId.Malformed",
        IdKind::NetworkInsightsAnalysis => "InvalidNetworkInsightsAnalysisId.Malformed",
        // The spellings of AWS's error-codes reference.
        IdKind::Volume => "InvalidVolumeID.Malformed",
        IdKind::LaunchTemplate => "InvalidLaunchTemplateId.Malformed",
        // Part 2 §10.1 [M; D errs lists the code].
        IdKind::Image => "InvalidAMIID.Malformed",
        // ASSUMPTION (part 2 §10.10 [I]): AWS documents no malformed code for key pair IDs; an ID of the wrong
        // shape is one that does not exist.
        IdKind::KeyPair => "InvalidKeyPair.NotFound",
        // ASSUMPTION (part 2 §11.6 [I]): AWS's `Invalid<Resource>ID.Malformed` pattern.
        IdKind::SubnetCidrReservation => "InvalidSubnetCidrReservationID.Malformed",
        // ASSUMPTION (part 2 §14.2, §15 give only the NotFound codes): the malformed codes follow the NotFound
        // spellings with `.Malformed`.
        IdKind::TransitGateway => "InvalidTransitGatewayID.Malformed",
        IdKind::TransitGatewayRouteTable => "InvalidRouteTableID.Malformed",
        IdKind::TransitGatewayAttachment => "InvalidTransitGatewayAttachmentID.Malformed",
        IdKind::CustomerGateway => "InvalidCustomerGatewayID.Malformed",
        IdKind::VpnGateway => "InvalidVpnGatewayID.Malformed",
        IdKind::VpnConnection => "InvalidVpnConnectionID.Malformed",
        // ASSUMPTION (part 2 §17 gives only the NotFound code): `Id` spelled as AWS's prefix-list parameters
        // spell it (`InvalidPrefixListId.Malformed`).
        IdKind::PrefixList => "InvalidPrefixListId.Malformed",
        // ASSUMPTION (part 2 §16 gives only the NotFound codes): the NotFound spellings with `.Malformed`.
        IdKind::SubnetCidrAssociation => "InvalidSubnetCidrBlockAssociationID.Malformed",
        IdKind::EgressOnlyInternetGateway => "InvalidGatewayID.Malformed",
        // Part 2 §17.4 [D errs lists `InvalidVpcEndpointId.NotFound`]; ASSUMPTION: the malformed code follows it.
        IdKind::VpcEndpoint => "InvalidVpcEndpointId.Malformed",
        // ASSUMPTION (part 2 §18.1 gives only the NotFound code): the same spelling with `.Malformed`.
        IdKind::FlowLog => "InvalidFlowLogId.Malformed",
    }
}

impl Ec2Error {
    /// The exact AWS error code.
    pub fn code(&self) -> &'static str {
        use Ec2Error::*;
        match self {
            DryRunOperation => "DryRunOperation",
            InvalidAction(_) => "InvalidAction",
            MissingParameter(_) => "MissingParameter",
            InvalidParameterValue(_) | InvalidFilter(_) => "InvalidParameterValue",
            InvalidParameterCombination(_) => "InvalidParameterCombination",
            InvalidParameter(_) => "InvalidParameter",
            UnknownParameter(_) => "UnknownParameter",
            InvalidNextToken(_) => "InvalidNextToken",
            FilterLimitExceeded => "FilterLimitExceeded",
            AuthFailure => "AuthFailure",
            MissingAuthenticationToken => "MissingAuthenticationToken",
            IncompleteSignature(_) => "IncompleteSignature",
            RequestExpired => "RequestExpired",
            SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
            InvalidClientTokenId => "InvalidClientTokenId",
            RequestTooLarge => "RequestEntityTooLarge",
            MalformedId { code, .. } => code,
            InternalError => "InternalError",
            ServiceUnavailable => "ServiceUnavailable",
            VpcNotFound(_) => "InvalidVpcID.NotFound",
            SubnetNotFound(_) => "InvalidSubnetID.NotFound",
            InternetGatewayNotFound(_) => "InvalidInternetGatewayID.NotFound",
            RouteTableNotFound(_) => "InvalidRouteTableID.NotFound",
            NetworkAclNotFound(_) => "InvalidNetworkAclID.NotFound",
            SecurityGroupNotFound(_) | SecurityGroupNameNotFound(..) => "InvalidGroup.NotFound",
            AssociationNotFound(_) => "InvalidAssociationID.NotFound",
            VpcCidrAssociationNotFound(_) => "InvalidVpcCidrBlockAssociationIdError.NotFound",
            RouteNotFound { .. } => "InvalidRoute.NotFound",
            VpcPeeringConnectionNotFound(_) => "InvalidVpcPeeringConnectionID.NotFound",
            InstanceNotFound(_) => "InvalidInstanceID.NotFound",
            NetworkInterfaceNotFound(_) => "InvalidNetworkInterfaceID.NotFound",
            InvalidVpcRange(_) => "InvalidVpc.Range",
            VpcHasDependencies(_)
            | SubnetHasDependencies(_)
            | InternetGatewayHasDependencies(_)
            | RouteTableHasDependencies(_)
            | NetworkAclHasDependencies(_) => "DependencyViolation",
            DefaultVpcAlreadyExists => "DefaultVpcAlreadyExists",
            DefaultSubnetAlreadyExistsInAvailabilityZone { .. } => "DefaultSubnetAlreadyExistsInAvailabilityZone",
            DefaultVpcDoesNotExist => "DefaultVpcDoesNotExist",
            NoFreeDefaultSubnetBlock => "InvalidSubnet.Conflict",
            CidrLimitExceeded(_) => "CidrLimitExceeded",
            CannotDisassociatePrimaryCidr(_) => "OperationNotPermitted",
            CidrBlockHasDependencies(_) => "DependencyViolation",
            Peering(error) => error.code(),
            InvalidSubnetRange(_) => "InvalidSubnet.Range",
            SubnetConflict(_) => "InvalidSubnet.Conflict",
            GatewayAlreadyAttached { .. } | RouteTableAssociationConflict(_) => "Resource.AlreadyAssociated",
            GatewayNotAttached { .. } => "Gateway.NotAttached",
            RouteAlreadyExists(_) => "RouteAlreadyExists",
            CannotDeleteDefaultNetworkAcl(_) => "InvalidParameterValue",
            NetworkAclEntryAlreadyExists(_) => "NetworkAclEntryAlreadyExists",
            NetworkAclEntryNotFound { .. } => "InvalidNetworkAclEntry.NotFound",
            AllocationNotFound(_) => "InvalidAllocationID.NotFound",
            AddressNotFound(_) => "InvalidAddress.NotFound",
            NoDefaultVpc => "VPCIdNotSpecified",
            NoDefaultSubnet(_) => "MissingInput",
            NoDefaultVpcForLaunch => "VPCIdNotSpecified",
            NoDefaultSubnetInZone(_) => "InvalidInput",
            InvalidAvailabilityZone(_) => "InvalidParameterValue",
            NoInstancesSpecified => "InvalidParameterCombination",
            IpAddressInUse(_) => "InvalidIPAddress.InUse",
            InsufficientFreeAddressesInSubnet(_) => "InsufficientFreeAddressesInSubnet",
            InstanceLimitExceeded { .. } => "InstanceLimitExceeded",
            SecurityGroupInOtherNetwork { .. } => "InvalidParameter",
            InstanceCannotBeStarted(_) | InstanceCannotBeStopped(_) | InstanceNotInValidState(_) => {
                "IncorrectInstanceState"
            }
            UnknownInstanceAttribute(_)
            | InvalidAttributeValue { .. }
            | AttributeNotResettable(_)
            | InvalidUserData => "InvalidParameterValue",
            AttributeNotModifiableWithValue(_) | NoInstanceAttributeSpecified | SeveralInstanceAttributes => {
                "InvalidParameterCombination"
            }
            InstanceNotStopped(_) | InstanceCannotBeRebooted(_) => "IncorrectInstanceState",
            InvalidInstanceType(_) => "InvalidInstanceAttributeValue",
            InstanceTerminationProtected(_) | InstanceStopProtected(_) => "OperationNotPermitted",
            CpuCreditsMalformed(_) => "InvalidCpuCredits.Malformed",
            CreditSpecificationNotSupported(_) => "InstanceCreditSpecification.NotSupported",
            VpcHasMappedPublicAddresses(_) => "DependencyViolation",
            SecurityGroupDuplicate { .. } => "InvalidGroup.Duplicate",
            SecurityGroupNameReserved(_) => "InvalidGroup.Reserved",
            SecurityGroupNameLooksLikeId(_) => "InvalidParameterValue",
            CannotDeleteDefaultSecurityGroup(_) => "CannotDelete",
            SecurityGroupHasDependencies(_) => "DependencyViolation",
            SecurityGroupsInDifferentNetworks => "InvalidGroup.NotFound",
            PermissionDuplicate(_) => "InvalidPermission.Duplicate",
            PermissionNotFound => "InvalidPermission.NotFound",
            SecurityGroupRuleNotFound(_) => "InvalidSecurityGroupRuleId.NotFound",
            SecurityGroupIdFilterMalformed(_) => "InvalidGroupId.Malformed",
            PermissionRepeatedInRequest
            | InvalidCidrSubnet(_)
            | PortRangeMissing
            | InvalidPortRange { .. }
            | InvalidIcmpTypeCode { .. }
            | UnknownIpProtocol(_) => "InvalidParameterValue",
            PrefixListNotFound(_) => "InvalidPrefixListID.NotFound",
            RulesPerSecurityGroupLimitExceeded => "RulesPerSecurityGroupLimitExceeded",
            RuleProtocolMissing => "InvalidParameterValue",
            RulePeerMissing => "MissingParameter",
            RulePeerAmbiguous => "InvalidParameterCombination",
            VpcLimitExceeded => "VpcLimitExceeded",
            SubnetLimitExceeded => "SubnetLimitExceeded",
            InternetGatewayLimitExceeded => "InternetGatewayLimitExceeded",
            AddressLimitExceeded => "AddressLimitExceeded",
            RouteTableLimitExceeded => "RouteTableLimitExceeded",
            RouteLimitExceeded => "RouteLimitExceeded",
            NetworkAclLimitExceeded => "NetworkAclLimitExceeded",
            NetworkAclEntryLimitExceeded => "NetworkAclEntryLimitExceeded",
            SecurityGroupLimitExceeded => "SecurityGroupLimitExceeded",
            SecurityGroupsPerInterfaceLimitExceeded => "SecurityGroupsPerInterfaceLimitExceeded",
            ActiveVpcPeeringConnectionPerVpcLimitExceeded(_) => "ActiveVpcPeeringConnectionPerVpcLimitExceeded",
            PendingVpcPeeringConnectionLimitExceeded => "PendingVpcPeeringConnectionLimitExceeded",
            NetworkInterfaceLimitExceeded => "NetworkInterfaceLimitExceeded",
            NetworkInsightsPathNotFound(_) => "InvalidNetworkInsightsPathId.NotFound",
            NetworkInsightsAnalysisNotFound(_) => "InvalidNetworkInsightsAnalysisId.NotFound",
            AnalysisExistsForNetworkInsightsPath { .. } => "AnalysisExistsForNetworkInsightsPath",
            NetworkInsightsPathMissingDestination => "MissingParameter",
            Volume(error) => error.code(),
            NetworkInterface(error) => error.code(),
            Address(error) => error.code(),
            NatGateway(error) => error.code(),
            TransitGateway(error) => error.code(),
            Vpn(error) => error.code(),
            PrefixList(error) => error.code(),
            Ipv6(error) => error.code(),
            VpcEndpoint(error) => error.code(),
            FlowLog(error) => error.code(),
            SubnetCidrReservationNotFound(_) => "InvalidSubnetCidrReservationID.NotFound",
            LaunchTemplate(error) => error.code(),
            DhcpOptionsNotFound(_) => "InvalidDhcpOptionID.NotFound",
            DhcpOptionsHasDependencies(_) => "DependencyViolation",
            DhcpOptionUnknownKey(_) | DhcpOptionInvalidValue { .. } | DhcpOptionTooManyValues { .. } => {
                "InvalidParameterValue"
            }
            ImageNotFound(_) => "InvalidAMIID.NotFound",
            InvalidOwner(_) => "InvalidUserID.Malformed",
            InstanceTypeNotFound(_) => "InvalidInstanceType",
            UnknownEnumValue { .. } | KeyNameInvalid(_) => "InvalidParameterValue",
            KeyPairDuplicate(_) => "InvalidKeyPair.Duplicate",
            KeyPairNotFound(_) => "InvalidKeyPair.NotFound",
            KeyPairFormat => "InvalidKeyPair.Format",
            ClassicLinkUnsupported => "UnsupportedOperation",
            UnsupportedTenancy(_) => "UnsupportedTenancy",
            TagLimitExceeded => "TagLimitExceeded",
            InvalidId(_) => "InvalidID",
        }
    }

    /// The HTTP status AWS uses for this error (spec §1.4): 400 for client faults, with the few exceptions below.
    pub fn http_status(&self) -> u16 {
        match self {
            Ec2Error::DryRunOperation => 412,
            Ec2Error::AuthFailure => 401,
            Ec2Error::MissingAuthenticationToken
            | Ec2Error::SignatureDoesNotMatch(_)
            | Ec2Error::InvalidClientTokenId => 403,
            Ec2Error::RequestTooLarge => 413,
            Ec2Error::InternalError => 500,
            Ec2Error::ServiceUnavailable => 503,
            _ => 400,
        }
    }

    /// `InvalidParameterValue` for a value that is not a valid CIDR block (spec §2.2 message form).
    pub fn invalid_cidr(value: &str, parameter: &str) -> Self {
        Ec2Error::InvalidParameterValue(format!(
            "Value ({value}) for parameter {parameter} is invalid. This is not a valid CIDR block."
        ))
    }
}
