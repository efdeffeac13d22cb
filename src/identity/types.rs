//! Parsed identity inputs: once constructed, a value is known to be valid.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::LazyLock;

use crate::error::{Error, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Student,
    Teacher,
    Admin,
}

impl Role {
    pub fn as_u8(self) -> u8 {
        match self {
            Role::Student => 1,
            Role::Teacher => 2,
            Role::Admin => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Teacher => "teacher",
            Role::Admin => "admin",
        }
    }
}

/// A normalised (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, FieldError> {
        let bad = || FieldError::new("email", "must be a valid email address");
        // Checked before copying: the input may be megabytes.
        if raw.len() > 320 {
            return Err(bad());
        }
        let s = raw.trim().to_lowercase();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(bad());
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password a person may use: 8..=128 characters and not one of the most common ones.
/// Wiped from memory when dropped; no `==` (passwords are only ever compared as hashes).
#[derive(Clone)]
pub struct Password(secrecy::SecretString);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(field: &str, raw: &str) -> Result<Password, FieldError> {
        let n = raw.chars().count();
        if n < Self::MIN {
            return Err(FieldError::new(field, "must be at least 8 characters"));
        }
        if n > Self::MAX {
            return Err(FieldError::new(field, "must be at most 128 characters"));
        }
        if COMMON.contains(raw.to_lowercase().as_str()) {
            return Err(FieldError::new(field, "is one of the most common passwords; choose another"));
        }
        Ok(Password(raw.into()))
    }

    pub fn expose(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }
}

/// A display name: trimmed, 1..=100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Name, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new("name", "must not be empty"));
        }
        if s.chars().count() > 100 {
            return Err(FieldError::new("name", "must be at most 100 characters"));
        }
        if s.chars().any(|c| c.is_control() || is_format_char(c)) {
            return Err(FieldError::new("name", "must not contain control or formatting characters"));
        }
        // Names go into emails sent to addresses anyone can type: no links smuggled in them.
        if s.contains("://") || s.to_lowercase().contains("www.") {
            return Err(FieldError::new("name", "must not contain a web address"));
        }
        Ok(Name(s.to_owned()))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Invisible formatting characters (bidi overrides, zero-width) that can disguise text.
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

/// The language for a person's emails and pages.
pub fn parse_locale(raw: Option<&str>) -> String {
    match raw.map(|s| s.trim().to_ascii_lowercase()) {
        Some(s) if s.starts_with("ru") => "ru".into(),
        _ => "en".into(),
    }
}

/// Collects field errors from several parses into one validation error.
pub fn collect<T>(results: Vec<Result<T, FieldError>>) -> Result<Vec<T>, Error> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(ok) } else { Err(Error::Validation(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse("  Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        assert_eq!(Email::parse("иван@почта.рф").unwrap().as_str(), "иван@почта.рф");
        for bad in ["", "ann", "ann@", "@x.org", "ann@localhost", "a b@x.org", "ann@x..org", "ann@-x.org"] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("password", "short").is_err());
        assert!(Password::parse("password", &"x".repeat(129)).is_err());
        assert!(Password::parse("password", "Password1").is_err(), "common, any case");
        assert!(Password::parse("password", "qwertyuiop").is_err());
        assert!(Password::parse("password", "correct horse battery").is_ok());
        assert!(Password::parse("password", &"ж".repeat(128)).is_ok(), "counts characters, not bytes");
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::parse("password", "my secret words").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }

    #[test]
    fn names() {
        assert!(Name::parse("  ").is_err());
        assert!(Name::parse("a\u{7}b").is_err());
        assert_eq!(Name::parse(" Анна ").unwrap().into_string(), "Анна");
        assert!(Name::parse("Ann\u{202E}gpj.exe").is_err());
        assert!(Name::parse("Locked! Visit https://evil.example").is_err());
        assert!(Name::parse("see www.evil.example").is_err());
    }

    proptest! {
        #[test]
        fn email_parse_is_idempotent(s in "[a-zA-Z0-9._%+-]{1,20}@[a-z0-9]{1,10}\\.[a-z]{2,5}") {
            let once = Email::parse(&s).unwrap();
            let twice = Email::parse(once.as_str()).unwrap();
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn parsers_never_panic(s in ".{0,300}") {
            let _ = Email::parse(&s);
            let _ = Password::parse("password", &s);
            let _ = Name::parse(&s);
        }
    }
}
