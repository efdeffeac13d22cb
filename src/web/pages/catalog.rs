//! Public pages: home, catalog (search, filters, sorting, pages), category, course, teacher.
//! They work fully without JavaScript and are cacheable for visitors.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::render;
use crate::app::AppState;
use crate::catalog::repo::CourseRecord;
use crate::error::{Error, Result};
use crate::http::ids::parse;
use crate::learning::repo::EnrollmentStatus;
use crate::search::listing::{CourseList, ListParams, list};
use crate::web::html;
use crate::web::i18n::Tr;
use crate::web::session::PageCtx;
use crate::web::view::{CourseCard, Layout, date, duration, level_name, stars};

pub struct CategoryView {
    pub slug: String,
    pub name: String,
    pub count: u64,
}

fn cards(list: CourseList, tr: Tr) -> Vec<CourseCard> {
    list.items.into_iter().map(|i| CourseCard::new(&i.course, tr, i.snippet_html)).collect()
}

async fn listing(app: &AppState, ctx: &PageCtx, sort: &str, limit: usize) -> Result<Vec<CourseCard>> {
    let p = ListParams { sort: Some(sort.into()), limit: Some(limit), ..Default::default() };
    Ok(cards(list(&app.catalog, &app.search, p, ctx.user(), ctx.lang.code()).await?, ctx.tr()))
}

async fn category_views(app: &AppState, ctx: &PageCtx) -> Result<Vec<CategoryView>> {
    Ok(app
        .catalog
        .categories()
        .await?
        .iter()
        .filter(|c| c.course_count > 0)
        .map(|c| CategoryView {
            slug: c.slug.clone(),
            name: c.name_for(ctx.lang.code()).to_owned(),
            count: c.course_count,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    popular: Vec<CourseCard>,
    newest: Vec<CourseCard>,
    top_rated: Vec<CourseCard>,
    categories: Vec<CategoryView>,
}

pub async fn home(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let tr = ctx.tr();
    let l = Layout::new(&app, &ctx, app.config.school_name.clone())
        .indexed("/", tr.with("home-description", "school", &app.config.school_name))
        .nav("home");
    let (popular, newest, top_rated, categories) = tokio::try_join!(
        listing(&app, &ctx, "popularity", 8),
        listing(&app, &ctx, "created_at", 4),
        listing(&app, &ctx, "avg_rating", 4),
        category_views(&app, &ctx),
    )?;
    let page = HomePage { popular, newest, top_rated, categories, l };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

/// The catalog's query string. Everything is a string so an empty form field means "any".
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CatalogParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub language: String,
    /// "", "free" or "paid".
    #[serde(default)]
    pub price: String,
    /// "", relevance, popularity, avg_rating, created_at, price, price_desc.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub cursor: String,
}

impl CatalogParams {
    fn to_list(&self) -> ListParams {
        let none_if_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let (sort, order) = match self.sort.as_str() {
            "price_desc" => (Some("price".to_owned()), Some("desc".to_owned())),
            s => (none_if_empty(s), None),
        };
        ListParams {
            q: none_if_empty(&self.q),
            category: none_if_empty(&self.category),
            level: none_if_empty(&self.level),
            language: none_if_empty(&self.language),
            is_free: match self.price.as_str() {
                "free" => Some(true),
                "paid" => Some(false),
                _ => None,
            },
            sort,
            order,
            limit: Some(PAGE_SIZE),
            cursor: none_if_empty(&self.cursor),
            facets: Some(true),
            ..Default::default()
        }
    }

    /// This query with another cursor (or none): the pager's links.
    fn with_cursor(&self, base: &str, cursor: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("category", self.category.as_str()),
            ("level", self.level.as_str()),
            ("language", self.language.as_str()),
            ("price", self.price.as_str()),
            ("sort", self.sort.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        if let Some(c) = cursor {
            pairs.push(("cursor", c));
        }
        let query: Vec<String> =
            pairs.iter().map(|(k, v)| format!("{k}={}", crate::web::urlencode(v))).collect();
        if query.is_empty() { base.to_owned() } else { format!("{base}?{}", query.join("&")) }
    }
}

const PAGE_SIZE: usize = 20;

pub struct Facet {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    l: Layout,
    p: CatalogParams,
    heading: String,
    /// Where the filter form submits (the catalog, or this category's page).
    action: String,
    results: Vec<CourseCard>,
    total: usize,
    categories: Vec<Facet>,
    levels: Vec<Facet>,
    free: u64,
    paid: u64,
    next_url: Option<String>,
    first_url: Option<String>,
}

pub async fn catalog(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(p): Query<CatalogParams>,
) -> Result<Response> {
    catalog_page(app, ctx, headers, p, None).await
}

pub async fn category(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(mut p): Query<CatalogParams>,
) -> Result<Response> {
    let cats = app.catalog.categories().await?;
    let cat = cats.iter().find(|c| c.slug == slug).ok_or(Error::NotFound)?;
    p.category = cat.slug.clone();
    let name = cat.name_for(ctx.lang.code()).to_owned();
    catalog_page(app, ctx, headers, p, Some((slug, name))).await
}

async fn catalog_page(
    app: AppState,
    ctx: PageCtx,
    headers: HeaderMap,
    p: CatalogParams,
    category: Option<(String, String)>,
) -> Result<Response> {
    let tr = ctx.tr();
    let result = match list(&app.catalog, &app.search, p.to_list(), ctx.user(), ctx.lang.code()).await {
        // A hand-edited or stale URL (unknown level, sort or cursor): show the catalog without
        // the parts that do not fit rather than an error.
        Err(Error::Validation(_)) | Err(Error::BadRequest { .. }) => {
            let fallback =
                CatalogParams { q: p.q.clone(), category: p.category.clone(), ..Default::default() };
            list(&app.catalog, &app.search, fallback.to_list(), ctx.user(), ctx.lang.code()).await?
        }
        other => other?,
    };
    let base = match &category {
        Some((slug, _)) => format!("/categories/{slug}"),
        None => "/courses".to_owned(),
    };
    let heading = match (&category, p.q.trim()) {
        (Some((_, name)), _) => name.clone(),
        (None, "") => tr.t("catalog-title"),
        (None, q) => tr.with("catalog-results-for", "q", q),
    };
    // Searches and later pages are not indexed; the first page of the catalog and of each
    // category is, under one canonical URL.
    let plain = p.q.trim().is_empty()
        && p.cursor.is_empty()
        && p.level.is_empty()
        && p.language.is_empty()
        && p.price.is_empty()
        && p.sort.is_empty()
        && (category.is_some() || p.category.is_empty());
    let mut l = Layout::new(&app, &ctx, heading.clone()).nav("catalog");
    if plain {
        let description = match &category {
            Some((_, name)) => tr.with("category-description", "category", name),
            None => tr.with("catalog-description", "school", &app.config.school_name),
        };
        l = l.indexed(&base, description);
    } else {
        l.noindex = true;
    }
    let facets = result.facets.as_ref();
    let page = CatalogPage {
        heading,
        action: base.clone(),
        total: result.total,
        categories: facets
            .map(|f| {
                f.categories
                    .iter()
                    .map(|c| Facet { value: c.slug.clone(), label: c.name.clone(), count: c.count })
                    .collect()
            })
            .unwrap_or_default(),
        levels: facets
            .map(|f| {
                f.levels
                    .iter()
                    .map(|c| Facet {
                        value: serde_json::to_value(c.level)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        label: level_name(tr, c.level),
                        count: c.count,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        free: facets.map_or(0, |f| f.free),
        paid: facets.map_or(0, |f| f.paid),
        next_url: result.next_cursor.as_deref().map(|c| p.with_cursor(&base, Some(c))),
        first_url: (!p.cursor.is_empty()).then(|| p.with_cursor(&base, None)),
        results: cards(result, tr),
        p,
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

pub struct LessonLine {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub duration: String,
    pub preview: bool,
    pub done: bool,
}

pub struct ModuleView {
    pub title: String,
    pub lessons: Vec<LessonLine>,
    /// When or why the module opens, if it is closed to the reader now.
    pub lock: String,
}

/// Adds each module's lock for the reader (`locks` in the curriculum's order).
pub fn with_locks(tr: Tr, views: &mut [ModuleView], locks: &[Option<crate::learning::locks::Lock>]) {
    for (v, lock) in views.iter_mut().zip(locks) {
        v.lock = lock.as_ref().map(|l| super::learn::lock_text(tr, l, true)).unwrap_or_default();
    }
}

pub struct ReviewView {
    pub id: String,
    pub author: String,
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    pub stars: String,
    pub rating: u8,
    pub date: String,
    pub text_html: String,
    /// Held for moderation: only its author sees it, with a note saying so.
    pub pending: bool,
    /// The viewer may report it (signed in, not theirs).
    pub reportable: bool,
}

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    l: Layout,
    c: CourseCard,
    id: String,
    description_html: String,
    category_slug: String,
    category_name: String,
    teacher_bio_html: String,
    students: u64,
    duration: String,
    modules: Vec<ModuleView>,
    reviews: Vec<ReviewView>,
    reviews_cursor: Option<String>,
    enrolled: bool,
    completed: bool,
    percent: u32,
    wished: bool,
    can_review: bool,
    /// The signed-in student's certificate for this course: (code, revoked, LinkedIn link).
    certificate: Option<(String, bool, Option<String>)>,
    /// (provider, its name) for the buy button; empty when the school sells nothing yet.
    providers: Vec<(String, String)>,
    /// The viewer may report the course (signed in, not its teacher).
    can_report: bool,
    /// Waiting for an admin (only its teacher and admins reach the page meanwhile).
    in_review: bool,
    /// (value, label) of the report reasons.
    report_reasons: Vec<(&'static str, String)>,
}

pub async fn course(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response> {
    let tr = ctx.tr();
    let record = app.catalog.course(&slug, ctx.user()).await?;
    if record.slug != slug {
        // Reached by id: send the browser to the canonical address.
        return Ok(axum::response::Redirect::permanent(&format!("/courses/{}", record.slug)).into_response());
    }
    let (_, cur) = app.catalog.curriculum(record.id, ctx.user()).await?;
    let summary = app.catalog.summaries(std::slice::from_ref(&record), ctx.lang.code()).await?.remove(0);
    let teacher_bio_html =
        app.catalog.teacher(record.teacher_id).await.map(|(u, _)| u.bio_html).unwrap_or_default();
    let reviews = app.learning.reviews(record.id, ctx.user(), 10, None).await?;
    let standing = match ctx.user() {
        Some(u) => app.learning.standing(u, record.id).await?,
        None => Default::default(),
    };
    let (enrollment, wished) = (standing.enrollment, standing.wished);
    let done: Vec<crate::ids::LessonId> = match (ctx.user(), &enrollment) {
        (Some(u), Some(_)) => app.learning.progress(u, record.id).await?.completed_lesson_ids,
        _ => Vec::new(),
    };
    let certificate = match (ctx.user(), &enrollment) {
        (Some(u), Some(_)) => app.certificates.of_student_in(u.id, record.id).await?.map(|c| {
            let linkedin = c.revoked.is_none().then(|| app.certificates.linkedin_url(&c));
            (c.code, c.revoked.is_some(), linkedin)
        }),
        _ => None,
    };
    let mut modules = modules(tr, &cur, &done);
    let locks = app.learning.locks(ctx.user(), &record).await?;
    with_locks(tr, &mut modules, &locks);
    let card = CourseCard::new(&summary, tr, None);
    let description = if record.subtitle.is_empty() {
        plain_excerpt(&record.description_md)
    } else {
        record.subtitle.clone()
    };
    let mut l = Layout::new(&app, &ctx, record.title.clone()).nav("catalog");
    if record.is_published() {
        l = l.indexed(&format!("/courses/{}", record.slug), description.clone());
        l.json_ld = Some(json_ld(&app, &record, &card, &description));
        l.og_type = "article";
    }
    let page = CoursePage {
        id: record.id.to_string(),
        description_html: record.description_html.clone(),
        category_slug: summary.category.slug.clone(),
        category_name: summary.category.name.clone(),
        teacher_bio_html,
        students: record.student_count,
        duration: duration(tr, record.total_duration_s),
        reviews: reviews
            .items
            .into_iter()
            .map(|(r, name)| {
                let mut v = review_view(tr, &r, name);
                v.reportable = ctx.user().is_some_and(|u| u.id != r.author_id);
                v
            })
            .collect(),
        can_report: ctx.user().is_some_and(|u| u.id != record.teacher_id),
        in_review: record.status == crate::catalog::types::CourseStatus::InReview,
        report_reasons: super::moderation::report_reasons(tr),
        reviews_cursor: reviews.next_cursor,
        enrolled: enrollment.is_some(),
        completed: enrollment.as_ref().is_some_and(|e| e.status == EnrollmentStatus::Completed),
        percent: enrollment
            .as_ref()
            .map_or(0, |e| crate::learning::service::percent(e.completed_lessons, record.total_lessons)),
        wished,
        certificate,
        providers: app
            .commerce
            .providers()
            .into_iter()
            .map(|p| (p.as_str().to_owned(), tr.t(&format!("provider-{}", p.as_str()))))
            .collect(),
        can_review: enrollment.is_some()
            && !standing.reviewed
            && ctx.user().is_some_and(|u| u.id != record.teacher_id),
        modules,
        c: card,
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

pub fn review_view(tr: Tr, r: &crate::learning::repo::ReviewRecord, author: String) -> ReviewView {
    // A deleted account's reviews stay, by nobody in particular (names are never empty otherwise).
    let author = if author.is_empty() { tr.t("former-student") } else { author };
    ReviewView {
        id: r.id.to_string(),
        iso: r.created_at.to_rfc3339(),
        author,
        stars: stars(r.rating),
        rating: r.rating,
        date: date(tr, r.created_at),
        text_html: r.text_html.clone(),
        pending: r.status == crate::learning::repo::ReviewStatus::Pending,
        reportable: false,
    }
}

pub fn modules(
    tr: Tr,
    cur: &crate::catalog::repo::Curriculum,
    done: &[crate::ids::LessonId],
) -> Vec<ModuleView> {
    cur.modules
        .iter()
        .map(|(m, lessons)| ModuleView {
            lock: String::new(),
            title: m.title.clone(),
            lessons: lessons
                .iter()
                .map(|l| LessonLine {
                    id: l.id.to_string(),
                    title: l.title.clone(),
                    kind: match l.kind {
                        crate::catalog::types::LessonKind::Video => "video",
                        crate::catalog::types::LessonKind::Quiz => "quiz",
                        _ => "text",
                    },
                    duration: if l.duration_s > 0 {
                        duration(tr, u64::from(l.duration_s))
                    } else {
                        String::new()
                    },
                    preview: l.is_preview,
                    done: done.contains(&l.id),
                })
                .collect(),
        })
        .collect()
}

/// The first ~160 characters of Markdown as plain text, for descriptions.
pub fn plain_excerpt(md: &str) -> String {
    let text: String = md
        .lines()
        .map(|l| l.trim_start_matches(['#', '>', '-', '*', ' ']))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['*', '_', '`'], "");
    if text.chars().count() <= 160 {
        return text;
    }
    let cut: String = text.chars().take(157).collect();
    format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a))
}

/// schema.org `Course`, safe to embed in a `<script>` element.
fn json_ld(app: &AppState, c: &CourseRecord, card: &CourseCard, description: &str) -> String {
    let public = app.config.public_url.trim_end_matches('/');
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Course",
        "name": c.title,
        "description": description,
        "url": format!("{public}/courses/{}", c.slug),
        "inLanguage": c.language,
        "educationalLevel": serde_json::to_value(c.level).unwrap_or_default(),
        "provider": {
            "@type": "Organization",
            "name": app.config.school_name,
            "sameAs": public,
        },
        "instructor": { "@type": "Person", "name": card.teacher },
        "offers": {
            "@type": "Offer",
            "category": if c.is_free() { "Free" } else { "Paid" },
            "price": format!("{}.{:02}", c.price_minor.max(0) / 100, c.price_minor.max(0) % 100),
            "priceCurrency": c.currency.to_ascii_uppercase(),
            "availability": "https://schema.org/InStock",
            "url": format!("{public}/courses/{}", c.slug),
        },
        "hasCourseInstance": {
            "@type": "CourseInstance",
            "courseMode": "Online",
            "courseWorkload": format!("PT{}M", c.total_duration_s.div_ceil(60)),
        },
    });
    if c.review_count > 0 {
        v["aggregateRating"] = serde_json::json!({
            "@type": "AggregateRating",
            "ratingValue": format!("{:.1}", c.avg_rating()),
            "bestRating": 5,
            "worstRating": 1,
            "reviewCount": c.review_count,
        });
    }
    // Inside `<script>`, `</script>` or `<!--` in a title would end or derail the element: the
    // markup characters are written as JSON escapes, which mean the same to a JSON reader.
    v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[derive(Template)]
#[template(path = "teacher.html")]
struct TeacherPage {
    l: Layout,
    id: String,
    name: String,
    verified: bool,
    /// Signed in and not this teacher: the report form.
    can_report: bool,
    report_reasons: Vec<(&'static str, String)>,
    bio_html: String,
    courses: Vec<CourseCard>,
}

pub async fn teacher(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let (user, courses) = app.catalog.teacher(parse(&id)?).await?;
    let courses: Vec<Arc<CourseRecord>> = courses.into_iter().filter(|c| c.is_published()).collect();
    let tr = ctx.tr();
    let sums = app.catalog.summaries(&courses, ctx.lang.code()).await?;
    let description = tr.with("teacher-description", "name", &user.name);
    let l =
        Layout::new(&app, &ctx, user.name.clone()).indexed(&format!("/teachers/{}", user.id), description);
    let page = TeacherPage {
        id: user.id.to_string(),
        can_report: ctx.user().is_some_and(|u| u.id != user.id),
        report_reasons: super::moderation::report_reasons(tr),
        verified: user.verified_at.is_some(),
        name: user.name,
        bio_html: user.bio_html,
        courses: sums.iter().map(|s| CourseCard::new(s, tr, None)).collect(),
        l,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}
