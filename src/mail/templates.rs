//! The emails Lectern sends, each as a plain-text and an HTML part, in the recipient's language.
//!
//! The words are Fluent messages (`web/i18n/mail.{en,ru}.ftl`, through [`crate::i18n`]) so
//! translators edit them beside the pages' messages; the layout is askama templates
//! (`web/templates/mail/`). Rust only picks which messages an email is made of.
//!
//! Every value put into the HTML part is escaped by askama: a name like `<script>` arrives as
//! text. The `.txt` templates are not escaped, so the text part shows the name as typed.

use askama::Template;

use super::Email;
use crate::i18n::{self, Arg, Lang};

/// Shared by every email.
const GREETING: &str = "mail-greeting";
const LINK_HINT: &str = "mail-link-hint";

/// The messages one kind of email is made of. Each may use `$name` and `$school`.
struct Messages {
    subject: &'static str,
    body: &'static str,
    action: &'static str,
    footer: &'static str,
}

const VERIFICATION: Messages = Messages {
    subject: "mail-verification-subject",
    body: "mail-verification-body",
    action: "mail-verification-action",
    footer: "mail-verification-footer",
};

const WELCOME: Messages = Messages {
    subject: "mail-welcome-subject",
    body: "mail-welcome-body",
    action: "mail-welcome-action",
    footer: "mail-welcome-footer",
};

const RESET: Messages = Messages {
    subject: "mail-reset-subject",
    body: "mail-reset-body",
    action: "mail-reset-action",
    footer: "mail-reset-footer",
};

const RECEIPT: Messages = Messages {
    subject: "mail-receipt-subject",
    body: "mail-receipt-body",
    action: "mail-receipt-action",
    footer: "mail-receipt-footer",
};

const REFUND: Messages = Messages {
    subject: "mail-refund-subject",
    body: "mail-refund-body",
    action: "mail-refund-action",
    footer: "mail-refund-footer",
};

const PAYOUT_PAID: Messages = Messages {
    subject: "mail-payout-paid-subject",
    body: "mail-payout-paid-body",
    action: "mail-payout-paid-action",
    footer: "mail-payout-paid-footer",
};

const PAYOUT_REJECTED: Messages = Messages {
    subject: "mail-payout-rejected-subject",
    body: "mail-payout-rejected-body",
    action: "mail-payout-rejected-action",
    footer: "mail-payout-rejected-footer",
};

const ENROLLED: Messages = Messages {
    subject: "mail-enrolled-subject",
    body: "mail-enrolled-body",
    action: "mail-enrolled-action",
    footer: "mail-enrolled-footer",
};

const COMPLETED: Messages = Messages {
    subject: "mail-completed-subject",
    body: "mail-completed-body",
    action: "mail-completed-action",
    footer: "mail-completed-footer",
};

const COMPLETED_CERTIFICATE: Messages = Messages {
    subject: "mail-completed-subject",
    body: "mail-completed-certificate-body",
    action: "mail-completed-certificate-action",
    footer: "mail-completed-footer",
};

const REMINDER: Messages = Messages {
    subject: "mail-reminder-subject",
    body: "mail-reminder-body",
    action: "mail-reminder-action",
    footer: "mail-reminder-footer",
};

const DIGEST: Messages = Messages {
    subject: "mail-digest-subject",
    body: "mail-digest-body",
    action: "mail-digest-action",
    footer: "mail-digest-footer",
};
const DIGEST_LINE: &str = "mail-digest-line";

/// A moderation decision, told to the person it affects or to the one who reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    CourseApproved,
    /// Sent back from the review queue; `reason` says what to fix.
    CourseRejected,
    CourseUnpublished,
    ReviewApproved,
    ReviewHidden,
    /// A held question or answer (lesson Q&A) is published.
    PostApproved,
    /// A question or answer was hidden.
    PostHidden,
    /// To a reporter: what came of their report (`action`).
    ReportResolved,
    /// To the person whose content a report's resolution restricted (`action`): the statement
    /// of reasons.
    ReportAction,
    VerificationApproved,
    /// `reason` says what was missing.
    VerificationRejected,
}

impl Decision {
    /// The Fluent messages' stem (`mail-<stem>-subject`, `-body`, `-action`, `-footer`).
    pub fn stem(self) -> &'static str {
        match self {
            Decision::CourseApproved => "course-approved",
            Decision::CourseRejected => "course-rejected",
            Decision::CourseUnpublished => "course-unpublished",
            Decision::ReviewApproved => "review-approved",
            Decision::ReviewHidden => "review-hidden",
            Decision::PostApproved => "qa-approved",
            Decision::PostHidden => "qa-hidden",
            Decision::ReportResolved => "report-resolved",
            Decision::ReportAction => "report-action",
            Decision::VerificationApproved => "verification-approved",
            Decision::VerificationRejected => "verification-rejected",
        }
    }

    fn messages(self) -> &'static Messages {
        match self {
            Decision::CourseApproved => &COURSE_APPROVED,
            Decision::CourseRejected => &COURSE_REJECTED,
            Decision::CourseUnpublished => &COURSE_UNPUBLISHED,
            Decision::ReviewApproved => &REVIEW_APPROVED,
            Decision::ReviewHidden => &REVIEW_HIDDEN,
            Decision::PostApproved => &POST_APPROVED,
            Decision::PostHidden => &POST_HIDDEN,
            Decision::ReportResolved => &REPORT_RESOLVED,
            Decision::ReportAction => &REPORT_ACTION,
            Decision::VerificationApproved => &VERIFICATION_APPROVED,
            Decision::VerificationRejected => &VERIFICATION_REJECTED,
        }
    }

    pub const ALL: [Decision; 11] = [
        Decision::CourseApproved,
        Decision::CourseRejected,
        Decision::CourseUnpublished,
        Decision::ReviewApproved,
        Decision::ReviewHidden,
        Decision::PostApproved,
        Decision::PostHidden,
        Decision::ReportResolved,
        Decision::ReportAction,
        Decision::VerificationApproved,
        Decision::VerificationRejected,
    ];
}

/// What a moderation message says beyond the reader's name: `target` (a course title, or what
/// was reported), the admin's `reason` or note, the report's `action` and `report_reason`
/// codes (the messages translate them).
#[derive(Debug, Clone, Default)]
pub struct DecisionFacts<'a> {
    pub target: &'a str,
    pub reason: &'a str,
    pub action: &'a str,
    pub report_reason: &'a str,
}

impl DecisionFacts<'_> {
    fn args(&self) -> [(&'static str, Arg); 4] {
        [
            ("target", text(self.target)),
            ("reason", text(self.reason)),
            ("action", text(self.action)),
            ("report_reason", text(self.report_reason)),
        ]
    }
}

/// The in-app notification of a decision, in `locale`: (title, body).
pub fn decision_notice(
    d: Decision,
    locale: &str,
    school: &str,
    facts: &DecisionFacts<'_>,
) -> (String, String) {
    let lang = Lang::from_locale(locale);
    let mut args = vec![("name", text("")), ("school", text(school))];
    args.extend(facts.args());
    let stem = d.stem();
    (i18n::t(lang, &format!("mail-{stem}-notice"), &args), i18n::t(lang, &format!("mail-{stem}-body"), &args))
}

/// The email of a decision; `url` is where to act (the course in the studio, the page).
pub fn decision(
    d: Decision,
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    facts: &DecisionFacts<'_>,
) -> Email {
    letter(d.messages(), locale, to, name, school, url, &facts.args(), None)
}

const COURSE_APPROVED: Messages = Messages {
    subject: "mail-course-approved-subject",
    body: "mail-course-approved-body",
    action: "mail-course-approved-action",
    footer: "mail-course-approved-footer",
};

const VERIFICATION_APPROVED: Messages = Messages {
    subject: "mail-verification-approved-subject",
    body: "mail-verification-approved-body",
    action: "mail-verification-approved-action",
    footer: "mail-verification-approved-footer",
};

const VERIFICATION_REJECTED: Messages = Messages {
    subject: "mail-verification-rejected-subject",
    body: "mail-verification-rejected-body",
    action: "mail-verification-rejected-action",
    footer: "mail-verification-rejected-footer",
};

const COURSE_REJECTED: Messages = Messages {
    subject: "mail-course-rejected-subject",
    body: "mail-course-rejected-body",
    action: "mail-course-rejected-action",
    footer: "mail-course-rejected-footer",
};

const COURSE_UNPUBLISHED: Messages = Messages {
    subject: "mail-course-unpublished-subject",
    body: "mail-course-unpublished-body",
    action: "mail-course-unpublished-action",
    footer: "mail-course-unpublished-footer",
};

const REVIEW_APPROVED: Messages = Messages {
    subject: "mail-review-approved-subject",
    body: "mail-review-approved-body",
    action: "mail-review-approved-action",
    footer: "mail-review-approved-footer",
};

const POST_APPROVED: Messages = Messages {
    subject: "mail-qa-approved-subject",
    body: "mail-qa-approved-body",
    action: "mail-qa-approved-action",
    footer: "mail-qa-approved-footer",
};

const POST_HIDDEN: Messages = Messages {
    subject: "mail-qa-hidden-subject",
    body: "mail-qa-hidden-body",
    action: "mail-qa-hidden-action",
    footer: "mail-qa-hidden-footer",
};

const REVIEW_HIDDEN: Messages = Messages {
    subject: "mail-review-hidden-subject",
    body: "mail-review-hidden-body",
    action: "mail-review-hidden-action",
    footer: "mail-review-hidden-footer",
};

const REPORT_RESOLVED: Messages = Messages {
    subject: "mail-report-resolved-subject",
    body: "mail-report-resolved-body",
    action: "mail-report-resolved-action",
    footer: "mail-report-resolved-footer",
};

const REPORT_ACTION: Messages = Messages {
    subject: "mail-report-action-subject",
    body: "mail-report-action-body",
    action: "mail-report-action-action",
    footer: "mail-report-action-footer",
};

/// The lists a reader can leave, each with the line that leads to its unsubscribe link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Reminders,
    Digests,
    ProductNews,
}

impl List {
    fn message(self) -> &'static str {
        match self {
            List::Reminders => "mail-unsubscribe-reminders",
            List::Digests => "mail-unsubscribe-digests",
            List::ProductNews => "mail-unsubscribe-product-news",
        }
    }
}

/// Confirms an enrollment (free or paid) in `course`; `url` is where to start learning.
pub fn enrolled(locale: &str, to: &str, name: &str, school: &str, url: &str, course: &str) -> Email {
    letter(&ENROLLED, locale, to, name, school, url, &[("course", text(course))], None)
}

/// Congratulates a student who finished `course`; `url` is the course page.
pub fn completed(locale: &str, to: &str, name: &str, school: &str, url: &str, course: &str) -> Email {
    letter(&COMPLETED, locale, to, name, school, url, &[("course", text(course))], None)
}

/// The same, with the certificate issued for it: `url` is its verification page (PDF, badge).
pub fn completed_with_certificate(
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    course: &str,
) -> Email {
    letter(&COMPLETED_CERTIFICATE, locale, to, name, school, url, &[("course", text(course))], None)
}

/// Reminds a student of `course` after `days` without activity. Non-essential: it carries the
/// `List-Unsubscribe` headers and a visible link to `unsubscribe` (the signed one-click URL).
#[expect(clippy::too_many_arguments, reason = "one argument per part of the letter")]
pub fn reminder(
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    course: &str,
    days: u32,
    unsubscribe: &str,
) -> Email {
    let args = [("course", text(course)), ("days", Arg::Num(f64::from(days)))];
    letter(&REMINDER, locale, to, name, school, url, &args, Some((List::Reminders, unsubscribe)))
        .unsubscribable(unsubscribe)
}

/// One course's news in a teacher's digest.
#[derive(Debug, Clone)]
pub struct DigestLine {
    pub course: String,
    pub url: String,
    pub students: u32,
    pub reviews: u32,
    /// New questions under the course's lessons.
    pub questions: u32,
}

/// A teacher's daily summary: new students and reviews per course (`lines`, never empty);
/// `url` is where to read more. Non-essential, like [`reminder`].
pub fn digest(
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    lines: &[DigestLine],
    unsubscribe: &str,
) -> Email {
    let lang = Lang::from_locale(locale);
    let count = |f: fn(&DigestLine) -> u32| Arg::Num(f64::from(lines.iter().map(f).sum::<u32>()));
    let totals = [
        ("students", count(|l| l.students)),
        ("reviews", count(|l| l.reviews)),
        ("questions", count(|l| l.questions)),
    ];
    let mut base = letter_parts(&DIGEST, lang, name, school, url, &totals);
    base.unsubscribe = Some((i18n::t(lang, List::Digests.message(), &[]), unsubscribe));
    let items: Vec<(String, &str)> = lines
        .iter()
        .map(|l| {
            let args = [
                ("course", text(&l.course)),
                ("students", Arg::Num(f64::from(l.students))),
                ("reviews", Arg::Num(f64::from(l.reviews))),
                ("questions", Arg::Num(f64::from(l.questions))),
            ];
            (i18n::t(lang, DIGEST_LINE, &args), l.url.as_str())
        })
        .collect();
    let text = DigestText { m: &base, items: &items }.render().expect("the text template renders");
    let html = DigestHtml { m: &base, items: &items }.render().expect("the HTML template renders");
    Email { to: to.to_owned(), subject: base.subject, text, html, headers: Vec::new() }
        .unsubscribable(unsubscribe)
}

fn text(s: &str) -> Arg {
    Arg::Text(s.to_owned())
}

/// A receipt for a paid order: `course` and `amount` (as written, "19.90 USD"); `url` is the order.
pub fn receipt(
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    course: &str,
    amount: &str,
) -> Email {
    letter(
        &RECEIPT,
        locale,
        to,
        name,
        school,
        url,
        &[("course", text(course)), ("amount", text(amount))],
        None,
    )
}

/// Money given back for an order (`amount` this time).
pub fn refund(
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    course: &str,
    amount: &str,
) -> Email {
    letter(
        &REFUND,
        locale,
        to,
        name,
        school,
        url,
        &[("course", text(course)), ("amount", text(amount))],
        None,
    )
}

/// A teacher's payout was paid (`reference`: the bank's) or rejected (`reference`: the reason).
#[expect(clippy::too_many_arguments, reason = "one argument per part of the letter, all strings")]
pub fn payout(
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    paid: bool,
    amount: &str,
    reference: &str,
) -> Email {
    let msgs = if paid { &PAYOUT_PAID } else { &PAYOUT_REJECTED };
    letter(
        msgs,
        locale,
        to,
        name,
        school,
        url,
        &[("amount", text(amount)), ("reference", text(reference))],
        None,
    )
}

/// Asks a new account to confirm its address at `url`.
pub fn verification(locale: &str, to: &str, name: &str, school: &str, url: &str) -> Email {
    action_email(&VERIFICATION, locale, to, name, school, url)
}

/// Greets an account whose address is confirmed, pointing at the catalog (`url`).
pub fn welcome(locale: &str, to: &str, name: &str, school: &str, url: &str) -> Email {
    action_email(&WELCOME, locale, to, name, school, url)
}

/// Carries a password-reset link.
pub fn reset(locale: &str, to: &str, name: &str, school: &str, url: &str) -> Email {
    action_email(&RESET, locale, to, name, school, url)
}

/// What an email that asks the reader to open one link says, already translated: the templates
/// only lay it out.
struct ActionLetter<'a> {
    lang: &'static str,
    subject: String,
    greeting: String,
    body: String,
    action: String,
    url: &'a str,
    link_hint: String,
    footer: String,
    /// For mail a reader can opt out of: the line that leads to the link, and the link.
    unsubscribe: Option<(String, &'a str)>,
}

#[derive(Template)]
#[template(path = "mail/action.html")]
struct ActionHtml<'a> {
    m: &'a ActionLetter<'a>,
}

#[derive(Template)]
#[template(path = "mail/action.txt")]
struct ActionText<'a> {
    m: &'a ActionLetter<'a>,
}

/// The digest: the action letter's frame around a list of (line, link).
#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    m: &'a ActionLetter<'a>,
    items: &'a [(String, &'a str)],
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct DigestText<'a> {
    m: &'a ActionLetter<'a>,
    items: &'a [(String, &'a str)],
}

fn action_email(msgs: &Messages, locale: &str, to: &str, name: &str, school: &str, url: &str) -> Email {
    letter(msgs, locale, to, name, school, url, &[], None)
}

/// An email of `msgs`; `extra` are the arguments its messages use beyond `$name` and `$school`;
/// `unsubscribe` the list it belongs to and its signed link, for mail a reader can opt out of.
#[expect(clippy::too_many_arguments, reason = "one argument per part of the letter")]
fn letter(
    msgs: &Messages,
    locale: &str,
    to: &str,
    name: &str,
    school: &str,
    url: &str,
    extra: &[(&str, Arg)],
    unsubscribe: Option<(List, &str)>,
) -> Email {
    let lang = Lang::from_locale(locale);
    let mut m = letter_parts(msgs, lang, name, school, url, extra);
    m.unsubscribe = unsubscribe.map(|(list, link)| (i18n::t(lang, list.message(), &[]), link));
    // The templates only print strings, and writing a String cannot fail: a render error would
    // be a bug in askama itself. The tests render every email in every language.
    let text = ActionText { m: &m }.render().expect("the text template renders");
    let html = ActionHtml { m: &m }.render().expect("the HTML template renders");
    Email { to: to.to_owned(), subject: m.subject, text, html, headers: Vec::new() }
}

/// The translated parts of an email of `msgs`.
fn letter_parts<'a>(
    msgs: &Messages,
    lang: Lang,
    name: &str,
    school: &str,
    url: &'a str,
    extra: &[(&str, Arg)],
) -> ActionLetter<'a> {
    let mut args = vec![("name", Arg::Text(name.to_owned())), ("school", Arg::Text(school.to_owned()))];
    args.extend(extra.iter().cloned());
    let t = |id: &str| i18n::t(lang, id, &args);
    ActionLetter {
        lang: lang.code(),
        subject: t(msgs.subject),
        greeting: t(GREETING),
        body: t(msgs.body),
        action: t(msgs.action),
        url,
        link_hint: t(LINK_HINT),
        footer: t(msgs.footer),
        unsubscribe: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Build = fn(&str, &str, &str, &str, &str) -> Email;

    const ALL: [(&str, Build, &Messages); 12] = [
        (
            "completed-certificate",
            |l, to, n, s, u| completed_with_certificate(l, to, n, s, u, "Rust"),
            &COMPLETED_CERTIFICATE,
        ),
        ("enrolled", |l, to, n, s, u| enrolled(l, to, n, s, u, "Rust"), &ENROLLED),
        ("completed", |l, to, n, s, u| completed(l, to, n, s, u, "Rust"), &COMPLETED),
        ("reminder", |l, to, n, s, u| reminder(l, to, n, s, u, "Rust", 3, UNSUB), &REMINDER),
        (
            "digest",
            |l, to, n, s, u| {
                let line = DigestLine {
                    course: "Rust".into(),
                    url: u.into(),
                    students: 2,
                    reviews: 1,
                    questions: 0,
                };
                digest(l, to, n, s, u, &[line], UNSUB)
            },
            &DIGEST,
        ),
        ("verification", verification, &VERIFICATION),
        ("welcome", welcome, &WELCOME),
        ("reset", reset, &RESET),
        ("receipt", |l, to, n, s, u| receipt(l, to, n, s, u, "Rust", "19.90 USD"), &RECEIPT),
        ("refund", |l, to, n, s, u| refund(l, to, n, s, u, "Rust", "19.90 USD"), &REFUND),
        ("payout-paid", |l, to, n, s, u| payout(l, to, n, s, u, true, "100.00 USD", "B-1"), &PAYOUT_PAID),
        (
            "payout-rejected",
            |l, to, n, s, u| payout(l, to, n, s, u, false, "100.00 USD", "no"),
            &PAYOUT_REJECTED,
        ),
    ];

    const URL: &str = "https://s.test/some-page?token=abc-DEF_12";
    const UNSUB: &str = "https://s.test/unsubscribe?token=u-1";

    #[test]
    fn only_optional_mail_can_be_left_in_one_click() {
        for (kind, build, _) in ALL {
            for lang in Lang::ALL {
                let e = build(lang.code(), "a@b.org", "Anna", "Lectern", URL);
                let optional = matches!(kind, "reminder" | "digest");
                let header = e.headers.iter().find(|(n, _)| n == "List-Unsubscribe").map(|(_, v)| v.as_str());
                assert_eq!(header, optional.then_some("<https://s.test/unsubscribe?token=u-1>"), "{kind}");
                assert_eq!(
                    e.headers
                        .iter()
                        .any(|(n, v)| n == "List-Unsubscribe-Post" && v == "List-Unsubscribe=One-Click"),
                    optional,
                    "{kind}"
                );
                assert_eq!(e.text.contains(UNSUB), optional, "{kind}/{lang:?}: {}", e.text);
                assert_eq!(e.html.contains(&format!("href=\"{UNSUB}\"")), optional, "{kind}/{lang:?}");
            }
        }
    }

    #[test]
    fn every_moderation_decision_renders_in_both_languages() {
        let facts = DecisionFacts {
            target: "Rust",
            reason: "contact details",
            action: "hide",
            report_reason: "spam",
        };
        for d in Decision::ALL {
            for lang in Lang::ALL {
                let e = decision(d, lang.code(), "a@b.org", "Anna", "Lectern", URL, &facts);
                for part in [&e.subject, &e.text, &e.html] {
                    assert!(!part.contains("mail-"), "{d:?}/{lang:?}: a message is missing: {part}");
                }
                assert_eq!(cyrillic(&e.subject), lang == Lang::Ru, "{d:?}/{lang:?}: {}", e.subject);
                let (title, body) = decision_notice(d, lang.code(), "Lectern", &facts);
                assert!(!title.contains("mail-") && !body.contains("mail-"), "{d:?}/{lang:?}: {title}");
                assert_eq!(cyrillic(&title), lang == Lang::Ru, "{d:?}/{lang:?}: {title}");
            }
        }
    }

    #[test]
    fn russian_plurals_in_the_digest_and_reminder() {
        let line =
            DigestLine { course: "Rust".into(), url: URL.into(), students: 2, reviews: 5, questions: 3 };
        let e = digest("ru", "a@b.org", "Анна", "Лекторий", URL, &[line], UNSUB);
        assert!(
            e.subject.contains("2 новых студента") && e.subject.contains("5 новых отзывов"),
            "{}",
            e.subject
        );
        assert!(e.text.contains("Rust: 2 новых студента, 5 новых отзывов, 3 новых вопроса"), "{}", e.text);
        let r = reminder("ru", "a@b.org", "Анна", "Лекторий", URL, "Rust", 3, UNSUB);
        assert!(r.text.contains("3 дня"), "{}", r.text);
        let r = reminder("en", "a@b.org", "Anna", "Lectern", URL, "Rust", 1, UNSUB);
        assert!(r.text.contains("It has been a day"), "{}", r.text);
    }

    /// Decodes the character references askama writes (`&#60;`, `&amp;`, ...): what a reader sees.
    fn unescape(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let Some(end) = rest[i..].find(';') else { break };
            let entity = &rest[i + 1..i + end];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                _ => entity.strip_prefix('#').and_then(|n| n.parse().ok()).and_then(char::from_u32),
            };
            match c {
                Some(c) => {
                    out.push(c);
                    rest = &rest[i + end + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[i + 1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn cyrillic(s: &str) -> bool {
        s.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}'))
    }

    #[test]
    fn every_email_renders_in_every_language() {
        for (kind, build, _) in ALL {
            for lang in Lang::ALL {
                let e = build(lang.code(), "a@b.org", "Anna", "Lectern", URL);
                assert_eq!(e.to, "a@b.org");
                assert!(!e.subject.trim().is_empty(), "{kind}/{lang:?}");
                assert!(!e.subject.contains("mail-"), "{kind}/{lang:?}: a message is missing: {}", e.subject);
                assert_eq!(cyrillic(&e.subject), lang == Lang::Ru, "{kind}/{lang:?}: {}", e.subject);
                assert_eq!(cyrillic(&e.text), lang == Lang::Ru, "{kind}/{lang:?}");
                assert!(!e.text.contains("mail-") && !e.html.contains("mail-"), "{kind}/{lang:?}");

                assert!(e.html.contains(&format!("href=\"{URL}\"")), "{kind}/{lang:?}: {}", e.html);
                assert!(e.html.starts_with("<!doctype html>"), "{kind}/{lang:?}");
                assert!(e.html.contains(&format!("<html lang=\"{}\">", lang.code())));
                assert!(!e.html.contains("<script") && !e.html.contains("<img"), "{kind}/{lang:?}");

                // The link is whole and ends its line, so clients (and the API tests) find its end.
                assert!(
                    e.text.lines().any(|l| l.ends_with(&format!(": {URL}"))),
                    "{kind}/{lang:?}: {}",
                    e.text
                );
                assert!(!e.text.contains('<') && !e.text.contains("&amp;"), "{kind}/{lang:?}: {}", e.text);
                assert!(e.text.contains("Anna") && e.html.contains("Anna"), "{kind}/{lang:?}");
            }
        }
    }

    #[test]
    fn hostile_names_are_escaped_in_html_and_literal_in_text() {
        let name = "<script>alert('x')</script> & \"Co\"";
        let school = "<b>School</b>";
        for (kind, build, _) in ALL {
            for lang in Lang::ALL {
                let e = build(lang.code(), "a@b.org", name, school, URL);
                assert!(!e.html.contains("<script") && !e.html.contains("<b>"), "{kind}/{lang:?}");
                assert!(!e.html.contains("\"Co\""), "{kind}/{lang:?}: quotes escaped too");
                assert!(unescape(&e.html).contains(name), "{kind}/{lang:?}: the name is shown as text");
                assert!(unescape(&e.html).contains(school), "{kind}/{lang:?}: so is the school's");
                assert!(e.text.contains(name), "{kind}/{lang:?}: {}", e.text);
                assert!(!e.text.contains("&lt;"), "{kind}/{lang:?}");
                // The subject is a header, not HTML: it keeps the school's name as configured.
                if e.subject.contains("School") {
                    assert!(e.subject.contains(school), "{kind}/{lang:?}: {}", e.subject);
                }
            }
        }
    }

    #[test]
    fn every_message_an_email_uses_exists_in_both_languages() {
        for (kind, _, m) in ALL {
            let more = [
                DIGEST_LINE,
                List::Reminders.message(),
                List::Digests.message(),
                List::ProductNews.message(),
            ];
            for id in [GREETING, LINK_HINT, m.subject, m.body, m.action, m.footer].into_iter().chain(more) {
                for lang in Lang::ALL {
                    assert!(i18n::has(lang, id), "{kind}: {id} is missing in {lang:?}");
                }
            }
        }
    }

    #[test]
    fn russian_emails_are_in_russian() {
        let e = reset("ru", "a@b.org", "Анна", "Лекторий", "https://s.test/r");
        assert!(e.subject.contains("Сброс пароля"));
        assert!(e.text.contains("Здравствуйте, Анна!"));
        assert!(e.html.contains("Здравствуйте, Анна!"));
    }

    #[test]
    fn unknown_locales_get_english() {
        let e = welcome("de", "a@b.org", "Anna", "Lectern", "https://s.test/courses");
        assert_eq!(e.subject, "Welcome to Lectern");
    }
}
