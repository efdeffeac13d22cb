//! Account pages: sign up, sign in, sign out, email verification, forgotten and reset
//! passwords, settings, and the language switch.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::render;
use crate::app::AppState;
use crate::error::{Code, Error, FieldError, Result};
use crate::http::extract::{ClientIp, cookie};
use crate::identity::cookies::session_cookies;
use crate::identity::extract::REFRESH_COOKIE;
use crate::identity::service::{NewAccount, TokenPair};
use crate::identity::{Email, Name, Password, Role};
use crate::web::i18n::{LANG_COOKIE, Lang, Tr};
use crate::web::session::PageCtx;
use crate::web::view::Layout;
use crate::web::{html, no_store, safe_next, same_origin, see_other};

/// What a form shows again after a failed submit: the values typed (never passwords) and the
/// errors, per field and for the whole form.
#[derive(Default)]
pub struct FormState {
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    pub error: Option<String>,
}

impl FormState {
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn invalid(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    /// A form showing `fields` (name, value) as typed.
    pub fn with(fields: &[(&str, &str)]) -> FormState {
        FormState::default().keep_all(fields)
    }

    pub fn keep_all(self, fields: &[(&str, &str)]) -> FormState {
        fields.iter().fold(self, |f, (k, v)| f.keep(k, v))
    }

    pub fn keep(mut self, field: &str, value: &str) -> FormState {
        self.values.insert(field.to_owned(), value.to_owned());
        self
    }

    /// Shows `err` in the form: field errors next to their fields, anything else on top.
    pub fn failed(mut self, tr: Tr, err: Error) -> std::result::Result<FormState, Error> {
        match err {
            Error::Validation(fields) | Error::NotPublishable(fields) => {
                for f in fields {
                    let message = field_message(tr, &f);
                    self.errors.push((f.field, message));
                }
            }
            Error::Conflict { code: Code::EmailTaken, .. } => {
                self.errors.push(("email".into(), tr.t("form-email-taken")));
            }
            Error::Conflict { code: Code::SlugTaken, .. } => {
                self.errors.push(("slug".into(), tr.t("form-slug-taken")));
            }
            Error::Unauthorized { code: Code::InvalidCredentials, .. }
            | Error::Forbidden { code: Code::InvalidCredentials, .. } => {
                self.error = Some(tr.t("form-invalid-credentials"));
            }
            Error::Forbidden { code: Code::AccountLocked, .. } => {
                self.error = Some(tr.t("form-account-locked"));
            }
            Error::RateLimited { .. } => self.error = Some(tr.t("form-too-many")),
            Error::BadRequest { code: Code::InvalidToken, .. } => {
                self.error = Some(tr.t("form-invalid-token"))
            }
            other => return Err(other),
        }
        Ok(self)
    }
}

/// A validation message in the page's language (the domain speaks English; known messages have
/// a translation keyed by their text).
fn field_message(tr: Tr, f: &FieldError) -> String {
    let key: String = format!("fe-{}", f.message)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    tr.maybe(&key).unwrap_or_else(|| f.message.clone())
}

fn signed_in(app: &AppState, pair: &TokenPair, to: &str) -> Response {
    let mut res = see_other(to);
    for c in session_cookies(app, pair).0 {
        res.headers_mut().append(SET_COOKIE, c);
    }
    res
}

/// Forms sent before there is a session (so without a CSRF token) must come from our pages.
fn from_this_site(app: &AppState, headers: &HeaderMap) -> Result<()> {
    if same_origin(headers, &app.config.public_url) {
        Ok(())
    } else {
        Err(Error::Forbidden {
            code: Code::CrossSite,
            detail: "This form must be sent from this site.".into(),
        })
    }
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    l: Layout,
    f: FormState,
    next: String,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    l: Layout,
    f: FormState,
    next: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
    #[serde(default)]
    reset: String,
}

pub async fn signup_page(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response> {
    let tr = ctx.tr();
    let l = Layout::new(&app, &ctx, tr.t("signup-title"))
        .indexed("/signup", tr.with("signup-description", "school", &app.config.school_name));
    let page = SignupPage { l, f: FormState::default(), next: safe_next(q.next.as_deref(), "/learn") };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// `teacher` to teach (the studio opens next); anything else is a student.
    #[serde(default)]
    role: String,
    next: Option<String>,
}

pub async fn signup(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<SignupForm>,
) -> Result<Response> {
    from_this_site(&app, &headers)?;
    let tr = ctx.tr();
    let teaches = f.role == "teacher";
    let next = safe_next(f.next.as_deref(), "/learn");
    let next = if teaches && next == "/learn" { "/studio".to_owned() } else { next };
    let state = FormState::default().keep("name", &f.name).keep("email", &f.email).keep("role", &f.role);
    let (email, password, name) =
        (Email::parse(&f.email), Password::parse("password", &f.password), Name::parse(&f.name));
    let errors: Vec<FieldError> = [name.as_ref().err(), email.as_ref().err(), password.as_ref().err()]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let outcome = if errors.is_empty() {
        // The language the person signed up in is the language of their emails.
        let locale = ctx.lang.code().to_owned();
        app.identity
            .register(NewAccount {
                email: email.expect("checked"),
                password: password.expect("checked"),
                name: name.expect("checked"),
                role: if teaches { Role::Teacher } else { Role::Student },
                locale,
            })
            .await
    } else {
        Err(Error::Validation(errors))
    };
    match outcome {
        Ok(pair) => Ok(signed_in(&app, &pair, &next)),
        Err(e) => {
            let f = state.failed(tr, e)?;
            let l = Layout::new(&app, &ctx, tr.t("signup-title"));
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&SignupPage { l, f, next })?))
        }
    }
}

pub async fn signin_page(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response> {
    let tr = ctx.tr();
    let l = Layout::new(&app, &ctx, tr.t("signin-title"))
        .indexed("/signin", tr.with("signin-description", "school", &app.config.school_name));
    let notice = (q.reset == "1").then(|| tr.t("reset-done"));
    let page =
        SigninPage { l, f: FormState::default(), next: safe_next(q.next.as_deref(), "/learn"), notice };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

#[derive(Deserialize)]
pub struct SigninForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn signin(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(f): Form<SigninForm>,
) -> Result<Response> {
    from_this_site(&app, &headers)?;
    let tr = ctx.tr();
    let next = safe_next(f.next.as_deref(), "/learn");
    match app.identity.login(&f.email, &f.password, ip).await {
        Ok(pair) => Ok(signed_in(&app, &pair, &next)),
        Err(e) => {
            let f = FormState::default().keep("email", &f.email).failed(tr, e)?;
            let l = Layout::new(&app, &ctx, tr.t("signin-title"));
            let page = SigninPage { l, f, next, notice: None };
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
    }
}

pub async fn signout(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<super::learn::CsrfForm>,
) -> Result<Response> {
    // The access cookie may have expired while the refresh cookie still holds the session:
    // the session is ended server-side either way, not only forgotten by this browser.
    let family = match &ctx.principal {
        Some(p) => Some(p.family),
        None => match cookie(&headers, REFRESH_COOKIE) {
            Some(token) => app.identity.family_of(token).await?,
            None => None,
        },
    };
    if let Some(family) = family {
        if !app.identity.keys.csrf_matches(family, &f.csrf) {
            return Err(crate::identity::extract::csrf_error());
        }
        app.identity.end_session(family).await?;
    }
    Ok(crate::web::session::signed_out(&app, see_other("/")))
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    l: Layout,
    heading: String,
    message: String,
    success: bool,
    link: Option<(String, String)>,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn verify_email(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    let tr = ctx.tr();
    let (success, message) = match app.identity.verify_email(&q.token).await {
        Ok(_) => (true, tr.t("verify-done")),
        Err(Error::BadRequest { .. }) | Err(Error::NotFound) => (false, tr.t("verify-failed")),
        Err(e) => return Err(e),
    };
    let l = Layout::new(&app, &ctx, tr.t("verify-title"));
    let link = Some(("/courses".to_owned(), tr.t("nav-catalog")));
    let page = MessagePage { l, heading: tr.t("verify-title"), message, success, link };
    let status = if success { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok(no_store(html(&ctx, &headers, status, render(&page)?)))
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    l: Layout,
    f: FormState,
    sent: bool,
}

pub async fn forgot_page(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let l = Layout::new(&app, &ctx, ctx.tr().t("forgot-title"));
    Ok(html(&ctx, &headers, StatusCode::OK, render(&ForgotPage { l, f: FormState::default(), sent: false })?))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(f): Form<ForgotForm>,
) -> Result<Response> {
    from_this_site(&app, &headers)?;
    let tr = ctx.tr();
    let state = FormState::default().keep("email", &f.email);
    let (f, sent) = match app.identity.forgot_password(&f.email, ip) {
        Ok(()) => (state, true),
        Err(e) => (state.failed(tr, e)?, false),
    };
    let l = Layout::new(&app, &ctx, tr.t("forgot-title"));
    Ok(html(&ctx, &headers, StatusCode::OK, render(&ForgotPage { l, f, sent })?))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    l: Layout,
    f: FormState,
    token: String,
}

pub async fn reset_page(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    let l = Layout::new(&app, &ctx, ctx.tr().t("reset-title"));
    let page = ResetPage { l, f: FormState::default(), token: q.token };
    Ok(no_store(html(&ctx, &headers, StatusCode::OK, render(&page)?)))
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn reset(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<ResetForm>,
) -> Result<Response> {
    from_this_site(&app, &headers)?;
    let tr = ctx.tr();
    let outcome = match Password::parse("password", &f.password) {
        Ok(p) => app.identity.reset_password(&f.token, p).await,
        Err(e) => Err(Error::Validation(vec![e])),
    };
    match outcome {
        Ok(()) => Ok(see_other("/signin?reset=1")),
        Err(e) => {
            let state = FormState::default().failed(tr, e)?;
            let l = Layout::new(&app, &ctx, tr.t("reset-title"));
            let page = ResetPage { l, f: state, token: f.token };
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    f: FormState,
    pw: FormState,
    email: String,
    verified: bool,
    locale: String,
    notice: Option<String>,
    /// Which optional mail the person wants (the email-preferences form).
    prefs: crate::engagement::repo::EmailPrefs,
    /// The account-deletion form (its only field is the password, never shown again).
    del: FormState,
}

impl AccountPage {
    /// The settings page of the signed-in person, with both forms fresh.
    async fn new(
        app: &AppState,
        ctx: &PageCtx,
        who: &crate::identity::repo::UserRecord,
    ) -> Result<AccountPage> {
        Ok(AccountPage {
            prefs: app.engagement.prefs(who.id).await?,
            f: FormState::default().keep("name", &who.name),
            pw: FormState::default(),
            del: FormState::default(),
            email: who.email.clone(),
            verified: who.email_verified,
            locale: who.locale.clone(),
            notice: None,
            l: Layout::new(app, ctx, ctx.tr().t("account-title")).nav("account"),
        })
    }
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    saved: String,
}

pub async fn account_page(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<AccountQuery>,
) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let notice = match q.saved.as_str() {
        "profile" => Some(tr.t("account-saved")),
        "password" => Some(tr.t("account-password-saved")),
        "email" => Some(tr.t("account-email-saved")),
        _ => None,
    };
    let page = AccountPage { notice, ..AccountPage::new(&app, &ctx, &who.user).await? };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    locale: String,
}

fn lang_cookie(app: &AppState, lang: Lang) -> HeaderValue {
    let secure = if app.config.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.code()
    ))
    .expect("ascii")
}

pub async fn update_profile(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<ProfileForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let tr = ctx.tr();
    let lang = Lang::parse(&f.locale).unwrap_or(ctx.lang);
    match Name::parse(&f.name) {
        Ok(name) => {
            app.identity.update_profile(who.user.id, Some(name), Some(lang.code().to_owned()), None).await?;
            let mut res = see_other("/account?saved=profile");
            res.headers_mut().append(SET_COOKIE, lang_cookie(&app, lang));
            Ok(res)
        }
        Err(e) => {
            let page = AccountPage {
                f: FormState::default().keep("name", &f.name).failed(tr, Error::Validation(vec![e]))?,
                ..AccountPage::new(&app, &ctx, &who.user).await?
            };
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let tr = ctx.tr();
    let outcome = match Password::parse("new_password", &f.new_password) {
        Ok(p) => app.identity.change_password(who, &f.current_password, p).await,
        Err(e) => Err(Error::Validation(vec![e])),
    };
    match outcome {
        Ok(()) => Ok(see_other("/account?saved=password")),
        Err(e) => {
            let page = AccountPage {
                pw: FormState::default().failed(tr, e)?,
                ..AccountPage::new(&app, &ctx, &who.user).await?
            };
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
    }
}

/// `GET /account/export`: everything stored about the signed-in person, the same JSON document
/// as `GET /api/v1/me/export`, served as a download (the cookie session is enough).
pub async fn export(State(app): State<AppState>, ctx: PageCtx) -> Result<Response> {
    let who = ctx.require()?;
    let data = crate::privacy::export(&app, who).await?;
    Ok((
        [(CONTENT_DISPOSITION, "attachment; filename=\"lectern-export.json\"")],
        crate::http::extract::Json(data),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/delete`: deletes (anonymises) the account after checking the password, signs
/// this browser out and confirms; a wrong password is a message on the account page.
pub async fn delete_account(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<DeleteForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let tr = ctx.tr();
    match crate::privacy::delete_account(&app, who, &f.password).await {
        Ok(()) => {
            let l = Layout::new(&app, &ctx, tr.t("account-deleted-title"));
            let page = MessagePage {
                l,
                heading: tr.t("account-deleted-title"),
                message: tr.t("account-deleted"),
                success: true,
                link: Some(("/".to_owned(), tr.t("account-deleted-home"))),
            };
            let res = html(&ctx, &headers, StatusCode::OK, render(&page)?);
            Ok(crate::web::session::signed_out(&app, no_store(res)))
        }
        Err(e) => {
            let message = match e {
                Error::Unauthorized { code: Code::InvalidCredentials, .. }
                | Error::Forbidden { code: Code::InvalidCredentials, .. } => {
                    tr.t("account-delete-wrong-password")
                }
                Error::RateLimited { .. } => tr.t("form-too-many"),
                other => return Err(other),
            };
            let del = FormState { error: Some(message), ..FormState::default() };
            let page = AccountPage { del, ..AccountPage::new(&app, &ctx, &who.user).await? };
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
    }
}

/// `GET /lang/{code}?next=`: remembers the language in a cookie, then goes back. (A GET changes
/// nothing stored: the account's language, which emails follow, is set in the account form.)
pub async fn switch_language(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response> {
    let lang = Lang::parse(&code).ok_or(Error::NotFound)?;
    let mut res = see_other(&safe_next(q.next.as_deref(), "/"));
    res.headers_mut().append(SET_COOKIE, lang_cookie(&app, lang));
    Ok(res)
}
