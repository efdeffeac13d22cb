//! `GET /api/v1/me/export` and `DELETE /api/v1/me`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::error::Result;
use crate::http::extract::Json;
use crate::http::middleware::no_content;
use crate::identity::AuthUser;
use crate::identity::cookies::clear_session_cookies;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export)).routes(routes!(delete_me))
}

/// Everything stored about you, as JSON: account, enrollments and progress, reviews, wishlist,
/// notifications, orders, payouts, certificates, email preferences, active sign-ins. Nobody
/// else's data, no password or token hashes.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "identity",
    responses((status = 200, description = "The export (a JSON document, served as an attachment).",
        content_type = "application/json"), (status = 401)),
    security(("bearer" = [])))]
async fn export(State(app): State<AppState>, AuthUser(who): AuthUser) -> Result<Response> {
    let data = super::export(&app, &who).await?;
    Ok(([(header::CONTENT_DISPOSITION, "attachment; filename=\"lectern-export.json\"")], Json(data))
        .into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DeleteMeBody {
    /// Your current password.
    password: String,
}

/// Delete your account: it is anonymised (email, name and password gone; reviews stay as
/// "former student"; orders and the ledger keep their records by id) and every sign-in ends.
#[utoipa::path(delete, path = "/api/v1/me", tag = "identity", request_body = DeleteMeBody,
    responses((status = 204), (status = 401),
        (status = 403, description = "invalid_credentials: the password is not correct"), (status = 429)),
    security(("bearer" = [])))]
async fn delete_me(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Json(b): Json<DeleteMeBody>,
) -> Result<Response> {
    super::delete_account(&app, &who, &b.password).await?;
    let mut res = no_content();
    for c in clear_session_cookies(&app) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}
