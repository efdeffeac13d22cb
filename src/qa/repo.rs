//! Lesson Q&A records (questions, answers) and every read and write of their tables.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{AnswerId, CourseId, LessonId, QuestionId, UserId};
use crate::schema::{
    ANSWERS, ANSWERS_BY_QUESTION, QA_BY_AUTHOR, QA_PENDING, QUESTIONS, QUESTIONS_BY_COURSE,
    QUESTIONS_BY_LESSON,
};
use crate::store::{Readable, StoreResult, Tx};

/// Where a question or an answer stands: only published ones are shown to everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    #[default]
    Published,
    /// Held by the screen until an admin looks at it; its author sees "awaiting moderation".
    Pending,
    /// Taken down by an admin (a decision or a report).
    Hidden,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Published => "published",
            PostStatus::Pending => "pending",
            PostStatus::Hidden => "hidden",
        }
    }
}

/// Which queue entry: a question or an answer (`QA_PENDING`'s value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    Question = 0,
    Answer = 1,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuestionRecord {
    pub id: QuestionId,
    pub course_id: CourseId,
    pub lesson_id: LessonId,
    pub author_id: UserId,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    pub created_at: Timestamp,
    pub status: PostStatus,
    /// Why the screen held it and what matched (the admin's evidence).
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Published answers (kept in step with the answers' statuses).
    #[serde(default)]
    pub answer_count: u32,
    /// The one answer the teacher accepted, if any.
    #[serde(default)]
    pub accepted_answer: Option<AnswerId>,
}

impl QuestionRecord {
    pub fn is_published(&self) -> bool {
        self.status == PostStatus::Published
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub id: AnswerId,
    pub question_id: QuestionId,
    pub course_id: CourseId,
    pub author_id: UserId,
    pub body_md: String,
    pub body_html: String,
    pub created_at: Timestamp,
    pub status: PostStatus,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl AnswerRecord {
    pub fn is_published(&self) -> bool {
        self.status == PostStatus::Published
    }
}

// ---- questions ----

pub fn question(r: &impl Readable, id: QuestionId) -> StoreResult<Option<QuestionRecord>> {
    r.get(QUESTIONS, &id.key())
}

/// A question that must exist: 404 otherwise.
pub fn get_question(r: &impl Readable, id: QuestionId) -> Result<QuestionRecord> {
    question(r, id)?.ok_or(Error::NotFound)
}

pub fn insert_question(tx: &mut Tx<'_>, q: &QuestionRecord) -> Result<()> {
    tx.put(QUESTIONS, &q.id.key(), q)?;
    tx.put(QUESTIONS_BY_LESSON, &(q.lesson_id.key(), q.id.key()), &())?;
    tx.put(QUESTIONS_BY_COURSE, &(q.course_id.key(), q.id.key()), &())?;
    tx.put(QA_BY_AUTHOR, &(q.author_id.key(), q.created_at.millis(), q.id.key()), &())?;
    queue(tx, PostKind::Question, q.id.key(), None, q.status)
}

/// Saves a changed question; `before` is how it was stored (for the queue).
pub fn save_question(tx: &mut Tx<'_>, before: &QuestionRecord, q: &QuestionRecord) -> Result<()> {
    tx.put(QUESTIONS, &q.id.key(), q)?;
    queue(tx, PostKind::Question, q.id.key(), Some(before.status), q.status)
}

/// The pending queue follows the status.
fn queue(
    tx: &mut Tx<'_>,
    kind: PostKind,
    id: u128,
    before: Option<PostStatus>,
    now: PostStatus,
) -> Result<()> {
    if now == PostStatus::Pending {
        tx.put(QA_PENDING, &id, &(kind as u8))?;
    } else if before == Some(PostStatus::Pending) {
        tx.remove(QA_PENDING, &id)?;
    }
    Ok(())
}

/// Question ids of a lesson (`Some(lesson)`) or of a course, newest first, from `through`
/// down, at most `limit`.
pub fn question_ids(
    r: &impl Readable,
    scope: Scope,
    through: u128,
    limit: usize,
) -> StoreResult<Vec<QuestionId>> {
    let rows = match scope {
        Scope::Lesson(l) => r.range_rev(QUESTIONS_BY_LESSON, (l.key(), 0)..=(l.key(), through), limit)?,
        Scope::Course(c) => r.range_rev(QUESTIONS_BY_COURSE, (c.key(), 0)..=(c.key(), through), limit)?,
    };
    Ok(rows.into_iter().map(|((_, q), ())| QuestionId::from_key(q)).collect())
}

/// What a list of questions is about: one lesson or a whole course.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Lesson(LessonId),
    Course(CourseId),
}

// ---- answers ----

pub fn answer(r: &impl Readable, id: AnswerId) -> StoreResult<Option<AnswerRecord>> {
    r.get(ANSWERS, &id.key())
}

pub fn get_answer(r: &impl Readable, id: AnswerId) -> Result<AnswerRecord> {
    answer(r, id)?.ok_or(Error::NotFound)
}

pub fn insert_answer(tx: &mut Tx<'_>, a: &AnswerRecord) -> Result<()> {
    tx.put(ANSWERS, &a.id.key(), a)?;
    tx.put(ANSWERS_BY_QUESTION, &(a.question_id.key(), a.id.key()), &())?;
    tx.put(QA_BY_AUTHOR, &(a.author_id.key(), a.created_at.millis(), a.id.key()), &())?;
    queue(tx, PostKind::Answer, a.id.key(), None, a.status)
}

pub fn save_answer(tx: &mut Tx<'_>, before: &AnswerRecord, a: &AnswerRecord) -> Result<()> {
    tx.put(ANSWERS, &a.id.key(), a)?;
    queue(tx, PostKind::Answer, a.id.key(), Some(before.status), a.status)
}

/// A question's answers, oldest first (at most `limit`).
pub fn answers_of(r: &impl Readable, q: QuestionId, limit: usize) -> StoreResult<Vec<AnswerRecord>> {
    let k = q.key();
    let mut out = Vec::new();
    for ((_, a), ()) in r.range(ANSWERS_BY_QUESTION, (k, 0)..=(k, u128::MAX), limit)? {
        if let Some(rec) = answer(r, AnswerId::from_key(a))? {
            out.push(rec);
        }
    }
    Ok(out)
}

// ---- the screen's facts and the queue ----

/// How many questions and answers `user` wrote at or after `since` (at most 100 are counted).
pub fn posts_since(r: &impl Readable, user: UserId, since: Timestamp) -> StoreResult<u32> {
    let u = user.key();
    Ok(r.range(QA_BY_AUTHOR, (u, since.millis(), 0)..=(u, i64::MAX, u128::MAX), 100)?.len() as u32)
}

/// Held posts, oldest first, strictly after `after`.
pub fn pending(r: &impl Readable, after: Option<u128>, limit: usize) -> StoreResult<Vec<(PostKind, u128)>> {
    let rows = match after {
        None => r.range(QA_PENDING, .., limit)?,
        Some(a) => r.range(QA_PENDING, (std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded), limit)?,
    };
    Ok(rows
        .into_iter()
        .map(|(id, k)| (if k == 0 { PostKind::Question } else { PostKind::Answer }, id))
        .collect())
}
