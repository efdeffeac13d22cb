//! Learning records (enrollments, completions, reviews, wishlist, notifications) and every read
//! and write of their tables.

use serde::{Deserialize, Serialize};

use crate::catalog::repo::CourseRecord;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CourseId, LessonId, NotificationId, ReviewId, UserId};
use crate::schema::*;
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EnrollmentStatus {
    Active,
    Completed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollmentRecord {
    pub status: EnrollmentStatus,
    pub enrolled_at: Timestamp,
    #[serde(default)]
    pub completed_at: Option<Timestamp>,
    /// Lessons of the course this student has completed (kept in step with `completions`).
    #[serde(default)]
    pub completed_lessons: u32,
}

/// Where a review stands: only published ones are public and counted in a course's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    #[default]
    Published,
    /// Held by the screen until an admin looks at it; its author sees "awaiting moderation".
    Pending,
    /// Taken down by an admin.
    Hidden,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Published => "published",
            ReviewStatus::Pending => "pending",
            ReviewStatus::Hidden => "hidden",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub id: ReviewId,
    pub course_id: CourseId,
    pub author_id: UserId,
    pub rating: u8,
    pub text_md: String,
    pub text_html: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Reviews written before moderation existed are published.
    #[serde(default)]
    pub status: ReviewStatus,
    /// Why the screen held it (`crate::screen::Reason` codes), and what matched: the admin's
    /// evidence. Empty for reviews the screen let through.
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl ReviewRecord {
    pub fn is_published(&self) -> bool {
        self.status == ReviewStatus::Published
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Enrolled,
    CourseCompleted,
    NewReview,
    /// A moderation decision about something of the reader's, or about their report.
    Moderation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: String,
    #[serde(default)]
    pub read: bool,
    pub created_at: Timestamp,
}

// ---- enrollments and progress ----

pub fn enrollment(
    r: &impl Readable,
    user: UserId,
    course: CourseId,
) -> StoreResult<Option<EnrollmentRecord>> {
    r.get(ENROLLMENTS, &(user.key(), course.key()))
}

/// A person's enrollments, by course id.
pub fn enrollments_of(r: &impl Readable, user: UserId) -> StoreResult<Vec<(CourseId, EnrollmentRecord)>> {
    let u = user.key();
    Ok(r.range(ENROLLMENTS, (u, 0)..=(u, u128::MAX), usize::MAX)?
        .into_iter()
        .map(|((_, c), e)| (CourseId::from_key(c), e))
        .collect())
}

pub fn save_enrollment(tx: &mut Tx<'_>, user: UserId, course: CourseId, e: &EnrollmentRecord) -> Result<()> {
    tx.put(ENROLLMENTS, &(user.key(), course.key()), e)?;
    tx.put(ENROLLMENTS_BY_COURSE, &(course.key(), user.key()), &())?;
    Ok(())
}

/// Removes an enrollment (its completions stay, should the student come back).
pub fn remove_enrollment(tx: &mut Tx<'_>, user: UserId, course: CourseId) -> Result<bool> {
    tx.remove(ENROLLMENTS_BY_COURSE, &(course.key(), user.key()))?;
    Ok(tx.remove(ENROLLMENTS, &(user.key(), course.key()))?)
}

pub fn completed_lesson_ids(r: &impl Readable, user: UserId, course: CourseId) -> StoreResult<Vec<LessonId>> {
    let (u, c) = (user.key(), course.key());
    Ok(r.range(COMPLETIONS, (u, c, 0)..=(u, c, u128::MAX), usize::MAX)?
        .into_iter()
        .map(|((_, _, l), _)| LessonId::from_key(l))
        .collect())
}

/// When `user` last completed a lesson of `course`, if ever (a student's completions in one
/// course are a short list).
pub fn last_completion(r: &impl Readable, user: UserId, course: CourseId) -> StoreResult<Option<Timestamp>> {
    let (u, c) = (user.key(), course.key());
    Ok(r.range(COMPLETIONS, (u, c, 0)..=(u, c, u128::MAX), usize::MAX)?.into_iter().map(|(_, at)| at).max())
}

pub fn is_completed(
    r: &impl Readable,
    user: UserId,
    course: CourseId,
    lesson: LessonId,
) -> StoreResult<bool> {
    r.contains(COMPLETIONS, &(user.key(), course.key(), lesson.key()))
}

pub fn mark_completed(
    tx: &mut Tx<'_>,
    user: UserId,
    course: CourseId,
    lesson: LessonId,
    now: Timestamp,
) -> Result<()> {
    tx.put(COMPLETIONS, &(user.key(), course.key(), lesson.key()), &now)?;
    tx.put(COMPLETIONS_BY_LESSON, &(lesson.key(), user.key()), &())?;
    Ok(())
}

pub fn unmark_completed(tx: &mut Tx<'_>, user: UserId, course: CourseId, lesson: LessonId) -> Result<()> {
    tx.remove(COMPLETIONS, &(user.key(), course.key(), lesson.key()))?;
    tx.remove(COMPLETIONS_BY_LESSON, &(lesson.key(), user.key()))?;
    Ok(())
}

/// A lesson is being deleted: forget every completion of it and fix the students' counters.
pub fn forget_lesson(tx: &mut Tx<'_>, course: CourseId, lesson: LessonId) -> Result<()> {
    let l = lesson.key();
    for ((_, u), ()) in tx.range(COMPLETIONS_BY_LESSON, (l, 0)..=(l, u128::MAX), usize::MAX)? {
        let user = UserId::from_key(u);
        unmark_completed(tx, user, course, lesson)?;
        if let Some(mut e) = enrollment(tx, user, course)? {
            e.completed_lessons = e.completed_lessons.saturating_sub(1);
            save_enrollment(tx, user, course, &e)?;
        }
    }
    Ok(())
}

/// Lessons were removed: active students who now have every remaining lesson are finished.
/// Returns who was finished.
pub fn complete_finished_students(
    tx: &mut Tx<'_>,
    course: &CourseRecord,
    now: Timestamp,
) -> Result<Vec<UserId>> {
    let mut finished = Vec::new();
    if course.total_lessons == 0 {
        return Ok(finished);
    }
    let c = course.id.key();
    for ((_, u), ()) in tx.range(ENROLLMENTS_BY_COURSE, (c, 0)..=(c, u128::MAX), usize::MAX)? {
        let user = UserId::from_key(u);
        if let Some(mut e) = enrollment(tx, user, course.id)?
            && e.status == EnrollmentStatus::Active
            && e.completed_lessons >= course.total_lessons
        {
            e.status = EnrollmentStatus::Completed;
            e.completed_at = Some(now);
            save_enrollment(tx, user, course.id, &e)?;
            finished.push(user);
        }
    }
    Ok(finished)
}

// ---- reviews ----

pub fn review(r: &impl Readable, id: ReviewId) -> StoreResult<Option<ReviewRecord>> {
    r.get(REVIEWS, &id.key())
}

/// A review that must exist: 404 otherwise.
pub fn get_review(r: &impl Readable, id: ReviewId) -> Result<ReviewRecord> {
    review(r, id)?.ok_or(Error::NotFound)
}

pub fn has_reviewed(r: &impl Readable, user: UserId, course: CourseId) -> StoreResult<bool> {
    r.contains(REVIEWS_BY_AUTHOR, &(user.key(), course.key()))
}

/// A course's review ids, newest first, from `through` down, at most `limit`.
pub fn review_ids_of(
    r: &impl Readable,
    course: CourseId,
    through: u128,
    limit: usize,
) -> StoreResult<Vec<ReviewId>> {
    let c = course.key();
    Ok(r.range_rev(REVIEWS_BY_COURSE, (c, 0)..=(c, through), limit)?
        .into_iter()
        .map(|((_, id), ())| ReviewId::from_key(id))
        .collect())
}

pub fn insert_review(tx: &mut Tx<'_>, r: &ReviewRecord) -> Result<()> {
    tx.put(REVIEWS, &r.id.key(), r)?;
    tx.put(REVIEWS_BY_COURSE, &(r.course_id.key(), r.id.key()), &())?;
    tx.put(REVIEWS_BY_AUTHOR, &(r.author_id.key(), r.course_id.key()), &r.id.key())?;
    index_review(tx, None, r)
}

/// Saves a changed review; `before` is how it was stored (for its secondary indexes).
pub fn save_review(tx: &mut Tx<'_>, before: &ReviewRecord, r: &ReviewRecord) -> Result<()> {
    tx.put(REVIEWS, &r.id.key(), r)?;
    index_review(tx, Some(before), r)
}

pub fn remove_review(tx: &mut Tx<'_>, r: &ReviewRecord) -> Result<()> {
    tx.remove(REVIEWS, &r.id.key())?;
    tx.remove(REVIEWS_BY_COURSE, &(r.course_id.key(), r.id.key()))?;
    tx.remove(REVIEWS_BY_AUTHOR, &(r.author_id.key(), r.course_id.key()))?;
    tx.remove(REVIEWS_PENDING, &r.id.key())?;
    if let Some(fp) = crate::screen::fingerprint(&r.text_md) {
        tx.remove(REVIEW_FINGERPRINTS, &(fp, r.id.key()))?;
    }
    Ok(())
}

/// The moderation queue (pending reviews) and the text fingerprints follow the record.
fn index_review(tx: &mut Tx<'_>, before: Option<&ReviewRecord>, r: &ReviewRecord) -> Result<()> {
    let id = r.id.key();
    if r.status == ReviewStatus::Pending {
        tx.put(REVIEWS_PENDING, &id, &())?;
    } else if before.is_some_and(|b| b.status == ReviewStatus::Pending) {
        tx.remove(REVIEWS_PENDING, &id)?;
    }
    let old = before.and_then(|b| crate::screen::fingerprint(&b.text_md));
    let new = crate::screen::fingerprint(&r.text_md);
    if old != new
        && let Some(fp) = old
    {
        tx.remove(REVIEW_FINGERPRINTS, &(fp, id))?;
    }
    if let Some(fp) = new {
        tx.put(REVIEW_FINGERPRINTS, &(fp, id), &r.course_id.key())?;
    }
    Ok(())
}

/// Other courses (not `course`) with a review whose text has fingerprint `fp`.
pub fn courses_with_text(r: &impl Readable, fp: u64, course: CourseId) -> StoreResult<u32> {
    let mut courses: Vec<u128> = r
        .range(REVIEW_FINGERPRINTS, (fp, 0)..=(fp, u128::MAX), 1000)?
        .into_iter()
        .map(|(_, c)| c)
        .filter(|c| *c != course.key())
        .collect();
    courses.sort_unstable();
    courses.dedup();
    Ok(courses.len() as u32)
}

/// How many reviews `user` wrote at or after `since` (a person's reviews are a short list).
pub fn reviews_since(r: &impl Readable, user: UserId, since: Timestamp) -> StoreResult<u32> {
    let u = user.key();
    let mut n = 0;
    for (_, id) in r.range(REVIEWS_BY_AUTHOR, (u, 0)..=(u, u128::MAX), usize::MAX)? {
        if let Some(rev) = review(r, ReviewId::from_key(id))?
            && rev.created_at >= since
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Pending reviews, oldest first, strictly after `after`.
pub fn pending_reviews(
    r: &impl Readable,
    after: Option<u128>,
    limit: usize,
) -> StoreResult<Vec<ReviewRecord>> {
    let rows = match after {
        None => r.range(REVIEWS_PENDING, .., limit)?,
        Some(a) => {
            r.range(REVIEWS_PENDING, (std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded), limit)?
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for (id, ()) in rows {
        if let Some(rev) = review(r, ReviewId::from_key(id))? {
            out.push(rev);
        }
    }
    Ok(out)
}

// ---- wishlist ----

/// When the course went on the person's wishlist (a ULID's bits), if it is there.
pub fn wished_at(r: &impl Readable, user: UserId, course: CourseId) -> StoreResult<Option<u128>> {
    r.get(WISHLIST, &(user.key(), course.key()))
}

pub fn add_wish(tx: &mut Tx<'_>, user: UserId, course: CourseId, added: u128) -> Result<()> {
    tx.put(WISHLIST, &(user.key(), course.key()), &added)?;
    tx.put(WISHLIST_BY_TIME, &(user.key(), added), &course.key())?;
    Ok(())
}

pub fn remove_wish(tx: &mut Tx<'_>, user: UserId, course: CourseId, added: u128) -> Result<()> {
    tx.remove(WISHLIST, &(user.key(), course.key()))?;
    tx.remove(WISHLIST_BY_TIME, &(user.key(), added))?;
    Ok(())
}

/// (added, course key) pairs, newest first, from `through` down, at most `limit`.
pub fn wishes_of(
    r: &impl Readable,
    user: UserId,
    through: u128,
    limit: usize,
) -> StoreResult<Vec<(u128, u128)>> {
    let u = user.key();
    Ok(r.range_rev(WISHLIST_BY_TIME, (u, 0)..=(u, through), limit)?
        .into_iter()
        .map(|((_, added), c)| (added, c))
        .collect())
}

// ---- notifications ----

pub fn notification(
    r: &impl Readable,
    user: UserId,
    id: NotificationId,
) -> StoreResult<Option<NotificationRecord>> {
    r.get(NOTIFICATIONS, &(user.key(), id.key()))
}

/// A person's notifications by id, newest first, from `through` down, at most `limit`.
pub fn notifications_of(
    r: &impl Readable,
    user: UserId,
    through: u128,
    limit: usize,
) -> StoreResult<Vec<(u128, NotificationRecord)>> {
    let u = user.key();
    Ok(r.range_rev(NOTIFICATIONS, (u, 0)..=(u, through), limit)?
        .into_iter()
        .map(|((_, n), rec)| (n, rec))
        .collect())
}

pub fn save_notification(
    tx: &mut Tx<'_>,
    user: UserId,
    id: NotificationId,
    n: &NotificationRecord,
) -> Result<()> {
    Ok(tx.put(NOTIFICATIONS, &(user.key(), id.key()), n)?)
}

pub fn set_unread_count(tx: &mut Tx<'_>, user: UserId, count: u64) -> Result<()> {
    Ok(tx.put(NOTIFICATIONS_UNREAD, &user.key(), &count)?)
}

pub fn notify(
    tx: &mut Tx<'_>,
    user: UserId,
    kind: NotificationKind,
    title: String,
    body: String,
    link: String,
    now: Timestamp,
) -> Result<()> {
    let n = NotificationRecord {
        id: NotificationId::generate(),
        kind,
        title,
        body,
        link,
        read: false,
        created_at: now,
    };
    tx.put(NOTIFICATIONS, &(user.key(), n.id.key()), &n)?;
    let unread = tx.get(NOTIFICATIONS_UNREAD, &user.key())?.unwrap_or(0);
    tx.put(NOTIFICATIONS_UNREAD, &user.key(), &(unread + 1))?;
    Ok(())
}

pub fn unread_count(r: &impl Readable, user: UserId) -> StoreResult<u64> {
    Ok(r.get(NOTIFICATIONS_UNREAD, &user.key())?.unwrap_or(0))
}

/// Deletes every notification of a deleted account (their texts may name it).
pub fn forget_notifications(tx: &mut Tx<'_>, user: UserId) -> Result<()> {
    let u = user.key();
    for (key, _) in tx.range(NOTIFICATIONS, (u, 0)..=(u, u128::MAX), usize::MAX)? {
        tx.remove(NOTIFICATIONS, &key)?;
    }
    tx.remove(NOTIFICATIONS_UNREAD, &u)?;
    Ok(())
}
