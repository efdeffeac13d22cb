//! Parsed catalog inputs.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
pub use crate::fields::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl Level {
    pub fn parse(s: &str) -> Result<Level, FieldError> {
        match s {
            "beginner" => Ok(Level::Beginner),
            "intermediate" => Ok(Level::Intermediate),
            "advanced" => Ok(Level::Advanced),
            _ => Err(FieldError::new("level", "must be beginner, intermediate or advanced")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CourseStatus {
    Draft,
    Published,
    Archived,
    /// Submitted for publishing and waiting for an admin (the automatic checks found reasons to
    /// look, or it is the teacher's first course). Not public.
    #[serde(rename = "in_review")]
    InReview,
}

impl CourseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CourseStatus::Draft => "draft",
            CourseStatus::Published => "published",
            CourseStatus::Archived => "archived",
            CourseStatus::InReview => "in_review",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LessonKind {
    Text,
    Video,
    /// Questions graded on submission (`LessonRecord::quiz`); passing completes the lesson.
    Quiz,
}

impl LessonKind {
    pub fn parse(s: &str) -> Result<LessonKind, FieldError> {
        match s {
            "text" => Ok(LessonKind::Text),
            "video" => Ok(LessonKind::Video),
            "quiz" => Ok(LessonKind::Quiz),
            _ => Err(FieldError::new("kind", "must be text, video or quiz")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LessonKind::Text => "text",
            LessonKind::Video => "video",
            LessonKind::Quiz => "quiz",
        }
    }
}

/// Why a module is closed to someone, and until when (computed by `learning::locks`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// When the date or delay is over (the later of the two).
    pub available_at: Option<crate::clock::Timestamp>,
    /// The module to complete first, while it is not complete.
    pub after_module: Option<(crate::ids::ModuleId, String)>,
}

impl Lock {
    /// As the API's `lesson_locked` problem says it.
    pub fn problem(&self) -> crate::error::Locked {
        crate::error::Locked {
            available_at: self.available_at.map(crate::clock::Timestamp::to_rfc3339),
            after_module: self
                .after_module
                .as_ref()
                .map(|(id, title)| crate::error::ModuleRef { id: id.to_string(), title: title.clone() }),
        }
    }
}

/// A URL path segment: lowercase ASCII letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(field: &str, s: &str) -> Result<Slug, FieldError> {
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.split('-').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok && ulid::Ulid::from_string(s).is_ok() {
            // `/courses/{id-or-slug}` tries ids first: such a slug would shadow a course's id.
            Err(FieldError::new(field, "must not look like a course id"))
        } else if ok {
            Ok(Slug(s.to_owned()))
        } else {
            Err(FieldError::new(field, "must be lowercase letters, digits and single hyphens (at most 100)"))
        }
    }

    /// A slug made from a title in any script (Cyrillic is transliterated).
    pub fn from_title(title: &str) -> Slug {
        let mut s = slug::slugify(title);
        if s.len() > 80 {
            s.truncate(80);
            s = s.trim_end_matches('-').to_owned();
        }
        if s.is_empty() {
            s = "course".into();
        }
        Slug(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn with_suffix(&self, n: u32) -> Slug {
        Slug(format!("{}-{n}", self.0))
    }
}

/// Money in minor units of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

/// Currencies a school can price in (ISO 4217, two-decimal minor units).
pub const CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "RUB", "KZT", "UAH", "BYN", "CHF", "CAD", "AUD", "PLN", "CZK", "TRY", "INR", "BRL",
];

impl Money {
    pub const MAX_MINOR: i64 = 100_000_000;

    pub fn parse(minor: i64, currency: &str) -> Result<Money, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(0..=Self::MAX_MINOR).contains(&minor) {
            errors.push(FieldError::new("price_minor", "must be between 0 and 100000000 (minor units)"));
        }
        let currency = currency.trim().to_ascii_uppercase();
        if !CURRENCIES.contains(&currency.as_str()) {
            errors.push(FieldError::new("currency", format!("must be one of {}", CURRENCIES.join(", "))));
        }
        if errors.is_empty() { Ok(Money { minor, currency }) } else { Err(errors) }
    }
}

/// A two-letter ISO 639-1 language code.
pub fn language(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_ascii_lowercase();
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(s)
    } else {
        Err(FieldError::new("language", "must be a two-letter language code such as en or ru"))
    }
}

/// An http(s) URL for a video.
pub fn video_url(raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let ok = (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() <= 2048
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    if ok { Ok(s.to_owned()) } else { Err(FieldError::new("video_url", "must be an http(s) URL")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("slug", "python-101").is_ok());
        assert!(Slug::parse("slug", &ulid::Ulid::generate().to_string().to_lowercase()).is_err());
        for bad in ["", "Python", "a--b", "-a", "a-", "a b", "ру"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad}");
        }
        assert_eq!(Slug::from_title("Python с нуля!").as_str(), "python-s-nulia");
        assert_eq!(Slug::from_title("  ").as_str(), "course");
        assert!(
            Slug::parse("slug", Slug::from_title(&"Очень длинное название ".repeat(10)).as_str()).is_ok()
        );
    }

    #[test]
    fn money() {
        assert_eq!(Money::parse(1990, "usd").unwrap().currency, "USD");
        assert_eq!(Money::parse(-1, "XXX").unwrap_err().len(), 2);
    }

    #[test]
    fn texts_and_urls() {
        assert_eq!(text("title", "  Hi there ", 3, 12).unwrap(), "Hi there");
        assert!(text("title", "Hi", 3, 10).is_err());
        assert!(text("title", "a\u{0}b", 1, 10).is_err());
        assert!(video_url("https://www.youtube-nocookie.com/embed/abc").is_ok());
        assert!(video_url("javascript:alert(1)").is_err());
        assert_eq!(language("RU").unwrap(), "ru");
        assert!(language("rus").is_err());
    }
}
