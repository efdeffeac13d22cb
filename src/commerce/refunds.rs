//! Money given back: a buyer's refund request (inside the window, below the progress limit), an
//! admin's refund through the provider, what the provider's confirmation does to the order and
//! the ledger, and disputes (chargebacks), which freeze the teacher's share.

use super::ledger::{self, TxKind, entry, teacher};
use super::notices::Letters;
use super::payouts::require_admin;
use super::repo::{self, OrderRecord, OrderStatus, Outcome, Provider, RefundRequest};
use super::service::{Commerce, ProviderEvent};
use super::stripe;
use super::yookassa;
use crate::audit;
use crate::catalog::repo::{self as catalog, CourseRecord};
use crate::clock::Timestamp;
use crate::config::MoneyRules;
use crate::error::{Code, Error, Result};
use crate::identity::repo::UserRecord;
use crate::ids::{CourseId, OrderId, UserId};
use crate::learning::repo as learning;
use crate::learning::service::unenroll_in;
use crate::store::page::{Page, page_by};
use crate::store::{Readable, Tx};

/// Filters of the admin's order list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub course: Option<CourseId>,
    pub provider: Option<Provider>,
    /// Only orders whose buyer asked for a refund.
    pub refund_requested: bool,
}

impl OrderFilter {
    fn keeps(&self, o: &OrderRecord) -> bool {
        self.status.is_none_or(|s| s == o.status)
            && self.course.is_none_or(|c| c == o.course_id)
            && self.provider.is_none_or(|p| p == o.provider)
            && (!self.refund_requested || o.refund_request.is_some())
    }
}

/// How far a refund of `total` so far splits between the school's fee and the teacher.
fn fee_part(o: &OrderRecord, fee: i64, refunded: i64) -> i64 {
    let total = o.total_minor();
    if total == 0 { 0 } else { (i128::from(fee) * i128::from(refunded) / i128::from(total)) as i64 }
}

/// Where the teacher's share of an order is now: frozen, on hold, or available.
fn share_account(r: &impl Readable, o: &OrderRecord) -> Result<(&'static str, Option<ledger::Hold>)> {
    let Some(share) = &o.share else { return Ok(("available", None)) };
    if o.disputed {
        return Ok(("frozen", None));
    }
    match ledger::hold_of(r, share.hold_until, o.id)? {
        Some(h) => Ok(("pending", Some(h))),
        None => Ok(("available", None)),
    }
}

/// Applies a refund the provider confirmed: `total_minor` is everything refunded so far, so a
/// repeated or late report changes nothing. A full refund ends the enrollment.
pub(super) fn record_refund(
    tx: &mut Tx<'_>,
    o: &mut OrderRecord,
    total_minor: i64,
    now: Timestamp,
    letters: &Letters,
) -> Result<Option<CourseRecord>> {
    let total = o.total_minor();
    let new = total_minor.min(total);
    let old = o.refunded_minor;
    if new <= old {
        return Ok(None);
    }
    let delta = new - old;
    if let Some(share) = o.share.clone() {
        let fee_back = fee_part(o, share.fee_minor, new) - fee_part(o, share.fee_minor, old);
        let teacher_back = delta - fee_back;
        let (part, hold) = share_account(tx, o)?;
        if let Some(mut h) = hold {
            h.amount_minor -= teacher_back;
            ledger::set_hold(tx, share.hold_until, o.id, Some(&h))?;
        }
        ledger::post(
            tx,
            TxKind::Refund,
            Some(o.id),
            None,
            vec![
                entry(ledger::provider(o.provider.as_str()), &o.currency, -delta),
                entry(ledger::REVENUE, &o.currency, fee_back),
                entry(teacher(share.teacher, part), &o.currency, teacher_back),
            ],
            now,
        )?;
        repo::count_money(tx, o.course_id, now, &o.currency, 0, delta)?;
    }
    o.refunded_minor = new;
    o.refund_asked_minor = o.refund_asked_minor.max(new);
    o.refund_request = None;
    o.status = if new >= total { OrderStatus::Refunded } else { OrderStatus::PartiallyRefunded };
    o.updated_at = now;
    repo::save_order(tx, o)?;
    let mut c = catalog::get_course(tx, o.course_id)?;
    if let Some(buyer) = crate::identity::repo::user(tx, o.buyer_id)? {
        letters.refund(tx, &buyer, o, &c.title, delta, now)?;
    }
    if new >= total && unenroll_in(tx, o.buyer_id, &mut c)? {
        return Ok(Some(c));
    }
    Ok(None)
}

/// A chargeback: what is left of the teacher's share is frozen until the school settles it.
pub(super) fn record_dispute(tx: &mut Tx<'_>, o: &mut OrderRecord, now: Timestamp) -> Result<()> {
    if o.disputed {
        return Ok(());
    }
    if let Some(share) = o.share.clone() {
        let teacher_refunded = o.refunded_minor - fee_part(o, share.fee_minor, o.refunded_minor);
        let left = share.teacher_minor - teacher_refunded;
        let (part, hold) = share_account(tx, o)?;
        if hold.is_some() {
            ledger::set_hold(tx, share.hold_until, o.id, None)?;
        }
        ledger::post(
            tx,
            TxKind::Dispute,
            Some(o.id),
            None,
            vec![
                entry(teacher(share.teacher, part), &o.currency, left),
                entry(teacher(share.teacher, "frozen"), &o.currency, -left),
            ],
            now,
        )?;
    }
    o.disputed = true;
    o.updated_at = now;
    repo::save_order(tx, o)
}

/// Why a buyer may not ask for a refund of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRefusal {
    /// Not paid, nothing left to refund, or under a dispute.
    NotRefundable,
    /// The refund window after the payment is over.
    WindowClosed,
    /// The buyer completed more of the course than the rules allow.
    TooMuchProgress,
}

impl RefundRefusal {
    /// The error the API answers (both late cases are `refund_window_closed`).
    fn error(self) -> Error {
        let closed =
            |detail: &str| Error::Conflict { code: Code::RefundWindowClosed, detail: detail.to_owned() };
        match self {
            RefundRefusal::NotRefundable => not_refundable("This order has nothing left to refund."),
            RefundRefusal::WindowClosed => closed("The refund period for this order is over."),
            RefundRefusal::TooMuchProgress => {
                closed("You have completed too much of this course for a refund.")
            }
        }
    }
}

/// The rules of a buyer's refund request, in the order they are checked.
fn refusal(
    r: &impl Readable,
    o: &OrderRecord,
    now: Timestamp,
    rules: &MoneyRules,
) -> Result<Option<RefundRefusal>> {
    if !o.status.is_settled() || o.refundable_minor() <= 0 || o.disputed {
        return Ok(Some(RefundRefusal::NotRefundable));
    }
    let paid_at = o.paid_at.unwrap_or(o.created_at);
    if now.0 - paid_at.0 > rules.refund_window.as_millis() as i64 {
        return Ok(Some(RefundRefusal::WindowClosed));
    }
    let c = catalog::get_course(r, o.course_id)?;
    let done = learning::enrollment(r, o.buyer_id, o.course_id)?.map_or(0, |e| e.completed_lessons);
    if c.total_lessons > 0
        && u64::from(done) * 100 >= u64::from(c.total_lessons) * u64::from(rules.refund_max_progress)
    {
        return Ok(Some(RefundRefusal::TooMuchProgress));
    }
    Ok(None)
}

fn not_refundable(detail: &str) -> Error {
    Error::Conflict { code: Code::NotRefundable, detail: detail.to_owned() }
}

impl Commerce {
    /// The buyer asks for their money back: inside the refund window and below the progress
    /// limit. With automatic refunds on, the refund is asked of the provider at once.
    pub async fn request_refund(&self, who: &UserRecord, id: OrderId, reason: String) -> Result<OrderRecord> {
        let (now, rules, buyer) = (self.now(), self.rules.clone(), who.id);
        let o = self
            .store
            .write(move |tx| {
                let mut o = repo::get_order(tx, id)?;
                if o.buyer_id != buyer {
                    return Err(Error::NotFound);
                }
                if let Some(why) = refusal(tx, &o, now, &rules)? {
                    return Err(why.error());
                }
                o.refund_request = Some(RefundRequest { reason: reason.clone(), at: now });
                o.updated_at = now;
                repo::save_order(tx, &o)?;
                Ok(o)
            })
            .await?;
        if self.rules.refund_auto {
            return self
                .give_back(id, None, None, "automatic: inside the refund window and progress limit")
                .await;
        }
        Ok(o)
    }

    /// Whether the buyer may ask for a refund of their order now, and if not, why (for the order
    /// page, which offers the request only when it would be accepted). Someone else's order: 404.
    pub async fn refund_refusal(&self, who: &UserRecord, id: OrderId) -> Result<Option<RefundRefusal>> {
        let (now, rules, buyer) = (self.now(), self.rules.clone(), who.id);
        self.store
            .read(move |rtx| {
                let o = repo::get_order(rtx, id)?;
                if o.buyer_id != buyer {
                    return Err(Error::NotFound);
                }
                refusal(rtx, &o, now, &rules)
            })
            .await
    }

    /// An admin refunds an order in full (`amount: None`) or in part, through its provider.
    pub async fn refund(
        &self,
        who: &UserRecord,
        id: OrderId,
        amount: Option<i64>,
        reason: String,
    ) -> Result<OrderRecord> {
        require_admin(who)?;
        tracing::info!(order = %id, admin = %who.id, "refund requested by an admin");
        self.give_back(id, amount, Some(who.id), &reason).await
    }

    /// Asks the provider for a refund: the amount asked is recorded first (so two refunds cannot
    /// together ask for more than was paid), given back if the provider refuses. The order and
    /// the ledger change when the provider confirms; the test provider confirms at once.
    /// The request lands in the audit log with `actor` (`None`: the automatic rule) and
    /// `reason`, in the unit of work that records it as asked.
    async fn give_back(
        &self,
        id: OrderId,
        amount: Option<i64>,
        actor: Option<UserId>,
        reason: &str,
    ) -> Result<OrderRecord> {
        let now = self.now();
        let reason = reason.to_owned();
        let (o, asked_before) = self
            .store
            .write(move |tx| {
                let mut o = repo::get_order(tx, id)?;
                if !o.status.is_settled() {
                    return Err(not_refundable("Only a paid order can be refunded."));
                }
                let left = o.refundable_minor();
                let amount = amount.unwrap_or(left);
                if amount <= 0 || amount > left {
                    return Err(not_refundable(&format!("At most {left} minor units are left to refund.")));
                }
                let before = o.refund_asked_minor.max(o.refunded_minor);
                o.refund_asked_minor = before + amount;
                o.updated_at = now;
                repo::save_order(tx, &o)?;
                audit::record(
                    tx,
                    audit::Action {
                        actor,
                        action: "order.refund",
                        target_type: "order",
                        target_id: id.to_string(),
                        reason: Some(&format!("{amount} {} (minor units): {reason}", o.currency)),
                    },
                    now,
                )?;
                Ok((o, before))
            })
            .await?;
        let amount = o.refund_asked_minor - asked_before;
        let key = format!("lectern-refund-{}-{}", o.id, o.refund_asked_minor);
        let asked = match o.provider {
            Provider::Test => Ok(()),
            Provider::Stripe => match (&self.stripe, &o.payment_ref) {
                (Some(stripe), Some(pi)) => {
                    let order_id = o.id.to_string();
                    stripe
                        .refund(&stripe::RefundRequest {
                            payment_intent: pi,
                            amount_minor: amount,
                            order_id: &order_id,
                            idempotency_key: &key,
                        })
                        .await
                }
                _ => Err(Error::Unavailable("Stripe is not configured, or the payment is unknown".into())),
            },
            Provider::YooKassa => match (&self.yookassa, &o.provider_ref) {
                (Some(yookassa), Some(payment)) => {
                    let (oid, cid) = (o.id, o.course_id);
                    let (title, email) = self
                        .store
                        .read(move |rtx| {
                            let c = catalog::get_course(rtx, cid)?;
                            let o = repo::get_order(rtx, oid)?;
                            let email = crate::identity::repo::user(rtx, o.buyer_id)?.map(|u| u.email);
                            Ok((c.title, email.unwrap_or_default()))
                        })
                        .await?;
                    yookassa
                        .refund(&yookassa::RefundRequest {
                            payment_id: payment,
                            amount_minor: amount,
                            currency: &o.currency,
                            course_title: &title,
                            customer_email: &email,
                            idempotence_key: &key,
                        })
                        .await
                        .map(|_| ())
                }
                _ => Err(Error::Unavailable("YooKassa is not configured, or the payment is unknown".into())),
            },
        };
        if let Err(e) = asked {
            // Not asked after all: what is left to refund is as before.
            self.store
                .write(move |tx| {
                    let mut o = repo::get_order(tx, id)?;
                    o.refund_asked_minor = asked_before.min(o.refund_asked_minor);
                    repo::save_order(tx, &o)
                })
                .await?;
            return Err(e);
        }
        if o.provider == Provider::Test {
            let event_id = format!("{id}:refund:{}", o.refund_asked_minor);
            let outcome = Outcome::Refunded { total_minor: o.refund_asked_minor };
            self.apply(ProviderEvent { provider: Provider::Test, event_id, order: id, outcome }).await?;
        }
        self.store.read(move |rtx| repo::get_order(rtx, id)).await
    }

    /// Every order (admins), newest first, filtered.
    pub async fn all_orders(
        &self,
        who: &UserRecord,
        filter: OrderFilter,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<OrderRecord>> {
        require_admin(who)?;
        let rows = self
            .store
            .read(move |rtx| Ok(repo::orders_where(rtx, before, limit + 1, 200_000, |o| filter.keeps(o))?))
            .await?;
        Ok(page_by(rows, limit, |o| o.id.key()))
    }

    /// The ledger's transactions (admins), newest first.
    pub async fn ledger(
        &self,
        who: &UserRecord,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<ledger::LedgerTx>> {
        require_admin(who)?;
        let rows = self.store.read(move |rtx| Ok(ledger::transactions(rtx, before, limit + 1)?)).await?;
        Ok(page_by(rows, limit, |t| t.id.key()))
    }
}
