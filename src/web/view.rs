//! What templates see: the layout every page shares, and view models (course cards, prices,
//! ratings) formatted for the page's language.

use super::assets::ASSETS;
use super::i18n::{Lang, Tr};
use super::session::PageCtx;
use crate::app::AppState;
use crate::catalog::types::Level;
use crate::catalog::views::CourseSummary;
use crate::identity::Role;

/// Numbers templates pass to plural messages.
pub trait Count {
    fn count(&self) -> f64;
}

macro_rules! count_impl {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(&self) -> f64 {
                *self as f64
            }
        }
    )*};
}
count_impl!(u8, u32, u64, usize, i64);

impl<T: Count> Count for &T {
    fn count(&self) -> f64 {
        (**self).count()
    }
}

/// The frame of every page: head (title, description, canonical, social tags), header with the
/// person's navigation, language switch, footer.
pub struct Layout {
    pub tr: Tr,
    pub title: String,
    pub description: String,
    /// Absolute URL of this page's canonical form, for the pages search engines should list.
    pub canonical: Option<String>,
    pub here: String,
    pub user_name: Option<String>,
    pub unread: u64,
    /// Empty for visitors.
    pub csrf: String,
    /// The navigation entry to mark current.
    pub nav: &'static str,
    /// Pages that duplicate others (searches, later pages, errors) ask not to be indexed.
    /// Personal pages need not: crawlers never get past the sign-in.
    pub noindex: bool,
    /// schema.org JSON-LD, already serialised and safe inside `<script>`.
    pub json_ld: Option<String>,
    pub og_type: &'static str,
    pub school: String,
    pub public_url: String,
    /// Teachers (and admins) see their earnings in the navigation.
    pub teacher: bool,
    /// Admins see the school's orders and payouts in the navigation.
    pub admin: bool,
}

impl Layout {
    pub fn new(app: &AppState, ctx: &PageCtx, title: impl Into<String>) -> Layout {
        Layout {
            tr: ctx.tr(),
            title: title.into(),
            description: String::new(),
            canonical: None,
            here: ctx.here.clone(),
            user_name: ctx.user().map(|u| u.name.clone()),
            unread: ctx.unread,
            csrf: ctx.csrf.clone().unwrap_or_default(),
            nav: "",
            noindex: false,
            json_ld: None,
            og_type: "website",
            school: app.config.school_name.clone(),
            public_url: app.config.public_url.trim_end_matches('/').to_owned(),
            teacher: ctx.user().is_some_and(|u| matches!(u.role, Role::Teacher | Role::Admin)),
            admin: ctx.user().is_some_and(|u| u.role == Role::Admin),
        }
    }

    /// An indexable page with its canonical path and description.
    pub fn indexed(mut self, canonical_path: &str, description: impl Into<String>) -> Layout {
        self.canonical = Some(format!("{}{}", self.public_url, canonical_path));
        self.description = description.into();
        self.noindex = false;
        self
    }

    pub fn nav(mut self, nav: &'static str) -> Layout {
        self.nav = nav;
        self
    }

    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    pub fn n(&self, id: &str, n: impl Count) -> String {
        self.tr.n(id, n.count())
    }

    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        self.tr.with(id, name, value)
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang().code()
    }

    pub fn asset(&self, name: &str) -> String {
        ASSETS.url(name)
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }

    /// The title as the browser tab shows it.
    pub fn full_title(&self) -> String {
        if self.title.is_empty() || self.title == self.school {
            self.school.clone()
        } else {
            format!("{} — {}", self.title, self.school)
        }
    }

    /// The link of the language switch: it remembers the choice and comes back here.
    pub fn lang_href(&self, code: &str) -> String {
        format!("/lang/{code}?next={}", super::urlencode(&self.here))
    }

    pub fn other_langs(&self) -> Vec<(&'static str, &'static str)> {
        Lang::ALL
            .iter()
            .filter(|l| **l != self.tr.lang())
            .map(|l| match l {
                Lang::En => ("en", "English"),
                Lang::Ru => ("ru", "Русский"),
            })
            .collect()
    }

    pub fn is_nav(&self, item: &str) -> bool {
        self.nav == item
    }

    pub fn og_image(&self) -> String {
        format!("{}{}", self.public_url, ASSETS.url("icon-512.png"))
    }
}

/// A course as cards and lists show it.
pub struct CourseCard {
    pub slug: String,
    pub title: String,
    pub subtitle: String,
    pub teacher_id: String,
    pub teacher: String,
    pub level: String,
    pub lessons: u32,
    pub rating: Rating,
    pub price: String,
    pub is_free: bool,
    pub hue: u8,
    pub initial: String,
    /// The uploaded cover; without one the card shows the title's letter on a colour.
    pub cover: Option<crate::media::CoverOut>,
    pub language: String,
    /// Search snippet: escaped text with `<b>` around the matched words.
    pub snippet_html: Option<String>,
}

impl CourseCard {
    pub fn new(c: &CourseSummary, tr: Tr, snippet_html: Option<String>) -> CourseCard {
        CourseCard {
            slug: c.slug.clone(),
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            teacher_id: c.teacher.id.to_string(),
            teacher: c.teacher.name.clone(),
            level: level_name(tr, c.level),
            lessons: c.total_lessons,
            rating: Rating::new(c.avg_rating, c.review_count),
            price: price(tr, c.price_minor, &c.currency),
            is_free: c.is_free,
            hue: hue(&c.slug),
            initial: c.title.chars().next().map(|ch| ch.to_uppercase().to_string()).unwrap_or_default(),
            cover: c.cover.clone(),
            language: c.language.clone(),
            snippet_html,
        }
    }
}

/// A colour for a course's cover, stable per course.
pub fn hue(slug: &str) -> u8 {
    (slug.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 12) as u8
}

pub struct Rating {
    pub value: f64,
    pub count: u64,
}

impl Rating {
    pub fn new(value: f64, count: u64) -> Rating {
        Rating { value, count }
    }

    /// Five stars, filled to the nearest whole star.
    pub fn stars(&self) -> String {
        stars(self.value.round() as u8)
    }

    pub fn value_text(&self) -> String {
        format!("{:.1}", self.value)
    }
}

pub fn stars(n: u8) -> String {
    let n = usize::from(n.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

pub fn level_name(tr: Tr, l: Level) -> String {
    tr.t(match l {
        Level::Beginner => "level-beginner",
        Level::Intermediate => "level-intermediate",
        Level::Advanced => "level-advanced",
    })
}

/// A price in the page's language: "Free", "$19.90", "1 990 ₽".
pub fn price(tr: Tr, minor: i64, currency: &str) -> String {
    if minor <= 0 {
        return tr.t("price-free");
    }
    money(tr, minor, currency)
}

/// An amount of money (a balance, a refund, a ledger entry) in the page's language: "$0",
/// "−$4.90", "1 990 ₽". Unlike [`price`], zero is an amount, not "Free".
pub fn money(tr: Tr, minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "\u{2212}" } else { "" };
    let minor = minor.saturating_abs();
    let (major, cents) = (minor / 100, minor % 100);
    let grouped = group(major, if tr.lang() == Lang::Ru { '\u{a0}' } else { ',' });
    let amount = if cents == 0 { grouped } else { format!("{grouped}{}{cents:02}", decimal(tr)) };
    match currency.to_ascii_uppercase().as_str() {
        "USD" => format!("{sign}${amount}"),
        "EUR" => format!("{sign}€{amount}"),
        "GBP" => format!("{sign}£{amount}"),
        "RUB" => format!("{sign}{amount}\u{a0}₽"),
        other => format!("{sign}{amount}\u{a0}{other}"),
    }
}

fn decimal(tr: Tr) -> char {
    if tr.lang() == Lang::Ru { ',' } else { '.' }
}

fn group(n: i64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A form's amount that is not one.
#[derive(Debug, PartialEq, Eq)]
pub struct BadAmount;

/// An amount typed in a form, in major units ("12", "12.5", "12,50", "1 990"), as minor units.
/// Empty is `Ok(None)`; anything else that is not a positive amount with at most two decimals
/// is an error.
pub fn parse_amount(s: &str) -> Result<Option<i64>, BadAmount> {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    if s.is_empty() {
        return Ok(None);
    }
    let (major, minor) = match s.split_once(['.', ',']) {
        Some((a, b)) => (a, b),
        None => (s.as_str(), ""),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || (!minor.is_empty() && !digits(minor)) || minor.len() > 2 || major.len() > 12 {
        return Err(BadAmount);
    }
    let cents = match minor.len() {
        0 => 0,
        1 => minor.parse::<i64>().map_err(|_| BadAmount)? * 10,
        _ => minor.parse::<i64>().map_err(|_| BadAmount)?,
    };
    let total = major.parse::<i64>().map_err(|_| BadAmount)? * 100 + cents;
    if total <= 0 { Err(BadAmount) } else { Ok(Some(total)) }
}

/// "3 h 20 min" in the page's language.
pub fn duration(tr: Tr, seconds: u64) -> String {
    let minutes = seconds.div_ceil(60);
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => tr.n("duration-minutes", m as f64),
        (h, 0) => tr.n("duration-hours", h as f64),
        (h, m) => format!("{} {}", tr.n("duration-hours", h as f64), tr.n("duration-minutes", m as f64)),
    }
}

/// A date in the page's language ("25 Nov 2026", "25 нояб. 2026").
pub fn date(tr: Tr, t: crate::clock::Timestamp) -> String {
    let Ok(dt) = time::OffsetDateTime::from_unix_timestamp(t.millis() / 1000) else {
        return String::new();
    };
    let month = tr.t(&format!("month-{}", u8::from(dt.month())));
    format!("{} {} {}", dt.day(), month, dt.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_naturally_in_both_languages() {
        let (en, ru) = (Tr(Lang::En), Tr(Lang::Ru));
        assert_eq!(price(en, 199_000, "RUB"), "1,990\u{a0}₽");
        assert_eq!(price(ru, 199_000, "RUB"), "1\u{a0}990\u{a0}₽");
        assert_eq!(price(en, 1990, "usd"), "$19.90");
        assert_eq!(price(ru, 1990, "USD"), "$19,90");
        assert_eq!(price(en, 0, "USD"), "Free");
        assert_eq!(price(ru, 0, "RUB"), "Бесплатно");
    }

    #[test]
    fn amounts_show_zero_and_negatives_and_parse_from_forms() {
        let (en, ru) = (Tr(Lang::En), Tr(Lang::Ru));
        assert_eq!(money(en, 0, "USD"), "$0");
        assert_eq!(money(en, -490, "USD"), "\u{2212}$4.90");
        assert_eq!(money(ru, 199_050, "RUB"), "1\u{a0}990,50\u{a0}₽");
        assert_eq!(parse_amount(""), Ok(None));
        assert_eq!(parse_amount(" 12 "), Ok(Some(1200)));
        assert_eq!(parse_amount("12.5"), Ok(Some(1250)));
        assert_eq!(parse_amount("1 990,05"), Ok(Some(199_005)));
        for bad in ["0", "-3", "1.234", "abc", "1.2.3", ".5", "1e3"] {
            assert_eq!(parse_amount(bad), Err(BadAmount), "{bad}");
        }
    }

    #[test]
    fn durations_and_stars() {
        let ru = Tr(Lang::Ru);
        assert_eq!(duration(ru, 3 * 3600 + 21 * 60), "3 часа 21 минута");
        assert_eq!(duration(Tr(Lang::En), 60), "1 min");
        assert_eq!(Rating::new(4.6, 3).stars(), "★★★★★");
        assert_eq!(Rating::new(3.4, 3).stars(), "★★★☆☆");
    }
}
