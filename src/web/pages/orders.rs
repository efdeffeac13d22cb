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
use crate::commerce::repo::{OrderRecord, OrderStatus, Provider};
use crate::error::{Code, Error, Result};
use crate::http::ids::parse;
use crate::ids::OrderId;
use crate::web::session::PageCtx;
use crate::web::view::{Layout, date, price};
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
}

fn view(ctx: &PageCtx, o: &OrderRecord, title: &str, slug: &str) -> OrderView {
    let tr = ctx.tr();
    OrderView {
        id: o.id.to_string(),
        course_title: title.to_owned(),
        course_slug: slug.to_owned(),
        status: status_key(o.status),
        total: price(tr, o.total_minor(), &o.currency),
        provider: o.provider.as_str(),
        date: date(tr, o.created_at),
    }
}

fn status_key(s: OrderStatus) -> &'static str {
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
    paid: bool,
    /// Failed, canceled or expired: the buyer may try again.
    retry: bool,
    review: bool,
}

/// `GET /orders/{id}`: where the provider sends the buyer back. A pending order reloads itself
/// every few seconds (no JavaScript needed) until the provider's event arrives.
pub async fn order(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let who = ctx.require()?;
    let (o, c) = app.commerce.order(&who.user, parse(&id)?).await?;
    let l = Layout::new(&app, &ctx, ctx.tr().t("order-title"));
    let page = OrderPage {
        pending: o.status == OrderStatus::Pending,
        paid: o.status == OrderStatus::Paid,
        retry: matches!(o.status, OrderStatus::Failed | OrderStatus::Canceled | OrderStatus::Expired),
        review: o.status == OrderStatus::Review,
        o: view(&ctx, &o, &c.title, &c.slug),
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
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
