//! The course listing: search, filters, sorting, cursor pages and facets, as the JSON API
//! (`GET /api/v1/courses`) and the catalog pages both show it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::openapi::{RefOr, Schema};

use super::Search;
use super::query::{Filters, ListQuery, Sort};
use super::schema::category_code;
use crate::catalog::Catalog;
use crate::catalog::service::can_view;
use crate::catalog::types::Level;
use crate::catalog::views::CourseSummary;
use crate::error::{Error, FieldError, Result};
use crate::http::openapi::inputs;
use crate::identity::repo::UserRecord;
use crate::store::page::{DEFAULT_LIMIT, MAX_LIMIT};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Words to search for (typos and inflected forms are found too).
    #[param(nullable = false)]
    pub q: Option<String>,
    /// A category slug.
    #[param(nullable = false)]
    pub category: Option<String>,
    /// beginner, intermediate or advanced.
    #[param(schema_with = level_filter)]
    pub level: Option<String>,
    #[param(nullable = false)]
    pub is_free: Option<bool>,
    /// In minor units.
    #[param(schema_with = inputs::u64)]
    pub min_price: Option<u64>,
    #[param(schema_with = inputs::u64)]
    pub max_price: Option<u64>,
    /// A two-letter language code.
    #[param(nullable = false)]
    pub language: Option<String>,
    /// created_at (default), avg_rating, price, popularity, relevance (default with q).
    #[param(schema_with = sort_param)]
    pub sort: Option<String>,
    /// asc or desc (default desc; asc for price).
    #[param(schema_with = order_param)]
    pub order: Option<String>,
    /// 1..=100, default 20.
    #[param(minimum = 1, maximum = 100, nullable = false)]
    pub limit: Option<usize>,
    /// Opaque; from `next_cursor` of the previous page, with the same `sort`.
    #[param(nullable = false)]
    pub cursor: Option<String>,
    /// Include counts per category, level and free/paid.
    #[param(nullable = false)]
    pub facets: Option<bool>,
}

// Filters sent empty (as the catalog page's form does) are the same as left out.

fn level_filter() -> RefOr<Schema> {
    inputs::one_of(&["", "beginner", "intermediate", "advanced"])
}

fn sort_param() -> RefOr<Schema> {
    inputs::one_of(&["", "created_at", "newest", "avg_rating", "rating", "price", "popularity", "relevance"])
}

fn order_param() -> RefOr<Schema> {
    inputs::one_of(&["", "asc", "desc"])
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListedCourse {
    #[serde(flatten)]
    pub course: CourseSummary,
    /// The description around the matched words (HTML with `<b>`), when searching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet_html: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryCount {
    pub slug: String,
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelCount {
    pub level: Level,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FacetsOut {
    pub categories: Vec<CategoryCount>,
    pub levels: Vec<LevelCount>,
    pub free: u64,
    pub paid: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CourseList {
    pub items: Vec<ListedCourse>,
    pub next_cursor: Option<String>,
    /// Published courses matching the query and filters.
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<FacetsOut>,
}

/// What the listing endpoint and the catalog page both run.
pub async fn list(
    catalog: &Catalog,
    search: &Arc<Search>,
    p: ListParams,
    who: Option<&UserRecord>,
    locale: &str,
) -> Result<CourseList> {
    let mut errors = Vec::new();
    let limit = match p.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            errors.push(FieldError::new("limit", "must be between 1 and 100"));
            DEFAULT_LIMIT
        }
    };
    let has_q = p.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let sort = match p.sort.as_deref() {
        None | Some("") => {
            if has_q {
                Sort::Relevance
            } else {
                Sort::Created
            }
        }
        Some(s) => Sort::parse(s).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "sort",
                "must be created_at, avg_rating, price, popularity or relevance",
            ));
            Sort::Created
        }),
    };
    let descending = match p.order.as_deref() {
        None | Some("") => sort != Sort::Price,
        Some("desc") => true,
        Some("asc") => false,
        Some(_) => {
            errors.push(FieldError::new("order", "must be asc or desc"));
            true
        }
    };
    let level = p
        .level
        .as_deref()
        .filter(|l| !l.is_empty())
        .map(Level::parse)
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if let (Some(lo), Some(hi)) = (p.min_price, p.max_price)
        && lo > hi
    {
        errors.push(FieldError::new("min_price", "must not be above max_price"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let categories = catalog.categories().await?;
    // An unknown category matches nothing rather than everything.
    let category = p
        .category
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|slug| categories.iter().find(|c| c.slug == slug).map_or(0, |c| category_code(c.id)));
    let q = ListQuery {
        q: p.q.clone(),
        filters: Filters {
            category,
            level,
            is_free: p.is_free,
            min_price: p.min_price,
            max_price: p.max_price,
            language: p.language.as_deref().filter(|l| !l.is_empty()).map(|l| l.trim().to_ascii_lowercase()),
        },
        sort,
        descending,
        limit,
        cursor: p.cursor.clone().filter(|c| !c.is_empty()),
        facets: p.facets.unwrap_or(false),
        snippets: has_q,
    };
    // A search is a fraction of a millisecond of CPU (benches/search.rs): it runs on the async
    // thread, as handing it to the blocking pool and back costs about as much again.
    let mut result = search.list(&q)?;

    let mut courses = Vec::with_capacity(result.hits.len());
    let mut snippets = Vec::with_capacity(result.hits.len());
    for c in catalog.courses_by_ids(&result.hits)? {
        // The index may lag the store by a moment: show only what is visible now.
        if let Some(c) = c
            && c.is_published()
            && can_view(who, &c)
        {
            let snippet = result.highlight.as_mut().and_then(|h| h.snippet(&search.snippet_sources.get(&c)));
            courses.push(c);
            snippets.push(snippet);
        }
    }
    let names = catalog.names_in(&courses, Some(categories.clone()))?;
    let items = courses
        .iter()
        .zip(snippets)
        .map(|(c, snippet_html)| ListedCourse { course: names.summary(c, locale), snippet_html })
        .collect();
    let facets = result.facets.map(|f| FacetsOut {
        categories: categories
            .iter()
            .filter_map(|c| {
                f.categories.get(&category_code(c.id)).map(|n| CategoryCount {
                    slug: c.slug.clone(),
                    name: c.name_for(locale).to_owned(),
                    count: *n,
                })
            })
            .collect(),
        levels: [Level::Beginner, Level::Intermediate, Level::Advanced]
            .into_iter()
            .filter_map(|l| {
                let n = f.levels[super::schema::level_code(l) as usize];
                (n > 0).then_some(LevelCount { level: l, count: n })
            })
            .collect(),
        free: f.free,
        paid: f.paid,
    });
    Ok(CourseList { items, next_cursor: result.next_cursor, total: result.total, facets })
}
