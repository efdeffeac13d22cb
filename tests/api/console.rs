//! The admin console's pages and the account page's personal data, driven as a browser without
//! JavaScript would: the figures, the users list (search, filters, role and lock forms), the
//! audit log, who may open them; downloading my data and deleting my account.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde_json::Value;

use crate::helpers::*;
use crate::web::signed_up;

/// A browser signed in through the sign-in form.
async fn signed_in(app: &TestApp, email: &str, password: &str) -> Browser {
    let mut b = Browser::default();
    let res = b.form(app, "/signin", &[("email", email), ("password", password), ("next", "/learn")]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/learn");
    b
}

/// The number a figure of `/admin` shows.
fn figure(body: &str, id: &str) -> u64 {
    let marker = format!("data-figure=\"{id}\"><strong>");
    let start = body.find(&marker).unwrap_or_else(|| panic!("figure {id} in {body}")) + marker.len();
    let end = start + body[start..].find('<').unwrap();
    body[start..end].replace([',', '\u{a0}'], "").parse().unwrap()
}

/// The id of the account `email` (through the admin API).
async fn user_id(app: &TestApp, email: &str) -> String {
    let admin = app.sign_in_admin().await;
    let list =
        app.api(&admin).get(&format!("/api/v1/admin/users?q={email}")).await.assert_status(StatusCode::OK);
    list.json["items"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn console_shows_the_figures_and_they_move_with_a_signup() {
    let app = spawn_app().await;
    let mut admin = signed_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, body) = admin.page(&app, "/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Admin console") && body.contains("Monthly active users"), "{body}");
    assert_eq!(figure(&body, "users"), 1, "the admin alone");
    assert!(body.contains("Completion rate") && body.contains("data-figure=\"completion-rate\"><strong>—"));
    for href in ["/admin/users", "/admin/orders", "/admin/payouts", "/admin/ledger", "/admin/audit"] {
        assert!(body.contains(&format!("href=\"{href}\"")), "a link to {href}");
    }
    assert!(body.contains("aria-current=\"page\">Console"), "the console's navigation");

    signed_up(&app, "newcomer@school.test", "Nora Newcomer").await;
    let (_, body) = admin.page(&app, "/admin").await;
    assert_eq!(figure(&body, "users"), 2);
    assert!(body.contains("Students: 1, teachers: 0, admins: 1"), "{body}");
    assert_eq!(figure(&body, "monthly-active"), 2, "both signed in just now");
}

#[tokio::test]
async fn console_users_search_filter_lock_unlock_and_change_a_role() {
    let app = spawn_app().await;
    let mut lena = signed_up(&app, "lena@school.test", "Lena Locked").await;
    signed_up(&app, "oscar@school.test", "Oscar Other").await;
    let lena_id = user_id(&app, "lena@school.test").await;
    let mut admin = signed_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Newest first, searchable by part of the email or the name, filtered by role and status.
    let (status, body) = admin.page(&app, "/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    let (oscar, lena_at) = (body.find("oscar@school.test").unwrap(), body.find("lena@school.test").unwrap());
    assert!(oscar < lena_at, "newest first");
    assert!(body.contains("ends every one of its sessions at once"), "locking is explained");
    let (_, body) = admin.page(&app, "/admin/users?q=LOCKED").await;
    assert!(body.contains("lena@school.test") && !body.contains("oscar@school.test"), "{body}");
    let (_, body) = admin.page(&app, "/admin/users?role=admin").await;
    assert!(body.contains(ADMIN_EMAIL) && !body.contains("lena@school.test"));
    let (_, body) = admin.page(&app, "/admin/users?status=locked").await;
    assert!(body.contains("No accounts match these filters."));

    // A lock needs a reason: the page says so and nothing changes.
    let csrf = admin.csrf.clone();
    let lock = format!("/admin/users/{lena_id}/lock");
    let back = "/admin/users?q=lena";
    let res = admin.form(&app, &lock, &[("csrf", &csrf), ("reason", ""), ("back", back)]).await;
    let body = res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text;
    assert!(body.contains("id=\"users-error\"") && body.contains("Give a reason of 3 to 1000"), "{body}");
    let (status, _) = lena.page(&app, "/learn").await;
    assert_eq!(status, StatusCode::OK, "still signed in");

    let res =
        admin.form(&app, &lock, &[("csrf", &csrf), ("reason", "Spamming reviews"), ("back", back)]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/admin/users?q=lena&done=lock");
    let (_, body) = admin.page(&app, "/admin/users?q=lena&done=lock").await;
    assert!(body.contains("id=\"users-notice\"") && body.contains("data-status=\"locked\""), "{body}");
    assert!(body.contains(&format!("action=\"/admin/users/{lena_id}/unlock\"")));
    let (_, body) = admin.page(&app, "/admin/users?status=locked").await;
    assert!(body.contains("lena@school.test") && !body.contains("oscar@school.test"));

    // Her browser's session is refused on its next request.
    let res = lena.get(&app, "/learn").await.assert_status(StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/signin"), "{}", res.location());
    assert!(lena.cookie("lectern_access").is_none() && lena.cookie("lectern_refresh").is_none());
    let res = Browser::default()
        .form(&app, "/signin", &[("email", "lena@school.test"), ("password", PASSWORD), ("next", "/learn")])
        .await;
    let body = res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text;
    assert!(body.contains("This account is locked"), "no sign-in while locked, and why: {body}");

    // Unlocked (the reason is optional), she can sign in again.
    let unlock = format!("/admin/users/{lena_id}/unlock");
    let res = admin.form(&app, &unlock, &[("csrf", &csrf), ("reason", "Apologised")]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/admin/users?done=unlock");
    signed_in(&app, "lena@school.test", PASSWORD).await;

    // A role change, with its reason.
    let role = format!("/admin/users/{lena_id}/role");
    let res = admin
        .form(&app, &role, &[("csrf", &csrf), ("role", "teacher"), ("reason", "Runs the workshop")])
        .await;
    res.assert_status(StatusCode::SEE_OTHER);
    let (_, body) = admin.page(&app, "/admin/users?role=teacher").await;
    assert!(body.contains("lena@school.test") && body.contains("data-role=\"role-teacher\""), "{body}");

    // Refusals are messages: the admin's own account.
    let me = user_id(&app, ADMIN_EMAIL).await;
    let res =
        admin.form(&app, &format!("/admin/users/{me}/lock"), &[("csrf", &csrf), ("reason", "Oops")]).await;
    let body = res.assert_status(StatusCode::CONFLICT).text;
    assert!(body.contains("You cannot lock or demote your own account"), "{body}");
    let res = admin
        .form(
            &app,
            &format!("/admin/users/{me}/role"),
            &[("csrf", &csrf), ("role", "student"), ("reason", "Oops")],
        )
        .await;
    res.assert_status(StatusCode::CONFLICT);

    // A form without the session's CSRF token changes nothing.
    let res = admin.form(&app, &lock, &[("csrf", "forged"), ("reason", "Spamming reviews")]).await;
    res.assert_status(StatusCode::FORBIDDEN);

    // The audit log holds every action, newest first, with its actor and reason.
    let (status, body) = admin.page(&app, "/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    let pos =
        |action: &str| body.find(&format!("data-action=\"{action}\"")).unwrap_or_else(|| panic!("{action}"));
    assert!(pos("user.role") < pos("user.unlock") && pos("user.unlock") < pos("user.lock"), "newest first");
    assert!(
        body.contains("Account locked")
            && body.contains("Spamming reviews")
            && body.contains("Runs the workshop")
    );
    assert!(body.contains("Apologised") && body.contains(ADMIN_EMAIL), "the actor");
    assert!(body.contains("Lena Locked &#60;lena@school.test&#62;"), "the target, by name: {body}");
    assert!(!body.contains("Oops"), "refused actions are not recorded");
}

#[tokio::test]
async fn console_pages_are_for_admins_only() {
    let app = spawn_app().await;
    let mut student = signed_up(&app, "student@school.test", "Sam Student").await;
    app.sign_up_teacher("teacher@school.test").await;
    let mut teacher = signed_in(&app, "teacher@school.test", PASSWORD).await;
    let target = user_id(&app, "student@school.test").await;
    for path in ["/admin", "/admin/users", "/admin/users?q=student", "/admin/audit"] {
        for b in [&mut student, &mut teacher] {
            let res = b.get(&app, path).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
            assert!(res.header(CONTENT_TYPE.as_str()).unwrap().starts_with("text/html"), "{path}");
            assert!(res.text.contains("You cannot open this page"), "the friendly page");
        }
        let res = app.visitor().get(path).await.assert_status(StatusCode::SEE_OTHER);
        assert!(res.location().starts_with("/signin?next="), "{path}");
    }
    let (_, body) = teacher.page(&app, "/learn").await;
    assert!(!body.contains("href=\"/admin\""), "no console link for teachers");
    for action in ["lock", "unlock", "role"] {
        let csrf = teacher.csrf.clone();
        let path = format!("/admin/users/{target}/{action}");
        let fields = [("csrf", csrf.as_str()), ("role", "admin"), ("reason", "Let me in")];
        teacher.form(&app, &path, &fields).await.assert_status(StatusCode::FORBIDDEN);
    }
    let admin = app.sign_in_admin().await;
    let audit = app.api(&admin).get("/api/v1/admin/audit").await.assert_status(StatusCode::OK);
    assert_eq!(audit.json["items"].as_array().unwrap().len(), 0, "nothing happened");
}

#[tokio::test]
async fn console_account_page_downloads_my_data_and_deletes_my_account() {
    let app = spawn_app().await;
    let mut b = signed_up(&app, "leaving@school.test", "Lea Leaving").await;
    let (_, body) = b.page(&app, "/account").await;
    assert!(body.contains("href=\"/account/export\"") && body.contains("Download my data"));
    assert!(body.contains("id=\"delete-form\"") && body.contains("former student"), "what is kept is said");
    assert!(body.contains("the law requires"));

    let res = b.get(&app, "/account/export").await.assert_status(StatusCode::OK);
    let disposition = res.header(CONTENT_DISPOSITION.as_str()).unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(res.header(CONTENT_TYPE.as_str()).unwrap().starts_with("application/json"));
    let export: Value = serde_json::from_str(&res.text).unwrap();
    assert_eq!(export["account"]["email"], "leaving@school.test");
    assert!(!res.text.contains("password_hash"));
    let res = app.visitor().get("/account/export").await.assert_status(StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/signin"), "visitors sign in first");

    // A wrong password is a message; nothing is deleted.
    let csrf = b.csrf.clone();
    let res = b.form(&app, "/account/delete", &[("csrf", &csrf), ("password", "not my password")]).await;
    let body = res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text;
    assert!(body.contains("id=\"delete-error\"") && body.contains("That password is not correct"), "{body}");
    let (status, _) = b.page(&app, "/learn").await;
    assert_eq!(status, StatusCode::OK, "still signed in");

    let res = b.form(&app, "/account/delete", &[("csrf", &csrf), ("password", PASSWORD)]).await;
    let body = res.assert_status(StatusCode::OK).text;
    assert!(body.contains("Your account is deleted"), "{body}");
    assert!(b.cookie("lectern_access").is_none() && b.cookie("lectern_refresh").is_none(), "signed out");
    let res = b.get(&app, "/learn").await.assert_status(StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/signin"));

    // The email is free again.
    signed_up(&app, "leaving@school.test", "Lea Returning").await;
    let mut admin = signed_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, body) = admin.page(&app, "/admin/audit").await;
    assert!(body.contains("data-action=\"user.delete\"") && body.contains("Deleted account"), "{body}");
    let (_, body) = admin.page(&app, "/admin/users?status=deleted").await;
    assert!(body.contains("Deleted account") && !body.contains("Lea Leaving"), "{body}");
}

#[tokio::test]
async fn console_pages_speak_russian() {
    let app = spawn_app().await;
    let mut admin = signed_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.get(&app, "/lang/ru?next=/admin").await.assert_status(StatusCode::SEE_OTHER);
    let (status, body) = admin.page(&app, "/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"ru\"") && body.contains("Консоль администратора"), "{body}");
    assert!(body.contains("Активные за месяц") && body.contains("Студенты: 0, преподаватели: 0"));
    let (_, body) = admin.page(&app, "/admin/users").await;
    assert!(
        body.contains("Пользователи") && body.contains("Заблокировать") && body.contains("Администратор")
    );
    let csrf = admin.csrf.clone();
    let me = user_id(&app, ADMIN_EMAIL).await;
    let res = admin
        .form(&app, &format!("/admin/users/{me}/lock"), &[("csrf", &csrf), ("reason", "Проверка")])
        .await;
    assert!(
        res.assert_status(StatusCode::CONFLICT).text.contains("Нельзя заблокировать свою учётную запись")
    );
    let (_, body) = admin.page(&app, "/admin/audit").await;
    assert!(body.contains("Журнал действий") && body.contains("Пока ничего не записано."));
    let (_, body) = admin.page(&app, "/account").await;
    assert!(body.contains("Скачать мои данные") && body.contains("Удалить учётную запись навсегда"));
    assert!(body.contains("«бывший студент»"));
}
