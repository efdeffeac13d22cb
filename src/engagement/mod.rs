//! Engagement: what keeps students going and shows what they achieved. Today: course
//! certificates (issued on completion, verifiable pages, PDFs, Open Badges 3.0 credentials
//! signed with the school's Ed25519 key).
//!
//! Sits above learning: it reacts to `learning::events::CourseCompleted` inside learning's unit of
//! work and never calls learning to change anything. Never imports `web`.

pub mod badge;
pub mod certificates;
pub mod openbadges;
pub mod pdf;
pub mod routes;

pub use certificates::Certificates;
