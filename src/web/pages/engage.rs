//! The unsubscribe page (`/unsubscribe?token=`, no sign-in needed) and the account page's
//! email-preference form. Both call `engagement`, as the API does.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::render;
use crate::app::AppState;
use crate::engagement::service::PrefsPatch;
use crate::error::{Code, Error, Result};
use crate::mail::templates::List;
use crate::web::session::PageCtx;
use crate::web::view::Layout;
use crate::web::{html, no_store, see_other, urlencode};

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    l: Layout,
    heading: String,
    message: String,
    /// The form's target while the reader has not confirmed yet.
    confirm: Option<String>,
    success: bool,
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

fn list_name(list: List) -> &'static str {
    match list {
        List::Reminders => "unsubscribe-list-reminders",
        List::Digests => "unsubscribe-list-digests",
        List::ProductNews => "unsubscribe-list-product-news",
    }
}

fn page(ctx: &PageCtx, headers: &HeaderMap, status: StatusCode, p: UnsubscribePage) -> Result<Response> {
    // The page carries the reader's token: never stored by a cache.
    Ok(no_store(html(ctx, headers, status, render(&p)?)))
}

/// What a bad or unknown token gets: a page that says so and where to go instead (400).
fn refused(app: &AppState, ctx: &PageCtx, headers: &HeaderMap) -> Result<Response> {
    let tr = ctx.tr();
    let mut l = Layout::new(app, ctx, tr.t("unsubscribe-title"));
    l.noindex = true;
    let p = UnsubscribePage {
        l,
        heading: tr.t("unsubscribe-title"),
        message: tr.t("unsubscribe-invalid"),
        confirm: None,
        success: false,
    };
    page(ctx, headers, StatusCode::BAD_REQUEST, p)
}

/// `GET /unsubscribe?token=`: asks to confirm (a link scanner opening the URL changes nothing).
pub async fn unsubscribe_page(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    let list = match app.engagement.token_list(&q.token).await {
        Ok(list) => list,
        Err(Error::BadRequest { code: Code::InvalidToken, .. }) => return refused(&app, &ctx, &headers),
        Err(e) => return Err(e),
    };
    let tr = ctx.tr();
    let mut l = Layout::new(&app, &ctx, tr.t("unsubscribe-title"));
    l.noindex = true;
    let p = UnsubscribePage {
        l,
        heading: tr.t("unsubscribe-title"),
        message: tr.with("unsubscribe-confirm", "list", &tr.t(list_name(list))),
        confirm: Some(format!("/unsubscribe?token={}", urlencode(q.token.trim()))),
        success: false,
    };
    page(&ctx, &headers, StatusCode::OK, p)
}

/// `POST /unsubscribe?token=`: RFC 8058 one-click (the body is `List-Unsubscribe=One-Click`;
/// no session and no CSRF token: the signed token is the authority), and the page's button.
pub async fn unsubscribe(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    let list = match app.engagement.unsubscribe(&q.token).await {
        Ok(list) => list,
        Err(Error::BadRequest { code: Code::InvalidToken, .. }) => return refused(&app, &ctx, &headers),
        Err(e) => return Err(e),
    };
    let tr = ctx.tr();
    let mut l = Layout::new(&app, &ctx, tr.t("unsubscribe-title"));
    l.noindex = true;
    let p = UnsubscribePage {
        l,
        heading: tr.t("unsubscribe-done-title"),
        message: tr.with("unsubscribe-done", "list", &tr.t(list_name(list))),
        confirm: None,
        success: true,
    };
    page(&ctx, &headers, StatusCode::OK, p)
}

#[derive(Deserialize)]
pub struct PrefsForm {
    #[serde(default)]
    csrf: String,
    // Checkboxes: present when ticked, absent when not.
    reminders: Option<String>,
    digests: Option<String>,
    product_news: Option<String>,
}

/// `POST /account/email-preferences`: the account page's toggles.
pub async fn update_prefs(
    State(app): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<PrefsForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let patch = PrefsPatch {
        reminders: Some(f.reminders.is_some()),
        digests: Some(f.digests.is_some()),
        product_news: Some(f.product_news.is_some()),
    };
    app.engagement.update_prefs(who.user.id, patch).await?;
    Ok(see_other("/account?saved=email"))
}
