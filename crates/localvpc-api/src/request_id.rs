//! Request IDs: UUID-shaped, unique per process, without a random-number dependency.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

static SEED: LazyLock<u64> = LazyLock::new(|| RandomState::new().hash_one(std::process::id()));
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The next request ID, e.g. `7a62c49f-347e-4fc4-9331-6e8e1b2c3d4e`.
///
/// Every answer carries one, so it is made with a cheap mix (SplitMix64's finaliser, a bijection: distinct counters
/// give distinct IDs) and written digit by digit; a SipHash and a `format!` per request were ~3% of a write.
pub fn next() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = mix(n ^ *SEED);
    let low = mix(n.wrapping_add(*SEED).rotate_left(32));
    let version = 0x4000 | (high & 0x0fff);
    let variant = 0x8000 | ((low >> 48) & 0x3fff);
    let mut id = String::with_capacity(36);
    for (value, digits) in [(high >> 32, 8), ((high >> 16) & 0xffff, 4), (version, 4), (variant, 4)] {
        push_hex(&mut id, value, digits);
        id.push('-');
    }
    push_hex(&mut id, low & 0xffff_ffff_ffff, 12);
    id
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Appends the low `digits` hex digits of `value`, zero-padded.
fn push_hex(out: &mut String, value: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..digits).rev() {
        out.push(HEX[((value >> (shift * 4)) & 0xf) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_version_4_and_distinct() {
        let ids: Vec<String> = (0..1000).map(|_| next()).collect();
        for id in &ids {
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
            assert!(parts[2].starts_with('4'), "version 4: {id}");
            assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "RFC 4122 variant: {id}");
        }
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
