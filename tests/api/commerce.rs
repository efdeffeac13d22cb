//! Selling a course through Stripe, against a local stand-in that speaks the parts of Stripe's
//! API Lectern uses and signs webhooks the way Stripe does.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::HeaderMap;
use lectern::commerce::stripe::sign;
use lectern::config::{Secret, StripeConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::support::{ANONYMOUS, Actor, Reply};

pub(crate) const WEBHOOK_SECRET: &str = "whsec_lectern_test";
const SECRET_KEY: &str = "sk_test_lectern";

/// One request the stand-in was sent: (authorization, idempotency key, form fields).
pub(crate) type Sent = (String, String, Vec<(String, String)>);

/// The stand-in's state: what it was sent, and what `GET /v1/checkout/sessions/{id}` answers
/// (the test sets each session's answer as Stripe would have it; unknown sessions are 404).
#[derive(Default)]
pub(crate) struct StripeStand {
    /// `POST /v1/checkout/sessions`.
    pub sessions: Vec<Sent>,
    /// `POST /v1/refunds`.
    pub refunds: Vec<Sent>,
    pub session_answers: std::collections::HashMap<String, Value>,
    /// How many times a session was read back.
    pub session_reads: usize,
    /// Answer `POST /v1/refunds` with Stripe's error (a charge that cannot be refunded).
    pub refuse_refunds: bool,
}

pub(crate) type Seen = Arc<Mutex<StripeStand>>;

fn sent(headers: &HeaderMap, body: &str) -> Sent {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    (header("authorization"), header("idempotency-key"), form)
}

/// A form field of what the stand-in was sent.
pub(crate) fn field<'a>(form: &'a [(String, String)], k: &str) -> Option<&'a str> {
    form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// A Stripe stand-in: `POST /v1/checkout/sessions` answers a session with a hosted-page URL,
/// `POST /v1/refunds` a pending refund, and `GET /v1/checkout/sessions/{id}` what the test set.
pub(crate) async fn stripe_stand_in() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route(
            "/v1/checkout/sessions",
            axum::routing::post(|State(seen): State<Seen>, headers: HeaderMap, body: String| async move {
                let s = sent(&headers, &body);
                let order = field(&s.2, "client_reference_id").unwrap_or_default().to_owned();
                seen.lock().unwrap().sessions.push(s);
                axum::Json(json!({
                    "id": format!("cs_test_{order}"),
                    "object": "checkout.session",
                    "url": format!("https://checkout.stripe.test/c/pay/cs_test_{order}"),
                }))
            }),
        )
        .route(
            "/v1/checkout/sessions/{id}",
            axum::routing::get(
                |State(seen): State<Seen>, axum::extract::Path(id): axum::extract::Path<String>| async move {
                    let mut s = seen.lock().unwrap();
                    s.session_reads += 1;
                    match s.session_answers.get(&id) {
                        Some(v) => (StatusCode::OK, axum::Json(v.clone())),
                        None => (
                            StatusCode::NOT_FOUND,
                            axum::Json(json!({"error": {"type": "invalid_request_error", "code": "resource_missing"}})),
                        ),
                    }
                },
            ),
        )
        .route(
            // Every PaymentIntent of a checkout carries its order id (`pi_test_{order}` here).
            "/v1/payment_intents/{id}",
            axum::routing::get(|axum::extract::Path(id): axum::extract::Path<String>| async move {
                match id.strip_prefix("pi_test_") {
                    Some(order) => (
                        StatusCode::OK,
                        axum::Json(json!({"id": id, "object": "payment_intent", "metadata": {"order_id": order}})),
                    ),
                    None => (
                        StatusCode::NOT_FOUND,
                        axum::Json(json!({"error": {"type": "invalid_request_error", "code": "resource_missing"}})),
                    ),
                }
            }),
        )
        .route(
            "/v1/refunds",
            axum::routing::post(|State(seen): State<Seen>, headers: HeaderMap, body: String| async move {
                let s = sent(&headers, &body);
                let amount: i64 = field(&s.2, "amount").and_then(|a| a.parse().ok()).unwrap_or(0);
                let mut seen = seen.lock().unwrap();
                seen.refunds.push(s);
                if seen.refuse_refunds {
                    return (
                        StatusCode::BAD_REQUEST,
                        axum::Json(json!({"error": {"type": "invalid_request_error", "code": "charge_already_refunded"}})),
                    );
                }
                let id = format!("re_test_{}", seen.refunds.len());
                (StatusCode::OK, axum::Json(json!({"id": id, "object": "refund", "amount": amount, "status": "pending"})))
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

pub(crate) async fn spawn_selling() -> (TestApp, Seen) {
    let (base, seen) = stripe_stand_in().await;
    let app = spawn_with(|c| {
        c.payments.stripe = Some(StripeConfig {
            secret_key: Secret::new(SECRET_KEY.as_bytes().to_vec()),
            webhook_secret: Secret::new(WEBHOOK_SECRET.as_bytes().to_vec()),
            api_base: base,
        });
    })
    .await;
    (app, seen)
}

fn session_completed(event_id: &str, order: &str, amount: i64, currency: &str) -> Value {
    json!({
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {
            "id": format!("cs_test_{order}"),
            "object": "checkout.session",
            "client_reference_id": order,
            "metadata": {"order_id": order},
            "amount_total": amount,
            "currency": currency,
            "payment_status": "paid",
        }},
    })
}

impl TestApp {
    pub(crate) async fn webhook(&self, body: &Value, signature: Option<String>) -> StatusCode {
        let mut req = self
            .client
            .post(self.url("/api/v1/payments/stripe/webhook"))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(body).unwrap());
        if let Some(s) = signature {
            req = req.header("stripe-signature", s);
        }
        req.send().await.unwrap().status()
    }

    pub(crate) async fn signed_webhook(&self, body: &Value) -> StatusCode {
        let t = time_now();
        let sig = sign(WEBHOOK_SECRET.as_bytes(), &serde_json::to_vec(body).unwrap(), t);
        self.webhook(body, Some(sig)).await
    }

    pub(crate) async fn order(&self, who: &Actor, id: &str) -> Value {
        self.api(who).get(&format!("/api/v1/orders/{id}")).await.assert_status(StatusCode::OK).json
    }

    pub(crate) async fn checkout(&self, who: &Actor, course: &str, provider: &str) -> Reply {
        self.api(who).post(&format!("/api/v1/courses/{course}/checkout"), json!({"provider": provider})).await
    }

    pub(crate) async fn student_count(&self, course: &str) -> u64 {
        let admin = self.sign_in_admin().await;
        self.courses(&admin).get(course).await.assert_status(StatusCode::OK).json["student_count"]
            .as_u64()
            .unwrap()
    }
}

pub(crate) fn time_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn paid_course(app: &TestApp) -> CourseFixture {
    let teacher = app.sign_up_teacher("seller@school.test").await;
    app.course(&teacher, "Paid Rust", json!({"price_minor": 4900, "currency": "USD"}), 2, true).await
}

#[tokio::test]
async fn a_stripe_purchase_enrolls_the_buyer_once_whatever_the_webhook_deliveries() {
    let (app, seen) = spawn_selling().await;
    let course = paid_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;

    let providers = app.api(&ANONYMOUS).get("/api/v1/payments/providers").await.assert_status(StatusCode::OK);
    assert_eq!(providers.json["providers"], json!(["stripe"]), "the test provider is off unless enabled");

    let out = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(out["redirect_url"], format!("https://checkout.stripe.test/c/pay/cs_test_{order}"));
    assert_eq!(out["order"]["status"], "pending");
    assert_eq!(
        (out["order"]["total_minor"].as_i64(), out["order"]["currency"].as_str()),
        (Some(4900), Some("USD"))
    );

    // Stripe was asked for a payment-mode session for this order, with an idempotency key.
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.sessions.len(), 1);
        let (auth, key, form) = &seen.sessions[0];
        assert_eq!(auth, &format!("Bearer {SECRET_KEY}"));
        assert!(!key.is_empty() && key.len() <= 255 && key.contains(&order));
        let field = |k: &str| field(form, k);
        assert_eq!(field("mode"), Some("payment"));
        assert_eq!(field("client_reference_id"), Some(order.as_str()));
        assert_eq!(field("metadata[order_id]"), Some(order.as_str()));
        assert_eq!(field("line_items[0][price_data][unit_amount]"), Some("4900"));
        assert_eq!(field("line_items[0][price_data][currency]"), Some("usd"));
        assert_eq!(field("customer_email"), Some("buyer@school.test"));
    }

    // A second checkout while the first is pending returns the same order, without a new session.
    let again = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::OK).json;
    assert_eq!(again["order"]["id"], order.as_str());
    assert_eq!(seen.lock().unwrap().sessions.len(), 1);

    // Unsigned, tampered, wrongly keyed and stale webhooks change nothing.
    let event = session_completed("evt_paid_1", &order, 4900, "usd");
    let body = serde_json::to_vec(&event).unwrap();
    let signed = |secret: &[u8], t: i64| Some(sign(secret, &body, t));
    assert_eq!(app.webhook(&event, None).await, StatusCode::BAD_REQUEST);
    let tampered = session_completed("evt_paid_1", &order, 1, "usd");
    assert_eq!(
        app.webhook(&tampered, signed(WEBHOOK_SECRET.as_bytes(), time_now())).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.webhook(&event, signed(b"whsec_other", time_now())).await, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.webhook(&event, signed(WEBHOOK_SECRET.as_bytes(), time_now() - 301)).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.order(&student, &order).await["status"], "pending");
    assert_eq!(app.student_count(&course.id).await, 0);
    app.lessons(&student).get(&course.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");

    // The real event pays the order and enrolls; delivered three times, it counts once.
    for _ in 0..3 {
        assert_eq!(app.signed_webhook(&event).await, StatusCode::OK);
    }
    let paid = app.order(&student, &order).await;
    assert_eq!(paid["status"], "paid");
    assert!(paid["paid_at"].is_string());
    assert_eq!(app.student_count(&course.id).await, 1);
    app.lessons(&student).get(&course.lessons[1]).await.assert_status(StatusCode::OK);

    // A late `expired` for a paid order changes nothing; enrolled buyers cannot check out again.
    let expired = json!({"id": "evt_exp_1", "type": "checkout.session.expired",
        "data": {"object": {"client_reference_id": order, "payment_status": "unpaid"}}});
    assert_eq!(app.signed_webhook(&expired).await, StatusCode::OK);
    assert_eq!(app.order(&student, &order).await["status"], "paid");
    app.checkout(&student, &course.id, "stripe").await.assert_code(StatusCode::CONFLICT, "already_enrolled");

    // The order is listed for its buyer and hidden from everyone else.
    let mine = app.api(&student).get("/api/v1/me/orders").await.assert_status(StatusCode::OK);
    assert_eq!(mine.json["items"][0]["id"], order.as_str());
    let other = app.sign_up_student("other@school.test").await;
    app.api(&other).get(&format!("/api/v1/orders/{order}")).await.assert_problem(StatusCode::NOT_FOUND);
    let admin = app.sign_in_admin().await;
    app.api(&admin).get(&format!("/api/v1/orders/{order}")).await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn a_payment_of_another_amount_or_currency_goes_to_review_without_enrolling() {
    let (app, _) = spawn_selling().await;
    let course = paid_course(&app).await;
    for (who, amount, currency) in [("short@school.test", 100, "usd"), ("eur@school.test", 4900, "eur")] {
        let student = app.sign_up_student(who).await;
        let res = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::CREATED);
        let order = res.json["order"]["id"].as_str().unwrap().to_owned();
        let event = session_completed(&format!("evt_{who}"), &order, amount, currency);
        assert_eq!(app.signed_webhook(&event).await, StatusCode::OK);
        assert_eq!(app.order(&student, &order).await["status"], "review", "{who}");
        app.lessons(&student)
            .get(&course.lessons[1])
            .await
            .assert_code(StatusCode::FORBIDDEN, "not_enrolled");
    }
    assert_eq!(app.student_count(&course.id).await, 0);
}

#[tokio::test]
async fn checkout_refuses_free_courses_unknown_providers_and_unconfigured_ones() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let free = app.course(&teacher, "Free Rust", json!({}), 1, true).await;
    let paid =
        app.course(&teacher, "Dear Rust", json!({"price_minor": 1000, "currency": "USD"}), 1, true).await;
    let student = app.sign_up_student("s@school.test").await;

    let providers = app.api(&ANONYMOUS).get("/api/v1/payments/providers").await.assert_status(StatusCode::OK);
    assert_eq!(providers.json["providers"], json!([]));
    app.checkout(&student, &free.id, "stripe").await.assert_code(StatusCode::CONFLICT, "not_for_sale");
    // Stripe has no keys here.
    app.checkout(&student, &paid.id, "stripe").await.assert_code(StatusCode::CONFLICT, "not_for_sale");
    app.checkout(&student, &paid.id, "paypal")
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    app.checkout(&ANONYMOUS, &paid.id, "stripe")
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthenticated");
    // Without Stripe configured, its webhook does not exist.
    assert_eq!(app.webhook(&json!({}), None).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_student_buys_through_the_pages_with_the_test_provider_after_a_decline() {
    let app = spawn_with(|c| c.payments.test = true).await;
    let course = paid_course(&app).await;
    let mut b = crate::web::signed_up(&app, "pages@school.test", "Page Buyer").await;

    let (_, body) = b.page(&app, &format!("/courses/{}", course.slug)).await;
    assert!(
        body.contains("id=\"buy-form\"") && !body.contains("Paid enrollment opens soon"),
        "the course page sells"
    );
    let (_, visitor) = Browser::default().page(&app, &format!("/courses/{}", course.slug)).await;
    assert!(visitor.contains("id=\"signup-to-buy\""));

    let buy = format!("/courses/{}/buy", course.slug);
    let csrf = b.csrf.clone();
    let res = b.form(&app, &buy, &[("csrf", &csrf), ("provider", "test")]).await;
    let pay_page = res.assert_status(StatusCode::SEE_OTHER).location().to_owned();
    assert!(pay_page.starts_with("http://school.test/pay/test/"), "{pay_page}");
    let pay_path = pay_page.trim_start_matches("http://school.test").to_owned();
    let order = pay_path.trim_start_matches("/pay/test/").to_owned();

    // Someone else cannot open or answer this order's payment page.
    let mut other = crate::web::signed_up(&app, "nosy@school.test", "Nosy").await;
    assert_eq!(other.page(&app, &pay_path).await.0, StatusCode::NOT_FOUND);
    let nosy_csrf = other.csrf.clone();
    other
        .form(&app, &pay_path, &[("csrf", &nosy_csrf), ("outcome", "pay")])
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let (status, body) = b.page(&app, &pay_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("$49"), "the page shows what is paid");
    let (_, body) = b.page(&app, &format!("/orders/{order}")).await;
    assert!(body.contains("http-equiv=\"refresh\"") && body.contains("data-status=\"order-pending\""));

    let csrf = b.csrf.clone();
    let res = b.form(&app, &pay_path, &[("csrf", &csrf), ("outcome", "decline")]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), format!("/orders/{order}"));
    let (_, body) = b.page(&app, &format!("/orders/{order}")).await;
    assert!(
        body.contains("data-status=\"order-failed\"") && body.contains(&format!("action=\"{buy}\"")),
        "try again"
    );
    assert!(!body.contains("http-equiv=\"refresh\""));

    // Trying again starts a new order; paying it enrolls.
    let csrf = b.csrf.clone();
    let res = b.form(&app, &buy, &[("csrf", &csrf), ("provider", "test")]).await;
    let again = res
        .assert_status(StatusCode::SEE_OTHER)
        .location()
        .trim_start_matches("http://school.test")
        .to_owned();
    assert_ne!(again, pay_path, "a failed order is not reused");
    let csrf = b.csrf.clone();
    let res = b.form(&app, &again, &[("csrf", &csrf), ("outcome", "pay")]).await;
    let order_page = res.assert_status(StatusCode::SEE_OTHER).location().to_owned();
    let (_, body) = b.page(&app, &order_page).await;
    assert!(body.contains("data-status=\"order-paid\"") && body.contains("id=\"start-learning\""));
    let (status, body) = b.page(&app, &format!("/learn/{}/{}", course.slug, course.lessons[1])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Body of lesson 2"));

    // My purchases lists both attempts; buying again goes straight to learning.
    let (_, body) = b.page(&app, "/orders").await;
    assert_eq!(body.matches("href=\"/orders/").count(), 2);
    let csrf = b.csrf.clone();
    let res = b.form(&app, &buy, &[("csrf", &csrf)]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), format!("/learn/{}", course.slug));
}
