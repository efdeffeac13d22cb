//! A teacher's figures: the dashboard of their courses (`teaching`), one course's analytics
//! over a period (`course`), and its students (`students`, `students_csv`).
//!
//! Every figure is read from counters the writes keep in their own units of work (see
//! `counters` and docs/ARCHITECTURE.md, "Analytics counters"): nothing here scans a course's
//! enrollments, so a course with 100,000 students costs what one with ten does — except the
//! students list, which pages through them, and its name search, which reads at most
//! [`SCAN_MAX`] enrollments per call. This module owns no table and writes nothing.

pub mod counters;
pub mod routes;

use std::collections::BTreeMap;

use crate::catalog::repo::{self as catalog, CourseRecord};
use crate::catalog::service::can_view;
use crate::clock::{Clock, DAY_MS, Timestamp, date_to_day};
use crate::commerce::repo as commerce;
use crate::error::{Code, Error, Result};
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::{CourseId, LessonId, UserId};
use crate::learning::repo::{self as learning, EnrollmentStatus, ReviewRecord};
use crate::learning::service::percent;
use crate::store::page::{Page, encode_cursor};
use crate::store::{Readable, Store};
use std::sync::Arc;

/// The longest period one analytics answer covers, in days.
pub const MAX_DAYS: u32 = 366;
/// The period shown when none is asked for, in days (today included).
pub const DEFAULT_DAYS: u32 = 30;
/// "Active" means enrolled or marked a lesson within this many days.
pub const ACTIVE_DAYS: i64 = 30;
/// A name search reads at most this many enrollments per call; a page may then be short and
/// still have a cursor.
pub const SCAN_MAX: usize = 5000;

/// Days `from..=to` (UTC day numbers, see [`Timestamp::day`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: u32,
    pub to: u32,
}

impl Period {
    /// `from`/`to` as ISO dates; missing ones default to the last [`DEFAULT_DAYS`] days up to
    /// `today` (or the period's other end). 422 for a date that is not one, `from` after `to`,
    /// or a period longer than [`MAX_DAYS`].
    pub fn parse(from: Option<&str>, to: Option<&str>, today: u32) -> Result<Period> {
        let day = |field: &str, v: Option<&str>| -> Result<Option<u32>> {
            match v.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => date_to_day(s)
                    .map(Some)
                    .ok_or_else(|| Error::validation(field, "must be a date as YYYY-MM-DD")),
            }
        };
        let (f, t) = (day("from", from)?, day("to", to)?);
        let (from, to) = match (f, t) {
            (Some(f), Some(t)) => (f, t),
            (Some(f), None) => (f, f.saturating_add(DEFAULT_DAYS - 1).min(today.max(f))),
            (None, Some(t)) => (t.saturating_sub(DEFAULT_DAYS - 1), t),
            (None, None) => (today.saturating_sub(DEFAULT_DAYS - 1), today),
        };
        if from > to {
            return Err(Error::validation("from", "must not be after `to`"));
        }
        if to - from + 1 > MAX_DAYS {
            return Err(Error::validation("to", format!("the period is at most {MAX_DAYS} days")));
        }
        Ok(Period { from, to })
    }

    /// The last `days` days up to `today`.
    pub fn last(days: u32, today: u32) -> Period {
        Period { from: today.saturating_sub(days.clamp(1, MAX_DAYS) - 1), to: today }
    }

    pub fn days(&self) -> impl Iterator<Item = u32> {
        self.from..=self.to
    }
}

/// Money in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub currency: String,
    pub minor: i64,
}

/// One course's analytics over a period.
#[derive(Debug, Clone)]
pub struct CourseAnalytics {
    pub course: CourseRecord,
    pub period: Period,
    /// Every day of the period with its new enrollments (still held) and completions.
    pub by_day: Vec<(u32, u64, u64)>,
    /// Students enrolled now.
    pub students: u64,
    /// Of them, how many completed the course.
    pub completed: u64,
    pub active_30d: u64,
    /// `completed / students`, 0 without students.
    pub completion_rate: f64,
    /// The course's lessons in order, with how many students completed each.
    pub funnel: Vec<(LessonId, String, u64)>,
    /// Published reviews per rating, index 0 for one star.
    pub ratings: [u64; 5],
    /// Days of the period with sales: (day, currency, amount).
    pub revenue_by_day: Vec<(u32, String, i64)>,
    /// Sales in the period per currency.
    pub revenue: Vec<Amount>,
    /// Refunds in the period per currency.
    pub refunds: Vec<Amount>,
    /// The course's quizzes in order, with their counters.
    pub quizzes: Vec<QuizFigures>,
}

/// A quiz's attempts (all time) and how often each question was answered right.
#[derive(Debug, Clone)]
pub struct QuizFigures {
    pub lesson_id: LessonId,
    pub title: String,
    pub attempts: u64,
    pub passed: u64,
    /// Per question of the current version: (prompt, attempts, correct).
    pub questions: Vec<(String, u64, u64)>,
}

/// A student of a course as the teacher's list shows them.
#[derive(Debug, Clone)]
pub struct StudentLine {
    pub id: UserId,
    pub name: String,
    pub enrolled_at: Timestamp,
    pub percent: u32,
    pub last_activity_at: Timestamp,
    pub status: EnrollmentStatus,
}

/// One course on the teacher's dashboard.
#[derive(Debug, Clone)]
pub struct CourseFigures {
    pub course: CourseRecord,
    pub students: u64,
    pub active_30d: u64,
    pub completed: u64,
    pub completion_rate: f64,
    /// All-time sales minus refunds, per currency.
    pub revenue: Vec<Amount>,
}

/// A teacher's dashboard.
#[derive(Debug, Clone, Default)]
pub struct Teaching {
    pub courses: Vec<CourseFigures>,
    pub students: u64,
    pub active_30d: u64,
    pub completed: u64,
    pub completion_rate: f64,
    pub revenue: Vec<Amount>,
    pub review_count: u64,
    pub rating_sum: u64,
    /// The last published reviews across the teacher's courses, newest first, with the
    /// course's title and the author's name.
    pub recent_reviews: Vec<(ReviewRecord, String, String)>,
    /// The last published questions under the teacher's lessons, newest first.
    pub recent_questions: Vec<crate::qa::service::RecentQuestion>,
}

fn rate(completed: u64, students: u64) -> f64 {
    if students == 0 { 0.0 } else { completed as f64 / students as f64 }
}

fn sum_into(list: &mut Vec<Amount>, currency: &str, minor: i64) {
    match list.iter_mut().find(|a| a.currency == currency) {
        Some(a) => a.minor += minor,
        None => list.push(Amount { currency: currency.to_owned(), minor }),
    }
}

/// The course, if `who` may see its figures: its teacher or an admin (403 for others who may
/// see the course, 404 for a course they may not know exists).
pub fn course_for(r: &impl Readable, who: &UserRecord, id: CourseId) -> Result<CourseRecord> {
    let c = catalog::get_course(r, id)?;
    if !can_view(Some(who), &c) {
        return Err(Error::NotFound);
    }
    if c.teacher_id != who.id && who.role != Role::Admin {
        return Err(Error::Forbidden {
            code: Code::Forbidden,
            detail: "Only the course's teacher sees its figures.".into(),
        });
    }
    Ok(c)
}

/// Teachers and admins have a dashboard; students are told how to become a teacher.
pub fn require_teacher(who: &UserRecord) -> Result<()> {
    if matches!(who.role, Role::Teacher | Role::Admin) {
        Ok(())
    } else {
        Err(Error::Forbidden { code: Code::TeachersOnly, detail: "Only teachers have a studio.".into() })
    }
}

/// Students enrolled, completed (all time), from the day counters (one row per day with news).
fn completed_of(r: &impl Readable, c: CourseId) -> Result<u64> {
    Ok(learning::course_days(r, c, 0, u32::MAX)?.iter().map(|(_, d)| d.completions).sum())
}

fn active_of(r: &impl Readable, c: CourseId, now: Timestamp) -> Result<u64> {
    Ok(learning::active_since(r, c, Timestamp(now.millis() - ACTIVE_DAYS * DAY_MS))?)
}

/// One course's analytics from its counters (see [`Analytics::course`]).
pub fn compute(
    r: &impl Readable,
    c: CourseRecord,
    period: Period,
    now: Timestamp,
) -> Result<CourseAnalytics> {
    let id = c.id;
    let days: BTreeMap<u32, learning::DayCounts> =
        learning::course_days(r, id, period.from, period.to)?.into_iter().collect();
    let by_day = period
        .days()
        .map(|d| {
            let n = days.get(&d).copied().unwrap_or_default();
            (d, n.enrollments, n.completions)
        })
        .collect();
    let completed = completed_of(r, id)?;
    let students = c.student_count;
    let mut funnel = Vec::new();
    let mut quizzes = Vec::new();
    for l in catalog::curriculum(r, id)?.lessons() {
        funnel.push((l.id, l.title.clone(), learning::lesson_completed(r, l.id)?));
        if let Some(q) = &l.quiz {
            let stats = learning::quiz_stats(r, l.id)?.unwrap_or_default();
            let current = stats.version == q.version;
            quizzes.push(QuizFigures {
                lesson_id: l.id,
                title: l.title.clone(),
                attempts: stats.attempts,
                passed: stats.passed,
                questions: q
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let n = stats.questions.get(i).filter(|_| current).cloned().unwrap_or_default();
                        (x.prompt.clone(), n.attempts, n.correct)
                    })
                    .collect(),
            });
        }
    }
    let (mut revenue, mut refunds, mut revenue_by_day) = (Vec::new(), Vec::new(), Vec::new());
    for (day, currency, m) in commerce::course_money(r, id, period.from, period.to)? {
        if m.sales_minor != 0 {
            revenue_by_day.push((day, currency.clone(), m.sales_minor));
            sum_into(&mut revenue, &currency, m.sales_minor);
        }
        if m.refunds_minor != 0 {
            sum_into(&mut refunds, &currency, m.refunds_minor);
        }
    }
    Ok(CourseAnalytics {
        period,
        by_day,
        students,
        completed,
        active_30d: active_of(r, id, now)?,
        completion_rate: rate(completed, students),
        funnel,
        ratings: learning::rating_histogram(r, id)?,
        revenue_by_day,
        revenue,
        refunds,
        quizzes,
        course: c,
    })
}

fn student_line(r: &impl Readable, c: &CourseRecord, user: UserId) -> Result<Option<StudentLine>> {
    let Some(e) = learning::enrollment(r, user, c.id)? else { return Ok(None) };
    // A deleted (anonymised) account has no name: the pages say "former student".
    let name = crate::identity::repo::user(r, user)?
        .filter(|u| u.deleted_at.is_none())
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(Some(StudentLine {
        id: user,
        name,
        enrolled_at: e.enrolled_at,
        percent: percent(e.completed_lessons, c.total_lessons),
        last_activity_at: e.last_activity(),
        status: e.status,
    }))
}

/// A name search: lower-cased, trimmed, empty means none.
fn needle(q: Option<&str>) -> Result<Option<String>> {
    match q.map(str::trim).filter(|q| !q.is_empty()) {
        None => Ok(None),
        Some(q) if q.chars().count() > 200 => Err(Error::validation("q", "is at most 200 characters")),
        Some(q) => Ok(Some(q.to_lowercase())),
    }
}

fn matches(line: &StudentLine, q: &Option<String>) -> bool {
    q.as_ref().is_none_or(|q| line.name.to_lowercase().contains(q))
}

/// The teacher's figures, read in one snapshot each.
pub struct Analytics {
    store: Store,
    clock: Arc<Clock>,
}

impl Analytics {
    pub fn new(store: Store, clock: Arc<Clock>) -> Analytics {
        Analytics { store, clock }
    }

    /// Today's UTC day number.
    pub fn today(&self) -> u32 {
        self.clock.now().day()
    }

    /// A course's analytics over `period` (its teacher, admins).
    pub async fn course(&self, who: &UserRecord, id: CourseId, period: Period) -> Result<CourseAnalytics> {
        let (who, now) = (who.clone(), self.clock.now());
        self.store.read(move |rtx| compute(rtx, course_for(rtx, &who, id)?, period, now)).await
    }

    /// A course's students by account, one page after `after` (its teacher, admins); `q`
    /// keeps those whose name contains it (any case).
    pub async fn students(
        &self,
        who: &UserRecord,
        id: CourseId,
        q: Option<&str>,
        limit: usize,
        after: Option<u128>,
    ) -> Result<Page<StudentLine>> {
        let (who, q) = (who.clone(), needle(q)?);
        self.store
            .read(move |rtx| {
                let c = course_for(rtx, &who, id)?;
                let chunk = if q.is_some() { 500 } else { limit + 1 };
                let (mut items, mut cursor, mut scanned) = (Vec::new(), after, 0usize);
                loop {
                    let ids = learning::students_of(rtx, id, cursor, chunk)?;
                    let exhausted = ids.len() < chunk;
                    for u in ids {
                        cursor = Some(u.key());
                        scanned += 1;
                        if let Some(line) = student_line(rtx, &c, u)?
                            && matches(&line, &q)
                        {
                            items.push(line);
                            if items.len() > limit {
                                items.truncate(limit);
                                let next = items.last().map(|l: &StudentLine| encode_cursor(&l.id.key()));
                                return Ok(Page { items, next_cursor: next });
                            }
                        }
                        if q.is_some() && scanned >= SCAN_MAX {
                            return Ok(Page { items, next_cursor: cursor.map(|k| encode_cursor(&k)) });
                        }
                    }
                    if exhausted {
                        return Ok(Page { items, next_cursor: None });
                    }
                }
            })
            .await
    }

    /// Every student of a course (matching `q`) as CSV: a header line, then one row each.
    /// Cells are RFC 4180 and never formulas (commerce's `csv_field`).
    pub async fn students_csv(&self, who: &UserRecord, id: CourseId, q: Option<&str>) -> Result<String> {
        use crate::commerce::views::csv_field;
        let (who, q) = (who.clone(), needle(q)?);
        self.store
            .read(move |rtx| {
                let c = course_for(rtx, &who, id)?;
                let mut body =
                    String::from("student_id,name,enrolled_at,percent,last_activity_at,status\r\n");
                let mut cursor = None;
                loop {
                    let ids = learning::students_of(rtx, id, cursor, 1000)?;
                    let Some(last) = ids.last() else { break };
                    cursor = Some(last.key());
                    for u in ids {
                        let Some(l) = student_line(rtx, &c, u)? else { continue };
                        if !matches(&l, &q) {
                            continue;
                        }
                        let row = [
                            l.id.to_string(),
                            l.name,
                            l.enrolled_at.to_rfc3339(),
                            l.percent.to_string(),
                            l.last_activity_at.to_rfc3339(),
                            status_name(l.status).to_owned(),
                        ];
                        body.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
                        body.push_str("\r\n");
                    }
                }
                Ok(body)
            })
            .await
    }

    /// The dashboard of `who`'s courses (teachers, admins: their own courses).
    pub async fn teaching(&self, who: &UserRecord) -> Result<Teaching> {
        require_teacher(who)?;
        let (teacher, now) = (who.id, self.clock.now());
        self.store
            .read(move |rtx| {
                let mut t = Teaching::default();
                let mut recent: Vec<(ReviewRecord, String)> = Vec::new();
                for id in catalog::teacher_course_ids(rtx, teacher)? {
                    let Some(c) = catalog::course(rtx, id)? else { continue };
                    let completed = completed_of(rtx, id)?;
                    let active = active_of(rtx, id, now)?;
                    let mut revenue = Vec::new();
                    for (_, currency, m) in commerce::course_money(rtx, id, 0, u32::MAX)? {
                        sum_into(&mut revenue, &currency, m.sales_minor - m.refunds_minor);
                        sum_into(&mut t.revenue, &currency, m.sales_minor - m.refunds_minor);
                    }
                    t.students += c.student_count;
                    t.active_30d += active;
                    t.completed += completed;
                    t.review_count += c.review_count;
                    t.rating_sum += c.rating_sum;
                    // The course's newest published reviews; five across all courses are kept.
                    let mut found = 0;
                    for rid in learning::review_ids_of(rtx, id, u128::MAX, 50)? {
                        if let Some(rev) = learning::review(rtx, rid)?
                            && rev.is_published()
                        {
                            recent.push((rev, c.title.clone()));
                            found += 1;
                            if found == 5 {
                                break;
                            }
                        }
                    }
                    t.courses.push(CourseFigures {
                        students: c.student_count,
                        active_30d: active,
                        completed,
                        completion_rate: rate(completed, c.student_count),
                        revenue,
                        course: c,
                    });
                }
                t.completion_rate = rate(t.completed, t.students);
                recent.sort_by_key(|(r, _)| std::cmp::Reverse(r.id.key()));
                recent.truncate(5);
                for (rev, title) in recent {
                    let name = crate::identity::repo::user(rtx, rev.author_id)?
                        .filter(|u| u.deleted_at.is_none())
                        .map(|u| u.name)
                        .unwrap_or_default();
                    t.recent_reviews.push((rev, title, name));
                }
                t.recent_questions = crate::qa::service::recent_questions(rtx, teacher, 5)?;
                // Newest course first.
                t.courses.sort_by_key(|f| std::cmp::Reverse(f.course.id.key()));
                Ok(t)
            })
            .await
    }
}

pub fn status_name(s: EnrollmentStatus) -> &'static str {
    match s {
        EnrollmentStatus::Active => "active",
        EnrollmentStatus::Completed => "completed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_default_and_refuse() {
        let today = date_to_day("2025-03-31").unwrap();
        assert_eq!(Period::parse(None, None, today).unwrap(), Period { from: today - 29, to: today });
        let p = Period::parse(Some("2025-03-01"), Some("2025-03-10"), today).unwrap();
        assert_eq!(p.days().count(), 10);
        assert_eq!(Period::parse(None, Some("2025-03-10"), today).unwrap().days().count(), 30);
        for (f, t) in [
            (Some("2025-03-10"), Some("2025-03-01")),
            (Some("2024-01-01"), Some("2025-03-01")),
            (Some("yesterday"), None),
            (None, Some("2025-13-01")),
        ] {
            assert!(Period::parse(f, t, today).is_err(), "{f:?} {t:?}");
        }
        assert!(Period::parse(Some("2024-03-01"), Some("2025-03-01"), today).is_ok(), "366 days");
    }

    #[test]
    fn rates_and_sums() {
        assert_eq!(rate(0, 0), 0.0);
        assert_eq!(rate(1, 4), 0.25);
        let mut v = Vec::new();
        sum_into(&mut v, "USD", 5);
        sum_into(&mut v, "RUB", 7);
        sum_into(&mut v, "USD", -2);
        assert_eq!(
            v,
            vec![Amount { currency: "USD".into(), minor: 3 }, Amount { currency: "RUB".into(), minor: 7 }]
        );
    }
}
