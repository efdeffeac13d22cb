//! Property: cursor pages never skip or repeat a course, whatever is added or archived between
//! pages and whichever sort is used.

use std::collections::HashSet;

use lectern::catalog::service::{CoursePatch, NewCourse, NewLesson};
use lectern::catalog::types::{CourseStatus, LessonKind, Level, Money, Slug};
use lectern::identity::repo::UserRecord;
use lectern::identity::{Email, Name, Password, Role};
use lectern::ids::CourseId;
use lectern::search::{Filters, ListQuery, Sort};
use proptest::prelude::*;

use crate::helpers::*;

#[derive(Debug, Clone)]
enum Op {
    Page,
    Add(u16),
    Archive(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![3 => Just(Op::Page), 2 => (0u16..5000).prop_map(Op::Add), 1 => (0usize..100).prop_map(Op::Archive)],
        5..30,
    )
}

async fn add(app: &TestApp, teacher: &UserRecord, n: u16, price: u16) -> CourseId {
    let cat = app.state().catalog.clone();
    let c = cat
        .create_course(
            teacher,
            NewCourse {
                title: format!("Course number {n}"),
                subtitle: String::new(),
                description_md: "Something to learn.".into(),
                level: Level::Beginner,
                language: "en".into(),
                category: "programming".into(),
                price: Money::parse(i64::from(price), "USD").unwrap(),
                slug: Some(
                    Slug::parse(
                        "slug",
                        &format!("c-{n}-{}", ulid::Ulid::generate().to_string().to_lowercase()),
                    )
                    .unwrap(),
                ),
            },
        )
        .await
        .unwrap();
    let m = cat.add_module(teacher, c.id, "M".into(), None).await.unwrap();
    let lesson = NewLesson {
        title: "L".into(),
        kind: LessonKind::Text,
        body_md: "b".into(),
        video_url: None,
        duration_s: 60,
        is_preview: false,
        position: None,
        media: Default::default(),
        quiz: None,
    };
    cat.add_lesson(teacher, m.id, lesson).await.unwrap();
    if cat.publish(teacher, c.id).await.unwrap().status == CourseStatus::InReview {
        let admin = app
            .state()
            .store
            .read(|rtx| Ok(lectern::identity::repo::user_by_email(rtx, ADMIN_EMAIL)?.unwrap()))
            .await
            .unwrap();
        app.state().moderation.approve_course(&admin, c.id, None).await.unwrap();
    }
    c.id
}

async fn walk(ops: Vec<Op>, sort: Sort) {
    let app = spawn_app().await;
    app.category("programming", "Programming").await;
    let state = app.state().clone();
    let teacher = state
        .identity
        .create_account(
            Email::parse("t@school.test").unwrap(),
            Password::parse("p", PASSWORD).unwrap(),
            Name::parse("T").unwrap(),
            Role::Teacher,
        )
        .await
        .unwrap();
    let mut live: Vec<CourseId> = Vec::new();
    for i in 0..8u16 {
        live.push(add(&app, &teacher, 10_000 + i, (i % 3) * 100).await);
    }
    let catch_up = || {
        let s = state.search.clone();
        async move { tokio::task::spawn_blocking(move || s.catch_up()).await.unwrap().unwrap() }
    };
    catch_up().await;
    let initial: HashSet<CourseId> = live.iter().copied().collect();
    let mut archived: HashSet<CourseId> = HashSet::new();
    let mut seen: Vec<CourseId> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut done = false;
    let mut ops = ops.into_iter().chain(std::iter::repeat(Op::Page));
    while !done {
        match ops.next().unwrap() {
            Op::Page => {
                let q = ListQuery {
                    q: None,
                    filters: Filters::default(),
                    sort,
                    descending: true,
                    limit: 3,
                    cursor: cursor.clone(),
                    facets: false,
                    snippets: false,
                };
                let page = state.search.list(&q).unwrap();
                seen.extend(page.hits.iter().copied());
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => done = true,
                }
            }
            Op::Add(n) => {
                live.push(add(&app, &teacher, n, n % 7 * 100).await);
                catch_up().await;
            }
            Op::Archive(i) if !live.is_empty() => {
                let id = live.remove(i % live.len());
                let patch = CoursePatch { status: Some(CourseStatus::Archived), ..CoursePatch::default() };
                state.catalog.update_course(&teacher, id, patch).await.unwrap();
                archived.insert(id);
                catch_up().await;
            }
            Op::Archive(_) => {}
        }
    }
    let unique: HashSet<CourseId> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "{sort:?}: a course was served twice");
    for id in initial.difference(&archived) {
        assert!(unique.contains(id), "{sort:?}: course {id} was there throughout but skipped");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn cursor_pages_never_skip_or_repeat(ops in ops(), sort in prop_oneof![Just(Sort::Created), Just(Sort::Price), Just(Sort::Popularity), Just(Sort::Rating)]) {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(walk(ops, sort));
    }
}
