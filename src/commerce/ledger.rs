//! The double-entry ledger: every movement of money is one transaction whose entries sum to
//! zero in each currency, written in the same unit of work as the order or payout it records.
//! Balances are kept beside the entries and can always be recomputed from them (`lectern check`
//! does, with [`verify`]).
//!
//! Signs: an entry is positive for what the school holds or is owed (a debit) and negative for
//! what it owes (a credit). A teacher's earnings are credits, so their balances are negative and
//! the pages show them negated.
//!
//! Accounts (per currency, never converted):
//! - `provider:{stripe|yookassa|test}`: money taken by a provider and not given back;
//! - `platform:revenue`: the school's fee;
//! - `teacher:{id}:pending`: a teacher's share inside the payout hold;
//! - `teacher:{id}:available`: a teacher's share they may ask to be paid;
//! - `teacher:{id}:frozen`: a share under dispute;
//! - `teacher:{id}:payout`: asked for, not yet paid;
//! - `payouts:paid`: money that left the school to pay teachers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{LedgerTxId, OrderId, PayoutId, UserId};
use crate::schema::{LEDGER, LEDGER_BALANCES, LEDGER_HOLDS};
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TxKind {
    Sale,
    Refund,
    Dispute,
    /// A sale's teacher share leaving the hold.
    Release,
    PayoutRequested,
    PayoutPaid,
    PayoutRejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub account: String,
    pub currency: String,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LedgerTx {
    pub id: LedgerTxId,
    pub kind: TxKind,
    pub at: Timestamp,
    pub order: Option<OrderId>,
    pub payout: Option<PayoutId>,
    pub entries: Vec<Entry>,
}

/// A sale's teacher share waiting for the end of its hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hold {
    pub teacher: UserId,
    pub currency: String,
    /// What is still pending (refunds taken during the hold come off it).
    pub amount_minor: i64,
}

pub fn provider(name: &str) -> String {
    format!("provider:{name}")
}

pub const REVENUE: &str = "platform:revenue";
pub const PAID_OUT: &str = "payouts:paid";

/// A teacher's account: `part` is `pending`, `available`, `frozen` or `payout`.
pub fn teacher(id: UserId, part: &str) -> String {
    format!("teacher:{id}:{part}")
}

fn balance_key(account: &str, currency: &str) -> String {
    format!("{account}|{currency}")
}

/// One entry.
pub fn entry(account: impl Into<String>, currency: &str, amount_minor: i64) -> Entry {
    Entry { account: account.into(), currency: currency.to_owned(), amount_minor }
}

/// What entries must satisfy: each currency sums to zero. Returns the currency that does not.
fn unbalanced(entries: &[Entry]) -> Option<String> {
    let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
    for e in entries {
        *sums.entry(&e.currency).or_default() += e.amount_minor;
    }
    sums.into_iter().find(|(_, s)| *s != 0).map(|(c, _)| c.to_owned())
}

/// Writes one transaction and moves the balances it touches. Entries of zero are dropped; a
/// transaction with nothing left is not written. An unbalanced one is a bug, refused whole.
pub fn post(
    tx: &mut Tx<'_>,
    kind: TxKind,
    order: Option<OrderId>,
    payout: Option<PayoutId>,
    entries: Vec<Entry>,
    at: Timestamp,
) -> Result<()> {
    let entries: Vec<Entry> = entries.into_iter().filter(|e| e.amount_minor != 0).collect();
    if entries.is_empty() {
        return Ok(());
    }
    if let Some(currency) = unbalanced(&entries) {
        return Err(anyhow::anyhow!("an unbalanced {kind:?} transaction in {currency}: {entries:?}").into());
    }
    for e in &entries {
        let key = balance_key(&e.account, &e.currency);
        let now = tx.get(LEDGER_BALANCES, &key)?.unwrap_or(0);
        tx.put(LEDGER_BALANCES, &key, &(now + e.amount_minor))?;
    }
    // Transactions are listed in the order they were posted: ids generated in the same
    // millisecond are random among themselves, so a new one starts after the last.
    let mut id = LedgerTxId::generate();
    if let Some((last, _)) = tx.range_rev(LEDGER, .., 1)?.first()
        && *last >= id.key()
    {
        id = LedgerTxId::from_key(last + 1);
    }
    let record = LedgerTx { id, kind, at, order, payout, entries };
    tx.put(LEDGER, &record.id.key(), &record)?;
    Ok(())
}

pub fn balance(r: &impl Readable, account: &str, currency: &str) -> StoreResult<i64> {
    Ok(r.get(LEDGER_BALANCES, &balance_key(account, currency))?.unwrap_or(0))
}

/// Every balance of a teacher: `(part, currency) → balance`.
pub fn teacher_balances(r: &impl Readable, id: UserId) -> StoreResult<Vec<(String, String, i64)>> {
    let prefix = format!("teacher:{id}:");
    // ';' is the character after ':': the range holds exactly the keys with the prefix.
    let end = format!("teacher:{id};");
    let rows = r.range(LEDGER_BALANCES, prefix.clone()..end, 1000)?;
    Ok(rows
        .into_iter()
        .filter_map(|(key, v)| {
            let rest = key.strip_prefix(&prefix)?;
            let (part, currency) = rest.split_once('|')?;
            Some((part.to_owned(), currency.to_owned(), v))
        })
        .collect())
}

/// Transactions, newest first, strictly before `before` (a transaction id key).
pub fn transactions(r: &impl Readable, before: Option<u128>, limit: usize) -> StoreResult<Vec<LedgerTx>> {
    let through = before.map_or(u128::MAX, |b| b.saturating_sub(1));
    Ok(r.range_rev(LEDGER, ..=through, limit)?.into_iter().map(|(_, t)| t).collect())
}

/// Puts a sale's teacher share on hold until `until`.
pub fn hold(tx: &mut Tx<'_>, until: Timestamp, order: OrderId, h: &Hold) -> Result<()> {
    tx.put(LEDGER_HOLDS, &(until.millis(), order.key()), h)?;
    Ok(())
}

/// The hold of an order's share, if it is still on hold.
pub fn hold_of(r: &impl Readable, until: Timestamp, order: OrderId) -> StoreResult<Option<Hold>> {
    r.get(LEDGER_HOLDS, &(until.millis(), order.key()))
}

pub fn set_hold(tx: &mut Tx<'_>, until: Timestamp, order: OrderId, h: Option<&Hold>) -> Result<()> {
    match h {
        Some(h) if h.amount_minor > 0 => hold(tx, until, order, h),
        _ => {
            tx.remove(LEDGER_HOLDS, &(until.millis(), order.key()))?;
            Ok(())
        }
    }
}

/// Moves the shares whose hold has ended from pending to available, at most `max` of them.
/// Returns how many were released.
pub fn release_due(tx: &mut Tx<'_>, now: Timestamp, max: usize) -> Result<usize> {
    let due = tx.range(LEDGER_HOLDS, ..=(now.millis(), u128::MAX), max)?;
    for ((until, order), h) in &due {
        tx.remove(LEDGER_HOLDS, &(*until, *order))?;
        post(
            tx,
            TxKind::Release,
            Some(OrderId::from_key(*order)),
            None,
            vec![
                entry(teacher(h.teacher, "pending"), &h.currency, h.amount_minor),
                entry(teacher(h.teacher, "available"), &h.currency, -h.amount_minor),
            ],
            now,
        )?;
    }
    Ok(due.len())
}

/// Whether anything is due for release (read-only, to skip a write when nothing is).
pub fn any_due(r: &impl Readable, now: Timestamp) -> StoreResult<bool> {
    Ok(!r.range(LEDGER_HOLDS, ..=(now.millis(), u128::MAX), 1)?.is_empty())
}

/// What [`verify`] found.
#[derive(Debug, Default)]
pub struct Audit {
    pub transactions: u64,
    pub entries: u64,
    pub balances: u64,
    pub problems: Vec<String>,
}

/// Proves the ledger: every transaction balances in each currency, every kept balance equals the
/// sum of its entries, and what is on hold equals each teacher's pending balance.
pub fn verify(r: &impl Readable) -> StoreResult<Audit> {
    let mut audit = Audit::default();
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    let mut after: Option<u128> = None;
    loop {
        let chunk = match after {
            None => r.range(LEDGER, .., 1000)?,
            Some(k) => r.range(LEDGER, (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded), 1000)?,
        };
        let Some((last, _)) = chunk.last() else { break };
        after = Some(*last);
        for (_, t) in chunk {
            audit.transactions += 1;
            if let Some(currency) = unbalanced(&t.entries) {
                audit
                    .problems
                    .push(format!("transaction {} ({:?}) does not balance in {currency}", t.id, t.kind));
            }
            for e in &t.entries {
                audit.entries += 1;
                *sums.entry(balance_key(&e.account, &e.currency)).or_default() += e.amount_minor;
            }
        }
    }
    let kept: BTreeMap<String, i64> = r.range(LEDGER_BALANCES, .., usize::MAX)?.into_iter().collect();
    audit.balances = kept.len() as u64;
    for (key, sum) in &sums {
        let have = kept.get(key).copied().unwrap_or(0);
        if have != *sum {
            audit.problems.push(format!("balance {key} is {have}, its entries sum to {sum}"));
        }
    }
    for (key, have) in &kept {
        if !sums.contains_key(key) && *have != 0 {
            audit.problems.push(format!("balance {key} is {have} without any entry"));
        }
    }
    let mut held: BTreeMap<String, i64> = BTreeMap::new();
    for (_, h) in r.range(LEDGER_HOLDS, .., usize::MAX)? {
        *held.entry(balance_key(&teacher(h.teacher, "pending"), &h.currency)).or_default() += h.amount_minor;
    }
    for (key, sum) in &sums {
        if key.contains(":pending|") && held.get(key).copied().unwrap_or(0) != -*sum {
            audit
                .problems
                .push(format!("{key} is {sum} but {} is on hold", held.get(key).copied().unwrap_or(0)));
        }
    }
    Ok(audit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_is_per_currency() {
        let ok = [entry("a", "USD", 5), entry("b", "USD", -5), entry("a", "RUB", 3), entry("c", "RUB", -3)];
        assert_eq!(unbalanced(&ok), None);
        let bad = [entry("a", "USD", 5), entry("b", "RUB", -5)];
        assert_eq!(unbalanced(&bad).as_deref(), Some("RUB"));
    }
}
