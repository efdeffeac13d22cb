//! What admins do to accounts: list and search them, change a role, lock and unlock. Every change
//! is recorded in the audit log in the unit of work that makes it.

use super::Role;
use super::repo::{self, AccountStatus, UserFilter, UserRecord};
use super::service::{Identity, Principal};
use crate::audit::{self, Action};
use crate::clock::Timestamp;
use crate::error::{Code, Error, Result};
use crate::ids::UserId;
use crate::store::Tx;
use crate::store::page::{Page, encode_cursor};

/// How many records one search of the user list reads at most before handing back a cursor.
const SCAN: usize = 5000;

/// An admin's change to an account; fields left out stay as they are.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub role: Option<Role>,
    pub locked: Option<bool>,
    /// Required to lock or to change a role (3..=1000 characters, checked by the caller).
    pub reason: Option<String>,
}

/// Admins who may act (not locked or deleted); 403 for anyone else.
pub fn require_admin(who: &UserRecord) -> Result<()> {
    if who.role == Role::Admin && !who.is_barred() { Ok(()) } else { Err(Error::forbidden()) }
}

impl Identity {
    /// Accounts, newest first (admins). See [`repo::list_users`] for how a search pages.
    pub async fn users(
        &self,
        who: &UserRecord,
        filter: UserFilter,
        limit: usize,
        before: Option<u128>,
    ) -> Result<Page<UserRecord>> {
        require_admin(who)?;
        let (items, next) =
            self.store().read(move |rtx| Ok(repo::list_users(rtx, &filter, before, limit, SCAN)?)).await?;
        Ok(Page { items, next_cursor: next.map(|k| encode_cursor(&k)) })
    }

    /// One account (admins).
    pub async fn user_for_admin(&self, who: &UserRecord, id: UserId) -> Result<UserRecord> {
        require_admin(who)?;
        self.store().read(move |rtx| repo::get_user(rtx, id)).await
    }

    /// Changes an account's role and/or locks or unlocks it (admins). Locking ends every sign-in
    /// of the account in the same unit of work; its access tokens stop working at once because
    /// every authenticated request reads the account. Admins cannot lock or demote themselves,
    /// and the school keeps at least one admin who can act.
    pub async fn change_account(
        &self,
        who: &Principal,
        id: UserId,
        change: AccountChange,
    ) -> Result<UserRecord> {
        require_admin(&who.user)?;
        let needs_reason = change.role.is_some() || change.locked == Some(true);
        if needs_reason && change.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(Error::validation("reason", "is required to lock an account or change its role"));
        }
        if change.role.is_none() && change.locked.is_none() {
            return Err(Error::validation("role", "give a role, locked, or both"));
        }
        let actor = who.user.id;
        let now = self.clock().now();
        self.store()
            .write(move |tx| {
                let mut user = repo::get_user(tx, id)?;
                if user.deleted_at.is_some() {
                    return Err(Error::Conflict {
                        code: Code::AccountDeleted,
                        detail: "This account was deleted by its owner.".into(),
                    });
                }
                let me = repo::get_user(tx, actor)?;
                require_admin(&me)?;
                let demotes = change.role.is_some_and(|r| r != Role::Admin) && user.role == Role::Admin;
                let locks = change.locked == Some(true) && user.locked_at.is_none();
                if user.id == actor && (demotes || locks) {
                    return Err(Error::Conflict {
                        code: Code::OwnAccount,
                        detail: "You cannot lock or demote your own account; ask another admin.".into(),
                    });
                }
                if (demotes || (locks && user.role == Role::Admin)) && repo::active_admins(tx, 2)? < 2 {
                    return Err(Error::Conflict {
                        code: Code::LastAdmin,
                        detail: "The school must keep at least one admin.".into(),
                    });
                }
                let reason = change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
                let uid = user.id;
                let target = || uid.to_string();
                if let Some(role) = change.role
                    && role != user.role
                {
                    repo::set_role(tx, &mut user, role, now)?;
                    let action = Action {
                        actor: Some(actor),
                        action: "user.role",
                        target_type: "user",
                        target_id: target(),
                        reason,
                    };
                    audit::record(tx, action, now)?;
                }
                match change.locked {
                    Some(true) if user.locked_at.is_none() => {
                        lock_in(tx, actor, uid, reason, now)?;
                        user = repo::get_user(tx, uid)?;
                    }
                    Some(false) if user.locked_at.is_some() => {
                        user.locked_at = None;
                        user.updated_at = now;
                        repo::update_user(tx, &user)?;
                        let action = Action {
                            actor: Some(actor),
                            action: "user.unlock",
                            target_type: "user",
                            target_id: target(),
                            reason,
                        };
                        audit::record(tx, action, now)?;
                    }
                    _ => {}
                }
                Ok(user)
            })
            .await
    }

    /// Checks the caller's own password before something irreversible (deleting the account).
    /// Wrong passwords count against the same per-account limit as password changes.
    pub async fn confirm_password(&self, who: &Principal, password: &str) -> Result<()> {
        self.check_current_password(who, password).await
    }
}

/// The status names admins filter by.
/// Locks account `id` inside the caller's unit of work, on admin `actor`'s decision (the users
/// page, or a report resolved with `lock_user`): every sign-in ends at once and the audit log
/// records it. Refuses the admin's own account and the school's last admin. False if there was
/// nothing to do (locked already, or deleted).
pub fn lock_in(
    tx: &mut Tx<'_>,
    actor: UserId,
    id: UserId,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<bool> {
    let mut user = repo::get_user(tx, id)?;
    if user.locked_at.is_some() || user.deleted_at.is_some() {
        return Ok(false);
    }
    if user.id == actor {
        return Err(Error::Conflict {
            code: Code::OwnAccount,
            detail: "You cannot lock your own account; ask another admin.".into(),
        });
    }
    if user.role == Role::Admin && repo::active_admins(tx, 2)? < 2 {
        return Err(Error::Conflict {
            code: Code::LastAdmin,
            detail: "The school must keep at least one admin.".into(),
        });
    }
    user.locked_at = Some(now);
    user.updated_at = now;
    repo::update_user(tx, &user)?;
    repo::revoke_all(tx, user.id, None, now)?;
    let action = Action {
        actor: Some(actor),
        action: "user.lock",
        target_type: "user",
        target_id: id.to_string(),
        reason,
    };
    audit::record(tx, action, now)?;
    Ok(true)
}

pub fn parse_status(s: &str) -> Option<AccountStatus> {
    AccountStatus::parse(s)
}
