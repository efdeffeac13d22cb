//! The teacher studio's editing API: reordering the curriculum, edits from two tabs, the
//! Markdown preview.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::uploads::{PDF, png, upload};

#[tokio::test]
async fn modules_and_lessons_reorder_and_a_stale_order_is_refused() {
    let app = spawn_app().await;
    let t = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&t, "Reorder me", json!({}), 3, false).await;
    let m1 = c.modules[0].clone();
    let m2 = app
        .courses(&t)
        .add_module(&c.id, json!({"title": "Second"}))
        .await
        .assert_status(StatusCode::CREATED)
        .id();
    let m3 = app
        .courses(&t)
        .add_module(&c.id, json!({"title": "Third"}))
        .await
        .assert_status(StatusCode::CREATED)
        .id();

    let res = app
        .api(&t)
        .post(&format!("/api/v1/courses/{}/modules/order", c.id), json!({"ids": [m3, m1, m2]}))
        .await;
    let res = res.assert_status(StatusCode::OK);
    assert_eq!(res["ids"], json!([m3, m1, m2]));
    let cur = app.courses(&t).curriculum(&c.id).await.assert_status(StatusCode::OK);
    let order: Vec<&str> =
        cur["modules"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(order, [m3.as_str(), m1.as_str(), m2.as_str()], "{cur}");

    // Lessons of the first module, reversed.
    let reversed: Vec<String> = c.lessons.iter().rev().cloned().collect();
    let res =
        app.api(&t).post(&format!("/api/v1/modules/{m1}/lessons/order"), json!({"ids": reversed})).await;
    res.assert_status(StatusCode::OK);
    let cur = app.courses(&t).curriculum(&c.id).await;
    let m = cur["modules"].as_array().unwrap().iter().find(|m| m["id"] == json!(m1)).unwrap();
    let got: Vec<&str> = m["lessons"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(got, reversed.iter().map(String::as_str).collect::<Vec<_>>(), "{cur}");
    let positions: Vec<u64> =
        m["lessons"].as_array().unwrap().iter().map(|l| l["position"].as_u64().unwrap()).collect();
    assert_eq!(positions, [1, 2, 3]);

    // An editor working from a stale list (one lesson missing, one twice, or a stranger) is told
    // and nothing moves.
    for ids in [
        json!([reversed[0], reversed[1]]),
        json!([reversed[0], reversed[0], reversed[1]]),
        json!([reversed[0], reversed[1], m2]),
        json!([reversed[0], reversed[1], "nonsense"]),
    ] {
        let res = app.api(&t).post(&format!("/api/v1/modules/{m1}/lessons/order"), json!({"ids": ids})).await;
        res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let again = app.courses(&t).curriculum(&c.id).await;
    assert_eq!(again["modules"], cur["modules"]);
}

#[tokio::test]
async fn a_second_tab_saving_an_older_version_is_shown_the_newer_one() {
    let app = spawn_app().await;
    let t = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&t, "Two tabs", json!({}), 1, false).await;
    let lesson = &c.lessons[0];
    let opened = app.lessons(&t).get(lesson).await.assert_status(StatusCode::OK);
    let rev = opened["revision"].as_u64().unwrap();

    // Tab A saves first.
    let a = app
        .lessons(&t)
        .update(lesson, json!({"title": "From tab A", "body": "A's text", "revision": rev}))
        .await;
    let a = a.assert_status(StatusCode::OK);
    assert_eq!(a["revision"].as_u64().unwrap(), rev + 1);

    // Tab B, still on the old revision, is refused and shown what A saved.
    let b = app.lessons(&t).update(lesson, json!({"title": "From tab B", "revision": rev})).await;
    let b = b.assert_status(StatusCode::CONFLICT);
    assert_eq!(b.str("code"), "edit_conflict");
    assert_eq!(b["current"]["title"], "From tab A");
    assert_eq!(b["current"]["body"], "A's text");
    assert_eq!(b["current"]["revision"].as_u64().unwrap(), rev + 1);
    let stored = app.lessons(&t).get(lesson).await;
    assert_eq!(stored.str("title"), "From tab A");

    // Having seen it, B saves on top of A's version.
    let b = app.lessons(&t).update(lesson, json!({"title": "B after merging", "revision": rev + 1})).await;
    b.assert_status(StatusCode::OK);
    // Clients that send no revision keep last-write-wins.
    app.lessons(&t).update(lesson, json!({"title": "API client"})).await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn markdown_preview_renders_as_the_pages_do_and_strips_script() {
    let app = spawn_app().await;
    let t = app.sign_up_teacher("t@school.test").await;
    let res = app
        .api(&t)
        .post(
            "/api/v1/markdown/preview",
            json!({"markdown": "# Title\n\n**bold** <script>alert(1)</script>"}),
        )
        .await;
    let res = res.assert_status(StatusCode::OK);
    let html = res.str("html");
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
}

#[tokio::test]
async fn a_verified_teacher_gets_the_badge_and_publishes_clean_courses_at_once() {
    let app = spawn_app().await;
    let t = app.sign_up_teacher("t@school.test").await;
    let admin = app.sign_in_admin().await;
    // Only the teacher's own verification uploads can be sent.
    let doc = upload(&app, &t, "verification_document", "application/pdf", PDF.to_vec()).await;
    let doc = doc.assert_status(StatusCode::CREATED).id();
    let not_a_document =
        upload(&app, &t, "cover", "image/png", png(640, 360)).await.assert_status(StatusCode::CREATED).id();
    let other = app.sign_up_teacher("other@school.test").await;
    let theirs = upload(&app, &other, "verification_document", "application/pdf", PDF.to_vec()).await;
    let theirs = theirs.assert_status(StatusCode::CREATED).id();
    for bad in [not_a_document, theirs, ulid::Ulid::generate().to_string()] {
        let res = app.api(&t).post("/api/v1/me/verification", json!({"document_upload_ids": [bad]})).await;
        res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let docs = json!({"document_upload_ids": [doc], "note": "My diploma"});
    let res = app.api(&t).post("/api/v1/me/verification", docs.clone()).await;
    let res = res.assert_status(StatusCode::CREATED);
    assert_eq!(res.str("status"), "pending");

    let queue =
        app.api(&admin).get("/api/v1/admin/moderation/verifications").await.assert_status(StatusCode::OK);
    assert_eq!(queue["items"][0]["id"], json!(t.id()));
    assert_eq!(queue["items"][0]["note"], "My diploma");
    // The admin opens the document; other teachers cannot.
    let url = format!("/media/{doc}/document");
    assert_eq!(app.api(&admin).get(&url).await.status, StatusCode::OK);
    assert_eq!(app.api(&other).get(&url).await.status, StatusCode::NOT_FOUND);
    let path = format!("/api/v1/admin/verifications/{}", t.id());
    app.api(&admin)
        .post(&format!("{path}/reject"), json!({}))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    app.api(&admin)
        .post(&format!("{path}/reject"), json!({"reason": "The scan is unreadable"}))
        .await
        .assert_status(StatusCode::OK);
    let mine = app.api(&t).get("/api/v1/me/verification").await;
    assert_eq!((mine.str("status"), mine.str("reason")), ("rejected", "The scan is unreadable"));
    let told = app.notifications(&t).list().await;
    assert!(told.text.contains("The scan is unreadable"), "{}", told.text);
    app.api(&admin).post(&format!("{path}/approve"), json!({})).await.assert_status(StatusCode::CONFLICT);

    // Sent again, approved: verified, with the badge on the teacher's page.
    app.api(&t).post("/api/v1/me/verification", docs.clone()).await.assert_status(StatusCode::CREATED);
    app.api(&admin).post(&format!("{path}/approve"), json!({})).await.assert_status(StatusCode::OK);
    let mine = app.api(&t).get("/api/v1/me/verification").await;
    assert_eq!((mine.str("status"), mine["verified"].as_bool()), ("approved", Some(true)));
    app.api(&t).post("/api/v1/me/verification", docs).await.assert_status(StatusCode::CONFLICT);
    let audit = app.api(&admin).get("/api/v1/admin/audit").await;
    assert!(
        audit.text.contains("verification.approve") && audit.text.contains("verification.reject"),
        "{}",
        audit.text
    );

    // A first course, clean and complete, no longer waits for review.
    let description = "A complete course on watercolour painting for adults who never painted: materials, colour mixing, washes, layering, and five small paintings to finish at home with confidence.";
    let c = app.course(&t, "Watercolour from zero", json!({"description": description}), 3, false).await;
    let res = app.courses(&t).publish(&c.id).await.assert_status(StatusCode::OK);
    assert_eq!(res.str("status"), "published");
    let teacher_page = app.visitor().get(&format!("/teachers/{}", t.id())).await;
    assert!(teacher_page.text.contains("data-verified"), "{}", teacher_page.text);
}

/// Every studio endpoint of this round × every kind of caller.
#[rustfmt::skip]
fn studio_table() -> Vec<Row> {
    vec![
        //   what                         method        path                                           body                                      anon stud enrl other owner admin
        row("my verification",            Method::GET,  "/api/v1/me/verification",                     NO_BODY,                                  [401, 200, 200, 200, 200, 200]),
        row("ask to be verified",         Method::POST, "/api/v1/me/verification",                     json!({"document_upload_ids": ["{doc}"]}), [401, 403, 403, 422, 201, 403]),
        row("verification queue",         Method::GET,  "/api/v1/admin/moderation/verifications",      NO_BODY,                                  [401, 403, 403, 403, 403, 200]),
        row("reject a verification",      Method::POST, "/api/v1/admin/verifications/{owner}/reject",  json!({"reason": "unreadable"}),          [401, 403, 403, 403, 403, 200]),
        row("approve a verification",     Method::POST, "/api/v1/admin/verifications/{owner}/approve", json!({}),                                [401, 403, 403, 403, 403, 409]),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &studio_table(), async |_who| {
        let doc = upload(&app, &cast.owner, "verification_document", "application/pdf", PDF.to_vec()).await;
        let doc = doc.assert_status(StatusCode::CREATED).id();
        // The owner's request is pending before each caller's run (a rejected one may be sent again).
        Vars::from([("doc", doc), ("owner", cast.owner.id().to_owned())])
    })
    .await;
}
