//! The automatic screen for what users write in public: reviews and course descriptions. It
//! scores a text (links, contact details, promotion, profanity and insults in English and Russian
//! with their usual disguises, shouting, repeated characters) together with what the caller knows
//! of its author (a minutes-old account, a burst of reviews, the same text on other courses) and
//! says whether to hold it for a person to look at, and why.
//!
//! A leaf module: pure functions over text and numbers, importing nothing of the app. Learning
//! (reviews) and the catalog (publishing) call it inside their own units of work, so neither
//! needs the `moderation` domain above them; moderation shows the reasons it gives as evidence.
//!
//! The word lists are data (`data/moderation/{en,ru,spam}.txt`, embedded); a school extends them
//! with files of the same names in `<data-dir>/moderation/`. Matching folds look-alike letters
//! across Latin and Cyrillic ("xуй" with a Latin x, "п!зда", "fu*k", "$hit"), joins letters
//! spelled apart ("f u c k", "х.у.й") and collapses stretched letters ("fuuuck").

use std::collections::BTreeSet;
use std::path::Path;

const EN: &str = include_str!("../data/moderation/en.txt");
const RU: &str = include_str!("../data/moderation/ru.txt");
const SPAM: &str = include_str!("../data/moderation/spam.txt");

/// Why a text was flagged; `code()` is stable (the API and the queues show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// A web address or a domain name.
    Link,
    /// An email address, a phone number or a messenger handle.
    Contact,
    /// Promotion or solicitation words.
    Promotion,
    /// Profanity or an insult (the lists).
    Abuse,
    /// Mostly capital letters.
    Shouting,
    /// A character repeated many times.
    Repetition,
    /// The author's account is minutes old.
    NewAccount,
    /// The author wrote several reviews within minutes.
    Burst,
    /// The same text is on other courses.
    Duplicate,
    // Courses only:
    /// Too few lessons with content.
    FewLessons,
    /// The description is too short to tell a student what the course is.
    ShortDescription,
    /// The teacher has no course published yet: a person looks at the first one.
    FirstCourse,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::Link => "link",
            Reason::Contact => "contact",
            Reason::Promotion => "promotion",
            Reason::Abuse => "abuse",
            Reason::Shouting => "shouting",
            Reason::Repetition => "repetition",
            Reason::NewAccount => "new_account",
            Reason::Burst => "burst",
            Reason::Duplicate => "duplicate",
            Reason::FewLessons => "few_lessons",
            Reason::ShortDescription => "short_description",
            Reason::FirstCourse => "first_course",
        }
    }

    /// How much this reason weighs; a text is held at [`HOLD_AT`].
    fn weight(self) -> f32 {
        match self {
            Reason::Link | Reason::Contact | Reason::Abuse | Reason::Duplicate => 1.0,
            Reason::Burst | Reason::Shouting => 0.6,
            Reason::NewAccount | Reason::Promotion => 0.5,
            Reason::Repetition => 0.4,
            Reason::FewLessons | Reason::ShortDescription | Reason::FirstCourse => 1.0,
        }
    }
}

/// The score at which a text is held.
pub const HOLD_AT: f32 = 1.0;

/// What the screen found, and whether that is enough to hold the text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    pub reasons: Vec<Reason>,
    pub score: f32,
    /// What matched, for the admin (a word, a link), at most a few.
    pub evidence: Vec<String>,
}

impl Verdict {
    pub fn hold(&self) -> bool {
        self.score >= HOLD_AT
    }

    pub fn codes(&self) -> Vec<String> {
        self.reasons.iter().map(|r| r.code().to_owned()).collect()
    }

    fn add(&mut self, r: Reason, evidence: Option<String>) {
        if !self.reasons.contains(&r) {
            self.reasons.push(r);
            self.score += r.weight();
        }
        if let Some(e) = evidence
            && self.evidence.len() < 6
            && !self.evidence.contains(&e)
        {
            self.evidence.push(e);
        }
    }
}

/// What the caller knows about a review's author.
#[derive(Debug, Clone, Copy, Default)]
pub struct Author {
    /// Minutes since the account was created.
    pub account_age_minutes: i64,
    /// Reviews the author wrote in the last [`BURST_MINUTES`], this one not counted.
    pub recent_reviews: u32,
    /// Other courses that have a review with the same text.
    pub same_text_elsewhere: u32,
}

/// An account younger than this is "brand new".
pub const NEW_ACCOUNT_MINUTES: i64 = 30;
/// The window in which reviews count as a burst, and how many make one.
pub const BURST_MINUTES: i64 = 10;
pub const BURST_REVIEWS: u32 = 2;

/// What the caller knows about a course being published.
#[derive(Debug, Clone, Default)]
pub struct CourseFacts<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// The description as plain text.
    pub description: &'a str,
    /// Lessons with content (a text body or a video).
    pub lessons_with_content: u32,
    /// Another course has the same description.
    pub copied_description: bool,
    /// The teacher has a course the school published already (trusted).
    pub trusted_teacher: bool,
}

/// Fewer lessons with content than this sends a course to review.
pub const MIN_LESSONS: u32 = 3;
/// A description of fewer words than this sends a course to review.
pub const MIN_DESCRIPTION_WORDS: usize = 20;

#[derive(Debug, Clone)]
struct Entry {
    word: Vec<char>,
    starts: bool,
    ends: bool,
    cyrillic: bool,
}

#[derive(Debug, Clone)]
struct Phrase(String);

/// The word lists, built once when the app starts.
#[derive(Debug, Clone)]
pub struct Screen {
    abuse: Vec<Entry>,
    spam: Vec<Entry>,
    spam_phrases: Vec<Phrase>,
}

impl Default for Screen {
    fn default() -> Screen {
        Screen::from_lists(&[EN, RU], &[SPAM])
    }
}

impl Screen {
    /// The embedded lists plus `<dir>/{en,ru,spam}.txt` where they exist.
    pub fn load(dir: &Path) -> std::io::Result<Screen> {
        let read = |name: &str| -> std::io::Result<String> {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(s) => Ok(s),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                Err(e) => Err(e),
            }
        };
        let (en, ru, spam) = (read("en.txt")?, read("ru.txt")?, read("spam.txt")?);
        Ok(Screen::from_lists(&[EN, RU, &en, &ru], &[SPAM, &spam]))
    }

    pub fn from_lists(abuse: &[&str], spam: &[&str]) -> Screen {
        let mut s = Screen { abuse: Vec::new(), spam: Vec::new(), spam_phrases: Vec::new() };
        for line in abuse.iter().flat_map(|l| l.lines()) {
            if let Some(e) = entry(line) {
                s.abuse.push(e);
            }
        }
        for line in spam.iter().flat_map(|l| l.lines()) {
            let t = line.trim();
            if t.contains(' ') && !t.starts_with('#') {
                s.spam_phrases.push(Phrase(t.to_lowercase()));
            } else if let Some(e) = entry(line) {
                s.spam.push(e);
            }
        }
        s
    }

    /// Screens a review's text written by `author`.
    pub fn review(&self, text: &str, author: Author) -> Verdict {
        let mut v = self.text(text);
        if author.account_age_minutes < NEW_ACCOUNT_MINUTES {
            v.add(Reason::NewAccount, None);
        }
        if author.recent_reviews >= BURST_REVIEWS {
            v.add(Reason::Burst, None);
        }
        if author.same_text_elsewhere > 0 {
            v.add(Reason::Duplicate, None);
        }
        v
    }

    /// Screens a course about to be published. Every reason holds it: courses are fewer and a
    /// person's look costs little next to a bad course in the catalog.
    pub fn course(&self, c: &CourseFacts<'_>) -> Verdict {
        let all = format!("{}\n{}\n{}", c.title, c.subtitle, c.description);
        let text = self.text(&all);
        let mut v = Verdict::default();
        for r in &text.reasons {
            // Shouting and stretched letters are a style matter in a course, not a reason.
            if matches!(r, Reason::Link | Reason::Contact | Reason::Abuse | Reason::Promotion) {
                v.add(*r, None);
            }
        }
        v.evidence = text.evidence;
        if c.lessons_with_content < MIN_LESSONS {
            v.add(Reason::FewLessons, None);
        }
        if c.description.split_whitespace().count() < MIN_DESCRIPTION_WORDS {
            v.add(Reason::ShortDescription, None);
        }
        if c.copied_description {
            v.add(Reason::Duplicate, None);
        }
        if !c.trusted_teacher {
            v.add(Reason::FirstCourse, None);
        }
        if !v.reasons.is_empty() && v.score < HOLD_AT {
            v.score = HOLD_AT;
        }
        v
    }

    /// The text-only signals.
    pub fn text(&self, text: &str) -> Verdict {
        let mut v = Verdict::default();
        let lower = text.to_lowercase();
        if let Some(l) = find_link(&lower) {
            v.add(Reason::Link, Some(l));
        }
        if let Some(c) = find_contact(text) {
            v.add(Reason::Contact, Some(c));
        }
        let tokens = tokens(text);
        let cyr_text = is_mostly_cyrillic(text);
        let mut promo = BTreeSet::new();
        for t in &tokens {
            let forms = forms(t, cyr_text);
            if let Some(hit) = forms.iter().find_map(|f| self.abuse.iter().find(|e| f.matches(e))) {
                v.add(Reason::Abuse, Some(hit.word.iter().collect()));
            }
            if let Some(hit) = forms.iter().find_map(|f| self.spam.iter().find(|e| f.matches(e))) {
                promo.insert(hit.word.iter().collect::<String>());
            }
        }
        let spaced = format!(" {} ", words_only(&lower));
        for p in &self.spam_phrases {
            if spaced.contains(&format!(" {} ", p.0)) || (p.0.contains('%') && lower.contains(&p.0)) {
                promo.insert(p.0.clone());
            }
        }
        if !promo.is_empty() {
            v.add(Reason::Promotion, promo.iter().next().cloned());
            // Two or more kinds of promotion are enough on their own.
            if promo.len() >= 2 {
                v.score += Reason::Promotion.weight();
            }
        }
        if is_shouting(text) {
            v.add(Reason::Shouting, None);
        }
        if has_repetition(text) {
            v.add(Reason::Repetition, None);
        }
        v
    }
}

fn entry(line: &str) -> Option<Entry> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    let t = t.to_lowercase().replace('ё', "е");
    let (ends, t) = match t.strip_prefix('*') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, t),
    };
    let (starts, t) = match t.strip_suffix('*') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, t),
    };
    let word: Vec<char> = t.chars().collect();
    if word.is_empty() {
        return None;
    }
    let cyrillic = word.iter().any(|c| is_cyrillic(*c));
    Some(Entry { word, starts, ends, cyrillic })
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

fn is_mostly_cyrillic(text: &str) -> bool {
    let (mut cyr, mut lat) = (0, 0);
    for c in text.chars() {
        if is_cyrillic(c) {
            cyr += 1;
        } else if c.is_ascii_alphabetic() {
            lat += 1;
        }
    }
    cyr > lat
}

/// Characters that stand for letters in disguised words.
fn is_disguise(c: char) -> bool {
    matches!(c, '*' | '@' | '$' | '!' | '|' | '0' | '1' | '3' | '4' | '5' | '6' | '7')
}

/// Words of `text`, with letters spelled apart joined ("f u c k", "х.у.й" → one word).
fn tokens(text: &str) -> Vec<Vec<char>> {
    let mut raw: Vec<Vec<char>> = Vec::new();
    let mut cur = Vec::new();
    for c in text.chars() {
        let c = c.to_lowercase().next().unwrap_or(c);
        if c.is_alphabetic() || is_disguise(c) {
            cur.push(if c == 'ё' { 'е' } else { c });
        } else if !cur.is_empty() {
            raw.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        raw.push(cur);
    }
    // Disguise characters at a word's edges are punctuation ("idiot!", "**bold**").
    let mut words: Vec<Vec<char>> = raw
        .into_iter()
        .map(|w| {
            let start = w.iter().position(|c| !matches!(c, '*' | '!' | '|')).unwrap_or(w.len());
            let end = w.iter().rposition(|c| !matches!(c, '*' | '!' | '|')).map_or(start, |i| i + 1);
            w[start..end.max(start)].to_vec()
        })
        .filter(|w| w.iter().any(|c| c.is_alphabetic()))
        .collect();
    // Runs of three or more one-letter words are a word spelled apart.
    let mut joined = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut run_len = 0;
    for w in words.drain(..) {
        if w.len() == 1 {
            run.extend(&w);
            run_len += 1;
            continue;
        }
        if run_len >= 3 {
            joined.push(std::mem::take(&mut run));
        }
        run.clear();
        run_len = 0;
        joined.push(w);
    }
    if run_len >= 3 {
        joined.push(run);
    }
    joined
}

/// One way of reading a word, with stretched letters ("fuuuck") shortened to two and to one.
struct Form(Vec<Vec<char>>);

impl Form {
    fn new(w: Vec<char>) -> Form {
        let mut variants = vec![w.clone()];
        if has_run(&w, 3) {
            variants.push(shorten_runs(&w, 2));
            variants.push(shorten_runs(&w, 1));
        }
        Form(variants)
    }

    fn matches(&self, e: &Entry) -> bool {
        let script_ok = |w: &[char]| w.iter().all(|c| !c.is_alphabetic() || is_cyrillic(*c) == e.cyrillic);
        self.0.iter().any(|w| script_ok(w) && fits(w, &e.word, e.starts, e.ends))
    }
}

fn has_run(w: &[char], n: usize) -> bool {
    w.windows(n).any(|r| r.iter().all(|c| *c == r[0]))
}

/// Runs of a letter longer than `max` cut to `max`.
fn shorten_runs(w: &[char], max: usize) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(w.len());
    let mut run = 0;
    for &c in w {
        run = if out.last() == Some(&c) { run + 1 } else { 1 };
        if run <= max {
            out.push(c);
        }
    }
    out
}

/// Whether `w` matches `pat` wholly, as a prefix (`starts`), a suffix (`ends`) or anywhere
/// (both); `*` in `w` stands for any one letter.
fn fits(w: &[char], pat: &[char], starts: bool, ends: bool) -> bool {
    let eq = |a: &[char]| a.len() == pat.len() && a.iter().zip(pat).all(|(x, y)| x == y || *x == '*');
    if w.len() < pat.len() {
        return false;
    }
    match (starts, ends) {
        (false, false) => eq(w),
        (true, false) => eq(&w[..pat.len()]),
        (false, true) => eq(&w[w.len() - pat.len()..]),
        (true, true) => w.windows(pat.len()).any(eq),
    }
}

/// The readings of a word: as Latin (Cyrillic look-alikes and digits folded to Latin) and as
/// Cyrillic (Latin look-alikes and digits folded to Cyrillic), where either script is plausible.
fn forms(w: &[char], cyr_text: bool) -> Vec<Form> {
    let has_cyr = w.iter().any(|c| is_cyrillic(*c));
    let has_lat = w.iter().any(|c| c.is_ascii_alphabetic());
    let mut out = Vec::new();
    if has_lat || !cyr_text {
        out.push(Form::new(w.iter().map(|&c| to_latin(c)).collect()));
    }
    if has_cyr || cyr_text {
        out.push(Form::new(w.iter().map(|&c| to_cyrillic(c)).collect()));
    }
    out
}

fn to_latin(c: char) -> char {
    match c {
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        c => c,
    }
}

fn to_cyrillic(c: char) -> char {
    match c {
        'a' | '@' | '4' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' | '0' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        'u' => 'и',
        '3' => 'з',
        '6' => 'б',
        '!' | '1' | '|' => 'и',
        c => c,
    }
}

/// Lowercase letters and digits, everything else a single space.
fn words_only(lower: &str) -> String {
    let mut out = String::with_capacity(lower.len());
    for w in lower.split(|c: char| !c.is_alphanumeric() && c != '%') {
        if !w.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

const TLDS: &[&str] = &[
    "com", "ru", "net", "org", "io", "me", "ly", "biz", "info", "xyz", "site", "online", "shop", "store",
    "club", "pro", "top", "рф", "su", "ua", "kz", "by", "co", "tk", "cc", "link", "app", "dev", "ai",
];

/// Names of technologies that read like domains.
const NOT_LINKS: &[&str] = &["asp.net", "ado.net", "vb.net", "socket.io", "chart.io"];

/// Python decorators and CSS at-rules that read like messenger handles.
const NOT_HANDLES: &[&str] = &[
    "property",
    "staticmethod",
    "classmethod",
    "dataclass",
    "override",
    "media",
    "import",
    "keyframes",
    "component",
    "injectable",
    "input",
    "output",
    "param",
    "return",
    "test",
    "pytest",
];

/// A URL or something that reads as a domain name (`site.com`, `t.me/x`, `сайт.рф`).
fn find_link(lower: &str) -> Option<String> {
    for marker in ["http://", "https://", "www.", "t.me/", "bit.ly", "wa.me/", "vk.com", "vk.cc"] {
        if let Some(i) = lower.find(marker) {
            return Some(lower[i..].split_whitespace().next().unwrap_or(marker).to_owned());
        }
    }
    for word in lower.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | ',')) {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric());
        if w.contains('@') || NOT_LINKS.contains(&w) {
            continue;
        }
        let mut parts = w.split('.');
        let Some(first) = parts.next() else { continue };
        let rest: Vec<&str> = parts.collect();
        if let Some(tld) = rest.last().map(|t| t.split('/').next().unwrap_or(""))
            && !first.is_empty()
            && first.chars().all(|c| c.is_alphanumeric() || c == '-')
            && first.chars().any(char::is_alphabetic)
            && TLDS.contains(&tld)
        {
            return Some(w.to_owned());
        }
    }
    None
}

/// An email address, a phone number, or a messenger handle.
fn find_contact(text: &str) -> Option<String> {
    for word in text.split_whitespace() {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '@');
        if let Some((user, host)) = w.split_once('@') {
            if !user.is_empty() && host.contains('.') {
                return Some(w.to_owned());
            }
            // A handle: `@name`, not an annotation (`@Override`) nor a decorator (`@property`).
            if user.is_empty()
                && host.chars().count() >= 4
                && host.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !NOT_HANDLES.contains(&host)
            {
                return Some(w.to_owned());
            }
        }
    }
    // Phone numbers: nine or more digits, possibly with spaces, dashes, dots and brackets.
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || chars[i] == '+' {
            let start = i;
            let mut digits = 0;
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || matches!(chars[j], ' ' | '-' | '(' | ')' | '+' | '.'))
            {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            if digits >= 9 {
                return Some(chars[start..j].iter().collect::<String>().trim().to_owned());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// Mostly capitals, in a text long enough to tell.
fn is_shouting(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    letters.len() >= 12 && upper * 10 >= letters.len() * 7
}

/// One character six or more times in a row ("!!!!!!", "sooooooo").
fn has_repetition(text: &str) -> bool {
    let mut last = None;
    let mut run = 0;
    for c in text.chars() {
        if Some(c) == last && !c.is_whitespace() {
            run += 1;
            if run >= 6 {
                return true;
            }
        } else {
            last = Some(c);
            run = 1;
        }
    }
    false
}

/// A stable fingerprint of a text for finding copies: letters and digits only, lowercased.
/// `None` for texts too short to mean anything when repeated ("great course").
pub fn fingerprint(text: &str) -> Option<u64> {
    let norm: String = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    if norm.chars().count() < 25 {
        return None;
    }
    // FNV-1a: stable across builds and platforms, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in norm.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(text: &str) -> bool {
        Screen::default().review(text, Author { account_age_minutes: 100_000, ..Author::default() }).hold()
    }

    #[test]
    fn disguised_words_are_found() {
        for t in [
            "what a load of sh1t",
            "f u c k this",
            "fuuuuck this course",
            "the teacher is a m0r0n",
            "ты xуй",
            "полная п!зда",
            "х у й",
            "п и з д е ц",
            "бл*дь какой курс",
            "$hit",
            "ебаный курс",
            "Автор — дебил",
            "huy",
        ] {
            assert!(held(t), "{t}");
        }
    }

    #[test]
    fn ordinary_words_are_not() {
        for t in [
            "A classic class on assessment, passed with Dick Grune's book as a companion.",
            "Страхуйтесь от ошибок: курс хуже, чем я ждал, но корабля не потопил.",
            "Небанальный подход, хорошее сукно примеров, художник оформления молодец.",
            "I scored 100 on the quiz in 2023. Good value.",
            "Shitake mushrooms aside, the cooking lessons were great.",
        ] {
            assert!(!held(t), "{t}: {:?}", Screen::default().text(t));
        }
    }

    #[test]
    fn links_and_contacts() {
        let s = Screen::default();
        assert!(s.text("see example.com for more").reasons.contains(&Reason::Link));
        assert!(s.text("пишите в t.me/seller").reasons.contains(&Reason::Link));
        assert!(s.text("mail me: joe@mail.example").reasons.contains(&Reason::Contact));
        assert!(s.text("call +7 (912) 345-67-89").reasons.contains(&Reason::Contact));
        assert!(s.text("tg @cheap_courses").reasons.contains(&Reason::Contact));
        assert!(s.text("I finished it in 3.5 weeks, e.g. module 2.").reasons.is_empty());
    }

    #[test]
    fn shouting_and_context() {
        let s = Screen::default();
        let old = Author { account_age_minutes: 100_000, ..Author::default() };
        assert!(!s.review("THIS IS THE BEST COURSE EVER", old).hold());
        assert!(s.review("THIS IS THE BEST COURSE EVER", Author { account_age_minutes: 1, ..old }).hold());
        assert!(s.review("Nice course, I liked it", Author { same_text_elsewhere: 2, ..old }).hold());
        assert!(!s.review("Nice course, I liked it", Author { recent_reviews: 1, ..old }).hold());
    }

    #[test]
    fn lists_extend() {
        let s = Screen::from_lists(&[EN, "grumpkin*"], &[SPAM]);
        assert!(s.text("you grumpkins").hold());
        assert!(!Screen::default().text("you grumpkins").hold());
    }

    #[test]
    fn fingerprints_ignore_case_and_punctuation() {
        assert_eq!(fingerprint("Great course, learned a lot!"), fingerprint("great course learned a lot"));
        assert_eq!(fingerprint("short"), None);
    }
}
