//! The two languages of the pages: English and Russian, with Fluent messages (`web/i18n/*.ftl`)
//! so plural forms follow the CLDR rules of each language (1 урок, 2 урока, 5 уроков).

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::http::extract::cookie;

/// The cookie that remembers a visitor's choice of language.
pub const LANG_COOKIE: &str = "lectern_lang";

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

    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The language of a request: the remembered choice, then the signed-in person's locale,
    /// then the first supported language of Accept-Language (by q-value), then English.
    pub fn negotiate(headers: &HeaderMap, user_locale: Option<&str>) -> Lang {
        if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
            return l;
        }
        if let Some(l) = user_locale.and_then(Lang::parse) {
            return l;
        }
        let header = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let Some(lang) = bits.next().and_then(Lang::parse) else { continue };
            let q = bits
                .filter_map(|b| b.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
        }
    }
}

static EN: LazyLock<FluentBundle<FluentResource>> =
    LazyLock::new(|| bundle("en", include_str!("../../web/i18n/en.ftl")));
static RU: LazyLock<FluentBundle<FluentResource>> =
    LazyLock::new(|| bundle("ru", include_str!("../../web/i18n/ru.ftl")));

fn bundle(code: &str, source: &str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("web/i18n/{code}.ftl does not parse: {errors:?}"));
    let mut b = FluentBundle::new_concurrent(vec![code.parse().expect("a valid language id")]);
    // No Unicode isolation marks around arguments: the pages are all left-to-right.
    b.set_use_isolating(false);
    b.add_resource(resource).expect("message ids are unique");
    b
}

/// An argument of a message.
pub enum Arg {
    Num(f64),
    Text(String),
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
    use axum::http::HeaderValue;

    fn headers(accept: &str, cookie: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
        if let Some(c) = cookie {
            h.insert(axum::http::header::COOKIE, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn negotiates_by_cookie_then_locale_then_accept_language() {
        assert_eq!(Lang::negotiate(&headers("ru-RU,ru;q=0.9,en;q=0.8", None), None), Lang::Ru);
        assert_eq!(Lang::negotiate(&headers("de-DE,en;q=0.5,ru;q=0.7", None), None), Lang::Ru);
        assert_eq!(Lang::negotiate(&headers("de-DE", None), None), Lang::En);
        assert_eq!(Lang::negotiate(&headers("ru", None), Some("en")), Lang::En);
        assert_eq!(Lang::negotiate(&headers("ru", Some("lectern_lang=en")), None), Lang::En);
        assert_eq!(Lang::negotiate(&headers("en", Some("a=b; lectern_lang=ru")), Some("en")), Lang::Ru);
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
        let ids = |src: &str| -> Vec<String> {
            src.lines()
                .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap().trim().to_owned())
                .collect()
        };
        let en = ids(include_str!("../../web/i18n/en.ftl"));
        let ru = ids(include_str!("../../web/i18n/ru.ftl"));
        let missing: Vec<_> = en.iter().filter(|id| !ru.contains(id)).collect();
        assert!(missing.is_empty(), "missing in ru.ftl: {missing:?}");
        assert!(en.len() > 50);
    }
}
