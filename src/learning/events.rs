//! What learning tells the domains above it when a student finishes a course.
//!
//! Learning does not know who cares (certificates today, the completion email and analytics
//! later): they subscribe when the app is assembled, and learning calls them inside the unit of
//! work that completes the enrollment, so their records commit with the completion or not at all.
//! The dependency stays one way (engagement → learning; see docs/ARCHITECTURE.md).

use std::sync::Arc;

use crate::catalog::repo::CourseRecord;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::UserId;
use crate::store::Tx;

/// An enrollment has just become `completed` (once per enrollment: a finished course stays
/// finished when lessons are un-marked, so this is never published twice for the same one).
#[derive(Debug)]
pub struct CourseCompleted<'a> {
    pub student: UserId,
    pub course: &'a CourseRecord,
    pub at: Timestamp,
}

/// A reaction to a completion, run inside its write transaction.
pub type Subscriber = Arc<dyn Fn(&mut Tx<'_>, &CourseCompleted<'_>) -> Result<()> + Send + Sync>;

/// The subscribers, fixed when the app is assembled.
#[derive(Clone, Default)]
pub struct Completions {
    subscribers: Vec<Subscriber>,
}

impl Completions {
    pub fn subscribe(&mut self, s: Subscriber) {
        self.subscribers.push(s);
    }

    /// Delivers the event to every subscriber; the first error aborts the unit of work.
    pub fn publish(&self, tx: &mut Tx<'_>, event: &CourseCompleted<'_>) -> Result<()> {
        self.subscribers.iter().try_for_each(|s| s(tx, event))
    }
}
