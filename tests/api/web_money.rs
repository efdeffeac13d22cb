//! The money pages, driven as a browser without JavaScript would: a buyer asks for a refund on
//! the order page, the admin refunds it from the admin's orders; a teacher asks to be paid on
//! the earnings page, the admin marks it paid; the bank's CSV; who may open which page.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use crate::helpers::*;
use crate::web::signed_up;

/// A school that takes test payments and pays teachers without a hold.
async fn selling() -> TestApp {
    spawn_with(|c| {
        c.payments.test = true;
        c.payments.rules.payout_hold = Duration::ZERO;
    })
    .await
}

/// A browser signed in through the sign-in form.
async fn signed_in(app: &TestApp, email: &str, password: &str) -> Browser {
    let mut b = Browser::default();
    let res = b.form(app, "/signin", &[("email", email), ("password", password), ("next", "/learn")]).await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/learn");
    b
}

/// A $49 course of two lessons by `teacher@school.test`.
async fn course_on_sale(app: &TestApp) -> CourseFixture {
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    app.course(&teacher, "Paid Painting", json!({"price_minor": 4900, "currency": "USD"}), 2, true).await
}

/// Buys `course` through the buy form and the test provider's Pay button; the order's id.
async fn buy(app: &TestApp, b: &mut Browser, course: &CourseFixture) -> String {
    let csrf = b.csrf.clone();
    let res =
        b.form(app, &format!("/courses/{}/buy", course.slug), &[("csrf", &csrf), ("provider", "test")]).await;
    let pay = res
        .assert_status(StatusCode::SEE_OTHER)
        .location()
        .trim_start_matches("http://school.test")
        .to_owned();
    let res = b.form(app, &pay, &[("csrf", &csrf), ("outcome", "pay")]).await;
    let order = res.assert_status(StatusCode::SEE_OTHER).location().trim_start_matches("/orders/").to_owned();
    let (_, body) = b.page(app, &format!("/orders/{order}")).await;
    assert!(body.contains("data-status=\"order-paid\""), "{body}");
    order
}

#[tokio::test]
async fn a_buyer_asks_for_a_refund_and_the_admin_gives_it_from_the_admin_pages() {
    let app = selling().await;
    let course = course_on_sale(&app).await;
    let mut student = signed_up(&app, "buyer@school.test", "Bea Buyer").await;
    let order = buy(&app, &mut student, &course).await;
    let order_page = format!("/orders/{order}");

    let (_, body) = student.page(&app, &order_page).await;
    assert!(body.contains("id=\"refund-form\"") && body.contains("Ask for a refund"), "{body}");
    assert!(body.contains("within 14 days of the payment"), "the rules are shown");

    // A reason is needed: the page says so and nothing is asked.
    let csrf = student.csrf.clone();
    let res = student
        .form(&app, &format!("{order_page}/refund-request"), &[("csrf", &csrf), ("reason", "x")])
        .await;
    let body = res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text;
    assert!(body.contains("id=\"refund-error\"") && body.contains("in 3 to 1000 characters"));
    assert!(body.contains("id=\"refund-form\""), "the form is still there");

    let reason = "Not what I expected <b>at all</b>";
    let res = student
        .form(&app, &format!("{order_page}/refund-request"), &[("csrf", &csrf), ("reason", reason)])
        .await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), order_page);
    let (_, body) = student.page(&app, &order_page).await;
    assert!(body.contains("Refund requested") && body.contains("id=\"refund-pending\""));
    assert!(!body.contains("id=\"refund-form\""), "one request at a time");
    let (_, body) = student.page(&app, "/orders").await;
    assert!(body.contains("Refund requested"), "my purchases show it too");

    // The admin finds it among the refund requests, reads the reason and refunds it all.
    let mut admin = signed_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, body) = admin.page(&app, "/admin/orders?refund_requested=true").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("buyer@school.test") && body.contains("Paid Painting") && body.contains("$49"));
    assert!(body.contains(&format!("href=\"/admin/orders/{order}\"")));
    assert!(body.contains("href=\"/admin/orders\""), "the admin's navigation");
    let (_, none) = admin.page(&app, "/admin/orders?refund_requested=true&status=refunded").await;
    assert!(!none.contains("buyer@school.test"), "filters combine");

    let admin_order = format!("/admin/orders/{order}");
    let (status, body) = admin.page(&app, &admin_order).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Not what I expected &#60;b&#62;at all&#60;/b&#62;"),
        "the reason, escaped: {body}"
    );
    assert!(body.contains("id=\"admin-refund-form\"") && body.contains("everything left ($49)"));

    let csrf = admin.csrf.clone();
    let res = admin
        .form(&app, &format!("{admin_order}/refund"), &[("csrf", &csrf), ("amount", ""), ("reason", "")])
        .await;
    assert!(res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text.contains("Give a reason"));
    let res = admin
        .form(
            &app,
            &format!("{admin_order}/refund"),
            &[("csrf", &csrf), ("amount", "60"), ("reason", "Asked nicely")],
        )
        .await;
    let body = res.assert_status(StatusCode::CONFLICT).text;
    assert!(body.contains("id=\"refund-error\"") && body.contains("no more than what is left"), "{body}");
    let res = admin
        .form(
            &app,
            &format!("{admin_order}/refund"),
            &[("csrf", &csrf), ("amount", ""), ("reason", "Asked nicely")],
        )
        .await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), admin_order);
    let (_, body) = admin.page(&app, &admin_order).await;
    assert!(body.contains("data-status=\"order-refunded\"") && !body.contains("id=\"admin-refund-form\""));

    // The buyer sees it refunded, and the course is no longer theirs.
    let (_, body) = student.page(&app, &order_page).await;
    assert!(body.contains("data-status=\"order-refunded\"") && body.contains("Given back"), "{body}");
    assert!(body.contains("data-refunded>$49<"));
    assert!(!body.contains("id=\"refund-form\"") && !body.contains("id=\"start-learning\""));
    let (_, body) = student.page(&app, "/learn").await;
    assert!(!body.contains(&course.slug), "no longer in my learning");
    let (status, _) = student.page(&app, &format!("/learn/{}/{}", course.slug, course.lessons[1])).await;
    assert_ne!(status, StatusCode::OK, "the lessons are closed again");
}

#[tokio::test]
async fn a_late_refund_request_is_refused_on_the_page_in_the_buyers_language() {
    let app = selling().await;
    let course = course_on_sale(&app).await;
    let mut student = signed_up(&app, "late@school.test", "Late Buyer").await;
    let order = buy(&app, &mut student, &course).await;
    student.get(&app, "/lang/ru?next=/").await;

    let (_, body) = student.page(&app, &format!("/orders/{order}")).await;
    assert!(body.contains("Запросить возврат") && body.contains("в течение 14 дней"), "{body}");

    app.state().clock.advance(Duration::from_secs(15 * 86_400));
    let (_, body) = student.page(&app, &format!("/orders/{order}")).await;
    assert!(body.contains("Срок возврата по этому заказу истёк"), "{body}");
    assert!(!body.contains("id=\"refund-form\""));

    // A form sent from a page opened in time: a clear message, not an error page.
    let csrf = student.csrf.clone();
    let res = student
        .form(
            &app,
            &format!("/orders/{order}/refund-request"),
            &[("csrf", &csrf), ("reason", "Too busy to study")],
        )
        .await;
    let body = res.assert_status(StatusCode::CONFLICT).text;
    assert!(body.contains("id=\"refund-error\"") && body.contains("Срок возврата"), "{body}");
    assert!(body.contains("data-status=\"order-paid\""), "still the order page");
}

#[tokio::test]
async fn a_teacher_is_paid_out_through_the_earnings_and_admin_payout_pages() {
    let app = selling().await;
    let course = course_on_sale(&app).await;
    let mut student = signed_up(&app, "payer@school.test", "Pat Payer").await;
    buy(&app, &mut student, &course).await;

    let mut teacher = signed_in(&app, "teacher@school.test", PASSWORD).await;
    let (status, body) = teacher.page(&app, "/studio/earnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("href=\"/studio/earnings\" aria-current=\"page\""), "Earnings in the navigation");
    // $49 less the school's 20 %: $39.20, available at once without a hold.
    assert!(body.contains("data-available>$39.20<") && body.contains("data-pending>$0<"), "{body}");
    assert!(body.contains("The smallest payout is $10."));

    let csrf = teacher.csrf.clone();
    let res = teacher
        .form(&app, "/studio/earnings/payouts", &[("csrf", &csrf), ("currency", "USD"), ("amount", "1000")])
        .await;
    let body = res.assert_status(StatusCode::CONFLICT).text;
    assert!(body.contains("id=\"payout-error\"") && body.contains("cannot be made"));
    let res = teacher
        .form(&app, "/studio/earnings/payouts", &[("csrf", &csrf), ("currency", "USD"), ("amount", "12,5x")])
        .await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let res = teacher
        .form(&app, "/studio/earnings/payouts", &[("csrf", &csrf), ("currency", "USD"), ("amount", "")])
        .await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/studio/earnings");
    let (_, body) = teacher.page(&app, "/studio/earnings").await;
    assert!(body.contains("data-requested>$39.20<") && body.contains("data-available>$0<"));
    assert!(body.contains("data-status=\"payout-requested\""));

    // The admin marks it paid with the bank's reference.
    let mut admin = signed_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, body) = admin.page(&app, "/admin/payouts?status=requested").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("teacher@school.test") && body.contains("$39.20"));
    let id = body.split("action=\"/admin/payouts/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let csrf = admin.csrf.clone();
    let res =
        admin.form(&app, &format!("/admin/payouts/{id}/paid"), &[("csrf", &csrf), ("reference", "")]).await;
    assert!(res.assert_status(StatusCode::UNPROCESSABLE_ENTITY).text.contains("reference of the transfer"));
    let res = admin
        .form(&app, &format!("/admin/payouts/{id}/paid"), &[("csrf", &csrf), ("reference", "BANK-42")])
        .await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/admin/payouts");
    let res = admin
        .form(&app, &format!("/admin/payouts/{id}/reject"), &[("csrf", &csrf), ("reason", "Changed my mind")])
        .await;
    assert!(res.assert_status(StatusCode::CONFLICT).text.contains("already been decided"));

    let (_, body) = teacher.page(&app, "/studio/earnings").await;
    assert!(
        body.contains("data-status=\"payout-paid\"") && body.contains("Bank reference: BANK-42"),
        "{body}"
    );
    assert!(body.contains("data-paid-out>$39.20<") && body.contains("data-requested>$0<"));

    // The bank's CSV, from the page and from the API: the same file.
    let (status, body) = admin.page(&app, "/admin/payouts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"payouts-csv\" class=\"btn btn-secondary\" href=\"/admin/payouts.csv\""));
    let res = admin.get(&app, "/admin/payouts.csv").await.assert_status(StatusCode::OK);
    assert_eq!(res.header(CONTENT_TYPE.as_str()), Some("text/csv; charset=utf-8"));
    assert!(res.header("content-disposition").unwrap().contains("payouts.csv"));
    assert!(res.text.starts_with("payout_id,teacher_id,teacher_name"));
    assert!(res.text.contains("teacher@school.test,USD,39.20,paid,") && res.text.contains("BANK-42"));
    let api = app.sign_in_admin().await;
    let from_api = app.api(&api).get("/api/v1/admin/payouts?format=csv").await.assert_status(StatusCode::OK);
    assert_eq!(from_api.text, res.text);

    // The ledger shows the sale and the payout.
    let (status, body) = admin.page(&app, "/admin/ledger").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(">Sale ·") && body.contains(">Payout paid ·") && body.contains("platform:revenue"));
}

#[tokio::test]
async fn money_pages_are_for_their_people_and_speak_russian() {
    let app = selling().await;
    let course = course_on_sale(&app).await;
    let mut student = signed_up(&app, "curious@school.test", "Curious").await;
    let order = buy(&app, &mut student, &course).await;

    let (status, body) = student.page(&app, "/studio/earnings").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("You cannot open this page"), "the friendly page");
    assert!(
        !body.contains("href=\"/studio/earnings\"") && !body.contains("href=\"/admin/orders\""),
        "no such links"
    );
    let csrf = student.csrf.clone();
    let res = student.form(&app, "/studio/earnings/payouts", &[("csrf", &csrf), ("currency", "USD")]).await;
    res.assert_status(StatusCode::FORBIDDEN);

    let mut teacher = signed_in(&app, "teacher@school.test", PASSWORD).await;
    let admin_pages = [
        "/admin/orders".to_owned(),
        format!("/admin/orders/{order}"),
        "/admin/payouts".to_owned(),
        "/admin/payouts.csv".to_owned(),
        "/admin/ledger".to_owned(),
    ];
    for path in &admin_pages {
        for b in [&mut student, &mut teacher] {
            let res = b.get(&app, path).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
            assert!(res.header(CONTENT_TYPE.as_str()).unwrap().starts_with("text/html"), "{path}");
        }
        let res = app.visitor().get(path).await.assert_status(StatusCode::SEE_OTHER);
        assert!(res.location().starts_with("/signin?next="), "{path}");
    }
    let res = student
        .form(&app, &format!("/admin/orders/{order}/refund"), &[("csrf", &csrf), ("reason", "Give it back")])
        .await;
    res.assert_status(StatusCode::FORBIDDEN);
    let (_, body) = student.page(&app, &format!("/orders/{order}")).await;
    assert!(body.contains("data-status=\"order-paid\""), "nothing was refunded");

    // In Russian, by the browser's language or the switch.
    let res = teacher.get(&app, "/lang/ru?next=/studio/earnings").await;
    assert_eq!(res.assert_status(StatusCode::SEE_OTHER).location(), "/studio/earnings");
    let (_, body) = teacher.page(&app, "/studio/earnings").await;
    assert!(
        body.contains("<html lang=\"ru\"") && body.contains("Доходы") && body.contains("Доступно"),
        "{body}"
    );
    assert!(body.contains("Минимальная выплата"));
    let mut admin = signed_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.get(&app, "/lang/ru?next=/").await;
    for (path, text) in [
        ("/admin/orders", "Все заказы"),
        ("/admin/payouts", "Скачать CSV для банка"),
        ("/admin/ledger", "Продажа"),
    ] {
        let (status, body) = admin.page(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains(text), "{path}: {body}");
    }
    let (_, body) = admin.page(&app, &format!("/admin/orders/{order}")).await;
    assert!(body.contains("Вернуть деньги") && body.contains("Оплачен"));
}
