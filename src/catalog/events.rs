//! What a curriculum change tells the domains that keep data about lessons.
//!
//! The catalog does not know who those are (learning keeps completions, later quizzes and
//! certificates): they subscribe when the app is assembled, and the catalog calls them inside
//! the unit of work that makes the change, so their records change with the catalog's or not
//! at all. This keeps the dependency one way (learning → catalog; see docs/ARCHITECTURE.md).

use std::sync::Arc;

use super::repo::CourseRecord;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::LessonId;
use crate::store::Tx;

#[derive(Debug)]
pub enum CurriculumEvent<'a> {
    /// A lesson is being deleted (alone or with its module); its record is still readable.
    LessonRemoved { course: &'a CourseRecord, lesson: LessonId },
    /// Lessons were deleted and the course's counters saved: fewer lessons may now mean done.
    Shrunk { course: &'a CourseRecord, now: Timestamp },
}

/// A reaction to a curriculum change, run inside its write transaction.
pub type Subscriber = Arc<dyn Fn(&mut Tx<'_>, &CurriculumEvent<'_>) -> Result<()> + Send + Sync>;

/// Delivers an event to every subscriber; the first error aborts the unit of work.
pub fn publish(subscribers: &[Subscriber], tx: &mut Tx<'_>, event: &CurriculumEvent<'_>) -> Result<()> {
    subscribers.iter().try_for_each(|s| s(tx, event))
}
