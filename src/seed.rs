//! A synthetic school for benchmarks: `lectern seed --courses 10000 --users 100000`.
//!
//! Deterministic for a given `--seed`. Titles and descriptions are assembled from small English
//! and Russian vocabularies so search has realistic words in both languages to work on. Counters
//! are computed from the generated records, so the data set obeys the same invariants as a real
//! school's. Writes go in chunks (one durable commit each), then the search index is rebuilt.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use crate::app::AppState;
use crate::catalog::repo::{self as catalog, CategoryRecord, CourseRecord, LessonRecord, ModuleRecord};
use crate::catalog::types::{CourseStatus, LessonKind, Level};
use crate::clock::Timestamp;
use crate::identity::Role;
use crate::identity::repo::{self as identity, UserRecord};
use crate::ids::{CategoryId, CourseId, LessonId, ModuleId, ReviewId, UserId};
use crate::learning::repo::{self as learning, EnrollmentRecord, EnrollmentStatus, ReviewRecord};
use crate::richtext::{Profile, render_markdown};
use crate::schema::*;

pub const PASSWORD: &str = "seed-password-2026";

#[derive(Debug, Clone)]
pub struct Options {
    pub courses: usize,
    pub users: usize,
    pub enrollments_per_user: usize,
    pub lessons: usize,
    pub seed: u64,
}

#[derive(Debug, Default)]
pub struct Report {
    pub courses: usize,
    pub lessons: usize,
    pub teachers: usize,
    pub students: usize,
    pub enrollments: usize,
    pub completions: usize,
    pub reviews: usize,
    pub write_s: f64,
    pub index_s: f64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seeded {} courses ({} lessons), {} teachers, {} students, {} enrollments, {} lesson completions, {} reviews \
             in {:.1} s; search index rebuilt in {:.2} s. Every account's password: {PASSWORD}",
            self.courses,
            self.lessons,
            self.teachers,
            self.students,
            self.enrollments,
            self.completions,
            self.reviews,
            self.write_s,
            self.index_s
        )
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, list: &'a [&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

const EN_TOPICS: &[&str] = &[
    "Python",
    "SQL",
    "JavaScript",
    "Rust",
    "Go",
    "Kubernetes",
    "Docker",
    "Excel",
    "Statistics",
    "Machine Learning",
    "Data Visualization",
    "Photography",
    "Guitar",
    "Piano",
    "Spanish",
    "French",
    "German",
    "Public Speaking",
    "Negotiation",
    "Marketing",
    "Copywriting",
    "Accounting",
    "Project Management",
    "UX Design",
    "Typography",
    "Figma",
    "Calculus",
    "Linear Algebra",
    "Physics",
    "Chemistry",
    "Cooking",
    "Yoga",
    "Drawing",
    "Watercolor",
    "Video Editing",
    "Leadership",
    "Investing",
    "Writing",
    "Chess",
    "Gardening",
];
const EN_ADJ: &[&str] = &[
    "Practical",
    "Modern",
    "Complete",
    "Essential",
    "Hands-on",
    "Advanced",
    "Beginner's",
    "Applied",
    "Fast-track",
    "Professional",
];
const EN_FORM: &[&str] = &[
    "Bootcamp",
    "Masterclass",
    "Fundamentals",
    "Workshop",
    "in 30 Days",
    "for Everyone",
    "from Scratch",
    "Deep Dive",
    "Crash Course",
    "Toolkit",
];
const RU_TOPICS: &[&str] = &[
    "Python",
    "SQL",
    "JavaScript",
    "программирования",
    "статистики",
    "машинного обучения",
    "анализа данных",
    "фотографии",
    "гитары",
    "английского языка",
    "немецкого языка",
    "публичных выступлений",
    "переговоров",
    "маркетинга",
    "копирайтинга",
    "бухгалтерии",
    "управления проектами",
    "дизайна интерфейсов",
    "типографики",
    "математики",
    "физики",
    "химии",
    "кулинарии",
    "йоги",
    "рисования",
    "монтажа видео",
    "лидерства",
    "инвестиций",
    "писательского мастерства",
    "шахмат",
];
const RU_FORM: &[&str] = &[
    "Основы",
    "Практикум",
    "Интенсив",
    "Мастер-класс",
    "Курс",
    "Введение в мир",
    "Секреты",
    "Азбука",
    "Школа",
    "Лаборатория",
];
const EN_SENT: &[&str] = &[
    "You will build real projects and get feedback on every step.",
    "Each lesson ends with a short exercise that checks what you learned.",
    "No prior experience is needed: we start from the very basics.",
    "The course is updated every year to match current practice.",
    "You will learn the habits that professionals rely on every day.",
    "Short videos and clear notes make it easy to study on a busy schedule.",
];
const RU_SENT: &[&str] = &[
    "Вы выполните настоящие проекты и получите обратную связь на каждом шаге.",
    "Каждый урок заканчивается коротким упражнением для проверки знаний.",
    "Опыт не нужен: мы начинаем с самых основ.",
    "Курс обновляется каждый год и соответствует современной практике.",
    "Вы освоите привычки, на которые профессионалы опираются каждый день.",
    "Короткие уроки и понятные конспекты помогают учиться даже при плотном графике.",
];

pub async fn run(app: &AppState, o: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut rng = Rng(o.seed);
    let now = app.clock.now();
    let hash = Arc::new(crate::identity::password::hash_now(PASSWORD)?);
    let mut report = Report::default();

    // Categories: the demo school's, or those already there.
    let categories: Vec<CategoryRecord> = {
        let existing = app.catalog.categories().await?;
        if existing.is_empty() {
            let names = [
                ("programming", "Programming", "Программирование"),
                ("data-science", "Data Science", "Анализ данных"),
                ("design", "Design", "Дизайн"),
                ("business", "Business & Management", "Бизнес и управление"),
                ("marketing", "Marketing", "Маркетинг"),
                ("languages", "Languages", "Иностранные языки"),
                ("personal-development", "Personal Development", "Личное развитие"),
                ("music", "Music", "Музыка"),
                ("photography", "Photography & Video", "Фото и видео"),
                ("science-math", "Science & Math", "Наука и математика"),
            ];
            app.store
                .write(move |tx| {
                    let mut out = Vec::new();
                    for (i, (slug, name, ru)) in names.iter().enumerate() {
                        let c = CategoryRecord {
                            id: CategoryId::generate(),
                            slug: (*slug).into(),
                            name: (*name).into(),
                            name_ru: Some((*ru).into()),
                            position: i as u32 + 1,
                            course_count: 0,
                        };
                        catalog::insert_category(tx, &c)?;
                        out.push(c);
                    }
                    Ok(out)
                })
                .await?
        } else {
            existing.to_vec()
        }
    };

    // People.
    let teachers_n = (o.courses / 10).max(1);
    let mut teachers = Vec::with_capacity(teachers_n);
    let mut students = Vec::with_capacity(o.users);
    for (n, role, prefix, out) in [
        (teachers_n, Role::Teacher, "teacher", &mut teachers),
        (o.users, Role::Student, "student", &mut students),
    ] {
        let mut i = 0;
        while i < n {
            let chunk: Vec<UserRecord> = (i..(i + 5000).min(n))
                .map(|k| UserRecord {
                    id: UserId::generate(),
                    email: format!("{prefix}{k}@seed.lectern.test"),
                    name: format!("{} {k}", if role == Role::Teacher { "Teacher" } else { "Student" }),
                    role,
                    password_hash: (*hash).clone(),
                    email_verified: true,
                    locale: if k % 3 == 0 { "ru".into() } else { "en".into() },
                    created_at: now,
                    updated_at: now,
                    password_changed_at: None,
                    bio_html: String::new(),
                    locked_at: None,
                    deleted_at: None,
                    verified_at: None,
                    last_active_at: None,
                })
                .collect();
            out.extend(chunk.iter().map(|u| u.id));
            let chunk = Arc::new(chunk);
            app.store
                .write(move |tx| {
                    for u in chunk.iter() {
                        identity::insert_user(tx, u)?;
                    }
                    Ok(())
                })
                .await?;
            i += 5000;
        }
    }
    report.teachers = teachers.len();
    report.students = students.len();

    // Who takes what: planned first so each course's counters are known when it is written.
    let mut plan: Vec<Vec<(UserId, u32, Option<u8>)>> = vec![Vec::new(); o.courses];
    for s in &students {
        for _ in 0..o.enrollments_per_user.min(o.courses) {
            // Popular courses are popular: a skewed pick.
            let c = (rng.below(o.courses) * rng.below(o.courses) / o.courses.max(1)).min(o.courses - 1);
            if plan[c].iter().any(|(u, _, _)| u == s) {
                continue;
            }
            let done = match rng.below(4) {
                0 => o.lessons as u32,
                1 => 0,
                _ => rng.below(o.lessons + 1) as u32,
            };
            let review = (rng.below(20) == 0).then(|| [3u8, 4, 4, 5, 5, 5][rng.below(6)]);
            plan[c].push((*s, done, review));
        }
    }

    // Courses with their curricula, enrollments, completions and reviews, 100 per commit.
    let mut c0 = 0;
    while c0 < o.courses {
        let mut batch = Vec::new();
        for ci in c0..(c0 + 100).min(o.courses) {
            let ru = rng.below(3) == 0;
            let title = if ru {
                format!("{} {}", rng.pick(RU_FORM), rng.pick(RU_TOPICS))
            } else {
                format!("{} {} {}", rng.pick(EN_ADJ), rng.pick(EN_TOPICS), rng.pick(EN_FORM))
            };
            let sentences = if ru { RU_SENT } else { EN_SENT };
            let description = (0..4).map(|_| rng.pick(sentences)).collect::<Vec<_>>().join(" ");
            let category = categories[rng.below(categories.len())].id;
            let level = [Level::Beginner, Level::Intermediate, Level::Advanced][rng.below(3)];
            let price = if rng.below(4) == 0 {
                0
            } else {
                [990, 1900, 2900, 4900, 7900][rng.below(5)] * if ru { 100 } else { 1 }
            };
            let teacher = teachers[ci % teachers.len()];
            let age_days = rng.below(1000) as i64 + 1;
            batch.push((
                ci,
                title,
                description,
                category,
                level,
                price,
                ru,
                teacher,
                age_days,
                std::mem::take(&mut plan[ci]),
            ));
        }
        let (lessons_per, batch) = (o.lessons, Arc::new(batch));
        let counts = app
            .store
            .write(move |tx| {
                let mut counts = (0usize, 0usize, 0usize, 0usize, 0usize);
                for (ci, title, description, category, level, price, ru, teacher, age_days, takers) in
                    batch.iter()
                {
                    let created = Timestamp(now.millis() - age_days * 86_400_000);
                    let id = CourseId::generate();
                    let mut lesson_ids = Vec::new();
                    for m in 0..2u32 {
                        let module = ModuleRecord {
                            id: ModuleId::generate(),
                            course_id: id,
                            title: format!("{} {}", if *ru { "Модуль" } else { "Module" }, m + 1),
                            position: m + 1,
                            unlock: None,
                        };
                        tx.put(MODULES, &module.id.key(), &module)?;
                        tx.put(MODULES_BY_COURSE, &(id.key(), module.id.key()), &())?;
                        let per = lessons_per / 2 + if m == 0 { lessons_per % 2 } else { 0 };
                        for l in 0..per {
                            let title =
                                format!("{} {}.{}", if *ru { "Урок" } else { "Lesson" }, m + 1, l + 1);
                            let lesson = LessonRecord {
                                id: LessonId::generate(),
                                course_id: id,
                                module_id: module.id,
                                body_md: format!("{title}: {description}"),
                                body_html: format!("<p>{title}</p>"),
                                title,
                                position: l as u32 + 1,
                                kind: LessonKind::Text,
                                video_url: None,
                                duration_s: 600,
                                is_preview: m == 0 && l == 0,
                                created_at: created,
                                updated_at: created,
                                revision: 0,
                                video_upload: None,
                                attachments: Vec::new(),
                                quiz: None,
                            };
                            tx.put(LESSONS, &lesson.id.key(), &lesson)?;
                            tx.put(LESSONS_BY_MODULE, &(module.id.key(), lesson.id.key()), &())?;
                            lesson_ids.push(lesson.id);
                        }
                    }
                    let total = lesson_ids.len() as u32;
                    let mut c = CourseRecord {
                        id,
                        seq: 0,
                        slug: format!("{}-{ci}", crate::catalog::types::Slug::from_title(title).as_str()),
                        title: title.clone(),
                        subtitle: description.split('.').next().unwrap_or_default().to_owned(),
                        description_md: description.clone(),
                        description_html: render_markdown(description, Profile::Document),
                        level: *level,
                        language: if *ru { "ru".into() } else { "en".into() },
                        category_id: *category,
                        price_minor: *price,
                        currency: if *ru { "RUB".into() } else { "USD".into() },
                        status: CourseStatus::Published,
                        teacher_id: *teacher,
                        created_at: created,
                        updated_at: created,
                        published_at: Some(created),
                        student_count: 0,
                        review_count: 0,
                        rating_sum: 0,
                        total_lessons: total,
                        total_duration_s: u64::from(total) * 600,
                        cover: None,
                    };
                    for (student, done, review) in takers {
                        let done = (*done).min(total);
                        for l in lesson_ids.iter().take(done as usize) {
                            learning::mark_completed(tx, *student, id, *l, now)?;
                        }
                        let finished = done == total && total > 0;
                        let e = EnrollmentRecord {
                            status: if finished {
                                EnrollmentStatus::Completed
                            } else {
                                EnrollmentStatus::Active
                            },
                            enrolled_at: created,
                            completed_at: finished.then_some(now),
                            completed_lessons: done,
                            last_activity_at: None,
                        };
                        learning::save_enrollment(tx, *student, id, &e)?;
                        c.student_count += 1;
                        counts.2 += 1;
                        counts.3 += done as usize;
                        if let Some(rating) = review {
                            let r = ReviewRecord {
                                id: ReviewId::generate(),
                                course_id: id,
                                author_id: *student,
                                rating: *rating,
                                text_md: "Good course.".into(),
                                text_html: "<p>Good course.</p>".into(),
                                created_at: now,
                                updated_at: now,
                                status: crate::learning::repo::ReviewStatus::Published,
                                flags: Vec::new(),
                                evidence: Vec::new(),
                            };
                            learning::insert_review(tx, &r)?;
                            c.review_count += 1;
                            c.rating_sum += u64::from(*rating);
                            counts.4 += 1;
                        }
                    }
                    catalog::insert_course(tx, c)?;
                    counts.0 += 1;
                    counts.1 += total as usize;
                }
                Ok::<_, crate::error::Error>(counts)
            })
            .await?;
        report.courses += counts.0;
        report.lessons += counts.1;
        report.enrollments += counts.2;
        report.completions += counts.3;
        report.reviews += counts.4;
        c0 += 100;
    }
    report.write_s = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let search = app.search.clone();
    tokio::task::spawn_blocking(move || search.rebuild()).await??;
    report.index_s = t.elapsed().as_secs_f64();
    Ok(report)
}
