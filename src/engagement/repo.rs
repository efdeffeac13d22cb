//! Engagement records (email preferences, reminder state, digest items) and every read and
//! write of their tables.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::ids::{CourseId, UserId};
use crate::schema::{DIGEST_ITEMS, DIGESTS_DUE, EMAIL_PREFS, REMINDERS, REMINDERS_DUE};
use crate::store::{Readable, StoreResult, Tx};

fn yes() -> bool {
    true
}

/// What optional mail a person wants. Everyone starts with everything on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EmailPrefs {
    /// Lesson reminders after a few days without activity.
    #[serde(default = "yes")]
    pub reminders: bool,
    /// A teacher's daily summary of new students and reviews.
    #[serde(default = "yes")]
    pub digests: bool,
    /// News about the school.
    #[serde(default = "yes")]
    pub product_news: bool,
}

impl Default for EmailPrefs {
    fn default() -> EmailPrefs {
        EmailPrefs { reminders: true, digests: true, product_news: true }
    }
}

/// The reminder bookkeeping of one enrollment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReminderState {
    /// Reminders sent for the current enrollment (at most three).
    #[serde(default)]
    pub sent: u32,
    /// The last reminder for this course (kept across re-enrollments: one a week per course).
    #[serde(default)]
    pub last_sent_at: Option<Timestamp>,
    /// When the scheduler looks at this enrollment next (its key in `reminders_due`), if ever.
    #[serde(default)]
    pub due: Option<i64>,
}

/// One piece of news for a teacher's next digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DigestItem {
    pub course: CourseId,
    pub kind: DigestKind,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestKind {
    NewStudent,
    NewReview,
    /// A question under one of the teacher's lessons.
    NewQuestion,
}

pub fn prefs(r: &impl Readable, user: UserId) -> StoreResult<EmailPrefs> {
    Ok(r.get(EMAIL_PREFS, &user.key())?.unwrap_or_default())
}

pub fn save_prefs(tx: &mut Tx<'_>, user: UserId, p: &EmailPrefs) -> StoreResult<()> {
    tx.put(EMAIL_PREFS, &user.key(), p)
}

pub fn reminder(r: &impl Readable, user: UserId, course: CourseId) -> StoreResult<Option<ReminderState>> {
    r.get(REMINDERS, &(user.key(), course.key()))
}

/// Saves `s` and moves its entry in the due index to `due` (`None`: not scheduled).
pub fn save_reminder(
    tx: &mut Tx<'_>,
    user: UserId,
    course: CourseId,
    mut s: ReminderState,
    due: Option<i64>,
) -> StoreResult<()> {
    let (u, c) = (user.key(), course.key());
    if let Some(old) = s.due {
        tx.remove(REMINDERS_DUE, &(old, u, c))?;
    }
    if let Some(at) = due {
        tx.put(REMINDERS_DUE, &(at, u, c), &())?;
    }
    s.due = due;
    tx.put(REMINDERS, &(u, c), &s)
}

/// Forgets an enrollment's reminder bookkeeping (the enrollment is gone).
pub fn remove_reminder(
    tx: &mut Tx<'_>,
    user: UserId,
    course: CourseId,
    s: &ReminderState,
) -> StoreResult<()> {
    let (u, c) = (user.key(), course.key());
    if let Some(old) = s.due {
        tx.remove(REMINDERS_DUE, &(old, u, c))?;
    }
    tx.remove(REMINDERS, &(u, c))?;
    Ok(())
}

/// Reminder entries due at or before `now`, soonest first.
pub fn due_reminders(
    r: &impl Readable,
    now: Timestamp,
    limit: usize,
) -> StoreResult<Vec<(i64, UserId, CourseId)>> {
    Ok(r.range(REMINDERS_DUE, ..=(now.millis(), u128::MAX, u128::MAX), limit)?
        .into_iter()
        .map(|((at, u, c), ())| (at, UserId::from_key(u), CourseId::from_key(c)))
        .collect())
}

/// Takes an entry out of the due index; false if it was not there (handled already).
pub fn unschedule_reminder(tx: &mut Tx<'_>, key: (i64, UserId, CourseId)) -> StoreResult<bool> {
    tx.remove(REMINDERS_DUE, &(key.0, key.1.key(), key.2.key()))
}

/// Adds a piece of news for `teacher`; true if it is the first one waiting (no digest scheduled).
pub fn add_digest_item(tx: &mut Tx<'_>, teacher: UserId, item: &DigestItem, id: u128) -> StoreResult<bool> {
    let t = teacher.key();
    let first = tx.range(DIGEST_ITEMS, (t, 0)..=(t, u128::MAX), 1)?.is_empty();
    tx.put(DIGEST_ITEMS, &(t, id), item)?;
    Ok(first)
}

/// Everything waiting for `teacher`'s digest (at most `limit` items), oldest first.
pub fn digest_items(
    r: &impl Readable,
    teacher: UserId,
    limit: usize,
) -> StoreResult<Vec<(u128, DigestItem)>> {
    let t = teacher.key();
    Ok(r.range(DIGEST_ITEMS, (t, 0)..=(t, u128::MAX), limit)?
        .into_iter()
        .map(|((_, id), i)| (id, i))
        .collect())
}

pub fn remove_digest_item(tx: &mut Tx<'_>, teacher: UserId, id: u128) -> StoreResult<()> {
    tx.remove(DIGEST_ITEMS, &(teacher.key(), id))?;
    Ok(())
}

pub fn schedule_digest(tx: &mut Tx<'_>, teacher: UserId, at: i64) -> StoreResult<()> {
    tx.put(DIGESTS_DUE, &(at, teacher.key()), &())
}

pub fn unschedule_digest(tx: &mut Tx<'_>, key: (i64, UserId)) -> StoreResult<bool> {
    tx.remove(DIGESTS_DUE, &(key.0, key.1.key()))
}

/// Digests due at or before `now`, soonest first.
pub fn due_digests(r: &impl Readable, now: Timestamp, limit: usize) -> StoreResult<Vec<(i64, UserId)>> {
    Ok(r.range(DIGESTS_DUE, ..=(now.millis(), u128::MAX), limit)?
        .into_iter()
        .map(|((at, t), ())| (at, UserId::from_key(t)))
        .collect())
}

/// Forgets a deleted account's preferences.
pub fn forget_prefs(tx: &mut Tx<'_>, user: UserId) -> crate::error::Result<()> {
    tx.remove(EMAIL_PREFS, &user.key())?;
    Ok(())
}
