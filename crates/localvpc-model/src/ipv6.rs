//! Amazon-provided IPv6 blocks (part 2 §16.1): the one allocator of VPC /56s, and the block rules VPCs and subnets
//! share (a subnet block is exactly a /64 inside one of its VPC's /56s).
//!
//! ASSUMPTION (part 2 §16.1 [D]: "you can't choose the range or size"; the pool itself is AWS's business): each
//! Region draws from a /32 of its own under 2600:1f00::/24, like AWS's `2600:1f18::/32` of us-east-1, and the n-th
//! block localvpc ever issues — in any account or Region — is the n-th /56 of its Region's /32. The sequence number
//! is persisted with the world and never reused, so a block is never held twice, and a disassociated block is not
//! handed out again (deterministic answers for tests; AWS would not promise either).

use std::net::Ipv6Addr;

pub use ipnet::Ipv6Net;

use crate::availability_zone::REGIONS;
use crate::world::Tx;

/// The prefix length of every Amazon-provided VPC block (part 2 §16.1 [D]).
pub const VPC_PREFIX_LEN: u8 = 56;
/// The prefix length of every subnet block (part 2 §16.1 [D]).
pub const SUBNET_PREFIX_LEN: u8 = 64;
/// Part 2 §16.1 [D]: at most five IPv6 blocks per VPC, not adjustable (so enforced whatever `--quotas` says).
pub const BLOCKS_PER_VPC: usize = 5;
/// The `ipv6Pool` of an Amazon-provided block (part 2 §16.1 [I]).
pub const AMAZON_POOL: &str = "Amazon";

/// The /32 a Region's blocks come from: `2600:1f10::/32` plus the Region's place in [`REGIONS`]; a Region outside
/// the table gets one derived from its name (blocks stay distinct anyway: the sequence number is world-wide).
fn region_pool(region: &str) -> u32 {
    let slot = REGIONS.iter().position(|known| known.name == region).unwrap_or_else(|| {
        let hash = region.bytes().fold(0u32, |hash, byte| hash.wrapping_mul(31).wrapping_add(u32::from(byte)));
        REGIONS.len() + (hash % 0x80) as usize
    });
    0x2600_1f10 + slot as u32
}

/// The next Amazon-provided /56 for a VPC of `region`.
pub fn allocate_vpc_block(tx: &mut Tx, region: &str) -> Ipv6Net {
    let number = tx.next_ipv6_block_number();
    // 24 bits of /56 under a /32: 16 million blocks per Region before the sequence wraps.
    let address = (u128::from(region_pool(region)) << 96) | (u128::from((number & 0xff_ffff) as u32) << 72);
    Ipv6Net::new(Ipv6Addr::from(address), VPC_PREFIX_LEN).expect("valid prefix length")
}

/// Parses an IPv6 block as sent; `None` unless it is an IPv6 CIDR with no host bits set.
pub fn parse_canonical(text: &str) -> Option<Ipv6Net> {
    let block: Ipv6Net = text.parse().ok()?;
    (block.trunc() == block).then_some(block)
}

/// A block as AWS writes it in some messages: the first four groups written out in full, then `::` (part 2 §16.1
/// [O]: "within CIDR block 2600:1f18:0000:0000::/56").
pub fn unabbreviated(block: &Ipv6Net) -> String {
    let segments = block.network().segments();
    format!("{:04x}:{:04x}:{:04x}:{:04x}::/{}", segments[0], segments[1], segments[2], segments[3], block.prefix_len())
}

/// Whether two blocks share an address.
pub fn overlaps(a: &Ipv6Net, b: &Ipv6Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Timestamp, World};

    #[test]
    fn every_block_issued_is_a_different_56_of_the_regions_pool() {
        let mut world = World::default();
        let mut tx = Tx::new(&mut world, Timestamp(0));
        let first = allocate_vpc_block(&mut tx, "us-east-1");
        let second = allocate_vpc_block(&mut tx, "us-east-1");
        let elsewhere = allocate_vpc_block(&mut tx, "eu-west-1");
        assert_eq!(first.to_string(), "2600:1f21::/56");
        assert_eq!(second.to_string(), "2600:1f21:0:100::/56");
        assert_eq!(elsewhere.to_string(), "2600:1f1c:0:200::/56");
        assert!(!overlaps(&first, &second));
    }

    #[test]
    fn the_unabbreviated_form_writes_four_groups_in_full() {
        let block: Ipv6Net = "2600:1f18::/56".parse().unwrap();
        assert_eq!(unabbreviated(&block), "2600:1f18:0000:0000::/56");
        let block: Ipv6Net = "2600:1f18:6c0:a100::/56".parse().unwrap();
        assert_eq!(unabbreviated(&block), "2600:1f18:06c0:a100::/56");
    }

    #[test]
    fn a_block_with_host_bits_is_not_canonical() {
        assert!(parse_canonical("2600:1f18:0:1::/64").is_some());
        assert!(parse_canonical("2600:1f18:0:1::1/64").is_none());
        assert!(parse_canonical("10.0.0.0/16").is_none());
    }
}
