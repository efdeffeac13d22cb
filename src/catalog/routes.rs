//! Catalog endpoints: categories, courses, curriculum, modules, lessons, teachers.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::{RefOr, Schema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::input::{self, CourseChange, CourseDraft, LessonChange, MAX_LESSON_BODY};
use super::quiz::{QuizIn, QuizOut};
use super::repo::{CourseRecord, Curriculum, LessonRecord, ModuleRecord, Unlock};
use super::service::NewLesson;
use super::types::{self, LessonKind, Level, Lock, Slug};
use super::views::{CategoryOut, CourseDetail, CourseSummary};
use crate::app::AppState;
use crate::clock::Rfc3339;
use crate::error::{Error, FieldError, ModuleRef, Result};
use crate::fields::{Fields, text};
use crate::http::extract::Json;
use crate::http::ids::parse;
use crate::http::middleware::no_content;
use crate::http::openapi::inputs;
use crate::identity::{AdminUser, AuthUser, MaybeUser, locale};
use crate::ids::{CourseId, LessonId, ModuleId, UserId};
use crate::media::{AttachmentOut, VideoOut};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(create_course))
        .routes(routes!(get_course))
        .routes(routes!(update_course))
        .routes(routes!(publish_course))
        .routes(routes!(get_curriculum))
        .routes(routes!(add_module))
        .routes(routes!(update_module, delete_module))
        .routes(routes!(order_modules))
        .routes(routes!(order_lessons))
        .routes(routes!(add_lesson))
        .routes(routes!(get_lesson, update_lesson, delete_lesson))
        .routes(routes!(get_teacher))
        .routes(routes!(preview_markdown))
}

/// 201 with a `Location` header.
fn created(location: &str, body: impl IntoResponse) -> Response {
    let mut res = (StatusCode::CREATED, body).into_response();
    res.headers_mut().insert(LOCATION, HeaderValue::from_str(location).expect("locations are ASCII"));
    res
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryList {
    items: Vec<CategoryOut>,
}

async fn detail_of(app: &AppState, c: Arc<CourseRecord>, locale: &str) -> Result<CourseDetail> {
    let names = app.catalog.names(std::slice::from_ref(&c)).await?;
    Ok(names.detail(&c, locale))
}

/// Categories with their numbers of published courses.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog", responses((status = 200, body = CategoryList)),
    security((), ("bearer" = [])))]
async fn list_categories(
    State(app): State<AppState>,
    headers: HeaderMap,
    who: MaybeUser,
) -> Result<Json<CategoryList>> {
    let locale = locale(&headers, who.user());
    let items = app.catalog.categories().await?.iter().map(|c| CategoryOut::from(c, &locale)).collect();
    Ok(Json(CategoryList { items }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewCategoryBody {
    #[schema(schema_with = inputs::slug)]
    slug: String,
    #[schema(schema_with = inputs::text::<1, 80>)]
    name: String,
    #[schema(schema_with = inputs::text_or_null::<1, 80>)]
    name_ru: Option<String>,
}

/// Create a category (admins).
#[utoipa::path(post, path = "/api/v1/categories", tag = "catalog", request_body = NewCategoryBody,
    responses((status = 201, body = CategoryOut), (status = 403, description = "forbidden: admins only."),
        (status = 409, description = "slug_taken")),
    security(("bearer" = [])))]
async fn create_category(
    State(app): State<AppState>,
    _admin: AdminUser,
    Json(b): Json<NewCategoryBody>,
) -> Result<Response> {
    let mut f = Fields::new();
    let slug = f.check(Slug::parse("slug", &b.slug));
    let name = f.check(text("name", &b.name, 1, 80));
    let name_ru = f.optional(b.name_ru.as_deref(), |n| text("name_ru", n, 1, 80));
    f.finish()?;
    let (slug, name) = (slug.expect("checked"), name.expect("checked"));
    let c = app.catalog.create_category(slug, name, name_ru).await?;
    Ok(created(&format!("/api/v1/categories#{}", c.slug), Json(CategoryOut::from(&c, "en"))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewCourseBody {
    #[schema(schema_with = inputs::text::<3, 120>)]
    title: String,
    #[schema(schema_with = inputs::text_or_null::<0, 200>)]
    subtitle: Option<String>,
    /// Markdown; safe HTML allowed.
    #[schema(schema_with = inputs::text::<0, 50_000>)]
    description: String,
    #[schema(value_type = Level)]
    level: String,
    #[schema(schema_with = inputs::language)]
    language: String,
    /// A category slug.
    category: String,
    #[schema(minimum = 0, maximum = 100_000_000)]
    price_minor: i64,
    #[schema(schema_with = currency)]
    currency: String,
    /// Default: made from the title.
    #[schema(schema_with = inputs::slug_or_null)]
    slug: Option<String>,
}

fn currency() -> RefOr<Schema> {
    inputs::one_of(types::CURRENCIES)
}

fn currency_or_null() -> RefOr<Schema> {
    inputs::one_of_or_null(types::CURRENCIES)
}

/// Create a draft course (teachers).
#[utoipa::path(post, path = "/api/v1/courses", tag = "catalog", request_body = NewCourseBody,
    responses((status = 201, body = CourseDetail), (status = 403, description = "teachers_only"),
        (status = 409, description = "slug_taken"), (status = 422, description = "validation_failed: also for a category that does not exist.")),
    security(("bearer" = [])))]
async fn create_course(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    headers: HeaderMap,
    Json(b): Json<NewCourseBody>,
) -> Result<Response> {
    let input = CourseDraft {
        title: b.title,
        subtitle: b.subtitle,
        description: b.description,
        level: b.level,
        language: b.language,
        category: b.category,
        price_minor: b.price_minor,
        currency: b.currency,
        slug: b.slug,
    }
    .check()?;
    let c = Arc::new(app.catalog.create_course(&who.user, input).await?);
    let locale = locale(&headers, Some(&who.user));
    let mut res = (StatusCode::CREATED, Json(detail_of(&app, c.clone(), &locale).await?)).into_response();
    res.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(&format!("/api/v1/courses/{}", c.id)).expect("ids are ASCII"),
    );
    Ok(res)
}

/// A course by id or slug. Drafts are visible to their teacher and admins only.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "catalog",
    params(("id" = String, Path, description = "id or slug")), responses((status = 200, body = CourseDetail),
        (status = 304, description = "Not modified: a visitor's `If-None-Match` names the current `ETag`."), (status = 404)),
    security((), ("bearer" = [])))]
async fn get_course(
    State(app): State<AppState>,
    Path(id): Path<String>,
    who: MaybeUser,
    headers: HeaderMap,
) -> Result<Response> {
    let locale = locale(&headers, who.user());
    // What visitors read most is served from the response cache (see `respcache`): the same
    // JSON for everyone without a session, at most a second behind a commit.
    let anonymous = who.0.is_none();
    crate::respcache::visitor_json(&app, format!("api:course:{id}"), &locale, anonymous, &headers, async {
        let c = app.catalog.course(&id, who.user()).await?;
        let detail = detail_of(&app, c, &locale).await?;
        crate::respcache::to_json(&detail, 1024 + detail.description_html.len())
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema, Default)]
pub struct CoursePatchBody {
    #[schema(schema_with = inputs::text_or_null::<3, 120>)]
    title: Option<String>,
    #[schema(schema_with = inputs::text_or_null::<0, 200>)]
    subtitle: Option<String>,
    #[schema(schema_with = inputs::text_or_null::<0, 50_000>)]
    description: Option<String>,
    #[schema(value_type = Option<Level>)]
    level: Option<String>,
    #[schema(schema_with = inputs::language_or_null)]
    language: Option<String>,
    /// A category slug.
    category: Option<String>,
    #[schema(minimum = 0, maximum = 100_000_000)]
    price_minor: Option<i64>,
    #[schema(schema_with = currency_or_null)]
    currency: Option<String>,
    #[schema(schema_with = inputs::slug_or_null)]
    slug: Option<String>,
    /// `draft` (unpublish) or `archived`.
    #[schema(schema_with = course_status_or_null)]
    status: Option<String>,
    /// The id of one of the caller's `cover` uploads; `null` removes the cover.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = inputs::id_or_null)]
    cover_upload_id: Option<Option<String>>,
}

/// A field that may be sent as `null` to clear it: absent is `None`, `null` is `Some(None)`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn course_status_or_null() -> RefOr<Schema> {
    inputs::one_of_or_null(&["draft", "archived"])
}

/// Change a course (its teacher or an admin).
#[utoipa::path(patch, path = "/api/v1/courses/{id}", tag = "catalog", request_body = CoursePatchBody,
    params(("id" = String, Path)), responses((status = 200, body = CourseDetail),
        (status = 403, description = "forbidden: not its teacher (a draft of someone else's is a 404)."), (status = 404),
        (status = 409, description = "slug_taken"), (status = 422, description = "validation_failed: also for a category that does not exist.")),
    security(("bearer" = [])))]
async fn update_course(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(b): Json<CoursePatchBody>,
) -> Result<Json<CourseDetail>> {
    let id: CourseId = parse(&id)?;
    let patch = CourseChange {
        title: b.title,
        subtitle: b.subtitle,
        description: b.description,
        level: b.level,
        language: b.language,
        category: b.category,
        price_minor: b.price_minor,
        currency: b.currency,
        slug: b.slug,
        status: b.status,
        cover_upload_id: b.cover_upload_id,
    }
    .check()?;
    let c = Arc::new(app.catalog.update_course(&who.user, id, patch).await?);
    Ok(Json(detail_of(&app, c, &locale(&headers, Some(&who.user))).await?))
}

/// Publish a course (its teacher or an admin); 409 with the reasons when it is not ready. The
/// automatic checks run first: the answer's `status` is `published`, or `in_review` when the
/// course waits for an admin (a teacher's first course, few lessons with content, a short
/// description, links or contact details, banned words, a copy of another course's text).
#[utoipa::path(post, path = "/api/v1/courses/{id}/publish", tag = "catalog",
    params(("id" = String, Path)), responses((status = 200, body = CourseDetail, description = "`status`: `published` or `in_review`."), (status = 403, description = "forbidden: not its teacher."),
        (status = 409, description = "not_publishable (with the reasons in `errors`)")),
    security(("bearer" = [])))]
async fn publish_course(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<CourseDetail>> {
    let c = Arc::new(app.catalog.publish(&who.user, parse(&id)?).await?);
    Ok(Json(detail_of(&app, c, &locale(&headers, Some(&who.user))).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LessonBrief {
    id: LessonId,
    title: String,
    position: u32,
    kind: LessonKind,
    duration_s: u32,
    is_preview: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModuleOut {
    id: ModuleId,
    title: String,
    position: u32,
    /// When the module opens to a student (drip and prerequisites); `null`: at once.
    unlock: Option<UnlockOut>,
    /// Whether the module is closed to the caller now (never for its teacher and admins; for
    /// someone not enrolled, as if they enrolled now).
    locked: bool,
    /// When it opens for the caller (RFC 3339), if a date or delay holds it.
    #[schema(value_type = Option<String>)]
    available_at: Option<Rfc3339>,
    /// The module the caller must complete first, if a prerequisite holds it.
    after_module: Option<ModuleRef>,
    lessons: Vec<LessonBrief>,
}

/// A module's opening rule: every condition set must hold.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnlockOut {
    /// Days after the student enrolled.
    after_days: Option<u32>,
    /// A date (`YYYY-MM-DD`, from 00:00 UTC).
    on: Option<String>,
    /// A module of the course to complete first.
    after_module_id: Option<ModuleId>,
}

impl UnlockOut {
    fn of(u: &Option<Unlock>) -> Option<UnlockOut> {
        u.as_ref().map(|u| UnlockOut {
            after_days: u.after_days,
            on: u.on_day.map(crate::clock::day_to_date),
            after_module_id: u.after_module,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CurriculumOut {
    modules: Vec<ModuleOut>,
}

impl CurriculumOut {
    /// The curriculum with each module's lock for the caller (`locks` in the same order).
    fn new(c: &Curriculum, locks: &[Option<Lock>]) -> Self {
        CurriculumOut {
            modules: c
                .modules
                .iter()
                .enumerate()
                .map(|(i, (m, ls))| ModuleOut {
                    id: m.id,
                    title: m.title.clone(),
                    position: m.position,
                    unlock: UnlockOut::of(&m.unlock),
                    locked: locks.get(i).is_some_and(Option::is_some),
                    available_at: locks.get(i).and_then(|l| l.as_ref()?.available_at).map(Rfc3339),
                    after_module: locks.get(i).and_then(|l| {
                        let (id, title) = l.as_ref()?.after_module.clone()?;
                        Some(ModuleRef { id: id.to_string(), title })
                    }),
                    lessons: ls
                        .iter()
                        .map(|l| LessonBrief {
                            id: l.id,
                            title: l.title.clone(),
                            position: l.position,
                            kind: l.kind,
                            duration_s: l.duration_s,
                            is_preview: l.is_preview,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Modules and lessons of a course, in order.
#[utoipa::path(get, path = "/api/v1/courses/{id}/curriculum", tag = "catalog",
    params(("id" = String, Path)), responses((status = 200, body = CurriculumOut), (status = 404)),
    security((), ("bearer" = [])))]
async fn get_curriculum(
    State(app): State<AppState>,
    Path(id): Path<String>,
    who: MaybeUser,
) -> Result<Json<CurriculumOut>> {
    let (course, cur) = app.catalog.curriculum(parse(&id)?, who.user()).await?;
    let locks = app.learning.locks(who.user(), &course).await?;
    Ok(Json(CurriculumOut::new(&cur, &locks)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ModuleBody {
    #[schema(schema_with = inputs::text_or_null::<1, 120>)]
    title: Option<String>,
    /// 1-based; default: last.
    #[schema(schema_with = inputs::u32_or_null)]
    position: Option<u32>,
    /// When the module opens to a student; `null` (or no condition) opens it at once.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<UnlockBody>)]
    unlock: Option<Option<UnlockBody>>,
}

/// Drip and prerequisites: every condition given must hold before a student may open the
/// module's lessons (teachers and admins always may).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct UnlockBody {
    /// Days after the student enrolled (0 to 3650).
    #[schema(minimum = 0, maximum = 3650)]
    after_days: Option<u32>,
    /// A date, `YYYY-MM-DD`: the module opens at 00:00 UTC that day.
    #[schema(schema_with = inputs::date_or_null)]
    on: Option<String>,
    /// Another module of the same course that the student must complete first.
    #[schema(schema_with = inputs::id_or_null)]
    after_module_id: Option<String>,
}

impl UnlockBody {
    fn check(self) -> Result<Unlock> {
        input::unlock(self.after_days, self.on.as_deref(), self.after_module_id.as_deref())
    }
}

/// A [`ModuleBody`] as `add_module` accepts it: with a title.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "documents the body add_module reads as a ModuleBody")]
pub struct NewModuleBody {
    #[schema(schema_with = inputs::text::<1, 120>)]
    title: String,
    /// 1-based; default: last.
    #[schema(schema_with = inputs::u32_or_null)]
    position: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModuleCreated {
    id: ModuleId,
    course_id: CourseId,
    title: String,
    position: u32,
    unlock: Option<UnlockOut>,
}

impl From<ModuleRecord> for ModuleCreated {
    fn from(m: ModuleRecord) -> Self {
        ModuleCreated {
            id: m.id,
            course_id: m.course_id,
            unlock: UnlockOut::of(&m.unlock),
            title: m.title,
            position: m.position,
        }
    }
}

/// Add a module (its teacher).
#[utoipa::path(post, path = "/api/v1/courses/{id}/modules", tag = "catalog", request_body = NewModuleBody,
    params(("id" = String, Path)), responses((status = 201, body = ModuleCreated), (status = 403, description = "forbidden: not its teacher.")),
    security(("bearer" = [])))]
async fn add_module(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<ModuleBody>,
) -> Result<Response> {
    let course: CourseId = parse(&id)?;
    let title =
        text("title", b.title.as_deref().unwrap_or(""), 1, 120).map_err(|e| Error::Validation(vec![e]))?;
    let m = app.catalog.add_module(&who.user, course, title, b.position).await?;
    Ok((StatusCode::CREATED, Json(ModuleCreated::from(m))).into_response())
}

/// Rename or move a module, or set when it opens (its teacher).
#[utoipa::path(patch, path = "/api/v1/modules/{id}", tag = "catalog", request_body = ModuleBody,
    params(("id" = String, Path)), responses((status = 200, body = ModuleCreated), (status = 403, description = "forbidden: not its teacher."),
        (status = 404), (status = 422, description = "validation_failed: also an `unlock.after_module_id` of another course, or one that waits for this module.")),
    security(("bearer" = [])))]
async fn update_module(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<ModuleBody>,
) -> Result<Json<ModuleCreated>> {
    let title = b
        .title
        .as_deref()
        .map(|t| text("title", t, 1, 120))
        .transpose()
        .map_err(|e| Error::Validation(vec![e]))?;
    let unlock = match b.unlock {
        None => None,
        Some(None) => Some(None),
        Some(Some(u)) => Some(Some(u.check()?)),
    };
    let m = app.catalog.update_module(&who.user, parse(&id)?, title, b.position, unlock).await?;
    Ok(Json(m.into()))
}

/// Delete a module and its lessons (its teacher).
#[utoipa::path(delete, path = "/api/v1/modules/{id}", tag = "catalog",
    params(("id" = String, Path)), responses((status = 204), (status = 403, description = "forbidden: not its teacher.")),
    security(("bearer" = [])))]
async fn delete_module(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Response> {
    app.catalog.delete_module(&who.user, parse(&id)?).await?;
    Ok(no_content())
}

/// A new order: every id of the list, each once.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReorderBody {
    #[schema(max_items = 1000)]
    ids: Vec<String>,
}

/// The list in its new order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReorderOut {
    ids: Vec<String>,
}

fn order_ids<T: std::str::FromStr>(b: &ReorderBody) -> Result<Vec<T>> {
    if b.ids.len() > 1000 {
        return Err(Error::validation("ids", "at most 1000"));
    }
    b.ids
        .iter()
        .map(|s| s.parse::<T>().map_err(|_| Error::validation("ids", format!("{s:?} is not an id"))))
        .collect()
}

/// Put a course's modules in a new order (its teacher): `ids` must name each module once.
#[utoipa::path(post, path = "/api/v1/courses/{id}/modules/order", tag = "catalog", request_body = ReorderBody,
    params(("id" = String, Path)), responses((status = 200, body = ReorderOut),
        (status = 403, description = "forbidden: not its teacher."), (status = 404),
        (status = 422, description = "validation_failed: `ids` is not exactly the course's modules.")),
    security(("bearer" = [])))]
async fn order_modules(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<ReorderBody>,
) -> Result<Json<ReorderOut>> {
    let ids = order_ids(&b)?;
    let order = app.catalog.order_modules(&who.user, parse(&id)?, ids).await?;
    Ok(Json(ReorderOut { ids: order.iter().map(ToString::to_string).collect() }))
}

/// Put a module's lessons in a new order (its teacher): `ids` must name each lesson once.
#[utoipa::path(post, path = "/api/v1/modules/{id}/lessons/order", tag = "catalog", request_body = ReorderBody,
    params(("id" = String, Path)), responses((status = 200, body = ReorderOut),
        (status = 403, description = "forbidden: not its teacher."), (status = 404),
        (status = 422, description = "validation_failed: `ids` is not exactly the module's lessons.")),
    security(("bearer" = [])))]
async fn order_lessons(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<ReorderBody>,
) -> Result<Json<ReorderOut>> {
    let ids = order_ids(&b)?;
    let order = app.catalog.order_lessons(&who.user, parse(&id)?, ids).await?;
    Ok(Json(ReorderOut { ids: order.iter().map(ToString::to_string).collect() }))
}

/// What `add_lesson` and `update_lesson` read; each accepts its own shape of it, documented as
/// [`NewLessonBody`] and [`LessonPatchBody`].
#[derive(Deserialize)]
pub struct LessonBody {
    title: Option<String>,
    kind: Option<String>,
    body: Option<String>,
    video_url: Option<String>,
    duration_s: Option<u32>,
    is_preview: Option<bool>,
    position: Option<u32>,
    module_id: Option<String>,
    revision: Option<u32>,
    #[serde(default, deserialize_with = "present")]
    video_upload_id: Option<Option<String>>,
    attachment_upload_ids: Option<Vec<String>>,
    quiz: Option<QuizIn>,
}

// The documented shapes of a `LessonBody`: they only describe it (serde's derive is there for
// `untagged`, which utoipa reads), and schemathesis in CI holds them to what the handlers accept.

/// A new lesson: text (the default kind) or video.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum NewLessonBody {
    Text(NewTextLesson),
    Video(NewVideoLesson),
    Quiz(NewQuizLesson),
}

/// A quiz lesson: its questions, graded when a student submits an attempt.
#[derive(Deserialize, utoipa::ToSchema)]
#[expect(dead_code, reason = "documents the body add_lesson reads as a LessonBody")]
pub struct NewQuizLesson {
    #[schema(schema_with = inputs::text::<1, 160>)]
    title: String,
    #[schema(schema_with = quiz_kind)]
    kind: String,
    /// Markdown shown above the questions; safe HTML allowed.
    #[schema(schema_with = inputs::text_or_null::<0, 200_000>)]
    body: Option<String>,
    quiz: QuizIn,
    /// Seconds (counted up to a day).
    #[schema(schema_with = inputs::u32_or_null)]
    duration_s: Option<u32>,
    is_preview: Option<bool>,
    /// 1-based; default: last.
    #[schema(schema_with = inputs::u32_or_null)]
    position: Option<u32>,
}

fn quiz_kind() -> RefOr<Schema> {
    inputs::one_of(&["quiz"])
}

/// A text lesson: its body must not be empty.
#[derive(Deserialize, utoipa::ToSchema)]
#[expect(dead_code, reason = "documents the body add_lesson reads as a LessonBody")]
pub struct NewTextLesson {
    #[schema(schema_with = inputs::text::<1, 160>)]
    title: String,
    /// `text`, the default.
    #[schema(schema_with = text_kind)]
    kind: Option<String>,
    /// Markdown; safe HTML allowed.
    #[schema(schema_with = inputs::text::<1, 200_000>)]
    body: String,
    #[schema(schema_with = inputs::video_url_or_null)]
    video_url: Option<String>,
    /// Seconds (counted up to a day).
    #[schema(schema_with = inputs::u32_or_null)]
    duration_s: Option<u32>,
    is_preview: Option<bool>,
    /// 1-based; default: last.
    #[schema(schema_with = inputs::u32_or_null)]
    position: Option<u32>,
    /// The id of one of the caller's `lesson_video` uploads (played instead of `video_url`).
    #[schema(schema_with = inputs::id_or_null)]
    video_upload_id: Option<String>,
    /// Ids of the caller's `attachment` uploads, in order (at most 20).
    #[schema(max_items = 20, value_type = Option<Vec<String>>)]
    attachment_upload_ids: Option<Vec<String>>,
}

fn text_kind() -> RefOr<Schema> {
    inputs::one_of_or_null(&["text"])
}

/// A video lesson: it needs the video's URL or an uploaded video (`video_upload_id`).
#[derive(Deserialize, utoipa::ToSchema)]
#[expect(dead_code, reason = "documents the body add_lesson reads as a LessonBody")]
pub struct NewVideoLesson {
    #[schema(schema_with = inputs::text::<1, 160>)]
    title: String,
    #[schema(schema_with = video_kind)]
    kind: String,
    /// Markdown shown under the video; safe HTML allowed.
    #[schema(schema_with = inputs::text_or_null::<0, 200_000>)]
    body: Option<String>,
    #[schema(schema_with = inputs::video_url_or_null)]
    video_url: Option<String>,
    /// Seconds (counted up to a day).
    #[schema(schema_with = inputs::u32_or_null)]
    duration_s: Option<u32>,
    is_preview: Option<bool>,
    /// 1-based; default: last.
    #[schema(schema_with = inputs::u32_or_null)]
    position: Option<u32>,
    /// The id of one of the caller's `lesson_video` uploads (played instead of `video_url`).
    #[schema(schema_with = inputs::id_or_null)]
    video_upload_id: Option<String>,
    /// Ids of the caller's `attachment` uploads, in order (at most 20).
    #[schema(max_items = 20, value_type = Option<Vec<String>>)]
    attachment_upload_ids: Option<Vec<String>>,
}

fn video_kind() -> RefOr<Schema> {
    inputs::one_of(&["video"])
}

/// A change to a lesson; its kind cannot change.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "documents the body update_lesson reads as a LessonBody")]
pub struct LessonPatchBody {
    #[schema(schema_with = inputs::text_or_null::<1, 160>)]
    title: Option<String>,
    /// Markdown; safe HTML allowed.
    #[schema(schema_with = inputs::text_or_null::<0, 200_000>)]
    body: Option<String>,
    /// `""` removes the video of a text lesson (a video lesson keeps one).
    #[schema(schema_with = inputs::video_url_or_null)]
    video_url: Option<String>,
    /// Seconds (counted up to a day).
    #[schema(schema_with = inputs::u32_or_null)]
    duration_s: Option<u32>,
    is_preview: Option<bool>,
    /// 1-based; default: last.
    #[schema(schema_with = inputs::u32_or_null)]
    position: Option<u32>,
    /// Move the lesson to another module of the same course.
    #[schema(schema_with = inputs::id_or_null)]
    module_id: Option<String>,
    /// The `revision` the edit started from: if the lesson was saved since, the answer is 409
    /// `edit_conflict` with the stored version in `current`. Leave it out to save regardless.
    #[schema(schema_with = inputs::u32_or_null)]
    revision: Option<u32>,
    /// The id of one of the caller's `lesson_video` uploads; `null` removes the uploaded video.
    #[schema(schema_with = inputs::id_or_null)]
    video_upload_id: Option<String>,
    /// The whole new list of attachments: ids of the caller's `attachment` uploads (at most 20).
    #[schema(max_items = 20, value_type = Option<Vec<String>>)]
    attachment_upload_ids: Option<Vec<String>>,
    /// A quiz lesson's new questions (they replace the old ones; its per-question counters
    /// start again).
    quiz: Option<QuizIn>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LessonOut {
    id: LessonId,
    course_id: CourseId,
    module_id: ModuleId,
    title: String,
    position: u32,
    kind: LessonKind,
    body_html: String,
    video_url: Option<String>,
    duration_s: u32,
    is_preview: bool,
    /// Goes up with every save; send it back as `revision` when changing the lesson.
    revision: u32,
    /// An uploaded video.
    video: Option<VideoOut>,
    /// Uploaded files to download.
    attachments: Vec<AttachmentOut>,
    /// A quiz lesson's questions. `answers` and `feedback` are only in the view of the
    /// course's teacher and admins: a student never receives them before submitting.
    quiz: Option<QuizOut>,
}

impl LessonOut {
    /// The view of the course's teacher and admins, with the quiz's answers.
    fn for_teacher(l: LessonRecord) -> LessonOut {
        let quiz = l.quiz.as_ref().map(QuizOut::full);
        LessonOut { quiz, ..LessonOut::from(l) }
    }
}

/// Everyone else's view: a quiz without its answers.
impl From<LessonRecord> for LessonOut {
    fn from(l: LessonRecord) -> Self {
        LessonOut {
            quiz: l.quiz.as_ref().map(QuizOut::public),
            id: l.id,
            course_id: l.course_id,
            module_id: l.module_id,
            title: l.title,
            position: l.position,
            kind: l.kind,
            body_html: l.body_html,
            video_url: l.video_url,
            duration_s: l.duration_s,
            is_preview: l.is_preview,
            revision: l.revision,
            video: l
                .video_upload
                .as_ref()
                .map(|v| VideoOut { url: v.url(), content_type: v.content_type.clone() }),
            attachments: l.attachments.iter().map(AttachmentOut::from).collect(),
        }
    }
}

/// Add a lesson (its teacher).
#[utoipa::path(post, path = "/api/v1/modules/{id}/lessons", tag = "catalog", request_body = NewLessonBody,
    params(("id" = String, Path)), responses((status = 201, body = LessonOut), (status = 403, description = "forbidden: not its teacher.")),
    security(("bearer" = [])))]
async fn add_lesson(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<LessonBody>,
) -> Result<Response> {
    let module: ModuleId = parse(&id)?;
    let mut f = Fields::new();
    let title = f.check(text("title", b.title.as_deref().unwrap_or(""), 1, 160));
    let kind = f.check(LessonKind::parse(b.kind.as_deref().unwrap_or("text")));
    let body = f.check(text("body", b.body.as_deref().unwrap_or(""), 0, MAX_LESSON_BODY));
    let video_url = f.optional(b.video_url.as_deref().filter(|v| !v.is_empty()), types::video_url);
    let media = f.check(input::lesson_media(b.video_upload_id.clone(), b.attachment_upload_ids.clone()));
    let media = media.unwrap_or_default();
    match (kind, &video_url, &body) {
        (Some(LessonKind::Video), None, _) if !matches!(media.video_upload, Some(Some(_))) => {
            f.push(FieldError::new("video_url", "a video lesson needs a video URL or an uploaded video"))
        }
        (Some(LessonKind::Text), _, Some(b)) if b.is_empty() => {
            f.push(FieldError::new("body", "a text lesson needs a body"))
        }
        _ => {}
    }
    let quiz = match (kind, b.quiz) {
        (Some(LessonKind::Quiz), Some(q)) => q.check().map_err(|e| f.extend(e)).ok(),
        (Some(LessonKind::Quiz), None) => {
            f.push(FieldError::new("quiz", "a quiz lesson needs its questions"));
            None
        }
        (_, Some(_)) => {
            f.push(FieldError::new("quiz", "only a quiz lesson has questions"));
            None
        }
        (_, None) => None,
    };
    f.finish()?;
    let input = NewLesson {
        title: title.expect("checked"),
        kind: kind.expect("checked"),
        body_md: body.expect("checked"),
        video_url,
        duration_s: b.duration_s.unwrap_or(0).min(86_400),
        is_preview: b.is_preview.unwrap_or(false),
        position: b.position,
        media,
        quiz,
    };
    let l = app.catalog.add_lesson(&who.user, module, input).await?;
    let location = format!("/api/v1/lessons/{}", l.id);
    Ok(created(&location, Json(LessonOut::for_teacher(l))))
}

/// A lesson with its body: for enrolled students, the teacher and admins; anyone for previews.
/// A quiz comes without its answers, except to the course's teacher and admins.
#[utoipa::path(get, path = "/api/v1/lessons/{id}", tag = "catalog",
    params(("id" = String, Path)), responses((status = 200, body = LessonOut),
        (status = 401, description = "unauthenticated: sign in to open a lesson that is not a free preview."),
        (status = 403, description = "not_enrolled; or lesson_locked: its module opens later (`available_at`) or after another (`after_module`)."),
        (status = 404)),
    security((), ("bearer" = [])))]
async fn get_lesson(
    State(app): State<AppState>,
    Path(id): Path<String>,
    who: MaybeUser,
) -> Result<Json<LessonOut>> {
    let (course, l) = app.learning.lesson(parse(&id)?, who.user()).await?;
    if who.user().is_some_and(|u| app.catalog.may_edit(u, &course)) {
        Ok(Json(LessonOut::for_teacher(l)))
    } else {
        Ok(Json(l.into()))
    }
}

/// Change a lesson (its teacher).
#[utoipa::path(patch, path = "/api/v1/lessons/{id}", tag = "catalog", request_body = LessonPatchBody,
    params(("id" = String, Path)), responses((status = 200, body = LessonOut), (status = 403, description = "forbidden: not its teacher."),
        (status = 404, description = "not_found: also for a `module_id` that names no module."),
        (status = 422, description = "validation_failed: also `quiz` on a lesson that is not a quiz."),
        (status = 409, description = "edit_conflict: saved since `revision`; `current` holds the stored version.")),
    security(("bearer" = [])))]
async fn update_lesson(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Json(b): Json<LessonBody>,
) -> Result<Json<LessonOut>> {
    let patch = LessonChange {
        title: b.title,
        kind: b.kind,
        body: b.body,
        video_url: b.video_url,
        duration_s: b.duration_s,
        is_preview: b.is_preview,
        position: b.position,
        module_id: b.module_id,
        revision: b.revision,
        video_upload_id: b.video_upload_id,
        attachment_upload_ids: b.attachment_upload_ids,
        quiz: b.quiz,
    }
    .check()?;
    Ok(Json(LessonOut::for_teacher(app.catalog.update_lesson(&who.user, parse(&id)?, patch).await?)))
}

/// Delete a lesson (its teacher).
#[utoipa::path(delete, path = "/api/v1/lessons/{id}", tag = "catalog",
    params(("id" = String, Path)), responses((status = 204), (status = 403, description = "forbidden: not its teacher.")),
    security(("bearer" = [])))]
async fn delete_lesson(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
) -> Result<Response> {
    app.catalog.delete_lesson(&who.user, parse(&id)?).await?;
    Ok(no_content())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeacherOut {
    id: UserId,
    name: String,
    /// An admin checked this teacher's identity or qualifications.
    verified: bool,
    bio_html: String,
    courses: Vec<CourseSummary>,
}

/// A teacher's public profile and published courses.
#[utoipa::path(get, path = "/api/v1/teachers/{id}", tag = "catalog",
    params(("id" = String, Path)), responses((status = 200, body = TeacherOut), (status = 404)),
    security((), ("bearer" = [])))]
async fn get_teacher(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    who: MaybeUser,
) -> Result<Json<TeacherOut>> {
    let (user, courses) = app.catalog.teacher(parse(&id)?).await?;
    let courses = app.catalog.summaries(&courses, &locale(&headers, who.user())).await?;
    Ok(Json(TeacherOut {
        id: user.id,
        verified: user.verified_at.is_some(),
        name: user.name,
        bio_html: user.bio_html,
        courses,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MarkdownBody {
    #[schema(schema_with = inputs::text::<0, 200_000>)]
    markdown: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MarkdownOut {
    /// Sanitised HTML, exactly as a lesson or description with this Markdown would show it.
    html: String,
}

/// Render Markdown as the pages would (teachers): the editors' live preview.
#[utoipa::path(post, path = "/api/v1/markdown/preview", tag = "catalog", request_body = MarkdownBody,
    responses((status = 200, body = MarkdownOut), (status = 401),
        (status = 403, description = "teachers_only"), (status = 422)),
    security(("bearer" = [])))]
async fn preview_markdown(AuthUser(who): AuthUser, Json(b): Json<MarkdownBody>) -> Result<Json<MarkdownOut>> {
    super::service::teachers_only(&who.user)?;
    let md = text("markdown", &b.markdown, 0, MAX_LESSON_BODY).map_err(|e| Error::Validation(vec![e]))?;
    let html = crate::richtext::render_markdown(&md, crate::richtext::Profile::Document);
    Ok(Json(MarkdownOut { html }))
}
