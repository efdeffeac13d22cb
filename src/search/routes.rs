//! `GET /api/v1/courses` (the catalog listing and search) and `GET /api/v1/search/suggest`.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::listing::{CourseList, ListParams, list};
use crate::app::AppState;
use crate::error::{Error, Result};
use crate::http::extract::{Json, Query};
use crate::identity::{MaybeUser, locale};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_courses)).routes(routes!(suggest))
}

/// Published courses: search, filters, sorting, cursor pages, facets.
#[utoipa::path(get, path = "/api/v1/courses", tag = "catalog", params(ListParams),
    responses((status = 200, body = CourseList),
        (status = 304, description = "Not modified: a visitor's `If-None-Match` names the current `ETag`."),
        (status = 422, description = "validation_failed: a parameter out of its range, `min_price` above `max_price`, or a \
            `cursor` not from a page with this `sort`.")),
    security((), ("bearer" = [])))]
async fn list_courses(
    State(app): State<AppState>,
    Query(p): Query<ListParams>,
    RawQuery(raw): RawQuery,
    who: MaybeUser,
    headers: HeaderMap,
) -> Result<axum::response::Response> {
    let locale = locale(&headers, who.user());
    // Popular searches and listings repeat: visitors get them from the response cache (a search
    // once it is asked again).
    let key = format!("api:courses?{}", raw.unwrap_or_default());
    let anonymous = who.0.is_none();
    crate::respcache::visitor_json(&app, key, &locale, anonymous, &headers, async {
        let list = list(&app.catalog, &app.search, p, who.user(), &locale).await?;
        // About 700 bytes a course, with its snippet.
        crate::respcache::to_json(&list, 256 + 768 * list.items.len())
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SuggestParams {
    /// What the person has typed so far.
    #[param(nullable = false)]
    pub q: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub title: String,
    pub slug: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub items: Vec<Suggestion>,
}

/// Up to 10 course titles completing what was typed.
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "catalog", params(SuggestParams),
    responses((status = 200, body = Suggestions)))]
async fn suggest(State(app): State<AppState>, Query(p): Query<SuggestParams>) -> Result<Json<Suggestions>> {
    let prefix: String = p.q.unwrap_or_default().chars().take(100).collect();
    if prefix.trim().is_empty() {
        return Ok(Json(Suggestions { items: Vec::new() }));
    }
    let search = app.search.clone();
    let found = tokio::task::spawn_blocking(move || search.suggest(&prefix, 10))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("search task: {e}")))??;
    let mut items = Vec::new();
    for id in found {
        if let Some(c) = app.catalog.course_by_id(id).await?
            && c.is_published()
        {
            items.push(Suggestion { title: c.title.clone(), slug: c.slug.clone() });
        }
    }
    Ok(Json(Suggestions { items }))
}
