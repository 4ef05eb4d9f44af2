//! CreateVpnConnection's options (part 2 §15.3, botocore `VpnConnectionOptionsSpecification` and
//! `VpnTunnelOptionsSpecification`): their defaults, their validation, and the two tunnels a new connection gets —
//! the inside /30s (given, or the first free ones), the pre-shared keys (given, or derived) and AWS's outside
//! addresses.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Tunnel;
use crate::cidr::{self, Ipv4Net};
use crate::tags::Tag;
use crate::world::RegionState;
use crate::{Result, VpnError};

/// A CreateVpnConnection request, as sent.
#[derive(Debug, Clone, Default)]
pub struct CreateVpnConnection {
    /// `CustomerGatewayId`.
    pub customer_gateway_id: String,
    /// `Type`.
    pub connection_type: String,
    /// `VpnGatewayId`.
    pub vpn_gateway_id: Option<String>,
    /// `TransitGatewayId`.
    pub transit_gateway_id: Option<String>,
    /// `Options.*`.
    pub options: OptionsRequest,
    /// `TagSpecification.N` of type `vpn-connection`.
    pub tags: Vec<Tag>,
}

/// `Options.*` as sent.
#[derive(Debug, Clone, Default)]
pub struct OptionsRequest {
    /// `Options.StaticRoutesOnly`.
    pub static_routes_only: Option<bool>,
    /// `Options.LocalIpv4NetworkCidr`.
    pub local_ipv4_network_cidr: Option<String>,
    /// `Options.RemoteIpv4NetworkCidr`.
    pub remote_ipv4_network_cidr: Option<String>,
    /// `Options.TunnelInsideIpVersion`.
    pub tunnel_inside_ip_version: Option<String>,
    /// `Options.OutsideIpAddressType`.
    pub outside_ip_address_type: Option<String>,
    /// `Options.EnableAcceleration`.
    pub enable_acceleration: Option<bool>,
    /// `Options.TunnelOptions.N.*`.
    pub tunnel_options: Vec<TunnelOptionsRequest>,
}

/// `Options.TunnelOptions.N.*` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TunnelOptionsRequest {
    /// `TunnelInsideCidr`.
    pub tunnel_inside_cidr: Option<String>,
    /// `PreSharedKey`.
    pub pre_shared_key: Option<String>,
    /// The IKE/IPsec settings.
    pub settings: TunnelSettings,
}

/// The IKE/IPsec settings of one tunnel that localvpc keeps and shows; each as sent (absent: AWS's default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TunnelSettings {
    /// `Phase1LifetimeSeconds` (900–28,800; default 28,800).
    pub phase1_lifetime_seconds: Option<i64>,
    /// `Phase2LifetimeSeconds` (900–3,600; default 3,600).
    pub phase2_lifetime_seconds: Option<i64>,
    /// `RekeyMarginTimeSeconds` (60 to half of phase 2's lifetime; default 270).
    pub rekey_margin_time_seconds: Option<i64>,
    /// `RekeyFuzzPercentage` (0–100; default 100).
    pub rekey_fuzz_percentage: Option<i64>,
    /// `ReplayWindowSize` (64–2,048; default 1,024).
    pub replay_window_size: Option<i64>,
    /// `DPDTimeoutSeconds` (30 or more; default 30).
    pub dpd_timeout_seconds: Option<i64>,
    /// `DPDTimeoutAction` (`clear` | `none` | `restart`; default `clear`).
    pub dpd_timeout_action: Option<String>,
    /// `StartupAction` (`add` | `start`; default `add`).
    pub startup_action: Option<String>,
    /// `Phase1EncryptionAlgorithms` (empty: all of AWS's).
    #[serde(default)]
    pub phase1_encryption_algorithms: Vec<String>,
    /// `Phase2EncryptionAlgorithms`.
    #[serde(default)]
    pub phase2_encryption_algorithms: Vec<String>,
    /// `Phase1IntegrityAlgorithms`.
    #[serde(default)]
    pub phase1_integrity_algorithms: Vec<String>,
    /// `Phase2IntegrityAlgorithms`.
    #[serde(default)]
    pub phase2_integrity_algorithms: Vec<String>,
    /// `Phase1DHGroupNumbers`.
    #[serde(default)]
    pub phase1_dh_group_numbers: Vec<i64>,
    /// `Phase2DHGroupNumbers`.
    #[serde(default)]
    pub phase2_dh_group_numbers: Vec<i64>,
    /// `IKEVersions`.
    #[serde(default)]
    pub ike_versions: Vec<String>,
}

/// Part 2 §15.3 [D bc `VpnTunnelOptionsSpecification`]: the values each algorithm list admits.
const ENCRYPTION_ALGORITHMS: &[&str] = &["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"];
const INTEGRITY_ALGORITHMS: &[&str] = &["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"];
const PHASE1_DH_GROUPS: &[i64] = &[2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
const PHASE2_DH_GROUPS: &[i64] = &[2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
const IKE_VERSIONS: &[&str] = &["ikev1", "ikev2"];

fn all_of(parameter: &'static str, values: &[String], allowed: &[&str]) -> Result<()> {
    values.iter().try_for_each(|value| one_of(parameter, &Some(value.clone()), allowed))
}

fn all_numbers_of(parameter: &'static str, values: &[i64], allowed: &[i64]) -> Result<()> {
    match values.iter().find(|value| !allowed.contains(value)) {
        Some(value) => Err(VpnError::InvalidTunnelOption { parameter, value: value.to_string() }.into()),
        None => Ok(()),
    }
}

/// The connection options as stored and shown (`<options>`), defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnOptions {
    /// `staticRoutesOnly` (default false: BGP).
    pub static_routes_only: bool,
    /// `localIpv4NetworkCidr` (default 0.0.0.0/0).
    pub local_ipv4_network_cidr: Ipv4Net,
    /// `remoteIpv4NetworkCidr` (default 0.0.0.0/0).
    pub remote_ipv4_network_cidr: Ipv4Net,
    /// `enableAcceleration` (false: only transit gateway connections accelerate).
    pub enable_acceleration: bool,
}

impl VpnOptions {
    /// `tunnelInsideIpVersion`: a virtual private gateway carries IPv4 only (part 2 §15.5 [D]).
    pub const TUNNEL_INSIDE_IP_VERSION: &'static str = "ipv4";
    /// `outsideIpAddressType`: private outside addresses need a transit gateway over Direct Connect.
    pub const OUTSIDE_IP_ADDRESS_TYPE: &'static str = "PublicIpv4";
}

fn any_network() -> Ipv4Net {
    "0.0.0.0/0".parse().expect("valid")
}

fn network(parameter: &'static str, value: &Option<String>) -> Result<Ipv4Net> {
    match value {
        None => Ok(any_network()),
        Some(text) => cidr::parse_canonical(text)
            .ok_or_else(|| VpnError::InvalidNetworkCidr { parameter, value: text.clone() }.into()),
    }
}

fn in_range(parameter: &'static str, value: Option<i64>, range: std::ops::RangeInclusive<i64>) -> Result<()> {
    match value {
        Some(value) if !range.contains(&value) => {
            Err(VpnError::InvalidTunnelOption { parameter, value: value.to_string() }.into())
        }
        _ => Ok(()),
    }
}

fn one_of(parameter: &'static str, value: &Option<String>, allowed: &[&str]) -> Result<()> {
    match value {
        Some(value) if !allowed.contains(&value.as_str()) => {
            Err(VpnError::InvalidTunnelOption { parameter, value: value.clone() }.into())
        }
        _ => Ok(()),
    }
}

impl OptionsRequest {
    /// The options with AWS's defaults, or the refusal of the first invalid one.
    pub(super) fn validate(&self) -> Result<VpnOptions> {
        one_of("TunnelInsideIpVersion", &self.tunnel_inside_ip_version, &[VpnOptions::TUNNEL_INSIDE_IP_VERSION])?;
        one_of("OutsideIpAddressType", &self.outside_ip_address_type, &[VpnOptions::OUTSIDE_IP_ADDRESS_TYPE])?;
        if self.enable_acceleration == Some(true) {
            return Err(VpnError::InvalidTunnelOption { parameter: "EnableAcceleration", value: "true".into() }.into());
        }
        if self.tunnel_options.len() > 2 {
            return Err(VpnError::TooManyTunnelOptions.into());
        }
        for tunnel in &self.tunnel_options {
            tunnel.validate()?;
        }
        Ok(VpnOptions {
            static_routes_only: self.static_routes_only.unwrap_or(false),
            local_ipv4_network_cidr: network("LocalIpv4NetworkCidr", &self.local_ipv4_network_cidr)?,
            remote_ipv4_network_cidr: network("RemoteIpv4NetworkCidr", &self.remote_ipv4_network_cidr)?,
            enable_acceleration: false,
        })
    }

    /// Whether `tunnels` are what this request asks for (the idempotency check): every value it names matches.
    pub(super) fn same_tunnels(&self, tunnels: &[Tunnel]) -> bool {
        self.tunnel_options.iter().zip(tunnels).all(|(asked, tunnel)| {
            asked.tunnel_inside_cidr.as_ref().is_none_or(|cidr| *cidr == tunnel.inside_cidr.to_string())
                && asked.pre_shared_key.as_ref().is_none_or(|key| *key == tunnel.pre_shared_key)
                && asked.settings == tunnel.settings
        })
    }
}

/// Part 2 §15.3 [D bc]: /30s of 169.254.0.0/16 a tunnel may not use.
const RESERVED_INSIDE_CIDRS: [&str; 7] = [
    "169.254.0.0/30",
    "169.254.1.0/30",
    "169.254.2.0/30",
    "169.254.3.0/30",
    "169.254.4.0/30",
    "169.254.5.0/30",
    "169.254.169.252/30",
];

fn is_reserved(block: &Ipv4Net) -> bool {
    RESERVED_INSIDE_CIDRS.iter().any(|reserved| reserved.parse::<Ipv4Net>().expect("valid") == *block)
}

/// Part 2 §15.3 [D bc]: 8–64 characters of letters, digits, `.` and `_`, not starting with `0`.
fn valid_pre_shared_key(key: &str) -> bool {
    (8..=64).contains(&key.len())
        && !key.starts_with('0')
        && key.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'_')
}

impl TunnelOptionsRequest {
    fn validate(&self) -> Result<()> {
        if let Some(text) = &self.tunnel_inside_cidr {
            inside_cidr(text)?;
        }
        if self.pre_shared_key.as_deref().is_some_and(|key| !valid_pre_shared_key(key)) {
            return Err(VpnError::InvalidPreSharedKey.into());
        }
        let settings = &self.settings;
        in_range("Phase1LifetimeSeconds", settings.phase1_lifetime_seconds, 900..=28_800)?;
        in_range("Phase2LifetimeSeconds", settings.phase2_lifetime_seconds, 900..=3_600)?;
        let phase2 = settings.phase2_lifetime_seconds.unwrap_or(3_600);
        in_range("RekeyMarginTimeSeconds", settings.rekey_margin_time_seconds, 60..=phase2 / 2)?;
        in_range("RekeyFuzzPercentage", settings.rekey_fuzz_percentage, 0..=100)?;
        in_range("ReplayWindowSize", settings.replay_window_size, 64..=2_048)?;
        in_range("DPDTimeoutSeconds", settings.dpd_timeout_seconds, 30..=i64::MAX)?;
        one_of("DPDTimeoutAction", &settings.dpd_timeout_action, &["clear", "none", "restart"])?;
        one_of("StartupAction", &settings.startup_action, &["add", "start"])?;
        all_of("Phase1EncryptionAlgorithms", &settings.phase1_encryption_algorithms, ENCRYPTION_ALGORITHMS)?;
        all_of("Phase2EncryptionAlgorithms", &settings.phase2_encryption_algorithms, ENCRYPTION_ALGORITHMS)?;
        all_of("Phase1IntegrityAlgorithms", &settings.phase1_integrity_algorithms, INTEGRITY_ALGORITHMS)?;
        all_of("Phase2IntegrityAlgorithms", &settings.phase2_integrity_algorithms, INTEGRITY_ALGORITHMS)?;
        all_numbers_of("Phase1DHGroupNumbers", &settings.phase1_dh_group_numbers, PHASE1_DH_GROUPS)?;
        all_numbers_of("Phase2DHGroupNumbers", &settings.phase2_dh_group_numbers, PHASE2_DH_GROUPS)?;
        all_of("IKEVersions", &settings.ike_versions, IKE_VERSIONS)
    }
}

/// A requested tunnel inside CIDR: a /30 of 169.254.0.0/16 that is not reserved. ASSUMPTION (part 2 §15.3 [I]):
/// unlike a VPC's block, a tunnel's is not canonicalised — host bits set (`169.254.10.1/30`) are refused, since the
/// two ends' addresses are read from the block.
fn inside_cidr(text: &str) -> Result<Ipv4Net> {
    let link_local: Ipv4Net = "169.254.0.0/16".parse().expect("valid");
    let block = cidr::parse_canonical(text)
        .filter(|block| block.prefix_len() == 30 && link_local.contains(block) && block.to_string() == text)
        .ok_or_else(|| VpnError::InvalidTunnelInsideCidr(text.to_string()))?;
    if is_reserved(&block) {
        return Err(VpnError::ReservedTunnelInsideCidr(text.to_string()).into());
    }
    Ok(block)
}

/// The outside addresses of AWS's tunnel ends: AWS draws them from its own public space. localvpc derives them
/// from the connection's place in the ID sequence inside this block, which is neither localvpc's public pool
/// (198.18.0.0/15, whose addresses the data planes route to instances) nor anything the data planes give a meaning
/// to; two per connection, none ending in `.0` or `.255`.
pub const TUNNEL_OUTSIDE_POOL: &str = "52.95.0.0/16";

fn outside_ip(sequence: u64, tunnel: u64) -> Ipv4Addr {
    let usable_per_block = 254;
    let index = (sequence * 2 + tunnel) % (256 * usable_per_block);
    let pool: Ipv4Net = TUNNEL_OUTSIDE_POOL.parse().expect("valid");
    let [a, b, ..] = pool.network().octets();
    Ipv4Addr::new(a, b, (index / usable_per_block) as u8, (index % usable_per_block + 1) as u8)
}

/// A pre-shared key AWS would generate: 32 characters of the allowed alphabet, not starting with `0`. Derived from
/// the connection ID (itself random per world), so the model reads no randomness.
fn generated_pre_shared_key(connection_id: &str, tunnel: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    let digest = Sha256::digest(format!("{connection_id}/tunnel{tunnel}").as_bytes());
    let mut key: String = digest.iter().map(|byte| ALPHABET[usize::from(byte & 63)] as char).collect();
    if key.starts_with('0') || key.starts_with('.') || key.starts_with('_') {
        key.replace_range(0..1, "K");
    }
    key
}

/// The two tunnels of a new connection on `vpn_gateway_id`: requested values checked, the rest filled in. Inside
/// CIDRs are unique per gateway (part 2 §15.3 [D bc]): a requested one in use by a live connection of the gateway
/// (or by the other tunnel) is refused, and generated ones are the first free /30s from a point that depends on
/// the connection, so connections on one gateway spread over the range as AWS's random choice does.
pub(super) fn tunnels(
    region: &RegionState,
    vpn_gateway_id: &str,
    connection_id: &str,
    sequence: u64,
    request: &OptionsRequest,
) -> Result<Vec<Tunnel>> {
    let mut taken: Vec<Ipv4Net> = region
        .vpn_connections
        .values()
        .filter(|connection| {
            connection.lifecycle.is_live() && connection.vpn_gateway_id.as_deref() == Some(vpn_gateway_id)
        })
        .flat_map(|connection| connection.tunnels.iter().map(|tunnel| tunnel.inside_cidr))
        .collect();
    let mut requested = Vec::new();
    for asked in &request.tunnel_options {
        if let Some(text) = &asked.tunnel_inside_cidr {
            let block = inside_cidr(text)?;
            if taken.contains(&block) {
                return Err(VpnError::TunnelInsideCidrInUse {
                    cidr: block.to_string(),
                    vpn_gateway_id: vpn_gateway_id.to_string(),
                }
                .into());
            }
            taken.push(block);
            requested.push(Some(block));
        } else {
            requested.push(None);
        }
    }
    let blocks = 1u64 << 14;
    let mut cursor = sequence.wrapping_mul(7919) % blocks;
    let mut next_free = |taken: &mut Vec<Ipv4Net>| -> Ipv4Net {
        loop {
            let base = u32::from(Ipv4Addr::new(169, 254, 0, 0)) + (cursor as u32) * 4;
            cursor = (cursor + 1) % blocks;
            let block = Ipv4Net::new(Ipv4Addr::from(base), 30).expect("valid prefix");
            if !is_reserved(&block) && !taken.contains(&block) {
                taken.push(block);
                return block;
            }
        }
    };
    (0..2)
        .map(|index| {
            let asked = request.tunnel_options.get(index);
            let inside_cidr = match requested.get(index).copied().flatten() {
                Some(block) => block,
                None => next_free(&mut taken),
            };
            Ok(Tunnel {
                outside_ip: outside_ip(sequence, index as u64),
                inside_cidr,
                pre_shared_key: asked
                    .and_then(|asked| asked.pre_shared_key.clone())
                    .unwrap_or_else(|| generated_pre_shared_key(connection_id, index + 1)),
                settings: asked.map(|asked| asked.settings.clone()).unwrap_or_default(),
                forced_down: false,
                status_changed_at: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_shared_keys_follow_aws_rules_whether_given_or_generated() {
        for good in ["abcdefgh", "A1._b2c3", &"x".repeat(64)] {
            assert!(valid_pre_shared_key(good), "{good}");
        }
        for bad in ["short", "0abcdefgh", "has-dash1", &"x".repeat(65), "spaces in it"] {
            assert!(!valid_pre_shared_key(bad), "{bad}");
        }
        for n in 0..50 {
            let key = generated_pre_shared_key(&format!("vpn-{n:017x}"), 1);
            assert!(valid_pre_shared_key(&key), "{key}");
        }
    }

    #[test]
    fn inside_cidrs_must_be_unreserved_link_local_slash_30s() {
        assert!(inside_cidr("169.254.10.0/30").is_ok());
        for reserved in RESERVED_INSIDE_CIDRS {
            assert_eq!(inside_cidr(reserved).unwrap_err().code(), "InvalidParameterValue");
        }
        for bad in ["169.254.10.0/29", "10.0.0.0/30", "169.254.10.1/30", "nonsense"] {
            let error = inside_cidr(bad).unwrap_err();
            assert!(error.to_string().contains("must be a /30"), "{bad}: {error}");
        }
    }

    #[test]
    fn outside_addresses_are_distinct_and_never_end_in_0_or_255() {
        let addresses: Vec<Ipv4Addr> = (1..2000).flat_map(|n| [outside_ip(n, 0), outside_ip(n, 1)]).collect();
        let mut unique = addresses.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), addresses.len());
        assert!(addresses.iter().all(|address| !matches!(address.octets()[3], 0 | 255)));
    }
}
