//! Engagement: what brings students back, keeps teachers informed and shows what students
//! achieved.
//!
//! - [`service`]: [`Engagement`] — the learning hook (enrollment and completion emails, reminder
//!   state, digest items, in the unit of work of the change), the durable scheduler
//!   ([`Engagement::tick`]: reminders and daily digests, each queued in the same unit of work
//!   that records it as done, so a crash or restart never sends twice), email preferences and
//!   signed unsubscribe tokens.
//! - [`repo`]: the mail records and every read and write of the engagement mail tables.
//! - [`certificates`]: [`Certificates`] — issued once on completion (a learning event), verifiable
//!   pages, PDFs ([`pdf`]), Open Badges 3.0 credentials ([`openbadges`]) signed with the school's
//!   Ed25519 key ([`badge`]).
//! - [`routes`]: `GET/PATCH /api/v1/me/email-preferences` and the certificate endpoints. The
//!   unsubscribe and certificate pages are pages in `web`, calling the same services.
//!
//! It never changes learning's records: it reads them and reacts to learning's events. Never
//! imports `web`.

pub mod badge;
pub mod certificate_routes;
pub mod certificates;
pub mod openbadges;
pub mod pdf;
pub mod repo;
pub mod routes;
pub mod service;

pub use certificates::Certificates;
pub use service::Engagement;
