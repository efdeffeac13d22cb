//! The catalog rules, free of HTTP: who may see and change what, publishing, ordering, counters.

use std::sync::Arc;
use std::time::Duration;

use super::events::{self, CurriculumEvent, Subscriber};
use super::quiz::Quiz;
use super::repo::{self, CategoryRecord, CourseRecord, Curriculum, LessonRecord, ModuleRecord, Unlock};
use super::types::{CourseStatus, LessonKind, Level, Money, Slug};
use crate::cache::{VersionedCache, Withdrawals};
use crate::clock::Clock;
use crate::error::{Code, Error, FieldError, Result};
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::{CategoryId, CourseId, LessonId, ModuleId, UploadId, UserId};
use crate::media::{self, Cover, FileRef, Purpose, repo::UploadRecord};
use crate::richtext::{Profile, render_markdown};
use crate::schema::COURSES;
use crate::store::{Store, Tx, position_in};

/// Whether a caller may read a lesson's body, as far as the catalog can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    Open,
    IfEnrolled,
}

/// Who is asking (anonymous callers are `None`).
pub type Caller<'a> = Option<&'a UserRecord>;

pub const CACHE_TTL: Duration = Duration::from_secs(300);

/// Courses the result-page memo keeps (a whole catalog for most schools; a `Weak` and a key
/// each, about 50 bytes).
const LISTED_ENTRIES: usize = 16_384;

pub struct NewCourse {
    pub title: String,
    pub subtitle: String,
    pub description_md: String,
    pub level: Level,
    pub language: String,
    pub category: String,
    pub price: Money,
    pub slug: Option<Slug>,
}

#[derive(Default)]
pub struct CoursePatch {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub description_md: Option<String>,
    pub level: Option<Level>,
    pub language: Option<String>,
    pub category: Option<String>,
    /// Either half of the price; the other half is the course's current one.
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    pub slug: Option<Slug>,
    /// Only `draft` (unpublish) or `archived`; publishing has its own checks.
    pub status: Option<CourseStatus>,
    /// `Some(None)` removes the cover; the upload must be the caller's, of purpose `cover`.
    pub cover_upload: Option<Option<UploadId>>,
}

/// A lesson's uploaded files, as a create or a change sets them (`None`: unchanged).
#[derive(Default, Clone)]
pub struct LessonMedia {
    /// `Some(None)` removes the uploaded video.
    pub video_upload: Option<Option<UploadId>>,
    /// The whole new list of attachments, in order.
    pub attachments: Option<Vec<UploadId>>,
}

/// Attachments a lesson may have.
pub const MAX_ATTACHMENTS: usize = 20;

/// An upload `who` may attach here: theirs, of `purpose`, and not in use by another course or
/// lesson (the same bytes uploaded again make a new upload: the file is stored once).
fn usable(
    tx: &Tx<'_>,
    who: &UserRecord,
    id: UploadId,
    purpose: Purpose,
    field: &str,
    lesson: Option<LessonId>,
) -> Result<UploadRecord> {
    let u = media::repo::own_upload(tx, who.id, id, purpose, field)?;
    let elsewhere = match (u.course, u.lesson) {
        (_, Some(other)) if Some(other) != lesson => repo::lesson(tx, other)?.is_some_and(|o| {
            o.video_upload.as_ref().is_some_and(|v| v.id == id) || o.attachments.iter().any(|a| a.id == id)
        }),
        (Some(other), None) if purpose == Purpose::Cover => {
            repo::course(tx, other)?.is_some_and(|o| o.cover.as_ref().is_some_and(|c| c.upload == id))
        }
        _ => false,
    };
    if elsewhere {
        return Err(Error::validation(field, "is used by another course or lesson; upload the file again"));
    }
    Ok(u)
}

/// Sets a lesson's uploaded video and attachments, and records on each upload where it is used
/// (what `learning::media` decides access by), in the caller's unit of work.
fn set_lesson_media(tx: &mut Tx<'_>, who: &UserRecord, l: &mut LessonRecord, m: &LessonMedia) -> Result<()> {
    if let Some(video) = &m.video_upload {
        let new = match video {
            Some(id) if l.video_upload.as_ref().is_some_and(|f| f.id == *id) => l.video_upload.clone(),
            Some(id) => {
                Some(FileRef::of(&usable(tx, who, *id, Purpose::LessonVideo, "video_upload_id", Some(l.id))?))
            }
            None => None,
        };
        if let Some(old) = &l.video_upload
            && new.as_ref().map(|n| n.id) != Some(old.id)
        {
            media::repo::attach(tx, old.id, None, None)?;
        }
        if let Some(n) = &new {
            media::repo::attach(tx, n.id, Some(l.course_id), Some(l.id))?;
        }
        l.video_upload = new;
    }
    if let Some(ids) = &m.attachments {
        if ids.len() > MAX_ATTACHMENTS {
            return Err(Error::validation(
                "attachment_upload_ids",
                format!("at most {MAX_ATTACHMENTS} attachments"),
            ));
        }
        let mut list: Vec<FileRef> = Vec::with_capacity(ids.len());
        for id in ids {
            if list.iter().any(|f| f.id == *id) {
                continue;
            }
            match l.attachments.iter().find(|a| a.id == *id) {
                Some(kept) => list.push(kept.clone()),
                None => list.push(FileRef::of(&usable(
                    tx,
                    who,
                    *id,
                    Purpose::Attachment,
                    "attachment_upload_ids",
                    Some(l.id),
                )?)),
            }
        }
        for old in &l.attachments {
            if !list.iter().any(|n| n.id == old.id) {
                media::repo::attach(tx, old.id, None, None)?;
            }
        }
        for n in &list {
            media::repo::attach(tx, n.id, Some(l.course_id), Some(l.id))?;
        }
        l.attachments = list;
    }
    Ok(())
}

pub struct NewLesson {
    pub title: String,
    pub kind: LessonKind,
    pub body_md: String,
    pub video_url: Option<String>,
    pub duration_s: u32,
    pub is_preview: bool,
    pub position: Option<u32>,
    pub media: LessonMedia,
    /// The questions of a quiz lesson (required for `LessonKind::Quiz`, refused for others).
    pub quiz: Option<Quiz>,
}

#[derive(Default)]
pub struct LessonPatch {
    pub title: Option<String>,
    pub body_md: Option<String>,
    pub video_url: Option<Option<String>>,
    pub duration_s: Option<u32>,
    pub is_preview: Option<bool>,
    pub position: Option<u32>,
    pub module_id: Option<ModuleId>,
    pub media: LessonMedia,
    /// Replaces a quiz lesson's questions.
    pub quiz: Option<Quiz>,
    /// The revision the editor started from: when the lesson was saved since, the change is
    /// refused with the stored version (`Error::EditConflict`). `None` saves regardless.
    pub base_revision: Option<u32>,
}

pub struct Catalog {
    pub(super) store: Store,
    clock: Arc<Clock>,
    courses: VersionedCache<CourseId, CourseRecord>,
    slugs: VersionedCache<String, CourseId>,
    curricula: VersionedCache<CourseId, Curriculum>,
    withdrawals: Withdrawals,
    /// Teachers' names and the categories, while their tables have not changed
    /// (`Store::version_of`).
    pub(super) teacher_names: crate::cache::Memo<UserId, Arc<str>>,
    categories: crate::cache::Memo<(), Arc<[CategoryRecord]>>,
    /// Course records for result pages, while the courses table has not changed (see
    /// [`Catalog::courses_by_ids`]). Held weakly: the record cache decides how long records
    /// live and bounds their memory.
    listed: crate::cache::Memo<CourseId, std::sync::Weak<CourseRecord>>,
    /// Other domains' reactions to curriculum changes (see `events`).
    subscribers: Vec<Subscriber>,
    screen: Arc<crate::screen::Screen>,
}

fn is_admin(who: Caller<'_>) -> bool {
    who.is_some_and(|u| u.role == Role::Admin)
}

fn owns(who: Caller<'_>, c: &CourseRecord) -> bool {
    who.is_some_and(|u| u.id == c.teacher_id || u.role == Role::Admin)
}

/// Drafts and archived courses exist only for their teacher and admins.
pub fn can_view(who: Caller<'_>, c: &CourseRecord) -> bool {
    c.is_published() || owns(who, c)
}

/// Teachers and admins write courses; students are told so.
pub fn teachers_only(who: &UserRecord) -> Result<()> {
    if matches!(who.role, Role::Teacher | Role::Admin) {
        Ok(())
    } else {
        Err(Error::Forbidden { code: Code::TeachersOnly, detail: "Only teachers can do this.".into() })
    }
}

/// The teacher of a course or an admin may change it; others get 403 for a public course and
/// 404 for one they cannot know about.
fn check_edit(who: &UserRecord, c: &CourseRecord) -> Result<()> {
    if owns(Some(who), c) {
        Ok(())
    } else if c.is_published() {
        Err(Error::forbidden())
    } else {
        Err(Error::NotFound)
    }
}

impl Catalog {
    /// `cache_bytes`: about how much memory the record caches may hold, shared between courses,
    /// curricula (lessons with their bodies) and the slug index.
    pub fn new(store: Store, clock: Arc<Clock>, cache_bytes: u64) -> Catalog {
        let share = cache_bytes / 16;
        Catalog {
            store,
            clock,
            courses: VersionedCache::new("course", 7 * share, CACHE_TTL),
            slugs: VersionedCache::new("course_slug", share, CACHE_TTL),
            curricula: VersionedCache::new("curriculum", 8 * share, CACHE_TTL),
            withdrawals: Withdrawals::default(),
            teacher_names: crate::cache::Memo::default(),
            categories: crate::cache::Memo::default(),
            listed: crate::cache::Memo::with_capacity(LISTED_ENTRIES),
            subscribers: Vec::new(),
            screen: Arc::new(crate::screen::Screen::default()),
        }
    }

    /// What each record cache holds, in bytes (about: see [`crate::cache::Weigh`]).
    pub fn cache_bytes(&self) -> [(&'static str, u64); 3] {
        [
            ("course", self.courses.bytes()),
            ("course_slug", self.slugs.bytes()),
            ("curriculum", self.curricula.bytes()),
        ]
    }

    /// The automatic checks publishing runs (the embedded word lists unless set here).
    pub fn set_screen(&mut self, screen: Arc<crate::screen::Screen>) {
        self.screen = screen;
    }

    /// Counts the changes that took something of the catalog out of public view; response
    /// caches must not outlive them (see [`Withdrawals`]).
    /// Adds a reaction to curriculum changes; called while the app is assembled.
    pub fn subscribe(&mut self, subscriber: Subscriber) {
        self.subscribers.push(subscriber);
    }

    /// Runs a change of a course's curriculum as one unit of work. `change` edits the tables
    /// and returns the course with its counters moved; they are saved here, the curriculum is
    /// read back, and after the commit both caches hold the new values.
    async fn change_curriculum<T, F>(&self, mut change: F) -> Result<(T, CourseRecord)>
    where
        T: Send + 'static,
        F: FnMut(&mut Tx<'_>, &[Subscriber]) -> Result<(T, CourseRecord)> + Send + 'static,
    {
        let subscribers = self.subscribers.clone();
        let (pos, out, c, cur) = self
            .store
            .write(move |tx| {
                let (out, c) = change(tx, &subscribers)?;
                repo::save_counters(tx, &c)?;
                Ok((tx.position(), out, c.clone(), repo::curriculum(tx, c.id)?))
            })
            .await?;
        self.cache_course(pos, &c);
        self.cache_curriculum(pos, c.id, cur);
        Ok((out, c))
    }

    pub fn withdrawals(&self) -> &Withdrawals {
        &self.withdrawals
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Publishes a course write to the caches (write-through, see `cache`).
    pub fn cache_course(&self, position: u64, c: &CourseRecord) {
        self.courses.offer(c.id, position, Some(Arc::new(c.clone())));
        self.slugs.offer(c.slug.clone(), position, Some(Arc::new(c.id)));
    }

    fn cache_curriculum(&self, position: u64, id: CourseId, cur: Curriculum) {
        self.curricula.offer(id, position, Some(Arc::new(cur)));
    }

    // ---- categories ----

    pub async fn categories(&self) -> Result<Arc<[CategoryRecord]>> {
        self.categories_now()
    }

    /// Every category, from the memo while the table has not changed.
    pub(super) fn categories_now(&self) -> Result<Arc<[CategoryRecord]>> {
        let version = self.store.version_of(crate::schema::CATEGORIES);
        if let Some(all) = self.categories.get(version, &()) {
            return Ok(all);
        }
        let all: Arc<[CategoryRecord]> = self.store.get(|rtx| Ok(repo::categories(rtx)?))?.into();
        self.categories.put(version, (), all.clone());
        Ok(all)
    }

    pub async fn create_category(
        &self,
        slug: Slug,
        name: String,
        name_ru: Option<String>,
    ) -> Result<CategoryRecord> {
        self.store
            .write(move |tx| {
                let position = repo::categories(tx)?.len() as u32 + 1;
                let c = CategoryRecord {
                    id: CategoryId::generate(),
                    slug: slug.as_str().to_owned(),
                    name: name.clone(),
                    name_ru: name_ru.clone(),
                    position,
                    course_count: 0,
                };
                repo::insert_category(tx, &c)?;
                Ok(c)
            })
            .await
    }

    // ---- courses ----

    /// A course by id or slug, if `who` may see it.
    pub async fn course(&self, id_or_slug: &str, who: Caller<'_>) -> Result<Arc<CourseRecord>> {
        let c = match id_or_slug.parse::<CourseId>() {
            Ok(id) => self.course_by_id(id).await?,
            Err(_) => self.course_by_slug(id_or_slug).await?,
        };
        match c {
            Some(c) if can_view(who, &c) => Ok(c),
            _ => Err(Error::NotFound),
        }
    }

    pub async fn course_by_id(&self, id: CourseId) -> Result<Option<Arc<CourseRecord>>> {
        Ok(self.course_at(id)?.1)
    }

    /// A course record with the store position it is current at.
    fn course_at(&self, id: CourseId) -> Result<(u64, Option<Arc<CourseRecord>>)> {
        if let Some(hit) = self.courses.get_at(&id) {
            return Ok(hit);
        }
        let (pos, c) = self.store.get(|rtx| Ok((position_in(rtx)?, repo::course(rtx, id)?)))?;
        let c = c.map(Arc::new);
        self.courses.offer(id, pos, c.clone());
        Ok((pos, c))
    }

    /// The records of a page of results, in the order of `ids` (`None` for a course that does
    /// not exist).
    ///
    /// A page looks up 20 courses: they come from a memo of the courses table's current
    /// version under one lock, not from 20 reads of the record cache (7 % of a search's CPU).
    /// The memo takes a record only if it is current as of the table's last write
    /// (`Store::written_at`): just after a write commits, the record cache still holds the old
    /// value until the writer puts the new one, and the table's version has already moved.
    pub fn courses_by_ids(&self, ids: &[CourseId]) -> Result<Vec<Option<Arc<CourseRecord>>>> {
        let generation = self.store.version_of(COURSES);
        let since = self.store.written_at(COURSES);
        let memoized = self.listed.get_many(generation, ids);
        let mut out = Vec::with_capacity(ids.len());
        for (&id, weak) in ids.iter().zip(memoized) {
            if let Some(c) = weak.and_then(|w| w.upgrade()) {
                out.push(Some(c));
                continue;
            }
            let (pos, c) = self.course_at(id)?;
            if pos >= since
                && let Some(c) = &c
            {
                self.listed.put(generation, id, Arc::downgrade(c));
            }
            out.push(c);
        }
        Ok(out)
    }

    async fn course_by_slug(&self, slug: &str) -> Result<Option<Arc<CourseRecord>>> {
        if let Some(hit) = self.slugs.get(&slug.to_owned()) {
            return match hit {
                Some(id) => self.course_by_id(*id).await,
                None => Ok(None),
            };
        }
        let key = slug.to_owned();
        let (pos, c) = self.store.get(|rtx| Ok((position_in(rtx)?, repo::course_by_slug(rtx, &key)?)))?;
        self.slugs.offer(slug.to_owned(), pos, c.as_ref().map(|c| Arc::new(c.id)));
        if let Some(c) = &c {
            self.courses.offer(c.id, pos, Some(Arc::new(c.clone())));
        }
        Ok(c.map(Arc::new))
    }

    pub async fn curriculum(
        &self,
        id: CourseId,
        who: Caller<'_>,
    ) -> Result<(Arc<CourseRecord>, Arc<Curriculum>)> {
        let course = self.course(&id.to_string(), who).await?;
        if let Some(Some(hit)) = self.curricula.get(&id) {
            return Ok((course, hit));
        }
        let (pos, cur) = self.store.get(|rtx| Ok((position_in(rtx)?, repo::curriculum(rtx, id)?)))?;
        let cur = Arc::new(cur);
        self.curricula.offer(id, pos, Some(cur.clone()));
        Ok((course, cur))
    }

    pub async fn create_course(&self, who: &UserRecord, input: NewCourse) -> Result<CourseRecord> {
        teachers_only(who)?;
        let now = self.clock.now();
        let description_html = render_markdown(&input.description_md, Profile::Document);
        let teacher = who.id;
        let (pos, c) = self
            .store
            .write(move |tx| {
                let category = repo::category_by_slug(tx, &input.category)?
                    .ok_or_else(|| Error::validation("category", "no such category"))?;
                let slug = match &input.slug {
                    Some(s) => s.as_str().to_owned(),
                    None => repo::free_slug(tx, &Slug::from_title(&input.title))?,
                };
                let c = repo::insert_course(
                    tx,
                    CourseRecord {
                        id: CourseId::generate(),
                        seq: 0,
                        slug,
                        title: input.title.clone(),
                        subtitle: input.subtitle.clone(),
                        description_md: input.description_md.clone(),
                        description_html: description_html.clone(),
                        level: input.level,
                        language: input.language.clone(),
                        category_id: category.id,
                        price_minor: input.price.minor,
                        currency: input.price.currency.clone(),
                        status: CourseStatus::Draft,
                        teacher_id: teacher,
                        created_at: now,
                        updated_at: now,
                        published_at: None,
                        student_count: 0,
                        review_count: 0,
                        rating_sum: 0,
                        total_lessons: 0,
                        total_duration_s: 0,
                        cover: None,
                    },
                )?;
                Ok((tx.position(), c))
            })
            .await?;
        self.cache_course(pos, &c);
        Ok(c)
    }

    pub async fn update_course(
        &self,
        who: &UserRecord,
        id: CourseId,
        patch: CoursePatch,
    ) -> Result<CourseRecord> {
        if let Some(s) = patch.status
            && s == CourseStatus::Published
        {
            return Err(Error::validation("status", "publish with POST /api/v1/courses/{id}/publish"));
        }
        let now = self.clock.now();
        let html = patch.description_md.as_deref().map(|md| render_markdown(md, Profile::Document));
        let who = who.clone();
        let (pos, before, after) = self
            .store
            .write(move |tx| {
                let before = repo::get_course(tx, id)?;
                check_edit(&who, &before)?;
                let mut c = before.clone();
                if let Some(t) = &patch.title {
                    c.title = t.clone();
                }
                if let Some(s) = &patch.subtitle {
                    c.subtitle = s.clone();
                }
                if let (Some(md), Some(html)) = (&patch.description_md, &html) {
                    c.description_md = md.clone();
                    c.description_html = html.clone();
                }
                if let Some(l) = patch.level {
                    c.level = l;
                }
                if let Some(l) = &patch.language {
                    c.language = l.clone();
                }
                if let Some(cat) = &patch.category {
                    c.category_id = repo::category_by_slug(tx, cat)?
                        .ok_or_else(|| Error::validation("category", "no such category"))?
                        .id;
                }
                if patch.price_minor.is_some() || patch.currency.is_some() {
                    // Merged here, with the current price read in this unit, so two concurrent
                    // half-updates cannot undo each other.
                    let m = Money::parse(
                        patch.price_minor.unwrap_or(c.price_minor),
                        patch.currency.as_deref().unwrap_or(&c.currency),
                    )
                    .map_err(Error::Validation)?;
                    c.price_minor = m.minor;
                    c.currency = m.currency;
                }
                if let Some(s) = &patch.slug {
                    c.slug = s.as_str().to_owned();
                }
                if let Some(s) = patch.status {
                    c.status = s;
                }
                if let Some(cover) = patch.cover_upload {
                    let new = match cover {
                        Some(id) if c.cover.as_ref().is_some_and(|old| old.upload == id) => c.cover.clone(),
                        Some(id) => {
                            Some(Cover::of(&usable(tx, &who, id, Purpose::Cover, "cover_upload_id", None)?))
                        }
                        None => None,
                    };
                    if let Some(old) = &c.cover
                        && new.as_ref().map(|n| n.upload) != Some(old.upload)
                    {
                        media::repo::attach(tx, old.upload, None, None)?;
                    }
                    if let Some(n) = &new {
                        media::repo::attach(tx, n.upload, Some(c.id), None)?;
                    }
                    c.cover = new;
                }
                c.updated_at = now;
                repo::update_course(tx, &before, &c)?;
                Ok((tx.position(), before, c))
            })
            .await?;
        if before.slug != after.slug {
            self.slugs.offer(before.slug.clone(), pos, None);
        }
        self.cache_course(pos, &after);
        // Unpublished, archived, or moved to another address: the old page must go at once.
        if before.is_published() && (!after.is_published() || before.slug != after.slug) {
            self.withdrawals.record();
        }
        Ok(after)
    }

    /// Publishes a draft, or explains (409 with `errors`) why it cannot be published yet.
    ///
    /// A course that can be published passes the automatic checks (`crate::screen`) first:
    /// a clean course of a trusted teacher (one the school has published a course of before;
    /// or a verified one) or of an admin is published at once; any other
    /// goes to `in_review`, waiting for an admin, with the checks' reasons. Publishing a course
    /// already in review leaves it there.
    pub async fn publish(&self, who: &UserRecord, id: CourseId) -> Result<CourseRecord> {
        let now = self.clock.now();
        let who = who.clone();
        let screen = self.screen.clone();
        let (pos, c) = self
            .store
            .write(move |tx| {
                let before = repo::get_course(tx, id)?;
                check_edit(&who, &before)?;
                if before.is_published() || before.status == CourseStatus::InReview {
                    return Ok((tx.position(), before));
                }
                let mut reasons = Vec::new();
                if before.total_lessons == 0 {
                    reasons.push(FieldError::new("lessons", "add at least one lesson"));
                }
                let description = crate::richtext::plain_text(&before.description_html);
                if description.is_empty() {
                    reasons.push(FieldError::new("description", "write a description"));
                }
                if !reasons.is_empty() {
                    return Err(Error::NotPublishable(reasons));
                }
                let lessons_with_content = super::checklist::lessons_with_content(&repo::curriculum(tx, id)?);
                let copied = match crate::screen::fingerprint(&description) {
                    Some(fp) => repo::fingerprint_description(tx, id, fp)?,
                    None => false,
                };
                let verified = crate::identity::repo::user(tx, before.teacher_id)?
                    .is_some_and(|t| t.verified_at.is_some());
                let trusted = who.role == Role::Admin
                    || verified
                    || repo::teacher_course_ids(tx, before.teacher_id)?.into_iter().try_fold(
                        false,
                        |found, other| -> Result<bool> {
                            Ok(found
                                || (other != id
                                    && repo::course(tx, other)?.is_some_and(|o| o.is_published())))
                        },
                    )?;
                let verdict = screen.course(&crate::screen::CourseFacts {
                    title: &before.title,
                    subtitle: &before.subtitle,
                    description: &description,
                    lessons_with_content,
                    copied_description: copied,
                    trusted_teacher: trusted,
                });
                let mut c = before.clone();
                c.updated_at = now;
                if verdict.reasons.is_empty() {
                    c.status = CourseStatus::Published;
                    c.published_at.get_or_insert(now);
                } else {
                    c.status = CourseStatus::InReview;
                    let rec = repo::CourseReviewRecord {
                        submitted_at: now,
                        reasons: verdict.codes(),
                        evidence: verdict.evidence.clone(),
                    };
                    repo::queue_for_review(tx, id, &rec)?;
                }
                repo::update_course(tx, &before, &c)?;
                Ok((tx.position(), c))
            })
            .await?;
        self.cache_course(pos, &c);
        Ok(c)
    }

    // ---- modules ----

    pub async fn add_module(
        &self,
        who: &UserRecord,
        course: CourseId,
        title: String,
        position: Option<u32>,
    ) -> Result<ModuleRecord> {
        let who = who.clone();
        let (m, _) = self
            .change_curriculum(move |tx, _| {
                let c = repo::get_course(tx, course)?;
                check_edit(&who, &c)?;
                let mut list = repo::modules_of(tx, course)?;
                let m = ModuleRecord {
                    id: ModuleId::generate(),
                    course_id: course,
                    title: title.clone(),
                    position: 0,
                    unlock: None,
                };
                repo::insert_module(tx, &m)?;
                let at = repo::slot(position, list.len());
                list.insert(at, m.clone());
                repo::renumber_modules(tx, list)?;
                let m = repo::get_module(tx, m.id)?;
                Ok((m, c))
            })
            .await?;
        Ok(m)
    }

    pub async fn update_module(
        &self,
        who: &UserRecord,
        id: ModuleId,
        title: Option<String>,
        position: Option<u32>,
        unlock: Option<Option<Unlock>>,
    ) -> Result<ModuleRecord> {
        let who = who.clone();
        let (m, _) = self
            .change_curriculum(move |tx, _| {
                let mut m = repo::get_module(tx, id)?;
                let c = repo::get_course(tx, m.course_id)?;
                check_edit(&who, &c)?;
                if let Some(t) = &title {
                    m.title = t.clone();
                    repo::save_module(tx, &m)?;
                }
                if let Some(u) = &unlock {
                    let u = u.clone().filter(|u| !u.is_empty());
                    if let Some(after) = u.as_ref().and_then(|u| u.after_module) {
                        check_prerequisite(tx, &m, after)?;
                    }
                    m.unlock = u;
                    repo::save_module(tx, &m)?;
                }
                if position.is_some() {
                    let mut list: Vec<ModuleRecord> =
                        repo::modules_of(tx, c.id)?.into_iter().filter(|x| x.id != id).collect();
                    let at = repo::slot(position, list.len());
                    list.insert(at, m.clone());
                    repo::renumber_modules(tx, list)?;
                }
                Ok((repo::get_module(tx, id)?, c))
            })
            .await?;
        Ok(m)
    }

    /// Puts the course's modules in the order of `ids`, which must name each of them once.
    pub async fn order_modules(
        &self,
        who: &UserRecord,
        course: CourseId,
        ids: Vec<ModuleId>,
    ) -> Result<Vec<ModuleId>> {
        let who = who.clone();
        let (order, _) = self
            .change_curriculum(move |tx, _| {
                let c = repo::get_course(tx, course)?;
                check_edit(&who, &c)?;
                let list = reordered(repo::modules_of(tx, course)?, &ids, |m| m.id)?;
                let order = list.iter().map(|m| m.id).collect();
                repo::renumber_modules(tx, list)?;
                Ok((order, c))
            })
            .await?;
        Ok(order)
    }

    /// Puts the module's lessons in the order of `ids`, which must name each of them once.
    pub async fn order_lessons(
        &self,
        who: &UserRecord,
        module: ModuleId,
        ids: Vec<LessonId>,
    ) -> Result<Vec<LessonId>> {
        let who = who.clone();
        let (order, _) = self
            .change_curriculum(move |tx, _| {
                let m = repo::get_module(tx, module)?;
                let c = repo::get_course(tx, m.course_id)?;
                check_edit(&who, &c)?;
                let list = reordered(repo::lessons_of(tx, module)?, &ids, |l| l.id)?;
                let order = list.iter().map(|l| l.id).collect();
                repo::renumber_lessons(tx, list)?;
                Ok((order, c))
            })
            .await?;
        Ok(order)
    }

    /// Deletes a module with its lessons (and the completions of those lessons).
    pub async fn delete_module(&self, who: &UserRecord, id: ModuleId) -> Result<()> {
        let who = who.clone();
        let now = self.clock.now();
        let ((), c) = self
            .change_curriculum(move |tx, subscribers| {
                let m = repo::get_module(tx, id)?;
                let mut c = repo::get_course(tx, m.course_id)?;
                check_edit(&who, &c)?;
                for l in repo::lessons_of(tx, id)? {
                    remove_lesson(tx, subscribers, &mut c, &l)?;
                }
                repo::remove_module(tx, &m)?;
                let rest = repo::modules_of(tx, c.id)?;
                repo::renumber_modules(tx, rest)?;
                c.updated_at = now;
                events::publish(subscribers, tx, &CurriculumEvent::Shrunk { course: &c, now })?;
                Ok(((), c))
            })
            .await?;
        if c.is_published() {
            self.withdrawals.record();
        }
        Ok(())
    }

    // ---- lessons ----

    pub async fn add_lesson(
        &self,
        who: &UserRecord,
        module: ModuleId,
        input: NewLesson,
    ) -> Result<LessonRecord> {
        let who = who.clone();
        let now = self.clock.now();
        let body_html = render_markdown(&input.body_md, Profile::Document);
        let (l, _) = self
            .change_curriculum(move |tx, _| {
                let m = repo::get_module(tx, module)?;
                let mut c = repo::get_course(tx, m.course_id)?;
                check_edit(&who, &c)?;
                let l = LessonRecord {
                    id: LessonId::generate(),
                    course_id: c.id,
                    module_id: module,
                    title: input.title.clone(),
                    position: 0,
                    kind: input.kind,
                    body_md: input.body_md.clone(),
                    body_html: body_html.clone(),
                    video_url: input.video_url.clone(),
                    duration_s: input.duration_s,
                    is_preview: input.is_preview,
                    created_at: now,
                    updated_at: now,
                    revision: 0,
                    video_upload: None,
                    attachments: Vec::new(),
                    quiz: input.quiz.clone(),
                };
                check_quiz(&l)?;
                repo::insert_lesson(tx, &l)?;
                let mut l = l;
                set_lesson_media(tx, &who, &mut l, &input.media)?;
                repo::save_lesson(tx, &l)?;
                if l.kind == LessonKind::Video && l.video_url.is_none() && l.video_upload.is_none() {
                    return Err(Error::validation(
                        "video_url",
                        "a video lesson needs a video URL or an uploaded video",
                    ));
                }
                let mut list = repo::lessons_of(tx, module)?;
                list.retain(|x| x.id != l.id);
                list.insert(repo::slot(input.position, list.len()), l.clone());
                repo::renumber_lessons(tx, list)?;
                c.total_lessons += 1;
                c.total_duration_s += u64::from(l.duration_s);
                c.updated_at = now;
                Ok((repo::get_lesson(tx, l.id)?, c))
            })
            .await?;
        Ok(l)
    }

    /// A lesson of a course `who` may see, and whether they may read its body: the teacher
    /// and admins may, anyone may read a preview lesson of a published course, everyone else
    /// only if enrolled, which learning decides (`Learning::lesson`): open lessons through it.
    pub async fn lesson(
        &self,
        id: LessonId,
        who: Caller<'_>,
    ) -> Result<(Arc<CourseRecord>, LessonRecord, Opening)> {
        let l = self.store.get(|rtx| Ok(repo::lesson(rtx, id)?))?.ok_or(Error::NotFound)?;
        let course = self.course_by_id(l.course_id).await?.ok_or(Error::NotFound)?;
        if !can_view(who, &course) {
            return Err(Error::NotFound);
        }
        let opening = if owns(who, &course) || (l.is_preview && course.is_published()) {
            Opening::Open
        } else {
            Opening::IfEnrolled
        };
        Ok((course, l, opening))
    }

    pub async fn update_lesson(
        &self,
        who: &UserRecord,
        id: LessonId,
        patch: LessonPatch,
    ) -> Result<LessonRecord> {
        let who = who.clone();
        let now = self.clock.now();
        let html = patch.body_md.as_deref().map(|md| render_markdown(md, Profile::Document));
        let ((l, was_preview), c) = self
            .change_curriculum(move |tx, _| {
                let before = repo::get_lesson(tx, id)?;
                let mut c = repo::get_course(tx, before.course_id)?;
                check_edit(&who, &c)?;
                if patch.base_revision.is_some_and(|r| r != before.revision) {
                    return Err(Error::EditConflict(Box::new(conflict_view(&before))));
                }
                let mut l = before.clone();
                l.revision = before.revision.wrapping_add(1);
                if let Some(t) = &patch.title {
                    l.title = t.clone();
                }
                if let (Some(md), Some(h)) = (&patch.body_md, &html) {
                    l.body_md = md.clone();
                    l.body_html = h.clone();
                }
                if let Some(v) = &patch.video_url {
                    l.video_url = v.clone();
                }
                if let Some(q) = &patch.quiz {
                    if l.kind != LessonKind::Quiz {
                        return Err(Error::validation("quiz", "only a quiz lesson has questions"));
                    }
                    let mut q = q.clone();
                    q.version = l.quiz.as_ref().map_or(0, |old| old.version.wrapping_add(1));
                    l.quiz = Some(q);
                }
                set_lesson_media(tx, &who, &mut l, &patch.media)?;
                if l.kind == LessonKind::Video && l.video_url.is_none() && l.video_upload.is_none() {
                    return Err(Error::validation(
                        "video_url",
                        "a video lesson needs a video URL or an uploaded video",
                    ));
                }
                if let Some(d) = patch.duration_s {
                    c.total_duration_s = c.total_duration_s - u64::from(l.duration_s) + u64::from(d);
                    l.duration_s = d;
                }
                if let Some(p) = patch.is_preview {
                    l.is_preview = p;
                }
                l.updated_at = now;
                let target = patch.module_id.unwrap_or(l.module_id);
                if target != l.module_id {
                    let m = repo::get_module(tx, target)?;
                    if m.course_id != c.id {
                        return Err(Error::validation("module_id", "must be a module of the same course"));
                    }
                    let old = repo::lessons_of(tx, l.module_id)?;
                    repo::renumber_lessons(tx, old.into_iter().filter(|x| x.id != id).collect())?;
                    repo::move_lesson(tx, &l, target)?;
                    l.module_id = target;
                }
                repo::save_lesson(tx, &l)?;
                if patch.position.is_some() || target != before.module_id {
                    let mut list: Vec<LessonRecord> =
                        repo::lessons_of(tx, target)?.into_iter().filter(|x| x.id != id).collect();
                    list.insert(repo::slot(patch.position, list.len()), l.clone());
                    repo::renumber_lessons(tx, list)?;
                }
                c.updated_at = now;
                Ok(((repo::get_lesson(tx, id)?, before.is_preview), c))
            })
            .await?;
        // A free preview that is no longer one must not stay readable from a cached page.
        if was_preview && !l.is_preview && c.is_published() {
            self.withdrawals.record();
        }
        Ok(l)
    }

    pub async fn delete_lesson(&self, who: &UserRecord, id: LessonId) -> Result<()> {
        let who = who.clone();
        let now = self.clock.now();
        let ((), c) = self
            .change_curriculum(move |tx, subscribers| {
                let l = repo::get_lesson(tx, id)?;
                let mut c = repo::get_course(tx, l.course_id)?;
                check_edit(&who, &c)?;
                remove_lesson(tx, subscribers, &mut c, &l)?;
                let rest = repo::lessons_of(tx, l.module_id)?;
                repo::renumber_lessons(tx, rest)?;
                c.updated_at = now;
                events::publish(subscribers, tx, &CurriculumEvent::Shrunk { course: &c, now })?;
                Ok(((), c))
            })
            .await?;
        if c.is_published() {
            self.withdrawals.record();
        }
        Ok(())
    }

    // ---- teachers ----

    pub async fn teacher(&self, id: UserId) -> Result<(UserRecord, Vec<Arc<CourseRecord>>)> {
        let (user, ids) = self.store.get(|rtx| {
            let user = crate::identity::repo::user(rtx, id)?;
            let ids = repo::teacher_course_ids(rtx, id)?;
            Ok((user, ids))
        })?;
        let user = user
            .filter(|u| u.role == Role::Teacher || (u.role == Role::Admin && !ids.is_empty()))
            .ok_or(Error::NotFound)?;
        let mut courses = Vec::new();
        for cid in ids {
            if let Some(c) = self.course_by_id(cid).await?
                && c.is_published()
            {
                courses.push(c);
            }
        }
        Ok((user, courses))
    }

    pub fn is_admin(who: Caller<'_>) -> bool {
        is_admin(who)
    }

    /// Whether `who` may change `c` (its teacher or an admin): who sees a quiz's answers.
    pub fn may_edit(&self, who: &UserRecord, c: &CourseRecord) -> bool {
        owns(Some(who), c)
    }
}

/// `items` in the order `ids` names them; `ids` must be a permutation of the items' ids (an
/// editor working from a stale list is told rather than losing or duplicating an item).
fn reordered<T, I: PartialEq + Copy + std::fmt::Display>(
    mut items: Vec<T>,
    ids: &[I],
    id: impl Fn(&T) -> I,
) -> Result<Vec<T>> {
    let stale =
        || Error::validation("ids", "must name every item of the list exactly once; reload and retry");
    if ids.len() != items.len() {
        return Err(stale());
    }
    let mut out = Vec::with_capacity(items.len());
    for want in ids {
        let at = items.iter().position(|x| id(x) == *want).ok_or_else(stale)?;
        out.push(items.swap_remove(at));
    }
    Ok(out)
}

/// A quiz lesson has valid questions; other kinds have none.
fn check_quiz(l: &LessonRecord) -> Result<()> {
    match (l.kind, &l.quiz) {
        (LessonKind::Quiz, None) => Err(Error::validation("quiz", "a quiz lesson needs its questions")),
        (LessonKind::Text | LessonKind::Video, Some(_)) => {
            Err(Error::validation("quiz", "only a quiz lesson has questions"))
        }
        _ => Ok(()),
    }
}

/// `after` may be `m`'s prerequisite: another module of its course, and not one that (through
/// its own prerequisites) waits for `m`, which would lock both for ever.
fn check_prerequisite(tx: &Tx<'_>, m: &ModuleRecord, after: ModuleId) -> Result<()> {
    let bad = || Error::validation("unlock.after_module_id", "must be another module of the same course");
    let mut at =
        repo::module(tx, after)?.filter(|p| p.course_id == m.course_id && p.id != m.id).ok_or_else(bad)?;
    for _ in 0..1000 {
        match at.unlock.as_ref().and_then(|u| u.after_module) {
            Some(next) if next == m.id => {
                return Err(Error::validation(
                    "unlock.after_module_id",
                    "that module waits for this one: the two would never open",
                ));
            }
            Some(next) => match repo::module(tx, next)? {
                Some(n) => at = n,
                None => return Ok(()),
            },
            None => return Ok(()),
        }
    }
    Ok(())
}

/// What an editor needs to show the stored version of a lesson it conflicted with.
fn conflict_view(l: &LessonRecord) -> serde_json::Value {
    serde_json::json!({
        "id": l.id,
        "title": l.title,
        "body": l.body_md,
        "body_html": l.body_html,
        "video_url": l.video_url,
        "duration_s": l.duration_s,
        "is_preview": l.is_preview,
        "revision": l.revision,
        "updated_at": l.updated_at,
    })
}

/// Removes a lesson's record and index entry, and its share of the counters; subscribers drop
/// what they keep about it (completions).
fn remove_lesson(
    tx: &mut Tx<'_>,
    subscribers: &[Subscriber],
    c: &mut CourseRecord,
    l: &LessonRecord,
) -> Result<()> {
    events::publish(subscribers, tx, &CurriculumEvent::LessonRemoved { course: c, lesson: l.id })?;
    repo::remove_lesson(tx, l)?;
    c.total_lessons = c.total_lessons.saturating_sub(1);
    c.total_duration_s = c.total_duration_s.saturating_sub(u64::from(l.duration_s));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Saves a course straight into the store: a write has committed, and its writer has not
    /// put the new value in the record cache yet. Returns the write's position.
    async fn commit(store: &Store, c: &CourseRecord) -> u64 {
        let c = c.clone();
        store
            .write(move |tx| {
                repo::save_counters(tx, &c)?;
                Ok(tx.position())
            })
            .await
            .unwrap()
    }

    fn title(catalog: &Catalog, id: CourseId) -> String {
        catalog.courses_by_ids(&[id]).unwrap()[0].as_ref().expect("the course exists").title.clone()
    }

    #[tokio::test]
    async fn result_pages_never_keep_a_record_older_than_the_last_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &crate::schema::SCHEMA).unwrap();
        let catalog = Catalog::new(store.clone(), Arc::new(Clock::default()), 1 << 20);
        let id = CourseId::from_key(7);
        let mut c = CourseRecord::for_tests(id, "Learn");
        c.title = "Old".into();
        commit(&store, &c).await;
        assert_eq!(title(&catalog, id), "Old");
        assert_eq!(title(&catalog, id), "Old", "and again from the memo");

        c.title = "New".into();
        let at = commit(&store, &c).await;
        // Until the writer puts its value, the record cache's is shown (as on a course page)...
        assert_eq!(title(&catalog, id), "Old");
        // ...but not kept: once the writer has put it, pages show the new title.
        catalog.courses.offer(id, at, Some(Arc::new(c.clone())));
        assert_eq!(title(&catalog, id), "New");
        assert_eq!(title(&catalog, id), "New");
        assert!(catalog.courses_by_ids(&[CourseId::from_key(8)]).unwrap()[0].is_none());
    }
}
