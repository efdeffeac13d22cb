//! Friendly error pages (404, 403, 500...) and the offline page of the service worker.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::render;
use crate::app::AppState;
use crate::error::Result;
use crate::web::html;
use crate::web::session::PageCtx;
use crate::web::view::Layout;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    code: u16,
    heading: String,
    message: String,
}

/// The page for an error status, in the visitor's language.
pub fn render_error(app: &AppState, ctx: &PageCtx, status: StatusCode) -> Response {
    let tr = ctx.tr();
    let key = match status.as_u16() {
        400 | 404 | 403 | 402 | 409 | 422 | 429 | 503 => status.as_u16().to_string(),
        s if s >= 500 => "500".to_owned(),
        _ => "400".to_owned(),
    };
    let mut l = Layout::new(app, ctx, tr.t(&format!("error-{key}-title")));
    l.noindex = true;
    let page = ErrorPage {
        code: status.as_u16(),
        heading: tr.t(&format!("error-{key}-title")),
        message: tr.t(&format!("error-{key}-message")),
        l,
    };
    match page.render() {
        Ok(body) => {
            (status, [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
        }
        Err(_) => (status, "error").into_response(),
    }
}

#[derive(Template)]
#[template(path = "offline.html")]
struct OfflinePage {
    l: Layout,
}

pub async fn offline(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let l = Layout::new(&app, &ctx, ctx.tr().t("offline-title"));
    Ok(html(&ctx, &headers, StatusCode::OK, render(&OfflinePage { l })?))
}
