//! What the admin API and the console's pages share: reading an admin's filters and changes,
//! and the audit log with the names of the people it mentions. Pages import this, never
//! [`super::routes`].

use crate::audit::{self, AuditRecord};
use crate::error::{Error, Result};
use crate::fields::text;
use crate::identity::Role;
use crate::identity::admin::{AccountChange, parse_status, require_admin};
use crate::identity::repo::{self as users, UserFilter, UserRecord};
use crate::ids::UserId;
use crate::store::page::{Page, page_by};
use crate::store::{Readable, Store, StoreResult};

/// A role by its name.
pub fn parse_role(s: &str) -> Option<Role> {
    match s {
        "student" => Some(Role::Student),
        "teacher" => Some(Role::Teacher),
        "admin" => Some(Role::Admin),
        _ => None,
    }
}

/// Parses the user list's filters: part of an email or name, a role, a status.
pub fn user_filter(q: Option<&str>, role: Option<&str>, status: Option<&str>) -> Result<UserFilter> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 200) {
        return Err(Error::validation("q", "must be at most 200 characters"));
    }
    let role = match role.filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => {
            Some(parse_role(r).ok_or_else(|| Error::validation("role", "is student, teacher or admin"))?)
        }
    };
    let status = match status.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(parse_status(s).ok_or_else(|| Error::validation("status", "is active, locked or deleted"))?)
        }
    };
    Ok(UserFilter { q: q.map(str::to_lowercase), role, status })
}

/// Parses an admin's change to an account; a reason, when given, is 3..=1000 characters.
pub fn account_change(
    role: Option<&str>,
    locked: Option<bool>,
    reason: Option<&str>,
) -> Result<AccountChange> {
    let role = match role {
        None => None,
        Some(r) => {
            Some(parse_role(r).ok_or_else(|| Error::validation("role", "is student, teacher or admin"))?)
        }
    };
    let reason = reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| text("reason", r, 3, 1000))
        .transpose()
        .map_err(|e| Error::Validation(vec![e]))?;
    Ok(AccountChange { role, locked, reason })
}

/// A page of the audit log, newest first (the caller has checked it is an admin's request).
pub async fn audit_page(store: &Store, limit: usize, before: Option<u128>) -> Result<Page<AuditRecord>> {
    let rows = store.read(move |rtx| Ok(audit::entries(rtx, before, limit + 1)?)).await?;
    Ok(page_by(rows, limit, |a: &AuditRecord| a.id.key()))
}

/// Someone an entry names, as they are now (a deleted account has no name or email left).
#[derive(Debug, Clone)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub deleted: bool,
}

/// An audit entry with its actor and, when it is an account, its target.
#[derive(Debug, Clone)]
pub struct AuditLine {
    pub entry: AuditRecord,
    /// `None` for the system.
    pub actor: Option<Person>,
    pub target_user: Option<Person>,
}

fn person(r: &impl Readable, id: UserId) -> StoreResult<Option<Person>> {
    Ok(users::user(r, id)?.map(|u| Person {
        id: u.id,
        deleted: u.deleted_at.is_some(),
        name: u.name,
        email: if u.deleted_at.is_some() { String::new() } else { u.email },
    }))
}

/// The audit log for the console (admins): a page, newest first, with the people it names, read
/// in one snapshot.
pub async fn audit_lines(
    store: &Store,
    who: &UserRecord,
    limit: usize,
    before: Option<u128>,
) -> Result<Page<AuditLine>> {
    require_admin(who)?;
    let page = audit_page(store, limit, before).await?;
    let entries = page.items;
    let items = store
        .read(move |rtx| {
            let mut lines = Vec::with_capacity(entries.len());
            for entry in entries {
                let actor = match entry.actor {
                    Some(id) => person(rtx, id)?,
                    None => None,
                };
                let target_user = match entry.target_type.as_str() {
                    "user" => match entry.target_id.parse::<UserId>() {
                        Ok(id) => person(rtx, id)?,
                        Err(_) => None,
                    },
                    _ => None,
                };
                lines.push(AuditLine { entry, actor, target_user });
            }
            Ok(lines)
        })
        .await?;
    Ok(Page { items, next_cursor: page.next_cursor })
}
