use std::time::{Duration, Instant};

use reqwest::header::ACCEPT_LANGUAGE;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// The account endpoints × every kind of caller: each person's own account, nobody else's.
#[rustfmt::skip]
fn identity_table() -> Vec<Row> {
    let wrong = json!({"current_password": "not the password at all", "new_password": "a brand new secret"});
    vec![
        //   what                            method         path                                  body                                   anon stud enrl other owner admin
        row("read my account",               Method::GET,   "/api/v1/me",                         NO_BODY,                               [401, 200, 200, 200, 200, 200]),
        row("rename myself",                 Method::PATCH, "/api/v1/me",                         json!({"name": "Renamed {who}"}),      [401, 200, 200, 200, 200, 200]),
        row("change password, wrong current", Method::POST, "/api/v1/me/password",               wrong,                                 [401, 403, 403, 403, 403, 403]),
        row("resend verification",           Method::POST,  "/api/v1/auth/resend-verification",   NO_BODY,                               [401, 202, 202, 202, 202, 409]),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &identity_table(), async |_| Vars::new()).await;
}

#[tokio::test]
async fn register_creates_an_account_and_signs_it_in() {
    let app = spawn_app().await;
    let v = app
        .auth()
        .register(
            json!({"email": "Ann@Example.org", "password": PASSWORD, "name": " Ann ", "role": "teacher"}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(v.location(), "/api/v1/me");
    assert_eq!(v["token_type"], "Bearer");
    assert!(v["expires_in"].as_u64().unwrap() <= 900);
    assert!(v["refresh_token"].as_str().unwrap().len() >= 22, "at least 128 bits");
    assert_eq!(v["user"]["email"], "ann@example.org");
    assert_eq!(v["user"]["name"], "Ann");
    assert_eq!(v["user"]["role"], "teacher");
    assert_eq!(v["user"]["email_verified"], false);
    assert!(v["user"]["created_at"].as_str().unwrap().ends_with('Z'));

    let me = app.me(&Actor::from_tokens(&v.json)).get().await.assert_status(StatusCode::OK);
    assert_eq!(me["id"], v["user"]["id"]);
    assert!(me.json.get("password_hash").is_none());
}

#[tokio::test]
async fn register_reports_every_invalid_field() {
    let app = spawn_app().await;
    let body = app
        .auth()
        .register(json!({"email": "nope", "password": "short", "name": "", "role": "admin"}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let mut fields: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["email", "name", "password", "role"]);
}

#[tokio::test]
async fn common_and_overlong_passwords_are_refused() {
    let app = spawn_app().await;
    for pw in ["password123".to_owned(), "Qwertyuiop".to_owned(), "x".repeat(129)] {
        let body = app
            .auth()
            .register(json!({"email": "a@b.org", "password": pw, "name": "A"}))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "password");
    }
    let ok = app.auth().register(json!({"email": "a@b.org", "password": "x".repeat(128), "name": "A"})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "128 characters is allowed: {ok}");
}

#[tokio::test]
async fn an_email_can_be_registered_once_whatever_its_case() {
    let app = spawn_app().await;
    app.register_student("dup@school.test").await;
    app.auth()
        .register(json!({"email": "DUP@school.test", "password": PASSWORD, "name": "Other"}))
        .await
        .assert_code(StatusCode::CONFLICT, "email_taken");
}

#[tokio::test]
async fn login_answers_the_same_for_unknown_emails_and_wrong_passwords() {
    let app = spawn_app().await;
    let auth = app.auth();
    app.register_student("known@school.test").await;
    auth.login("KNOWN@school.test", PASSWORD).await.assert_status(StatusCode::OK);

    let wrong_pw =
        auth.login("known@school.test", "not the password").await.assert_problem(StatusCode::UNAUTHORIZED);
    let unknown =
        auth.login("nobody@school.test", "not the password").await.assert_problem(StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_pw.json, unknown.json, "no hint which part was wrong");
    assert_eq!(unknown["code"], "invalid_credentials");

    // Both paths pay for one argon2 verification: neither is an order of magnitude faster.
    let mut known = Vec::new();
    let mut missing = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        auth.login("known@school.test", "not the password").await;
        known.push(t.elapsed());
        let t = Instant::now();
        auth.login("nobody@school.test", "not the password").await;
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
    app.me(&ANONYMOUS).get().await.assert_code(StatusCode::UNAUTHORIZED, "unauthenticated");

    let t = app.sign_up_student("me@school.test").await;
    let v = app.me(&t).update(json!({"name": "Мария", "locale": "ru"})).await.assert_status(StatusCode::OK);
    assert_eq!((v["name"].as_str(), v["locale"].as_str()), (Some("Мария"), Some("ru")));

    app.me(&t).update(json!({"name": "  "})).await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let me = app.me(&t).get().await.assert_status(StatusCode::OK);
    assert_eq!(me["name"], "Мария", "a refused update changed nothing");
}

#[tokio::test]
async fn email_verification_works_once_and_sends_a_welcome() {
    let app = spawn_app().await;
    let v = app.sign_up_student("verify@school.test").await;
    let token = app.token_from_mail("verify@school.test", "verify-email").await;

    let body = app.auth().verify_email(&token).await.assert_status(StatusCode::OK);
    assert_eq!(body["user"]["email_verified"], true);
    let me = app.me(&v).get().await.assert_status(StatusCode::OK);
    assert_eq!(me["email_verified"], true);

    app.auth().verify_email(&token).await.assert_code(StatusCode::BAD_REQUEST, "invalid_token");

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
    app.auth().verify_email(&token).await.assert_code(StatusCode::BAD_REQUEST, "invalid_token");
}

#[tokio::test]
async fn russian_speakers_get_russian_mail() {
    let app = spawn_app().await;
    Auth(app.visitor().header(ACCEPT_LANGUAGE, "ru-RU,ru;q=0.9,en;q=0.5"))
        .register(json!({"email": "ivan@school.test", "password": PASSWORD, "name": "Иван"}))
        .await
        .assert_status(StatusCode::CREATED);
    let mail = &app.mails_to("ivan@school.test").await[0];
    assert!(mail["subject"].as_str().unwrap().starts_with("Подтвердите адрес почты"), "{mail}");
    assert!(mail["text"].as_str().unwrap().contains("Здравствуйте, Иван!"));
}

#[tokio::test]
async fn resending_verification_is_limited_and_pointless_once_verified() {
    let app = spawn_app().await;
    let t = app.sign_up_student("resend@school.test").await;
    for _ in 0..3 {
        app.me(&t).resend_verification().await.assert_status(StatusCode::ACCEPTED);
    }
    let res = app.me(&t).resend_verification().await;
    assert!(res.header("retry-after").is_some(), "{res}");
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.mails_to("resend@school.test").await.len(), 4, "registration + 3 resends");

    let token = app.token_from_mail("resend@school.test", "verify-email").await;
    app.auth().verify_email(&token).await.assert_status(StatusCode::OK);
    app.state().clock.advance(Duration::from_secs(3601));
    app.me(&t).resend_verification().await.assert_code(StatusCode::CONFLICT, "already_verified");
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_unknown_accounts() {
    let app = spawn_app().await;
    app.register_student("forgetful@school.test").await;
    let a = app.auth().forgot_password("forgetful@school.test").await;
    let b = app.auth().forgot_password("ghost@school.test").await;
    assert_eq!((a.status, b.status), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(a.text, b.text);
    app.token_from_mail("forgetful@school.test", "reset-password").await;
    assert!(app.mails_to("ghost@school.test").await.is_empty());
}

#[tokio::test]
async fn reset_password_sets_the_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    let auth = app.auth();
    let first = app.sign_up_student("reset@school.test").await;
    let second = app.sign_in("reset@school.test", PASSWORD).await;
    auth.forgot_password("reset@school.test").await.assert_status(StatusCode::ACCEPTED);
    let token = app.token_from_mail("reset@school.test", "reset-password").await;

    auth.reset_password(&token, "12345678").await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    auth.reset_password(&token, "a brand new secret").await.assert_status(StatusCode::NO_CONTENT);
    auth.reset_password(&token, "another new secret")
        .await
        .assert_code(StatusCode::BAD_REQUEST, "invalid_token");

    auth.login("reset@school.test", PASSWORD).await.assert_status(StatusCode::UNAUTHORIZED);
    auth.login("reset@school.test", "a brand new secret").await.assert_status(StatusCode::OK);
    for session in [&first, &second] {
        let r = auth.refresh(session.refresh()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "old sign-ins are revoked: {r}");
        app.me(session).get().await.assert_status(StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn reset_links_expire_after_an_hour() {
    let app = spawn_app().await;
    let auth = app.auth();
    app.register_student("slow@school.test").await;
    auth.forgot_password("slow@school.test").await.assert_status(StatusCode::ACCEPTED);
    let token = app.token_from_mail("slow@school.test", "reset-password").await;
    app.state().clock.advance(Duration::from_secs(3601));
    auth.reset_password(&token, "a brand new secret").await.assert_problem(StatusCode::BAD_REQUEST);
    let unchanged = auth.login("slow@school.test", PASSWORD).await;
    assert_eq!(unchanged.status, StatusCode::OK, "password unchanged: {unchanged}");
}

#[tokio::test]
async fn reset_requests_are_limited_per_ip_and_per_account() {
    let app = spawn_with(|c| c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]).await;
    app.register_student("popular@school.test").await;
    let ask = async |ip: &str, email: &str| {
        Auth(app.visitor().header("x-forwarded-for", ip)).forgot_password(email).await
    };
    // Per IP: the fourth request in an hour is refused, whatever the address asked about.
    for _ in 0..3 {
        ask("198.51.100.1", "someone@school.test").await.assert_status(StatusCode::ACCEPTED);
    }
    let res = ask("198.51.100.1", "someone@school.test").await;
    assert!(res.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS);
    // Per account: from five addresses, still at most three emails; the answers do not change.
    for ip in ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"] {
        ask(ip, "popular@school.test").await.assert_status(StatusCode::ACCEPTED);
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
    let auth = app.auth();
    let this = app.sign_up_student("change@school.test").await;
    let other = app.sign_in("change@school.test", PASSWORD).await;

    let res = app.me(&this).change_password("not it at all", "a brand new secret").await;
    res.assert_code(StatusCode::FORBIDDEN, "invalid_credentials");
    app.me(&this).change_password(PASSWORD, "a brand new secret").await.assert_status(StatusCode::NO_CONTENT);

    app.me(&this).get().await.assert_status(StatusCode::OK);
    app.me(&other).get().await.assert_status(StatusCode::UNAUTHORIZED);
    auth.refresh(other.refresh()).await.assert_status(StatusCode::UNAUTHORIZED);
    auth.login("change@school.test", "a brand new secret").await.assert_status(StatusCode::OK);
    auth.login("change@school.test", PASSWORD).await.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reset_link_dies_when_the_password_changes_another_way() {
    let app = spawn_app().await;
    let auth = app.auth();
    let v = app.sign_up_student("twolinks@school.test").await;
    auth.forgot_password("twolinks@school.test").await.assert_status(StatusCode::ACCEPTED);
    let first = app.token_from_mail("twolinks@school.test", "reset-password").await;
    // The password is changed from the account page: the mailed link must stop working.
    app.state().clock.advance(Duration::from_millis(5));
    app.me(&v).change_password(PASSWORD, "changed on purpose").await.assert_status(StatusCode::NO_CONTENT);
    auth.reset_password(&first, "attacker chosen pw")
        .await
        .assert_code(StatusCode::BAD_REQUEST, "invalid_token");
    auth.login("twolinks@school.test", "changed on purpose").await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_address_for_a_while_whether_it_exists_or_not() {
    let app = spawn_app().await;
    let auth = app.auth();
    app.register_student("target@school.test").await;
    for email in ["target@school.test", "nobody-here@school.test"] {
        for _ in 0..10 {
            auth.login(email, "guess guess guess").await.assert_status(StatusCode::UNAUTHORIZED);
        }
        let res = auth.login(email, "guess guess guess").await;
        assert!(res.header("retry-after").is_some(), "{email}: {res}");
        res.assert_problem(StatusCode::TOO_MANY_REQUESTS);
    }
    // Even the right password waits until the window passes...
    auth.login("target@school.test", PASSWORD).await.assert_status(StatusCode::TOO_MANY_REQUESTS);
    app.state().clock.advance(Duration::from_secs(15 * 60 + 1));
    auth.login("target@school.test", PASSWORD).await.assert_status(StatusCode::OK);
}
