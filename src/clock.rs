//! Time, as Lectern sees it.
//!
//! Records store instants as [`Timestamp`] (milliseconds since the Unix epoch, UTC); the API
//! shows them as RFC 3339 strings. The [`Clock`] can be moved forward in tests so expiry rules
//! (token lifetimes, rate windows) are tested without sleeping.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// A UTC day number as an ISO 8601 date (`2025-03-01`).
pub fn day_to_date(day: u32) -> String {
    time::Date::from_julian_day(UNIX_EPOCH_JULIAN + day as i32)
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
        .unwrap_or_default()
}

/// An ISO 8601 date (`2025-03-01`) as a UTC day number; `None` if it is not one (or before 1970).
pub fn date_to_day(s: &str) -> Option<u32> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &fmt).ok()?;
    u32::try_from(d.to_julian_day() - UNIX_EPOCH_JULIAN).ok()
}

const UNIX_EPOCH_JULIAN: i32 = 2_440_588;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d.as_millis() as i64))
    }

    /// The UTC day it falls on, counted from 1970-01-01 (day 0); instants before are day 0.
    pub fn day(self) -> u32 {
        self.0.div_euclid(DAY_MS).clamp(0, i64::from(u32::MAX)) as u32
    }

    /// The first instant of UTC day `day`.
    pub fn start_of_day(day: u32) -> Timestamp {
        Timestamp(i64::from(day) * DAY_MS)
    }

    /// RFC 3339 in UTC (`2026-12-04T10:00:00.5Z`); empty outside the years 0–9999, which it
    /// cannot write.
    pub fn to_rfc3339(self) -> String {
        self.with_rfc3339(str::to_owned)
    }

    /// Calls `f` with [`Timestamp::to_rfc3339`]'s text, held on the stack.
    fn with_rfc3339<R>(self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = [0; RFC3339_MAX];
        let n = self.write_rfc3339(&mut buf);
        // Digits and ASCII punctuation only.
        f(std::str::from_utf8(&buf[..n]).unwrap_or_default())
    }

    /// Writes what [`Timestamp::to_rfc3339`] returns into `buf`; returns its length. As the
    /// `time` crate's formatter writes it (the milliseconds without trailing zeros, none when
    /// whole), without its general machinery: lists write two of these per item.
    fn write_rfc3339(self, buf: &mut [u8; RFC3339_MAX]) -> usize {
        let day = self.0.div_euclid(DAY_MS);
        let date = i32::try_from(day)
            .ok()
            .and_then(|d| d.checked_add(UNIX_EPOCH_JULIAN))
            .and_then(|j| time::Date::from_julian_day(j).ok())
            .filter(|d| (0..=9999).contains(&d.year()));
        let Some(date) = date else { return 0 };
        let ms_of_day = self.0.rem_euclid(DAY_MS);
        let secs = ms_of_day / 1000;
        let fields = [
            (date.year() as i64, 4, b'-'),
            (i64::from(u8::from(date.month())), 2, b'-'),
            (i64::from(date.day()), 2, b'T'),
            (secs / 3600, 2, b':'),
            (secs / 60 % 60, 2, b':'),
            (secs % 60, 2, b'.'),
        ];
        let mut at = 0;
        for (value, width, then) in fields {
            write_digits(&mut buf[at..at + width], value);
            buf[at + width] = then;
            at += width + 1;
        }
        let mut ms = ms_of_day % 1000;
        if ms == 0 {
            at -= 1; // no fraction: drop the '.'
        } else {
            let mut digits = 3;
            while ms % 10 == 0 {
                ms /= 10;
                digits -= 1;
            }
            write_digits(&mut buf[at..at + digits], ms);
            at += digits;
        }
        buf[at] = b'Z';
        at + 1
    }
}

/// The longest RFC 3339 string written: `9999-12-31T23:59:59.999Z`.
const RFC3339_MAX: usize = 24;

/// `value` in decimal, zero-padded to the width of `out`.
fn write_digits(out: &mut [u8], mut value: i64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// In records: a plain integer. In API types use [`Rfc3339`].
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Timestamp)
    }
}

/// A timestamp that serialises as an RFC 3339 UTC string (API responses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(value_type = String, format = DateTime)]
pub struct Rfc3339(pub Timestamp);

/// Accepts any RFC 3339 time (with an offset); kept as UTC milliseconds.
impl<'de> Deserialize<'de> for Rfc3339 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
            .map_err(|_| serde::de::Error::custom("must be an RFC 3339 time such as 2027-01-31T23:59:00Z"))?;
        Ok(Rfc3339(Timestamp((t.unix_timestamp_nanos() / 1_000_000) as i64)))
    }
}

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.with_rfc3339(|text| s.serialize_str(text))
    }
}

/// The process clock. Real time plus an offset that only tests move.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        Timestamp(real + self.offset_ms.load(Ordering::Relaxed))
    }

    /// Move this clock forward (tests of expiry rules).
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339_utc() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(1_500).to_rfc3339(), "1970-01-01T00:00:01.5Z");
        assert_eq!(Timestamp(1_796_306_529_401).to_rfc3339(), "2026-12-03T14:02:09.401Z");
        assert_eq!(Timestamp(-1).to_rfc3339(), "1969-12-31T23:59:59.999Z");
        assert_eq!(Timestamp(i64::MAX).to_rfc3339(), "", "past the year 9999");
        assert_eq!(
            serde_json::to_string(&Rfc3339(Timestamp(1_020))).unwrap(),
            r#""1970-01-01T00:00:01.02Z""#
        );
    }

    /// Exactly what the `time` crate's RFC 3339 formatter writes, over four millennia.
    #[test]
    fn rfc3339_matches_the_time_crate() {
        let by_time = |t: Timestamp| {
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.0) * 1_000_000)
                .ok()
                .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                .unwrap_or_default()
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Years about -100 to 9999, then a few around the edges of what RFC 3339 writes.
            let ms = (x % 320_000_000_000_000) as i64 - 65_000_000_000_000;
            let ms = match i % 4 {
                0 => ms,
                1 => ms - ms.rem_euclid(1000),
                2 => ms - ms.rem_euclid(10),
                _ => ms - ms.rem_euclid(100),
            };
            let t = Timestamp(ms);
            assert_eq!(t.to_rfc3339(), by_time(t), "{ms}");
        }
        for ms in [-62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000] {
            assert_eq!(Timestamp(ms).to_rfc3339(), by_time(Timestamp(ms)), "{ms}");
        }
    }

    #[test]
    fn days_and_dates_round_trip() {
        assert_eq!(Timestamp(0).day(), 0);
        assert_eq!(Timestamp(DAY_MS - 1).day(), 0);
        assert_eq!(Timestamp(DAY_MS).day(), 1);
        assert_eq!(Timestamp(-5).day(), 0);
        assert_eq!(day_to_date(0), "1970-01-01");
        let d = date_to_day("2025-03-01").unwrap();
        assert_eq!(day_to_date(d), "2025-03-01");
        assert_eq!(Timestamp::start_of_day(d).day(), d);
        for bad in ["2025-02-30", "2025-3-1", "x", "1969-12-31", ""] {
            assert_eq!(date_to_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn advancing_moves_now() {
        let c = Clock::default();
        let a = c.now();
        c.advance(Duration::from_secs(3600));
        assert!(c.now().0 - a.0 >= 3_600_000);
    }
}
