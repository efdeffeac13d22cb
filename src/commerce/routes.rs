//! Commerce endpoints: providers, checkout, orders, and the providers' webhooks.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::coupons::{CouponRecord, Discount};
use super::repo::{OrderRecord, OrderStatus, Provider};
use super::service::NewCoupon;
use crate::app::AppState;
use crate::catalog::repo::CourseRecord;
use crate::clock::Rfc3339;
use crate::error::{Code, Error, FieldError, Result};
use crate::fields::Fields;
use crate::http::extract::{ClientIp, Json, Query};
use crate::http::ids::parse;
use crate::http::openapi::PAGE_REFUSED;
use crate::identity::{AdminUser, AuthUser, MaybeUser};
use crate::ids::{CouponId, CourseId, OrderId};
use crate::store::page::{PageParams, decode_cursor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(providers))
        .routes(routes!(checkout))
        .routes(routes!(get_order))
        .routes(routes!(my_orders))
        .routes(routes!(stripe_webhook))
        .routes(routes!(price))
        .routes(routes!(create_course_coupon, course_coupons))
        .routes(routes!(create_school_coupon, school_coupons))
        .routes(routes!(deactivate_coupon))
        .routes(routes!(yookassa_webhook))
        .merge(super::money_routes::router())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProviderList {
    pub providers: Vec<Provider>,
}

/// The payment providers this school offers (those with their keys configured).
#[utoipa::path(get, path = "/api/v1/payments/providers", tag = "commerce",
    responses((status = 200, body = ProviderList)))]
async fn providers(State(app): State<AppState>) -> Json<ProviderList> {
    Json(ProviderList { providers: app.commerce.providers() })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CourseRef {
    pub id: CourseId,
    pub slug: String,
    pub title: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderOut {
    pub id: OrderId,
    pub course: CourseRef,
    pub status: OrderStatus,
    pub amount_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    pub currency: String,
    /// The coupon code used, if any.
    pub coupon: Option<String>,
    pub provider: Provider,
    pub created_at: Rfc3339,
    pub paid_at: Option<Rfc3339>,
    pub refunded_minor: i64,
    /// What may still be refunded (asked of the provider and not yet confirmed counts as asked).
    pub refundable_minor: i64,
    /// The buyer has asked for a refund that an admin has not acted on.
    pub refund_requested: bool,
    /// A chargeback was opened on it.
    pub disputed: bool,
}

impl OrderOut {
    pub fn new(o: &OrderRecord, c: &CourseRecord) -> OrderOut {
        OrderOut {
            id: o.id,
            course: CourseRef { id: c.id, slug: c.slug.clone(), title: c.title.clone() },
            status: o.status,
            amount_minor: o.amount_minor,
            discount_minor: o.discount_minor,
            total_minor: o.total_minor(),
            currency: o.currency.clone(),
            coupon: o.coupon.as_ref().map(|(_, code)| code.clone()),
            provider: o.provider,
            created_at: Rfc3339(o.created_at),
            paid_at: o.paid_at.map(Rfc3339),
            refunded_minor: o.refunded_minor,
            refundable_minor: if o.status.is_settled() { o.refundable_minor() } else { 0 },
            refund_requested: o.refund_request.is_some(),
            disputed: o.disputed,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CheckoutBody {
    /// One of `GET /api/v1/payments/providers`.
    pub provider: String,
    /// A coupon code (case-insensitive).
    #[serde(default)]
    pub coupon: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckoutOut {
    pub order: OrderOut,
    /// The provider's page where the buyer pays.
    pub redirect_url: String,
}

/// Start buying a course: an order and the provider's page to pay on.
#[utoipa::path(post, path = "/api/v1/courses/{id}/checkout", tag = "commerce", request_body = CheckoutBody,
    params(("id" = String, Path)),
    responses((status = 201, body = CheckoutOut, description = "A new pending order."),
        (status = 200, body = CheckoutOut, description = "Your pending order for this course, still payable."),
        (status = 403, description = "own_course: the course's teacher cannot buy it."),
        (status = 404),
        (status = 409, description = "already_enrolled; not_for_sale (a free course, or a provider not offered); not_published; \
            coupon_unavailable (with `reason`: unknown, inactive, expired, used_up, fully_held, already_used, currency)"),
        (status = 422, description = "validation_failed: an unknown provider."),
        (status = 503, description = "unavailable: the provider could not be reached (the order is marked failed).")),
    security(("bearer" = [])))]
async fn checkout(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<CheckoutBody>,
) -> Result<Response> {
    let course: CourseId = parse(&id)?;
    let provider = Provider::parse(&b.provider)
        .ok_or_else(|| Error::validation("provider", "must be one of the offered providers"))?;
    let done = app.commerce.checkout(&who.user, course, provider, b.coupon).await?;
    let c = app.catalog.course_by_id(course).await?.ok_or(Error::NotFound)?;
    let status = if done.created { StatusCode::CREATED } else { StatusCode::OK };
    let out = CheckoutOut { order: OrderOut::new(&done.order, &c), redirect_url: done.redirect_url };
    Ok((status, Json(out)).into_response())
}

/// An order (its buyer, or an admin).
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "commerce", params(("id" = String, Path)),
    responses((status = 200, body = OrderOut), (status = 404, description = "not_found: also someone else's order.")),
    security(("bearer" = [])))]
async fn get_order(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<OrderOut>> {
    let (o, c) = app.commerce.order(&who.user, parse(&id)?).await?;
    Ok(Json(OrderOut::new(&o, &c)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderPage {
    pub items: Vec<OrderOut>,
    pub next_cursor: Option<String>,
}

/// Your orders, newest first.
#[utoipa::path(get, path = "/api/v1/me/orders", tag = "commerce", params(PageParams),
    responses((status = 200, body = OrderPage), (status = 422, description = PAGE_REFUSED)), security(("bearer" = [])))]
async fn my_orders(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Query(p): Query<PageParams>,
) -> Result<Json<OrderPage>> {
    let before = p.cursor.as_deref().map(decode_cursor::<u128>).transpose()?;
    let page = app.commerce.my_orders(&who.user, p.limit()?, before).await?;
    let items = page.items.iter().map(|(o, c)| OrderOut::new(o, c)).collect();
    Ok(Json(OrderPage { items, next_cursor: page.next_cursor }))
}

/// Stripe's webhook: `Stripe-Signature` is checked over the raw body (HMAC-SHA256, 300 s
/// tolerance); each event is applied once, whatever the order and number of deliveries.
#[utoipa::path(post, path = "/api/v1/payments/stripe/webhook", tag = "commerce",
    request_body(content = String, content_type = "application/json", description = "A Stripe event, as Stripe signed it."),
    responses((status = 200, description = "Applied, or nothing to do."),
        (status = 400, description = "invalid_signature (missing, wrong or older than 300 s), or a body that is not an event."),
        (status = 404, description = "Stripe is not configured here.")))]
async fn stripe_webhook(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<StatusCode> {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    match app.commerce.stripe_webhook(signature, &body).await {
        Ok(()) => Ok(StatusCode::OK),
        Err(e @ Error::BadRequest { code: Code::InvalidSignature, .. }) => {
            tracing::warn!("a Stripe webhook with a bad signature was refused");
            Err(e)
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PriceParams {
    /// A coupon code to try (nothing is held).
    #[param(nullable = false)]
    pub coupon: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CouponCheck {
    pub code: String,
    pub valid: bool,
    /// Why it cannot be used: unknown, inactive, expired, used_up, fully_held, already_used, currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PriceOut {
    pub price_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    pub currency: String,
    pub coupon: Option<CouponCheck>,
}

/// A course's price, with a coupon applied if one is given.
#[utoipa::path(get, path = "/api/v1/courses/{id}/price", tag = "commerce", params(("id" = String, Path), PriceParams),
    responses((status = 200, body = PriceOut), (status = 404)), security((), ("bearer" = [])))]
async fn price(
    State(app): State<AppState>,
    who: MaybeUser,
    Path(id): Path<String>,
    Query(p): Query<PriceParams>,
) -> Result<Json<PriceOut>> {
    let q = app.commerce.quote(who.user(), parse(&id)?, p.coupon).await?;
    Ok(Json(PriceOut {
        price_minor: q.price_minor,
        discount_minor: q.discount_minor,
        total_minor: q.total_minor,
        currency: q.currency,
        coupon: q.coupon.map(|(code, reason)| CouponCheck {
            code,
            valid: reason.is_none(),
            reason: reason.map(str::to_owned),
        }),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CouponBody {
    /// 3..=32 letters, digits, `-` or `_`; case-insensitive.
    pub code: String,
    /// 1..=100; give this or `amount_off_minor`.
    pub percent_off: Option<u8>,
    /// In minor units of `currency` (or of the course's currency).
    pub amount_off_minor: Option<i64>,
    /// For `amount_off_minor` on a school-wide coupon.
    pub currency: Option<String>,
    pub max_redemptions: Option<u32>,
    pub expires_at: Option<Rfc3339>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CouponOut {
    pub id: CouponId,
    pub code: String,
    pub course_id: Option<CourseId>,
    pub percent_off: Option<u8>,
    pub amount_off_minor: Option<i64>,
    pub currency: Option<String>,
    pub max_redemptions: Option<u32>,
    pub expires_at: Option<Rfc3339>,
    pub active: bool,
    pub redemptions: u32,
    pub held: u32,
}

impl From<CouponRecord> for CouponOut {
    fn from(c: CouponRecord) -> CouponOut {
        let (percent_off, amount_off_minor) = match c.discount {
            Discount::Percent(p) => (Some(p), None),
            Discount::Amount(a) => (None, Some(a)),
        };
        CouponOut {
            id: c.id,
            code: c.code,
            course_id: c.course_id,
            percent_off,
            amount_off_minor,
            currency: c.currency,
            max_redemptions: c.max_redemptions,
            expires_at: c.expires_at.map(Rfc3339),
            active: c.active,
            redemptions: c.redemptions,
            held: c.held,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CouponList {
    items: Vec<CouponOut>,
}

fn new_coupon(b: CouponBody) -> Result<NewCoupon> {
    let mut f = Fields::new();
    let code = f.check(super::coupons::check_code(&b.code));
    let discount = match (b.percent_off, b.amount_off_minor) {
        (Some(p), None) if (1..=100).contains(&p) => Some(Discount::Percent(p)),
        (None, Some(a)) if (1..=100_000_000).contains(&a) => Some(Discount::Amount(a)),
        (Some(_), None) => {
            f.push(FieldError::new("percent_off", "must be between 1 and 100"));
            None
        }
        (None, Some(_)) => {
            f.push(FieldError::new("amount_off_minor", "must be between 1 and 100000000"));
            None
        }
        _ => {
            f.push(FieldError::new("percent_off", "give either percent_off or amount_off_minor"));
            None
        }
    };
    let currency = f.optional(b.currency.as_deref(), |c| {
        let c = c.trim().to_ascii_uppercase();
        if crate::catalog::types::CURRENCIES.contains(&c.as_str()) {
            Ok(c)
        } else {
            Err(FieldError::new("currency", "must be one of the currencies courses are sold in"))
        }
    });
    if b.max_redemptions == Some(0) {
        f.push(FieldError::new("max_redemptions", "must be at least 1"));
    }
    f.finish()?;
    Ok(NewCoupon {
        code: code.expect("checked"),
        discount: discount.expect("checked"),
        currency,
        max_redemptions: b.max_redemptions,
        expires_at: b.expires_at.map(|t| t.0),
    })
}

/// Create a coupon for a course (its teacher, or an admin).
#[utoipa::path(post, path = "/api/v1/courses/{id}/coupons", tag = "commerce", request_body = CouponBody,
    params(("id" = String, Path)),
    responses((status = 201, body = CouponOut), (status = 403, description = "forbidden: not the course's teacher."),
        (status = 404), (status = 409, description = "slug_taken: this code exists for the course."),
        (status = 422, description = "validation_failed")),
    security(("bearer" = [])))]
async fn create_course_coupon(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<CouponBody>,
) -> Result<Response> {
    let course: CourseId = parse(&id)?;
    let c = app.commerce.create_coupon(&who.user, Some(course), new_coupon(b)?).await?;
    Ok((StatusCode::CREATED, Json(CouponOut::from(c))).into_response())
}

/// A course's coupons, with their redemptions and held uses.
#[utoipa::path(get, path = "/api/v1/courses/{id}/coupons", tag = "commerce", params(("id" = String, Path)),
    responses((status = 200, body = CouponList), (status = 403, description = "forbidden: not the course's teacher."), (status = 404)),
    security(("bearer" = [])))]
async fn course_coupons(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CouponList>> {
    let items = app.commerce.coupons(&who.user, Some(parse(&id)?)).await?;
    Ok(Json(CouponList { items: items.into_iter().map(CouponOut::from).collect() }))
}

/// Create a school-wide coupon (admins).
#[utoipa::path(post, path = "/api/v1/admin/coupons", tag = "commerce", request_body = CouponBody,
    responses((status = 201, body = CouponOut), (status = 403, description = "forbidden: admins only."),
        (status = 409, description = "slug_taken: this code exists school-wide."), (status = 422, description = "validation_failed")),
    security(("bearer" = [])))]
async fn create_school_coupon(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Json(b): Json<CouponBody>,
) -> Result<Response> {
    let c = app.commerce.create_coupon(&who.user, None, new_coupon(b)?).await?;
    Ok((StatusCode::CREATED, Json(CouponOut::from(c))).into_response())
}

/// School-wide coupons (admins).
#[utoipa::path(get, path = "/api/v1/admin/coupons", tag = "commerce",
    responses((status = 200, body = CouponList), (status = 403, description = "forbidden: admins only.")),
    security(("bearer" = [])))]
async fn school_coupons(State(app): State<AppState>, AdminUser(who): AdminUser) -> Result<Json<CouponList>> {
    let items = app.commerce.coupons(&who.user, None).await?;
    Ok(Json(CouponList { items: items.into_iter().map(CouponOut::from).collect() }))
}

/// Deactivate a coupon (its course's teacher, or an admin). Uses already held stay valid.
#[utoipa::path(delete, path = "/api/v1/coupons/{id}", tag = "commerce", params(("id" = String, Path)),
    responses((status = 204), (status = 404, description = "not_found: also someone else's coupon.")),
    security(("bearer" = [])))]
async fn deactivate_coupon(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    app.commerce.deactivate_coupon(&who.user, parse(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// YooKassa's notifications (`payment.succeeded`, `payment.canceled`, `refund.succeeded`...).
/// They carry no signature: they are accepted only from YooKassa's networks
/// (`LECTERN_YOOKASSA_NETWORKS`, the client address as `LECTERN_TRUSTED_PROXIES` resolves it),
/// and the payment is then read again from YooKassa's API; only that answer moves the order.
#[utoipa::path(post, path = "/api/v1/payments/yookassa/webhook", tag = "commerce",
    request_body(content = String, content_type = "application/json", description = "A YooKassa notification: `{type, event, object}`."),
    responses((status = 200, description = "Applied, or nothing to do (an event Lectern does not act on, a payment not final yet, or one YooKassa does not know)."),
        (status = 400, description = "malformed_request: the body is not a notification (no `event` or `object.id`)."),
        (status = 403, description = "invalid_signature: the notification does not come from YooKassa's networks; nothing changes."),
        (status = 404, description = "YooKassa is not configured here."),
        (status = 503, description = "unavailable: YooKassa's API could not confirm the payment; YooKassa delivers the notification again.")))]
async fn yookassa_webhook(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Result<StatusCode> {
    app.commerce.yookassa_notification(ip, &body).await?;
    Ok(StatusCode::OK)
}
