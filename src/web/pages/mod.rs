//! Page handlers, grouped by who uses them.

pub mod account;
pub mod catalog;
pub mod certificates;
pub mod console;
pub mod engage;
pub mod errors;
pub mod learn;
pub mod moderation;
pub mod money;
pub mod orders;
pub mod questions;
pub mod seo;
pub mod studio;
pub mod teaching;

use crate::error::{Error, Result};

/// Renders a template; a failure is a bug, reported as a 500 page.
pub fn render(t: &impl askama::Template) -> Result<String> {
    t.render().map_err(|e| Error::Internal(anyhow::anyhow!("template: {e}")))
}
