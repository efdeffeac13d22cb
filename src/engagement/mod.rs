//! Engagement: the mail that brings students back and keeps teachers informed.
//!
//! - [`service`]: [`Engagement`] — the learning hook (enrollment and completion emails, reminder
//!   state, digest items, in the unit of work of the change), the durable scheduler
//!   ([`Engagement::tick`]: reminders and daily digests, each queued in the same unit of work
//!   that records it as done, so a crash or restart never sends twice), email preferences and
//!   signed unsubscribe tokens.
//! - [`repo`]: the records and every read and write of the engagement tables.
//! - [`routes`]: `GET/PATCH /api/v1/me/email-preferences`. The unsubscribe page (`/unsubscribe`)
//!   is a page in `web`, calling the same service.
//!
//! It never changes learning's records: it reads them and reacts to learning's events.

pub mod repo;
pub mod routes;
pub mod service;

pub use service::Engagement;
