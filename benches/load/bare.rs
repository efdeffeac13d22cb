//! The yardstick for `benches/load/run.sh`: a bare axum server on the same runtime and allocator
//! as Lectern, with nothing but a router. `/json` serialises a course-shaped JSON body of about
//! the size of Lectern's course detail on every request; `/page` answers a 20 KB HTML page held
//! in memory. Lectern's cached paths are reported as a ratio of these, measured in the same run.
//!
//!   cargo build --release --example bare && target/release/examples/bare 127.0.0.1:18401

use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Serialize)]
struct Named {
    id: &'static str,
    slug: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct Course {
    id: &'static str,
    slug: &'static str,
    title: &'static str,
    subtitle: &'static str,
    level: &'static str,
    language: &'static str,
    category: Named,
    price_minor: i64,
    currency: &'static str,
    is_free: bool,
    status: &'static str,
    teacher: Named,
    avg_rating: f64,
    review_count: u64,
    student_count: u64,
    total_lessons: u32,
    total_duration_s: u64,
    created_at: String,
    updated_at: String,
    description_html: String,
    published_at: String,
}

async fn json() -> impl IntoResponse {
    // Built and serialised per request, as a handler without a cache would.
    let course = Course {
        id: "01M976VMD54JR0A1W9N5P28QYK",
        slug: "applied-data-visualization-workshop-6730",
        title: "Applied Data Visualization Workshop",
        subtitle: "You will learn the habits that professionals rely on every day",
        level: "advanced",
        language: "en",
        category: Named { id: "01M976V0NHE60W10N658Z5TK3Z", slug: "science-math", name: "Science & Math" },
        price_minor: 2900,
        currency: "USD",
        is_free: false,
        status: "published",
        teacher: Named { id: "01M976V0NJNVRMDF631031HRVC", slug: "teacher-730", name: "Teacher 730" },
        avg_rating: 4.5,
        review_count: 12,
        student_count: 19,
        total_lessons: 10,
        total_duration_s: 6000,
        created_at: "2026-10-12T02:55:29.401Z".to_owned(),
        updated_at: "2026-10-12T02:55:29.401Z".to_owned(),
        description_html: "<p>You will learn the habits that professionals rely on every day. </p>"
            .repeat(40),
        published_at: "2026-10-12T02:55:29.401Z".to_owned(),
    };
    ([(CONTENT_TYPE, "application/json")], serde_json::to_vec(&course).expect("serialisable"))
}

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18401".into());
    let page = Bytes::from(format!(
        "<!doctype html><html><head><title>Courses</title></head><body>{}</body></html>",
        "<article class=\"card\"><h2><a href=\"/courses/x\">A course title</a></h2><p>A subtitle</p></article>\n"
            .repeat(220)
    ));
    let app = Router::new().route("/json", get(json)).route(
        "/page",
        get(move || {
            let page = page.clone();
            async move { ([(CONTENT_TYPE, "text/html; charset=utf-8")], page) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
