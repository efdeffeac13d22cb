//! A course's questions and answers in one place (`/learn/{slug}/questions?q=`): every lesson's
//! questions, newest first, searchable, for those who take part in the course (the same rule as
//! the API's `GET /api/v1/courses/{id}/questions`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::render;
use crate::app::AppState;
use crate::error::Result;
use crate::qa::repo::{PostStatus, Scope};
use crate::store::page::decode_cursor;
use crate::web::i18n::Arg;
use crate::web::session::PageCtx;
use crate::web::view::{Layout, date};
use crate::web::{html, urlencode};

const PAGE_SIZE: usize = 20;

struct QuestionLine {
    link: String,
    title: String,
    lesson: String,
    author: String,
    date: String,
    answers: String,
    answered: bool,
    pending: bool,
}

#[derive(Template)]
#[template(path = "course_questions.html")]
struct QuestionsPage {
    l: Layout,
    slug: String,
    course: String,
    q: String,
    items: Vec<QuestionLine>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuestionsQuery {
    q: String,
    cursor: String,
}

/// `GET /learn/{slug}/questions?q=&cursor=`.
pub async fn course_questions(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(query): Query<QuestionsQuery>,
) -> Result<Response> {
    let who = &ctx.require()?.user;
    let tr = ctx.tr();
    let course = app.catalog.course(&slug, Some(who)).await?;
    let cursor = match query.cursor.trim() {
        "" => None,
        c => Some(decode_cursor::<u128>(c)?),
    };
    let search = Some(query.q.clone()).filter(|q| !q.trim().is_empty());
    let page = app.qa.list(who, Scope::Course(course.id), search, PAGE_SIZE, cursor).await?;
    let items = page
        .items
        .into_iter()
        .map(|v| {
            let q = v.question;
            QuestionLine {
                link: format!("/learn/{}/{}#question-{}", course.slug, q.lesson_id, q.id),
                title: q.title,
                lesson: v.lesson_title,
                author: if v.author.is_empty() { tr.t("former-student") } else { v.author },
                date: date(tr, q.created_at),
                answers: tr.args("qa-answers", &[("count", Arg::Num(f64::from(q.answer_count)))]),
                answered: q.accepted_answer.is_some(),
                pending: q.status == PostStatus::Pending,
            }
        })
        .collect();
    let next = page.next_cursor.map(|c| {
        format!("/learn/{}/questions?q={}&cursor={}", course.slug, urlencode(&query.q), urlencode(&c))
    });
    let mut l = Layout::new(&app, &ctx, format!("{} · {}", tr.t("qa-heading"), course.title)).nav("learn");
    l.description = course.subtitle.clone();
    let page =
        QuestionsPage { l, slug: course.slug.clone(), course: course.title.clone(), q: query.q, items, next };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}
