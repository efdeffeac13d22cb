//! Selling a course through YooKassa, against a local stand-in for its v3 API. Notifications
//! carry no signature: the server must take them only from the configured networks (here the
//! test client is 127.0.0.1) and act only on what the API says when asked again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use base64::Engine;
use ipnet::IpNet;
use lectern::config::{Secret, YooKassaConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::support::{ANONYMOUS, Actor, Reply};

const SHOP_ID: &str = "506751";
const SECRET_KEY: &str = "test_lectern_secret_key";
const WEBHOOK: &str = "/api/v1/payments/yookassa/webhook";

/// One `POST /payments` the stand-in was sent.
#[derive(Debug, Clone)]
pub(crate) struct Created {
    pub authorization: String,
    pub idempotence_key: String,
    pub body: Value,
}

/// The stand-in's state: what it was sent, and each payment as `GET /payments/{id}` answers it
/// (the test changes `status`, `paid` and `amount` as YooKassa would).
#[derive(Default)]
pub(crate) struct Stand {
    pub created: Vec<Created>,
    pub payments: HashMap<String, Value>,
    pub gets: usize,
    /// Answer `GET /payments/{id}` with 500 (YooKassa having a bad moment).
    pub failing: bool,
    /// Every `POST /refunds`.
    pub refunds_created: Vec<Created>,
    /// Each refund as `GET /refunds/{id}` answers it.
    pub refunds: HashMap<String, Value>,
}

pub(crate) type Shared = Arc<Mutex<Stand>>;

pub(crate) fn basic_auth() -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{SHOP_ID}:{SECRET_KEY}"));
    format!("Basic {token}")
}

pub(crate) async fn yookassa_stand_in() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let create = |State(s): State<Shared>, headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
        let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let order = body["metadata"]["order_id"].as_str().unwrap_or_default().to_owned();
        let id = format!("2f{}-000f-5000-9000", order.to_ascii_lowercase());
        let payment = json!({
            "id": id,
            "status": "pending",
            "paid": false,
            "amount": body["amount"],
            "description": body["description"],
            "metadata": body["metadata"],
            "recipient": {"account_id": SHOP_ID, "gateway_id": "100500"},
            "created_at": "2026-12-04T10:00:00.000Z",
            "test": true,
        });
        let mut answer = payment.clone();
        answer["confirmation"] = json!({
            "type": "redirect",
            "confirmation_url": format!("https://yoomoney.test/checkout/payments/v2/contract?orderId={id}"),
        });
        let mut s = s.lock().unwrap();
        s.created.push(Created {
            authorization: header("authorization"),
            idempotence_key: header("idempotence-key"),
            body,
        });
        s.payments.insert(id, payment);
        axum::Json(answer)
    };
    let get = |State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>| async move {
        let mut s = s.lock().unwrap();
        s.gets += 1;
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
        if auth != Some(basic_auth().as_str()) {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"type": "error", "code": "invalid_credentials"})),
            );
        }
        if s.failing {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"type": "error", "code": "internal_server_error"})),
            );
        }
        match s.payments.get(&id) {
            Some(p) => (StatusCode::OK, axum::Json(p.clone())),
            None => (StatusCode::NOT_FOUND, axum::Json(json!({"type": "error", "code": "not_found"}))),
        }
    };
    // A refund succeeds at once (as YooKassa's usually do) and adds to the payment's
    // `refunded_amount`.
    let refund = |State(s): State<Shared>, headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
        let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let mut s = s.lock().unwrap();
        let payment_id = body["payment_id"].as_str().unwrap_or_default().to_owned();
        let id = format!("216749f7-0016-50be-b000-{:012}", s.refunds_created.len() + 1);
        let refund = json!({
            "id": id,
            "payment_id": payment_id,
            "status": "succeeded",
            "amount": body["amount"],
            "created_at": "2026-12-05T10:00:00.000Z",
        });
        s.refunds_created.push(Created {
            authorization: header("authorization"),
            idempotence_key: header("idempotence-key"),
            body: body.clone(),
        });
        s.refunds.insert(id, refund.clone());
        let Some(p) = s.payments.get_mut(&payment_id) else {
            return (StatusCode::NOT_FOUND, axum::Json(json!({"type": "error", "code": "not_found"})));
        };
        let before = p["refunded_amount"]["value"].as_str().unwrap_or("0.00").parse::<f64>().unwrap();
        let asked = body["amount"]["value"].as_str().unwrap_or("0.00").parse::<f64>().unwrap();
        p["refunded_amount"] =
            json!({"value": format!("{:.2}", before + asked), "currency": body["amount"]["currency"]});
        (StatusCode::OK, axum::Json(refund))
    };
    let get_refund = |State(s): State<Shared>, Path(id): Path<String>| async move {
        match s.lock().unwrap().refunds.get(&id) {
            Some(r) => (StatusCode::OK, axum::Json(r.clone())),
            None => (StatusCode::NOT_FOUND, axum::Json(json!({"type": "error", "code": "not_found"}))),
        }
    };
    let app = axum::Router::new()
        .route("/v3/payments", axum::routing::post(create))
        .route("/v3/payments/{id}", axum::routing::get(get))
        .route("/v3/refunds", axum::routing::post(refund))
        .route("/v3/refunds/{id}", axum::routing::get(get_refund))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v3", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, shared)
}

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|n| n.parse().unwrap()).collect()
}

/// A school selling through the stand-in; notifications are accepted from `networks`.
pub(crate) async fn spawn_selling(networks: Vec<IpNet>) -> (TestApp, Shared) {
    spawn_selling_with(networks, |_| {}).await
}

async fn spawn_selling_with(
    networks: Vec<IpNet>,
    more: impl FnOnce(&mut lectern::config::Config),
) -> (TestApp, Shared) {
    let (base, shared) = yookassa_stand_in().await;
    let app = spawn_with(|c| {
        c.payments.yookassa = Some(YooKassaConfig {
            shop_id: SHOP_ID.into(),
            secret_key: Secret::new(SECRET_KEY.as_bytes().to_vec()),
            api_base: base,
            networks,
            vat_code: 11,
        });
        more(c);
    })
    .await;
    (app, shared)
}

pub(crate) fn local() -> Vec<IpNet> {
    nets(&["127.0.0.1/32"])
}

/// A rouble course at 4 900 ₽ (490 000 kopecks).
pub(crate) async fn rouble_course(app: &TestApp) -> CourseFixture {
    let teacher = app.sign_up_teacher("seller@school.test").await;
    app.course(&teacher, "Rust для начинающих", json!({"price_minor": 490_000, "currency": "RUB"}), 2, true)
        .await
}

async fn checkout(app: &TestApp, who: &Actor, course: &str) -> Reply {
    app.api(who).post(&format!("/api/v1/courses/{course}/checkout"), json!({"provider": "yookassa"})).await
}

/// Checks out and answers (order id, YooKassa payment id).
pub(crate) async fn pending_order(
    app: &TestApp,
    shared: &Shared,
    who: &Actor,
    course: &str,
) -> (String, String) {
    let out = checkout(app, who, course).await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();
    let s = shared.lock().unwrap();
    let payment = s
        .payments
        .values()
        .find(|p| p["metadata"]["order_id"] == order.as_str())
        .expect("a payment was created for the order");
    (order, payment["id"].as_str().unwrap().to_owned())
}

pub(crate) async fn order_status(app: &TestApp, who: &Actor, order: &str) -> String {
    let o = app.api(who).get(&format!("/api/v1/orders/{order}")).await.assert_status(StatusCode::OK).json;
    o["status"].as_str().unwrap().to_owned()
}

async fn students(app: &TestApp, course: &str) -> u64 {
    let admin = app.sign_in_admin().await;
    app.courses(&admin).get(course).await.assert_status(StatusCode::OK).json["student_count"]
        .as_u64()
        .unwrap()
}

/// What YooKassa posts: the event and (a possibly stale, never believed) copy of the object.
pub(crate) fn notification(event: &str, payment: &str, status: &str) -> Value {
    json!({
        "type": "notification",
        "event": event,
        "object": {"id": payment, "status": status, "paid": status == "succeeded",
            "amount": {"value": "4900.00", "currency": "RUB"}},
    })
}

pub(crate) async fn notify(app: &TestApp, body: Value) -> Reply {
    app.visitor().post(WEBHOOK, body).await
}

/// YooKassa's side of the payment moves to `status`.
pub(crate) fn set_payment(shared: &Shared, payment: &str, status: &str, amount: &str) {
    let mut s = shared.lock().unwrap();
    let p = s.payments.get_mut(payment).expect("known payment");
    p["status"] = json!(status);
    p["paid"] = json!(status == "succeeded");
    p["amount"]["value"] = json!(amount);
}

#[tokio::test]
async fn a_rouble_purchase_asks_for_a_captured_payment_with_a_receipt_and_enrolls_on_the_confirmed_notification()
 {
    let (app, shared) = spawn_selling(local()).await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;

    let providers = app.api(&ANONYMOUS).get("/api/v1/payments/providers").await.assert_status(StatusCode::OK);
    assert_eq!(providers.json["providers"], json!(["yookassa"]));

    let out = checkout(&app, &student, &course.id).await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(out["order"]["status"], "pending");
    assert_eq!(out["order"]["provider"], "yookassa");
    let payment = {
        let s = shared.lock().unwrap();
        assert_eq!(s.created.len(), 1);
        let Created { authorization, idempotence_key, body } = &s.created[0];
        assert_eq!(authorization, &basic_auth());
        assert!(
            idempotence_key.contains(&order) && idempotence_key.len() <= 64,
            "a stable key per order: {idempotence_key}"
        );
        assert_eq!(body["amount"], json!({"value": "4900.00", "currency": "RUB"}));
        assert_eq!(body["capture"], true);
        assert_eq!(
            body["confirmation"],
            json!({"type": "redirect", "return_url": format!("http://school.test/orders/{order}")})
        );
        assert_eq!(body["metadata"], json!({"order_id": order}));
        assert_eq!(body["description"], "Rust для начинающих");
        assert_eq!(body["receipt"]["customer"], json!({"email": "buyer@school.test"}));
        assert_eq!(
            body["receipt"]["items"],
            json!([{
                "description": "Rust для начинающих",
                "quantity": "1.00",
                "amount": {"value": "4900.00", "currency": "RUB"},
                "vat_code": 11,
                "payment_subject": "service",
                "payment_mode": "full_payment",
            }])
        );
        s.payments.keys().next().unwrap().clone()
    };
    assert_eq!(
        out["redirect_url"],
        format!("https://yoomoney.test/checkout/payments/v2/contract?orderId={payment}")
    );

    // A second checkout while the first is pending is the same order, without a new payment.
    let again = checkout(&app, &student, &course.id).await.assert_status(StatusCode::OK).json;
    assert_eq!(
        (again["order"]["id"].as_str(), &again["redirect_url"]),
        (Some(order.as_str()), &out["redirect_url"])
    );
    assert_eq!(shared.lock().unwrap().created.len(), 1);

    // The buyer pays; YooKassa says so when asked, and the notification enrolls.
    set_payment(&shared, &payment, "succeeded", "4900.00");
    notify(&app, notification("payment.succeeded", &payment, "succeeded"))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(shared.lock().unwrap().gets, 1, "the payment was read back from the API");
    assert_eq!(order_status(&app, &student, &order).await, "paid");
    assert_eq!(students(&app, &course.id).await, 1);
    app.lessons(&student).get(&course.lessons[1]).await.assert_status(StatusCode::OK);
    checkout(&app, &student, &course.id).await.assert_code(StatusCode::CONFLICT, "already_enrolled");

    // A refund notification for a refund YooKassa does not know is acknowledged and changes nothing.
    let refund = json!({"type": "notification", "event": "refund.succeeded",
        "object": {"id": "216749f7-0016-50be-b000-078d43a63ae4", "payment_id": payment, "status": "succeeded",
            "amount": {"value": "4900.00", "currency": "RUB"}}});
    notify(&app, refund).await.assert_status(StatusCode::OK);
    assert_eq!(order_status(&app, &student, &order).await, "paid");
}

#[tokio::test]
async fn a_notification_is_not_believed_until_the_api_confirms_the_payment() {
    let (app, shared) = spawn_selling(local()).await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let (order, payment) = pending_order(&app, &shared, &student, &course.id).await;

    // The notification claims success; YooKassa's API says the payment is still pending, then
    // waiting for capture (never with `capture: true`, but not paid either way).
    notify(&app, notification("payment.succeeded", &payment, "succeeded"))
        .await
        .assert_status(StatusCode::OK);
    set_payment(&shared, &payment, "waiting_for_capture", "4900.00");
    notify(&app, notification("payment.succeeded", &payment, "succeeded"))
        .await
        .assert_status(StatusCode::OK);
    // A payment YooKassa does not know, and ids that are not YooKassa's, change nothing.
    for id in ["2f00000000-000f-5000-9000", "../payments/x", ""] {
        notify(&app, notification("payment.succeeded", id, "succeeded")).await.assert_status(StatusCode::OK);
    }
    assert_eq!(order_status(&app, &student, &order).await, "pending");
    assert_eq!(students(&app, &course.id).await, 0);
    app.lessons(&student).get(&course.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");

    // Bodies that are not notifications are refused; so is nothing.
    notify(&app, json!({"event": "payment.succeeded"}))
        .await
        .assert_code(StatusCode::BAD_REQUEST, "malformed_request");

    // YooKassa's API failing: 503, so that YooKassa delivers again; the next delivery counts.
    set_payment(&shared, &payment, "succeeded", "4900.00");
    shared.lock().unwrap().failing = true;
    notify(&app, notification("payment.succeeded", &payment, "succeeded"))
        .await
        .assert_code(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(order_status(&app, &student, &order).await, "pending");
    shared.lock().unwrap().failing = false;
    notify(&app, notification("payment.succeeded", &payment, "succeeded"))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(order_status(&app, &student, &order).await, "paid");
    assert_eq!(students(&app, &course.id).await, 1);
}

#[tokio::test]
async fn notifications_from_outside_yookassas_networks_are_refused_without_asking_the_api() {
    let (app, shared) = spawn_selling(YooKassaConfig::published_networks()).await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let (order, payment) = pending_order(&app, &shared, &student, &course.id).await;
    set_payment(&shared, &payment, "succeeded", "4900.00");

    let body = notification("payment.succeeded", &payment, "succeeded");
    notify(&app, body.clone()).await.assert_code(StatusCode::FORBIDDEN, "invalid_signature");
    // A forwarded-for header is believed only from a trusted proxy, and there is none here.
    app.visitor()
        .header("x-forwarded-for", "185.71.76.1")
        .post(WEBHOOK, body.clone())
        .await
        .assert_code(StatusCode::FORBIDDEN, "invalid_signature");
    assert_eq!(shared.lock().unwrap().gets, 0, "nothing was asked of YooKassa");
    assert_eq!(order_status(&app, &student, &order).await, "pending");
    assert_eq!(students(&app, &course.id).await, 0);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_one_checked() {
    let (app, shared) = spawn_selling_with(YooKassaConfig::published_networks(), |c| {
        c.trusted_proxies = nets(&["127.0.0.1/32"])
    })
    .await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let (order, payment) = pending_order(&app, &shared, &student, &course.id).await;
    set_payment(&shared, &payment, "succeeded", "4900.00");
    let body = notification("payment.succeeded", &payment, "succeeded");

    // The proxy itself, and a client outside YooKassa's networks, are not YooKassa.
    notify(&app, body.clone()).await.assert_code(StatusCode::FORBIDDEN, "invalid_signature");
    app.visitor()
        .header("x-forwarded-for", "203.0.113.9")
        .post(WEBHOOK, body.clone())
        .await
        .assert_code(StatusCode::FORBIDDEN, "invalid_signature");
    // A spoofed address to the left of the real client is not believed either.
    app.visitor()
        .header("x-forwarded-for", "185.71.76.1, 203.0.113.9")
        .post(WEBHOOK, body.clone())
        .await
        .assert_code(StatusCode::FORBIDDEN, "invalid_signature");
    assert_eq!(order_status(&app, &student, &order).await, "pending");

    app.visitor()
        .header("x-forwarded-for", "185.71.76.1")
        .post(WEBHOOK, body)
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(order_status(&app, &student, &order).await, "paid");
}

#[tokio::test]
async fn repeated_notifications_enroll_once_and_a_late_cancel_changes_nothing() {
    let (app, shared) = spawn_selling(local()).await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let (order, payment) = pending_order(&app, &shared, &student, &course.id).await;
    set_payment(&shared, &payment, "succeeded", "4900.00");

    for _ in 0..3 {
        notify(&app, notification("payment.succeeded", &payment, "succeeded"))
            .await
            .assert_status(StatusCode::OK);
    }
    let paid =
        app.api(&student).get(&format!("/api/v1/orders/{order}")).await.assert_status(StatusCode::OK).json;
    assert_eq!((paid["status"].as_str(), paid["total_minor"].as_i64()), (Some("paid"), Some(490_000)));
    assert_eq!(students(&app, &course.id).await, 1);
    let mine = app.api(&student).get("/api/v1/me/enrollments").await.assert_status(StatusCode::OK);
    assert_eq!(mine.json["items"].as_array().map(Vec::len), Some(1), "{mine}");

    // A stale `canceled` notification is checked against the API, which says succeeded.
    notify(&app, notification("payment.canceled", &payment, "canceled")).await.assert_status(StatusCode::OK);
    assert_eq!(order_status(&app, &student, &order).await, "paid");
    assert_eq!(students(&app, &course.id).await, 1);
}

#[tokio::test]
async fn a_canceled_payment_fails_the_order_and_the_next_checkout_is_a_new_payment() {
    let (app, shared) = spawn_selling(local()).await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let (order, payment) = pending_order(&app, &shared, &student, &course.id).await;

    set_payment(&shared, &payment, "canceled", "4900.00");
    notify(&app, notification("payment.canceled", &payment, "canceled")).await.assert_status(StatusCode::OK);
    assert_eq!(order_status(&app, &student, &order).await, "failed");
    assert_eq!(students(&app, &course.id).await, 0);

    let (again, second) = pending_order(&app, &shared, &student, &course.id).await;
    assert_ne!((&again, &second), (&order, &payment));
    let keys: Vec<String> =
        shared.lock().unwrap().created.iter().map(|c| c.idempotence_key.clone()).collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "a new order is a new payment");
}

#[tokio::test]
async fn a_payment_of_another_amount_goes_to_review_without_enrolling() {
    let (app, shared) = spawn_selling(local()).await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let (order, payment) = pending_order(&app, &shared, &student, &course.id).await;

    set_payment(&shared, &payment, "succeeded", "4899.99");
    notify(&app, notification("payment.succeeded", &payment, "succeeded"))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(order_status(&app, &student, &order).await, "review");
    assert_eq!(students(&app, &course.id).await, 0);
}

#[tokio::test]
async fn without_keys_yookassa_is_not_offered_and_its_webhook_does_not_exist() {
    let app = spawn_app().await;
    let course = rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let providers = app.api(&ANONYMOUS).get("/api/v1/payments/providers").await.assert_status(StatusCode::OK);
    assert_eq!(providers.json["providers"], json!([]));
    checkout(&app, &student, &course.id).await.assert_code(StatusCode::CONFLICT, "not_for_sale");
    notify(&app, notification("payment.succeeded", "2f00-000f-5000-9000", "succeeded"))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}
