//! Course and lesson input as typed (a JSON body or a studio form), checked into the service's
//! inputs. One place for the rules, so the API and the pages accept exactly the same things.

use super::service::{CoursePatch, LessonMedia, LessonPatch, MAX_ATTACHMENTS, NewCourse};
use super::types::{self, CourseStatus, Level, Money, Slug};
use crate::error::{FieldError, Result};
use crate::fields::{Fields, text};
use crate::ids::{ModuleId, UploadId};

pub const MAX_DESCRIPTION: usize = 50_000;
pub const MAX_LESSON_BODY: usize = 200_000;

fn collect_money(price: Option<i64>, currency: Option<&str>, f: &mut Fields) -> Option<Money> {
    match (price, currency) {
        (None, None) => None,
        (p, c) => Money::parse(p.unwrap_or(0), c.unwrap_or("")).map_err(|e| f.extend(e)).ok(),
    }
}

fn upload_id(field: &'static str, s: &str) -> Result<UploadId, FieldError> {
    s.parse::<UploadId>().map_err(|_| FieldError::new(field, "not an upload id"))
}

/// A set, replaced (`Some(Some(id))`) or removed (`Some(None)`) upload; `None` leaves it.
fn optional_upload(
    field: &'static str,
    raw: Option<Option<String>>,
) -> Result<Option<Option<UploadId>>, FieldError> {
    match raw {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(s)) if s.trim().is_empty() => Ok(Some(None)),
        Some(Some(s)) => upload_id(field, s.trim()).map(|id| Some(Some(id))),
    }
}

/// A lesson's uploaded video and attachments as typed.
pub fn lesson_media(
    video: Option<Option<String>>,
    attachments: Option<Vec<String>>,
) -> Result<LessonMedia, FieldError> {
    let attachments = match attachments {
        Some(ids) if ids.len() > MAX_ATTACHMENTS => {
            return Err(FieldError::new(
                "attachment_upload_ids",
                format!("at most {MAX_ATTACHMENTS} attachments"),
            ));
        }
        Some(ids) => {
            Some(ids.iter().map(|s| upload_id("attachment_upload_ids", s)).collect::<Result<_, _>>()?)
        }
        None => None,
    };
    Ok(LessonMedia { video_upload: optional_upload("video_upload_id", video)?, attachments })
}

/// A module's opening rule as typed (`on`: `YYYY-MM-DD`).
pub fn unlock(
    after_days: Option<u32>,
    on: Option<&str>,
    after_module: Option<&str>,
) -> Result<super::repo::Unlock> {
    let mut f = Fields::new();
    let after_days = after_days.and_then(|d| {
        f.check(if d <= 3650 {
            Ok(d)
        } else {
            Err(FieldError::new("unlock.after_days", "must be 0 to 3650"))
        })
    });
    let on_day = f.optional(on.map(str::trim).filter(|s| !s.is_empty()), |s| {
        crate::clock::date_to_day(s).ok_or_else(|| FieldError::new("unlock.on", "must be a date, YYYY-MM-DD"))
    });
    let after_module = f.optional(after_module.map(str::trim).filter(|s| !s.is_empty()), |s| {
        s.parse::<ModuleId>().map_err(|_| FieldError::new("unlock.after_module_id", "not a module id"))
    });
    f.finish()?;
    Ok(super::repo::Unlock { after_days: after_days.filter(|d| *d > 0), on_day, after_module })
}

/// A new course as typed.
#[derive(Debug, Default)]
pub struct CourseDraft {
    pub title: String,
    pub subtitle: Option<String>,
    pub description: String,
    pub level: String,
    pub language: String,
    pub category: String,
    pub price_minor: i64,
    pub currency: String,
    pub slug: Option<String>,
}

impl CourseDraft {
    pub fn check(self) -> Result<NewCourse> {
        let mut f = Fields::new();
        let title = f.check(text("title", &self.title, 3, 120));
        let subtitle = f.check(text("subtitle", self.subtitle.as_deref().unwrap_or(""), 0, 200));
        let description = f.check(text("description", &self.description, 0, MAX_DESCRIPTION));
        let level = f.check(Level::parse(&self.level));
        let language = f.check(types::language(&self.language));
        let price = collect_money(Some(self.price_minor), Some(&self.currency), &mut f);
        let slug = f.optional(self.slug.as_deref(), |s| Slug::parse("slug", s));
        f.finish()?;
        Ok(NewCourse {
            title: title.expect("checked"),
            subtitle: subtitle.expect("checked"),
            description_md: description.expect("checked"),
            level: level.expect("checked"),
            language: language.expect("checked"),
            category: self.category,
            price: price.expect("checked"),
            slug,
        })
    }
}

/// A change to a course as typed; fields left `None` stay as they are.
#[derive(Debug, Default)]
pub struct CourseChange {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    pub level: Option<String>,
    pub language: Option<String>,
    pub category: Option<String>,
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    pub slug: Option<String>,
    pub status: Option<String>,
    /// `Some(None)` (or an empty id) removes the cover.
    pub cover_upload_id: Option<Option<String>>,
}

impl CourseChange {
    pub fn check(self) -> Result<CoursePatch> {
        let mut f = Fields::new();
        let patch = CoursePatch {
            title: f.optional(self.title.as_deref(), |t| text("title", t, 3, 120)),
            subtitle: f.optional(self.subtitle.as_deref(), |t| text("subtitle", t, 0, 200)),
            description_md: f
                .optional(self.description.as_deref(), |t| text("description", t, 0, MAX_DESCRIPTION)),
            level: f.optional(self.level.as_deref(), Level::parse),
            language: f.optional(self.language.as_deref(), types::language),
            category: self.category,
            price_minor: self.price_minor,
            currency: self.currency,
            slug: f.optional(self.slug.as_deref(), |s| Slug::parse("slug", s)),
            status: f.optional(self.status.as_deref(), |s| match s {
                "draft" => Ok(CourseStatus::Draft),
                "archived" => Ok(CourseStatus::Archived),
                _ => Err(FieldError::new(
                    "status",
                    "must be draft or archived (publish with POST .../publish)",
                )),
            }),
            cover_upload: f.check(optional_upload("cover_upload_id", self.cover_upload_id)).flatten(),
        };
        f.finish()?;
        Ok(patch)
    }
}

/// A change to a lesson as typed; its kind cannot change.
#[derive(Debug, Default)]
pub struct LessonChange {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub body: Option<String>,
    /// `""` removes the video link.
    pub video_url: Option<String>,
    pub duration_s: Option<u32>,
    pub is_preview: Option<bool>,
    pub position: Option<u32>,
    pub module_id: Option<String>,
    pub revision: Option<u32>,
    /// `Some(None)` removes the uploaded video.
    pub video_upload_id: Option<Option<String>>,
    /// The whole new list of attachments.
    pub attachment_upload_ids: Option<Vec<String>>,
    /// A quiz lesson's new questions (replacing the old ones).
    pub quiz: Option<super::quiz::QuizIn>,
}

impl LessonChange {
    pub fn check(self) -> Result<LessonPatch> {
        let mut f = Fields::new();
        if self.kind.is_some() {
            f.push(FieldError::new("kind", "cannot change; create a new lesson instead"));
        }
        let patch = LessonPatch {
            title: f.optional(self.title.as_deref(), |t| text("title", t, 1, 160)),
            body_md: f.optional(self.body.as_deref(), |t| text("body", t, 0, MAX_LESSON_BODY)),
            video_url: f.optional(self.video_url.as_deref(), |v| match v.trim() {
                "" => Ok(None),
                v => types::video_url(v).map(Some),
            }),
            duration_s: self.duration_s.map(|d| d.min(86_400)),
            is_preview: self.is_preview,
            position: self.position,
            module_id: f.optional(self.module_id.as_deref(), |m| {
                m.parse::<ModuleId>().map_err(|_| FieldError::new("module_id", "not a module id"))
            }),
            base_revision: self.revision,
            media: f
                .check(lesson_media(self.video_upload_id, self.attachment_upload_ids))
                .unwrap_or_default(),
            quiz: self.quiz.and_then(|q| q.check().map_err(|e| f.extend(e)).ok()),
        };
        f.finish()?;
        Ok(patch)
    }
}
