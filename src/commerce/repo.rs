//! Orders and provider events in redb: the only code touching commerce's tables.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CouponId, CourseId, OrderId, UserId};
use crate::schema::{
    COURSE_MONEY, ORDERS, ORDERS_BY_BUYER, ORDERS_BY_REF, ORDERS_PENDING, PARKED_EVENTS, PAYMENT_EVENTS,
    REFUND_REQUESTS,
};
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Failed,
    Canceled,
    Expired,
    /// Paid, but not the amount or currency of the order: an admin looks before anyone is
    /// enrolled.
    Review,
    Refunded,
    PartiallyRefunded,
}

impl OrderStatus {
    /// A status by its API name (`paid`, `partially_refunded`...).
    pub fn parse(s: &str) -> Option<OrderStatus> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }

    pub fn is_final(self) -> bool {
        !matches!(self, OrderStatus::Pending)
    }

    /// Paid, and perhaps given back since: the money moved.
    pub fn is_settled(self) -> bool {
        matches!(self, OrderStatus::Paid | OrderStatus::PartiallyRefunded | OrderStatus::Refunded)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// The built-in Pay / Decline page.
    Test,
    Stripe,
    #[serde(rename = "yookassa")]
    YooKassa,
}

impl Provider {
    pub fn parse(s: &str) -> Option<Provider> {
        match s {
            "test" => Some(Provider::Test),
            "stripe" => Some(Provider::Stripe),
            "yookassa" => Some(Provider::YooKassa),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Test => "test",
            Provider::Stripe => "stripe",
            Provider::YooKassa => "yookassa",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderRecord {
    pub id: OrderId,
    pub buyer_id: UserId,
    pub course_id: CourseId,
    pub status: OrderStatus,
    /// The course's price when the order was made, in minor units.
    pub amount_minor: i64,
    pub discount_minor: i64,
    pub currency: String,
    /// The coupon this order holds (pending) or redeemed (paid), with its code as typed.
    pub coupon: Option<(CouponId, String)>,
    pub provider: Provider,
    /// The provider's id for this payment (a Stripe Checkout Session id, a YooKassa payment id),
    /// once known.
    pub provider_ref: Option<String>,
    /// Where the buyer pays (the provider's hosted page), once known.
    pub redirect_url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub paid_at: Option<Timestamp>,
    /// What the provider has confirmed as given back.
    pub refunded_minor: i64,
    /// What has been asked of the provider to give back (confirmed or not yet).
    #[serde(default)]
    pub refund_asked_minor: i64,
    /// The provider's id of the money itself when it differs from `provider_ref` (Stripe's
    /// PaymentIntent), which refunds and disputes name.
    #[serde(default)]
    pub payment_ref: Option<String>,
    /// How the sale was shared, once paid.
    #[serde(default)]
    pub share: Option<Share>,
    /// The buyer's request for a refund, while an admin has not acted on it.
    #[serde(default)]
    pub refund_request: Option<RefundRequest>,
    /// A chargeback was opened: the teacher's share is frozen.
    #[serde(default)]
    pub disputed: bool,
}

/// How a paid order's money was shared when it was paid.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Share {
    pub teacher: UserId,
    pub fee_minor: i64,
    pub teacher_minor: i64,
    /// When the teacher's share leaves the hold (it is on hold while this is in the future).
    pub hold_until: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundRequest {
    pub reason: String,
    pub at: Timestamp,
}

impl OrderRecord {
    pub fn total_minor(&self) -> i64 {
        self.amount_minor - self.discount_minor
    }

    /// What may still be asked back.
    pub fn refundable_minor(&self) -> i64 {
        self.total_minor() - self.refunded_minor.max(self.refund_asked_minor)
    }
}

/// What a provider said happened to a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// `payment_ref`: the provider's id of the money (Stripe's PaymentIntent), if it has one.
    Paid {
        amount_minor: i64,
        currency: String,
        payment_ref: Option<String>,
    },
    Failed,
    Expired,
    /// Refunds so far, in all (providers report the running total, so this is idempotent).
    Refunded {
        total_minor: i64,
    },
    Disputed,
}

/// One course's money on one day in one currency (`course_money`): the provider's side of the
/// ledger's sales and refunds posted that day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyDay {
    /// What buyers paid (sales), in minor units.
    #[serde(default)]
    pub sales_minor: i64,
    /// What was given back (refunds), in minor units, positive.
    #[serde(default)]
    pub refunds_minor: i64,
}

/// Adds a sale or a refund to a course's day, in the unit of work that posts it to the ledger.
pub fn count_money(
    tx: &mut Tx<'_>,
    course: CourseId,
    at: Timestamp,
    currency: &str,
    sales_minor: i64,
    refunds_minor: i64,
) -> Result<()> {
    let key = (course.key(), at.day(), currency.to_owned());
    let mut m = tx.get(COURSE_MONEY, &key)?.unwrap_or_default();
    m.sales_minor += sales_minor;
    m.refunds_minor += refunds_minor;
    tx.put(COURSE_MONEY, &key, &m)?;
    Ok(())
}

/// A course's money per (day, currency) for days `from..=to`, in order.
pub fn course_money(
    r: &impl Readable,
    course: CourseId,
    from: u32,
    to: u32,
) -> StoreResult<Vec<(u32, String, MoneyDay)>> {
    let c = course.key();
    let end = (c, to.saturating_add(1), String::new());
    let rows = if to == u32::MAX {
        r.range(COURSE_MONEY, (c, from, String::new())..=(c, u32::MAX, "\u{10FFFF}".to_owned()), usize::MAX)?
    } else {
        r.range(COURSE_MONEY, (c, from, String::new())..end, usize::MAX)?
    };
    Ok(rows.into_iter().map(|((_, d, cur), m)| (d, cur, m)).collect())
}

pub fn order(r: &impl Readable, id: OrderId) -> StoreResult<Option<OrderRecord>> {
    r.get(ORDERS, &id.key())
}

/// An order that must exist: 404 otherwise.
pub fn get_order(r: &impl Readable, id: OrderId) -> Result<OrderRecord> {
    order(r, id)?.ok_or(Error::NotFound)
}

/// The buyer's pending order for a course, if there is one.
pub fn pending_order(r: &impl Readable, buyer: UserId, course: CourseId) -> StoreResult<Option<OrderRecord>> {
    match r.get(ORDERS_PENDING, &(buyer.key(), course.key()))? {
        Some(id) => r.get(ORDERS, &id),
        None => Ok(None),
    }
}

pub fn order_by_ref(
    r: &impl Readable,
    provider: Provider,
    reference: &str,
) -> StoreResult<Option<OrderRecord>> {
    match r.get(ORDERS_BY_REF, &ref_key(provider, reference))? {
        Some(id) => r.get(ORDERS, &id),
        None => Ok(None),
    }
}

/// A buyer's order ids, newest first, from `through` down, at most `limit`.
pub fn orders_of(r: &impl Readable, buyer: UserId, through: u128, limit: usize) -> StoreResult<Vec<OrderId>> {
    let b = buyer.key();
    Ok(r.range_rev(ORDERS_BY_BUYER, (b, 0)..=(b, through), limit)?
        .into_iter()
        .map(|((_, o), ())| OrderId::from_key(o))
        .collect())
}

pub fn insert_order(tx: &mut Tx<'_>, o: &OrderRecord) -> Result<()> {
    tx.put(ORDERS, &o.id.key(), o)?;
    tx.put(ORDERS_BY_BUYER, &(o.buyer_id.key(), o.id.key()), &())?;
    save_order(tx, o)
}

/// Saves an order and keeps its indexes: the pending slot is held only while it is pending.
pub fn save_order(tx: &mut Tx<'_>, o: &OrderRecord) -> Result<()> {
    tx.put(ORDERS, &o.id.key(), o)?;
    let slot = (o.buyer_id.key(), o.course_id.key());
    if o.status == OrderStatus::Pending {
        tx.put(ORDERS_PENDING, &slot, &o.id.key())?;
    } else if tx.get(ORDERS_PENDING, &slot)? == Some(o.id.key()) {
        tx.remove(ORDERS_PENDING, &slot)?;
    }
    if let Some(r) = &o.provider_ref {
        tx.put(ORDERS_BY_REF, &ref_key(o.provider, r), &o.id.key())?;
    }
    if let Some(r) = &o.payment_ref {
        tx.put(ORDERS_BY_REF, &ref_key(o.provider, r), &o.id.key())?;
    }
    if o.refund_request.is_some() {
        tx.put(REFUND_REQUESTS, &o.id.key(), &())?;
    } else {
        tx.remove(REFUND_REQUESTS, &o.id.key())?;
    }
    Ok(())
}

/// Every order, newest first, strictly before `before`, that `keep` accepts; at most `limit`,
/// looking at no more than `scan` orders (the admin's filters are for a school's volume).
pub fn orders_where(
    r: &impl Readable,
    before: Option<u128>,
    limit: usize,
    scan: usize,
    keep: impl Fn(&OrderRecord) -> bool,
) -> StoreResult<Vec<OrderRecord>> {
    let mut through = before.map_or(u128::MAX, |b| b.saturating_sub(1));
    let mut out = Vec::new();
    let mut seen = 0;
    loop {
        let chunk = r.range_rev(ORDERS, ..=through, 256)?;
        let Some((last, _)) = chunk.last() else { break };
        let next = *last;
        for (_, o) in chunk {
            seen += 1;
            if keep(&o) {
                out.push(o);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
        if seen >= scan || next == 0 {
            break;
        }
        through = next - 1;
    }
    Ok(out)
}

/// Orders whose buyer asked for a refund, oldest request first.
pub fn refund_requests(r: &impl Readable, limit: usize) -> StoreResult<Vec<OrderRecord>> {
    let mut out = Vec::new();
    for (id, ()) in r.range(REFUND_REQUESTS, .., limit)? {
        if let Some(o) = r.get(ORDERS, &id)? {
            out.push(o);
        }
    }
    Ok(out)
}

/// Pending orders (at most `limit`), to reconcile with their provider.
pub fn pending_orders(r: &impl Readable, limit: usize) -> StoreResult<Vec<OrderRecord>> {
    let mut out = Vec::new();
    for (_, id) in r.range(ORDERS_PENDING, .., limit)? {
        if let Some(o) = r.get(ORDERS, &id)? {
            out.push(o);
        }
    }
    Ok(out)
}

/// Keeps an event that came before the payment it is about.
pub fn park(
    tx: &mut Tx<'_>,
    order: OrderId,
    provider: Provider,
    event_id: &str,
    outcome: &Outcome,
) -> Result<()> {
    tx.put(PARKED_EVENTS, &(order.key(), ref_key(provider, event_id)), outcome)?;
    Ok(())
}

/// Takes the events parked for an order, in arrival order of their ids.
pub fn unpark(tx: &mut Tx<'_>, order: OrderId) -> Result<Vec<Outcome>> {
    let k = order.key();
    let rows = tx.range(PARKED_EVENTS, (k, String::new())..(k + 1, String::new()), usize::MAX)?;
    let mut out = Vec::with_capacity(rows.len());
    for (key, outcome) in rows {
        tx.remove(PARKED_EVENTS, &key)?;
        out.push(outcome);
    }
    Ok(out)
}

/// Records a provider event by its id; false if it was recorded before (apply it no more).
pub fn record_event(tx: &mut Tx<'_>, provider: Provider, event_id: &str, now: Timestamp) -> Result<bool> {
    let key = ref_key(provider, event_id);
    if tx.contains(PAYMENT_EVENTS, &key)? {
        return Ok(false);
    }
    tx.put(PAYMENT_EVENTS, &key, &now)?;
    Ok(true)
}

fn ref_key(provider: Provider, id: &str) -> String {
    format!("{}:{id}", provider.as_str())
}
