//! The admin console: `/admin` (the platform's figures and the way to every admin area),
//! `/admin/users` (search and filters, role changes, locking) and `/admin/audit` (the audit log).
//!
//! Who may do what is identity's and the admin read models' (`identity::admin`, `admin::views`,
//! `admin::figures`): these handlers read forms and queries, call the same functions as the admin
//! API, and show a refusal (your own account, the last admin, a missing reason) as a message on
//! the page. Anyone signed in who is not an admin gets 403, as on the other admin pages.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::money::{Choice, time_of};
use super::render;
use crate::admin::figures;
use crate::admin::views::{AuditLine, Person, account_change, audit_lines, parse_role, user_filter};
use crate::app::AppState;
use crate::clock::Timestamp;
use crate::error::{Code, Error, Result};
use crate::http::ids::parse;
use crate::identity::Role;
use crate::identity::admin::parse_status;
use crate::identity::repo::{AccountStatus, UserRecord};
use crate::ids::UserId;
use crate::store::page::decode_cursor;
use crate::web::i18n::{Arg, Lang, Tr};
use crate::web::session::PageCtx;
use crate::web::view::{Layout, date, money};
use crate::web::{html, safe_next, see_other, urlencode};

const PAGE_SIZE: usize = 50;

fn cursor(c: &Option<String>) -> Result<Option<u128>> {
    c.as_deref().filter(|c| !c.is_empty()).map(decode_cursor::<u128>).transpose()
}

/// "14 Mar 2026, 09:30 UTC".
fn moment(tr: Tr, t: Timestamp) -> String {
    tr.args("ledger-at", &[("date", Arg::Text(date(tr, t))), ("time", Arg::Text(time_of(t)))])
}

/// A count with the language's thousands separator.
fn count(tr: Tr, n: u64) -> String {
    let sep = if tr.lang() == Lang::Ru { '\u{a0}' } else { ',' };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

fn role_key(r: Role) -> &'static str {
    match r {
        Role::Student => "role-student",
        Role::Teacher => "role-teacher",
        Role::Admin => "role-admin",
    }
}

fn status_key(s: AccountStatus) -> &'static str {
    match s {
        AccountStatus::Active => "account-status-active",
        AccountStatus::Locked => "account-status-locked",
        AccountStatus::Deleted => "account-status-deleted",
    }
}

const ROLES: [Role; 3] = [Role::Student, Role::Teacher, Role::Admin];
const STATUSES: [AccountStatus; 3] = [AccountStatus::Active, AccountStatus::Locked, AccountStatus::Deleted];

// ---------------------------------------------------------------------------------------------
// The console's home

/// One figure: its message id, the number, and what it is made of.
pub struct FigureRow {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub note: Option<String>,
}

pub struct RevenueRow {
    pub currency: String,
    pub taken: String,
    pub fees: String,
}

/// An admin area the home links to.
pub struct Area {
    pub href: &'static str,
    pub label: &'static str,
    pub about: &'static str,
}

const AREAS: [Area; 5] = [
    Area { href: "/admin/users", label: "nav-admin-users", about: "console-area-users" },
    Area { href: "/admin/orders", label: "nav-admin-orders", about: "console-area-orders" },
    Area { href: "/admin/payouts", label: "nav-admin-payouts", about: "console-area-payouts" },
    Area { href: "/admin/ledger", label: "nav-admin-ledger", about: "console-area-ledger" },
    Area { href: "/admin/audit", label: "nav-admin-audit", about: "console-area-audit" },
];

#[derive(Template)]
#[template(path = "admin_console.html")]
struct ConsolePage {
    l: Layout,
    figures: Vec<FigureRow>,
    revenue: Vec<RevenueRow>,
    areas: &'static [Area],
}

/// "12.5%" / "12,5 %" from completions per thousand; a dash without enrollments.
fn rate(tr: Tr, permille: Option<u64>) -> String {
    match permille {
        None => "—".to_owned(),
        Some(p) if tr.lang() == Lang::Ru => format!("{},{}\u{a0}%", p / 10, p % 10),
        Some(p) => format!("{}.{}%", p / 10, p % 10),
    }
}

/// `GET /admin`: the school in figures, and the way to every admin area.
pub async fn console(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let f = figures::figures(&app.store, &who.user, app.clock.now()).await?;
    let n = |v: u64| Arg::Text(count(tr, v));
    let rows = vec![
        FigureRow {
            id: "users",
            label: "console-users",
            value: count(tr, f.users),
            note: Some(tr.args(
                "console-users-note",
                &[("students", n(f.students)), ("teachers", n(f.teachers)), ("admins", n(f.admins))],
            )),
        },
        FigureRow { id: "locked", label: "console-locked", value: count(tr, f.locked), note: None },
        FigureRow {
            id: "monthly-active",
            label: "console-mau",
            value: count(tr, f.monthly_active),
            note: Some(tr.t("console-mau-note")),
        },
        FigureRow {
            id: "teachers-publishing",
            label: "console-teachers-publishing",
            value: count(tr, f.teachers_publishing),
            note: None,
        },
        FigureRow {
            id: "courses",
            label: "console-courses",
            value: count(tr, f.courses),
            note: Some(tr.args("console-courses-note", &[("published", n(f.courses_published))])),
        },
        FigureRow {
            id: "enrollments",
            label: "console-enrollments",
            value: count(tr, f.enrollments),
            note: Some(tr.args("console-enrollments-note", &[("completed", n(f.enrollments_completed))])),
        },
        FigureRow {
            id: "completion-rate",
            label: "console-completion",
            value: rate(tr, f.completion_permille),
            note: Some(tr.t("console-completion-note")),
        },
    ];
    let revenue = f
        .revenue
        .iter()
        .map(|(currency, r)| RevenueRow {
            currency: currency.clone(),
            taken: money(tr, r.taken_minor, currency),
            fees: money(tr, r.fees_minor, currency),
        })
        .collect();
    let l = Layout::new(&app, &ctx, tr.t("console-title")).nav("admin-console");
    let page = ConsolePage { l, figures: rows, revenue, areas: &AREAS };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

// ---------------------------------------------------------------------------------------------
// Users

/// An account as the console's list shows it.
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub roles: Vec<Choice>,
    pub status: &'static str,
    pub status_name: &'static str,
    pub locked: bool,
    pub deleted: bool,
    pub me: bool,
    pub created: String,
    pub last_active: Option<String>,
}

fn user_row(tr: Tr, u: &UserRecord, me: UserId) -> UserRow {
    let status = u.status();
    UserRow {
        id: u.id.to_string(),
        name: u.name.clone(),
        email: if u.deleted_at.is_some() { String::new() } else { u.email.clone() },
        role: role_key(u.role),
        roles: ROLES
            .iter()
            .map(|r| Choice { value: r.as_str(), label: role_key(*r), selected: *r == u.role })
            .collect(),
        status: status_key(status),
        status_name: status.as_str(),
        locked: status == AccountStatus::Locked,
        deleted: status == AccountStatus::Deleted,
        me: u.id == me,
        created: date(tr, u.created_at),
        last_active: u.last_active_at.map(|t| date(tr, t)),
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    l: Layout,
    items: Vec<UserRow>,
    q: String,
    roles: Vec<Choice>,
    statuses: Vec<Choice>,
    next: Option<String>,
    /// Where the row forms come back to (this list, with its filters).
    back: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct UserParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    status: String,
    cursor: Option<String>,
    #[serde(default)]
    done: String,
}

/// The list with its filters. An unknown role or status is left out (the form only sends known
/// ones); a search longer than the API allows is cut.
async fn users_page(app: &AppState, ctx: &PageCtx, p: &UserParams, error: Option<String>) -> Result<String> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let q: String = p.q.trim().chars().take(200).collect();
    let role = parse_role(&p.role);
    let status = parse_status(&p.status);
    let filter = user_filter(Some(&q), role.map(Role::as_str), status.map(AccountStatus::as_str))?;
    let page = app.identity.users(&who.user, filter, PAGE_SIZE, cursor(&p.cursor)?).await?;
    let mut query = String::new();
    if !q.is_empty() {
        query.push_str(&format!("&q={}", urlencode(&q)));
    }
    if let Some(r) = role {
        query.push_str(&format!("&role={}", r.as_str()));
    }
    if let Some(s) = status {
        query.push_str(&format!("&status={}", s.as_str()));
    }
    let back = match (&p.cursor, query.is_empty()) {
        (Some(c), _) if !c.is_empty() => format!("/admin/users?cursor={}{query}", urlencode(c)),
        (_, true) => "/admin/users".to_owned(),
        (_, false) => format!("/admin/users?{}", &query[1..]),
    };
    let notice = match p.done.as_str() {
        "role" => Some(tr.t("admin-users-done-role")),
        "lock" => Some(tr.t("admin-users-done-lock")),
        "unlock" => Some(tr.t("admin-users-done-unlock")),
        _ => None,
    };
    let l = Layout::new(app, ctx, tr.t("admin-users-title")).nav("admin-users");
    let page = UsersPage {
        items: page.items.iter().map(|u| user_row(tr, u, who.user.id)).collect(),
        roles: ROLES
            .iter()
            .map(|r| Choice { value: r.as_str(), label: role_key(*r), selected: role == Some(*r) })
            .collect(),
        statuses: STATUSES
            .iter()
            .map(|s| Choice { value: s.as_str(), label: status_key(*s), selected: status == Some(*s) })
            .collect(),
        next: page.next_cursor.map(|c| format!("/admin/users?cursor={}{query}", urlencode(&c))),
        q,
        back,
        notice,
        error,
        l,
    };
    render(&page)
}

/// `GET /admin/users`: accounts, newest first; search by email or name, filter by role and status.
pub async fn users(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(p): Query<UserParams>,
) -> Result<Response> {
    let body = users_page(&app, &ctx, &p, None).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, body))
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    reason: String,
    back: Option<String>,
}

/// A refusal the admin can act on, as a message (and the status to answer it with).
fn refusal(tr: Tr, e: Error) -> Result<(StatusCode, String)> {
    let key = match &e {
        Error::Conflict { code: Code::OwnAccount, .. } => "admin-users-own-account",
        Error::Conflict { code: Code::LastAdmin, .. } => "admin-users-last-admin",
        Error::Conflict { code: Code::AccountDeleted, .. } => "admin-users-deleted",
        Error::Validation(fields) if fields.iter().any(|f| f.field == "reason") => {
            "admin-users-reason-invalid"
        }
        Error::Validation(_) => "admin-users-role-invalid",
        _ => return Err(e),
    };
    Ok((e.status(), tr.t(key)))
}

/// `POST /admin/users/{id}/role`, `/lock` and `/unlock`: the same change as the API's
/// `PATCH /api/v1/admin/users/{id}`, then back to the list.
pub async fn change_user(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ChangeForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let id: UserId = parse(&id)?;
    let tr = ctx.tr();
    let reason = Some(f.reason.as_str());
    let change = match action.as_str() {
        // A role is required here: an empty select is an unknown role, not "no change".
        "role" => account_change(Some(f.role.as_str()), None, reason),
        "lock" => account_change(None, Some(true), reason),
        "unlock" => account_change(None, Some(false), reason),
        _ => return Err(Error::NotFound),
    };
    let outcome = match change {
        Ok(change) => app.identity.change_account(who, id, change).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            let back = safe_next(f.back.as_deref(), "/admin/users");
            let back = if back.starts_with("/admin/users") { back } else { "/admin/users".to_owned() };
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(see_other(&format!("{back}{sep}done={action}")))
        }
        Err(e) => {
            let (status, message) = refusal(tr, e)?;
            let body = users_page(&app, &ctx, &UserParams::default(), Some(message)).await?;
            Ok(html(&ctx, &headers, status, body))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The audit log

pub struct AuditView {
    pub at: String,
    /// (name, email) of the admin or person who acted; `None` for the system.
    pub actor: Option<(String, String)>,
    pub action: String,
    pub code: String,
    pub target: String,
    pub target_href: Option<String>,
    pub reason: Option<String>,
}

/// How a person is named in the log: their name and email, or that the account is gone.
fn person_label(tr: Tr, p: &Person) -> (String, String) {
    if p.deleted { (tr.t("audit-deleted-account"), String::new()) } else { (p.name.clone(), p.email.clone()) }
}

fn audit_view(tr: Tr, line: &AuditLine) -> AuditView {
    let e = &line.entry;
    let key = format!("audit-{}", e.action.replace('.', "-"));
    let (target, target_href) = match (e.target_type.as_str(), &line.target_user) {
        ("user", Some(p)) => {
            let (name, email) = person_label(tr, p);
            let href = (!email.is_empty()).then(|| format!("/admin/users?q={}", urlencode(&email)));
            let label = if email.is_empty() { name } else { format!("{name} <{email}>") };
            (label, href)
        }
        ("order", _) => (
            tr.with("audit-target-order", "id", &e.target_id),
            Some(format!("/admin/orders/{}", urlencode(&e.target_id))),
        ),
        ("payout", _) => {
            (tr.with("audit-target-payout", "id", &e.target_id), Some("/admin/payouts".to_owned()))
        }
        ("certificate", _) => (
            tr.with("audit-target-certificate", "id", &e.target_id),
            Some(format!("/certificates/{}", urlencode(&e.target_id))),
        ),
        (kind, _) => (format!("{kind} {}", e.target_id), None),
    };
    AuditView {
        at: moment(tr, e.at),
        actor: match (&e.actor, &line.actor) {
            (None, _) => None,
            (Some(_), Some(p)) => Some(person_label(tr, p)),
            (Some(id), None) => Some((id.to_string(), String::new())),
        },
        action: tr.maybe(&key).unwrap_or_else(|| e.action.clone()),
        code: e.action.clone(),
        target,
        target_href,
        reason: e.reason.clone(),
    }
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    l: Layout,
    items: Vec<AuditView>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CursorParams {
    cursor: Option<String>,
}

/// `GET /admin/audit`: every recorded action, newest first, with who did it and why.
pub async fn audit(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<CursorParams>,
) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let page = audit_lines(&app.store, &who.user, PAGE_SIZE, cursor(&q.cursor)?).await?;
    let l = Layout::new(&app, &ctx, tr.t("admin-audit-title")).nav("admin-audit");
    let page = AuditPage {
        items: page.items.iter().map(|line| audit_view(tr, line)).collect(),
        next: page.next_cursor.map(|c| format!("/admin/audit?cursor={}", urlencode(&c))),
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}
