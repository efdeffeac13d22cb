//! The store's own tables; the domains' tables are in [`crate::schema`].

use super::table::Table;
use serde::{Deserialize, Serialize};

/// Store-wide facts: `schema_version`, `position` (see `store::Tx::record_change`).
pub const META: Table<String, u64> = Table::new("meta");

/// The change log: position → what changed. Derived data (the search index) follows it.
pub const CHANGES: Table<u64, Change> = Table::new("changes");

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub entity: String,
    pub id: u128,
}
