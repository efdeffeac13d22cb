//! Money pages: a teacher's earnings and payout requests (`/studio/earnings`), and the admin's
//! orders, refunds, payouts (with the bank's CSV) and ledger (`/admin/...`).
//!
//! Every rule (who may see what, how much may be refunded or paid out) is the commerce
//! service's; these handlers read forms, call it, and show a refusal as a message on the page.
//! Admin pages answer 403 to anyone else who is signed in, as the admin API does.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::orders::status_key;
use super::render;
use crate::app::AppState;
use crate::commerce::ledger::{LedgerTx, TxKind};
use crate::commerce::payouts::{PayoutRecord, PayoutStatus};
use crate::commerce::refunds::OrderFilter;
use crate::commerce::repo::{OrderStatus, Provider};
use crate::commerce::views::{OrderLine, PayoutLine};
use crate::error::{Code, Error, Result};
use crate::fields::text;
use crate::http::ids::parse;
use crate::ids::{OrderId, PayoutId};
use crate::store::page::decode_cursor;
use crate::web::i18n::{Arg, Tr};
use crate::web::session::PageCtx;
use crate::web::view::{Layout, date, money, parse_amount};
use crate::web::{html, see_other, urlencode};

const PAGE_SIZE: usize = 50;

fn cursor(c: &Option<String>) -> Result<Option<u128>> {
    c.as_deref().filter(|c| !c.is_empty()).map(decode_cursor::<u128>).transpose()
}

/// A refusal the person can act on, as a message for the page (and the status to answer it
/// with); anything else stays an error (and becomes the error page).
fn refusal(tr: Tr, e: Error) -> Result<(StatusCode, String)> {
    let key = match &e {
        Error::Conflict { code: Code::NotRefundable, .. } => "refund-refused-not-refundable",
        Error::Conflict { code: Code::PayoutUnavailable, .. } => "payout-unavailable",
        Error::Conflict { code: Code::PayoutDecided, .. } => "payout-decided",
        Error::Unavailable(_) => "refund-provider-unavailable",
        _ => return Err(e),
    };
    Ok((e.status(), tr.t(key)))
}

fn payout_status_key(s: PayoutStatus) -> &'static str {
    match s {
        PayoutStatus::Requested => "payout-requested",
        PayoutStatus::Paid => "payout-paid",
        PayoutStatus::Rejected => "payout-rejected",
    }
}

/// A payout as its lists show it.
pub struct PayoutView {
    pub id: String,
    pub amount: String,
    pub currency: String,
    pub status: &'static str,
    pub requested: bool,
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub created: String,
    pub decided: Option<String>,
    pub teacher_name: String,
    pub teacher_email: String,
}

fn payout_view(tr: Tr, p: &PayoutRecord, teacher_name: String, teacher_email: String) -> PayoutView {
    PayoutView {
        id: p.id.to_string(),
        amount: money(tr, p.amount_minor, &p.currency),
        currency: p.currency.clone(),
        status: payout_status_key(p.status),
        requested: p.status == PayoutStatus::Requested,
        reference: p.reference.clone(),
        reason: p.reason.clone(),
        created: date(tr, p.created_at),
        decided: p.decided_at.map(|t| date(tr, t)),
        teacher_name,
        teacher_email,
    }
}

// ---------------------------------------------------------------------------------------------
// A teacher's earnings

/// One currency's earnings, formatted.
pub struct EarningsRow {
    pub currency: String,
    pub pending: String,
    pub available: String,
    pub frozen: String,
    pub requested: String,
    pub paid_out: String,
    pub minimum: String,
}

#[derive(Template)]
#[template(path = "earnings.html")]
struct EarningsPage {
    l: Layout,
    rows: Vec<EarningsRow>,
    hold: String,
    payouts: Vec<PayoutView>,
    next: Option<String>,
    error: Option<String>,
    /// What the form had, after a refused request.
    currency: String,
    amount: String,
}

#[derive(Deserialize, Default)]
pub struct CursorParams {
    cursor: Option<String>,
}

async fn earnings_page(
    app: &AppState,
    ctx: &PageCtx,
    before: Option<u128>,
    error: Option<String>,
    currency: String,
    amount: String,
) -> Result<String> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let earnings = app.commerce.earnings(&who.user).await?;
    let payouts = app.commerce.my_payouts(&who.user, PAGE_SIZE, before).await?;
    let rules = app.commerce.rules();
    let rows = earnings
        .iter()
        .map(|e| EarningsRow {
            currency: e.currency.clone(),
            pending: money(tr, e.pending_minor, &e.currency),
            available: money(tr, e.available_minor, &e.currency),
            frozen: money(tr, e.frozen_minor, &e.currency),
            requested: money(tr, e.requested_minor, &e.currency),
            paid_out: money(tr, e.paid_out_minor, &e.currency),
            minimum: money(tr, rules.payout_min_minor, &e.currency),
        })
        .collect();
    let hold_days = rules.payout_hold.as_secs().div_ceil(86_400);
    let l = Layout::new(app, ctx, tr.t("earnings-title")).nav("earnings");
    let page = EarningsPage {
        rows,
        hold: tr.n("earnings-hold", hold_days as f64),
        payouts: payouts.items.iter().map(|p| payout_view(tr, p, String::new(), String::new())).collect(),
        next: payouts.next_cursor.map(|c| format!("/studio/earnings?cursor={}", urlencode(&c))),
        error,
        currency,
        amount,
        l,
    };
    render(&page)
}

/// `GET /studio/earnings`: what a teacher has earned, per currency, and their payouts.
pub async fn earnings(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<CursorParams>,
) -> Result<Response> {
    let body = earnings_page(&app, &ctx, cursor(&q.cursor)?, None, String::new(), String::new()).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, body))
}

#[derive(Deserialize)]
pub struct PayoutForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    amount: String,
}

/// `POST /studio/earnings/payouts`: a teacher asks to be paid (everything available when the
/// amount is left empty).
pub async fn request_payout(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(f): Form<PayoutForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let tr = ctx.tr();
    let (status, message) = match parse_amount(&f.amount) {
        Err(_) => (StatusCode::UNPROCESSABLE_ENTITY, tr.t("amount-invalid")),
        Ok(amount) => match app.commerce.request_payout(&who.user, &f.currency, amount).await {
            Ok(_) => return Ok(see_other("/studio/earnings")),
            Err(e) => refusal(tr, e)?,
        },
    };
    let body = earnings_page(&app, &ctx, None, Some(message), f.currency, f.amount).await?;
    Ok(html(&ctx, &headers, status, body))
}

// ---------------------------------------------------------------------------------------------
// The admin's orders

/// An order in the admin's list.
pub struct AdminOrderView {
    pub id: String,
    pub date: String,
    pub buyer_email: String,
    pub buyer_name: String,
    pub course_title: String,
    pub course_slug: String,
    pub total: String,
    pub status: &'static str,
    pub refunded: Option<String>,
    pub refund_requested: bool,
}

fn admin_order_view(tr: Tr, line: &OrderLine) -> AdminOrderView {
    let o = &line.order;
    AdminOrderView {
        id: o.id.to_string(),
        date: date(tr, o.created_at),
        buyer_email: line.buyer_email.clone(),
        buyer_name: line.buyer_name.clone(),
        course_title: line.course_title.clone(),
        course_slug: line.course_slug.clone(),
        total: money(tr, o.total_minor(), &o.currency),
        status: status_key(o.status),
        refunded: (o.refunded_minor > 0).then(|| money(tr, o.refunded_minor, &o.currency)),
        refund_requested: o.refund_request.is_some(),
    }
}

const ORDER_STATUSES: [OrderStatus; 8] = [
    OrderStatus::Pending,
    OrderStatus::Paid,
    OrderStatus::Failed,
    OrderStatus::Canceled,
    OrderStatus::Expired,
    OrderStatus::Review,
    OrderStatus::Refunded,
    OrderStatus::PartiallyRefunded,
];

const PROVIDERS: [Provider; 3] = [Provider::Test, Provider::Stripe, Provider::YooKassa];

fn order_status_name(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Pending => "pending",
        OrderStatus::Paid => "paid",
        OrderStatus::Failed => "failed",
        OrderStatus::Canceled => "canceled",
        OrderStatus::Expired => "expired",
        OrderStatus::Review => "review",
        OrderStatus::Refunded => "refunded",
        OrderStatus::PartiallyRefunded => "partially_refunded",
    }
}

fn provider_key(p: Provider) -> &'static str {
    match p {
        Provider::Test => "provider-test",
        Provider::Stripe => "provider-stripe",
        Provider::YooKassa => "provider-yookassa",
    }
}

/// A choice of a filter's select: (value, message id, selected).
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin_orders.html")]
struct AdminOrdersPage {
    l: Layout,
    items: Vec<AdminOrderView>,
    statuses: Vec<Choice>,
    providers: Vec<Choice>,
    refund_requested: bool,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct AdminOrderParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    refund_requested: String,
    cursor: Option<String>,
}

/// `GET /admin/orders`: every order, newest first, filtered by status, provider and refund
/// request. An unknown filter value is left out (the form only sends known ones).
pub async fn admin_orders(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<AdminOrderParams>,
) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let status = OrderStatus::parse(&q.status);
    let provider = Provider::parse(&q.provider);
    let refund_requested = matches!(q.refund_requested.as_str(), "true" | "1" | "on");
    let filter = OrderFilter { status, course: None, provider, refund_requested };
    let page = app.commerce.order_lines(&who.user, filter, PAGE_SIZE, cursor(&q.cursor)?).await?;
    let next = page.next_cursor.map(|c| {
        let mut url = format!("/admin/orders?cursor={}", urlencode(&c));
        if let Some(s) = status {
            url.push_str(&format!("&status={}", order_status_name(s)));
        }
        if let Some(p) = provider {
            url.push_str(&format!("&provider={}", p.as_str()));
        }
        if refund_requested {
            url.push_str("&refund_requested=true");
        }
        url
    });
    let l = Layout::new(&app, &ctx, tr.t("admin-orders-title")).nav("admin-orders");
    let page = AdminOrdersPage {
        items: page.items.iter().map(|line| admin_order_view(tr, line)).collect(),
        statuses: ORDER_STATUSES
            .iter()
            .map(|s| Choice {
                value: order_status_name(*s),
                label: status_key(*s),
                selected: status == Some(*s),
            })
            .collect(),
        providers: PROVIDERS
            .iter()
            .map(|p| Choice { value: p.as_str(), label: provider_key(*p), selected: provider == Some(*p) })
            .collect(),
        refund_requested,
        next,
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

#[derive(Template)]
#[template(path = "admin_order.html")]
struct AdminOrderPage {
    l: Layout,
    o: AdminOrderView,
    amount: String,
    discount: Option<String>,
    coupon: Option<String>,
    provider: &'static str,
    provider_ref: Option<String>,
    paid_at: Option<String>,
    disputed: bool,
    /// The buyer's request: (date, reason).
    request: Option<(String, String)>,
    /// What is left to refund, when the order can be refunded.
    refundable: Option<String>,
    error: Option<String>,
    form_amount: String,
    form_reason: String,
}

async fn admin_order_page(
    app: &AppState,
    ctx: &PageCtx,
    id: OrderId,
    error: Option<String>,
    form_amount: String,
    form_reason: String,
) -> Result<String> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let line = app.commerce.order_line(&who.user, id).await?;
    let o = &line.order;
    let l = Layout::new(app, ctx, tr.t("admin-order-title")).nav("admin-orders");
    let page = AdminOrderPage {
        amount: money(tr, o.amount_minor, &o.currency),
        discount: (o.discount_minor > 0).then(|| money(tr, o.discount_minor, &o.currency)),
        coupon: o.coupon.as_ref().map(|(_, code)| code.clone()),
        provider: o.provider.as_str(),
        provider_ref: o.payment_ref.clone().or_else(|| o.provider_ref.clone()),
        paid_at: o.paid_at.map(|t| date(tr, t)),
        disputed: o.disputed,
        request: o.refund_request.as_ref().map(|r| (date(tr, r.at), r.reason.clone())),
        refundable: (o.status.is_settled() && o.refundable_minor() > 0)
            .then(|| money(tr, o.refundable_minor(), &o.currency)),
        o: admin_order_view(tr, &line),
        error,
        form_amount,
        form_reason,
        l,
    };
    render(&page)
}

/// `GET /admin/orders/{id}`: one order, the buyer's refund request, and the refund form.
pub async fn admin_order(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let body = admin_order_page(&app, &ctx, parse(&id)?, None, String::new(), String::new()).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, body))
}

#[derive(Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/orders/{id}/refund`: refunds through the order's provider; an empty amount is
/// everything left.
pub async fn admin_refund(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<RefundForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let id: OrderId = parse(&id)?;
    let tr = ctx.tr();
    let outcome = match (parse_amount(&f.amount), text("reason", &f.reason, 3, 1000)) {
        (Err(_), _) => Err((StatusCode::UNPROCESSABLE_ENTITY, tr.t("amount-invalid"))),
        (_, Err(_)) => Err((StatusCode::UNPROCESSABLE_ENTITY, tr.t("refund-admin-reason-invalid"))),
        (Ok(amount), Ok(reason)) => match app.commerce.refund(&who.user, id, amount, reason).await {
            Ok(_) => Ok(()),
            Err(Error::Conflict { code: Code::NotRefundable, .. }) => {
                Err((StatusCode::CONFLICT, tr.t("admin-refund-refused")))
            }
            Err(e) => Err(refusal(tr, e)?),
        },
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/admin/orders/{id}"))),
        Err((status, message)) => {
            let body = admin_order_page(&app, &ctx, id, Some(message), f.amount, f.reason).await?;
            Ok(html(&ctx, &headers, status, body))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The admin's payouts

#[derive(Template)]
#[template(path = "admin_payouts.html")]
struct AdminPayoutsPage {
    l: Layout,
    items: Vec<PayoutView>,
    statuses: Vec<Choice>,
    csv: String,
    next: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PayoutParams {
    #[serde(default)]
    status: String,
    cursor: Option<String>,
}

async fn admin_payouts_page(
    app: &AppState,
    ctx: &PageCtx,
    q: &PayoutParams,
    error: Option<String>,
) -> Result<String> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let status = PayoutStatus::parse(&q.status);
    let page = app.commerce.payout_lines(&who.user, status, PAGE_SIZE, cursor(&q.cursor)?).await?;
    let status_name = status.map(payout_status_name).unwrap_or_default();
    let with_status = |base: String| {
        if status_name.is_empty() {
            base
        } else {
            format!("{base}{}status={status_name}", if base.contains('?') { "&" } else { "?" })
        }
    };
    let l = Layout::new(app, ctx, tr.t("admin-payouts-title")).nav("admin-payouts");
    let page = AdminPayoutsPage {
        items: page
            .items
            .into_iter()
            .map(|PayoutLine { payout, teacher_name, teacher_email }| {
                payout_view(tr, &payout, teacher_name, teacher_email)
            })
            .collect(),
        statuses: [PayoutStatus::Requested, PayoutStatus::Paid, PayoutStatus::Rejected]
            .into_iter()
            .map(|s| Choice {
                value: payout_status_name(s),
                label: payout_status_key(s),
                selected: status == Some(s),
            })
            .collect(),
        csv: with_status("/admin/payouts.csv".to_owned()),
        next: page.next_cursor.map(|c| with_status(format!("/admin/payouts?cursor={}", urlencode(&c)))),
        error,
        l,
    };
    render(&page)
}

fn payout_status_name(s: PayoutStatus) -> &'static str {
    match s {
        PayoutStatus::Requested => "requested",
        PayoutStatus::Paid => "paid",
        PayoutStatus::Rejected => "rejected",
    }
}

/// `GET /admin/payouts`: payout requests, newest first, to mark paid or reject.
pub async fn admin_payouts(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<PayoutParams>,
) -> Result<Response> {
    let body = admin_payouts_page(&app, &ctx, &q, None).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, body))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/payouts/{id}/paid` and `/reject`: the admin's decision on a payout.
pub async fn decide_payout(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, decision)): Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let id: PayoutId = parse(&id)?;
    let tr = ctx.tr();
    let decision = match decision.as_str() {
        "paid" => {
            text("reference", &f.reference, 1, 200).map(Ok).map_err(|_| tr.t("payout-reference-invalid"))
        }
        "reject" => text("reason", &f.reason, 3, 1000).map(Err).map_err(|_| tr.t("payout-reason-invalid")),
        _ => return Err(Error::NotFound),
    };
    let (status, message) = match decision {
        Err(message) => (StatusCode::UNPROCESSABLE_ENTITY, message),
        Ok(decision) => match app.commerce.decide_payout(&who.user, id, decision).await {
            Ok(_) => return Ok(see_other("/admin/payouts")),
            Err(e) => refusal(tr, e)?,
        },
    };
    let body = admin_payouts_page(&app, &ctx, &PayoutParams::default(), Some(message)).await?;
    Ok(html(&ctx, &headers, status, body))
}

/// `GET /admin/payouts.csv`: the bank's export, the same file as the API's `?format=csv`
/// (served here so the browser's session, renewed by the page middleware, is enough).
pub async fn payouts_csv(
    State(app): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<PayoutParams>,
) -> Result<Response> {
    let who = ctx.require()?;
    let body = app.commerce.payouts_csv(&who.user, PayoutStatus::parse(&q.status)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"payouts.csv\""),
        ],
        body,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The admin's ledger

pub struct EntryView {
    pub account: String,
    pub amount: String,
    pub debit: bool,
}

pub struct LedgerTxView {
    pub id: String,
    pub kind: &'static str,
    pub at: String,
    pub order: Option<String>,
    pub payout: Option<String>,
    pub entries: Vec<EntryView>,
}

fn tx_kind_key(k: TxKind) -> &'static str {
    match k {
        TxKind::Sale => "ledger-sale",
        TxKind::Refund => "ledger-refund",
        TxKind::Dispute => "ledger-dispute",
        TxKind::Release => "ledger-release",
        TxKind::PayoutRequested => "ledger-payout-requested",
        TxKind::PayoutPaid => "ledger-payout-paid",
        TxKind::PayoutRejected => "ledger-payout-rejected",
    }
}

fn ledger_view(tr: Tr, t: &LedgerTx) -> LedgerTxView {
    LedgerTxView {
        id: t.id.to_string(),
        kind: tx_kind_key(t.kind),
        at: tr.args("ledger-at", &[("date", Arg::Text(date(tr, t.at))), ("time", Arg::Text(time_of(t.at)))]),
        order: t.order.map(|o| o.to_string()),
        payout: t.payout.map(|p| p.to_string()),
        entries: t
            .entries
            .iter()
            .map(|e| EntryView {
                account: e.account.clone(),
                amount: money(tr, e.amount_minor.saturating_abs(), &e.currency),
                debit: e.amount_minor >= 0,
            })
            .collect(),
    }
}

/// "14:05" (UTC) of a moment.
pub fn time_of(t: crate::clock::Timestamp) -> String {
    let secs = t.millis().div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

#[derive(Template)]
#[template(path = "admin_ledger.html")]
struct AdminLedgerPage {
    l: Layout,
    items: Vec<LedgerTxView>,
    next: Option<String>,
}

/// `GET /admin/ledger`: the ledger's transactions with their entries, newest first.
pub async fn admin_ledger(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<CursorParams>,
) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let page = app.commerce.ledger(&who.user, PAGE_SIZE, cursor(&q.cursor)?).await?;
    let l = Layout::new(&app, &ctx, tr.t("admin-ledger-title")).nav("admin-ledger");
    let page = AdminLedgerPage {
        items: page.items.iter().map(|t| ledger_view(tr, t)).collect(),
        next: page.next_cursor.map(|c| format!("/admin/ledger?cursor={}", urlencode(&c))),
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}
