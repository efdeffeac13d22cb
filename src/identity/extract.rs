//! Who is calling: `AuthUser` (any signed-in person) and `AdminUser`.
//!
//! API clients send `Authorization: Bearer <access token>`. Browsers send the same token in the
//! HttpOnly `lectern_access` cookie; because browsers attach cookies to cross-site requests, a
//! cookie-authenticated request that changes state must also carry `X-CSRF-Token`, an HMAC of
//! the session only our own pages can read (from the `lectern_csrf` cookie).

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};

use super::Role;
use super::repo::UserRecord;
use super::service::Principal;
use super::types::parse_locale;
use crate::app::AppState;
use crate::error::{Code, Error};
use crate::http::extract::cookie;

pub const ACCESS_COOKIE: &str = "lectern_access";
pub const REFRESH_COOKIE: &str = "lectern_refresh";
pub const CSRF_COOKIE: &str = "lectern_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Principal);

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub Principal);

pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

pub fn csrf_error() -> Error {
    Error::Forbidden {
        code: Code::CsrfFailed,
        detail: "This request must carry the X-CSRF-Token of your session.".into(),
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Error> {
        if let Some(h) = parts.headers.get(AUTHORIZATION) {
            let token = h
                .to_str()
                .ok()
                .and_then(|s| s.strip_prefix("Bearer ").or_else(|| s.strip_prefix("bearer ")))
                .ok_or_else(Error::unauthenticated)?;
            return app.identity.authenticate(token.trim()).await.map(AuthUser);
        }
        let Some(token) = cookie(&parts.headers, ACCESS_COOKIE) else {
            return Err(Error::unauthenticated());
        };
        let principal = app.identity.authenticate(token).await?;
        if changes_state(&parts.method) {
            let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !app.identity.keys.csrf_matches(principal.family, presented) {
                return Err(csrf_error());
            }
        }
        Ok(AuthUser(principal))
    }
}

/// The caller's language: their account's, else the browser's.
pub fn locale(headers: &HeaderMap, user: Option<&UserRecord>) -> String {
    match user {
        Some(u) => u.locale.clone(),
        None => parse_locale(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())),
    }
}

/// The caller if signed in, `None` if anonymous. A token that is presented but invalid is still
/// a 401, so clients learn to refresh instead of silently seeing the public view.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Principal>);

impl MaybeUser {
    pub fn user(&self) -> Option<&super::repo::UserRecord> {
        self.0.as_ref().map(|p| &p.user)
    }
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Error> {
        if parts.headers.contains_key(AUTHORIZATION) || cookie(&parts.headers, ACCESS_COOKIE).is_some() {
            AuthUser::from_request_parts(parts, app).await.map(|AuthUser(p)| MaybeUser(Some(p)))
        } else {
            Ok(MaybeUser(None))
        }
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Error> {
        let AuthUser(p) = AuthUser::from_request_parts(parts, app).await?;
        if p.user.role != Role::Admin {
            return Err(Error::forbidden());
        }
        Ok(AdminUser(p))
    }
}
