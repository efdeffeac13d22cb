//! Moderation endpoints: users' reports, the admins' queues and decisions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::repo::{ReportAction, ReportReason, ReportRecord, TargetType};
use super::service::{NewReport, QueuedCourse, QueuedReview, QueuedVerification, reason};
use super::verification::{self, VerificationRecord, VerificationStatus};
use crate::app::AppState;
use crate::catalog::types::CourseStatus;
use crate::clock::Rfc3339;
use crate::error::{Error, Result};
use crate::http::extract::{Json, Query};
use crate::http::openapi::PAGE_REFUSED;
use crate::identity::{AdminUser, AuthUser};
use crate::ids::{CourseId, ReportId, ReviewId, UserId};
use crate::learning::repo::ReviewStatus;
use crate::qa::repo::{PostKind, PostStatus};
use crate::store::page::{PageParams, decode_cursor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_report))
        .routes(routes!(resolve_report))
        .routes(routes!(course_queue))
        .routes(routes!(review_queue))
        .routes(routes!(report_queue))
        .routes(routes!(approve_course))
        .routes(routes!(reject_course))
        .routes(routes!(unpublish_course))
        .routes(routes!(approve_review))
        .routes(routes!(hide_review))
        .routes(routes!(qa_queue))
        .routes(routes!(approve_post))
        .routes(routes!(hide_post))
        .routes(routes!(request_verification, my_verification))
        .routes(routes!(verification_queue))
        .routes(routes!(approve_verification))
        .routes(routes!(reject_verification))
}

fn cursor(p: &PageParams) -> Result<Option<u128>> {
    p.cursor.as_deref().map(decode_cursor::<u128>).transpose()
}

fn id<T: std::str::FromStr>(raw: &str) -> Result<T> {
    raw.parse().map_err(|_| Error::NotFound)
}

// ---- reports ----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReportBody {
    /// `course`, `review`, `teacher`, `lesson` or `question`.
    #[schema(value_type = TargetType)]
    target_type: String,
    /// The id of the course, review, lesson or question, or the teacher's user id.
    target_id: String,
    /// `spam`, `abuse`, `copyright`, `misleading` or `other`.
    #[schema(value_type = ReportReason)]
    reason: String,
    /// What is wrong, in the reporter's words (0..=2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    details: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportOut {
    id: ReportId,
    target_type: TargetType,
    target_id: String,
    reason: ReportReason,
    details: String,
    /// What was reported, for people (a course title, a teacher's name).
    target_label: String,
    /// The page of what was reported.
    target_link: String,
    reporter_id: UserId,
    affected_user_id: Option<UserId>,
    created_at: Rfc3339,
    /// Absent while open.
    resolution: Option<ResolutionOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResolutionOut {
    action: ReportAction,
    note: String,
    by: UserId,
    at: Rfc3339,
}

fn target_id_string(r: &ReportRecord) -> String {
    match r.target_type {
        TargetType::Teacher => UserId::from_key(r.target_id).to_string(),
        _ => ulid::Ulid(r.target_id).to_string(),
    }
}

fn report_out(r: ReportRecord) -> ReportOut {
    ReportOut {
        id: r.id,
        target_type: r.target_type,
        target_id: target_id_string(&r),
        reason: r.reason,
        target_label: r.target_label,
        target_link: r.target_link,
        reporter_id: r.reporter,
        affected_user_id: r.affected,
        created_at: Rfc3339(r.created_at),
        resolution: r.resolution.map(|s| ResolutionOut {
            action: s.action,
            note: s.note,
            by: s.by,
            at: Rfc3339(s.at),
        }),
        details: r.details,
    }
}

/// Report a course, lesson, review, teacher or question to the school's admins (once per
/// target). Questions cannot be reported until the lesson Q&A exists: 404.
#[utoipa::path(post, path = "/api/v1/reports", tag = "moderation", request_body = ReportBody,
    responses((status = 201, body = ReportOut),
        (status = 404, description = "not_found: no such target, or one the reporter cannot see."),
        (status = 409, description = "already_reported: this person reported this target before."),
        (status = 422, description = "validation_failed: unknown `target_type` or `reason`, `details` over 2000 characters.")),
    security(("bearer" = [])))]
async fn create_report(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Json(b): Json<ReportBody>,
) -> Result<Response> {
    let input = NewReport::parse(&b.target_type, &b.target_id, &b.reason, &b.details)?;
    let r = app.moderation.report(&who.user, input).await?;
    Ok((StatusCode::CREATED, Json(report_out(r))).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResolveBody {
    /// `dismiss`, `hide`, `unpublish` or `lock_user`.
    #[schema(value_type = ReportAction)]
    action: String,
    /// The statement of reasons the reporter and the affected person receive (3..=2000).
    #[schema(min_length = 3, max_length = 2000)]
    note: String,
}

/// Resolve a report (admins): `dismiss` changes nothing; `hide` hides a review (for a course or
/// lesson: takes the course down); `unpublish` takes the course down (for a review: hides it);
/// `lock_user` locks the person behind the reported thing (every session ends at once). The reporter is
/// told the outcome; the affected person, when something of theirs was restricted, gets the
/// statement of reasons.
#[utoipa::path(post, path = "/api/v1/admin/reports/{id}/resolve", tag = "admin",
    params(("id" = String, Path)), request_body = ResolveBody,
    responses((status = 200, body = ReportOut), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such report, or its target is gone."),
        (status = 409, description = "not_pending: resolved already; not_supported: the action does not apply to this target; own_account, last_admin: the person cannot be locked."),
        (status = 422, description = "validation_failed: unknown `action`, `note` not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn resolve_report(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<ResolveBody>,
) -> Result<Json<ReportOut>> {
    let action = ReportAction::parse(&b.action)
        .ok_or_else(|| Error::validation("action", "must be dismiss, hide, unpublish or lock_user"))?;
    let note = reason("note", &b.note)?;
    let r = app.moderation.resolve(&who.user, id(&raw)?, action, note).await?;
    Ok(Json(report_out(r)))
}

// ---- queues ----

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuedCourseOut {
    id: CourseId,
    slug: String,
    title: String,
    status: CourseStatus,
    teacher_id: UserId,
    teacher_name: String,
    submitted_at: Rfc3339,
    /// Why the checks sent it here: `first_course`, `few_lessons`, `short_description`,
    /// `link`, `contact`, `abuse`, `promotion`, `duplicate`.
    reasons: Vec<String>,
    /// What matched (a link, a word).
    evidence: Vec<String>,
}

impl From<QueuedCourse> for QueuedCourseOut {
    fn from(q: QueuedCourse) -> Self {
        QueuedCourseOut {
            id: q.course.id,
            slug: q.course.slug,
            title: q.course.title,
            status: q.course.status,
            teacher_id: q.course.teacher_id,
            teacher_name: q.teacher,
            submitted_at: Rfc3339(q.review.submitted_at),
            reasons: q.review.reasons,
            evidence: q.review.evidence,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CourseQueue {
    items: Vec<QueuedCourseOut>,
    next_cursor: Option<String>,
}

/// Courses waiting for an admin (admins), oldest first.
#[utoipa::path(get, path = "/api/v1/admin/moderation/courses", tag = "admin", params(PageParams),
    responses((status = 200, body = CourseQueue), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn course_queue(
    State(app): State<AppState>,
    AdminUser(_who): AdminUser,
    Query(p): Query<PageParams>,
) -> Result<Json<CourseQueue>> {
    let page = app.moderation.course_queue(cursor(&p)?, p.limit()?).await?;
    Ok(Json(CourseQueue {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuedReviewOut {
    id: ReviewId,
    course_id: CourseId,
    course_title: String,
    course_slug: String,
    author_id: UserId,
    author_name: String,
    rating: u8,
    text_html: String,
    status: ReviewStatus,
    created_at: Rfc3339,
    /// Why the screen held it: `link`, `contact`, `promotion`, `abuse`, `shouting`,
    /// `repetition`, `new_account`, `burst`, `duplicate`.
    flags: Vec<String>,
    evidence: Vec<String>,
}

impl From<QueuedReview> for QueuedReviewOut {
    fn from(q: QueuedReview) -> Self {
        let r = q.review;
        QueuedReviewOut {
            id: r.id,
            course_id: r.course_id,
            course_title: q.course_title,
            course_slug: q.course_slug,
            author_id: r.author_id,
            author_name: q.author,
            rating: r.rating,
            text_html: r.text_html,
            status: r.status,
            created_at: Rfc3339(r.created_at),
            flags: r.flags,
            evidence: r.evidence,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewQueue {
    items: Vec<QueuedReviewOut>,
    next_cursor: Option<String>,
}

/// Reviews the screen held (admins), oldest first.
#[utoipa::path(get, path = "/api/v1/admin/moderation/reviews", tag = "admin", params(PageParams),
    responses((status = 200, body = ReviewQueue), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn review_queue(
    State(app): State<AppState>,
    AdminUser(_who): AdminUser,
    Query(p): Query<PageParams>,
) -> Result<Json<ReviewQueue>> {
    let page = app.moderation.review_queue(cursor(&p)?, p.limit()?).await?;
    Ok(Json(ReviewQueue {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportQueue {
    items: Vec<ReportOut>,
    next_cursor: Option<String>,
}

/// Open reports (admins), oldest first.
#[utoipa::path(get, path = "/api/v1/admin/moderation/reports", tag = "admin", params(PageParams),
    responses((status = 200, body = ReportQueue), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn report_queue(
    State(app): State<AppState>,
    AdminUser(_who): AdminUser,
    Query(p): Query<PageParams>,
) -> Result<Json<ReportQueue>> {
    let page = app.moderation.report_queue(cursor(&p)?, p.limit()?).await?;
    Ok(Json(ReportQueue {
        items: page.items.into_iter().map(report_out).collect(),
        next_cursor: page.next_cursor,
    }))
}

// ---- decisions ----

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionBody {
    /// Why (3..=2000 characters): required to reject, unpublish or hide; optional to approve.
    #[serde(default)]
    #[schema(min_length = 3, max_length = 2000)]
    reason: Option<String>,
}

fn optional_reason(b: &DecisionBody) -> Result<Option<String>> {
    match b.reason.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(r) => reason("reason", r).map(Some),
    }
}

fn required_reason(b: &DecisionBody) -> Result<String> {
    reason("reason", b.reason.as_deref().unwrap_or(""))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModeratedCourse {
    id: CourseId,
    slug: String,
    title: String,
    status: CourseStatus,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModeratedReview {
    id: ReviewId,
    course_id: CourseId,
    status: ReviewStatus,
}

fn course_answer(c: crate::catalog::repo::CourseRecord) -> Json<ModeratedCourse> {
    Json(ModeratedCourse { id: c.id, slug: c.slug, title: c.title, status: c.status })
}

/// Publish a course in review (admins). The teacher is told (notification and email).
#[utoipa::path(post, path = "/api/v1/admin/courses/{id}/approve", tag = "admin",
    params(("id" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = ModeratedCourse), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such course."),
        (status = 409, description = "not_pending: the course is not in review."),
        (status = 422, description = "validation_failed: `reason` not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn approve_course(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ModeratedCourse>> {
    let why = optional_reason(&b)?;
    Ok(course_answer(app.moderation.approve_course(&who.user, id(&raw)?, why).await?))
}

/// Send a course in review back to its teacher as a draft (admins), with what to fix; the
/// teacher publishes again to resubmit.
#[utoipa::path(post, path = "/api/v1/admin/courses/{id}/reject", tag = "admin",
    params(("id" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = ModeratedCourse), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such course."),
        (status = 409, description = "not_pending: the course is not in review."),
        (status = 422, description = "validation_failed: `reason` missing or not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn reject_course(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ModeratedCourse>> {
    let why = required_reason(&b)?;
    Ok(course_answer(app.moderation.reject_course(&who.user, id(&raw)?, why).await?))
}

/// Take a published (or queued) course out of the catalog (admins), with the reason.
#[utoipa::path(post, path = "/api/v1/admin/courses/{id}/unpublish", tag = "admin",
    params(("id" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = ModeratedCourse), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such course."),
        (status = 409, description = "not_pending: the course is neither published nor in review."),
        (status = 422, description = "validation_failed: `reason` missing or not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn unpublish_course(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ModeratedCourse>> {
    let why = required_reason(&b)?;
    Ok(course_answer(app.moderation.unpublish_course(&who.user, id(&raw)?, why).await?))
}

/// Publish a held (or hidden) review (admins): it counts in the course's rating from now on.
#[utoipa::path(post, path = "/api/v1/admin/reviews/{id}/approve", tag = "admin",
    params(("id" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = ModeratedReview), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such review."),
        (status = 409, description = "not_pending: the review is published already."),
        (status = 422, description = "validation_failed: `reason` not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn approve_review(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ModeratedReview>> {
    let why = optional_reason(&b)?;
    let r = app.moderation.approve_review(&who.user, id(&raw)?, why).await?;
    Ok(Json(ModeratedReview { id: r.id, course_id: r.course_id, status: r.status }))
}

/// Hide a review (admins), with the reason its author receives.
#[utoipa::path(post, path = "/api/v1/admin/reviews/{id}/hide", tag = "admin",
    params(("id" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = ModeratedReview), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such review."),
        (status = 409, description = "not_pending: the review is hidden already."),
        (status = 422, description = "validation_failed: `reason` missing or not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn hide_review(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ModeratedReview>> {
    let why = required_reason(&b)?;
    let r = app.moderation.hide_review(&who.user, id(&raw)?, why).await?;
    Ok(Json(ModeratedReview { id: r.id, course_id: r.course_id, status: r.status }))
}

// ---- lesson Q&A ----

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuedPostOut {
    /// The question's or the answer's id.
    id: String,
    /// `question` or `answer`.
    kind: String,
    /// The question's title (for an answer, the question it answers).
    title: String,
    body_html: String,
    author_name: String,
    course_title: String,
    /// The lesson page, at the question.
    link: String,
    created_at: Rfc3339,
    /// Why the screen held it: `link`, `contact`, `abuse`, `promotion`, `shouting`, ...
    reasons: Vec<String>,
    evidence: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PostQueue {
    items: Vec<QueuedPostOut>,
    next_cursor: Option<String>,
}

/// Questions and answers held by the screen (admins), oldest first.
#[utoipa::path(get, path = "/api/v1/admin/moderation/qa", tag = "admin", params(PageParams),
    responses((status = 200, body = PostQueue), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn qa_queue(
    State(app): State<AppState>,
    AdminUser(_who): AdminUser,
    Query(p): Query<PageParams>,
) -> Result<Json<PostQueue>> {
    let page = app.qa.queue(cursor(&p)?, p.limit()?).await?;
    Ok(Json(PostQueue {
        items: page
            .items
            .into_iter()
            .map(|q| QueuedPostOut {
                id: ulid::Ulid(q.id).to_string(),
                kind: match q.kind {
                    PostKind::Question => "question".into(),
                    PostKind::Answer => "answer".into(),
                },
                title: q.title,
                body_html: q.body_html,
                author_name: q.author,
                course_title: q.course_title,
                link: q.link,
                created_at: Rfc3339(q.created_at),
                reasons: q.flags,
                evidence: q.evidence,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModeratedPost {
    id: String,
    /// `question` or `answer`.
    kind: String,
    status: PostStatus,
}

fn post_id(raw: &str) -> Result<u128> {
    raw.parse::<ulid::Ulid>().map(|u| u.0).map_err(|_| Error::NotFound)
}

fn moderated(raw: &str, (kind, status): (PostKind, PostStatus)) -> Json<ModeratedPost> {
    let kind = match kind {
        PostKind::Question => "question",
        PostKind::Answer => "answer",
    };
    Json(ModeratedPost { id: raw.to_owned(), kind: kind.into(), status })
}

/// Publish a held (or hidden) question or answer (admins); its author is told.
#[utoipa::path(post, path = "/api/v1/admin/qa/{id}/approve", tag = "admin",
    params(("id" = String, Path, description = "A question's or an answer's id.")), request_body = DecisionBody,
    responses((status = 200, body = ModeratedPost), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such question or answer."),
        (status = 409, description = "not_pending: it is published already."),
        (status = 422, description = "validation_failed: `reason` not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn approve_post(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ModeratedPost>> {
    let why = optional_reason(&b)?.unwrap_or_default();
    let done = app.moderation.decide_post(&who.user, post_id(&raw)?, PostStatus::Published, why).await?;
    Ok(moderated(&raw, done))
}

/// Hide a question or answer (admins), with the reason its author receives.
#[utoipa::path(post, path = "/api/v1/admin/qa/{id}/hide", tag = "admin",
    params(("id" = String, Path, description = "A question's or an answer's id.")), request_body = DecisionBody,
    responses((status = 200, body = ModeratedPost), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no such question or answer."),
        (status = 409, description = "not_pending: it is hidden already."),
        (status = 422, description = "validation_failed: `reason` missing or not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn hide_post(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<ModeratedPost>> {
    let why = required_reason(&b)?;
    let done = app.moderation.decide_post(&who.user, post_id(&raw)?, PostStatus::Hidden, why).await?;
    Ok(moderated(&raw, done))
}

// ---- teacher verification ----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerificationBody {
    /// 1 to 5 of the teacher's own uploads of purpose `verification_document`.
    #[schema(min_items = 1, max_items = 5)]
    document_upload_ids: Vec<String>,
    /// Anything the admin should know (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    note: Option<String>,
}

/// Where a teacher's verification stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationOut {
    /// `none` when the teacher never asked.
    #[schema(value_type = String, example = "pending")]
    status: &'static str,
    verified: bool,
    document_upload_ids: Vec<String>,
    note: String,
    /// The admin's reason, when decided.
    reason: Option<String>,
    submitted_at: Option<Rfc3339>,
    decided_at: Option<Rfc3339>,
}

fn verification_out(v: Option<VerificationRecord>, verified: bool) -> VerificationOut {
    match v {
        Some(v) => VerificationOut {
            status: v.status.as_str(),
            verified,
            document_upload_ids: v.documents,
            note: v.note,
            reason: v.reason,
            submitted_at: Some(Rfc3339(v.submitted_at)),
            decided_at: v.decided_at.map(Rfc3339),
        },
        None => VerificationOut {
            status: "none",
            verified,
            document_upload_ids: Vec::new(),
            note: String::new(),
            reason: None,
            submitted_at: None,
            decided_at: None,
        },
    }
}

/// Ask to be verified (teachers): documents and a note go to the admins' queue.
#[utoipa::path(post, path = "/api/v1/me/verification", tag = "studio", request_body = VerificationBody,
    responses((status = 201, body = VerificationOut, description = "`status`: `pending`."), (status = 401),
        (status = 403, description = "teachers_only"),
        (status = 409, description = "already_verified"),
        (status = 422, description = "validation_failed: no documents, more than 5, or not the caller's verification uploads.")),
    security(("bearer" = [])))]
async fn request_verification(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Json(b): Json<VerificationBody>,
) -> Result<Response> {
    let note = verification::note(b.note.as_deref().unwrap_or(""))?;
    let v = app.moderation.request_verification(&who.user, b.document_upload_ids, note).await?;
    Ok((StatusCode::CREATED, Json(verification_out(Some(v), false))).into_response())
}

/// The caller's verification: `none`, `pending`, `approved` or `rejected` (with the reason).
#[utoipa::path(get, path = "/api/v1/me/verification", tag = "studio",
    responses((status = 200, body = VerificationOut), (status = 401)),
    security(("bearer" = [])))]
async fn my_verification(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
) -> Result<Json<VerificationOut>> {
    let v = app.moderation.verification(&who.user).await?;
    Ok(Json(verification_out(v, who.user.verified_at.is_some())))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuedVerificationOut {
    /// The teacher's id, also the request's.
    id: UserId,
    teacher_name: String,
    teacher_email: String,
    note: String,
    /// Each opens at `/media/{id}/document` for admins.
    document_upload_ids: Vec<String>,
    submitted_at: Rfc3339,
}

impl From<QueuedVerification> for QueuedVerificationOut {
    fn from(q: QueuedVerification) -> Self {
        QueuedVerificationOut {
            id: q.request.teacher,
            teacher_name: q.teacher_name,
            teacher_email: q.teacher_email,
            note: q.request.note,
            document_upload_ids: q.request.documents,
            submitted_at: Rfc3339(q.request.submitted_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationQueue {
    items: Vec<QueuedVerificationOut>,
    next_cursor: Option<String>,
}

/// Teachers waiting to be verified (admins).
#[utoipa::path(get, path = "/api/v1/admin/moderation/verifications", tag = "admin", params(PageParams),
    responses((status = 200, body = VerificationQueue), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn verification_queue(
    State(app): State<AppState>,
    AdminUser(_who): AdminUser,
    Query(p): Query<PageParams>,
) -> Result<Json<VerificationQueue>> {
    let page = app.moderation.verification_queue(cursor(&p)?, p.limit()?).await?;
    Ok(Json(VerificationQueue {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecidedVerification {
    id: UserId,
    status: VerificationStatus,
}

/// Verify a teacher (admins): a badge on their pages; their clean courses publish at once.
#[utoipa::path(post, path = "/api/v1/admin/verifications/{id}/approve", tag = "admin",
    params(("id" = String, Path, description = "the teacher's id")), request_body = DecisionBody,
    responses((status = 200, body = DecidedVerification), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no request from this teacher."),
        (status = 409, description = "not_pending: decided already."),
        (status = 422, description = "validation_failed: `reason` not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn approve_verification(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<DecidedVerification>> {
    let why = optional_reason(&b)?;
    let v = app.moderation.decide_verification(&who.user, id(&raw)?, true, why).await?;
    Ok(Json(DecidedVerification { id: v.teacher, status: v.status }))
}

/// Turn down a teacher's request (admins), with the reason the teacher is told.
#[utoipa::path(post, path = "/api/v1/admin/verifications/{id}/reject", tag = "admin",
    params(("id" = String, Path, description = "the teacher's id")), request_body = DecisionBody,
    responses((status = 200, body = DecidedVerification), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no request from this teacher."),
        (status = 409, description = "not_pending: decided already."),
        (status = 422, description = "validation_failed: `reason` missing or not 3..=2000 characters.")),
    security(("bearer" = [])))]
async fn reject_verification(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(raw): Path<String>,
    Json(b): Json<DecisionBody>,
) -> Result<Json<DecidedVerification>> {
    let why = required_reason(&b)?;
    let v = app.moderation.decide_verification(&who.user, id(&raw)?, false, Some(why)).await?;
    Ok(Json(DecidedVerification { id: v.teacher, status: v.status }))
}
