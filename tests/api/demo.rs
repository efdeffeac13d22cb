//! The demo school loads completely, once.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_demo_school_loads_once_and_is_usable() {
    let app = spawn_app().await;
    let embedded = lectern::demo::check().unwrap();
    let first = lectern::demo::load(app.state()).await.unwrap();
    assert_eq!(first.courses, embedded);
    assert!(first.categories >= 8, "{first:?}");
    assert!(first.users >= 50, "{first:?}");
    assert!(first.enrollments > first.courses && first.reviews >= 2 * first.courses, "{first:?}");
    assert!(first.questions >= 6, "Q&A threads: {first:?}");

    let again = lectern::demo::load(app.state()).await.unwrap();
    assert_eq!(
        (again.courses, again.users, again.categories, again.skipped_courses),
        (0, 0, 0, embedded),
        "nothing twice"
    );

    app.indexed().await;
    let all = app.list("limit=100&facets=true").await;
    assert_eq!(all["total"].as_u64().unwrap() as usize, embedded);
    let cats = app.categories(&ANONYMOUS).list().await.assert_status(StatusCode::OK);
    let counted: u64 =
        cats["items"].as_array().unwrap().iter().map(|c| c["course_count"].as_u64().unwrap()).sum();
    assert_eq!(counted as usize, embedded, "category counters match the courses");

    // Counters equal what the records imply.
    for c in all["items"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let reviews = app.reviews(&ANONYMOUS).list(id, "limit=100").await.assert_status(StatusCode::OK);
        let ratings: Vec<u64> =
            reviews["items"].as_array().unwrap().iter().map(|r| r["rating"].as_u64().unwrap()).collect();
        assert_eq!(c["review_count"].as_u64().unwrap() as usize, ratings.len());
        let mean = ratings.iter().sum::<u64>() as f64 / ratings.len().max(1) as f64;
        assert!((c["avg_rating"].as_f64().unwrap() - (mean * 100.0).round() / 100.0).abs() < 1e-9);
    }

    // Demo accounts sign in with the printed password.
    app.auth()
        .login("maria.lopez@demo.lectern.school", lectern::demo::PASSWORD)
        .await
        .assert_status(StatusCode::OK);
    let student = app.sign_in("olivia.brown@demo.lectern.school", lectern::demo::PASSWORD).await;
    let mine = app.enrollments(&student).list("limit=100").await.assert_status(StatusCode::OK);
    assert!(!mine["items"].as_array().unwrap().is_empty(), "demo students are enrolled somewhere");

    // Q&A threads in both languages, some with an accepted answer.
    let admin = app.sign_in_admin().await;
    for slug in ["python-for-complete-beginners", "python-s-nulya"] {
        let course = app.courses(&ANONYMOUS).get(slug).await.assert_status(StatusCode::OK);
        let qs = app
            .api(&admin)
            .get(&format!("/api/v1/courses/{}/questions", course.id()))
            .await
            .assert_status(StatusCode::OK);
        let items = qs["items"].as_array().unwrap();
        assert!(items.len() >= 2, "{qs}");
        assert!(items.iter().any(|q| !q["accepted_answer_id"].is_null()), "{qs}");
    }
}
