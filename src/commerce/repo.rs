//! Orders and provider events in redb: the only code touching commerce's tables.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CouponId, CourseId, OrderId, UserId};
use crate::schema::{ORDERS, ORDERS_BY_BUYER, ORDERS_BY_REF, ORDERS_PENDING, PAYMENT_EVENTS};
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
    pub fn is_final(self) -> bool {
        !matches!(self, OrderStatus::Pending)
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
    pub refunded_minor: i64,
}

impl OrderRecord {
    pub fn total_minor(&self) -> i64 {
        self.amount_minor - self.discount_minor
    }
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
    Ok(())
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
