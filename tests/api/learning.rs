//! The whole learning cycle, through the API.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// The learning endpoints × every kind of caller: enrolling, progress, reviews, wishlist and
/// notifications. 402 for a paid course, 409 for a repeat or a draft of one's own, 403
/// `not_enrolled`/`own_course` where the caller may see the course, 404 where they may not.
#[rustfmt::skip]
fn learning_table() -> Vec<Row> {
    let review = json!({"rating": 5, "text": "by {who}"});
    vec![
        //   what                       method          path                                             body                   anon stud enrl other owner admin
        row("read reviews",             Method::GET,    "/api/v1/courses/{course}/reviews",              NO_BODY,               [200, 200, 200, 200, 200, 200]),
        row("read draft's reviews",     Method::GET,    "/api/v1/courses/{draft}/reviews",               NO_BODY,               [404, 404, 404, 404, 200, 200]),
        row("read progress",            Method::GET,    "/api/v1/courses/{course}/progress",             NO_BODY,               [401, 403, 200, 403, 403, 403]),
        row("read progress in draft",   Method::GET,    "/api/v1/courses/{draft}/progress",              NO_BODY,               [401, 404, 404, 404, 403, 403]),
        row("list my enrollments",      Method::GET,    "/api/v1/me/enrollments",                        NO_BODY,               [401, 200, 200, 200, 200, 200]),
        row("list my wishlist",         Method::GET,    "/api/v1/me/wishlist",                           NO_BODY,               [401, 200, 200, 200, 200, 200]),
        row("list my notifications",    Method::GET,    "/api/v1/me/notifications",                      NO_BODY,               [401, 200, 200, 200, 200, 200]),
        row("complete lesson",          Method::POST,   "/api/v1/lessons/{lesson}/complete",             NO_BODY,               [401, 403, 200, 403, 403, 403]),
        row("un-complete lesson",       Method::DELETE, "/api/v1/lessons/{lesson}/complete",             NO_BODY,               [401, 403, 200, 403, 403, 403]),
        row("complete draft's lesson",  Method::POST,   "/api/v1/lessons/{draft_lesson}/complete",       NO_BODY,               [401, 404, 404, 404, 403, 403]),
        row("review course",            Method::POST,   "/api/v1/courses/{course}/reviews",              review.clone(),        [401, 403, 409, 403, 403, 403]),
        row("review draft",             Method::POST,   "/api/v1/courses/{draft}/reviews",               review,                [401, 404, 404, 404, 403, 403]),
        row("edit review",              Method::PATCH,  "/api/v1/reviews/{review}",                      json!({"rating": 4}),  [401, 403, 200, 403, 403, 200]),
        row("wish for course",          Method::PUT,    "/api/v1/me/wishlist/{course}",                  NO_BODY,               [401, 204, 204, 204, 204, 204]),
        row("wish for draft",           Method::PUT,    "/api/v1/me/wishlist/{draft}",                   NO_BODY,               [401, 404, 404, 404, 204, 204]),
        row("unwish course",            Method::DELETE, "/api/v1/me/wishlist/{course}",                  NO_BODY,               [401, 204, 204, 204, 204, 204]),
        row("read a notification",      Method::POST,   "/api/v1/me/notifications/{notification}/read",  NO_BODY,               [401, 404, 204, 404, 404, 404]),
        row("read all notifications",   Method::POST,   "/api/v1/me/notifications/read-all",             NO_BODY,               [401, 204, 204, 204, 204, 204]),
        row("enroll in paid course",    Method::POST,   "/api/v1/courses/{paid}/enroll",                 NO_BODY,               [401, 402, 402, 402, 402, 402]),
        row("enroll in draft",          Method::POST,   "/api/v1/courses/{draft}/enroll",                NO_BODY,               [401, 404, 404, 404, 409, 409]),
        row("enroll",                   Method::POST,   "/api/v1/courses/{course}/enroll",               NO_BODY,               [401, 201, 409, 201, 201, 201]),
        row("delete review",            Method::DELETE, "/api/v1/reviews/{review}",                      NO_BODY,               [401, 403, 204, 403, 403, 204]),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &learning_table(), async |who| app.course_vars(&cast, who.name()).await).await;
}

#[tokio::test]
async fn teacher_publishes_student_finds_enrolls_completes_and_reviews() {
    let app = spawn_app().await;
    app.category("programming", "Programming").await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let (courses, modules) = (app.courses(&teacher), app.modules(&teacher));

    // A draft with nothing in it cannot be published, and says why.
    let course = courses
        .create(json!({"title": "Python for Complete Beginners", "description": "", "level": "beginner", "language": "en", "category": "programming", "price_minor": 0, "currency": "usd"}))
        .await
        .assert_status(StatusCode::CREATED);
    assert!(course.location().starts_with("/api/v1/courses/"));
    let id = course.id();
    assert_eq!(course["slug"], "python-for-complete-beginners");
    assert_eq!(course["status"], "draft");
    let body = courses.publish(&id).await.assert_code(StatusCode::CONFLICT, "not_publishable");
    let reasons: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["lessons", "description"]);

    // Drafts are invisible to others.
    app.courses(&ANONYMOUS).get(&id).await.assert_status(StatusCode::NOT_FOUND);

    // Fill it and publish.
    courses
        .update(&id, json!({"description": "Write your **first programs** in Python: variables, loops and functions."}))
        .await
        .assert_status(StatusCode::OK);
    let module =
        courses.add_module(&id, json!({"title": "Basics"})).await.assert_status(StatusCode::CREATED).id();
    let mut lessons = Vec::new();
    for (i, title) in ["Installing Python", "Variables", "Loops"].iter().enumerate() {
        let l = modules
            .add_lesson(&module, json!({"title": title, "kind": "text", "body": format!("## {title}\n\nText."), "duration_s": 600, "is_preview": i == 0}))
            .await;
        lessons.push(l.assert_status(StatusCode::CREATED).id());
    }
    // A teacher's first course waits for an admin; the public does not see it meanwhile.
    let queued = courses.publish(&id).await.assert_status(StatusCode::OK);
    assert_eq!(queued["status"], "in_review");
    app.courses(&ANONYMOUS).get(&id).await.assert_status(StatusCode::NOT_FOUND);
    app.approve_course(&id).await;
    let published = courses.get(&id).await.assert_status(StatusCode::OK);
    assert_eq!(published["status"], "published");
    assert_eq!(published["total_lessons"], 3);

    let cur = app.courses(&ANONYMOUS).curriculum(&id).await.assert_status(StatusCode::OK);
    let titles: Vec<&str> = cur["modules"][0]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Installing Python", "Variables", "Loops"]);

    // A student finds it, with a typo.
    let student = app.sign_up_student("student@school.test").await;
    app.indexed().await;
    let found = app.list("q=pyhton").await;
    assert_eq!(slugs(&found), ["python-for-complete-beginners"]);
    let found = app.list("q=python+loops").await;
    assert_eq!(slugs(&found), ["python-for-complete-beginners"], "lesson titles are searched too");

    // Lessons: previews are open, the rest need enrolling.
    app.lessons(&ANONYMOUS).get(&lessons[0]).await.assert_status(StatusCode::OK);
    app.lessons(&ANONYMOUS).get(&lessons[1]).await.assert_status(StatusCode::UNAUTHORIZED);
    app.lessons(&student).get(&lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");

    let enrollments = app.enrollments(&student);
    enrollments.enroll(&id).await.assert_status(StatusCode::CREATED);
    enrollments.enroll(&id).await.assert_code(StatusCode::CONFLICT, "already_enrolled");
    let lesson = app.lessons(&student).get(&lessons[1]).await.assert_status(StatusCode::OK);
    assert!(lesson.str("body_html").contains("<h2>Variables</h2>"));

    // Complete every lesson; the last one completes the course. Completing twice is harmless.
    for (i, l) in lessons.iter().enumerate() {
        let p = app.lessons(&student).complete(l).await.assert_status(StatusCode::OK);
        assert_eq!(p["completed_lessons"], i + 1);
        let p2 = app.lessons(&student).complete(l).await.assert_status(StatusCode::OK);
        assert_eq!(p2["completed_lessons"], i + 1, "idempotent");
    }
    let p = enrollments.progress(&id).await.assert_status(StatusCode::OK);
    assert_eq!((p["percent"].as_u64(), p["status"].as_str()), (Some(100), Some("completed")));
    let mine = enrollments.list("").await.assert_status(StatusCode::OK);
    assert_eq!(mine["items"][0]["status"], "completed");
    assert!(mine["items"][0]["completed_at"].is_string());

    // A lesson added later does not un-complete the finished student.
    modules
        .add_lesson(&module, json!({"title": "Bonus", "kind": "text", "body": "More."}))
        .await
        .assert_status(StatusCode::CREATED);
    let p = enrollments.progress(&id).await.assert_status(StatusCode::OK);
    assert_eq!(
        (p["status"].as_str(), p["total_lessons"].as_u64(), p["percent"].as_u64()),
        (Some("completed"), Some(4), Some(75))
    );

    // Review: one per student; the rating shows on the course.
    let reviews = app.reviews(&student);
    let res = reviews.create(&id, json!({"rating": 4, "text": "Clear and *practical*."})).await;
    res.assert_status(StatusCode::CREATED);
    let res = reviews.create(&id, json!({"rating": 5, "text": "Again"})).await;
    res.assert_code(StatusCode::CONFLICT, "already_reviewed");
    let detail =
        app.courses(&ANONYMOUS).get("python-for-complete-beginners").await.assert_status(StatusCode::OK);
    assert_eq!(
        (detail["avg_rating"].as_f64(), detail["review_count"].as_u64(), detail["student_count"].as_u64()),
        (Some(4.0), Some(1), Some(1))
    );
    let listed = app.reviews(&ANONYMOUS).list(&id, "").await.assert_status(StatusCode::OK);
    assert_eq!(listed["items"][0]["author"]["name"], "Test Person");
    assert!(listed["items"][0]["text_html"].as_str().unwrap().contains("<em>practical</em>"));

    // Notifications: the student heard about enrolling and finishing; the teacher about the review.
    let notifications = app.notifications(&student);
    let n = notifications.list().await.assert_status(StatusCode::OK);
    let kinds: Vec<&str> =
        n["items"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["course_completed", "enrolled"]);
    assert_eq!(n["unread_count"], 2);
    let first = n["items"][0]["id"].as_str().unwrap();
    notifications.read(first).await.assert_status(StatusCode::NO_CONTENT);
    let n = notifications.list().await.assert_status(StatusCode::OK);
    assert_eq!(n["unread_count"], 1);
    notifications.read_all().await.assert_status(StatusCode::NO_CONTENT);
    let n = notifications.list().await.assert_status(StatusCode::OK);
    assert_eq!(n["unread_count"], 0);
    let t = app.notifications(&teacher).list().await.assert_status(StatusCode::OK);
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
    let teacher = app.sign_up_teacher("t@school.test").await;
    let paid = app.course(&teacher, "Advanced Rust", json!({"price_minor": 4900}), 2, true).await;
    let free = app.course(&teacher, "Intro to Rust", json!({}), 2, true).await;
    let s = app.sign_up_student("s@school.test").await;
    app.enrollments(&s).enroll(&paid.id).await.assert_code(StatusCode::PAYMENT_REQUIRED, "payment_required");

    app.enrollments(&s).enroll(&free.id).await.assert_status(StatusCode::CREATED);
    for l in &free.lessons {
        app.lessons(&s).complete(l).await.assert_status(StatusCode::OK);
    }
    let p = app.lessons(&s).uncomplete(&free.lessons[0]).await.assert_status(StatusCode::OK);
    assert_eq!((p["completed_lessons"].as_u64(), p["status"].as_str()), (Some(1), Some("completed")));
    assert_eq!(p["completed_lesson_ids"], json!([free.lessons[1]]));
}

#[tokio::test]
async fn deleting_a_lesson_fixes_progress_and_can_finish_a_student() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Three Lessons", json!({}), 3, true).await;
    let s = app.sign_up_student("s@school.test").await;
    app.enrollments(&s).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    for l in &c.lessons[..2] {
        app.lessons(&s).complete(l).await.assert_status(StatusCode::OK);
    }
    // The one lesson the student had not done goes away: they have now done everything.
    app.lessons(&teacher).delete(&c.lessons[2]).await.assert_status(StatusCode::NO_CONTENT);
    let p = app.enrollments(&s).progress(&c.id).await.assert_status(StatusCode::OK);
    assert_eq!(
        (p["completed_lessons"].as_u64(), p["total_lessons"].as_u64(), p["status"].as_str()),
        (Some(2), Some(2), Some("completed"))
    );
    // A lesson they had done goes away: the counter follows.
    app.lessons(&teacher).delete(&c.lessons[0]).await.assert_status(StatusCode::NO_CONTENT);
    let p = app.enrollments(&s).progress(&c.id).await.assert_status(StatusCode::OK);
    assert_eq!((p["completed_lessons"].as_u64(), p["total_lessons"].as_u64()), (Some(1), Some(1)));
    let detail = app.courses(&ANONYMOUS).get(&c.id).await.assert_status(StatusCode::OK);
    assert_eq!(detail["total_lessons"], 1);
}

#[tokio::test]
async fn modules_and_lessons_can_be_reordered() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let (courses, lessons) = (app.courses(&teacher), app.lessons(&teacher));
    let c = app.course(&teacher, "Ordering", json!({}), 3, false).await;
    let m2 = courses
        .add_module(&c.id, json!({"title": "First now", "position": 1}))
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(m2["position"], 1);
    // Move the last lesson to the top.
    lessons.update(&c.lessons[2], json!({"position": 1})).await.assert_status(StatusCode::OK);
    let cur = courses.curriculum(&c.id).await.assert_status(StatusCode::OK);
    let modules: Vec<(&str, u64)> = cur["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["title"].as_str().unwrap(), m["position"].as_u64().unwrap()))
        .collect();
    assert_eq!(modules, [("First now", 1), ("Getting started", 2)]);
    let titles: Vec<&str> = cur["modules"][1]["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Lesson 3", "Lesson 1", "Lesson 2"]);
    // Move a lesson into the other module.
    lessons.update(&c.lessons[0], json!({"module_id": m2.id()})).await.assert_status(StatusCode::OK);
    let cur = courses.curriculum(&c.id).await.assert_status(StatusCode::OK);
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
    let teacher = app.sign_up_teacher("t@school.test").await;
    let a = app.course(&teacher, "Course A", json!({}), 1, true).await;
    let b = app.course(&teacher, "Course B", json!({}), 1, true).await;
    let draft = app.course(&teacher, "Draft C", json!({}), 1, false).await;
    let s = app.sign_up_student("s@school.test").await;
    let wishlist = app.wishlist(&s);
    for id in [&a.id, &b.id, &a.id] {
        wishlist.add(id).await.assert_status(StatusCode::NO_CONTENT);
    }
    wishlist.add(&draft.id).await.assert_status(StatusCode::NOT_FOUND);
    let w = wishlist.list().await.assert_status(StatusCode::OK);
    assert_eq!(slugs(&w.json), [b.slug.clone(), a.slug.clone()]);
    for _ in 0..2 {
        wishlist.remove(&b.id).await.assert_status(StatusCode::NO_CONTENT);
    }
    let w = wishlist.list().await.assert_status(StatusCode::OK);
    assert_eq!(slugs(&w.json), std::slice::from_ref(&a.slug));
}

#[tokio::test]
async fn counters_survive_a_restart_and_match_the_records() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Durable", json!({}), 2, true).await;
    for i in 0..3 {
        let s = app.sign_up_student(&format!("s{i}@school.test")).await;
        app.enrollments(&s).enroll(&c.id).await.assert_status(StatusCode::CREATED);
        let res = app.reviews(&s).create(&c.id, json!({"rating": 3 + i, "text": "ok"})).await;
        res.assert_status(StatusCode::CREATED);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let app = app.restart().await;
    let d = app.courses(&ANONYMOUS).get(&c.id).await.assert_status(StatusCode::OK);
    assert_eq!(
        (d["student_count"].as_u64(), d["review_count"].as_u64(), d["avg_rating"].as_f64()),
        (Some(3), Some(3), Some(4.0))
    );
}
