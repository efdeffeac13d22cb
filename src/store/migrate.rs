//! Schema versions and the ordered migrations between them.
//!
//! `meta.schema_version` records the version a database is at. On open, every migration whose
//! target is above it runs, in order, each in its own durable transaction together with the
//! version bump, so a crash mid-upgrade leaves the database at a whole version. A database whose
//! version is above [`SCHEMA_VERSION`] was written by a newer Lectern and is refused untouched.

use redb::{Database, ReadableDatabase};

use super::tables::*;
use super::{StoreError, StoreResult, Tx};

/// The version this build writes.
pub const SCHEMA_VERSION: u64 = 3;

struct Migration {
    to: u64,
    name: &'static str,
    run: fn(&mut Tx<'_>) -> StoreResult<()>,
}

const MIGRATIONS: &[Migration] = &[
    Migration { to: 1, name: "initial tables", run: v1_initial },
    Migration { to: 2, name: "index users by role", run: v2_users_by_role },
    Migration { to: 3, name: "catalog and learning tables", run: v3_catalog },
];

fn v3_catalog(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(CATEGORIES)?;
    tx.create(CATEGORIES_BY_SLUG)?;
    tx.create(COURSES)?;
    tx.create(COURSES_BY_SLUG)?;
    tx.create(COURSES_BY_TEACHER)?;
    tx.create(MODULES)?;
    tx.create(MODULES_BY_COURSE)?;
    tx.create(LESSONS)?;
    tx.create(LESSONS_BY_MODULE)?;
    tx.create(ENROLLMENTS)?;
    tx.create(ENROLLMENTS_BY_COURSE)?;
    tx.create(COMPLETIONS)?;
    tx.create(COMPLETIONS_BY_LESSON)?;
    tx.create(REVIEWS)?;
    tx.create(REVIEWS_BY_COURSE)?;
    tx.create(REVIEWS_BY_AUTHOR)?;
    tx.create(WISHLIST)?;
    tx.create(WISHLIST_BY_TIME)?;
    tx.create(NOTIFICATIONS)?;
    tx.create(NOTIFICATIONS_UNREAD)?;
    Ok(())
}

fn v1_initial(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(META)?;
    tx.create(CHANGES)?;
    tx.create(USERS)?;
    tx.create(USERS_BY_EMAIL)?;
    tx.create(REFRESH_TOKENS)?;
    tx.create(FAMILIES)?;
    tx.create(FAMILIES_BY_USER)?;
    tx.create(TOKENS_BY_FAMILY)?;
    tx.create(EMAIL_TOKENS)?;
    tx.create(OUTBOX)?;
    tx.create(OUTBOX_DUE)?;
    Ok(())
}

/// Version 1 found admins by scanning users; version 2 keeps an index, backfilled here.
fn v2_users_by_role(tx: &mut Tx<'_>) -> StoreResult<()> {
    tx.create(USERS_BY_ROLE)?;
    let mut after: Option<u128> = None;
    loop {
        let chunk = match after {
            None => tx.range(USERS, .., 1000)?,
            Some(k) => tx.range(USERS, (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded), 1000)?,
        };
        let Some((last, _)) = chunk.last() else { break };
        after = Some(*last);
        for (id, user) in &chunk {
            tx.put(USERS_BY_ROLE, &(user.role.as_u8(), *id), &())?;
        }
    }
    Ok(())
}

fn read_version(db: &Database) -> StoreResult<u64> {
    let rtx = db.begin_read()?;
    match rtx.open_table(META.def()) {
        Ok(_) => Ok(META.get(&rtx, &"schema_version".to_owned())?.unwrap_or(0)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Brings `db` to `target` (normally [`SCHEMA_VERSION`]). Returns the version it found.
pub fn migrate(db: &Database, target: u64) -> StoreResult<u64> {
    let found = read_version(db)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found, supported: SCHEMA_VERSION });
    }
    for m in MIGRATIONS.iter().filter(|m| m.to > found && m.to <= target) {
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
