//! The demo school: `lectern serve --demo` loads it into an empty data dir.
//!
//! The content lives in `data/demo/` (categories, teachers, students, one JSON file per course)
//! and is embedded in the binary, so a downloaded binary can show a full school. Loading is
//! idempotent: accounts are matched by email, categories and courses by slug, and a course's
//! enrollments, reviews and Q&A threads (`questions.json`, by course slug) are created only
//! together with the course.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, bail};
use rust_embed::RustEmbed;
use serde::Deserialize;

use crate::app::AppState;
use crate::catalog::repo::{self as catalog, CategoryRecord, CourseRecord, LessonRecord, ModuleRecord};
use crate::catalog::types::{CourseStatus, LessonKind, Level, Slug};
use crate::clock::Timestamp;
use crate::commerce::coupons::{self, CouponRecord, Discount};
use crate::identity::Role;
use crate::identity::repo::{self as identity, UserRecord};
use crate::ids::{CategoryId, CouponId, CourseId, LessonId, ModuleId, ReviewId, UserId};
use crate::learning::repo::{self as learning, EnrollmentRecord, EnrollmentStatus, ReviewRecord};
use crate::richtext::{Profile, render_markdown};
use crate::schema::*;

#[derive(RustEmbed)]
#[folder = "data/demo/"]
#[include = "*.json"]
struct Content;

/// A lesson Q&A thread of a demo course (`questions.json`: course slug → threads).
#[derive(Deserialize)]
struct Thread {
    student: String,
    /// The lesson's position in the course, from 1.
    lesson: usize,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    answers: Vec<DemoAnswer>,
}

#[derive(Deserialize)]
struct DemoAnswer {
    /// A student's key, or `teacher`.
    by: String,
    body: String,
    #[serde(default)]
    accepted: bool,
}

/// The password of every demo account (printed at start; demo schools are for trying out).
pub const PASSWORD: &str = "lectern-demo-2026";
pub const ADMIN_EMAIL: &str = "admin@demo.lectern.school";

#[derive(Deserialize)]
struct Category {
    slug: String,
    name: String,
    name_ru: Option<String>,
}

#[derive(Deserialize)]
struct Person {
    key: String,
    email: String,
    name: String,
    locale: String,
    #[serde(default)]
    bio: String,
}

#[derive(Deserialize)]
struct Course {
    slug: String,
    title: String,
    subtitle: String,
    description: String,
    level: String,
    language: String,
    category: String,
    price_minor: i64,
    currency: String,
    teacher: String,
    created_days_ago: i64,
    modules: Vec<Module>,
    #[serde(default)]
    enrollments: Vec<Enrollment>,
    #[serde(default)]
    reviews: Vec<Review>,
}

#[derive(Deserialize)]
struct Module {
    title: String,
    lessons: Vec<Lesson>,
    /// Drip or prerequisite: `{after_days?, on?, after_module?}` (`after_module`: the index of
    /// an earlier module of the course).
    #[serde(default)]
    unlock: Option<DemoUnlock>,
}

#[derive(Deserialize)]
struct DemoUnlock {
    #[serde(default)]
    after_days: Option<u32>,
    #[serde(default)]
    after_module: Option<usize>,
}

#[derive(Deserialize)]
struct Lesson {
    title: String,
    #[serde(default)]
    body: String,
    duration_s: u32,
    #[serde(default)]
    is_preview: bool,
    /// A quiz lesson's questions, as the API takes them.
    #[serde(default)]
    quiz: Option<crate::catalog::quiz::QuizIn>,
}

#[derive(Deserialize)]
struct Enrollment {
    student: String,
    completed: serde_json::Value,
}

#[derive(Deserialize)]
struct Review {
    student: String,
    rating: u8,
    text: String,
}

fn read<T: for<'de> Deserialize<'de>>(path: &str) -> anyhow::Result<T> {
    let file = Content::get(path).with_context(|| format!("demo file {path} is missing"))?;
    serde_json::from_slice(&file.data).with_context(|| format!("demo file {path}"))
}

/// What was loaded (and what already was there).
#[derive(Debug, Default)]
pub struct Report {
    pub categories: usize,
    pub users: usize,
    pub courses: usize,
    pub lessons: usize,
    pub enrollments: usize,
    pub reviews: usize,
    pub questions: usize,
    pub skipped_courses: usize,
}

/// A small deterministic generator, so a demo loads the same way every time.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        Rng(seed.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)))
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

pub async fn load(app: &AppState) -> anyhow::Result<Report> {
    let categories: Vec<Category> = read("categories.json")?;
    let teachers: Vec<Person> = read("teachers.json")?;
    let students: Vec<Person> = read("students.json")?;
    let mut courses: Vec<Course> = Vec::new();
    let mut files: Vec<String> =
        Content::iter().filter(|p| p.starts_with("courses/")).map(|p| p.to_string()).collect();
    files.sort();
    for f in &files {
        courses.push(read(f)?);
    }
    let now = app.clock.now();
    // Demo accounts share one known password: hash it once.
    let hash = crate::identity::password::hash_now(PASSWORD)?;
    let mut report = Report::default();

    // Categories and people.
    let (ids, new_users, new_cats) = {
        let (hash, teachers_in, students_in) = (hash.clone(), Arc::new(teachers), Arc::new(students));
        let cats = Arc::new(categories);
        app.store
            .write(move |tx| {
                let mut new_cats = 0;
                for (i, c) in cats.iter().enumerate() {
                    if catalog::category_by_slug(tx, &c.slug)?.is_none() {
                        let rec = CategoryRecord {
                            id: CategoryId::generate(),
                            slug: c.slug.clone(),
                            name: c.name.clone(),
                            name_ru: c.name_ru.clone(),
                            position: i as u32 + 1,
                            course_count: 0,
                        };
                        catalog::insert_category(tx, &rec)?;
                        new_cats += 1;
                    }
                }
                let mut ids: HashMap<String, UserId> = HashMap::new();
                let mut new_users = 0;
                let mut person =
                    |tx: &mut crate::store::Tx<'_>, p: &Person, role: Role| -> crate::error::Result<()> {
                        let email = p.email.to_lowercase();
                        let id = match tx.get(USERS_BY_EMAIL, &email)? {
                            Some(id) => UserId::from_key(id),
                            None => {
                                let u = UserRecord {
                                    id: UserId::generate(),
                                    email,
                                    name: p.name.clone(),
                                    role,
                                    password_hash: hash.clone(),
                                    email_verified: true,
                                    locale: p.locale.clone(),
                                    created_at: now,
                                    updated_at: now,
                                    password_changed_at: None,
                                    bio_html: render_markdown(&p.bio, Profile::Short),
                                    locked_at: None,
                                    deleted_at: None,
                                    verified_at: None,
                                    last_active_at: None,
                                };
                                identity::insert_user(tx, &u)?;
                                new_users += 1;
                                u.id
                            }
                        };
                        ids.insert(p.key.clone(), id);
                        Ok(())
                    };
                for t in teachers_in.iter() {
                    person(tx, t, Role::Teacher)?;
                }
                for s in students_in.iter() {
                    person(tx, s, Role::Student)?;
                }
                let admin = Person {
                    key: "admin".into(),
                    email: ADMIN_EMAIL.into(),
                    name: "Demo Admin".into(),
                    locale: "en".into(),
                    bio: String::new(),
                };
                if !identity::any_with_role(tx, Role::Admin)? {
                    person(tx, &admin, Role::Admin)?;
                }
                Ok((ids, new_users, new_cats))
            })
            .await?
    };
    report.users = new_users;
    report.categories = new_cats;
    let ids = Arc::new(ids);

    let mut threads: HashMap<String, Vec<Thread>> = read("questions.json")?;
    for course in courses {
        let qa = Arc::new(threads.remove(&course.slug).unwrap_or_default());
        let c = Arc::new(course);
        let loaded = {
            let (c, ids, qa) = (c.clone(), ids.clone(), qa.clone());
            app.store.write(move |tx| load_course(tx, &c, &qa, &ids, now)).await?
        };
        if loaded.is_some() {
            report.questions += qa.len();
        }
        match loaded {
            Some((lessons, enrollments, reviews)) => {
                report.courses += 1;
                report.lessons += lessons;
                report.enrollments += enrollments;
                report.reviews += reviews;
            }
            None => report.skipped_courses += 1,
        }
    }
    // A school-wide coupon, so the demo can show a discounted purchase.
    let admin = ids.get("admin").copied().unwrap_or(UserId::from_key(0));
    app.store
        .write(move |tx| {
            let coupon = CouponRecord {
                id: CouponId::generate(),
                code: DEMO_COUPON.into(),
                course_id: None,
                discount: Discount::Percent(20),
                currency: None,
                max_redemptions: None,
                expires_at: None,
                active: true,
                redemptions: 0,
                held: 0,
                created_by: admin,
                created_at: now,
            };
            match coupons::insert(tx, &coupon) {
                Err(crate::error::Error::Conflict { .. }) => Ok(()), // loaded before
                other => other,
            }
        })
        .await?;
    Ok(report)
}

/// A course's Q&A threads: questions by enrolled students, answers by students and the teacher,
/// all published, spread over the last days.
fn load_threads(
    tx: &mut crate::store::Tx<'_>,
    course: &CourseRecord,
    lessons: &[LessonId],
    threads: &[Thread],
    ids: &HashMap<String, UserId>,
    now: Timestamp,
) -> crate::error::Result<()> {
    use crate::ids::{AnswerId, QuestionId};
    use crate::qa::repo::{self as qa, AnswerRecord, PostStatus, QuestionRecord};
    let bad =
        |what: String| crate::error::Error::Internal(anyhow::anyhow!("demo Q&A of {}: {what}", course.slug));
    let person = |tx: &crate::store::Tx<'_>, key: &str| -> crate::error::Result<UserId> {
        if key == "teacher" {
            return Ok(course.teacher_id);
        }
        let id = *ids.get(key).ok_or_else(|| bad(format!("unknown student {key}")))?;
        if learning::enrollment(tx, id, course.id)?.is_none() {
            return Err(bad(format!("{key} is not enrolled")));
        }
        Ok(id)
    };
    let hour = 3_600_000i64;
    for (i, t) in threads.iter().enumerate() {
        let lesson = *t
            .lesson
            .checked_sub(1)
            .and_then(|n| lessons.get(n))
            .ok_or_else(|| bad(format!("no lesson {}", t.lesson)))?;
        let author = person(tx, &t.student)?;
        let asked = Timestamp(now.millis() - (threads.len() - i) as i64 * 30 * hour);
        let mut q = QuestionRecord {
            id: QuestionId::generate(),
            course_id: course.id,
            lesson_id: lesson,
            author_id: author,
            title: t.title.clone(),
            body_md: t.body.clone(),
            body_html: render_markdown(&t.body, Profile::Short),
            created_at: asked,
            status: PostStatus::Published,
            flags: Vec::new(),
            evidence: Vec::new(),
            answer_count: 0,
            accepted_answer: None,
        };
        let mut answers = Vec::new();
        for (j, a) in t.answers.iter().enumerate() {
            let rec = AnswerRecord {
                id: AnswerId::generate(),
                question_id: q.id,
                course_id: course.id,
                author_id: person(tx, &a.by)?,
                body_md: a.body.clone(),
                body_html: render_markdown(&a.body, Profile::Short),
                created_at: Timestamp(asked.millis() + (j as i64 + 1) * 3 * hour),
                status: PostStatus::Published,
                flags: Vec::new(),
                evidence: Vec::new(),
            };
            if a.accepted {
                q.accepted_answer = Some(rec.id);
            }
            answers.push(rec);
        }
        q.answer_count = answers.len() as u32;
        qa::insert_question(tx, &q)?;
        for a in &answers {
            qa::insert_answer(tx, a)?;
        }
    }
    Ok(())
}

/// The demo's school-wide coupon: 20 % off any paid course.
pub const DEMO_COUPON: &str = "DEMO20";

type Counts = (usize, usize, usize);

fn load_course(
    tx: &mut crate::store::Tx<'_>,
    c: &Course,
    threads: &[Thread],
    ids: &HashMap<String, UserId>,
    now: Timestamp,
) -> crate::error::Result<Option<Counts>> {
    let bad = |what: String| crate::error::Error::Internal(anyhow::anyhow!("demo course {}: {what}", c.slug));
    if tx.contains(COURSES_BY_SLUG, &c.slug)? {
        return Ok(None);
    }
    Slug::parse("slug", &c.slug).map_err(|e| bad(e.message))?;
    let category = catalog::category_by_slug(tx, &c.category)?
        .ok_or_else(|| bad(format!("unknown category {}", c.category)))?;
    let teacher = *ids.get(&c.teacher).ok_or_else(|| bad(format!("unknown teacher {}", c.teacher)))?;
    let level = Level::parse(&c.level).map_err(|e| bad(e.message))?;
    let mut rng = Rng::new(&c.slug);
    let day = 86_400_000i64;
    let created = Timestamp(now.millis() - c.created_days_ago * day);
    let id = CourseId::generate();

    let mut lessons: Vec<LessonId> = Vec::new();
    let mut total_duration = 0u64;
    let mut module_ids: Vec<ModuleId> = Vec::new();
    for (mi, m) in c.modules.iter().enumerate() {
        let unlock = match &m.unlock {
            None => None,
            Some(u) => Some(crate::catalog::repo::Unlock {
                after_days: u.after_days,
                on_day: None,
                after_module: match u.after_module {
                    Some(i) => Some(*module_ids.get(i).ok_or_else(|| {
                        bad(format!("module {mi}: after_module {i} is not an earlier module"))
                    })?),
                    None => None,
                },
            }),
        };
        let module = ModuleRecord {
            id: ModuleId::generate(),
            course_id: id,
            title: m.title.clone(),
            position: mi as u32 + 1,
            unlock,
        };
        module_ids.push(module.id);
        tx.put(MODULES, &module.id.key(), &module)?;
        tx.put(MODULES_BY_COURSE, &(id.key(), module.id.key()), &())?;
        for (li, l) in m.lessons.iter().enumerate() {
            let quiz = match &l.quiz {
                Some(q) => Some(q.clone().check().map_err(|e| bad(format!("lesson {}: {e:?}", l.title)))?),
                None => None,
            };
            let lesson = LessonRecord {
                id: LessonId::generate(),
                course_id: id,
                module_id: module.id,
                title: l.title.clone(),
                position: li as u32 + 1,
                kind: if quiz.is_some() { LessonKind::Quiz } else { LessonKind::Text },
                body_md: l.body.clone(),
                body_html: render_markdown(&l.body, Profile::Document),
                video_url: None,
                duration_s: l.duration_s,
                is_preview: l.is_preview,
                created_at: created,
                updated_at: created,
                revision: 0,
                video_upload: None,
                attachments: Vec::new(),
                quiz,
            };
            total_duration += u64::from(l.duration_s);
            tx.put(LESSONS, &lesson.id.key(), &lesson)?;
            tx.put(LESSONS_BY_MODULE, &(module.id.key(), lesson.id.key()), &())?;
            lessons.push(lesson.id);
        }
    }
    let mut course = catalog::insert_course(
        tx,
        CourseRecord {
            id,
            seq: 0,
            slug: c.slug.clone(),
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            description_md: c.description.clone(),
            description_html: render_markdown(&c.description, Profile::Document),
            level,
            language: c.language.clone(),
            category_id: category.id,
            price_minor: c.price_minor,
            currency: c.currency.clone(),
            status: CourseStatus::Published,
            teacher_id: teacher,
            created_at: created,
            updated_at: created,
            published_at: Some(created),
            student_count: 0,
            review_count: 0,
            rating_sum: 0,
            total_lessons: lessons.len() as u32,
            total_duration_s: total_duration,
            cover: None,
        },
    )?;

    let total = lessons.len() as u32;
    for e in &c.enrollments {
        let student = *ids.get(&e.student).ok_or_else(|| bad(format!("unknown student {}", e.student)))?;
        let done = match &e.completed {
            serde_json::Value::String(s) if s == "all" => total,
            v => v.as_u64().ok_or_else(|| bad(format!("bad completed {v}")))?.min(u64::from(total)) as u32,
        };
        let age = (c.created_days_ago - 1).max(1) as u64;
        let enrolled_at = Timestamp(now.millis() - (1 + rng.below(age) as i64) * day);
        for (i, l) in lessons.iter().take(done as usize).enumerate() {
            let at = Timestamp(enrolled_at.millis() + (i as i64 + 1) * day / 4);
            learning::mark_completed(tx, student, id, *l, Timestamp(at.millis().min(now.millis())))?;
        }
        let completed = done == total && total > 0;
        let rec = EnrollmentRecord {
            status: if completed { EnrollmentStatus::Completed } else { EnrollmentStatus::Active },
            enrolled_at,
            completed_at: completed
                .then(|| Timestamp((enrolled_at.millis() + i64::from(total) * day / 4).min(now.millis()))),
            completed_lessons: done,
            last_activity_at: (done > 0)
                .then(|| Timestamp((enrolled_at.millis() + i64::from(done) * day / 4).min(now.millis()))),
        };
        learning::save_enrollment(tx, student, id, &rec)?;
        course.student_count += 1;
    }
    for r in &c.reviews {
        let author = *ids.get(&r.student).ok_or_else(|| bad(format!("unknown reviewer {}", r.student)))?;
        if learning::enrollment(tx, author, id)?.is_none() {
            return Err(bad(format!("reviewer {} is not enrolled", r.student)));
        }
        if !(1..=5).contains(&r.rating) {
            return Err(bad(format!("rating {}", r.rating)));
        }
        let at = Timestamp(now.millis() - rng.below((c.created_days_ago.max(2) as u64) / 2 + 1) as i64 * day);
        let rev = ReviewRecord {
            id: ReviewId::generate(),
            course_id: id,
            author_id: author,
            rating: r.rating,
            text_md: r.text.clone(),
            text_html: render_markdown(&r.text, Profile::Short),
            created_at: at,
            updated_at: at,
            status: crate::learning::repo::ReviewStatus::Published,
            flags: Vec::new(),
            evidence: Vec::new(),
        };
        learning::insert_review(tx, &rev)?;
        course.review_count += 1;
        course.rating_sum += u64::from(r.rating);
    }
    load_threads(tx, &course, &lessons, threads, ids, now)?;
    catalog::save_counters(tx, &course)?;
    Ok(Some((lessons.len(), c.enrollments.len(), c.reviews.len())))
}

/// Prints how to sign in to the demo school.
pub fn print_accounts(public_url: &str, report: &Report) {
    println!();
    println!("  Lectern demo school at {public_url}");
    println!(
        "  loaded now: {} courses, {} lessons, {} enrollments, {} reviews, {} questions, {} accounts ({} courses were already there)",
        report.courses,
        report.lessons,
        report.enrollments,
        report.reviews,
        report.questions,
        report.users,
        report.skipped_courses
    );
    println!("  every demo account's password: {PASSWORD}");
    println!("    admin    {ADMIN_EMAIL} (unless LECTERN_ADMIN_EMAIL made another admin first)");
    println!("    teacher  maria.lopez@demo.lectern.school    (English courses)");
    println!("    teacher  anna.sokolova@demo.lectern.school  (русскоязычные курсы)");
    println!("    student  olivia.brown@demo.lectern.school");
    println!("    student  aleksey.ivanov@demo.lectern.school (по-русски)");
    println!("  paid courses sell through the test provider (Pay / Decline); coupon {DEMO_COUPON}: 20 % off");
    println!();
}

/// Fails if the embedded demo files are malformed (used by tests and `--demo`).
pub fn check() -> anyhow::Result<usize> {
    let n = Content::iter().filter(|p| p.starts_with("courses/")).count();
    if n == 0 {
        bail!("no demo courses are embedded");
    }
    Ok(n)
}
