//! Coupons: percent or fixed discounts for one course (by its teacher) or the whole school (by
//! an admin). A pending order holds one use; paying redeems it, failing or expiring releases it.
//! Every count moves inside the writer's one transaction at a time, so `held + redemptions`
//! never passes `max_redemptions`, however many checkouts race.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CouponId, CourseId, UserId};
use crate::schema::{COUPON_USES, COUPONS, COUPONS_BY_CODE, COUPONS_BY_COURSE};
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// 1..=100 percent of the price.
    Percent(u8),
    /// A fixed amount in minor units of `currency`.
    Amount(i64),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CouponRecord {
    pub id: CouponId,
    /// Upper case: codes are case-insensitive.
    pub code: String,
    /// `None`: the whole school.
    pub course_id: Option<CourseId>,
    pub discount: Discount,
    /// For a fixed amount: the currency it is in.
    pub currency: Option<String>,
    pub max_redemptions: Option<u32>,
    pub expires_at: Option<Timestamp>,
    pub active: bool,
    pub redemptions: u32,
    pub held: u32,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// The normal form of a code as typed.
/// A coupon code as a teacher types it: 3 to 32 letters, digits, `-` or `_`.
pub fn check_code(raw: &str) -> Result<String, crate::error::FieldError> {
    let code = raw.trim();
    if (3..=32).contains(&code.chars().count())
        && code.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        Ok(code.to_owned())
    } else {
        Err(crate::error::FieldError::new("code", "must be 3 to 32 letters, digits, - or _"))
    }
}

pub fn normalize(code: &str) -> String {
    code.trim().to_uppercase()
}

fn code_key(course: Option<CourseId>, code: &str) -> String {
    match course {
        Some(c) => format!("{c}:{code}"),
        None => format!("*:{code}"),
    }
}

fn scope_key(course: Option<CourseId>) -> u128 {
    course.map_or(0, |c| c.key())
}

impl CouponRecord {
    /// What this coupon takes off `price_minor` in `currency`.
    pub fn discount_on(&self, price_minor: i64, currency: &str) -> i64 {
        match self.discount {
            Discount::Percent(p) => price_minor * i64::from(p.min(100)) / 100,
            Discount::Amount(a)
                if self.currency.as_deref().is_none_or(|c| c.eq_ignore_ascii_case(currency)) =>
            {
                a.clamp(0, price_minor)
            }
            Discount::Amount(_) => 0,
        }
    }

    /// Why `buyer` cannot use it now, if they cannot.
    pub fn refusal(
        &self,
        r: &impl Readable,
        buyer: UserId,
        currency: &str,
        now: Timestamp,
    ) -> StoreResult<Option<&'static str>> {
        Ok(if !self.active {
            Some("inactive")
        } else if self.expires_at.is_some_and(|e| e <= now) {
            Some("expired")
        } else if matches!(self.discount, Discount::Amount(_))
            && self.currency.as_deref().is_some_and(|c| !c.eq_ignore_ascii_case(currency))
        {
            Some("currency")
        } else if r.contains(COUPON_USES, &(self.id.key(), buyer.key()))? {
            Some("already_used")
        } else if self.max_redemptions.is_some_and(|m| self.redemptions >= m) {
            Some("used_up")
        } else if self.max_redemptions.is_some_and(|m| self.redemptions + self.held >= m) {
            Some("fully_held")
        } else {
            None
        })
    }
}

pub fn coupon(r: &impl Readable, id: CouponId) -> StoreResult<Option<CouponRecord>> {
    r.get(COUPONS, &id.key())
}

/// The coupon `code` names for a course: the course's own first, then a school-wide one.
pub fn find(r: &impl Readable, course: CourseId, code: &str) -> StoreResult<Option<CouponRecord>> {
    let code = normalize(code);
    for scope in [Some(course), None] {
        if let Some(id) = r.get(COUPONS_BY_CODE, &code_key(scope, &code))? {
            return r.get(COUPONS, &id);
        }
    }
    Ok(None)
}

/// A course's coupons (`None`: the school-wide ones), oldest first.
pub fn coupons_of(r: &impl Readable, course: Option<CourseId>) -> StoreResult<Vec<CouponRecord>> {
    let s = scope_key(course);
    let mut out = Vec::new();
    for ((_, id), ()) in r.range(COUPONS_BY_COURSE, (s, 0)..=(s, u128::MAX), usize::MAX)? {
        if let Some(c) = r.get(COUPONS, &id)? {
            out.push(c);
        }
    }
    Ok(out)
}

pub fn insert(tx: &mut Tx<'_>, c: &CouponRecord) -> Result<()> {
    let key = code_key(c.course_id, &c.code);
    if tx.contains(COUPONS_BY_CODE, &key)? {
        return Err(Error::Conflict {
            code: crate::error::Code::SlugTaken,
            detail: "A coupon with this code exists here already.".into(),
        });
    }
    tx.put(COUPONS_BY_CODE, &key, &c.id.key())?;
    tx.put(COUPONS_BY_COURSE, &(scope_key(c.course_id), c.id.key()), &())?;
    save(tx, c)
}

pub fn save(tx: &mut Tx<'_>, c: &CouponRecord) -> Result<()> {
    Ok(tx.put(COUPONS, &c.id.key(), c)?)
}

/// Holds one use for `buyer` (a pending order).
pub fn hold(tx: &mut Tx<'_>, c: &mut CouponRecord, buyer: UserId, order: u128) -> Result<()> {
    c.held += 1;
    tx.put(COUPON_USES, &(c.id.key(), buyer.key()), &order)?;
    save(tx, c)
}

/// The held use becomes a redemption (the order is paid).
pub fn redeem(tx: &mut Tx<'_>, id: CouponId) -> Result<()> {
    if let Some(mut c) = coupon(tx, id)? {
        c.held = c.held.saturating_sub(1);
        c.redemptions += 1;
        save(tx, &c)?;
    }
    Ok(())
}

/// Whether a use given back (its order expired or failed) can be taken again by that order,
/// paid late: the coupon has room and the buyer has not used it since.
pub fn can_retake(r: &impl Readable, id: CouponId, buyer: UserId) -> StoreResult<bool> {
    let Some(c) = coupon(r, id)? else { return Ok(false) };
    Ok(!r.contains(COUPON_USES, &(id.key(), buyer.key()))?
        && c.max_redemptions.is_none_or(|m| c.redemptions + c.held < m))
}

/// A use taken and redeemed at once: an order paid after its hold was given back.
pub fn retake(tx: &mut Tx<'_>, id: CouponId, buyer: UserId, order: u128) -> Result<()> {
    if let Some(mut c) = coupon(tx, id)? {
        c.redemptions += 1;
        tx.put(COUPON_USES, &(id.key(), buyer.key()), &order)?;
        save(tx, &c)?;
    }
    Ok(())
}

/// The held use is given back (the order failed, was canceled or expired).
pub fn release(tx: &mut Tx<'_>, id: CouponId, buyer: UserId) -> Result<()> {
    if let Some(mut c) = coupon(tx, id)? {
        c.held = c.held.saturating_sub(1);
        tx.remove(COUPON_USES, &(id.key(), buyer.key()))?;
        save(tx, &c)?;
    }
    Ok(())
}
