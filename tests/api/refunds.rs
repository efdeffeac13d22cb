//! Money given back: the buyer's refund request (window and progress rules), admins' refunds
//! through the test provider, Stripe and YooKassa (against their stand-ins), refunds that come
//! before their payment, and disputes freezing the teacher's share.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::commerce::{self as stripe_support, field, time_now};
use crate::commerce_yookassa as yk;
use crate::helpers::*;
use crate::money::*;

fn entries(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = list.iter().map(|(a, n)| ((*a).to_owned(), *n)).collect();
    v.sort();
    v
}

#[tokio::test]
async fn full_and_partial_refunds_through_the_test_provider_move_the_order_the_ledger_and_the_enrollment() {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let tid = teacher.id().to_owned();
    let course = priced_course(&app, &teacher, "Refundable Rust", 10_000, "USD", 4).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let admin = app.sign_in_admin().await;
    let order = buy_paid(&app, &student, &course.id).await;
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Your receipt").await.len(), 1);

    // A part back: the order says so, the buyer keeps the course.
    let out =
        app.orders(&admin).refund(&order, Some(2_500), "goodwill").await.assert_status(StatusCode::ACCEPTED);
    assert_eq!(
        (out["status"].as_str(), out["refunded_minor"].as_i64(), out["refundable_minor"].as_i64()),
        (Some("partially_refunded"), Some(2_500), Some(7_500)),
        "{out}"
    );
    app.lessons(&student).get(&course.lessons[1]).await.assert_status(StatusCode::OK);
    assert_eq!(app.student_count(&course.id).await, 1);
    let mails = mail_with_subject(&app, "buyer@school.test", "Refund for Refundable Rust").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0]["text"].as_str().unwrap().contains("25.00 USD"), "{}", mails[0]);

    // The ledger: the sale (20 % fee, the rest pending for the teacher), then the refund taking
    // back a proportional part of each.
    let pending = format!("teacher:{tid}:pending");
    assert_eq!(
        ledger_of(&app, &order).await,
        vec![
            (
                "sale".to_owned(),
                entries(&[("provider:test", 10_000), ("platform:revenue", -2_000), (&pending, -8_000)])
            ),
            (
                "refund".to_owned(),
                entries(&[("provider:test", -2_500), ("platform:revenue", 500), (&pending, 2_000)])
            ),
        ]
    );
    assert_eq!(owed(&app, &teacher, "USD").await, [6_000, 0, 0, 0, 0]);

    // More than is left, nothing, or a negative amount: refused, nothing changes.
    for amount in [7_501, 0, -1] {
        app.orders(&admin)
            .refund(&order, Some(amount), "too much")
            .await
            .assert_code(StatusCode::CONFLICT, "not_refundable");
    }
    app.orders(&admin)
        .refund(&order, None, "")
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(order_of(&app, &student, &order).await["refunded_minor"], 2_500);

    // The rest: the order is refunded and the enrollment ends.
    let out = app.orders(&admin).refund(&order, None, "the rest").await.assert_status(StatusCode::ACCEPTED);
    assert_eq!(
        (out["status"].as_str(), out["refunded_minor"].as_i64(), out["refundable_minor"].as_i64()),
        (Some("refunded"), Some(10_000), Some(0))
    );
    app.lessons(&student).get(&course.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");
    assert_eq!(app.student_count(&course.id).await, 0);
    app.orders(&admin)
        .refund(&order, None, "again")
        .await
        .assert_code(StatusCode::CONFLICT, "not_refundable");
    let mails = mail_with_subject(&app, "buyer@school.test", "Refund for Refundable Rust").await;
    assert_eq!(mails.len(), 2);
    assert!(mails[0]["text"].as_str().unwrap().contains("75.00 USD"), "{}", mails[0]);

    // Nothing is left anywhere: the provider gave it all back, the school kept no fee, the
    // teacher is owed nothing.
    assert_eq!(balance(&app, "provider:test", "USD").await, 0);
    assert_eq!(balance(&app, "platform:revenue", "USD").await, 0);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 0, 0, 0]);
    assert_books_balance(&app).await;

    // The admin finds it by status and provider; the buyer may buy again.
    let refunded =
        app.orders(&admin).all("status=refunded&provider=test").await.assert_status(StatusCode::OK);
    assert_eq!(refunded.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(refunded.json["items"][0]["id"], order.as_str());
    let paid = app.orders(&admin).all("status=paid").await.assert_status(StatusCode::OK);
    assert_eq!(paid.json["items"], json!([]));
    app.orders(&admin)
        .all("status=nonsense")
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    buy_paid(&app, &student, &course.id).await;
    assert_eq!(app.student_count(&course.id).await, 1);
}

#[tokio::test]
async fn a_refund_request_is_taken_inside_the_window_and_below_the_progress_limit_only() {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    // Four lessons: 30 % is passed at the second one completed.
    let course = priced_course(&app, &teacher, "Windowed Rust", 10_000, "USD", 4).await;
    let admin = app.sign_in_admin().await;

    // Inside the window, nothing completed: taken, and the admin sees it among the requests.
    let early = app.sign_up_student("early@school.test").await;
    let order = buy_paid(&app, &early, &course.id).await;
    app.orders(&early)
        .refund_request(&order, "")
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let stranger = app.sign_up_student("stranger@school.test").await;
    app.orders(&stranger)
        .refund_request(&order, "not mine")
        .await
        .assert_code(StatusCode::NOT_FOUND, "not_found");
    let out = app
        .orders(&early)
        .refund_request(&order, "not what I expected")
        .await
        .assert_status(StatusCode::ACCEPTED);
    assert_eq!(
        (out["status"].as_str(), out["refund_requested"].as_bool()),
        (Some("paid"), Some(true)),
        "{out}"
    );
    let asked = app.orders(&admin).all("refund_requested=true").await.assert_status(StatusCode::OK);
    assert_eq!(asked.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(asked.json["items"][0]["id"], order.as_str());
    // The admin's refund settles the request.
    app.orders(&admin).refund(&order, None, "as asked").await.assert_status(StatusCode::ACCEPTED);
    let asked = app.orders(&admin).all("refund_requested=true").await.assert_status(StatusCode::OK);
    assert_eq!(asked.json["items"], json!([]));
    // Nothing is left to refund.
    app.orders(&early)
        .refund_request(&order, "again please")
        .await
        .assert_code(StatusCode::CONFLICT, "not_refundable");

    // A pending order has nothing to refund.
    let unpaid = app.sign_up_student("unpaid@school.test").await;
    let pending = checkout_test(&app, &unpaid, &course.id).await;
    app.orders(&unpaid)
        .refund_request(&pending, "never paid")
        .await
        .assert_code(StatusCode::CONFLICT, "not_refundable");

    // Progress: one lesson of four (25 %) is below the limit; two (50 %) is not.
    let learner = app.sign_up_student("learner@school.test").await;
    let order = buy_paid(&app, &learner, &course.id).await;
    app.lessons(&learner).complete(&course.lessons[0]).await.assert_status(StatusCode::OK);
    app.orders(&learner).refund_request(&order, "too slow for me").await.assert_status(StatusCode::ACCEPTED);
    app.lessons(&learner).complete(&course.lessons[1]).await.assert_status(StatusCode::OK);
    app.orders(&learner)
        .refund_request(&order, "too slow for me")
        .await
        .assert_code(StatusCode::CONFLICT, "refund_window_closed");

    // The window: 13 days after paying is inside, 15 days is not (the default is 14).
    let late = app.sign_up_student("late@school.test").await;
    let order = buy_paid(&app, &late, &course.id).await;
    advance(&app, DAY * 13);
    app.orders(&late).refund_request(&order, "thinking it over").await.assert_status(StatusCode::ACCEPTED);
    advance(&app, DAY * 2);
    app.orders(&late)
        .refund_request(&order, "thinking it over")
        .await
        .assert_code(StatusCode::CONFLICT, "refund_window_closed");
    // An admin may still refund outside the window.
    app.orders(&admin).refund(&order, Some(1_000), "goodwill").await.assert_status(StatusCode::ACCEPTED);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn with_automatic_refunds_a_request_inside_the_rules_is_refunded_at_once() {
    let app = selling_app_with(|c| c.payments.rules.refund_auto = true).await;
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    let course = priced_course(&app, &teacher, "Auto Rust", 5_000, "EUR", 2).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let order = buy_paid(&app, &student, &course.id).await;
    let out = app
        .orders(&student)
        .refund_request(&order, "changed my mind")
        .await
        .assert_status(StatusCode::ACCEPTED);
    assert_eq!(
        (out["status"].as_str(), out["refunded_minor"].as_i64()),
        (Some("refunded"), Some(5_000)),
        "{out}"
    );
    app.lessons(&student).get(&course.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Refund for Auto Rust").await.len(), 1);
    assert_books_balance(&app).await;

    // The audit log says the school's rule did it (no admin), with how much.
    let admin = app.sign_in_admin().await;
    let log = app.api(&admin).get("/api/v1/admin/audit").await.assert_status(StatusCode::OK).json;
    let entry =
        log["items"].as_array().unwrap().iter().find(|e| e["action"] == "order.refund").expect("{log}");
    assert_eq!(
        (entry["target_id"].as_str(), entry["actor"].is_null()),
        (Some(order.as_str()), true),
        "{entry}"
    );
    assert!(entry["reason"].as_str().unwrap().starts_with("5000 EUR"), "{entry}");
}

/// Stripe's `checkout.session.completed` with the PaymentIntent it paid with.
fn session_paid(event_id: &str, order: &str, amount: i64) -> Value {
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
            "currency": "usd",
            "payment_status": "paid",
            "payment_intent": format!("pi_test_{order}"),
        }},
    })
}

/// Stripe's `charge.refunded`: a charge with the running total refunded.
fn charge_refunded(event_id: &str, order: &str, amount: i64, refunded: i64) -> Value {
    json!({
        "id": event_id,
        "object": "event",
        "type": "charge.refunded",
        "data": {"object": {
            "id": format!("ch_test_{order}"),
            "object": "charge",
            "amount": amount,
            "amount_refunded": refunded,
            "refunded": refunded == amount,
            "currency": "usd",
            "payment_intent": format!("pi_test_{order}"),
            "metadata": {"order_id": order},
        }},
    })
}

/// Stripe's `charge.dispute.created`: a dispute names the PaymentIntent only.
fn dispute_created(event_id: &str, order: &str, amount: i64) -> Value {
    json!({
        "id": event_id,
        "object": "event",
        "type": "charge.dispute.created",
        "data": {"object": {
            "id": format!("dp_test_{order}"),
            "object": "dispute",
            "amount": amount,
            "charge": format!("ch_test_{order}"),
            "payment_intent": format!("pi_test_{order}"),
            "reason": "fraudulent",
            "status": "needs_response",
            "metadata": {},
        }},
    })
}

/// A Stripe school with a 49.00 USD course, and a paid order of `email`'s.
async fn stripe_sale(email: &str) -> (TestApp, stripe_support::Seen, Actor, Actor, CourseFixture, String) {
    let (app, seen) = stripe_support::spawn_selling().await;
    let teacher = app.sign_up_teacher("seller@school.test").await;
    let course = priced_course(&app, &teacher, "Stripe Rust", 4_900, "USD", 2).await;
    let student = app.sign_up_student(email).await;
    let out = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.signed_webhook(&session_paid("evt_paid", &order, 4_900)).await, StatusCode::OK);
    assert_eq!(app.order(&student, &order).await["status"], "paid");
    (app, seen, teacher, student, course, order)
}

#[tokio::test]
async fn a_stripe_refund_is_asked_with_an_idempotency_key_and_applied_once_when_stripe_confirms_it() {
    let (app, seen, teacher, student, course, order) = stripe_sale("buyer@school.test").await;
    let admin = app.sign_in_admin().await;

    // Asked of Stripe: the order does not change until Stripe says the money went back, but
    // what was asked cannot be asked twice.
    let out =
        app.orders(&admin).refund(&order, Some(1_000), "partly").await.assert_status(StatusCode::ACCEPTED);
    assert_eq!(
        (out["status"].as_str(), out["refunded_minor"].as_i64(), out["refundable_minor"].as_i64()),
        (Some("paid"), Some(0), Some(3_900)),
        "{out}"
    );
    let out = app.orders(&admin).refund(&order, None, "the rest").await.assert_status(StatusCode::ACCEPTED);
    assert_eq!(out["refundable_minor"], 0);
    app.orders(&admin)
        .refund(&order, Some(1), "more")
        .await
        .assert_code(StatusCode::CONFLICT, "not_refundable");
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.refunds.len(), 2);
        for ((auth, key, form), amount) in s.refunds.iter().zip(["1000", "3900"]) {
            assert_eq!(auth, &format!("Bearer {}", "sk_test_lectern"));
            assert!(!key.is_empty() && key.len() <= 255, "an idempotency key: {key:?}");
            assert_eq!(field(form, "payment_intent"), Some(format!("pi_test_{order}").as_str()));
            assert_eq!(field(form, "amount"), Some(amount));
            assert_eq!(field(form, "metadata[order_id]"), Some(order.as_str()));
        }
        assert_ne!(s.refunds[0].1, s.refunds[1].1, "two refunds are two keys");
    }
    assert_eq!(app.order(&student, &order).await["status"], "paid");
    assert!(ledger_of(&app, &order).await.iter().all(|(kind, _)| kind == "sale"));

    // Stripe confirms the first, twice (a redelivery, and the same total under another event id).
    for event in ["evt_ref_1", "evt_ref_1", "evt_ref_1b"] {
        assert_eq!(app.signed_webhook(&charge_refunded(event, &order, 4_900, 1_000)).await, StatusCode::OK);
    }
    let o = app.order(&student, &order).await;
    assert_eq!(
        (o["status"].as_str(), o["refunded_minor"].as_i64()),
        (Some("partially_refunded"), Some(1_000))
    );
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Refund for").await.len(), 1);
    app.lessons(&student).get(&course.lessons[1]).await.assert_status(StatusCode::OK);

    // Then the rest: the order is refunded and the enrollment ends; a late report of the first
    // refund's total changes nothing.
    assert_eq!(app.signed_webhook(&charge_refunded("evt_ref_2", &order, 4_900, 4_900)).await, StatusCode::OK);
    assert_eq!(
        app.signed_webhook(&charge_refunded("evt_ref_late", &order, 4_900, 1_000)).await,
        StatusCode::OK
    );
    let o = app.order(&student, &order).await;
    assert_eq!((o["status"].as_str(), o["refunded_minor"].as_i64()), (Some("refunded"), Some(4_900)));
    app.lessons(&student).get(&course.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");
    assert_eq!(app.student_count(&course.id).await, 0);
    let kinds: Vec<String> = ledger_of(&app, &order).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["sale", "refund", "refund"]);
    assert_eq!(balance(&app, "provider:stripe", "USD").await, 0);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 0, 0, 0]);
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Refund for").await.len(), 2);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_stripe_refund_stripe_refuses_changes_nothing_and_can_be_asked_again() {
    let (app, seen, _, student, _, order) = stripe_sale("buyer@school.test").await;
    let admin = app.sign_in_admin().await;
    seen.lock().unwrap().refuse_refunds = true;
    app.orders(&admin)
        .refund(&order, Some(1_000), "partly")
        .await
        .assert_code(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let o = app.order(&student, &order).await;
    assert_eq!((o["status"].as_str(), o["refundable_minor"].as_i64()), (Some("paid"), Some(4_900)), "{o}");
    seen.lock().unwrap().refuse_refunds = false;
    app.orders(&admin).refund(&order, None, "all of it").await.assert_status(StatusCode::ACCEPTED);
    let s = seen.lock().unwrap();
    assert_eq!(field(&s.refunds.last().unwrap().2, "amount"), Some("4900"));
}

#[tokio::test]
async fn a_charge_refunded_before_the_checkout_completed_waits_for_the_payment_and_applies_once() {
    let (app, _) = stripe_support::spawn_selling().await;
    let teacher = app.sign_up_teacher("seller@school.test").await;
    let tid = teacher.id().to_owned();
    let course = priced_course(&app, &teacher, "Reordered Rust", 4_900, "USD", 2).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let out = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();

    // The refund comes first (Stripe does not promise an order), twice: kept, nothing moves.
    for _ in 0..2 {
        assert_eq!(
            app.signed_webhook(&charge_refunded("evt_early_ref", &order, 4_900, 1_500)).await,
            StatusCode::OK
        );
    }
    let o = app.order(&student, &order).await;
    assert_eq!((o["status"].as_str(), o["refunded_minor"].as_i64()), (Some("pending"), Some(0)));
    assert!(ledger_of(&app, &order).await.is_empty());
    assert_eq!(app.student_count(&course.id).await, 0);

    // The payment: paid, enrolled, and the refund it waited for applied, once.
    for _ in 0..2 {
        assert_eq!(app.signed_webhook(&session_paid("evt_late_paid", &order, 4_900)).await, StatusCode::OK);
    }
    let o = app.order(&student, &order).await;
    assert_eq!(
        (o["status"].as_str(), o["refunded_minor"].as_i64()),
        (Some("partially_refunded"), Some(1_500)),
        "{o}"
    );
    assert_eq!(app.student_count(&course.id).await, 1);
    let pending = format!("teacher:{tid}:pending");
    // 980 fee on 4 900; 1 500 back takes 300 of the fee and 1 200 of the teacher's 3 920.
    assert_eq!(
        ledger_of(&app, &order).await,
        vec![
            (
                "sale".to_owned(),
                entries(&[("provider:stripe", 4_900), ("platform:revenue", -980), (&pending, -3_920)])
            ),
            (
                "refund".to_owned(),
                entries(&[("provider:stripe", -1_500), ("platform:revenue", 300), (&pending, 1_200)])
            ),
        ]
    );
    // Redelivered once more after the payment: still once.
    assert_eq!(
        app.signed_webhook(&charge_refunded("evt_early_ref", &order, 4_900, 1_500)).await,
        StatusCode::OK
    );
    assert_eq!(app.order(&student, &order).await["refunded_minor"], 1_500);
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Your receipt").await.len(), 1);
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Refund for").await.len(), 1);

    // A full refund that came first ends the enrollment the payment made.
    let second = app.sign_up_student("second@school.test").await;
    let out = app.checkout(&second, &course.id, "stripe").await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.signed_webhook(&charge_refunded("evt_full_first", &order, 4_900, 4_900)).await,
        StatusCode::OK
    );
    assert_eq!(app.signed_webhook(&session_paid("evt_paid_second", &order, 4_900)).await, StatusCode::OK);
    assert_eq!(app.order(&second, &order).await["status"], "refunded");
    app.lessons(&second).get(&course.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");
    assert_eq!(app.student_count(&course.id).await, 1);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_dispute_freezes_what_is_left_of_the_teachers_share() {
    let (app, _, teacher, student, _, order) = stripe_sale("buyer@school.test").await;
    assert_eq!(owed(&app, &teacher, "USD").await, [3_920, 0, 0, 0, 0]);
    // 900 back first: 180 of the fee, 720 of the teacher's share.
    assert_eq!(app.signed_webhook(&charge_refunded("evt_ref", &order, 4_900, 900)).await, StatusCode::OK);
    assert_eq!(owed(&app, &teacher, "USD").await, [3_200, 0, 0, 0, 0]);

    // The chargeback (naming only the PaymentIntent), delivered twice.
    for _ in 0..2 {
        assert_eq!(app.signed_webhook(&dispute_created("evt_dispute", &order, 4_000)).await, StatusCode::OK);
    }
    let o = app.order(&student, &order).await;
    assert_eq!(
        (o["disputed"].as_bool(), o["status"].as_str()),
        (Some(true), Some("partially_refunded")),
        "{o}"
    );
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 3_200, 0, 0]);
    // A second dispute event about the same payment freezes nothing more.
    assert_eq!(app.signed_webhook(&dispute_created("evt_dispute_2", &order, 4_000)).await, StatusCode::OK);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 3_200, 0, 0]);

    // Frozen is not released with the hold, and cannot be paid out; a disputed order cannot be
    // asked back by its buyer.
    advance(&app, DAY * 15);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 3_200, 0, 0]);
    app.payouts(&teacher).request("USD", None).await.assert_code(StatusCode::CONFLICT, "payout_unavailable");
    app.orders(&student)
        .refund_request(&order, "I disputed it")
        .await
        .assert_code(StatusCode::CONFLICT, "not_refundable");
    let kinds: Vec<String> = ledger_of(&app, &order).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["sale", "refund", "dispute"]);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_dispute_before_its_payment_is_found_through_stripe_and_waits_for_the_payment() {
    let (app, _) = stripe_support::spawn_selling().await;
    let teacher = app.sign_up_teacher("seller@school.test").await;
    let course = priced_course(&app, &teacher, "Stripe Rust", 4_900, "USD", 2).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let out = app.checkout(&student, &course.id, "stripe").await.assert_status(StatusCode::CREATED).json;
    let order = out["order"]["id"].as_str().unwrap().to_owned();

    // The dispute names only a PaymentIntent Lectern has not seen: Stripe says whose it is, and
    // it waits for the payment.
    assert_eq!(
        app.signed_webhook(&dispute_created("evt_early_dispute", &order, 4_900)).await,
        StatusCode::OK
    );
    assert_eq!(app.order(&student, &order).await["disputed"], false);
    assert!(ledger_of(&app, &order).await.is_empty());

    assert_eq!(app.signed_webhook(&session_paid("evt_paid", &order, 4_900)).await, StatusCode::OK);
    let o = app.order(&student, &order).await;
    assert_eq!((o["status"].as_str(), o["disputed"].as_bool()), (Some("paid"), Some(true)), "{o}");
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 3_920, 0, 0]);
    let kinds: Vec<String> = ledger_of(&app, &order).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["sale", "dispute"]);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_yookassa_refund_is_asked_with_a_receipt_and_applied_when_the_api_confirms_it() {
    let (app, shared) = yk::spawn_selling(yk::local()).await;
    let course = yk::rouble_course(&app).await;
    let student = app.sign_up_student("buyer@school.test").await;
    let admin = app.sign_in_admin().await;
    let (order, payment) = yk::pending_order(&app, &shared, &student, &course.id).await;
    yk::set_payment(&shared, &payment, "succeeded", "4900.00");
    yk::notify(&app, yk::notification("payment.succeeded", &payment, "succeeded"))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(yk::order_status(&app, &student, &order).await, "paid");

    // 1 000 ₽ back: asked of YooKassa with a refund receipt; the order waits for the notification.
    let out =
        app.orders(&admin).refund(&order, Some(100_000), "partly").await.assert_status(StatusCode::ACCEPTED);
    assert_eq!(
        (out["status"].as_str(), out["refundable_minor"].as_i64()),
        (Some("paid"), Some(390_000)),
        "{out}"
    );
    let refund_id = {
        let s = shared.lock().unwrap();
        assert_eq!(s.refunds_created.len(), 1);
        let c = &s.refunds_created[0];
        assert_eq!(c.authorization, yk::basic_auth());
        assert!(!c.idempotence_key.is_empty() && c.idempotence_key.len() <= 64, "{}", c.idempotence_key);
        assert_eq!(c.body["payment_id"], payment.as_str());
        assert_eq!(c.body["amount"], json!({"value": "1000.00", "currency": "RUB"}));
        assert_eq!(c.body["receipt"]["customer"], json!({"email": "buyer@school.test"}));
        let item = &c.body["receipt"]["items"][0];
        assert_eq!(
            (&item["amount"], item["payment_subject"].as_str(), item["quantity"].as_str()),
            (&json!({"value": "1000.00", "currency": "RUB"}), Some("service"), Some("1.00"))
        );
        s.refunds.keys().next().unwrap().clone()
    };
    assert_eq!(yk::order_status(&app, &student, &order).await, "paid");

    // The notification (its copy of the object is not believed; the API is asked), twice.
    let note = json!({"type": "notification", "event": "refund.succeeded",
        "object": {"id": refund_id, "payment_id": payment, "status": "succeeded",
            "amount": {"value": "4900.00", "currency": "RUB"}}});
    for _ in 0..2 {
        yk::notify(&app, note.clone()).await.assert_status(StatusCode::OK);
    }
    let o = order_of(&app, &student, &order).await;
    assert_eq!(
        (o["status"].as_str(), o["refunded_minor"].as_i64()),
        (Some("partially_refunded"), Some(100_000)),
        "{o}"
    );
    app.lessons(&student).get(&course.lessons[1]).await.assert_status(StatusCode::OK);

    // A refund YooKassa does not know changes nothing.
    let forged = json!({"type": "notification", "event": "refund.succeeded",
        "object": {"id": "216749f7-0016-50be-b000-999999999999", "payment_id": payment, "status": "succeeded"}});
    yk::notify(&app, forged).await.assert_status(StatusCode::OK);
    assert_eq!(order_of(&app, &student, &order).await["refunded_minor"], 100_000);

    // The rest: refunded, the enrollment ends.
    app.orders(&admin).refund(&order, None, "the rest").await.assert_status(StatusCode::ACCEPTED);
    let second = shared.lock().unwrap().refunds_created[1].clone();
    assert_eq!(second.body["amount"], json!({"value": "3900.00", "currency": "RUB"}));
    let refund_id = shared
        .lock()
        .unwrap()
        .refunds
        .iter()
        .find(|(_, r)| r["amount"]["value"] == "3900.00")
        .map(|(id, _)| id.clone())
        .unwrap();
    let note = json!({"type": "notification", "event": "refund.succeeded",
        "object": {"id": refund_id, "payment_id": payment, "status": "succeeded"}});
    yk::notify(&app, note).await.assert_status(StatusCode::OK);
    let o = order_of(&app, &student, &order).await;
    assert_eq!((o["status"].as_str(), o["refunded_minor"].as_i64()), (Some("refunded"), Some(490_000)));
    app.lessons(&student).get(&course.lessons[1]).await.assert_code(StatusCode::FORBIDDEN, "not_enrolled");
    assert_eq!(balance(&app, "provider:yookassa", "RUB").await, 0);
    assert_eq!(mail_with_subject(&app, "buyer@school.test", "Refund for").await.len(), 2);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn stale_stripe_webhooks_about_refunds_change_nothing() {
    let (app, _, _, student, _, order) = stripe_sale("buyer@school.test").await;
    let event = charge_refunded("evt_stale_ref", &order, 4_900, 4_900);
    let body = serde_json::to_vec(&event).unwrap();
    let sig =
        lectern::commerce::stripe::sign(stripe_support::WEBHOOK_SECRET.as_bytes(), &body, time_now() - 301);
    assert_eq!(app.webhook(&event, Some(sig)).await, StatusCode::BAD_REQUEST);
    assert_eq!(app.webhook(&event, None).await, StatusCode::BAD_REQUEST);
    assert_eq!(app.order(&student, &order).await["status"], "paid");
}
