//! The analytics counters as the records imply them: the recount behind the migration's
//! backfill and behind `lectern check`.
//!
//! The counters themselves are moved by the writes (learning's repo for enrollments,
//! completions and reviews; commerce's sales and refunds); this module only reads the records
//! they count, so a drift between the two is found (`verify`) or, on an upgrade, never starts
//! (`backfill` writes the recount).

use std::collections::{BTreeMap, BTreeSet};

use crate::commerce::ledger::{LedgerTx, TxKind};
use crate::commerce::repo::{MoneyDay, OrderRecord};
use crate::learning::repo::{DayCounts, EnrollmentRecord, ReviewRecord};
use crate::schema::{
    ACTIVITY_BY_COURSE, COMPLETIONS, COMPLETIONS_BY_LESSON, COURSE_DAYS, COURSE_MONEY, COURSE_RATINGS,
    ENROLLMENTS, LEDGER, LESSON_COMPLETED, ORDERS, REVIEWS,
};
use crate::store::table::{KeyType, Record, Table};
use crate::store::{Readable, StoreResult, Tx};

/// Every counter, recounted.
#[derive(Debug, Default, PartialEq)]
pub struct Expected {
    pub days: BTreeMap<(u128, u32), DayCounts>,
    pub activity: BTreeSet<(u128, i64, u128)>,
    pub lessons: BTreeMap<u128, u64>,
    pub ratings: BTreeMap<(u128, u8), u64>,
    pub money: BTreeMap<(u128, u32, String), MoneyDay>,
}

/// Calls `f` with every entry of `t`, reading 1000 at a time.
fn each<K: KeyType + Ord, V: Record>(
    r: &impl Readable,
    t: Table<K, V>,
    mut f: impl FnMut(K, V) -> StoreResult<()>,
) -> StoreResult<()> {
    use std::ops::Bound::{Excluded, Unbounded};
    let mut after: Option<K> = None;
    loop {
        let chunk = match &after {
            None => r.range(t, .., 1000)?,
            Some(k) => r.range(t, (Excluded(k.clone()), Unbounded), 1000)?,
        };
        let Some((last, _)) = chunk.last() else { return Ok(()) };
        after = Some(last.clone());
        for (k, v) in chunk {
            f(k, v)?;
        }
    }
}

/// What the records say every counter should be.
pub fn expected(r: &impl Readable) -> StoreResult<Expected> {
    let mut x = Expected::default();
    each(r, ENROLLMENTS, |(u, c), e: EnrollmentRecord| {
        x.days.entry((c, e.enrolled_at.day())).or_default().enrollments += 1;
        if let Some(day) = e.completed_day() {
            x.days.entry((c, day)).or_default().completions += 1;
        }
        x.activity.insert((c, e.last_activity().millis(), u));
        Ok(())
    })?;
    each(r, COMPLETIONS_BY_LESSON, |(l, _), ()| {
        *x.lessons.entry(l).or_default() += 1;
        Ok(())
    })?;
    each(r, REVIEWS, |_, rev: ReviewRecord| {
        if rev.is_published() {
            *x.ratings.entry((rev.course_id.key(), rev.rating)).or_default() += 1;
        }
        Ok(())
    })?;
    each(r, LEDGER, |_, t: LedgerTx| {
        let Some(order) = t.order else { return Ok(()) };
        if !matches!(t.kind, TxKind::Sale | TxKind::Refund) {
            return Ok(());
        }
        let Some(o): Option<OrderRecord> = r.get(ORDERS, &order.key())? else { return Ok(()) };
        for e in t.entries.iter().filter(|e| e.account.starts_with("provider:")) {
            let m = x.money.entry((o.course_id.key(), t.at.day(), e.currency.clone())).or_default();
            match t.kind {
                TxKind::Sale => m.sales_minor += e.amount_minor,
                _ => m.refunds_minor -= e.amount_minor,
            }
        }
        Ok(())
    })?;
    Ok(x)
}

/// What the counter tables hold.
pub fn stored(r: &impl Readable) -> StoreResult<Expected> {
    let mut x = Expected::default();
    each(r, COURSE_DAYS, |k, v| {
        x.days.insert(k, v);
        Ok(())
    })?;
    each(r, ACTIVITY_BY_COURSE, |k, ()| {
        x.activity.insert(k);
        Ok(())
    })?;
    each(r, LESSON_COMPLETED, |k, v| {
        x.lessons.insert(k, v);
        Ok(())
    })?;
    each(r, COURSE_RATINGS, |k, v| {
        x.ratings.insert(k, v);
        Ok(())
    })?;
    each(r, COURSE_MONEY, |k, v| {
        x.money.insert(k, v);
        Ok(())
    })?;
    Ok(x)
}

/// Fills the (empty) counter tables from the records (migration 12). An enrollment's last
/// activity is taken from its last completion, as later writes keep it.
pub fn backfill(tx: &mut Tx<'_>) -> StoreResult<()> {
    let mut moved: Vec<((u128, u128), EnrollmentRecord)> = Vec::new();
    let r: &Tx<'_> = tx;
    each(r, ENROLLMENTS, |(u, c), mut e: EnrollmentRecord| {
        let last = r
            .range(COMPLETIONS, (u, c, 0)..=(u, c, u128::MAX), usize::MAX)?
            .into_iter()
            .map(|(_, at)| at)
            .max();
        if let Some(at) = last
            && at > e.last_activity()
        {
            e.last_activity_at = Some(at);
            moved.push(((u, c), e));
        }
        Ok(())
    })?;
    for (k, e) in &moved {
        tx.put(ENROLLMENTS, k, e)?;
    }
    let x = expected(&*tx)?;
    for (k, v) in &x.days {
        tx.put(COURSE_DAYS, k, v)?;
    }
    for k in &x.activity {
        tx.put(ACTIVITY_BY_COURSE, k, &())?;
    }
    for (k, v) in &x.lessons {
        tx.put(LESSON_COMPLETED, k, v)?;
    }
    for (k, v) in &x.ratings {
        tx.put(COURSE_RATINGS, k, v)?;
    }
    for (k, v) in &x.money {
        tx.put(COURSE_MONEY, k, v)?;
    }
    Ok(())
}

fn diff<K: std::fmt::Debug + Ord, V: std::fmt::Debug + PartialEq>(
    what: &str,
    stored: &BTreeMap<K, V>,
    expected: &BTreeMap<K, V>,
    problems: &mut Vec<String>,
) {
    for (k, v) in stored {
        match expected.get(k) {
            Some(e) if e == v => {}
            e => problems.push(format!("{what} {k:?}: stored {v:?} but the records give {e:?}")),
        }
    }
    for (k, e) in expected {
        if !stored.contains_key(k) {
            problems.push(format!("{what} {k:?}: missing, the records give {e:?}"));
        }
    }
}

/// Problems found, in words: each counter against its recount.
pub fn verify(r: &impl Readable) -> StoreResult<Vec<String>> {
    let (s, x) = (stored(r)?, expected(r)?);
    let mut problems = Vec::new();
    diff("course day", &s.days, &x.days, &mut problems);
    diff("lesson completed", &s.lessons, &x.lessons, &mut problems);
    diff("course ratings", &s.ratings, &x.ratings, &mut problems);
    diff("course money", &s.money, &x.money, &mut problems);
    for k in s.activity.symmetric_difference(&x.activity) {
        let side = if s.activity.contains(k) { "stored but no enrollment has it" } else { "missing" };
        problems.push(format!("activity {k:?}: {side}"));
    }
    Ok(problems)
}
