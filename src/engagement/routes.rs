//! `GET/PATCH /api/v1/me/email-preferences`: which optional mail the caller wants.

use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::repo::EmailPrefs;
use super::service::PrefsPatch;
use crate::app::AppState;
use crate::error::Result;
use crate::http::extract::Json;
use crate::identity::AuthUser;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_prefs, update_prefs)).merge(super::certificate_routes::router())
}

/// A change to the preferences: fields left out stay as they are.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefsBody {
    reminders: Option<bool>,
    digests: Option<bool>,
    product_news: Option<bool>,
}

/// The caller's email preferences (everything on until changed).
#[utoipa::path(get, path = "/api/v1/me/email-preferences", tag = "engagement",
    responses((status = 200, body = EmailPrefs)),
    security(("bearer" = [])))]
async fn get_prefs(State(app): State<AppState>, AuthUser(who): AuthUser) -> Result<Json<EmailPrefs>> {
    Ok(Json(app.engagement.prefs(who.user.id).await?))
}

/// Turns reminders, digests or product news on or off. Receipts, password resets and other
/// essential mail are always sent.
#[utoipa::path(patch, path = "/api/v1/me/email-preferences", tag = "engagement", request_body = PrefsBody,
    responses((status = 200, body = EmailPrefs)),
    security(("bearer" = [])))]
async fn update_prefs(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Json(b): Json<PrefsBody>,
) -> Result<Json<EmailPrefs>> {
    let patch = PrefsPatch { reminders: b.reminders, digests: b.digests, product_news: b.product_news };
    Ok(Json(app.engagement.update_prefs(who.user.id, patch).await?))
}
