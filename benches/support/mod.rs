//! What the benches share: the `quick` set.
//!
//! `LECTERN_BENCH=quick cargo bench` runs every bench on a smaller data set with shorter
//! measurements, so that the whole set, build included, finishes in under 15 minutes from a
//! fresh clone (docs/BENCHMARKS.md). Its figures show that nothing regressed badly; the figures
//! the issues' targets are judged by come from the full run (no variable).
//!
//! Each bench includes this file as a module and uses a part of it.
#![allow(dead_code)]

use std::time::Duration;

/// Whether this is the quick set (`LECTERN_BENCH=quick`).
pub fn quick() -> bool {
    std::env::var("LECTERN_BENCH").is_ok_and(|v| v == "quick")
}

/// A bench's size: its own variable `var` if set, else `full`, or `small` in the quick set.
pub fn size(var: &str, full: usize, small: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(if quick() { small } else { full })
}

/// `full` normally, `small` in the quick set.
pub fn pick<T>(full: T, small: T) -> T {
    if quick() { small } else { full }
}

/// Criterion's settings: its defaults, or a second of measurement per benchmark in the quick set.
pub fn criterion() -> criterion::Criterion {
    let c = criterion::Criterion::default();
    if quick() {
        c.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1)).sample_size(10)
    } else {
        c
    }
}

/// A criterion group's measurement time: `full`, or a second in the quick set.
pub fn measurement(full: Duration) -> Duration {
    pick(full, Duration::from_secs(1))
}
