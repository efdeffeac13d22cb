//! The OpenAPI document served at `/api/openapi.json`: every route, with every status it can
//! really answer.
//!
//! Handlers describe their own answers in `#[utoipa::path]`: success bodies and what their
//! domain service refuses (404 for an unknown id, 403 for someone else's course, 409 for a
//! duplicate...). What the shared layers answer for every route they wrap is added here, once,
//! by [`SharedLayers`]: the rate limit (429), the timeout (503), the JSON body extractor
//! (400, 413, 415, 422), the query and path extractors (400, 404) and the sign-in extractors
//! (401, and 403 for a cookie session without its CSRF token). Every error is the same
//! `application/problem+json` [`Problem`](crate::error::Problem).
//!
//! `.ci/schemathesis.sh` checks the document against the running server; `tests/api/openapi.rs`
//! keeps these rules from regressing between its runs.

use axum::Router;
use axum::http::StatusCode;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, HeaderBuilder, Ref, RefOr, Response, Type};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

pub mod inputs;

/// Where every error body is described.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Why a cursor-paginated list answers 422 (see `store::page::PageParams`).
pub const PAGE_REFUSED: &str =
    "validation_failed: `limit` is not in 1..=100, or `cursor` is not one this server gave out.";

#[derive(OpenApi)]
#[openapi(
    info(title = "Lectern API", description = "A whole online school in one binary. Errors are RFC 9457 problem+json with a stable `code`."),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
    }
}

/// All API routes with their OpenAPI description, as the handlers declare them.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(super::health::router())
        .merge(crate::identity::routes::router())
        .merge(crate::catalog::routes::router())
        .merge(crate::learning::routes::router())
        .merge(crate::commerce::routes::router())
        .merge(crate::search::routes::router())
        .merge(crate::ops::router())
        .merge(crate::mail::routes::router())
        .merge(crate::engagement::routes::router())
        .merge(crate::admin::routes::router())
        .merge(crate::privacy::routes::router())
        .merge(crate::moderation::routes::router())
        .merge(crate::analytics::routes::router())
        .merge(crate::qa::routes::router())
}

/// Routes that read large bodies as streams with their own limits: the router serves them
/// outside the body limit and the request timeout (see `http::router`).
fn streaming() -> OpenApiRouter<AppState> {
    crate::media::routes::router()
}

/// The API routes, the streaming routes, and their complete document.
pub(super) fn routes() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = api().split_for_parts();
    let (streaming, streaming_doc) = streaming().split_for_parts();
    doc.merge(streaming_doc);
    // Not in `#[openapi(modifiers(...))]`: those run before the routes are merged in, when the
    // document has no operations yet.
    SharedLayers.modify(&mut doc);
    (routes, streaming, doc)
}

/// The OpenAPI document, generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().2
}

/// Adds to each operation the statuses the layers around every handler answer, and gives every
/// error response its problem+json body.
pub struct SharedLayers;

impl Modify for SharedLayers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in operations_mut(item) {
                for (status, why) in layer_statuses(path, method, op) {
                    declare(op, status, why);
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    if let RefOr::T(response) = response {
                        complete_response(status, response);
                    }
                }
            }
        }
    }
}

/// How an operation takes sign-in, read from its `security` requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignIn {
    /// No `security`: the handler never looks at credentials.
    Ignored,
    /// `security((), ("bearer" = []))`: visitors are served, and a token that is sent is checked.
    Optional,
    /// `security(("bearer" = []))`.
    Required,
}

fn sign_in(op: &Operation) -> SignIn {
    match &op.security {
        None => SignIn::Ignored,
        Some(reqs) if reqs.is_empty() => SignIn::Ignored,
        Some(reqs) if reqs.contains(&SecurityRequirement::default()) => SignIn::Optional,
        Some(_) => SignIn::Required,
    }
}

fn has_param(op: &Operation, location: ParameterIn) -> bool {
    op.parameters.iter().flatten().any(|p| matches!(p, RefOr::T(p) if p.parameter_in == location))
}

/// The statuses the shared layers can answer for this operation, each with its `code` and the
/// reason. Only what a layer really does here: a route without a body never answers 415.
fn layer_statuses(path: &str, method: &str, op: &Operation) -> Vec<(StatusCode, &'static str)> {
    let mut out = Vec::new();
    let body = op.request_body.is_some();
    if body {
        out.push((StatusCode::BAD_REQUEST, "malformed_request: the body is not valid JSON."));
        out.push((
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large: the body is larger than the server accepts.",
        ));
        out.push((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type: the body is not sent as application/json.",
        ));
        out.push((
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed: the JSON does not have the documented shape, or a field breaks its rule (see `errors`).",
        ));
    }
    if has_param(op, ParameterIn::Query) {
        out.push((StatusCode::BAD_REQUEST, "malformed_request: the query string does not parse."));
    }
    if has_param(op, ParameterIn::Path) {
        // axum's path extractor refuses a segment that does not decode to UTF-8; ids that parse
        // to nothing are 404s (see `http::ids`).
        out.push((StatusCode::BAD_REQUEST, "http_error: a path segment is not UTF-8."));
        out.push((
            StatusCode::NOT_FOUND,
            "not_found: nothing has this id, or the caller may not know it exists.",
        ));
    }
    match sign_in(op) {
        SignIn::Ignored => {}
        SignIn::Optional => out.push((
            StatusCode::UNAUTHORIZED,
            "unauthenticated or invalid_token: credentials were sent but are not valid (send none to be \
             served as a visitor).",
        )),
        SignIn::Required => {
            out.push((StatusCode::UNAUTHORIZED, "unauthenticated or invalid_token: sign in first."));
            if !matches!(method, "get" | "head" | "options" | "trace") {
                out.push((
                    StatusCode::FORBIDDEN,
                    "csrf_failed: a cookie session changing state without its X-CSRF-Token.",
                ));
            }
        }
    }
    if !super::middleware::exempt(path) {
        out.push((
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited: too many requests from this client; retry after `Retry-After` seconds.",
        ));
    }
    // The liveness probe answers from memory at once: it can neither wait on the store nor
    // outlast the timeout. Everything else can.
    if path != "/health/live" {
        out.push((
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable: the store is recovering or shutting down, or the request took longer than \
             the server allows; retry shortly.",
        ));
    }
    out
}

/// Adds `status` to the operation, or its reason to the description the handler gave it.
fn declare(op: &mut Operation, status: StatusCode, why: &str) {
    let key = status.as_str().to_owned();
    match op.responses.responses.get_mut(&key) {
        Some(RefOr::T(existing)) => {
            if existing.description.trim().is_empty() {
                existing.description = why.to_owned();
            } else if !existing.description.contains(why) {
                existing.description = format!("{} Or {why}", with_stop(&existing.description));
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            op.responses.responses.insert(key, RefOr::T(Response::new(why)));
        }
    }
}

fn with_stop(s: &str) -> String {
    let s = s.trim();
    if s.ends_with('.') { s.to_owned() } else { format!("{s}.") }
}

/// Every error is problem+json; a 429 says when to retry.
fn complete_response(status: &str, response: &mut Response) {
    let Some(code) = status.parse::<u16>().ok().and_then(|s| StatusCode::from_u16(s).ok()) else {
        return;
    };
    if response.description.trim().is_empty() {
        response.description = code.canonical_reason().unwrap_or("").to_owned();
    }
    if !(code.is_client_error() || code.is_server_error()) {
        return;
    }
    if response.content.is_empty() {
        response
            .content
            .insert(PROBLEM_JSON.to_owned(), Content::new(Some(Ref::from_schema_name("Problem"))).into());
    }
    if code == StatusCode::TOO_MANY_REQUESTS {
        response.headers.entry("Retry-After".to_owned()).or_insert_with(|| {
            HeaderBuilder::new()
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)),
                ))
                .description(Some("Seconds to wait before retrying."))
                .build()
                .into()
        });
    }
}

/// The operations of a path item with their (lower-case) methods.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("options", item.options.as_mut()),
        ("head", item.head.as_mut()),
        ("patch", item.patch.as_mut()),
        ("trace", item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
}

#[cfg(test)]
mod schema_names {
    /// utoipa names a component after its type and keeps one per name: two types with the same
    /// name in different modules would silently document one route with the other's shape.
    #[test]
    fn every_documented_type_has_its_own_name() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut seen = std::collections::HashMap::new();
        let mut twice = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let mut derives = false;
            for line in text.lines() {
                let l = line.trim();
                if l.starts_with("#[derive(") && l.contains("ToSchema") {
                    derives = true;
                } else if derives
                    && (l.starts_with("pub struct ")
                        || l.starts_with("pub enum ")
                        || l.starts_with("struct ")
                        || l.starts_with("enum "))
                {
                    let name: String = l
                        .split_whitespace()
                        .find(|w| !["pub", "struct", "enum"].contains(w))
                        .unwrap()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if let Some(other) = seen.insert(name.clone(), f.clone()) {
                        twice.push(format!("{name}: {} and {}", other.display(), f.display()));
                    }
                    derives = false;
                } else if !l.starts_with("#[") && !l.starts_with("///") && !l.starts_with("//") {
                    derives = false;
                }
            }
        }
        assert!(seen.len() > 100, "found only {} documented types: the scan is broken", seen.len());
        assert!(twice.is_empty(), "documented types sharing a name: {twice:#?}");
    }
}
