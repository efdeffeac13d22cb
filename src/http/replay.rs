//! Replays a visitor's cached answer at the door.
//!
//! A visitor's page or public JSON that is in the response cache ([`crate::respcache`]) still
//! went through every layer of the stack (session, problem bodies, CORS, security headers, the
//! router, the route's own middleware) only to be copied out of the cache. The first time such an
//! answer goes out of the cache (not when it is rendered: most searches are never asked twice),
//! this layer records its headers as the layers inside made them, keyed by everything of the
//! request an answer for a visitor may depend on (path and query, languages, cookies, origin).
//! The next identical request, while the cached answer is fresh, is answered here with those
//! headers and the cached body: the same bytes, without the walk.
//!
//! What stays honest: the rate limit is checked here too, the request is counted in the metrics
//! under its route, and the trace layer outside logs it. Anything else falls through to the full
//! stack: a request with a session (cookie or bearer token), a method other than GET, an answer
//! that is stale (one re-render is claimed inside, by [`crate::respcache::PageCache::get`]) or
//! withdrawn, and an answer that set a cookie.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::identity::extract::{ACCESS_COOKIE, REFRESH_COOKIE};
use crate::respcache::{Replay, Replayable};

/// The request headers an answer for a visitor may depend on. (`If-None-Match` is answered
/// here; `Accept-Encoding` by the compression layer outside.)
const VARIES_BY: [header::HeaderName; 3] = [header::ACCEPT_LANGUAGE, header::COOKIE, header::ORIGIN];

pub async fn replay(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = request_key(&req) else {
        return next.run(req).await;
    };
    let started = Instant::now();
    if let Some(recorded) = app.pages.replay(&key)
        && let Some(page) = app.pages.fresh(&recorded.page, crate::respcache::freshness(&app))
        && page.serial == recorded.serial
        // Over the limit, it falls through, and the rate limit inside refuses it properly.
        && super::middleware::count_request(&app, &req).is_ok()
    {
        let not_modified = crate::web::etag_matches(req.headers(), &page.etag);
        let mut res =
            if not_modified { Response::default() } else { Response::new(Body::from(page.body.clone())) };
        *res.headers_mut() = recorded.headers.clone();
        if not_modified {
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            res.headers_mut().remove(header::CONTENT_TYPE);
        }
        app.pages.counted.replayed.increment(1);
        recorded.counted[usize::from(not_modified)].increment(1);
        recorded.timed.record(started.elapsed().as_secs_f64());
        return res;
    }

    let res = next.run(req).await;
    if res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && let (Some(answer), Some(route)) =
            (res.extensions().get::<Replayable>(), res.extensions().get::<crate::observe::Route>())
    {
        let mut headers = res.headers().clone();
        headers.remove(header::CONTENT_LENGTH);
        let counted = [StatusCode::OK, StatusCode::NOT_MODIFIED].map(|status| route.0.requests(status));
        let timed = route.0.time.clone();
        let recorded = Replay { page: answer.page.clone(), serial: answer.serial, headers, counted, timed };
        app.pages.record_replay(key.into_boxed_slice(), recorded);
    }
    res
}

/// What identifies a visitor's request, or `None` when its answer may not be replayed: not a
/// GET, or it carries a session (whose pages are personal, and whose expired access token the
/// page middleware renews).
fn request_key(req: &Request) -> Option<Vec<u8>> {
    let h = req.headers();
    if req.method() != Method::GET || h.contains_key(header::AUTHORIZATION) || has_session(h) {
        return None;
    }
    let uri = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut key = Vec::with_capacity(uri.len() + 64);
    key.extend_from_slice(uri.as_bytes());
    for name in VARIES_BY {
        // A separator no header value may contain, before each header and each of its values.
        key.push(b'\n');
        for value in h.get_all(&name) {
            key.push(b'\r');
            key.extend_from_slice(value.as_bytes());
        }
    }
    Some(key)
}

fn has_session(h: &HeaderMap) -> bool {
    super::extract::cookie(h, ACCESS_COOKIE).is_some() || super::extract::cookie(h, REFRESH_COOKIE).is_some()
}
