//! Lectern: a whole online school in one binary.
//!
//! Map of the crate:
//! - [`app`]: the application state and the server lifecycle (bind, serve, drain, close).
//! - [`config`], [`cli`], [`telemetry`]: how the binary is started and observed.
//! - [`http`]: router, middleware (client IP, rate limit, security headers), extractors, OpenAPI.
//! - [`web`]: the server-rendered pages, their templates, assets and the choice of a request's
//!   language.
//! - [`i18n`]: the two languages' Fluent messages (`web/i18n`), shared by the pages and mail.
//! - [`error`]: the one error type and its codes, rendered as problem+json.
//! - [`store`]: redb, the source of truth: typed tables, the single writer, migrations, paging;
//!   [`schema`]: every domain's tables and migrations, handed to the store.
//! - Domains, each importing only those before it (docs/ARCHITECTURE.md, "Dependency
//!   directions"; `.ci/modgraph.py --check`): [`mail`] (the durable outbox and the emails'
//!   askama templates, `web/templates/mail`), [`identity`] (accounts, tokens, sessions),
//!   [`catalog`] (courses and their content; `catalog::views` for what lists show,
//!   `catalog::events` for curriculum changes), [`learning`] (enrollments, progress, reviews,
//!   who may open a lesson; `learning::events` for completions), [`search`] (the tantivy index;
//!   `search::listing`), [`media`] (uploads: content-addressed files, covers re-encoded),
//!   [`qa`] (lesson Q&A: questions, answers, the accepted one; screened like reviews),
//!   [`engagement`] (certificates: PDF, verification, Open Badges),
//!   [`analytics`] (a teacher's figures from counters the writes keep).
//! - [`cache`] (versioned record caches), [`respcache`] (answers for visitors), [`ratelimit`].
//! - Operations: [`backup`], [`offsite`] (S3 copies), [`ops`], [`check`], [`observe`] (metrics),
//!   [`demo`] and [`seed`] (content).
//! - [`clock`], [`ids`], [`richtext`], [`client`], [`fields`] (input checks): small shared
//!   pieces.

pub mod admin;
pub mod analytics;
pub mod app;
pub mod audit;
pub mod backup;
pub mod cache;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commerce;
pub mod config;
pub mod demo;
pub mod engagement;
pub mod error;
pub mod fields;
pub mod http;
pub mod i18n;
pub mod identity;
pub mod ids;
pub mod learning;
pub mod mail;
pub mod media;
pub mod moderation;
pub mod observe;
pub mod offsite;
pub mod ops;
pub mod privacy;
pub mod qa;
pub mod ratelimit;
pub mod respcache;
pub mod richtext;
pub mod schema;
pub mod screen;
pub mod search;

pub mod seed;
pub mod store;
pub mod telemetry;
pub mod web;
