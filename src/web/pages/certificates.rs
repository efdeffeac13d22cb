//! The certificate's public addresses: `/certificates/{code}` (the verification page),
//! `/certificates/{code}.pdf` (the PDF in the reader's language) and `/certificates/{code}.json`
//! (the Open Badges 3.0 credential as a VC-JWT; 410 Gone once revoked). One route, because the
//! router cannot match a suffix after a parameter.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::render;
use crate::app::AppState;
use crate::engagement::certificates::{Credential, long_date};
use crate::error::Result;
use crate::web::html;
use crate::web::session::PageCtx;
use crate::web::view::Layout;

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    l: Layout,
    code: String,
    student: String,
    course: String,
    course_slug: String,
    teacher: String,
    school: String,
    completed: String,
    completed_iso: String,
    /// (date, reason) once revoked.
    revoked: Option<(String, String)>,
    /// "Add to LinkedIn", for the student it was awarded to, while valid.
    linkedin: Option<String>,
}

pub async fn certificate(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response> {
    if let Some(code) = file.strip_suffix(".pdf") {
        let pdf = app.certificates.pdf(code, ctx.lang).await?;
        let disposition = format!("inline; filename=\"certificate-{code}.pdf\"");
        let mut res = pdf.into_response();
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        h.insert(CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(anyhow::Error::from)?);
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Ok(res);
    }
    if let Some(code) = file.strip_suffix(".json") {
        return Ok(match app.certificates.credential(code).await? {
            Credential::Signed(jwt) => {
                ([(CONTENT_TYPE, "application/vc+jwt"), (CACHE_CONTROL, "no-cache")], jwt).into_response()
            }
            // Plain JSON rather than problem+json, so the page layer does not swap it for an
            // HTML error page: a verifier reads why.
            Credential::Revoked(c) => {
                let r = c.revoked.expect("a revoked credential has its revocation");
                let body = serde_json::json!({
                    "code": "certificate_revoked",
                    "status": 410,
                    "detail": "This certificate was revoked; its credential is no longer issued.",
                    "revoked_at": r.at.to_rfc3339(),
                    "reason": r.reason,
                });
                (
                    StatusCode::GONE,
                    [(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, "no-cache")],
                    body.to_string(),
                )
                    .into_response()
            }
        });
    }
    let c = app.certificates.get(&file).await?;
    let tr = ctx.tr();
    let owner = ctx.user().is_some_and(|u| u.id == c.student_id);
    let mut l = Layout::new(&app, &ctx, tr.with("cert-page-title", "course", &c.course_title));
    l.noindex = true;
    let page = CertificatePage {
        linkedin: (owner && c.revoked.is_none()).then(|| app.certificates.linkedin_url(&c)),
        revoked: c.revoked.as_ref().map(|r| (long_date(tr, r.at), r.reason.clone())),
        completed: long_date(tr, c.completed_at),
        completed_iso: c.completed_at.to_rfc3339(),
        code: c.code,
        student: c.student_name,
        course: c.course_title,
        course_slug: c.course_slug,
        teacher: c.teacher_name,
        school: c.school_name,
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}
