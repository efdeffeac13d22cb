//! Teacher verification: a teacher sends identity or qualification documents with a note; an
//! admin approves or rejects with a reason; a verified teacher carries a badge and their clean
//! courses publish without waiting in the review queue.
//!
//! One request per teacher, keyed by the teacher's id: a new request after a rejection replaces
//! the old one. The documents are uploads of purpose `verification_document`, which only their
//! owner and admins can open.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::schema::{VERIFICATIONS, VERIFICATIONS_PENDING};
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerificationStatus {
    Pending,
    Approved,
    Rejected,
}

impl VerificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::Pending => "pending",
            VerificationStatus::Approved => "approved",
            VerificationStatus::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerificationRecord {
    pub teacher: UserId,
    /// Upload ids (ULIDs as text) of the documents.
    pub documents: Vec<String>,
    pub note: String,
    pub status: VerificationStatus,
    pub submitted_at: Timestamp,
    #[serde(default)]
    pub decided_at: Option<Timestamp>,
    #[serde(default)]
    pub decided_by: Option<UserId>,
    /// The admin's reason (required to reject), told to the teacher.
    #[serde(default)]
    pub reason: Option<String>,
}

pub fn get(r: &impl Readable, teacher: UserId) -> StoreResult<Option<VerificationRecord>> {
    r.get(VERIFICATIONS, &teacher.key())
}

/// Saves a request and keeps the pending index in step.
pub fn save(tx: &mut Tx<'_>, v: &VerificationRecord) -> Result<()> {
    if v.status == VerificationStatus::Pending {
        tx.put(VERIFICATIONS_PENDING, &v.teacher.key(), &())?;
    } else {
        tx.remove(VERIFICATIONS_PENDING, &v.teacher.key())?;
    }
    tx.put(VERIFICATIONS, &v.teacher.key(), v)?;
    Ok(())
}

/// Pending requests by teacher (oldest accounts first), strictly after `after`.
pub fn pending(r: &impl Readable, after: Option<u128>, limit: usize) -> StoreResult<Vec<VerificationRecord>> {
    let keys = match after {
        None => r.range(VERIFICATIONS_PENDING, .., limit)?,
        Some(k) => {
            r.range(VERIFICATIONS_PENDING, (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded), limit)?
        }
    };
    let mut out = Vec::with_capacity(keys.len());
    for (teacher, ()) in keys {
        if let Some(v) = r.get(VERIFICATIONS, &teacher)? {
            out.push(v);
        }
    }
    Ok(out)
}

/// A teacher's note: up to 2000 characters, may be empty.
pub fn note(raw: &str) -> Result<String> {
    crate::fields::text("note", raw, 0, 2000).map_err(|e| Error::Validation(vec![e]))
}
