//! Learning rules, free of HTTP: enrolling, progress and completion, reviews, wishlist,
//! notifications. Every counter a course shows moves in the same unit as its cause.

use std::sync::Arc;

use super::events::{Hooks, LearningEvent};
use super::locks::{self, Lock};
use super::repo::{
    self, EnrollmentRecord, EnrollmentStatus, NotificationKind, NotificationRecord, ReviewRecord,
    ReviewStatus,
};
use crate::catalog::Catalog;
use crate::catalog::events::CurriculumEvent;
use crate::catalog::quiz;
use crate::catalog::repo::{self as catalog, CourseRecord, LessonRecord};
use crate::catalog::service::{Opening, can_view};
use crate::catalog::types::LessonKind;
use crate::clock::{Clock, Timestamp};
use crate::error::{Code, Error, Result};
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::{CourseId, LessonId, NotificationId, ReviewId, UserId};
use crate::richtext::{Profile, render_markdown};
use crate::screen::{self, Author, Screen, Verdict};
use crate::store::page::{Page, page_from};
use crate::store::{Store, Tx};

#[derive(Debug, Clone)]
pub struct Progress {
    pub completed_lesson_ids: Vec<LessonId>,
    pub completed_lessons: u32,
    pub total_lessons: u32,
    pub percent: u32,
    pub status: EnrollmentStatus,
}

pub fn percent(done: u32, total: u32) -> u32 {
    (done.min(total) * 100).checked_div(total).unwrap_or(0)
}

/// A person's relation to one course.
#[derive(Debug, Default)]
pub struct Standing {
    pub enrollment: Option<EnrollmentRecord>,
    pub wished: bool,
    pub reviewed: bool,
}

pub struct Learning {
    pub(super) store: Store,
    clock: Arc<Clock>,
    catalog: Arc<Catalog>,
    hooks: Hooks,
    screen: Arc<Screen>,
}

fn not_enrolled() -> Error {
    Error::Forbidden { code: Code::NotEnrolled, detail: "Enroll in the course first.".into() }
}

/// `who` is not enrolled in `c`: 403, unless `c` is a course they may not know exists.
fn not_enrolled_in(who: &UserRecord, c: &CourseRecord) -> Error {
    if can_view(Some(who), c) { not_enrolled() } else { Error::NotFound }
}

fn progress_in(tx: &Tx<'_>, user: UserId, course: &CourseRecord, e: &EnrollmentRecord) -> Result<Progress> {
    let ids = super::repo::completed_lesson_ids(tx, user, course.id)?;
    Ok(Progress {
        completed_lessons: e.completed_lessons,
        total_lessons: course.total_lessons,
        percent: percent(e.completed_lessons, course.total_lessons),
        status: e.status,
        completed_lesson_ids: ids,
    })
}

/// A graded attempt, as the API answers it.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub graded: quiz::Graded,
    /// Per question: right or not, and the teacher's feedback.
    pub per_question: Vec<(bool, Option<String>)>,
    pub attempts_used: u32,
    pub attempts_left: Option<u32>,
    /// False for the teacher's and admins' tries.
    pub recorded: bool,
    pub progress: Option<Progress>,
}

/// A student's attempts at one quiz.
#[derive(Debug, Clone, Default)]
pub struct QuizStanding {
    pub used: u32,
    pub best: Option<u32>,
    pub passed: bool,
    pub last: Option<repo::AttemptRecord>,
}

/// The course's teacher or an admin: never locked, never recorded.
fn owns(who: &UserRecord, c: &CourseRecord) -> bool {
    who.id == c.teacher_id || who.role == Role::Admin
}

/// A lesson of a locked module is closed to the enrolled student `e` (preview lessons of a
/// published course are open to everyone, so they are never locked).
fn check_open(
    tx: &Tx<'_>,
    who: &UserRecord,
    c: &CourseRecord,
    l: &LessonRecord,
    e: &EnrollmentRecord,
    now: Timestamp,
) -> Result<()> {
    if owns(who, c) || (l.is_preview && c.is_published()) {
        return Ok(());
    }
    let m = catalog::get_module(tx, l.module_id)?;
    match locks::module_lock(tx, &m, Some((who.id, e.enrolled_at)), now)? {
        Some(lock) => Err(Error::LessonLocked(Box::new(lock.problem()))),
        None => Ok(()),
    }
}

/// Records `lesson` as done for `user` in the caller's unit of work; the last lesson completes
/// the course (its notification, and `hooks` hear of it: the certificate).
fn mark_done(
    tx: &mut Tx<'_>,
    hooks: &Hooks,
    user: UserId,
    c: &CourseRecord,
    lesson: LessonId,
    e: &mut EnrollmentRecord,
    now: Timestamp,
) -> Result<()> {
    e.last_activity_at = Some(now);
    repo::mark_completed(tx, user, c.id, lesson, now)?;
    e.completed_lessons += 1;
    if e.status == EnrollmentStatus::Active && e.completed_lessons >= c.total_lessons {
        e.status = EnrollmentStatus::Completed;
        e.completed_at = Some(now);
        repo::notify(
            tx,
            user,
            NotificationKind::CourseCompleted,
            format!("You completed “{}”", c.title),
            "Well done! Tell others what you thought of the course in a review.".into(),
            format!("/courses/{}", c.slug),
            now,
        )?;
        repo::save_enrollment(tx, user, c.id, e)?;
        hooks.publish(tx, &LearningEvent::Completed { user, course: c, now })?;
    } else {
        repo::save_enrollment(tx, user, c.id, e)?;
    }
    Ok(())
}

/// Keeps completions and enrollments true when the catalog drops lessons (subscribed to the
/// catalog's curriculum events when the app is assembled; runs in the catalog's unit of work).
/// Students finished this way are announced to `hooks` like any other completion.
pub fn on_curriculum_change(tx: &mut Tx<'_>, event: &CurriculumEvent<'_>, hooks: &Hooks) -> Result<()> {
    match *event {
        CurriculumEvent::LessonRemoved { course, lesson } => {
            super::repo::forget_lesson(tx, course.id, lesson)
        }
        CurriculumEvent::Shrunk { course, now } => {
            for user in super::repo::complete_finished_students(tx, course, now)? {
                hooks.publish(tx, &LearningEvent::Completed { user, course, now })?;
            }
            Ok(())
        }
    }
}

/// Enrolls `user` in `c` inside a unit of work (free enrollment, or a paid order's): the
/// enrollment, the course's student count and the welcome notification change together, and
/// `hooks` hear of it in the same unit (the enrollment email, reminder state).
pub fn enroll_in(
    tx: &mut Tx<'_>,
    hooks: &Hooks,
    user: UserId,
    c: &mut CourseRecord,
    now: Timestamp,
) -> Result<EnrollmentRecord> {
    if repo::enrollment(tx, user, c.id)?.is_some() {
        return Err(Error::Conflict {
            code: Code::AlreadyEnrolled,
            detail: "You are already enrolled.".into(),
        });
    }
    let e = EnrollmentRecord {
        status: EnrollmentStatus::Active,
        enrolled_at: now,
        completed_at: None,
        completed_lessons: 0,
        last_activity_at: None,
    };
    repo::save_enrollment(tx, user, c.id, &e)?;
    c.student_count += 1;
    catalog::save_counters(tx, c)?;
    repo::notify(
        tx,
        user,
        NotificationKind::Enrolled,
        format!("You are enrolled in “{}”", c.title),
        "Your progress is saved as you go. Start with the first lesson.".into(),
        format!("/courses/{}", c.slug),
        now,
    )?;
    hooks.publish(tx, &LearningEvent::Enrolled { user, course: c, now })?;
    Ok(e)
}

/// Ends `user`'s enrollment in `c` inside a unit of work (a fully refunded order): the course
/// is no longer theirs to open. False if they were not enrolled.
pub fn unenroll_in(tx: &mut Tx<'_>, user: UserId, c: &mut CourseRecord) -> Result<bool> {
    if !repo::remove_enrollment(tx, user, c.id)? {
        return Ok(false);
    }
    c.student_count = c.student_count.saturating_sub(1);
    catalog::save_counters(tx, c)?;
    Ok(true)
}

/// Screens a review's text with what is known of its author: how old the account is, how many
/// reviews they wrote in the last minutes, and whether the same text is on other courses.
fn screen_review(
    tx: &Tx<'_>,
    screen: &Screen,
    author: UserId,
    course: CourseId,
    text: &str,
    now: Timestamp,
) -> Result<Verdict> {
    let created = crate::identity::repo::user(tx, author)?.map_or(now, |u| u.created_at);
    let since = Timestamp(now.millis() - screen::BURST_MINUTES * 60_000);
    let recent = repo::reviews_since(tx, author, since)?;
    let copies = match screen::fingerprint(text) {
        Some(fp) => repo::courses_with_text(tx, fp, course)?,
        None => 0,
    };
    Ok(screen.review(
        text,
        Author {
            account_age_minutes: (now.millis() - created.millis()) / 60_000,
            recent_reviews: recent,
            same_text_elsewhere: copies,
        },
    ))
}

fn apply_verdict(r: &mut ReviewRecord, v: &Verdict) {
    if v.hold() {
        r.status = ReviewStatus::Pending;
        r.flags = v.codes();
        r.evidence = v.evidence.clone();
    } else {
        r.status = ReviewStatus::Published;
        r.flags.clear();
        r.evidence.clear();
    }
}

/// Moves a course's rating counters from how a review was (`before`) to how it is (`after`):
/// only published reviews count.
fn move_counters(c: &mut CourseRecord, before: &ReviewRecord, after: &ReviewRecord) {
    if before.is_published() {
        c.review_count = c.review_count.saturating_sub(1);
        c.rating_sum = c.rating_sum.saturating_sub(u64::from(before.rating));
    }
    if after.is_published() {
        c.review_count += 1;
        c.rating_sum += u64::from(after.rating);
    }
}

/// A review became public: it counts in the rating, its teacher hears of it, and so do
/// learning's subscribers (the teacher's digest).
fn announce_review(
    tx: &mut Tx<'_>,
    hooks: &Hooks,
    c: &mut CourseRecord,
    r: &ReviewRecord,
    now: Timestamp,
) -> Result<()> {
    c.review_count += 1;
    c.rating_sum += u64::from(r.rating);
    catalog::save_counters(tx, c)?;
    repo::notify(
        tx,
        c.teacher_id,
        NotificationKind::NewReview,
        format!("New {}★ review of “{}”", r.rating, c.title),
        crate::richtext::plain_text(&r.text_html).chars().take(200).collect(),
        format!("/courses/{}#reviews", c.slug),
        now,
    )?;
    hooks.publish(tx, &LearningEvent::Reviewed { review: r, course: c })
}

/// Sets a review's status inside the caller's unit of work (an admin's decision): the course's
/// rating counters follow, and a review published for the first time is announced as a new
/// one would be. Returns the review as it was and the course as it now is.
pub fn set_review_status(
    tx: &mut Tx<'_>,
    hooks: &Hooks,
    id: ReviewId,
    status: ReviewStatus,
    now: Timestamp,
) -> Result<(ReviewRecord, ReviewRecord, CourseRecord)> {
    let before = repo::get_review(tx, id)?;
    let mut c = catalog::get_course(tx, before.course_id)?;
    let mut r = before.clone();
    r.status = status;
    repo::save_review(tx, &before, &r)?;
    if status == ReviewStatus::Published && before.status == ReviewStatus::Pending {
        announce_review(tx, hooks, &mut c, &r, now)?;
    } else {
        move_counters(&mut c, &before, &r);
        catalog::save_counters(tx, &c)?;
    }
    Ok((before, r, c))
}

impl Learning {
    /// A lesson with its body, if `who` may read it: the teacher, admins, enrolled students,
    /// or anyone for a preview lesson of a published course.
    pub async fn lesson(
        &self,
        id: LessonId,
        who: Option<&UserRecord>,
    ) -> Result<(Arc<CourseRecord>, LessonRecord)> {
        let (course, l, opening) = self.catalog.lesson(id, who).await?;
        if opening == Opening::Open {
            return Ok((course, l));
        }
        let Some(user) = who else { return Err(Error::unauthenticated()) };
        let (uid, cid, module, now) = (user.id, course.id, l.module_id, self.clock.now());
        let found = self.store.get(|rtx| {
            let Some(e) = super::repo::enrollment(rtx, uid, cid)? else { return Ok(None) };
            let m = catalog::get_module(rtx, module)?;
            Ok(Some(locks::module_lock(rtx, &m, Some((uid, e.enrolled_at)), now)?))
        })?;
        if let Some(lock) = found {
            match lock {
                Some(lock) => Err(Error::LessonLocked(Box::new(lock.problem()))),
                None => Ok((course, l)),
            }
        } else {
            Err(Error::Forbidden {
                code: Code::NotEnrolled,
                detail: "Enroll in the course to open this lesson.".into(),
            })
        }
    }

    pub fn new(
        store: Store,
        clock: Arc<Clock>,
        catalog: Arc<Catalog>,
        hooks: Hooks,
        screen: Arc<Screen>,
    ) -> Learning {
        Learning { store, clock, catalog, hooks, screen }
    }

    /// Learning's subscribers, for a domain above that changes a review's status in its own
    /// unit of work ([`set_review_status`]).
    pub fn hooks(&self) -> &Hooks {
        &self.hooks
    }

    /// Enrolls `who` in a free, published course.
    pub async fn enroll(
        &self,
        who: &UserRecord,
        course: CourseId,
    ) -> Result<(Arc<CourseRecord>, EnrollmentRecord)> {
        let c = self.catalog.course(&course.to_string(), Some(who)).await?;
        if !c.is_published() {
            return Err(Error::Conflict {
                code: Code::NotPublished,
                detail: "This course is not open for enrollment.".into(),
            });
        }
        if !c.is_free() {
            return Err(Error::PaymentRequired);
        }
        let (now, user, hooks) = (self.clock.now(), who.id, self.hooks.clone());
        let (pos, c, e) = self
            .store
            .write(move |tx| {
                let mut c = catalog::get_course(tx, course)?;
                let e = enroll_in(tx, &hooks, user, &mut c, now)?;
                Ok((tx.position(), c, e))
            })
            .await?;
        self.catalog.cache_course(pos, &c);
        Ok((Arc::new(c), e))
    }

    pub async fn progress(&self, who: &UserRecord, course: CourseId) -> Result<Progress> {
        let (user, who) = (who.id, who.clone());
        self.store
            .read(move |rtx| {
                let c = catalog::course(rtx, course)?.ok_or(Error::NotFound)?;
                let Some(e) = repo::enrollment(rtx, user, course)? else {
                    return Err(not_enrolled_in(&who, &c));
                };
                let ids = repo::completed_lesson_ids(rtx, user, course)?;
                Ok(Progress {
                    completed_lessons: e.completed_lessons,
                    total_lessons: c.total_lessons,
                    percent: percent(e.completed_lessons, c.total_lessons),
                    status: e.status,
                    completed_lesson_ids: ids,
                })
            })
            .await
    }

    /// Marks a lesson done (idempotent). The last lesson completes the course. A quiz lesson is
    /// completed by passing it ([`Learning::attempt`]), and a locked one not at all.
    pub async fn complete(&self, who: &UserRecord, lesson: LessonId, done: bool) -> Result<Progress> {
        let (user, now, who, hooks) = (who.id, self.clock.now(), who.clone(), self.hooks.clone());
        self.store
            .write(move |tx| {
                let l = catalog::get_lesson(tx, lesson)?;
                let c = catalog::get_course(tx, l.course_id)?;
                let Some(mut e) = repo::enrollment(tx, user, c.id)? else {
                    return Err(not_enrolled_in(&who, &c));
                };
                check_open(tx, &who, &c, &l, &e, now)?;
                if l.kind == LessonKind::Quiz {
                    return Err(Error::Conflict {
                        code: Code::QuizRequired,
                        detail: "A quiz is completed by passing it: submit an attempt.".into(),
                    });
                }
                let already = repo::is_completed(tx, user, c.id, lesson)?;
                if done && !already {
                    mark_done(tx, &hooks, user, &c, lesson, &mut e, now)?;
                } else if !done && already {
                    // A finished course stays finished: un-marking a lesson only changes progress.
                    e.last_activity_at = Some(now);
                    repo::unmark_completed(tx, user, c.id, lesson)?;
                    e.completed_lessons = e.completed_lessons.saturating_sub(1);
                    repo::save_enrollment(tx, user, c.id, &e)?;
                }
                progress_in(tx, user, &c, &e)
            })
            .await
    }

    /// Grades an attempt at a quiz. An enrolled student's attempt is recorded, counted against
    /// `max_attempts` (counted and written in one unit of work, so concurrent submissions cannot
    /// exceed it) and in the quiz's counters; a pass completes the lesson as marking it would.
    /// The course's teacher and admins may try it: graded, never recorded.
    pub async fn attempt(
        &self,
        who: &UserRecord,
        lesson: LessonId,
        answers: Vec<serde_json::Value>,
    ) -> Result<AttemptResult> {
        let (user, now, who, hooks) = (who.id, self.clock.now(), who.clone(), self.hooks.clone());
        self.store
            .write(move |tx| {
                let l = catalog::get_lesson(tx, lesson)?;
                let c = catalog::get_course(tx, l.course_id)?;
                let quiz = match (&l.kind, &l.quiz) {
                    (LessonKind::Quiz, Some(q)) => q.clone(),
                    _ if !can_view(Some(&who), &c) => return Err(Error::NotFound),
                    _ => {
                        return Err(Error::Conflict {
                            code: Code::NotAQuiz,
                            detail: "This lesson is not a quiz.".into(),
                        });
                    }
                };
                let staff = owns(&who, &c);
                let enrollment = repo::enrollment(tx, user, c.id)?;
                if !staff && enrollment.is_none() {
                    return Err(not_enrolled_in(&who, &c));
                }
                let rs = quiz::responses(&quiz, &answers).map_err(Error::Validation)?;
                let g = quiz::grade(&quiz, &rs);
                let per_question =
                    quiz.questions.iter().zip(&g.correct).map(|(q, ok)| (*ok, q.feedback.clone())).collect();
                let Some(mut e) = enrollment.filter(|_| !staff) else {
                    return Ok(AttemptResult {
                        graded: g,
                        per_question,
                        attempts_used: 0,
                        attempts_left: quiz.max_attempts,
                        recorded: false,
                        progress: None,
                    });
                };
                check_open(tx, &who, &c, &l, &e, now)?;
                let used = repo::attempts_used(tx, lesson, user)?;
                if quiz.max_attempts.is_some_and(|max| used >= max) {
                    return Err(Error::Conflict {
                        code: Code::NoAttemptsLeft,
                        detail: "You have used every attempt at this quiz.".into(),
                    });
                }
                let record = repo::AttemptRecord {
                    at: now,
                    score_percent: g.score_percent,
                    passed: g.passed,
                    correct: g.correct.clone(),
                    responses: rs,
                };
                repo::insert_attempt(tx, lesson, user, used + 1, quiz.version, &record)?;
                if g.passed && !repo::is_completed(tx, user, c.id, lesson)? {
                    mark_done(tx, &hooks, user, &c, lesson, &mut e, now)?;
                } else {
                    e.last_activity_at = Some(now);
                    repo::save_enrollment(tx, user, c.id, &e)?;
                }
                let progress = progress_in(tx, user, &c, &e)?;
                Ok(AttemptResult {
                    graded: g,
                    per_question,
                    attempts_used: used + 1,
                    attempts_left: quiz.max_attempts.map(|m| m.saturating_sub(used + 1)),
                    recorded: true,
                    progress: Some(progress),
                })
            })
            .await
    }

    /// A student's standing in a quiz: attempts used, the best and last scores, whether passed.
    pub async fn quiz_standing(&self, who: &UserRecord, lesson: LessonId) -> Result<QuizStanding> {
        let user = who.id;
        self.store
            .read(move |rtx| {
                let attempts = repo::attempts_of(rtx, lesson, user)?;
                Ok(QuizStanding {
                    used: attempts.len() as u32,
                    best: attempts.iter().map(|a| a.score_percent).max(),
                    passed: attempts.iter().any(|a| a.passed),
                    last: attempts.last().cloned(),
                })
            })
            .await
    }

    /// The lock on each module of `course` for `who`, in the curriculum's order (`None`: open).
    /// Teachers of the course and admins see everything open.
    pub async fn locks(&self, who: Option<&UserRecord>, course: &CourseRecord) -> Result<Vec<Option<Lock>>> {
        let (cid, now) = (course.id, self.clock.now());
        let staff = who.is_some_and(|u| owns(u, course));
        let user = who.map(|u| u.id);
        self.store
            .read(move |rtx| {
                let student = match user {
                    Some(u) => repo::enrollment(rtx, u, cid)?.map(|e| (u, e.enrolled_at)),
                    None => None,
                };
                let mut out = Vec::new();
                for m in catalog::modules_of(rtx, cid)? {
                    out.push(if staff { None } else { locks::module_lock(rtx, &m, student, now)? });
                }
                Ok(out)
            })
            .await
    }

    /// The caller's enrollments, most recent first, one page.
    pub async fn my_enrollments(
        &self,
        who: &UserRecord,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<(Arc<CourseRecord>, EnrollmentRecord)>> {
        let u = who.id.key();
        // Keyed by (user, course): course ids are creation-ordered, enrollment order is not, so
        // the page is read whole for this user (a person's enrollments are a short list) and
        // ordered by enrollment time.
        let rows = self.store.get(|rtx| Ok(repo::enrollments_of(rtx, UserId::from_key(u))?))?;
        let mut rows: Vec<(u128, EnrollmentRecord)> = rows.into_iter().map(|(c, e)| (c.key(), e)).collect();
        rows.sort_by_key(|(c, e)| std::cmp::Reverse((e.enrolled_at, *c)));
        let start = match before {
            Some(cursor) => rows.iter().position(|(c, _)| *c == cursor).map_or(rows.len(), |i| i + 1),
            None => 0,
        };
        let window: Vec<(u128, EnrollmentRecord)> = rows.into_iter().skip(start).take(limit + 1).collect();
        let page = page_from(window, limit);
        let mut items = Vec::with_capacity(page.items.len());
        for (c, e) in page.items {
            // A course taken down (draft again, archived) disappears from the list with it.
            if let Some(course) = self.catalog.course_by_id(CourseId::from_key(c)).await?
                && can_view(Some(who), &course)
            {
                items.push((course, e));
            }
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    // ---- reviews ----

    /// A course's reviews, newest first: the published ones, and the viewer's own whatever its
    /// status (so its author sees "awaiting moderation"); admins see every one.
    pub async fn reviews(
        &self,
        course: CourseId,
        who: Option<&UserRecord>,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<(ReviewRecord, String)>> {
        self.catalog.course(&course.to_string(), who).await?;
        let (c, viewer) = (course.key(), who.map(|u| u.id));
        let admin = who.is_some_and(|u| u.role == Role::Admin);
        // A page of point reads: on this thread, not worth a hop to the blocking pool.
        self.store.get(move |rtx| {
            let mut end = before.map_or(u128::MAX, |b| b.saturating_sub(1));
            let mut items = Vec::new();
            // Hidden and pending reviews are skipped: read on until the page is full.
            loop {
                let rows = repo::review_ids_of(rtx, CourseId::from_key(c), end, limit + 1)?;
                let exhausted = rows.len() <= limit;
                for id in &rows {
                    end = id.key().saturating_sub(1);
                    let Some(rev) = repo::review(rtx, *id)? else { continue };
                    if !rev.is_published() && Some(rev.author_id) != viewer && !admin {
                        continue;
                    }
                    if items.len() == limit {
                        let next = items.last().map(|(r, _): &(ReviewRecord, String)| r.id.key());
                        return Ok(Page {
                            items,
                            next_cursor: next.map(|k| crate::store::page::encode_cursor(&k)),
                        });
                    }
                    // A deleted (anonymised) author has no name: "former student".
                    let name = crate::identity::repo::user(rtx, rev.author_id)?
                        .filter(|u| u.deleted_at.is_none())
                        .map(|u| u.name)
                        .unwrap_or_default();
                    items.push((rev, name));
                }
                if exhausted {
                    return Ok(Page { items, next_cursor: None });
                }
            }
        })
    }

    pub async fn create_review(
        &self,
        who: &UserRecord,
        course: CourseId,
        rating: u8,
        text_md: String,
    ) -> Result<ReviewRecord> {
        let (user, now, who, hooks) = (who.id, self.clock.now(), who.clone(), self.hooks.clone());
        let screen = self.screen.clone();
        let html = render_markdown(&text_md, Profile::Short);
        let (pos, c, r) = self
            .store
            .write(move |tx| {
                let mut c = catalog::get_course(tx, course)?;
                if c.teacher_id == user {
                    return Err(Error::Forbidden {
                        code: Code::OwnCourse,
                        detail: "Teachers cannot review their own course.".into(),
                    });
                }
                if repo::enrollment(tx, user, course)?.is_none() {
                    return Err(not_enrolled_in(&who, &c));
                }
                if repo::has_reviewed(tx, user, course)? {
                    return Err(Error::Conflict {
                        code: Code::AlreadyReviewed,
                        detail: "You have already reviewed this course; edit your review instead.".into(),
                    });
                }
                let verdict = screen_review(tx, &screen, user, course, &text_md, now)?;
                let mut r = ReviewRecord {
                    id: ReviewId::generate(),
                    course_id: course,
                    author_id: user,
                    rating,
                    text_md: text_md.clone(),
                    text_html: html.clone(),
                    created_at: now,
                    updated_at: now,
                    status: ReviewStatus::Published,
                    flags: Vec::new(),
                    evidence: Vec::new(),
                };
                apply_verdict(&mut r, &verdict);
                repo::insert_review(tx, &r)?;
                if r.is_published() {
                    announce_review(tx, &hooks, &mut c, &r, now)?;
                }
                Ok((tx.position(), c, r))
            })
            .await?;
        self.catalog.cache_course(pos, &c);
        Ok(r)
    }

    /// Edits a review. A new text is screened again: a published review the screen now holds
    /// goes back to pending (out of the rating), a pending one it lets through is published;
    /// a hidden one stays hidden.
    pub async fn update_review(
        &self,
        who: &UserRecord,
        id: ReviewId,
        rating: Option<u8>,
        text_md: Option<String>,
    ) -> Result<(ReviewRecord, String)> {
        let (user, admin, now) = (who.id, who.role == Role::Admin, self.clock.now());
        let (screen, hooks) = (self.screen.clone(), self.hooks.clone());
        let html = text_md.as_deref().map(|t| render_markdown(t, Profile::Short));
        let (pos, c, r) = self
            .store
            .write(move |tx| {
                let before = repo::get_review(tx, id)?;
                if before.author_id != user && !admin {
                    return Err(Error::forbidden());
                }
                let mut c = catalog::get_course(tx, before.course_id)?;
                let mut r = before.clone();
                if let Some(new) = rating {
                    r.rating = new;
                }
                if let (Some(md), Some(h)) = (&text_md, &html) {
                    r.text_md = md.clone();
                    r.text_html = h.clone();
                    if r.status != ReviewStatus::Hidden && !admin {
                        let verdict = screen_review(tx, &screen, r.author_id, r.course_id, md, now)?;
                        apply_verdict(&mut r, &verdict);
                    }
                }
                r.updated_at = now;
                move_counters(&mut c, &before, &r);
                repo::save_review(tx, &before, &r)?;
                catalog::save_counters(tx, &c)?;
                if !before.is_published() && r.is_published() {
                    hooks.publish(tx, &LearningEvent::Reviewed { review: &r, course: &c })?;
                }
                let author =
                    crate::identity::repo::user(tx, r.author_id)?.map(|u| u.name).unwrap_or_default();
                Ok((tx.position(), c, (r, author)))
            })
            .await?;
        self.catalog.cache_course(pos, &c);
        if !r.0.is_published() {
            self.catalog.withdrawals().record();
        }
        Ok(r)
    }

    pub async fn delete_review(&self, who: &UserRecord, id: ReviewId) -> Result<()> {
        let (user, admin) = (who.id, who.role == Role::Admin);
        let (pos, c) = self
            .store
            .write(move |tx| {
                let r = repo::get_review(tx, id)?;
                if r.author_id != user && !admin {
                    return Err(Error::forbidden());
                }
                let mut c = catalog::get_course(tx, r.course_id)?;
                repo::remove_review(tx, &r)?;
                if r.is_published() {
                    c.review_count = c.review_count.saturating_sub(1);
                    c.rating_sum = c.rating_sum.saturating_sub(u64::from(r.rating));
                }
                catalog::save_counters(tx, &c)?;
                Ok((tx.position(), c))
            })
            .await?;
        self.catalog.cache_course(pos, &c);
        self.catalog.withdrawals().record();
        Ok(())
    }

    /// What a course page shows its viewer.
    pub async fn standing(&self, who: &UserRecord, course: CourseId) -> Result<Standing> {
        let user = who.id;
        self.store
            .read(move |rtx| {
                Ok(Standing {
                    enrollment: repo::enrollment(rtx, user, course)?,
                    wished: repo::wished_at(rtx, user, course)?.is_some(),
                    reviewed: repo::has_reviewed(rtx, user, course)?,
                })
            })
            .await
    }

    pub async fn unread_count(&self, who: &UserRecord) -> Result<u64> {
        let user = who.id;
        self.store.get(|rtx| Ok(repo::unread_count(rtx, user)?))
    }

    // ---- wishlist ----

    pub async fn wish(&self, who: &UserRecord, course: CourseId, wanted: bool) -> Result<()> {
        if wanted {
            let c = self.catalog.course(&course.to_string(), Some(who)).await?;
            if !can_view(Some(who), &c) {
                return Err(Error::NotFound);
            }
        }
        let user = who.id;
        self.store
            .write(move |tx| {
                match (wanted, repo::wished_at(tx, user, course)?) {
                    (true, None) => repo::add_wish(tx, user, course, ulid::Ulid::generate().0)?,
                    (false, Some(added)) => repo::remove_wish(tx, user, course, added)?,
                    _ => {}
                }
                Ok(())
            })
            .await
    }

    pub async fn wishlist(
        &self,
        who: &UserRecord,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<Arc<CourseRecord>>> {
        let u = who.id.key();
        let rows = self
            .store
            .read(move |rtx| {
                let end = before.map_or(u128::MAX, |b| b.saturating_sub(1));
                Ok(repo::wishes_of(rtx, UserId::from_key(u), end, limit + 1)?)
            })
            .await?;
        let page = page_from(rows, limit);
        let mut items = Vec::new();
        for (_, c) in page.items {
            if let Some(course) = self.catalog.course_by_id(CourseId::from_key(c)).await?
                && can_view(Some(who), &course)
            {
                items.push(course);
            }
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    // ---- notifications ----

    pub async fn notifications(
        &self,
        who: &UserRecord,
        limit: usize,
        before: Option<u128>,
    ) -> Result<(Page<NotificationRecord>, u64)> {
        let u = who.id.key();
        self.store
            .read(move |rtx| {
                let end = before.map_or(u128::MAX, |b| b.saturating_sub(1));
                let rows = repo::notifications_of(rtx, UserId::from_key(u), end, limit + 1)?;
                let page = page_from(rows, limit);
                let unread = repo::unread_count(rtx, UserId::from_key(u))?;
                Ok((
                    Page {
                        items: page.items.into_iter().map(|(_, n)| n).collect(),
                        next_cursor: page.next_cursor,
                    },
                    unread,
                ))
            })
            .await
    }

    pub async fn mark_read(&self, who: &UserRecord, id: Option<NotificationId>) -> Result<()> {
        let user = who.id;
        self.store
            .write(move |tx| {
                let targets = match id {
                    Some(id) => vec![(id.key(), repo::notification(tx, user, id)?.ok_or(Error::NotFound)?)],
                    None => repo::notifications_of(tx, user, u128::MAX, usize::MAX)?,
                };
                let mut newly = 0u64;
                for (n, mut rec) in targets {
                    if !rec.read {
                        rec.read = true;
                        repo::save_notification(tx, user, NotificationId::from_key(n), &rec)?;
                        newly += 1;
                    }
                }
                if newly > 0 {
                    let unread = repo::unread_count(tx, user)?;
                    repo::set_unread_count(tx, user, unread.saturating_sub(newly))?;
                }
                Ok(())
            })
            .await
    }
}
