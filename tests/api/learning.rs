//! The whole learning cycle, through the API.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn teacher_publishes_student_finds_enrolls_completes_and_reviews() {
    let app = spawn_app().await;
    app.category("programming", "Programming").await;
    let teacher = access(&app.register_as("teacher@school.test", "teacher").await);

    // A draft with nothing in it cannot be published, and says why.
    let res = app
        .post_auth(
            "/api/v1/courses",
            &teacher,
            &json!({"title": "Python for Complete Beginners", "description": "", "level": "beginner", "language": "en", "category": "programming", "price_minor": 0, "currency": "usd"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/api/v1/courses/"));
    let course: Value = res.json().await.unwrap();
    let id = course["id"].as_str().unwrap().to_owned();
    assert_eq!(course["slug"], "python-for-complete-beginners");
    assert_eq!(course["status"], "draft");
    let (status, body) =
        problem(app.post_auth(&format!("/api/v1/courses/{id}/publish"), &teacher, &json!({})).await).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("not_publishable")));
    let reasons: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["lessons", "description"]);

    // Drafts are invisible to others.
    assert_eq!(
        app.client.get(app.url(&format!("/api/v1/courses/{id}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Fill it and publish.
    let res = app
        .send(Method::PATCH, &format!("/api/v1/courses/{id}"), Some(&teacher), Some(&json!({"description": "Write your **first programs** in Python: variables, loops and functions."})))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let m: Value = app
        .post_auth(&format!("/api/v1/courses/{id}/modules"), &teacher, &json!({"title": "Basics"}))
        .await
        .json()
        .await
        .unwrap();
    let module = m["id"].as_str().unwrap().to_owned();
    let mut lessons = Vec::new();
    for (i, title) in ["Installing Python", "Variables", "Loops"].iter().enumerate() {
        let l: Value = app
            .post_auth(&format!("/api/v1/modules/{module}/lessons"), &teacher, &json!({"title": title, "kind": "text", "body": format!("## {title}\n\nText."), "duration_s": 600, "is_preview": i == 0}))
            .await
            .json()
            .await
            .unwrap();
        lessons.push(l["id"].as_str().unwrap().to_owned());
    }
    let published: Value = app
        .post_auth(&format!("/api/v1/courses/{id}/publish"), &teacher, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["status"], "published");
    assert_eq!(published["total_lessons"], 3);

    let cur: Value = app
        .client
        .get(app.url(&format!("/api/v1/courses/{id}/curriculum")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = cur["modules"][0]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Installing Python", "Variables", "Loops"]);

    // A student finds it, with a typo.
    let student_v = app.register_student("student@school.test").await;
    let student = access(&student_v);
    app.indexed().await;
    let found = app.list("q=pyhton").await;
    assert_eq!(slugs(&found), ["python-for-complete-beginners"]);
    let found = app.list("q=python+loops").await;
    assert_eq!(slugs(&found), ["python-for-complete-beginners"], "lesson titles are searched too");

    // Lessons: previews are open, the rest need enrolling.
    let lesson_url = |i: usize| format!("/api/v1/lessons/{}", lessons[i]);
    assert_eq!(app.client.get(app.url(&lesson_url(0))).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        app.client.get(app.url(&lesson_url(1))).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let (s, b) = problem(app.get_auth(&lesson_url(1), &student).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_enrolled")));

    let res = app.post_auth(&format!("/api/v1/courses/{id}/enroll"), &student, &json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (s, b) =
        problem(app.post_auth(&format!("/api/v1/courses/{id}/enroll"), &student, &json!({})).await).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("already_enrolled")));
    let lesson: Value = app.get_auth(&lesson_url(1), &student).await.json().await.unwrap();
    assert!(lesson["body_html"].as_str().unwrap().contains("<h2>Variables</h2>"));

    // Complete every lesson; the last one completes the course. Completing twice is harmless.
    for (i, l) in lessons.iter().enumerate() {
        let p: Value = app
            .post_auth(&format!("/api/v1/lessons/{l}/complete"), &student, &json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["completed_lessons"], i + 1);
        let p2: Value = app
            .post_auth(&format!("/api/v1/lessons/{l}/complete"), &student, &json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p2["completed_lessons"], i + 1, "idempotent");
    }
    let p: Value =
        app.get_auth(&format!("/api/v1/courses/{id}/progress"), &student).await.json().await.unwrap();
    assert_eq!((p["percent"].as_u64(), p["status"].as_str()), (Some(100), Some("completed")));
    let mine: Value = app.get_auth("/api/v1/me/enrollments", &student).await.json().await.unwrap();
    assert_eq!(mine["items"][0]["status"], "completed");
    assert!(mine["items"][0]["completed_at"].is_string());

    // A lesson added later does not un-complete the finished student.
    app.post_auth(
        &format!("/api/v1/modules/{module}/lessons"),
        &teacher,
        &json!({"title": "Bonus", "kind": "text", "body": "More."}),
    )
    .await;
    let p: Value =
        app.get_auth(&format!("/api/v1/courses/{id}/progress"), &student).await.json().await.unwrap();
    assert_eq!(
        (p["status"].as_str(), p["total_lessons"].as_u64(), p["percent"].as_u64()),
        (Some("completed"), Some(4), Some(75))
    );

    // Review: one per student; the rating shows on the course.
    let res = app
        .post_auth(
            &format!("/api/v1/courses/{id}/reviews"),
            &student,
            &json!({"rating": 4, "text": "Clear and *practical*."}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (s, b) = problem(
        app.post_auth(
            &format!("/api/v1/courses/{id}/reviews"),
            &student,
            &json!({"rating": 5, "text": "Again"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("already_reviewed")));
    let detail: Value = app
        .client
        .get(app.url("/api/v1/courses/python-for-complete-beginners"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (detail["avg_rating"].as_f64(), detail["review_count"].as_u64(), detail["student_count"].as_u64()),
        (Some(4.0), Some(1), Some(1))
    );
    let reviews: Value = app
        .client
        .get(app.url(&format!("/api/v1/courses/{id}/reviews")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reviews["items"][0]["author"]["name"], "Test Person");
    assert!(reviews["items"][0]["text_html"].as_str().unwrap().contains("<em>practical</em>"));

    // Notifications: the student heard about enrolling and finishing; the teacher about the review.
    let n: Value = app.get_auth("/api/v1/me/notifications", &student).await.json().await.unwrap();
    let kinds: Vec<&str> =
        n["items"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["course_completed", "enrolled"]);
    assert_eq!(n["unread_count"], 2);
    let first = n["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.post_auth(&format!("/api/v1/me/notifications/{first}/read"), &student, &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    let n: Value = app.get_auth("/api/v1/me/notifications", &student).await.json().await.unwrap();
    assert_eq!(n["unread_count"], 1);
    app.post_auth("/api/v1/me/notifications/read-all", &student, &json!({})).await;
    let n: Value = app.get_auth("/api/v1/me/notifications", &student).await.json().await.unwrap();
    assert_eq!(n["unread_count"], 0);
    let t: Value = app.get_auth("/api/v1/me/notifications", &teacher).await.json().await.unwrap();
    assert_eq!(t["items"][0]["kind"], "new_review");

    // The review's rating reaches the search index too: a newer, unrated course sorts after it.
    app.course(&teacher, "Unrated newcomer", json!({}), 1, true).await;
    app.indexed().await;
    let by_rating = app.list("sort=avg_rating").await;
    assert_eq!(slugs(&by_rating), ["python-for-complete-beginners", "unrated-newcomer"]);
    let newest = app.list("sort=created_at").await;
    assert_eq!(slugs(&newest), ["unrated-newcomer", "python-for-complete-beginners"]);
}

#[tokio::test]
async fn paid_courses_need_payment_and_unmarking_changes_progress_only() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let paid = app.course(&teacher, "Advanced Rust", json!({"price_minor": 4900}), 2, true).await;
    let free = app.course(&teacher, "Intro to Rust", json!({}), 2, true).await;
    let s = access(&app.register_student("s@school.test").await);
    let (st, b) =
        problem(app.post_auth(&format!("/api/v1/courses/{}/enroll", paid.id), &s, &json!({})).await).await;
    assert_eq!((st, b["code"].as_str()), (StatusCode::PAYMENT_REQUIRED, Some("payment_required")));

    app.post_auth(&format!("/api/v1/courses/{}/enroll", free.id), &s, &json!({})).await;
    for l in &free.lessons {
        app.post_auth(&format!("/api/v1/lessons/{l}/complete"), &s, &json!({})).await;
    }
    let p: Value = app
        .send(Method::DELETE, &format!("/api/v1/lessons/{}/complete", free.lessons[0]), Some(&s), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((p["completed_lessons"].as_u64(), p["status"].as_str()), (Some(1), Some("completed")));
    assert_eq!(p["completed_lesson_ids"], json!([free.lessons[1]]));
}

#[tokio::test]
async fn deleting_a_lesson_fixes_progress_and_can_finish_a_student() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let c = app.course(&teacher, "Three Lessons", json!({}), 3, true).await;
    let s = access(&app.register_student("s@school.test").await);
    app.post_auth(&format!("/api/v1/courses/{}/enroll", c.id), &s, &json!({})).await;
    for l in &c.lessons[..2] {
        app.post_auth(&format!("/api/v1/lessons/{l}/complete"), &s, &json!({})).await;
    }
    // The one lesson the student had not done goes away: they have now done everything.
    let res =
        app.send(Method::DELETE, &format!("/api/v1/lessons/{}", c.lessons[2]), Some(&teacher), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let p: Value =
        app.get_auth(&format!("/api/v1/courses/{}/progress", c.id), &s).await.json().await.unwrap();
    assert_eq!(
        (p["completed_lessons"].as_u64(), p["total_lessons"].as_u64(), p["status"].as_str()),
        (Some(2), Some(2), Some("completed"))
    );
    // A lesson they had done goes away: the counter follows.
    app.send(Method::DELETE, &format!("/api/v1/lessons/{}", c.lessons[0]), Some(&teacher), None).await;
    let p: Value =
        app.get_auth(&format!("/api/v1/courses/{}/progress", c.id), &s).await.json().await.unwrap();
    assert_eq!((p["completed_lessons"].as_u64(), p["total_lessons"].as_u64()), (Some(1), Some(1)));
    let detail: Value = app
        .client
        .get(app.url(&format!("/api/v1/courses/{}", c.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["total_lessons"], 1);
}

#[tokio::test]
async fn modules_and_lessons_can_be_reordered() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let c = app.course(&teacher, "Ordering", json!({}), 3, false).await;
    let m2: Value = app
        .post_auth(
            &format!("/api/v1/courses/{}/modules", c.id),
            &teacher,
            &json!({"title": "First now", "position": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m2["position"], 1);
    // Move the last lesson to the top.
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/lessons/{}", c.lessons[2]),
            Some(&teacher),
            Some(&json!({"position": 1})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cur: Value =
        app.get_auth(&format!("/api/v1/courses/{}/curriculum", c.id), &teacher).await.json().await.unwrap();
    let modules: Vec<(&str, u64)> = cur["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["title"].as_str().unwrap(), m["position"].as_u64().unwrap()))
        .collect();
    assert_eq!(modules, [("First now", 1), ("Getting started", 2)]);
    let lessons: Vec<&str> = cur["modules"][1]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(lessons, ["Lesson 3", "Lesson 1", "Lesson 2"]);
    // Move a lesson into the other module.
    let m2id = m2["id"].as_str().unwrap();
    app.send(
        Method::PATCH,
        &format!("/api/v1/lessons/{}", c.lessons[0]),
        Some(&teacher),
        Some(&json!({"module_id": m2id})),
    )
    .await;
    let cur: Value =
        app.get_auth(&format!("/api/v1/courses/{}/curriculum", c.id), &teacher).await.json().await.unwrap();
    assert_eq!(cur["modules"][0]["lessons"][0]["title"], "Lesson 1");
    let positions: Vec<u64> = cur["modules"][1]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2], "the old module closes the gap");
}

#[tokio::test]
async fn wishlist_is_idempotent_and_newest_first() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let a = app.course(&teacher, "Course A", json!({}), 1, true).await;
    let b = app.course(&teacher, "Course B", json!({}), 1, true).await;
    let draft = app.course(&teacher, "Draft C", json!({}), 1, false).await;
    let s = access(&app.register_student("s@school.test").await);
    for id in [&a.id, &b.id, &a.id] {
        assert_eq!(
            app.send(Method::PUT, &format!("/api/v1/me/wishlist/{id}"), Some(&s), None).await.status(),
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(
        app.send(Method::PUT, &format!("/api/v1/me/wishlist/{}", draft.id), Some(&s), None).await.status(),
        StatusCode::NOT_FOUND
    );
    let w: Value = app.get_auth("/api/v1/me/wishlist", &s).await.json().await.unwrap();
    assert_eq!(slugs(&w), [b.slug.clone(), a.slug.clone()]);
    for _ in 0..2 {
        assert_eq!(
            app.send(Method::DELETE, &format!("/api/v1/me/wishlist/{}", b.id), Some(&s), None).await.status(),
            StatusCode::NO_CONTENT
        );
    }
    let w: Value = app.get_auth("/api/v1/me/wishlist", &s).await.json().await.unwrap();
    assert_eq!(slugs(&w), std::slice::from_ref(&a.slug));
}

#[tokio::test]
async fn counters_survive_a_restart_and_match_the_records() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let c = app.course(&teacher, "Durable", json!({}), 2, true).await;
    for i in 0..3 {
        let s = access(&app.register_student(&format!("s{i}@school.test")).await);
        app.post_auth(&format!("/api/v1/courses/{}/enroll", c.id), &s, &json!({})).await;
        app.post_auth(
            &format!("/api/v1/courses/{}/reviews", c.id),
            &s,
            &json!({"rating": 3 + i, "text": "ok"}),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let app = app.restart().await;
    let d: Value = app
        .client
        .get(app.url(&format!("/api/v1/courses/{}", c.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (d["student_count"].as_u64(), d["review_count"].as_u64(), d["avg_rating"].as_f64()),
        (Some(3), Some(3), Some(4.0))
    );
}
