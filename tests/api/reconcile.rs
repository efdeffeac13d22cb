//! Healing what the providers did not tell: a Stripe payment whose webhook never came, found by
//! asking Stripe when the buyer opens the order, and pending orders nobody paid expiring (and
//! giving their coupon's use back).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::commerce as stripe_support;
use crate::helpers::*;
use crate::money::*;
use crate::support::Actor;

#[tokio::test]
async fn a_lost_stripe_webhook_is_healed_when_the_buyer_opens_the_order() {
    let (app, seen) = stripe_support::spawn_selling().await;
    let teacher = app.sign_up_teacher("seller@school.test").await;
    let course = priced_course(&app, &teacher, "Healed Rust", 4_900, "USD", 2).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let out = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();
    let session = format!("cs_test_{order}");

    // The buyer paid on Stripe's page; the webhook is lost.
    seen.lock().unwrap().session_answers.insert(
        session.clone(),
        json!({"id": session, "object": "checkout.session", "status": "complete", "payment_status": "paid",
            "amount_total": 4_900, "currency": "usd", "payment_intent": format!("pi_test_{order}"),
            "client_reference_id": order}),
    );
    // Back on the order page at once: a young order is not asked about (the webhook may come).
    assert_eq!(app.order(&student, &order).await["status"], "pending");
    assert_eq!(seen.lock().unwrap().session_reads, 0);

    // Half a minute later, opening the order asks Stripe, which says it is paid.
    advance(&app, Duration::from_secs(31));
    let o = app.order(&student, &order).await;
    assert_eq!(o["status"], "paid", "{o}");
    assert_eq!(seen.lock().unwrap().session_reads, 1);
    assert_eq!(app.student_count(&course.id).await, 1);
    app.lessons(&student).get(&course.lessons[1]).await.assert_status(StatusCode::OK);
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Your receipt").await.len(), 1);

    // The webhook comes after all: nothing more happens; paid orders are not asked about again.
    let event = json!({"id": "evt_late", "object": "event", "type": "checkout.session.completed",
        "data": {"object": {"id": session, "client_reference_id": order, "metadata": {"order_id": order},
            "amount_total": 4_900, "currency": "usd", "payment_status": "paid",
            "payment_intent": format!("pi_test_{order}")}}});
    assert_eq!(app.signed_webhook(&event).await, StatusCode::OK);
    assert_eq!(app.order(&student, &order).await["status"], "paid");
    assert_eq!(seen.lock().unwrap().session_reads, 1);
    assert_eq!(app.student_count(&course.id).await, 1);
    let kinds: Vec<String> = ledger_of(&app, &order).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["sale"]);

    // The PaymentIntent learned from the session is what a refund names.
    let admin = app.sign_in_admin().await;
    app.orders(&admin).refund(&order, Some(100), "healed").await.assert_status(StatusCode::ACCEPTED);
    let asked = seen.lock().unwrap().refunds[0].2.clone();
    assert_eq!(stripe_support::field(&asked, "payment_intent"), Some(format!("pi_test_{order}").as_str()));
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn stripe_sessions_still_open_stay_pending_and_expired_ones_expire() {
    let (app, seen) = stripe_support::spawn_selling().await;
    let teacher = app.sign_up_teacher("seller@school.test").await;
    let course = priced_course(&app, &teacher, "Undecided Rust", 4_900, "USD", 1).await;
    let mut orders = Vec::new();
    for (who, status) in [("open@school.test", "open"), ("expired@school.test", "expired")] {
        let student = app.sign_up_student(who).await;
        let out = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::CREATED).json;
        let order = out["order"]["id"].as_str().unwrap().to_owned();
        let session = format!("cs_test_{order}");
        seen.lock().unwrap().session_answers.insert(
            session.clone(),
            json!({"id": session, "status": status, "payment_status": "unpaid", "amount_total": 4_900, "currency": "usd"}),
        );
        orders.push((student, order));
    }
    advance(&app, Duration::from_secs(31));
    // The background pass asks about both.
    assert_eq!(app.state().commerce.reconcile_pending().await.unwrap(), 1);
    assert_eq!(app.order(&orders[0].0, &orders[0].1).await["status"], "pending");
    assert_eq!(app.order(&orders[1].0, &orders[1].1).await["status"], "expired");
    assert_eq!(app.student_count(&course.id).await, 0);
}

#[tokio::test]
async fn a_stale_pending_order_expires_and_gives_its_coupon_use_back() {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let course = priced_course(&app, &teacher, "Coupon Rust", 10_000, "USD", 1).await;
    app.api(&teacher)
        .post(
            &format!("/api/v1/courses/{}/coupons", course.id),
            json!({"code": "ONLY-ONE", "percent_off": 50, "max_redemptions": 1}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    let coupon = async || {
        let list = app
            .api(&teacher)
            .get(&format!("/api/v1/courses/{}/coupons", course.id))
            .await
            .assert_status(StatusCode::OK);
        (
            list.json["items"][0]["held"].as_u64().unwrap(),
            list.json["items"][0]["redemptions"].as_u64().unwrap(),
        )
    };
    let first = app.sign_up_student("first@school.test").await;
    let second = app.sign_up_student("second@school.test").await;
    let out = app
        .orders(&first)
        .checkout(&course.id, json!({"provider": "test", "coupon": "only-one"}))
        .await
        .assert_status(StatusCode::CREATED);
    let order = out.json["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(coupon().await, (1, 0));
    let refused = app
        .orders(&second)
        .checkout(&course.id, json!({"provider": "test", "coupon": "ONLY-ONE"}))
        .await
        .assert_code(StatusCode::CONFLICT, "coupon_unavailable");
    assert_eq!(refused.json["reason"], "fully_held");

    // Asked about within the 30 minutes, the test provider has nothing to say: still pending.
    advance(&app, Duration::from_secs(29 * 60));
    assert_eq!(order_of(&app, &first, &order).await["status"], "pending");
    assert_eq!(coupon().await, (1, 0));
    // After them, the order expires when opened, and the use is free again.
    advance(&app, Duration::from_secs(2 * 60));
    assert_eq!(order_of(&app, &first, &order).await["status"], "expired");
    assert_eq!(coupon().await, (0, 0));
    let order2 = app
        .orders(&second)
        .checkout(&course.id, json!({"provider": "test", "coupon": "ONLY-ONE"}))
        .await
        .assert_status(StatusCode::CREATED)
        .json["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Nobody opens this one: the background pass expires it.
    advance(&app, Duration::from_secs(31 * 60));
    assert_eq!(app.state().commerce.reconcile_pending().await.unwrap(), 1);
    assert_eq!(coupon().await, (0, 0));
    assert_eq!(order_of(&app, &second, &order2).await["status"], "expired");
    assert_books_balance_or_empty(&app).await;
}

/// Nothing was sold here: the ledger is empty, and what there is (nothing) still proves itself.
async fn assert_books_balance_or_empty(app: &TestApp) {
    let state = app.state().clone();
    let audit = state.store.read(|rtx| Ok(lectern::commerce::ledger::verify(rtx)?)).await.unwrap();
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    assert_eq!(audit.transactions, 0);
}

/// Money the test provider took for `order` (as a late webhook would say).
async fn paid_late(app: &TestApp, order: &str, total: i64) -> String {
    use lectern::commerce::repo::{Outcome, Provider};
    use lectern::commerce::service::ProviderEvent;
    let ev = ProviderEvent {
        provider: Provider::Test,
        event_id: format!("late:{order}"),
        order: order.parse().unwrap(),
        outcome: Outcome::Paid { amount_minor: total, currency: "USD".into(), payment_ref: None },
    };
    let o = app.state().commerce.apply(ev).await.unwrap().unwrap();
    serde_json::to_value(o.status).unwrap().as_str().unwrap().to_owned()
}

#[tokio::test]
async fn money_for_an_expired_order_takes_its_coupon_use_back_or_waits_for_an_admin() {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let course = priced_course(&app, &teacher, "Coupon Rust", 10_000, "USD", 1).await;
    app.api(&teacher)
        .post(
            &format!("/api/v1/courses/{}/coupons", course.id),
            json!({"code": "ONLY-ONE", "percent_off": 50, "max_redemptions": 1}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    let uses = async || {
        let list = app.api(&teacher).get(&format!("/api/v1/courses/{}/coupons", course.id)).await;
        (
            list.json["items"][0]["held"].as_u64().unwrap(),
            list.json["items"][0]["redemptions"].as_u64().unwrap(),
        )
    };
    let buy = async |who: &Actor| {
        let out = app
            .orders(who)
            .checkout(&course.id, json!({"provider": "test", "coupon": "only-one"}))
            .await
            .assert_status(StatusCode::CREATED);
        out.json["order"]["id"].as_str().unwrap().to_owned()
    };
    let (first, second, third) = (
        app.sign_up_student("first@school.test").await,
        app.sign_up_student("second@school.test").await,
        app.sign_up_student("third@school.test").await,
    );

    // Expired with its use given back, then paid after all, nobody having taken the use: the
    // order is paid and the use redeemed.
    let order = buy(&first).await;
    advance(&app, Duration::from_secs(31 * 60));
    assert_eq!(order_of(&app, &first, &order).await["status"], "expired");
    assert_eq!(uses().await, (0, 0));
    assert_eq!(paid_late(&app, &order, 5_000).await, "paid");
    assert_eq!(uses().await, (0, 1));

    // Here the use went to someone else meanwhile: honouring the late payment would pass the
    // coupon's limit, so the order waits for an admin and nobody is enrolled by it.
    let course2 = priced_course(&app, &teacher, "Coupon Go", 10_000, "USD", 2).await;
    app.api(&teacher)
        .post(
            &format!("/api/v1/courses/{}/coupons", course2.id),
            json!({"code": "ONE-MORE", "percent_off": 50, "max_redemptions": 1}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    let late = app
        .orders(&second)
        .checkout(&course2.id, json!({"provider": "test", "coupon": "one-more"}))
        .await
        .assert_status(StatusCode::CREATED)
        .json["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    advance(&app, Duration::from_secs(31 * 60));
    assert_eq!(order_of(&app, &second, &late).await["status"], "expired");
    let taken = app
        .orders(&third)
        .checkout(&course2.id, json!({"provider": "test", "coupon": "ONE-MORE"}))
        .await
        .assert_status(StatusCode::CREATED)
        .json["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(paid_late(&app, &taken, 5_000).await, "paid");
    assert_eq!(paid_late(&app, &late, 5_000).await, "review");
    let list = app.api(&teacher).get(&format!("/api/v1/courses/{}/coupons", course2.id)).await;
    assert_eq!(
        (list.json["items"][0]["held"].as_u64(), list.json["items"][0]["redemptions"].as_u64()),
        (Some(0), Some(1))
    );
    app.lessons(&second).get(&course2.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");
}
