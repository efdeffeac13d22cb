//! The API integration tests: one binary, a real server per test on port 0 with its own
//! temp data dir. `TEST_LOG=1` shows the server's logs.

mod helpers;
mod support;

mod admin;
mod admin_console;
mod analytics;
mod auth;
mod catalog;
mod certificates;
mod commerce;
mod commerce_yookassa;
mod console;
mod coupons;
mod demo;
mod engagement;
mod hardening;
mod http;
mod learning;
mod ledger;
mod mail;
mod moderation;
mod money;
mod ops;
mod paging;
mod payouts;
mod qa;
mod quiz;
mod reconcile;
mod refunds;
mod session;
mod studio;
mod tokens;
mod uploads;
mod web;
mod web_money;
mod web_studio;
