//! HTTP: the router, the middleware stack and the OpenAPI document.
//!
//! Each domain exports its own `router()`; they are merged here. Request flow:
//! request id → trace span → client IP → compression → replay of a visitor's cached answer →
//! security headers → pages (session, friendly error pages) → API cache headers → problem bodies
//! for bare errors → CORS → rate limit → routing → metrics → timeout → body limit → handler
//! (extractors authenticate and parse).

pub mod client_ip;
pub mod extract;
pub mod health;
pub mod ids;
pub mod middleware;
pub mod openapi;
pub mod replay;

pub use openapi::openapi;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Default)]
struct MakeUlid;

impl MakeRequestId for MakeUlid {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&ulid::Ulid::generate().to_string()).ok().map(RequestId::new)
    }
}

/// Drops a client's `X-Request-Id` that is not in a safe format, so [`SetRequestIdLayer`] makes
/// a fresh one instead of echoing it into logs and answers.
async fn screen_request_id(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if req.headers().get_all(REQUEST_ID).iter().count() > 1
        || req.headers().get(REQUEST_ID).is_some_and(|v| !middleware::safe_request_id(v))
    {
        req.headers_mut().remove(REQUEST_ID);
    }
    next.run(req).await
}

/// Personal pages carry the session's CSRF token next to text the request chose (a search box):
/// compressed, the length would leak the token a byte at a time (BREACH). They go uncompressed.
/// Media files (served with `Accept-Ranges`) go as they are: videos and images are compressed
/// already, and a compressed body would break byte ranges.
fn not_personal_html(
    _: StatusCode,
    _: axum::http::Version,
    h: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    let header = |name| h.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).unwrap_or("");
    if h.contains_key(header::ACCEPT_RANGES) {
        return false;
    }
    !(header(header::CONTENT_TYPE).starts_with("text/html")
        && header(header::CACHE_CONTROL).contains("private"))
}

pub fn router(state: AppState) -> Router {
    let (routes, streaming, doc) = openapi::routes();
    let doc_json = doc.to_json().expect("the OpenAPI document serialises");
    let config = &state.config;

    let app = routes
        .route(
            "/api/openapi.json",
            axum::routing::get(move || async move {
                ([(header::CONTENT_TYPE, "application/json")], doc_json.clone()).into_response()
            }),
        )
        .route("/metrics", axum::routing::get(crate::observe::metrics_endpoint))
        .merge(crate::web::router(state.clone()))
        .fallback(middleware::not_found)
        // Inside the router, so the matched route pattern is known.
        .route_layer(axum::middleware::from_fn(crate::observe::track));

    let cors = (!config.cors_origins.is_empty()).then(|| {
        let origins: Vec<HeaderValue> =
            config.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-csrf-token"),
            ])
            .allow_credentials(true)
            .max_age(Duration::from_secs(600))
    });

    let trace = TraceLayer::new_for_http()
        // Only the path is logged: query strings can carry tokens (e.g. verification links).
        .make_span_with(|req: &Request<_>| {
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        })
        .on_response(|res: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
            tracing::info!(
                status = res.status().as_u16(),
                latency_ms = latency.as_secs_f64() * 1000.0,
                "response"
            );
        });

    // Per route: the limits that streamed uploads replace with their own.
    let routes = app
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, config.request_timeout))
        // Uploads stream gigabytes over slow links: merged after the body limit and the
        // timeout, they enforce their own limits while reading (per purpose, and an idle
        // timeout between chunks; see `media::Media::receive`).
        .merge(
            streaming
                .layer(DefaultBodyLimit::disable())
                .route_layer(axum::middleware::from_fn(crate::observe::track)),
        )
        .with_state(state.clone());

    // Around the router, not per route (`Router::layer` wraps each route's own stack, which is
    // cloned per request): what every request goes through, outermost first. A replayed
    // answer (see `replay`) leaves before the router.
    let inner = ServiceBuilder::new()
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        // Outside the problem bodies, so a page request that fails gets a page, not JSON.
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::web::session::pages))
        .layer(axum::middleware::from_fn(middleware::api_no_store))
        .layer(axum::middleware::from_fn(middleware::problem_bodies))
        .layer(tower::util::option_layer(cors))
        // Inside CORS and the security headers, so a 429 carries them (a browser app can read
        // Retry-After).
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::rate_limit))
        .service(routes);
    // Behind a router of its own, so the layers outside clone an `Arc` per request (a `from_fn`
    // clones the service it wraps on every call), not this stack: a replay never reaches it.
    let inner = Router::new().fallback_service(inner);
    let outer = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(screen_request_id))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeUlid))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(axum::middleware::from_fn_with_state(state.clone(), client_ip::client_ip))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(not_personal_html)))
        .layer(axum::middleware::from_fn_with_state(state.clone(), replay::replay))
        .service(inner);
    Router::new().fallback_service(outer)
}
