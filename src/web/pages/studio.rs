//! The teacher studio's authoring pages: the guided wizard for a new course
//! (`/studio/courses/new`, then `/studio/courses/{id}/wizard/{step}`), the course editor
//! (`/studio/courses/{id}`) and the lesson editor (`/studio/lessons/{id}`).
//!
//! Every form works without JavaScript (post, save, redirect); `web/static/studio.js` adds
//! autosave, the live Markdown preview, drag-and-drop ordering and uploads on top, through the
//! same JSON API a developer would use. All rules are the catalog's: these handlers read forms,
//! call it, and show a refusal next to the field it is about.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::account::FormState;
use super::render;
use crate::app::AppState;
use crate::catalog::checklist::{self, Check, Step};
use crate::catalog::input::{CourseChange, CourseDraft, LessonChange};
use crate::catalog::repo::{CourseRecord, Curriculum, LessonRecord};
use crate::catalog::service::{NewLesson, teachers_only};
use crate::catalog::types::{CURRENCIES, CourseStatus, LessonKind};
use crate::error::{Error, Result};
use crate::fields::text;
use crate::http::ids::parse;
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::{CourseId, LessonId, ModuleId};
use crate::web::i18n::Tr;
use crate::web::session::PageCtx;
use crate::web::view::{Layout, money, parse_amount};
use crate::web::{html, see_other};

/// The wizard's steps, in order.
const STEPS: [&str; 6] = ["basics", "description", "curriculum", "cover", "price", "publish"];

/// The layout of every studio page: the studio's tab marked, and a description for the head.
pub fn studio_layout(app: &AppState, ctx: &PageCtx, title: impl Into<String>) -> Layout {
    let mut l = Layout::new(app, ctx, title).nav("studio");
    l.description = ctx.tr().t("studio-meta-description");
    l
}

/// The signed-in teacher (or admin); students are told the studio is for teachers.
fn teacher(ctx: &PageCtx) -> Result<&UserRecord> {
    let who = &ctx.require()?.user;
    teachers_only(who)?;
    Ok(who)
}

/// A course the caller may edit: its teacher's or any for an admin. Someone else's published
/// course is a 403; their drafts do not exist for the caller (404), as in the API.
async fn own_course(app: &AppState, who: &UserRecord, id: &str) -> Result<Arc<CourseRecord>> {
    let id: CourseId = parse(id)?;
    let c = app.catalog.course_by_id(id).await?.ok_or(Error::NotFound)?;
    if c.teacher_id == who.id || who.role == Role::Admin {
        Ok(c)
    } else if c.is_published() {
        Err(Error::forbidden())
    } else {
        Err(Error::NotFound)
    }
}

async fn curriculum_of(app: &AppState, who: &UserRecord, c: &CourseRecord) -> Result<Arc<Curriculum>> {
    Ok(app.catalog.curriculum(c.id, Some(who)).await?.1)
}

fn has_cover(c: &CourseRecord) -> bool {
    c.cover.is_some()
}

/// A price as a teacher types it ("19.90", "19,90", "1 990"); empty means free.
fn price_field(raw: &str) -> Result<i64> {
    match parse_amount(raw) {
        Ok(v) => Ok(v.unwrap_or(0)),
        Err(_) => Err(Error::validation("price_minor", "must be an amount such as 19.90")),
    }
}

fn price_text(c: &CourseRecord) -> String {
    if c.price_minor == 0 {
        String::new()
    } else {
        format!("{}.{:02}", c.price_minor / 100, c.price_minor % 100)
    }
}

// ---------------------------------------------------------------------------------------------
// Views

pub struct CourseView {
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub description_html: String,
    pub level: &'static str,
    pub language: String,
    pub category: String,
    pub price: String,
    pub price_label: String,
    pub currency: String,
    pub free: bool,
    pub status: &'static str,
    pub slug: String,
    pub published: bool,
    /// The card-sized cover, when there is one.
    pub cover_url: Option<String>,
}

fn course_view(tr: Tr, c: &CourseRecord, category: String) -> CourseView {
    CourseView {
        id: c.id.to_string(),
        title: c.title.clone(),
        subtitle: c.subtitle.clone(),
        description: c.description_md.clone(),
        description_html: c.description_html.clone(),
        level: c.level.as_str(),
        language: c.language.clone(),
        category,
        price: price_text(c),
        price_label: if c.is_free() { tr.t("price-free") } else { money(tr, c.price_minor, &c.currency) },
        currency: c.currency.clone(),
        free: c.is_free(),
        status: c.status.as_str(),
        slug: c.slug.clone(),
        published: c.is_published(),
        cover_url: c.cover.as_ref().and_then(crate::media::CoverOut::from).map(|o| o.url_small),
    }
}

pub struct LessonLine {
    pub id: String,
    pub title: String,
    /// `text`, `video` or `quiz` (the `lesson-kind-*` message).
    pub kind: &'static str,
    pub preview: bool,
    pub minutes: u32,
    pub empty: bool,
}

pub struct ModuleView {
    pub id: String,
    pub title: String,
    pub lessons: Vec<LessonLine>,
    /// The opening rule as the form shows it: days after enrolling, a date, a module to finish.
    pub after_days: String,
    pub on: String,
    pub after_module: String,
}

fn modules_view(cur: &Curriculum) -> Vec<ModuleView> {
    cur.modules
        .iter()
        .map(|(m, ls)| ModuleView {
            id: m.id.to_string(),
            title: m.title.clone(),
            after_days: m
                .unlock
                .as_ref()
                .and_then(|u| u.after_days)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            on: m.unlock.as_ref().and_then(|u| u.on_day).map(crate::clock::day_to_date).unwrap_or_default(),
            after_module: m
                .unlock
                .as_ref()
                .and_then(|u| u.after_module)
                .map(|id| id.to_string())
                .unwrap_or_default(),
            lessons: ls
                .iter()
                .map(|l| LessonLine {
                    id: l.id.to_string(),
                    title: l.title.clone(),
                    kind: match l.kind {
                        LessonKind::Text => "text",
                        LessonKind::Video => "video",
                        LessonKind::Quiz => "quiz",
                    },
                    preview: l.is_preview,
                    minutes: l.duration_s.div_ceil(60),
                    empty: l.body_md.trim().is_empty()
                        && l.video_url.is_none()
                        && l.video_upload.is_none()
                        && l.quiz.is_none(),
                })
                .collect(),
        })
        .collect()
}

pub struct CheckView {
    pub rule: &'static str,
    pub ok: bool,
    pub required: bool,
    pub step: &'static str,
}

fn checks_view(checks: &[Check]) -> Vec<CheckView> {
    checks
        .iter()
        .map(|c| CheckView { rule: c.rule, ok: c.ok, required: c.required, step: c.step.as_str() })
        .collect()
}

pub struct StepView {
    pub key: &'static str,
    pub n: usize,
    pub current: bool,
    pub done: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

async fn category_choices(app: &AppState, tr: Tr) -> Result<Vec<Choice>> {
    let lang = tr.lang().code();
    Ok(app
        .catalog
        .categories()
        .await?
        .iter()
        .map(|c| Choice { value: c.slug.clone(), label: c.name_for(lang).to_owned() })
        .collect())
}

/// The details forms filled with what is stored (on top of `f`'s errors).
async fn stored_details(app: &AppState, c: &CourseRecord, f: FormState) -> Result<FormState> {
    let category = category_slug(app, c).await?;
    Ok(f.keep_all(&[
        ("title", &c.title),
        ("subtitle", &c.subtitle),
        ("category", &category),
        ("level", c.level.as_str()),
        ("language", &c.language),
        ("description", &c.description_md),
        ("slug", &c.slug),
    ]))
}

async fn category_slug(app: &AppState, c: &CourseRecord) -> Result<String> {
    Ok(app
        .catalog
        .categories()
        .await?
        .iter()
        .find(|k| k.id == c.category_id)
        .map(|k| k.slug.clone())
        .unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// The wizard

#[derive(Template)]
#[template(path = "studio_wizard.html")]
struct WizardPage {
    l: Layout,
    step: &'static str,
    next: &'static str,
    steps: Vec<StepView>,
    c: Option<CourseView>,
    f: FormState,
    categories: Vec<Choice>,
    currencies: &'static [&'static str],
    drafts: Vec<(String, String)>,
    modules: Vec<ModuleView>,
    checks: Vec<CheckView>,
    ready: bool,
    /// After publishing: `published` or `in_review`.
    outcome: Option<&'static str>,
}

struct Wizard<'a> {
    app: &'a AppState,
    ctx: &'a PageCtx,
    who: &'a UserRecord,
}

impl Wizard<'_> {
    async fn page(&self, step: &'static str, c: Option<&CourseRecord>, f: FormState) -> Result<WizardPage> {
        let tr = self.ctx.tr();
        let at = STEPS.iter().position(|s| *s == step).unwrap_or(0);
        let steps = STEPS
            .iter()
            .enumerate()
            .map(|(i, key)| StepView { key, n: i + 1, current: i == at, done: c.is_some() && i < at })
            .collect();
        let (view, modules, checks) = match c {
            Some(c) => {
                let cur = curriculum_of(self.app, self.who, c).await?;
                let checks = checklist::checklist(c, &cur, has_cover(c));
                let cat = category_slug(self.app, c).await?;
                (Some(course_view(tr, c, cat)), modules_view(&cur), checks)
            }
            None => (None, Vec::new(), Vec::new()),
        };
        let drafts = if c.is_none() { self.drafts().await? } else { Vec::new() };
        let ready = checks.iter().all(|c| c.ok || !c.required);
        let title = format!("{} · {}", tr.t("wizard-title"), tr.t(&format!("wizard-step-{step}")));
        Ok(WizardPage {
            l: studio_layout(self.app, self.ctx, title),
            step,
            next: next_step(step),
            steps,
            c: view,
            f,
            categories: category_choices(self.app, tr).await?,
            currencies: CURRENCIES,
            drafts,
            modules,
            checks: checks_view(&checks),
            ready,
            outcome: None,
        })
    }

    /// The teacher's drafts, newest first: the wizard offers to continue them.
    async fn drafts(&self) -> Result<Vec<(String, String)>> {
        let who = self.who.id;
        let ids =
            self.app.store.read(move |rtx| Ok(crate::catalog::repo::teacher_course_ids(rtx, who)?)).await?;
        let mut out = Vec::new();
        for id in ids.into_iter().rev() {
            if let Some(c) = self.app.catalog.course_by_id(id).await?
                && c.status == CourseStatus::Draft
            {
                out.push((c.id.to_string(), c.title.clone()));
            }
        }
        Ok(out)
    }

    async fn show(&self, headers: &HeaderMap, status: StatusCode, page: WizardPage) -> Result<Response> {
        Ok(html(self.ctx, headers, status, render(&page)?))
    }
}

/// `GET /studio/courses/new`: the wizard's first step, and the drafts to continue.
pub async fn wizard_start(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let who = teacher(&ctx)?;
    let w = Wizard { app: &app, ctx: &ctx, who };
    let mut f = FormState::default();
    f = f.keep("language", ctx.tr().lang().code()).keep("level", "beginner");
    let page = w.page("basics", None, f).await?;
    w.show(&headers, StatusCode::OK, page).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BasicsForm {
    csrf: String,
    title: String,
    subtitle: String,
    category: String,
    level: String,
    language: String,
}

fn keep_basics(f: FormState, b: &BasicsForm) -> FormState {
    f.keep("title", &b.title)
        .keep("subtitle", &b.subtitle)
        .keep("category", &b.category)
        .keep("level", &b.level)
        .keep("language", &b.language)
}

/// `POST /studio/courses/new`: creates the draft (free until the price step says otherwise).
pub async fn wizard_create(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(b): Form<BasicsForm>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    ctx.check_csrf(&b.csrf)?;
    let draft = CourseDraft {
        title: b.title.clone(),
        subtitle: Some(b.subtitle.clone()),
        description: String::new(),
        level: b.level.clone(),
        language: b.language.clone(),
        category: b.category.clone(),
        price_minor: 0,
        currency: if ctx.tr().lang().code() == "ru" { "RUB".into() } else { "USD".into() },
        slug: None,
    };
    let result = match draft.check() {
        Ok(input) => app.catalog.create_course(who, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/studio/courses/{}/wizard/description", c.id))),
        Err(e) => {
            let w = Wizard { app: &app, ctx: &ctx, who };
            let f = keep_basics(FormState::default(), &b).failed(ctx.tr(), e)?;
            let page = w.page("basics", None, f).await?;
            w.show(&headers, StatusCode::UNPROCESSABLE_ENTITY, page).await
        }
    }
}

/// `GET /studio/courses/{id}/wizard`: resumes a draft at its first unfinished step.
pub async fn wizard_resume(
    State(app): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    let c = own_course(&app, who, &id).await?;
    let cur = curriculum_of(&app, who, &c).await?;
    let checks = checklist::checklist(&c, &cur, has_cover(&c));
    let step = checklist::first_open_step(&checks).map_or("publish", Step::as_str);
    // The basics were done when the draft was created.
    let step = if step == "basics" { "description" } else { step };
    Ok(see_other(&format!("/studio/courses/{id}/wizard/{step}")))
}

fn step_key(raw: &str) -> Result<&'static str> {
    STEPS.iter().copied().find(|s| *s == raw).ok_or(Error::NotFound)
}

/// `GET /studio/courses/{id}/wizard/{step}`.
pub async fn wizard_step(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    let step = step_key(&step)?;
    let c = own_course(&app, who, &id).await?;
    let w = Wizard { app: &app, ctx: &ctx, who };
    let f = stored_details(&app, &c, FormState::default()).await?;
    let page = w.page(step, Some(&c), f).await?;
    w.show(&headers, StatusCode::OK, page).await
}

/// Every field a wizard step or the editor's forms may send; each step reads its own.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    csrf: String,
    title: String,
    subtitle: String,
    category: String,
    level: String,
    language: String,
    description: String,
    module_title: String,
    lesson_title: String,
    lesson_body: String,
    pricing: String,
    price: String,
    currency: String,
    cover_upload_id: String,
}

impl StepForm {
    /// What was typed, to show again after a refusal.
    fn typed(&self) -> [(&'static str, &str); 10] {
        [
            ("title", &self.title),
            ("subtitle", &self.subtitle),
            ("category", &self.category),
            ("level", &self.level),
            ("language", &self.language),
            ("description", &self.description),
            ("module_title", &self.module_title),
            ("lesson_title", &self.lesson_title),
            ("lesson_body", &self.lesson_body),
            ("price", &self.price),
        ]
    }
}

fn next_step(step: &str) -> &'static str {
    let at = STEPS.iter().position(|s| *s == step).unwrap_or(0);
    STEPS[(at + 1).min(STEPS.len() - 1)]
}

/// The pricing fields as a course change: "free" or a price in a currency.
fn price_change(b: &StepForm) -> Result<CourseChange> {
    let price_minor = if b.pricing == "free" { 0 } else { price_field(&b.price)? };
    if b.pricing == "paid" && price_minor == 0 {
        return Err(Error::validation("price_minor", "a paid course needs a price"));
    }
    Ok(CourseChange {
        price_minor: Some(price_minor),
        currency: Some(b.currency.clone()).filter(|c| !c.is_empty()),
        ..CourseChange::default()
    })
}

/// What a step's form changes: saved before moving on, so leaving the wizard loses nothing.
async fn save_step(
    app: &AppState,
    who: &UserRecord,
    c: &CourseRecord,
    step: &str,
    b: &StepForm,
) -> Result<()> {
    match step {
        "basics" => {
            let patch = CourseChange {
                title: Some(b.title.clone()),
                subtitle: Some(b.subtitle.clone()),
                category: Some(b.category.clone()),
                level: Some(b.level.clone()),
                language: Some(b.language.clone()),
                ..CourseChange::default()
            }
            .check()?;
            app.catalog.update_course(who, c.id, patch).await?;
        }
        "description" => {
            let patch = CourseChange { description: Some(b.description.clone()), ..CourseChange::default() }
                .check()?;
            app.catalog.update_course(who, c.id, patch).await?;
        }
        "curriculum" => add_first_lesson(app, who, c, b).await?,
        "price" => {
            let patch = price_change(b)?.check()?;
            app.catalog.update_course(who, c.id, patch).await?;
        }
        "cover" => save_cover(app, who, c, &b.cover_upload_id).await?,
        _ => {}
    }
    Ok(())
}

/// A cover the upload widget put in the form (nothing chosen: nothing changes).
async fn save_cover(app: &AppState, who: &UserRecord, c: &CourseRecord, upload: &str) -> Result<()> {
    if upload.trim().is_empty() {
        return Ok(());
    }
    let patch =
        CourseChange { cover_upload_id: Some(Some(upload.trim().to_owned())), ..CourseChange::default() };
    app.catalog.update_course(who, c.id, patch.check()?).await?;
    Ok(())
}

/// The curriculum step: a module (the first one, or a new one when its title is given) and a
/// lesson in it. A teacher who already has lessons may move on with the fields left empty.
async fn add_first_lesson(app: &AppState, who: &UserRecord, c: &CourseRecord, b: &StepForm) -> Result<()> {
    let cur = curriculum_of(app, who, c).await?;
    if b.lesson_title.trim().is_empty() && b.module_title.trim().is_empty() && c.total_lessons > 0 {
        return Ok(());
    }
    let lesson_title = text("lesson_title", &b.lesson_title, 1, 160);
    let body = text("lesson_body", &b.lesson_body, 1, crate::catalog::input::MAX_LESSON_BODY);
    let module_title = match cur.modules.first() {
        Some(_) if b.module_title.trim().is_empty() => None,
        _ => Some(text("module_title", &b.module_title, 1, 120)),
    };
    let errors: Vec<_> = [
        lesson_title.as_ref().err(),
        body.as_ref().err(),
        module_title.as_ref().and_then(|m| m.as_ref().err()),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let module = match module_title {
        Some(t) => app.catalog.add_module(who, c.id, t.expect("checked"), None).await?.id,
        None => cur.modules[0].0.id,
    };
    let lesson = NewLesson {
        title: lesson_title.expect("checked"),
        kind: LessonKind::Text,
        body_md: body.expect("checked"),
        video_url: None,
        duration_s: 0,
        is_preview: c.total_lessons == 0,
        position: None,
        media: Default::default(),
        quiz: None,
    };
    app.catalog.add_lesson(who, module, lesson).await?;
    Ok(())
}

/// `POST /studio/courses/{id}/wizard/{step}`: saves the step and goes to the next one (the
/// curriculum step stays while the teacher adds lessons with "add another").
pub async fn wizard_save(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    Form(b): Form<StepForm>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    ctx.check_csrf(&b.csrf)?;
    let step = step_key(&step)?;
    let c = own_course(&app, who, &id).await?;
    let w = Wizard { app: &app, ctx: &ctx, who };
    if step == "publish" {
        return match app.catalog.publish(who, c.id).await {
            Ok(after) => {
                let mut page = w.page("publish", Some(&after), FormState::default()).await?;
                page.outcome = Some(after.status.as_str());
                w.show(&headers, StatusCode::OK, page).await
            }
            Err(e) => {
                let f = FormState::default().failed(ctx.tr(), e)?;
                let page = w.page("publish", Some(&c), f).await?;
                w.show(&headers, StatusCode::CONFLICT, page).await
            }
        };
    }
    match save_step(&app, who, &c, step, &b).await {
        Ok(()) => Ok(see_other(&format!("/studio/courses/{id}/wizard/{}", next_step(step)))),
        Err(e) => {
            let f = FormState::with(&b.typed()).failed(ctx.tr(), e)?;
            let c = own_course(&app, who, &id).await?;
            let page = w.page(step, Some(&c), f).await?;
            w.show(&headers, StatusCode::UNPROCESSABLE_ENTITY, page).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The course editor

#[derive(Template)]
#[template(path = "studio_editor.html")]
struct EditorPage {
    l: Layout,
    c: CourseView,
    f: FormState,
    categories: Vec<Choice>,
    currencies: &'static [&'static str],
    modules: Vec<ModuleView>,
    checks: Vec<CheckView>,
    coupons: Vec<CouponView>,
    notice: Option<String>,
    in_review: bool,
}

pub struct CouponView {
    pub code: String,
    pub discount: String,
    pub uses: String,
    pub active: bool,
}

async fn editor_page(
    app: &AppState,
    ctx: &PageCtx,
    who: &UserRecord,
    c: &CourseRecord,
    f: FormState,
    notice: Option<String>,
) -> Result<EditorPage> {
    let tr = ctx.tr();
    let cur = curriculum_of(app, who, c).await?;
    let checks = checklist::checklist(c, &cur, has_cover(c));
    let coupons = app
        .commerce
        .coupons(who, Some(c.id))
        .await?
        .into_iter()
        .map(|k| CouponView {
            discount: match k.discount {
                crate::commerce::coupons::Discount::Percent(p) => format!("{p} %"),
                crate::commerce::coupons::Discount::Amount(a) => {
                    money(tr, a, k.currency.as_deref().unwrap_or(&c.currency))
                }
            },
            uses: match k.max_redemptions {
                Some(max) => format!("{} / {max}", k.redemptions),
                None => k.redemptions.to_string(),
            },
            code: k.code,
            active: k.active,
        })
        .collect();
    let f =
        if f.value("title").is_empty() && f.error.is_none() { stored_details(app, c, f).await? } else { f };
    Ok(EditorPage {
        l: studio_layout(app, ctx, format!("{} · {}", c.title, tr.t("studio-editor"))),
        c: course_view(tr, c, category_slug(app, c).await?),
        f,
        categories: category_choices(app, tr).await?,
        currencies: CURRENCIES,
        modules: modules_view(&cur),
        checks: checks_view(&checks),
        coupons,
        notice,
        in_review: c.status == CourseStatus::InReview,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
}

/// `GET /studio/courses/{id}`: the course editor.
pub async fn editor(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    let c = own_course(&app, who, &id).await?;
    let tr = ctx.tr();
    let notice = q.saved.and_then(|what| tr.maybe(&format!("studio-saved-{what}")));
    let page = editor_page(&app, &ctx, who, &c, FormState::default(), notice).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditorForm {
    csrf: String,
    /// Which form: `details`, `price`, `coupon`, `publish`, `unpublish`, or a curriculum action
    /// (`add_module`, `rename_module`, `delete_module`, `module_up`, `module_down`,
    /// `add_lesson`, `delete_lesson`, `lesson_up`, `lesson_down`).
    action: String,
    title: String,
    subtitle: String,
    category: String,
    level: String,
    language: String,
    description: String,
    slug: String,
    pricing: String,
    price: String,
    currency: String,
    code: String,
    percent: String,
    /// The module or lesson a curriculum action is about.
    target: String,
    kind: String,
    cover_upload_id: String,
    /// A module's opening rule (`unlock`).
    after_days: String,
    on: String,
    after_module: String,
}

impl EditorForm {
    /// What was typed, to show again after a refusal.
    fn typed(&self) -> [(&'static str, &str); 10] {
        [
            ("title", &self.title),
            ("subtitle", &self.subtitle),
            ("category", &self.category),
            ("level", &self.level),
            ("language", &self.language),
            ("description", &self.description),
            ("slug", &self.slug),
            ("price", &self.price),
            ("code", &self.code),
            ("percent", &self.percent),
        ]
    }
}

/// `POST /studio/courses/{id}`: every editor form without JavaScript; each saves and comes
/// back to its section of the editor, or shows the editor again with what was refused.
pub async fn editor_save(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(b): Form<EditorForm>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    ctx.check_csrf(&b.csrf)?;
    let c = own_course(&app, who, &id).await?;
    let outcome = editor_action(&app, who, &c, &b).await;
    match outcome {
        Ok(Some(to)) => Ok(see_other(&to)),
        Ok(None) => {
            Ok(see_other(&format!("/studio/courses/{id}?saved={}#{}", b.action, section_of(&b.action))))
        }
        Err(e) => {
            let f = FormState::with(&b.typed()).failed(ctx.tr(), e)?;
            let c = own_course(&app, who, &id).await?;
            let page = editor_page(&app, &ctx, who, &c, f, None).await?;
            let status =
                if b.action == "publish" { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok(html(&ctx, &headers, status, render(&page)?))
        }
    }
}

fn section_of(action: &str) -> &'static str {
    match action {
        "details" => "details",
        "price" | "coupon" => "pricing",
        "cover" | "remove_cover" => "details",
        "publish" | "unpublish" => "publishing",
        _ => "curriculum",
    }
}

/// Does what an editor form asks; `Some(url)` to go somewhere else than back to the editor.
async fn editor_action(
    app: &AppState,
    who: &UserRecord,
    c: &CourseRecord,
    b: &EditorForm,
) -> Result<Option<String>> {
    let cat = &app.catalog;
    match b.action.as_str() {
        "details" => {
            let patch = CourseChange {
                title: Some(b.title.clone()),
                subtitle: Some(b.subtitle.clone()),
                description: Some(b.description.clone()),
                category: Some(b.category.clone()),
                level: Some(b.level.clone()),
                language: Some(b.language.clone()),
                slug: Some(b.slug.clone()).filter(|s| !s.trim().is_empty() && *s != c.slug),
                ..CourseChange::default()
            }
            .check()?;
            cat.update_course(who, c.id, patch).await?;
        }
        "price" => {
            let form = StepForm {
                pricing: b.pricing.clone(),
                price: b.price.clone(),
                currency: b.currency.clone(),
                ..StepForm::default()
            };
            cat.update_course(who, c.id, price_change(&form)?.check()?).await?;
        }
        "coupon" => {
            let percent = b.percent.trim().parse::<u8>().ok().filter(|p| (1..=100).contains(p));
            let code = crate::commerce::coupons::check_code(&b.code);
            let (code, percent) = match (code, percent) {
                (Ok(code), Some(p)) => (code, p),
                (code, p) => {
                    let mut errors = Vec::new();
                    if let Err(e) = code {
                        errors.push(e);
                    }
                    if p.is_none() {
                        errors.push(crate::error::FieldError::new("percent", "must be between 1 and 100"));
                    }
                    return Err(Error::Validation(errors));
                }
            };
            let input = crate::commerce::service::NewCoupon {
                code,
                discount: crate::commerce::coupons::Discount::Percent(percent),
                currency: None,
                max_redemptions: None,
                expires_at: None,
            };
            app.commerce.create_coupon(who, Some(c.id), input).await?;
        }
        "cover" => save_cover(app, who, c, &b.cover_upload_id).await?,
        "remove_cover" => {
            let patch = CourseChange { cover_upload_id: Some(None), ..CourseChange::default() };
            cat.update_course(who, c.id, patch.check()?).await?;
        }
        "publish" => {
            cat.publish(who, c.id).await?;
        }
        "unpublish" => {
            let patch = CourseChange { status: Some("draft".into()), ..CourseChange::default() }.check()?;
            cat.update_course(who, c.id, patch).await?;
        }
        "add_module" => {
            let title = text("module_title", &b.title, 1, 120).map_err(|e| Error::Validation(vec![e]))?;
            cat.add_module(who, c.id, title, None).await?;
        }
        "rename_module" => {
            let title = text("module_title", &b.title, 1, 120).map_err(|e| Error::Validation(vec![e]))?;
            cat.update_module(who, parse(&b.target)?, Some(title), None, None).await?;
        }
        "delete_module" => cat.delete_module(who, parse(&b.target)?).await?,
        "module_up" | "module_down" => {
            let cur = curriculum_of(app, who, c).await?;
            let mut ids: Vec<ModuleId> = cur.modules.iter().map(|(m, _)| m.id).collect();
            swap_neighbour(&mut ids, parse(&b.target)?, b.action == "module_up");
            cat.order_modules(who, c.id, ids).await?;
        }
        "add_lesson" => {
            let title = text("lesson_title", &b.title, 1, 160).map_err(|e| Error::Validation(vec![e]))?;
            let module: ModuleId = parse(&b.target)?;
            let quiz = b.kind == "quiz";
            let lesson = NewLesson {
                title,
                kind: if quiz { LessonKind::Quiz } else { LessonKind::Text },
                body_md: String::new(),
                video_url: None,
                duration_s: 0,
                is_preview: false,
                position: None,
                media: Default::default(),
                // A new quiz starts with one question for the teacher to rewrite.
                quiz: quiz.then(crate::catalog::quiz::starter),
            };
            let l = cat.add_lesson(who, module, lesson).await?;
            return Ok(Some(format!("/studio/lessons/{}", l.id)));
        }
        "unlock" => {
            let days = match b.after_days.trim() {
                "" => None,
                d => Some(
                    d.parse::<u32>()
                        .map_err(|_| Error::validation("unlock.after_days", "must be 0 to 3650"))?,
                ),
            };
            let rule = crate::catalog::input::unlock(days, Some(&b.on), Some(&b.after_module))?;
            let rule = (!rule.is_empty()).then_some(rule);
            cat.update_module(who, parse(&b.target)?, None, None, Some(rule)).await?;
        }
        "delete_lesson" => cat.delete_lesson(who, parse(&b.target)?).await?,
        "lesson_up" | "lesson_down" => {
            let id: LessonId = parse(&b.target)?;
            let cur = curriculum_of(app, who, c).await?;
            let (m, ls) =
                cur.modules.iter().find(|(_, ls)| ls.iter().any(|l| l.id == id)).ok_or(Error::NotFound)?;
            let mut ids: Vec<LessonId> = ls.iter().map(|l| l.id).collect();
            swap_neighbour(&mut ids, id, b.action == "lesson_up");
            cat.order_lessons(who, m.id, ids).await?;
        }
        _ => return Err(Error::validation("action", "unknown action")),
    }
    Ok(None)
}

/// Moves `id` one place up (or down) in `ids`; at either end it stays.
fn swap_neighbour<T: PartialEq + Copy>(ids: &mut [T], id: T, up: bool) {
    if let Some(i) = ids.iter().position(|x| *x == id) {
        let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < ids.len()) };
        if let Some(j) = j {
            ids.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The lesson editor

#[derive(Template)]
#[template(path = "studio_lesson.html")]
struct LessonPage {
    l: Layout,
    c: CourseView,
    lesson: LessonView,
    f: FormState,
    /// The stored version a save conflicted with, shown beside the teacher's own text.
    conflict: Option<LessonView>,
    saved: bool,
}

pub struct LessonView {
    pub id: String,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub video: bool,
    pub video_url: String,
    pub minutes: u32,
    pub preview: bool,
    pub revision: u32,
    /// The uploaded video's URL and type.
    pub uploaded_video: Option<(String, String)>,
    /// (id, URL, file name) of each attachment.
    pub attachments: Vec<(String, String, String)>,
    /// A quiz lesson's questions in the studio's text format (`catalog::quiz::to_text`), its
    /// pass mark and attempt limit (empty: none).
    pub quiz: Option<(String, u32, String)>,
}

fn lesson_view(l: &LessonRecord) -> LessonView {
    LessonView {
        id: l.id.to_string(),
        title: l.title.clone(),
        body: l.body_md.clone(),
        body_html: l.body_html.clone(),
        video: l.kind == LessonKind::Video,
        video_url: l.video_url.clone().unwrap_or_default(),
        minutes: l.duration_s.div_ceil(60),
        preview: l.is_preview,
        revision: l.revision,
        uploaded_video: l.video_upload.as_ref().map(|v| (v.url(), v.content_type.clone())),
        attachments: l.attachments.iter().map(|a| (a.id.to_string(), a.url(), a.filename.clone())).collect(),
        quiz: l.quiz.as_ref().map(|q| {
            (
                crate::catalog::quiz::to_text(q),
                q.pass_percent,
                q.max_attempts.map(|n| n.to_string()).unwrap_or_default(),
            )
        }),
    }
}

async fn own_lesson(app: &AppState, who: &UserRecord, id: &str) -> Result<(Arc<CourseRecord>, LessonRecord)> {
    let (course, l, _) = app.catalog.lesson(parse(id)?, Some(who)).await?;
    let course = own_course(app, who, &course.id.to_string()).await?;
    Ok((course, l))
}

async fn lesson_page(
    app: &AppState,
    ctx: &PageCtx,
    c: &CourseRecord,
    l: &LessonRecord,
    f: FormState,
) -> Result<LessonPage> {
    let tr = ctx.tr();
    Ok(LessonPage {
        l: studio_layout(app, ctx, format!("{} · {}", l.title, tr.t("studio-lesson-editor"))),
        c: course_view(tr, c, String::new()),
        lesson: lesson_view(l),
        f,
        conflict: None,
        saved: false,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /studio/lessons/{id}`: the lesson editor.
pub async fn lesson_editor(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    let (c, l) = own_lesson(&app, who, &id).await?;
    let mut page = lesson_page(&app, &ctx, &c, &l, FormState::default()).await?;
    page.saved = q.saved.is_some();
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LessonForm {
    csrf: String,
    title: String,
    body: String,
    video_url: String,
    minutes: String,
    preview: Option<String>,
    revision: Option<u32>,
    /// Set by the "remove" buttons: the attachment to drop, or the uploaded video.
    remove_attachment: String,
    remove_video: String,
    /// A quiz lesson's questions in the studio's text format, pass mark and attempt limit.
    quiz: Option<String>,
    pass_percent: String,
    max_attempts: String,
}

/// A quiz as the lesson editor's fields give it.
fn quiz_from_form(b: &LessonForm) -> Result<Option<crate::catalog::quiz::QuizIn>> {
    let Some(text) = &b.quiz else { return Ok(None) };
    let questions = crate::catalog::quiz::parse_text(text).map_err(Error::Validation)?;
    let pass_percent = b
        .pass_percent
        .trim()
        .parse::<u32>()
        .map_err(|_| Error::validation("quiz.pass_percent", "must be a number from 1 to 100"))?;
    let max_attempts = match b.max_attempts.trim() {
        "" => None,
        n => Some(
            n.parse::<u32>().map_err(|_| Error::validation("quiz.max_attempts", "must be a whole number"))?,
        ),
    };
    Ok(Some(crate::catalog::quiz::QuizIn { pass_percent, max_attempts, questions }))
}

/// `POST /studio/lessons/{id}`: saves the lesson. When someone saved it since the form was
/// opened, nothing is overwritten: the page comes back with the teacher's text in the form
/// and the stored version beside it; saving again then replaces the stored one knowingly.
pub async fn lesson_save(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(b): Form<LessonForm>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    ctx.check_csrf(&b.csrf)?;
    let (c, l) = own_lesson(&app, who, &id).await?;
    let minutes = match b.minutes.trim() {
        "" => Ok(0),
        m => m.parse::<u32>().map_err(|_| Error::validation("minutes", "must be a whole number of minutes")),
    };
    let attachments = (!b.remove_attachment.is_empty()).then(|| {
        l.attachments.iter().map(|a| a.id.to_string()).filter(|id| *id != b.remove_attachment).collect()
    });
    let video_upload_id = (!b.remove_video.is_empty()).then_some(None);
    let quiz = if l.kind == LessonKind::Quiz { quiz_from_form(&b) } else { Ok(None) };
    let change = minutes.and_then(|m| quiz.map(|q| (m, q))).and_then(|(m, quiz)| {
        LessonChange {
            quiz,
            video_upload_id,
            attachment_upload_ids: attachments,
            title: Some(b.title.clone()),
            body: Some(b.body.clone()),
            video_url: Some(b.video_url.clone()),
            duration_s: Some(m.saturating_mul(60)),
            is_preview: Some(b.preview.is_some()),
            revision: b.revision,
            ..LessonChange::default()
        }
        .check()
    });
    let result = match change {
        Ok(patch) => app.catalog.update_lesson(who, l.id, patch).await,
        Err(e) => Err(e),
    };
    let keep = |f: FormState| {
        f.keep("title", &b.title)
            .keep("body", &b.body)
            .keep("video_url", &b.video_url)
            .keep("minutes", &b.minutes)
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/studio/lessons/{id}?saved=1"))),
        Err(Error::EditConflict(_)) => {
            // The stored version, with the teacher's text kept in the form.
            let mut page = lesson_page(&app, &ctx, &c, &l, keep(FormState::default())).await?;
            page.conflict = Some(lesson_view(&l));
            page.lesson.title = b.title.clone();
            page.lesson.body = b.body.clone();
            Ok(html(&ctx, &headers, StatusCode::CONFLICT, render(&page)?))
        }
        Err(e) => {
            let f = keep(FormState::default()).failed(ctx.tr(), e)?;
            let mut page = lesson_page(&app, &ctx, &c, &l, f).await?;
            page.lesson.title = b.title.clone();
            page.lesson.body = b.body.clone();
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Verification

#[derive(Template)]
#[template(path = "studio_verification.html")]
struct VerificationPage {
    l: Layout,
    /// `none`, `pending`, `approved` or `rejected`.
    status: &'static str,
    verified: bool,
    reason: Option<String>,
    submitted: Option<String>,
    f: FormState,
}

async fn verification_page(
    app: &AppState,
    ctx: &PageCtx,
    who: &UserRecord,
    f: FormState,
) -> Result<VerificationPage> {
    let tr = ctx.tr();
    let v = app.moderation.verification(who).await?;
    Ok(VerificationPage {
        l: studio_layout(app, ctx, tr.t("verification-title")),
        status: v.as_ref().map_or("none", |v| v.status.as_str()),
        verified: who.verified_at.is_some(),
        reason: v.as_ref().and_then(|v| v.reason.clone()),
        submitted: v.as_ref().map(|v| crate::web::view::date(tr, v.submitted_at)),
        f,
    })
}

/// `GET /studio/verification`: where the teacher's verification stands, and the form to ask.
pub async fn verification(State(app): State<AppState>, ctx: PageCtx, headers: HeaderMap) -> Result<Response> {
    let who = teacher(&ctx)?;
    let page = verification_page(&app, &ctx, who, FormState::default()).await?;
    Ok(html(&ctx, &headers, StatusCode::OK, render(&page)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VerificationForm {
    csrf: String,
    note: String,
    doc1: String,
    doc2: String,
    doc3: String,
}

/// `POST /studio/verification`: sends the uploaded documents and the note to the admins.
pub async fn request_verification(
    State(app): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Form(b): Form<VerificationForm>,
) -> Result<Response> {
    let who = teacher(&ctx)?;
    ctx.check_csrf(&b.csrf)?;
    let docs: Vec<String> = [&b.doc1, &b.doc2, &b.doc3]
        .into_iter()
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .collect();
    let outcome = match crate::moderation::verification::note(&b.note) {
        Ok(note) => app.moderation.request_verification(who, docs, note).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(see_other("/studio/verification")),
        Err(e) => {
            let f = FormState::default().keep("note", &b.note).failed(ctx.tr(), e)?;
            let page = verification_page(&app, &ctx, who, f).await?;
            Ok(html(&ctx, &headers, StatusCode::UNPROCESSABLE_ENTITY, render(&page)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_a_neighbour_stops_at_the_ends() {
        let mut ids = [1, 2, 3];
        swap_neighbour(&mut ids, 1, true);
        assert_eq!(ids, [1, 2, 3]);
        swap_neighbour(&mut ids, 3, true);
        assert_eq!(ids, [1, 3, 2]);
        swap_neighbour(&mut ids, 2, false);
        assert_eq!(ids, [1, 3, 2]);
    }

    #[test]
    fn the_wizard_goes_forward_and_stops_at_publish() {
        assert_eq!(next_step("basics"), "description");
        assert_eq!(next_step("price"), "publish");
        assert_eq!(next_step("publish"), "publish");
    }
}
