//! End to end over HTTP: the real server, in-process on 127.0.0.1, on a generated school of
//! 10,000 courses. For each endpoint: latency of one request at a time, then throughput with 64
//! concurrent keep-alive clients for a few seconds. The client runs in the same process on the
//! same 2 cores, so these figures are a floor; `benches/load/run.sh` (wrk) is the fuller picture.
//!
//! Run with `cargo bench --bench http` (`HTTP_BENCH_SECS` sets the seconds per endpoint).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lectern::app::{App, Server};
use lectern::config::Config;
use serde_json::{Value, json};

mod support;

const CONCURRENCY: usize = 64;

type PerRequest<T> = Box<dyn Fn(usize) -> T + Send + Sync>;

struct Endpoint {
    label: &'static str,
    /// Method, path and bearer token of request number `n` (a varying path defeats the page
    /// cache when that is the point; varying students and lessons make every write real).
    method: PerRequest<reqwest::Method>,
    path: PerRequest<String>,
    token: PerRequest<Option<String>>,
}

fn get(label: &'static str, path: PerRequest<String>) -> Endpoint {
    Endpoint { label, method: Box::new(|_| reqwest::Method::GET), path, token: Box::new(|_| None) }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p / 100.0).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn send(client: &reqwest::Client, base: &str, e: &Endpoint, n: usize) -> bool {
    let mut req = client.request((e.method)(n), format!("{base}{}", (e.path)(n)));
    if let Some(t) = (e.token)(n) {
        req = req.bearer_auth(t);
    }
    match req.send().await {
        Ok(res) => {
            let ok = res.status().is_success();
            let _ = res.bytes().await;
            ok
        }
        Err(_) => false,
    }
}

async fn measure(client: &reqwest::Client, base: &str, e: Arc<Endpoint>, secs: f64) -> String {
    // One at a time: what a single visitor waits (server + loopback + client).
    let mut single = Vec::new();
    for n in 0..300 {
        let t = Instant::now();
        send(client, base, &e, n).await;
        single.push(t.elapsed());
    }
    single.sort();

    // Throughput: 64 clients as fast as they can.
    let counter = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, base, e, counter, errors) =
            (client.clone(), base.to_owned(), e.clone(), counter.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if !send(&client, &base, &e, n).await {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                times.push(t.elapsed());
            }
            times
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64().max(secs);
    all.sort();
    format!(
        "| {:<46} | {:>6.2} | {:>8.0} | {:>6.2} | {:>6.2} | {:>6.2} | {:>6} |",
        e.label,
        percentile(&single, 50.0),
        all.len() as f64 / elapsed,
        percentile(&all, 50.0),
        percentile(&all, 95.0),
        percentile(&all, 99.0),
        errors.load(Ordering::Relaxed),
    )
}

fn main() {
    let secs: f64 =
        std::env::var("HTTP_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(support::pick(3.0, 1.0));
    let courses = support::size("HTTP_BENCH_COURSES", 10_000, 2_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let mut config = Config::new(dir.path());
        config.addr = "127.0.0.1:0".parse().unwrap();
        config.rate_limit_per_min = 0;
        let state = App::build(config).await.unwrap();
        let t = Instant::now();
        let report = lectern::seed::run(
            &state,
            &lectern::seed::Options { courses, users: 2_000, enrollments_per_user: 3, lessons: 10, seed: 11 },
        )
        .await
        .unwrap();
        println!("\n[http] {report} ({:.1} s)", t.elapsed().as_secs_f64());
        let search = state.search.clone();
        tokio::task::spawn_blocking(move || search.rebuild()).await.unwrap().unwrap();

        let server = Server::bind(state.clone()).await.unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run_until(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY).build().unwrap();

        let list: Value = client
            .get(format!("{base}/api/v1/courses?is_free=true&sort=popularity&limit=20"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let course = list["items"][0].clone();
        let (id, slug) = (course["id"].as_str().unwrap().to_owned(), course["slug"].as_str().unwrap().to_owned());

        // Students with lessons to complete. Request n marks or unmarks its own (student,
        // lesson) pair, alternating per pass, so every request is a durable write.
        let cur: Value =
            client.get(format!("{base}/api/v1/courses/{id}/curriculum")).send().await.unwrap().json().await.unwrap();
        let lessons: Vec<String> = cur["modules"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["lessons"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_owned()))
            .collect();
        let mut pairs = Vec::new();
        for k in 0..16 {
            let reg: Value = client
                .post(format!("{base}/api/v1/auth/register"))
                .json(&json!({"email": format!("bench{k}@school.test"), "password": "a bench password", "name": "Bench"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = reg["access_token"].as_str().unwrap().to_owned();
            client.post(format!("{base}/api/v1/courses/{id}/enroll")).bearer_auth(&token).send().await.unwrap();
            pairs.extend(lessons.iter().map(|l| (token.clone(), l.clone())));
        }
        let pairs = Arc::new(pairs);
        let (p1, p2, p3) = (pairs.clone(), pairs.clone(), pairs);

        let words = ["python basics", "pyhton", "data analysis", "javascript", "программирование", "design"];
        let (s1, s2) = (slug.clone(), slug.clone());
        let endpoints = vec![
            get("GET course detail JSON", Box::new(move |_| format!("/api/v1/courses/{id}"))),
            get("GET course page HTML (page cache)", Box::new(move |_| format!("/courses/{s1}"))),
            get("GET course page HTML (rendered every time)", Box::new(move |n| format!("/courses/{s2}?r={n}"))),
            get("GET catalog page HTML, 20 courses (page cache)", Box::new(|_| "/courses".to_owned())),
            get("GET catalog page HTML (rendered every time)", Box::new(|n| format!("/courses?sort=popularity&r={n}"))),
            get(
                "GET search, two words, fuzzy + facets",
                Box::new(move |n| format!("/api/v1/courses?facets=true&q={}", words[n % words.len()])),
            ),
            Endpoint {
                label: "POST/DELETE lesson completion (durable)",
                method: Box::new(move |n| {
                    if (n / p1.len()) % 2 == 0 { reqwest::Method::POST } else { reqwest::Method::DELETE }
                }),
                path: Box::new(move |n| format!("/api/v1/lessons/{}/complete", p2[n % p2.len()].1)),
                token: Box::new(move |n| Some(p3[n % p3.len()].0.clone())),
            },
        ];
        println!("\n[http] {CONCURRENCY} concurrent clients, {secs} s per endpoint, client in the same process:\n");
        println!(
            "| {:<46} | {:>6} | {:>8} | {:>6} | {:>6} | {:>6} | {:>6} |",
            "endpoint", "alone", "RPS", "p50 ms", "p95 ms", "p99 ms", "errors"
        );
        println!("|{}|", ["-"; 7].iter().map(|_| "---").collect::<Vec<_>>().join("|"));
        for e in endpoints {
            println!("{}", measure(&client, &base, Arc::new(e), secs).await);
        }
        println!("\n(\"alone\": median ms of one request at a time; the rest with {CONCURRENCY} at once.)");
        let _ = stop.send(());
        serving.await.unwrap().unwrap();
    });
}
