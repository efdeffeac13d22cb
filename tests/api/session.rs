//! Browser sessions: tokens in cookies, CSRF protection for state changes.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::helpers::*;

async fn sign_in(app: &TestApp, email: &str) -> (Browser, Vec<String>) {
    app.register_student(email).await;
    let res = app.post("/api/v1/auth/session", &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set: Vec<String> =
        res.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let mut b = Browser::default();
    b.absorb(&res);
    let body: Value = res.json().await.unwrap();
    b.csrf = body["csrf_token"].as_str().unwrap().to_owned();
    assert!(body.get("access_token").is_none(), "tokens stay out of reach of page scripts");
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

    let me = app.client.get(app.url("/api/v1/me")).header(COOKIE, b.header()).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "reads need no CSRF token");

    let patch = |token: Option<&str>| {
        let mut req = app
            .client
            .patch(app.url("/api/v1/me"))
            .header(COOKIE, b.header())
            .json(&json!({"name": "Changed"}));
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        req.send()
    };
    let (status, body) = problem(patch(None).await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("csrf_failed")));
    assert_eq!(problem(patch(Some("forged")).await.unwrap()).await.0, StatusCode::FORBIDDEN);

    // Another person's valid CSRF token does not fit this session.
    let (other, _) = sign_in(&app, "other@school.test").await;
    assert_eq!(problem(patch(Some(&other.csrf)).await.unwrap()).await.0, StatusCode::FORBIDDEN);

    let ok = patch(Some(&b.csrf)).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let v: Value = ok.json().await.unwrap();
    assert_eq!(v["name"], "Changed");
}

#[tokio::test]
async fn a_browser_session_refreshes_and_signs_out_with_its_csrf_token() {
    let app = spawn_app().await;
    let (mut b, _) = sign_in(&app, "browser@school.test").await;

    let no_csrf = app
        .client
        .post(app.url("/api/v1/auth/session/refresh"))
        .header(COOKIE, b.header())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(no_csrf).await.0, StatusCode::FORBIDDEN);

    let old_cookie = b.header();
    let res = app
        .client
        .post(app.url("/api/v1/auth/session/refresh"))
        .header(COOKIE, b.header())
        .header("x-csrf-token", &b.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    b.absorb(&res);
    assert_ne!(b.header(), old_cookie, "tokens rotated");
    let me = app.client.get(app.url("/api/v1/me")).header(COOKIE, b.header()).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let out = app
        .client
        .delete(app.url("/api/v1/auth/session"))
        .header(COOKIE, b.header())
        .header("x-csrf-token", &b.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers().get_all(SET_COOKIE).iter().all(|c| c.to_str().unwrap().contains("Max-Age=0")));
    let me = app.client.get(app.url("/api/v1/me")).header(COOKIE, b.header()).send().await.unwrap();
    assert_eq!(
        me.status(),
        StatusCode::UNAUTHORIZED,
        "the session is over server-side, not only in the browser"
    );
}

#[tokio::test]
async fn a_cross_site_sign_out_without_the_token_is_refused() {
    let app = spawn_app().await;
    let (b, _) = sign_in(&app, "victim2@school.test").await;
    let res = app
        .client
        .delete(app.url("/api/v1/auth/session"))
        .header(COOKIE, b.header())
        .header("x-csrf-token", "guess")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, StatusCode::FORBIDDEN);
    let me = app.client.get(app.url("/api/v1/me")).header(COOKIE, b.header()).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}
