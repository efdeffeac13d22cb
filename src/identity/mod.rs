//! Identity: accounts, sign-in, tokens, email verification and password reset.
//!
//! - [`types`]: parsed inputs (`Email`, `Password`, `Name`) and `Role`.
//! - [`password`]: argon2id hashing, bounded by a semaphore.
//! - [`tokens`]: access JWTs (HS256 pinned), opaque refresh/email tokens, CSRF tokens.
//! - [`repo`]: the records and every read and write of the identity tables.
//! - [`service`]: the rules (rotation, reuse detection, enumeration safety), free of HTTP.
//! - [`admin`]: admins' list of accounts, role changes, locking (audited).
//! - [`extract`]: `AuthUser` / `AdminUser` extractors (Bearer or cookie + CSRF).
//! - [`cookies`]: the cookies of a browser session (set by the session API and the pages).
//! - [`routes`]: thin handlers for `/api/v1/auth/*` and `/api/v1/me*`.

pub mod admin;
pub mod cookies;
pub mod extract;
pub mod password;
pub mod repo;
pub mod routes;
pub mod service;
pub mod tokens;
pub mod types;

pub use extract::{AdminUser, AuthUser, MaybeUser, locale};
pub use service::Identity;
pub use types::{Email, Name, Password, Role};
