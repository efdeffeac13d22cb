//! Lesson Q&A rules, free of HTTP: who takes part, asking and answering (screened like reviews),
//! accepting an answer, the lists and the course-wide search, and the status changes the
//! moderation domain makes in its own units of work.

use std::sync::Arc;

use super::repo::{self, AnswerRecord, PostKind, PostStatus, QuestionRecord, Scope};
use crate::catalog::repo::{self as catalog, CourseRecord};
use crate::catalog::service::can_view;
use crate::clock::{Clock, Timestamp};
use crate::error::{Code, Error, FieldError, Result};
use crate::i18n::{self, Arg, Lang};
use crate::identity::Role;
use crate::identity::repo::{self as identity, UserRecord};
use crate::ids::{AnswerId, CourseId, LessonId, QuestionId, UserId};
use crate::learning::events::{Hooks, LearningEvent};
use crate::learning::repo::{self as learning, NotificationKind};
use crate::richtext::{Profile, plain_text, render_markdown};
use crate::screen::{self, Author, Screen, Verdict};
use crate::store::page::{Page, encode_cursor, page_by};
use crate::store::{Readable, Store, Tx};

/// Bounds of what people write.
pub const TITLE_MIN: usize = 5;
pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 5000;
/// A search reads at most this many of a course's questions per call (newest first); the page
/// it answers may then be short and carry a cursor to read on.
pub const SEARCH_SCAN: usize = 2000;
/// A question shows at most this many answers.
pub const MAX_ANSWERS: usize = 500;
/// Posts in [`screen::BURST_MINUTES`] that make a burst: a discussion is livelier than reviews.
pub const BURST_POSTS: u32 = 5;

/// A question as it is asked: a title and a Markdown body.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub title: String,
    pub body: String,
}

impl NewQuestion {
    /// 422 with every bad field: title 5–200 characters, body up to 5000.
    pub fn parse(title: &str, body: &str) -> Result<NewQuestion> {
        let mut errors: Vec<FieldError> = Vec::new();
        let title = crate::fields::text("title", title, TITLE_MIN, TITLE_MAX).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let body = crate::fields::text("body", body, 0, BODY_MAX).unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        if errors.is_empty() { Ok(NewQuestion { title, body }) } else { Err(Error::Validation(errors)) }
    }
}

/// An answer's body: 1–5000 characters of Markdown.
pub fn parse_answer(body: &str) -> Result<String> {
    crate::fields::text("body", body, 1, BODY_MAX).map_err(|e| Error::Validation(vec![e]))
}

/// A question with what a list shows of it.
#[derive(Debug, Clone)]
pub struct QuestionView {
    pub question: QuestionRecord,
    /// Empty when the author deleted their account ("former student").
    pub author: String,
    pub lesson_title: String,
}

#[derive(Debug, Clone)]
pub struct AnswerView {
    pub answer: AnswerRecord,
    pub author: String,
    /// The author is the course's teacher.
    pub by_teacher: bool,
}

/// A question with its answers as `who` may see them.
#[derive(Debug, Clone)]
pub struct Thread {
    pub question: QuestionView,
    pub answers: Vec<AnswerView>,
    /// `who` may accept an answer (the course's teacher, admins).
    pub may_accept: bool,
}

/// A question held or an answer held, for the admins' queue.
#[derive(Debug, Clone)]
pub struct QueuedPost {
    pub kind: PostKind,
    pub id: u128,
    /// The question's title (for an answer: the question it answers).
    pub title: String,
    pub body_html: String,
    pub flags: Vec<String>,
    pub evidence: Vec<String>,
    pub author: String,
    pub course_title: String,
    pub link: String,
    pub created_at: Timestamp,
}

/// A recent question on a teacher's courses (the studio dashboard).
#[derive(Debug, Clone)]
pub struct RecentQuestion {
    pub question: QuestionRecord,
    pub author: String,
    pub course_title: String,
    pub link: String,
}

pub struct Qa {
    store: Store,
    clock: Arc<Clock>,
    hooks: Hooks,
    screen: Arc<Screen>,
}

fn is_admin(who: &UserRecord) -> bool {
    who.role == Role::Admin
}

/// `who` takes part in `c`'s Q&A: enrolled, its teacher or an admin. Others get 403
/// `not_enrolled`, or 404 for a course they may not know exists.
pub fn participant(r: &impl Readable, who: &UserRecord, c: &CourseRecord) -> Result<()> {
    if c.teacher_id == who.id || is_admin(who) || learning::enrollment(r, who.id, c.id)?.is_some() {
        return Ok(());
    }
    if can_view(Some(who), c) {
        Err(Error::Forbidden {
            code: Code::NotEnrolled,
            detail: "Enroll in the course to read and ask questions.".into(),
        })
    } else {
        Err(Error::NotFound)
    }
}

/// Whether `viewer` sees a post by `author` with `status`: published ones, their own, admins.
fn sees(viewer: &UserRecord, author: UserId, status: PostStatus) -> bool {
    status == PostStatus::Published || author == viewer.id || is_admin(viewer)
}

/// A person's name as Q&A shows it; empty for a deleted account.
fn name_of(r: &impl Readable, id: UserId) -> Result<String> {
    Ok(identity::user(r, id)?.filter(|u| u.deleted_at.is_none()).map(|u| u.name).unwrap_or_default())
}

/// The page of a lesson in the player, at a question.
pub fn question_link(c: &CourseRecord, q: &QuestionRecord) -> String {
    format!("/learn/{}/{}#question-{}", c.slug, q.lesson_id, q.id)
}

fn question_view(r: &impl Readable, q: QuestionRecord) -> Result<QuestionView> {
    let author = name_of(r, q.author_id)?;
    let lesson_title = catalog::lesson(r, q.lesson_id)?.map(|l| l.title).unwrap_or_default();
    Ok(QuestionView { question: q, author, lesson_title })
}

/// Screens a post: the course's teacher and admins are not screened in their own course;
/// everyone else as a review would be, with a burst counted over their Q&A posts.
fn screen_post(
    tx: &Tx<'_>,
    screen: &Screen,
    who: &UserRecord,
    c: &CourseRecord,
    text: &str,
    now: Timestamp,
) -> Result<Option<Verdict>> {
    if who.id == c.teacher_id || is_admin(who) {
        return Ok(None);
    }
    let since = Timestamp(now.millis() - screen::BURST_MINUTES * 60_000);
    let recent = repo::posts_since(tx, who.id, since)?;
    Ok(Some(screen.review(
        text,
        Author {
            account_age_minutes: (now.millis() - who.created_at.millis()) / 60_000,
            recent_reviews: if recent >= BURST_POSTS { screen::BURST_REVIEWS } else { 0 },
            same_text_elsewhere: 0,
        },
    )))
}

fn verdict_status(v: &Option<Verdict>) -> (PostStatus, Vec<String>, Vec<String>) {
    match v {
        Some(v) if v.hold() => (PostStatus::Pending, v.codes(), v.evidence.clone()),
        _ => (PostStatus::Published, Vec::new(), Vec::new()),
    }
}

/// Tells the asker of `q` (in their language) about an answer: `message` is the title's
/// Fluent message, the answer's start is the body, the link goes to the question.
fn notify_asker(
    tx: &mut Tx<'_>,
    q: &QuestionRecord,
    c: &CourseRecord,
    kind: NotificationKind,
    message: &str,
    answer_html: &str,
    now: Timestamp,
) -> Result<()> {
    let Some(u) = identity::user(tx, q.author_id)? else { return Ok(()) };
    let title = i18n::t(Lang::from_locale(&u.locale), message, &[("title", Arg::Text(q.title.clone()))]);
    learning::notify(tx, q.author_id, kind, title, excerpt(answer_html), question_link(c, q), now)
}

fn excerpt(html: &str) -> String {
    plain_text(html).chars().take(200).collect()
}

/// A question became public: learning's subscribers hear of it (the teacher's digest).
fn announce_question(tx: &mut Tx<'_>, hooks: &Hooks, q: &QuestionRecord) -> Result<()> {
    let c = catalog::get_course(tx, q.course_id)?;
    hooks.publish(tx, &LearningEvent::Asked { author: q.author_id, course: &c, at: q.created_at })
}

/// An answer became public: it counts on its question, and the asker is told.
fn announce_answer(tx: &mut Tx<'_>, a: &AnswerRecord, now: Timestamp) -> Result<()> {
    let mut q = repo::get_question(tx, a.question_id)?;
    let before = q.clone();
    q.answer_count += 1;
    repo::save_question(tx, &before, &q)?;
    if q.author_id != a.author_id {
        let c = catalog::get_course(tx, q.course_id)?;
        let kind = NotificationKind::QuestionAnswered;
        notify_asker(tx, &q, &c, kind, "qa-notice-answered", &a.body_html, now)?;
    }
    Ok(())
}

/// Sets a question's status in the caller's unit of work (an admin's decision or a report's
/// resolution); a question published for the first time is announced. Returns it as it was
/// and as it is.
pub fn set_question_status(
    tx: &mut Tx<'_>,
    hooks: &Hooks,
    id: QuestionId,
    status: PostStatus,
) -> Result<(QuestionRecord, QuestionRecord)> {
    let before = repo::get_question(tx, id)?;
    let mut q = before.clone();
    q.status = status;
    repo::save_question(tx, &before, &q)?;
    if status == PostStatus::Published && before.status == PostStatus::Pending {
        announce_question(tx, hooks, &q)?;
    }
    Ok((before, q))
}

/// Sets an answer's status in the caller's unit of work; the question's answer count follows,
/// a hidden accepted answer is no longer accepted, and an answer published for the first time
/// is announced to the asker.
pub fn set_answer_status(
    tx: &mut Tx<'_>,
    id: AnswerId,
    status: PostStatus,
    now: Timestamp,
) -> Result<(AnswerRecord, AnswerRecord)> {
    let before = repo::get_answer(tx, id)?;
    let mut a = before.clone();
    a.status = status;
    repo::save_answer(tx, &before, &a)?;
    if a.is_published() && before.status == PostStatus::Pending {
        announce_answer(tx, &a, now)?;
    } else if a.is_published() != before.is_published() {
        let qb = repo::get_question(tx, a.question_id)?;
        let mut q = qb.clone();
        if a.is_published() {
            q.answer_count += 1;
        } else {
            q.answer_count = q.answer_count.saturating_sub(1);
            if q.accepted_answer == Some(a.id) {
                q.accepted_answer = None;
            }
        }
        repo::save_question(tx, &qb, &q)?;
    }
    Ok((before, a))
}

impl Qa {
    pub fn new(store: Store, clock: Arc<Clock>, hooks: Hooks, screen: Arc<Screen>) -> Qa {
        Qa { store, clock, hooks, screen }
    }

    /// Learning's subscribers, for moderation's decisions ([`set_question_status`]).
    pub fn hooks(&self) -> &Hooks {
        &self.hooks
    }

    /// Asks a question under a lesson. Held questions are seen by their author only.
    pub async fn ask(
        &self,
        who: &UserRecord,
        lesson: LessonId,
        input: NewQuestion,
    ) -> Result<QuestionRecord> {
        let (who, now, hooks, screen) =
            (who.clone(), self.clock.now(), self.hooks.clone(), self.screen.clone());
        let html = render_markdown(&input.body, Profile::Short);
        self.store
            .write(move |tx| {
                let l = catalog::get_lesson(tx, lesson)?;
                let c = catalog::get_course(tx, l.course_id)?;
                participant(tx, &who, &c)?;
                let text = format!("{}\n\n{}", input.title, input.body);
                let (status, flags, evidence) =
                    verdict_status(&screen_post(tx, &screen, &who, &c, &text, now)?);
                let q = QuestionRecord {
                    id: QuestionId::generate(),
                    course_id: c.id,
                    lesson_id: l.id,
                    author_id: who.id,
                    title: input.title.clone(),
                    body_md: input.body.clone(),
                    body_html: html.clone(),
                    created_at: now,
                    status,
                    flags,
                    evidence,
                    answer_count: 0,
                    accepted_answer: None,
                };
                repo::insert_question(tx, &q)?;
                if q.is_published() {
                    hooks.publish(tx, &LearningEvent::Asked { author: who.id, course: &c, at: now })?;
                }
                Ok(q)
            })
            .await
    }

    /// Answers a question `who` may see. Held answers are seen by their author only; a
    /// published one tells the asker.
    pub async fn answer(&self, who: &UserRecord, question: QuestionId, body: String) -> Result<AnswerRecord> {
        let (who, now, screen) = (who.clone(), self.clock.now(), self.screen.clone());
        let html = render_markdown(&body, Profile::Short);
        self.store
            .write(move |tx| {
                let q = repo::get_question(tx, question)?;
                let c = catalog::get_course(tx, q.course_id)?;
                participant(tx, &who, &c)?;
                if !sees(&who, q.author_id, q.status) {
                    return Err(Error::NotFound);
                }
                if !q.is_published() {
                    return Err(Error::Conflict {
                        code: Code::NotPending,
                        detail: "This question is not open for answers.".into(),
                    });
                }
                let (status, flags, evidence) =
                    verdict_status(&screen_post(tx, &screen, &who, &c, &body, now)?);
                let a = AnswerRecord {
                    id: AnswerId::generate(),
                    question_id: q.id,
                    course_id: c.id,
                    author_id: who.id,
                    body_md: body.clone(),
                    body_html: html.clone(),
                    created_at: now,
                    status,
                    flags,
                    evidence,
                };
                repo::insert_answer(tx, &a)?;
                if a.is_published() {
                    announce_answer(tx, &a, now)?;
                }
                Ok(a)
            })
            .await
    }

    /// Marks an answer accepted (the course's teacher or an admin); one per question, so
    /// accepting another moves the mark. The asker is told.
    pub async fn accept(&self, who: &UserRecord, answer: AnswerId) -> Result<QuestionRecord> {
        let (who, now) = (who.clone(), self.clock.now());
        self.store
            .write(move |tx| {
                let a = repo::get_answer(tx, answer)?;
                let c = catalog::get_course(tx, a.course_id)?;
                participant(tx, &who, &c)?;
                if !sees(&who, a.author_id, a.status) {
                    return Err(Error::NotFound);
                }
                if c.teacher_id != who.id && !is_admin(&who) {
                    return Err(Error::Forbidden {
                        code: Code::Forbidden,
                        detail: "Only the course's teacher accepts answers.".into(),
                    });
                }
                if !a.is_published() {
                    return Err(Error::Conflict {
                        code: Code::NotPending,
                        detail: "Only a published answer can be accepted.".into(),
                    });
                }
                let before = repo::get_question(tx, a.question_id)?;
                if before.accepted_answer == Some(a.id) {
                    return Ok(before);
                }
                let mut q = before.clone();
                q.accepted_answer = Some(a.id);
                repo::save_question(tx, &before, &q)?;
                if q.author_id != who.id {
                    let kind = NotificationKind::AnswerAccepted;
                    notify_asker(tx, &q, &c, kind, "qa-notice-accepted", &a.body_html, now)?;
                }
                Ok(q)
            })
            .await
    }

    /// A question with its answers (oldest first), as `who` may see them.
    pub async fn thread(&self, who: &UserRecord, id: QuestionId) -> Result<Thread> {
        let who = who.clone();
        self.store
            .read(move |rtx| {
                let q = repo::get_question(rtx, id)?;
                let c = catalog::get_course(rtx, q.course_id)?;
                participant(rtx, &who, &c)?;
                if !sees(&who, q.author_id, q.status) {
                    return Err(Error::NotFound);
                }
                thread_in(rtx, &who, &c, q)
            })
            .await
    }

    /// Questions of a lesson or a course that `who` may see, newest first, a page before
    /// `before`; with `query`, only those whose title, text or answers contain it (letter case
    /// ignored), reading at most [`SEARCH_SCAN`] questions per call.
    pub async fn list(
        &self,
        who: &UserRecord,
        scope: Scope,
        query: Option<String>,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<QuestionView>> {
        let who = who.clone();
        let needle = query.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
        self.store
            .read(move |rtx| {
                let course = match scope {
                    Scope::Lesson(l) => catalog::get_lesson(rtx, l)?.course_id,
                    Scope::Course(c) => c,
                };
                let c = catalog::get_course(rtx, course)?;
                participant(rtx, &who, &c)?;
                let mut end = before.map_or(u128::MAX, |b| b.saturating_sub(1));
                let mut items: Vec<QuestionView> = Vec::new();
                let mut scanned = 0usize;
                // One visible item past the page says whether a next page exists.
                while scanned < SEARCH_SCAN && items.len() <= limit {
                    let ids = repo::question_ids(rtx, scope, end, 100)?;
                    let exhausted = ids.len() < 100;
                    for id in ids {
                        if scanned == SEARCH_SCAN || items.len() > limit {
                            break;
                        }
                        scanned += 1;
                        end = id.key().saturating_sub(1);
                        let Some(q) = repo::question(rtx, id)? else { continue };
                        if !sees(&who, q.author_id, q.status) {
                            continue;
                        }
                        if let Some(n) = &needle
                            && !matches(rtx, &who, &q, n)?
                        {
                            continue;
                        }
                        items.push(question_view(rtx, q)?);
                    }
                    if exhausted && items.len() <= limit && scanned < SEARCH_SCAN {
                        return Ok(Page { items, next_cursor: None });
                    }
                }
                if items.len() > limit {
                    items.truncate(limit);
                    let last = items.last().map(|v| v.question.id.key()).unwrap_or(end);
                    return Ok(Page { items, next_cursor: Some(encode_cursor(&last)) });
                }
                // The scan stopped at its bound: read on from where it stopped.
                Ok(Page { items, next_cursor: Some(encode_cursor(&end.saturating_add(1))) })
            })
            .await
    }

    /// Held questions and answers, oldest first, a page strictly after `after` (an id).
    pub async fn queue(&self, after: Option<u128>, limit: usize) -> Result<Page<QueuedPost>> {
        self.store
            .read(move |rtx| {
                let mut items = Vec::new();
                for (kind, id) in repo::pending(rtx, after, limit + 1)? {
                    let (q, answer) = match kind {
                        PostKind::Question => match repo::question(rtx, QuestionId::from_key(id))? {
                            Some(q) => (q, None),
                            None => continue,
                        },
                        PostKind::Answer => {
                            let Some(a) = repo::answer(rtx, AnswerId::from_key(id))? else { continue };
                            let Some(q) = repo::question(rtx, a.question_id)? else { continue };
                            (q, Some(a))
                        }
                    };
                    let Some(c) = catalog::course(rtx, q.course_id)? else { continue };
                    let link = question_link(&c, &q);
                    let item = match answer {
                        None => QueuedPost {
                            kind,
                            id,
                            author: name_of(rtx, q.author_id)?,
                            title: q.title,
                            body_html: q.body_html,
                            flags: q.flags,
                            evidence: q.evidence,
                            course_title: c.title,
                            link,
                            created_at: q.created_at,
                        },
                        Some(a) => QueuedPost {
                            kind,
                            id,
                            author: name_of(rtx, a.author_id)?,
                            title: q.title,
                            body_html: a.body_html,
                            flags: a.flags,
                            evidence: a.evidence,
                            course_title: c.title,
                            link,
                            created_at: a.created_at,
                        },
                    };
                    items.push(item);
                }
                Ok(page_by(items, limit, |p: &QueuedPost| p.id))
            })
            .await
    }

    /// The course a lesson belongs to, if `who` takes part in its Q&A (the player asks before
    /// showing the section).
    pub async fn takes_part(&self, who: &UserRecord, course: CourseId) -> Result<bool> {
        let who = who.clone();
        self.store
            .read(move |rtx| {
                let c = catalog::get_course(rtx, course)?;
                Ok(participant(rtx, &who, &c).is_ok())
            })
            .await
    }
}

/// The most recent published questions on `teacher`'s courses, newest first, at most `limit`
/// (read in the caller's snapshot: the dashboard's).
pub fn recent_questions(r: &impl Readable, teacher: UserId, limit: usize) -> Result<Vec<RecentQuestion>> {
    let mut all = Vec::new();
    for cid in catalog::teacher_course_ids(r, teacher)? {
        let Some(c) = catalog::course(r, cid)? else { continue };
        let mut taken = 0;
        for id in repo::question_ids(r, Scope::Course(cid), u128::MAX, 50)? {
            let Some(q) = repo::question(r, id)? else { continue };
            if !q.is_published() {
                continue;
            }
            let author = name_of(r, q.author_id)?;
            let link = question_link(&c, &q);
            all.push(RecentQuestion { question: q, author, course_title: c.title.clone(), link });
            taken += 1;
            if taken == limit {
                break;
            }
        }
    }
    all.sort_by_key(|x| std::cmp::Reverse(x.question.id.key()));
    all.truncate(limit);
    Ok(all)
}

fn thread_in(r: &impl Readable, who: &UserRecord, c: &CourseRecord, q: QuestionRecord) -> Result<Thread> {
    let mut answers = Vec::new();
    for a in repo::answers_of(r, q.id, MAX_ANSWERS)? {
        if !sees(who, a.author_id, a.status) {
            continue;
        }
        let author = name_of(r, a.author_id)?;
        answers.push(AnswerView { by_teacher: a.author_id == c.teacher_id, answer: a, author });
    }
    Ok(Thread {
        question: question_view(r, q)?,
        answers,
        may_accept: who.id == c.teacher_id || is_admin(who),
    })
}

/// Whether a question or one of its answers `who` sees contains `needle` (lower-case).
fn matches(r: &impl Readable, who: &UserRecord, q: &QuestionRecord, needle: &str) -> Result<bool> {
    if q.title.to_lowercase().contains(needle) || q.body_md.to_lowercase().contains(needle) {
        return Ok(true);
    }
    for a in repo::answers_of(r, q.id, MAX_ANSWERS)? {
        if sees(who, a.author_id, a.status) && a.body_md.to_lowercase().contains(needle) {
            return Ok(true);
        }
    }
    Ok(false)
}
