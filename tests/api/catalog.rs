//! Authorization, sanitisation, search quality, pagination and index rebuilds.

use std::collections::HashSet;

use lectern::richtext::xss::{PAYLOADS, looks_executable};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// The catalog's endpoints × every kind of caller: who may read and change courses, modules and
/// lessons. 401 without credentials, 403 for what the caller may see but not change, 404 for
/// drafts (and their parts) the caller may not know exist.
#[rustfmt::skip]
fn catalog_table() -> Vec<Row> {
    let new_course = json!({"title": "Course by {who}", "description": "d", "level": "beginner", "language": "en", "category": "programming", "price_minor": 0, "currency": "USD"});
    vec![
        //   what                       method          path                                      body                                  anon stud enrl other owner admin
        row("order modules",            Method::POST,   "/api/v1/courses/{course}/modules/order", json!({"ids": ["{module}"]}),       [401, 403, 403, 403, 200, 200]),
        row("order draft's modules",    Method::POST,   "/api/v1/courses/{draft}/modules/order",  json!({"ids": ["{draft_module}"]}), [401, 404, 404, 404, 200, 200]),
        row("order lessons",            Method::POST,   "/api/v1/modules/{module}/lessons/order", json!({"ids": ["{lesson}", "{preview}"]}), [401, 403, 403, 403, 200, 200]),
        row("preview markdown",         Method::POST,   "/api/v1/markdown/preview",               json!({"markdown": "*hi*"}),          [401, 403, 403, 200, 200, 200]),
        row("read course",              Method::GET,    "/api/v1/courses/{course}",               NO_BODY,                              [200, 200, 200, 200, 200, 200]),
        row("read curriculum",          Method::GET,    "/api/v1/courses/{course}/curriculum",    NO_BODY,                              [200, 200, 200, 200, 200, 200]),
        row("read draft",               Method::GET,    "/api/v1/courses/{draft}",                NO_BODY,                              [404, 404, 404, 404, 200, 200]),
        row("read draft curriculum",    Method::GET,    "/api/v1/courses/{draft}/curriculum",     NO_BODY,                              [404, 404, 404, 404, 200, 200]),
        row("read preview lesson",      Method::GET,    "/api/v1/lessons/{preview}",              NO_BODY,                              [200, 200, 200, 200, 200, 200]),
        row("read lesson",              Method::GET,    "/api/v1/lessons/{lesson}",               NO_BODY,                              [401, 403, 200, 403, 200, 200]),
        row("read draft lesson",        Method::GET,    "/api/v1/lessons/{draft_lesson}",         NO_BODY,                              [404, 404, 404, 404, 200, 200]),
        row("read teacher profile",     Method::GET,    "/api/v1/teachers/{owner}",               NO_BODY,                              [200, 200, 200, 200, 200, 200]),
        row("create course",            Method::POST,   "/api/v1/courses",                        new_course,                           [401, 403, 403, 201, 201, 201]),
        row("edit course",              Method::PATCH,  "/api/v1/courses/{course}",               json!({"subtitle": "x"}),             [401, 403, 403, 403, 200, 200]),
        row("edit draft",               Method::PATCH,  "/api/v1/courses/{draft}",                json!({"subtitle": "x"}),             [401, 404, 404, 404, 200, 200]),
        row("publish published course", Method::POST,   "/api/v1/courses/{course}/publish",       NO_BODY,                              [401, 403, 403, 403, 200, 200]),
        row("add module",               Method::POST,   "/api/v1/courses/{course}/modules",       json!({"title": "M"}),                [401, 403, 403, 403, 201, 201]),
        row("add module to draft",      Method::POST,   "/api/v1/courses/{draft}/modules",        json!({"title": "M"}),                [401, 404, 404, 404, 201, 201]),
        row("rename module",            Method::PATCH,  "/api/v1/modules/{module}",               json!({"title": "N"}),                [401, 403, 403, 403, 200, 200]),
        row("rename draft module",      Method::PATCH,  "/api/v1/modules/{draft_module}",         json!({"title": "N"}),                [401, 404, 404, 404, 200, 200]),
        row("add lesson",               Method::POST,   "/api/v1/modules/{module}/lessons",       json!({"title": "L", "body": "b"}),   [401, 403, 403, 403, 201, 201]),
        row("add lesson to draft",      Method::POST,   "/api/v1/modules/{draft_module}/lessons", json!({"title": "L", "body": "b"}),   [401, 404, 404, 404, 201, 201]),
        row("edit lesson",              Method::PATCH,  "/api/v1/lessons/{lesson}",               json!({"title": "L2"}),               [401, 403, 403, 403, 200, 200]),
        row("edit draft lesson",        Method::PATCH,  "/api/v1/lessons/{draft_lesson}",         json!({"title": "L2"}),               [401, 404, 404, 404, 200, 200]),
        row("publish draft",            Method::POST,   "/api/v1/courses/{draft}/publish",        NO_BODY,                              [401, 404, 404, 404, 200, 200]),
        row("create category",          Method::POST,   "/api/v1/categories",                     json!({"slug": "cat-{who}", "name": "C"}), [401, 403, 403, 403, 403, 201]),
        row("delete lesson",            Method::DELETE, "/api/v1/lessons/{lesson}",               NO_BODY,                              [401, 403, 403, 403, 204, 204]),
        row("delete module",            Method::DELETE, "/api/v1/modules/{module}",               NO_BODY,                              [401, 403, 403, 403, 204, 204]),
        row("delete draft's module",    Method::DELETE, "/api/v1/modules/{draft_module}",         NO_BODY,                              [401, 404, 404, 404, 204, 204]),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &catalog_table(), async |who| app.course_vars(&cast, who.name()).await).await;
}

#[tokio::test]
async fn rich_text_never_carries_script() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let s = app.sign_up_student("s@school.test").await;
    let all = PAYLOADS.join("\n\n");
    let c = app.course(&teacher, "Safe course", json!({"description": all}), 1, true).await;
    let m = &c.modules[0];
    let mut lesson_ids = Vec::new();
    for p in PAYLOADS {
        let l =
            app.modules(&teacher).add_lesson(m, json!({"title": "x", "body": p, "is_preview": true})).await;
        lesson_ids.push(l.assert_status(StatusCode::CREATED).id());
    }
    app.enrollments(&s).enroll(&c.id).await.assert_status(StatusCode::CREATED);
    let res = app.reviews(&s).create(&c.id, json!({"rating": 1, "text": all})).await;
    res.assert_status(StatusCode::CREATED);

    let detail = app.courses(&ANONYMOUS).get(&c.id).await.assert_status(StatusCode::OK);
    let html = detail.str("description_html");
    assert_eq!(looks_executable(html), None, "{html}");
    for id in lesson_ids {
        let l = app.lessons(&ANONYMOUS).get(&id).await.assert_status(StatusCode::OK);
        let html = l.str("body_html");
        assert_eq!(looks_executable(html), None, "{html}");
    }
    // Full of links, the review is held for moderation: its author sees it as it is stored.
    let r = app.reviews(&s).list(&c.id, "").await.assert_status(StatusCode::OK);
    assert_eq!(r["items"][0]["status"], "pending");
    let html = r["items"][0]["text_html"].as_str().unwrap();
    assert_eq!(looks_executable(html), None, "{html}");
}

#[tokio::test]
async fn search_understands_russian_forms_typos_filters_and_facets() {
    let app = spawn_app().await;
    app.category("languages", "Languages").await;
    let teacher = app.sign_up_teacher("t@school.test").await;
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
    // Counts of a listing without words are remembered until the index changes, and no longer.
    assert_eq!(app.list("facets=true&limit=2").await["facets"], f["facets"]);
    app.course(&teacher, "Italian Phrasebook", json!({"category": "languages"}), 1, true).await;
    app.indexed().await;
    let f = app.list("facets=true&limit=3").await;
    assert_eq!(f["total"], 4);
    assert_eq!((f["facets"]["free"].as_u64(), f["facets"]["paid"].as_u64()), (Some(2), Some(2)));
    let languages = f["facets"]["categories"].as_array().unwrap().iter().find(|c| c["slug"] == "languages");
    assert_eq!(languages.unwrap()["count"], 2, "{f}");
    assert!(app.list("facets=true&limit=1").await["next_cursor"].is_string());

    // Typo forms are remembered per index generation: a word the index learns later is found.
    assert_eq!(app.list("q=astronmy").await["total"], 0);
    app.course(&teacher, "Astronomy Nights", json!({}), 1, true).await;
    app.indexed().await;
    assert_eq!(slugs(&app.list("q=astronmy&limit=5").await), ["astronomy-nights"]);

    // Suggestions complete the word being typed.
    let s = app.courses(&ANONYMOUS).suggest("q=spa").await.assert_status(StatusCode::OK);
    assert_eq!(s["items"][0]["slug"], "spanish-for-travellers");
    let s = app.courses(&ANONYMOUS).suggest("q=statistics%20wi").await.assert_status(StatusCode::OK);
    assert_eq!(s["items"][0]["title"], "Statistics Without Tears");

    // Bad parameters are explained.
    let res = app.courses(&ANONYMOUS).list("sort=loudness&level=expert").await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn pages_never_skip_or_repeat_while_courses_come_and_go() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
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
                let res = app.courses(&teacher).update(&extra.id, json!({"status": "archived"})).await;
                res.assert_status(StatusCode::OK);
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
    let teacher = app.sign_up_teacher("t@school.test").await;
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
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Gardening Basics", json!({}), 1, true).await;
    let me = app
        .me(&teacher)
        .update(json!({"name": "Gertrude Jekyll", "bio": "I grow **roses**. <script>alert(1)</script>"}))
        .await
        .assert_status(StatusCode::OK);
    let profile = app.teachers(&ANONYMOUS).get(me.str("id")).await.assert_status(StatusCode::OK);
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
    let teacher = app.sign_up_teacher("t@school.test").await;
    let mine = app.course(&teacher, "Mine", json!({}), 1, true).await;
    let other = app.sign_up_teacher("o@school.test").await;
    let theirs = app.course(&other, "Theirs", json!({}), 1, true).await;
    app.indexed().await;
    let visitor = app.courses(&ANONYMOUS);
    let (courses, lessons) = (app.courses(&teacher), app.lessons(&teacher));

    // A forged deep relevance cursor is refused, not allocated.
    use base64::Engine;
    let mut forged = vec![b's'];
    forged.extend_from_slice(&(1u64 << 40).to_be_bytes());
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
    visitor.list(&format!("q=mine&cursor={cursor}")).await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    // A very long query is answered quickly (only its first words count).
    let long = "lorem ".repeat(5000);
    let t = std::time::Instant::now();
    visitor.list(&format!("q={long}")).await.assert_status(StatusCode::OK);
    assert!(t.elapsed() < std::time::Duration::from_secs(2));
    // A slug that looks like an id would shadow a course: refused.
    let res = courses.update(&mine.id, json!({"slug": theirs.id.to_lowercase()})).await;
    res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    // A lesson cannot be moved into another teacher's module, nor the other way round.
    let res = lessons.update(&mine.lessons[0], json!({"module_id": theirs.modules[0]})).await;
    assert!(res.status.is_client_error(), "{res}");
    let res = lessons.update(&theirs.lessons[0], json!({"module_id": mine.modules[0]})).await;
    res.assert_status(StatusCode::FORBIDDEN);
    let cur = visitor.curriculum(&theirs.id).await.assert_status(StatusCode::OK);
    assert_eq!(cur["modules"][0]["lessons"].as_array().unwrap().len(), 1, "their lesson stayed where it was");
    // Half a price change keeps the other half.
    let d = courses.update(&mine.id, json!({"currency": "EUR"})).await.assert_status(StatusCode::OK);
    assert_eq!((d["price_minor"].as_i64(), d["currency"].as_str()), (Some(0), Some("EUR")));
    let d = courses.update(&mine.id, json!({"price_minor": 990})).await.assert_status(StatusCode::OK);
    assert_eq!((d["price_minor"].as_i64(), d["currency"].as_str()), (Some(990), Some("EUR")));
    // Created things say where they live.
    let m = courses.add_module(&mine.id, json!({"title": "More"})).await.assert_status(StatusCode::CREATED);
    let l = app.modules(&teacher).add_lesson(&m.id(), json!({"title": "L", "body": "b"})).await;
    let l = l.assert_status(StatusCode::CREATED);
    assert_eq!(l.location(), format!("/api/v1/lessons/{}", l.id()));
}

#[tokio::test]
async fn a_teachers_new_name_and_a_new_category_show_in_listings_at_once() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Renamed teacher", json!({}), 1, true).await;
    app.indexed().await;
    let student = app.sign_up_student("s@school.test").await;
    // A signed-in caller's listing is rendered afresh (visitors' answers may lag a second).
    let teacher_in_list = async |q: &str| {
        let res = app.api(&student).get(&format!("/api/v1/courses?{q}")).await.assert_status(StatusCode::OK);
        let item = res.json["items"].as_array().unwrap().iter().find(|i| i["id"] == c.id.as_str()).cloned();
        item.unwrap()["teacher"]["name"].as_str().unwrap().to_owned()
    };
    let before = teacher_in_list("").await;
    assert_eq!(teacher_in_list("q=renamed").await, before);
    app.api(&teacher)
        .patch("/api/v1/me", json!({"name": "Zinaida Newname"}))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(teacher_in_list("").await, "Zinaida Newname", "the listing, at once");
    assert_eq!(teacher_in_list("q=renamed").await, "Zinaida Newname", "the search, at once");

    // Categories are remembered too: a new one is listed with its courses' facets at once.
    let admin = app.sign_in_admin().await;
    app.api(&admin)
        .post("/api/v1/categories", json!({"slug": "pottery", "name": "Pottery"}))
        .await
        .assert_status(StatusCode::CREATED);
    let cats = app.api(&student).get("/api/v1/categories").await.assert_status(StatusCode::OK).json;
    assert!(cats.to_string().contains("pottery"), "{cats}");
}
