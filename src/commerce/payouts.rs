//! Teachers' earnings and payouts: what the ledger says a teacher is owed, their requests to be
//! paid, and an admin marking each paid (with the bank's reference) or rejecting it (the money
//! returns to available). Every step posts to the ledger in the same unit of work.

use serde::{Deserialize, Serialize};

use super::ledger::{self, TxKind, entry, teacher};
use super::service::Commerce;
use crate::clock::Timestamp;
use crate::error::{Code, Error, Result};
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::{PayoutId, UserId};
use crate::schema::{PAYOUTS, PAYOUTS_BY_TEACHER};
use crate::store::page::{Page, page_by};
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    Requested,
    Paid,
    Rejected,
}

impl PayoutStatus {
    pub fn parse(s: &str) -> Option<PayoutStatus> {
        match s {
            "requested" => Some(PayoutStatus::Requested),
            "paid" => Some(PayoutStatus::Paid),
            "rejected" => Some(PayoutStatus::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayoutRecord {
    pub id: PayoutId,
    pub teacher: UserId,
    pub currency: String,
    pub amount_minor: i64,
    pub status: PayoutStatus,
    /// The bank's reference, once paid.
    pub reference: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<UserId>,
}

/// What a teacher is owed in one currency (positive amounts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Earnings {
    pub currency: String,
    pub pending_minor: i64,
    pub available_minor: i64,
    /// Under dispute.
    pub frozen_minor: i64,
    /// Asked for and not yet paid.
    pub requested_minor: i64,
    pub paid_out_minor: i64,
}

pub fn payout(r: &impl Readable, id: PayoutId) -> StoreResult<Option<PayoutRecord>> {
    r.get(PAYOUTS, &id.key())
}

fn save(tx: &mut Tx<'_>, p: &PayoutRecord) -> Result<()> {
    tx.put(PAYOUTS, &p.id.key(), p)?;
    tx.put(PAYOUTS_BY_TEACHER, &(p.teacher.key(), p.id.key()), &())?;
    Ok(())
}

/// A teacher's payouts, newest first, strictly before `before`.
fn payouts_of(
    r: &impl Readable,
    who: UserId,
    before: Option<u128>,
    limit: usize,
) -> StoreResult<Vec<PayoutRecord>> {
    let (t, through) = (who.key(), before.map_or(u128::MAX, |b| b.saturating_sub(1)));
    let mut out = Vec::new();
    for ((_, id), ()) in r.range_rev(PAYOUTS_BY_TEACHER, (t, 0)..=(t, through), limit)? {
        if let Some(p) = r.get(PAYOUTS, &id)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// Every payout, newest first, strictly before `before`, optionally of one status.
fn all_payouts(
    r: &impl Readable,
    status: Option<PayoutStatus>,
    before: Option<u128>,
    limit: usize,
) -> StoreResult<Vec<PayoutRecord>> {
    let mut through = before.map_or(u128::MAX, |b| b.saturating_sub(1));
    let mut out = Vec::new();
    loop {
        let chunk = r.range_rev(PAYOUTS, ..=through, 256)?;
        let Some((last, _)) = chunk.last() else { break };
        let next = *last;
        for (_, p) in chunk {
            if status.is_none_or(|s| s == p.status) {
                out.push(p);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
        if next == 0 {
            break;
        }
        through = next - 1;
    }
    Ok(out)
}

/// A teacher's earnings per currency, from the ledger's balances and their paid payouts.
pub fn earnings_of(r: &impl Readable, who: UserId) -> StoreResult<Vec<Earnings>> {
    let mut out: Vec<Earnings> = Vec::new();
    fn row<'a>(out: &'a mut Vec<Earnings>, currency: &str) -> &'a mut Earnings {
        if let Some(i) = out.iter().position(|e| e.currency == currency) {
            return &mut out[i];
        }
        out.push(Earnings { currency: currency.to_owned(), ..Earnings::default() });
        out.last_mut().expect("just pushed")
    }
    for (part, currency, balance) in ledger::teacher_balances(r, who)? {
        // The teacher's accounts are credits: what they are owed is the negated balance.
        let owed = -balance;
        let e = row(&mut out, &currency);
        match part.as_str() {
            "pending" => e.pending_minor += owed,
            "available" => e.available_minor += owed,
            "frozen" => e.frozen_minor += owed,
            "payout" => e.requested_minor += owed,
            _ => {}
        }
    }
    let mut before = None;
    loop {
        let page = payouts_of(r, who, before, 500)?;
        let Some(last) = page.last() else { break };
        before = Some(last.id.key());
        for p in page.iter().filter(|p| p.status == PayoutStatus::Paid) {
            row(&mut out, &p.currency).paid_out_minor += p.amount_minor;
        }
    }
    out.sort_by(|a, b| a.currency.cmp(&b.currency));
    Ok(out)
}

impl Commerce {
    /// Moves the shares whose hold has ended to available (a write only when one has).
    pub async fn release_due(&self) -> Result<usize> {
        let now = self.now();
        if !self.store.read(move |rtx| Ok(ledger::any_due(rtx, now)?)).await? {
            return Ok(0);
        }
        self.store.write(move |tx| ledger::release_due(tx, now, 1000)).await
    }

    /// The caller's earnings (teachers; admins see their own, usually none).
    pub async fn earnings(&self, who: &UserRecord) -> Result<Vec<Earnings>> {
        require_teacher(who)?;
        self.release_due().await?;
        let id = who.id;
        self.store.read(move |rtx| Ok(earnings_of(rtx, id)?)).await
    }

    /// A teacher asks to be paid `amount` (default: everything available) in `currency`.
    pub async fn request_payout(
        &self,
        who: &UserRecord,
        currency: &str,
        amount: Option<i64>,
    ) -> Result<PayoutRecord> {
        require_teacher(who)?;
        self.release_due().await?;
        let (teacher_id, now, min) = (who.id, self.now(), self.rules.payout_min_minor);
        let currency = currency.trim().to_ascii_uppercase();
        self.store
            .write(move |tx| {
                let available = -ledger::balance(tx, &teacher(teacher_id, "available"), &currency)?;
                let amount = amount.unwrap_or(available);
                if amount < min || amount > available {
                    return Err(Error::Conflict {
                        code: Code::PayoutUnavailable,
                        detail: format!(
                            "A payout is at least {min} and at most what is available ({available}), \
                             in minor units of {currency}."
                        ),
                    });
                }
                let p = PayoutRecord {
                    id: PayoutId::generate(),
                    teacher: teacher_id,
                    currency: currency.clone(),
                    amount_minor: amount,
                    status: PayoutStatus::Requested,
                    reference: None,
                    reason: None,
                    created_at: now,
                    decided_at: None,
                    decided_by: None,
                };
                ledger::post(
                    tx,
                    TxKind::PayoutRequested,
                    None,
                    Some(p.id),
                    vec![
                        entry(teacher(teacher_id, "available"), &currency, amount),
                        entry(teacher(teacher_id, "payout"), &currency, -amount),
                    ],
                    now,
                )?;
                save(tx, &p)?;
                Ok(p)
            })
            .await
    }

    pub async fn my_payouts(
        &self,
        who: &UserRecord,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<PayoutRecord>> {
        require_teacher(who)?;
        let id = who.id;
        let rows = self.store.read(move |rtx| Ok(payouts_of(rtx, id, before, limit + 1)?)).await?;
        Ok(page_by(rows, limit, |p| p.id.key()))
    }

    /// Every payout (admins), optionally of one status.
    pub async fn payouts(
        &self,
        who: &UserRecord,
        status: Option<PayoutStatus>,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<PayoutRecord>> {
        require_admin(who)?;
        let rows = self.store.read(move |rtx| Ok(all_payouts(rtx, status, before, limit + 1)?)).await?;
        Ok(page_by(rows, limit, |p| p.id.key()))
    }

    /// An admin marks a payout paid (`Ok(reference)`) or rejects it (`Err(reason)`): the first
    /// decision stands, a second one is refused.
    pub async fn decide_payout(
        &self,
        who: &UserRecord,
        id: PayoutId,
        decision: std::result::Result<String, String>,
    ) -> Result<PayoutRecord> {
        require_admin(who)?;
        let (admin, now, letters) = (who.id, self.now(), self.letters.clone());
        let p = self
            .store
            .write(move |tx| {
                let mut p = payout(tx, id)?.ok_or(Error::NotFound)?;
                if p.status != PayoutStatus::Requested {
                    return Err(Error::Conflict {
                        code: Code::PayoutDecided,
                        detail: "This payout has already been decided.".into(),
                    });
                }
                let (kind, to) = match &decision {
                    Ok(_) => (TxKind::PayoutPaid, ledger::PAID_OUT.to_owned()),
                    Err(_) => (TxKind::PayoutRejected, teacher(p.teacher, "available")),
                };
                ledger::post(
                    tx,
                    kind,
                    None,
                    Some(p.id),
                    vec![
                        entry(teacher(p.teacher, "payout"), &p.currency, p.amount_minor),
                        entry(to, &p.currency, -p.amount_minor),
                    ],
                    now,
                )?;
                match &decision {
                    Ok(reference) => {
                        p.status = PayoutStatus::Paid;
                        p.reference = Some(reference.clone());
                    }
                    Err(reason) => {
                        p.status = PayoutStatus::Rejected;
                        p.reason = Some(reason.clone());
                    }
                }
                p.decided_at = Some(now);
                p.decided_by = Some(admin);
                save(tx, &p)?;
                let (action, why) = match &decision {
                    Ok(reference) => ("payout.paid", format!("bank reference {reference}")),
                    Err(reason) => ("payout.reject", reason.clone()),
                };
                crate::audit::record(
                    tx,
                    crate::audit::Action {
                        actor: Some(admin),
                        action,
                        target_type: "payout",
                        target_id: p.id.to_string(),
                        reason: Some(&why),
                    },
                    now,
                )?;
                if let Some(user) = crate::identity::repo::user(tx, p.teacher)? {
                    letters.payout_decided(tx, &user, &p, now)?;
                }
                Ok(p)
            })
            .await?;
        self.mailer.wake();
        Ok(p)
    }
}

fn require_teacher(who: &UserRecord) -> Result<()> {
    if matches!(who.role, Role::Teacher | Role::Admin) {
        Ok(())
    } else {
        Err(Error::Forbidden { code: Code::TeachersOnly, detail: "Only teachers have earnings.".into() })
    }
}

pub(super) fn require_admin(who: &UserRecord) -> Result<()> {
    if who.role == Role::Admin { Ok(()) } else { Err(Error::forbidden()) }
}
