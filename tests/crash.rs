//! Crash harness: the real binary under concurrent writes, killed with SIGKILL at random moments,
//! restarted, and checked: every write that was answered 2xx is still there, nothing half-applied
//! shows (every counter equals what the records imply, and the ledger proves itself: some of the
//! load buys a paid course through the test provider and an admin refunds some of it), and search
//! catches up.
//!
//! `LECTERN_CRASH_CYCLES=500 cargo test --test crash -- --nocapture` runs more cycles (default 50).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_lectern");
const PASSWORD: &str = "correct horse battery";

struct Server {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[expect(
    clippy::zombie_processes,
    reason = "the returned child is reaped by terminate() or by kill + wait in the harness"
)]
async fn start(data: &Path, index: &Path, client: &reqwest::Client) -> Server {
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data)
        .arg("--index-dir")
        .arg(index)
        .env("LECTERN_RATE_LIMIT_PER_MIN", "0")
        .env("LECTERN_BACKUP_EVERY", "0")
        .env("LECTERN_PUBLIC_URL", "http://school.test")
        .env("LECTERN_PAYMENTS_TEST", "1")
        .stdout(Stdio::null())
        // The server's log, kept beside the data dir: a start that fails says why.
        .stderr(std::fs::File::create(data.with_extension("log")).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = client.get(format!("{base}/health/ready")).send().await
            && r.status().is_success()
        {
            return Server { child, base };
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let status = child.wait();
            let log = std::fs::read_to_string(data.with_extension("log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            panic!(
                "the server did not become ready ({status:?}); its log ends:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn terminate(mut s: Server) {
    Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    let status = s.child.wait().unwrap();
    assert!(status.success(), "graceful stop failed: {status}");
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[derive(Default)]
struct Acked {
    enrolled: HashSet<(usize, usize)>,
    completed: HashSet<(usize, String)>,
    reviewed: HashSet<(usize, usize)>,
    /// Paid orders: order id → (buyer, what an admin's acknowledged refunds brought it to).
    bought: HashMap<String, (usize, i64)>,
    refunds: usize,
    count: usize,
}

/// A buyer signed in with cookies, as the test provider's page needs: (cookie header, CSRF token).
async fn cookie_session(client: &reqwest::Client, base: &str, email: &str) -> (String, String) {
    let res = client
        .post(format!("{base}/api/v1/auth/session"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "cookie sign-in: {}", res.status());
    let mut cookies = Vec::new();
    let mut csrf = String::new();
    for c in res.headers().get_all(reqwest::header::SET_COOKIE) {
        let pair = c.to_str().unwrap().split(';').next().unwrap().to_owned();
        if let Some(v) = pair.strip_prefix("lectern_csrf=") {
            csrf = v.to_owned();
        }
        cookies.push(pair);
    }
    assert!(!csrf.is_empty(), "a CSRF cookie");
    (cookies.join("; "), csrf)
}

/// Buys the paid course with the test provider (checkout, then Pay on its page): the order id
/// once the payment was acknowledged.
async fn buy(
    client: &reqwest::Client,
    base: &str,
    course: &str,
    token: &str,
    session: &(String, String),
) -> Option<Option<String>> {
    let (status, out) = post(
        client,
        base,
        &format!("/api/v1/courses/{course}/checkout"),
        Some(token),
        json!({"provider": "test"}),
    )
    .await?;
    if status != 201 && status != 200 {
        return Some(None);
    }
    let order = out["order"]["id"].as_str()?.to_owned();
    let res = client
        .post(format!("{base}/pay/test/{order}"))
        .header(reqwest::header::COOKIE, &session.0)
        .form(&[("csrf", session.1.as_str()), ("outcome", "pay")])
        .send()
        .await
        .ok()?;
    Some((res.status().as_u16() == 303).then_some(order))
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> Option<(u16, Value)> {
    let mut req = client.post(format!("{base}{path}")).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.ok()?;
    let status = res.status().as_u16();
    Some((status, res.json().await.unwrap_or(Value::Null)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let cycles: usize = std::env::var("LECTERN_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let (data, index): (PathBuf, PathBuf) = (dir.path().join("data"), dir.path().join("index"));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    // A school: one teacher, four free courses of six lessons, forty students.
    let server = start(&data, &index, &client).await;
    let base = server.base.clone();
    let (_, t) = post(
        &client,
        &base,
        "/api/v1/auth/register",
        None,
        json!({"email": "t@school.test", "password": PASSWORD, "name": "T", "role": "teacher"}),
    )
    .await
    .unwrap();
    let teacher = t["access_token"].as_str().unwrap().to_owned();
    post(
        &client,
        &base,
        "/api/v1/auth/register",
        None,
        json!({"email": "a@school.test", "password": PASSWORD, "name": "A"}),
    )
    .await
    .unwrap();
    // Categories need an admin: create it with the command line on a stopped server later? No:
    // the first admin comes from the environment, so restart once with it.
    terminate(server);
    let st = Command::new(BIN)
        .args(["admin", "create", "--email", "admin@school.test", "--password", PASSWORD, "--data-dir"])
        .arg(&data)
        .status()
        .unwrap();
    assert!(st.success());
    let server = start(&data, &index, &client).await;
    let base = server.base.clone();
    let (_, a) = post(
        &client,
        &base,
        "/api/v1/auth/login",
        None,
        json!({"email": "admin@school.test", "password": PASSWORD}),
    )
    .await
    .unwrap();
    let admin = a["access_token"].as_str().unwrap().to_owned();
    post(&client, &base, "/api/v1/categories", Some(&admin), json!({"slug": "general", "name": "General"}))
        .await
        .unwrap();
    let mut courses: Vec<(String, Vec<String>)> = Vec::new();
    for i in 0..4 {
        let (_, c) = post(&client, &base, "/api/v1/courses", Some(&teacher), json!({"title": format!("Crash course {i}"), "description": "Durable.", "level": "beginner", "language": "en", "category": "general", "price_minor": 0, "currency": "USD"})).await.unwrap();
        let id = c["id"].as_str().unwrap().to_owned();
        let (_, m) = post(
            &client,
            &base,
            &format!("/api/v1/courses/{id}/modules"),
            Some(&teacher),
            json!({"title": "M"}),
        )
        .await
        .unwrap();
        let mid = m["id"].as_str().unwrap().to_owned();
        let mut lessons = Vec::new();
        for j in 0..6 {
            let (_, l) = post(
                &client,
                &base,
                &format!("/api/v1/modules/{mid}/lessons"),
                Some(&teacher),
                json!({"title": format!("L{j}"), "body": "b"}),
            )
            .await
            .unwrap();
            lessons.push(l["id"].as_str().unwrap().to_owned());
        }
        post(&client, &base, &format!("/api/v1/courses/{id}/publish"), Some(&teacher), json!({}))
            .await
            .unwrap();
        // Courses wait in the moderation queue (a first course, few words): the admin approves.
        let (st, _) =
            post(&client, &base, &format!("/api/v1/admin/courses/{id}/approve"), Some(&admin), json!({}))
                .await
                .unwrap();
        assert_eq!(st, 200, "the course is approved");
        courses.push((id, lessons));
    }
    let mut students = Vec::new();
    let mut student_ids = Vec::new();
    for i in 0..40 {
        let (_, s) = post(
            &client,
            &base,
            "/api/v1/auth/register",
            None,
            json!({"email": format!("s{i}@school.test"), "password": PASSWORD, "name": format!("S{i}")}),
        )
        .await
        .unwrap();
        students.push(s["access_token"].as_str().unwrap().to_owned());
        student_ids.push(s["user"]["id"].as_str().unwrap().to_owned());
    }
    // A paid course (one lesson), and eight of the students signed in with cookies to buy it.
    let (_, c) = post(&client, &base, "/api/v1/courses", Some(&teacher), json!({"title": "Paid crash course", "description": "Durable money.", "level": "beginner", "language": "en", "category": "general", "price_minor": 1_000, "currency": "USD"})).await.unwrap();
    let paid_course = c["id"].as_str().unwrap().to_owned();
    let (_, m) = post(
        &client,
        &base,
        &format!("/api/v1/courses/{paid_course}/modules"),
        Some(&teacher),
        json!({"title": "M"}),
    )
    .await
    .unwrap();
    post(
        &client,
        &base,
        &format!("/api/v1/modules/{}/lessons", m["id"].as_str().unwrap()),
        Some(&teacher),
        json!({"title": "L", "body": "b"}),
    )
    .await
    .unwrap();
    let (st, _) =
        post(&client, &base, &format!("/api/v1/courses/{paid_course}/publish"), Some(&teacher), json!({}))
            .await
            .unwrap();
    assert_eq!(st, 200, "the paid course is submitted");
    let (st, _) = post(
        &client,
        &base,
        &format!("/api/v1/admin/courses/{paid_course}/approve"),
        Some(&admin),
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(st, 200, "the paid course is published");
    let mut sessions = Vec::new();
    for i in 0..8 {
        sessions.push(cookie_session(&client, &base, &format!("s{i}@school.test")).await);
    }
    terminate(server);

    let courses = Arc::new(courses);
    let students = Arc::new(students);
    let sessions = Arc::new(sessions);
    let paid_course = Arc::new(paid_course);
    // Pages answer 303 to a form: not followed, it is the acknowledgement.
    let pages = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ std::process::id() as u64);
    let started = Instant::now();
    for cycle in 0..cycles {
        let server = start(&data, &index, &client).await;
        let base = server.base.clone();
        let mut load = Vec::new();
        for w in 0..16u64 {
            let (client, base, courses, students, acked) =
                (client.clone(), base.clone(), courses.clone(), students.clone(), acked.clone());
            let (pages, sessions, paid_course, admin) =
                (pages.clone(), sessions.clone(), paid_course.clone(), admin.clone());
            let mut r = Rng(rng.0 ^ (w + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
            load.push(tokio::spawn(async move {
                loop {
                    let s = r.below(students.len());
                    let c = r.below(courses.len());
                    let token = &students[s];
                    // One step in ten buys the paid course, one in ten refunds a purchase.
                    match r.below(10) {
                        8 => {
                            let b = r.below(sessions.len());
                            match buy(&pages, &base, &paid_course, &students[b], &sessions[b]).await {
                                Some(Some(order)) => {
                                    let mut a = acked.lock().unwrap();
                                    a.bought.insert(order, (b, 0));
                                    a.count += 1;
                                }
                                Some(None) => {}
                                None => return,
                            }
                            continue;
                        }
                        9 => {
                            let pick = {
                                let a = acked.lock().unwrap();
                                let mut orders: Vec<&String> = a.bought.keys().collect();
                                orders.sort();
                                (!orders.is_empty()).then(|| orders[r.below(orders.len())].clone())
                            };
                            let Some(order) = pick else { continue };
                            let amount = if r.below(2) == 0 { json!(250) } else { Value::Null };
                            match post(
                                &client,
                                &base,
                                &format!("/api/v1/admin/orders/{order}/refund"),
                                Some(&admin),
                                json!({"amount_minor": amount, "reason": "crash harness"}),
                            )
                            .await
                            {
                                Some((202, o)) => {
                                    let mut a = acked.lock().unwrap();
                                    let refunded = o["refunded_minor"].as_i64().unwrap();
                                    let entry = a.bought.get_mut(&order).unwrap();
                                    entry.1 = entry.1.max(refunded);
                                    a.refunds += 1;
                                    a.count += 1;
                                }
                                Some(_) => {}
                                None => return,
                            }
                            continue;
                        }
                        _ => {}
                    }
                    match r.below(3) {
                        0 => match post(
                            &client,
                            &base,
                            &format!("/api/v1/courses/{}/enroll", courses[c].0),
                            Some(token),
                            json!({}),
                        )
                        .await
                        {
                            Some((201, _)) => {
                                let mut a = acked.lock().unwrap();
                                a.enrolled.insert((s, c));
                                a.count += 1;
                            }
                            Some(_) => {}
                            None => return,
                        },
                        1 => {
                            let lesson = courses[c].1[r.below(6)].clone();
                            match post(
                                &client,
                                &base,
                                &format!("/api/v1/lessons/{lesson}/complete"),
                                Some(token),
                                json!({}),
                            )
                            .await
                            {
                                Some((200, _)) => {
                                    let mut a = acked.lock().unwrap();
                                    a.completed.insert((s, lesson));
                                    a.count += 1;
                                }
                                Some(_) => {}
                                None => return,
                            }
                        }
                        _ => match post(
                            &client,
                            &base,
                            &format!("/api/v1/courses/{}/reviews", courses[c].0),
                            Some(token),
                            json!({"rating": 1 + r.below(5), "text": "ok"}),
                        )
                        .await
                        {
                            Some((201, _)) => {
                                let mut a = acked.lock().unwrap();
                                a.reviewed.insert((s, c));
                                a.count += 1;
                            }
                            Some(_) => {}
                            None => return,
                        },
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(100 + rng.below(400) as u64)).await;
        let mut child = server.child;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for l in load {
            let _ = l.await;
        }

        // Restart and check what was acknowledged.
        let server = start(&data, &index, &client).await;
        let base = server.base.clone();
        let (enrolled, completed, reviewed) = {
            let a = acked.lock().unwrap();
            (a.enrolled.clone(), a.completed.clone(), a.reviewed.clone())
        };
        let mut mine: HashMap<usize, HashSet<String>> = HashMap::new();
        let mut done: HashMap<usize, HashSet<String>> = HashMap::new();
        for (s, token) in students.iter().enumerate() {
            let e: Value = client
                .get(format!("{base}/api/v1/me/enrollments?limit=100"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let ids: HashSet<String> = e["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["course"]["id"].as_str().unwrap().to_owned())
                .collect();
            for id in &ids {
                let p: Value = client
                    .get(format!("{base}/api/v1/courses/{id}/progress"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                done.entry(s).or_default().extend(
                    p["completed_lesson_ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| l.as_str().unwrap().to_owned()),
                );
            }
            mine.insert(s, ids);
        }
        for (s, c) in &enrolled {
            assert!(
                mine[s].contains(&courses[*c].0),
                "cycle {cycle}: acknowledged enrollment of student {s} in course {c} lost"
            );
        }
        for (s, l) in &completed {
            assert!(
                done.get(s).is_some_and(|d| d.contains(l)),
                "cycle {cycle}: acknowledged completion of {l} by {s} lost"
            );
        }
        // A write may also be durable without its answer having arrived (killed in between):
        // acknowledged ⊆ present, never the other way round.
        for (c, (id, _)) in courses.iter().enumerate() {
            let r: Value = client
                .get(format!("{base}/api/v1/courses/{id}/reviews?limit=100"))
                // As the admin: reviews the screen held (new accounts, bursts) count too.
                .bearer_auth(admin.as_str())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let authors: HashSet<&str> =
                r["items"].as_array().unwrap().iter().map(|x| x["author"]["id"].as_str().unwrap()).collect();
            for (s, rc) in reviewed.iter().filter(|(_, rc)| *rc == c) {
                assert!(
                    authors.contains(student_ids[*s].as_str()),
                    "cycle {cycle}: acknowledged review of course {rc} by {s} lost"
                );
            }
        }
        // Every acknowledged payment and refund is there.
        let bought: Vec<(String, (usize, i64))> =
            acked.lock().unwrap().bought.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (order, (b, refunded)) in &bought {
            let o: Value = client
                .get(format!("{base}/api/v1/orders/{order}"))
                .bearer_auth(&students[*b])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                ["paid", "partially_refunded", "refunded"]
                    .contains(&o["status"].as_str().unwrap_or_default()),
                "cycle {cycle}: acknowledged payment of {order} lost: {o}"
            );
            assert!(
                o["refunded_minor"].as_i64().unwrap() >= *refunded,
                "cycle {cycle}: acknowledged refund of {order} lost: {o}"
            );
        }
        terminate(server);

        // Nothing half-applied: every counter equals its records; search caught up.
        let store = lectern::schema::open(&data).unwrap();
        let problems = store.read_now(|rtx| Ok(lectern::check::counters(rtx)?)).unwrap();
        assert!(problems.is_empty(), "cycle {cycle}: {problems:?}");
        let position = store.position().unwrap();
        let search = lectern::search::Search::open(&index, store.clone()).unwrap();
        assert_eq!(search.position(), position, "cycle {cycle}: search did not catch up");
        assert_eq!(search.num_docs(), 5, "four free courses and the paid one");
        drop(search);
        store.close().await;
        // The writer thread lets go of the file right after close returns; give it a moment.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    {
        let a = acked.lock().unwrap();
        println!(
            "crash harness: {cycles} SIGKILL cycles in {:.0} s, {} acknowledged writes (distinct: {} enrollments, {} lesson completions, {} reviews, {} purchases, {} refunds), lost 0, counter and ledger problems 0",
            started.elapsed().as_secs_f64(),
            a.count,
            a.enrolled.len(),
            a.completed.len(),
            a.reviewed.len(),
            a.bought.len(),
            a.refunds,
        );
        assert!(a.count > cycles, "the load did write");
        assert!(!a.bought.is_empty() && a.refunds > 0, "the load bought and refunded");
    }
    // The checks above ran on a ledger with something in it.
    let store = lectern::schema::open(&data).unwrap();
    let audit = store.read_now(|rtx| Ok(lectern::commerce::ledger::verify(rtx)?)).unwrap();
    assert!(audit.problems.is_empty() && audit.transactions > 0, "{audit:?}");
    store.close().await;
}
