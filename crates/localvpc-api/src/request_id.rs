//! Request IDs: UUID-shaped, unique per process, without a random-number dependency.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

static SEED: LazyLock<u64> = LazyLock::new(|| RandomState::new().hash_one(std::process::id()));
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The next request ID, e.g. `7a62c49f-347e-4fc4-9331-6e8e1b2c3d4e`.
pub fn next() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = RandomState::new().hash_one(n ^ *SEED);
    let low = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ *SEED;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        0x8000 | ((low >> 48) & 0x3fff),
        low & 0xffff_ffff_ffff
    )
}
