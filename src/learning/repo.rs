//! Learning records (enrollments, completions, reviews, wishlist, notifications) and every read
//! and write of their tables.

use serde::{Deserialize, Serialize};

use crate::catalog::repo::CourseRecord;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{CourseId, LessonId, NotificationId, ReviewId, UserId};
use crate::schema::*;
use crate::store::{StoreResult, Tx};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Enrolled,
    CourseCompleted,
    NewReview,
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
    rtx: &redb::ReadTransaction,
    user: UserId,
    course: CourseId,
) -> StoreResult<Option<EnrollmentRecord>> {
    ENROLLMENTS.get(rtx, &(user.key(), course.key()))
}

pub fn enrollment_tx(tx: &Tx<'_>, user: UserId, course: CourseId) -> Result<Option<EnrollmentRecord>> {
    Ok(tx.get(ENROLLMENTS, &(user.key(), course.key()))?)
}

pub fn save_enrollment(tx: &mut Tx<'_>, user: UserId, course: CourseId, e: &EnrollmentRecord) -> Result<()> {
    tx.put(ENROLLMENTS, &(user.key(), course.key()), e)?;
    tx.put(ENROLLMENTS_BY_COURSE, &(course.key(), user.key()), &())?;
    Ok(())
}

pub fn completed_lesson_ids(
    rtx: &redb::ReadTransaction,
    user: UserId,
    course: CourseId,
) -> StoreResult<Vec<LessonId>> {
    let (u, c) = (user.key(), course.key());
    Ok(COMPLETIONS
        .range(rtx, (u, c, 0)..=(u, c, u128::MAX), false, usize::MAX)?
        .into_iter()
        .map(|((_, _, l), _)| LessonId::from_key(l))
        .collect())
}

pub fn is_completed(tx: &Tx<'_>, user: UserId, course: CourseId, lesson: LessonId) -> Result<bool> {
    Ok(tx.contains(COMPLETIONS, &(user.key(), course.key(), lesson.key()))?)
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
        if let Some(mut e) = enrollment_tx(tx, user, course)? {
            e.completed_lessons = e.completed_lessons.saturating_sub(1);
            save_enrollment(tx, user, course, &e)?;
        }
    }
    Ok(())
}

/// Lessons were removed: active students who now have every remaining lesson are finished.
pub fn complete_finished_students(tx: &mut Tx<'_>, course: &CourseRecord, now: Timestamp) -> Result<()> {
    if course.total_lessons == 0 {
        return Ok(());
    }
    let c = course.id.key();
    for ((_, u), ()) in tx.range(ENROLLMENTS_BY_COURSE, (c, 0)..=(c, u128::MAX), usize::MAX)? {
        let user = UserId::from_key(u);
        if let Some(mut e) = enrollment_tx(tx, user, course.id)?
            && e.status == EnrollmentStatus::Active
            && e.completed_lessons >= course.total_lessons
        {
            e.status = EnrollmentStatus::Completed;
            e.completed_at = Some(now);
            save_enrollment(tx, user, course.id, &e)?;
        }
    }
    Ok(())
}

// ---- notifications ----

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

pub fn unread_count(rtx: &redb::ReadTransaction, user: UserId) -> StoreResult<u64> {
    Ok(NOTIFICATIONS_UNREAD.get(rtx, &user.key())?.unwrap_or(0))
}
