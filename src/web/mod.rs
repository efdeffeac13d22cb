//! The school's web pages: server-rendered HTML (askama templates in `web/templates`), small
//! scripts for progressive enhancement (`web/static`), two languages (`web/i18n`).
//!
//! Pages call the same services as the JSON API; they hold no rules of their own. Every form
//! works without JavaScript (POST, then 303 to a page); scripts call the JSON API instead and
//! update the page optimistically.

pub mod assets;
pub mod cache;
pub mod charts;
pub mod i18n;
pub mod pages;
pub mod session;
pub mod view;

use std::hash::Hasher;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use session::PageCtx;

pub fn router(state: AppState) -> Router<AppState> {
    use pages::{
        account, catalog, certificates, console, engage, errors, learn, moderation, money, orders, questions,
        seo, studio, teaching,
    };
    // What visitors read most; served from the page cache when nothing changed.
    let public = Router::new()
        .route("/", get(catalog::home))
        .route("/courses", get(catalog::catalog))
        .route("/categories/{slug}", get(catalog::category))
        .route("/courses/{slug}", get(catalog::course))
        .route("/teachers/{id}", get(catalog::teacher))
        .route_layer(axum::middleware::from_fn_with_state(state, cache::visitor_pages));
    Router::new()
        .merge(public)
        .route("/courses/{slug}/enroll", post(learn::enroll))
        .route("/courses/{slug}/reviews", post(learn::review))
        .route("/courses/{slug}/wish", post(learn::wish))
        .route("/courses/{slug}/buy", post(orders::buy))
        .route("/orders", get(orders::orders))
        .route("/orders/{id}", get(orders::order))
        .route("/orders/{id}/refund-request", post(orders::request_refund))
        .route("/studio", get(teaching::dashboard))
        .route("/studio/courses/{id}/analytics", get(teaching::course_analytics))
        .route("/studio/courses/{id}/analytics.csv", get(teaching::analytics_csv))
        .route("/studio/courses/{id}/students", get(teaching::course_students))
        .route("/studio/courses/new", get(studio::wizard_start).post(studio::wizard_create))
        .route("/studio/courses/{id}", get(studio::editor).post(studio::editor_save))
        .route("/studio/courses/{id}/wizard", get(studio::wizard_resume))
        .route("/studio/courses/{id}/wizard/{step}", get(studio::wizard_step).post(studio::wizard_save))
        .route("/studio/lessons/{id}", get(studio::lesson_editor).post(studio::lesson_save))
        .route("/studio/verification", get(studio::verification).post(studio::request_verification))
        .route("/studio/earnings", get(money::earnings))
        .route("/studio/earnings/payouts", post(money::request_payout))
        .route("/admin", get(console::console))
        .route("/admin/users", get(console::users))
        .route("/admin/users/{id}/{action}", post(console::change_user))
        .route("/admin/audit", get(console::audit))
        .route("/admin/orders", get(money::admin_orders))
        .route("/admin/orders/{id}", get(money::admin_order))
        .route("/admin/orders/{id}/refund", post(money::admin_refund))
        .route("/admin/payouts", get(money::admin_payouts))
        .route("/admin/payouts.csv", get(money::payouts_csv))
        .route("/admin/payouts/{id}/{decision}", post(money::decide_payout))
        .route("/admin/ledger", get(money::admin_ledger))
        .route("/admin/moderation", get(moderation::moderation))
        .route("/admin/moderation/courses/{id}/{decision}", post(moderation::decide_course))
        .route("/admin/moderation/reviews/{id}/{decision}", post(moderation::decide_review))
        .route("/admin/moderation/qa/{id}/{decision}", post(moderation::decide_post))
        .route("/admin/moderation/reports/{id}/resolve", post(moderation::resolve_report))
        .route("/admin/moderation/verifications/{id}/{decision}", post(moderation::decide_verification))
        .route("/reports", post(moderation::report))
        .route("/pay/test/{id}", get(orders::pay_test_page).post(orders::pay_test))
        .route("/signup", get(account::signup_page).post(account::signup))
        .route("/signin", get(account::signin_page).post(account::signin))
        .route("/signout", post(account::signout))
        .route("/verify-email", get(account::verify_email))
        .route("/forgot-password", get(account::forgot_page).post(account::forgot))
        .route("/reset-password", get(account::reset_page).post(account::reset))
        .route("/account", get(account::account_page).post(account::update_profile))
        .route("/account/password", post(account::change_password))
        .route("/account/export", get(account::export))
        .route("/account/delete", post(account::delete_account))
        .route("/account/email-preferences", post(engage::update_prefs))
        .route("/unsubscribe", get(engage::unsubscribe_page).post(engage::unsubscribe))
        .route("/learn", get(learn::my_learning))
        .route("/learn/{slug}", get(learn::resume))
        .route("/learn/{slug}/questions", get(questions::course_questions))
        .route("/learn/{slug}/{lesson}", get(learn::player))
        .route("/learn/{slug}/{lesson}/complete", post(learn::complete))
        .route("/learn/{slug}/{lesson}/questions", post(learn::ask))
        .route("/learn/{slug}/{lesson}/questions/{question}/answers", post(learn::answer))
        .route("/learn/{slug}/{lesson}/answers/{answer}/accept", post(learn::accept))
        .route("/learn/{slug}/{lesson}/attempt", post(learn::attempt))
        .route("/certificates/{file}", get(certificates::certificate))
        .route("/wishlist", get(learn::wishlist))
        .route("/notifications", get(learn::notifications))
        .route("/notifications/read", post(learn::read_notifications))
        .route("/lang/{code}", get(account::switch_language))
        .route("/offline", get(errors::offline))
        .route("/sitemap.xml", get(seo::sitemap))
        .route("/sitemaps/{file}", get(seo::sitemap_part))
        .route("/robots.txt", get(seo::robots))
        .route("/manifest.webmanifest", get(seo::manifest))
        .route("/sw.js", get(assets::service_worker))
        .route("/static/{file}", get(assets::serve))
        .route("/favicon.ico", get(seo::favicon))
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A local path to go back to after a form, never another site. Browsers drop tabs and newlines
/// from URLs and read `\` as `/`, so `/<tab>/evil` would become `//evil`: any control character
/// or backslash disqualifies the path.
pub fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => default.to_owned(),
    }
}

pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag.trim_start_matches("W/"))
    })
}

/// The validator of a body sent to visitors (pages and public JSON alike).
pub fn etag_of(body: impl AsRef<[u8]>) -> String {
    // FxHash: a few times faster than SipHash over a page, and an ETag needs no defence
    // against chosen collisions (a forged match only makes a browser keep its own copy).
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(body.as_ref());
    format!("W/\"{:016x}\"", hasher.finish())
}

/// A rendered page. Anonymous pages get an ETag and may be cached (browsers, CDNs) as long as
/// they revalidate; a matching `If-None-Match` gets a 304 without the body.
pub fn html(ctx: &PageCtx, headers: &HeaderMap, status: StatusCode, body: String) -> Response {
    let mut res_headers = HeaderMap::new();
    res_headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if ctx.principal.is_none() && status == StatusCode::OK {
        let etag = etag_of(&body);
        res_headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=0, must-revalidate"));
        res_headers.insert(ETAG, HeaderValue::from_str(&etag).expect("hex"));
        if etag_matches(headers, &etag) {
            return (StatusCode::NOT_MODIFIED, res_headers).into_response();
        }
    }
    (status, res_headers, body).into_response()
}

/// A page that carries a secret of its own (a token from an emailed link) is never stored.
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut().remove(ETAG);
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// 303 See Other: where a form sends the browser after it succeeds.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

/// Forms that sign in or create accounts have no session to carry a CSRF token yet; they are
/// accepted only from our own pages (Origin, or Sec-Fetch-Site, when the browser sends them).
pub fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(axum::http::header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some("null") => false,
        Some(origin) => {
            let host = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            origin.trim_end_matches('/') == public_url.trim_end_matches('/')
                || origin.split_once("://").is_some_and(|(_, h)| h == host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/learn/a/b"), "/"), "/learn/a/b");
        assert_eq!(safe_next(Some("//evil.test"), "/"), "/");
        assert_eq!(safe_next(Some("/\\evil.test"), "/"), "/");
        assert_eq!(safe_next(Some("https://evil.test"), "/"), "/");
        assert_eq!(safe_next(None, "/learn"), "/learn");
        for sneaky in ["/\t/evil.test", "/\t\\evil.test", "/a\u{0}b", "/\r\n/evil.test", "/x\\y"] {
            assert_eq!(safe_next(Some(sneaky), "/"), "/", "{sneaky:?}");
        }
    }

    #[test]
    fn urlencode_escapes_query_characters() {
        assert_eq!(urlencode("/courses?q=a b&x=1"), "/courses%3Fq%3Da%20b%26x%3D1");
    }
}
