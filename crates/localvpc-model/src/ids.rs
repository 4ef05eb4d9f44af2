//! Resource IDs: generation (`<prefix>-<17 hex>`, spec §1.6) and the shape check behind `…Malformed` errors.
//!
//! IDs come from one counter per [`crate::World`], persisted with the world so a restart never reissues an ID. The
//! counter, XOR-ed with the world's ID key, goes through a bijective 64-bit mix: for one key, distinct counters give
//! distinct IDs (uniqueness by construction, O(1), deleted resources' IDs included), and they look like AWS's
//! (random, leading `0`). The key is the only randomness: a fresh store or a reset takes a new one from outside the
//! model (the OS by default, or a seed for reproducible demos and snapshot tests), so a Terraform or Ansible state
//! saved before a reset never matches the resources created after it.

use crate::Ec2Error;

/// The kinds of ID localvpc issues, with the AWS prefix and the exact `…Malformed` code for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `vpc-`
    Vpc,
    /// `subnet-`
    Subnet,
    /// `igw-`
    InternetGateway,
    /// `rtb-`
    RouteTable,
    /// `rtbassoc-`
    RouteTableAssociation,
    /// `acl-`
    NetworkAcl,
    /// `aclassoc-`
    NetworkAclAssociation,
    /// `sg-`
    SecurityGroup,
    /// `sgr-`
    SecurityGroupRule,
    /// `vpc-cidr-assoc-`
    VpcCidrAssociation,
    /// `dopt-`
    DhcpOptions,
    /// `pcx-`
    VpcPeeringConnection,
    /// `i-`
    Instance,
    /// `eni-`
    NetworkInterface,
    /// `nat-`
    NatGateway,
    /// `r-` (a RunInstances reservation)
    Reservation,
    /// `eni-attach-`
    NetworkInterfaceAttachment,
    /// `eipalloc-`
    ElasticIpAllocation,
    /// `eipassoc-`
    ElasticIpAssociation,
    /// `nip-` (a Network Insights path)
    NetworkInsightsPath,
    /// `nia-` (a Network Insights analysis)
    NetworkInsightsAnalysis,
    /// `ami-` (an image of the built-in catalog)
    Image,
    /// `key-` (a key pair)
    KeyPair,
    /// `vol-` (an EBS volume)
    Volume,
    /// `lt-` (a launch template)
    LaunchTemplate,
    /// `scr-` (a subnet CIDR reservation)
    SubnetCidrReservation,
    /// `tgw-` (a transit gateway)
    TransitGateway,
    /// `tgw-rtb-` (a transit gateway route table)
    TransitGatewayRouteTable,
    /// `tgw-attach-` (a transit gateway attachment)
    TransitGatewayAttachment,
    /// `cgw-` (a customer gateway)
    CustomerGateway,
    /// `vgw-` (a virtual private gateway)
    VpnGateway,
    /// `vpn-` (a site-to-site VPN connection)
    VpnConnection,
    /// `pl-` (a managed prefix list)
    PrefixList,
    /// `subnet-cidr-assoc-` (a subnet's IPv6 block)
    SubnetCidrAssociation,
    /// `eigw-` (an egress-only internet gateway)
    EgressOnlyInternetGateway,
    /// `vpce-` (a VPC endpoint)
    VpcEndpoint,
    /// `fl-` (a VPC flow log)
    FlowLog,
}

impl IdKind {
    /// The prefix before the dash.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Vpc => "vpc",
            IdKind::Subnet => "subnet",
            IdKind::InternetGateway => "igw",
            IdKind::RouteTable => "rtb",
            IdKind::RouteTableAssociation => "rtbassoc",
            IdKind::NetworkAcl => "acl",
            IdKind::NetworkAclAssociation => "aclassoc",
            IdKind::SecurityGroup => "sg",
            IdKind::SecurityGroupRule => "sgr",
            IdKind::VpcCidrAssociation => "vpc-cidr-assoc",
            IdKind::DhcpOptions => "dopt",
            IdKind::VpcPeeringConnection => "pcx",
            IdKind::Instance => "i",
            IdKind::NetworkInterface => "eni",
            IdKind::NatGateway => "nat",
            IdKind::Reservation => "r",
            IdKind::NetworkInterfaceAttachment => "eni-attach",
            IdKind::ElasticIpAllocation => "eipalloc",
            IdKind::ElasticIpAssociation => "eipassoc",
            IdKind::NetworkInsightsPath => "nip",
            IdKind::NetworkInsightsAnalysis => "nia",
            IdKind::Image => "ami",
            IdKind::KeyPair => "key",
            IdKind::Volume => "vol",
            IdKind::LaunchTemplate => "lt",
            IdKind::SubnetCidrReservation => "scr",
            IdKind::TransitGateway => "tgw",
            IdKind::TransitGatewayRouteTable => "tgw-rtb",
            IdKind::TransitGatewayAttachment => "tgw-attach",
            IdKind::CustomerGateway => "cgw",
            IdKind::VpnGateway => "vgw",
            IdKind::VpnConnection => "vpn",
            IdKind::PrefixList => "pl",
            IdKind::SubnetCidrAssociation => "subnet-cidr-assoc",
            IdKind::EgressOnlyInternetGateway => "eigw",
            IdKind::VpcEndpoint => "vpce",
            IdKind::FlowLog => "fl",
        }
    }

    /// The code AWS returns for a malformed ID of this kind (the table lives with every other code, in
    /// [`crate::error::malformed_code`]).
    pub fn malformed_code(self) -> &'static str {
        crate::error::malformed_code(self)
    }

    /// Checks the shape of `id`: the right prefix and 8 or more lowercase hex digits. AWS is this loose: an ID of
    /// 12 hex digits (`acl-000000000000`, used by the amazon.aws collection's tests) is `…NotFound` there, not
    /// `…Malformed`; only the short (8) and long (17) forms are ever issued.
    pub fn check(self, id: &str) -> Result<(), Ec2Error> {
        let well_formed = id.strip_prefix(self.prefix()).and_then(|rest| rest.strip_prefix('-')).is_some_and(|hex| {
            hex.len() >= MIN_HEX_DIGITS && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if well_formed {
            Ok(())
        } else {
            Err(Ec2Error::MalformedId { code: self.malformed_code(), id: id.to_string(), prefix: self.prefix() })
        }
    }

    /// The kind an ID belongs to, judged by its prefix (longest prefix wins: `vpc-cidr-assoc-` before `vpc-`).
    pub fn of(id: &str) -> Option<IdKind> {
        const ALL: [IdKind; 37] = [
            IdKind::TransitGatewayRouteTable,
            IdKind::SubnetCidrAssociation,
            IdKind::TransitGatewayAttachment,
            IdKind::VpcCidrAssociation,
            IdKind::NetworkInterfaceAttachment,
            IdKind::RouteTableAssociation,
            IdKind::NetworkAclAssociation,
            IdKind::Vpc,
            IdKind::Subnet,
            IdKind::InternetGateway,
            IdKind::RouteTable,
            IdKind::NetworkAcl,
            IdKind::SecurityGroupRule,
            IdKind::SecurityGroup,
            IdKind::DhcpOptions,
            IdKind::VpcPeeringConnection,
            IdKind::Instance,
            IdKind::NetworkInterface,
            IdKind::NatGateway,
            IdKind::Reservation,
            IdKind::ElasticIpAllocation,
            IdKind::ElasticIpAssociation,
            IdKind::NetworkInsightsPath,
            IdKind::NetworkInsightsAnalysis,
            IdKind::Image,
            IdKind::KeyPair,
            IdKind::Volume,
            IdKind::LaunchTemplate,
            IdKind::SubnetCidrReservation,
            IdKind::TransitGateway,
            IdKind::CustomerGateway,
            IdKind::VpnGateway,
            IdKind::VpnConnection,
            IdKind::PrefixList,
            IdKind::EgressOnlyInternetGateway,
            IdKind::VpcEndpoint,
            IdKind::FlowLog,
        ];
        ALL.into_iter().find(|kind| kind.check(id).is_ok())
    }
}

/// The fewest hex digits a well-formed ID has (AWS's short form).
const MIN_HEX_DIGITS: usize = 8;

/// Formats the ID with sequence number `n` in the sequence of `key`: the prefix, a dash, and 17 hex digits.
pub fn format_id(kind: IdKind, n: u64, key: u64) -> String {
    format!("{}-{:017x}", kind.prefix(), mix(n ^ key))
}

/// The ID key of a seed (`serve --id-seed N`): the same seed gives the same IDs, whatever the process.
pub fn key_from_seed(seed: u64) -> u64 {
    // Mixed so that nearby seeds give unrelated sequences; the golden-ratio offset keeps seed 0 away from key 0.
    mix(seed.wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// The sequence number `n` that [`format_id`] turned into `id` with `key`: the inverse of the mix, so the order in
/// which resources were created can be read back from their random-looking IDs. `None` for an ID that is not of
/// the issued form (prefix, dash, 17 hex digits).
pub fn sequence_of(id: &str, key: u64) -> Option<u64> {
    let (_, hex) = id.rsplit_once('-')?;
    if hex.len() != 17 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().map(|mixed| unmix(mixed) ^ key)
}

/// A bijection on u64 (the splitmix64 finaliser), so distinct counters give distinct IDs.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The inverse of [`mix`]: each xor-shift undone by shifting again, each odd multiplier by its inverse mod 2^64.
fn unmix(mut z: u64) -> u64 {
    z ^= (z >> 31) ^ (z >> 62);
    z = z.wrapping_mul(0x3196_42b2_d24d_8ec3);
    z ^= (z >> 27) ^ (z >> 54);
    z = z.wrapping_mul(0x96de_1b17_3f11_9089);
    z ^ (z >> 30) ^ (z >> 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_well_formed_and_distinct() {
        let ids: Vec<String> = (0..1000).map(|n| format_id(IdKind::Vpc, n, key_from_seed(7))).collect();
        for id in &ids {
            assert_eq!(IdKind::of(id), Some(IdKind::Vpc), "{id}");
        }
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn malformed_ids_are_refused_with_the_kind_code() {
        let err = IdKind::Vpc.check("vpc-12345").unwrap_err();
        assert_eq!(err.code(), "InvalidVpcID.Malformed");
        assert!(IdKind::Vpc.check("vpc-1234abcd").is_ok());
        // AWS's looseness: any run of 8 or more hex digits is well-formed (it is `…NotFound` there).
        assert!(IdKind::NetworkAcl.check("acl-000000000000").is_ok());
        assert!(IdKind::Vpc.check("vpc-0123456789abcdef0123").is_ok());
        assert_eq!(IdKind::NetworkAcl.check("acl-0000000").unwrap_err().code(), "InvalidNetworkAclId.Malformed");
        assert!(IdKind::Vpc.check("vpc-1234abcg").is_err());
        assert!(IdKind::Vpc.check("vpc-1234ABCD").is_err());
        assert!(IdKind::Subnet.check("vpc-1234abcd").is_err());
        assert_eq!(IdKind::of("vpc-cidr-assoc-1234abcd"), Some(IdKind::VpcCidrAssociation));
        assert_eq!(IdKind::of("rtbassoc-1234abcd"), Some(IdKind::RouteTableAssociation));
    }

    #[test]
    fn the_sequence_number_reads_back_from_the_id() {
        let key = key_from_seed(9);
        for n in [0, 1, 2, 1000, u64::MAX / 3, u64::MAX] {
            assert_eq!(unmix(mix(n)), n);
            assert_eq!(sequence_of(&format_id(IdKind::VpcCidrAssociation, n, key), key), Some(n));
        }
        assert_eq!(sequence_of(&format_id(IdKind::Subnet, 77, key), key ^ 1), Some(77 ^ 1));
        assert_eq!(sequence_of("vpc-1234abcd", key), None);
        assert_eq!(sequence_of("local", key), None);
        assert_eq!(sequence_of("vpc-0123456789abcdefg", key), None);
    }

    #[test]
    fn keys_give_different_sequences_and_seeds_repeat() {
        let first = |key| format_id(IdKind::Vpc, 1, key);
        assert_ne!(first(key_from_seed(1)), first(key_from_seed(2)));
        assert_eq!(first(key_from_seed(42)), first(key_from_seed(42)));
        assert_ne!(key_from_seed(0), 0);
    }
}
