//! Lesson Q&A endpoints: a lesson's questions, a course's (with search), a question with its
//! answers, answering, accepting.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::repo::{PostStatus, Scope};
use super::service::{AnswerView, NewQuestion, QuestionView, Thread, parse_answer};
use crate::app::AppState;
use crate::clock::Rfc3339;
use crate::error::Result;
use crate::http::extract::{Json, Query};
use crate::http::ids::parse;
use crate::http::openapi::inputs;
use crate::identity::AuthUser;
use crate::ids::{AnswerId, CourseId, LessonId, QuestionId, UserId};
use crate::store::page::decode_cursor;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lesson_questions, ask))
        .routes(routes!(course_questions))
        .routes(routes!(question))
        .routes(routes!(answer))
        .routes(routes!(accept))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonRef {
    id: UserId,
    /// "Former student" when the author deleted their account.
    name: String,
}

fn person(id: UserId, name: String) -> PersonRef {
    PersonRef { id, name: if name.is_empty() { "Former student".to_owned() } else { name } }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionOut {
    id: QuestionId,
    course_id: CourseId,
    lesson_id: LessonId,
    lesson_title: String,
    title: String,
    /// Sanitised HTML from the Markdown the author wrote.
    body_html: String,
    author: PersonRef,
    /// Published answers.
    answer_count: u32,
    accepted_answer_id: Option<AnswerId>,
    created_at: Rfc3339,
    /// `pending`: held for moderation, seen only by its author ("awaiting moderation") and
    /// admins; `hidden`: taken down, seen by its author and admins.
    status: PostStatus,
}

pub(crate) fn question_out(v: QuestionView) -> QuestionOut {
    let q = v.question;
    QuestionOut {
        id: q.id,
        course_id: q.course_id,
        lesson_id: q.lesson_id,
        lesson_title: v.lesson_title,
        title: q.title,
        body_html: q.body_html,
        author: person(q.author_id, v.author),
        answer_count: q.answer_count,
        accepted_answer_id: q.accepted_answer,
        created_at: Rfc3339(q.created_at),
        status: q.status,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnswerOut {
    id: AnswerId,
    question_id: QuestionId,
    body_html: String,
    author: PersonRef,
    /// The author is the course's teacher.
    by_teacher: bool,
    accepted: bool,
    created_at: Rfc3339,
    status: PostStatus,
}

fn answer_out(v: AnswerView, accepted: Option<AnswerId>) -> AnswerOut {
    let a = v.answer;
    AnswerOut {
        id: a.id,
        question_id: a.question_id,
        body_html: a.body_html,
        author: person(a.author_id, v.author),
        by_teacher: v.by_teacher,
        accepted: accepted == Some(a.id),
        created_at: Rfc3339(a.created_at),
        status: a.status,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionPage {
    items: Vec<QuestionOut>,
    next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThreadOut {
    question: QuestionOut,
    /// Oldest first.
    answers: Vec<AnswerOut>,
    /// The caller may accept an answer (the course's teacher, admins).
    may_accept: bool,
}

fn thread_out(t: Thread) -> ThreadOut {
    let accepted = t.question.question.accepted_answer;
    ThreadOut {
        answers: t.answers.into_iter().map(|a| answer_out(a, accepted)).collect(),
        question: question_out(t.question),
        may_accept: t.may_accept,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionQuery {
    /// 1..=100, default 20.
    #[param(minimum = 1, maximum = 100, nullable = false)]
    limit: Option<usize>,
    /// Opaque; from `next_cursor` of the previous page.
    #[param(nullable = false, pattern = "^[A-Za-z0-9_-]{21}[AQgw]$")]
    cursor: Option<String>,
    /// Only questions whose title, text or answers contain this (letter case ignored).
    #[param(nullable = false, max_length = 200)]
    q: Option<String>,
}

impl QuestionQuery {
    fn page(&self) -> Result<(usize, Option<u128>)> {
        let p = crate::store::page::PageParams { limit: self.limit, cursor: self.cursor.clone() };
        Ok((p.limit()?, self.cursor.as_deref().map(decode_cursor::<u128>).transpose()?))
    }

    fn query(&self) -> Result<Option<String>> {
        match &self.q {
            Some(q) => Ok(Some(
                crate::fields::text("q", q, 0, 200).map_err(|e| crate::error::Error::Validation(vec![e]))?,
            )),
            None => Ok(None),
        }
    }
}

const REFUSED: &str = "validation_failed: `limit` is not in 1..=100, `cursor` is not one this server gave out, or `q` is longer than 200 characters.";
const NOT_PART: &str = "not_enrolled: neither enrolled in the course, nor its teacher, nor an admin.";

/// A lesson's questions, newest first: the published ones, and the caller's own whatever
/// their status (admins see every one). `q` filters them (title, text, answers).
#[utoipa::path(get, path = "/api/v1/lessons/{id}/questions", tag = "qa", params(("id" = String, Path), QuestionQuery),
    responses((status = 200, body = QuestionPage), (status = 403, description = NOT_PART),
        (status = 404, description = "not_found: no such lesson, or a course the caller may not see."),
        (status = 422, description = REFUSED)),
    security(("bearer" = [])))]
async fn lesson_questions(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Query(p): Query<QuestionQuery>,
) -> Result<Json<QuestionPage>> {
    let lesson: LessonId = parse(&id)?;
    let (limit, before) = p.page()?;
    let page = app.qa.list(&who.user, Scope::Lesson(lesson), p.query()?, limit, before).await?;
    Ok(Json(QuestionPage {
        items: page.items.into_iter().map(question_out).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A course's questions, newest first, as for a lesson; `q` searches the whole course's
/// questions and answers (at most 2,000 questions are read per call: a short page may carry
/// a cursor to read on).
#[utoipa::path(get, path = "/api/v1/courses/{id}/questions", tag = "qa", params(("id" = String, Path), QuestionQuery),
    responses((status = 200, body = QuestionPage), (status = 403, description = NOT_PART),
        (status = 404, description = "not_found: no such course, or one the caller may not see."),
        (status = 422, description = REFUSED)),
    security(("bearer" = [])))]
async fn course_questions(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Query(p): Query<QuestionQuery>,
) -> Result<Json<QuestionPage>> {
    let course: CourseId = parse(&id)?;
    let (limit, before) = p.page()?;
    let page = app.qa.list(&who.user, Scope::Course(course), p.query()?, limit, before).await?;
    Ok(Json(QuestionPage {
        items: page.items.into_iter().map(question_out).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct QuestionBody {
    #[schema(schema_with = inputs::text::<5, 200>)]
    title: String,
    /// Markdown (emphasis, lists, links, code).
    #[serde(default)]
    #[schema(schema_with = inputs::text::<0, 5000>)]
    body: String,
}

/// Ask a question under a lesson (enrolled students, the teacher, admins). The screen may hold
/// it (`status: pending`) until an admin approves it.
#[utoipa::path(post, path = "/api/v1/lessons/{id}/questions", tag = "qa", params(("id" = String, Path)), request_body = QuestionBody,
    responses((status = 201, body = QuestionOut), (status = 403, description = NOT_PART),
        (status = 404, description = "not_found: no such lesson, or a course the caller may not see.")),
    security(("bearer" = [])))]
async fn ask(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<QuestionBody>,
) -> Result<Response> {
    let lesson: LessonId = parse(&id)?;
    let input = NewQuestion::parse(&b.title, &b.body)?;
    let q = app.qa.ask(&who.user, lesson, input).await?;
    let t = app.qa.thread(&who.user, q.id).await?;
    Ok((StatusCode::CREATED, Json(question_out(t.question))).into_response())
}

/// A question with its answers (oldest first).
#[utoipa::path(get, path = "/api/v1/questions/{id}", tag = "qa", params(("id" = String, Path)),
    responses((status = 200, body = ThreadOut), (status = 403, description = NOT_PART),
        (status = 404, description = "not_found: no such question, or one the caller may not see.")),
    security(("bearer" = [])))]
async fn question(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ThreadOut>> {
    Ok(Json(thread_out(app.qa.thread(&who.user, parse(&id)?).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AnswerBody {
    /// Markdown (emphasis, lists, links, code).
    #[schema(schema_with = inputs::text::<1, 5000>)]
    body: String,
}

/// Answer a question (enrolled students, the teacher, admins). The asker is notified when the
/// answer is public; the screen may hold it (`status: pending`).
#[utoipa::path(post, path = "/api/v1/questions/{id}/answers", tag = "qa", params(("id" = String, Path)), request_body = AnswerBody,
    responses((status = 201, body = AnswerOut), (status = 403, description = NOT_PART),
        (status = 404, description = "not_found: no such question, or one the caller may not see."),
        (status = 409, description = "not_pending: the question is held or hidden, not open for answers.")),
    security(("bearer" = [])))]
async fn answer(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<AnswerBody>,
) -> Result<Response> {
    let qid: QuestionId = parse(&id)?;
    let body = parse_answer(&b.body)?;
    let a = app.qa.answer(&who.user, qid, body).await?;
    let c = app.catalog.course_by_id(a.course_id).await?;
    let by_teacher = c.is_some_and(|c| c.teacher_id == a.author_id);
    let view = AnswerView { answer: a, author: who.user.name.clone(), by_teacher };
    Ok((StatusCode::CREATED, Json(answer_out(view, None))).into_response())
}

/// Accept an answer (the course's teacher or an admin): one per question, accepting another
/// moves the mark. The asker is notified. Answers the question.
#[utoipa::path(post, path = "/api/v1/answers/{id}/accept", tag = "qa", params(("id" = String, Path)),
    responses((status = 200, body = QuestionOut),
        (status = 403, description = "not_enrolled (not taking part in the course), or forbidden: a student, not the course's teacher."),
        (status = 404, description = "not_found: no such answer, or one the caller may not see."),
        (status = 409, description = "not_pending: the answer is held or hidden.")),
    security(("bearer" = [])))]
async fn accept(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<QuestionOut>> {
    let q = app.qa.accept(&who.user, parse(&id)?).await?;
    let t = app.qa.thread(&who.user, q.id).await?;
    Ok(Json(question_out(t.question)))
}
