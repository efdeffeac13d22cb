//! Commerce endpoints: providers, checkout, orders, and the providers' webhooks.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::repo::{OrderRecord, OrderStatus, Provider};
use crate::app::AppState;
use crate::catalog::repo::CourseRecord;
use crate::clock::Rfc3339;
use crate::error::{Code, Error, Result};
use crate::http::extract::{ClientIp, Json, Query};
use crate::http::ids::parse;
use crate::http::openapi::PAGE_REFUSED;
use crate::identity::AuthUser;
use crate::ids::{CourseId, OrderId};
use crate::store::page::{PageParams, decode_cursor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(providers))
        .routes(routes!(checkout))
        .routes(routes!(get_order))
        .routes(routes!(my_orders))
        .routes(routes!(stripe_webhook))
        .routes(routes!(yookassa_webhook))
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
    /// Coupons are not offered yet: always null.
    #[schema(value_type = Option<String>)]
    pub coupon: Option<String>,
    pub provider: Provider,
    pub created_at: Rfc3339,
    pub paid_at: Option<Rfc3339>,
    pub refunded_minor: i64,
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
            coupon: None,
            provider: o.provider,
            created_at: Rfc3339(o.created_at),
            paid_at: o.paid_at.map(Rfc3339),
            refunded_minor: o.refunded_minor,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CheckoutBody {
    /// One of `GET /api/v1/payments/providers`.
    pub provider: String,
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
        (status = 404),
        (status = 409, description = "already_enrolled; not_for_sale (a free course, or a provider not offered); not_published"),
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
    let done = app.commerce.checkout(&who.user, course, provider).await?;
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
    items: Vec<OrderOut>,
    next_cursor: Option<String>,
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
