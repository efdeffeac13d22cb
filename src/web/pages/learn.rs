//! The signed-in student's pages: my learning, the lesson player, wishlist, notifications, and
//! the forms behind enroll / complete / review / wish (scripts use the JSON API instead).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::catalog::{ModuleView, modules};
use super::render;
use crate::app::AppState;
use crate::catalog::types::LessonKind;
use crate::error::{Code, Error, Result};
use crate::http::ids::parse;
use crate::ids::LessonId;
use crate::learning::repo::EnrollmentStatus;
use crate::web::i18n::Arg;
use crate::web::session::PageCtx;
use crate::web::view::{CourseCard, Layout, date};
use crate::web::{html, safe_next, see_other};

/// A form whose only field is the session's CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// The lesson a student should open next: the first not yet done, else the first.
async fn resume_lesson(
    app: &AppState,
    ctx: &PageCtx,
    course: crate::ids::CourseId,
) -> Result<Option<LessonId>> {
    let who = ctx.require()?;
    let (_, cur) = app.catalog.curriculum(course, Some(&who.user)).await?;
    let done =
        app.learning.progress(&who.user, course).await.map(|p| p.completed_lesson_ids).unwrap_or_default();
    let all: Vec<LessonId> = cur.modules.iter().flat_map(|(_, ls)| ls.iter().map(|l| l.id)).collect();
    Ok(all.iter().find(|id| !done.contains(id)).or(all.first()).copied())
}

pub async fn enroll(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path(slug): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let course = app.catalog.course(&slug, Some(&who.user)).await?;
    match app.learning.enroll(&who.user, course.id).await {
        Ok(_) | Err(Error::Conflict { code: Code::AlreadyEnrolled, .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(see_other(&format!("/learn/{}", course.slug)))
}

/// `GET /learn/{slug}`: continue where the student left off.
pub async fn resume(State(app): State<AppState>, ctx: PageCtx, Path(slug): Path<String>) -> Result<Response> {
    let who = ctx.require()?;
    let course = app.catalog.course(&slug, Some(&who.user)).await?;
    match resume_lesson(&app, &ctx, course.id).await? {
        Some(lesson) => Ok(see_other(&format!("/learn/{}/{lesson}", course.slug))),
        None => Ok(see_other(&format!("/courses/{}", course.slug))),
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    text: String,
}

pub async fn review(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path(slug): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let rating = f
        .rating
        .parse::<u8>()
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| Error::validation("rating", "must be between 1 and 5"))?;
    let course = app.catalog.course(&slug, Some(&who.user)).await?;
    app.learning.create_review(&who.user, course.id, rating, f.text).await?;
    Ok(see_other(&format!("/courses/{}#reviews", course.slug)))
}

#[derive(Deserialize)]
pub struct WishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    wanted: String,
}

pub async fn wish(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path(slug): Path<String>,
    Form(f): Form<WishForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let course = app.catalog.course(&slug, Some(&who.user)).await?;
    app.learning.wish(&who.user, course.id, f.wanted == "1").await?;
    Ok(see_other(&format!("/courses/{}", course.slug)))
}

pub struct Enrolled {
    pub card: CourseCard,
    pub done: u32,
    pub total: u32,
    pub percent: u32,
    pub completed: bool,
    /// The certificate's code, once earned.
    pub certificate: Option<String>,
    /// Whether an admin revoked it.
    pub certificate_revoked: bool,
    /// "Add to LinkedIn" for a valid certificate.
    pub linkedin: Option<String>,
}

#[derive(Template)]
#[template(path = "learn.html")]
struct LearnPage {
    l: Layout,
    courses: Vec<Enrolled>,
}

pub async fn my_learning(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let page = app.learning.my_enrollments(&who.user, 100, None).await?;
    let records: Vec<_> = page.items.iter().map(|(c, _)| c.clone()).collect();
    let sums = app.catalog.summaries(&records, ctx.lang.code()).await?;
    let certificates = app.certificates.of_student(who.user.id).await?;
    let courses = page
        .items
        .iter()
        .zip(sums)
        .map(|((c, e), s)| Enrolled {
            card: CourseCard::new(&s, tr, None),
            done: e.completed_lessons.min(c.total_lessons),
            total: c.total_lessons,
            percent: crate::learning::service::percent(e.completed_lessons, c.total_lessons),
            completed: e.status == EnrollmentStatus::Completed,
            certificate: None,
            certificate_revoked: false,
            linkedin: None,
        })
        .zip(&page.items)
        .map(|(mut view, (c, _))| {
            if let Some(cert) = certificates.iter().find(|cert| cert.course_id == c.id) {
                view.certificate = Some(cert.code.clone());
                view.certificate_revoked = cert.revoked.is_some();
                view.linkedin = cert.revoked.is_none().then(|| app.certificates.linkedin_url(cert));
            }
            view
        })
        .collect();
    let l = Layout::new(&app, &ctx, tr.t("learn-title")).nav("learn");
    Ok(html(&ctx, &headers, StatusCode::OK, render(&LearnPage { l, courses })?))
}

#[derive(Template)]
#[template(path = "player.html")]
struct PlayerPage {
    l: Layout,
    course_slug: String,
    course_title: String,
    lesson_id: String,
    title: String,
    body_html: String,
    video_url: Option<String>,
    /// An uploaded video, played by the browser (seekable: media are served with byte ranges).
    uploaded_video: Option<crate::media::VideoOut>,
    attachments: Vec<AttachmentView>,
    modules: Vec<ModuleView>,
    enrolled: bool,
    done: bool,
    completed_lessons: u32,
    total_lessons: u32,
    percent: u32,
    course_completed: bool,
    prev: Option<String>,
    next: Option<String>,
    position: usize,
    count: usize,
    /// Signed in and not the course's teacher: the report form.
    can_report: bool,
    report_reasons: Vec<(&'static str, String)>,
    /// The lesson's Q&A, for those who take part in the course (enrolled, teacher, admins).
    qa: Option<QaSection>,
    quiz: Option<QuizView>,
}

/// The player's Q&A section: the lesson's questions (newest first) with their answers.
struct QaSection {
    questions: Vec<QuestionItem>,
    /// The viewer is the course's teacher (or an admin): "Mark as accepted" buttons.
    may_accept: bool,
    viewer: String,
}

struct QuestionItem {
    id: String,
    title: String,
    body_html: String,
    author: String,
    date: String,
    iso: String,
    answers_text: String,
    pending: bool,
    hidden: bool,
    /// Someone else's published question: the viewer may report it.
    reportable: bool,
    answers: Vec<AnswerItem>,
}

struct AnswerItem {
    id: String,
    body_html: String,
    author: String,
    by_teacher: bool,
    accepted: bool,
    pending: bool,
    hidden: bool,
    reportable: bool,
    date: String,
}

/// The lesson's questions as `who` sees them (at most 20, newest first, each with its answers).
async fn qa_section(
    app: &AppState,
    tr: crate::web::i18n::Tr,
    who: &crate::identity::repo::UserRecord,
    lesson: LessonId,
) -> Result<Option<QaSection>> {
    use crate::qa::repo::{PostStatus, Scope};
    let page = match app.qa.list(who, Scope::Lesson(lesson), None, 20, None).await {
        Ok(p) => p,
        Err(Error::Forbidden { .. } | Error::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let name = |n: String| if n.is_empty() { tr.t("former-student") } else { n };
    let mut questions = Vec::new();
    let mut may_accept = false;
    for v in page.items {
        let t = app.qa.thread(who, v.question.id).await?;
        may_accept = t.may_accept;
        let q = t.question.question;
        let accepted = q.accepted_answer;
        questions.push(QuestionItem {
            id: q.id.to_string(),
            title: q.title.clone(),
            body_html: q.body_html.clone(),
            date: date(tr, q.created_at),
            iso: q.created_at.to_rfc3339(),
            answers_text: tr.args("qa-answers", &[("count", Arg::Num(f64::from(q.answer_count)))]),
            pending: q.status == PostStatus::Pending,
            hidden: q.status == PostStatus::Hidden,
            reportable: q.author_id != who.id && q.is_published(),
            author: name(t.question.author),
            answers: t
                .answers
                .into_iter()
                .map(|a| AnswerItem {
                    id: a.answer.id.to_string(),
                    body_html: a.answer.body_html.clone(),
                    by_teacher: a.by_teacher,
                    accepted: accepted == Some(a.answer.id),
                    pending: a.answer.status == PostStatus::Pending,
                    hidden: a.answer.status == PostStatus::Hidden,
                    reportable: a.answer.author_id != who.id && a.answer.is_published(),
                    date: date(tr, a.answer.created_at),
                    author: name(a.author),
                })
                .collect(),
        });
    }
    if questions.is_empty() {
        // No thread read: ask the course directly whether the viewer may accept.
        let (_, l) = app.learning.lesson(lesson, Some(who)).await?;
        let c = app.catalog.course_by_id(l.course_id).await?;
        may_accept = c.is_some_and(|c| c.teacher_id == who.id) || who.role == crate::identity::Role::Admin;
    }
    Ok(Some(QaSection { questions, may_accept, viewer: who.name.clone() }))
}

#[derive(Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// `POST /learn/{slug}/{lesson}/questions`: ask without JavaScript, back to the question.
pub async fn ask(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path((slug, lesson)): Path<(String, String)>,
    Form(f): Form<QuestionForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let lesson_id: LessonId = parse(&lesson)?;
    let input = crate::qa::service::NewQuestion::parse(&f.title, &f.body)?;
    let q = app.qa.ask(&who.user, lesson_id, input).await?;
    Ok(see_other(&format!("/learn/{slug}/{lesson_id}#question-{}", q.id)))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// `POST /learn/{slug}/{lesson}/questions/{id}/answers`: answer without JavaScript.
pub async fn answer(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path((slug, lesson, question)): Path<(String, String, String)>,
    Form(f): Form<AnswerForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let lesson_id: LessonId = parse(&lesson)?;
    let body = crate::qa::service::parse_answer(&f.body)?;
    let a = app.qa.answer(&who.user, parse(&question)?, body).await?;
    Ok(see_other(&format!("/learn/{slug}/{lesson_id}#answer-{}", a.id)))
}

/// `POST /learn/{slug}/{lesson}/answers/{id}/accept`: the teacher accepts an answer.
pub async fn accept(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path((slug, lesson, answer)): Path<(String, String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let lesson_id: LessonId = parse(&lesson)?;
    let q = app.qa.accept(&who.user, parse(&answer)?).await?;
    Ok(see_other(&format!("/learn/{slug}/{lesson_id}#question-{}", q.id)))
}

/// A quiz as the player shows it: the questions without their answers (the page is built from
/// the public view; an attempt's result says right or not, and the teacher's feedback).
struct QuizView {
    pass_text: String,
    attempts_text: String,
    /// The form can be sent: enrolled with attempts left, or the course's teacher.
    can_submit: bool,
    note: Option<String>,
    questions: Vec<QuestionView>,
    /// After a submitted attempt (without JavaScript): the score's words and whether it passed.
    result: Option<(bool, String)>,
    /// The same words with slots (`{percent}`, `{left}`) for the script.
    passed_tpl: String,
    failed_tpl: String,
    left_tpl: String,
    none_left: String,
}

struct QuestionView {
    index: usize,
    kind: &'static str,
    prompt: String,
    /// (index, text, checked)
    options: Vec<(usize, String, bool)>,
    text: String,
    /// After an attempt: right or not, and feedback.
    result: Option<(bool, String)>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct LockedPage {
    l: Layout,
    heading: String,
    message: String,
    success: bool,
    link: Option<(String, String)>,
}

/// Why a lesson is locked, in the reader's words.
pub fn lock_text(tr: crate::web::i18n::Tr, lock: &crate::learning::locks::Lock, module: bool) -> String {
    match (&lock.after_module, lock.available_at) {
        (Some((_, title)), _) => {
            tr.with(if module { "module-locked-after" } else { "lesson-locked-after" }, "module", title)
        }
        (None, Some(at)) => {
            tr.with(if module { "module-locked-on" } else { "lesson-locked-on" }, "date", &date(tr, at))
        }
        (None, None) => String::new(),
    }
}

/// A lesson's attachment as the player lists it.
struct AttachmentView {
    url: String,
    filename: String,
    size_text: String,
}

/// `123 KB`, `4.5 MB`: sizes as people read them.
fn size_text(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A video address as an embeddable player URL (YouTube and Vimeo become their privacy-friendly
/// embeds, the only frames the CSP allows); other addresses are shown as a link.
fn embed(url: &str) -> Option<String> {
    let after = |prefix: &str| {
        url.strip_prefix(prefix).map(|rest| rest.split(['?', '&', '#', '/']).next().unwrap_or(""))
    };
    let id_ok =
        |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    for prefix in [
        "https://www.youtube.com/watch?v=",
        "https://youtube.com/watch?v=",
        "https://youtu.be/",
        "https://www.youtube.com/embed/",
        "https://www.youtube-nocookie.com/embed/",
    ] {
        if let Some(id) = after(prefix).filter(|id| id_ok(id)) {
            return Some(format!("https://www.youtube-nocookie.com/embed/{id}"));
        }
    }
    for prefix in ["https://vimeo.com/", "https://player.vimeo.com/video/"] {
        if let Some(id) = after(prefix).filter(|id| id.chars().all(|c| c.is_ascii_digit()) && !id.is_empty())
        {
            return Some(format!("https://player.vimeo.com/video/{id}"));
        }
    }
    None
}

impl PlayerPage {
    fn progress_text(&self) -> String {
        let num = |n: u32| Arg::Num(f64::from(n));
        self.l.tr.args(
            "progress-template",
            &[
                ("done", num(self.completed_lessons)),
                ("total", num(self.total_lessons)),
                ("percent", num(self.percent)),
            ],
        )
    }

    /// The same text with slots for the script to fill in after a save. The total does not
    /// change on a save, so it is filled in here (it chooses the plural form).
    fn progress_template(&self) -> String {
        let slot = |s: &str| Arg::Text(format!("{{{s}}}"));
        self.l.tr.args(
            "progress-template",
            &[
                ("done", slot("done")),
                ("total", Arg::Num(f64::from(self.total_lessons))),
                ("percent", slot("percent")),
            ],
        )
    }

    fn lesson_of(&self) -> String {
        let num = |n: usize| Arg::Num(n as f64);
        self.l.tr.args("lesson-of", &[("position", num(self.position)), ("count", num(self.count))])
    }
}

pub async fn player(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((slug, lesson)): Path<(String, String)>,
) -> Result<Response> {
    show_player(&app, &ctx, &headers, &slug, &lesson, None).await
}

/// The player, with an attempt's result when the quiz form was sent without JavaScript.
async fn show_player(
    app: &AppState,
    ctx: &PageCtx,
    headers: &HeaderMap,
    slug: &str,
    lesson: &str,
    attempt: Option<(crate::learning::service::AttemptResult, Vec<Vec<String>>)>,
) -> Result<Response> {
    // Visitors may open preview lessons; learning decides who may read what.
    let app = app.clone();
    let tr = ctx.tr();
    let lesson_id: LessonId = parse(lesson)?;
    let (course, l) = match app.learning.lesson(lesson_id, ctx.user()).await {
        Ok(found) => found,
        // Not enrolled: the course page says how to enroll.
        Err(Error::Forbidden { code: Code::NotEnrolled, .. }) => {
            return Ok(see_other(&format!("/courses/{slug}")));
        }
        // Locked: say when or why it opens.
        Err(Error::LessonLocked(info)) => {
            let lock = crate::learning::locks::Lock {
                available_at: info.available_at.as_deref().and_then(|s| {
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                        .ok()
                        .map(|t| crate::clock::Timestamp((t.unix_timestamp_nanos() / 1_000_000) as i64))
                }),
                after_module: info
                    .after_module
                    .as_ref()
                    .and_then(|m| Some((m.id.parse().ok()?, m.title.clone()))),
            };
            let page = LockedPage {
                l: Layout::new(&app, ctx, tr.t("lesson-locked-title")).nav("learn"),
                heading: tr.t("lesson-locked-title"),
                message: lock_text(tr, &lock, false),
                success: false,
                link: Some((format!("/courses/{slug}"), tr.t("back-to-course"))),
            };
            return Ok(html(ctx, headers, StatusCode::FORBIDDEN, render(&page)?));
        }
        Err(e) => return Err(e),
    };
    let slug = slug.to_owned();
    if course.slug != slug {
        return Err(Error::NotFound);
    }
    let (_, cur) = app.catalog.curriculum(course.id, ctx.user()).await?;
    let progress = match ctx.user() {
        Some(u) if app.learning.standing(u, course.id).await?.enrollment.is_some() => {
            Some(app.learning.progress(u, course.id).await?)
        }
        _ => None,
    };
    let done_ids = progress.as_ref().map(|p| p.completed_lesson_ids.clone()).unwrap_or_default();
    let order: Vec<LessonId> = cur.modules.iter().flat_map(|(_, ls)| ls.iter().map(|x| x.id)).collect();
    let position = order.iter().position(|id| *id == lesson_id).unwrap_or(0);
    let link = |id: &LessonId| format!("/learn/{}/{id}", course.slug);
    let (embed_url, video_url) = match (&l.kind, &l.video_url) {
        (LessonKind::Video, Some(u)) => match embed(u) {
            Some(e) => (Some(e), None),
            None => (None, Some(u.clone())),
        },
        _ => (None, None),
    };
    let qa = match ctx.user() {
        Some(u) => qa_section(&app, tr, u, l.id).await?,
        None => None,
    };
    let mut layout = Layout::new(&app, ctx, format!("{} · {}", l.title, course.title)).nav("learn");
    layout.description = course.subtitle.clone();
    let staff = ctx.user().is_some_and(|u| app.catalog.may_edit(u, &course));
    let quiz = match (&l.quiz, ctx.user()) {
        (Some(q), who) => {
            let standing = match who {
                Some(u) if progress.is_some() && !staff => app.learning.quiz_standing(u, l.id).await?,
                _ => Default::default(),
            };
            Some(quiz_view(tr, q, &standing, progress.is_some(), staff, attempt.as_ref()))
        }
        (None, _) => None,
    };
    let mut modules_view = modules(tr, &cur, &done_ids);
    let locks = app.learning.locks(ctx.user(), &course).await?;
    super::catalog::with_locks(tr, &mut modules_view, &locks);
    let page = PlayerPage {
        course_slug: course.slug.clone(),
        course_title: course.title.clone(),
        lesson_id: l.id.to_string(),
        title: l.title.clone(),
        body_html: l.body_html.clone(),
        video_url: embed_url.or(video_url.clone()),
        uploaded_video: l
            .video_upload
            .as_ref()
            .map(|v| crate::media::VideoOut { url: v.url(), content_type: v.content_type.clone() }),
        attachments: l
            .attachments
            .iter()
            .map(|a| AttachmentView {
                url: a.url(),
                filename: a.filename.clone(),
                size_text: size_text(a.size),
            })
            .collect(),
        modules: modules_view,
        enrolled: progress.is_some(),
        done: done_ids.contains(&l.id),
        completed_lessons: progress.as_ref().map_or(0, |p| p.completed_lessons),
        total_lessons: progress.as_ref().map_or(course.total_lessons, |p| p.total_lessons),
        percent: progress.as_ref().map_or(0, |p| p.percent),
        course_completed: progress.as_ref().is_some_and(|p| p.status == EnrollmentStatus::Completed),
        prev: position.checked_sub(1).and_then(|i| order.get(i)).map(link),
        next: order.get(position + 1).map(link),
        position: position + 1,
        count: order.len(),
        can_report: ctx.user().is_some_and(|u| u.id != course.teacher_id),
        report_reasons: super::moderation::report_reasons(tr),
        qa,
        quiz,
        l: layout,
    };
    Ok(html(ctx, headers, StatusCode::OK, render(&page)?))
}

fn quiz_view(
    tr: crate::web::i18n::Tr,
    q: &crate::catalog::quiz::Quiz,
    standing: &crate::learning::service::QuizStanding,
    enrolled: bool,
    staff: bool,
    attempt: Option<&(crate::learning::service::AttemptResult, Vec<Vec<String>>)>,
) -> QuizView {
    use crate::catalog::quiz::{QuestionKind, QuizOut};
    let public = QuizOut::public(q);
    let num = |n: u32| Arg::Num(f64::from(n));
    let used = attempt.map_or(standing.used, |(r, _)| r.attempts_used);
    let left = q.max_attempts.map(|m| m.saturating_sub(used));
    let attempts_text = match left {
        _ if staff => String::new(),
        Some(n) => tr.args("quiz-attempts-left", &[("left", num(n))]),
        None if used > 0 => tr.args("quiz-attempts-used", &[("used", num(used))]),
        None => String::new(),
    };
    let note = if staff {
        Some(tr.t("quiz-teacher-note"))
    } else if !enrolled {
        Some(tr.t("quiz-enroll"))
    } else if left == Some(0) {
        Some(tr.t("quiz-no-attempts"))
    } else {
        None
    };
    let questions = public
        .questions
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let sent = attempt.and_then(|(_, v)| v.get(i)).cloned().unwrap_or_default();
            QuestionView {
                index: i,
                kind: match x.kind {
                    QuestionKind::Single => "single",
                    QuestionKind::Multiple => "multiple",
                    QuestionKind::Short => "short",
                },
                prompt: x.prompt.clone(),
                options: x
                    .options
                    .iter()
                    .enumerate()
                    .map(|(j, o)| (j, o.clone(), sent.contains(&j.to_string())))
                    .collect(),
                text: if x.kind == QuestionKind::Short {
                    sent.first().cloned().unwrap_or_default()
                } else {
                    String::new()
                },
                result: attempt
                    .and_then(|(r, _)| r.per_question.get(i))
                    .map(|(ok, fb)| (*ok, fb.clone().unwrap_or_default())),
            }
        })
        .collect();
    QuizView {
        pass_text: tr.args("quiz-pass-mark", &[("percent", num(q.pass_percent))]),
        attempts_text,
        can_submit: staff || (enrolled && left != Some(0)),
        note,
        questions,
        passed_tpl: tr.args("quiz-passed", &[("percent", Arg::Text("{percent}".into()))]),
        failed_tpl: tr.args("quiz-failed", &[("percent", Arg::Text("{percent}".into()))]),
        left_tpl: tr.args("quiz-attempts-left", &[("left", Arg::Text("{left}".into()))]),
        none_left: tr.t("quiz-no-attempts"),
        result: attempt.map(|(r, _)| {
            let p = num(r.graded.score_percent);
            let key = if r.graded.passed { "quiz-passed" } else { "quiz-failed" };
            (r.graded.passed, tr.args(key, &[("percent", p)]))
        }),
    }
}

/// `POST /learn/{slug}/{lesson}/attempt`: the quiz form without JavaScript. Grades through the
/// same service as the API and shows the player with the result (a 200, not a redirect: the
/// result is not stored anywhere a later page could show it, and the page is `no-store`).
pub async fn attempt(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((slug, lesson)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let who = ctx.require()?;
    let csrf = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    ctx.check_csrf(csrf)?;
    let lesson_id: LessonId = parse(&lesson)?;
    let (course, l) = app.learning.lesson(lesson_id, Some(&who.user)).await?;
    if course.slug != slug {
        return Err(Error::NotFound);
    }
    let quiz = l.quiz.as_ref().ok_or(Error::NotFound)?;
    let sent: Vec<Vec<String>> = (0..quiz.questions.len())
        .map(|i| {
            let key = format!("q{i}");
            fields.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.clone()).collect()
        })
        .collect();
    let answers = quiz
        .questions
        .iter()
        .zip(&sent)
        .map(|(q, vals)| match q.kind {
            crate::catalog::quiz::QuestionKind::Short => {
                vals.first().map_or(serde_json::Value::Null, |v| serde_json::json!(v))
            }
            _ => serde_json::Value::Array(
                vals.iter().filter_map(|v| v.parse::<u64>().ok()).map(serde_json::Value::from).collect(),
            ),
        })
        .collect();
    let result = app.learning.attempt(&who.user, lesson_id, answers).await?;
    show_player(&app, &ctx, &headers, &slug, &lesson, Some((result, sent))).await
}

#[derive(Deserialize)]
pub struct CompleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    done: String,
}

pub async fn complete(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path((slug, lesson)): Path<(String, String)>,
    Form(f): Form<CompleteForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let lesson_id: LessonId = parse(&lesson)?;
    let done = f.done != "0";
    let (course, _) = app.learning.lesson(lesson_id, Some(&who.user)).await?;
    if course.slug != slug {
        return Err(Error::NotFound);
    }
    app.learning.complete(&who.user, lesson_id, done).await?;
    // Done: go on to the next lesson, like the "next" button would.
    if done
        && let Some(next) = resume_lesson(&app, &ctx, course.id).await?
        && next != lesson_id
    {
        return Ok(see_other(&format!("/learn/{}/{next}", course.slug)));
    }
    Ok(see_other(&format!("/learn/{}/{lesson_id}", course.slug)))
}

#[derive(Template)]
#[template(path = "wishlist.html")]
struct WishlistPage {
    l: Layout,
    courses: Vec<CourseCard>,
}

pub async fn wishlist(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let page = app.learning.wishlist(&who.user, 100, None).await?;
    let sums = app.catalog.summaries(&page.items, ctx.lang.code()).await?;
    let l = Layout::new(&app, &ctx, tr.t("wishlist-title")).nav("wishlist");
    let courses = sums.iter().map(|s| CourseCard::new(s, tr, None)).collect();
    Ok(html(&ctx, &headers, StatusCode::OK, render(&WishlistPage { l, courses })?))
}

pub struct NotificationView {
    pub id: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub read: bool,
    pub date: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    l: Layout,
    items: Vec<NotificationView>,
}

pub async fn notifications(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
) -> Result<Response> {
    let who = ctx.require()?;
    let tr = ctx.tr();
    let (page, _) = app.learning.notifications(&who.user, 50, None).await?;
    let items = page
        .items
        .into_iter()
        .map(|n| NotificationView {
            id: n.id.to_string(),
            title: n.title,
            body: n.body,
            link: safe_next(Some(&n.link), ""),
            read: n.read,
            date: date(tr, n.created_at),
        })
        .collect();
    let l = Layout::new(&app, &ctx, tr.t("notifications-title")).nav("notifications");
    Ok(html(&ctx, &headers, StatusCode::OK, render(&NotificationsPage { l, items })?))
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    csrf: String,
    /// One notification, or all of them when absent.
    id: Option<String>,
}

pub async fn read_notifications(
    State(app): State<AppState>,
    ctx: PageCtx,
    Form(f): Form<ReadForm>,
) -> Result<Response> {
    let who = ctx.require()?;
    ctx.check_csrf(&f.csrf)?;
    let id = f.id.as_deref().filter(|s| !s.is_empty()).map(parse).transpose()?;
    app.learning.mark_read(&who.user, id).await?;
    Ok(see_other("/notifications"))
}

#[cfg(test)]
mod tests {
    use super::embed;

    #[test]
    fn video_links_become_privacy_friendly_embeds() {
        assert_eq!(
            embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        );
        assert_eq!(
            embed("https://youtu.be/abc_-1").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/abc_-1")
        );
        assert_eq!(embed("https://vimeo.com/12345").as_deref(), Some("https://player.vimeo.com/video/12345"));
        assert_eq!(embed("https://example.com/video.mp4"), None);
        assert_eq!(embed("https://youtu.be/\"><script>"), None);
    }
}
