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
    /// The last time the student marked a lesson (absent: nothing since enrolling).
    #[serde(default)]
    pub last_activity_at: Option<Timestamp>,
}

impl EnrollmentRecord {
    /// When the student last did something in the course: enrolled or marked a lesson.
    pub fn last_activity(&self) -> Timestamp {
        self.last_activity_at.map_or(self.enrolled_at, |t| t.max(self.enrolled_at))
    }

    /// The day it counts as completed on, if it is.
    pub fn completed_day(&self) -> Option<u32> {
        (self.status == EnrollmentStatus::Completed)
            .then(|| self.completed_at.unwrap_or(self.enrolled_at).day())
    }
}

/// One course's day in the analytics counters (`course_days`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Enrollments that began this day and are still held (a refund that ends one takes it off).
    #[serde(default)]
    pub enrollments: u64,
    /// Enrollments completed this day.
    #[serde(default)]
    pub completions: u64,
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
    /// Someone answered the reader's question under a lesson.
    QuestionAnswered,
    /// The teacher accepted an answer to the reader's question.
    AnswerAccepted,
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

/// Saves an enrollment (new or changed); the analytics counters follow.
pub fn save_enrollment(tx: &mut Tx<'_>, user: UserId, course: CourseId, e: &EnrollmentRecord) -> Result<()> {
    let before = enrollment(tx, user, course)?;
    tx.put(ENROLLMENTS, &(user.key(), course.key()), e)?;
    tx.put(ENROLLMENTS_BY_COURSE, &(course.key(), user.key()), &())?;
    move_enrollment_counters(tx, user, course, before.as_ref(), Some(e))
}

/// Removes an enrollment (its completions stay, should the student come back).
pub fn remove_enrollment(tx: &mut Tx<'_>, user: UserId, course: CourseId) -> Result<bool> {
    let Some(before) = enrollment(tx, user, course)? else { return Ok(false) };
    tx.remove(ENROLLMENTS_BY_COURSE, &(course.key(), user.key()))?;
    tx.remove(ENROLLMENTS, &(user.key(), course.key()))?;
    move_enrollment_counters(tx, user, course, Some(&before), None)?;
    Ok(true)
}

/// Moves the analytics counters of one enrollment from how it was to how it is: its day of
/// enrollment, its day of completion, its place in the activity index.
fn move_enrollment_counters(
    tx: &mut Tx<'_>,
    user: UserId,
    course: CourseId,
    before: Option<&EnrollmentRecord>,
    after: Option<&EnrollmentRecord>,
) -> Result<()> {
    let (u, c) = (user.key(), course.key());
    let mut deltas: std::collections::BTreeMap<u32, (i64, i64)> = Default::default();
    for (e, sign) in before.map(|e| (e, -1)).into_iter().chain(after.map(|e| (e, 1))) {
        deltas.entry(e.enrolled_at.day()).or_default().0 += sign;
        if let Some(day) = e.completed_day() {
            deltas.entry(day).or_default().1 += sign;
        }
    }
    for (day, (enrolled, completed)) in deltas {
        if enrolled == 0 && completed == 0 {
            continue;
        }
        let mut d = tx.get(COURSE_DAYS, &(c, day))?.unwrap_or_default();
        d.enrollments = d.enrollments.saturating_add_signed(enrolled);
        d.completions = d.completions.saturating_add_signed(completed);
        if d == DayCounts::default() {
            tx.remove(COURSE_DAYS, &(c, day))?;
        } else {
            tx.put(COURSE_DAYS, &(c, day), &d)?;
        }
    }
    let old = before.map(|e| e.last_activity().millis());
    let new = after.map(|e| e.last_activity().millis());
    if old != new {
        if let Some(at) = old {
            tx.remove(ACTIVITY_BY_COURSE, &(c, at, u))?;
        }
        if let Some(at) = new {
            tx.put(ACTIVITY_BY_COURSE, &(c, at, u), &())?;
        }
    }
    Ok(())
}

// ---- analytics counters (read side) ----

/// A course's days `from..=to` that have enrollments or completions, in order.
pub fn course_days(
    r: &impl Readable,
    course: CourseId,
    from: u32,
    to: u32,
) -> StoreResult<Vec<(u32, DayCounts)>> {
    let c = course.key();
    Ok(r.range(COURSE_DAYS, (c, from)..=(c, to), usize::MAX)?.into_iter().map(|((_, d), n)| (d, n)).collect())
}

/// Students of a course active (enrolled or marked a lesson) at or after `since`.
pub fn active_since(r: &impl Readable, course: CourseId, since: Timestamp) -> StoreResult<u64> {
    let c = course.key();
    r.count(ACTIVITY_BY_COURSE, (c, since.millis(), 0)..=(c, i64::MAX, u128::MAX))
}

/// How many students have completed a lesson.
pub fn lesson_completed(r: &impl Readable, lesson: LessonId) -> StoreResult<u64> {
    Ok(r.get(LESSON_COMPLETED, &lesson.key())?.unwrap_or(0))
}

/// A course's published reviews per rating, index 0 for one star.
pub fn rating_histogram(r: &impl Readable, course: CourseId) -> StoreResult<[u64; 5]> {
    let c = course.key();
    let mut out = [0; 5];
    for ((_, rating), n) in r.range(COURSE_RATINGS, (c, 1)..=(c, 5), 5)? {
        out[usize::from(rating - 1)] = n;
    }
    Ok(out)
}

/// Students of a course by id after `after`, at most `limit`.
pub fn students_of(
    r: &impl Readable,
    course: CourseId,
    after: Option<u128>,
    limit: usize,
) -> StoreResult<Vec<UserId>> {
    use std::ops::Bound::{Excluded, Included};
    let c = course.key();
    let start = after.map_or(Included((c, 0)), |a| Excluded((c, a)));
    Ok(r.range(ENROLLMENTS_BY_COURSE, (start, Included((c, u128::MAX))), limit)?
        .into_iter()
        .map(|((_, u), ())| UserId::from_key(u))
        .collect())
}

fn add_count<K: crate::store::table::KeyType>(
    tx: &mut Tx<'_>,
    t: crate::store::table::Table<K, u64>,
    key: &K,
    delta: i64,
) -> Result<()> {
    let n = tx.get(t, key)?.unwrap_or(0).saturating_add_signed(delta);
    if n == 0 {
        tx.remove(t, key)?;
    } else {
        tx.put(t, key, &n)?;
    }
    Ok(())
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
    if !tx.contains(COMPLETIONS_BY_LESSON, &(lesson.key(), user.key()))? {
        tx.put(COMPLETIONS_BY_LESSON, &(lesson.key(), user.key()), &())?;
        add_count(tx, LESSON_COMPLETED, &lesson.key(), 1)?;
    }
    Ok(())
}

pub fn unmark_completed(tx: &mut Tx<'_>, user: UserId, course: CourseId, lesson: LessonId) -> Result<()> {
    tx.remove(COMPLETIONS, &(user.key(), course.key(), lesson.key()))?;
    if tx.remove(COMPLETIONS_BY_LESSON, &(lesson.key(), user.key()))? {
        add_count(tx, LESSON_COMPLETED, &lesson.key(), -1)?;
    }
    Ok(())
}

/// A lesson is being deleted: forget every completion of it and fix the students' counters.
pub fn forget_lesson(tx: &mut Tx<'_>, course: CourseId, lesson: LessonId) -> Result<()> {
    forget_attempts(tx, lesson)?;
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

// ---- quiz attempts ----

/// One graded attempt at a quiz.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub at: Timestamp,
    pub score_percent: u32,
    pub passed: bool,
    /// Which questions were right, in order.
    pub correct: Vec<bool>,
    pub responses: Vec<crate::catalog::quiz::Response>,
}

/// One question's counters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QuestionStats {
    pub attempts: u64,
    pub correct: u64,
}

/// A quiz's counters: every recorded attempt, the passing ones, and per question of the quiz's
/// current `version` (replacing the questions starts those again).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QuizStats {
    pub attempts: u64,
    pub passed: u64,
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub questions: Vec<QuestionStats>,
}

/// How many attempts `user` made at the quiz `lesson`.
pub fn attempts_used(r: &impl Readable, lesson: LessonId, user: UserId) -> StoreResult<u32> {
    let (l, u) = (lesson.key(), user.key());
    Ok(r.range(QUIZ_ATTEMPTS, (l, u, 0)..=(l, u, u32::MAX), usize::MAX)?.len() as u32)
}

/// `user`'s attempts at `lesson`, oldest first.
pub fn attempts_of(r: &impl Readable, lesson: LessonId, user: UserId) -> StoreResult<Vec<AttemptRecord>> {
    let (l, u) = (lesson.key(), user.key());
    Ok(r.range(QUIZ_ATTEMPTS, (l, u, 0)..=(l, u, u32::MAX), usize::MAX)?
        .into_iter()
        .map(|(_, a)| a)
        .collect())
}

/// Records attempt number `n` and moves the quiz's counters, in the caller's unit of work.
pub fn insert_attempt(
    tx: &mut Tx<'_>,
    lesson: LessonId,
    user: UserId,
    n: u32,
    version: u32,
    a: &AttemptRecord,
) -> Result<()> {
    tx.put(QUIZ_ATTEMPTS, &(lesson.key(), user.key(), n), a)?;
    let mut s = tx.get(QUIZ_STATS, &lesson.key())?.unwrap_or_default();
    s.attempts += 1;
    s.passed += u64::from(a.passed);
    if s.version != version || s.questions.len() != a.correct.len() {
        s.version = version;
        s.questions = vec![QuestionStats::default(); a.correct.len()];
    }
    for (q, ok) in s.questions.iter_mut().zip(&a.correct) {
        q.attempts += 1;
        q.correct += u64::from(*ok);
    }
    tx.put(QUIZ_STATS, &lesson.key(), &s)?;
    Ok(())
}

pub fn quiz_stats(r: &impl Readable, lesson: LessonId) -> StoreResult<Option<QuizStats>> {
    r.get(QUIZ_STATS, &lesson.key())
}

/// A lesson is being deleted: its attempts and counters go too.
pub fn forget_attempts(tx: &mut Tx<'_>, lesson: LessonId) -> Result<()> {
    let l = lesson.key();
    loop {
        let keys = tx.range(QUIZ_ATTEMPTS, (l, 0, 0)..=(l, u128::MAX, u32::MAX), 500)?;
        if keys.is_empty() {
            break;
        }
        for (k, _) in keys {
            tx.remove(QUIZ_ATTEMPTS, &k)?;
        }
    }
    tx.remove(QUIZ_STATS, &l)?;
    Ok(())
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
    index_review(tx, None, r)?;
    move_rating(tx, None, Some(r))
}

/// Saves a changed review; `before` is how it was stored (for its secondary indexes).
pub fn save_review(tx: &mut Tx<'_>, before: &ReviewRecord, r: &ReviewRecord) -> Result<()> {
    tx.put(REVIEWS, &r.id.key(), r)?;
    index_review(tx, Some(before), r)?;
    move_rating(tx, Some(before), Some(r))
}

/// The rating histogram counts published reviews only, as `review_count` and `rating_sum` do.
fn move_rating(tx: &mut Tx<'_>, before: Option<&ReviewRecord>, after: Option<&ReviewRecord>) -> Result<()> {
    let key = |r: &ReviewRecord| r.is_published().then(|| (r.course_id.key(), r.rating));
    let (old, new) = (before.and_then(key), after.and_then(key));
    if old != new {
        if let Some(k) = old {
            add_count(tx, COURSE_RATINGS, &k, -1)?;
        }
        if let Some(k) = new {
            add_count(tx, COURSE_RATINGS, &k, 1)?;
        }
    }
    Ok(())
}

pub fn remove_review(tx: &mut Tx<'_>, r: &ReviewRecord) -> Result<()> {
    tx.remove(REVIEWS, &r.id.key())?;
    tx.remove(REVIEWS_BY_COURSE, &(r.course_id.key(), r.id.key()))?;
    tx.remove(REVIEWS_BY_AUTHOR, &(r.author_id.key(), r.course_id.key()))?;
    tx.remove(REVIEWS_PENDING, &r.id.key())?;
    if let Some(fp) = crate::screen::fingerprint(&r.text_md) {
        tx.remove(REVIEW_FINGERPRINTS, &(fp, r.id.key()))?;
    }
    move_rating(tx, Some(r), None)
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
