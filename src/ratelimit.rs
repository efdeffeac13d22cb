//! Sliding-window rate limits, kept in memory.
//!
//! An exact sliding log: for each key, the instants of its accepted requests within the last
//! window (at most `limit` of them). A request is accepted while fewer than `limit` requests
//! were accepted in the window before it. Keys are spread over shards to keep lock contention
//! low, and idle keys are swept.
//!
//! Memory is bounded under any input: the number of keys is capped (from a byte budget and the
//! size of one key's log), and when a shard is full of active keys the one idle the longest
//! makes room. Callers key by fixed-size values (addresses, hashes), never by raw user input.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::Timestamp;

const SHARDS: usize = 16;
const SWEEP_EVERY: u64 = 4096;
/// What one limiter may hold by default.
const DEFAULT_BUDGET: usize = 16 << 20;

/// The key a client is limited by: its IPv4 address, or its IPv6 /64 (one subscriber usually
/// holds a whole /64, so single IPv6 addresses would give it endless budgets).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let mut seg = v6.segments();
            seg[4..].fill(0);
            IpAddr::from(seg)
        }
    }
}

pub struct SlidingWindow<K> {
    limit: u32,
    window_ms: i64,
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<K, VecDeque<i64>>>>,
    /// Keys one shard may hold.
    shard_keys: usize,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> SlidingWindow<K> {
    /// A limiter holding at most about 16 MiB.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_budget(limit, window, DEFAULT_BUDGET)
    }

    /// A limiter holding at most about `bytes`, however many distinct keys it is shown.
    pub fn with_budget(limit: u32, window: Duration, bytes: usize) -> Self {
        // A key's map slot plus its full log (VecDeque grows in powers of two).
        let per_key =
            std::mem::size_of::<(K, VecDeque<i64>)>() + 16 + (limit as usize).next_power_of_two() * 8;
        SlidingWindow {
            limit,
            window_ms: window.as_millis() as i64,
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            shard_keys: (bytes / per_key / SHARDS).max(64),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts a request for `key` at `now`; `Err(retry_after)` if it is over the limit.
    pub fn check(&self, key: &K, now: Timestamp) -> Result<(), Duration> {
        self.run(key, now, true)
    }

    /// Whether a request for `key` would be accepted now, without counting one.
    pub fn peek(&self, key: &K, now: Timestamp) -> Result<(), Duration> {
        self.run(key, now, false)
    }

    /// Counts an event for `key` (e.g. a failed sign-in) whether or not the window is full.
    pub fn hit(&self, key: &K, now: Timestamp) {
        self.with_log(key, now.millis(), |log| {
            if log.len() >= self.limit as usize {
                log.pop_front();
            }
            log.push_back(now.millis());
        });
    }

    fn run(&self, key: &K, now: Timestamp, count: bool) -> Result<(), Duration> {
        if self.limit == 0 {
            return Err(Duration::from_millis(self.window_ms as u64));
        }
        let now = now.millis();
        self.with_log(key, now, |log| {
            if log.len() >= self.limit as usize {
                let oldest = *log.front().expect("a full log is not empty");
                let wait = (oldest + self.window_ms - now).max(1);
                return Err(Duration::from_millis(wait as u64));
            }
            if count {
                log.push_back(now);
            }
            Ok(())
        })
    }

    fn with_log<T>(&self, key: &K, now: i64, f: impl FnOnce(&mut VecDeque<i64>) -> T) -> T {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep(now);
        }
        let shard = &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS];
        let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.shard_keys && !map.contains_key(key) {
            self.make_room(&mut map, now);
        }
        let log = map.entry(key.clone()).or_default();
        while log.front().is_some_and(|&t| t <= now - self.window_ms) {
            log.pop_front();
        }
        f(log)
    }

    /// Frees a slot in a full shard: idle keys go first; failing that, the key whose last event
    /// is the oldest (its window has the least left to count).
    fn make_room(&self, map: &mut HashMap<K, VecDeque<i64>>, now: i64) {
        map.retain(|_, log| log.back().is_some_and(|&t| t > now - self.window_ms));
        if map.len() >= self.shard_keys {
            let oldest = map.iter().min_by_key(|(_, log)| log.back().copied()).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
        metrics::counter!("lectern_ratelimit_evictions_total").increment(1);
    }

    fn sweep(&self, now: i64) {
        for shard in &self.shards {
            let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, log| log.back().is_some_and(|&t| t > now - self.window_ms));
        }
    }

    #[cfg(test)]
    fn keys(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap().len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_limit_then_refuses_until_the_window_slides() {
        let rl = SlidingWindow::new(3, Duration::from_secs(60));
        let t = |s: i64| Timestamp(1_000_000 + s * 1000);
        assert!(rl.check(&"a", t(0)).is_ok());
        assert!(rl.check(&"a", t(10)).is_ok());
        assert!(rl.check(&"a", t(20)).is_ok());
        let wait = rl.check(&"a", t(30)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(30), "until the first request leaves the window");
        assert!(rl.check(&"b", t(30)).is_ok(), "keys are independent");
        assert!(rl.check(&"a", t(60)).is_ok(), "the first request left the window");
        assert!(rl.check(&"a", t(61)).is_err());
    }

    #[test]
    fn never_more_than_limit_in_any_window() {
        let rl = SlidingWindow::new(5, Duration::from_secs(10));
        let mut accepted = Vec::new();
        for ms in (0..60_000).step_by(250) {
            if rl.check(&1, Timestamp(ms)).is_ok() {
                accepted.push(ms);
            }
        }
        for (i, &a) in accepted.iter().enumerate() {
            let in_window = accepted[i..].iter().take_while(|&&b| b < a + 10_000).count();
            assert!(in_window <= 5);
        }
        assert!(accepted.len() >= 25);
    }

    #[test]
    fn peek_does_not_count_and_hit_always_does() {
        let rl = SlidingWindow::new(2, Duration::from_secs(60));
        for _ in 0..5 {
            assert!(rl.peek(&"k", Timestamp(0)).is_ok());
        }
        rl.hit(&"k", Timestamp(0));
        rl.hit(&"k", Timestamp(1));
        rl.hit(&"k", Timestamp(2));
        assert!(rl.peek(&"k", Timestamp(3)).is_err());
        assert!(rl.peek(&"k", Timestamp(60_002)).is_ok());
    }

    #[test]
    fn keys_are_capped_by_the_budget_and_the_busiest_stay() {
        let rl = SlidingWindow::with_budget(10, Duration::from_secs(900), 64 * 1024);
        let cap = rl.shard_keys * SHARDS;
        for _ in 0..10 {
            rl.hit(&u64::MAX, Timestamp(1_000_000));
        }
        for i in 0..(cap as u64 * 4) {
            rl.hit(&i, Timestamp(1_000_000 + i as i64));
        }
        assert!(rl.keys() <= cap, "{} keys, cap {cap}", rl.keys());
        // The flood's newest keys are still counted.
        let newest = cap as u64 * 4 - 1;
        rl.hit(&newest, Timestamp(1_000_000 + newest as i64 + 1));
        assert_eq!(
            rl.shards.iter().map(|s| s.lock().unwrap().get(&newest).map_or(0, |l| l.len())).sum::<usize>(),
            2
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(client_key(v4), v4);
    }

    #[test]
    fn idle_keys_are_swept() {
        let rl = SlidingWindow::new(10, Duration::from_secs(1));
        for i in 0..SWEEP_EVERY {
            let _ = rl.check(&i, Timestamp(0));
        }
        let _ = rl.check(&u64::MAX, Timestamp(10_000));
        for i in 0..SWEEP_EVERY {
            let _ = rl.check(&(i + SWEEP_EVERY * 2), Timestamp(10_000));
        }
        assert!(rl.keys() <= SWEEP_EVERY as usize + 1);
    }
}
