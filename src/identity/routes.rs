//! `/api/v1/auth/*` and `/api/v1/me*`: thin handlers over [`Identity`](super::Identity).

use axum::extract::State;
use axum::http::header::{ACCEPT_LANGUAGE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::{RefOr, Schema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cookies::{clear_session_cookies, session_cookies};
use super::extract::{CSRF_HEADER, REFRESH_COOKIE, csrf_error};
use super::repo::UserRecord;
use super::service::{NewAccount, TokenPair};
use super::types::{Email, Name, Password, Role, collect, parse_locale};
use super::{AuthUser, Identity};
use crate::app::AppState;
use crate::clock::Rfc3339;
use crate::error::{Error, FieldError, Result};
use crate::http::extract::{ClientIp, Json, cookie};
use crate::http::middleware::no_content;
use crate::http::openapi::inputs;
use crate::ids::UserId;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(verify_email))
        .routes(routes!(resend_verification))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
        .routes(routes!(me, update_me))
        .routes(routes!(change_password))
        .routes(routes!(session_login, session_logout))
        .routes(routes!(session_refresh))
}

/// The public view of an account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    id: UserId,
    email: String,
    name: String,
    role: Role,
    email_verified: bool,
    locale: String,
    bio_html: String,
    created_at: Rfc3339,
}

impl From<UserRecord> for Me {
    fn from(u: UserRecord) -> Me {
        Me {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            email_verified: u.email_verified,
            locale: u.locale,
            bio_html: u.bio_html,
            created_at: Rfc3339(u.created_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    user: Me,
    access_token: String,
    refresh_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds the access token lives.
    expires_in: u64,
}

impl From<TokenPair> for TokenResponse {
    fn from(p: TokenPair) -> Self {
        TokenResponse {
            user: p.user.into(),
            access_token: p.access_token,
            refresh_token: p.refresh_token,
            token_type: "Bearer",
            expires_in: p.expires_in,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RegisterBody {
    #[schema(schema_with = inputs::email)]
    email: String,
    #[schema(value_type = inputs::NewPassword)]
    password: String,
    #[schema(schema_with = inputs::name)]
    name: String,
    /// `student` (default) or `teacher`.
    #[schema(schema_with = sign_up_role)]
    role: Option<String>,
    /// `en` or `ru`; default from Accept-Language.
    locale: Option<String>,
}

fn sign_up_role() -> RefOr<Schema> {
    inputs::one_of_or_null(&["student", "teacher"])
}

/// Create an account (student or teacher) and sign it in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "identity", request_body = RegisterBody,
    responses((status = 201, body = TokenResponse), (status = 409, description = "email_taken"), (status = 422)))]
async fn register(
    State(app): State<AppState>,
    headers: HeaderMap,
    Json(b): Json<RegisterBody>,
) -> Result<Response> {
    let role = match b.role.as_deref().unwrap_or("student") {
        "student" => Ok(Role::Student),
        "teacher" => Ok(Role::Teacher),
        _ => Err(FieldError::new("role", "must be student or teacher")),
    };
    let (email, password, name) =
        (Email::parse(&b.email), Password::parse("password", &b.password), Name::parse(&b.name));
    let mut errors = Vec::new();
    for e in [email.as_ref().err(), password.as_ref().err(), name.as_ref().err(), role.as_ref().err()]
        .into_iter()
        .flatten()
    {
        errors.push(e.clone());
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let locale = parse_locale(
        b.locale.as_deref().or_else(|| headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())),
    );
    let pair = app
        .identity
        .register(NewAccount {
            email: email.expect("checked"),
            password: password.expect("checked"),
            name: name.expect("checked"),
            role: role.expect("checked"),
            locale,
        })
        .await?;
    let mut res = (StatusCode::CREATED, Json(TokenResponse::from(pair))).into_response();
    res.headers_mut().insert(LOCATION, HeaderValue::from_static("/api/v1/me"));
    Ok(res)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    email: String,
    password: String,
}

/// Sign in. Wrong email and wrong password get the same answer.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "identity", request_body = LoginBody,
    responses((status = 200, body = TokenResponse), (status = 401, description = "invalid_credentials")))]
async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<LoginBody>,
) -> Result<Json<TokenResponse>> {
    Ok(Json(app.identity.login(&b.email, &b.password, ip).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RefreshBody {
    refresh_token: String,
}

/// Spend a refresh token for a new pair. A spent token ends its whole sign-in.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "identity", request_body = RefreshBody,
    responses((status = 200, body = TokenResponse), (status = 401, description = "invalid_token or token_reused")))]
async fn refresh(State(app): State<AppState>, Json(b): Json<RefreshBody>) -> Result<Json<TokenResponse>> {
    Ok(Json(app.identity.refresh(&b.refresh_token).await?.into()))
}

/// End the sign-in this refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "identity", request_body = RefreshBody,
    responses((status = 204)))]
async fn logout(State(app): State<AppState>, Json(b): Json<RefreshBody>) -> Result<Response> {
    app.identity.logout(&b.refresh_token).await?;
    Ok(no_content())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenBody {
    token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserResponse {
    user: Me,
}

/// Confirm an email address with the token from the verification email.
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "identity", request_body = TokenBody,
    responses((status = 200, body = UserResponse), (status = 400, description = "invalid_token")))]
async fn verify_email(State(app): State<AppState>, Json(b): Json<TokenBody>) -> Result<Json<UserResponse>> {
    let user = app.identity.verify_email(&b.token).await?;
    Ok(Json(UserResponse { user: user.into() }))
}

/// Send the verification email again (3 per hour).
#[utoipa::path(post, path = "/api/v1/auth/resend-verification", tag = "identity",
    responses((status = 202), (status = 409, description = "already_verified"), (status = 429)),
    security(("bearer" = [])))]
async fn resend_verification(State(app): State<AppState>, AuthUser(who): AuthUser) -> Result<StatusCode> {
    app.identity.resend_verification(&who.user).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ForgotBody {
    email: String,
}

/// Ask for a password-reset email. Answers 202 whether or not the account exists.
#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "identity", request_body = ForgotBody,
    responses((status = 202), (status = 429)))]
async fn forgot_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<ForgotBody>,
) -> Result<StatusCode> {
    app.identity.forgot_password(&b.email, ip)?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ResetBody {
    token: String,
    #[schema(value_type = inputs::NewPassword)]
    password: String,
}

/// Set a new password with a reset token; every sign-in of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "identity", request_body = ResetBody,
    responses((status = 204), (status = 400, description = "invalid_token"), (status = 422)))]
async fn reset_password(State(app): State<AppState>, Json(b): Json<ResetBody>) -> Result<Response> {
    let password = Password::parse("password", &b.password).map_err(|e| Error::Validation(vec![e]))?;
    app.identity.reset_password(&b.token, password).await?;
    Ok(no_content())
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, body = Me), (status = 401)), security(("bearer" = [])))]
async fn me(AuthUser(who): AuthUser) -> Json<Me> {
    Json(who.user.into())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateMeBody {
    #[schema(schema_with = inputs::name_or_null)]
    name: Option<String>,
    #[schema(schema_with = locale_or_null)]
    locale: Option<String>,
    /// Markdown; shown on a teacher's public page (sanitised).
    #[schema(schema_with = inputs::text_or_null::<0, 5000>)]
    bio: Option<String>,
}

fn locale_or_null() -> RefOr<Schema> {
    inputs::one_of_or_null(&["en", "ru"])
}

/// Change your name, language or bio.
#[utoipa::path(patch, path = "/api/v1/me", tag = "identity", request_body = UpdateMeBody,
    responses((status = 200, body = Me), (status = 422)), security(("bearer" = [])))]
async fn update_me(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Json(b): Json<UpdateMeBody>,
) -> Result<Json<Me>> {
    let name = b.name.as_deref().map(Name::parse).transpose().map_err(|e| Error::Validation(vec![e]))?;
    let locale = match b.locale.as_deref() {
        None => None,
        Some(l @ ("en" | "ru")) => Some(l.to_owned()),
        Some(_) => return Err(Error::validation("locale", "must be en or ru")),
    };
    let bio = b
        .bio
        .as_deref()
        .map(|t| crate::fields::text("bio", t, 0, 5000))
        .transpose()
        .map_err(|e| Error::Validation(vec![e]))?;
    Ok(Json(app.identity.update_profile(who.user.id, name, locale, bio).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangePasswordBody {
    current_password: String,
    #[schema(value_type = inputs::NewPassword)]
    new_password: String,
}

/// Change your password; every other sign-in ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "identity", request_body = ChangePasswordBody,
    responses((status = 204), (status = 403, description = "invalid_credentials"), (status = 422)),
    security(("bearer" = [])))]
async fn change_password(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Json(b): Json<ChangePasswordBody>,
) -> Result<Response> {
    let new = collect(vec![Password::parse("new_password", &b.new_password)])?.remove(0);
    app.identity.change_password(&who, &b.current_password, new).await?;
    Ok(no_content())
}

// ---- browser sessions (cookies) ----

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionResponse {
    user: Me,
    /// Send as `X-CSRF-Token` on every state-changing request (also readable from the
    /// `lectern_csrf` cookie).
    csrf_token: String,
    expires_in: u64,
}

fn session_response(app: &AppState, pair: TokenPair) -> Response {
    let (cookies, csrf) = session_cookies(app, &pair);
    let mut res =
        Json(SessionResponse { user: pair.user.into(), csrf_token: csrf, expires_in: pair.expires_in })
            .into_response();
    for c in cookies {
        res.headers_mut().append(SET_COOKIE, c);
    }
    res
}

/// Sign in a browser: the tokens go into HttpOnly cookies.
#[utoipa::path(post, path = "/api/v1/auth/session", tag = "identity", request_body = LoginBody,
    responses((status = 200, body = SessionResponse), (status = 401)))]
async fn session_login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(b): Json<LoginBody>,
) -> Result<Response> {
    let pair = app.identity.login(&b.email, &b.password, ip).await?;
    Ok(session_response(&app, pair))
}

/// Checks the CSRF header against the session of the refresh cookie.
async fn session_family(app: &Identity, headers: &HeaderMap) -> Result<(String, crate::ids::FamilyId)> {
    let token = cookie(headers, REFRESH_COOKIE).ok_or_else(Error::unauthenticated)?.to_owned();
    let family = app.family_of(&token).await?.ok_or_else(Error::unauthenticated)?;
    let presented = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !app.keys.csrf_matches(family, presented) {
        return Err(csrf_error());
    }
    Ok((token, family))
}

/// Rotate the browser session's tokens (needs `X-CSRF-Token`).
#[utoipa::path(post, path = "/api/v1/auth/session/refresh", tag = "identity",
    responses((status = 200, body = SessionResponse), (status = 401), (status = 403, description = "csrf_failed")))]
async fn session_refresh(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let (token, _) = session_family(&app.identity, &headers).await?;
    let pair = app.identity.refresh_browser(&token).await?;
    Ok(session_response(&app, pair))
}

/// Sign a browser out: its session ends and the cookies are cleared (needs `X-CSRF-Token`).
#[utoipa::path(delete, path = "/api/v1/auth/session", tag = "identity",
    responses((status = 204), (status = 403, description = "csrf_failed")))]
async fn session_logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if cookie(&headers, REFRESH_COOKIE).is_some() {
        match session_family(&app.identity, &headers).await {
            Ok((_, family)) => app.identity.end_session(family).await?,
            // The session already ended: only the cookies are left to clear.
            Err(Error::Unauthorized { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let mut res = no_content();
    for c in clear_session_cookies(&app) {
        res.headers_mut().append(SET_COOKIE, c);
    }
    Ok(res)
}
