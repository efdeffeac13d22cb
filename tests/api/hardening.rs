//! What a hostile visitor or a careless API client found (issue 10): taken-down courses kept
//! public by the response cache, a sign-in limiter that grew without bound, lockouts anyone
//! could cause, caching headers and request ids.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::helpers::*;

/// Anonymous requests for `paths`, back to back until `stop`: when each started, and its status.
type Log = Arc<Mutex<Vec<(Instant, String, StatusCode)>>>;

fn stream(app: &TestApp, paths: Vec<String>, stop: Instant) -> (Log, tokio::task::JoinHandle<()>) {
    let log: Log = Arc::default();
    let (client, base, out) = (app.client.clone(), app.base.clone(), log.clone());
    let task = tokio::spawn(async move {
        // Several visitors at once, so the stale-while-revalidate path has others to serve.
        let visitors = (0..4).map(|_| {
            let (client, base, out, paths) = (client.clone(), base.clone(), out.clone(), paths.clone());
            tokio::spawn(async move {
                while Instant::now() < stop {
                    for p in &paths {
                        let started = Instant::now();
                        let status = client.get(format!("{base}{p}")).send().await.unwrap().status();
                        out.lock().await.push((started, p.clone(), status));
                    }
                }
            })
        });
        for v in visitors.collect::<Vec<_>>() {
            v.await.unwrap();
        }
    });
    (log, task)
}

/// Takes a course out of view under a stream of anonymous requests for its page and JSON, and
/// checks that no request started after the change answered 200.
async fn assert_gone_at_once(app: &TestApp, teacher: &Actor, title: &str, change: Value) {
    let c = app.course(teacher, title, json!({}), 2, true).await;
    let paths = vec![format!("/courses/{}", c.slug), format!("/api/v1/courses/{}", c.id)];
    // Warm the cache and let the entries age past the one-second freshness, so the
    // stale-while-revalidate path is the one taken.
    for p in &paths {
        app.visitor().get(p).await.assert_status(StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let stop = Instant::now() + Duration::from_millis(2500);
    let (log, task) = stream(app, paths, stop);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = app.courses(teacher).update(&c.id, change.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{change}: {res}");
    let changed = Instant::now();
    task.await.unwrap();
    let log = log.lock().await;
    let before = log.iter().filter(|(t, _, s)| *t < changed && *s == StatusCode::OK).count();
    assert!(before > 0, "the stream saw the course before the change");
    let leaked: Vec<_> = log.iter().filter(|(t, _, s)| *t >= changed && *s == StatusCode::OK).collect();
    let after = log.iter().filter(|(t, _, _)| *t >= changed).count();
    assert!(after > 20, "enough requests after the change to tell ({after})");
    assert!(
        leaked.is_empty(),
        "{change}: {} of {after} requests after the change got 200: {:?}",
        leaked.len(),
        leaked.first()
    );
}

#[tokio::test]
async fn archived_unpublished_and_renamed_courses_disappear_for_visitors_at_once() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    assert_gone_at_once(&app, &teacher, "Archived Soon", json!({"status": "archived"})).await;
    assert_gone_at_once(&app, &teacher, "Unpublished Soon", json!({"status": "draft"})).await;
    // A new slug: the old address must stop answering (the JSON by id stays, so only the page
    // at the old slug and the JSON at the old slug are checked).
    let c = app.course(&teacher, "Renamed Soon", json!({}), 2, true).await;
    let old = [format!("/courses/{}", c.slug), format!("/api/v1/courses/{}", c.slug)];
    for p in &old {
        app.visitor().get(p).await.assert_status(StatusCode::OK);
    }
    app.courses(&teacher).update(&c.id, json!({"slug": "moved-away"})).await.assert_status(StatusCode::OK);
    for p in &old {
        app.visitor().get(p).await.assert_status(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_removed_review_leaves_the_cached_course_page_at_once() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let c = app.course(&teacher, "Reviewed Course", json!({}), 2, true).await;
    let student = app.sign_up_student("student@school.test").await;
    app.enrollments(&student).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    let review = app
        .reviews(&student)
        .create(&c.id, json!({"rating": 1, "text": "Zanzibarian remark to be removed"}))
        .await
        .assert_status(StatusCode::CREATED);
    let page = format!("/courses/{}", c.slug);
    let body = app.visitor().get(&page).await.text;
    assert!(body.contains("Zanzibarian remark"), "the review shows on the page");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    app.reviews(&student).delete(&review.id()).await.assert_status(StatusCode::NO_CONTENT);
    for _ in 0..5 {
        let body = app.visitor().get(&page).await.text;
        assert!(!body.contains("Zanzibarian remark"), "a removed review is gone from the cached page");
    }
}

/// The real binary in a process of its own, so its memory can be read apart from the tests'.
struct Child(std::process::Child, String);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Child {
    async fn start(dir: &std::path::Path) -> Child {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--index-dir")
            .arg(dir.join("index"))
            .env("LECTERN_RATE_LIMIT_PER_MIN", "0")
            .env("LECTERN_BACKUP_EVERY", "0")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let child = Child(child, format!("http://127.0.0.1:{port}"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while reqwest::get(format!("{}/health/ready", child.1)).await.map(|r| r.status()).ok()
            != Some(StatusCode::OK)
        {
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child
    }

    fn rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kb * 1024
    }
}

#[tokio::test]
async fn huge_emails_are_refused_without_growing_the_sign_in_limiter() {
    let dir = tempfile::tempdir().unwrap();
    let server = Child::start(dir.path()).await;
    let client = reqwest::Client::new();
    let login = |email: String| {
        let (client, url) = (client.clone(), format!("{}/api/v1/auth/login", server.1));
        async move {
            client
                .post(url)
                .json(&json!({"email": email, "password": "whatever it is"}))
                .send()
                .await
                .unwrap()
        }
    };
    // Warm up what the first requests allocate anyway.
    for i in 0..5 {
        login(format!("{i}{}@school.test", "a".repeat(900_000))).await;
    }
    let start = server.rss_bytes();
    for i in 0..150 {
        let res = login(format!("{i}{}@school.test", "b".repeat(900_000))).await;
        Reply::read("POST /api/v1/auth/login".into(), res)
            .await
            .assert_code(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let grown = server.rss_bytes().saturating_sub(start);
    // Kept as limiter keys, the 150 addresses alone would be 135 MB (the bug grew RSS by 194 MB).
    assert!(grown < 32 << 20, "RSS grew by {} MB", grown >> 20);
}

async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str) -> StatusCode {
    Auth(app.visitor().header("x-forwarded-for", ip)).login(email, password).await.status
}

#[tokio::test]
async fn wrong_passwords_from_elsewhere_cannot_lock_the_owner_out() {
    let app = spawn_with(|c| c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]).await;
    let email = "victim@school.test";
    app.register_student(email).await;
    for _ in 0..10 {
        assert_eq!(login_from(&app, "203.0.113.5", email, "wrong password").await, StatusCode::UNAUTHORIZED);
    }
    // The attacker's address is stopped, even with the right password...
    assert_eq!(login_from(&app, "203.0.113.5", email, PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    // ...but the owner, elsewhere, signs in at once.
    let t = Instant::now();
    assert_eq!(login_from(&app, "198.51.100.7", email, PASSWORD).await, StatusCode::OK);
    assert!(t.elapsed() < Duration::from_secs(2), "not slowed below the account-wide threshold");

    // Many addresses together slow the account down, but never refuse its owner.
    for n in 0..10 {
        assert_eq!(
            login_from(&app, &format!("192.0.2.{n}"), email, "wrong password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    let t = Instant::now();
    assert_eq!(login_from(&app, "198.51.100.7", email, PASSWORD).await, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_secs(2), "slowed after 20 failures from everywhere");
}

#[tokio::test]
async fn personal_answers_are_not_stored_and_public_ones_say_how_they_vary() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let c = app.course(&teacher, "Header Course", json!({}), 1, true).await;
    let cache_control = |res: &Reply| res.header("cache-control").unwrap_or_default().to_owned();

    let res = app.auth().login("teacher@school.test", PASSWORD).await;
    assert_eq!((res.status, cache_control(&res).as_str()), (StatusCode::OK, "no-store"));
    let res = app.me(&teacher).get().await;
    assert_eq!((res.status, cache_control(&res).as_str()), (StatusCode::OK, "no-store"));
    let res = app.lessons(&teacher).get(&c.lessons[0]).await;
    assert_eq!((res.status, cache_control(&res).as_str()), (StatusCode::OK, "no-store"));
    let res = app.me(&ANONYMOUS).get().await;
    assert_eq!((res.status, cache_control(&res).as_str()), (StatusCode::UNAUTHORIZED, "no-store"));

    for path in [format!("/api/v1/courses/{}", c.id), "/api/v1/courses?q=header".to_owned()] {
        let res =
            app.visitor().header("accept-language", "ru").get(&path).await.assert_status(StatusCode::OK);
        assert_eq!(cache_control(&res), "public, max-age=0, must-revalidate", "{path}");
        let vary = res.header("vary").unwrap().to_ascii_lowercase();
        assert!(vary.contains("accept-language"), "{path}: vary {vary}");
        let res = app.api(&teacher).get(&path).await;
        assert!(cache_control(&res).contains("no-store"), "{path} for a signed-in caller");
    }
}

#[tokio::test]
async fn only_plain_request_ids_are_echoed() {
    let app = spawn_app().await;
    let id_for = async |sent: &str| {
        let res = app.visitor().header("x-request-id", sent).get("/health/live").await;
        res.header("x-request-id").unwrap().to_owned()
    };
    assert_eq!(id_for("trace-42.a:b_c").await, "trace-42.a:b_c");
    let long = Box::leak("x".repeat(65).into_boxed_str());
    for bad in ["<script>alert(1)</script>", "a b", "line\tbreak", &*long] {
        let got = id_for(bad).await;
        assert_ne!(got, bad);
        assert_eq!(got.len(), 26, "a fresh ULID instead of {bad:?}: {got}");
    }
}
