//! Coupons: who may make them, what they take off, and that their uses never run over under
//! concurrent checkouts.

use futures_util::future::join_all;
use lectern::commerce::repo::Provider;
use lectern::commerce::service::{Outcome, ProviderEvent};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::support::{ANONYMOUS, Actor, Reply};

async fn selling_app() -> TestApp {
    spawn_with(|c| c.payments.test = true).await
}

impl TestApp {
    async fn buy(&self, who: &Actor, course: &str, coupon: Option<&str>) -> Reply {
        let body = json!({"provider": "test", "coupon": coupon});
        self.api(who).post(&format!("/api/v1/courses/{course}/checkout"), body).await
    }

    async fn coupon(&self, who: &Actor, course: &str, body: Value) -> Reply {
        self.api(who).post(&format!("/api/v1/courses/{course}/coupons"), body).await
    }

    async fn course_coupons(&self, who: &Actor, course: &str) -> Value {
        self.api(who)
            .get(&format!("/api/v1/courses/{course}/coupons"))
            .await
            .assert_status(StatusCode::OK)
            .json
    }

    /// What the test provider would answer, applied as its event.
    async fn settle(&self, order: &str, pay: bool) {
        let order = order.parse().unwrap();
        let (outcome, total) = if pay {
            let state = self.state().clone();
            let o =
                state.store.read(move |rtx| lectern::commerce::repo::get_order(rtx, order)).await.unwrap();
            (
                Outcome::Paid {
                    amount_minor: o.total_minor(),
                    currency: o.currency.clone(),
                    payment_ref: None,
                },
                o.total_minor(),
            )
        } else {
            (Outcome::Failed, 0)
        };
        let event = ProviderEvent {
            provider: Provider::Test,
            event_id: format!("{order}:{pay}:{total}"),
            order,
            outcome,
        };
        self.state().commerce.apply(event).await.unwrap();
    }
}

async fn paid_course(app: &TestApp, teacher: &Actor, title: &str) -> CourseFixture {
    app.course(teacher, title, json!({"price_minor": 10_000, "currency": "USD"}), 2, true).await
}

#[tokio::test]
async fn teachers_make_coupons_for_their_courses_and_buyers_get_the_discount_once() {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("coupons@school.test").await;
    let course = paid_course(&app, &teacher, "Coupon Rust").await;
    let stranger = app.sign_up_teacher("stranger@school.test").await;
    let student = app.sign_up_student("buyer@school.test").await;

    // Only the course's teacher (or an admin) makes its coupons; bad bodies are refused.
    app.coupon(&stranger, &course.id, json!({"code": "HALF", "percent_off": 50}))
        .await
        .assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.coupon(&student, &course.id, json!({"code": "HALF", "percent_off": 50}))
        .await
        .assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.coupon(&ANONYMOUS, &course.id, json!({"code": "HALF", "percent_off": 50}))
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthenticated");
    let bad = app
        .coupon(&teacher, &course.id, json!({"code": "x", "percent_off": 150}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(bad.json["errors"].as_array().unwrap().len(), 2);
    app.coupon(&teacher, &course.id, json!({"code": "both", "percent_off": 10, "amount_off_minor": 100}))
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let made = app
        .coupon(&teacher, &course.id, json!({"code": "Spring-25", "percent_off": 25, "max_redemptions": 1}))
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(made.json["code"], "SPRING-25");
    app.coupon(&teacher, &course.id, json!({"code": "spring-25", "percent_off": 10}))
        .await
        .assert_code(StatusCode::CONFLICT, "slug_taken");
    app.api(&stranger)
        .get(&format!("/api/v1/courses/{}/coupons", course.id))
        .await
        .assert_code(StatusCode::FORBIDDEN, "forbidden");

    // The price endpoint tries a code without holding it; codes are case-insensitive.
    let price = app
        .api(&ANONYMOUS)
        .get(&format!("/api/v1/courses/{}/price?coupon=spring-25", course.id))
        .await
        .assert_status(StatusCode::OK)
        .json;
    assert_eq!(
        price,
        json!({"price_minor": 10_000, "discount_minor": 2_500, "total_minor": 7_500, "currency": "USD",
        "coupon": {"code": "SPRING-25", "valid": true}})
    );
    let unknown =
        app.api(&student).get(&format!("/api/v1/courses/{}/price?coupon=NOPE", course.id)).await.json;
    assert_eq!(
        (
            unknown["coupon"]["valid"].as_bool(),
            unknown["coupon"]["reason"].as_str(),
            unknown["total_minor"].as_i64()
        ),
        (Some(false), Some("unknown"), Some(10_000))
    );

    // Buying with it: the order carries the discount; paying redeems the one use.
    let out = app.buy(&student, &course.id, Some("spring-25")).await.assert_status(StatusCode::CREATED).json;
    assert_eq!(
        (
            out["order"]["discount_minor"].as_i64(),
            out["order"]["total_minor"].as_i64(),
            out["order"]["coupon"].as_str()
        ),
        (Some(2_500), Some(7_500), Some("SPRING-25"))
    );
    let list = app.course_coupons(&teacher, &course.id).await;
    assert_eq!(
        (list["items"][0]["held"].as_u64(), list["items"][0]["redemptions"].as_u64()),
        (Some(1), Some(0))
    );
    app.settle(out["order"]["id"].as_str().unwrap(), true).await;
    let list = app.course_coupons(&teacher, &course.id).await;
    assert_eq!(
        (list["items"][0]["held"].as_u64(), list["items"][0]["redemptions"].as_u64()),
        (Some(0), Some(1))
    );

    // Used up for the next buyer; the first cannot use it twice anyway.
    let second = app.sign_up_student("second@school.test").await;
    let refused = app
        .buy(&second, &course.id, Some("SPRING-25"))
        .await
        .assert_code(StatusCode::CONFLICT, "coupon_unavailable");
    assert_eq!(refused.json["reason"], "used_up");
    let refused = app
        .buy(&second, &course.id, Some("WHAT"))
        .await
        .assert_code(StatusCode::CONFLICT, "coupon_unavailable");
    assert_eq!(refused.json["reason"], "unknown");

    // Deactivated and expired coupons are refused with their reason.
    let late = app
        .coupon(
            &teacher,
            &course.id,
            json!({"code": "LATE", "amount_off_minor": 1_000, "expires_at": "2020-01-01T00:00:00Z"}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(
        app.buy(&second, &course.id, Some("late"))
            .await
            .assert_code(StatusCode::CONFLICT, "coupon_unavailable")
            .json["reason"],
        "expired"
    );
    let off = app
        .coupon(&teacher, &course.id, json!({"code": "OFF", "percent_off": 10}))
        .await
        .assert_status(StatusCode::CREATED);
    app.api(&stranger)
        .delete(&format!("/api/v1/coupons/{}", off.json["id"].as_str().unwrap()))
        .await
        .assert_code(StatusCode::NOT_FOUND, "not_found");
    app.api(&teacher)
        .delete(&format!("/api/v1/coupons/{}", off.json["id"].as_str().unwrap()))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(
        app.buy(&second, &course.id, Some("off"))
            .await
            .assert_code(StatusCode::CONFLICT, "coupon_unavailable")
            .json["reason"],
        "inactive"
    );
    assert!(late.json["expires_at"].as_str().unwrap().starts_with("2020-01-01T00:00:00"));
}

#[tokio::test]
async fn a_free_coupon_enrolls_without_a_provider_and_school_wide_coupons_are_for_admins() {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("gift@school.test").await;
    let course = paid_course(&app, &teacher, "Gift Rust").await;
    let admin = app.sign_in_admin().await;
    let student = app.sign_up_student("lucky@school.test").await;

    app.api(&teacher)
        .post("/api/v1/admin/coupons", json!({"code": "ALL", "percent_off": 100}))
        .await
        .assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.api(&admin)
        .post("/api/v1/admin/coupons", json!({"code": "all-free", "percent_off": 100}))
        .await
        .assert_status(StatusCode::CREATED);
    let listed = app.api(&admin).get("/api/v1/admin/coupons").await.assert_status(StatusCode::OK).json;
    assert_eq!(listed["items"][0]["code"], "ALL-FREE");

    let out = app.buy(&student, &course.id, Some("ALL-FREE")).await.assert_status(StatusCode::CREATED).json;
    assert_eq!(
        (out["order"]["status"].as_str(), out["order"]["total_minor"].as_i64()),
        (Some("paid"), Some(0))
    );
    assert!(
        out["redirect_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/orders/{}", out["order"]["id"].as_str().unwrap()))
    );
    app.lessons(&student).get(&course.lessons[1]).await.assert_status(StatusCode::OK);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let after = app.api(&admin).get("/api/v1/admin/coupons").await.json;
    assert_eq!(
        (after["items"][0]["redemptions"].as_u64(), after["items"][0]["held"].as_u64()),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn two_hundred_concurrent_checkouts_on_a_ten_use_coupon_hold_exactly_ten() {
    let app = selling_app().await;
    let teacher = app.sign_up_teacher("race@school.test").await;
    let course = paid_course(&app, &teacher, "Race Rust").await;
    app.coupon(&teacher, &course.id, json!({"code": "TEN", "percent_off": 30, "max_redemptions": 10}))
        .await
        .assert_status(StatusCode::CREATED);

    let emails: Vec<String> = (0..200).map(|i| format!("racer{i}@school.test")).collect();
    let mut buyers = Vec::new();
    for chunk in emails.chunks(20) {
        buyers.extend(join_all(chunk.iter().map(|e| app.sign_up_student(e))).await);
    }
    let replies = join_all(buyers.iter().map(|b| app.buy(b, &course.id, Some("ten")))).await;
    let won: Vec<&Reply> = replies.iter().filter(|r| r.status == StatusCode::CREATED).collect();
    let lost = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT && r.json["reason"] == "fully_held")
        .count();
    assert_eq!((won.len(), lost), (10, 190));
    let coupons = app.course_coupons(&teacher, &course.id).await;
    assert_eq!(
        (coupons["items"][0]["held"].as_u64(), coupons["items"][0]["redemptions"].as_u64()),
        (Some(10), Some(0))
    );

    // Three payments fail: their uses go back; two are paid: redeemed.
    for r in &won[..3] {
        app.settle(r.json["order"]["id"].as_str().unwrap(), false).await;
    }
    for r in &won[3..5] {
        app.settle(r.json["order"]["id"].as_str().unwrap(), true).await;
    }
    let coupons = app.course_coupons(&teacher, &course.id).await;
    assert_eq!(
        (coupons["items"][0]["held"].as_u64(), coupons["items"][0]["redemptions"].as_u64()),
        (Some(5), Some(2))
    );
    // The released uses are there for others.
    let late = app.sign_up_student("late@school.test").await;
    app.buy(&late, &course.id, Some("TEN")).await.assert_status(StatusCode::CREATED);
}
