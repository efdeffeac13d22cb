use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn health_probes_answer() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        app.visitor().get(path).await.assert_status(StatusCode::OK);
    }
}

#[tokio::test]
async fn bad_requests_get_problem_json() {
    let app = spawn_with(|c| c.max_body_bytes = 2048).await;
    let url = app.url("/api/v1/auth/login");

    // Bodies no client of ours would send, so built by hand.
    let raw = async |content_type: &str, body: &'static str| {
        let res = app.client.post(&url).header("content-type", content_type).body(body).send().await;
        Reply::read(format!("POST {url} ({content_type}) {body}"), res.unwrap()).await
    };
    raw("application/json", "{\"email\":").await.assert_code(StatusCode::BAD_REQUEST, "malformed_request");
    let res = raw("text/plain", "{}").await;
    res.assert_code(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");

    let visitor = app.visitor();
    let missing_field = visitor.post("/api/v1/auth/login", json!({"email": "a@b.org"})).await;
    missing_field.assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let big = json!({"email": "a@b.org", "password": "x".repeat(5000)});
    let res = visitor.post("/api/v1/auth/login", big).await;
    res.assert_code(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    visitor.get("/api/v1/nothing-here").await.assert_code(StatusCode::NOT_FOUND, "not_found");
    let res = visitor.delete("/api/v1/auth/login").await;
    res.assert_code(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    for res in [app.visitor().get("/health/live").await, app.visitor().get("/nope").await] {
        let h = &res.headers;
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert!(h["content-security-policy"].to_str().unwrap().contains("object-src 'none'"));
        assert_eq!(h["x-request-id"].len(), 26);
        assert!(!h.contains_key("strict-transport-security"), "no HSTS on plain http");
    }
    // Pages load what they need; JSON loads nothing.
    let page = app.visitor().get("/courses").await;
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-src https://www.youtube-nocookie.com")
    );
    let json = app.visitor().get("/api/v1/categories").await;
    assert!(json.header("content-security-policy").unwrap().starts_with("default-src 'none'"));
    let traced = app.visitor().header("x-request-id", "caller-chosen-id").get("/health/live").await;
    assert_eq!(traced.header("x-request-id"), Some("caller-chosen-id"));
}

#[tokio::test]
async fn https_schools_send_hsts() {
    let app = spawn_with(|c| c.public_url = "https://school.test".into()).await;
    let res = app.visitor().get("/health/live").await;
    assert!(res.header("strict-transport-security").unwrap().starts_with("max-age="), "{res}");
}

#[tokio::test]
async fn clients_over_the_rate_limit_get_429_with_retry_after() {
    let app = spawn_with(|c| c.rate_limit_per_min = 5).await;
    for _ in 0..5 {
        app.visitor().get("/api/v1/nothing").await.assert_status(StatusCode::NOT_FOUND);
    }
    let res = app.visitor().get("/api/v1/nothing").await;
    let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    res.assert_code(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let probe = app.visitor().get("/health/ready").await;
    assert_eq!(probe.status, StatusCode::OK, "probes are exempt: {probe}");
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    // Untrusted peer: X-Forwarded-For is ignored, so a client cannot dodge the limit.
    let app = spawn_with(|c| c.rate_limit_per_min = 3).await;
    for i in 0..3 {
        let r = app.visitor().header("x-forwarded-for", format!("10.9.9.{i}")).get("/nope").await;
        r.assert_status(StatusCode::NOT_FOUND);
    }
    let r = app.visitor().header("x-forwarded-for", "10.9.9.200").get("/nope").await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS);

    // Trusted proxy: each forwarded client has its own budget.
    let app = spawn_with(|c| {
        c.rate_limit_per_min = 3;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for i in 0..6 {
        let r = app.visitor().header("x-forwarded-for", format!("198.51.100.{i}")).get("/nope").await;
        r.assert_status(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = spawn_with(|c| c.cors_origins = vec!["https://app.school.test".into()]).await;
    let preflight = async |origin: &str| {
        app.visitor()
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send(reqwest::Method::OPTIONS, "/api/v1/auth/login", None)
            .await
    };
    let ok = preflight("https://app.school.test").await;
    assert_eq!(ok.header("access-control-allow-origin"), Some("https://app.school.test"), "{ok}");
    assert_eq!(ok.header("access-control-allow-credentials"), Some("true"), "{ok}");
    let evil = preflight("https://evil.test").await;
    assert!(evil.header("access-control-allow-origin").is_none(), "{evil}");
}

#[tokio::test]
async fn openapi_describes_every_identity_endpoint() {
    let app = spawn_app().await;
    let doc = app.visitor().get("/api/openapi.json").await.assert_status(StatusCode::OK).json;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in [
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/auth/logout"),
        ("post", "/api/v1/auth/verify-email"),
        ("post", "/api/v1/auth/resend-verification"),
        ("post", "/api/v1/auth/forgot-password"),
        ("post", "/api/v1/auth/reset-password"),
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/me/password"),
        ("get", "/api/v1/admin/outbox"),
        ("get", "/health/live"),
        ("get", "/health/ready"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// Each operation of the document with its path and method.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), op));
        }
    }
    out
}

fn statuses(op: &Value) -> Vec<&str> {
    op["responses"].as_object().unwrap().keys().map(String::as_str).collect()
}

fn has_param(op: &Value, location: &str) -> bool {
    op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == location))
}

/// What the shared layers answer is documented on every operation they wrap (schemathesis holds
/// the whole document to the server in CI; this keeps the general rules from slipping between).
#[test]
fn openapi_lists_what_the_shared_layers_answer() {
    let doc = serde_json::to_value(lectern::http::openapi()).unwrap();
    let ops = operations(&doc);
    assert!(ops.len() > 40, "{} operations", ops.len());
    for (path, method, op) in ops {
        let has = statuses(op);
        let name = format!("{} {path}", method.to_uppercase());
        if !path.starts_with("/health/") {
            assert!(has.contains(&"429"), "{name} omits 429: {has:?}");
            assert!(
                op["responses"]["429"]["headers"]["Retry-After"].is_object(),
                "{name}: 429 without Retry-After"
            );
        }
        if path != "/health/live" {
            assert!(has.contains(&"503"), "{name} omits 503: {has:?}");
        }
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(has.contains(&status), "{name} takes a JSON body but omits {status}: {has:?}");
            }
        }
        if has_param(op, "query") {
            assert!(has.contains(&"400"), "{name} reads a query but omits 400: {has:?}");
        }
        if has_param(op, "path") {
            assert!(has.contains(&"404"), "{name} names something by id but omits 404: {has:?}");
        }
        let security = op["security"].as_array().cloned().unwrap_or_default();
        if security.iter().any(|s| s.get("bearer").is_some()) {
            assert!(has.contains(&"401"), "{name} checks a bearer token but omits 401: {has:?}");
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            assert!(
                !response["description"].as_str().unwrap_or("").is_empty(),
                "{name} {status}: no description"
            );
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{name} {status} is not a problem"
                );
            }
        }
    }
}

/// The bounds the server enforces are in the document, where clients and fuzzers read them.
#[test]
fn openapi_declares_the_bounds_the_server_enforces() {
    let doc = serde_json::to_value(lectern::http::openapi()).unwrap();
    let mut limits = 0;
    for (path, method, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["name"] == "limit") {
            assert_eq!(
                (&p["schema"]["minimum"], &p["schema"]["maximum"]),
                (&json!(1), &json!(100)),
                "{method} {path}"
            );
            assert_eq!(p["schema"]["type"], "integer", "{method} {path}: a query string has no null");
            limits += 1;
        }
    }
    assert!(limits >= 6, "{limits} lists");

    let schemas = &doc["components"]["schemas"];
    let register = &schemas["RegisterBody"]["properties"];
    assert_eq!(register["email"]["format"], "email");
    assert_eq!(register["password"]["$ref"], "#/components/schemas/NewPassword");
    assert_eq!(register["role"]["enum"], json!(["student", "teacher", null]));
    let password = &schemas["NewPassword"];
    assert_eq!((&password["minLength"], &password["maxLength"]), (&json!(8), &json!(128)));
    assert!(password["pattern"].as_str().unwrap().contains("[pP][aA][sS][sS][wW][oO][rR][dD]"));
    assert!(schemas["NewCourseBody"]["properties"]["title"]["pattern"].as_str().unwrap().contains("{1,118}"));
    assert_eq!(schemas["NewCourseBody"]["properties"]["price_minor"]["maximum"], 100_000_000);
    assert_eq!(schemas["NewReviewBody"]["properties"]["rating"]["maximum"], 5);
    assert_eq!(schemas["NewReviewBody"]["required"], json!(["rating"]));
    let lesson = &schemas["NewLessonBody"]["oneOf"];
    assert_eq!(lesson.as_array().map(Vec::len), Some(3), "a text, a video or a quiz lesson");
    let quiz = &schemas["QuizIn"]["properties"];
    assert_eq!(
        (&quiz["pass_percent"]["minimum"], &quiz["pass_percent"]["maximum"]),
        (&json!(1), &json!(100))
    );
    assert_eq!(quiz["questions"]["maxItems"], 50);

    // Visitors are served, and a token that is sent is checked.
    let public = &doc["paths"]["/api/v1/lessons/{id}"]["get"]["security"];
    assert_eq!(public, &json!([{}, {"bearer": []}]));
}

#[tokio::test]
async fn data_survives_a_restart() {
    let app = spawn_app().await;
    let v = app.register_student("durable@school.test").await;
    let app = app.restart().await;
    let again = app.auth().login("durable@school.test", PASSWORD).await.assert_status(StatusCode::OK);
    assert_eq!(again["user"]["id"], v["user"]["id"]);
    // Refresh tokens issued before the restart still work: the signing secret persisted too.
    let r = app.auth().refresh(&refresh(&v)).await.assert_status(StatusCode::OK);
    app.me(&Actor::from_tokens(&r.json)).get().await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn the_admin_command_creates_an_admin_in_a_stopped_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args([
            "admin",
            "create",
            "--email",
            "Head@School.test",
            "--password",
            "head teacher pass",
            "--name",
            "Head",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin head@school.test"));

    let weak = Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["admin", "create", "--email", "x@school.test", "--password", "password", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("--password"));

    let dir = std::sync::Arc::new(dir);
    let app = spawn_data_dir(dir).await;
    let v = app.auth().login("head@school.test", "head teacher pass").await.assert_status(StatusCode::OK);
    assert_eq!(v["user"]["role"], "admin");
}

#[tokio::test]
async fn visitors_revalidate_public_json_with_etags() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Cached course", serde_json::json!({}), 1, true).await;
    for path in [format!("/api/v1/courses/{}", c.id), "/api/v1/courses?sort=newest".to_owned()] {
        let first = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(first.status(), reqwest::StatusCode::OK);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let body = first.text().await.unwrap();
        let again = app.client.get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), reqwest::StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.text().await.unwrap().is_empty());
        // A stale validator gets the whole answer, the same one.
        let other = app.client.get(app.url(&path)).header("if-none-match", "\"j0\"").send().await.unwrap();
        assert_eq!(other.status(), reqwest::StatusCode::OK);
        assert_eq!(other.text().await.unwrap(), body);
    }
    // A change makes a new validator: within the cache's second, the old one stops matching.
    let path = format!("/api/v1/courses/{}", c.id);
    let etag =
        app.client.get(app.url(&path)).send().await.unwrap().headers()["etag"].to_str().unwrap().to_owned();
    app.courses(&teacher).update(&c.id, serde_json::json!({"subtitle": "Changed"})).await;
    let changed = std::time::Instant::now();
    loop {
        let res = app.client.get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
        if res.status() == reqwest::StatusCode::OK {
            assert!(res.text().await.unwrap().contains("Changed"));
            break;
        }
        assert!(changed.elapsed() < std::time::Duration::from_millis(1500), "still 304 after the change");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Visitors under load read a course from the response cache; after the teacher changes it, no
/// visitor is served the old version more than a second later (JSON and the page alike).
#[tokio::test]
async fn under_load_a_change_reaches_every_visitor_within_a_second() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let app = Arc::new(spawn_app().await);
    let teacher = app.sign_up_teacher("t@school.test").await;
    let other_text =
        serde_json::json!({"subtitle": "Birds of prey", "description": "All about birds of prey."});
    let c = app.course(&teacher, "Before the change", other_text, 1, true).await;
    let stop = Arc::new(AtomicBool::new(false));
    let changed_at: Arc<std::sync::Mutex<Option<Instant>>> = Arc::default();
    let mut readers = Vec::new();
    for i in 0..8 {
        let (app, stop, changed_at) = (app.clone(), stop.clone(), changed_at.clone());
        let path =
            if i % 2 == 0 { format!("/api/v1/courses/{}", c.id) } else { format!("/courses/{}", c.slug) };
        readers.push(tokio::spawn(async move {
            let (mut reads, mut late) = (0u32, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let text = app.client.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
                reads += 1;
                let since = changed_at.lock().unwrap().map(|t| sent.saturating_duration_since(t));
                if text.contains("Before the change")
                    && let Some(since) = since
                    && since > Duration::from_secs(1)
                {
                    late.push(since);
                }
            }
            (reads, late)
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    app.courses(&teacher).update(&c.id, serde_json::json!({"title": "After the change"})).await;
    *changed_at.lock().unwrap() = Some(Instant::now());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for r in readers {
        let (reads, late) = r.await.unwrap();
        total += reads;
        assert!(late.is_empty(), "old version served {:?} after the change", late);
    }
    assert!(total > 100, "the readers made {total} requests: not much of a load");
}

/// The headers of an answer, but those that differ between any two answers.
fn lasting_headers(r: &Reply) -> Vec<(String, String)> {
    let mut h: Vec<_> = r
        .headers
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "date" | "x-request-id"))
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    h.sort();
    h
}

#[tokio::test]
async fn answers_replayed_at_the_door_are_the_answers_of_the_whole_stack() {
    let app = spawn_with(|c| c.cors_origins = vec!["https://app.school.test".into()]).await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Replayed", json!({}), 1, true).await;
    app.indexed().await;
    let replayed = async || {
        let m = app.visitor().get("/metrics").await.text;
        metric(&m, "lectern_page_cache_total", &[("result", "replayed")]).unwrap_or(0.0)
    };
    let before = replayed().await;
    let paths =
        [format!("/api/v1/courses/{}", c.id), format!("/courses/{}", c.slug), "/courses".into(), "/".into()];
    let askers = [("en", None), ("ru", Some("https://app.school.test")), ("ru", Some("https://evil.test"))];
    for path in &paths {
        for (lang, origin) in askers {
            let get = async || {
                let mut v = app.visitor().header("accept-language", lang);
                if let Some(o) = origin {
                    v = v.header("origin", o);
                }
                v.get(path).await.assert_status(StatusCode::OK)
            };
            // Rendered, from the cache through the whole stack (recorded), then replayed.
            let first = get().await;
            for again in [get().await, get().await, get().await] {
                assert_eq!(again.text, first.text, "{again}");
                assert_eq!(lasting_headers(&again), lasting_headers(&first), "{again}");
            }
            let allowed = first.header("access-control-allow-origin");
            assert_eq!(allowed, origin.filter(|o| o.contains("school")), "{first}");
        }
        // A revalidation at the door: 304, no body, the same validators.
        let etag = app.visitor().get(path).await.header("etag").unwrap().to_owned();
        let again = app.visitor().header("if-none-match", &etag).get(path).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{again}");
        assert!(again.text.is_empty() && again.header("content-type").is_none(), "{again}");
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        assert_eq!(again.header("cache-control"), Some("public, max-age=0, must-revalidate"));
    }
    // Two of each four requests came from the door (other tests may add to the count).
    assert!(replayed().await - before >= (paths.len() * askers.len() * 2) as f64);

    // The languages stay apart.
    let en = app.visitor().header("accept-language", "en").get("/courses").await.text;
    let ru = app.visitor().header("accept-language", "ru").get("/courses").await.text;
    assert_ne!(en, ru);
}

#[tokio::test]
async fn replayed_answers_still_count_against_the_rate_limit() {
    let app = spawn_with(|c| c.rate_limit_per_min = 4).await;
    for _ in 0..4 {
        app.visitor().get("/").await.assert_status(StatusCode::OK);
    }
    let res = app.visitor().get("/").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{res}");
    assert!(res.header("retry-after").is_some(), "{res}");
}

#[tokio::test]
async fn a_session_is_never_answered_with_a_visitors_replay() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Personal", json!({}), 1, true).await;
    app.indexed().await;
    let path = format!("/courses/{}", c.slug);
    for _ in 0..3 {
        app.visitor().get(&path).await.assert_status(StatusCode::OK);
    }
    let mut student = crate::web::signed_up(&app, "s@school.test", "Sasha").await;
    let (_, page) = student.page(&app, &path).await;
    assert!(
        !student.csrf.is_empty() && page.contains(&student.csrf),
        "the signed-in page (with its form token), not the visitors'"
    );

    // An expired access cookie: a fetch that is no page load renders signed out (and is not
    // renewed); the page load after it, with the very same cookies, is renewed, not replayed.
    student.cookies.retain(|(k, _)| k != "lectern_access");
    student.cookies.push(("lectern_access".into(), "expired".into()));
    let cookies = student.header();
    for _ in 0..3 {
        let fetch =
            app.visitor().header("cookie", &cookies).header("sec-fetch-dest", "empty").get(&path).await;
        assert!(!fetch.assert_status(StatusCode::OK).text.contains(&student.csrf));
    }
    let load = app.visitor().header("cookie", &cookies).get(&path).await.assert_status(StatusCode::OK);
    assert!(
        load.headers.get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("lectern_access="))
    );
    assert!(load.text.contains(&student.csrf), "renewed and signed in");

    // The JSON too: a bearer token gets its own, private answer.
    let api = format!("/api/v1/courses/{}", c.id);
    for _ in 0..3 {
        app.visitor().get(&api).await.assert_status(StatusCode::OK);
    }
    let mine = app.api(&teacher).get(&api).await.assert_status(StatusCode::OK);
    assert_eq!(mine.header("cache-control"), Some("private, no-store"), "{mine}");
}
