//! What a course's analytics cost with 100,000 students: the service call (counters only, no
//! scan of the enrollments) and the whole analytics page through the router, as a teacher.
//!
//! Run with `cargo bench --bench analytics` (`ANALYTICS_BENCH_STUDENTS`, default 100000;
//! `ANALYTICS_BENCH_N` timed calls each, default 200). Target: < 50 ms each in release.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use lectern::analytics::{Analytics, Period};
use lectern::app::App;
use lectern::clock::{DAY_MS, Timestamp};
use lectern::config::Config;
use lectern::identity::Role;
use lectern::identity::service::NewAccount;
use lectern::identity::types::{Email, Name, Password};
use lectern::ids::{CourseId, LessonId, UserId};
use lectern::learning::repo::{self as learning, EnrollmentRecord, EnrollmentStatus};
use lectern::schema::{COURSES, COURSES_BY_TEACHER};
use tower::ServiceExt;

mod support;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let p = |q: f64| ms(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    println!(
        "[analytics] {what}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        p(0.5),
        p(0.99),
        ms(*samples.last().unwrap())
    );
}

fn main() {
    let students = support::size("ANALYTICS_BENCH_STUDENTS", 100_000, 10_000);
    let n = support::size("ANALYTICS_BENCH_N", 200, 50);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let mut config = Config::new(dir.path());
        config.rate_limit_per_min = 0;
        let state = App::build(config).await.unwrap();
        lectern::seed::run(
            &state,
            &lectern::seed::Options { courses: 1, users: 10, enrollments_per_user: 1, lessons: 12, seed: 3 },
        )
        .await
        .unwrap();
        let teacher = state
            .identity
            .register(NewAccount {
                email: Email::parse("bench-teacher@school.test").unwrap(),
                password: Password::parse("password", "correct horse battery").unwrap(),
                name: Name::parse("Bench Teacher").unwrap(),
                role: Role::Teacher,
                locale: "en".into(),
            })
            .await
            .unwrap();
        let (teacher_id, token) = (teacher.user.id, teacher.access_token.clone());
        // The seeded course becomes the bench teacher's; its lessons in order.
        let (course, lessons): (CourseId, Vec<LessonId>) = state
            .store
            .write(move |tx| {
                let (key, mut c) = tx.range(COURSES, .., 1)?.pop().expect("a seeded course");
                c.teacher_id = teacher_id;
                tx.put(COURSES, &key, &c)?;
                tx.put(COURSES_BY_TEACHER, &(teacher_id.key(), key), &())?;
                let cur = lectern::catalog::repo::curriculum(tx, c.id)?;
                Ok((c.id, cur.lessons().map(|l| l.id).collect()))
            })
            .await
            .unwrap();
        let now = state.clock.now();
        let t = Instant::now();
        let total = lessons.len() as u32;
        for batch in 0..students.div_ceil(5_000) {
            let lessons = lessons.clone();
            let count = (students - batch * 5_000).min(5_000);
            state
                .store
                .write(move |tx| {
                    for i in 0..count {
                        let k = batch * 5_000 + i;
                        let user = UserId::generate();
                        let enrolled_at = Timestamp(now.millis() - (k % 365) as i64 * DAY_MS - 1);
                        // Fewer students reach each later lesson: a funnel.
                        let done = ((k * 7919) % (total as usize + 1)) as u32;
                        for l in lessons.iter().take(done as usize) {
                            learning::mark_completed(tx, user, course, *l, enrolled_at)?;
                        }
                        let finished = done == total;
                        let e = EnrollmentRecord {
                            status: if finished {
                                EnrollmentStatus::Completed
                            } else {
                                EnrollmentStatus::Active
                            },
                            enrolled_at,
                            completed_at: finished.then_some(enrolled_at),
                            completed_lessons: done,
                            last_activity_at: (done > 0).then_some(enrolled_at),
                        };
                        learning::save_enrollment(tx, user, course, &e)?;
                    }
                    let mut c = lectern::catalog::repo::get_course(tx, course)?;
                    c.student_count += count as u64;
                    tx.put(COURSES, &course.key(), &c)?;
                    Ok(())
                })
                .await
                .unwrap();
        }
        println!("\n[analytics] {students} students enrolled in {:.1} s", t.elapsed().as_secs_f64());

        let analytics = Analytics::new(state.store.clone(), state.clock.clone());
        let who = teacher.user.clone();
        for (label, days) in [("30 days", 30), ("365 days", 365)] {
            let period = Period::last(days, now.day());
            let a = analytics.course(&who, course, period).await.unwrap();
            assert!(a.students >= students as u64);
            let mut samples = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                std::hint::black_box(analytics.course(&who, course, period).await.unwrap());
                samples.push(t.elapsed());
            }
            report(
                &format!("service call, {label} (active {}, completed {})", a.active_30d, a.completed),
                samples,
            );
        }

        let router = lectern::http::router(state.clone());
        let path = format!("/studio/courses/{course}/analytics");
        let page = || {
            Request::get(&path)
                .header("cookie", format!("lectern_access={token}"))
                .body(Body::empty())
                .unwrap()
        };
        let res = router.clone().oneshot(page()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            let res = router.clone().oneshot(page()).await.unwrap();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
            samples.push(t.elapsed());
            std::hint::black_box(body);
        }
        report("analytics page through the router (30 days)", samples);
        let dash = || {
            Request::get("/studio")
                .header("cookie", format!("lectern_access={token}"))
                .body(Body::empty())
                .unwrap()
        };
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            let res = router.clone().oneshot(dash()).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            std::hint::black_box(axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap());
            samples.push(t.elapsed());
        }
        report("studio dashboard through the router", samples);
    });
}
