//! Endpoints of money owed and given back: refund requests and refunds, teachers' earnings and
//! payouts, and the admin's orders, payouts and ledger.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ledger::{LedgerTx, TxKind};
use super::payouts::{Earnings, PayoutRecord, PayoutStatus};
use super::refunds::OrderFilter;
use super::repo::{OrderStatus, Provider};
use super::routes::{OrderOut, OrderPage};
use crate::app::AppState;
use crate::clock::Rfc3339;
use crate::error::{Error, Result};
use crate::fields::text;
use crate::http::extract::{Json, Query};
use crate::http::ids::parse;
use crate::http::openapi::PAGE_REFUSED;
use crate::identity::{AdminUser, AuthUser};
use crate::ids::{CourseId, LedgerTxId, OrderId, PayoutId, UserId};
use crate::store::page::{PageParams, decode_cursor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(refund_request))
        .routes(routes!(admin_refund))
        .routes(routes!(admin_orders))
        .routes(routes!(earnings))
        .routes(routes!(request_payout, my_payouts))
        .routes(routes!(admin_payouts))
        .routes(routes!(payout_paid))
        .routes(routes!(payout_reject))
        .routes(routes!(admin_ledger))
}

fn reason(s: &str) -> Result<String> {
    text("reason", s, 3, 1000).map_err(|e| Error::Validation(vec![e]))
}

fn cursor(p: &Option<String>) -> Result<Option<u128>> {
    p.as_deref().map(decode_cursor::<u128>).transpose()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RefundRequestBody {
    /// Why (3..=1000 characters); the admin reads it.
    pub reason: String,
}

/// Ask for your money back: within the refund window (`LECTERN_REFUND_WINDOW_DAYS`) and below
/// the progress limit (`LECTERN_REFUND_MAX_PROGRESS` % of the lessons).
#[utoipa::path(post, path = "/api/v1/orders/{id}/refund-request", tag = "commerce", request_body = RefundRequestBody,
    params(("id" = String, Path)),
    responses((status = 202, body = OrderOut, description = "Asked; an admin (or the automatic rule) refunds it."),
        (status = 404, description = "not_found: also someone else's order."),
        (status = 409, description = "refund_window_closed (too late, or too much of the course completed); \
            not_refundable (not paid, already refunded, disputed)."),
        (status = 422, description = "validation_failed: the reason.")),
    security(("bearer" = [])))]
async fn refund_request(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<RefundRequestBody>,
) -> Result<Response> {
    let id: OrderId = parse(&id)?;
    let reason = reason(&b.reason)?;
    let o = app.commerce.request_refund(&who.user, id, reason).await?;
    let c = app.catalog.course_by_id(o.course_id).await?.ok_or(Error::NotFound)?;
    Ok((StatusCode::ACCEPTED, Json(OrderOut::new(&o, &c))).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RefundBody {
    /// In minor units; default everything not yet refunded.
    pub amount_minor: Option<i64>,
    pub reason: String,
}

/// Refund an order in full or in part through its provider (admins). The order changes when
/// the provider confirms (at once with the test provider).
#[utoipa::path(post, path = "/api/v1/admin/orders/{id}/refund", tag = "admin", request_body = RefundBody,
    params(("id" = String, Path)),
    responses((status = 202, body = OrderOut), (status = 403, description = "forbidden: admins only."), (status = 404),
        (status = 409, description = "not_refundable: not paid, or more than is left."),
        (status = 422, description = "validation_failed"),
        (status = 503, description = "unavailable: the provider refused or could not be reached; nothing changed.")),
    security(("bearer" = [])))]
async fn admin_refund(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(id): Path<String>,
    Json(b): Json<RefundBody>,
) -> Result<Response> {
    let id: OrderId = parse(&id)?;
    let reason = reason(&b.reason)?;
    let o = app.commerce.refund(&who.user, id, b.amount_minor, reason).await?;
    let c = app.catalog.course_by_id(o.course_id).await?.ok_or(Error::NotFound)?;
    Ok((StatusCode::ACCEPTED, Json(OrderOut::new(&o, &c))).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AdminOrderParams {
    /// 1..=100, default 20.
    #[param(minimum = 1, maximum = 100, nullable = false)]
    pub limit: Option<usize>,
    #[param(nullable = false)]
    pub cursor: Option<String>,
    #[param(nullable = false, value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    #[param(nullable = false)]
    pub course: Option<String>,
    #[param(nullable = false, value_type = Option<Provider>)]
    pub provider: Option<String>,
    /// Only orders whose buyer asked for a refund.
    #[param(nullable = false)]
    pub refund_requested: Option<bool>,
}

fn order_status(s: &str) -> Option<OrderStatus> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// Every order (admins), newest first, filtered by status, course, provider or refund request.
#[utoipa::path(get, path = "/api/v1/admin/orders", tag = "admin", params(AdminOrderParams),
    responses((status = 200, body = OrderPage), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn admin_orders(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Query(p): Query<AdminOrderParams>,
) -> Result<Json<OrderPage>> {
    let limit = PageParams { limit: p.limit, cursor: None }.limit()?;
    let filter = OrderFilter {
        status: p
            .status
            .as_deref()
            .map(|s| order_status(s).ok_or_else(|| Error::validation("status", "is not an order status")))
            .transpose()?,
        course: p
            .course
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| c.parse::<CourseId>().map_err(|_| Error::validation("course", "is not a course id")))
            .transpose()?,
        provider: p
            .provider
            .as_deref()
            .map(|s| Provider::parse(s).ok_or_else(|| Error::validation("provider", "is not a provider")))
            .transpose()?,
        refund_requested: p.refund_requested.unwrap_or(false),
    };
    let page = app.commerce.all_orders(&who.user, filter, limit, cursor(&p.cursor)?).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for o in &page.items {
        if let Some(c) = app.catalog.course_by_id(o.course_id).await? {
            items.push(OrderOut::new(o, &c));
        }
    }
    Ok(Json(OrderPage { items, next_cursor: page.next_cursor }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EarningsOut {
    pub currency: String,
    /// Inside the payout hold (`LECTERN_PAYOUT_HOLD_DAYS`).
    pub pending_minor: i64,
    /// Yours to ask for.
    pub available_minor: i64,
    /// Under a dispute.
    pub frozen_minor: i64,
    /// Asked for, not yet paid.
    pub requested_minor: i64,
    pub paid_out_minor: i64,
}

impl From<Earnings> for EarningsOut {
    fn from(e: Earnings) -> EarningsOut {
        EarningsOut {
            currency: e.currency,
            pending_minor: e.pending_minor,
            available_minor: e.available_minor,
            frozen_minor: e.frozen_minor,
            requested_minor: e.requested_minor,
            paid_out_minor: e.paid_out_minor,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EarningsList {
    pub items: Vec<EarningsOut>,
    /// The smallest payout, in minor units.
    pub payout_min_minor: i64,
}

/// What you have earned, per currency (teachers).
#[utoipa::path(get, path = "/api/v1/me/earnings", tag = "commerce",
    responses((status = 200, body = EarningsList), (status = 403, description = "teachers_only")),
    security(("bearer" = [])))]
async fn earnings(State(app): State<AppState>, AuthUser(who): AuthUser) -> Result<Json<EarningsList>> {
    let items = app.commerce.earnings(&who.user).await?;
    Ok(Json(EarningsList {
        items: items.into_iter().map(EarningsOut::from).collect(),
        payout_min_minor: app.commerce.rules().payout_min_minor,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PayoutOut {
    pub id: PayoutId,
    pub teacher_id: UserId,
    pub currency: String,
    pub amount_minor: i64,
    pub status: PayoutStatus,
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub created_at: Rfc3339,
    pub decided_at: Option<Rfc3339>,
}

impl From<PayoutRecord> for PayoutOut {
    fn from(p: PayoutRecord) -> PayoutOut {
        PayoutOut {
            id: p.id,
            teacher_id: p.teacher,
            currency: p.currency,
            amount_minor: p.amount_minor,
            status: p.status,
            reference: p.reference,
            reason: p.reason,
            created_at: Rfc3339(p.created_at),
            decided_at: p.decided_at.map(Rfc3339),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PayoutPage {
    pub items: Vec<PayoutOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PayoutBody {
    /// ISO 4217, one of your earnings' currencies.
    pub currency: String,
    /// Default: everything available. At least `LECTERN_PAYOUT_MIN_MINOR`.
    pub amount_minor: Option<i64>,
}

/// Ask to be paid what is available (teachers).
#[utoipa::path(post, path = "/api/v1/me/payouts", tag = "commerce", request_body = PayoutBody,
    responses((status = 201, body = PayoutOut), (status = 403, description = "teachers_only"),
        (status = 409, description = "payout_unavailable: below the minimum or above what is available."),
        (status = 422, description = "validation_failed")),
    security(("bearer" = [])))]
async fn request_payout(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Json(b): Json<PayoutBody>,
) -> Result<Response> {
    let currency = b.currency.trim().to_ascii_uppercase();
    if !crate::catalog::types::CURRENCIES.contains(&currency.as_str()) {
        return Err(Error::validation("currency", "must be one of the currencies courses are sold in"));
    }
    let p = app.commerce.request_payout(&who.user, &currency, b.amount_minor).await?;
    Ok((StatusCode::CREATED, Json(PayoutOut::from(p))).into_response())
}

/// Your payout requests, newest first (teachers).
#[utoipa::path(get, path = "/api/v1/me/payouts", tag = "commerce", params(PageParams),
    responses((status = 200, body = PayoutPage), (status = 403, description = "teachers_only"),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn my_payouts(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Query(p): Query<PageParams>,
) -> Result<Json<PayoutPage>> {
    let page = app.commerce.my_payouts(&who.user, p.limit()?, cursor(&p.cursor)?).await?;
    Ok(Json(PayoutPage {
        items: page.items.into_iter().map(PayoutOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AdminPayoutParams {
    /// 1..=100, default 20 (the CSV export takes up to 10,000).
    #[param(minimum = 1, maximum = 100, nullable = false)]
    pub limit: Option<usize>,
    #[param(nullable = false)]
    pub cursor: Option<String>,
    #[param(nullable = false, value_type = Option<PayoutStatus>)]
    pub status: Option<String>,
    /// `csv` for the bank's export.
    #[param(nullable = false, pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// Payout requests (admins), newest first; `?format=csv` exports them for the bank.
#[utoipa::path(get, path = "/api/v1/admin/payouts", tag = "admin", params(AdminPayoutParams),
    responses((status = 200, description = "A page of payouts; with format=csv, all of them as CSV.",
            content((PayoutPage = "application/json"), (String = "text/csv"))),
        (status = 403, description = "forbidden: admins only."), (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn admin_payouts(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Query(p): Query<AdminPayoutParams>,
) -> Result<Response> {
    let status = p
        .status
        .as_deref()
        .map(|s| {
            PayoutStatus::parse(s)
                .ok_or_else(|| Error::validation("status", "is requested, paid or rejected"))
        })
        .transpose()?;
    let csv = match p.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(Error::validation("format", "is json or csv")),
    };
    if csv {
        let body = app.commerce.payouts_csv(&who.user, status).await?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"payouts.csv\""),
            ],
            body,
        )
            .into_response());
    }
    let limit = PageParams { limit: p.limit, cursor: None }.limit()?;
    let page = app.commerce.payouts(&who.user, status, limit, cursor(&p.cursor)?).await?;
    Ok(Json(PayoutPage {
        items: page.items.into_iter().map(PayoutOut::from).collect(),
        next_cursor: page.next_cursor,
    })
    .into_response())
}

pub use super::views::csv_field;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PaidBody {
    /// The bank's reference of the transfer.
    pub reference: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RejectBody {
    /// Why; the teacher reads it.
    pub reason: String,
}

/// Mark a payout paid (admins); the teacher is told by email.
#[utoipa::path(post, path = "/api/v1/admin/payouts/{id}/paid", tag = "admin", request_body = PaidBody,
    params(("id" = String, Path)),
    responses((status = 200, body = PayoutOut), (status = 403, description = "forbidden: admins only."), (status = 404),
        (status = 409, description = "payout_decided"), (status = 422, description = "validation_failed")),
    security(("bearer" = [])))]
async fn payout_paid(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(id): Path<String>,
    Json(b): Json<PaidBody>,
) -> Result<Json<PayoutOut>> {
    let reference = text("reference", &b.reference, 1, 200).map_err(|e| Error::Validation(vec![e]))?;
    let p = app.commerce.decide_payout(&who.user, parse(&id)?, Ok(reference)).await?;
    Ok(Json(PayoutOut::from(p)))
}

/// Reject a payout (admins): the money returns to the teacher's available balance.
#[utoipa::path(post, path = "/api/v1/admin/payouts/{id}/reject", tag = "admin", request_body = RejectBody,
    params(("id" = String, Path)),
    responses((status = 200, body = PayoutOut), (status = 403, description = "forbidden: admins only."), (status = 404),
        (status = 409, description = "payout_decided"), (status = 422, description = "validation_failed")),
    security(("bearer" = [])))]
async fn payout_reject(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(id): Path<String>,
    Json(b): Json<RejectBody>,
) -> Result<Json<PayoutOut>> {
    let reason = reason(&b.reason)?;
    let p = app.commerce.decide_payout(&who.user, parse(&id)?, Err(reason)).await?;
    Ok(Json(PayoutOut::from(p)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryOut {
    pub account: String,
    pub currency: String,
    /// Positive: a debit (held or owed to the school); negative: a credit (owed by it).
    pub amount_minor: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerTxOut {
    pub id: LedgerTxId,
    pub kind: TxKind,
    pub at: Rfc3339,
    pub order_id: Option<OrderId>,
    pub payout_id: Option<PayoutId>,
    pub entries: Vec<EntryOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerPage {
    pub items: Vec<LedgerTxOut>,
    pub next_cursor: Option<String>,
}

impl From<LedgerTx> for LedgerTxOut {
    fn from(t: LedgerTx) -> LedgerTxOut {
        LedgerTxOut {
            id: t.id,
            kind: t.kind,
            at: Rfc3339(t.at),
            order_id: t.order,
            payout_id: t.payout,
            entries: t
                .entries
                .into_iter()
                .map(|e| EntryOut { account: e.account, currency: e.currency, amount_minor: e.amount_minor })
                .collect(),
        }
    }
}

/// The ledger's transactions with their entries (admins), newest first.
#[utoipa::path(get, path = "/api/v1/admin/ledger", tag = "admin", params(PageParams),
    responses((status = 200, body = LedgerPage), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn admin_ledger(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Query(p): Query<PageParams>,
) -> Result<Json<LedgerPage>> {
    let page = app.commerce.ledger(&who.user, p.limit()?, cursor(&p.cursor)?).await?;
    Ok(Json(LedgerPage {
        items: page.items.into_iter().map(LedgerTxOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
