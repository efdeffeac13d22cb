//! What the refund, payout, reconciliation and ledger tests share: a school selling through the
//! test provider, paying an order as the test page would, and reading the ledger.

use std::time::Duration;

use lectern::commerce::ledger;
use lectern::commerce::repo::Provider;
use lectern::commerce::service::{Outcome, ProviderEvent};
use lectern::config::Config;
use lectern::identity::repo::UserRecord;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

pub const DAY: Duration = Duration::from_secs(86_400);

/// A school with the test provider on.
pub async fn selling_app() -> TestApp {
    selling_app_with(|_| {}).await
}

pub async fn selling_app_with(more: impl FnOnce(&mut Config)) -> TestApp {
    spawn_with(|c| {
        c.payments.test = true;
        more(c);
    })
    .await
}

/// A published course of `lessons` text lessons at `price_minor` in `currency`.
pub async fn priced_course(
    app: &TestApp,
    teacher: &Actor,
    title: &str,
    price_minor: i64,
    currency: &str,
    lessons: usize,
) -> CourseFixture {
    app.course(teacher, title, json!({"price_minor": price_minor, "currency": currency}), lessons, true).await
}

/// Checks out with the test provider: the pending order's id.
pub async fn checkout_test(app: &TestApp, who: &Actor, course: &str) -> String {
    let out = app
        .orders(who)
        .checkout(course, json!({"provider": "test"}))
        .await
        .assert_status(StatusCode::CREATED);
    out.json["order"]["id"].as_str().unwrap().to_owned()
}

/// What the test page's Pay button does, as its provider event (same event id).
pub async fn pay(app: &TestApp, order: &str) {
    let id: lectern::ids::OrderId = order.parse().unwrap();
    let state = app.state().clone();
    let o = state.store.read(move |rtx| lectern::commerce::repo::get_order(rtx, id)).await.unwrap();
    let outcome =
        Outcome::Paid { amount_minor: o.total_minor(), currency: o.currency.clone(), payment_ref: None };
    let event = ProviderEvent { provider: Provider::Test, event_id: format!("{id}:pay"), order: id, outcome };
    state.commerce.apply(event).await.unwrap();
}

/// Buys a course through the test provider and pays: the paid order's id.
pub async fn buy_paid(app: &TestApp, who: &Actor, course: &str) -> String {
    let order = checkout_test(app, who, course).await;
    pay(app, &order).await;
    assert_eq!(app.orders(who).get(&order).await.assert_status(StatusCode::OK).json["status"], "paid");
    order
}

/// The order as its buyer (or an admin) sees it.
pub async fn order_of(app: &TestApp, who: &Actor, order: &str) -> Value {
    app.orders(who).get(order).await.assert_status(StatusCode::OK).json
}

/// The teacher's earnings in `currency` (all zero when there are none).
pub async fn earnings(app: &TestApp, teacher: &Actor, currency: &str) -> Value {
    let list = app.payouts(teacher).earnings().await.assert_status(StatusCode::OK).json;
    list["items"].as_array().unwrap().iter().find(|e| e["currency"] == currency).cloned().unwrap_or_else(
        || {
            json!({"currency": currency, "pending_minor": 0, "available_minor": 0, "frozen_minor": 0,
            "requested_minor": 0, "paid_out_minor": 0})
        },
    )
}

/// `[pending, available, frozen, requested, paid_out]` of a teacher's earnings in `currency`.
pub async fn owed(app: &TestApp, teacher: &Actor, currency: &str) -> [i64; 5] {
    let e = earnings(app, teacher, currency).await;
    ["pending_minor", "available_minor", "frozen_minor", "requested_minor", "paid_out_minor"]
        .map(|k| e[k].as_i64().unwrap_or_else(|| panic!("no {k} in {e}")))
}

/// The ledger's transactions of one order, oldest first, as `(kind, {account: amount})`.
pub async fn ledger_of(app: &TestApp, order: &str) -> Vec<(String, Vec<(String, i64)>)> {
    let admin = app.sign_in_admin().await;
    let page = app.orders(&admin).ledger("limit=100").await.assert_status(StatusCode::OK).json;
    let mut out: Vec<(String, Vec<(String, i64)>)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["order_id"] == order)
        .map(|t| {
            let mut entries: Vec<(String, i64)> = t["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["account"].as_str().unwrap().to_owned(), e["amount_minor"].as_i64().unwrap()))
                .collect();
            entries.sort();
            (t["kind"].as_str().unwrap().to_owned(), entries)
        })
        .collect();
    out.reverse();
    out
}

/// Fails unless the ledger proves itself (and every other counter of `lectern check` holds),
/// with something in it.
pub async fn assert_books_balance(app: &TestApp) {
    assert!(assert_checks_pass(app).await > 0, "there is something in the ledger");
}

/// Fails unless `lectern check`'s counters, the ledger's proof among them, find no problem;
/// answers how many ledger transactions there are.
pub async fn assert_checks_pass(app: &TestApp) -> u64 {
    let state = app.state().clone();
    let (audit, counters) =
        state.store.read(|rtx| Ok((ledger::verify(rtx)?, lectern::check::counters(rtx)?))).await.unwrap();
    assert!(audit.problems.is_empty(), "the ledger does not prove itself: {:?}", audit.problems);
    assert!(counters.is_empty(), "lectern check: {counters:?}");
    audit.transactions
}

/// A ledger balance (`provider:test`, `platform:revenue`...).
pub async fn balance(app: &TestApp, account: &str, currency: &str) -> i64 {
    let (state, account, currency) = (app.state().clone(), account.to_owned(), currency.to_owned());
    state.store.read(move |rtx| Ok(ledger::balance(rtx, &account, &currency)?)).await.unwrap()
}

/// The account record of a signed-in actor (for calling the services directly).
pub async fn user(app: &TestApp, who: &Actor) -> UserRecord {
    let id: lectern::ids::UserId = who.id().parse().unwrap();
    let state = app.state().clone();
    state.store.read(move |rtx| lectern::identity::repo::get_user(rtx, id)).await.unwrap()
}

pub fn advance(app: &TestApp, by: Duration) {
    app.state().clock.advance(by);
}

/// Mail to `to` whose subject contains `subject`.
pub async fn mail_with_subject(app: &TestApp, to: &str, subject: &str) -> Vec<Value> {
    app.mails_to(to)
        .await
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap_or("").contains(subject))
        .collect()
}
