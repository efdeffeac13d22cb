//! Platform-core benchmarks: what one store read, one durable write, a group of concurrent
//! writes and one password hash cost on this machine. Run with `cargo bench --bench core`.
//!
//! Each benchmark prints a line saying, in words, what it measured.

use std::time::{Duration, Instant};

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use lectern::clock::Timestamp;
use lectern::identity::Role;
use lectern::identity::repo::{self, UserRecord};
use lectern::ids::UserId;

fn user(i: usize) -> UserRecord {
    UserRecord {
        id: UserId::generate(),
        email: format!("user{i}@bench.test"),
        name: format!("Bench User {i}"),
        role: Role::Student,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$placeholder".into(),
        email_verified: true,
        locale: "en".into(),
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
        password_changed_at: None,
        bio_html: String::new(),
        locked_at: None,
        deleted_at: None,
        verified_at: None,
        last_active_at: None,
    }
}

fn store_benches(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = lectern::schema::open(dir.path()).unwrap();
    let users = support::size("CORE_BENCH_USERS", 10_000, 2_000);
    let ids: Vec<UserId> = rt.block_on(async {
        let mut ids = Vec::new();
        for chunk in (0..users).collect::<Vec<_>>().chunks(1000) {
            let users: Vec<UserRecord> = chunk.iter().map(|&i| user(i)).collect();
            ids.extend(users.iter().map(|u| u.id));
            store
                .write(move |tx| {
                    for u in &users {
                        repo::insert_user(tx, u)?;
                    }
                    Ok(())
                })
                .await
                .unwrap();
        }
        ids
    });
    println!("\n[store] {users} users loaded; reads pick one at random-ish positions.");

    let mut i = 0usize;
    c.bench_function("store/point_read_user", |b| {
        b.iter(|| {
            i = (i + 7919) % ids.len();
            let id = ids[i];
            store.read_now(|rtx| Ok(repo::user(rtx, id)?)).unwrap().unwrap()
        })
    });
    println!("[store] point_read_user: one read transaction + one B-tree lookup + decoding the record.");

    let mut n = users;
    c.bench_function("store/durable_write_one_user", |b| {
        b.iter(|| {
            n += 1;
            let u = user(n);
            rt.block_on(store.write(move |tx| repo::insert_user(tx, &u))).unwrap()
        })
    });
    println!(
        "[store] durable_write_one_user: one unit of work alone = one fsync'd commit (record + 2 indexes + change log)."
    );

    let mut group = c.benchmark_group("store");
    group.sample_size(10).measurement_time(support::measurement(Duration::from_secs(8)));
    group.bench_function("group_commit_256_concurrent_writes", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut tasks = Vec::with_capacity(256);
                for _ in 0..256 {
                    n += 1;
                    let u = user(n);
                    let s = store.clone();
                    tasks.push(tokio::spawn(
                        async move { s.write(move |tx| repo::insert_user(tx, &u)).await },
                    ));
                }
                for t in tasks {
                    t.await.unwrap().unwrap();
                }
            })
        })
    });
    group.finish();
    println!(
        "[store] group_commit_256_concurrent_writes: 256 clients each waiting for their own durable write; \
         divide by 256 for the cost per acknowledged write."
    );

    // A plain throughput figure, in writes per second, for the closing note.
    let t = Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..4096 {
            n += 1;
            let u = user(n);
            let s = store.clone();
            tasks.push(tokio::spawn(async move { s.write(move |tx| repo::insert_user(tx, &u)).await }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    });
    let el = t.elapsed();
    println!(
        "[store] 4,096 concurrent durable user inserts: {:.0} acknowledged writes/s",
        4096.0 / el.as_secs_f64()
    );
}

fn password_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("identity");
    group.sample_size(10);
    group.bench_function("argon2id_hash_owasp_params", |b| {
        b.iter(|| lectern::identity::password::hash_now("correct horse battery").unwrap())
    });
    group.finish();
    println!(
        "[identity] argon2id_hash: one password hash with m=19 MiB, t=2, p=1 (the cost of every sign-in)."
    );
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = store_benches, password_bench
}
criterion_main!(benches);
