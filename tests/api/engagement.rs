//! Engagement mail: enrollment, completion, reminders and digests (language, parts, headers),
//! the reminder rules over simulated days and across a restart, email preferences and the
//! one-click unsubscribe.

use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::web::signed_up;

const DAY_MS: i64 = 86_400_000;
const DAY: Duration = Duration::from_secs(86_400);

/// Moves the app's clock to the next 12:00 UTC: inside sending hours (09:00–20:00 at the
/// default school offset, +00:00), whatever the real time of day.
fn to_noon(app: &TestApp) {
    let now = app.state().clock.now().millis();
    let delta = (12 * 3_600_000 - now.rem_euclid(DAY_MS)).rem_euclid(DAY_MS);
    app.state().clock.advance(Duration::from_millis(delta as u64));
}

fn days(app: &TestApp, n: u32) {
    app.state().clock.advance(DAY * n);
}

async fn tick(app: &TestApp) -> (usize, usize) {
    let t = app.state().engagement.tick().await.expect("a scheduler pass");
    (t.reminders, t.digests)
}

fn header<'a>(mail: &'a Value, name: &str) -> Option<&'a str> {
    mail["headers"].as_array()?.iter().find(|h| h[0] == name).and_then(|h| h[1].as_str())
}

fn subject(mail: &Value) -> &str {
    mail["subject"].as_str().unwrap()
}

fn text(mail: &Value) -> &str {
    mail["text"].as_str().unwrap()
}

fn cyrillic(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}'))
}

/// Mail to `to` whose subject contains any of `needles`, newest first.
async fn mails(app: &TestApp, to: &str, needles: &[&str]) -> Vec<Value> {
    app.mails_to(to).await.into_iter().filter(|m| needles.iter().any(|n| subject(m).contains(n))).collect()
}

const REMINDER: [&str; 2] = ["Your course is waiting", "Курс ждёт вас"];
const ENROLLED: [&str; 2] = ["You are enrolled", "Вы записаны"];
const COMPLETED: [&str; 2] = ["You completed", "Вы прошли курс"];
const DIGEST: [&str; 2] = ["Your courses today", "Ваши курсы за день"];

async fn reminders(app: &TestApp, to: &str) -> usize {
    mails(app, to, &REMINDER).await.len()
}

/// A student who writes Russian.
async fn russian_student(app: &TestApp, email: &str) -> Actor {
    let s = app.sign_up_student(email).await;
    app.me(&s).update(json!({"locale": "ru"})).await.assert_status(StatusCode::OK);
    s
}

async fn enroll(app: &TestApp, who: &Actor, course: &CourseFixture) {
    app.enrollments(who).enroll(&course.id).await.assert_status(StatusCode::CREATED);
}

async fn complete(app: &TestApp, who: &Actor, lesson: &str) {
    app.lessons(who).complete(lesson).await.assert_status(StatusCode::OK);
}

/// The unsubscribe link a mail carries in its `List-Unsubscribe` header, as a local path.
fn unsubscribe_path(mail: &Value) -> String {
    let h = header(mail, "List-Unsubscribe").expect("a List-Unsubscribe header");
    let url = h.strip_prefix('<').and_then(|h| h.strip_suffix('>')).expect("<url>");
    assert!(url.starts_with("http://school.test/unsubscribe?token="), "{url}");
    url.trim_start_matches("http://school.test").to_owned()
}

#[tokio::test]
async fn enrollment_and_completion_mail_speak_the_students_language_and_are_not_unsubscribable() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let course = app.course(&teacher, "Rust Basics", json!({}), 2, true).await;
    let en = app.sign_up_student("en@school.test").await;
    let ru = russian_student(&app, "ru@school.test").await;
    for (who, email, russian) in [(&en, "en@school.test", false), (&ru, "ru@school.test", true)] {
        enroll(&app, who, &course).await;
        let m = mails(&app, email, &ENROLLED).await;
        assert_eq!(m.len(), 1, "one enrollment mail to {email}");
        assert_eq!(cyrillic(subject(&m[0])), russian, "{}", subject(&m[0]));
        assert_eq!(cyrillic(text(&m[0])), russian);
        assert!(subject(&m[0]).contains("Rust Basics"));
        assert!(
            text(&m[0]).contains(&format!("http://school.test/learn/{}", course.slug)),
            "{}",
            text(&m[0])
        );
        assert_eq!(m[0]["headers"], json!([]), "essential mail has no List-Unsubscribe");

        for l in &course.lessons {
            complete(&app, who, l).await;
        }
        let m = mails(&app, email, &COMPLETED).await;
        assert_eq!(m.len(), 1, "one completion mail to {email}");
        assert_eq!(cyrillic(subject(&m[0])), russian, "{}", subject(&m[0]));
        // It leads to the certificate issued in the same unit of work.
        let certs = app.certificates(who).mine().await.assert_status(StatusCode::OK).json;
        let code = certs["items"][0]["code"].as_str().expect("a certificate").to_owned();
        assert!(text(&m[0]).contains(&format!("http://school.test/certificates/{code}")), "{}", text(&m[0]));
        assert_eq!(m[0]["headers"], json!([]));
        // Un-marking and re-marking a lesson of a finished course sends nothing new.
        app.lessons(who).uncomplete(&course.lessons[1]).await.assert_status(StatusCode::OK);
        complete(&app, who, &course.lessons[1]).await;
        assert_eq!(mails(&app, email, &COMPLETED).await.len(), 1);
    }
}

#[tokio::test]
async fn a_paid_enrollment_is_confirmed_and_its_receipt_has_no_list_unsubscribe() {
    let app = spawn_with(|c| c.payments.test = true).await;
    let teacher = app.sign_up_teacher("seller@school.test").await;
    let course = app.course(&teacher, "Paid Rust", json!({"price_minor": 4900}), 2, true).await;
    let mut b = signed_up(&app, "buyer@school.test", "Buyer").await;
    let csrf = b.csrf.clone();
    let res = b
        .form(&app, &format!("/courses/{}/buy", course.slug), &[("csrf", &csrf), ("provider", "test")])
        .await;
    let pay = res
        .assert_status(StatusCode::SEE_OTHER)
        .location()
        .trim_start_matches("http://school.test")
        .to_owned();
    let csrf = b.csrf.clone();
    b.form(&app, &pay, &[("csrf", &csrf), ("outcome", "pay")]).await.assert_status(StatusCode::SEE_OTHER);

    let all = app.mails_to("buyer@school.test").await;
    let receipt = all.iter().find(|m| subject(m).contains("receipt")).expect("a receipt");
    assert_eq!(header(receipt, "List-Unsubscribe"), None);
    assert_eq!(header(receipt, "List-Unsubscribe-Post"), None);
    let enrolled = mails(&app, "buyer@school.test", &ENROLLED).await;
    assert_eq!(enrolled.len(), 1, "the paid enrollment is confirmed too");
    assert!(subject(&enrolled[0]).contains("Paid Rust"));
}

#[tokio::test]
async fn reminders_go_to_idle_students_of_unfinished_courses_weekly_at_most_three_times() {
    let app = spawn_app().await;
    to_noon(&app);
    let teacher = app.sign_up_teacher("t@school.test").await;
    let course = app.course(&teacher, "Patient Python", json!({}), 3, true).await;
    let idle = app.sign_up_student("idle@school.test").await;
    let idle_ru = russian_student(&app, "idle-ru@school.test").await;
    let active = app.sign_up_student("active@school.test").await;
    let finished = app.sign_up_student("finished@school.test").await;
    let opted_out = app.sign_up_student("optout@school.test").await;
    for s in [&idle, &idle_ru, &active, &finished, &opted_out] {
        enroll(&app, s, &course).await;
    }
    for l in &course.lessons {
        complete(&app, &finished, l).await;
    }
    app.email_prefs(&opted_out).update(json!({"reminders": false})).await.assert_status(StatusCode::OK);
    assert_eq!(tick(&app).await.0, 0, "nobody is idle yet");

    // Day 2: the active student studies; nobody has been idle for 3 days.
    days(&app, 2);
    complete(&app, &active, &course.lessons[0]).await;
    assert_eq!(tick(&app).await.0, 0);

    // Day 3: the two idle students are reminded, once, each in their language.
    days(&app, 1);
    assert_eq!(tick(&app).await.0, 2);
    assert_eq!(tick(&app).await.0, 0, "a second pass sends nothing again");
    for (email, russian) in [("idle@school.test", false), ("idle-ru@school.test", true)] {
        let m = mails(&app, email, &REMINDER).await;
        assert_eq!(m.len(), 1, "{email}");
        let m = &m[0];
        assert_eq!(cyrillic(subject(m)), russian, "{}", subject(m));
        assert_eq!(cyrillic(text(m)), russian, "{}", text(m));
        assert!(subject(m).contains("Patient Python"));
        assert!(text(m).contains(&format!("http://school.test/learn/{}", course.slug)), "{}", text(m));
        assert_eq!(header(m, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        let link = unsubscribe_path(m);
        assert!(text(m).contains(&format!("http://school.test{link}")), "the link is in the text too");
    }
    for email in ["active@school.test", "finished@school.test", "optout@school.test"] {
        assert_eq!(reminders(&app, email).await, 0, "{email}");
    }

    // Day 5: the active student has now been idle 3 days; the idle ones wait for their week.
    days(&app, 2);
    assert_eq!(tick(&app).await.0, 1);
    assert_eq!(reminders(&app, "active@school.test").await, 1);
    assert_eq!(reminders(&app, "idle@school.test").await, 1);

    // Day 10, 17, 24, 31: one a week, three in all for each enrollment.
    for (day, expected) in [(10, 2), (17, 3), (24, 3), (31, 3)] {
        let now = app.state().clock.now();
        days(&app, if day == 10 { 5 } else { 7 });
        tick(&app).await;
        assert_eq!(reminders(&app, "idle@school.test").await, expected, "day {day} ({now:?})");
        assert_eq!(reminders(&app, "idle-ru@school.test").await, expected, "day {day}");
    }
    assert_eq!(reminders(&app, "active@school.test").await, 3);
    for email in ["finished@school.test", "optout@school.test"] {
        assert_eq!(reminders(&app, email).await, 0, "{email}");
    }
}

/// The raw message (DATA) the fake SMTP server got whose text contains `needle`.
async fn delivered(received: &std::sync::Mutex<Vec<String>>, needle: &str) -> String {
    for _ in 0..100 {
        if let Some(m) = received.lock().unwrap().iter().find(|m| m.contains(needle)) {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no message with {needle:?} reached the SMTP server");
}

#[tokio::test]
async fn the_unsubscribe_headers_reach_the_smtp_server_on_reminders_only() {
    let (port, received) = crate::mail::fake_smtp().await;
    let smtp = lectern::config::Secret::new(format!("smtp://127.0.0.1:{port}").into_bytes());
    let app = spawn_with(|c| c.smtp_url = Some(smtp)).await;
    to_noon(&app);
    let teacher = app.sign_up_teacher("t@school.test").await;
    let course = app.course(&teacher, "Wire Format", json!({}), 2, true).await;
    let s = app.sign_up_student("wire@school.test").await;
    enroll(&app, &s, &course).await;
    days(&app, 3);
    assert_eq!(tick(&app).await.0, 1);

    let reminder = delivered(&received, "Subject: Your course is waiting").await;
    assert!(reminder.contains("List-Unsubscribe: <http://school.test/unsubscribe?token="), "{reminder}");
    assert!(reminder.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"), "{reminder}");
    assert!(reminder.contains("multipart/alternative"));
    let enrolled = delivered(&received, "Subject: You are enrolled").await;
    assert!(!enrolled.contains("List-Unsubscribe"), "{enrolled}");
    assert!(enrolled.contains("multipart/alternative"));

    // Once delivered, the token in the kept copy is redacted, header included.
    let mut kept = Value::Null;
    for _ in 0..50 {
        kept = mails(&app, "wire@school.test", &REMINDER).await[0].clone();
        if kept["status"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(kept["status"], "sent");
    assert_eq!(header(&kept, "List-Unsubscribe"), Some("<http://school.test/unsubscribe?token=[redacted]>"));
}

#[tokio::test]
async fn reminders_wait_for_sending_hours() {
    let app = spawn_app().await;
    to_noon(&app);
    let teacher = app.sign_up_teacher("t@school.test").await;
    let course = app.course(&teacher, "Night Owls", json!({}), 2, true).await;
    // Enrolled at 22:00: three days later it is 22:00 again, too late to write.
    app.state().clock.advance(Duration::from_secs(10 * 3600));
    let s = app.sign_up_student("owl@school.test").await;
    enroll(&app, &s, &course).await;
    days(&app, 3);
    assert_eq!(tick(&app).await.0, 0, "22:00 is outside sending hours");
    app.state().clock.advance(Duration::from_secs(9 * 3600)); // 07:00
    assert_eq!(tick(&app).await.0, 0, "07:00 is too early");
    app.state().clock.advance(Duration::from_secs(2 * 3600 + 60)); // 09:01
    assert_eq!(tick(&app).await.0, 1);
    assert_eq!(reminders(&app, "owl@school.test").await, 1);
}

/// Moves the app's clock to `at` (ms since the epoch), which must not be in its past.
fn move_to(app: &TestApp, at: i64) {
    let now = app.state().clock.now().millis();
    assert!(at >= now, "the clock only moves forward");
    app.state().clock.advance(Duration::from_millis((at - now) as u64));
}

#[tokio::test]
async fn nothing_is_sent_twice_across_a_restart() {
    let app = spawn_app().await;
    to_noon(&app);
    let t0 = app.state().clock.now().millis();
    let teacher = app.sign_up_teacher("t@school.test").await;
    let course = app.course(&teacher, "Durable Go", json!({}), 2, true).await;
    let early = app.sign_up_student("early@school.test").await;
    enroll(&app, &early, &course).await;
    days(&app, 3);
    assert_eq!(tick(&app).await.0, 1);
    let late = app.sign_up_student("late@school.test").await;
    enroll(&app, &late, &course).await;
    // The late student's reminder falls due (day 6) while the server is down.

    // A new process has a new clock: bring it to 13:00 on day 6.
    let app = app.restart().await;
    // (The new server's own scheduler task may get there first: count the mail, not the pass.)
    move_to(&app, t0 + 6 * DAY_MS + 3_600_000);
    tick(&app).await;
    tick(&app).await;
    assert_eq!(
        reminders(&app, "late@school.test").await,
        1,
        "the reminder due during the downtime goes, once"
    );
    assert_eq!(reminders(&app, "early@school.test").await, 1, "sent before the restart, not again");

    let app = app.restart().await;
    move_to(&app, t0 + 6 * DAY_MS + 3_660_000);
    assert_eq!(tick(&app).await.0, 0, "a second restart sends nothing more");
    // A week after the first reminder (day 10), the early student gets the second, once.
    move_to(&app, t0 + 10 * DAY_MS + 3_600_000);
    tick(&app).await;
    tick(&app).await;
    assert_eq!(reminders(&app, "early@school.test").await, 2);
    assert_eq!(reminders(&app, "late@school.test").await, 1);
    assert_eq!(mails(&app, "late@school.test", &ENROLLED).await.len(), 1, "and one enrollment mail");
}

#[tokio::test]
async fn teachers_get_one_digest_a_day_and_only_with_news() {
    let app = spawn_app().await;
    to_noon(&app);
    let en = app.sign_up_teacher("teacher-en@school.test").await;
    let ru = app.sign_up_teacher("teacher-ru@school.test").await;
    app.me(&ru).update(json!({"locale": "ru"})).await.assert_status(StatusCode::OK);
    let a = app.course(&en, "Algebra", json!({}), 1, true).await;
    let b = app.course(&en, "Biology", json!({}), 1, true).await;
    let c = app.course(&ru, "Chemistry", json!({}), 1, true).await;
    let s1 = app.sign_up_student("s1@school.test").await;
    let s2 = app.sign_up_student("s2@school.test").await;
    for s in [&s1, &s2] {
        enroll(&app, s, &a).await;
        enroll(&app, s, &c).await;
    }
    enroll(&app, &s1, &b).await;
    app.reviews(&s1)
        .create(&a.id, json!({"rating": 5, "text": "Clear"}))
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(tick(&app).await.1, 0, "the digest waits for the next morning");

    days(&app, 1);
    assert_eq!(tick(&app).await.1, 2, "one per teacher with news");
    assert_eq!(tick(&app).await.1, 0);
    let d = mails(&app, "teacher-en@school.test", &DIGEST).await;
    assert_eq!(d.len(), 1);
    let t = text(&d[0]);
    assert!(subject(&d[0]).contains("3 new students, 1 new review"), "{}", subject(&d[0]));
    assert!(
        t.contains(&format!("Algebra: 2 new students, 1 new review: http://school.test/courses/{}", a.slug)),
        "{t}"
    );
    assert!(t.contains("Biology: 1 new student, 0 new reviews"), "{t}");
    assert!(!cyrillic(t));
    assert!(d[0]["headers"].to_string().contains("List-Unsubscribe"));
    unsubscribe_path(&d[0]);
    let d = mails(&app, "teacher-ru@school.test", &DIGEST).await;
    assert_eq!(d.len(), 1);
    assert!(text(&d[0]).contains("Chemistry: 2 новых студента, 0 новых отзывов"), "{}", text(&d[0]));
    assert_eq!(header(&d[0], "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));

    // A day without news: nothing. News again: the next digest, the next morning.
    days(&app, 1);
    assert_eq!(tick(&app).await.1, 0);
    let s3 = app.sign_up_student("s3@school.test").await;
    enroll(&app, &s3, &b).await;
    assert_eq!(tick(&app).await.1, 0);
    days(&app, 1);
    assert_eq!(tick(&app).await.1, 1);
    assert_eq!(mails(&app, "teacher-en@school.test", &DIGEST).await.len(), 2);
    assert_eq!(mails(&app, "teacher-ru@school.test", &DIGEST).await.len(), 1);

    // A teacher who turned digests off gets none.
    app.email_prefs(&en).update(json!({"digests": false})).await.assert_status(StatusCode::OK);
    let s4 = app.sign_up_student("s4@school.test").await;
    enroll(&app, &s4, &a).await;
    days(&app, 1);
    assert_eq!(tick(&app).await.1, 0);
    assert_eq!(mails(&app, "teacher-en@school.test", &DIGEST).await.len(), 2);
}

#[tokio::test]
async fn one_click_unsubscribe_works_without_a_session() {
    let app = spawn_app().await;
    to_noon(&app);
    let teacher = app.sign_up_teacher("t@school.test").await;
    let course = app.course(&teacher, "Leaving Lisp", json!({}), 2, true).await;
    let s = app.sign_up_student("leaver@school.test").await;
    enroll(&app, &s, &course).await;
    days(&app, 3);
    assert_eq!(tick(&app).await.0, 1);
    let link = unsubscribe_path(&mails(&app, "leaver@school.test", &REMINDER).await[0]);

    // Opening the link changes nothing: it asks to confirm, in a form that needs no session.
    let (status, body) = Browser::default().page(&app, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("lesson reminders") && body.contains("method=\"post\""), "{body}");
    app.email_prefs(&s).get().await.assert_status(StatusCode::OK);
    assert_eq!(app.email_prefs(&s).get().await.json["reminders"], true);

    // RFC 8058: a POST with `List-Unsubscribe=One-Click`, no cookies, no CSRF token.
    let res = app
        .client
        .post(app.url(&link))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("no longer get lesson reminders"));
    let prefs = app.email_prefs(&s).get().await.assert_status(StatusCode::OK).json;
    assert_eq!(prefs, json!({"reminders": false, "digests": true, "product_news": true}));
    // Again: still fine (mail providers retry).
    let again = app.client.post(app.url(&link)).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);

    days(&app, 7);
    tick(&app).await;
    assert_eq!(reminders(&app, "leaver@school.test").await, 1, "no reminder after unsubscribing");

    // Bad, tampered or missing tokens: a friendly 400 page, and nothing changes.
    let token = link.trim_start_matches("/unsubscribe?token=");
    let mut tampered = token.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    for bad in ["/unsubscribe?token=nonsense", "/unsubscribe", &format!("/unsubscribe?token={tampered}")] {
        let (status, body) = Browser::default().page(&app, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(body.contains("not valid"), "{bad}: {body}");
        let res = app.client.post(app.url(bad)).body("List-Unsubscribe=One-Click").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn preferences_api_and_the_account_page_toggles() {
    let app = spawn_app().await;
    let mut b = signed_up(&app, "prefs@school.test", "Pref Person").await;
    let s = app.sign_in("prefs@school.test", PASSWORD).await;
    let prefs = app.email_prefs(&s);
    assert_eq!(
        prefs.get().await.assert_status(StatusCode::OK).json,
        json!({"reminders": true, "digests": true, "product_news": true})
    );
    let v = prefs.update(json!({"digests": false})).await.assert_status(StatusCode::OK).json;
    assert_eq!(v, json!({"reminders": true, "digests": false, "product_news": true}));
    prefs.update(json!({"digests": "no"})).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    prefs.update(json!({"newsletter": false})).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(prefs.get().await.json["digests"], false);

    // The account page shows the toggles as they are, and its form works without scripts.
    let (status, body) = b.page(&app, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("action=\"/account/email-preferences\""), "{body}");
    assert!(body.contains("name=\"reminders\" value=\"on\" checked"));
    assert!(body.contains("name=\"digests\" value=\"on\">"), "digests off");
    let csrf = b.csrf.clone();
    let res = b.form(&app, "/account/email-preferences", &[("csrf", &csrf), ("digests", "on")]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/account?saved=email");
    assert_eq!(prefs.get().await.json, json!({"reminders": false, "digests": true, "product_news": false}));
    let (_, body) = b.page(&app, "/account?saved=email").await;
    assert!(body.contains("Your email preferences are saved."));
    assert!(
        body.contains("name=\"reminders\" value=\"on\">")
            && body.contains("name=\"digests\" value=\"on\" checked")
    );

    // Without the CSRF token the form is refused and nothing changes.
    let res = b.form(&app, "/account/email-preferences", &[("reminders", "on")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(prefs.get().await.json["reminders"], false);

    // In Russian.
    b.get(&app, "/lang/ru?next=/account").await;
    let (_, body) = b.page(&app, "/account").await;
    assert!(body.contains("Напоминания об уроках") && body.contains("Новости школы"), "{body}");
}

fn engagement_table() -> Vec<Row> {
    vec![
        //   what                  method          path                              body                       anon stud enrl other owner admin
        row(
            "read my email prefs",
            Method::GET,
            "/api/v1/me/email-preferences",
            NO_BODY,
            [401, 200, 200, 200, 200, 200],
        ),
        row(
            "change my prefs",
            Method::PATCH,
            "/api/v1/me/email-preferences",
            json!({"reminders": false}),
            [401, 200, 200, 200, 200, 200],
        ),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &engagement_table(), async |_| Vars::new()).await;
    // Each caller changed only their own preferences.
    let mine = app.email_prefs(&cast.student).get().await.assert_status(StatusCode::OK).json;
    assert_eq!(mine["reminders"], false);
    let fresh = app.sign_up_student("fresh@school.test").await;
    assert_eq!(app.email_prefs(&fresh).get().await.json["reminders"], true);
}
