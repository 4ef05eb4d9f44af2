//! Resource IDs: generation (`<prefix>-<17 hex>`, spec §1.6) and the shape check behind `…Malformed` errors.
//!
//! IDs come from one counter per [`crate::World`], persisted with the world so a restart never reissues an ID. The
//! counter goes through a bijective 64-bit mix so IDs look like AWS's (random-looking, leading `0`) while staying
//! unique and deterministic, which keeps test snapshots stable.

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
        }
    }

    /// The code AWS returns for a malformed ID of this kind (the table lives with every other code, in
    /// [`crate::error::malformed_code`]).
    pub fn malformed_code(self) -> &'static str {
        crate::error::malformed_code(self)
    }

    /// Checks the shape of `id`: the right prefix and 8 or 17 lowercase hex digits (AWS's short and long forms).
    pub fn check(self, id: &str) -> Result<(), Ec2Error> {
        let well_formed = id.strip_prefix(self.prefix()).and_then(|rest| rest.strip_prefix('-')).is_some_and(|hex| {
            (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if well_formed {
            Ok(())
        } else {
            Err(Ec2Error::MalformedId { code: self.malformed_code(), id: id.to_string(), prefix: self.prefix() })
        }
    }

    /// The kind an ID belongs to, judged by its prefix (longest prefix wins: `vpc-cidr-assoc-` before `vpc-`).
    pub fn of(id: &str) -> Option<IdKind> {
        const ALL: [IdKind; 23] = [
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
        ];
        ALL.into_iter().find(|kind| kind.check(id).is_ok())
    }
}

/// Formats the ID with sequence number `n`: the prefix, a dash, and 17 hex digits.
pub fn format_id(kind: IdKind, n: u64) -> String {
    format!("{}-{:017x}", kind.prefix(), mix(n))
}

/// A bijection on u64 (the splitmix64 finaliser), so distinct counters give distinct IDs.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_well_formed_and_distinct() {
        let ids: Vec<String> = (0..1000).map(|n| format_id(IdKind::Vpc, n)).collect();
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
        assert!(IdKind::Vpc.check("vpc-1234ABCD").is_err());
        assert!(IdKind::Subnet.check("vpc-1234abcd").is_err());
        assert_eq!(IdKind::of("vpc-cidr-assoc-1234abcd"), Some(IdKind::VpcCidrAssociation));
        assert_eq!(IdKind::of("rtbassoc-1234abcd"), Some(IdKind::RouteTableAssociation));
    }
}
