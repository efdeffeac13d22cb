//! The teacher's figures: a course's analytics against a hand-computed school, the students
//! list (pages, search, CSV), the teaching dashboard, who may see them, and the studio pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::money::{DAY, advance, assert_checks_pass, buy_paid, priced_course, selling_app};
use crate::support::{Cast, NO_BODY, Who, check_table, row};

/// A student with a name of our choosing, signed in.
async fn student(app: &TestApp, email: &str, name: &str) -> Actor {
    let body = json!({"email": email, "password": PASSWORD, "name": name, "role": "student"});
    Actor::from_tokens(&app.auth().register(body).await.assert_status(StatusCode::CREATED).json)
}

/// A browser signed in through the sign-in form.
async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut b = Browser::default();
    let res = b.form(app, "/signin", &[("email", email), ("password", PASSWORD), ("next", "/learn")]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/learn");
    b
}

fn today(app: &TestApp) -> String {
    lectern::clock::day_to_date(app.state().clock.now().day())
}

/// The school of the fixture, day by day (day 0 is the first day of the period):
/// - day 0: Ann and Bob enroll in the 3-lesson free course; Ann completes all three lessons;
/// - day 1: Cid enrolls, completes lesson 1; Ann reviews 5★, Bob 4★;
/// - day 2: Dee enrolls; Cid reviews 2★ and an admin hides it; Dee's review "=HYPERLINK" 3★.
///   Dee and Eve buy the paid course (USD 50.00); Eve gets 20.00 back.
struct School {
    app: TestApp,
    teacher: Actor,
    free: CourseFixture,
    paid: CourseFixture,
    from: String,
    students: Vec<Actor>,
}

async fn school() -> School {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let free = app.course(&teacher, "Counted Course", json!({}), 3, true).await;
    let paid = priced_course(&app, &teacher, "Paid Course", 5_000, "USD", 1).await;
    let admin = app.sign_in_admin().await;
    // Accounts old enough that the review screen does not hold them for being new.
    let ann = student(&app, "ann@school.test", "Ann Archer").await;
    let bob = student(&app, "bob@school.test", "Bob Baker").await;
    let cid = student(&app, "cid@school.test", "Cid Cooper").await;
    let dee = student(&app, "dee@school.test", "=Dee Danger").await;
    let eve = student(&app, "eve@school.test", "Eve Evans").await;
    advance(&app, DAY);
    let from = today(&app);
    for who in [&ann, &bob] {
        app.enrollments(who).enroll(&free.id).await.assert_status(StatusCode::CREATED);
    }
    for l in &free.lessons {
        app.lessons(&ann).complete(l).await.assert_status(StatusCode::OK);
    }
    advance(&app, DAY);
    app.enrollments(&cid).enroll(&free.id).await.assert_status(StatusCode::CREATED);
    app.lessons(&cid).complete(&free.lessons[0]).await.assert_status(StatusCode::OK);
    for (who, rating) in [(&ann, 5), (&bob, 4)] {
        let r = app
            .reviews(who)
            .create(&free.id, json!({"rating": rating, "text": "A fine course, well paced."}))
            .await;
        assert_eq!(r.assert_status(StatusCode::CREATED)["status"], "published");
    }
    advance(&app, DAY);
    app.enrollments(&dee).enroll(&free.id).await.assert_status(StatusCode::CREATED);
    let hidden = app
        .reviews(&cid)
        .create(&free.id, json!({"rating": 2, "text": "Not for me, too slow."}))
        .await
        .assert_status(StatusCode::CREATED)
        .id();
    app.api(&admin)
        .post(&format!("/api/v1/admin/reviews/{hidden}/hide"), json!({"reason": "test"}))
        .await
        .assert_status(StatusCode::OK);
    app.reviews(&dee)
        .create(&free.id, json!({"rating": 3, "text": "Decent enough overall."}))
        .await
        .assert_status(StatusCode::CREATED);
    buy_paid(&app, &dee, &paid.id).await;
    let order = buy_paid(&app, &eve, &paid.id).await;
    app.orders(&admin).refund(&order, Some(2_000), "goodwill").await.assert_status(StatusCode::ACCEPTED);
    School { app, teacher, free, paid, from, students: vec![ann, bob, cid, dee, eve] }
}

fn series(v: &Value, key: &str) -> Vec<u64> {
    v[key].as_array().unwrap().iter().map(|d| d["count"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn analytics_figures_match_the_hand_computed_school() {
    let s = school().await;
    let app = &s.app;
    let to = today(app);
    let q = format!("/api/v1/courses/{}/analytics?from={}&to={to}", s.free.id, s.from);
    let a = app.api(&s.teacher).get(&q).await.assert_status(StatusCode::OK).json;
    assert_eq!(a["from"], s.from.as_str());
    assert_eq!(series(&a, "enrollments_by_day"), vec![2, 1, 1], "{a}");
    assert_eq!(series(&a, "completions_by_day"), vec![1, 0, 0], "{a}");
    assert_eq!(a["students"], 4);
    assert_eq!(a["completed"], 1);
    assert_eq!(a["completion_rate"], 0.25);
    assert_eq!(a["active_students_30d"], 4);
    let funnel: Vec<u64> =
        a["lesson_funnel"].as_array().unwrap().iter().map(|l| l["completed"].as_u64().unwrap()).collect();
    assert_eq!(funnel, vec![2, 1, 1]);
    assert_eq!(a["lesson_funnel"][0]["title"], "Lesson 1");
    // The hidden 2★ review does not count.
    assert_eq!(a["rating_histogram"], json!({"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}));
    assert_eq!(a["revenue_by_day"], json!([]));

    let p = app
        .api(&s.teacher)
        .get(&format!("/api/v1/courses/{}/analytics?from={}&to={to}", s.paid.id, s.from))
        .await
        .assert_status(StatusCode::OK)
        .json;
    assert_eq!(series(&p, "enrollments_by_day"), vec![0, 0, 2]);
    assert_eq!(p["revenue_by_day"], json!([{"date": to, "currency": "USD", "amount_minor": 10_000}]));
    assert_eq!(p["refunds_minor"], 2_000);
    assert_eq!(p["refunds"], json!([{"currency": "USD", "amount_minor": 2_000}]));

    // A period that ends before the school began shows nothing; thirty days on, nobody is active.
    let before = app
        .api(&s.teacher)
        .get(&format!("/api/v1/courses/{}/analytics?to={}", s.free.id, "2000-01-31"))
        .await
        .assert_status(StatusCode::OK)
        .json;
    assert_eq!(series(&before, "enrollments_by_day").len(), 30);
    assert!(series(&before, "enrollments_by_day").iter().all(|n| *n == 0));
    advance(app, DAY * 31);
    // (Access tokens last 15 minutes: sign in again.)
    let teacher = app.sign_in("teacher@school.test", PASSWORD).await;
    let bob = app.sign_in("bob@school.test", PASSWORD).await;
    let later = app.api(&teacher).get(&format!("/api/v1/courses/{}/analytics", s.free.id)).await.json;
    assert_eq!(later["active_students_30d"], 0);
    assert_eq!(series(&later, "enrollments_by_day").len(), 30);
    // Marking a lesson makes a student active again.
    app.lessons(&bob).complete(&s.free.lessons[0]).await.assert_status(StatusCode::OK);
    let again = app.api(&teacher).get(&format!("/api/v1/courses/{}/analytics", s.free.id)).await.json;
    assert_eq!(again["active_students_30d"], 1);
    assert_eq!(again["lesson_funnel"][0]["completed"], 3);
    // Every counter equals its recount.
    assert_checks_pass(app).await;
}

#[tokio::test]
async fn bad_periods_are_refused() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Dated", json!({}), 1, true).await;
    for q in
        ["from=2025-02-30", "to=yesterday", "from=2025-03-10&to=2025-03-01", "from=2024-01-01&to=2025-03-01"]
    {
        app.api(&teacher)
            .get(&format!("/api/v1/courses/{}/analytics?{q}", c.id))
            .await
            .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    app.api(&teacher)
        .get("/api/v1/courses/01ARZ3NDEKTSV4RRFFQ69G5FAV/analytics")
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn students_list_pages_searches_and_exports_csv() {
    let s = school().await;
    let app = &s.app;
    let base = format!("/api/v1/courses/{}/students", s.free.id);
    let first = app.api(&s.teacher).get(&format!("{base}?limit=3")).await.assert_status(StatusCode::OK).json;
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let rest = app
        .api(&s.teacher)
        .get(&format!("{base}?limit=3&cursor={cursor}"))
        .await
        .assert_status(StatusCode::OK)
        .json;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());
    let names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|i| i["student"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Ann Archer", "Bob Baker", "Cid Cooper", "=Dee Danger"]);
    let ann = &first["items"][0];
    assert_eq!((ann["percent"].as_u64(), ann["status"].as_str()), (Some(100), Some("completed")));
    assert_eq!(first["items"][1]["percent"], 0);
    assert_eq!(first["items"][2]["percent"], 33);

    let found = app.api(&s.teacher).get(&format!("{base}?q=BAK")).await.assert_status(StatusCode::OK).json;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["student"]["name"], "Bob Baker");
    assert!(found["next_cursor"].is_null());
    app.api(&s.teacher)
        .get(&format!("{base}?format=xml"))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    app.api(&s.teacher)
        .get(&format!("{base}?cursor=nope"))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let csv = app.api(&s.teacher).get(&format!("{base}?format=csv")).await.assert_status(StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = csv.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "student_id,name,enrolled_at,percent,last_activity_at,status");
    assert_eq!(lines.len(), 5);
    assert!(lines[1].contains(",Ann Archer,") && lines[1].ends_with(",100,2") == lines[1].is_empty());
    assert!(lines[1].ends_with(",completed"), "{}", lines[1]);
    // A name that starts like a formula is never one in a spreadsheet.
    assert!(lines[4].contains(",'=Dee Danger,"), "{}", lines[4]);
    let one =
        app.api(&s.teacher).get(&format!("{base}?format=csv&q=cid")).await.assert_status(StatusCode::OK);
    assert_eq!(one.text.split("\r\n").filter(|l| !l.is_empty()).count(), 2);
}

#[tokio::test]
async fn the_teaching_dashboard_adds_up_the_courses() {
    let s = school().await;
    let app = &s.app;
    let t = app.api(&s.teacher).get("/api/v1/me/teaching").await.assert_status(StatusCode::OK).json;
    assert_eq!(t["students"], 6, "{t}");
    assert_eq!(t["active_students_30d"], 6);
    assert_eq!(t["completed"], 1);
    assert_eq!(t["revenue"], json!([{"currency": "USD", "amount_minor": 8_000}]));
    assert_eq!(t["rating"], json!({"avg": 4.0, "count": 3}));
    let courses = t["courses"].as_array().unwrap();
    assert_eq!(courses.len(), 2);
    let paid = courses.iter().find(|c| c["id"] == s.paid.id.as_str()).unwrap();
    assert_eq!((paid["students"].as_u64(), paid["completion_rate"].as_f64()), (Some(2), Some(0.0)));
    let free = courses.iter().find(|c| c["id"] == s.free.id.as_str()).unwrap();
    assert_eq!(free["completion_rate"], 0.25);
    let ratings: Vec<u64> =
        t["recent_reviews"].as_array().unwrap().iter().map(|r| r["rating"].as_u64().unwrap()).collect();
    assert_eq!(ratings, vec![3, 4, 5], "newest first, the hidden one left out");
    // A teacher with no course has an empty dashboard; a student has none.
    let new = app.sign_up_teacher("new@school.test").await;
    let empty = app.api(&new).get("/api/v1/me/teaching").await.assert_status(StatusCode::OK).json;
    assert_eq!((empty["students"].as_u64(), empty["courses"].as_array().unwrap().len()), (Some(0), 0));
    app.api(&s.students[0])
        .get("/api/v1/me/teaching")
        .await
        .assert_code(StatusCode::FORBIDDEN, "teachers_only");
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    let table = vec![
        row(
            "course analytics",
            Method::GET,
            "/api/v1/courses/{course}/analytics",
            NO_BODY,
            [401, 403, 403, 403, 200, 200],
        ),
        row(
            "draft analytics",
            Method::GET,
            "/api/v1/courses/{draft}/analytics",
            NO_BODY,
            [401, 404, 404, 404, 200, 200],
        ),
        row(
            "course students",
            Method::GET,
            "/api/v1/courses/{course}/students",
            NO_BODY,
            [401, 403, 403, 403, 200, 200],
        ),
        row(
            "students csv",
            Method::GET,
            "/api/v1/courses/{course}/students?format=csv",
            NO_BODY,
            [401, 403, 403, 403, 200, 200],
        ),
        row(
            "teaching dashboard",
            Method::GET,
            "/api/v1/me/teaching",
            NO_BODY,
            [401, 403, 403, 200, 200, 200],
        ),
    ];
    let mut n = 0;
    check_table(&app, &cast, &table, async |_: Who| {
        n += 1;
        app.course_vars(&cast, &format!("analytics {n}")).await
    })
    .await;
}

#[tokio::test]
async fn studio_pages_show_the_figures_to_the_teacher_only() {
    let s = school().await;
    let app = &s.app;
    let mut teacher = signed_in(app, "teacher@school.test").await;
    let (status, dash) = teacher.page(app, "/studio").await;
    assert_eq!(status, StatusCode::OK, "{dash}");
    assert!(
        dash.contains("Counted Course") && dash.contains(&format!("/studio/courses/{}/analytics", s.free.id))
    );
    assert!(dash.contains("/studio/courses/new") && dash.contains("/studio/earnings"));
    let (status, page) = teacher
        .page(app, &format!("/studio/courses/{}/analytics?from={}&to={}", s.free.id, s.from, today(app)))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<svg") && page.contains("role=\"img\"") && page.contains("Lesson 1"));
    assert!(page.contains("25%"), "completion rate shown");
    let (status, list) = teacher.page(app, &format!("/studio/courses/{}/students?q=ann", s.free.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Ann Archer") && !list.contains("Bob Baker"));
    for table in ["enrollments", "revenue", "funnel", "ratings"] {
        let res =
            teacher.get(app, &format!("/studio/courses/{}/analytics.csv?table={table}", s.free.id)).await;
        assert_eq!(res.status, StatusCode::OK, "{table}");
        assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    }
    let funnel = teacher.get(app, &format!("/studio/courses/{}/analytics.csv?table=funnel", s.free.id)).await;
    assert!(
        funnel.text.starts_with("lesson_id,title,completed\r\n") && funnel.text.contains(",Lesson 1,2\r\n"),
        "{}",
        funnel.text
    );
    let bad = teacher.get(app, &format!("/studio/courses/{}/analytics.csv?table=nope", s.free.id)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Russian too.
    let (_, ru) = teacher.page(app, "/lang/ru").await;
    let _ = ru;
    let (status, dash_ru) = teacher.page(app, "/studio").await;
    assert_eq!(status, StatusCode::OK);
    assert!(dash_ru.contains("Студия"), "Russian dashboard");

    // Another teacher and a student are refused; a visitor is sent to sign in.
    let mut other = crate::web::signed_up(app, "other@school.test", "Other").await;
    let (status, _) = other.page(app, &format!("/studio/courses/{}/analytics", s.free.id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = other.page(app, &format!("/studio/courses/{}/students", s.free.id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = other.page(app, "/studio").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a student has no studio");
    let res = Browser::default().get(app, "/studio").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_teacher_without_courses_is_invited_to_create_one() {
    let app = spawn_app().await;
    let _ = app.sign_up_teacher("fresh@school.test").await;
    let mut b = signed_in(&app, "fresh@school.test").await;
    let (status, page) = b.page(&app, "/studio").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/studio/courses/new\""), "{page}");
}
