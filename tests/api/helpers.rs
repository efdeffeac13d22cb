use std::path::Path;
use std::sync::{Arc, Once};

use lectern::app::{App, AppState, Server};
use lectern::config::{Config, Secret};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_EMAIL: &str = "admin@school.test";
pub const ADMIN_PASSWORD: &str = "admin password 123";
pub const PASSWORD: &str = "correct horse battery";

static LOG: Once = Once::new();

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: Option<AppState>,
    pub dir: Arc<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(customize: impl FnOnce(&mut Config)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    start(dir, customize).await
}

/// A server on an existing data dir.
pub async fn spawn_data_dir(dir: Arc<TempDir>) -> TestApp {
    start(dir, |_| {}).await
}

fn test_config(data: &Path) -> Config {
    let mut c = Config::new(data);
    c.addr = "127.0.0.1:0".parse().unwrap();
    c.public_url = "http://school.test".into();
    c.rate_limit_per_min = 0;
    c.admin = Some((ADMIN_EMAIL.into(), Secret::new(ADMIN_PASSWORD.as_bytes().to_vec())));
    c
}

async fn start(dir: Arc<TempDir>, customize: impl FnOnce(&mut Config)) -> TestApp {
    LOG.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            lectern::telemetry::init("pretty");
        }
    });
    let mut config = test_config(dir.path());
    customize(&mut config);
    let state = App::build(config).await.expect("app builds");
    let server = Server::bind(state.clone()).await.expect("binds");
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        state: Some(state),
        dir,
        stop: Some(stop),
        task: Some(task),
    }
}

impl TestApp {
    pub fn state(&self) -> &AppState {
        self.state.as_ref().expect("running")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server (drain, close the store) and starts a new one on the same data dir.
    pub async fn restart(mut self) -> TestApp {
        self.shutdown().await;
        start(self.dir.clone(), |_| {}).await
    }

    pub async fn shutdown(&mut self) {
        self.state = None;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.unwrap()
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn register_as(&self, email: &str, role: &str) -> Value {
        let res = self
            .post(
                "/api/v1/auth/register",
                &json!({"email": email, "password": PASSWORD, "name": "Test Person", "role": role}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "register {email}");
        res.json().await.unwrap()
    }

    pub async fn register_student(&self, email: &str) -> Value {
        self.register_as(email, "student").await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/api/v1/auth/login", &json!({"email": email, "password": password})).await
    }

    pub async fn admin_token(&self) -> String {
        let res = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = res.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    /// Every message in the outbox, newest first.
    pub async fn outbox(&self) -> Vec<Value> {
        let token = self.admin_token().await;
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/admin/outbox?limit=100&cursor={c}"),
                None => "/api/v1/admin/outbox?limit=100".to_owned(),
            };
            let v: Value = self.get_auth(&path, &token).await.json().await.unwrap();
            items.extend(v["items"].as_array().unwrap().iter().cloned());
            match v["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
    }

    /// The token in the newest link to `page` mailed to `to`. Mail is queued in the same
    /// transaction as the change, but forgot-password answers before it queues: poll briefly.
    pub async fn token_from_mail(&self, to: &str, page: &str) -> String {
        for _ in 0..50 {
            if let Some(t) = self.try_token_from_mail(to, page).await {
                return t;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no {page} mail to {to}");
    }

    pub async fn try_token_from_mail(&self, to: &str, page: &str) -> Option<String> {
        let needle = format!("http://school.test/{page}?token=");
        self.outbox().await.into_iter().filter(|m| m["to"] == to).find_map(|m| {
            let text = m["text"].as_str()?;
            let start = text.find(&needle)? + needle.len();
            Some(text[start..].split_whitespace().next()?.to_owned())
        })
    }

    pub async fn mails_to(&self, to: &str) -> Vec<Value> {
        self.outbox().await.into_iter().filter(|m| m["to"] == to).collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn problem(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(ct.as_deref(), Some("application/problem+json"), "status {status}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    (status, body)
}

pub fn access(v: &Value) -> String {
    v["access_token"].as_str().unwrap().to_owned()
}

pub fn refresh(v: &Value) -> String {
    v["refresh_token"].as_str().unwrap().to_owned()
}

/// A teacher's course, built through the API.
pub struct CourseFixture {
    pub id: String,
    pub slug: String,
    pub modules: Vec<String>,
    pub lessons: Vec<String>,
}

impl TestApp {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.unwrap()
    }

    /// Creates a category (as admin) unless it exists.
    pub async fn category(&self, slug: &str, name: &str) {
        let admin = self.admin_token().await;
        let res = self
            .post_auth(
                "/api/v1/categories",
                &admin,
                &json!({"slug": slug, "name": name, "name_ru": format!("{name} (ru)")}),
            )
            .await;
        assert!(
            res.status() == StatusCode::CREATED || res.status() == StatusCode::CONFLICT,
            "category {slug}: {}",
            res.status()
        );
    }

    /// Creates a course with `lessons` text lessons in one module, published if asked.
    pub async fn course(
        &self,
        teacher_token: &str,
        title: &str,
        body: Value,
        lessons: usize,
        publish: bool,
    ) -> CourseFixture {
        self.category("programming", "Programming").await;
        let mut course = json!({
            "title": title,
            "subtitle": format!("{title}: the practical way"),
            "description": format!("Learn **{title}** step by step, with exercises."),
            "level": "beginner",
            "language": "en",
            "category": "programming",
            "price_minor": 0,
            "currency": "USD",
        });
        for (k, v) in body.as_object().unwrap() {
            course[k] = v.clone();
        }
        let res = self.post_auth("/api/v1/courses", teacher_token, &course).await;
        assert_eq!(res.status(), StatusCode::CREATED, "create course");
        let c: Value = res.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_owned();
        let m: Value = self
            .post_auth(
                &format!("/api/v1/courses/{id}/modules"),
                teacher_token,
                &json!({"title": "Getting started"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let module = m["id"].as_str().unwrap().to_owned();
        let mut ids = Vec::new();
        for i in 0..lessons {
            let res = self
                .post_auth(
                    &format!("/api/v1/modules/{module}/lessons"),
                    teacher_token,
                    &json!({"title": format!("Lesson {}", i + 1), "kind": "text", "body": format!("Body of lesson {}", i + 1), "duration_s": 300, "is_preview": i == 0}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::CREATED);
            let l: Value = res.json().await.unwrap();
            ids.push(l["id"].as_str().unwrap().to_owned());
        }
        if publish {
            let res =
                self.post_auth(&format!("/api/v1/courses/{id}/publish"), teacher_token, &json!({})).await;
            assert_eq!(res.status(), StatusCode::OK, "publish");
        }
        CourseFixture {
            id,
            slug: c["slug"].as_str().unwrap().to_owned(),
            modules: vec![module],
            lessons: ids,
        }
    }

    /// Waits until search reflects every write so far.
    pub async fn indexed(&self) {
        let state = self.state().clone();
        let pos = state.store.position().unwrap();
        assert!(
            state.search.wait_for(pos, std::time::Duration::from_secs(5)).await,
            "search did not catch up"
        );
    }

    pub async fn list(&self, query: &str) -> Value {
        let res = self.client.get(self.url(&format!("/api/v1/courses?{query}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "list {query}");
        res.json().await.unwrap()
    }
}

pub fn slugs(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap().to_owned()).collect()
}

/// A browser's cookie jar, as far as these tests need one.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
    pub csrf: String,
}

impl Browser {
    pub fn header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn absorb(&mut self, res: &reqwest::Response) {
        for c in res.headers().get_all(reqwest::header::SET_COOKIE) {
            let s = c.to_str().unwrap();
            let (pair, _) = s.split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            // The jar keeps cookies of path `/` only (the ones pages see).
            if !s.contains("Path=/;") && !s.ends_with("Path=/") {
                continue;
            }
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() && !s.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// GET a page with this browser's cookies (and keep the ones it sets).
    pub async fn get(&mut self, app: &TestApp, path: &str) -> Response {
        let mut req = app.client.get(app.url(path));
        if !self.cookies.is_empty() {
            req = req.header(reqwest::header::COOKIE, self.header());
        }
        let res = req.send().await.unwrap();
        self.absorb(&res);
        res
    }

    /// GET a page and read it: (status, body).
    pub async fn page(&mut self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let res = self.get(app, path).await;
        (res.status(), res.text().await.unwrap())
    }

    /// POST a form as a browser would from one of our pages.
    pub async fn form(&mut self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut req = app.client.post(app.url(path)).form(fields);
        if !self.cookies.is_empty() {
            req = req.header(reqwest::header::COOKIE, self.header());
        }
        let res = req.send().await.unwrap();
        self.absorb(&res);
        if let Some(c) = self.cookie("lectern_csrf") {
            self.csrf = c.to_owned();
        }
        res
    }
}

/// Where a redirect points.
pub fn location(res: &Response) -> String {
    res.headers().get(reqwest::header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}
