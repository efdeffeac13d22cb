//! Schema versions and the ordered migrations between them.
//!
//! `meta.schema_version` records the version a database is at. On open, every migration whose
//! target is above it runs, in order, each in its own durable transaction together with the
//! version bump, so a crash mid-upgrade leaves the database at a whole version. A database whose
//! version is above the schema's was written by a newer Lectern and is refused untouched. The
//! migrations themselves are the schema's ([`crate::schema`]); this is the runner.

use redb::{Database, ReadableDatabase};

use super::table::RawTable;
use super::tables::META;
use super::{StoreError, StoreResult, Tx};

/// One step of the schema: what it does to a database at version `to - 1`.
pub struct Migration {
    pub to: u64,
    pub name: &'static str,
    pub run: fn(&mut Tx<'_>) -> StoreResult<()>,
}

/// The tables a database holds and the migrations that build them, in order.
pub struct Schema {
    pub migrations: &'static [Migration],
    /// Every table, for backups and restores.
    pub tables: &'static [&'static dyn RawTable],
}

impl Schema {
    /// The version this build writes: the last migration's.
    pub fn version(&self) -> u64 {
        self.migrations.last().map_or(0, |m| m.to)
    }
}

fn read_version(db: &Database) -> StoreResult<u64> {
    let rtx = db.begin_read()?;
    match rtx.open_table(META.def()) {
        Ok(_) => Ok(META.get(&rtx, &"schema_version".to_owned())?.unwrap_or(0)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Brings `db` to `target` (normally [`Schema::version`]). Returns the version it found.
pub fn migrate(db: &Database, schema: &Schema, target: u64) -> StoreResult<u64> {
    let found = read_version(db)?;
    if found > schema.version() {
        return Err(StoreError::TooNew { found, supported: schema.version() });
    }
    for m in schema.migrations.iter().filter(|m| m.to > found && m.to <= target) {
        tracing::info!(to = m.to, name = m.name, "migrating the store");
        let txn = db.begin_write()?;
        {
            let mut tx = Tx::new(&txn)?;
            (m.run)(&mut tx)?;
            tx.put(META, &"schema_version".to_owned(), &m.to)?;
            tx.finish()?;
        }
        txn.commit()?;
    }
    Ok(found)
}

/// The version a database file is at (for backups and `lectern` diagnostics).
pub fn version_of(db: &Database) -> StoreResult<u64> {
    read_version(db)
}
