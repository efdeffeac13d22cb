//! The store: redb, the source of truth.
//!
//! - The store knows no domain. Tables are typed by [`table::Table`]; the domains' tables and
//!   migrations are declared in `crate::schema` and handed to [`Store::open`] as a [`Schema`];
//!   only the domains' `repo` modules touch them.
//! - Reads run on the blocking pool ([`Store::read`]) inside one read transaction: a consistent
//!   snapshot that never waits for writers.
//! - Writes are *units of work* submitted to one writer thread ([`Store::write`]). The writer
//!   commits every unit that is waiting in one durable transaction (group commit), so many
//!   concurrent writes share one fsync; a unit is answered only after its transaction is durable.
//!   A unit that fails after it wrote is rolled back by replaying its batch without it.
//! - Every write that changes something derived data depends on appends to the change log
//!   ([`Tx::record_change`]); the store *position* is the last log entry.
//! - [`migrate`] upgrades older databases in order and refuses newer ones.
//!
//! This module must never hold a transaction across an `.await`.

pub mod migrate;
pub mod page;
pub mod table;
pub mod tables;
mod writer;

use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable, WriteTransaction};

use crate::error::{Error, Result};
pub use migrate::Schema;
pub use table::{KeyType, Record, Table};
use tables::{CHANGES, Change, META};

pub type StoreResult<T> = std::result::Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("record encoding: {0}")]
    Codec(String),
    #[error(
        "the database was written by a newer Lectern (schema {found}; this build knows up to {supported}); upgrade Lectern or restore a backup"
    )]
    TooNew { found: u64, supported: u64 },
    #[error("the data directory {0} is in use by another Lectern process")]
    InUse(PathBuf),
    #[error("storage: {0}")]
    Other(String),
}

/// Here rather than in `error`, so the error type (a leaf) knows nothing of the store.
impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(d) => Error::Unavailable(d),
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

macro_rules! storage_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                classify(e.into())
            }
        }
    )*};
}
storage_errors!(
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::DatabaseError
);

/// I/O failures (full disk, bad sector) are "unavailable" (503, retry later);
/// anything else is a bug or corruption.
fn classify(e: redb::Error) -> StoreError {
    match e {
        redb::Error::Io(io) => StoreError::Unavailable(io.to_string()),
        redb::Error::DatabaseAlreadyOpen => StoreError::InUse(PathBuf::new()),
        other => StoreError::Other(other.to_string()),
    }
}

/// The open database, replaceable: after an I/O error (a full disk, a failing device) redb
/// refuses further writes until the database is reopened, so the writer takes the database out,
/// waits for readers to let go, and reopens it once the fault clears. Meanwhile requests answer
/// 503 and nothing half-written is ever visible.
pub(crate) struct Slot {
    path: PathBuf,
    cache_bytes: usize,
    current: std::sync::RwLock<Option<Arc<Database>>>,
    versions: TableVersions,
}

/// Counters that move after every commit that wrote a table (see [`Store::version_of`]), and
/// the store position of that commit (see [`Store::written_at`]). Tables share
/// [`VERSION_SLOTS`] of them by the hash of their name: a table whose neighbour was written is
/// taken as changed too, so a cache forgets more often, never too little.
pub(crate) struct TableVersions {
    counters: [AtomicU64; VERSION_SLOTS],
    positions: [AtomicU64; VERSION_SLOTS],
}

const VERSION_SLOTS: usize = 64;

impl TableVersions {
    fn new() -> TableVersions {
        TableVersions {
            counters: std::array::from_fn(|_| AtomicU64::new(0)),
            positions: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// The bit of a table in a set of touched tables.
    fn bit(table: &str) -> u64 {
        1 << (rustc_hash::FxBuildHasher.hash_one(table) as usize % VERSION_SLOTS)
    }

    fn slot(table: &str) -> usize {
        Self::bit(table).trailing_zeros() as usize
    }

    fn get(&self, table: &str) -> u64 {
        self.counters[Self::slot(table)].load(Ordering::Acquire)
    }

    fn written_at(&self, table: &str) -> u64 {
        self.positions[Self::slot(table)].load(Ordering::Acquire)
    }

    /// After a commit at `position`: every table in `touched` moves.
    pub(crate) fn bump(&self, touched: u64, position: u64) {
        for slot in 0..VERSION_SLOTS {
            if touched & (1 << slot) != 0 {
                // The position first: whoever sees the new counter sees it too.
                self.positions[slot].fetch_max(position, Ordering::Release);
                self.counters[slot].fetch_add(1, Ordering::Release);
            }
        }
    }
}

impl Slot {
    fn get(&self) -> StoreResult<Arc<Database>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| StoreError::Unavailable("the store is recovering from a storage error".into()))
    }

    /// Takes the database out after a storage fault.
    fn take(&self) -> Option<Arc<Database>> {
        self.current.write().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Reopens the database (redb repairs it on open). Only the writer calls this.
    fn reopen(&self) -> StoreResult<()> {
        let db = Database::builder().set_cache_size(self.cache_bytes).create(&self.path)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(db));
        tracing::info!("store reopened after a storage fault");
        Ok(())
    }

    fn is_open(&self) -> bool {
        self.current.read().unwrap_or_else(|p| p.into_inner()).is_some()
    }
}

/// The handle every domain uses. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    slot: Arc<Slot>,
    writer: writer::WriterHandle,
}

pub const DB_FILE: &str = "lectern.redb";
pub use crate::config::DEFAULT_STORE_CACHE_BYTES as DEFAULT_CACHE_BYTES;

impl Store {
    /// Opens (or creates) the database in `data_dir` and brings it up to `schema`.
    pub fn open(data_dir: &Path, schema: &Schema) -> StoreResult<Store> {
        Self::open_with(data_dir, schema, DEFAULT_CACHE_BYTES)
    }

    /// Opens with a page cache of `cache_bytes` (redb's own default is 1 GiB, which a server
    /// on a small VPS cannot spare: the cache fills as pages are read and never shrinks).
    pub fn open_with(data_dir: &Path, schema: &Schema, cache_bytes: usize) -> StoreResult<Store> {
        Self::open_at_with(data_dir, schema, schema.version(), cache_bytes)
    }

    #[cfg(test)]
    pub(crate) fn open_at(data_dir: &Path, schema: &Schema, target_version: u64) -> StoreResult<Store> {
        Self::open_at_with(data_dir, schema, target_version, DEFAULT_CACHE_BYTES)
    }

    fn open_at_with(
        data_dir: &Path,
        schema: &Schema,
        target_version: u64,
        cache_bytes: usize,
    ) -> StoreResult<Store> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", data_dir.display())))?;
        let path = data_dir.join(DB_FILE);
        let db = Database::builder().set_cache_size(cache_bytes).create(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(data_dir.to_owned()),
            other => StoreError::from(other),
        })?;
        restrict_permissions(&path);
        migrate::migrate(&db, schema, target_version)?;
        let position = {
            let rtx = db.begin_read()?;
            position_in(&rtx)?
        };
        let slot = Arc::new(Slot {
            path,
            cache_bytes,
            current: std::sync::RwLock::new(Some(Arc::new(db))),
            versions: TableVersions::new(),
        });
        let writer = writer::spawn(slot.clone(), position);
        Ok(Store { slot, writer })
    }

    /// The data directory this store lives in (files kept beside the database, such as
    /// uploaded media, are found from it).
    pub fn data_dir(&self) -> &Path {
        self.slot.path.parent().unwrap_or(Path::new("."))
    }

    /// Runs `f` in a read transaction on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&ReadTransaction) -> Result<T> + Send + 'static,
    {
        let db = match self.slot.get() {
            Ok(db) => db,
            Err(e) => {
                // Nothing may be writing: make sure the writer tries to recover.
                self.writer.nudge();
                return Err(e.into());
            }
        };
        tokio::task::spawn_blocking(move || {
            let rtx = db.begin_read().map_err(StoreError::from)?;
            f(&rtx)
        })
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("read task failed: {e}")))?
    }

    /// Runs `f` in a read transaction on the calling (async) thread: for point reads of a few
    /// small records. From redb's cache they take microseconds, less than handing the work to
    /// the blocking pool and back (a wake-up of another thread each way). Scans, and anything
    /// that may read many pages from disk, go through [`Store::read`].
    pub fn get<T>(&self, f: impl FnOnce(&ReadTransaction) -> Result<T>) -> Result<T> {
        let db = self.slot.get().inspect_err(|_| self.writer.nudge())?;
        let rtx = db.begin_read().map_err(StoreError::from)?;
        f(&rtx)
    }

    /// Runs `f` in a read transaction on the calling thread (CLI commands, start-up).
    pub fn read_now<T>(&self, f: impl FnOnce(&ReadTransaction) -> Result<T>) -> Result<T> {
        let rtx = self.slot.get()?.begin_read().map_err(StoreError::from)?;
        f(&rtx)
    }

    /// Submits a unit of work and waits until the transaction that holds it is durable.
    ///
    /// The unit may run more than once (when a batch-mate fails after writing, the batch is
    /// replayed without it), so it must depend only on what it reads through `tx`.
    pub async fn write<T, F>(&self, unit: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&mut Tx<'_>) -> Result<T> + Send + 'static,
    {
        self.writer.submit(unit, true).await
    }

    /// Like [`Store::write`], without waiting for the disk: the unit is acknowledged once its
    /// transaction is committed in memory, and becomes durable with the next durable commit
    /// (any later [`Store::write`] of anyone). A crash before that loses it.
    ///
    /// Only for a step whose loss nobody can have relied on, because the caller itself makes a
    /// durable write before it answers (a checkout records its order, asks the provider for a
    /// payment page, then records the page durably: one fsync instead of two). A batch that
    /// holds any durable unit, or a unit that records a change or calls [`Tx::sync`], is
    /// committed durably.
    pub async fn write_unsynced<T, F>(&self, unit: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&mut Tx<'_>) -> Result<T> + Send + 'static,
    {
        self.writer.submit(unit, false).await
    }

    /// A number that moves after every commit that wrote table `t` (since the process started).
    /// A cache of values read from `t` keeps them tagged with the number read *before* reading
    /// them, and serves them while it has not moved: a write committed meanwhile leaves the tag
    /// behind, so nothing stale outlives it.
    pub fn version_of<K: KeyType, V: Record>(&self, t: Table<K, V>) -> u64 {
        self.slot.versions.get(t.name())
    }

    /// The store position of the last commit that wrote table `t`, for a table whose every write
    /// records a change (as the search index needs of courses): a value read or written at this
    /// position or later is current as of it. Read it *after* [`Store::version_of`]; the pair
    /// then belongs together or errs towards the newer position.
    pub fn written_at<K: KeyType, V: Record>(&self, t: Table<K, V>) -> u64 {
        self.slot.versions.written_at(t.name())
    }

    /// The position of the last change committed.
    pub fn position(&self) -> Result<u64> {
        self.read_now(|rtx| Ok(position_in(rtx)?))
    }

    /// Whether the database is open (false while recovering from a storage fault).
    pub fn is_healthy(&self) -> bool {
        self.slot.is_open()
    }

    /// Follows the store position: changes after every commit that moved it.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.writer.positions()
    }

    /// Changes after `after`, at most `limit`, in order.
    pub fn changes_after(&self, after: u64, limit: usize) -> Result<Vec<(u64, Change)>> {
        self.read_now(|rtx| Ok(CHANGES.range(rtx, (after + 1).., false, limit)?))
    }

    /// Stops the writer (after it finishes what it holds) and checks the file closes cleanly.
    pub async fn close(self) {
        self.writer.shutdown().await;
    }
}

/// The position a read transaction's snapshot is at.
pub fn position_in(rtx: &ReadTransaction) -> StoreResult<u64> {
    Ok(META.get(rtx, &"position".to_owned())?.unwrap_or(0))
}

/// The database holds password hashes and tokens' hashes: only the owner may read it.
pub(crate) fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(error = %e, "could not make the database private to its owner");
        }
    }
}

/// Reads that work the same in a read transaction and inside a unit of work, so that each
/// lookup is written once (`fn course(r: &impl Readable, id)`) and serves both.
pub trait Readable {
    fn get<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<Option<V>>;
    fn contains<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<bool>;
    /// Keys and values in a key range, in order, at most `limit`.
    fn range<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>>;
    /// The same, last key first.
    fn range_rev<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>>;
    /// How many keys a range holds, without decoding their values (redb keeps no counts in its
    /// B-tree, so this walks the range: keep the ranges it is given short or cheap).
    fn count<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
    ) -> StoreResult<u64>;
}

/// Counts the entries of a range of an open table.
fn count_in<K: KeyType>(
    table: &impl redb::ReadableTable<K, &'static [u8]>,
    range: impl std::ops::RangeBounds<K>,
) -> StoreResult<u64> {
    let mut n = 0;
    for item in table.range::<K>(range)? {
        item?;
        n += 1;
    }
    Ok(n)
}

impl Readable for ReadTransaction {
    fn get<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<Option<V>> {
        t.get(self, key)
    }

    fn contains<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<bool> {
        Ok(self.open_table(t.def())?.get(key)?.is_some())
    }

    fn range<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>> {
        t.range(self, range, false, limit)
    }

    fn range_rev<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>> {
        t.range(self, range, true, limit)
    }

    fn count<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
    ) -> StoreResult<u64> {
        count_in(&self.open_table(t.def())?, range)
    }
}

impl Readable for Tx<'_> {
    fn get<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<Option<V>> {
        Tx::get(self, t, key)
    }

    fn contains<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<bool> {
        Tx::contains(self, t, key)
    }

    fn range<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>> {
        Tx::range(self, t, range, limit)
    }

    fn range_rev<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>> {
        let table = self.txn.open_table(t.def())?;
        let mut out = Vec::new();
        for item in table.range::<K>(range)?.rev() {
            let (k, v) = item?;
            out.push((k.value(), table::decode(t.name(), v.value())?));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    fn count<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
    ) -> StoreResult<u64> {
        count_in(&self.txn.open_table(t.def())?, range)
    }
}

/// The write context a unit of work receives. Every mutation goes through it, which is how
/// the writer knows whether a failed unit left changes behind.
pub struct Tx<'a> {
    txn: &'a WriteTransaction,
    dirty: bool,
    position: u64,
    position_dirty: bool,
    /// The tables written, as [`TableVersions`] bits.
    touched: u64,
    /// A unit asked for its commit to reach the disk even if it was submitted unsynced.
    sync: bool,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(txn: &'a WriteTransaction) -> StoreResult<Self> {
        let position = {
            let t = txn.open_table(META.def())?;
            match t.get("position".to_owned())? {
                Some(g) => table::decode(META.name(), g.value())?,
                None => 0,
            }
        };
        Ok(Tx { txn, dirty: false, position, position_dirty: false, touched: 0, sync: false })
    }

    pub fn get<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<Option<V>> {
        let table = self.txn.open_table(t.def())?;
        let found = table.get(key)?;
        match found {
            Some(g) => Ok(Some(table::decode(t.name(), g.value())?)),
            None => Ok(None),
        }
    }

    pub fn contains<K: KeyType, V: Record>(&self, t: Table<K, V>, key: &K) -> StoreResult<bool> {
        let table = self.txn.open_table(t.def())?;
        Ok(table.get(key)?.is_some())
    }

    pub fn put<K: KeyType, V: Record>(&mut self, t: Table<K, V>, key: &K, v: &V) -> StoreResult<()> {
        let bytes = table::encode(v)?;
        self.dirty = true;
        self.touched |= TableVersions::bit(t.name());
        let mut table = self.txn.open_table(t.def())?;
        table.insert(key, bytes.as_slice())?;
        Ok(())
    }

    /// Removes a key; true if it was there.
    pub fn remove<K: KeyType, V: Record>(&mut self, t: Table<K, V>, key: &K) -> StoreResult<bool> {
        self.dirty = true;
        self.touched |= TableVersions::bit(t.name());
        let mut table = self.txn.open_table(t.def())?;
        let existed = table.remove(key)?.is_some();
        Ok(existed)
    }

    /// Keys and values in a key range, in order, at most `limit`.
    pub fn range<K: KeyType, V: Record>(
        &self,
        t: Table<K, V>,
        range: impl std::ops::RangeBounds<K>,
        limit: usize,
    ) -> StoreResult<Vec<(K, V)>> {
        let table = self.txn.open_table(t.def())?;
        let mut out = Vec::new();
        for item in table.range::<K>(range)? {
            let (k, v) = item?;
            out.push((k.value(), table::decode(t.name(), v.value())?));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Deletes change-log entries at or below `upto` (already applied by every consumer), at
    /// most `max` of them. Returns how many.
    pub fn truncate_changes(&mut self, upto: u64, max: usize) -> StoreResult<usize> {
        let old = self.range(CHANGES, ..=upto, max)?;
        for (pos, _) in &old {
            self.remove(CHANGES, pos)?;
        }
        Ok(old.len())
    }

    /// Creates the table if it does not exist (migrations).
    pub fn create<K: KeyType, V: Record>(&mut self, t: Table<K, V>) -> StoreResult<()> {
        self.dirty = true;
        self.touched |= TableVersions::bit(t.name());
        self.txn.open_table(t.def())?;
        Ok(())
    }

    /// Appends to the change log: `entity` with `id` changed. Returns the new position.
    pub fn record_change(&mut self, entity: &str, id: u128) -> StoreResult<u64> {
        self.position += 1;
        self.position_dirty = true;
        let pos = self.position;
        self.put(CHANGES, &pos, &Change { entity: entity.to_owned(), id })?;
        Ok(pos)
    }

    /// The store position including this unit's changes so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Asks for this unit to be on disk when it is acknowledged, even if it was submitted with
    /// [`Store::write_unsynced`]: for the branch of such a unit that is final.
    pub fn sync(&mut self) {
        self.sync = true;
    }

    /// Whether the transaction must be committed durably whatever its units were submitted as.
    /// A recorded change always is: the search index and the caches follow the change log, and
    /// must never run ahead of what survives a crash.
    pub(crate) fn must_sync(&self) -> bool {
        self.sync || self.position_dirty
    }

    pub(crate) fn finish(self) -> StoreResult<()> {
        if self.position_dirty {
            let bytes = table::encode(&self.position)?;
            let mut t = self.txn.open_table(META.def())?;
            t.insert("position".to_owned(), bytes.as_slice())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
