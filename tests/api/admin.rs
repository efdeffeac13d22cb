use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// The admin endpoints × every kind of caller: admins only.
#[rustfmt::skip]
fn admin_table() -> Vec<Row> {
    vec![
        //   what             method        path                     body     anon stud enrl other owner admin
        row("read outbox",   Method::GET,  "/api/v1/admin/outbox",  NO_BODY, [401, 403, 403, 403, 403, 200]),
        row("list backups",  Method::GET,  "/api/v1/admin/backups", NO_BODY, [401, 403, 403, 403, 403, 200]),
        row("take a backup", Method::POST, "/api/v1/admin/backups", NO_BODY, [401, 403, 403, 403, 403, 201]),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &admin_table(), async |_| Vars::new()).await;
}

#[tokio::test]
async fn the_outbox_is_for_admins_only() {
    let app = spawn_app().await;
    app.admin(&ANONYMOUS).outbox("").await.assert_problem(StatusCode::UNAUTHORIZED);
    for role in ["student", "teacher"] {
        let t = app.sign_up(&format!("{role}@school.test"), role).await;
        app.admin(&t).outbox("").await.assert_code(StatusCode::FORBIDDEN, "forbidden");
    }
}

#[tokio::test]
async fn the_outbox_pages_newest_first_and_shows_unsent_mail() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.register_student(&format!("p{i}@school.test")).await;
    }
    let admin = app.sign_in_admin().await;
    let outbox = app.admin(&admin);
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let v = outbox.outbox(&query).await.assert_status(StatusCode::OK);
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|m| m["to"].as_str().unwrap().to_owned()));
        match v["next_cursor"].as_str() {
            Some(c) => query = format!("limit=2&cursor={c}"),
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

    outbox.outbox("limit=500").await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let bad = outbox.outbox("cursor=%%%").await;
    assert!(bad.status.is_client_error(), "{bad}");
}

#[tokio::test]
async fn the_first_admin_comes_from_the_environment_once() {
    let app = spawn_app().await;
    let v = app.auth().login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_status(StatusCode::OK);
    assert_eq!(v["user"]["role"], "admin");
    assert_eq!(v["user"]["email_verified"], true);
    let app = app.restart().await;
    app.auth().login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn admins_cannot_be_self_registered() {
    let app = spawn_app().await;
    let res = app
        .auth()
        .register(json!({"email": "sneaky@school.test", "password": PASSWORD, "name": "S", "role": "admin"}))
        .await;
    res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
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
                    headers: Vec::new(),
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

#[tokio::test]
async fn school_coupons_and_backups_are_in_the_audit_log() {
    let app = spawn_app().await;
    let admin = app.sign_in_admin().await;
    let coupon =
        app.api(&admin).post("/api/v1/admin/coupons", json!({"code": "SCHOOL10", "percent_off": 10})).await;
    let coupon = coupon.assert_status(StatusCode::CREATED);
    app.api(&admin).delete(&format!("/api/v1/coupons/{}", coupon.id())).await;
    app.admin(&admin).create_backup().await.assert_status(StatusCode::CREATED);
    let audit = app.api(&admin).get("/api/v1/admin/audit").await.assert_status(StatusCode::OK);
    for action in ["coupon.create", "coupon.deactivate", "backup.create"] {
        assert!(audit.text.contains(action), "{action} missing: {}", audit.text);
    }
    assert!(audit.text.contains("SCHOOL10"));
}
