//! The teacher's studio pages over `analytics`: the dashboard (`/studio`), a course's analytics
//! (`/studio/courses/{id}/analytics`, its tables as CSV at `.../analytics.csv`) and its students
//! (`/studio/courses/{id}/students`).
//!
//! Who may see what is the analytics service's (the course's teacher or an admin; students
//! have no studio: 403, as `/studio/earnings` answers them). Charts are inline SVG drawn by the
//! templates from `web::charts` geometry, each with a text alternative and its numbers in a
//! table, so nothing here needs JavaScript.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::render;
use crate::analytics::{Analytics, CourseAnalytics, Period, status_name};
use crate::app::AppState;
use crate::clock::day_to_date;
use crate::commerce::views::csv_field;
use crate::error::{Error, Result};
use crate::http::ids::parse;
use crate::ids::CourseId;
use crate::store::page::decode_cursor;
use crate::web::charts::{Chart, columns, rows};
use crate::web::i18n::Tr;
use crate::web::session::PageCtx;
use crate::web::view::{Layout, date, money};
use crate::web::{html, urlencode};

const PAGE_SIZE: usize = 50;

fn analytics(app: &AppState) -> Analytics {
    Analytics::new(app.store.clone(), app.clock.clone())
}

/// A CSV download (the same headers as the API's exports).
fn csv_response(filename: &str, body: String) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}

fn pct(rate: f64) -> String {
    format!("{}%", (rate * 100.0).round() as i64)
}

fn moneys(tr: Tr, list: &[crate::analytics::Amount]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter().map(|a| money(tr, a.minor, &a.currency)).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------------
// The dashboard

pub struct CourseRow {
    pub id: String,
    pub title: String,
    pub students: u64,
    pub active: u64,
    pub completion: String,
    pub revenue: String,
    pub rating: String,
}

pub struct ReviewRow {
    pub course: String,
    pub author: String,
    pub stars: String,
    pub rating: u8,
    pub text: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "studio.html")]
struct Dashboard {
    l: Layout,
    students: u64,
    active: u64,
    completion: String,
    revenue: String,
    rating: String,
    courses: Vec<CourseRow>,
    reviews: Vec<ReviewRow>,
    questions: Vec<QuestionRow>,
}

/// A recent question under one of the teacher's lessons.
struct QuestionRow {
    title: String,
    author: String,
    course: String,
    link: String,
    answers: String,
    date: String,
}

fn rating_text(tr: Tr, sum: u64, count: u64) -> String {
    if count == 0 {
        tr.t("studio-no-rating")
    } else {
        format!("{:.1} ★ ({count})", sum as f64 / count as f64)
    }
}

/// `GET /studio`: the teacher's dashboard.
pub async fn dashboard(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let t = analytics(&app).teaching(&who.user).await?;
    let courses = t
        .courses
        .iter()
        .map(|f| CourseRow {
            id: f.course.id.to_string(),
            title: f.course.title.clone(),
            students: f.students,
            active: f.active_30d,
            completion: pct(f.completion_rate),
            revenue: moneys(tr, &f.revenue),
            rating: rating_text(tr, f.course.rating_sum, f.course.review_count),
        })
        .collect();
    let reviews = t
        .recent_reviews
        .iter()
        .map(|(r, course, author)| ReviewRow {
            course: course.clone(),
            author: if author.is_empty() { tr.t("former-student") } else { author.clone() },
            stars: "★".repeat(usize::from(r.rating)),
            rating: r.rating,
            text: crate::richtext::plain_text(&r.text_html).chars().take(300).collect(),
            date: date(tr, r.created_at),
        })
        .collect();
    let page = Dashboard {
        students: t.students,
        active: t.active_30d,
        completion: pct(t.completion_rate),
        revenue: moneys(tr, &t.revenue),
        rating: rating_text(tr, t.rating_sum, t.review_count),
        courses,
        reviews,
        questions: t
            .recent_questions
            .iter()
            .map(|q| QuestionRow {
                title: q.question.title.clone(),
                author: if q.author.is_empty() { tr.t("former-student") } else { q.author.clone() },
                course: q.course_title.clone(),
                link: q.link.clone(),
                answers: tr.args(
                    "qa-answers",
                    &[("count", crate::web::i18n::Arg::Num(f64::from(q.question.answer_count)))],
                ),
                date: date(tr, q.question.created_at),
            })
            .collect(),
        l: super::studio::studio_layout(&app, &ctx, tr.t("studio-title")),
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

// ---------------------------------------------------------------------------------------------
// A course's analytics

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    table: Option<String>,
}

pub struct FunnelRow {
    pub title: String,
    pub completed: u64,
    pub share: String,
}

pub struct DayRow {
    pub date: String,
    pub enrollments: u64,
    pub completions: u64,
}

pub struct MoneyChart {
    pub currency: String,
    pub total: String,
    pub chart: Chart,
    pub rows: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "studio_analytics.html")]
struct AnalyticsPage {
    l: Layout,
    id: String,
    title: String,
    tab: &'static str,
    from: String,
    to: String,
    quick: Vec<(u32, String, bool)>,
    students: u64,
    completed: u64,
    active: u64,
    completion: String,
    period_enrollments: u64,
    revenue: String,
    refunds: String,
    enrollments: Chart,
    days: Vec<DayRow>,
    money: Vec<MoneyChart>,
    funnel: Chart,
    funnel_rows: Vec<FunnelRow>,
    quizzes: Vec<QuizRow>,
    ratings: Chart,
    rating_rows: Vec<(u8, u64)>,
    csv: String,
}

fn period_of(app: &AppState, q: &PeriodQuery) -> Result<Period> {
    Period::parse(q.from.as_deref(), q.to.as_deref(), analytics(app).today())
}

/// `GET /studio/courses/{id}/analytics?from=&to=`.
pub async fn course_analytics(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let id: CourseId = parse(&id)?;
    let service = analytics(&app);
    let period = period_of(&app, &q)?;
    let a = service.course(&who.user, id, period).await?;
    let today = service.today();
    let (from, to) = (day_to_date(period.from), day_to_date(period.to));
    let quick = [7, 30, 90, 365]
        .into_iter()
        .map(|n| {
            let p = Period::last(n, today);
            (n, format!("?from={}&to={}", day_to_date(p.from), day_to_date(p.to)), p == period)
        })
        .collect();
    let enrollments =
        columns(&a.by_day.iter().map(|(d, n, _)| (day_to_date(*d), *n, n.to_string())).collect::<Vec<_>>());
    let days = a
        .by_day
        .iter()
        .map(|(d, e, c)| DayRow { date: day_to_date(*d), enrollments: *e, completions: *c })
        .collect();
    let mut money_charts: Vec<MoneyChart> = Vec::new();
    for total in &a.revenue {
        let per_day: Vec<(String, u64, String)> = period
            .days()
            .map(|d| {
                let m: i64 = a
                    .revenue_by_day
                    .iter()
                    .filter(|(day, c, _)| *day == d && *c == total.currency)
                    .map(|r| r.2)
                    .sum();
                (day_to_date(d), m.max(0) as u64, money(tr, m, &total.currency))
            })
            .collect();
        money_charts.push(MoneyChart {
            currency: total.currency.clone(),
            total: money(tr, total.minor, &total.currency),
            rows: per_day.iter().filter(|r| r.1 > 0).map(|r| (r.0.clone(), r.2.clone())).collect(),
            chart: columns(&per_day),
        });
    }
    let students = a.students.max(1);
    let funnel_items: Vec<(String, u64, String)> =
        a.funnel.iter().map(|(_, t, n)| (t.clone(), *n, n.to_string())).collect();
    let funnel_rows = a
        .funnel
        .iter()
        .map(|(_, t, n)| FunnelRow {
            title: t.clone(),
            completed: *n,
            share: pct((*n as f64 / students as f64).min(1.0)),
        })
        .collect();
    let rating_items: Vec<(String, u64, String)> =
        (1..=5).rev().map(|r| (format!("{r} ★"), a.ratings[r - 1], a.ratings[r - 1].to_string())).collect();
    let page = AnalyticsPage {
        l: super::studio::studio_layout(&app, &ctx, tr.with("analytics-title", "course", &a.course.title)),
        id: a.course.id.to_string(),
        title: a.course.title.clone(),
        tab: "analytics",
        csv: format!("/studio/courses/{}/analytics.csv?from={from}&to={to}", a.course.id),
        from,
        to,
        quick,
        students: a.students,
        completed: a.completed,
        active: a.active_30d,
        completion: pct(a.completion_rate),
        period_enrollments: a.by_day.iter().map(|d| d.1).sum(),
        revenue: moneys(tr, &a.revenue),
        refunds: moneys(tr, &a.refunds),
        enrollments,
        days,
        money: money_charts,
        funnel: rows(&funnel_items),
        funnel_rows,
        quizzes: a
            .quizzes
            .iter()
            .map(|q| QuizRow {
                title: q.title.clone(),
                attempts: q.attempts,
                passed: q.passed,
                pass_rate: pct(if q.attempts == 0 { 0.0 } else { q.passed as f64 / q.attempts as f64 }),
                questions: q
                    .questions
                    .iter()
                    .map(|(prompt, tried, right)| {
                        let rate = if *tried == 0 { 0.0 } else { *right as f64 / *tried as f64 };
                        (prompt.clone(), *tried, *right, pct(rate))
                    })
                    .collect(),
            })
            .collect(),
        ratings: rows(&rating_items),
        rating_rows: (1..=5u8).rev().map(|r| (r, a.ratings[usize::from(r) - 1])).collect(),
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

/// A quiz on the analytics page: attempts and passes, and each question's success (where the
/// students trip).
struct QuizRow {
    title: String,
    attempts: u64,
    passed: u64,
    pass_rate: String,
    /// (prompt, attempts, correct, success rate)
    questions: Vec<(String, u64, u64, String)>,
}

fn csv_of(header: &str, rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut body = format!("{header}\r\n");
    for row in rows {
        body.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        body.push_str("\r\n");
    }
    body
}

fn analytics_csv_body(a: &CourseAnalytics, table: &str) -> Result<String> {
    Ok(match table {
        "enrollments" => csv_of(
            "date,enrollments,completions",
            a.by_day.iter().map(|(d, e, c)| vec![day_to_date(*d), e.to_string(), c.to_string()]),
        ),
        "revenue" => csv_of(
            "date,currency,amount_minor",
            a.revenue_by_day.iter().map(|(d, c, m)| vec![day_to_date(*d), c.clone(), m.to_string()]),
        ),
        "funnel" => csv_of(
            "lesson_id,title,completed",
            a.funnel.iter().map(|(id, t, n)| vec![id.to_string(), t.clone(), n.to_string()]),
        ),
        "ratings" => {
            csv_of("rating,reviews", (1..=5).map(|r| vec![r.to_string(), a.ratings[r - 1].to_string()]))
        }
        "quizzes" => csv_of(
            "lesson_id,quiz,question,attempts,correct",
            a.quizzes.iter().flat_map(|q| {
                q.questions.iter().map(move |(prompt, tried, right)| {
                    vec![
                        q.lesson_id.to_string(),
                        q.title.clone(),
                        prompt.clone(),
                        tried.to_string(),
                        right.to_string(),
                    ]
                })
            }),
        ),
        _ => return Err(Error::validation("table", "is enrollments, revenue, funnel, ratings or quizzes")),
    })
}

/// `GET /studio/courses/{id}/analytics.csv?table=enrollments|revenue|funnel|ratings&from=&to=`.
pub async fn analytics_csv(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response> {
    let who = ctx.require()?;
    let id: CourseId = parse(&id)?;
    let table = q.table.clone().unwrap_or_default();
    let a = analytics(&app).course(&who.user, id, period_of(&app, &q)?).await?;
    let body = analytics_csv_body(&a, &table)?;
    Ok(csv_response(&format!("{table}.csv"), body))
}

// ---------------------------------------------------------------------------------------------
// A course's students

#[derive(Deserialize, Default)]
pub struct StudentsQuery {
    q: Option<String>,
    cursor: Option<String>,
}

pub struct StudentRow {
    pub name: String,
    pub enrolled: String,
    pub percent: u32,
    pub last_activity: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "studio_students.html")]
struct StudentsPage {
    l: Layout,
    id: String,
    title: String,
    tab: &'static str,
    q: String,
    students: Vec<StudentRow>,
    total: u64,
    next: Option<String>,
    csv: String,
}

/// `GET /studio/courses/{id}/students?q=&cursor=`.
pub async fn course_students(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(p): Query<StudentsQuery>,
) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let id: CourseId = parse(&id)?;
    let after = p.cursor.as_deref().filter(|c| !c.is_empty()).map(decode_cursor::<u128>).transpose()?;
    let q = p.q.clone().unwrap_or_default();
    let service = analytics(&app);
    let page = service.students(&who.user, id, Some(&q), PAGE_SIZE, after).await?;
    let course = {
        let (who, store) = (who.user.clone(), app.store.clone());
        store.read(move |rtx| crate::analytics::course_for(rtx, &who, id)).await?
    };
    let students = page
        .items
        .iter()
        .map(|s| StudentRow {
            name: if s.name.is_empty() { tr.t("former-student") } else { s.name.clone() },
            enrolled: date(tr, s.enrolled_at),
            percent: s.percent,
            last_activity: date(tr, s.last_activity_at),
            status: match status_name(s.status) {
                "completed" => "studio-status-completed",
                _ => "studio-status-active",
            },
        })
        .collect();
    let base = format!("/studio/courses/{id}/students");
    let page = StudentsPage {
        l: super::studio::studio_layout(&app, &ctx, tr.with("students-title", "course", &course.title)),
        id: id.to_string(),
        title: course.title.clone(),
        tab: "students",
        next: page.next_cursor.map(|c| format!("{base}?q={}&cursor={}", urlencode(&q), urlencode(&c))),
        csv: format!("/api/v1/courses/{id}/students?format=csv&q={}", urlencode(&q)),
        q,
        students,
        total: course.student_count,
    };
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}
