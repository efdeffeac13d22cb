use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn the_outbox_is_for_admins_only() {
    let app = spawn_app().await;
    let anon = app.client.get(app.url("/api/v1/admin/outbox")).send().await.unwrap();
    assert_eq!(problem(anon).await.0, StatusCode::UNAUTHORIZED);
    for role in ["student", "teacher"] {
        let t = access(&app.register_as(&format!("{role}@school.test"), role).await);
        let res = app.get_auth("/api/v1/admin/outbox", &t).await;
        let (status, body) = problem(res).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{role}");
    }
}

#[tokio::test]
async fn the_outbox_pages_newest_first_and_shows_unsent_mail() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.register_student(&format!("p{i}@school.test")).await;
    }
    let token = app.admin_token().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/admin/outbox?limit=2".to_owned();
    loop {
        let v: Value = app.get_auth(&path, &token).await.json().await.unwrap();
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|m| m["to"].as_str().unwrap().to_owned()));
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/admin/outbox?limit=2&cursor={c}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..5).rev().map(|i| format!("p{i}@school.test")).collect();
    assert_eq!(seen, expected, "every message once, newest first");

    // With no SMTP configured, the worker marks mail as kept, not sent.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let all = app.outbox().await;
    assert!(all.iter().all(|m| m["status"] == "not_sent"), "{all:?}");
    assert!(all.iter().all(|m| m["last_error"] == "not sent (no SMTP configured)"));

    let bad = app.get_auth("/api/v1/admin/outbox?limit=500", &token).await;
    assert_eq!(problem(bad).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app.get_auth("/api/v1/admin/outbox?cursor=%%%", &token).await;
    assert!(bad.status().is_client_error());
}

#[tokio::test]
async fn the_first_admin_comes_from_the_environment_once() {
    let app = spawn_app().await;
    let res = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["user"]["role"], "admin");
    assert_eq!(v["user"]["email_verified"], true);
    let app = app.restart().await;
    assert_eq!(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn admins_cannot_be_self_registered() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/api/v1/auth/register",
            &serde_json::json!({"email": "sneaky@school.test", "password": PASSWORD, "name": "S", "role": "admin"}),
        )
        .await;
    assert_eq!(problem(res).await.0, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn old_delivered_mail_is_purged_but_pending_mail_stays() {
    let app = spawn_app().await;
    app.register_student("old@school.test").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let state = app.state().clone();
    let future = lectern::clock::Timestamp(state.clock.now().millis() + 1000);
    // A pending message queued now must survive a purge with a cutoff after it.
    let pending = state
        .store
        .write(move |tx| {
            lectern::mail::enqueue(
                tx,
                lectern::mail::Email {
                    to: "later@school.test".into(),
                    subject: "s".into(),
                    text: "t".into(),
                    html: "h".into(),
                },
                lectern::clock::Timestamp(i64::MAX / 2),
            )
        })
        .await
        .unwrap();
    let purged = state.store.write(move |tx| lectern::mail::purge_older_than(tx, future, 100)).await.unwrap();
    assert_eq!(purged, 1, "the kept verification email of old@school.test");
    assert!(app.mails_to("old@school.test").await.is_empty());
    assert!(app.outbox().await.iter().any(|m| m["id"] == pending.to_string()));
}
