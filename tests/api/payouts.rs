//! Teachers' earnings and payouts: the fee split, the hold, payout requests and the admin's
//! decisions, the bank's CSV export, and who may call what (with the admin's orders, refunds and
//! ledger: every endpoint of money owed and given back).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;
use crate::money::*;

/// A teacher with a 100.00 `currency` course that `email` bought: (teacher, order).
async fn one_sale(app: &TestApp, teacher_email: &str, buyer: &str, currency: &str) -> (Actor, String) {
    let teacher = app.sign_up_teacher(teacher_email).await;
    let course =
        priced_course(app, &teacher, &format!("Course of {teacher_email}"), 10_000, currency, 2).await;
    let student = app.sign_up_student(buyer).await;
    let order = buy_paid(app, &student, &course.id).await;
    (teacher, order)
}

#[tokio::test]
async fn a_sale_is_split_80_20_and_the_share_is_pending_until_the_hold_ends() {
    let app = selling_app().await;
    let (teacher, order) = one_sale(&app, "teacher@school.test", "buyer@school.test", "USD").await;
    let tid = teacher.id().to_owned();

    let list = app.payouts(&teacher).earnings().await.assert_status(StatusCode::OK).json;
    assert_eq!(
        list,
        json!({"items": [{"currency": "USD", "pending_minor": 8_000, "available_minor": 0, "frozen_minor": 0,
            "requested_minor": 0, "paid_out_minor": 0}], "payout_min_minor": 1_000})
    );
    let mut sale = vec![
        ("platform:revenue".to_owned(), -2_000),
        ("provider:test".to_owned(), 10_000),
        (format!("teacher:{tid}:pending"), -8_000),
    ];
    sale.sort();
    assert_eq!(ledger_of(&app, &order).await, vec![("sale".to_owned(), sale)]);
    // Nothing to ask for while it is pending.
    app.payouts(&teacher).request("USD", None).await.assert_code(StatusCode::CONFLICT, "payout_unavailable");

    // Still pending the day before the hold ends (14 days by default), available after it.
    advance(&app, DAY * 13);
    assert_eq!(owed(&app, &teacher, "USD").await, [8_000, 0, 0, 0, 0]);
    advance(&app, DAY * 2);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 8_000, 0, 0, 0]);
    let kinds: Vec<String> = ledger_of(&app, &order).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["sale", "release"]);
    // Released once, however often asked.
    assert_eq!(app.state().commerce.release_due().await.unwrap(), 0);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 8_000, 0, 0, 0]);

    // Another currency is another row, never converted.
    let rub = priced_course(&app, &teacher, "Rouble course", 99_900, "RUB", 1).await;
    let buyer = app.sign_up_student("rub@school.test").await;
    buy_paid(&app, &buyer, &rub.id).await;
    let list = app.payouts(&teacher).earnings().await.assert_status(StatusCode::OK).json;
    let currencies: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|e| e["currency"].as_str().unwrap()).collect();
    assert_eq!(currencies, ["RUB", "USD"]);
    // 20 % of 999.00 is 199.80.
    assert_eq!(owed(&app, &teacher, "RUB").await, [79_920, 0, 0, 0, 0]);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn the_fee_the_hold_and_the_minimum_come_from_the_configuration() {
    let app = selling_app_with(|c| {
        c.payments.rules.platform_fee_percent = 30;
        c.payments.rules.payout_hold = std::time::Duration::ZERO;
        c.payments.rules.payout_min_minor = 5_000;
    })
    .await;
    let (teacher, _) = one_sale(&app, "teacher@school.test", "buyer@school.test", "USD").await;
    // No hold: available at once; 30 % kept.
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 7_000, 0, 0, 0]);
    assert_eq!(balance(&app, "platform:revenue", "USD").await, -3_000);
    let list = app.payouts(&teacher).earnings().await.assert_status(StatusCode::OK).json;
    assert_eq!(list["payout_min_minor"], 5_000);
    app.payouts(&teacher)
        .request("USD", Some(4_999))
        .await
        .assert_code(StatusCode::CONFLICT, "payout_unavailable");
    app.payouts(&teacher).request("USD", Some(5_000)).await.assert_status(StatusCode::CREATED);
    // What is left (2 000) is below the minimum.
    app.payouts(&teacher).request("USD", None).await.assert_code(StatusCode::CONFLICT, "payout_unavailable");
}

#[tokio::test]
async fn payouts_are_asked_within_the_minimum_and_what_is_available_and_decided_once() {
    let app = selling_app().await;
    let (teacher, _) = one_sale(&app, "teacher@school.test", "buyer@school.test", "USD").await;
    let admin = app.sign_in_admin().await;
    advance(&app, DAY * 15);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 8_000, 0, 0, 0]);

    // Below the minimum, above what is available, in a currency with nothing, or not a currency.
    for (currency, amount) in [("USD", Some(999)), ("USD", Some(8_001)), ("EUR", None), ("EUR", Some(1_000))]
    {
        app.payouts(&teacher)
            .request(currency, amount)
            .await
            .assert_code(StatusCode::CONFLICT, "payout_unavailable");
    }
    app.payouts(&teacher)
        .request("XXX", None)
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 8_000, 0, 0, 0]);

    // A part, then (by default) everything left.
    let first = app.payouts(&teacher).request("usd", Some(3_000)).await.assert_status(StatusCode::CREATED);
    assert_eq!(
        (first["status"].as_str(), first["amount_minor"].as_i64(), first["currency"].as_str()),
        (Some("requested"), Some(3_000), Some("USD"))
    );
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 5_000, 0, 3_000, 0]);
    let second = app.payouts(&teacher).request("USD", None).await.assert_status(StatusCode::CREATED);
    assert_eq!(second["amount_minor"], 5_000);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 0, 8_000, 0]);
    let mine = app.payouts(&teacher).mine().await.assert_status(StatusCode::OK).json;
    let ids: Vec<&str> =
        mine["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.str("id"), first.str("id")], "newest first");

    // Paid with the bank's reference: the teacher is told, and it counts as paid out.
    let paid = app.payouts(&admin).paid(&first.id(), "BANK-REF-0001").await.assert_status(StatusCode::OK);
    assert_eq!((paid["status"].as_str(), paid["reference"].as_str()), (Some("paid"), Some("BANK-REF-0001")));
    assert!(paid["decided_at"].is_string());
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 0, 5_000, 3_000]);
    let mails = mail_with_subject(&app, "teacher@school.test", "Your payout of 30.00 USD is paid").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0]["text"].as_str().unwrap().contains("BANK-REF-0001"), "{}", mails[0]);

    // A decided payout stays decided.
    app.payouts(&admin)
        .paid(&first.id(), "BANK-REF-0002")
        .await
        .assert_code(StatusCode::CONFLICT, "payout_decided");
    app.payouts(&admin).reject(&first.id(), "oops").await.assert_code(StatusCode::CONFLICT, "payout_decided");
    app.payouts(&admin)
        .paid(&first.id(), "")
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    app.payouts(&admin)
        .paid("01JAAAAAAAAAAAAAAAAAAAAAAA", "BANK-REF-0003")
        .await
        .assert_code(StatusCode::NOT_FOUND, "not_found");

    // Rejected: the money is available again, and may be asked for again.
    let rejected = app
        .payouts(&admin)
        .reject(&second.id(), "the bank details are wrong")
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        (rejected["status"].as_str(), rejected["reason"].as_str()),
        (Some("rejected"), Some("the bank details are wrong"))
    );
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 5_000, 0, 0, 3_000]);
    app.payouts(&admin)
        .reject(&second.id(), "again")
        .await
        .assert_code(StatusCode::CONFLICT, "payout_decided");
    app.payouts(&admin)
        .paid(&second.id(), "BANK-REF-0004")
        .await
        .assert_code(StatusCode::CONFLICT, "payout_decided");
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 5_000, 0, 0, 3_000]);
    assert_eq!(mail_with_subject(&app, "teacher@school.test", "Your payout").await.len(), 2);

    // Each decision is in the audit log with its admin and why; refused ones are not.
    let log = app.api(&admin).get("/api/v1/admin/audit?limit=100").await.assert_status(StatusCode::OK).json;
    let admin_id = app.api(&admin).get("/api/v1/me").await.json["id"].as_str().unwrap().to_owned();
    let entries: Vec<(&str, &str, &str, &str)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target_type"] == "payout")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default();
            (s("action"), s("target_id"), s("reason"), s("actor"))
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("payout.reject", second.str("id"), "the bank details are wrong", admin_id.as_str()),
            ("payout.paid", first.str("id"), "bank reference BANK-REF-0001", admin_id.as_str()),
        ],
        "{log}"
    );

    // The admin's lists by status.
    let by = |status: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let page =
                app.payouts(admin).all(&format!("status={status}")).await.assert_status(StatusCode::OK).json;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(by("paid").await, [first.id()]);
    assert_eq!(by("rejected").await, [second.id()]);
    assert!(by("requested").await.is_empty());
    app.payouts(&admin)
        .all("status=lost")
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    app.payouts(&teacher).request("USD", None).await.assert_status(StatusCode::CREATED);
    assert_eq!(owed(&app, &teacher, "USD").await, [0, 0, 0, 5_000, 3_000]);
    assert_books_balance(&app).await;
}

/// RFC 4180, as a bank's importer (or a spreadsheet) reads it.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the export ends with a line break");
    rows
}

#[tokio::test]
async fn the_bank_export_is_csv_with_a_row_per_payout_and_no_formula() {
    let app = selling_app_with(|c| c.payments.rules.payout_hold = std::time::Duration::ZERO).await;
    let admin = app.sign_in_admin().await;
    // A teacher whose name a spreadsheet would run, and one whose name needs quoting.
    let evil_name = "=SUM(1,2) \"Ann\"";
    let mut payouts = Vec::new();
    for (email, name) in [("evil@school.test", evil_name), ("plain@school.test", "Smith, Ann")] {
        let body = json!({"email": email, "password": PASSWORD, "name": name, "role": "teacher"});
        let teacher =
            Actor::from_tokens(&app.auth().register(body).await.assert_status(StatusCode::CREATED).json);
        let course = priced_course(&app, &teacher, &format!("Course by {email}"), 10_000, "USD", 1).await;
        let student = app.sign_up_student(&format!("buyer-of-{email}")).await;
        buy_paid(&app, &student, &course.id).await;
        let p = app.payouts(&teacher).request("USD", Some(2_550)).await.assert_status(StatusCode::CREATED);
        payouts.push((p.id(), teacher.id().to_owned(), email, name));
    }
    app.payouts(&admin).paid(&payouts[1].0, "TRX-42").await.assert_status(StatusCode::OK);

    let csv = app.payouts(&admin).all("format=csv").await.assert_status(StatusCode::OK);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.header("content-disposition").unwrap_or_default().starts_with("attachment"));
    let rows = parse_csv(&csv.text);
    assert_eq!(
        rows[0],
        [
            "payout_id",
            "teacher_id",
            "teacher_name",
            "teacher_email",
            "currency",
            "amount",
            "status",
            "requested_at",
            "reference"
        ]
    );
    assert_eq!(rows.len(), 1 + payouts.len(), "{}", csv.text);
    for (id, teacher, email, name) in &payouts {
        let row =
            rows.iter().find(|r| r[0] == *id).unwrap_or_else(|| panic!("no row for {id}: {}", csv.text));
        assert_eq!(row.len(), 9, "{row:?}");
        assert_eq!(
            (&row[1], &row[3], &row[4], &row[5]),
            (teacher, &(*email).to_owned(), &"USD".to_owned(), &"25.50".to_owned())
        );
        if name.starts_with('=') {
            assert_eq!(row[2], format!("'{name}"), "a formula is defused");
        } else {
            assert_eq!(row[2], *name);
        }
    }
    assert!(
        rows.iter().flatten().all(|f| !f.starts_with(['=', '+', '-', '@'])),
        "no field a spreadsheet would run: {}",
        csv.text
    );
    let paid_row = rows.iter().find(|r| r[0] == payouts[1].0).unwrap();
    assert_eq!((paid_row[6].as_str(), paid_row[8].as_str()), ("paid", "TRX-42"));
    // Filtered by status; JSON by default.
    let requested = parse_csv(
        &app.payouts(&admin).all("format=csv&status=requested").await.assert_status(StatusCode::OK).text,
    );
    assert_eq!(requested.len(), 2);
    app.payouts(&admin)
        .all("format=xml")
        .await
        .assert_code(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let json = app.payouts(&admin).all("").await.assert_status(StatusCode::OK);
    assert_eq!(json.json["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn students_have_no_earnings_and_only_admins_decide_and_see_the_books() {
    let app = selling_app().await;
    let (teacher, _) = one_sale(&app, "teacher@school.test", "buyer@school.test", "USD").await;
    let student = app.sign_up_student("student@school.test").await;
    app.payouts(&student).earnings().await.assert_code(StatusCode::FORBIDDEN, "teachers_only");
    app.payouts(&student).request("USD", None).await.assert_code(StatusCode::FORBIDDEN, "teachers_only");
    app.payouts(&student).mine().await.assert_code(StatusCode::FORBIDDEN, "teachers_only");
    app.payouts(&teacher).all("").await.assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.payouts(&teacher).all("format=csv").await.assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.orders(&teacher).ledger("").await.assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.orders(&teacher).all("").await.assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.payouts(&ANONYMOUS).earnings().await.assert_code(StatusCode::UNAUTHORIZED, "unauthenticated");
}

/// Every endpoint of money owed and given back, as every kind of caller. The setup gives each
/// caller a fresh course of the owner's that the enrolled student bought (`{order}`), and two
/// payout requests of the owner's (`{payout}`, `{payout2}`); shares are available at once
/// (no hold) so that the owner can ask for payouts.
fn money_table() -> Vec<Row> {
    use Method as M;
    let reason = json!({"reason": "changed my mind"});
    vec![
        row("order", M::GET, "/api/v1/orders/{order}", NO_BODY, [401, 404, 200, 404, 404, 200]),
        row(
            "refund request",
            M::POST,
            "/api/v1/orders/{order}/refund-request",
            reason.clone(),
            [401, 404, 202, 404, 404, 404],
        ),
        row(
            "admin refund",
            M::POST,
            "/api/v1/admin/orders/{order}/refund",
            json!({"amount_minor": 100, "reason": "goodwill"}),
            [401, 403, 403, 403, 403, 202],
        ),
        row(
            "admin orders",
            M::GET,
            "/api/v1/admin/orders?refund_requested=true",
            NO_BODY,
            [401, 403, 403, 403, 403, 200],
        ),
        row("admin ledger", M::GET, "/api/v1/admin/ledger", NO_BODY, [401, 403, 403, 403, 403, 200]),
        row("earnings", M::GET, "/api/v1/me/earnings", NO_BODY, [401, 403, 403, 200, 200, 200]),
        // The other teacher and the admin have nothing available.
        row(
            "request payout",
            M::POST,
            "/api/v1/me/payouts",
            json!({"currency": "USD", "amount_minor": 1_000}),
            [401, 403, 403, 409, 201, 409],
        ),
        row("my payouts", M::GET, "/api/v1/me/payouts", NO_BODY, [401, 403, 403, 200, 200, 200]),
        row("admin payouts", M::GET, "/api/v1/admin/payouts", NO_BODY, [401, 403, 403, 403, 403, 200]),
        row(
            "payouts csv",
            M::GET,
            "/api/v1/admin/payouts?format=csv",
            NO_BODY,
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            "payout paid",
            M::POST,
            "/api/v1/admin/payouts/{payout}/paid",
            json!({"reference": "REF-{who}"}),
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            "payout reject",
            M::POST,
            "/api/v1/admin/payouts/{payout2}/reject",
            reason,
            [401, 403, 403, 403, 403, 200],
        ),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = selling_app_with(|c| c.payments.rules.payout_hold = std::time::Duration::ZERO).await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &money_table(), async |who| {
        let course =
            priced_course(&app, &cast.owner, &format!("Money for {}", who.name()), 10_000, "USD", 1).await;
        let order = buy_paid(&app, &cast.enrolled, &course.id).await;
        let payout = app
            .payouts(&cast.owner)
            .request("USD", Some(1_000))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        let payout2 = app
            .payouts(&cast.owner)
            .request("USD", Some(1_000))
            .await
            .assert_status(StatusCode::CREATED)
            .id();
        Vars::from([("order", order), ("payout", payout), ("payout2", payout2)])
    })
    .await;
    assert_books_balance(&app).await;
}
