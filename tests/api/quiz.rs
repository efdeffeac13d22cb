//! Quizzes (grading, answers kept from students, attempt limits, completion) and module locks
//! (drip over simulated days, across a restart, prerequisites).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const DAY: Duration = Duration::from_secs(86_400);

/// Words that appear only in the quiz's answers and feedback, never in its prompts or options.
const SECRETS: &[&str] = &["Zanzibar", "zanzibar", "secret-feedback", "\"answers\""];

fn quiz_body(max_attempts: Option<u32>) -> Value {
    json!({
        "title": "Check yourself",
        "kind": "quiz",
        "body": "Three questions on what you learned.",
        "quiz": {
            "pass_percent": 60,
            "max_attempts": max_attempts,
            "questions": [
                {"kind": "single", "prompt": "Which is a prime?", "options": ["4", "7", "9"], "answers": [1],
                 "feedback": "secret-feedback: 7 has no divisors"},
                {"kind": "multiple", "prompt": "Which are even?", "options": ["2", "3", "8", "11"], "answers": [0, 2]},
                {"kind": "short", "prompt": "Name the island city", "answers": ["Zanzibar", "Stone  Town"]},
            ]
        }
    })
}

/// A published free course: module 1 has a text lesson and the quiz; returns (fixture, quiz id).
async fn quiz_course(app: &TestApp, teacher: &Actor, max_attempts: Option<u32>) -> (CourseFixture, String) {
    let c = app.course(teacher, "Quizzed Course", json!({}), 1, false).await;
    let quiz = app
        .modules(teacher)
        .add_lesson(&c.modules[0], quiz_body(max_attempts))
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(quiz["quiz"]["questions"][2]["answers"], json!(["Zanzibar", "Stone  Town"]), "{quiz}");
    let published = app.courses(teacher).publish(&c.id).await.assert_status(StatusCode::OK);
    if published["status"] == "in_review" {
        app.approve_course(&c.id).await;
    }
    (c, quiz.id())
}

#[track_caller]
fn assert_no_secrets(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows {s:?}: {text}");
    }
}

#[tokio::test]
async fn grading_every_kind_and_a_pass_completes_the_course() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@quiz.test").await;
    let (c, quiz) = quiz_course(&app, &teacher, None).await;
    let student = app.sign_up_student("s@quiz.test").await;
    app.enrollments(&student).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    let lessons = app.lessons(&student);
    lessons.complete(&c.lessons[0]).await.assert_status(StatusCode::OK);
    lessons.complete(&quiz).await.assert_code(StatusCode::CONFLICT, "quiz_required");

    // A partly right multiple choice is wrong; a near miss of a short answer is wrong.
    let r = lessons.attempt(&quiz, json!([1, [0], "Zanzibarr"])).await.assert_status(StatusCode::CREATED);
    assert_eq!(
        r["per_question"].as_array().unwrap().iter().map(|q| q["correct"].clone()).collect::<Vec<_>>(),
        [json!(true), json!(false), json!(false)]
    );
    assert_eq!((r["score_percent"].clone(), r["passed"].clone()), (json!(33), json!(false)));
    assert_eq!(
        r["per_question"][0]["feedback"], "secret-feedback: 7 has no divisors",
        "feedback after submitting"
    );
    assert_eq!(r["attempts_used"], 1);
    assert_eq!(r["attempts_left"], Value::Null);
    assert_eq!(r["progress"]["status"], "active");
    app.certificates(&student).mine().await.assert_status(StatusCode::OK);

    // Extra options chosen are wrong too; case and whitespace are ignored in short answers.
    let r = lessons
        .attempt(&quiz, json!([[1], [0, 1, 2], "  stone TOWN "]))
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(r["per_question"][1]["correct"], false);
    assert_eq!(r["per_question"][2]["correct"], true);
    assert_eq!((r["score_percent"].clone(), r["passed"].clone()), (json!(66), json!(true)));
    assert_eq!(r["progress"]["status"], "completed", "{r}");
    assert_eq!(r["progress"]["completed_lessons"], 2);
    let mine = app.certificates(&student).mine().await.assert_status(StatusCode::OK);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "a certificate follows the pass: {mine}");

    // Answers of the wrong shape are refused, naming the question; nothing is recorded.
    let bad = lessons
        .attempt(&quiz, json!([7, "x", [1]]))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(bad["errors"].as_array().unwrap().len(), 3, "{bad}");
    lessons
        .attempt(&quiz, json!([1]))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    lessons.uncomplete(&quiz).await.assert_code(StatusCode::CONFLICT, "quiz_required");
    lessons.attempt(&c.lessons[0], json!([])).await.assert_code(StatusCode::CONFLICT, "not_a_quiz");

    // The teacher's try is graded and not recorded; the analytics count the student's two.
    let t = app
        .lessons(&teacher)
        .attempt(&quiz, json!([1, [0, 2], "zanzibar"]))
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!((t["passed"].clone(), t["attempts_used"].clone()), (json!(true), json!(0)));
    let a = app
        .api(&teacher)
        .get(&format!("/api/v1/courses/{}/analytics", c.id))
        .await
        .assert_status(StatusCode::OK);
    let q = &a["quizzes"][0];
    assert_eq!(
        (q["lesson_id"].as_str(), q["attempts"].clone(), q["passed"].clone()),
        (Some(quiz.as_str()), json!(2), json!(1)),
        "{a}"
    );
    let per: Vec<(i64, i64)> = q["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["attempts"].as_i64().unwrap(), x["correct"].as_i64().unwrap()))
        .collect();
    assert_eq!(per, [(2, 2), (2, 0), (2, 1)]);
    assert_eq!(q["questions"][1]["prompt"], "Which are even?");

    // The analytics page shows where students trip, and the table downloads as CSV.
    let mut b = Browser::default();
    b.form(&app, "/signin", &[("email", "t@quiz.test"), ("password", PASSWORD), ("next", "/studio")]).await;
    let (status, html) = b.page(&app, &format!("/studio/courses/{}/analytics", c.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"h-quizzes\"") && html.contains("Which are even?"), "{html}");
    let (status, csv) = b.page(&app, &format!("/studio/courses/{}/analytics.csv?table=quizzes", c.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.starts_with("lesson_id,quiz,question,attempts,correct\r\n")
            && csv.contains(",Which are even?,2,0\r\n"),
        "{csv}"
    );
}

#[tokio::test]
async fn answers_never_reach_a_student() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@quiz.test").await;
    let (c, quiz) = quiz_course(&app, &teacher, Some(3)).await;
    let mut browser = crate::web::signed_up(&app, "s@quiz.test", "Student").await;
    let student = app.sign_in("s@quiz.test", PASSWORD).await;
    app.enrollments(&student).enroll(&c.id).await.assert_status(StatusCode::CREATED);

    let lesson = app.lessons(&student).get(&quiz).await.assert_status(StatusCode::OK);
    assert_eq!(lesson["quiz"]["questions"][0]["options"], json!(["4", "7", "9"]));
    assert!(lesson["quiz"]["questions"][0].get("answers").is_none());
    let mut texts = vec![
        ("lesson JSON", lesson.text.clone()),
        ("curriculum", app.courses(&student).curriculum(&c.id).await.text),
        ("course JSON", app.courses(&student).get(&c.id).await.text),
        ("visitor's curriculum", app.courses(&ANONYMOUS).curriculum(&c.id).await.text),
        ("visitor's lesson", app.lessons(&ANONYMOUS).get(&quiz).await.text),
        ("progress", app.enrollments(&student).progress(&c.id).await.text),
    ];
    for path in [format!("/courses/{}", c.slug), format!("/learn/{}/{quiz}", c.slug), "/learn".into()] {
        let (status, body) = browser.page(&app, &path).await;
        assert!(status == StatusCode::OK || status == StatusCode::SEE_OTHER, "{path}: {status}");
        texts.push(("page", body));
    }
    // The page after an attempt shows the result, still without the answers.
    let (_, before) = browser.page(&app, &format!("/learn/{}/{quiz}", c.slug)).await;
    assert!(
        before.contains("Which is a prime?") && before.contains("name=\"q0\""),
        "the player shows the form"
    );
    let csrf = browser.csrf.clone();
    let res = browser
        .form(
            &app,
            &format!("/learn/{}/{quiz}/attempt", c.slug),
            &[("csrf", &csrf), ("q0", "0"), ("q1", "0"), ("q2", "Dar")],
        )
        .await;
    texts.push(("graded page", res.text.clone()));
    assert!(res.text.contains("secret-feedback") || res.status == StatusCode::SEE_OTHER, "{}", res.status);
    for (what, text) in &texts {
        let text = if *what == "graded page" {
            text.replace("secret-feedback: 7 has no divisors", "")
        } else {
            text.clone()
        };
        assert_no_secrets(what, &text);
    }
    // The teacher sees them.
    let t = app.lessons(&teacher).get(&quiz).await.assert_status(StatusCode::OK);
    assert_eq!(t["quiz"]["questions"][0]["answers"], json!([1]));
}

#[tokio::test]
async fn attempt_limits_hold_under_concurrent_submissions() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@quiz.test").await;
    let (c, quiz) = quiz_course(&app, &teacher, Some(3)).await;
    let student = app.sign_up_student("s@quiz.test").await;
    app.enrollments(&student).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    let lessons = app.lessons(&student);
    let wrong = json!([0, [1], "no"]);
    let replies =
        futures_util::future::join_all((0..20).map(|_| lessons.attempt(&quiz, wrong.clone()))).await;
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT && r.problem_code() == Some("no_attempts_left"))
        .count();
    assert_eq!((created, refused), (3, 17), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    // The counters the attempts moved equal the attempts recorded (`lectern check`).
    let problems = app.state().store.read(|rtx| Ok(lectern::check::counters(rtx)?)).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let mut left: Vec<i64> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .map(|r| r["attempts_left"].as_i64().unwrap())
        .collect();
    left.sort_unstable();
    assert_eq!(left, [0, 1, 2]);
    lessons
        .attempt(&quiz, json!([1, [0, 2], "zanzibar"]))
        .await
        .assert_code(StatusCode::CONFLICT, "no_attempts_left");
    let a = app
        .api(&teacher)
        .get(&format!("/api/v1/courses/{}/analytics", c.id))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(a["quizzes"][0]["attempts"], 3);
}

async fn set_unlock(app: &TestApp, teacher: &Actor, module: &str, unlock: Value) -> Reply {
    app.modules(teacher).update(module, json!({ "unlock": unlock })).await
}

/// A course with three modules of one lesson each (the first a text lesson with no preview).
async fn three_modules(app: &TestApp, teacher: &Actor) -> (CourseFixture, Vec<String>, Vec<String>) {
    let c = app.course(teacher, "Drip Course", json!({}), 1, false).await;
    let (mut modules, mut lessons) = (vec![c.modules[0].clone()], vec![c.lessons[0].clone()]);
    app.lessons(teacher)
        .update(&c.lessons[0], json!({"is_preview": false}))
        .await
        .assert_status(StatusCode::OK);
    for title in ["Week two", "Week three"] {
        let m = app
            .courses(teacher)
            .add_module(&c.id, json!({"title": title}))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        let l = app
            .modules(teacher)
            .add_lesson(&m, json!({"title": format!("{title} lesson"), "kind": "text", "body": "Read this."}))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        modules.push(m);
        lessons.push(l);
    }
    let published = app.courses(teacher).publish(&c.id).await.assert_status(StatusCode::OK);
    if published["status"] == "in_review" {
        app.approve_course(&c.id).await;
    }
    (c, modules, lessons)
}

#[tokio::test]
async fn drip_opens_modules_over_simulated_days_and_across_a_restart() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@drip.test").await;
    let (c, modules, lessons) = three_modules(&app, &teacher).await;
    let m =
        set_unlock(&app, &teacher, &modules[1], json!({"after_days": 2})).await.assert_status(StatusCode::OK);
    assert_eq!(m["unlock"], json!({"after_days": 2, "on": null, "after_module_id": null}));
    let student = app.sign_up_student("s@drip.test").await;
    app.enrollments(&student).enroll(&c.id).await.assert_status(StatusCode::CREATED);

    let locked =
        app.lessons(&student).get(&lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "lesson_locked");
    let at = locked["available_at"].as_str().unwrap().to_owned();
    assert!(locked.json.get("after_module").is_none(), "{locked}");
    app.lessons(&student).complete(&lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "lesson_locked");
    let cur = app.courses(&student).curriculum(&c.id).await.assert_status(StatusCode::OK);
    assert_eq!(cur["modules"][0]["locked"], false);
    assert_eq!(cur["modules"][1]["locked"], true);
    assert_eq!(cur["modules"][1]["available_at"], at.as_str());
    // Teachers and admins are never locked.
    app.lessons(&teacher).get(&lessons[1]).await.assert_status(StatusCode::OK);
    let owner_cur = app.courses(&teacher).curriculum(&c.id).await;
    assert_eq!(owner_cur["modules"][1]["locked"], false);
    let (_, page) = crate::web::signed_up(&app, "b@drip.test", "Browser")
        .await
        .page(&app, &format!("/courses/{}", c.slug))
        .await;
    assert!(page.contains("Week two"), "the course page lists the module");

    app.state().clock.advance(DAY);
    let student = app.sign_in("s@drip.test", PASSWORD).await;
    app.lessons(&student).get(&lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "lesson_locked");

    // The rule and the enrollment persist; the new process's clock starts again from now.
    let app = app.restart().await;
    let student = app.sign_in("s@drip.test", PASSWORD).await;
    app.lessons(&student).get(&lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "lesson_locked");
    app.state().clock.advance(DAY * 2 + Duration::from_secs(60));
    let student = app.sign_in("s@drip.test", PASSWORD).await;
    app.lessons(&student).get(&lessons[1]).await.assert_status(StatusCode::OK);
    app.lessons(&student).complete(&lessons[1]).await.assert_status(StatusCode::OK);
    let cur = app.courses(&student).curriculum(&c.id).await;
    assert_eq!(cur["modules"][1]["locked"], false);
    assert_eq!(cur["modules"][1]["available_at"], Value::Null);

    // A date in the future locks until that day; `null` removes the rule.
    let teacher = app.sign_in("t@drip.test", PASSWORD).await;
    set_unlock(&app, &teacher, &modules[2], json!({"on": "2999-01-01"})).await.assert_status(StatusCode::OK);
    let r = app.lessons(&student).get(&lessons[2]).await.assert_code(StatusCode::FORBIDDEN, "lesson_locked");
    assert_eq!(r["available_at"], "2999-01-01T00:00:00Z");
    set_unlock(&app, &teacher, &modules[2], Value::Null).await.assert_status(StatusCode::OK);
    app.lessons(&student).get(&lessons[2]).await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn prerequisites_open_a_module_when_the_one_before_is_complete() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@pre.test").await;
    let (c, modules, lessons) = three_modules(&app, &teacher).await;
    set_unlock(&app, &teacher, &modules[2], json!({"after_module_id": modules[1]}))
        .await
        .assert_status(StatusCode::OK);
    // Rules that could never hold are refused.
    set_unlock(&app, &teacher, &modules[1], json!({"after_module_id": modules[2]}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    set_unlock(&app, &teacher, &modules[1], json!({"after_module_id": modules[1]}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    set_unlock(&app, &teacher, &modules[1], json!({"on": "2025-13-40"}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let other = app.course(&teacher, "Another", json!({}), 1, false).await;
    set_unlock(&app, &teacher, &modules[1], json!({"after_module_id": other.modules[0]}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let student = app.sign_up_student("s@pre.test").await;
    set_unlock(&app, &student, &modules[1], json!({"after_days": 1}))
        .await
        .assert_problem(StatusCode::FORBIDDEN);

    app.enrollments(&student).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    let r = app.lessons(&student).get(&lessons[2]).await.assert_code(StatusCode::FORBIDDEN, "lesson_locked");
    assert_eq!(r["after_module"], json!({"id": modules[1], "title": "Week two"}));
    let cur = app.courses(&student).curriculum(&c.id).await;
    assert_eq!(cur["modules"][2]["after_module"]["id"], modules[1].as_str());
    app.lessons(&student).complete(&lessons[1]).await.assert_status(StatusCode::OK);
    app.lessons(&student).get(&lessons[2]).await.assert_status(StatusCode::OK);
    let cur = app.courses(&student).curriculum(&c.id).await;
    assert_eq!(cur["modules"][2]["locked"], false);

    // A locked quiz takes no attempts.
    let quiz = app
        .modules(&teacher)
        .add_lesson(&modules[2], quiz_body(None))
        .await
        .assert_status(StatusCode::CREATED)
        .id();
    set_unlock(&app, &teacher, &modules[2], json!({"after_days": 5})).await.assert_status(StatusCode::OK);
    app.lessons(&student)
        .attempt(&quiz, json!([1, [0, 2], "zanzibar"]))
        .await
        .assert_code(StatusCode::FORBIDDEN, "lesson_locked");
    // The player page says why instead of showing the lesson.
    let mut b = crate::web::signed_up(&app, "p@pre.test", "Pat").await;
    let p = app.sign_in("p@pre.test", PASSWORD).await;
    app.enrollments(&p).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    let (status, body) = b.page(&app, &format!("/learn/{}/{}", c.slug, lessons[2])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("It opens on") && !body.contains("Read this."), "{body}");
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    let ok_answers = json!({"answers": [1, [0, 2], "zanzibar"]});
    let rows = vec![
        row(
            "add a quiz",
            Method::POST,
            "/api/v1/modules/{module}/lessons",
            quiz_body(None),
            [401, 403, 403, 403, 201, 201],
        ),
        row(
            "attempt a quiz",
            Method::POST,
            "/api/v1/lessons/{quiz}/attempts",
            ok_answers.clone(),
            [401, 403, 201, 403, 201, 201],
        ),
        row(
            "attempt a draft's quiz",
            Method::POST,
            "/api/v1/lessons/{draft_quiz}/attempts",
            ok_answers,
            [401, 404, 404, 404, 201, 201],
        ),
        row(
            "set a module's unlock",
            Method::PATCH,
            "/api/v1/modules/{module}",
            json!({"unlock": {"after_days": 0}}),
            [401, 403, 403, 403, 200, 200],
        ),
        row("read the quiz", Method::GET, "/api/v1/lessons/{quiz}", NO_BODY, [401, 403, 200, 403, 200, 200]),
    ];
    check_table(&app, &cast, &rows, async |who| {
        let mut vars: Vars = app.course_vars(&cast, who.name()).await;
        let quiz = app
            .modules(&cast.owner)
            .add_lesson(&vars["module"], quiz_body(None))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        let draft_quiz = app
            .modules(&cast.owner)
            .add_lesson(&vars["draft_module"], quiz_body(None))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        vars.insert("quiz", quiz);
        vars.insert("draft_quiz", draft_quiz);
        vars
    })
    .await;
}

#[tokio::test]
async fn the_personal_export_holds_a_student_s_attempts_and_questions() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@quiz.test").await;
    let (c, quiz) = quiz_course(&app, &teacher, None).await;
    let s = app.sign_up_student("s@quiz.test").await;
    app.enrollments(&s).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    app.lessons(&s).attempt(&quiz, json!([0, [0], "nowhere"])).await.assert_status(StatusCode::CREATED);
    let asked = app
        .api(&s)
        .post(
            &format!("/api/v1/lessons/{}/questions", c.lessons[0]),
            json!({"title": "Where is Zanzibar?", "body": "Which ocean, please?"}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    let other = app.sign_up_student("o@quiz.test").await;
    app.enrollments(&other).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    app.lessons(&other)
        .attempt(&quiz, json!([1, [0, 2], "Zanzibar"]))
        .await
        .assert_status(StatusCode::CREATED);

    let export = app.api(&s).get("/api/v1/me/export").await.assert_status(StatusCode::OK);
    assert_eq!(export["quiz_attempts"].as_array().unwrap().len(), 1, "{export}");
    assert_eq!(export["quiz_attempts"][0]["lesson_id"], json!(quiz));
    assert_eq!(export["quiz_attempts"][0]["passed"], false);
    assert_eq!(export["questions"][0]["id"], asked["id"]);
    assert!(!export.text.contains("o@quiz.test"), "nobody else's data");
}
