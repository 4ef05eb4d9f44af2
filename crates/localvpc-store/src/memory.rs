//! The in-memory store: nothing survives the process. Used by `--store memory` and tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::{BoxFuture, Record, Snapshot, Store, StoreError, Write};

type Key = (String, String, String, String);

/// Keeps records in a map so `load` after `apply` round-trips exactly as the SQLite store does.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<(BTreeMap<Key, String>, BTreeMap<String, String>)>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn load(&self) -> BoxFuture<'_, Result<Snapshot, StoreError>> {
        let inner = self.inner.lock().expect("memory store lock");
        let records = inner
            .0
            .iter()
            .map(|((kind, account, region, id), body)| Record {
                kind: kind.clone(),
                account: account.clone(),
                region: region.clone(),
                id: id.clone(),
                body: body.clone(),
            })
            .collect();
        let meta = inner.1.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Box::pin(std::future::ready(Ok(Snapshot { records, meta, version: 0 })))
    }

    fn apply<'a>(&'a self, writes: &'a [Write<'a>]) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut inner = self.inner.lock().expect("memory store lock");
        for write in writes {
            match *write {
                Write::Put { kind, account, region, id, body } => {
                    inner.0.insert((kind.into(), account.into(), region.into(), id.into()), body.into());
                }
                Write::Delete { kind, account, region, id } => {
                    inner.0.remove(&(kind.into(), account.into(), region.into(), id.into()));
                }
                Write::Meta { key, value } => {
                    inner.1.insert(key.into(), value.into());
                }
            }
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn is_durable(&self) -> bool {
        false
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        let mut inner = self.inner.lock().expect("memory store lock");
        inner.0.clear();
        inner.1.clear();
        Box::pin(std::future::ready(Ok(())))
    }
}
