//! Who calls (`Actor`) and typed clients per resource. Thin on purpose: each method is one
//! request whose method, path and body can be read off its one line, and answers a [`Reply`];
//! asserting is the test's business.
#![allow(
    dead_code,
    reason = "a resource's client covers its endpoints, whether or not a test calls each yet"
)]

use reqwest::Method;
use serde_json::{Value, json};

use super::reply::Reply;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApp};

/// A caller of the JSON API: a signed-in person (their bearer token) or a visitor.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Sent as `Authorization: Bearer`; `None` for a visitor.
    pub access: Option<String>,
    pub refresh: Option<String>,
    /// The `user` object of the sign-in (`Null` when unknown).
    pub user: Value,
}

/// Nobody signed in.
pub static ANONYMOUS: Actor = Actor { access: None, refresh: None, user: Value::Null };

impl Actor {
    /// From a token object (what register, login and refresh answer).
    #[track_caller]
    pub fn from_tokens(v: &Value) -> Actor {
        let token = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("no {k} in {v}")).to_owned();
        Actor {
            access: Some(token("access_token")),
            refresh: Some(token("refresh_token")),
            user: v["user"].clone(),
        }
    }

    /// Whoever holds this access token (forged, expired, revoked...).
    pub fn bearer(token: impl Into<String>) -> Actor {
        Actor { access: Some(token.into()), refresh: None, user: Value::Null }
    }

    #[track_caller]
    pub fn id(&self) -> &str {
        self.user["id"].as_str().expect("a signed-in actor")
    }

    #[track_caller]
    pub fn access(&self) -> &str {
        self.access.as_deref().expect("a signed-in actor")
    }

    #[track_caller]
    pub fn refresh(&self) -> &str {
        self.refresh.as_deref().expect("an actor with a refresh token")
    }
}

/// Requests as one actor, with any extra headers.
#[derive(Clone)]
pub struct Api<'a> {
    app: &'a TestApp,
    actor: &'a Actor,
    headers: Vec<(String, String)>,
}

impl<'a> Api<'a> {
    /// Sends `name: value` with every request of this client.
    pub fn header(mut self, name: impl AsRef<str>, value: impl Into<String>) -> Api<'a> {
        self.headers.push((name.as_ref().to_owned(), value.into()));
        self
    }

    /// `body` is sent as JSON; `None` sends no body at all.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let request = format!("{method} {path}");
        let mut req = self.app.client.request(method, self.app.url(path));
        if let Some(t) = &self.actor.access {
            req = req.bearer_auth(t);
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{request}: {e}"));
        Reply::read(request, res).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(&body)).await
    }

    /// A POST without a body (actions such as publish, enroll, complete).
    pub async fn post_empty(&self, path: &str) -> Reply {
        self.send(Method::POST, path, None).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(&body)).await
    }

    pub async fn put(&self, path: &str) -> Reply {
        self.send(Method::PUT, path, None).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
}

/// `/api/v1/auth/*`: signing up and in, tokens, email links.
pub struct Auth<'a>(pub Api<'a>);

impl Auth<'_> {
    pub async fn register(&self, body: Value) -> Reply {
        self.0.post("/api/v1/auth/register", body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.0.post("/api/v1/auth/login", json!({"email": email, "password": password})).await
    }

    /// Cookie sign-in for browsers.
    pub async fn session(&self, email: &str, password: &str) -> Reply {
        self.0.post("/api/v1/auth/session", json!({"email": email, "password": password})).await
    }

    /// Rotates a cookie session (send the cookies and the CSRF token with the client).
    pub async fn session_refresh(&self) -> Reply {
        self.0.post_empty("/api/v1/auth/session/refresh").await
    }

    /// Ends a cookie session (send the cookies and the CSRF token with the client).
    pub async fn end_session(&self) -> Reply {
        self.0.delete("/api/v1/auth/session").await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.0.post("/api/v1/auth/refresh", json!({"refresh_token": refresh_token})).await
    }

    pub async fn logout(&self, refresh_token: &str) -> Reply {
        self.0.post("/api/v1/auth/logout", json!({"refresh_token": refresh_token})).await
    }

    pub async fn verify_email(&self, token: &str) -> Reply {
        self.0.post("/api/v1/auth/verify-email", json!({"token": token})).await
    }

    pub async fn forgot_password(&self, email: &str) -> Reply {
        self.0.post("/api/v1/auth/forgot-password", json!({"email": email})).await
    }

    pub async fn reset_password(&self, token: &str, password: &str) -> Reply {
        self.0.post("/api/v1/auth/reset-password", json!({"token": token, "password": password})).await
    }
}

/// `/api/v1/me` and the signed-in person's account actions.
pub struct Me<'a>(pub Api<'a>);

impl Me<'_> {
    pub async fn get(&self) -> Reply {
        self.0.get("/api/v1/me").await
    }

    pub async fn update(&self, body: Value) -> Reply {
        self.0.patch("/api/v1/me", body).await
    }

    pub async fn change_password(&self, current: &str, new: &str) -> Reply {
        self.0.post("/api/v1/me/password", json!({"current_password": current, "new_password": new})).await
    }

    pub async fn resend_verification(&self) -> Reply {
        self.0.post_empty("/api/v1/auth/resend-verification").await
    }
}

/// `/api/v1/courses` and `/api/v1/search`.
pub struct Courses<'a>(pub Api<'a>);

impl Courses<'_> {
    /// The published catalog: `query` as in the API (`"q=python&sort=price"`, or `""`).
    pub async fn list(&self, query: &str) -> Reply {
        self.0.get(&with_query("/api/v1/courses", query)).await
    }

    pub async fn suggest(&self, query: &str) -> Reply {
        self.0.get(&with_query("/api/v1/search/suggest", query)).await
    }

    pub async fn get(&self, id_or_slug: &str) -> Reply {
        self.0.get(&format!("/api/v1/courses/{id_or_slug}")).await
    }

    pub async fn create(&self, body: Value) -> Reply {
        self.0.post("/api/v1/courses", body).await
    }

    pub async fn update(&self, id: &str, body: Value) -> Reply {
        self.0.patch(&format!("/api/v1/courses/{id}"), body).await
    }

    pub async fn publish(&self, id: &str) -> Reply {
        self.0.post_empty(&format!("/api/v1/courses/{id}/publish")).await
    }

    pub async fn curriculum(&self, id: &str) -> Reply {
        self.0.get(&format!("/api/v1/courses/{id}/curriculum")).await
    }

    pub async fn add_module(&self, id: &str, body: Value) -> Reply {
        self.0.post(&format!("/api/v1/courses/{id}/modules"), body).await
    }
}

/// `/api/v1/modules/{id}`.
pub struct Modules<'a>(pub Api<'a>);

impl Modules<'_> {
    pub async fn update(&self, id: &str, body: Value) -> Reply {
        self.0.patch(&format!("/api/v1/modules/{id}"), body).await
    }

    pub async fn delete(&self, id: &str) -> Reply {
        self.0.delete(&format!("/api/v1/modules/{id}")).await
    }

    pub async fn add_lesson(&self, id: &str, body: Value) -> Reply {
        self.0.post(&format!("/api/v1/modules/{id}/lessons"), body).await
    }
}

/// `/api/v1/lessons/{id}`, with completion.
pub struct Lessons<'a>(pub Api<'a>);

impl Lessons<'_> {
    pub async fn get(&self, id: &str) -> Reply {
        self.0.get(&format!("/api/v1/lessons/{id}")).await
    }

    pub async fn update(&self, id: &str, body: Value) -> Reply {
        self.0.patch(&format!("/api/v1/lessons/{id}"), body).await
    }

    pub async fn delete(&self, id: &str) -> Reply {
        self.0.delete(&format!("/api/v1/lessons/{id}")).await
    }

    pub async fn complete(&self, id: &str) -> Reply {
        self.0.post_empty(&format!("/api/v1/lessons/{id}/complete")).await
    }

    pub async fn uncomplete(&self, id: &str) -> Reply {
        self.0.delete(&format!("/api/v1/lessons/{id}/complete")).await
    }

    /// `POST /api/v1/lessons/{id}/attempts` with `{answers}`.
    pub async fn attempt(&self, id: &str, answers: Value) -> Reply {
        self.0.post(&format!("/api/v1/lessons/{id}/attempts"), json!({ "answers": answers })).await
    }
}

/// Enrolling, my enrollments, progress.
pub struct Enrollments<'a>(pub Api<'a>);

impl Enrollments<'_> {
    pub async fn enroll(&self, course: &str) -> Reply {
        self.0.post_empty(&format!("/api/v1/courses/{course}/enroll")).await
    }

    pub async fn list(&self, query: &str) -> Reply {
        self.0.get(&with_query("/api/v1/me/enrollments", query)).await
    }

    pub async fn progress(&self, course: &str) -> Reply {
        self.0.get(&format!("/api/v1/courses/{course}/progress")).await
    }
}

/// `/api/v1/me/email-preferences`.
pub struct EmailPrefs<'a>(pub Api<'a>);

impl EmailPrefs<'_> {
    pub async fn get(&self) -> Reply {
        self.0.get("/api/v1/me/email-preferences").await
    }

    pub async fn update(&self, body: Value) -> Reply {
        self.0.patch("/api/v1/me/email-preferences", body).await
    }
}

/// A course's reviews, and `/api/v1/reviews/{id}`.
pub struct Reviews<'a>(pub Api<'a>);

impl Reviews<'_> {
    pub async fn list(&self, course: &str, query: &str) -> Reply {
        self.0.get(&with_query(&format!("/api/v1/courses/{course}/reviews"), query)).await
    }

    pub async fn create(&self, course: &str, body: Value) -> Reply {
        self.0.post(&format!("/api/v1/courses/{course}/reviews"), body).await
    }

    pub async fn update(&self, id: &str, body: Value) -> Reply {
        self.0.patch(&format!("/api/v1/reviews/{id}"), body).await
    }

    pub async fn delete(&self, id: &str) -> Reply {
        self.0.delete(&format!("/api/v1/reviews/{id}")).await
    }
}

/// `/api/v1/me/wishlist`.
pub struct Wishlist<'a>(pub Api<'a>);

impl Wishlist<'_> {
    pub async fn list(&self) -> Reply {
        self.0.get("/api/v1/me/wishlist").await
    }

    pub async fn add(&self, course: &str) -> Reply {
        self.0.put(&format!("/api/v1/me/wishlist/{course}")).await
    }

    pub async fn remove(&self, course: &str) -> Reply {
        self.0.delete(&format!("/api/v1/me/wishlist/{course}")).await
    }
}

/// `/api/v1/me/notifications`.
pub struct Notifications<'a>(pub Api<'a>);

impl Notifications<'_> {
    pub async fn list(&self) -> Reply {
        self.0.get("/api/v1/me/notifications").await
    }

    pub async fn read(&self, id: &str) -> Reply {
        self.0.post_empty(&format!("/api/v1/me/notifications/{id}/read")).await
    }

    pub async fn read_all(&self) -> Reply {
        self.0.post_empty("/api/v1/me/notifications/read-all").await
    }
}

/// `/api/v1/categories`.
pub struct Categories<'a>(pub Api<'a>);

impl Categories<'_> {
    pub async fn list(&self) -> Reply {
        self.0.get("/api/v1/categories").await
    }

    pub async fn create(&self, body: Value) -> Reply {
        self.0.post("/api/v1/categories", body).await
    }
}

/// `/api/v1/teachers/{id}`.
pub struct Teachers<'a>(pub Api<'a>);

impl Teachers<'_> {
    pub async fn get(&self, id: &str) -> Reply {
        self.0.get(&format!("/api/v1/teachers/{id}")).await
    }
}

/// `/api/v1/admin/*`.
pub struct Admin<'a>(pub Api<'a>);

impl Admin<'_> {
    pub async fn outbox(&self, query: &str) -> Reply {
        self.0.get(&with_query("/api/v1/admin/outbox", query)).await
    }

    pub async fn backups(&self) -> Reply {
        self.0.get("/api/v1/admin/backups").await
    }

    pub async fn create_backup(&self) -> Reply {
        self.0.post_empty("/api/v1/admin/backups").await
    }
}

/// Orders: checkout, an order, refunds (the buyer's request and the admin's refund), the
/// admin's orders and ledger.
pub struct Orders<'a>(pub Api<'a>);

impl Orders<'_> {
    pub async fn checkout(&self, course: &str, body: Value) -> Reply {
        self.0.post(&format!("/api/v1/courses/{course}/checkout"), body).await
    }

    pub async fn get(&self, id: &str) -> Reply {
        self.0.get(&format!("/api/v1/orders/{id}")).await
    }

    pub async fn mine(&self) -> Reply {
        self.0.get("/api/v1/me/orders").await
    }

    pub async fn refund_request(&self, id: &str, reason: &str) -> Reply {
        self.0.post(&format!("/api/v1/orders/{id}/refund-request"), json!({"reason": reason})).await
    }

    /// An admin's refund: `amount` in minor units, `None` for everything left.
    pub async fn refund(&self, id: &str, amount: Option<i64>, reason: &str) -> Reply {
        let body = json!({"amount_minor": amount, "reason": reason});
        self.0.post(&format!("/api/v1/admin/orders/{id}/refund"), body).await
    }

    pub async fn all(&self, query: &str) -> Reply {
        self.0.get(&with_query("/api/v1/admin/orders", query)).await
    }

    pub async fn ledger(&self, query: &str) -> Reply {
        self.0.get(&with_query("/api/v1/admin/ledger", query)).await
    }
}

/// A teacher's earnings and payouts, and the admin's decisions on them.
pub struct Payouts<'a>(pub Api<'a>);

impl Payouts<'_> {
    pub async fn earnings(&self) -> Reply {
        self.0.get("/api/v1/me/earnings").await
    }

    /// `amount`: `None` asks for everything available.
    pub async fn request(&self, currency: &str, amount: Option<i64>) -> Reply {
        self.0.post("/api/v1/me/payouts", json!({"currency": currency, "amount_minor": amount})).await
    }

    pub async fn mine(&self) -> Reply {
        self.0.get("/api/v1/me/payouts").await
    }

    pub async fn all(&self, query: &str) -> Reply {
        self.0.get(&with_query("/api/v1/admin/payouts", query)).await
    }

    pub async fn paid(&self, id: &str, reference: &str) -> Reply {
        self.0.post(&format!("/api/v1/admin/payouts/{id}/paid"), json!({"reference": reference})).await
    }

    pub async fn reject(&self, id: &str, reason: &str) -> Reply {
        self.0.post(&format!("/api/v1/admin/payouts/{id}/reject"), json!({"reason": reason})).await
    }
}

/// `/api/v1/.../certificates`.
pub struct Certificates<'a>(pub Api<'a>);

impl Certificates<'_> {
    pub async fn mine(&self) -> Reply {
        self.0.get("/api/v1/me/certificates").await
    }

    pub async fn get(&self, code: &str) -> Reply {
        self.0.get(&format!("/api/v1/certificates/{code}")).await
    }

    pub async fn revoke(&self, code: &str, reason: &str) -> Reply {
        self.0.post(&format!("/api/v1/admin/certificates/{code}/revoke"), json!({"reason": reason})).await
    }

    pub async fn jwks(&self) -> Reply {
        self.0.get("/.well-known/jwks.json").await
    }
}

impl TestApp {
    /// Any request, as `actor`.
    pub fn api<'a>(&'a self, actor: &'a Actor) -> Api<'a> {
        Api { app: self, actor, headers: Vec::new() }
    }

    /// Any request, as nobody.
    pub fn visitor(&self) -> Api<'_> {
        self.api(&ANONYMOUS)
    }

    pub fn auth(&self) -> Auth<'_> {
        Auth(self.visitor())
    }

    pub fn me<'a>(&'a self, actor: &'a Actor) -> Me<'a> {
        Me(self.api(actor))
    }

    pub fn courses<'a>(&'a self, actor: &'a Actor) -> Courses<'a> {
        Courses(self.api(actor))
    }

    pub fn modules<'a>(&'a self, actor: &'a Actor) -> Modules<'a> {
        Modules(self.api(actor))
    }

    pub fn lessons<'a>(&'a self, actor: &'a Actor) -> Lessons<'a> {
        Lessons(self.api(actor))
    }

    pub fn enrollments<'a>(&'a self, actor: &'a Actor) -> Enrollments<'a> {
        Enrollments(self.api(actor))
    }

    pub fn email_prefs<'a>(&'a self, actor: &'a Actor) -> EmailPrefs<'a> {
        EmailPrefs(self.api(actor))
    }

    pub fn reviews<'a>(&'a self, actor: &'a Actor) -> Reviews<'a> {
        Reviews(self.api(actor))
    }

    pub fn wishlist<'a>(&'a self, actor: &'a Actor) -> Wishlist<'a> {
        Wishlist(self.api(actor))
    }

    pub fn notifications<'a>(&'a self, actor: &'a Actor) -> Notifications<'a> {
        Notifications(self.api(actor))
    }

    pub fn categories<'a>(&'a self, actor: &'a Actor) -> Categories<'a> {
        Categories(self.api(actor))
    }

    pub fn teachers<'a>(&'a self, actor: &'a Actor) -> Teachers<'a> {
        Teachers(self.api(actor))
    }

    pub fn admin<'a>(&'a self, actor: &'a Actor) -> Admin<'a> {
        Admin(self.api(actor))
    }

    pub fn orders<'a>(&'a self, actor: &'a Actor) -> Orders<'a> {
        Orders(self.api(actor))
    }

    pub fn payouts<'a>(&'a self, actor: &'a Actor) -> Payouts<'a> {
        Payouts(self.api(actor))
    }

    pub fn certificates<'a>(&'a self, actor: &'a Actor) -> Certificates<'a> {
        Certificates(self.api(actor))
    }

    /// Registers `email` (password [`PASSWORD`], name "Test Person") as `role`, signed in.
    pub async fn sign_up(&self, email: &str, role: &str) -> Actor {
        Actor::from_tokens(&self.register_as(email, role).await)
    }

    pub async fn sign_up_student(&self, email: &str) -> Actor {
        self.sign_up(email, "student").await
    }

    pub async fn sign_up_teacher(&self, email: &str) -> Actor {
        self.sign_up(email, "teacher").await
    }

    /// A new sign-in of an existing account (asserts it succeeds).
    pub async fn sign_in(&self, email: &str, password: &str) -> Actor {
        let r = self.auth().login(email, password).await.assert_status(reqwest::StatusCode::OK);
        Actor::from_tokens(&r.json)
    }

    /// The admin from the test configuration, signed in.
    pub async fn sign_in_admin(&self) -> Actor {
        self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// A registration body: `{email, password: PASSWORD, name: "Test Person", role}`.
    pub fn registration(email: &str, role: &str) -> Value {
        json!({"email": email, "password": PASSWORD, "name": "Test Person", "role": role})
    }
}
