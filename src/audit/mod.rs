//! The audit log: every action an admin (or the system on an admin's rule) takes that affects
//! someone, with who did it, to what, and why. An entry is written in the same unit of work as
//! the action it records, so the log can never miss an action nor hold one that did not happen.
//! Entries are never changed or removed (an account deletion keeps the entries that name it:
//! they hold ids, not names).

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{AuditId, UserId};
use crate::schema::AUDIT;
use crate::store::{Readable, StoreResult, Tx};

/// One action. `action` is a stable dotted name (`order.refund`, `payout.paid`, `user.lock`...);
/// `target_type` and `target_id` name what it was done to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: AuditId,
    /// Who acted: an admin, or `None` for the system acting on a rule the school set.
    pub actor: Option<UserId>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// What an action is, before it is recorded.
pub struct Action<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: String,
    pub reason: Option<&'a str>,
}

/// Records `a` in the caller's unit of work.
pub fn record(tx: &mut Tx<'_>, a: Action<'_>, at: Timestamp) -> Result<AuditId> {
    // Ids keep the order entries were written in, also within one millisecond.
    let mut id = AuditId::generate();
    if let Some((last, _)) = tx.range_rev(AUDIT, .., 1)?.first()
        && *last >= id.key()
    {
        id = AuditId::from_key(last + 1);
    }
    let r = AuditRecord {
        id,
        actor: a.actor,
        action: a.action.to_owned(),
        target_type: a.target_type.to_owned(),
        target_id: a.target_id,
        reason: a.reason.map(str::to_owned),
        at,
    };
    tx.put(AUDIT, &id.key(), &r)?;
    Ok(id)
}

/// Entries, newest first, strictly before `before`.
pub fn entries(r: &impl Readable, before: Option<u128>, limit: usize) -> StoreResult<Vec<AuditRecord>> {
    let through = before.map_or(u128::MAX, |b| b.saturating_sub(1));
    Ok(r.range_rev(AUDIT, ..=through, limit)?.into_iter().map(|(_, a)| a).collect())
}
