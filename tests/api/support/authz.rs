//! Authorization tables: every (method, path, body) of a domain × every kind of caller → the
//! status that caller must get, run by [`check_table`], which reports every mismatch at once.
//!
//! A table is a `Vec<Row>`. A row's path and body name the objects they act on with `{name}`
//! placeholders, filled from the [`Vars`] a setup function returns for each caller (so every
//! caller can get fresh objects: one caller's success never changes another's case). `{who}` is
//! always there: the caller's name (`student`, `other-teacher`...), for values that must be
//! unique per caller. Rows run in order, caller after caller, so a row may rely on the ones above
//! it (delete rows go last).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use reqwest::Method;
use serde_json::{Value, json};

use super::clients::{ANONYMOUS, Actor};
use crate::helpers::TestApp;

/// The callers of a table, in the order of a row's expected statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// No credentials.
    Anonymous,
    /// A signed-in student with no relation to the objects.
    Student,
    /// The student with a stake in the objects: enrolled in the course, author of the review
    /// (a domain says what its setup gives this caller: the buyer, the certificate holder...).
    Enrolled,
    /// A teacher, but not of this course.
    OtherTeacher,
    /// The teacher who owns the objects.
    Owner,
    Admin,
}

pub const CALLERS: [Who; 6] =
    [Who::Anonymous, Who::Student, Who::Enrolled, Who::OtherTeacher, Who::Owner, Who::Admin];

impl Who {
    pub fn name(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Student => "student",
            Who::Enrolled => "enrolled",
            Who::OtherTeacher => "other-teacher",
            Who::Owner => "owner",
            Who::Admin => "admin",
        }
    }
}

/// One signed-in account per kind of caller (the anonymous one needs none).
pub struct Cast {
    pub student: Actor,
    pub enrolled: Actor,
    pub other_teacher: Actor,
    pub owner: Actor,
    pub admin: Actor,
}

impl Cast {
    /// Signs up the student, the enrolled student and both teachers, and signs in the admin.
    /// It enrolls nobody: that is the setup's part.
    pub async fn sign_up(app: &TestApp) -> Cast {
        Cast {
            student: app.sign_up_student("student@cast.test").await,
            enrolled: app.sign_up_student("enrolled@cast.test").await,
            other_teacher: app.sign_up_teacher("other-teacher@cast.test").await,
            owner: app.sign_up_teacher("owner@cast.test").await,
            admin: app.sign_in_admin().await,
        }
    }

    pub fn actor(&self, who: Who) -> &Actor {
        match who {
            Who::Anonymous => &ANONYMOUS,
            Who::Student => &self.student,
            Who::Enrolled => &self.enrolled,
            Who::OtherTeacher => &self.other_teacher,
            Who::Owner => &self.owner,
            Who::Admin => &self.admin,
        }
    }
}

/// `{name}` → value, for one caller's run of a table.
pub type Vars = BTreeMap<&'static str, String>;

/// The body of a row that sends none.
pub const NO_BODY: Value = Value::Null;

/// One request and the status each caller must get, in [`CALLERS`] order:
/// `[anonymous, student, enrolled, other teacher, owner, admin]`.
pub struct Row {
    pub what: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub body: Value,
    pub expect: [u16; 6],
}

pub fn row(what: &'static str, method: Method, path: &'static str, body: Value, expect: [u16; 6]) -> Row {
    Row { what, method, path, body, expect }
}

fn fill(template: &str, vars: &Vars) -> String {
    let mut out = template.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    // What is left between braces must not look like a placeholder name.
    for (start, _) in out.match_indices('{') {
        if let Some(len) = out[start + 1..].find('}') {
            let name = &out[start + 1..start + 1 + len];
            assert!(
                name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "unfilled placeholder {{{name}}} in {template:?} (the setup gave {:?})",
                vars.keys().collect::<Vec<_>>()
            );
        }
    }
    out
}

fn fill_json(body: &Value, vars: &Vars) -> Value {
    match body {
        Value::String(s) => Value::String(fill(s, vars)),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill_json(v, vars)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), fill_json(v, vars))).collect())
        }
        other => other.clone(),
    }
}

/// Runs `table` as every caller (`setup(who)` first, for that caller's objects) and fails
/// listing every case whose status differs from the table, and every refusal that is not a
/// problem+json body with the same status. Refusals are matched by status only; a table that
/// cares about a refusal's `code` adds a test of its own.
pub async fn check_table(app: &TestApp, cast: &Cast, table: &[Row], mut setup: impl AsyncFnMut(Who) -> Vars) {
    let mut got = vec![[0u16; 6]; table.len()];
    let mut wrong = Vec::new();
    for (col, who) in CALLERS.into_iter().enumerate() {
        let mut vars = setup(who).await;
        vars.insert("who", who.name().to_owned());
        let api = app.api(cast.actor(who));
        for (i, r) in table.iter().enumerate() {
            let path = fill(r.path, &vars);
            let body = (!r.body.is_null()).then(|| fill_json(&r.body, &vars));
            let reply = api.send(r.method.clone(), &path, body.as_ref()).await;
            got[i][col] = reply.status.as_u16();
            let expected = r.expect[col];
            let code = reply.problem_code().map(|c| format!(" ({c})")).unwrap_or_default();
            if reply.status.as_u16() != expected {
                wrong.push(format!(
                    "{:<28} {:<6} {:<44} as {:<13} expected {expected}, got {}{code}",
                    r.what,
                    r.method.as_str(),
                    r.path,
                    who.name(),
                    reply.status.as_u16(),
                ));
            } else if reply.status.is_client_error()
                && (reply.header("content-type") != Some("application/problem+json")
                    || reply.json["status"] != json!(expected))
            {
                wrong.push(format!(
                    "{:<28} as {:<13} refused without a problem body: {reply}",
                    r.what,
                    who.name()
                ));
            }
        }
    }
    if wrong.is_empty() {
        return;
    }
    let mut report = format!(
        "{} of {} authorization cases differ from the table:\n  {}\n\nthe rows as the server answers them \
         today ([anonymous, student, enrolled, other teacher, owner, admin]):\n",
        wrong.len(),
        table.len() * CALLERS.len(),
        wrong.join("\n  ")
    );
    for (r, got) in table.iter().zip(&got) {
        if &r.expect != got {
            let _ = writeln!(report, "  {:<28} {:?}  (table: {:?})", r.what, got, r.expect);
        }
    }
    panic!("{report}");
}
