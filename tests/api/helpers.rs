use std::path::Path;
use std::sync::{Arc, Once};

use lectern::app::{App, AppState, Server};
use lectern::config::{Config, Secret};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::support::*;

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

    /// Registers `email` as `role` and answers the token object (see [`TestApp::sign_up`] for
    /// the same as an [`Actor`]).
    pub async fn register_as(&self, email: &str, role: &str) -> Value {
        self.auth().register(TestApp::registration(email, role)).await.assert_status(StatusCode::CREATED).json
    }

    pub async fn register_student(&self, email: &str) -> Value {
        self.register_as(email, "student").await
    }

    /// Every message in the outbox, newest first.
    pub async fn outbox(&self) -> Vec<Value> {
        let admin = self.sign_in_admin().await;
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("limit=100&cursor={c}"),
                None => "limit=100".to_owned(),
            };
            let v = self.admin(&admin).outbox(&query).await.assert_status(StatusCode::OK).json;
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
    /// Creates a category (as admin) unless it exists.
    pub async fn category(&self, slug: &str, name: &str) {
        let list = self.categories(&ANONYMOUS).list().await.assert_status(StatusCode::OK);
        if list["items"].as_array().unwrap().iter().any(|c| c["slug"] == slug) {
            return;
        }
        let admin = self.sign_in_admin().await;
        let res = self
            .categories(&admin)
            .create(json!({"slug": slug, "name": name, "name_ru": format!("{name} (ru)")}))
            .await;
        assert!(
            res.status == StatusCode::CREATED || res.status == StatusCode::CONFLICT,
            "category {slug}: {res}"
        );
    }

    /// Creates a course with `lessons` text lessons in one module (the first one a preview),
    /// published if asked.
    pub async fn course(
        &self,
        teacher: &Actor,
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
        let c = self.courses(teacher).create(course).await.assert_status(StatusCode::CREATED);
        let id = c.id();
        let module = self
            .courses(teacher)
            .add_module(&id, json!({"title": "Getting started"}))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        let mut ids = Vec::new();
        for i in 0..lessons {
            let l = self
                .modules(teacher)
                .add_lesson(
                    &module,
                    json!({"title": format!("Lesson {}", i + 1), "kind": "text", "body": format!("Body of lesson {}", i + 1), "duration_s": 300, "is_preview": i == 0}),
                )
                .await
                .assert_status(StatusCode::CREATED);
            ids.push(l.id());
        }
        if publish {
            let published = self.courses(teacher).publish(&id).await.assert_status(StatusCode::OK);
            if published["status"] == "in_review" {
                self.approve_course(&id).await;
            }
        }
        CourseFixture { id, slug: c.str("slug").to_owned(), modules: vec![module], lessons: ids }
    }

    /// Publishes a course waiting in the moderation queue, as the admin.
    pub async fn approve_course(&self, id: &str) {
        let admin = self.sign_in_admin().await;
        let res = self.api(&admin).post(&format!("/api/v1/admin/courses/{id}/approve"), json!({})).await;
        assert_eq!(res["status"], "published", "{res}");
    }

    /// Fresh objects for one caller's run of the catalog and learning authorization tables
    /// (`label` keeps titles apart):
    /// - `{course}`: published and free, one module `{module}` with a preview lesson `{preview}`
    ///   and a lesson `{lesson}`; the cast's enrolled student is enrolled in it and wrote its
    ///   review `{review}`, and `{notification}` is that student's "enrolled" notification;
    /// - `{draft}`: never published, module `{draft_module}`, one lesson `{draft_lesson}` (a
    ///   preview, but of a draft);
    /// - `{paid}`: published, 19.00 USD;
    /// - `{owner}`: the owning teacher's id.
    pub async fn course_vars(&self, cast: &Cast, label: &str) -> Vars {
        let c = self.course(&cast.owner, &format!("Course for {label}"), json!({}), 2, true).await;
        let draft = self.course(&cast.owner, &format!("Draft for {label}"), json!({}), 1, false).await;
        let paid = self
            .course(&cast.owner, &format!("Paid for {label}"), json!({"price_minor": 1900}), 1, true)
            .await;
        self.enrollments(&cast.enrolled).enroll(&c.id).await.assert_status(StatusCode::CREATED);
        let review = self
            .reviews(&cast.enrolled)
            .create(&c.id, json!({"rating": 5, "text": "great"}))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        let n = self.notifications(&cast.enrolled).list().await.assert_status(StatusCode::OK);
        assert_eq!(n["items"][0]["kind"], "enrolled", "{n}");
        Vars::from([
            ("course", c.id),
            ("module", c.modules[0].clone()),
            ("preview", c.lessons[0].clone()),
            ("lesson", c.lessons[1].clone()),
            ("review", review),
            ("notification", n["items"][0]["id"].as_str().unwrap().to_owned()),
            ("draft", draft.id),
            ("draft_module", draft.modules[0].clone()),
            ("draft_lesson", draft.lessons[0].clone()),
            ("paid", paid.id),
            ("owner", cast.owner.id().to_owned()),
        ])
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

    /// The published catalog (`GET /api/v1/courses?{query}`), asserting 200.
    pub async fn list(&self, query: &str) -> Value {
        self.courses(&ANONYMOUS).list(query).await.assert_status(StatusCode::OK).json
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

    /// Keeps the cookies a response sets (pass its headers).
    pub fn absorb(&mut self, headers: &reqwest::header::HeaderMap) {
        for c in headers.get_all(reqwest::header::SET_COOKIE) {
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

    /// API requests with this browser's cookies (add the CSRF token with `.header`).
    pub fn api<'a>(&self, app: &'a TestApp) -> Api<'a> {
        app.visitor().header(reqwest::header::COOKIE, self.header())
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// GET a page with this browser's cookies (and keep the ones it sets).
    pub async fn get(&mut self, app: &TestApp, path: &str) -> Reply {
        let mut req = app.client.get(app.url(path));
        if !self.cookies.is_empty() {
            req = req.header(reqwest::header::COOKIE, self.header());
        }
        let res = Reply::read(format!("GET {path}"), req.send().await.unwrap()).await;
        self.absorb(&res.headers);
        res
    }

    /// GET a page and read it: (status, body).
    pub async fn page(&mut self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let res = self.get(app, path).await;
        (res.status, res.text)
    }

    /// POST a form as a browser would from one of our pages.
    pub async fn form(&mut self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut req = app.client.post(app.url(path)).form(fields);
        if !self.cookies.is_empty() {
            req = req.header(reqwest::header::COOKIE, self.header());
        }
        let res = Reply::read(format!("POST {path} (form)"), req.send().await.unwrap()).await;
        self.absorb(&res.headers);
        if let Some(c) = self.cookie("lectern_csrf") {
            self.csrf = c.to_owned();
        }
        res
    }
}

/// A sample of a Prometheus scrape: the first series `name` whose labels include `labels`.
pub fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (series, value) = l.rsplit_once(' ')?;
        let (n, rest) = series.split_once('{').map_or((series, ""), |(n, r)| (n, r));
        if n != name || !labels.iter().all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))) {
            return None;
        }
        value.parse().ok()
    })
}
