//! Cross-cutting request handling: rate limits, security headers, problem bodies for errors
//! produced outside handlers (unknown routes, wrong methods, timeouts, body limits).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::ClientIp;
use crate::app::AppState;
use crate::error::{Error, Problem};

/// Paths never rate limited: probes must see the real state of the server, and a page's static
/// assets (served from memory, cached for a year) would only eat a visitor's allowance.
pub(super) fn exempt(path: &str) -> bool {
    path.starts_with("/health/") || path == "/metrics" || path.starts_with("/static/")
}

pub async fn rate_limit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if let Err(wait) = count_request(&app, &req) {
        return Error::RateLimited { retry_after_secs: wait.as_secs().max(1) }.into_response();
    }
    next.run(req).await
}

/// Counts a request against its client's rate limit; `Err(retry_after)` when it is over.
pub(super) fn count_request(app: &AppState, req: &Request) -> Result<(), std::time::Duration> {
    if app.config.rate_limit_per_min == 0 || exempt(req.uri().path()) {
        return Ok(());
    }
    match req.extensions().get::<ClientIp>() {
        Some(ClientIp(ip)) => app.rate_limiter.check(&super::client_ip::limit_key(*ip), app.clock.now()),
        None => Ok(()),
    }
}

/// API answers are personal (tokens, profiles, lessons, orders) unless a handler said otherwise:
/// any response without its own `Cache-Control` gets `no-store`, so neither a browser nor a
/// proxy keeps a copy, and `Vary: Accept-Language`. Public answers (see
/// `respcache::visitor_json`) set their own.
pub async fn api_no_store(req: Request, next: Next) -> Response {
    let api = {
        let path = req.uri().path();
        path.starts_with("/api/") || path.starts_with("/health/") || path == "/metrics"
    };
    let mut res = next.run(req).await;
    if api && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Names of categories, levels and errors follow the caller's language.
    if api && !res.headers().contains_key(header::VARY) {
        res.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    res
}

/// A client's `X-Request-Id` is kept only when it is short and plain (letters, digits and
/// `-_.:`), so it cannot smuggle log lines, markup or megabytes into logs and answers.
pub fn safe_request_id(value: &HeaderValue) -> bool {
    let b = value.as_bytes();
    (1..=64).contains(&b.len()) && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
}

/// Gives a problem+json body to every error response that has no structured body of its own
/// (empty or plain-text bodies from routing, timeouts and body limits).
pub async fn problem_bodies(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let structured = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| !ct.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || structured {
        return res;
    }
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => ("not_found", "Nothing is here."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "This method is not allowed here."),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("payload_too_large", "The request body is larger than this server accepts.")
        }
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
            ("unavailable", "The server could not answer in time; retry shortly.")
        }
        _ => ("http_error", "The request failed."),
    };
    let (mut parts, _) = res.into_parts();
    let fresh = Problem::new(status, code, detail.into()).into_response_with(status);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, fresh.into_body())
}

pub async fn not_found() -> Error {
    Error::NotFound
}

/// The content security policy of pages: what they load (their own scripts and styles, images,
/// uploaded media, YouTube and Vimeo players).
const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data: https:; media-src 'self' https:; \
    frame-src https://www.youtube-nocookie.com https://player.vimeo.com; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// JSON loads nothing and runs nothing: a policy that says so is shorter and stricter. (Scripts
/// keep the pages' policy: a service worker's own CSP governs what the worker may fetch.)
const DATA_CSP: &str = "default-src 'none'; object-src 'none'; frame-ancestors 'none'; sandbox";

/// Headers every response carries unless its handler set its own (pages may tighten them).
const SECURITY_HEADERS: [(header::HeaderName, &str); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
    (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
];

/// The security headers, HSTS when the school is served over HTTPS, and the content security
/// policy that fits the response's type: each unless the handler set it.
pub async fn security_headers(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    if app.config.secure_cookies() && !h.contains_key(header::STRICT_TRANSPORT_SECURITY) {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let data = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json") || t.starts_with("application/problem+json"));
        let csp = if data { DATA_CSP } else { PAGE_CSP };
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    res
}

/// Empty body helper for 204s.
pub fn no_content() -> Response {
    (StatusCode::NO_CONTENT, Body::empty()).into_response()
}
