//! Trust and safety: the moderation queues (courses in review, reviews held by the screen,
//! reports, teacher verifications), admins' decisions on them, and reports from users. Every decision is recorded in
//! the audit log and told to the people it affects (an in-app notification and an email, with
//! the statement of reasons the EU Digital Services Act asks for), in the same unit of work.
//!
//! What is held and why is decided below, by `crate::screen` (a leaf the catalog and learning
//! call as they publish and take reviews); this domain only acts on what is queued.

pub mod notices;
pub mod repo;
pub mod routes;
pub mod service;
pub mod verification;

pub use service::Moderation;
