//! Checking the fields of a request: rules every domain shares, and a collector that gathers
//! every field's error so that a client hears of all of them at once (422 `validation_failed`).

use crate::error::{Error, FieldError};

/// Field errors noted while a body is checked.
#[derive(Debug, Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    /// The checked value, or `None` with its error noted.
    pub fn check<T>(&mut self, checked: Result<T, FieldError>) -> Option<T> {
        checked.map_err(|e| self.errors.push(e)).ok()
    }

    /// Checks a field that may be left out: `None` when it is absent or wrong (then noted).
    pub fn optional<R, T>(
        &mut self,
        raw: Option<R>,
        check: impl FnOnce(R) -> Result<T, FieldError>,
    ) -> Option<T> {
        raw.and_then(|r| self.check(check(r)))
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.errors.extend(errors);
    }

    /// 422 with every noted error, if there is any.
    pub fn finish(self) -> Result<(), Error> {
        if self.errors.is_empty() { Ok(()) } else { Err(Error::Validation(self.errors)) }
    }
}

/// Trimmed text with a length range (in characters) and no control characters but newlines.
pub fn text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let s = raw.trim();
    let n = s.chars().count();
    if n < min {
        return Err(FieldError::new(
            field,
            if min <= 1 { "must not be empty".into() } else { format!("must be at least {min} characters") },
        ));
    }
    // The limit holds for what was sent, as the OpenAPI `maxLength` says, not only for what is
    // kept after trimming.
    if n > max || raw.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_together() {
        let mut f = Fields::new();
        assert_eq!(f.check(text("title", "  Rust  ", 3, 10)), Some("Rust".to_owned()));
        assert_eq!(f.check(text("title", "ab", 3, 10)), None);
        assert_eq!(f.optional(None::<&str>, |t| text("subtitle", t, 1, 5)), None);
        assert_eq!(f.optional(Some("far too long"), |t| text("subtitle", t, 1, 5)), None);
        assert_eq!(f.optional(Some("   abcd   "), |t| text("subtitle", t, 1, 5)), None, "spaces count");
        assert_eq!(f.optional(Some("bell\u{7}"), |t| text("name", t, 1, 50)), None);
        match f.finish() {
            Err(Error::Validation(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["title", "subtitle", "subtitle", "name"]);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert!(Fields::new().finish().is_ok());
    }
}
