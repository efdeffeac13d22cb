use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn register_creates_an_account_and_signs_it_in() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "Ann@Example.org", "password": PASSWORD, "name": " Ann ", "role": "teacher"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["location"], "/api/v1/me");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert!(v["expires_in"].as_u64().unwrap() <= 900);
    assert!(v["refresh_token"].as_str().unwrap().len() >= 22, "at least 128 bits");
    assert_eq!(v["user"]["email"], "ann@example.org");
    assert_eq!(v["user"]["name"], "Ann");
    assert_eq!(v["user"]["role"], "teacher");
    assert_eq!(v["user"]["email_verified"], false);
    assert!(v["user"]["created_at"].as_str().unwrap().ends_with('Z'));

    let me: Value = app.get_auth("/api/v1/me", &access(&v)).await.json().await.unwrap();
    assert_eq!(me["id"], v["user"]["id"]);
    assert!(me.get("password_hash").is_none());
}

#[tokio::test]
async fn register_reports_every_invalid_field() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "nope", "password": "short", "name": "", "role": "admin"}),
        )
        .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "validation_failed");
    let mut fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["email", "name", "password", "role"]);
}

#[tokio::test]
async fn common_and_overlong_passwords_are_refused() {
    let app = spawn_app().await;
    for pw in ["password123".to_owned(), "Qwertyuiop".to_owned(), "x".repeat(129)] {
        let res = app
            .post("/api/v1/auth/register", &json!({"email": "a@b.org", "password": pw, "name": "A"}))
            .await;
        let (status, body) = problem(res).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "password");
    }
    let ok = app
        .post("/api/v1/auth/register", &json!({"email": "a@b.org", "password": "x".repeat(128), "name": "A"}))
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED, "128 characters is allowed");
}

#[tokio::test]
async fn an_email_can_be_registered_once_whatever_its_case() {
    let app = spawn_app().await;
    app.register_student("dup@school.test").await;
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "DUP@school.test", "password": PASSWORD, "name": "Other"}),
        )
        .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "email_taken");
}

#[tokio::test]
async fn login_answers_the_same_for_unknown_emails_and_wrong_passwords() {
    let app = spawn_app().await;
    app.register_student("known@school.test").await;
    let ok = app.login("KNOWN@school.test", PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);

    let (s1, wrong_pw) = problem(app.login("known@school.test", "not the password").await).await;
    let (s2, unknown) = problem(app.login("nobody@school.test", "not the password").await).await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong_pw, unknown, "no hint which part was wrong");
    assert_eq!(unknown["code"], "invalid_credentials");

    // Both paths pay for one argon2 verification: neither is an order of magnitude faster.
    let mut known = Vec::new();
    let mut missing = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        app.login("known@school.test", "not the password").await;
        known.push(t.elapsed());
        let t = Instant::now();
        app.login("nobody@school.test", "not the password").await;
        missing.push(t.elapsed());
    }
    known.sort();
    missing.sort();
    let (k, m) = (known[2].as_secs_f64(), missing[2].as_secs_f64());
    assert!(m > k / 3.0 && k > m / 3.0, "known {k:.4}s vs unknown {m:.4}s");
}

#[tokio::test]
async fn many_parallel_logins_all_complete() {
    let app = spawn_app().await;
    app.register_student("busy@school.test").await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
        let pw = if i % 2 == 0 { PASSWORD } else { "wrong password!" };
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"email": "busy@school.test", "password": pw}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == StatusCode::OK || s == StatusCode::UNAUTHORIZED);
        ok += usize::from(s == StatusCode::OK);
    }
    assert_eq!(ok, 50);
}

#[tokio::test]
async fn me_needs_a_token_and_can_change_the_name_and_language() {
    let app = spawn_app().await;
    let (status, body) = problem(app.client.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));

    let t = access(&app.register_student("me@school.test").await);
    let res = app
        .client
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&t)
        .json(&json!({"name": "Мария", "locale": "ru"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!((v["name"].as_str(), v["locale"].as_str()), (Some("Мария"), Some("ru")));

    let bad = app
        .client
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&t)
        .json(&json!({"name": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let me: Value = app.get_auth("/api/v1/me", &t).await.json().await.unwrap();
    assert_eq!(me["name"], "Мария", "a refused update changed nothing");
}

#[tokio::test]
async fn email_verification_works_once_and_sends_a_welcome() {
    let app = spawn_app().await;
    let v = app.register_student("verify@school.test").await;
    let token = app.token_from_mail("verify@school.test", "verify-email").await;

    let res = app.post("/api/v1/auth/verify-email", &json!({"token": token})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email_verified"], true);
    let me: Value = app.get_auth("/api/v1/me", &access(&v)).await.json().await.unwrap();
    assert_eq!(me["email_verified"], true);

    let (status, again) =
        problem(app.post("/api/v1/auth/verify-email", &json!({"token": token})).await).await;
    assert_eq!((status, again["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_token")));

    let subjects: Vec<String> = app
        .mails_to("verify@school.test")
        .await
        .iter()
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect();
    assert!(subjects.iter().any(|s| s.starts_with("Welcome")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.starts_with("Confirm your email")), "{subjects:?}");
}

#[tokio::test]
async fn verification_links_expire_after_a_day() {
    let app = spawn_app().await;
    app.register_student("late@school.test").await;
    let token = app.token_from_mail("late@school.test", "verify-email").await;
    app.state().clock.advance(Duration::from_secs(24 * 3600 + 60));
    let (status, body) = problem(app.post("/api/v1/auth/verify-email", &json!({"token": token})).await).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_token")));
}

#[tokio::test]
async fn russian_speakers_get_russian_mail() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.5")
        .json(&json!({"email": "ivan@school.test", "password": PASSWORD, "name": "Иван"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let mail = &app.mails_to("ivan@school.test").await[0];
    assert!(mail["subject"].as_str().unwrap().starts_with("Подтвердите адрес почты"), "{mail}");
    assert!(mail["text"].as_str().unwrap().contains("Здравствуйте, Иван!"));
}

#[tokio::test]
async fn resending_verification_is_limited_and_pointless_once_verified() {
    let app = spawn_app().await;
    let t = access(&app.register_student("resend@school.test").await);
    for _ in 0..3 {
        assert_eq!(
            app.post_auth("/api/v1/auth/resend-verification", &t, &json!({})).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let res = app.post_auth("/api/v1/auth/resend-verification", &t, &json!({})).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(problem(res).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.mails_to("resend@school.test").await.len(), 4, "registration + 3 resends");

    let token = app.token_from_mail("resend@school.test", "verify-email").await;
    assert_eq!(
        app.post("/api/v1/auth/verify-email", &json!({"token": token})).await.status(),
        StatusCode::OK
    );
    app.state().clock.advance(Duration::from_secs(3601));
    let (status, body) =
        problem(app.post_auth("/api/v1/auth/resend-verification", &t, &json!({})).await).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("already_verified")));
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_unknown_accounts() {
    let app = spawn_app().await;
    app.register_student("forgetful@school.test").await;
    let a = app.post("/api/v1/auth/forgot-password", &json!({"email": "forgetful@school.test"})).await;
    let b = app.post("/api/v1/auth/forgot-password", &json!({"email": "ghost@school.test"})).await;
    assert_eq!((a.status(), b.status()), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(a.text().await.unwrap(), b.text().await.unwrap());
    app.token_from_mail("forgetful@school.test", "reset-password").await;
    assert!(app.mails_to("ghost@school.test").await.is_empty());
}

#[tokio::test]
async fn reset_password_sets_the_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    let first = app.register_student("reset@school.test").await;
    let second: Value = app.login("reset@school.test", PASSWORD).await.json().await.unwrap();
    app.post("/api/v1/auth/forgot-password", &json!({"email": "reset@school.test"})).await;
    let token = app.token_from_mail("reset@school.test", "reset-password").await;

    let weak =
        app.post("/api/v1/auth/reset-password", &json!({"token": token, "password": "12345678"})).await;
    assert_eq!(problem(weak).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    let res = app
        .post("/api/v1/auth/reset-password", &json!({"token": token, "password": "a brand new secret"}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let again = app
        .post("/api/v1/auth/reset-password", &json!({"token": token, "password": "another new secret"}))
        .await;
    let (status, body) = problem(again).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_token")));

    assert_eq!(app.login("reset@school.test", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("reset@school.test", "a brand new secret").await.status(), StatusCode::OK);
    for session in [&first, &second] {
        let r = app.post("/api/v1/auth/refresh", &json!({"refresh_token": refresh(session)})).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "old sign-ins are revoked");
        assert_eq!(app.get_auth("/api/v1/me", &access(session)).await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn reset_links_expire_after_an_hour() {
    let app = spawn_app().await;
    app.register_student("slow@school.test").await;
    app.post("/api/v1/auth/forgot-password", &json!({"email": "slow@school.test"})).await;
    let token = app.token_from_mail("slow@school.test", "reset-password").await;
    app.state().clock.advance(Duration::from_secs(3601));
    let res = app
        .post("/api/v1/auth/reset-password", &json!({"token": token, "password": "a brand new secret"}))
        .await;
    assert_eq!(problem(res).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(app.login("slow@school.test", PASSWORD).await.status(), StatusCode::OK, "password unchanged");
}

#[tokio::test]
async fn reset_requests_are_limited_per_ip_and_per_account() {
    let app = spawn_with(|c| c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]).await;
    app.register_student("popular@school.test").await;
    let ask = |ip: &'static str, email: &'static str| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/forgot-password"));
        async move {
            client
                .post(url)
                .header("x-forwarded-for", ip)
                .json(&json!({"email": email}))
                .send()
                .await
                .unwrap()
        }
    };
    // Per IP: the fourth request in an hour is refused, whatever the address asked about.
    for _ in 0..3 {
        assert_eq!(ask("198.51.100.1", "someone@school.test").await.status(), StatusCode::ACCEPTED);
    }
    let res = ask("198.51.100.1", "someone@school.test").await;
    assert!(res.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 0);
    assert_eq!(problem(res).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Per account: from five addresses, still at most three emails; the answers do not change.
    for ip in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"] {
        assert_eq!(ask(ip, "popular@school.test").await.status(), StatusCode::ACCEPTED);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let resets = app
        .mails_to("popular@school.test")
        .await
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap().starts_with("Reset"))
        .count();
    assert_eq!(resets, 3);
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = spawn_app().await;
    let this = app.register_student("change@school.test").await;
    let other: Value = app.login("change@school.test", PASSWORD).await.json().await.unwrap();

    let wrong = app
        .post_auth(
            "/api/v1/me/password",
            &access(&this),
            &json!({"current_password": "not it at all", "new_password": "a brand new secret"}),
        )
        .await;
    let (status, body) = problem(wrong).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("invalid_credentials")));

    let res = app
        .post_auth(
            "/api/v1/me/password",
            &access(&this),
            &json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    assert_eq!(app.get_auth("/api/v1/me", &access(&this)).await.status(), StatusCode::OK);
    assert_eq!(app.get_auth("/api/v1/me", &access(&other)).await.status(), StatusCode::UNAUTHORIZED);
    let r = app.post("/api/v1/auth/refresh", &json!({"refresh_token": refresh(&other)})).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("change@school.test", "a brand new secret").await.status(), StatusCode::OK);
    assert_eq!(app.login("change@school.test", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reset_link_dies_when_the_password_changes_another_way() {
    let app = spawn_app().await;
    let v = app.register_student("twolinks@school.test").await;
    app.post("/api/v1/auth/forgot-password", &json!({"email": "twolinks@school.test"})).await;
    let first = app.token_from_mail("twolinks@school.test", "reset-password").await;
    // The password is changed from the account page: the mailed link must stop working.
    app.state().clock.advance(Duration::from_millis(5));
    let res = app
        .post_auth(
            "/api/v1/me/password",
            &access(&v),
            &json!({"current_password": PASSWORD, "new_password": "changed on purpose"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .post("/api/v1/auth/reset-password", &json!({"token": first, "password": "attacker chosen pw"}))
        .await;
    let (status, body) = problem(res).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_token")));
    assert_eq!(app.login("twolinks@school.test", "changed on purpose").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_address_for_a_while_whether_it_exists_or_not() {
    let app = spawn_app().await;
    app.register_student("target@school.test").await;
    for email in ["target@school.test", "nobody-here@school.test"] {
        for _ in 0..10 {
            assert_eq!(app.login(email, "guess guess guess").await.status(), StatusCode::UNAUTHORIZED);
        }
        let res = app.login(email, "guess guess guess").await;
        assert!(res.headers().contains_key("retry-after"));
        assert_eq!(problem(res).await.0, StatusCode::TOO_MANY_REQUESTS, "{email}");
    }
    // Even the right password waits until the window passes...
    assert_eq!(app.login("target@school.test", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    app.state().clock.advance(Duration::from_secs(15 * 60 + 1));
    assert_eq!(app.login("target@school.test", PASSWORD).await.status(), StatusCode::OK);
}
