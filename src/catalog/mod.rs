//! The catalog: categories, courses, modules and lessons.
//!
//! - [`types`]: parsed inputs (`Slug`, `Money`, `Level`...).
//! - [`input`]: course and lesson input as typed (API or studio form), checked.
//! - [`repo`]: records and table access; counters kept in the same unit as their cause.
//! - [`quiz`]: quiz definitions, their checks, grading and the studio's text format.
//! - [`service`]: visibility and ownership rules, publishing, ordering, caches.

pub mod checklist;
pub mod events;
pub mod input;
pub mod quiz;
pub mod repo;
pub mod routes;
pub mod service;
pub mod types;
pub mod views;

pub use service::Catalog;
