//! A typed table: a redb table whose values are records in a self-describing encoding.
//!
//! Values are MessagePack maps with field names (`rmp_serde::to_vec_named`), so a record can
//! gain fields (`#[serde(default)]`) and lose fields (unknown ones are ignored) without a
//! rewrite of the data; a migration is needed only when meaning changes.

use super::{StoreError, StoreResult};
use redb::{Key, ReadTransaction, TableDefinition, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// Types usable as table keys: owned redb keys (`u128`, `u64`, tuples, `[u8; N]`, `String`).
pub trait KeyType: Key + 'static + for<'a> Value<SelfType<'a> = Self> + Clone {}
impl<T> KeyType for T where T: Key + 'static + for<'a> Value<SelfType<'a> = T> + Clone {}

/// Types usable as values: anything serde can write and read back.
pub trait Record: Serialize + DeserializeOwned {}
impl<T: Serialize + DeserializeOwned> Record for T {}

pub struct Table<K: KeyType, V: Record> {
    name: &'static str,
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K: KeyType, V: Record> Clone for Table<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K: KeyType, V: Record> Copy for Table<K, V> {}

impl<K: KeyType, V: Record> Table<K, V> {
    pub const fn new(name: &'static str) -> Self {
        Self { name, _types: PhantomData }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn def(&self) -> TableDefinition<'static, K, &'static [u8]> {
        TableDefinition::new(self.name)
    }

    /// Point read in a read transaction.
    pub fn get(&self, rtx: &ReadTransaction, key: &K) -> StoreResult<Option<V>> {
        let t = rtx.open_table(self.def())?;
        match t.get(key)? {
            Some(g) => Ok(Some(decode(self.name, g.value())?)),
            None => Ok(None),
        }
    }

    /// Reads `[from, to)` in key order (or reverse), at most `limit` entries.
    pub fn range(
        &self,
        rtx: &ReadTransaction,
        range: impl std::ops::RangeBounds<K>,
        reverse: bool,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>> {
        let t = rtx.open_table(self.def())?;
        let iter = t.range::<K>(range)?;
        let mut out = Vec::with_capacity(limit.min(128));
        let mut push = |item: Result<
            (redb::AccessGuard<'_, K>, redb::AccessGuard<'_, &[u8]>),
            redb::StorageError,
        >|
         -> StoreResult<bool> {
            let (k, v) = item?;
            out.push((k.value(), decode(self.name, v.value())?));
            Ok(out.len() < limit)
        };
        if reverse {
            for item in iter.rev() {
                if !push(item)? {
                    break;
                }
            }
        } else {
            for item in iter {
                if !push(item)? {
                    break;
                }
            }
        }
        Ok(out)
    }

    pub fn len(&self, rtx: &ReadTransaction) -> StoreResult<u64> {
        use redb::ReadableTableMetadata;
        Ok(rtx.open_table(self.def())?.len()?)
    }
}

pub(crate) fn encode<V: Record>(v: &V) -> StoreResult<Vec<u8>> {
    rmp_serde::to_vec_named(v).map_err(|e| StoreError::Codec(e.to_string()))
}

pub(crate) fn decode<V: Record>(table: &str, bytes: &[u8]) -> StoreResult<V> {
    rmp_serde::from_slice(bytes).map_err(|e| StoreError::Codec(format!("{table}: {e}")))
}
