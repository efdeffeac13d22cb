//! The studio's pages, driven as a browser without JavaScript would: the wizard from an empty
//! draft to "submitted", resuming a draft, the editor's curriculum and pricing forms, two tabs
//! saving the same lesson, and who may open what.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::uploads::{png, upload};

async fn teacher_browser(app: &TestApp, email: &str) -> (Actor, Browser) {
    let actor = app.sign_up_teacher(email).await;
    let mut b = Browser::default();
    let res = b.form(app, "/signin", &[("email", email), ("password", PASSWORD), ("next", "/studio")]).await;
    res.assert_status(StatusCode::SEE_OTHER);
    (actor, b)
}

fn id_from(location: &str) -> String {
    location.trim_start_matches("/studio/courses/").split('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_teacher_builds_a_course_with_the_wizard_and_can_resume_it() {
    let app = spawn_app().await;
    app.category("programming", "Programming").await;
    let (teacher, mut b) = teacher_browser(&app, "t@school.test").await;
    let (status, html) = b.page(&app, "/studio/courses/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"wizard-form\""), "{html}");

    // A refused title comes back next to its field, with what was typed.
    let csrf = b.csrf.clone();
    let bad = b
        .form(
            &app,
            "/studio/courses/new",
            &[
                ("csrf", &csrf),
                ("title", "Go"),
                ("category", "programming"),
                ("level", "beginner"),
                ("language", "en"),
            ],
        )
        .await;
    let bad = bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("id=\"title-error\"") && bad.text.contains("value=\"Go\""), "{}", bad.text);

    let res = b
        .form(
            &app,
            "/studio/courses/new",
            &[
                ("csrf", &csrf),
                ("title", "Rust for beginners"),
                ("subtitle", "Ownership without tears"),
                ("category", "programming"),
                ("level", "beginner"),
                ("language", "en"),
            ],
        )
        .await;
    let res = res.assert_status(StatusCode::SEE_OTHER);
    let id = id_from(res.location());
    assert_eq!(res.location(), format!("/studio/courses/{id}/wizard/description"));

    // Each step saves: leaving after the description and coming back resumes at the lessons.
    let description = "Learn **Rust** from the first line: ownership, borrowing, errors, traits and tests, with small exercises after every lesson and a project at the end.";
    let res = b
        .form(
            &app,
            &format!("/studio/courses/{id}/wizard/description"),
            &[("csrf", &csrf), ("description", description)],
        )
        .await;
    assert_eq!(
        res.assert_status(StatusCode::SEE_OTHER).location(),
        format!("/studio/courses/{id}/wizard/curriculum")
    );
    let (_, html) = b.page(&app, "/studio/courses/new").await;
    assert!(html.contains(&format!("/studio/courses/{id}/wizard\"")), "the draft is offered: {html}");
    let res = b.get(&app, &format!("/studio/courses/{id}/wizard")).await;
    assert_eq!(
        res.assert_status(StatusCode::SEE_OTHER).location(),
        format!("/studio/courses/{id}/wizard/curriculum")
    );

    let res = b
        .form(
            &app,
            &format!("/studio/courses/{id}/wizard/curriculum"),
            &[
                ("csrf", &csrf),
                ("module_title", "Getting started"),
                ("lesson_title", "Hello, Cargo"),
                ("lesson_body", "Install Rust and run `cargo new`."),
            ],
        )
        .await;
    assert_eq!(
        res.assert_status(StatusCode::SEE_OTHER).location(),
        format!("/studio/courses/{id}/wizard/cover")
    );
    // The upload widget puts the cover's id in the form; the step attaches it.
    let cover = upload(&app, &teacher, "cover", "image/png", png(1280, 720))
        .await
        .assert_status(StatusCode::CREATED)
        .id();
    let res = b
        .form(
            &app,
            &format!("/studio/courses/{id}/wizard/cover"),
            &[("csrf", &csrf), ("cover_upload_id", &cover)],
        )
        .await;
    assert_eq!(
        res.assert_status(StatusCode::SEE_OTHER).location(),
        format!("/studio/courses/{id}/wizard/price")
    );
    let res = b
        .form(
            &app,
            &format!("/studio/courses/{id}/wizard/price"),
            &[("csrf", &csrf), ("pricing", "paid"), ("price", "19,90"), ("currency", "EUR")],
        )
        .await;
    assert_eq!(
        res.assert_status(StatusCode::SEE_OTHER).location(),
        format!("/studio/courses/{id}/wizard/publish")
    );

    let course = app.courses(&teacher).get(&id).await.assert_status(StatusCode::OK);
    assert_eq!((course["price_minor"].as_i64(), course.str("currency")), (Some(1990), "EUR"));
    assert!(course["cover"]["url"].as_str().is_some_and(|u| u.starts_with("/media/")), "{course}");
    let cur = app.courses(&teacher).curriculum(&id).await;
    assert_eq!(cur["modules"][0]["title"], "Getting started");
    assert_eq!(cur["modules"][0]["lessons"][0]["title"], "Hello, Cargo");

    // The checklist shows what is missing, with links to fix it; publishing a first course
    // sends it to review.
    let (_, html) = b.page(&app, &format!("/studio/courses/{id}/wizard/publish")).await;
    assert!(html.contains("data-rule=\"lessons_with_content\" data-ok=\"false\""), "{html}");
    assert!(html.contains("data-rule=\"cover\" data-ok=\"true\""), "{html}");
    assert!(html.contains(&format!("/studio/courses/{id}/wizard/curriculum")), "{html}");
    let res = b.form(&app, &format!("/studio/courses/{id}/wizard/publish"), &[("csrf", &csrf)]).await;
    let res = res.assert_status(StatusCode::OK);
    assert!(res.text.contains("data-outcome=\"in_review\""), "{}", res.text);
    let course = app.courses(&teacher).get(&id).await;
    assert_eq!(course.str("status"), "in_review");
}

#[tokio::test]
async fn the_editor_reorders_renames_prices_and_makes_coupons() {
    let app = spawn_app().await;
    let (teacher, mut b) = teacher_browser(&app, "t@school.test").await;
    let c = app.course(&teacher, "Editing course", json!({}), 2, false).await;
    let csrf = b.csrf.clone();
    let (status, html) = b.page(&app, &format!("/studio/courses/{}", c.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-reorder=\"/api/v1/courses/"), "{html}");

    let post = async |b: &mut Browser, fields: &[(&str, &str)]| {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        b.form(&app, &format!("/studio/courses/{}", c.id), &all).await
    };
    post(&mut b, &[("action", "lesson_down"), ("target", &c.lessons[0])])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let cur = app.courses(&teacher).curriculum(&c.id).await;
    assert_eq!(cur["modules"][0]["lessons"][0]["id"], json!(c.lessons[1]), "{cur}");
    post(&mut b, &[("action", "rename_module"), ("target", &c.modules[0]), ("title", "Basics")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    post(&mut b, &[("action", "add_module"), ("title", "Advanced")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let cur = app.courses(&teacher).curriculum(&c.id).await;
    assert_eq!(cur["modules"][0]["title"], "Basics");
    assert_eq!(cur["modules"][1]["title"], "Advanced");
    let res = post(
        &mut b,
        &[
            ("action", "add_lesson"),
            ("target", cur["modules"][1]["id"].as_str().unwrap()),
            ("title", "Macros"),
        ],
    )
    .await;
    assert!(res.assert_status(StatusCode::SEE_OTHER).location().starts_with("/studio/lessons/"));

    // Drip and prerequisites per module: the second module opens 3 days after enrolling and
    // after the first; emptied, it opens at once again.
    let (m0, m1) = (cur["modules"][0]["id"].as_str().unwrap(), cur["modules"][1]["id"].as_str().unwrap());
    post(
        &mut b,
        &[("action", "unlock"), ("target", m1), ("after_days", "3"), ("on", ""), ("after_module", m0)],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let unlocked = app.courses(&teacher).curriculum(&c.id).await;
    assert_eq!(unlocked["modules"][1]["unlock"]["after_days"], 3, "{unlocked}");
    assert_eq!(unlocked["modules"][1]["unlock"]["after_module_id"], m0);
    let (_, html) = b.page(&app, &format!("/studio/courses/{}", c.id)).await;
    assert!(
        html.contains(&format!(
            "id=\"after-days-{m1}\" name=\"after_days\" inputmode=\"numeric\" size=\"4\" value=\"3\""
        )),
        "{html}"
    );
    post(
        &mut b,
        &[("action", "unlock"), ("target", m1), ("after_days", ""), ("on", ""), ("after_module", "")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    assert!(app.courses(&teacher).curriculum(&c.id).await["modules"][1]["unlock"].is_null());
    let res = post(&mut b, &[("action", "unlock"), ("target", m1), ("after_days", "soon")]).await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    post(&mut b, &[("action", "price"), ("pricing", "paid"), ("price", "49"), ("currency", "USD")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.courses(&teacher).get(&c.id).await["price_minor"], 4900);
    let res = post(&mut b, &[("action", "coupon"), ("code", "x"), ("percent", "500")]).await;
    let res = res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text.contains("id=\"code-error\"") && res.text.contains("id=\"percent-error\""),
        "{}",
        res.text
    );
    post(&mut b, &[("action", "coupon"), ("code", "SPRING25"), ("percent", "25")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (_, html) = b.page(&app, &format!("/studio/courses/{}", c.id)).await;
    assert!(html.contains("<code>SPRING25</code>") && html.contains("25 %"), "{html}");
}

#[tokio::test]
async fn a_lesson_saved_from_a_stale_page_shows_both_versions_and_overwrites_nothing() {
    let app = spawn_app().await;
    let (teacher, mut b) = teacher_browser(&app, "t@school.test").await;
    let c = app.course(&teacher, "Two tabs", json!({}), 1, false).await;
    let lesson = &c.lessons[0];
    let (_, html) = b.page(&app, &format!("/studio/lessons/{lesson}")).await;
    assert!(html.contains("name=\"revision\" value=\"0\""), "{html}");
    // Another tab saves first.
    app.lessons(&teacher)
        .update(lesson, json!({"title": "Saved elsewhere", "body": "their text", "revision": 0}))
        .await
        .assert_status(StatusCode::OK);
    let csrf = b.csrf.clone();
    let res = b
        .form(
            &app,
            &format!("/studio/lessons/{lesson}"),
            &[("csrf", &csrf), ("revision", "0"), ("title", "Mine"), ("body", "my text"), ("minutes", "5")],
        )
        .await;
    let res = res.assert_status(StatusCode::CONFLICT);
    assert!(res.text.contains("their text") && res.text.contains("my text"), "{}", res.text);
    assert!(res.text.contains("name=\"revision\" value=\"1\""), "saving again goes on top: {}", res.text);
    assert_eq!(app.lessons(&teacher).get(lesson).await.str("title"), "Saved elsewhere");
    let res = b
        .form(
            &app,
            &format!("/studio/lessons/{lesson}"),
            &[("csrf", &csrf), ("revision", "1"), ("title", "Mine"), ("body", "my text"), ("minutes", "5")],
        )
        .await;
    res.assert_status(StatusCode::SEE_OTHER);
    let l = app.lessons(&teacher).get(lesson).await;
    assert_eq!((l.str("title"), l["duration_s"].as_u64()), ("Mine", Some(300)));
}

#[tokio::test]
async fn only_a_course_s_teacher_opens_its_studio_pages() {
    let app = spawn_app().await;
    let (teacher, _) = teacher_browser(&app, "t@school.test").await;
    let c = app.course(&teacher, "Private draft", json!({}), 1, false).await;
    let (_, mut other) = teacher_browser(&app, "other@school.test").await;
    assert_eq!(other.page(&app, &format!("/studio/courses/{}", c.id)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.page(&app, &format!("/studio/lessons/{}", c.lessons[0])).await.0, StatusCode::NOT_FOUND);
    app.sign_up_student("s@school.test").await;
    let mut student = Browser::default();
    student
        .form(&app, "/signin", &[("email", "s@school.test"), ("password", PASSWORD), ("next", "/learn")])
        .await;
    assert_eq!(student.page(&app, "/studio/courses/new").await.0, StatusCode::FORBIDDEN);
    let res = Browser::default().get(&app, "/studio/courses/new").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "visitors are sent to sign in");
}

#[tokio::test]
async fn signing_up_to_teach_opens_the_studio() {
    let app = spawn_app().await;
    let mut b = Browser::default();
    let res = b
        .form(
            &app,
            "/signup",
            &[
                ("name", "Tina Teacher"),
                ("email", "tina@school.test"),
                ("password", PASSWORD),
                ("role", "teacher"),
                ("next", "/learn"),
            ],
        )
        .await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/studio");
    let tina = app.sign_in("tina@school.test", PASSWORD).await;
    assert_eq!(app.me(&tina).get().await.str("role"), "teacher");
    let res = Browser::default()
        .form(
            &app,
            "/signup",
            &[
                ("name", "Sam Student"),
                ("email", "sam@school.test"),
                ("password", PASSWORD),
                ("next", "/learn"),
            ],
        )
        .await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/learn");
}
