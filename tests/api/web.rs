//! The web pages, driven as a browser without JavaScript would: forms, redirects, cookies.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};

use crate::helpers::*;

/// A published course with `lessons` lessons, by a fresh teacher.
async fn published(app: &TestApp, title: &str, lessons: usize) -> CourseFixture {
    let teacher = app.register_as(&format!("{}@teach.test", title.len()), "teacher").await;
    let c = app.course(&access(&teacher), title, json!({}), lessons, true).await;
    app.indexed().await;
    c
}

async fn signed_up(app: &TestApp, email: &str, name: &str) -> Browser {
    let mut b = Browser::default();
    let res = b
        .form(app, "/signup", &[("name", name), ("email", email), ("password", PASSWORD), ("next", "/learn")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), "/learn");
    assert!(b.cookie("lectern_access").is_some() && b.cookie("lectern_refresh").is_some());
    b
}

fn json_ld(html: &str) -> Value {
    let start = html.find("<script type=\"application/ld+json\">").expect("JSON-LD present")
        + "<script type=\"application/ld+json\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("JSON-LD parses")
}

#[tokio::test]
async fn pages_speak_the_visitors_language_and_remember_a_switch() {
    let app = spawn_app().await;
    let ru =
        app.client.get(app.url("/")).header(ACCEPT_LANGUAGE, "ru-RU,ru;q=0.9,en;q=0.5").send().await.unwrap();
    let body = ru.text().await.unwrap();
    assert!(body.contains("<html lang=\"ru\""), "Accept-Language chooses Russian");
    assert!(body.contains("Популярные курсы"));

    let en = app.client.get(app.url("/")).header(ACCEPT_LANGUAGE, "de-DE").send().await.unwrap();
    assert!(
        en.text().await.unwrap().contains("<html lang=\"en\""),
        "unsupported languages fall back to English"
    );

    let mut b = Browser::default();
    let res = b.get(&app, "/lang/ru?next=/courses").await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/courses".to_owned()));
    assert_eq!(b.cookie("lectern_lang"), Some("ru"));
    let (_, body) = b.page(&app, "/courses").await;
    assert!(body.contains("<html lang=\"ru\"") && body.contains("Все курсы"));

    let res = b.get(&app, "/lang/en?next=//evil.test").await;
    assert_eq!(location(&res), "/", "the switch only ever goes back to this site");
}

#[tokio::test]
async fn catalog_course_and_teacher_pages_work_without_scripts() {
    let app = spawn_app().await;
    let c = published(&app, "Photography Basics", 3).await;

    let mut b = Browser::default();
    let (status, body) = b.page(&app, "/courses?q=photograpy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!("href=\"/courses/{}\"", c.slug)), "a typo still finds the course");

    let (status, body) = b.page(&app, &format!("/courses/{}", c.slug)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>Photography Basics</h1>"));
    assert!(body.contains("class=\"curriculum\"") && body.contains("Lesson 3"));
    assert!(
        body.contains(&format!("<link rel=\"canonical\" href=\"http://school.test/courses/{}\">", c.slug))
    );
    assert!(body.contains("<meta property=\"og:title\" content=\"Photography Basics\">"));
    let ld = json_ld(&body);
    assert_eq!(ld["@type"], "Course");
    assert_eq!(ld["name"], "Photography Basics");
    assert_eq!(ld["provider"]["@type"], "Organization");
    assert_eq!(ld["offers"]["price"], "0.00");
    assert!(ld["description"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(ld.get("aggregateRating").is_none(), "no rating until someone reviews");

    let teacher = body.split("href=\"/teachers/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (status, body) = b.page(&app, &format!("/teachers/{teacher}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!("/courses/{}", c.slug)));

    let (status, body) = b.page(&app, "/categories/programming").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!("/courses/{}", c.slug)));
}

#[tokio::test]
async fn a_student_signs_up_enrolls_completes_and_reviews_through_forms() {
    let app = spawn_app().await;
    let c = published(&app, "Watercolour", 3).await;
    let mut b = signed_up(&app, "student@school.test", "Ann <b>Bold</b>").await;

    let (status, body) = b.page(&app, "/learn").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("data-signed-in"));
    assert!(!body.contains("<b>Bold</b>"), "names are escaped");

    let res = b.form(&app, &format!("/courses/{}/enroll", c.slug), &[("csrf", &b.csrf.clone())]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, format!("/learn/{}", c.slug)));
    let res = b.get(&app, &format!("/learn/{}", c.slug)).await;
    assert_eq!(location(&res), format!("/learn/{}/{}", c.slug, c.lessons[0]), "resume starts at lesson 1");

    for (i, lesson) in c.lessons.iter().enumerate() {
        let (status, body) = b.page(&app, &format!("/learn/{}/{lesson}", c.slug)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(&format!("Body of lesson {}", i + 1)));
        assert!(body.contains("data-course-complete hidden"), "not complete before the last lesson");
        let csrf = b.csrf.clone();
        let res = b
            .form(&app, &format!("/learn/{}/{lesson}/complete", c.slug), &[("csrf", &csrf), ("done", "1")])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        if let Some(next) = c.lessons.get(i + 1) {
            assert_eq!(location(&res), format!("/learn/{}/{next}", c.slug), "completing moves on");
        }
    }
    let (_, body) = b.page(&app, &format!("/learn/{}/{}", c.slug, c.lessons[2])).await;
    assert!(body.contains("data-course-complete>"), "the course-complete banner shows");
    assert!(body.contains("value=\"3\""));
    let (_, body) = b.page(&app, "/learn").await;
    assert!(body.contains("max=\"3\" value=\"3\""), "my learning shows the course at 100%");

    let csrf = b.csrf.clone();
    let res = b
        .form(
            &app,
            &format!("/courses/{}/reviews", c.slug),
            &[("csrf", &csrf), ("rating", "5"), ("text", "Lovely <script>alert(1)</script> course")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut visitor = Browser::default();
    let (_, body) = visitor.page(&app, &format!("/courses/{}", c.slug)).await;
    assert!(body.contains("Lovely") && !body.contains("<script>alert(1)"), "the review shows, sanitised");
    let ld = json_ld(&body);
    assert_eq!(ld["aggregateRating"]["ratingValue"], "5.0");
    assert_eq!(ld["aggregateRating"]["reviewCount"], 1);
}

#[tokio::test]
async fn forms_refuse_missing_csrf_tokens_and_other_sites() {
    let app = spawn_app().await;
    let c = published(&app, "Pottery", 1).await;
    let mut b = signed_up(&app, "victim@school.test", "Victim").await;

    let res = b.form(&app, &format!("/courses/{}/enroll", c.slug), &[("csrf", "forged")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "a page, not JSON");
    let (_, body) = b.page(&app, "/learn").await;
    assert!(!body.contains(&c.slug), "nothing happened");

    for (name, value) in [("origin", "https://evil.test"), ("sec-fetch-site", "cross-site")] {
        let res = app
            .client
            .post(app.url("/signin"))
            .header(name, value)
            .form(&[("email", "victim@school.test"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    let res = app
        .client
        .post(app.url("/signin"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "victim@school.test"), ("password", PASSWORD), ("next", "//evil.test/x")])
        .send()
        .await
        .unwrap();
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/learn".to_owned()));
}

#[tokio::test]
async fn signing_in_with_a_wrong_password_shows_the_form_again() {
    let app = spawn_app().await;
    signed_up(&app, "forgetful@school.test", "Forgetful").await;
    let mut b = Browser::default();
    let res = b
        .form(&app, "/signin", &[("email", "forgetful@school.test"), ("password", "not the password")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("id=\"signin-form\"") && body.contains("The email or password is not correct."));
    assert!(body.contains("value=\"forgetful@school.test\""), "the email is kept");
    assert!(b.cookie("lectern_access").is_none());

    let res = b.form(&app, "/signup", &[("name", ""), ("email", "nope"), ("password", "short")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("id=\"name-error\"")
            && body.contains("id=\"email-error\"")
            && body.contains("id=\"password-error\"")
    );
}

#[tokio::test]
async fn private_pages_send_visitors_to_sign_in_and_back() {
    let app = spawn_app().await;
    for path in ["/learn", "/account", "/wishlist", "/notifications"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), format!("/signin?next={path}"));
    }
}

#[tokio::test]
async fn errors_are_pages_for_browsers_and_problems_for_the_api() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/no/such/page")).header(ACCEPT_LANGUAGE, "ru").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let body = res.text().await.unwrap();
    assert!(body.contains("Страница не найдена") && body.contains("href=\"/courses\""));

    let res = app.client.get(app.url("/courses/no-such-course")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Page not found"));

    let res = app.client.get(app.url("/api/v1/no-such")).send().await.unwrap();
    assert_eq!(res.headers()[CONTENT_TYPE], "application/problem+json");
}

#[tokio::test]
async fn an_expired_access_cookie_is_renewed_by_the_next_page() {
    let app = spawn_app().await;
    let mut b = signed_up(&app, "longread@school.test", "Long Reader").await;
    // The access cookie lives as long as its token (Max-Age): after 15 minutes the browser
    // no longer sends it, only the refresh cookie.
    b.cookies.retain(|(k, _)| k != "lectern_access");
    let before = b.clone();

    let res = b.get(&app, "/learn").await;
    assert_eq!(res.status(), StatusCode::OK, "still signed in after the access token expired");
    assert!(b.cookie("lectern_access").is_some(), "a new access cookie was set");
    assert_ne!(b.cookie("lectern_refresh"), before.cookie("lectern_refresh"));

    // A second tab loading at the same moment with the old cookies: it renders signed out, but
    // the session is not treated as stolen.
    let mut tab = before.clone();
    let res = tab.get(&app, "/learn").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.page(&app, "/account").await.0, StatusCode::OK, "the session lives on");

    // Long after, the spent token coming back is a theft: the whole session ends.
    app.state().clock.advance(Duration::from_secs(60));
    let mut thief = before.clone();
    thief.get(&app, "/learn").await;
    assert_eq!(b.get(&app, "/account").await.status(), StatusCode::SEE_OTHER, "the family was revoked");
}

#[tokio::test]
async fn anonymous_pages_revalidate_and_assets_are_immutable() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/courses")).send().await.unwrap();
    let etag = res.headers()[ETAG].to_str().unwrap().to_owned();
    assert!(res.headers()[CACHE_CONTROL].to_str().unwrap().contains("must-revalidate"));
    let body = res.text().await.unwrap();
    let again = app.client.get(app.url("/courses")).header(IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let css =
        body.split("<link rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(css.starts_with("/static/app.") && css.ends_with(".css") && css != "/static/app.css", "{css}");
    let res = app.client.get(app.url(&css)).header(ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CACHE_CONTROL].to_str().unwrap().contains("immutable"));
    assert_eq!(res.headers()["content-encoding"], "gzip", "text assets are compressed");

    let b = signed_up(&app, "private@school.test", "Private").await;
    let res = app
        .client
        .get(app.url("/courses"))
        .header(reqwest::header::COOKIE, b.header())
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[CACHE_CONTROL], "private, no-store", "personal pages are never stored");
    assert!(
        res.headers().get("content-encoding").is_none(),
        "nor compressed next to their CSRF token (BREACH)"
    );
    assert!(res.headers().get(ETAG).is_none());
}

#[tokio::test]
async fn sitemap_robots_and_manifest_describe_the_school() {
    let app = spawn_app().await;
    let live = published(&app, "Astronomy", 1).await;
    let teacher = app.register_as("draft@teach.test", "teacher").await;
    let draft = app.course(&access(&teacher), "Secret Draft", json!({}), 1, false).await;
    app.indexed().await;

    let xml = app.client.get(app.url("/sitemap.xml")).send().await.unwrap().text().await.unwrap();
    assert!(xml.contains(&format!("<loc>http://school.test/courses/{}</loc>", live.slug)));
    assert!(!xml.contains(&draft.slug), "drafts stay out of the sitemap");
    assert!(xml.contains("<loc>http://school.test/categories/programming</loc>"));

    let robots = app.client.get(app.url("/robots.txt")).send().await.unwrap().text().await.unwrap();
    assert!(robots.contains("Sitemap: http://school.test/sitemap.xml") && robots.contains("Disallow: /api/"));

    let manifest: Value =
        app.client.get(app.url("/manifest.webmanifest")).send().await.unwrap().json().await.unwrap();
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().unwrap();
    for icon in icons {
        let res = app.client.get(app.url(icon["src"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{icon}");
    }
    assert!(icons.iter().any(|i| i["sizes"] == "512x512" && i["purpose"] == "maskable"));

    let sw = app.client.get(app.url("/sw.js")).send().await.unwrap().text().await.unwrap();
    assert!(sw.starts_with("const VERSION = ") && sw.contains("/static/app."));
}

#[tokio::test]
async fn signing_out_ends_the_session_even_after_the_access_cookie_expired() {
    let app = spawn_app().await;
    let mut b = signed_up(&app, "leaving@school.test", "Leaving").await;
    b.cookies.retain(|(k, _)| k != "lectern_access");
    let kept = b.clone();
    let csrf = b.csrf.clone();
    let res = b.form(&app, "/signout", &[("csrf", &csrf)]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/".to_owned()));
    assert!(res.headers()["clear-site-data"].to_str().unwrap().contains("storage"), "offline lessons go too");
    let mut copy = kept.clone();
    assert_eq!(
        copy.get(&app, "/learn").await.status(),
        StatusCode::SEE_OTHER,
        "a copied refresh cookie is dead"
    );
}

#[tokio::test]
async fn markup_in_a_course_title_cannot_break_out_of_the_json_ld() {
    let app = spawn_app().await;
    let teacher = app.register_as("sneaky@teach.test", "teacher").await;
    let title = "Tricks <!--<script> & </script><b>bold</b>";
    let c = app.course(&access(&teacher), title, json!({}), 1, true).await;
    let (_, body) = Browser::default().page(&app, &format!("/courses/{}", c.slug)).await;
    let ld = json_ld(&body);
    assert_eq!(ld["name"], title, "the title survives intact for readers of the JSON: {body}");
    let h1 = body.split("<h1>").nth(1).unwrap().split("</h1>").next().unwrap();
    assert!(!h1.contains('<'), "{h1}");
    assert!(h1.contains("&#60;b&#62;bold"), "shown as text: {h1}");
    assert!(!body.contains("<!--<script>"), "no raw markup outside sanitised rich text");
}

#[tokio::test]
async fn visitors_pages_come_from_the_cache_and_follow_changes_within_a_second() {
    let app = spawn_app().await;
    let c = published(&app, "Calligraphy", 1).await;
    let path = format!("/courses/{}", c.slug);
    let (_, first) = Browser::default().page(&app, &path).await;
    let (_, again) = Browser::default().page(&app, &path).await;
    assert_eq!(first, again);

    let mut student = signed_up(&app, "reviewer@school.test", "Reviewer").await;
    let csrf = student.csrf.clone();
    student.form(&app, &format!("{path}/enroll"), &[("csrf", &csrf)]).await;
    let res = student
        .form(&app, &format!("{path}/reviews"), &[("csrf", &csrf), ("rating", "4"), ("text", "Steady hands")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, mine) = student.page(&app, &path).await;
    assert!(mine.contains("Steady hands"), "the author sees their review at once (never cached)");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, later) = Browser::default().page(&app, &path).await;
    assert!(later.contains("Steady hands"), "visitors see it within a second");
}
