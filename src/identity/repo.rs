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
    /// Set while an admin has the account locked: no session works and it cannot sign in.
    #[serde(default)]
    pub locked_at: Option<Timestamp>,
    /// Set when the person deleted the account: email, name and password are gone (anonymised).
    #[serde(default)]
    pub deleted_at: Option<Timestamp>,
    /// When an admin verified this teacher's identity or qualifications (a badge on their pages;
    /// their clean courses publish without the review queue).
    #[serde(default)]
    pub verified_at: Option<Timestamp>,
    /// The last sign-in or session renewal (at most one write an hour), for the admin's figures.
    #[serde(default)]
    pub last_active_at: Option<Timestamp>,
}

/// Where an account stands, for admins' lists and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Locked,
    Deleted,
}

impl AccountStatus {
    pub fn parse(s: &str) -> Option<AccountStatus> {
        match s {
            "active" => Some(AccountStatus::Active),
            "locked" => Some(AccountStatus::Locked),
            "deleted" => Some(AccountStatus::Deleted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Locked => "locked",
            AccountStatus::Deleted => "deleted",
        }
    }
}

impl UserRecord {
    pub fn status(&self) -> AccountStatus {
        if self.deleted_at.is_some() {
            AccountStatus::Deleted
        } else if self.locked_at.is_some() {
            AccountStatus::Locked
        } else {
            AccountStatus::Active
        }
    }

    /// Locked or deleted: no session, no sign-in, no optional mail.
    pub fn is_barred(&self) -> bool {
        self.status() != AccountStatus::Active
    }
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

/// Notes that the user signed in or renewed a session: written at most once an hour, and not a
/// change of the record others derive anything from (no change-log entry).
pub fn touch(tx: &mut Tx<'_>, user: &mut UserRecord, now: Timestamp) -> Result<()> {
    if user.last_active_at.is_none_or(|t| now.millis() - t.millis() >= 3_600_000) {
        user.last_active_at = Some(now);
        tx.put(USERS, &user.id.key(), user)?;
    }
    Ok(())
}

/// Changes a user's role, with its index.
pub fn set_role(tx: &mut Tx<'_>, user: &mut UserRecord, role: Role, now: Timestamp) -> Result<()> {
    tx.remove(USERS_BY_ROLE, &(user.role.as_u8(), user.id.key()))?;
    tx.put(USERS_BY_ROLE, &(role.as_u8(), user.id.key()), &())?;
    user.role = role;
    user.updated_at = now;
    update_user(tx, user)
}

/// Admins who can still act (neither locked nor deleted), up to `at_most`.
pub fn active_admins(r: &impl Readable, at_most: usize) -> StoreResult<usize> {
    let code = Role::Admin.as_u8();
    let mut n = 0;
    for ((_, id), ()) in r.range(USERS_BY_ROLE, (code, 0)..=(code, u128::MAX), usize::MAX)? {
        if r.get(USERS, &id)?.is_some_and(|u| !u.is_barred()) {
            n += 1;
            if n >= at_most {
                break;
            }
        }
    }
    Ok(n)
}

/// Anonymises an account: the email leaves the index (it can be registered again), the email,
/// name, bio and password are replaced, every sign-in ends. Ids stay, so the records that name
/// the account (orders, ledger, reviews, audit) keep their meaning without personal data.
pub fn anonymise(tx: &mut Tx<'_>, user: &mut UserRecord, now: Timestamp) -> Result<()> {
    tx.remove(USERS_BY_EMAIL, &user.email)?;
    user.email = format!("deleted-{}@invalid", user.id);
    user.name = String::new();
    user.bio_html = String::new();
    // Not a PHC string: no password can ever verify against it.
    user.password_hash = "!deleted".into();
    user.email_verified = false;
    user.locked_at = None;
    user.deleted_at = Some(now);
    user.updated_at = now;
    update_user(tx, user)?;
    revoke_all(tx, user.id, None, now)?;
    Ok(())
}

/// What an admin's list of users is filtered by.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Lower-cased; matched anywhere in the email or the name.
    pub q: Option<String>,
    pub role: Option<Role>,
    pub status: Option<AccountStatus>,
}

impl UserFilter {
    fn matches(&self, u: &UserRecord) -> bool {
        self.role.is_none_or(|r| u.role == r)
            && self.status.is_none_or(|s| u.status() == s)
            && self
                .q
                .as_deref()
                .is_none_or(|q| u.email.to_lowercase().contains(q) || u.name.to_lowercase().contains(q))
    }
}

/// Users newest first, strictly before `before`, that match `f`. A search reads at most `scan`
/// records per call: if it stops there, the cursor is the last record read (the page may then be
/// short, or empty, with a cursor to go on). With a role and nothing else, the role index is read.
pub fn list_users(
    r: &impl Readable,
    f: &UserFilter,
    before: Option<u128>,
    limit: usize,
    scan: usize,
) -> StoreResult<(Vec<UserRecord>, Option<u128>)> {
    let through = before.map_or(u128::MAX, |b| b.saturating_sub(1));
    let mut out = Vec::new();
    let mut read = 0usize;
    let mut last = None;
    const CHUNK: usize = 256;
    let mut upto = through;
    loop {
        // The role index holds ids; the users table its records.
        let rows: Vec<(u128, Option<UserRecord>)> = match f.role {
            Some(role) => {
                let code = role.as_u8();
                let ids = r.range_rev(USERS_BY_ROLE, (code, 0)..=(code, upto), CHUNK)?;
                ids.into_iter().map(|((_, id), ())| (id, None)).collect()
            }
            None => r.range_rev(USERS, ..=upto, CHUNK)?.into_iter().map(|(id, u)| (id, Some(u))).collect(),
        };
        let exhausted = rows.len() < CHUNK;
        for (id, u) in rows {
            read += 1;
            last = Some(id);
            let u = match u {
                Some(u) => Some(u),
                None => r.get(USERS, &id)?,
            };
            if let Some(u) = u
                && f.matches(&u)
            {
                out.push(u);
                if out.len() == limit {
                    // Whether more exist is only known by looking further: hand back a cursor.
                    return Ok((out, Some(id)));
                }
            }
            if read >= scan {
                return Ok((out, last));
            }
        }
        if exhausted {
            return Ok((out, None));
        }
        match last {
            Some(0) | None => return Ok((out, None)),
            Some(l) => upto = l - 1,
        }
    }
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
    let Some(mut user) = tx.get(USERS, &fam.user_id.key())? else {
        return Ok(Rotation::Invalid);
    };
    if user.is_barred() {
        return Ok(Rotation::Invalid);
    }
    touch(tx, &mut user, now)?;
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
