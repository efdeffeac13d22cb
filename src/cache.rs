//! Read-through caches that can never go back in time.
//!
//! Every value is cached together with the store position it was read at (or written at).
//! A value replaces a cached one only if it is newer, so a slow reader that loaded a record just
//! before a write committed can never overwrite the fresh value the writer put in after its
//! commit. Writers *put* the new value (write-through) rather than only invalidating, which is
//! what makes "no reader sees stale data after a write answers" hold without locks.

use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::ops::compute::Op;
use moka::sync::Cache;

/// About how many bytes of memory a cached value holds: its text and a fixed overhead. Caches
/// are bounded by these weights, not by counts, because one course's curriculum may hold a
/// hundred lesson bodies and another's none.
pub trait Weigh {
    fn weight(&self) -> usize;
}

impl Weigh for String {
    fn weight(&self) -> usize {
        std::mem::size_of::<String>() + self.len()
    }
}

#[derive(Clone)]
pub struct VersionedCache<K, V> {
    inner: Cache<K, (u64, Option<Arc<V>>)>,
    /// Handles kept rather than looked up by name on every read (a registry lookup costs more
    /// than the cache's own).
    hits: metrics::Counter,
    misses: metrics::Counter,
    /// The newest position of any entry the cache has dropped (size limit, TTL). A value read
    /// before it may be older than a dropped one, so it is not cached (still served).
    floor: Arc<AtomicU64>,
}

impl<K, V> VersionedCache<K, V>
where
    K: Hash + Eq + Send + Sync + Clone + Weigh + 'static,
    V: Send + Sync + Weigh + 'static,
{
    /// A cache of about `bytes` of keys and values (see [`Weigh`]).
    pub fn new(name: &'static str, bytes: u64, ttl: Duration) -> Self {
        let floor = Arc::new(AtomicU64::new(0));
        let raise = floor.clone();
        let inner = Cache::builder()
            .max_capacity(bytes)
            // moka's own bookkeeping per entry is about this much.
            .weigher(|k: &K, v: &(u64, Option<Arc<V>>)| {
                let w = 96 + k.weight() + v.1.as_ref().map_or(0, |v| v.weight());
                u32::try_from(w).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .eviction_listener(move |_k, v: (u64, Option<Arc<V>>), _cause| {
                raise.fetch_max(v.0, Ordering::AcqRel);
            })
            .build();
        // Counted here rather than through `observe`, so this leaf imports nothing of the app.
        let hits = metrics::counter!("lectern_cache_hits_total", "cache" => name);
        let misses = metrics::counter!("lectern_cache_misses_total", "cache" => name);
        VersionedCache { inner, hits, misses, floor }
    }

    /// `Some(Some(v))`: cached value; `Some(None)`: cached absence; `None`: not cached.
    pub fn get(&self, k: &K) -> Option<Option<Arc<V>>> {
        self.get_at(k).map(|(_, v)| v)
    }

    /// [`VersionedCache::get`] with the store position the value is current at.
    pub fn get_at(&self, k: &K) -> Option<(u64, Option<Arc<V>>)> {
        let found = self.inner.get(k);
        if found.is_some() { &self.hits } else { &self.misses }.increment(1);
        found
    }

    /// Offers a value read or written at `position`; kept only if newer than what is cached.
    pub fn offer(&self, k: K, position: u64, v: Option<Arc<V>>) {
        let floor = self.floor.load(Ordering::Acquire);
        self.inner.entry(k).and_compute_with(|existing| match existing {
            Some(e) if e.value().0 > position => Op::Nop,
            None if position < floor => Op::Nop,
            _ => Op::Put((position, v)),
        });
    }

    pub fn entry_count(&self) -> u64 {
        self.inner.entry_count()
    }

    /// The weight of what is cached (see [`Weigh`]), for the metrics.
    pub fn bytes(&self) -> u64 {
        // moka counts inserts in batches: settle them first (a scrape, not a hot path).
        self.inner.run_pending_tasks();
        self.inner.weighted_size()
    }
}

/// How many changes have taken something out of public view: a course unpublished, archived or
/// renamed, a lesson or module deleted or no longer a preview, a review removed.
///
/// Response caches remember the count an answer was rendered under and never serve an answer
/// from before a withdrawal, not even while revalidating: content edits may lag a second, but
/// what was taken down must be gone for every visitor at once.
#[derive(Clone, Default)]
pub struct Withdrawals(Arc<AtomicU64>);

impl Withdrawals {
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Records a withdrawal. Call it after the write committed *and* the domain caches hold the
    /// new values: an answer rendered under the new count then cannot have read the old state.
    pub fn record(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// Values computed from one generation of something that changes as a whole (the search index,
/// a store table: see `Store::version_of`): a lookup under another generation misses, and a
/// value of another generation starts the memo afresh, so nothing outlives what it was computed
/// from. (A late value of an older generation empties it for the newer one: a miss, never a
/// wrong answer.)
pub struct Memo<K, V> {
    state: std::sync::Mutex<MemoState<K, V>>,
    capacity: usize,
}

struct MemoState<K, V> {
    generation: u64,
    values: rustc_hash::FxHashMap<K, V>,
}

/// Entries a memo keeps per generation by default; past it the memo starts over.
pub const MEMO_ENTRIES: usize = 4096;

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo::with_capacity(MEMO_ENTRIES)
    }
}

impl<K, V> Memo<K, V> {
    /// A memo that starts over past `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        let state = MemoState { generation: 0, values: rustc_hash::FxHashMap::default() };
        Memo { state: std::sync::Mutex::new(state), capacity }
    }
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub fn get<Q: Hash + Eq + ?Sized>(&self, generation: u64, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        let m = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if m.generation != generation {
            return None;
        }
        m.values.get(key).cloned()
    }

    /// [`Memo::get`] of each key under one lock.
    pub fn get_many(&self, generation: u64, keys: &[K]) -> Vec<Option<V>> {
        let m = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if m.generation != generation {
            return keys.iter().map(|_| None).collect();
        }
        keys.iter().map(|k| m.values.get(k).cloned()).collect()
    }

    pub fn put(&self, generation: u64, key: K, value: V) {
        let mut m = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if m.generation != generation || m.values.len() >= self.capacity {
            m.generation = generation;
            m.values.clear();
        }
        m.values.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Weigh for u32 {
        fn weight(&self) -> usize {
            4
        }
    }

    impl Weigh for &str {
        fn weight(&self) -> usize {
            self.len()
        }
    }

    #[test]
    fn older_values_never_replace_newer_ones() {
        let c: VersionedCache<u32, &str> = VersionedCache::new("test", 100_000, Duration::from_secs(60));
        assert!(c.get(&1).is_none());
        c.offer(1, 5, Some(Arc::new("new")));
        c.offer(1, 3, Some(Arc::new("stale read")));
        assert_eq!(*c.get(&1).unwrap().unwrap(), "new");
        c.offer(1, 5, Some(Arc::new("same position, later writer")));
        assert_eq!(*c.get(&1).unwrap().unwrap(), "same position, later writer");
        c.offer(1, 9, None);
        assert!(c.get(&1).unwrap().is_none(), "deletions are cached too");
    }

    #[test]
    fn a_dropped_entry_still_blocks_older_values() {
        let c: VersionedCache<u32, &str> = VersionedCache::new("test", 100_000, Duration::from_secs(60));
        c.offer(1, 7, Some(Arc::new("fresh")));
        c.inner.invalidate(&1);
        c.inner.run_pending_tasks();
        c.offer(1, 3, Some(Arc::new("stale read")));
        assert!(c.get(&1).is_none(), "an old read must not come back after the fresh value was dropped");
        c.offer(1, 8, Some(Arc::new("newer")));
        assert_eq!(*c.get(&1).unwrap().unwrap(), "newer");
    }

    #[test]
    fn the_budget_is_in_bytes_not_entries() {
        let c: VersionedCache<u32, String> = VersionedCache::new("test", 64 << 10, Duration::from_secs(60));
        for i in 0..1_000 {
            c.offer(i, u64::from(i) + 1, Some(Arc::new("x".repeat(1_000))));
        }
        c.inner.run_pending_tasks();
        assert!(c.bytes() <= 64 << 10, "{} bytes cached", c.bytes());
        assert!((40..=64).contains(&c.entry_count()), "{} entries of ~1.1 KB in 64 KiB", c.entry_count());
    }

    #[test]
    fn a_memo_answers_only_for_the_generation_it_was_filled_in() {
        let memo: Memo<u32, &str> = Memo::default();
        memo.put(7, 1, "seven");
        assert_eq!(memo.get(7, &1), Some("seven"));
        assert_eq!(memo.get(8, &1), None, "a newer generation misses");
        memo.put(8, 2, "eight");
        assert_eq!(memo.get(8, &1), None, "the new generation started afresh");
        // A late value of the older generation empties the memo: a miss, never a stale answer.
        memo.put(7, 1, "late");
        assert_eq!(memo.get(8, &2), None);
        assert_eq!(memo.get(7, &1), Some("late"));
    }
}
