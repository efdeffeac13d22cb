//! Cursor pagination that reads only one page.
//!
//! A cursor is the key of the last item served, encoded opaquely. The next page starts strictly
//! after it, so items inserted or deleted elsewhere never make a page skip or repeat an item.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::error::{Error, Result};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// `?limit=&cursor=` as sent by clients.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// 1..=100, default 20.
    #[param(minimum = 1, maximum = 100, nullable = false)]
    pub limit: Option<usize>,
    /// Opaque; from `next_cursor` of the previous page (a 128-bit key, base64url).
    #[param(nullable = false, pattern = "^[A-Za-z0-9_-]{21}[AQgw]$")]
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<usize> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(Error::validation("limit", "must be between 1 and 100")),
        }
    }
}

/// A key type that can stand in a cursor.
pub trait CursorKey: Sized {
    fn to_bytes(&self) -> Vec<u8>;
    fn from_bytes(b: &[u8]) -> Option<Self>;
}

impl CursorKey for u128 {
    fn to_bytes(&self) -> Vec<u8> {
        self.to_be_bytes().to_vec()
    }
    fn from_bytes(b: &[u8]) -> Option<Self> {
        Some(u128::from_be_bytes(b.try_into().ok()?))
    }
}

impl CursorKey for (u128, u128) {
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.0.to_be_bytes().to_vec();
        v.extend_from_slice(&self.1.to_be_bytes());
        v
    }
    fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != 32 {
            return None;
        }
        Some((u128::from_be_bytes(b[..16].try_into().ok()?), u128::from_be_bytes(b[16..].try_into().ok()?)))
    }
}

pub fn encode_cursor<K: CursorKey>(k: &K) -> String {
    URL_SAFE_NO_PAD.encode(k.to_bytes())
}

pub fn decode_cursor<K: CursorKey>(s: &str) -> Result<K> {
    URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| K::from_bytes(&b))
        .ok_or_else(|| Error::validation("cursor", "is not a cursor this server gave out"))
}

/// One page and the cursor of the next (if there may be one).
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Builds a page from `limit + 1` rows read: the extra row only says whether a next page exists.
pub fn page_from<K: CursorKey, V>(mut rows: Vec<(K, V)>, limit: usize) -> Page<(K, V)> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more { rows.last().map(|(k, _)| encode_cursor(k)) } else { None };
    Page { items: rows, next_cursor }
}

/// The same for rows that carry their own key.
pub fn page_by<K: CursorKey, V>(mut rows: Vec<V>, limit: usize, key: impl Fn(&V) -> K) -> Page<V> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more { rows.last().map(|v| encode_cursor(&key(v))) } else { None };
    Page { items: rows, next_cursor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_rejects_garbage() {
        let c = encode_cursor(&42u128);
        assert_eq!(decode_cursor::<u128>(&c).unwrap(), 42);
        assert!(decode_cursor::<u128>("not-a-cursor!").is_err());
        assert!(decode_cursor::<(u128, u128)>(&c).is_err());
    }

    #[test]
    fn page_knows_when_more_exist() {
        let rows: Vec<(u128, ())> = (0..3).map(|i| (i, ())).collect();
        let p = page_from(rows.clone(), 2);
        assert_eq!(p.items.len(), 2);
        assert_eq!(decode_cursor::<u128>(p.next_cursor.as_deref().unwrap()).unwrap(), 1);
        let p = page_from(rows, 3);
        assert!(p.next_cursor.is_none());
    }
}
