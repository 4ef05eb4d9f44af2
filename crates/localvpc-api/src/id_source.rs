//! Where a world's ID key comes from (see `localvpc_model::ids`): the model draws no randomness itself, so the
//! server hands it a key whenever a world starts empty (a fresh store, a reset), as it hands it the time.
//!
//! By default the key is random, so each fresh store or reset issues IDs no earlier one did (a Terraform or
//! Ansible state saved before a reset must not silently match new resources). `serve --id-seed N` fixes it, so
//! demos and snapshot tests see the same IDs every run.

use std::hash::{BuildHasher, RandomState};
use std::time::{SystemTime, UNIX_EPOCH};

use localvpc_model::ids::key_from_seed;

/// The source of ID keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSource {
    /// A new key from the OS for every empty world.
    Random,
    /// The same key, derived from this seed, for every empty world.
    Seeded(u64),
}

impl IdSource {
    /// The key for a world that starts empty now.
    pub fn key(self) -> u64 {
        match self {
            // `RandomState` is seeded from the OS once per process and moves on for every instance, so two calls
            // (two resets) differ, and so do two processes; the clock only adds entropy.
            IdSource::Random => {
                let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
                RandomState::new().hash_one(nanos)
            }
            IdSource::Seeded(seed) => key_from_seed(seed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_keys_differ_and_seeded_ones_repeat() {
        assert_ne!(IdSource::Random.key(), IdSource::Random.key());
        assert_eq!(IdSource::Seeded(9).key(), IdSource::Seeded(9).key());
        assert_ne!(IdSource::Seeded(9).key(), IdSource::Seeded(10).key());
    }
}
