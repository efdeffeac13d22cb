//! Liveness and readiness probes.

use std::sync::atomic::Ordering;

use axum::extract::State;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::Json;
use crate::app::AppState;
use crate::error::{Error, Result};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live)).routes(routes!(ready))
}

/// 200 while the process runs.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, body = Health)))]
async fn live() -> Json<Health> {
    Json(Health { status: "live" })
}

/// 200 when the store can serve; 503 while starting or draining.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, body = Health), (status = 503)))]
async fn ready(State(app): State<AppState>) -> Result<Json<Health>> {
    if !app.ready.load(Ordering::Acquire) || !app.search.is_ready() {
        return Err(Error::Unavailable("starting or shutting down".into()));
    }
    // Fails (503) while the store recovers from a storage fault, and nudges that recovery.
    app.store.read(|_| Ok(())).await?;
    Ok(Json(Health { status: "ready" }))
}
