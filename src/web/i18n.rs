//! The language of a page: the visitor's remembered choice, their account's locale, or their
//! browser's Accept-Language. The messages themselves live in [`crate::i18n`], shared with mail.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

use crate::http::extract::cookie;
// Re-exported: pages name their language and messages through `web::i18n`, as before the split.
pub use crate::i18n::{Arg, Lang, Tr};

/// The cookie that remembers a visitor's choice of language.
pub const LANG_COOKIE: &str = "lectern_lang";

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
        assert_eq!(negotiate(&headers("ru-RU,ru;q=0.9,en;q=0.8", None), None), Lang::Ru);
        assert_eq!(negotiate(&headers("de-DE,en;q=0.5,ru;q=0.7", None), None), Lang::Ru);
        assert_eq!(negotiate(&headers("de-DE", None), None), Lang::En);
        assert_eq!(negotiate(&headers("ru", None), Some("en")), Lang::En);
        assert_eq!(negotiate(&headers("ru", Some("lectern_lang=en")), None), Lang::En);
        assert_eq!(negotiate(&headers("en", Some("a=b; lectern_lang=ru")), Some("en")), Lang::Ru);
    }
}
