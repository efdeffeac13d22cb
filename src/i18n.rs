//! The school's two languages, English and Russian, as Fluent messages (`web/i18n/*.ftl`), so
//! plural forms follow the CLDR rules of each language (1 урок, 2 урока, 5 уроков).
//!
//! Language-neutral on purpose: the pages (`web::i18n` adds choosing a request's language) and
//! the emails (`mail::templates`) translate through the same bundles, so translators edit one
//! set of files. A leaf module: it imports nothing of the app.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The message files of each language, compiled into the binary. The pages' and the emails'
/// messages are separate files, for translators, but one bundle: an id must be unique across both.
const EN_FILES: &[(&str, &str)] = &[
    ("web/i18n/en.ftl", include_str!("../web/i18n/en.ftl")),
    ("web/i18n/mail.en.ftl", include_str!("../web/i18n/mail.en.ftl")),
];
const RU_FILES: &[(&str, &str)] = &[
    ("web/i18n/ru.ftl", include_str!("../web/i18n/ru.ftl")),
    ("web/i18n/mail.ru.ftl", include_str!("../web/i18n/mail.ru.ftl")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// A language tag (`ru`, `ru-RU`, `en_GB`) by its primary subtag; None if unsupported.
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// A stored locale, English for anything unsupported: a message is better in English than not
    /// sent at all.
    pub fn from_locale(locale: &str) -> Lang {
        Lang::parse(locale).unwrap_or(Lang::En)
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
        }
    }
}

static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", EN_FILES));
static RU: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("ru", RU_FILES));

fn bundle(code: &str, files: &[(&str, &str)]) -> FluentBundle<FluentResource> {
    let mut b = FluentBundle::new_concurrent(vec![code.parse().expect("a valid language id")]);
    // No Unicode isolation marks around arguments: pages and emails are all left-to-right, and
    // the marks would show up as stray characters in plain-text mail.
    b.set_use_isolating(false);
    for (path, source) in files {
        let resource = FluentResource::try_new((*source).to_owned())
            .unwrap_or_else(|(_, errors)| panic!("{path} does not parse: {errors:?}"));
        b.add_resource(resource).unwrap_or_else(|e| panic!("{path}: message ids must be unique: {e:?}"));
    }
    b
}

/// An argument of a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Num(f64),
    Text(String),
}

/// A message in `lang` with named arguments: numbers (which choose plural forms) or text.
/// A missing message shows its id, so a gap is visible, not fatal.
pub fn t(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    Tr(lang).args(id, args)
}

/// True if `lang` has a message `id` (with a value).
pub fn has(lang: Lang, id: &str) -> bool {
    lang.bundle().get_message(id).is_some_and(|m| m.value().is_some())
}

/// Translates for one language. Missing messages show their id, so a gap is visible, not fatal.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn lang(&self) -> Lang {
        self.0
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.0.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let out: Cow<'_, str> = bundle.format_pattern(pattern, args, &mut errors);
        out.into_owned()
    }

    /// A message, if this language has it.
    pub fn maybe(&self, id: &str) -> Option<String> {
        self.0.bundle().has_message(id).then(|| self.format(id, None))
    }

    /// A message without arguments.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// A message with a count (`$n`), choosing the plural form.
    pub fn n(&self, id: &str, n: impl Into<f64>) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(n.into()));
        self.format(id, Some(&args))
    }

    /// A message with named arguments: numbers (which choose plural forms) or text.
    pub fn args(&self, id: &str, pairs: &[(&str, Arg)]) -> String {
        let mut args = FluentArgs::new();
        for (k, v) in pairs {
            let value = match v {
                Arg::Num(n) => FluentValue::from(*n),
                Arg::Text(s) => FluentValue::from(s.clone()),
            };
            args.set(k.to_string(), value);
        }
        self.format(id, Some(&args))
    }

    /// A message with one named string argument.
    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_owned()));
        self.format(id, Some(&args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message and term ids a .ftl file defines (comments and continuation lines left out).
    fn ids(src: &str) -> Vec<String> {
        src.lines()
            .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap().trim().to_owned())
            .collect()
    }

    #[test]
    fn every_file_parses_and_ids_are_unique_across_files() {
        for lang in Lang::ALL {
            // Building the bundle panics on a parse error or a duplicate id.
            assert!(has(lang, "skip-to-content"));
            assert!(has(lang, "mail-greeting"));
        }
    }

    #[test]
    fn russian_plurals_follow_cldr() {
        let ru = Tr(Lang::Ru);
        assert_eq!(ru.n("lessons", 1), "1 урок");
        assert_eq!(ru.n("lessons", 3), "3 урока");
        assert_eq!(ru.n("lessons", 5), "5 уроков");
        assert_eq!(ru.n("lessons", 21), "21 урок");
        assert_eq!(ru.n("lessons", 12), "12 уроков");
        let en = Tr(Lang::En);
        assert_eq!(en.n("lessons", 1), "1 lesson");
        assert_eq!(en.n("lessons", 2), "2 lessons");
    }

    #[test]
    fn every_english_message_has_a_russian_twin() {
        // Russian may have more (translations of English field errors, looked up with `maybe`).
        for ((en_path, en), (ru_path, ru)) in EN_FILES.iter().zip(RU_FILES) {
            let (en, ru) = (ids(en), ids(ru));
            let missing: Vec<_> = en.iter().filter(|id| !ru.contains(id)).collect();
            assert!(missing.is_empty(), "in {en_path}, missing in {ru_path}: {missing:?}");
        }
        assert!(ids(EN_FILES[0].1).len() > 50);
    }

    #[test]
    fn mail_messages_are_the_same_set_in_both_languages() {
        // Emails have no `maybe` fallbacks: an id only one language has is a mistake either way.
        let (mut en, mut ru) = (ids(EN_FILES[1].1), ids(RU_FILES[1].1));
        en.sort();
        ru.sort();
        assert_eq!(en, ru);
        assert!(en.iter().all(|id| id.starts_with("mail-")), "mail ids start with mail-: {en:?}");
    }

    #[test]
    fn languages_parse_by_primary_subtag() {
        assert_eq!(Lang::parse("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::parse(" EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::from_locale("de"), Lang::En);
        assert_eq!(t(Lang::Ru, "no-such-message", &[]), "no-such-message");
    }
}
