//! Rendered XML of resources whose answer depends on nothing but the resource itself (a VPC's `<item>`), reused
//! across requests.
//!
//! Why it is safe: the world is immutable and a changed resource is a new `Arc`, so an entry keyed by the `Arc`'s
//! address is never stale — and the entry holds that `Arc`, so the address cannot be reused while it is cached.
//! Why it exists: DescribeVpcs over 100 VPCs spent most of its time formatting and escaping the same text again
//! (BENCHMARKS.md). Resources whose rendering reads other state (a subnet's free addresses, a route's state) are not
//! cached here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use localvpc_model::vpc::Vpc;

/// Entries kept before the cache starts over (bounds memory; a miss only costs a render).
const MAX_ENTRIES: usize = 50_000;

/// Address of the `Arc` → the `Arc` itself (kept alive so the address stays unique) and its rendering.
type Entries<T> = HashMap<usize, (Arc<T>, Arc<str>)>;

/// The cache; one per server.
#[derive(Debug, Default)]
pub struct RenderCache {
    vpcs: Mutex<Entries<Vpc>>,
}

impl RenderCache {
    /// The rendered `vpc`, from the cache or from `render`.
    pub fn vpc(&self, vpc: &Arc<Vpc>, render: impl FnOnce(&Vpc) -> String) -> Arc<str> {
        let key = Arc::as_ptr(vpc) as usize;
        if let Some((_, text)) = self.vpcs.lock().expect("render cache lock").get(&key) {
            return text.clone();
        }
        let text: Arc<str> = render(vpc).into();
        let mut entries = self.vpcs.lock().expect("render cache lock");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (vpc.clone(), text.clone()));
        text
    }
}
