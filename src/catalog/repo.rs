//! Catalog records and every read and write of the catalog tables.
//!
//! Counters on a course (`total_lessons`, `student_count`, `review_count`, `rating_sum`) are
//! changed only inside the unit of work that changes what they count.

use serde::{Deserialize, Serialize};

use super::types::{CourseStatus, LessonKind, Level};
use crate::cache::Weigh;
use crate::clock::Timestamp;
use crate::error::{Code, Error, Result};
use crate::ids::{CategoryId, CourseId, LessonId, ModuleId, UserId};
use crate::schema::*;
use crate::store::{Readable, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryRecord {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub name_ru: Option<String>,
    #[serde(default)]
    pub position: u32,
    /// Published courses in this category.
    #[serde(default)]
    pub course_count: u64,
}

impl CategoryRecord {
    pub fn name_for(&self, locale: &str) -> &str {
        match (&self.name_ru, locale) {
            (Some(ru), "ru") => ru,
            _ => &self.name,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CourseRecord {
    pub id: CourseId,
    /// Dense creation number: the tie-breaker in every listing order.
    pub seq: u32,
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    pub description_md: String,
    pub description_html: String,
    pub level: Level,
    pub language: String,
    pub category_id: CategoryId,
    pub price_minor: i64,
    pub currency: String,
    pub status: CourseStatus,
    pub teacher_id: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub published_at: Option<Timestamp>,
    #[serde(default)]
    pub student_count: u64,
    #[serde(default)]
    pub review_count: u64,
    #[serde(default)]
    pub rating_sum: u64,
    #[serde(default)]
    pub total_lessons: u32,
    #[serde(default)]
    pub total_duration_s: u64,
    /// The cover (an upload of purpose `cover`), if the teacher set one.
    #[serde(default)]
    pub cover: Option<crate::media::Cover>,
}

impl CourseRecord {
    /// A published free course with this description (unit tests).
    #[cfg(test)]
    pub fn for_tests(id: CourseId, description: &str) -> CourseRecord {
        CourseRecord {
            id,
            seq: 1,
            slug: format!("c-{}", id.key()),
            title: "C".into(),
            subtitle: String::new(),
            description_md: description.into(),
            description_html: format!("<p>{description}</p>"),
            level: Level::Beginner,
            language: "en".into(),
            category_id: CategoryId::from_key(1),
            price_minor: 0,
            currency: "USD".into(),
            status: CourseStatus::Published,
            teacher_id: UserId::from_key(1),
            created_at: Timestamp(1),
            updated_at: Timestamp(1),
            published_at: None,
            student_count: 0,
            review_count: 0,
            rating_sum: 0,
            total_lessons: 0,
            total_duration_s: 0,
            cover: None,
        }
    }

    pub fn is_free(&self) -> bool {
        self.price_minor == 0
    }

    /// The exact mean of the ratings, rounded to two decimals; 0 without reviews.
    pub fn avg_rating(&self) -> f64 {
        if self.review_count == 0 {
            0.0
        } else {
            (self.rating_sum as f64 / self.review_count as f64 * 100.0).round() / 100.0
        }
    }

    pub fn is_published(&self) -> bool {
        self.status == CourseStatus::Published
    }
}

/// Why a course waits for an admin: the automatic checks' reasons (`crate::screen::Reason`
/// codes) and what matched, as the queue shows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CourseReviewRecord {
    pub submitted_at: Timestamp,
    pub reasons: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleRecord {
    pub id: ModuleId,
    pub course_id: CourseId,
    pub title: String,
    pub position: u32,
    /// When the module opens to a student (drip and prerequisites); `None`: at once.
    #[serde(default)]
    pub unlock: Option<Unlock>,
}

/// A module's opening rule. Every condition set must hold; locks are computed when read
/// (`learning::locks`), from the enrollment, the clock and the student's completions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unlock {
    /// Days after the student enrolled.
    #[serde(default)]
    pub after_days: Option<u32>,
    /// A UTC day number (`clock::date_to_day`): opens at its first instant.
    #[serde(default)]
    pub on_day: Option<u32>,
    /// Opens when the student completed every lesson of this module (of the same course).
    #[serde(default)]
    pub after_module: Option<ModuleId>,
}

impl Unlock {
    pub fn is_empty(&self) -> bool {
        self.after_days.is_none() && self.on_day.is_none() && self.after_module.is_none()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LessonRecord {
    pub id: LessonId,
    pub course_id: CourseId,
    pub module_id: ModuleId,
    pub title: String,
    pub position: u32,
    pub kind: LessonKind,
    #[serde(default)]
    pub body_md: String,
    #[serde(default)]
    pub body_html: String,
    #[serde(default)]
    pub video_url: Option<String>,
    #[serde(default)]
    pub duration_s: u32,
    #[serde(default)]
    pub is_preview: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Counts the saves of the lesson's content, so an editor working from an older version is
    /// told instead of overwriting a newer one (`LessonPatch::base_revision`).
    #[serde(default)]
    pub revision: u32,
    /// An uploaded video (purpose `lesson_video`), played instead of `video_url`.
    #[serde(default)]
    pub video_upload: Option<crate::media::FileRef>,
    /// Uploaded files to download (purpose `attachment`), in order.
    #[serde(default)]
    pub attachments: Vec<crate::media::FileRef>,
    /// The questions of a quiz lesson (`LessonKind::Quiz`).
    #[serde(default)]
    pub quiz: Option<super::quiz::Quiz>,
}

impl Weigh for CourseRecord {
    fn weight(&self) -> usize {
        let text = [&self.slug, &self.title, &self.subtitle, &self.description_md, &self.description_html];
        std::mem::size_of::<Self>()
            + text.iter().map(|s| s.len()).sum::<usize>()
            + self.cover.as_ref().map_or(0, |c| c.variants.len() * 64)
    }
}

impl Weigh for LessonRecord {
    fn weight(&self) -> usize {
        // A question with its options is a few hundred bytes.
        std::mem::size_of::<Self>()
            + self.title.len()
            + self.body_md.len()
            + self.body_html.len()
            + self.video_url.as_ref().map_or(0, String::len)
            + (self.attachments.len() + usize::from(self.video_upload.is_some())) * 96
            + self.quiz.as_ref().map_or(0, |q| q.questions.len() * 256)
    }
}

impl Weigh for Curriculum {
    fn weight(&self) -> usize {
        self.modules
            .iter()
            .map(|(m, ls)| {
                std::mem::size_of_val(m) + m.title.len() + ls.iter().map(Weigh::weight).sum::<usize>()
            })
            .sum()
    }
}

/// A course's modules and lessons, in order.
#[derive(Debug, Clone)]
pub struct Curriculum {
    pub modules: Vec<(ModuleRecord, Vec<LessonRecord>)>,
}

impl Curriculum {
    pub fn lessons(&self) -> impl Iterator<Item = &LessonRecord> {
        self.modules.iter().flat_map(|(_, ls)| ls.iter())
    }
}

// ---- categories ----

pub fn categories(r: &impl Readable) -> StoreResult<Vec<CategoryRecord>> {
    let mut all: Vec<CategoryRecord> =
        r.range(CATEGORIES, .., usize::MAX)?.into_iter().map(|(_, c)| c).collect();
    all.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.name.cmp(&b.name)));
    Ok(all)
}

pub fn category_by_slug(r: &impl Readable, slug: &str) -> StoreResult<Option<CategoryRecord>> {
    match r.get(CATEGORIES_BY_SLUG, &slug.to_owned())? {
        Some(id) => r.get(CATEGORIES, &id),
        None => Ok(None),
    }
}

pub fn insert_category(tx: &mut Tx<'_>, c: &CategoryRecord) -> Result<()> {
    if tx.contains(CATEGORIES_BY_SLUG, &c.slug)? {
        return Err(Error::Conflict {
            code: Code::SlugTaken,
            detail: "A category with this slug exists.".into(),
        });
    }
    tx.put(CATEGORIES, &c.id.key(), c)?;
    tx.put(CATEGORIES_BY_SLUG, &c.slug, &c.id.key())?;
    Ok(())
}

fn adjust_category_count(tx: &mut Tx<'_>, id: CategoryId, delta: i64) -> Result<()> {
    if let Some(mut c) = tx.get(CATEGORIES, &id.key())? {
        c.course_count = c.course_count.saturating_add_signed(delta);
        tx.put(CATEGORIES, &id.key(), &c)?;
    }
    Ok(())
}

// ---- courses ----

pub fn course(r: &impl Readable, id: CourseId) -> StoreResult<Option<CourseRecord>> {
    r.get(COURSES, &id.key())
}

pub fn course_by_slug(r: &impl Readable, slug: &str) -> StoreResult<Option<CourseRecord>> {
    match r.get(COURSES_BY_SLUG, &slug.to_owned())? {
        Some(id) => r.get(COURSES, &id),
        None => Ok(None),
    }
}

/// A course that must exist: 404 otherwise.
pub fn get_course(r: &impl Readable, id: CourseId) -> Result<CourseRecord> {
    course(r, id)?.ok_or(Error::NotFound)
}

/// The next free slug starting from `base` (`base`, `base-2`, `base-3`, ...).
pub fn free_slug(tx: &Tx<'_>, base: &super::types::Slug) -> Result<String> {
    if !tx.contains(COURSES_BY_SLUG, &base.as_str().to_owned())? {
        return Ok(base.as_str().to_owned());
    }
    for n in 2..10_000 {
        let s = base.with_suffix(n);
        if !tx.contains(COURSES_BY_SLUG, &s.as_str().to_owned())? {
            return Ok(s.as_str().to_owned());
        }
    }
    Err(Error::Conflict { code: Code::SlugTaken, detail: "Choose another slug.".into() })
}

fn next_seq(tx: &mut Tx<'_>) -> Result<u32> {
    let key = "course_seq".to_owned();
    let n = tx.get(META, &key)?.unwrap_or(0) + 1;
    tx.put(META, &key, &n)?;
    Ok(n as u32)
}

/// Inserts a new course (its `seq` is assigned here).
pub fn insert_course(tx: &mut Tx<'_>, mut c: CourseRecord) -> Result<CourseRecord> {
    if tx.contains(COURSES_BY_SLUG, &c.slug)? {
        return Err(Error::Conflict {
            code: Code::SlugTaken,
            detail: "Another course uses this slug.".into(),
        });
    }
    c.seq = next_seq(tx)?;
    tx.put(COURSES, &c.id.key(), &c)?;
    tx.put(COURSES_BY_SLUG, &c.slug, &c.id.key())?;
    tx.put(COURSES_BY_TEACHER, &(c.teacher_id.key(), c.id.key()), &())?;
    if c.is_published() {
        adjust_category_count(tx, c.category_id, 1)?;
    }
    tx.record_change("course", c.id.key())?;
    Ok(c)
}

/// Saves a changed course, keeping its indexes and category counts in step with `before`.
pub fn update_course(tx: &mut Tx<'_>, before: &CourseRecord, after: &CourseRecord) -> Result<()> {
    if before.slug != after.slug {
        if tx.contains(COURSES_BY_SLUG, &after.slug)? {
            return Err(Error::Conflict {
                code: Code::SlugTaken,
                detail: "Another course uses this slug.".into(),
            });
        }
        tx.remove(COURSES_BY_SLUG, &before.slug)?;
        tx.put(COURSES_BY_SLUG, &after.slug, &after.id.key())?;
    }
    let (was, is) = (before.is_published(), after.is_published());
    if was && (!is || before.category_id != after.category_id) {
        adjust_category_count(tx, before.category_id, -1)?;
    }
    if is && (!was || before.category_id != after.category_id) {
        adjust_category_count(tx, after.category_id, 1)?;
    }
    if before.status == CourseStatus::InReview && after.status != CourseStatus::InReview {
        tx.remove(COURSES_IN_REVIEW, &after.id.key())?;
    }
    tx.put(COURSES, &after.id.key(), after)?;
    tx.record_change("course", after.id.key())?;
    Ok(())
}

/// Why `course` is in review, if it is.
pub fn course_review(r: &impl Readable, course: CourseId) -> StoreResult<Option<CourseReviewRecord>> {
    r.get(COURSES_IN_REVIEW, &course.key())
}

/// Puts a course (saved as `in_review` by the caller) in the admins' queue.
pub fn queue_for_review(tx: &mut Tx<'_>, course: CourseId, rec: &CourseReviewRecord) -> Result<()> {
    Ok(tx.put(COURSES_IN_REVIEW, &course.key(), rec)?)
}

/// Courses waiting for an admin, by id, strictly after `after`.
pub fn courses_in_review(
    r: &impl Readable,
    after: Option<u128>,
    limit: usize,
) -> StoreResult<Vec<(CourseId, CourseReviewRecord)>> {
    let rows = match after {
        None => r.range(COURSES_IN_REVIEW, .., limit)?,
        Some(a) => {
            r.range(COURSES_IN_REVIEW, (std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded), limit)?
        }
    };
    Ok(rows.into_iter().map(|(k, v)| (CourseId::from_key(k), v)).collect())
}

/// Records a course description's fingerprint; true if another course has the same text.
pub fn fingerprint_description(tx: &mut Tx<'_>, course: CourseId, fp: u64) -> Result<bool> {
    let others = tx
        .range(COURSE_FINGERPRINTS, (fp, 0)..=(fp, u128::MAX), 2)?
        .into_iter()
        .any(|((_, c), ())| c != course.key());
    tx.put(COURSE_FINGERPRINTS, &(fp, course.key()), &())?;
    Ok(others)
}

/// Saves counters only (no index or category changes).
pub fn save_counters(tx: &mut Tx<'_>, c: &CourseRecord) -> Result<()> {
    tx.put(COURSES, &c.id.key(), c)?;
    tx.record_change("course", c.id.key())?;
    Ok(())
}

pub fn teacher_course_ids(r: &impl Readable, teacher: UserId) -> StoreResult<Vec<CourseId>> {
    let t = teacher.key();
    Ok(r.range(COURSES_BY_TEACHER, (t, 0)..=(t, u128::MAX), usize::MAX)?
        .into_iter()
        .map(|((_, c), ())| CourseId::from_key(c))
        .collect())
}

// ---- modules and lessons ----

pub fn module(r: &impl Readable, id: ModuleId) -> StoreResult<Option<ModuleRecord>> {
    r.get(MODULES, &id.key())
}

/// A module that must exist: 404 otherwise.
pub fn get_module(r: &impl Readable, id: ModuleId) -> Result<ModuleRecord> {
    r.get(MODULES, &id.key())?.ok_or(Error::NotFound)
}

pub fn lesson(r: &impl Readable, id: LessonId) -> StoreResult<Option<LessonRecord>> {
    r.get(LESSONS, &id.key())
}

/// A lesson that must exist: 404 otherwise.
pub fn get_lesson(r: &impl Readable, id: LessonId) -> Result<LessonRecord> {
    lesson(r, id)?.ok_or(Error::NotFound)
}

/// A course's modules, in order.
pub fn modules_of(r: &impl Readable, course: CourseId) -> StoreResult<Vec<ModuleRecord>> {
    let c = course.key();
    let mut out = Vec::new();
    for ((_, m), ()) in r.range(MODULES_BY_COURSE, (c, 0)..=(c, u128::MAX), usize::MAX)? {
        if let Some(rec) = r.get(MODULES, &m)? {
            out.push(rec);
        }
    }
    out.sort_by_key(|m| (m.position, m.id));
    Ok(out)
}

/// A module's lessons, in order.
pub fn lessons_of(r: &impl Readable, module: ModuleId) -> StoreResult<Vec<LessonRecord>> {
    let m = module.key();
    let mut out = Vec::new();
    for ((_, l), ()) in r.range(LESSONS_BY_MODULE, (m, 0)..=(m, u128::MAX), usize::MAX)? {
        if let Some(rec) = r.get(LESSONS, &l)? {
            out.push(rec);
        }
    }
    out.sort_by_key(|l| (l.position, l.id));
    Ok(out)
}

pub fn curriculum(r: &impl Readable, course: CourseId) -> StoreResult<Curriculum> {
    let mut modules = Vec::new();
    for m in modules_of(r, course)? {
        let lessons = lessons_of(r, m.id)?;
        modules.push((m, lessons));
    }
    Ok(Curriculum { modules })
}

pub fn insert_module(tx: &mut Tx<'_>, m: &ModuleRecord) -> Result<()> {
    tx.put(MODULES, &m.id.key(), m)?;
    tx.put(MODULES_BY_COURSE, &(m.course_id.key(), m.id.key()), &())?;
    Ok(())
}

pub fn save_module(tx: &mut Tx<'_>, m: &ModuleRecord) -> Result<()> {
    Ok(tx.put(MODULES, &m.id.key(), m)?)
}

/// Removes a module's record and index entry (its lessons go first, one by one).
pub fn remove_module(tx: &mut Tx<'_>, m: &ModuleRecord) -> Result<()> {
    tx.remove(MODULES, &m.id.key())?;
    tx.remove(MODULES_BY_COURSE, &(m.course_id.key(), m.id.key()))?;
    Ok(())
}

pub fn insert_lesson(tx: &mut Tx<'_>, l: &LessonRecord) -> Result<()> {
    tx.put(LESSONS, &l.id.key(), l)?;
    tx.put(LESSONS_BY_MODULE, &(l.module_id.key(), l.id.key()), &())?;
    Ok(())
}

pub fn save_lesson(tx: &mut Tx<'_>, l: &LessonRecord) -> Result<()> {
    Ok(tx.put(LESSONS, &l.id.key(), l)?)
}

/// Files a lesson under another module (the caller saves the record with its new module).
pub fn move_lesson(tx: &mut Tx<'_>, l: &LessonRecord, to: ModuleId) -> Result<()> {
    tx.remove(LESSONS_BY_MODULE, &(l.module_id.key(), l.id.key()))?;
    tx.put(LESSONS_BY_MODULE, &(to.key(), l.id.key()), &())?;
    Ok(())
}

pub fn remove_lesson(tx: &mut Tx<'_>, l: &LessonRecord) -> Result<()> {
    tx.remove(LESSONS, &l.id.key())?;
    tx.remove(LESSONS_BY_MODULE, &(l.module_id.key(), l.id.key()))?;
    Ok(())
}

/// Renumbers items 1..=n in the given order and saves those whose position changed.
pub fn renumber_modules(tx: &mut Tx<'_>, mut list: Vec<ModuleRecord>) -> Result<()> {
    for (i, m) in list.iter_mut().enumerate() {
        let pos = i as u32 + 1;
        if m.position != pos {
            m.position = pos;
            tx.put(MODULES, &m.id.key(), m)?;
        }
    }
    Ok(())
}

pub fn renumber_lessons(tx: &mut Tx<'_>, mut list: Vec<LessonRecord>) -> Result<()> {
    for (i, l) in list.iter_mut().enumerate() {
        let pos = i as u32 + 1;
        if l.position != pos {
            l.position = pos;
            tx.put(LESSONS, &l.id.key(), l)?;
        }
    }
    Ok(())
}

/// Where an item asked to go at `position` (1-based) lands in a list of `len` (clamped).
pub fn slot(position: Option<u32>, len: usize) -> usize {
    match position {
        Some(p) if p >= 1 => (p as usize - 1).min(len),
        _ => len,
    }
}
