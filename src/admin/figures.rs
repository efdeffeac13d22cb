//! Platform figures for the console (`/admin`): read in one snapshot, by one pass over each
//! table they count (users, courses, enrollments, completions and the ledger's balances). An
//! admin page, not a hot path: thousands of records a millisecond.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound::{Excluded, Unbounded};

use crate::catalog::types::CourseStatus;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::identity::Role;
use crate::identity::admin::require_admin;
use crate::identity::repo::UserRecord;
use crate::learning::repo::EnrollmentStatus;
use crate::schema::{COMPLETIONS, COURSES, ENROLLMENTS, LEDGER_BALANCES, USERS};
use crate::store::{KeyType, Readable, Record, Store, StoreResult, Table};

/// What "monthly" means for active users.
pub const ACTIVE_WINDOW_MS: i64 = 30 * 86_400_000;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Figures {
    /// Accounts not deleted, and of them locked.
    pub users: u64,
    pub students: u64,
    pub teachers: u64,
    pub admins: u64,
    pub locked: u64,
    /// Accounts that signed in, renewed a session or completed a lesson in the last 30 days.
    pub monthly_active: u64,
    /// Teachers with at least one published course.
    pub teachers_publishing: u64,
    pub courses: u64,
    pub courses_published: u64,
    pub enrollments: u64,
    pub enrollments_completed: u64,
    /// Completed enrollments per hundred (one decimal), `None` without enrollments.
    pub completion_permille: Option<u64>,
    /// Per currency: what the payment providers hold for the school (sales less refunds) and
    /// the platform's fees, minor units.
    pub revenue: BTreeMap<String, Revenue>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Revenue {
    pub taken_minor: i64,
    pub fees_minor: i64,
}

/// Calls `f` for every row of `t`, reading 1000 at a time.
fn each<K: KeyType, V: Record>(
    r: &impl Readable,
    t: Table<K, V>,
    mut f: impl FnMut(&K, V),
) -> StoreResult<()> {
    let mut after: Option<K> = None;
    loop {
        let rows = match after.take() {
            None => r.range(t, .., 1000)?,
            Some(k) => r.range(t, (Excluded(k), Unbounded), 1000)?,
        };
        let done = rows.len() < 1000;
        for (k, v) in rows {
            f(&k, v);
            after = Some(k);
        }
        if done {
            return Ok(());
        }
    }
}

pub fn read(r: &impl Readable, now: Timestamp) -> StoreResult<Figures> {
    let mut f = Figures::default();
    let since = now.millis() - ACTIVE_WINDOW_MS;
    let mut active: HashSet<u128> = HashSet::new();
    each(r, USERS, |id, u| {
        if u.deleted_at.is_some() {
            return;
        }
        f.users += 1;
        match u.role {
            Role::Student => f.students += 1,
            Role::Teacher => f.teachers += 1,
            Role::Admin => f.admins += 1,
        }
        if u.locked_at.is_some() {
            f.locked += 1;
        }
        if u.last_active_at.is_some_and(|t| t.millis() >= since) {
            active.insert(*id);
        }
    })?;
    each(r, COMPLETIONS, |(student, _, _), at| {
        if at.millis() >= since {
            active.insert(*student);
        }
    })?;
    f.monthly_active = active.len() as u64;
    let mut publishing = HashSet::new();
    each(r, COURSES, |_, c| {
        f.courses += 1;
        if c.status == CourseStatus::Published {
            f.courses_published += 1;
            publishing.insert(c.teacher_id.key());
        }
    })?;
    f.teachers_publishing = publishing.len() as u64;
    each(r, ENROLLMENTS, |_, e| {
        f.enrollments += 1;
        if e.status == EnrollmentStatus::Completed {
            f.enrollments_completed += 1;
        }
    })?;
    f.completion_permille = (f.enrollments > 0).then(|| f.enrollments_completed * 1000 / f.enrollments);
    each(r, LEDGER_BALANCES, |key, balance| {
        let Some((account, currency)) = key.rsplit_once('|') else { return };
        let entry = f.revenue.entry(currency.to_owned());
        if account.starts_with("provider:") {
            entry.or_default().taken_minor += balance;
        } else if account == "platform:revenue" {
            // Credits are negative: the fees the school earned.
            entry.or_default().fees_minor -= balance;
        }
    })?;
    Ok(f)
}

/// The figures now (admins).
pub async fn figures(store: &Store, who: &UserRecord, now: Timestamp) -> Result<Figures> {
    require_admin(who)?;
    store.read(move |rtx| Ok(read(rtx, now)?)).await
}
