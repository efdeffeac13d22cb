//! Certificate endpoints: the student's list, the public record, the admin's revoke, and the
//! school's public key set for verifying Open Badges credentials.

use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::certificates::CertificateRecord;
use crate::app::AppState;
use crate::clock::Rfc3339;
use crate::error::{Error, Result};
use crate::fields::text;
use crate::http::extract::Json;
use crate::identity::{AdminUser, AuthUser};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_certificates))
        .routes(routes!(certificate))
        .routes(routes!(revoke))
        .routes(routes!(jwks))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateCourse {
    title: String,
    slug: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateItem {
    code: String,
    course: CertificateCourse,
    issued_at: Rfc3339,
    /// The public verification page.
    url: String,
    revoked: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateList {
    items: Vec<CertificateItem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CertificateOut {
    code: String,
    student_name: String,
    course: CertificateCourse,
    teacher_name: String,
    school_name: String,
    completed_at: Rfc3339,
    issued_at: Rfc3339,
    revoked: bool,
    /// When and why an admin revoked it (absent while valid).
    revoked_at: Option<Rfc3339>,
    revoked_reason: Option<String>,
    /// The verification page, the PDF and the signed Open Badges 3.0 credential.
    url: String,
    pdf_url: String,
    credential_url: String,
}

fn course_ref(c: &CertificateRecord) -> CertificateCourse {
    CertificateCourse { title: c.course_title.clone(), slug: c.course_slug.clone() }
}

fn out(app: &AppState, c: CertificateRecord) -> CertificateOut {
    let url = app.certificates.verify_url(&c.code);
    CertificateOut {
        pdf_url: format!("{url}.pdf"),
        credential_url: format!("{url}.json"),
        url,
        course: course_ref(&c),
        revoked: c.revoked.is_some(),
        revoked_at: c.revoked.as_ref().map(|r| Rfc3339(r.at)),
        revoked_reason: c.revoked.map(|r| r.reason),
        code: c.code,
        student_name: c.student_name,
        teacher_name: c.teacher_name,
        school_name: c.school_name,
        completed_at: Rfc3339(c.completed_at),
        issued_at: Rfc3339(c.issued_at),
    }
}

/// Your certificates, newest first.
#[utoipa::path(get, path = "/api/v1/me/certificates", tag = "certificates",
    responses((status = 200, body = CertificateList)), security(("bearer" = [])))]
async fn my_certificates(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
) -> Result<Json<CertificateList>> {
    let items = app
        .certificates
        .of_student(who.user.id)
        .await?
        .into_iter()
        .map(|c| CertificateItem {
            url: app.certificates.verify_url(&c.code),
            course: course_ref(&c),
            issued_at: Rfc3339(c.issued_at),
            revoked: c.revoked.is_some(),
            code: c.code,
        })
        .collect();
    Ok(Json(CertificateList { items }))
}

/// A certificate, for anyone who has its code (verification).
#[utoipa::path(get, path = "/api/v1/certificates/{code}", tag = "certificates",
    params(("code" = String, Path, description = "The certificate's 22-character code.")),
    responses((status = 200, body = CertificateOut), (status = 404, description = "not_found: no certificate has this code.")))]
async fn certificate(State(app): State<AppState>, Path(code): Path<String>) -> Result<Json<CertificateOut>> {
    let c = app.certificates.get(&code).await?;
    Ok(Json(out(&app, c)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RevokeBody {
    /// 3..=500 characters, shown on the verification page.
    #[schema(min_length = 3, max_length = 500)]
    reason: String,
}

/// Revoke a certificate (admins). Revoking a revoked one keeps the first reason.
#[utoipa::path(post, path = "/api/v1/admin/certificates/{code}/revoke", tag = "admin",
    params(("code" = String, Path)), request_body = RevokeBody,
    responses((status = 200, body = CertificateOut), (status = 403, description = "forbidden: admins only."),
        (status = 404, description = "not_found: no certificate has this code."),
        (status = 422, description = "validation_failed: `reason` is not 3..=500 characters.")),
    security(("bearer" = [])))]
async fn revoke(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(code): Path<String>,
    Json(b): Json<RevokeBody>,
) -> Result<Json<CertificateOut>> {
    let reason = text("reason", &b.reason, 3, 500).map_err(|e| Error::Validation(vec![e]))?;
    let c = app.certificates.revoke(&who.user, &code, reason).await?;
    Ok(Json(out(&app, c)))
}

/// The school's public keys (JWKS): verify the Open Badges credentials at
/// `/certificates/{code}.json` with the key whose `kid` their header names.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "certificates",
    responses((status = 200, description = "`{keys: [{kty: \"OKP\", crv: \"Ed25519\", x, kid, alg: \"EdDSA\", use: \"sig\"}]}`", content_type = "application/json")))]
async fn jwks(State(app): State<AppState>) -> Response {
    let body = serde_json::to_vec(&app.certificates.jwks()).unwrap_or_default();
    let mut res = body.into_response();
    res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}
