//! The web pages, driven as a browser without JavaScript would: forms, redirects, cookies.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};

use crate::helpers::*;

/// A published course with `lessons` lessons, by a fresh teacher.
async fn published(app: &TestApp, title: &str, lessons: usize) -> CourseFixture {
    let teacher = app.sign_up_teacher(&format!("{}@teach.test", title.len())).await;
    let c = app.course(&teacher, title, json!({}), lessons, true).await;
    app.indexed().await;
    c
}

pub async fn signed_up(app: &TestApp, email: &str, name: &str) -> Browser {
    let mut b = Browser::default();
    let res = b
        .form(app, "/signup", &[("name", name), ("email", email), ("password", PASSWORD), ("next", "/learn")])
        .await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/learn");
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
    let body = app.visitor().header(ACCEPT_LANGUAGE, "ru-RU,ru;q=0.9,en;q=0.5").get("/").await.text;
    assert!(body.contains("<html lang=\"ru\""), "Accept-Language chooses Russian");
    assert!(body.contains("Популярные курсы"));

    let en = app.visitor().header(ACCEPT_LANGUAGE, "de-DE").get("/").await;
    assert!(en.text.contains("<html lang=\"en\""), "unsupported languages fall back to English");

    let mut b = Browser::default();
    let res = b.get(&app, "/lang/ru?next=/courses").await.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/courses");
    assert_eq!(b.cookie("lectern_lang"), Some("ru"));
    let (_, body) = b.page(&app, "/courses").await;
    assert!(body.contains("<html lang=\"ru\"") && body.contains("Все курсы"));

    let res = b.get(&app, "/lang/en?next=//evil.test").await;
    assert_eq!(res.location(), "/", "the switch only ever goes back to this site");
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
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), format!("/learn/{}", c.slug));
    let res = b.get(&app, &format!("/learn/{}", c.slug)).await;
    assert_eq!(res.location(), format!("/learn/{}/{}", c.slug, c.lessons[0]), "resume starts at lesson 1");

    for (i, lesson) in c.lessons.iter().enumerate() {
        let (status, body) = b.page(&app, &format!("/learn/{}/{lesson}", c.slug)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(&format!("Body of lesson {}", i + 1)));
        assert!(body.contains("data-course-complete hidden"), "not complete before the last lesson");
        let csrf = b.csrf.clone();
        let res = b
            .form(&app, &format!("/learn/{}/{lesson}/complete", c.slug), &[("csrf", &csrf), ("done", "1")])
            .await;
        let res = res.assert_status(StatusCode::SEE_OTHER);
        if let Some(next) = c.lessons.get(i + 1) {
            assert_eq!(res.location(), format!("/learn/{}/{next}", c.slug), "completing moves on");
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
    res.assert_status(StatusCode::SEE_OTHER);
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
    let res = res.assert_status(StatusCode::FORBIDDEN);
    assert!(res.header(CONTENT_TYPE.as_str()).unwrap().starts_with("text/html"), "a page, not JSON");
    let (_, body) = b.page(&app, "/learn").await;
    assert!(!body.contains(&c.slug), "nothing happened");

    // The sign-in form, posted with a header a browser sets by itself.
    let sign_in = async |name: &str, value: &str, fields: &[(&str, &str)]| {
        let req = app.client.post(app.url("/signin")).header(name, value).form(fields);
        Reply::read(format!("POST /signin ({name}: {value})"), req.send().await.unwrap()).await
    };
    for (name, value) in [("origin", "https://evil.test"), ("sec-fetch-site", "cross-site")] {
        let res = sign_in(name, value, &[("email", "victim@school.test"), ("password", PASSWORD)]).await;
        res.assert_status(StatusCode::FORBIDDEN);
    }
    let fields = [("email", "victim@school.test"), ("password", PASSWORD), ("next", "//evil.test/x")];
    let res = sign_in("sec-fetch-site", "same-origin", &fields).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/learn");
}

#[tokio::test]
async fn signing_in_with_a_wrong_password_shows_the_form_again() {
    let app = spawn_app().await;
    signed_up(&app, "forgetful@school.test", "Forgetful").await;
    let mut b = Browser::default();
    let res = b
        .form(&app, "/signin", &[("email", "forgetful@school.test"), ("password", "not the password")])
        .await;
    let body = res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text;
    assert!(body.contains("id=\"signin-form\"") && body.contains("The email or password is not correct."));
    assert!(body.contains("value=\"forgetful@school.test\""), "the email is kept");
    assert!(b.cookie("lectern_access").is_none());

    let res = b.form(&app, "/signup", &[("name", ""), ("email", "nope"), ("password", "short")]).await;
    let body = res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text;
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
        let res = app.visitor().get(path).await.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(res.location(), format!("/signin?next={path}"));
    }
}

#[tokio::test]
async fn errors_are_pages_for_browsers_and_problems_for_the_api() {
    let app = spawn_app().await;
    let res = app.visitor().header(ACCEPT_LANGUAGE, "ru").get("/no/such/page").await;
    let res = res.assert_status(StatusCode::NOT_FOUND);
    assert!(res.header(CONTENT_TYPE.as_str()).unwrap().starts_with("text/html"));
    assert!(res.text.contains("Страница не найдена") && res.text.contains("href=\"/courses\""));

    let res = app.visitor().get("/courses/no-such-course").await.assert_status(StatusCode::NOT_FOUND);
    assert!(res.text.contains("Page not found"));

    let res = app.visitor().get("/api/v1/no-such").await;
    assert_eq!(res.header(CONTENT_TYPE.as_str()), Some("application/problem+json"));

    // A method a path does not take: 405 with the methods it does take (RFC 9110), as a page
    // or as a problem.
    for path in ["/.well-known/jwks.json", "/courses", "/api/v1/courses"] {
        let res = app.visitor().send(reqwest::Method::TRACE, path, None).await;
        let res = res.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        assert!(res.header("allow").is_some_and(|a| a.contains("GET")), "{res}");
    }
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
    assert_eq!(res.status, StatusCode::OK, "still signed in after the access token expired: {res}");
    assert!(b.cookie("lectern_access").is_some(), "a new access cookie was set");
    assert_ne!(b.cookie("lectern_refresh"), before.cookie("lectern_refresh"));

    // A second tab loading at the same moment with the old cookies: it renders signed out, but
    // the session is not treated as stolen.
    let mut tab = before.clone();
    tab.get(&app, "/learn").await.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(b.page(&app, "/account").await.0, StatusCode::OK, "the session lives on");

    // Long after, the spent token coming back is a theft: the whole session ends.
    app.state().clock.advance(Duration::from_secs(60));
    let mut thief = before.clone();
    thief.get(&app, "/learn").await;
    let res = b.get(&app, "/account").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "the family was revoked: {res}");
}

#[tokio::test]
async fn anonymous_pages_revalidate_and_assets_are_immutable() {
    let app = spawn_app().await;
    let res = app.visitor().get("/courses").await;
    let etag = res.header(ETAG.as_str()).unwrap();
    assert!(res.header(CACHE_CONTROL.as_str()).unwrap().contains("must-revalidate"));
    let again = app.visitor().header(IF_NONE_MATCH, etag).get("/courses").await;
    again.assert_status(StatusCode::NOT_MODIFIED);

    let css = res
        .text
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(css.starts_with("/static/app.") && css.ends_with(".css") && css != "/static/app.css", "{css}");
    let res = app.visitor().header(ACCEPT_ENCODING, "gzip").get(&css).await.assert_status(StatusCode::OK);
    assert!(res.header(CACHE_CONTROL.as_str()).unwrap().contains("immutable"));
    assert_eq!(res.header("content-encoding"), Some("gzip"), "text assets are compressed");

    let b = signed_up(&app, "private@school.test", "Private").await;
    let res = b.api(&app).header(ACCEPT_ENCODING, "gzip").get("/courses").await;
    assert_eq!(
        res.header(CACHE_CONTROL.as_str()),
        Some("private, no-store"),
        "personal pages are never stored"
    );
    assert!(res.header("content-encoding").is_none(), "nor compressed next to their CSRF token (BREACH)");
    assert!(res.header(ETAG.as_str()).is_none());
}

#[tokio::test]
async fn sitemap_robots_and_manifest_describe_the_school() {
    let app = spawn_app().await;
    let live = published(&app, "Astronomy", 1).await;
    let teacher = app.sign_up_teacher("draft@teach.test").await;
    let draft = app.course(&teacher, "Secret Draft", json!({}), 1, false).await;
    let archived = app.course(&teacher, "Archived Geology", json!({}), 1, true).await;
    app.indexed().await;
    let visitor = app.visitor();

    let xml = visitor.get("/sitemap.xml").await.assert_status(StatusCode::OK).text;
    assert!(xml.contains(&format!("<loc>http://school.test/courses/{}</loc>", live.slug)));
    assert!(xml.contains(&archived.slug));
    // The sitemap is kept in the response cache, but a course taken down leaves it at once.
    let res = app.courses(&teacher).update(&archived.id, json!({"status": "archived"})).await;
    assert_eq!(res.status, StatusCode::OK, "{res}");
    let xml = visitor.get("/sitemap.xml").await.assert_status(StatusCode::OK).text;
    assert!(!xml.contains(&archived.slug), "archived courses leave the sitemap at once");
    assert!(xml.contains(&format!("<loc>http://school.test/courses/{}</loc>", live.slug)));
    assert!(!xml.contains(&draft.slug), "drafts stay out of the sitemap");
    assert!(xml.contains("<loc>http://school.test/categories/programming</loc>"));
    // A school this small fits one file: there is no sitemap index and no parts.
    assert!(xml.contains("<urlset") && !xml.contains("<sitemapindex"));
    visitor.get("/sitemaps/1.xml").await.assert_status(StatusCode::NOT_FOUND);
    visitor.get("/sitemaps/0.xml").await.assert_status(StatusCode::NOT_FOUND);
    visitor.get("/sitemaps/18446744073709551615.xml").await.assert_status(StatusCode::NOT_FOUND);

    let robots = visitor.get("/robots.txt").await.assert_status(StatusCode::OK).text;
    assert!(robots.contains("Sitemap: http://school.test/sitemap.xml") && robots.contains("Disallow: /api/"));

    let manifest = visitor.get("/manifest.webmanifest").await.assert_status(StatusCode::OK);
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().unwrap();
    for icon in icons {
        visitor.get(icon["src"].as_str().unwrap()).await.assert_status(StatusCode::OK);
    }
    assert!(icons.iter().any(|i| i["sizes"] == "512x512" && i["purpose"] == "maskable"));

    let sw = visitor.get("/sw.js").await.assert_status(StatusCode::OK).text;
    assert!(sw.starts_with("const VERSION = ") && sw.contains("/static/app."));
}

#[tokio::test]
async fn signing_out_ends_the_session_even_after_the_access_cookie_expired() {
    let app = spawn_app().await;
    let mut b = signed_up(&app, "leaving@school.test", "Leaving").await;
    b.cookies.retain(|(k, _)| k != "lectern_access");
    let kept = b.clone();
    let csrf = b.csrf.clone();
    let res = b.form(&app, "/signout", &[("csrf", &csrf)]).await.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/");
    assert!(res.header("clear-site-data").unwrap().contains("storage"), "offline lessons go too");
    let mut copy = kept.clone();
    let res = copy.get(&app, "/learn").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "a copied refresh cookie is dead: {res}");
}

#[tokio::test]
async fn markup_in_a_course_title_cannot_break_out_of_the_json_ld() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("sneaky@teach.test").await;
    let title = "Tricks <!--<script> & </script><b>bold</b>";
    let c = app.course(&teacher, title, json!({}), 1, true).await;
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
    res.assert_status(StatusCode::SEE_OTHER);
    let (_, mine) = student.page(&app, &path).await;
    assert!(mine.contains("Steady hands"), "the author sees their review at once (never cached)");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, later) = Browser::default().page(&app, &path).await;
    assert!(later.contains("Steady hands"), "visitors see it within a second");
}
