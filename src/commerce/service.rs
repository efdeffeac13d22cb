//! The commerce rules, free of HTTP: checkout, who may see an order, and how a provider's event
//! moves an order (exactly once, in any order).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::coupons::{self, CouponRecord, Discount};
use super::ledger::{self, TxKind, entry};
use super::notices::Letters;
pub use super::repo::Outcome;
use super::repo::{self, OrderRecord, OrderStatus, Provider, Share};
use super::stripe::{SessionRequest, Stripe};
use super::yookassa::{self, Notification, PaymentRequest, YooKassa};
use crate::audit::{self, Action};
use crate::catalog::Catalog;
use crate::catalog::repo::{self as catalog, CourseRecord};
use crate::clock::{Clock, Timestamp};
use crate::config::{Config, MoneyRules};
use crate::error::{Code, Error, Result};
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::{CouponId, CourseId, OrderId, UserId};
use crate::learning::events::Hooks;
use crate::learning::repo as learning;
use crate::learning::service::enroll_in;
use crate::mail::Mailer;
use crate::store::page::{Page, page_from};
use crate::store::{Store, Tx};

/// A pending order older than this is expired; a new checkout starts afresh.
pub const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

pub struct Commerce {
    pub(super) store: Store,
    clock: Arc<Clock>,
    pub(super) catalog: Arc<Catalog>,
    public_url: String,
    pub(super) test: bool,
    pub(super) stripe: Option<Stripe>,
    pub(super) yookassa: Option<YooKassa>,
    pub(super) rules: MoneyRules,
    pub(super) letters: Letters,
    pub(super) mailer: Arc<Mailer>,
    /// Learning's subscribers, told of the enrollments a paid order makes.
    pub(super) hooks: Hooks,
}

/// What a checkout gives the buyer: the order, and where to pay for it.
pub struct Checkout {
    pub order: OrderRecord,
    pub redirect_url: String,
    /// False when an existing pending order was returned.
    pub created: bool,
}

/// A price with a coupon applied (or refused).
pub struct Quote {
    pub price_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    pub currency: String,
    /// The code as normalised, and why it cannot be used (`None`: it can).
    pub coupon: Option<(String, Option<&'static str>)>,
}

/// What a new coupon is.
pub struct NewCoupon {
    pub code: String,
    pub discount: Discount,
    pub currency: Option<String>,
    pub max_redemptions: Option<u32>,
    pub expires_at: Option<Timestamp>,
}

/// One provider event, identified by the provider's own id so that it is applied once.
#[derive(Debug, Clone)]
pub struct ProviderEvent {
    pub provider: Provider,
    pub event_id: String,
    pub order: OrderId,
    pub outcome: Outcome,
}

/// Moves an order to `to` and settles its coupon: paying redeems the held use; failing,
/// canceling or expiring gives it back. (Review keeps the hold until an admin decides.)
fn set_status(tx: &mut Tx<'_>, o: &mut OrderRecord, to: OrderStatus, now: Timestamp) -> Result<()> {
    let from = o.status;
    if let Some((coupon, _)) = &o.coupon {
        match (from, to) {
            (OrderStatus::Pending | OrderStatus::Review, OrderStatus::Paid) => coupons::redeem(tx, *coupon)?,
            (
                OrderStatus::Pending | OrderStatus::Review,
                OrderStatus::Failed | OrderStatus::Canceled | OrderStatus::Expired,
            ) => coupons::release(tx, *coupon, o.buyer_id)?,
            // Paid after the hold was given back: `effect` checked the coupon has room.
            (OrderStatus::Failed | OrderStatus::Canceled | OrderStatus::Expired, OrderStatus::Paid) => {
                coupons::retake(tx, *coupon, o.buyer_id, o.id.key())?
            }
            _ => {}
        }
    }
    o.status = to;
    o.updated_at = now;
    repo::save_order(tx, o)
}

/// What one provider outcome does to an order inside a unit of work. Returns the course when its
/// counters changed (an enrollment made or ended), for the caller to refresh its caches.
pub(super) fn effect(
    tx: &mut Tx<'_>,
    o: &mut OrderRecord,
    outcome: &Outcome,
    now: Timestamp,
    rules: &MoneyRules,
    letters: &Letters,
    hooks: &Hooks,
) -> Result<Option<CourseRecord>> {
    match outcome {
        Outcome::Paid { amount_minor, currency, payment_ref } => {
            if o.status.is_settled() || o.status == OrderStatus::Review {
                return Ok(None);
            }
            if o.payment_ref.is_none() {
                o.payment_ref = payment_ref.clone();
            }
            if *amount_minor != o.total_minor() || !currency.eq_ignore_ascii_case(&o.currency) {
                tracing::warn!(order = %o.id, "paid amount differs from the order: held for review");
                set_status(tx, o, OrderStatus::Review, now)?;
                return Ok(None);
            }
            if let Some((coupon, _)) = &o.coupon
                && o.status != OrderStatus::Pending
                && !coupons::can_retake(tx, *coupon, o.buyer_id)?
            {
                // Paid after it expired, and its coupon's use went to someone else meanwhile:
                // honouring it would pass the coupon's limit, so an admin decides.
                tracing::warn!(order = %o.id, "paid late with a coupon that is used up: held for review");
                set_status(tx, o, OrderStatus::Review, now)?;
                return Ok(None);
            }
            // Money taken after the order expired still buys the course.
            let mut c = catalog::get_course(tx, o.course_id)?;
            let mut changed = match enroll_in(tx, hooks, o.buyer_id, &mut c, now) {
                Ok(_) => Some(c.clone()),
                // Enrolled meanwhile (a second order paid): the order stays paid and is the
                // admin's to refund.
                Err(Error::Conflict { code: Code::AlreadyEnrolled, .. }) => None,
                Err(e) => return Err(e),
            };
            o.paid_at = Some(now);
            record_sale(tx, o, c.teacher_id, rules, now)?;
            set_status(tx, o, OrderStatus::Paid, now)?;
            if let Some(buyer) = crate::identity::repo::user(tx, o.buyer_id)? {
                letters.receipt(tx, &buyer, o, &c.title, now)?;
            }
            // What came before the payment (a refund, a dispute) applies now, in order.
            for parked in repo::unpark(tx, o.id)? {
                if let Some(c) = effect(tx, o, &parked, now, rules, letters, hooks)? {
                    changed = Some(c);
                }
            }
            Ok(changed)
        }
        Outcome::Failed | Outcome::Expired if o.status == OrderStatus::Pending => {
            let to = if *outcome == Outcome::Failed { OrderStatus::Failed } else { OrderStatus::Expired };
            set_status(tx, o, to, now)?;
            Ok(None)
        }
        Outcome::Failed | Outcome::Expired => Ok(None),
        Outcome::Refunded { total_minor } => super::refunds::record_refund(tx, o, *total_minor, now, letters),
        Outcome::Disputed => {
            super::refunds::record_dispute(tx, o, now)?;
            Ok(None)
        }
    }
}

/// Posts a sale to the ledger: the provider holds the money, the school keeps its fee, and the
/// teacher's share is pending until the hold ends (or available at once without a hold).
fn record_sale(
    tx: &mut Tx<'_>,
    o: &mut OrderRecord,
    teacher: UserId,
    rules: &MoneyRules,
    now: Timestamp,
) -> Result<()> {
    let total = o.total_minor();
    if total <= 0 || o.share.is_some() {
        return Ok(());
    }
    let fee = (total * i64::from(rules.platform_fee_percent) + 50) / 100;
    let share = total - fee;
    let hold_until = Timestamp(now.0 + rules.payout_hold.as_millis() as i64);
    let held = hold_until.0 > now.0;
    let part = if held { "pending" } else { "available" };
    ledger::post(
        tx,
        TxKind::Sale,
        Some(o.id),
        None,
        vec![
            entry(ledger::provider(o.provider.as_str()), &o.currency, total),
            entry(ledger::REVENUE, &o.currency, -fee),
            entry(ledger::teacher(teacher, part), &o.currency, -share),
        ],
        now,
    )?;
    repo::count_money(tx, o.course_id, now, &o.currency, total, 0)?;
    if held {
        ledger::hold(
            tx,
            hold_until,
            o.id,
            &ledger::Hold { teacher, currency: o.currency.clone(), amount_minor: share },
        )?;
    }
    o.share = Some(Share { teacher, fee_minor: fee, teacher_minor: share, hold_until });
    Ok(())
}

fn not_for_sale(detail: &str) -> Error {
    Error::Conflict { code: Code::NotForSale, detail: detail.to_owned() }
}

impl Commerce {
    pub fn new(
        store: Store,
        clock: Arc<Clock>,
        catalog: Arc<Catalog>,
        mailer: Arc<Mailer>,
        config: &Config,
        hooks: Hooks,
    ) -> Commerce {
        let payments = &config.payments;
        let public_url = config.public_url.trim_end_matches('/').to_owned();
        Commerce {
            store,
            clock,
            catalog,
            test: payments.test,
            stripe: payments.stripe.clone().map(Stripe::new),
            yookassa: payments.yookassa.clone().map(YooKassa::new),
            rules: payments.rules.clone(),
            letters: Letters { school: config.school_name.clone(), public_url: public_url.clone() },
            mailer,
            public_url,
            hooks,
        }
    }

    pub fn rules(&self) -> &MoneyRules {
        &self.rules
    }

    /// The providers a buyer may choose, in the order the pages offer them.
    pub fn providers(&self) -> Vec<Provider> {
        let mut out = Vec::new();
        if self.stripe.is_some() {
            out.push(Provider::Stripe);
        }
        if self.yookassa.is_some() {
            out.push(Provider::YooKassa);
        }
        if self.test {
            out.push(Provider::Test);
        }
        out
    }

    /// Starts buying a course: a new pending order (or the buyer's pending one for this course)
    /// and the provider's page to pay on.
    pub async fn checkout(
        &self,
        who: &UserRecord,
        course: CourseId,
        provider: Provider,
        coupon: Option<String>,
    ) -> Result<Checkout> {
        let c = self.catalog.course(&course.to_string(), Some(who)).await?;
        if !c.is_published() {
            return Err(Error::Conflict {
                code: Code::NotPublished,
                detail: "This course is not open for enrollment.".into(),
            });
        }
        if c.is_free() {
            return Err(not_for_sale("This course is free: enroll instead."));
        }
        if c.teacher_id == who.id {
            // Paying oneself would only move the school's fee; the course is open to its teacher.
            return Err(Error::Forbidden {
                code: Code::OwnCourse,
                detail: "You teach this course: it is already open to you.".into(),
            });
        }
        if !self.providers().contains(&provider) {
            return Err(not_for_sale("This payment provider is not offered here."));
        }
        let (now, buyer, expiry) = (self.clock.now(), who.id, PENDING_FOR.as_millis() as i64);
        let hooks = self.hooks.clone();
        let coupon = coupon.map(|c| coupons::normalize(&c)).filter(|c| !c.is_empty());
        // The new order need not reach the disk before the provider is asked for a page: nobody
        // can pay before this answer, and the durable write recording the page comes first (a
        // crash in between leaves at most an unused payment page, which the provider expires).
        let (order, created, enrolled) = self
            .store
            .write_unsynced(move |tx| {
                if learning::enrollment(tx, buyer, course)?.is_some() {
                    return Err(Error::Conflict {
                        code: Code::AlreadyEnrolled,
                        detail: "You are already enrolled.".into(),
                    });
                }
                if let Some(mut o) = repo::pending_order(tx, buyer, course)? {
                    let same_coupon = o.coupon.as_ref().map(|(_, code)| code) == coupon.as_ref();
                    if o.created_at.0 + expiry > now.0
                        && o.provider == provider
                        && same_coupon
                        && o.redirect_url.is_some()
                    {
                        return Ok((o, false, None));
                    }
                    // Stale, or for another provider or coupon: that attempt is over.
                    set_status(tx, &mut o, OrderStatus::Expired, now)?;
                }
                let mut c = catalog::get_course(tx, course)?;
                let id = OrderId::generate();
                let mut held = None;
                let mut discount_minor = 0;
                if let Some(code) = &coupon {
                    let mut found =
                        coupons::find(tx, course, code)?.ok_or(Error::CouponUnavailable("unknown"))?;
                    if let Some(reason) = found.refusal(tx, buyer, &c.currency, now)? {
                        return Err(Error::CouponUnavailable(reason));
                    }
                    discount_minor = found.discount_on(c.price_minor, &c.currency);
                    held = Some(found.id);
                    coupons::hold(tx, &mut found, buyer, id.key())?;
                }
                let mut o = OrderRecord {
                    id,
                    buyer_id: buyer,
                    course_id: course,
                    status: OrderStatus::Pending,
                    amount_minor: c.price_minor,
                    discount_minor,
                    currency: c.currency.clone(),
                    coupon: held.zip(coupon.clone()),
                    provider,
                    provider_ref: None,
                    redirect_url: None,
                    created_at: now,
                    updated_at: now,
                    paid_at: None,
                    refunded_minor: 0,
                    refund_asked_minor: 0,
                    payment_ref: None,
                    share: None,
                    refund_request: None,
                    disputed: false,
                };
                repo::insert_order(tx, &o)?;
                if o.total_minor() == 0 {
                    // Nothing to pay: no provider, the order is paid and the buyer enrolled now,
                    // durably, as this is the last write.
                    tx.sync();
                    enroll_in(tx, &hooks, buyer, &mut c, now)?;
                    o.paid_at = Some(now);
                    o.redirect_url = Some(String::new());
                    set_status(tx, &mut o, OrderStatus::Paid, now)?;
                    return Ok((o, true, Some((tx.position(), c))));
                }
                Ok((o, true, None))
            })
            .await?;
        if let Some((pos, c)) = enrolled {
            self.catalog.cache_course(pos, &c);
            let redirect_url = format!("{}/orders/{}", self.public_url, order.id);
            return Ok(Checkout { order, redirect_url, created });
        }
        if !created {
            let redirect_url = order.redirect_url.clone().unwrap_or_default();
            return Ok(Checkout { order, redirect_url, created });
        }
        let started = match provider {
            Provider::Test => Ok((None, format!("{}/pay/test/{}", self.public_url, order.id))),
            Provider::Stripe => {
                let stripe = self.stripe.as_ref().expect("offered providers are configured");
                let id = order.id.to_string();
                let back = format!("{}/orders/{id}", self.public_url);
                stripe
                    .create_session(&SessionRequest {
                        order_id: &id,
                        course_title: &c.title,
                        amount_minor: order.total_minor(),
                        currency: &order.currency,
                        customer_email: &who.email,
                        success_url: &back,
                        cancel_url: &format!("{}/courses/{}", self.public_url, c.slug),
                        // Stripe's shortest: the session ends with the order's pending time.
                        expires_at: now.0 / 1000 + 31 * 60,
                    })
                    .await
                    .map(|s| (Some(s.id), s.url.unwrap_or_default()))
            }
            Provider::YooKassa => {
                let yookassa = self.yookassa.as_ref().expect("offered providers are configured");
                let id = order.id.to_string();
                yookassa
                    .create_payment(&PaymentRequest {
                        order_id: &id,
                        course_title: &c.title,
                        amount_minor: order.total_minor(),
                        currency: &order.currency,
                        customer_email: &who.email,
                        return_url: &format!("{}/orders/{id}", self.public_url),
                    })
                    .await
                    .and_then(|p| match p.confirmation.and_then(|c| c.confirmation_url) {
                        Some(url) => Ok((Some(p.id), url)),
                        None => Err(Error::Unavailable("YooKassa gave no confirmation_url".into())),
                    })
            }
        };
        let id = order.id;
        let (reference, url) = match started {
            Ok(found) => found,
            Err(e) => {
                // The provider did not take the order: it fails now rather than block the next try.
                self.store
                    .write(move |tx| {
                        let mut o = repo::get_order(tx, id)?;
                        if o.status == OrderStatus::Pending {
                            set_status(tx, &mut o, OrderStatus::Failed, now)?;
                        }
                        Ok(())
                    })
                    .await?;
                return Err(e);
            }
        };
        let order = self
            .store
            .write(move |tx| {
                let mut o = repo::get_order(tx, id)?;
                o.provider_ref = reference.clone();
                o.redirect_url = Some(url.clone());
                repo::save_order(tx, &o)?;
                Ok(o)
            })
            .await?;
        let redirect_url = order.redirect_url.clone().unwrap_or_default();
        Ok(Checkout { order, redirect_url, created: true })
    }

    /// What `who` would pay for a course, with a coupon if one is typed (nothing is held).
    pub async fn quote(
        &self,
        who: Option<&UserRecord>,
        course: CourseId,
        code: Option<String>,
    ) -> Result<Quote> {
        let c = self.catalog.course(&course.to_string(), who).await?;
        let (buyer, now) = (who.map(|u| u.id), self.clock.now());
        let code = code.map(|c| coupons::normalize(&c)).filter(|c| !c.is_empty());
        let checked = match &code {
            None => None,
            Some(code) => {
                let (cid, code2) = (c.id, code.clone());
                let found = self.store.read(move |rtx| Ok(coupons::find(rtx, cid, &code2)?)).await?;
                Some(match found {
                    None => (code.clone(), 0, Some("unknown")),
                    Some(coupon) => {
                        let (currency, price) = (c.currency.clone(), c.price_minor);
                        // A visitor has used no coupon yet; everything else applies to everyone.
                        let buyer = buyer.unwrap_or(UserId::from_key(0));
                        let check = coupon.clone();
                        let refusal = self
                            .store
                            .read(move |rtx| Ok(check.refusal(rtx, buyer, &currency, now)?))
                            .await?;
                        let discount =
                            if refusal.is_none() { coupon.discount_on(price, &c.currency) } else { 0 };
                        (code.clone(), discount, refusal)
                    }
                })
            }
        };
        let discount_minor = checked.as_ref().map_or(0, |(_, d, _)| *d);
        Ok(Quote {
            price_minor: c.price_minor,
            discount_minor,
            total_minor: c.price_minor - discount_minor,
            currency: c.currency.clone(),
            coupon: checked.map(|(code, _, reason)| (code, reason)),
        })
    }

    /// A new coupon: for a course by its teacher (or an admin), or school-wide by an admin.
    pub async fn create_coupon(
        &self,
        who: &UserRecord,
        course: Option<CourseId>,
        input: NewCoupon,
    ) -> Result<CouponRecord> {
        match course {
            Some(id) => {
                let c = self.catalog.course(&id.to_string(), Some(who)).await?;
                if c.teacher_id != who.id && who.role != Role::Admin {
                    return Err(Error::forbidden());
                }
            }
            None if who.role != Role::Admin => return Err(Error::forbidden()),
            None => {}
        }
        let now = self.clock.now();
        let record = CouponRecord {
            id: CouponId::generate(),
            code: coupons::normalize(&input.code),
            course_id: course,
            discount: input.discount,
            currency: input.currency,
            max_redemptions: input.max_redemptions,
            expires_at: input.expires_at,
            active: true,
            redemptions: 0,
            held: 0,
            created_by: who.id,
            created_at: now,
        };
        let admin = (who.role == Role::Admin).then_some(who.id);
        self.store
            .write(move |tx| {
                coupons::insert(tx, &record)?;
                if let Some(actor) = admin {
                    let a = Action {
                        actor: Some(actor),
                        action: "coupon.create",
                        target_type: "coupon",
                        target_id: record.id.to_string(),
                        reason: Some(&record.code),
                    };
                    audit::record(tx, a, now)?;
                }
                Ok(record.clone())
            })
            .await
    }

    /// A course's coupons (`None`: the school-wide ones, for admins).
    pub async fn coupons(&self, who: &UserRecord, course: Option<CourseId>) -> Result<Vec<CouponRecord>> {
        match course {
            Some(id) => {
                let c = self.catalog.course(&id.to_string(), Some(who)).await?;
                if c.teacher_id != who.id && who.role != Role::Admin {
                    return Err(Error::forbidden());
                }
            }
            None if who.role != Role::Admin => return Err(Error::forbidden()),
            None => {}
        }
        self.store.read(move |rtx| Ok(coupons::coupons_of(rtx, course)?)).await
    }

    /// Deactivates a coupon (uses already held or redeemed stay).
    pub async fn deactivate_coupon(&self, who: &UserRecord, id: CouponId) -> Result<()> {
        let found =
            self.store.read(move |rtx| Ok(coupons::coupon(rtx, id)?)).await?.ok_or(Error::NotFound)?;
        let allowed = match found.course_id {
            _ if who.role == Role::Admin => true,
            Some(course) => self.catalog.course_by_id(course).await?.is_some_and(|c| c.teacher_id == who.id),
            None => false,
        };
        if !allowed {
            return Err(Error::NotFound);
        }
        let (admin, now) = ((who.role == Role::Admin).then_some(who.id), self.clock.now());
        self.store
            .write(move |tx| {
                let mut c = coupons::coupon(tx, id)?.ok_or(Error::NotFound)?;
                c.active = false;
                coupons::save(tx, &c)?;
                if let Some(actor) = admin {
                    let a = Action {
                        actor: Some(actor),
                        action: "coupon.deactivate",
                        target_type: "coupon",
                        target_id: id.to_string(),
                        reason: Some(&c.code),
                    };
                    audit::record(tx, a, now)?;
                }
                Ok(())
            })
            .await
    }

    /// An order, for its buyer and admins (404 for anyone else: order ids are not to be probed).
    /// A pending order is first asked about at its provider, should its webhook have been lost.
    pub async fn order(&self, who: &UserRecord, id: OrderId) -> Result<(OrderRecord, Arc<CourseRecord>)> {
        let mut o = self.store.read(move |rtx| repo::get_order(rtx, id)).await?;
        if o.buyer_id != who.id && who.role != Role::Admin {
            return Err(Error::NotFound);
        }
        match self.reconcile(&o).await {
            Ok(Some(after)) => o = after,
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(order = %id, error = %e, "could not ask the provider about a pending order")
            }
        }
        let c = self.catalog.course_by_id(o.course_id).await?.ok_or(Error::NotFound)?;
        Ok((o, c))
    }

    /// The caller's orders, newest first.
    pub async fn my_orders(
        &self,
        who: &UserRecord,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<(OrderRecord, Arc<CourseRecord>)>> {
        let buyer = who.id;
        let rows = self
            .store
            .read(move |rtx| {
                let through = before.map_or(u128::MAX, |b| b.saturating_sub(1));
                let mut rows = Vec::new();
                for id in repo::orders_of(rtx, buyer, through, limit + 1)? {
                    if let Some(o) = repo::order(rtx, id)? {
                        rows.push((id.key(), o));
                    }
                }
                Ok(rows)
            })
            .await?;
        let page = page_from(rows, limit);
        let mut items = Vec::with_capacity(page.items.len());
        for (_, o) in page.items {
            if let Some(c) = self.catalog.course_by_id(o.course_id).await? {
                items.push((o, c));
            }
        }
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    /// The test provider's Pay / Decline buttons: only for the order's buyer.
    pub async fn test_payment(&self, who: &UserRecord, id: OrderId, pay: bool) -> Result<OrderRecord> {
        if !self.test {
            return Err(Error::NotFound);
        }
        let (o, _) = self.order(who, id).await?;
        if o.provider != Provider::Test || o.buyer_id != who.id {
            return Err(Error::NotFound);
        }
        let outcome = if pay {
            Outcome::Paid { amount_minor: o.total_minor(), currency: o.currency.clone(), payment_ref: None }
        } else {
            Outcome::Failed
        };
        let event_id = format!("{id}:{}", if pay { "pay" } else { "decline" });
        self.apply(ProviderEvent { provider: Provider::Test, event_id, order: id, outcome }).await?;
        Ok(self.order(who, id).await?.0)
    }

    /// A Stripe webhook: verified over the raw body, then applied. Events Lectern does not act
    /// on are acknowledged (Stripe would otherwise retry them for days).
    pub async fn stripe_webhook(&self, signature: Option<&str>, body: &[u8]) -> Result<()> {
        let stripe = self.stripe.as_ref().ok_or(Error::NotFound)?;
        let event = stripe.verify(signature, body, self.clock.now().0 / 1000)?;
        let object = &event.data.object;
        let outcome = match event.kind.as_str() {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                // A delayed method (a bank debit) completes the session unpaid; its money comes
                // with `async_payment_succeeded`.
                match object["payment_status"].as_str() {
                    Some("paid") => Some(Outcome::Paid {
                        amount_minor: object["amount_total"].as_i64().unwrap_or(-1),
                        currency: object["currency"].as_str().unwrap_or_default().to_ascii_uppercase(),
                        payment_ref: object["payment_intent"].as_str().map(str::to_owned),
                    }),
                    _ => None,
                }
            }
            "checkout.session.async_payment_failed" => Some(Outcome::Failed),
            "checkout.session.expired" => Some(Outcome::Expired),
            // Stripe reports the refunds of a charge as a running total.
            "charge.refunded" => {
                object["amount_refunded"].as_i64().map(|total_minor| Outcome::Refunded { total_minor })
            }
            "charge.dispute.created" => Some(Outcome::Disputed),
            _ => None,
        };
        let mut order = object["client_reference_id"]
            .as_str()
            .or_else(|| object["metadata"]["order_id"].as_str())
            .and_then(|s| s.parse::<OrderId>().ok());
        if order.is_none()
            && outcome.is_some()
            && let Some(pi) = object["payment_intent"].as_str().map(str::to_owned)
        {
            // A dispute names the PaymentIntent only: known once the payment is recorded, and
            // otherwise asked of Stripe (the PaymentIntent carries the order id from checkout),
            // so a dispute before its payment is parked, not lost.
            let known = pi.clone();
            order = self
                .store
                .read(move |rtx| Ok(repo::order_by_ref(rtx, Provider::Stripe, &known)?.map(|o| o.id)))
                .await?;
            if order.is_none() {
                order = stripe.order_of_payment_intent(&pi).await?.and_then(|s| s.parse::<OrderId>().ok());
            }
        }
        match (outcome, order) {
            (Some(outcome), Some(order)) => {
                self.apply(ProviderEvent { provider: Provider::Stripe, event_id: event.id, order, outcome })
                    .await?;
            }
            _ => tracing::debug!(kind = %event.kind, "Stripe event acknowledged, nothing to do"),
        }
        Ok(())
    }

    /// A YooKassa notification. It carries no signature, so it is looked at only when it comes
    /// from YooKassa's networks, and then only as a hint: the payment is read again from
    /// YooKassa's API and what that says is applied. Events Lectern does not act on, and
    /// payments not (yet) final, are acknowledged; YooKassa would otherwise redeliver for a day.
    pub async fn yookassa_notification(&self, from: IpAddr, body: &[u8]) -> Result<()> {
        let yookassa = self.yookassa.as_ref().ok_or(Error::NotFound)?;
        if !yookassa.trusts(from) {
            tracing::warn!(%from, "a YooKassa notification from outside YooKassa's networks was refused");
            return Err(Error::Forbidden {
                code: Code::InvalidSignature,
                detail: "Notifications are accepted only from YooKassa's networks.".into(),
            });
        }
        let note = Notification::parse(body)?;
        let payment_id = match note.event.as_str() {
            "payment.succeeded" | "payment.canceled" => note.object.id.clone(),
            "refund.succeeded" => match yookassa.get_refund(&note.object.id).await? {
                Some(r) if r.status == "succeeded" => r.payment_id,
                _ => {
                    tracing::warn!(refund = %note.object.id, "a YooKassa refund notification YooKassa does not confirm");
                    return Ok(());
                }
            },
            _ => {
                tracing::debug!(event = %note.event, "YooKassa notification acknowledged, nothing to do");
                return Ok(());
            }
        };
        let Some(payment) = yookassa.get_payment(&payment_id).await? else {
            tracing::warn!(event = %note.event, "a YooKassa notification for a payment YooKassa does not know");
            return Ok(());
        };
        let refunded = payment.refunded_amount.as_ref().and_then(|a| yookassa::major_to_minor(&a.value));
        let (kind, outcome) = match payment.status.as_str() {
            // The payment's running total of refunds is what applies (idempotent, in any order).
            "succeeded" if note.event == "refund.succeeded" => match refunded {
                Some(total_minor) => ("refund.succeeded", Outcome::Refunded { total_minor }),
                None => return Ok(()),
            },
            "succeeded" if payment.paid => {
                // An amount that does not read is not the order's: the order goes to review.
                let amount_minor = yookassa::major_to_minor(&payment.amount.value).unwrap_or(-1);
                let currency = payment.amount.currency.to_ascii_uppercase();
                ("payment.succeeded", Outcome::Paid { amount_minor, currency, payment_ref: None })
            }
            "canceled" => ("payment.canceled", Outcome::Failed),
            status => {
                tracing::debug!(payment = %payment.id, status, "YooKassa payment not final yet: nothing to do");
                return Ok(());
            }
        };
        let order = payment.metadata.and_then(|m| m.order_id).and_then(|s| s.parse::<OrderId>().ok());
        let Some(order) = order else {
            tracing::warn!(payment = %payment.id, "a YooKassa payment without an order id of this school");
            return Ok(());
        };
        let reference = payment.id.clone();
        let known = self.store.read(move |rtx| Ok(repo::order(rtx, order)?.map(|o| o.provider_ref))).await?;
        if let Some(Some(other)) = known
            && other != reference
        {
            tracing::warn!(%order, payment = %reference, "a YooKassa payment that is not the order's own");
            return Ok(());
        }
        let event_id = match &outcome {
            Outcome::Refunded { total_minor } => format!("{kind}:{reference}:{total_minor}"),
            _ => format!("{kind}:{reference}"),
        };
        self.apply(ProviderEvent { provider: Provider::YooKassa, event_id, order, outcome }).await?;
        Ok(())
    }

    /// Applies a provider event once: a paid order enrolls its buyer in the same unit of work;
    /// a payment of another amount or currency than the order's goes to review instead. A
    /// refund or dispute of an order not paid yet waits for the payment.
    pub async fn apply(&self, ev: ProviderEvent) -> Result<Option<OrderRecord>> {
        let now = self.clock.now();
        let (rules, letters, hooks) = (self.rules.clone(), self.letters.clone(), self.hooks.clone());
        let (pos, order, course) = self
            .store
            .write(move |tx| {
                if !repo::record_event(tx, ev.provider, &ev.event_id, now)? {
                    return Ok((tx.position(), None, None));
                }
                let Some(mut o) = repo::order(tx, ev.order)? else {
                    tracing::warn!(order = %ev.order, "a payment event for an unknown order");
                    return Ok((tx.position(), None, None));
                };
                if o.provider != ev.provider {
                    tracing::warn!(order = %o.id, "a payment event from another provider than the order's");
                    return Ok((tx.position(), None, None));
                }
                if matches!(ev.outcome, Outcome::Refunded { .. } | Outcome::Disputed) && !o.status.is_settled() {
                    tracing::info!(order = %o.id, "a refund or dispute before its payment: kept until it is paid");
                    repo::park(tx, o.id, ev.provider, &ev.event_id, &ev.outcome)?;
                    return Ok((tx.position(), Some(o), None));
                }
                let course = effect(tx, &mut o, &ev.outcome, now, &rules, &letters, &hooks)?;
                Ok((tx.position(), Some(o), course))
            })
            .await?;
        if let Some(c) = course {
            self.catalog.cache_course(pos, &c);
        }
        self.mailer.wake();
        Ok(order)
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
