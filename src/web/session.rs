//! Who is looking at a page, in which language, and the page-level middleware around every
//! non-API request: it reads the session cookies (renewing an expired access token with the
//! refresh cookie, so a student is not signed out after 15 minutes), and turns error responses
//! into friendly pages.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, LOCATION, SET_COOKIE, VARY};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::i18n::{self, Lang, Tr};
use crate::app::AppState;
use crate::error::{Code, Error, Result};
use crate::http::extract::cookie;
use crate::identity::cookies::{clear_session_cookies, session_cookies};
use crate::identity::extract::{ACCESS_COOKIE, REFRESH_COOKIE};
use crate::identity::repo::UserRecord;
use crate::identity::service::Principal;

/// What every page handler knows about its request.
#[derive(Clone)]
pub struct PageCtx {
    pub principal: Option<Principal>,
    /// The session's CSRF token, for forms and scripts.
    pub csrf: Option<String>,
    pub lang: Lang,
    /// Path and query of this request (for the language switch and sign-in redirects).
    pub here: String,
    /// Unread notifications (pages show the count in the header).
    pub unread: u64,
}

impl PageCtx {
    pub fn user(&self) -> Option<&UserRecord> {
        self.principal.as_ref().map(|p| &p.user)
    }

    pub fn tr(&self) -> Tr {
        Tr(self.lang)
    }

    /// The signed-in person, or 401 (which the middleware turns into a sign-in redirect).
    pub fn require(&self) -> Result<&Principal> {
        self.principal.as_ref().ok_or_else(Error::unauthenticated)
    }

    /// A form of a signed-in person must carry the session's CSRF token.
    pub fn check_csrf(&self, presented: &str) -> Result<()> {
        match &self.csrf {
            Some(expected)
                if bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), presented.as_bytes())) =>
            {
                Ok(())
            }
            _ => Err(crate::identity::extract::csrf_error()),
        }
    }

    pub fn maybe_user(&self) -> crate::identity::MaybeUser {
        crate::identity::MaybeUser(self.principal.clone())
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self> {
        parts
            .extensions
            .get::<PageCtx>()
            .cloned()
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("page handler outside the page middleware")))
    }
}

/// Paths the page middleware leaves alone.
fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/health/")
        || path.starts_with("/static/")
        || path.starts_with("/media/")
        || path == "/metrics"
        || path == "/sw.js")
}

/// The page middleware: session → handler → friendly errors, cache headers, renewed cookies.
pub async fn pages(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    if !is_page_path(req.uri().path()) {
        return next.run(req).await;
    }
    let headers = req.headers().clone();
    let (principal, cookies) = session(&app, &headers).await;
    let csrf = principal.as_ref().map(|p| app.identity.keys.csrf_token(p.family));
    let lang = i18n::negotiate(&headers, principal.as_ref().map(|p| p.user.locale.as_str()));
    let here = req.uri().path_and_query().map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let unread = match &principal {
        Some(p) if req.method() == Method::GET => app.learning.unread_count(&p.user).await.unwrap_or(0),
        _ => 0,
    };
    let ctx = PageCtx { principal, csrf, lang, here, unread };
    req.extensions_mut().insert(ctx.clone());
    let method = req.method().clone();

    let mut res = next.run(req).await;
    if is_problem(&res) {
        res = friendly(&app, &ctx, &method, res);
    }
    match cookies {
        Cookies::Keep => {}
        Cookies::Renewed(set) => {
            for c in set {
                res.headers_mut().append(SET_COOKIE, c);
            }
        }
        Cookies::Ended => res = signed_out(&app, res),
    }
    let h = res.headers_mut();
    h.insert(VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    // Personal pages are never stored by browsers or proxies (Back after sign-out shows nothing);
    // only anonymous GETs may carry the shared-cache headers `html` sets.
    if ctx.principal.is_some() || !matches!(method, Method::GET | Method::HEAD) {
        h.remove(ETAG);
        h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    res
}

/// A response that ends the browser's session: the cookies go, and so does everything the
/// browser kept for this person (HTTP cache, the service worker's offline lessons).
pub fn signed_out(app: &AppState, mut res: Response) -> Response {
    let h = res.headers_mut();
    for c in clear_session_cookies(app) {
        h.append(SET_COOKIE, c);
    }
    h.insert(HeaderName::from_static("clear-site-data"), HeaderValue::from_static("\"cache\", \"storage\""));
    res
}

/// Reads the session cookies. An expired access token is renewed with the refresh cookie on a
/// document request (a page load or a form post; not the favicon or the manifest, which load in
/// parallel and would only race); the new cookies go out with the response.
async fn session(app: &AppState, headers: &HeaderMap) -> (Option<Principal>, Cookies) {
    if let Some(token) = cookie(headers, ACCESS_COOKIE)
        && let Ok(p) = app.identity.authenticate(token).await
    {
        return (Some(p), Cookies::Keep);
    }
    let Some(refresh) = cookie(headers, REFRESH_COOKIE) else {
        return (None, Cookies::Keep);
    };
    let document =
        headers.get("sec-fetch-dest").and_then(|v| v.to_str().ok()).is_none_or(|d| d == "document");
    if !document {
        return (None, Cookies::Keep);
    }
    match app.identity.refresh_browser(refresh).await {
        Ok(pair) => {
            let (cookies, _) = session_cookies(app, &pair);
            (Some(Principal { user: pair.user, family: pair.family }), Cookies::Renewed(cookies))
        }
        // Another tab just renewed it: this page renders signed out, the next one will not.
        Err(Error::Unauthorized { code: Code::SessionRaced, .. }) => (None, Cookies::Keep),
        // The session ended: drop its cookies (and what the browser kept) so no request tries again.
        Err(Error::Unauthorized { .. }) => (None, Cookies::Ended),
        Err(_) => (None, Cookies::Keep),
    }
}

/// What a page response does to the session cookies.
enum Cookies {
    Keep,
    Renewed(Vec<HeaderValue>),
    Ended,
}

fn is_problem(res: &Response) -> bool {
    (res.status().is_client_error() || res.status().is_server_error())
        && res
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/problem+json"))
}

/// An error as a page: sign-in for a 401, otherwise the error page with the same status.
fn friendly(app: &AppState, ctx: &PageCtx, method: &Method, res: Response) -> Response {
    let status = res.status();
    if status == StatusCode::UNAUTHORIZED {
        let back = if *method == Method::GET { ctx.here.as_str() } else { "/learn" };
        let to = format!("/signin?next={}", super::urlencode(back));
        return (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response();
    }
    let mut page = super::pages::errors::render_error(app, ctx, status);
    // What the error said besides its body: when to retry (429, 503), which methods would do (405).
    for name in [axum::http::header::RETRY_AFTER, axum::http::header::ALLOW] {
        if let Some(v) = res.headers().get(&name) {
            page.headers_mut().insert(name, v.clone());
        }
    }
    page
}
