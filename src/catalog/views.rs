//! What the catalog shows of its courses, shared by the JSON API and the pages: course
//! summaries with their teachers' and categories' names.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use serde::Serialize;

use super::Catalog;
use super::repo::{CategoryRecord, CourseRecord};
use super::types::{CourseStatus, Level};
use crate::clock::Rfc3339;
use crate::error::Result;
use crate::ids::{CategoryId, CourseId, UserId};
use crate::media::CoverOut;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryOut {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    pub course_count: u64,
}

impl CategoryOut {
    pub fn from(c: &CategoryRecord, locale: &str) -> Self {
        CategoryOut {
            id: c.id,
            slug: c.slug.clone(),
            name: c.name_for(locale).to_owned(),
            course_count: c.course_count,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeacherRef {
    pub id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryRef {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
}

/// A course in lists (catalog, search, wishlist, teacher pages).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CourseSummary {
    pub id: CourseId,
    pub slug: String,
    pub title: String,
    pub subtitle: String,
    pub level: Level,
    pub language: String,
    pub category: CategoryRef,
    pub price_minor: i64,
    pub currency: String,
    pub is_free: bool,
    pub status: CourseStatus,
    pub teacher: TeacherRef,
    pub avg_rating: f64,
    pub review_count: u64,
    pub student_count: u64,
    pub total_lessons: u32,
    pub total_duration_s: u64,
    pub created_at: Rfc3339,
    pub updated_at: Rfc3339,
    /// The cover in its two sizes; `null` without one (pages show a letter instead).
    pub cover: Option<CoverOut>,
}

/// A course page's data.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CourseDetail {
    #[serde(flatten)]
    pub summary: CourseSummary,
    pub description_html: String,
    pub published_at: Option<Rfc3339>,
}

/// Names needed to show courses: their teachers and categories.
pub struct Names {
    pub teachers: FxHashMap<UserId, Arc<str>>,
    /// Every category (a school has a few dozen at most).
    pub categories: Arc<[CategoryRecord]>,
}

impl Names {
    pub fn summary(&self, c: &CourseRecord, locale: &str) -> CourseSummary {
        let category = self.categories.iter().find(|cat| cat.id == c.category_id).map_or_else(
            || CategoryRef { id: c.category_id, slug: String::new(), name: String::new() },
            |cat| CategoryRef { id: cat.id, slug: cat.slug.clone(), name: cat.name_for(locale).to_owned() },
        );
        CourseSummary {
            id: c.id,
            slug: c.slug.clone(),
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            level: c.level,
            language: c.language.clone(),
            category,
            price_minor: c.price_minor,
            currency: c.currency.clone(),
            is_free: c.is_free(),
            status: c.status,
            teacher: TeacherRef {
                id: c.teacher_id,
                name: self.teachers.get(&c.teacher_id).map(|n| n.to_string()).unwrap_or_default(),
            },
            avg_rating: c.avg_rating(),
            review_count: c.review_count,
            student_count: c.student_count,
            total_lessons: c.total_lessons,
            total_duration_s: c.total_duration_s,
            created_at: Rfc3339(c.created_at),
            updated_at: Rfc3339(c.updated_at),
            cover: c.cover.as_ref().and_then(CoverOut::from),
        }
    }

    pub fn detail(&self, c: &CourseRecord, locale: &str) -> CourseDetail {
        CourseDetail {
            summary: self.summary(c, locale),
            description_html: c.description_html.clone(),
            published_at: c.published_at.map(Rfc3339),
        }
    }
}

impl Catalog {
    /// The names the given courses are shown with, read in one transaction.
    pub async fn names(&self, courses: &[Arc<CourseRecord>]) -> Result<Names> {
        self.names_in(courses, None)
    }

    /// [`Catalog::names`] with the categories already read (a listing reads them first).
    pub fn names_in(
        &self,
        courses: &[Arc<CourseRecord>],
        categories: Option<Arc<[CategoryRecord]>>,
    ) -> Result<Names> {
        let categories = match categories {
            Some(known) => known,
            None => self.categories_now()?,
        };
        // Teachers' names from the memo while no user record changed (a whole user record, with
        // its password hash and bio, was decoded per name on every results page); the rest in
        // one read, a point read per teacher on the calling thread (see `Store::get`).
        let version = self.store.version_of(crate::schema::USERS);
        let mut ids: Vec<UserId> = Vec::with_capacity(courses.len());
        for c in courses {
            if !ids.contains(&c.teacher_id) {
                ids.push(c.teacher_id);
            }
        }
        let mut teachers = FxHashMap::default();
        let mut missing = Vec::new();
        for (id, name) in ids.iter().zip(self.teacher_names.get_many(version, &ids)) {
            match name {
                Some(name) => {
                    teachers.insert(*id, name);
                }
                None => missing.push(*id),
            }
        }
        if !missing.is_empty() {
            self.store.get(|rtx| {
                for id in missing {
                    if let Some(u) = crate::identity::repo::user(rtx, id)? {
                        let name: Arc<str> = Arc::from(u.name);
                        self.teacher_names.put(version, id, name.clone());
                        teachers.insert(id, name);
                    }
                }
                Ok(())
            })?;
        }
        Ok(Names { teachers, categories })
    }

    pub async fn summaries(&self, courses: &[Arc<CourseRecord>], locale: &str) -> Result<Vec<CourseSummary>> {
        let names = self.names(courses).await?;
        Ok(courses.iter().map(|c| names.summary(c, locale)).collect())
    }
}
