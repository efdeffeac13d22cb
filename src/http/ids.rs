//! Path ids: an id that does not parse names nothing, so it is a 404 like any unknown id.

use std::str::FromStr;

use crate::error::{Error, Result};

pub fn parse<T: FromStr>(raw: &str) -> Result<T> {
    raw.parse().map_err(|_| Error::NotFound)
}
