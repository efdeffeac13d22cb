//! Browser sessions: tokens in cookies, CSRF protection for state changes.

use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;
use serde_json::json;

use crate::helpers::*;

async fn sign_in(app: &TestApp, email: &str) -> (Browser, Vec<String>) {
    app.register_student(email).await;
    let res = app.auth().session(email, PASSWORD).await.assert_status(StatusCode::OK);
    let set: Vec<String> =
        res.headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let mut b = Browser::default();
    b.absorb(&res.headers);
    b.csrf = res.str("csrf_token").to_owned();
    assert!(res.json.get("access_token").is_none(), "tokens stay out of reach of page scripts");
    (b, set)
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site() {
    let app = spawn_app().await;
    let (b, set) = sign_in(&app, "cookie@school.test").await;
    let find = |name: &str| set.iter().find(|c| c.starts_with(&format!("{name}="))).unwrap().clone();
    for name in ["lectern_access", "lectern_refresh"] {
        let c = find(name);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
        assert!(!c.contains("Secure"), "plain-http public URL: {c}");
    }
    assert!(find("lectern_refresh").contains("Path=/;"), "pages renew expired access tokens with it");
    let csrf = find("lectern_csrf");
    assert!(!csrf.contains("HttpOnly"), "pages must read the CSRF token");
    assert!(csrf.starts_with(&format!("lectern_csrf={};", b.csrf)));
}

#[tokio::test]
async fn cookies_are_secure_when_the_school_is_on_https() {
    let app = spawn_with(|c| c.public_url = "https://school.test".into()).await;
    let (_, set) = sign_in(&app, "tls@school.test").await;
    assert!(set.iter().all(|c| c.contains("; Secure")), "{set:?}");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_to_change_anything() {
    let app = spawn_app().await;
    let (b, _) = sign_in(&app, "csrf@school.test").await;

    let me = Me(b.api(&app)).get().await;
    assert_eq!(me.status, StatusCode::OK, "reads need no CSRF token: {me}");

    let patch = async |token: Option<&str>| {
        let api = match token {
            Some(t) => b.api(&app).header("x-csrf-token", t),
            None => b.api(&app),
        };
        Me(api).update(json!({"name": "Changed"})).await
    };
    patch(None).await.assert_code(StatusCode::FORBIDDEN, "csrf_failed");
    patch(Some("forged")).await.assert_problem(StatusCode::FORBIDDEN);

    // Another person's valid CSRF token does not fit this session.
    let (other, _) = sign_in(&app, "other@school.test").await;
    patch(Some(&other.csrf)).await.assert_problem(StatusCode::FORBIDDEN);

    let ok = patch(Some(&b.csrf)).await.assert_status(StatusCode::OK);
    assert_eq!(ok["name"], "Changed");
}

#[tokio::test]
async fn a_browser_session_refreshes_and_signs_out_with_its_csrf_token() {
    let app = spawn_app().await;
    let (mut b, _) = sign_in(&app, "browser@school.test").await;

    Auth(b.api(&app)).session_refresh().await.assert_problem(StatusCode::FORBIDDEN);

    let old_cookie = b.header();
    let res = Auth(b.api(&app).header("x-csrf-token", &b.csrf)).session_refresh().await;
    let res = res.assert_status(StatusCode::OK);
    b.absorb(&res.headers);
    assert_ne!(b.header(), old_cookie, "tokens rotated");
    Me(b.api(&app)).get().await.assert_status(StatusCode::OK);

    let out = Auth(b.api(&app).header("x-csrf-token", &b.csrf)).end_session().await;
    let out = out.assert_status(StatusCode::NO_CONTENT);
    assert!(out.headers.get_all(SET_COOKIE).iter().all(|c| c.to_str().unwrap().contains("Max-Age=0")));
    let me = Me(b.api(&app)).get().await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "the session is over server-side, not only in the browser"
    );
}

#[tokio::test]
async fn a_cross_site_sign_out_without_the_token_is_refused() {
    let app = spawn_app().await;
    let (b, _) = sign_in(&app, "victim2@school.test").await;
    Auth(b.api(&app).header("x-csrf-token", "guess"))
        .end_session()
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    Me(b.api(&app)).get().await.assert_status(StatusCode::OK);
}
