//! Read-through caches that can never go back in time.
//!
//! Every value is cached together with the store position it was read at (or written at).
//! A value replaces a cached one only if it is newer, so a slow reader that loaded a record just
//! before a write committed can never overwrite the fresh value the writer put in after its
//! commit. Writers *put* the new value (write-through) rather than only invalidating, which is
//! what makes "no reader sees stale data after a write answers" hold without locks.

use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use moka::ops::compute::Op;
use moka::sync::Cache;

#[derive(Clone)]
pub struct VersionedCache<K, V> {
    name: &'static str,
    inner: Cache<K, (u64, Option<Arc<V>>)>,
}

impl<K, V> VersionedCache<K, V>
where
    K: Hash + Eq + Send + Sync + Clone + 'static,
    V: Send + Sync + 'static,
{
    pub fn new(name: &'static str, capacity: u64, ttl: Duration) -> Self {
        VersionedCache { name, inner: Cache::builder().max_capacity(capacity).time_to_live(ttl).build() }
    }

    /// `Some(Some(v))`: cached value; `Some(None)`: cached absence; `None`: not cached.
    pub fn get(&self, k: &K) -> Option<Option<Arc<V>>> {
        let found = self.inner.get(k).map(|(_, v)| v);
        crate::observe::cache_lookup(self.name, found.is_some());
        found
    }

    /// Offers a value read or written at `position`; kept only if newer than what is cached.
    pub fn offer(&self, k: K, position: u64, v: Option<Arc<V>>) {
        self.inner.entry(k).and_compute_with(|existing| match existing {
            Some(e) if e.value().0 > position => Op::Nop,
            _ => Op::Put((position, v)),
        });
    }

    pub fn entry_count(&self) -> u64 {
        self.inner.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_values_never_replace_newer_ones() {
        let c: VersionedCache<u32, &str> = VersionedCache::new("test", 100, Duration::from_secs(60));
        assert!(c.get(&1).is_none());
        c.offer(1, 5, Some(Arc::new("new")));
        c.offer(1, 3, Some(Arc::new("stale read")));
        assert_eq!(*c.get(&1).unwrap().unwrap(), "new");
        c.offer(1, 5, Some(Arc::new("same position, later writer")));
        assert_eq!(*c.get(&1).unwrap().unwrap(), "same position, later writer");
        c.offer(1, 9, None);
        assert!(c.get(&1).unwrap().is_none(), "deletions are cached too");
    }
}
