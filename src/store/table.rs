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

/// Receives one raw (key, value) pair.
pub type Visit<'a> = dyn FnMut(&[u8], &[u8]) -> StoreResult<()> + 'a;

/// Raw access to a table's bytes, whatever its types: backups copy tables without decoding them.
pub trait RawTable: Sync {
    fn name(&self) -> &'static str;
    /// Calls `f` with every (key, value) pair, in key order. A table that does not exist yet has
    /// no entries.
    fn dump(&self, rtx: &ReadTransaction, f: &mut Visit<'_>) -> StoreResult<u64>;
    /// Entries in the table (0 if it does not exist yet).
    fn count(&self, rtx: &ReadTransaction) -> StoreResult<u64>;
    /// Inserts one raw pair.
    fn load(&self, txn: &redb::WriteTransaction, key: &[u8], value: &[u8]) -> StoreResult<()>;
}

impl<K: KeyType, V: Record> RawTable for Table<K, V> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn dump(&self, rtx: &ReadTransaction, f: &mut Visit<'_>) -> StoreResult<u64> {
        use redb::ReadableTable;
        let t = match rtx.open_table(self.def()) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        let mut n = 0;
        for item in t.iter()? {
            let (k, v) = item?;
            let key = k.value();
            f(K::as_bytes(&key).as_ref(), v.value())?;
            n += 1;
        }
        Ok(n)
    }

    fn count(&self, rtx: &ReadTransaction) -> StoreResult<u64> {
        use redb::ReadableTableMetadata;
        match rtx.open_table(self.def()) {
            Ok(t) => Ok(t.len()?),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    fn load(&self, txn: &redb::WriteTransaction, key: &[u8], value: &[u8]) -> StoreResult<()> {
        let k: K = K::from_bytes(key);
        let mut t = txn.open_table(self.def())?;
        t.insert(&k, value)?;
        Ok(())
    }
}

pub(crate) fn encode<V: Record>(v: &V) -> StoreResult<Vec<u8>> {
    rmp_serde::to_vec_named(v).map_err(|e| StoreError::Codec(e.to_string()))
}

pub(crate) fn decode<V: Record>(table: &str, bytes: &[u8]) -> StoreResult<V> {
    rmp_serde::from_slice(bytes).map_err(|e| StoreError::Codec(format!("{table}: {e}")))
}
