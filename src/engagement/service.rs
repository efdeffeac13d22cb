//! Engagement rules, free of HTTP: which emails learning's changes cause, the scheduler of
//! reminders and digests, email preferences and unsubscribe tokens.
//!
//! **Exactly once.** Everything time-based lives in redb: each enrollment's reminder state with
//! its entry in `reminders_due: (due, user, course)`, and each teacher's waiting news with an
//! entry in `digests_due: (due, teacher)`. [`Engagement::tick`] takes the due entries and, for
//! each, decides, queues the email in the outbox and moves or removes the entry *in one unit of
//! work*: a crash before the commit leaves the entry due (it is done again, once), a crash after
//! it leaves it done. A second tick running at the same time finds the entry gone and skips it.
//!
//! **When.** Mail goes out between 09:00 and 20:00 in the school's time zone
//! (`LECTERN_SCHOOL_UTC_OFFSET`); work that falls due outside those hours waits for 09:00.
//! Reminders: an enrollment in an unfinished course with no activity (enrollment or a completed
//! lesson) for `LECTERN_REMINDER_DAYS`; at most one a week per course and three per enrollment.
//! Digests: news (new students, reviews and lesson questions) waits in `digest_items`; the first piece schedules
//! the teacher's digest for the next 09:00, so there is at most one a day and none without news.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::Notify;

use super::repo::{self, DigestItem, DigestKind, EmailPrefs, ReminderState};
use crate::catalog::repo as catalog;
use crate::clock::{Clock, Timestamp};
use crate::config::Config;
use crate::error::{Code, Error, Result};
use crate::identity::repo::UserRecord;
use crate::ids::{CourseId, UserId};
use crate::learning::events::{LearningEvent, Subscriber};
use crate::learning::repo::{self as learning, EnrollmentStatus};
use crate::mail::templates::{self, DigestLine, List};
use crate::mail::{self, Mailer};
use crate::store::{Store, Tx};

/// At most this many reminders per enrollment.
pub const MAX_REMINDERS: u32 = 3;
/// At most one reminder per course in this time.
pub const REMINDER_GAP: Duration = Duration::from_secs(7 * 86_400);
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Local sending hours: [09:00, 20:00).
const FIRST_HOUR: i64 = 9;
const LAST_HOUR: i64 = 20;
/// Due entries handled per unit of work.
const BATCH: usize = 64;

/// What the engagement mail needs to know, shared with the learning hook.
pub struct Settings {
    school: String,
    public_url: String,
    reminder_after: Duration,
    offset_ms: i64,
    /// HMAC key of unsubscribe tokens (derived from the master secret).
    key: Vec<u8>,
}

impl Settings {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    fn time_of_day(&self, t: i64) -> i64 {
        (t + self.offset_ms).rem_euclid(DAY_MS)
    }

    /// `t` if it falls within sending hours, else the next 09:00 in the school's time zone.
    pub fn within_hours(&self, t: i64) -> i64 {
        let tod = self.time_of_day(t);
        if (FIRST_HOUR * HOUR_MS..LAST_HOUR * HOUR_MS).contains(&tod) { t } else { self.next_morning(t) }
    }

    /// The first 09:00 (school time) after `t`.
    pub fn next_morning(&self, t: i64) -> i64 {
        let tod = self.time_of_day(t);
        let nine = FIRST_HOUR * HOUR_MS;
        if tod < nine { t + nine - tod } else { t + DAY_MS - tod + nine }
    }

    fn mac(&self, payload: &[u8]) -> [u8; 16] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(b"lectern/unsubscribe/v1:");
        mac.update(payload);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// A token naming `user` and `list`, signed; it does not expire (an old email's link keeps
    /// working, as mail providers expect) and rotating the master secret revokes every one.
    pub fn token(&self, user: UserId, list: List) -> String {
        let mut payload = Vec::with_capacity(33);
        payload.extend_from_slice(&user.key().to_be_bytes());
        payload.push(list_code(list));
        let mac = self.mac(&payload);
        payload.extend_from_slice(&mac);
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// The user and list a token names, if it is one of ours.
    pub fn read_token(&self, token: &str) -> Option<(UserId, List)> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != 33 {
            return None;
        }
        let (payload, mac) = bytes.split_at(17);
        let expected = self.mac(payload);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], mac)) {
            return None;
        }
        let user = u128::from_be_bytes(payload[..16].try_into().ok()?);
        Some((UserId::from_key(user), list_from(payload[16])?))
    }

    fn unsubscribe_url(&self, user: UserId, list: List) -> String {
        self.url(&format!("/unsubscribe?token={}", self.token(user, list)))
    }
}

fn list_code(l: List) -> u8 {
    match l {
        List::Reminders => 1,
        List::Digests => 2,
        List::ProductNews => 3,
    }
}

fn list_from(b: u8) -> Option<List> {
    match b {
        1 => Some(List::Reminders),
        2 => Some(List::Digests),
        3 => Some(List::ProductNews),
        _ => None,
    }
}

/// Whether `u` may get any optional mail at all.
///
/// Whether an account may get optional mail: a locked or deleted account answers false and gets
/// no reminders or digests (their due entries are pushed back a week and looked at again).
pub fn may_receive(u: &UserRecord) -> bool {
    !u.is_barred()
}

/// A change to email preferences: fields left out stay as they are.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrefsPatch {
    pub reminders: Option<bool>,
    pub digests: Option<bool>,
    pub product_news: Option<bool>,
}

/// What one [`Engagement::tick`] queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub reminders: usize,
    pub digests: usize,
}

pub struct Engagement {
    store: Store,
    clock: Arc<Clock>,
    mailer: Arc<Mailer>,
    settings: Arc<Settings>,
    wake: Notify,
}

impl Engagement {
    /// `key`: the HMAC key of unsubscribe tokens, derived from the master secret.
    pub fn new(
        store: Store,
        clock: Arc<Clock>,
        mailer: Arc<Mailer>,
        config: &Config,
        key: Vec<u8>,
    ) -> Engagement {
        let settings = Settings {
            school: config.school_name.clone(),
            public_url: config.public_url.trim_end_matches('/').to_owned(),
            reminder_after: config.engagement.reminder_after,
            offset_ms: i64::from(config.engagement.utc_offset_minutes) * 60_000,
            key,
        };
        Engagement { store, clock, mailer, settings: Arc::new(settings), wake: Notify::new() }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Learning's subscriber: the enrollment and completion emails, reminder state and digest
    /// news, written in the unit of work of the change.
    pub fn hook(&self) -> Subscriber {
        let s = self.settings.clone();
        Arc::new(move |tx: &mut Tx<'_>, ev: &LearningEvent<'_>| on_learning(&s, tx, ev))
    }

    /// Runs the scheduler every minute (and when woken) until `stop` fires.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "engagement scheduler pass failed; retrying");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Asks the background scheduler for a pass now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// One scheduler pass: every reminder and digest due by the clock's now.
    pub async fn tick(&self) -> Result<Tick> {
        let mut report = Tick::default();
        loop {
            let now = self.clock.now();
            let due = self.store.read(move |r| Ok(repo::due_reminders(r, now, BATCH)?)).await?;
            if due.is_empty() {
                break;
            }
            let s = self.settings.clone();
            report.reminders += self
                .store
                .write(move |tx| {
                    let mut sent = 0;
                    for key in &due {
                        sent += usize::from(remind(tx, &s, *key, now)?);
                    }
                    Ok(sent)
                })
                .await?;
        }
        loop {
            let now = self.clock.now();
            let due = self.store.read(move |r| Ok(repo::due_digests(r, now, BATCH)?)).await?;
            if due.is_empty() {
                break;
            }
            let s = self.settings.clone();
            report.digests += self
                .store
                .write(move |tx| {
                    let mut sent = 0;
                    for key in &due {
                        sent += usize::from(digest(tx, &s, *key, now)?);
                    }
                    Ok(sent)
                })
                .await?;
        }
        if report != Tick::default() {
            self.mailer.wake();
        }
        Ok(report)
    }

    pub async fn prefs(&self, user: UserId) -> Result<EmailPrefs> {
        self.store.read(move |r| Ok(repo::prefs(r, user)?)).await
    }

    pub async fn update_prefs(&self, user: UserId, patch: PrefsPatch) -> Result<EmailPrefs> {
        self.store
            .write(move |tx| {
                let mut p = repo::prefs(tx, user)?;
                p.reminders = patch.reminders.unwrap_or(p.reminders);
                p.digests = patch.digests.unwrap_or(p.digests);
                p.product_news = patch.product_news.unwrap_or(p.product_news);
                repo::save_prefs(tx, user, &p)?;
                Ok(p)
            })
            .await
    }

    /// The list an unsubscribe token names, if the token is valid and its account exists.
    pub async fn token_list(&self, token: &str) -> Result<List> {
        let (user, list) = self.settings.read_token(token).ok_or_else(bad_token)?;
        let exists = self.store.read(move |r| Ok(crate::identity::repo::user(r, user)?.is_some())).await?;
        if exists { Ok(list) } else { Err(bad_token()) }
    }

    /// Takes the token's account off the token's list (idempotent).
    pub async fn unsubscribe(&self, token: &str) -> Result<List> {
        let (user, list) = self.settings.read_token(token).ok_or_else(bad_token)?;
        self.store
            .write(move |tx| {
                if crate::identity::repo::user(tx, user)?.is_none() {
                    return Err(bad_token());
                }
                let mut p = repo::prefs(tx, user)?;
                match list {
                    List::Reminders => p.reminders = false,
                    List::Digests => p.digests = false,
                    List::ProductNews => p.product_news = false,
                }
                repo::save_prefs(tx, user, &p)?;
                Ok(list)
            })
            .await
    }
}

fn bad_token() -> Error {
    Error::BadRequest {
        code: Code::InvalidToken,
        detail: "This unsubscribe link is not valid. Change your email preferences on your account page."
            .into(),
    }
}

fn on_learning(s: &Settings, tx: &mut Tx<'_>, ev: &LearningEvent<'_>) -> Result<()> {
    match *ev {
        LearningEvent::Enrolled { user, course, now } => {
            if let Some(u) = crate::identity::repo::user(tx, user)? {
                let url = s.url(&format!("/learn/{}", course.slug));
                let email = templates::enrolled(&u.locale, &u.email, &u.name, &s.school, &url, &course.title);
                mail::enqueue(tx, email, now)?;
            }
            // A new enrollment starts its own count; the weekly limit per course carries over.
            let before = repo::reminder(tx, user, course.id)?.unwrap_or_default();
            let state = ReminderState { sent: 0, ..before };
            let due = s.within_hours(now.plus(s.reminder_after).millis());
            repo::save_reminder(tx, user, course.id, state, Some(due))?;
            if course.teacher_id != user {
                add_news(s, tx, course.teacher_id, course.id, DigestKind::NewStudent, now)?;
            }
        }
        LearningEvent::Completed { user, course, now } => {
            if let Some(u) = crate::identity::repo::user(tx, user)? {
                // Certificates subscribe before this hook: the one issued now is already there.
                let email = match super::certificates::certificate_of(tx, user, course.id)? {
                    Some(c) => {
                        let url = s.url(&format!("/certificates/{}", c.code));
                        templates::completed_with_certificate(
                            &u.locale,
                            &u.email,
                            &u.name,
                            &s.school,
                            &url,
                            &course.title,
                        )
                    }
                    None => {
                        let url = s.url(&format!("/courses/{}", course.slug));
                        templates::completed(&u.locale, &u.email, &u.name, &s.school, &url, &course.title)
                    }
                };
                mail::enqueue(tx, email, now)?;
            }
            if let Some(state) = repo::reminder(tx, user, course.id)? {
                repo::save_reminder(tx, user, course.id, state, None)?;
            }
        }
        LearningEvent::Reviewed { review, course } => {
            if course.teacher_id != review.author_id {
                add_news(s, tx, course.teacher_id, course.id, DigestKind::NewReview, review.created_at)?;
            }
        }
        LearningEvent::Asked { author, course, at } => {
            if course.teacher_id != author {
                add_news(s, tx, course.teacher_id, course.id, DigestKind::NewQuestion, at)?;
            }
        }
    }
    Ok(())
}

fn add_news(
    s: &Settings,
    tx: &mut Tx<'_>,
    teacher: UserId,
    course: CourseId,
    kind: DigestKind,
    now: Timestamp,
) -> Result<()> {
    let item = DigestItem { course, kind, at: now };
    if repo::add_digest_item(tx, teacher, &item, ulid::Ulid::generate().0)? {
        repo::schedule_digest(tx, teacher, s.next_morning(now.millis()))?;
    }
    Ok(())
}

/// Handles one due reminder entry; true if a reminder was queued.
fn remind(tx: &mut Tx<'_>, s: &Settings, key: (i64, UserId, CourseId), now: Timestamp) -> Result<bool> {
    let (_, user, course) = key;
    if !repo::unschedule_reminder(tx, key)? {
        return Ok(false); // done by another pass meanwhile
    }
    let Some(mut state) = repo::reminder(tx, user, course)? else { return Ok(false) };
    state.due = None; // its entry is gone; every way out below saves where it goes next
    let Some(e) = learning::enrollment(tx, user, course)? else {
        repo::remove_reminder(tx, user, course, &state)?; // refunded: no longer theirs
        return Ok(false);
    };
    let (Some(u), Some(c)) = (crate::identity::repo::user(tx, user)?, catalog::course(tx, course)?) else {
        repo::remove_reminder(tx, user, course, &state)?;
        return Ok(false);
    };
    if e.status == EnrollmentStatus::Completed || state.sent >= MAX_REMINDERS {
        repo::save_reminder(tx, user, course, state, None)?;
        return Ok(false);
    }
    let last_activity =
        learning::last_completion(tx, user, course)?.map_or(e.enrolled_at, |t| t.max(e.enrolled_at));
    let mut earliest = last_activity.plus(s.reminder_after);
    if let Some(last) = state.last_sent_at {
        earliest = earliest.max(last.plus(REMINDER_GAP));
    }
    let next = if now < earliest {
        Some(s.within_hours(earliest.millis()))
    } else if s.within_hours(now.millis()) != now.millis() {
        Some(s.within_hours(now.millis()))
    } else if !c.is_published() || !may_receive(&u) || !repo::prefs(tx, user)?.reminders {
        // Not now; looked at again in a week (preferences may change, the course may return).
        Some(s.within_hours(now.plus(REMINDER_GAP).millis()))
    } else {
        None
    };
    if next.is_some() {
        repo::save_reminder(tx, user, course, state, next)?;
        return Ok(false);
    }
    let days = ((now.millis() - last_activity.millis()) / DAY_MS).max(1) as u32;
    let url = s.url(&format!("/learn/{}", c.slug));
    let unsubscribe = s.unsubscribe_url(user, List::Reminders);
    let email =
        templates::reminder(&u.locale, &u.email, &u.name, &s.school, &url, &c.title, days, &unsubscribe);
    mail::enqueue(tx, email, now)?;
    state.sent += 1;
    state.last_sent_at = Some(now);
    let next = (state.sent < MAX_REMINDERS).then(|| {
        let again = now.plus(REMINDER_GAP).max(last_activity.plus(s.reminder_after));
        s.within_hours(again.millis())
    });
    repo::save_reminder(tx, user, course, state, next)?;
    Ok(true)
}

/// Handles one due digest; true if a digest was queued.
fn digest(tx: &mut Tx<'_>, s: &Settings, key: (i64, UserId), now: Timestamp) -> Result<bool> {
    let teacher = key.1;
    if !repo::unschedule_digest(tx, key)? {
        return Ok(false); // done by another pass meanwhile
    }
    let in_hours = s.within_hours(now.millis());
    if in_hours != now.millis() {
        repo::schedule_digest(tx, teacher, in_hours)?;
        return Ok(false);
    }
    const MAX_ITEMS: usize = 10_000;
    let items = repo::digest_items(tx, teacher, MAX_ITEMS)?;
    for (id, _) in &items {
        repo::remove_digest_item(tx, teacher, *id)?;
    }
    if items.len() == MAX_ITEMS && !repo::digest_items(tx, teacher, 1)?.is_empty() {
        repo::schedule_digest(tx, teacher, s.next_morning(now.millis()))?;
    }
    let Some(u) = crate::identity::repo::user(tx, teacher)? else { return Ok(false) };
    if !may_receive(&u) || !repo::prefs(tx, teacher)?.digests {
        return Ok(false);
    }
    let mut per_course: BTreeMap<u128, (u32, u32, u32)> = BTreeMap::new();
    for (_, item) in &items {
        let counts = per_course.entry(item.course.key()).or_default();
        match item.kind {
            DigestKind::NewStudent => counts.0 += 1,
            DigestKind::NewReview => counts.1 += 1,
            DigestKind::NewQuestion => counts.2 += 1,
        }
    }
    let mut lines = Vec::new();
    for (course, (students, reviews, questions)) in per_course {
        if let Some(c) = catalog::course(tx, CourseId::from_key(course))? {
            lines.push(DigestLine {
                course: c.title,
                url: s.url(&format!("/courses/{}", c.slug)),
                students,
                reviews,
                questions,
            });
        }
    }
    if lines.is_empty() {
        return Ok(false);
    }
    let unsubscribe = s.unsubscribe_url(teacher, List::Digests);
    let url = s.url("/notifications");
    let email = templates::digest(&u.locale, &u.email, &u.name, &s.school, &url, &lines, &unsubscribe);
    mail::enqueue(tx, email, now)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(offset_minutes: i64) -> Settings {
        Settings {
            school: "S".into(),
            public_url: "https://s.test".into(),
            reminder_after: Duration::from_secs(3 * 86_400),
            offset_ms: offset_minutes * 60_000,
            key: b"k".to_vec(),
        }
    }

    #[test]
    fn sending_hours_follow_the_school_time_zone() {
        let s = settings(0);
        let day = 20 * DAY_MS;
        assert_eq!(s.within_hours(day + 10 * HOUR_MS), day + 10 * HOUR_MS);
        assert_eq!(s.within_hours(day + 3 * HOUR_MS), day + 9 * HOUR_MS);
        assert_eq!(s.within_hours(day + 20 * HOUR_MS), day + DAY_MS + 9 * HOUR_MS);
        assert_eq!(s.next_morning(day + 9 * HOUR_MS), day + DAY_MS + 9 * HOUR_MS);
        // Moscow (+03:00): 07:00 UTC is 10:00 there; 18:00 UTC is 21:00, too late.
        let msk = settings(180);
        assert_eq!(msk.within_hours(day + 7 * HOUR_MS), day + 7 * HOUR_MS);
        assert_eq!(msk.within_hours(day + 18 * HOUR_MS), day + DAY_MS + 6 * HOUR_MS);
    }

    #[test]
    fn tokens_name_the_user_and_list_and_cannot_be_forged() {
        let s = settings(0);
        let user = UserId::generate();
        let t = s.token(user, List::Digests);
        assert_eq!(s.read_token(&t), Some((user, List::Digests)));
        assert_eq!(settings(0).read_token(&t), Some((user, List::Digests)), "stable for the same key");
        let other = Settings { key: b"other".to_vec(), ..settings(0) };
        assert_eq!(other.read_token(&t), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        bytes[16] = 1; // digests → reminders
        assert_eq!(s.read_token(&URL_SAFE_NO_PAD.encode(&bytes)), None);
        assert_eq!(s.read_token("garbage"), None);
        assert_eq!(s.read_token(""), None);
    }
}
