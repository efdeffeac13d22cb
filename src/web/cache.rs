//! The public pages' side of the response cache ([`crate::respcache`]): a visitor's GET is
//! answered from it when it can be, and a freshly rendered page is kept for the next visitor.

use crate::respcache::{Replayable, freshness};

/// Middleware for the public pages: a visitor's GET is answered from the cache when it can be,
/// and a freshly rendered page is kept for the next visitor.
pub async fn visitor_pages(
    axum::extract::State(app): axum::extract::State<crate::app::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, Method, StatusCode, header};
    use axum::response::IntoResponse;

    let Some(ctx) = req.extensions().get::<super::session::PageCtx>().cloned() else {
        return next.run(req).await;
    };
    if ctx.principal.is_some() || req.method() != Method::GET || !app.pages.enabled() {
        return next.run(req).await;
    }
    // The position before rendering: a commit during the render makes the entry stale, never
    // the other way round.
    let tag = freshness(&app);
    if let Some(hit) = app.pages.get(&ctx.here, ctx.lang.code(), tag) {
        let mut h = axum::http::HeaderMap::new();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
        h.insert(header::ETAG, HeaderValue::from_str(&hit.etag).expect("stored from a header"));
        if super::etag_matches(req.headers(), &hit.etag) {
            return (StatusCode::NOT_MODIFIED, h).into_response();
        }
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        let replayable = Replayable { page: (ctx.here, ctx.lang.code()), serial: hit.serial };
        return (h, axum::Extension(replayable), axum::body::Body::from(hit.body.clone())).into_response();
    }
    let res = next.run(req).await;
    let etag = res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (Some(etag), StatusCode::OK) = (etag, res.status()) else {
        app.pages.drop_entry(&ctx.here, ctx.lang.code());
        return res;
    };
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, 8 << 20).await {
        Ok(bytes) => {
            app.pages.put(&ctx.here, ctx.lang.code(), tag, bytes.clone(), etag);
            axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
        }
        Err(_) => {
            app.pages.drop_entry(&ctx.here, ctx.lang.code());
            (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response()
        }
    }
}
