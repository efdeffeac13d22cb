//! `/api/v1/admin/users*` and `/api/v1/admin/audit`: thin handlers over identity's admin
//! operations and the audit log.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{account_change, audit_page, user_filter};
use crate::app::AppState;
use crate::audit::AuditRecord;
use crate::clock::Rfc3339;
use crate::error::Result;
use crate::http::extract::{Json, Query};
use crate::http::ids::parse;
use crate::http::openapi::PAGE_REFUSED;
use crate::identity::repo::{AccountStatus, UserRecord};
use crate::identity::{AdminUser, Role};
use crate::ids::{AuditId, UserId};
use crate::store::page::{PageParams, decode_cursor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users)).routes(routes!(change_user)).routes(routes!(list_audit))
}

fn cursor(c: &Option<String>) -> Result<Option<u128>> {
    c.as_deref().map(decode_cursor::<u128>).transpose()
}

/// An account as admins see it (never its password hash).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminUserOut {
    id: UserId,
    email: String,
    name: String,
    role: Role,
    status: AccountStatus,
    email_verified: bool,
    locale: String,
    created_at: Rfc3339,
    /// The last sign-in or session renewal, if any was recorded.
    last_active_at: Option<Rfc3339>,
    locked_at: Option<Rfc3339>,
    deleted_at: Option<Rfc3339>,
}

impl From<UserRecord> for AdminUserOut {
    fn from(u: UserRecord) -> Self {
        AdminUserOut {
            status: u.status(),
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            email_verified: u.email_verified,
            locale: u.locale,
            created_at: Rfc3339(u.created_at),
            last_active_at: u.last_active_at.map(Rfc3339),
            locked_at: u.locked_at.map(Rfc3339),
            deleted_at: u.deleted_at.map(Rfc3339),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdminUserPage {
    items: Vec<AdminUserOut>,
    /// A search reads at most 5000 accounts per call, so a page may be short (even empty) and
    /// still have a cursor: follow it until there is none.
    next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct UserParams {
    /// Part of the email or the name (any case).
    #[param(nullable = false, max_length = 200)]
    pub q: Option<String>,
    #[param(nullable = false, value_type = Option<Role>)]
    pub role: Option<String>,
    #[param(nullable = false, value_type = Option<AccountStatus>)]
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100, nullable = false)]
    pub limit: Option<usize>,
    #[param(nullable = false)]
    pub cursor: Option<String>,
}

/// Accounts, newest first (admins): search by email or name, filter by role and status.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", params(UserParams),
    responses((status = 200, body = AdminUserPage), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = "validation_failed: `q`, `role`, `status`, `limit` or `cursor`.")),
    security(("bearer" = [])))]
async fn list_users(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Query(p): Query<UserParams>,
) -> Result<Json<AdminUserPage>> {
    let filter = user_filter(p.q.as_deref(), p.role.as_deref(), p.status.as_deref())?;
    let limit = PageParams { limit: p.limit, cursor: None }.limit()?;
    let page = app.identity.users(&who.user, filter, limit, cursor(&p.cursor)?).await?;
    Ok(Json(AdminUserPage {
        items: page.items.into_iter().map(AdminUserOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChangeUserBody {
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    pub locked: Option<bool>,
    /// Required to lock an account or change its role (3..=1000 characters); kept in the audit log.
    #[schema(min_length = 3, max_length = 1000)]
    pub reason: Option<String>,
}

/// Change an account's role, lock or unlock it (admins). Locking ends every session at once.
/// Recorded in the audit log (`user.role`, `user.lock`, `user.unlock`) with the reason.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", request_body = ChangeUserBody,
    params(("id" = String, Path)),
    responses((status = 200, body = AdminUserOut), (status = 403, description = "forbidden: admins only."),
        (status = 404),
        (status = 409, description = "own_account (locking or demoting yourself), last_admin, account_deleted"),
        (status = 422, description = "validation_failed: the reason is missing (locking, role change) or the role is unknown.")),
    security(("bearer" = [])))]
async fn change_user(
    State(app): State<AppState>,
    AdminUser(who): AdminUser,
    Path(id): Path<String>,
    Json(b): Json<ChangeUserBody>,
) -> Result<Json<AdminUserOut>> {
    let id: UserId = parse(&id)?;
    let change = account_change(b.role.as_deref(), b.locked, b.reason.as_deref())?;
    let user = app.identity.change_account(&who, id, change).await?;
    Ok(Json(user.into()))
}

/// One entry of the audit log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditOut {
    id: AuditId,
    /// The admin who acted; null for the system.
    actor: Option<UserId>,
    action: String,
    target_type: String,
    target_id: String,
    reason: Option<String>,
    at: Rfc3339,
}

impl From<AuditRecord> for AuditOut {
    fn from(a: AuditRecord) -> Self {
        AuditOut {
            id: a.id,
            actor: a.actor,
            action: a.action,
            target_type: a.target_type,
            target_id: a.target_id,
            reason: a.reason,
            at: Rfc3339(a.at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    items: Vec<AuditOut>,
    next_cursor: Option<String>,
}

/// The audit log, newest first (admins): every admin action with its actor and reason.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(PageParams),
    responses((status = 200, body = AuditPage), (status = 403, description = "forbidden: admins only."),
        (status = 422, description = PAGE_REFUSED)),
    security(("bearer" = [])))]
async fn list_audit(
    State(app): State<AppState>,
    _admin: AdminUser,
    Query(p): Query<PageParams>,
) -> Result<Json<AuditPage>> {
    let page = audit_page(&app.store, p.limit()?, cursor(&p.cursor)?).await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(AuditOut::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
