//! The admin console's API: accounts (list, role, lock), the audit log, and personal data
//! (export, deletion).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::support::{Actor, Cast, NO_BODY, Reply, Row, check_table, row};

fn admin_console_table() -> Vec<Row> {
    vec![
        row("list users", Method::GET, "/api/v1/admin/users?q=cast", NO_BODY, [401, 403, 403, 403, 403, 200]),
        row("audit log", Method::GET, "/api/v1/admin/audit", NO_BODY, [401, 403, 403, 403, 403, 200]),
        row(
            "change a role",
            Method::PATCH,
            "/api/v1/admin/users/{target}",
            json!({"role": "teacher", "reason": "runs the workshop"}),
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            "lock without a reason",
            Method::PATCH,
            "/api/v1/admin/users/{target}",
            json!({"locked": true}),
            [401, 403, 403, 403, 403, 422],
        ),
        row(
            "lock yourself",
            Method::PATCH,
            "/api/v1/admin/users/{me}",
            json!({"locked": true, "reason": "oops"}),
            [401, 403, 403, 403, 403, 409],
        ),
        row("export", Method::GET, "/api/v1/me/export", NO_BODY, [401, 200, 200, 200, 200, 200]),
        row(
            "delete with a wrong password",
            Method::DELETE,
            "/api/v1/me",
            json!({"password": "not the password"}),
            [401, 403, 403, 403, 403, 403],
        ),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &admin_console_table(), async |who| {
        let mut vars = app.course_vars(&cast, who.name()).await;
        let target = app.sign_up_student(&format!("target-{}@cast.test", who.name())).await;
        vars.insert("target", target.id().to_owned());
        vars.insert("me", cast.actor(who).user["id"].as_str().unwrap_or("nobody").to_owned());
        vars
    })
    .await;
}

async fn patch_user(app: &TestApp, admin: &Actor, id: &str, body: Value) -> Reply {
    app.api(admin).patch(&format!("/api/v1/admin/users/{id}"), body).await
}

#[tokio::test]
async fn a_locked_account_stops_working_at_once_and_unlocking_restores_sign_in() {
    let app = spawn_app().await;
    let admin = app.sign_in_admin().await;
    let student = app.sign_up_student("lockme@example.test").await;
    // A browser session of the same person.
    let mut browser = crate::web::signed_up(&app, "lockme-browser@example.test", "Browser Person").await;
    let browser_id = browser.api(&app).get("/api/v1/me").await.assert_status(StatusCode::OK).json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(&student).get("/api/v1/me").await.assert_status(StatusCode::OK);

    patch_user(&app, &admin, student.id(), json!({"locked": true, "reason": "spam in reviews"}))
        .await
        .assert_status(StatusCode::OK);
    patch_user(&app, &admin, &browser_id, json!({"locked": true, "reason": "shared account"}))
        .await
        .assert_status(StatusCode::OK);

    // The very next request with the still-unexpired access token is refused.
    app.api(&student).get("/api/v1/me").await.assert_code(StatusCode::UNAUTHORIZED, "account_locked");
    browser.api(&app).get("/api/v1/me").await.assert_code(StatusCode::UNAUTHORIZED, "account_locked");
    // The refresh token is dead too, and a page is no longer signed in.
    app.auth().refresh(student.refresh()).await.assert_status(StatusCode::UNAUTHORIZED);
    let (status, _) = browser.page(&app, "/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the locked browser is sent to sign in");
    // Signing in says why.
    app.auth()
        .login("lockme@example.test", PASSWORD)
        .await
        .assert_code(StatusCode::FORBIDDEN, "account_locked");

    let listed = app.api(&admin).get("/api/v1/admin/users?status=locked").await.assert_status(StatusCode::OK);
    let ids: Vec<&str> =
        listed.json["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&student.id()) && ids.contains(&browser_id.as_str()), "{}", listed.json);

    patch_user(&app, &admin, student.id(), json!({"locked": false})).await.assert_status(StatusCode::OK);
    let again = app.sign_in("lockme@example.test", PASSWORD).await;
    app.api(&again).get("/api/v1/me").await.assert_status(StatusCode::OK);
    let active = app
        .api(&admin)
        .get("/api/v1/admin/users?status=active&q=LOCKME@")
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(active.json["items"][0]["id"], student.id(), "{}", active.json);
    assert!(active.json["items"][0]["last_active_at"].is_string(), "{}", active.json);
}

#[tokio::test]
async fn role_changes_take_effect_at_once_and_admins_keep_one_admin() {
    let app = spawn_app().await;
    let admin = app.sign_in_admin().await;
    let person = app.sign_up_student("promote@example.test").await;
    app.api(&person).get("/api/v1/admin/audit").await.assert_status(StatusCode::FORBIDDEN);
    patch_user(&app, &admin, person.id(), json!({"role": "admin"}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let r = patch_user(&app, &admin, person.id(), json!({"role": "admin", "reason": "second admin"})).await;
    assert_eq!(r.assert_status(StatusCode::OK).json["role"], "admin");
    // The same access token is an admin's now.
    app.api(&person).get("/api/v1/admin/audit").await.assert_status(StatusCode::OK);
    // Nobody demotes themselves; the other admin may.
    patch_user(&app, &person, person.id(), json!({"role": "student", "reason": "step down"}))
        .await
        .assert_code(StatusCode::CONFLICT, "own_account");
    patch_user(&app, &admin, person.id(), json!({"role": "student", "reason": "back to learning"}))
        .await
        .assert_status(StatusCode::OK);
    app.api(&person).get("/api/v1/admin/audit").await.assert_status(StatusCode::FORBIDDEN);
    let filtered = app.api(&admin).get("/api/v1/admin/users?role=admin").await.assert_status(StatusCode::OK);
    assert_eq!(filtered.json["items"].as_array().unwrap().len(), 1, "{}", filtered.json);
    app.api(&admin)
        .get("/api/v1/admin/users?status=asleep")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_audit_log_holds_each_action_with_its_actor_and_reason() {
    let app = spawn_app().await;
    let admin = app.sign_in_admin().await;
    let admin_id = admin.id().to_owned();
    let person = app.sign_up_student("audited@example.test").await;
    patch_user(&app, &admin, person.id(), json!({"locked": true, "reason": "abusive messages"}))
        .await
        .assert_status(StatusCode::OK);
    patch_user(&app, &admin, person.id(), json!({"locked": false, "reason": "appeal accepted"}))
        .await
        .assert_status(StatusCode::OK);
    patch_user(&app, &admin, person.id(), json!({"role": "teacher", "reason": "hired"}))
        .await
        .assert_status(StatusCode::OK);
    // A no-op is not an action.
    patch_user(&app, &admin, person.id(), json!({"locked": false})).await.assert_status(StatusCode::OK);

    let log = app.api(&admin).get("/api/v1/admin/audit?limit=2").await.assert_status(StatusCode::OK);
    let first = log.json["items"].as_array().unwrap().clone();
    let next = log.json["next_cursor"].as_str().unwrap();
    let rest = app
        .api(&admin)
        .get(&format!("/api/v1/admin/audit?cursor={next}"))
        .await
        .assert_status(StatusCode::OK);
    let all: Vec<Value> =
        first.into_iter().chain(rest.json["items"].as_array().unwrap().iter().cloned()).collect();
    let seen: Vec<(&str, &str)> =
        all.iter().map(|e| (e["action"].as_str().unwrap(), e["reason"].as_str().unwrap_or(""))).collect();
    assert_eq!(
        seen,
        [("user.role", "hired"), ("user.unlock", "appeal accepted"), ("user.lock", "abusive messages")]
    );
    for e in &all {
        assert_eq!(e["actor"], admin_id.as_str());
        assert_eq!(e["target_type"], "user");
        assert_eq!(e["target_id"], person.id());
        assert!(e["at"].is_string() && e["id"].is_string());
    }
}

#[tokio::test]
async fn the_export_holds_the_callers_data_and_nobody_elses() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    let vars = app.course_vars(&cast, "export").await;
    // The other student does the same things in the same course.
    app.enrollments(&cast.student).enroll(&vars["course"]).await.assert_status(StatusCode::CREATED);
    app.reviews(&cast.student)
        .create(&vars["course"], json!({"rating": 2, "text": "the other student's words"}))
        .await
        .assert_status(StatusCode::CREATED);
    app.lessons(&cast.enrolled).complete(&vars["preview"]).await.assert_status(StatusCode::OK);

    let r = app.api(&cast.enrolled).get("/api/v1/me/export").await.assert_status(StatusCode::OK);
    assert!(r.headers["content-disposition"].to_str().unwrap().contains("attachment"));
    let e = &r.json;
    assert_eq!(e["account"]["email"], "enrolled@cast.test");
    assert_eq!(e["enrollments"].as_array().unwrap().len(), 1, "{e}");
    assert_eq!(e["enrollments"][0]["course_id"], vars["course"].as_str());
    assert_eq!(e["enrollments"][0]["completions"][0][0], vars["preview"].as_str());
    assert_eq!(e["reviews"][0]["text_md"], "great");
    assert!(!e["notifications"].as_array().unwrap().is_empty());
    assert!(e["email_preferences"].is_object());
    let text = r.text.clone();
    for leak in
        ["student@cast.test", "the other student's words", "password_hash", "argon2", cast.student.id()]
    {
        assert!(!text.contains(leak), "the export holds {leak:?}: {text}");
    }
}

#[tokio::test]
async fn deleting_an_account_leaves_no_email_or_name_and_the_review_stays_as_former_student() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    let vars = app.course_vars(&cast, "delete").await;
    let name = "Zebulon Quartzfeather";
    let email = "zebulon.quartz@example.test";
    let person = app.sign_up_student(email).await;
    app.api(&person).patch("/api/v1/me", json!({"name": name})).await.assert_status(StatusCode::OK);
    app.enrollments(&person).enroll(&vars["course"]).await.assert_status(StatusCode::CREATED);
    app.reviews(&person)
        .create(&vars["course"], json!({"rating": 4, "text": "solid course"}))
        .await
        .assert_status(StatusCode::CREATED);
    for lesson in ["preview", "lesson"] {
        app.lessons(&person).complete(&vars[lesson]).await.assert_status(StatusCode::OK);
    }

    app.api(&person)
        .send(Method::DELETE, "/api/v1/me", Some(&json!({"password": "wrong password"})))
        .await
        .assert_code(StatusCode::FORBIDDEN, "invalid_credentials");
    app.api(&person)
        .send(Method::DELETE, "/api/v1/me", Some(&json!({"password": PASSWORD})))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    // The session ended, the old sign-in is gone.
    app.api(&person).get("/api/v1/me").await.assert_status(StatusCode::UNAUTHORIZED);
    app.auth().login(email, PASSWORD).await.assert_code(StatusCode::UNAUTHORIZED, "invalid_credentials");

    // The review stays, by a former student, in the API and on the page in both languages.
    let reviews = app
        .visitor()
        .get(&format!("/api/v1/courses/{}/reviews", vars["course"]))
        .await
        .assert_status(StatusCode::OK);
    let mine = reviews.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["author"]["id"] == person.id())
        .unwrap()
        .clone();
    assert_eq!(mine["author"]["name"], "Former student");
    assert_eq!(mine["author"]["former_student"], true);
    let course =
        app.visitor().get(&format!("/api/v1/courses/{}", vars["course"])).await.assert_status(StatusCode::OK);
    let slug = course.json["slug"].as_str().unwrap().to_owned();
    let page = app.visitor().get(&format!("/courses/{slug}")).await.assert_status(StatusCode::OK);
    assert!(page.text.contains("former student") && !page.text.contains(name), "EN page");
    let page = app
        .visitor()
        .header("accept-language", "ru")
        .get(&format!("/courses/{slug}"))
        .await
        .assert_status(StatusCode::OK);
    assert!(page.text.contains("бывший студент"), "RU page");

    // Nothing in the store holds the email or the name: a backup copies every record.
    let admin = app.sign_in_admin().await;
    let info = app.admin(&admin).create_backup().await.assert_status(StatusCode::CREATED);
    let bytes = std::fs::read(app.dir.path().join("backups").join(info["name"].as_str().unwrap())).unwrap();
    for needle in [email, name, "Zebulon"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "the store still holds {needle:?}"
        );
    }
    let listed =
        app.api(&admin).get("/api/v1/admin/users?status=deleted").await.assert_status(StatusCode::OK);
    assert_eq!(listed.json["items"][0]["id"], person.id());
    let log = app.api(&admin).get("/api/v1/admin/audit").await.assert_status(StatusCode::OK);
    // Newest first: the backup just taken, then the deletion.
    assert_eq!(log.json["items"][0]["action"], "backup.create");
    assert_eq!(log.json["items"][1]["action"], "user.delete");

    // The address can be registered again, as a new account.
    let again = app.sign_up_student(email).await;
    assert_ne!(again.id(), person.id());
}
