//! Drip release and prerequisites: whether a module is open to a student, computed when read
//! from the module's rule (`catalog::repo::Unlock`), the enrollment's start, the clock and the
//! student's completions. Nothing is stored or scheduled, so a module opens when its time comes
//! without anyone acting, and a restart changes nothing.

use crate::catalog::repo::{self as catalog, ModuleRecord};
pub use crate::catalog::types::Lock;
use crate::clock::{DAY_MS, Timestamp};
use crate::ids::UserId;
use crate::store::{Readable, StoreResult};

/// The lock on `m` for a student, or `None` if it is open. `student` is `None` for someone not
/// enrolled (delays then count from `now`, as if they enrolled now, and prerequisites are
/// unmet); `enrolled_at` is when the student enrolled.
pub fn module_lock(
    r: &impl Readable,
    m: &ModuleRecord,
    student: Option<(UserId, Timestamp)>,
    now: Timestamp,
) -> StoreResult<Option<Lock>> {
    let Some(rule) = &m.unlock else { return Ok(None) };
    let mut available_at: Option<Timestamp> = None;
    if let Some(days) = rule.after_days {
        let from = student.map_or(now, |(_, at)| at);
        let at = Timestamp(from.millis().saturating_add(i64::from(days) * DAY_MS));
        if now < at {
            available_at = Some(at);
        }
    }
    if let Some(day) = rule.on_day {
        let at = Timestamp::start_of_day(day);
        if now < at {
            available_at = Some(available_at.map_or(at, |a| a.max(at)));
        }
    }
    let mut after_module = None;
    if let Some(p) = rule.after_module
        && let Some(prereq) = catalog::module(r, p)?
        && prereq.course_id == m.course_id
    {
        let lessons = catalog::lessons_of(r, prereq.id)?;
        let mut done = true;
        for l in &lessons {
            let completed = match student {
                Some((user, _)) => super::repo::is_completed(r, user, m.course_id, l.id)?,
                None => false,
            };
            if !completed {
                done = false;
                break;
            }
        }
        if !done {
            after_module = Some((prereq.id, prereq.title.clone()));
        }
    }
    Ok((available_at.is_some() || after_module.is_some()).then_some(Lock { available_at, after_module }))
}
