//! `/api/v1/courses/{id}/analytics`, `/api/v1/courses/{id}/students`, `/api/v1/me/teaching`:
//! thin handlers over [`Analytics`].

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Amount, Analytics, CourseAnalytics, Period, StudentLine, Teaching};
use crate::app::AppState;
use crate::clock::{Rfc3339, day_to_date};
use crate::error::{Error, Result};
use crate::http::extract::{Json, Query};
use crate::http::ids::parse;
use crate::identity::AuthUser;
use crate::ids::{CourseId, LessonId, ReviewId, UserId};
use crate::learning::repo::EnrollmentStatus;
use crate::store::page::{PageParams, decode_cursor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(course_analytics))
        .routes(routes!(course_students))
        .routes(routes!(teaching))
}

/// The service over the app's store and clock.
pub fn analytics(app: &AppState) -> Analytics {
    Analytics::new(app.store.clone(), app.clock.clone())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC).
    date: String,
    count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FunnelStep {
    lesson_id: LessonId,
    title: String,
    /// Students who completed this lesson.
    completed: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayMoney {
    date: String,
    currency: String,
    amount_minor: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AmountOut {
    currency: String,
    amount_minor: i64,
}

impl From<&Amount> for AmountOut {
    fn from(a: &Amount) -> Self {
        AmountOut { currency: a.currency.clone(), amount_minor: a.minor }
    }
}

/// One course's figures. Per-day series are for the period; the other figures are for now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalyticsOut {
    course_id: CourseId,
    from: String,
    to: String,
    /// Every day of the period: enrollments made that day (and still held).
    enrollments_by_day: Vec<DayCount>,
    /// Every day of the period: students who completed the course that day.
    completions_by_day: Vec<DayCount>,
    /// Students enrolled now.
    students: u64,
    /// Students who completed the course.
    completed: u64,
    /// Students who enrolled or marked a lesson in the last 30 days.
    active_students_30d: u64,
    /// `completed / students` (0..=1).
    completion_rate: f64,
    /// The lessons in course order with how many students completed each.
    lesson_funnel: Vec<FunnelStep>,
    /// Published reviews per rating, keys "1".."5".
    rating_histogram: BTreeMap<String, u64>,
    /// Days of the period with sales, per currency.
    revenue_by_day: Vec<DayMoney>,
    /// Sales in the period per currency.
    revenue: Vec<AmountOut>,
    /// Refunds in the period in the course's currency (see `refunds` for every currency).
    refunds_minor: i64,
    /// Refunds in the period per currency.
    refunds: Vec<AmountOut>,
    /// The course's quizzes with their attempts (all time) and per-question success: which
    /// questions trip students.
    quizzes: Vec<QuizFiguresOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuizFiguresOut {
    lesson_id: LessonId,
    title: String,
    /// Attempts students made (the teacher's tries are not recorded).
    attempts: u64,
    /// Of them, the ones that passed.
    passed: u64,
    /// Per question (of the current questions; replacing them starts these again).
    questions: Vec<QuestionFigures>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionFigures {
    prompt: String,
    attempts: u64,
    correct: u64,
}

impl From<CourseAnalytics> for AnalyticsOut {
    fn from(a: CourseAnalytics) -> Self {
        let series = |pick: fn(&(u32, u64, u64)) -> u64| {
            a.by_day.iter().map(|d| DayCount { date: day_to_date(d.0), count: pick(d) }).collect()
        };
        AnalyticsOut {
            course_id: a.course.id,
            from: day_to_date(a.period.from),
            to: day_to_date(a.period.to),
            enrollments_by_day: series(|d| d.1),
            completions_by_day: series(|d| d.2),
            students: a.students,
            completed: a.completed,
            active_students_30d: a.active_30d,
            completion_rate: a.completion_rate,
            lesson_funnel: a
                .funnel
                .iter()
                .map(|(id, title, n)| FunnelStep { lesson_id: *id, title: title.clone(), completed: *n })
                .collect(),
            rating_histogram: (1..=5).map(|r| (r.to_string(), a.ratings[r - 1])).collect(),
            revenue_by_day: a
                .revenue_by_day
                .iter()
                .map(|(d, c, m)| DayMoney { date: day_to_date(*d), currency: c.clone(), amount_minor: *m })
                .collect(),
            revenue: a.revenue.iter().map(AmountOut::from).collect(),
            refunds_minor: a
                .refunds
                .iter()
                .filter(|r| r.currency == a.course.currency)
                .map(|r| r.minor)
                .sum(),
            refunds: a.refunds.iter().map(AmountOut::from).collect(),
            quizzes: a
                .quizzes
                .iter()
                .map(|q| QuizFiguresOut {
                    lesson_id: q.lesson_id,
                    title: q.title.clone(),
                    attempts: q.attempts,
                    passed: q.passed,
                    questions: q
                        .questions
                        .iter()
                        .map(|(p, n, c)| QuestionFigures { prompt: p.clone(), attempts: *n, correct: *c })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PeriodParams {
    /// First day (`YYYY-MM-DD`, UTC), default 29 days before `to`.
    #[param(nullable = false, format = Date)]
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`, UTC), default today. At most 366 days in all.
    #[param(nullable = false, format = Date)]
    pub to: Option<String>,
}

/// A course's analytics over a period (its teacher, admins): enrollments and completions per
/// day, active students, completion rate, the lesson funnel, ratings, revenue and refunds.
#[utoipa::path(get, path = "/api/v1/courses/{id}/analytics", tag = "studio", params(("id" = String, Path), PeriodParams),
    responses((status = 200, body = AnalyticsOut),
        (status = 403, description = "forbidden: not the course's teacher or an admin."),
        (status = 404, description = "not_found: no such course (or a draft of someone else)."),
        (status = 422, description = "validation_failed: `from`/`to` are not dates, `from` is after `to`, or the period is longer than 366 days.")),
    security(("bearer" = [])))]
async fn course_analytics(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> Result<Json<AnalyticsOut>> {
    let id: CourseId = parse(&id)?;
    let a = analytics(&app);
    let period = Period::parse(p.from.as_deref(), p.to.as_deref(), a.today())?;
    Ok(Json(a.course(&who.user, id, period).await?.into()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StudentRef {
    id: UserId,
    /// Empty for a deleted account.
    name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StudentOut {
    student: StudentRef,
    enrolled_at: Rfc3339,
    /// Lessons completed, percent of the course's lessons.
    percent: u32,
    /// Enrolled or last marked a lesson.
    last_activity_at: Rfc3339,
    status: EnrollmentStatus,
}

impl From<StudentLine> for StudentOut {
    fn from(l: StudentLine) -> Self {
        StudentOut {
            student: StudentRef { id: l.id, name: l.name },
            enrolled_at: Rfc3339(l.enrolled_at),
            percent: l.percent,
            last_activity_at: Rfc3339(l.last_activity_at),
            status: l.status,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StudentPage {
    items: Vec<StudentOut>,
    /// A search reads at most 5000 students per call, so a page may be short (even empty) and
    /// still have a cursor: follow it until there is none.
    next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct StudentParams {
    /// Part of the student's name (any case).
    #[param(nullable = false, max_length = 200)]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100, nullable = false)]
    pub limit: Option<usize>,
    #[param(nullable = false, pattern = "^[A-Za-z0-9_-]{21}[AQgw]$")]
    pub cursor: Option<String>,
    /// `csv` for every student (matching `q`) as one file.
    #[param(nullable = false, pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// A course's students (its teacher, admins), in the order they joined the school, as cursor
/// pages; `?q=` searches names, `?format=csv` exports all of them.
#[utoipa::path(get, path = "/api/v1/courses/{id}/students", tag = "studio", params(("id" = String, Path), StudentParams),
    responses((status = 200, description = "A page of students; with format=csv, all of them as CSV.",
            content((StudentPage = "application/json"), (String = "text/csv"))),
        (status = 403, description = "forbidden: not the course's teacher or an admin."),
        (status = 404, description = "not_found: no such course (or a draft of someone else)."),
        (status = 422, description = "validation_failed: `q` is too long, `format` is not json or csv, `limit` is not in 1..=100, or `cursor` is not one this server gave out.")),
    security(("bearer" = [])))]
async fn course_students(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Path(id): Path<String>,
    Query(p): Query<StudentParams>,
) -> Result<Response> {
    let id: CourseId = parse(&id)?;
    let csv = match p.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(Error::validation("format", "is json or csv")),
    };
    let a = analytics(&app);
    if csv {
        let body = a.students_csv(&who.user, id, p.q.as_deref()).await?;
        return Ok(csv_response("students.csv", body));
    }
    let limit = PageParams { limit: p.limit, cursor: None }.limit()?;
    let after = p.cursor.as_deref().map(decode_cursor::<u128>).transpose()?;
    let page = a.students(&who.user, id, p.q.as_deref(), limit, after).await?;
    Ok(Json(StudentPage {
        items: page.items.into_iter().map(StudentOut::from).collect(),
        next_cursor: page.next_cursor,
    })
    .into_response())
}

/// A CSV download.
pub fn csv_response(filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatingOut {
    /// Average of the published reviews, absent without any.
    avg: Option<f64>,
    count: u64,
}

fn rating(sum: u64, count: u64) -> RatingOut {
    RatingOut { avg: (count > 0).then(|| (sum as f64 / count as f64 * 100.0).round() / 100.0), count }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeachingCourseOut {
    id: CourseId,
    title: String,
    slug: String,
    status: String,
    students: u64,
    active_students_30d: u64,
    completed: u64,
    completion_rate: f64,
    /// Sales minus refunds, all time, per currency.
    revenue: Vec<AmountOut>,
    rating: RatingOut,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecentReviewOut {
    id: ReviewId,
    course_id: CourseId,
    course_title: String,
    author_name: String,
    rating: u8,
    text: String,
    created_at: Rfc3339,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeachingOut {
    students: u64,
    active_students_30d: u64,
    completed: u64,
    completion_rate: f64,
    revenue: Vec<AmountOut>,
    rating: RatingOut,
    courses: Vec<TeachingCourseOut>,
    /// The last five published reviews across the caller's courses, newest first.
    recent_reviews: Vec<RecentReviewOut>,
    /// The last five published questions under the caller's lessons, newest first.
    recent_questions: Vec<RecentQuestionOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecentQuestionOut {
    id: crate::ids::QuestionId,
    course_id: CourseId,
    course_title: String,
    lesson_id: crate::ids::LessonId,
    title: String,
    author_name: String,
    answer_count: u32,
    answered: bool,
    /// The lesson page at the question.
    link: String,
    created_at: Rfc3339,
}

impl From<Teaching> for TeachingOut {
    fn from(t: Teaching) -> Self {
        TeachingOut {
            students: t.students,
            active_students_30d: t.active_30d,
            completed: t.completed,
            completion_rate: t.completion_rate,
            revenue: t.revenue.iter().map(AmountOut::from).collect(),
            rating: rating(t.rating_sum, t.review_count),
            courses: t
                .courses
                .into_iter()
                .map(|f| TeachingCourseOut {
                    id: f.course.id,
                    status: format!("{:?}", f.course.status).to_lowercase(),
                    rating: rating(f.course.rating_sum, f.course.review_count),
                    title: f.course.title,
                    slug: f.course.slug,
                    students: f.students,
                    active_students_30d: f.active_30d,
                    completed: f.completed,
                    completion_rate: f.completion_rate,
                    revenue: f.revenue.iter().map(AmountOut::from).collect(),
                })
                .collect(),
            recent_reviews: t
                .recent_reviews
                .into_iter()
                .map(|(r, course_title, author_name)| RecentReviewOut {
                    id: r.id,
                    course_id: r.course_id,
                    course_title,
                    author_name,
                    rating: r.rating,
                    text: r.text_md,
                    created_at: Rfc3339(r.created_at),
                })
                .collect(),
            recent_questions: t
                .recent_questions
                .into_iter()
                .map(|r| RecentQuestionOut {
                    id: r.question.id,
                    course_id: r.question.course_id,
                    course_title: r.course_title,
                    lesson_id: r.question.lesson_id,
                    answered: r.question.answer_count > 0,
                    answer_count: r.question.answer_count,
                    title: r.question.title,
                    author_name: r.author,
                    link: r.link,
                    created_at: Rfc3339(r.question.created_at),
                })
                .collect(),
        }
    }
}

/// The caller's teaching dashboard (teachers, admins): totals and per course students, active
/// students in 30 days, completion rate, revenue per currency and rating; the last reviews.
#[utoipa::path(get, path = "/api/v1/me/teaching", tag = "studio",
    responses((status = 200, body = TeachingOut), (status = 403, description = "teachers_only: students have no studio.")),
    security(("bearer" = [])))]
async fn teaching(State(app): State<AppState>, AuthUser(who): AuthUser) -> Result<Json<TeachingOut>> {
    Ok(Json(analytics(&app).teaching(&who.user).await?.into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn status_names() {
        assert_eq!(
            crate::analytics::status_name(crate::learning::repo::EnrollmentStatus::Completed),
            "completed"
        );
    }
}
