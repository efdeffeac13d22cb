//! Selling, in process: what creating a checkout costs (test provider, and Stripe against a local
//! stand-in on 127.0.0.1), and how many signed Stripe webhooks are verified and applied durably
//! per second (each one marks its order paid, enrolls the buyer, posts the sale to the ledger and
//! queues the receipt, in one unit of work), one at a time and with 64 in flight.
//!
//! Run with `cargo bench --bench commerce` (`COMMERCE_BENCH_ORDERS` orders per phase, default 3000).

use std::sync::Arc;
use std::time::{Duration, Instant};

use lectern::app::{App, AppState};
use lectern::catalog::repo::CourseRecord;
use lectern::commerce::repo::Provider;
use lectern::commerce::stripe::sign;
use lectern::config::{Config, Secret, StripeConfig};
use lectern::identity::Role;
use lectern::identity::repo::UserRecord;
use lectern::schema::{COURSES, USERS};
use lectern::store::Readable;
use serde_json::json;

mod support;

const WEBHOOK_SECRET: &[u8] = b"whsec_bench";
const IN_FLIGHT: usize = 64;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(label: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort();
    let p = |q: f64| ms(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    println!(
        "[commerce] {label}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms; {:.0} per s",
        samples.len(),
        p(0.50),
        p(0.99),
        ms(*samples.last().unwrap()),
        samples.len() as f64 / wall.as_secs_f64()
    );
}

/// A Stripe stand-in that answers every `POST /v1/checkout/sessions` with a session.
async fn stripe_stand_in() -> String {
    let app = axum::Router::new().route(
        "/v1/checkout/sessions",
        axum::routing::post(|body: String| async move {
            let order = url::form_urlencoded::parse(body.as_bytes())
                .find(|(k, _)| k == "client_reference_id")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            axum::Json(json!({"id": format!("cs_bench_{order}"), "url": "https://checkout.stripe.test/x"}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// Paid published courses and students, for (student, course) pairs nobody has bought.
async fn buyers_and_courses(state: &AppState) -> (Vec<UserRecord>, Vec<CourseRecord>) {
    state
        .store
        .read(|rtx| {
            let students = rtx
                .range(USERS, .., usize::MAX)?
                .into_iter()
                .map(|(_, u)| u)
                .filter(|u| u.role == Role::Student);
            let courses = rtx
                .range(COURSES, .., usize::MAX)?
                .into_iter()
                .map(|(_, c)| c)
                .filter(|c: &CourseRecord| c.is_published() && !c.is_free());
            Ok((students.collect(), courses.collect()))
        })
        .await
        .unwrap()
}

fn main() {
    let orders = support::size("COMMERCE_BENCH_ORDERS", 3000, 300);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let mut config = Config::new(dir.path());
        config.payments.test = true;
        config.payments.stripe = Some(StripeConfig {
            secret_key: Secret::new(b"sk_bench".to_vec()),
            webhook_secret: Secret::new(WEBHOOK_SECRET.to_vec()),
            api_base: stripe_stand_in().await,
        });
        let state = App::build(config).await.unwrap();
        let opts = lectern::seed::Options {
            courses: 400,
            users: 2_000,
            enrollments_per_user: 0,
            lessons: 5,
            seed: 7,
        };
        lectern::seed::run(&state, &opts).await.unwrap();
        let (students, courses) = buyers_and_courses(&state).await;
        println!(
            "\n[commerce] {} students, {} paid courses; {orders} orders per phase",
            students.len(),
            courses.len()
        );
        // Pair k: student k % n with course k / n, so no pair repeats.
        let pair = |k: usize| (students[k % students.len()].clone(), courses[k / students.len()].id);

        // Checkout with the test provider, one at a time.
        let commerce = state.commerce.clone();
        let mut samples = Vec::with_capacity(orders);
        let wall = Instant::now();
        for k in 0..orders {
            let (who, course) = pair(k);
            let t = Instant::now();
            commerce.checkout(&who, course, Provider::Test, None).await.unwrap();
            samples.push(t.elapsed());
        }
        summary("checkout (test provider), one at a time", samples, wall.elapsed());

        // Checkout with Stripe: the same plus a Checkout Session from the stand-in on loopback.
        let mut samples = Vec::with_capacity(orders);
        let mut stripe_orders = Vec::with_capacity(orders);
        let wall = Instant::now();
        for k in orders..2 * orders {
            let (who, course) = pair(k);
            let t = Instant::now();
            let done = commerce.checkout(&who, course, Provider::Stripe, None).await.unwrap();
            samples.push(t.elapsed());
            stripe_orders.push(done.order);
        }
        summary("checkout (Stripe stand-in on loopback), one at a time", samples, wall.elapsed());

        // Signed `checkout.session.completed` webhooks for those orders.
        let now = state.clock.now().0 / 1000;
        let events: Vec<(String, Vec<u8>)> = stripe_orders
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let body = serde_json::to_vec(&json!({
                    "id": format!("evt_bench_{i}"),
                    "type": "checkout.session.completed",
                    "data": {"object": {
                        "id": format!("cs_bench_{}", o.id),
                        "client_reference_id": o.id.to_string(),
                        "payment_status": "paid",
                        "amount_total": o.total_minor(),
                        "currency": o.currency.to_lowercase(),
                        "payment_intent": format!("pi_bench_{i}"),
                    }},
                }))
                .unwrap();
                (sign(WEBHOOK_SECRET, &body, now), body)
            })
            .collect();
        let (single, concurrent) = events.split_at(events.len() / 5);

        let mut samples = Vec::with_capacity(single.len());
        let wall = Instant::now();
        for (sig, body) in single {
            let t = Instant::now();
            commerce.stripe_webhook(Some(sig), body).await.unwrap();
            samples.push(t.elapsed());
        }
        summary("webhook verified + applied durably, one at a time", samples, wall.elapsed());

        let queue = Arc::new(std::sync::Mutex::new(concurrent.to_vec()));
        let wall = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..IN_FLIGHT {
            let (queue, commerce) = (queue.clone(), commerce.clone());
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::new();
                loop {
                    let Some((sig, body)) = queue.lock().unwrap().pop() else { break };
                    let t = Instant::now();
                    commerce.stripe_webhook(Some(&sig), &body).await.unwrap();
                    samples.push(t.elapsed());
                }
                samples
            }));
        }
        let mut samples = Vec::new();
        for t in tasks {
            samples.extend(t.await.unwrap());
        }
        summary(
            &format!("webhook verified + applied durably, {IN_FLIGHT} in flight"),
            samples,
            wall.elapsed(),
        );

        let audit = state.store.read(|rtx| Ok(lectern::commerce::ledger::verify(rtx)?)).await.unwrap();
        println!(
            "[commerce] ledger after the run: {} transactions, {} entries, {} balances, {} problems",
            audit.transactions,
            audit.entries,
            audit.balances,
            audit.problems.len()
        );
        assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    });
}
