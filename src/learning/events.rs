//! What learning tells the domains above it: a student enrolled, finished a course, reviewed one.
//!
//! Learning does not know who listens (engagement sends mail and keeps reminder state; later
//! certificates): they subscribe when the app is assembled, and learning calls them inside the
//! unit of work that makes the change, so what they write commits with it or not at all. This
//! keeps the dependency one way (engagement → learning; see docs/ARCHITECTURE.md), as
//! `catalog::events` does for the catalog.

use std::sync::Arc;

use super::repo::ReviewRecord;
use crate::catalog::repo::CourseRecord;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::UserId;
use crate::store::Tx;

#[derive(Debug)]
pub enum LearningEvent<'a> {
    /// `user` was enrolled in `course` (free enrollment or a paid order); the enrollment is saved.
    Enrolled { user: UserId, course: &'a CourseRecord, now: Timestamp },
    /// `user` finished `course` (the last lesson, or lessons removed); the enrollment is saved.
    Completed { user: UserId, course: &'a CourseRecord, now: Timestamp },
    /// A new review of `course` was saved.
    Reviewed { review: &'a ReviewRecord, course: &'a CourseRecord },
    /// `author` asked a question under a lesson of `course`, and it is public (published at
    /// once, or approved by an admin). Published by `qa`, which sits above learning and shares
    /// its subscribers (the teacher's digest).
    Asked { author: UserId, course: &'a CourseRecord, at: Timestamp },
}

/// A reaction to a learning event, run inside its write transaction.
pub type Subscriber = Arc<dyn Fn(&mut Tx<'_>, &LearningEvent<'_>) -> Result<()> + Send + Sync>;

/// The subscribers, fixed when the app is assembled; cheap to clone into units of work.
#[derive(Clone, Default)]
pub struct Hooks(Arc<Vec<Subscriber>>);

impl Hooks {
    pub fn new(subscribers: Vec<Subscriber>) -> Hooks {
        Hooks(Arc::new(subscribers))
    }

    /// Delivers `event` to every subscriber; the first error aborts the unit of work.
    pub fn publish(&self, tx: &mut Tx<'_>, event: &LearningEvent<'_>) -> Result<()> {
        self.0.iter().try_for_each(|s| s(tx, event))
    }
}
