//! Trust and safety pages: the admin's moderation queues (`/admin/moderation`: courses in
//! review, held reviews, open reports, each with its evidence and the forms to decide), and
//! the report form signed-in people find on a course page and next to each review (`POST
//! /reports`). Every rule is the moderation service's, as the API's.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::render;
use crate::app::AppState;
use crate::error::{Code, Error, Result};
use crate::fields::text;
use crate::http::ids::parse;
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::moderation::repo::{ReportAction, ReportRecord};
use crate::moderation::service::{NewReport, QueuedCourse, QueuedReview};
use crate::web::i18n::Tr;
use crate::web::session::PageCtx;
use crate::web::view::{Layout, date};
use crate::web::{html, see_other};

const PAGE_SIZE: usize = 50;

fn admin(ctx: &PageCtx) -> Result<&UserRecord> {
    let who = ctx.require()?;
    if who.user.role == Role::Admin { Ok(&who.user) } else { Err(Error::forbidden()) }
}

/// The reasons a report form offers, in the page's language.
pub fn report_reasons(tr: Tr) -> Vec<(&'static str, String)> {
    crate::moderation::repo::ReportReason::ALL
        .into_iter()
        .map(|r| (r.as_str(), tr.t(&format!("report-reason-{}", r.as_str()))))
        .collect()
}

/// A reason code of the screen or the checks, in words.
fn reason_label(tr: Tr, code: &str) -> String {
    tr.t(&format!("screen-reason-{}", code.replace('_', "-")))
}

pub struct CourseItem {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub teacher: String,
    pub teacher_id: String,
    pub submitted: String,
    pub reasons: Vec<String>,
    pub evidence: String,
}

pub struct ReviewItem {
    pub id: String,
    pub course_title: String,
    pub course_slug: String,
    pub author: String,
    pub rating: u8,
    pub text_html: String,
    pub written: String,
    pub reasons: Vec<String>,
    pub evidence: String,
}

pub struct VerificationItem {
    pub id: String,
    pub teacher: String,
    pub email: String,
    pub note: String,
    pub documents: Vec<String>,
    pub submitted: String,
}

/// A held question or answer (lesson Q&A).
pub struct PostItem {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub body_html: String,
    pub author: String,
    pub course_title: String,
    pub link: String,
    pub written: String,
    pub reasons: Vec<String>,
    pub evidence: String,
}

pub struct ReportItem {
    pub id: String,
    pub target_type: String,
    pub target_label: String,
    pub target_link: String,
    pub reason: String,
    pub details: String,
    pub filed: String,
}

#[derive(Template)]
#[template(path = "admin_moderation.html")]
struct ModerationPage {
    l: Layout,
    courses: Vec<CourseItem>,
    reviews: Vec<ReviewItem>,
    posts: Vec<PostItem>,
    reports: Vec<ReportItem>,
    verifications: Vec<VerificationItem>,
    /// (value, label) of the report actions.
    actions: Vec<(&'static str, String)>,
    error: Option<String>,
}

fn course_item(tr: Tr, q: QueuedCourse) -> CourseItem {
    CourseItem {
        id: q.course.id.to_string(),
        slug: q.course.slug,
        title: q.course.title,
        teacher: q.teacher,
        teacher_id: q.course.teacher_id.to_string(),
        submitted: date(tr, q.review.submitted_at),
        reasons: q.review.reasons.iter().map(|r| reason_label(tr, r)).collect(),
        evidence: q.review.evidence.join(", "),
    }
}

fn review_item(tr: Tr, q: QueuedReview) -> ReviewItem {
    ReviewItem {
        id: q.review.id.to_string(),
        course_title: q.course_title,
        course_slug: q.course_slug,
        author: q.author,
        rating: q.review.rating,
        written: date(tr, q.review.created_at),
        reasons: q.review.flags.iter().map(|r| reason_label(tr, r)).collect(),
        evidence: q.review.evidence.join(", "),
        text_html: q.review.text_html,
    }
}

fn report_item(tr: Tr, r: ReportRecord) -> ReportItem {
    ReportItem {
        id: r.id.to_string(),
        target_type: tr.t(&format!("report-target-{}", r.target_type.as_str())),
        target_label: r.target_label,
        target_link: r.target_link,
        reason: tr.t(&format!("report-reason-{}", r.reason.as_str())),
        details: r.details,
        filed: date(tr, r.created_at),
    }
}

async fn page(app: &AppState, ctx: &PageCtx, error: Option<String>) -> Result<String> {
    admin(ctx)?;
    let tr = ctx.tr();
    let courses = app.moderation.course_queue(None, PAGE_SIZE).await?;
    let reviews = app.moderation.review_queue(None, PAGE_SIZE).await?;
    let reports = app.moderation.report_queue(None, PAGE_SIZE).await?;
    let posts = app.qa.queue(None, PAGE_SIZE).await?;
    let verifications = app.moderation.verification_queue(None, PAGE_SIZE).await?;
    let page = ModerationPage {
        l: Layout::new(app, ctx, tr.t("moderation-title")).nav("admin-moderation"),
        courses: courses.items.into_iter().map(|q| course_item(tr, q)).collect(),
        reviews: reviews.items.into_iter().map(|q| review_item(tr, q)).collect(),
        reports: reports.items.into_iter().map(|r| report_item(tr, r)).collect(),
        posts: posts
            .items
            .into_iter()
            .map(|p| PostItem {
                id: ulid::Ulid(p.id).to_string(),
                kind: tr.t(match p.kind {
                    crate::qa::repo::PostKind::Question => "qa-kind-question",
                    crate::qa::repo::PostKind::Answer => "qa-kind-answer",
                }),
                title: p.title,
                body_html: p.body_html,
                author: p.author,
                course_title: p.course_title,
                link: p.link,
                written: date(tr, p.created_at),
                reasons: p.flags.iter().map(|r| reason_label(tr, r)).collect(),
                evidence: p.evidence.join(", "),
            })
            .collect(),
        verifications: verifications
            .items
            .into_iter()
            .map(|q| VerificationItem {
                id: q.request.teacher.to_string(),
                teacher: q.teacher_name,
                email: q.teacher_email,
                note: q.request.note,
                documents: q.request.documents,
                submitted: date(tr, q.request.submitted_at),
            })
            .collect(),
        actions: ReportAction::ALL
            .into_iter()
            .map(|a| (a.as_str(), tr.t(&format!("report-action-{}", a.as_str().replace('_', "-")))))
            .collect(),
        error,
    };
    render(&page)
}

/// `GET /admin/moderation`.
pub async fn moderation(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let body = page(&app, &ctx, None).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, body))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    action: String,
}

/// A refusal the admin can act on, as a message on the page; anything else is an error page.
fn refusal(tr: Tr, e: Error) -> Result<(StatusCode, String)> {
    let key = match &e {
        Error::Conflict { code: Code::NotPending, .. } => "moderation-not-pending",
        Error::Conflict { code: Code::NotSupported, .. } => "moderation-not-supported",
        Error::Validation(_) => "moderation-reason-needed",
        _ => return Err(e),
    };
    Ok((e.status(), tr.t(key)))
}

async fn answer(app: &AppState, ctx: &PageCtx, headers: &HeaderMap, outcome: Result<()>) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(see_other("/admin/moderation")),
        Err(e) => {
            let (status, message) = refusal(ctx.tr(), e)?;
            let body = page(app, ctx, Some(message)).await?;
            Ok(html(ctx, headers, status, body))
        }
    }
}

fn reason_of(raw: &str, required: bool) -> Result<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() && !required {
        return Ok(None);
    }
    text("reason", raw, 3, 2000).map(Some).map_err(|e| Error::Validation(vec![e]))
}

/// `POST /admin/moderation/verifications/{id}/{approve|reject}`.
pub async fn decide_verification(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, decision)): Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response> {
    let who = admin(&ctx)?.clone();
    ctx.check_csrf(&f.csrf)?;
    let id = parse(&id)?;
    let outcome = async {
        let approve = match decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(Error::NotFound),
        };
        let why = reason_of(&f.reason, !approve)?;
        app.moderation.decide_verification(&who, id, approve, why).await.map(|_| ())
    }
    .await;
    answer(&app, &ctx, &headers, outcome).await
}

/// `POST /admin/moderation/courses/{id}/{approve|reject|unpublish}`.
pub async fn decide_course(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, decision)): Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response> {
    let who = admin(&ctx)?.clone();
    ctx.check_csrf(&f.csrf)?;
    let id = parse(&id)?;
    let m = &app.moderation;
    let outcome = async {
        match decision.as_str() {
            "approve" => m.approve_course(&who, id, reason_of(&f.reason, false)?).await,
            "reject" => m.reject_course(&who, id, reason_of(&f.reason, true)?.unwrap_or_default()).await,
            "unpublish" => {
                m.unpublish_course(&who, id, reason_of(&f.reason, true)?.unwrap_or_default()).await
            }
            _ => Err(Error::NotFound),
        }
        .map(|_| ())
    }
    .await;
    answer(&app, &ctx, &headers, outcome).await
}

/// `POST /admin/moderation/reviews/{id}/{approve|hide}`.
pub async fn decide_review(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, decision)): Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response> {
    let who = admin(&ctx)?.clone();
    ctx.check_csrf(&f.csrf)?;
    let id = parse(&id)?;
    let m = &app.moderation;
    let outcome = async {
        match decision.as_str() {
            "approve" => m.approve_review(&who, id, reason_of(&f.reason, false)?).await,
            "hide" => m.hide_review(&who, id, reason_of(&f.reason, true)?.unwrap_or_default()).await,
            _ => Err(Error::NotFound),
        }
        .map(|_| ())
    }
    .await;
    answer(&app, &ctx, &headers, outcome).await
}

/// `POST /admin/moderation/qa/{id}/{approve|hide}`: a held question or answer.
pub async fn decide_post(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, decision)): Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response> {
    use crate::qa::repo::PostStatus;
    let who = admin(&ctx)?.clone();
    ctx.check_csrf(&f.csrf)?;
    let id = id.parse::<ulid::Ulid>().map_err(|_| Error::NotFound)?.0;
    let m = &app.moderation;
    let outcome = async {
        match decision.as_str() {
            "approve" => {
                m.decide_post(
                    &who,
                    id,
                    PostStatus::Published,
                    reason_of(&f.reason, false)?.unwrap_or_default(),
                )
                .await
            }
            "hide" => {
                m.decide_post(&who, id, PostStatus::Hidden, reason_of(&f.reason, true)?.unwrap_or_default())
                    .await
            }
            _ => Err(Error::NotFound),
        }
        .map(|_| ())
    }
    .await;
    answer(&app, &ctx, &headers, outcome).await
}

/// `POST /admin/moderation/reports/{id}/resolve`.
pub async fn resolve_report(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response> {
    let who = admin(&ctx)?.clone();
    ctx.check_csrf(&f.csrf)?;
    let id = parse(&id)?;
    let outcome = async {
        let action = ReportAction::parse(&f.action).ok_or_else(|| Error::validation("action", "unknown"))?;
        let note = reason_of(&f.reason, true)?.unwrap_or_default();
        app.moderation.resolve(&who, id, action, note).await.map(|_| ())
    }
    .await;
    answer(&app, &ctx, &headers, outcome).await
}

#[derive(Template)]
#[template(path = "message.html")]
struct ReportedPage {
    l: Layout,
    heading: String,
    message: String,
    success: bool,
    link: Option<(String, String)>,
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    target_type: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    details: String,
    /// The page the form was on (a local path), to go back to.
    #[serde(default)]
    back: String,
}

/// `POST /reports`: a signed-in person reports a course, a review, a lesson or a teacher. The
/// answer confirms receipt (or says it was reported already) with a way back.
pub async fn report(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<ReportForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let tr = ctx.tr();
    let input = NewReport::parse(&f.target_type, &f.target_id, &f.reason, &f.details)?;
    let (status, success, message) = match app.moderation.report(&who.user, input).await {
        Ok(_) => (StatusCode::CREATED, true, tr.t("report-received")),
        Err(Error::Conflict { code: Code::AlreadyReported, .. }) => {
            (StatusCode::CONFLICT, false, tr.t("report-already"))
        }
        Err(e) => return Err(e),
    };
    let back = crate::web::safe_next(Some(&f.back), "/courses");
    let l = Layout::new(&app, &ctx, tr.t("report-received-title"));
    let page = ReportedPage {
        l,
        heading: tr.t("report-received-title"),
        message,
        success,
        link: Some((back, tr.t("report-back"))),
    };
    Ok(html(&ctx, &headers, status, render(&page)?))
}
