//! The admin console's read models: the platform's figures ([`figures`]), what the API and the
//! console's pages share ([`views`]: filters, changes, the audit log with names) and the HTTP
//! adapter of the admin's account and audit endpoints ([`routes`]). It owns no table and changes nothing:
//! account changes are identity's (`identity::admin`), each domain records its own audit entries.
//!
//! The figures read several domains' tables in one snapshot, as a report does: counting is
//! the only thing done with them, and it never writes.

pub mod figures;
pub mod routes;
pub mod views;

pub use figures::Figures;
