//! Authorization, sanitisation, search quality, pagination and index rebuilds.

use std::collections::HashSet;

use lectern::richtext::xss::{PAYLOADS, looks_executable};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// Every write endpoint × every kind of caller: only the expected callers succeed.
#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let owner = access(&app.register_as("owner@school.test", "teacher").await);
    let other_teacher = access(&app.register_as("other@school.test", "teacher").await);
    let student = access(&app.register_student("student@school.test").await);
    let enrolled = access(&app.register_student("enrolled@school.test").await);
    let admin = app.admin_token().await;

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Who {
        Anonymous,
        Student,
        Enrolled,
        OtherTeacher,
        Owner,
        Admin,
    }
    use Who::*;
    let token = |w: Who| -> Option<String> {
        match w {
            Anonymous => None,
            Student => Some(student.clone()),
            Enrolled => Some(enrolled.clone()),
            OtherTeacher => Some(other_teacher.clone()),
            Owner => Some(owner.clone()),
            Admin => Some(admin.clone()),
        }
    };
    let everyone = [Anonymous, Student, Enrolled, OtherTeacher, Owner, Admin];

    type Case = (&'static str, Method, String, Value, &'static [Who]);
    for who in everyone {
        // A fresh course per caller, so one caller's success never changes another's case.
        let c = app.course(&owner, &format!("Course for {who:?}"), json!({}), 2, true).await;
        let draft = app.course(&owner, &format!("Draft for {who:?}"), json!({}), 1, false).await;
        app.post_auth(&format!("/api/v1/courses/{}/enroll", c.id), &enrolled, &json!({})).await;
        let review: Value = app
            .post_auth(
                &format!("/api/v1/courses/{}/reviews", c.id),
                &enrolled,
                &json!({"rating": 5, "text": "great"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let review = review["id"].as_str().unwrap().to_owned();
        let (m, l) = (&c.modules[0], &c.lessons[1]);
        let cases: Vec<Case> = vec![
            (
                "edit course",
                Method::PATCH,
                format!("/api/v1/courses/{}", c.id),
                json!({"subtitle": "x"}),
                &[Owner, Admin],
            ),
            (
                "edit draft",
                Method::PATCH,
                format!("/api/v1/courses/{}", draft.id),
                json!({"subtitle": "x"}),
                &[Owner, Admin],
            ),
            (
                "publish draft",
                Method::POST,
                format!("/api/v1/courses/{}/publish", draft.id),
                json!({}),
                &[Owner, Admin],
            ),
            (
                "add module",
                Method::POST,
                format!("/api/v1/courses/{}/modules", c.id),
                json!({"title": "M"}),
                &[Owner, Admin],
            ),
            (
                "rename module",
                Method::PATCH,
                format!("/api/v1/modules/{m}"),
                json!({"title": "N"}),
                &[Owner, Admin],
            ),
            (
                "add lesson",
                Method::POST,
                format!("/api/v1/modules/{m}/lessons"),
                json!({"title": "L", "body": "b"}),
                &[Owner, Admin],
            ),
            (
                "edit lesson",
                Method::PATCH,
                format!("/api/v1/lessons/{l}"),
                json!({"title": "L2"}),
                &[Owner, Admin],
            ),
            (
                "read paid-for lesson",
                Method::GET,
                format!("/api/v1/lessons/{l}"),
                Value::Null,
                &[Enrolled, Owner, Admin],
            ),
            (
                "read draft lesson",
                Method::GET,
                format!("/api/v1/lessons/{}", draft.lessons[0]),
                Value::Null,
                &[Owner, Admin],
            ),
            (
                "read draft",
                Method::GET,
                format!("/api/v1/courses/{}", draft.id),
                Value::Null,
                &[Owner, Admin],
            ),
            ("progress", Method::GET, format!("/api/v1/courses/{}/progress", c.id), Value::Null, &[Enrolled]),
            (
                "complete lesson",
                Method::POST,
                format!("/api/v1/lessons/{l}/complete"),
                json!({}),
                &[Enrolled],
            ),
            (
                "edit review",
                Method::PATCH,
                format!("/api/v1/reviews/{review}"),
                json!({"rating": 4}),
                &[Enrolled, Admin],
            ),
            (
                "create category",
                Method::POST,
                "/api/v1/categories".into(),
                json!({"slug": format!("cat-{}", format!("{who:?}").to_lowercase()), "name": "C"}),
                &[Admin],
            ),
            ("read outbox", Method::GET, "/api/v1/admin/outbox".into(), Value::Null, &[Admin]),
            ("delete lesson", Method::DELETE, format!("/api/v1/lessons/{l}"), Value::Null, &[Owner, Admin]),
            ("delete module", Method::DELETE, format!("/api/v1/modules/{m}"), Value::Null, &[Owner, Admin]),
            (
                "delete review",
                Method::DELETE,
                format!("/api/v1/reviews/{review}"),
                Value::Null,
                &[Enrolled, Admin],
            ),
        ];
        for (what, method, path, body, allowed) in cases {
            let body = (!body.is_null()).then_some(&body);
            let res = app.send(method.clone(), &path, token(who).as_deref(), body).await;
            let status = res.status();
            if allowed.contains(&who) {
                assert!(status.is_success(), "{what} by {who:?}: expected success, got {status}");
            } else {
                assert!(
                    [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND]
                        .contains(&status),
                    "{what} by {who:?}: expected refusal, got {status}"
                );
            }
        }
    }
    // Only teachers (and admins) create courses.
    for (t, ok) in [(&student, false), (&other_teacher, true), (&admin, true)] {
        let res = app
            .post_auth("/api/v1/courses", t, &json!({"title": "New one", "description": "d", "level": "beginner", "language": "en", "category": "programming", "price_minor": 0, "currency": "USD"}))
            .await;
        assert_eq!(res.status().is_success(), ok);
    }
}

#[tokio::test]
async fn rich_text_never_carries_script() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let s = access(&app.register_student("s@school.test").await);
    let all = PAYLOADS.join("\n\n");
    let c = app.course(&teacher, "Safe course", json!({"description": all}), 1, true).await;
    let m = &c.modules[0];
    let mut lesson_ids = Vec::new();
    for p in PAYLOADS {
        let l: Value = app
            .post_auth(
                &format!("/api/v1/modules/{m}/lessons"),
                &teacher,
                &json!({"title": "x", "body": p, "is_preview": true}),
            )
            .await
            .json()
            .await
            .unwrap();
        lesson_ids.push(l["id"].as_str().unwrap().to_owned());
    }
    app.post_auth(&format!("/api/v1/courses/{}/enroll", c.id), &s, &json!({})).await;
    let res = app
        .post_auth(&format!("/api/v1/courses/{}/reviews", c.id), &s, &json!({"rating": 1, "text": all}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let detail: Value = app
        .client
        .get(app.url(&format!("/api/v1/courses/{}", c.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let html = detail["description_html"].as_str().unwrap();
    assert_eq!(looks_executable(html), None, "{html}");
    for id in lesson_ids {
        let l: Value = app
            .client
            .get(app.url(&format!("/api/v1/lessons/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let html = l["body_html"].as_str().unwrap();
        assert_eq!(looks_executable(html), None, "{html}");
    }
    let r: Value = app
        .client
        .get(app.url(&format!("/api/v1/courses/{}/reviews", c.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let html = r["items"][0]["text_html"].as_str().unwrap();
    assert_eq!(looks_executable(html), None, "{html}");
}

#[tokio::test]
async fn search_understands_russian_forms_typos_filters_and_facets() {
    let app = spawn_app().await;
    app.category("languages", "Languages").await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    app.course(
        &teacher,
        "Основы программирования на Python",
        json!({"language": "ru", "currency": "RUB", "description": "Курс для тех, кто хочет научиться программированию с нуля.", "level": "beginner"}),
        2,
        true,
    )
    .await;
    app.course(
        &teacher,
        "Spanish for Travellers",
        json!({"category": "languages", "price_minor": 1900, "level": "intermediate"}),
        2,
        true,
    )
    .await;
    app.course(
        &teacher,
        "Statistics Without Tears",
        json!({"level": "advanced", "price_minor": 2900}),
        2,
        true,
    )
    .await;
    app.indexed().await;

    // An inflected Russian form finds the course whose text has another form.
    assert_eq!(slugs(&app.list("q=%D0%BF%D1%80%D0%BE%D0%B3%D1%80%D0%B0%D0%BC%D0%BC%D0%B8%D1%80%D0%BE%D0%B2%D0%B0%D0%BD%D0%B8%D0%B5").await).len(), 1, "программирование");
    // One typo in a long word.
    assert_eq!(slugs(&app.list("q=statistcs").await), ["statistics-without-tears"]);
    // Highlighted snippet.
    let hit = app.list("q=tears").await;
    assert!(hit["items"][0]["snippet_html"].as_str().unwrap().contains("<b>Tears</b>"), "{hit}");
    // Filters combine with each other and with sorting.
    assert_eq!(slugs(&app.list("is_free=true").await).len(), 1);
    assert_eq!(slugs(&app.list("category=languages").await), ["spanish-for-travellers"]);
    assert_eq!(slugs(&app.list("level=advanced&is_free=false").await), ["statistics-without-tears"]);
    assert_eq!(slugs(&app.list("min_price=1000&max_price=2000").await), ["spanish-for-travellers"]);
    assert_eq!(slugs(&app.list("language=ru").await).len(), 1);
    assert_eq!(slugs(&app.list("category=no-such-thing").await).len(), 0);
    let by_price = app.list("sort=price").await;
    let prices: Vec<i64> =
        by_price["items"].as_array().unwrap().iter().map(|c| c["price_minor"].as_i64().unwrap()).collect();
    assert_eq!(prices, [0, 1900, 2900]);
    let desc = app.list("sort=price&order=desc&is_free=false").await;
    assert_eq!(slugs(&desc), ["statistics-without-tears", "spanish-for-travellers"]);

    let f = app.list("facets=true").await;
    assert_eq!(f["total"], 3);
    assert_eq!((f["facets"]["free"].as_u64(), f["facets"]["paid"].as_u64()), (Some(1), Some(2)));
    let cats: Vec<(String, u64)> = f["facets"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["slug"].as_str().unwrap().to_owned(), c["count"].as_u64().unwrap()))
        .collect();
    assert!(cats.contains(&("languages".into(), 1)) && cats.contains(&("programming".into(), 2)), "{cats:?}");

    // Suggestions complete the word being typed.
    let s: Value =
        app.client.get(app.url("/api/v1/search/suggest?q=spa")).send().await.unwrap().json().await.unwrap();
    assert_eq!(s["items"][0]["slug"], "spanish-for-travellers");
    let s: Value = app
        .client
        .get(app.url("/api/v1/search/suggest?q=statistics%20wi"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["items"][0]["title"], "Statistics Without Tears");

    // Bad parameters are explained.
    let res = app.client.get(app.url("/api/v1/courses?sort=loudness&level=expert")).send().await.unwrap();
    let (status, body) = problem(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn pages_never_skip_or_repeat_while_courses_come_and_go() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            app.course(
                &teacher,
                &format!("Stable course {i:02}"),
                json!({"price_minor": (i % 4) * 100}),
                1,
                true,
            )
            .await,
        );
    }
    app.indexed().await;
    for sort in ["created_at", "price", "popularity", "avg_rating"] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut round = 0;
        loop {
            let q = match &cursor {
                Some(c) => format!("sort={sort}&limit=3&cursor={c}"),
                None => format!("sort={sort}&limit=3"),
            };
            let page = app.list(&q).await;
            seen.extend(slugs(&page).into_iter().filter(|s| s.starts_with("stable-")));
            // Between pages, a new course appears and another one is archived.
            let extra = app.course(&teacher, &format!("Churn {sort} {round}"), json!({}), 1, true).await;
            if round % 2 == 1 {
                app.send(
                    Method::PATCH,
                    &format!("/api/v1/courses/{}", extra.id),
                    Some(&teacher),
                    Some(&json!({"status": "archived"})),
                )
                .await;
            }
            app.indexed().await;
            round += 1;
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{sort}: an item was repeated: {seen:?}");
        assert_eq!(seen.len(), 12, "{sort}: an item was skipped: {seen:?}");
    }
}

#[tokio::test]
async fn a_deleted_index_is_rebuilt_with_identical_answers() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    for t in ["Python Basics", "Advanced Python", "Cooking with Kids", "Основы Python"] {
        app.course(&teacher, t, json!({}), 2, true).await;
    }
    app.indexed().await;
    let queries = ["q=python", "q=pythn", "sort=price", "facets=true", "q=основы"];
    let mut before = Vec::new();
    for q in queries {
        before.push(app.list(q).await);
    }
    let mut app = app;
    let dir = app.dir.clone();
    app.shutdown().await;
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let app = spawn_data_dir(dir).await;
    for (q, b) in queries.iter().zip(before) {
        assert_eq!(app.list(q).await, b, "{q}");
    }
}

#[tokio::test]
async fn teacher_renames_and_bios_reach_pages_and_search() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let c = app.course(&teacher, "Gardening Basics", json!({}), 1, true).await;
    let res = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&teacher),
            Some(&json!({"name": "Gertrude Jekyll", "bio": "I grow **roses**. <script>alert(1)</script>"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    let profile: Value = app
        .client
        .get(app.url(&format!("/api/v1/teachers/{}", me["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["name"], "Gertrude Jekyll");
    assert!(profile["bio_html"].as_str().unwrap().contains("<strong>roses</strong>"));
    assert!(!profile["bio_html"].as_str().unwrap().contains("<script"));
    assert_eq!(profile["courses"][0]["slug"], c.slug);
    app.indexed().await;
    assert_eq!(
        slugs(&app.list("q=jekyll").await),
        std::slice::from_ref(&c.slug),
        "the teacher's new name is searchable"
    );
}

#[tokio::test]
async fn hostile_inputs_are_bounded() {
    let app = spawn_app().await;
    let teacher = access(&app.register_as("t@school.test", "teacher").await);
    let mine = app.course(&teacher, "Mine", json!({}), 1, true).await;
    let other = access(&app.register_as("o@school.test", "teacher").await);
    let theirs = app.course(&other, "Theirs", json!({}), 1, true).await;
    app.indexed().await;

    // A forged deep relevance cursor is refused, not allocated.
    use base64::Engine;
    let mut forged = vec![b's'];
    forged.extend_from_slice(&(1u64 << 40).to_be_bytes());
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
    let res =
        app.client.get(app.url(&format!("/api/v1/courses?q=mine&cursor={cursor}"))).send().await.unwrap();
    assert_eq!(problem(res).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // A very long query is answered quickly (only its first words count).
    let long = "lorem ".repeat(5000);
    let t = std::time::Instant::now();
    let res = app.client.get(app.url(&format!("/api/v1/courses?q={long}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(t.elapsed() < std::time::Duration::from_secs(2));
    // A slug that looks like an id would shadow a course: refused.
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/courses/{}", mine.id),
            Some(&teacher),
            Some(&json!({"slug": theirs.id.to_lowercase()})),
        )
        .await;
    assert_eq!(problem(res).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // A lesson cannot be moved into another teacher's module, nor the other way round.
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/lessons/{}", mine.lessons[0]),
            Some(&teacher),
            Some(&json!({"module_id": theirs.modules[0]})),
        )
        .await;
    assert!(res.status().is_client_error());
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/lessons/{}", theirs.lessons[0]),
            Some(&teacher),
            Some(&json!({"module_id": mine.modules[0]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let cur: Value = app
        .client
        .get(app.url(&format!("/api/v1/courses/{}/curriculum", theirs.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cur["modules"][0]["lessons"].as_array().unwrap().len(), 1, "their lesson stayed where it was");
    // Half a price change keeps the other half.
    let d: Value = app
        .send(
            Method::PATCH,
            &format!("/api/v1/courses/{}", mine.id),
            Some(&teacher),
            Some(&json!({"currency": "EUR"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((d["price_minor"].as_i64(), d["currency"].as_str()), (Some(0), Some("EUR")));
    let d: Value = app
        .send(
            Method::PATCH,
            &format!("/api/v1/courses/{}", mine.id),
            Some(&teacher),
            Some(&json!({"price_minor": 990})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((d["price_minor"].as_i64(), d["currency"].as_str()), (Some(990), Some("EUR")));
    // Created things say where they live.
    let res = app
        .post_auth(&format!("/api/v1/courses/{}/modules", mine.id), &teacher, &json!({"title": "More"}))
        .await;
    let m: Value = res.json().await.unwrap();
    let res = app
        .post_auth(
            &format!("/api/v1/modules/{}/lessons", m["id"].as_str().unwrap()),
            &teacher,
            &json!({"title": "L", "body": "b"}),
        )
        .await;
    let loc = res.headers()["location"].to_str().unwrap().to_owned();
    let l: Value = res.json().await.unwrap();
    assert_eq!(loc, format!("/api/v1/lessons/{}", l["id"].as_str().unwrap()));
}
