//! Identity records and every read and write of the identity tables.
//!
//! Write functions take a [`Tx`] and run inside a unit of work, so a caller can combine them
//! (create a user + its verification token + the email announcing it) in one transaction.

use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::Role;
use super::tokens::opaque_token;
use crate::clock::Timestamp;
use crate::error::{Code, Error, Result};
use crate::ids::{FamilyId, UserId};
use crate::schema::*;
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default = "default_locale")]
    pub locale: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the password last changed: reset links issued before it no longer work.
    #[serde(default)]
    pub password_changed_at: Option<Timestamp>,
    /// Rich-text profile (teachers), sanitised HTML.
    #[serde(default)]
    pub bio_html: String,
}

fn default_locale() -> String {
    "en".into()
}

/// One sign-in and every refresh token rotated from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FamilyRecord {
    pub id: FamilyId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    /// Absolute end: rotation never extends it.
    pub expires_at: Timestamp,
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
}

impl FamilyRecord {
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshTokenRecord {
    pub family_id: FamilyId,
    pub user_id: UserId,
    pub issued_at: Timestamp,
    #[serde(default)]
    pub spent: bool,
    /// When it was spent (records from before schema 3 have none).
    #[serde(default)]
    pub spent_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailTokenRecord {
    pub purpose: TokenPurpose,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    #[serde(default)]
    pub used_at: Option<Timestamp>,
}

// ---- users ----

pub fn user(r: &impl Readable, id: UserId) -> StoreResult<Option<UserRecord>> {
    r.get(USERS, &id.key())
}

pub fn user_by_email(r: &impl Readable, email: &str) -> StoreResult<Option<UserRecord>> {
    match r.get(USERS_BY_EMAIL, &email.to_owned())? {
        Some(id) => r.get(USERS, &id),
        None => Ok(None),
    }
}

pub fn any_with_role(r: &impl Readable, role: Role) -> StoreResult<bool> {
    let code = role.as_u8();
    Ok(!r.range(USERS_BY_ROLE, (code, 0)..=(code, u128::MAX), 1)?.is_empty())
}

pub fn insert_user(tx: &mut Tx<'_>, user: &UserRecord) -> Result<()> {
    if tx.contains(USERS_BY_EMAIL, &user.email)? {
        return Err(Error::Conflict {
            code: Code::EmailTaken,
            detail: "An account with this email already exists.".into(),
        });
    }
    tx.put(USERS, &user.id.key(), user)?;
    tx.put(USERS_BY_EMAIL, &user.email, &user.id.key())?;
    tx.put(USERS_BY_ROLE, &(user.role.as_u8(), user.id.key()), &())?;
    tx.record_change("user", user.id.key())?;
    Ok(())
}

/// A user who must exist: 404 otherwise.
pub fn get_user(r: &impl Readable, id: UserId) -> Result<UserRecord> {
    user(r, id)?.ok_or(Error::NotFound)
}

/// Saves a changed user (email and role are not changed here; they have their own flows).
pub fn update_user(tx: &mut Tx<'_>, user: &UserRecord) -> Result<()> {
    tx.put(USERS, &user.id.key(), user)?;
    tx.record_change("user", user.id.key())?;
    Ok(())
}

// ---- refresh families ----

/// Starts a family; returns it and its first refresh token.
pub fn create_family(
    tx: &mut Tx<'_>,
    user: UserId,
    now: Timestamp,
    lifetime: std::time::Duration,
) -> Result<(FamilyRecord, String)> {
    let fam = FamilyRecord {
        id: FamilyId::generate(),
        user_id: user,
        created_at: now,
        expires_at: now.plus(lifetime),
        revoked_at: None,
    };
    tx.put(FAMILIES, &fam.id.key(), &fam)?;
    tx.put(FAMILIES_BY_USER, &(user.key(), fam.id.key()), &())?;
    let token = add_token(tx, &fam, now)?;
    Ok((fam, token))
}

fn add_token(tx: &mut Tx<'_>, fam: &FamilyRecord, now: Timestamp) -> Result<String> {
    let (token, hash) = opaque_token();
    let rec = RefreshTokenRecord {
        family_id: fam.id,
        user_id: fam.user_id,
        issued_at: now,
        spent: false,
        spent_at: None,
    };
    tx.put(REFRESH_TOKENS, &hash, &rec)?;
    tx.put(TOKENS_BY_FAMILY, &(fam.id.key(), hash), &())?;
    Ok(token)
}

pub fn family(r: &impl Readable, id: FamilyId) -> StoreResult<Option<FamilyRecord>> {
    r.get(FAMILIES, &id.key())
}

pub fn family_of_token(r: &impl Readable, hash: &[u8; 32]) -> StoreResult<Option<FamilyRecord>> {
    match r.get(REFRESH_TOKENS, hash)? {
        Some(t) => r.get(FAMILIES, &t.family_id.key()),
        None => Ok(None),
    }
}

/// What presenting a refresh token led to.
pub enum Rotation {
    Rotated {
        user: Box<UserRecord>,
        family: FamilyRecord,
        token: String,
    },
    /// Unknown token, or its family ended (revoked, expired, user gone).
    Invalid,
    /// A spent token came back: its family has just been revoked.
    Reused,
    /// A spent token came back within the grace window of a browser refresh: two requests
    /// (tabs) refreshed at once. Nothing is revoked; the winner's cookies are already on their way.
    Raced,
}

/// Spends `hash` and issues its successor. A spent token revokes its family, in this same
/// transaction; that is an `Ok` outcome so the revocation is committed. With a `grace`, a token
/// spent less than that long ago is a race between two requests of one browser, not a theft.
pub fn rotate(tx: &mut Tx<'_>, hash: &[u8; 32], now: Timestamp, grace: Option<Duration>) -> Result<Rotation> {
    let Some(mut rec) = tx.get(REFRESH_TOKENS, hash)? else {
        return Ok(Rotation::Invalid);
    };
    let Some(mut fam) = tx.get(FAMILIES, &rec.family_id.key())? else {
        return Ok(Rotation::Invalid);
    };
    if !fam.is_active(now) {
        return Ok(Rotation::Invalid);
    }
    if rec.spent {
        if let (Some(grace), Some(at)) = (grace, rec.spent_at)
            && now < at.plus(grace)
        {
            return Ok(Rotation::Raced);
        }
        fam.revoked_at = Some(now);
        tx.put(FAMILIES, &fam.id.key(), &fam)?;
        return Ok(Rotation::Reused);
    }
    let Some(user) = tx.get(USERS, &fam.user_id.key())? else {
        return Ok(Rotation::Invalid);
    };
    rec.spent = true;
    rec.spent_at = Some(now);
    tx.put(REFRESH_TOKENS, hash, &rec)?;
    let token = add_token(tx, &fam, now)?;
    Ok(Rotation::Rotated { user: Box::new(user), family: fam, token })
}

pub fn revoke_family(tx: &mut Tx<'_>, id: FamilyId, now: Timestamp) -> Result<()> {
    if let Some(mut fam) = tx.get(FAMILIES, &id.key())?
        && fam.revoked_at.is_none()
    {
        fam.revoked_at = Some(now);
        tx.put(FAMILIES, &id.key(), &fam)?;
    }
    Ok(())
}

/// Revokes every family of `user` except `keep`.
pub fn revoke_all(tx: &mut Tx<'_>, user: UserId, keep: Option<FamilyId>, now: Timestamp) -> Result<usize> {
    let u = user.key();
    let fams = tx.range(FAMILIES_BY_USER, (u, 0)..=(u, u128::MAX), usize::MAX)?;
    let mut n = 0;
    for ((_, f), ()) in fams {
        let id = FamilyId::from_key(f);
        if Some(id) != keep {
            revoke_family(tx, id, now)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Deletes families that ended before `cutoff`, with their tokens, scanning at most `chunk`
/// families after `after`. Returns how many were deleted and where to continue (None: done).
pub fn purge_families(
    tx: &mut Tx<'_>,
    cutoff: Timestamp,
    after: Option<u128>,
    chunk: usize,
) -> Result<(usize, Option<u128>)> {
    use std::ops::Bound::{Excluded, Unbounded};
    let start = after.map_or(Unbounded, Excluded);
    let families = tx.range(FAMILIES, (start, Unbounded), chunk)?;
    let next = if families.len() == chunk { families.last().map(|(k, _)| *k) } else { None };
    let mut purged = 0;
    for (key, fam) in families {
        let ended = fam.revoked_at.map_or(fam.expires_at, |r| r.min(fam.expires_at));
        if ended >= cutoff {
            continue;
        }
        for ((_, hash), ()) in tx.range(TOKENS_BY_FAMILY, (key, [0; 32])..=(key, [0xff; 32]), usize::MAX)? {
            tx.remove(REFRESH_TOKENS, &hash)?;
            tx.remove(TOKENS_BY_FAMILY, &(key, hash))?;
        }
        tx.remove(FAMILIES_BY_USER, &(fam.user_id.key(), key))?;
        tx.remove(FAMILIES, &key)?;
        purged += 1;
    }
    Ok((purged, next))
}

/// Deletes email tokens that expired before `cutoff`, scanning at most `chunk` after `after`.
pub fn purge_email_tokens(
    tx: &mut Tx<'_>,
    cutoff: Timestamp,
    after: Option<[u8; 32]>,
    chunk: usize,
) -> Result<(usize, Option<[u8; 32]>)> {
    use std::ops::Bound::{Excluded, Unbounded};
    let start = after.map_or(Unbounded, Excluded);
    let tokens = tx.range(EMAIL_TOKENS, (start, Unbounded), chunk)?;
    let next = if tokens.len() == chunk { tokens.last().map(|(k, _)| *k) } else { None };
    let mut purged = 0;
    for (hash, t) in tokens {
        if t.expires_at < cutoff {
            tx.remove(EMAIL_TOKENS, &hash)?;
            purged += 1;
        }
    }
    Ok((purged, next))
}

// ---- email tokens ----

pub fn create_email_token(
    tx: &mut Tx<'_>,
    purpose: TokenPurpose,
    user: UserId,
    now: Timestamp,
    ttl: std::time::Duration,
) -> Result<String> {
    let (token, hash) = opaque_token();
    let rec = EmailTokenRecord {
        purpose,
        user_id: user,
        created_at: now,
        expires_at: now.plus(ttl),
        used_at: None,
    };
    tx.put(EMAIL_TOKENS, &hash, &rec)?;
    Ok(token)
}

/// Looks a token up without spending it.
pub fn peek_email_token(
    rtx: &redb::ReadTransaction,
    purpose: TokenPurpose,
    hash: &[u8; 32],
    now: Timestamp,
) -> StoreResult<Option<EmailTokenRecord>> {
    Ok(EMAIL_TOKENS
        .get(rtx, hash)?
        .filter(|t| t.purpose == purpose && t.used_at.is_none() && now < t.expires_at))
}

/// Spends a token: it works once, before it expires, for its own purpose only.
pub fn consume_email_token(
    tx: &mut Tx<'_>,
    purpose: TokenPurpose,
    hash: &[u8; 32],
    now: Timestamp,
) -> Result<EmailTokenRecord> {
    let invalid = || Error::BadRequest {
        code: Code::InvalidToken,
        detail: "This link is invalid or has expired. Ask for a new one.".into(),
    };
    let mut rec = tx.get(EMAIL_TOKENS, hash)?.ok_or_else(invalid)?;
    if rec.purpose != purpose || rec.used_at.is_some() || now >= rec.expires_at {
        return Err(invalid());
    }
    rec.used_at = Some(now);
    tx.put(EMAIL_TOKENS, hash, &rec)?;
    Ok(rec)
}
