//! JSON Schemas of the text inputs the domain parsers accept, for `#[schema(schema_with = ...)]`
//! on request bodies.
//!
//! Each one says exactly what its parser accepts, no more and no less: a client (or a fuzzer)
//! that follows the schema is never refused, and one that breaks it always is. The parsers trim
//! before they count, so lengths live in the patterns (`maxLength` would count the spaces).
//! Character classes are spelled out rather than written `\s`: JSON Schema validators and
//! Python disagree on what `\s` means.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

/// What `str::trim` removes (Unicode White_Space).
const SPACE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// What `char::is_control` is true of (Unicode Cc).
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";
/// Control characters that `catalog::types::text` refuses: all but tab and line breaks.
const TEXT_CONTROL: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";
/// The invisible formatting characters `identity::types::Name` refuses.
const FORMAT: &str = r"\xAD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF";

/// The longest length a pattern counts out. Much past it the regex engine behind jsonschema-rs
/// (which schemathesis validates with) refuses the pattern as too big, so longer texts give their
/// bound as `maxLength`: it counts the surrounding spaces too, a little stricter than the parser.
const LONGEST_COUNTED: usize = 5000;

/// A pattern (unanchored) for strings that, trimmed of [`SPACE`], are `min..=max` characters
/// long (`max` unbounded if `None`), start and end with a character of `edge` and hold only
/// characters of `inner` between.
fn trimmed(min: usize, max: Option<usize>, edge: &str, inner: &str) -> String {
    assert!(max.is_none_or(|max| min <= max && max >= 1), "{min}..={max:?} is not a length range");
    let between = |lo: usize| match max {
        Some(max) => format!("{{{lo},{}}}", max - 2),
        None => format!("{{{lo},}}"),
    };
    let core = match (min, max) {
        (_, Some(1)) => format!("[{edge}]"),
        (0 | 1, _) => format!("[{edge}](?:[{inner}]{}[{edge}])?", between(0)),
        _ => format!("[{edge}][{inner}]{}[{edge}]", between(min - 2)),
    };
    let core = if min == 0 { format!("(?:{core})?") } else { core };
    format!("[{SPACE}]*{core}[{SPACE}]*")
}

fn string(pattern: String, description: String, nullable: bool) -> RefOr<Schema> {
    let ty = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { Type::String.into() };
    ObjectBuilder::new().schema_type(ty).pattern(Some(pattern)).description(Some(description)).into()
}

fn text_schema(min: usize, max: usize, nullable: bool) -> RefOr<Schema> {
    let counted = (max <= LONGEST_COUNTED).then_some(max);
    let pattern = trimmed(min, counted, &format!("^{SPACE}{TEXT_CONTROL}"), &format!("^{TEXT_CONTROL}"));
    let len = if min == 0 { format!("At most {max}") } else { format!("{min} to {max}") };
    let description = format!(
        "{len} characters, not counting leading and trailing spaces (which are dropped); no control \
         characters but tabs and line breaks."
    );
    let ty = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { Type::String.into() };
    ObjectBuilder::new()
        .schema_type(ty)
        .pattern(Some(format!("^{pattern}$")))
        .max_length(counted.is_none().then_some(max))
        .description(Some(description))
        .into()
}

/// `catalog::types::text(field, s, MIN, MAX)`.
pub fn text<const MIN: usize, const MAX: usize>() -> RefOr<Schema> {
    text_schema(MIN, MAX, false)
}

/// [`text`], or `null` (the same as leaving it out).
pub fn text_or_null<const MIN: usize, const MAX: usize>() -> RefOr<Schema> {
    text_schema(MIN, MAX, true)
}

fn name_pattern() -> String {
    // Names go into emails: no web address may hide in one (any case of `www.`).
    let no_links = r"^(?![\s\S]*://)(?![\s\S]*[Ww][Ww][Ww]\.)";
    let inner = format!("^{CONTROL}{FORMAT}");
    let edge = format!("^{SPACE}{CONTROL}{FORMAT}");
    format!("{no_links}{}$", trimmed(1, Some(100), &edge, &inner))
}

const NAME: &str = "1 to 100 characters, not counting leading and trailing spaces; no control or invisible \
                    formatting characters, and no web address (`://`, `www.`).";

/// `identity::types::Name`.
pub fn name() -> RefOr<Schema> {
    string(name_pattern(), NAME.into(), false)
}

/// [`name`], or `null` (the same as leaving it out).
pub fn name_or_null() -> RefOr<Schema> {
    string(name_pattern(), NAME.into(), true)
}

/// `identity::types::Email`. The parser is stricter than most `email` format checkers (a dotted
/// domain, no spaces), never looser.
pub fn email() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(254))
        .into()
}

/// A new password, as `identity::types::Password` takes it: use as
/// `#[schema(value_type = NewPassword)]`.
pub struct NewPassword;

impl utoipa::PartialSchema for NewPassword {
    fn schema() -> RefOr<Schema> {
        // The parser's own list, compared in any case as it does.
        let common: Vec<String> = include_str!("../../identity/common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(any_case)
            .collect();
        // `(?![\s\S])` is the end of the string in every regex dialect (`$` is not, in Python).
        let pattern = format!(r"^(?!(?:{})(?![\s\S]))", common.join("|"));
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(8))
            .max_length(Some(128))
            .pattern(Some(pattern))
            .description(Some("8 to 128 characters, and not one of the most common passwords (in any case)."))
            .into()
    }
}

/// A pattern matching `word` in any case.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            let upper: Vec<char> = c.to_uppercase().collect();
            match upper[..] {
                [u] if u != c => format!("[{c}{u}]"),
                _ if r"^$\.*+?()[]{}|/".contains(c) => format!("\\{c}"),
                _ => c.to_string(),
            }
        })
        .collect()
}

impl utoipa::ToSchema for NewPassword {}

fn slug_pattern() -> String {
    // A 26-character slug of the id alphabet would read as a course id in
    // `/courses/{id-or-slug}`.
    r"^(?![0-9a-hjkmnp-tv-z]{26}$)[a-z0-9]+(?:-[a-z0-9]+)*$".into()
}

fn slug_schema(nullable: bool) -> RefOr<Schema> {
    let ty = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { Type::String.into() };
    ObjectBuilder::new()
        .schema_type(ty)
        .pattern(Some(slug_pattern()))
        .max_length(Some(100))
        .description(Some(
            "Lowercase letters, digits and single hyphens; not 26 characters that read as an id.",
        ))
        .into()
}

/// `catalog::types::Slug`.
pub fn slug() -> RefOr<Schema> {
    slug_schema(false)
}

/// [`slug`], or `null` (the same as leaving it out).
pub fn slug_or_null() -> RefOr<Schema> {
    slug_schema(true)
}

fn language_pattern() -> String {
    format!("^[{SPACE}]*[A-Za-z]{{2}}[{SPACE}]*$")
}

/// `catalog::types::language`: a two-letter code, any case.
pub fn language() -> RefOr<Schema> {
    string(language_pattern(), "A two-letter ISO 639-1 code such as `en` or `ru`.".into(), false)
}

/// [`language`], or `null` (the same as leaving it out).
pub fn language_or_null() -> RefOr<Schema> {
    string(language_pattern(), "A two-letter ISO 639-1 code such as `en` or `ru`.".into(), true)
}

fn video_url_pattern() -> String {
    // At most 2048 bytes once trimmed: ASCII counted exactly (the scheme is part of them).
    let url = format!(r#"[^{SPACE}{CONTROL}"<>]"#);
    format!(r"[{SPACE}]*(?:https://{url}{{0,2040}}|http://{url}{{0,2041}})[{SPACE}]*")
}

/// `catalog::types::video_url`.
pub fn video_url() -> RefOr<Schema> {
    string(format!("^{}$", video_url_pattern()), "An http(s) URL of the video.".into(), false)
}

/// [`video_url`], or `""` for none, or `null` (the same as leaving it out).
pub fn video_url_or_null() -> RefOr<Schema> {
    let description = "An http(s) URL of the video, or an empty string for none.";
    string(format!("^$|^{}$", video_url_pattern()), description.into(), true)
}

/// An id (a ULID: 26 characters of Crockford's base 32, any case), or `null`.
pub fn id_or_null() -> RefOr<Schema> {
    string(r"^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$".into(), "An id.".into(), true)
}

/// A date (`YYYY-MM-DD`, `clock::date_to_day`), or `null`.
pub fn date_or_null() -> RefOr<Schema> {
    string(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$".into(), "A date, YYYY-MM-DD (a real one, from 1970).".into(), true)
}

// Unsigned integers in full: utoipa writes `u32` as `int32` and `u64` as `int64`, formats whose
// ranges are signed.

/// A `u32`, or `null` (the same as leaving it out).
pub fn u32_or_null() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .minimum(Some(0))
        .maximum(Some(u32::MAX))
        .into()
}

/// A `u64`.
pub fn u64() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).maximum(Some(u64::MAX)).into()
}

/// One of `values`.
pub fn one_of(values: &[&str]) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.iter().copied())).into()
}

/// One of `values`, or `null` (the same as leaving it out).
pub fn one_of_or_null(values: &[&str]) -> RefOr<Schema> {
    let values = values.iter().map(|v| serde_json::Value::from(*v)).chain([serde_json::Value::Null]);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_lengths_become_bounded_patterns() {
        let s = format!("[{SPACE}]*");
        assert_eq!(trimmed(3, Some(120), "E", "I"), format!("{s}[E][I]{{1,118}}[E]{s}"));
        assert_eq!(trimmed(1, Some(80), "E", "I"), format!("{s}[E](?:[I]{{0,78}}[E])?{s}"));
        assert_eq!(trimmed(0, Some(200), "E", "I"), format!("{s}(?:[E](?:[I]{{0,198}}[E])?)?{s}"));
        assert_eq!(trimmed(1, Some(1), "E", "I"), format!("{s}[E]{s}"));
        assert_eq!(trimmed(1, None, "E", "I"), format!("{s}[E](?:[I]{{0,}}[E])?{s}"));
    }

    #[test]
    fn words_in_any_case() {
        assert_eq!(any_case("pa$$w0rd"), r"[pP][aA]\$\$[wW]0[rR][dD]");
        assert_eq!(any_case("йц!1"), "[йЙ][цЦ]!1");
    }
}
