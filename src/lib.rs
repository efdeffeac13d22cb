//! Lectern: a whole online school in one binary.
//!
//! Map of the crate:
//! - [`app`]: the application state and the server lifecycle (bind, serve, drain, close).
//! - [`config`], [`cli`], [`telemetry`]: how the binary is started and observed.
//! - [`http`]: router, middleware (client IP, rate limit, security headers), extractors.
//! - [`error`]: the one error type, rendered as problem+json.
//! - [`store`]: redb, the source of truth: typed tables, the single writer, migrations, paging.
//! - [`identity`]: accounts, tokens, sessions; [`mail`]: the durable outbox.
//! - [`backup`], [`offsite`], [`ops`]: backup files, their copies in S3-compatible storage, and
//!   the scheduled and admin-triggered backups.
//! - [`clock`], [`ids`], [`ratelimit`]: small shared pieces.

pub mod app;
pub mod backup;
pub mod cache;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod http;
pub mod identity;
pub mod ids;
pub mod learning;
pub mod mail;
pub mod observe;
pub mod offsite;
pub mod ops;
pub mod ratelimit;
pub mod respcache;
pub mod richtext;
pub mod schema;
pub mod search;

pub mod seed;
pub mod store;
pub mod telemetry;
pub mod web;
