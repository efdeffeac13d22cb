//! The cookies of a browser session, shared by the session API and the pages.

use axum::http::HeaderValue;

use super::extract::{ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE};
use super::service::TokenPair;
use crate::app::AppState;

fn cookie_header(
    name: &str,
    value: &str,
    path: &str,
    max_age: u64,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are base64url and JWTs")
}

/// The cookies of a browser session: the access token and the refresh token (HttpOnly; the
/// refresh cookie goes to every path so server-rendered pages can renew an expired access token),
/// and the CSRF token (readable by our scripts). Returns them with the CSRF token.
pub fn session_cookies(app: &AppState, pair: &TokenPair) -> (Vec<HeaderValue>, String) {
    let secure = app.config.secure_cookies();
    let session_secs = app.config.session_lifetime.as_secs();
    let csrf = app.identity.keys.csrf_token(pair.family);
    let cookies = vec![
        cookie_header(ACCESS_COOKIE, &pair.access_token, "/", pair.expires_in, true, secure),
        cookie_header(REFRESH_COOKIE, &pair.refresh_token, "/", session_secs, true, secure),
        // Sessions started before the web front kept it under /api/v1/auth; that copy would
        // shadow the new one there (longest path first) and come back spent.
        cookie_header(REFRESH_COOKIE, "", "/api/v1/auth", 0, true, secure),
        cookie_header(CSRF_COOKIE, &csrf, "/", session_secs, false, secure),
    ];
    (cookies, csrf)
}

/// Cookies that end a browser session (including a refresh cookie on the path used before the
/// web front).
pub fn clear_session_cookies(app: &AppState) -> Vec<HeaderValue> {
    let secure = app.config.secure_cookies();
    vec![
        cookie_header(ACCESS_COOKIE, "", "/", 0, true, secure),
        cookie_header(REFRESH_COOKIE, "", "/", 0, true, secure),
        cookie_header(REFRESH_COOKIE, "", "/api/v1/auth", 0, true, secure),
        cookie_header(CSRF_COOKIE, "", "/", 0, false, secure),
    ]
}
