//! Lesson Q&A: enrolled students ask questions under a lesson, students and the teacher
//! answer, the teacher accepts one answer. Posts are screened like reviews (`crate::screen`)
//! inside their unit of work; held ones wait in `qa_pending` for the moderation domain above.
//! The asker is notified in-app; new questions reach the teacher's digest through learning's
//! event hooks (`LearningEvent::Asked`), whose subscribers qa shares.

pub mod repo;
pub mod routes;
pub mod service;

pub use service::Qa;
