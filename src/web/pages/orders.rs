//! Buying a course: the buy button's target, the test provider's Pay / Decline page, the order
//! page that follows the payment live, and "my purchases".

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::render;
use crate::app::AppState;
use crate::commerce::refunds::RefundRefusal;
use crate::commerce::repo::{OrderRecord, OrderStatus, Provider};
use crate::error::{Code, Error, Result};
use crate::fields::text;
use crate::http::ids::parse;
use crate::ids::OrderId;
use crate::web::i18n::{Arg, Tr};
use crate::web::session::PageCtx;
use crate::web::view::{Layout, date, money, price};
use crate::web::{html, see_other};

#[derive(Deserialize)]
pub struct BuyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    coupon: String,
}

/// `POST /courses/{slug}/buy`: starts a checkout and sends the browser to the provider's page.
pub async fn buy(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path(slug): Path<String>,
    Form(f): Form<BuyForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let course = app.catalog.course(&slug, Some(&who.user)).await?;
    let offered = app.commerce.providers();
    // One provider on offer needs no choice; the form then sends none.
    let provider = match Provider::parse(&f.provider) {
        Some(p) => p,
        None => *offered.first().ok_or_else(|| Error::Conflict {
            code: Code::NotForSale,
            detail: "Payments are not set up at this school yet.".into(),
        })?,
    };
    match app.commerce.checkout(&who.user, course.id, provider, Some(f.coupon)).await {
        Ok(done) => Ok(see_other(&done.redirect_url)),
        Err(Error::Conflict { code: Code::AlreadyEnrolled, .. }) => {
            Ok(see_other(&format!("/learn/{}", course.slug)))
        }
        Err(e) => Err(e),
    }
}

/// An order as its pages show it.
pub struct OrderView {
    pub id: String,
    pub course_title: String,
    pub course_slug: String,
    pub status: &'static str,
    pub total: String,
    pub provider: &'static str,
    pub date: String,
    /// What was given back, if anything.
    pub refunded: Option<String>,
    /// When the buyer asked for a refund that is still waiting for an admin.
    pub refund_requested: Option<String>,
}

pub fn view(ctx: &PageCtx, o: &OrderRecord, title: &str, slug: &str) -> OrderView {
    let tr = ctx.tr();
    OrderView {
        refunded: (o.refunded_minor > 0).then(|| money(tr, o.refunded_minor, &o.currency)),
        refund_requested: o.refund_request.as_ref().map(|r| date(tr, r.at)),
        id: o.id.to_string(),
        course_title: title.to_owned(),
        course_slug: slug.to_owned(),
        status: status_key(o.status),
        total: price(tr, o.total_minor(), &o.currency),
        provider: o.provider.as_str(),
        date: date(tr, o.created_at),
    }
}

pub fn status_key(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Pending => "order-pending",
        OrderStatus::Paid => "order-paid",
        OrderStatus::Failed => "order-failed",
        OrderStatus::Canceled => "order-canceled",
        OrderStatus::Expired => "order-expired",
        OrderStatus::Review => "order-review",
        OrderStatus::Refunded => "order-refunded",
        OrderStatus::PartiallyRefunded => "order-partially-refunded",
    }
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    l: Layout,
    o: OrderView,
    pending: bool,
    /// Paid (perhaps in part given back): the buyer is enrolled.
    paid: bool,
    /// Failed, canceled or expired: the buyer may try again.
    retry: bool,
    review: bool,
    refunded: bool,
    refund: RefundBox,
}

/// The refund part of the order page: the request form, or why there is none.
#[derive(Default)]
struct RefundBox {
    /// The buyer may ask now.
    form: bool,
    /// What is left to give back.
    refundable: String,
    /// The refund window and the progress limit, in words.
    rules: String,
    /// Why the buyer cannot ask (the window is over, too much of the course done).
    why_not: Option<String>,
    /// A request that was just refused, or not valid.
    error: Option<String>,
    /// The reason as typed, after a refused request.
    reason: String,
}

fn refusal_message(tr: Tr, r: Option<RefundRefusal>) -> String {
    tr.t(match r {
        Some(RefundRefusal::WindowClosed) => "refund-refused-window",
        Some(RefundRefusal::TooMuchProgress) => "refund-refused-progress",
        Some(RefundRefusal::NotRefundable) | None => "refund-refused-not-refundable",
    })
}

/// The order page, with the refund box for its buyer.
async fn order_page(
    app: &AppState,
    ctx: &PageCtx,
    id: OrderId,
    error: Option<String>,
    reason: String,
) -> Result<String> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let (o, c) = app.commerce.order(&who.user, id).await?;
    let rules = app.commerce.rules();
    let mut refund = RefundBox {
        refundable: money(tr, o.refundable_minor(), &o.currency),
        rules: tr.args(
            "refund-rules",
            &[
                ("n", Arg::Num((rules.refund_window.as_secs() / 86_400) as f64)),
                ("percent", Arg::Num(f64::from(rules.refund_max_progress))),
            ],
        ),
        error,
        reason,
        ..RefundBox::default()
    };
    // Only the buyer asks, only once at a time, and only for what was paid and not disputed.
    if o.buyer_id == who.user.id
        && o.status.is_settled()
        && o.refundable_minor() > 0
        && o.refund_request.is_none()
        && !o.disputed
    {
        match app.commerce.refund_refusal(&who.user, id).await? {
            None => refund.form = true,
            Some(r @ (RefundRefusal::WindowClosed | RefundRefusal::TooMuchProgress)) => {
                refund.why_not = Some(refusal_message(tr, Some(r)))
            }
            Some(RefundRefusal::NotRefundable) => {}
        }
    }
    let l = Layout::new(app, ctx, tr.t("order-title")).nav("orders");
    let page = OrderPage {
        pending: o.status == OrderStatus::Pending,
        paid: matches!(o.status, OrderStatus::Paid | OrderStatus::PartiallyRefunded),
        retry: matches!(o.status, OrderStatus::Failed | OrderStatus::Canceled | OrderStatus::Expired),
        review: o.status == OrderStatus::Review,
        refunded: o.status == OrderStatus::Refunded,
        o: view(ctx, &o, &c.title, &c.slug),
        refund,
        l,
    };
    render(&page)
}

/// `GET /orders/{id}`: where the provider sends the buyer back. A pending order reloads itself
/// every few seconds (no JavaScript needed) until the provider's event arrives. A paid order
/// offers to ask for a refund while the rules allow one.
pub async fn order(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let body = order_page(&app, &ctx, parse(&id)?, None, String::new()).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, body))
}

#[derive(Deserialize)]
pub struct RefundRequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /orders/{id}/refund-request`: the buyer asks for their money back. A refusal (too late,
/// too much of the course done, nothing to refund) shows on the order page, with the reason kept.
pub async fn request_refund(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<RefundRequestForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let id: OrderId = parse(&id)?;
    let tr = ctx.tr();
    let (status, message) = match text("reason", &f.reason, 3, 1000) {
        Err(_) => (StatusCode::UNPROCESSABLE_ENTITY, tr.t("refund-reason-invalid")),
        Ok(reason) => match app.commerce.request_refund(&who.user, id, reason).await {
            Ok(_) => return Ok(see_other(&format!("/orders/{id}"))),
            Err(Error::Conflict { code: Code::RefundWindowClosed | Code::NotRefundable, .. }) => {
                let why = app.commerce.refund_refusal(&who.user, id).await?;
                (StatusCode::CONFLICT, refusal_message(tr, why))
            }
            Err(e) => return Err(e),
        },
    };
    let body = order_page(&app, &ctx, id, Some(message), f.reason).await?;
    Ok(html(&ctx, &headers, status, body))
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    l: Layout,
    items: Vec<OrderView>,
}

/// `GET /orders`: my purchases.
pub async fn orders(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let who = ctx.require()?;
    let page = app.commerce.my_orders(&who.user, 100, None).await?;
    let items = page.items.iter().map(|(o, c)| view(&ctx, o, &c.title, &c.slug)).collect();
    let l = Layout::new(&app, &ctx, ctx.tr().t("orders-title")).nav("orders");
    Ok(html(&ctx, &headers, StatusCode::OK, render(&OrdersPage { l, items })?))
}

#[derive(Template)]
#[template(path = "paytest.html")]
struct PayTestPage {
    l: Layout,
    o: OrderView,
}

/// `GET /pay/test/{id}`: the built-in provider's hosted page (demo and development only).
pub async fn pay_test_page(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let who = ctx.require()?;
    if !app.commerce.providers().contains(&Provider::Test) {
        return Err(Error::NotFound);
    }
    let (o, c) = app.commerce.order(&who.user, parse(&id)?).await?;
    if o.provider != Provider::Test || o.buyer_id != who.user.id {
        return Err(Error::NotFound);
    }
    if o.status != OrderStatus::Pending {
        return Ok(see_other(&format!("/orders/{}", o.id)));
    }
    let l = Layout::new(&app, &ctx, ctx.tr().t("paytest-title"));
    Ok(html(
        &ctx,
        &headers,
        StatusCode::OK,
        render(&PayTestPage { o: view(&ctx, &o, &c.title, &c.slug), l })?,
    ))
}

#[derive(Deserialize)]
pub struct PayTestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
}

/// `POST /pay/test/{id}`: Pay or Decline, then back to the order page like a real provider.
pub async fn pay_test(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(f): Form<PayTestForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let id: OrderId = parse(&id)?;
    let pay = match f.outcome.as_str() {
        "pay" => true,
        "decline" => false,
        _ => return Err(Error::validation("outcome", "must be pay or decline")),
    };
    app.commerce.test_payment(&who.user, id, pay).await?;
    Ok(see_other(&format!("/orders/{id}")))
}
