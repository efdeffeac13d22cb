//! Learning endpoints: enrollment, progress, reviews, wishlist, notifications.

use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::repo::{EnrollmentStatus, NotificationKind, ReviewRecord, ReviewStatus};
use super::service::Progress;
use crate::app::AppState;
use crate::catalog::types;
use crate::catalog::views::CourseSummary;
use crate::clock::Rfc3339;
use crate::error::{Error, Result};
use crate::http::extract::{Json, Query};
use crate::http::ids::parse;
use crate::http::middleware::no_content;
use crate::http::openapi::{PAGE_REFUSED, inputs};
use crate::identity::{AuthUser, MaybeUser, locale};
use crate::ids::{CourseId, LessonId, NotificationId, ReviewId, UploadId, UserId};
use crate::media::Purpose;
use crate::store::page::{PageParams, decode_cursor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enroll))
        .routes(routes!(my_enrollments))
        .routes(routes!(course_progress))
        .routes(routes!(complete_lesson, uncomplete_lesson))
        .routes(routes!(submit_attempt))
        .routes(routes!(list_reviews, create_review))
        .routes(routes!(update_review, delete_review))
        .routes(routes!(wishlist))
        .routes(routes!(wish, unwish))
        .routes(routes!(notifications))
        .routes(routes!(read_notification))
        .routes(routes!(read_all_notifications))
        .routes(routes!(media_file))
}

/// Who is asking for a file. A bearer token must be valid (401 otherwise, as everywhere); the
/// browser's access cookie is used if it is valid and ignored if not (a `<video>` cannot follow
/// a sign-in redirect, and the page that embeds it renews the session).
async fn media_caller(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<crate::identity::repo::UserRecord>> {
    use crate::identity::extract::ACCESS_COOKIE;
    if let Some(h) = headers.get(header::AUTHORIZATION) {
        let token = h
            .to_str()
            .ok()
            .and_then(|s| s.strip_prefix("Bearer ").or_else(|| s.strip_prefix("bearer ")))
            .ok_or_else(Error::unauthenticated)?;
        return Ok(Some(app.identity.authenticate(token.trim()).await?.user));
    }
    match crate::http::extract::cookie(headers, ACCESS_COOKIE) {
        Some(token) => Ok(app.identity.authenticate(token).await.ok().map(|p| p.user)),
        None => Ok(None),
    }
}

/// An uploaded file: covers (`1280.jpg`, `480.jpg`) to anyone; a lesson's video or attachment
/// to anyone when the lesson is a preview or the course is free, otherwise to the course's
/// teacher, admins and enrolled students; unattached uploads and verification documents to
/// their owner and admins. Everyone else gets 404 (never 403: nobody learns that a file they
/// may not read exists). Byte ranges (`Range` → 206, past the end → 416), a strong `ETag`
/// (`If-None-Match` → 304); public files are cached for a year (`immutable`: a file's bytes
/// never change under its URL), others `private, no-cache`; attachments and verification
/// documents download (`Content-Disposition: attachment`).
#[utoipa::path(get, path = "/media/{id}/{filename}", tag = "media",
    params(("id" = String, Path, description = "The upload's id."), ("filename" = String, Path, description = "The file's name (a cover: `1280.jpg` or `480.jpg`).")),
    responses(
        (status = 200, description = "The whole file.", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The requested range (`Content-Range`).", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "Not modified (`If-None-Match` matched the ETag)."),
        (status = 404, description = "not_found: no such file, or the caller may not read it (anonymous, not enrolled, another teacher)."),
        (status = 416, description = "http_error: the range starts past the end of the file."),
    ),
    security((), ("bearer" = [])))]
async fn media_file(
    State(app): State<AppState>,
    Path((id, filename)): Path<(String, String)>,
    req: axum::extract::Request,
) -> Result<Response> {
    use tower::ServiceExt;
    let id: UploadId = id.parse().map_err(|_| Error::NotFound)?;
    let who = media_caller(&app, req.headers()).await?;
    let found = app.learning.media(id, &filename, who.as_ref()).await?;
    let path = app.media.path(&found.file).ok_or(Error::NotFound)?;
    let res = tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("serving a media file: {e}")))?;
    let (mut parts, body) = res.into_parts();
    let h = &mut parts.headers;
    if parts.status.is_success() || parts.status == StatusCode::NOT_MODIFIED {
        if parts.status != StatusCode::NOT_MODIFIED
            && let Ok(v) = HeaderValue::from_str(&found.upload.content_type)
        {
            h.insert(header::CONTENT_TYPE, v);
        }
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if found.public {
                "public, max-age=31536000, immutable"
            } else {
                "private, no-cache"
            }),
        );
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        let download = matches!(found.upload.purpose, Purpose::Attachment | Purpose::VerificationDocument);
        let disposition = format!(
            "{}; filename*=UTF-8''{}",
            if download { "attachment" } else { "inline" },
            crate::media::percent_encode(&found.upload.filename)
        );
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(Response::from_parts(parts, axum::body::Body::new(body)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgressOut {
    completed_lesson_ids: Vec<LessonId>,
    completed_lessons: u32,
    total_lessons: u32,
    percent: u32,
    status: EnrollmentStatus,
}

impl From<Progress> for ProgressOut {
    fn from(p: Progress) -> Self {
        ProgressOut {
            completed_lesson_ids: p.completed_lesson_ids,
            completed_lessons: p.completed_lessons,
            total_lessons: p.total_lessons,
            percent: p.percent,
            status: p.status,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BriefProgress {
    completed_lessons: u32,
    total_lessons: u32,
    percent: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnrollmentOut {
    course: CourseSummary,
    status: EnrollmentStatus,
    progress: BriefProgress,
    enrolled_at: Rfc3339,
    completed_at: Option<Rfc3339>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnrollmentPage {
    items: Vec<EnrollmentOut>,
    next_cursor: Option<String>,
}

/// Enroll in a free course; paid courses answer 402 until payments exist.
#[utoipa::path(post, path = "/api/v1/courses/{id}/enroll", tag = "learning",
    params(("id" = String, Path)),
    responses((status = 201, body = EnrollmentOut), (status = 402, description = "payment_required"),
        (status = 409, description = "already_enrolled, or not_published (a draft of the caller's own)")),
    security(("bearer" = [])))]
async fn enroll(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let (course, e) = app.learning.enroll(&who.user, parse(&id)?).await?;
    let summary = app
        .catalog
        .summaries(std::slice::from_ref(&course), &locale(&headers, Some(&who.user)))
        .await?
        .remove(0);
    let out = EnrollmentOut {
        progress: BriefProgress { completed_lessons: 0, total_lessons: course.total_lessons, percent: 0 },
        course: summary,
        status: e.status,
        enrolled_at: Rfc3339(e.enrolled_at),
        completed_at: None,
    };
    let mut res = (StatusCode::CREATED, Json(out)).into_response();
    res.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(&format!("/api/v1/courses/{}/progress", course.id)).expect("ascii"),
    );
    Ok(res)
}

/// Your courses with progress, most recently enrolled first.
#[utoipa::path(get, path = "/api/v1/me/enrollments", tag = "learning", params(PageParams),
    responses((status = 200, body = EnrollmentPage), (status = 422, description = PAGE_REFUSED)), security(("bearer" = [])))]
async fn my_enrollments(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Query(p): Query<PageParams>,
    headers: HeaderMap,
) -> Result<Json<EnrollmentPage>> {
    let before = p.cursor.as_deref().map(decode_cursor::<u128>).transpose()?;
    let page = app.learning.my_enrollments(&who.user, p.limit()?, before).await?;
    let courses: Vec<_> = page.items.iter().map(|(c, _)| c.clone()).collect();
    let sums = app.catalog.summaries(&courses, &locale(&headers, Some(&who.user))).await?;
    let items = page
        .items
        .into_iter()
        .zip(sums)
        .map(|((c, e), course)| EnrollmentOut {
            progress: BriefProgress {
                completed_lessons: e.completed_lessons,
                total_lessons: c.total_lessons,
                percent: super::service::percent(e.completed_lessons, c.total_lessons),
            },
            course,
            status: e.status,
            enrolled_at: Rfc3339(e.enrolled_at),
            completed_at: e.completed_at.map(Rfc3339),
        })
        .collect();
    Ok(Json(EnrollmentPage { items, next_cursor: page.next_cursor }))
}

/// Your progress in a course.
#[utoipa::path(get, path = "/api/v1/courses/{id}/progress", tag = "learning", params(("id" = String, Path)),
    responses((status = 200, body = ProgressOut), (status = 403, description = "not_enrolled")), security(("bearer" = [])))]
async fn course_progress(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ProgressOut>> {
    Ok(Json(app.learning.progress(&who.user, parse(&id)?).await?.into()))
}

/// Mark a lesson done (idempotent); the last one completes the course. A quiz is completed by
/// passing it (`POST /api/v1/lessons/{id}/attempts`).
#[utoipa::path(post, path = "/api/v1/lessons/{id}/complete", tag = "learning", params(("id" = String, Path)),
    responses((status = 200, body = ProgressOut), (status = 403, description = "not_enrolled; lesson_locked"),
        (status = 404), (status = 409, description = "quiz_required: a quiz lesson is completed by passing it.")),
    security(("bearer" = [])))]
async fn complete_lesson(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ProgressOut>> {
    Ok(Json(app.learning.complete(&who.user, parse(&id)?, true).await?.into()))
}

/// Un-mark a lesson (not a quiz: a pass stays).
#[utoipa::path(delete, path = "/api/v1/lessons/{id}/complete", tag = "learning", params(("id" = String, Path)),
    responses((status = 200, body = ProgressOut), (status = 403, description = "not_enrolled; lesson_locked"),
        (status = 404), (status = 409, description = "quiz_required: a quiz lesson stays completed once passed.")),
    security(("bearer" = [])))]
async fn uncomplete_lesson(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ProgressOut>> {
    Ok(Json(app.learning.complete(&who.user, parse(&id)?, false).await?.into()))
}

/// An attempt at a quiz: one answer per question, in order.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AttemptBody {
    /// Single choice: an option index (or `[index]`); multiple choice: a list of indexes;
    /// short answer: a text; `null`: not answered.
    #[schema(value_type = Vec<Object>, max_items = 50)]
    answers: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionResult {
    correct: bool,
    /// The teacher's words on this question, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    feedback: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptOut {
    /// Percent of the questions answered right (rounded down).
    score_percent: u32,
    passed: bool,
    per_question: Vec<QuestionResult>,
    /// Attempts recorded so far, this one included (0 for the teacher's and admins' tries,
    /// which are graded but not recorded).
    attempts_used: u32,
    /// Attempts left, if the quiz limits them.
    attempts_left: Option<u32>,
    /// The student's progress in the course after this attempt (a pass completes the lesson).
    progress: Option<ProgressOut>,
}

/// Submit an attempt at a quiz (enrolled students; the teacher and admins may try it, nothing
/// is recorded for them). A pass completes the lesson, and may complete the course.
#[utoipa::path(post, path = "/api/v1/lessons/{id}/attempts", tag = "learning", params(("id" = String, Path)),
    request_body = AttemptBody,
    responses((status = 201, body = AttemptOut),
        (status = 403, description = "not_enrolled; lesson_locked: its module is not open yet."),
        (status = 404),
        (status = 409, description = "no_attempts_left: every attempt is used; not_a_quiz: the lesson is not a quiz."),
        (status = 422, description = "validation_failed: not one answer per question, or an answer of the wrong shape.")),
    security(("bearer" = [])))]
async fn submit_attempt(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<AttemptBody>,
) -> Result<Response> {
    if b.answers.len() > 50 {
        return Err(Error::validation("answers", "at most 50"));
    }
    let r = app.learning.attempt(&who.user, parse(&id)?, b.answers).await?;
    Ok((StatusCode::CREATED, Json(attempt_out(r))).into_response())
}

fn attempt_out(r: super::service::AttemptResult) -> AttemptOut {
    AttemptOut {
        score_percent: r.graded.score_percent,
        passed: r.graded.passed,
        per_question: r
            .per_question
            .into_iter()
            .map(|(correct, feedback)| QuestionResult { correct, feedback })
            .collect(),
        attempts_used: r.attempts_used,
        attempts_left: r.attempts_left,
        progress: r.progress.map(Into::into),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthorRef {
    id: UserId,
    /// "Former student" when the author deleted their account.
    name: String,
    /// True when the author deleted their account.
    former_student: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewOut {
    id: ReviewId,
    course_id: CourseId,
    rating: u8,
    text_html: String,
    author: AuthorRef,
    created_at: Rfc3339,
    updated_at: Rfc3339,
    /// `pending`: held for moderation, seen only by its author ("awaiting moderation") and
    /// admins, and not counted in the course's rating until an admin approves it.
    status: ReviewStatus,
}

fn review_out(r: ReviewRecord, author_name: String) -> ReviewOut {
    ReviewOut {
        id: r.id,
        course_id: r.course_id,
        rating: r.rating,
        text_html: r.text_html,
        author: AuthorRef {
            id: r.author_id,
            former_student: author_name.is_empty(),
            name: if author_name.is_empty() { "Former student".to_owned() } else { author_name },
        },
        created_at: Rfc3339(r.created_at),
        updated_at: Rfc3339(r.updated_at),
        status: r.status,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewPage {
    items: Vec<ReviewOut>,
    next_cursor: Option<String>,
}

/// Reviews of a course, newest first.
#[utoipa::path(get, path = "/api/v1/courses/{id}/reviews", tag = "learning", params(("id" = String, Path), PageParams),
    responses((status = 200, body = ReviewPage), (status = 422, description = PAGE_REFUSED)), security((), ("bearer" = [])))]
async fn list_reviews(
    State(app): State<AppState>,
    Path(id): Path<String>,
    who: MaybeUser,
    Query(p): Query<PageParams>,
) -> Result<Json<ReviewPage>> {
    let before = p.cursor.as_deref().map(decode_cursor::<u128>).transpose()?;
    let page = app.learning.reviews(parse(&id)?, who.user(), p.limit()?, before).await?;
    Ok(Json(ReviewPage {
        items: page.items.into_iter().map(|(r, n)| review_out(r, n)).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReviewBody {
    /// 1..=5.
    #[schema(minimum = 1, maximum = 5)]
    rating: Option<i64>,
    /// Markdown (emphasis, lists, links).
    #[schema(schema_with = inputs::text_or_null::<0, 5000>)]
    text: Option<String>,
}

/// A [`ReviewBody`] as `create_review` accepts it: with a rating.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "documents the body create_review reads as a ReviewBody")]
pub struct NewReviewBody {
    #[schema(minimum = 1, maximum = 5)]
    rating: i64,
    /// Markdown (emphasis, lists, links).
    #[schema(schema_with = inputs::text_or_null::<0, 5000>)]
    text: Option<String>,
}

fn rating(r: i64) -> Result<u8> {
    if (1..=5).contains(&r) {
        Ok(r as u8)
    } else {
        Err(Error::validation("rating", "must be between 1 and 5"))
    }
}

/// Review a course you are enrolled in (one per course).
#[utoipa::path(post, path = "/api/v1/courses/{id}/reviews", tag = "learning", params(("id" = String, Path)), request_body = NewReviewBody,
    responses((status = 201, body = ReviewOut), (status = 403, description = "not_enrolled, or own_course (its teacher)"),
        (status = 409, description = "already_reviewed")),
    security(("bearer" = [])))]
async fn create_review(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<ReviewBody>,
) -> Result<Response> {
    let course: CourseId = parse(&id)?;
    let r = rating(b.rating.ok_or_else(|| Error::validation("rating", "is required"))?)?;
    let text = types::text("text", b.text.as_deref().unwrap_or(""), 0, 5000)
        .map_err(|e| Error::Validation(vec![e]))?;
    let rev = app.learning.create_review(&who.user, course, r, text).await?;
    let location = format!("/api/v1/courses/{course}/reviews#{}", rev.id);
    let mut res = (StatusCode::CREATED, Json(review_out(rev, who.user.name.clone()))).into_response();
    res.headers_mut().insert(LOCATION, HeaderValue::from_str(&location).expect("ascii"));
    Ok(res)
}

/// Edit your review (or any, as an admin).
#[utoipa::path(patch, path = "/api/v1/reviews/{id}", tag = "learning", params(("id" = String, Path)), request_body = ReviewBody,
    responses((status = 200, body = ReviewOut), (status = 403, description = "forbidden: neither its author nor an admin.")),
    security(("bearer" = [])))]
async fn update_review(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<ReviewBody>,
) -> Result<Json<ReviewOut>> {
    let r = b.rating.map(rating).transpose()?;
    let text = b
        .text
        .as_deref()
        .map(|t| types::text("text", t, 0, 5000))
        .transpose()
        .map_err(|e| Error::Validation(vec![e]))?;
    let (rev, name) = app.learning.update_review(&who.user, parse(&id)?, r, text).await?;
    Ok(Json(review_out(rev, name)))
}

/// Delete your review (or any, as an admin).
#[utoipa::path(delete, path = "/api/v1/reviews/{id}", tag = "learning", params(("id" = String, Path)),
    responses((status = 204), (status = 403, description = "forbidden: neither its author nor an admin.")),
    security(("bearer" = [])))]
async fn delete_review(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Response> {
    app.learning.delete_review(&who.user, parse(&id)?).await?;
    Ok(no_content())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoursePage {
    items: Vec<CourseSummary>,
    next_cursor: Option<String>,
}

/// Your wishlist, most recently added first.
#[utoipa::path(get, path = "/api/v1/me/wishlist", tag = "learning", params(PageParams),
    responses((status = 200, body = CoursePage), (status = 422, description = PAGE_REFUSED)), security(("bearer" = [])))]
async fn wishlist(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Query(p): Query<PageParams>,
    headers: HeaderMap,
) -> Result<Json<CoursePage>> {
    let before = p.cursor.as_deref().map(decode_cursor::<u128>).transpose()?;
    let page = app.learning.wishlist(&who.user, p.limit()?, before).await?;
    let items = app.catalog.summaries(&page.items, &locale(&headers, Some(&who.user))).await?;
    Ok(Json(CoursePage { items, next_cursor: page.next_cursor }))
}

/// Add a course to your wishlist (idempotent).
#[utoipa::path(put, path = "/api/v1/me/wishlist/{course_id}", tag = "learning", params(("course_id" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
async fn wish(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Response> {
    app.learning.wish(&who.user, parse(&id)?, true).await?;
    Ok(no_content())
}

/// Remove a course from your wishlist (idempotent).
#[utoipa::path(delete, path = "/api/v1/me/wishlist/{course_id}", tag = "learning", params(("course_id" = String, Path)),
    responses((status = 204)), security(("bearer" = [])))]
async fn unwish(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Response> {
    app.learning.wish(&who.user, parse(&id)?, false).await?;
    Ok(no_content())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationOut {
    id: NotificationId,
    kind: NotificationKind,
    title: String,
    body: String,
    link: String,
    read: bool,
    created_at: Rfc3339,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    items: Vec<NotificationOut>,
    next_cursor: Option<String>,
    unread_count: u64,
}

/// Your notifications, newest first, and how many are unread.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "learning", params(PageParams),
    responses((status = 200, body = NotificationPage), (status = 422, description = PAGE_REFUSED)), security(("bearer" = [])))]
async fn notifications(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Query(p): Query<PageParams>,
) -> Result<Json<NotificationPage>> {
    let before = p.cursor.as_deref().map(decode_cursor::<u128>).transpose()?;
    let (page, unread_count) = app.learning.notifications(&who.user, p.limit()?, before).await?;
    let items = page
        .items
        .into_iter()
        .map(|n| NotificationOut {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            read: n.read,
            created_at: Rfc3339(n.created_at),
        })
        .collect();
    Ok(Json(NotificationPage { items, next_cursor: page.next_cursor, unread_count }))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "learning", params(("id" = String, Path)),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
async fn read_notification(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Response> {
    app.learning.mark_read(&who.user, Some(parse(&id)?)).await?;
    Ok(no_content())
}

/// Mark every notification read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "learning",
    responses((status = 204)), security(("bearer" = [])))]
async fn read_all_notifications(State(app): State<AppState>, AuthUser(who): AuthUser) -> Result<Response> {
    app.learning.mark_read(&who.user, None).await?;
    Ok(no_content())
}
