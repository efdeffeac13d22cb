//! Search over 10,000 generated courses, in-process: what a catalog request costs before HTTP.
//! Run with `cargo bench --bench search`. Prints p50/p99 per query kind, then criterion figures.

use std::time::{Duration, Instant};

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use lectern::app::{App, AppState};
use lectern::catalog::repo::CourseRecord;
use lectern::config::Config;
use lectern::schema::COURSES;
use lectern::search::listing::ListParams;
use lectern::search::{Filters, ListQuery, Sort};
use lectern::store::Readable;

fn school(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> AppState {
    rt.block_on(async {
        let state = App::build(Config::new(dir)).await.unwrap();
        let t = Instant::now();
        let report = lectern::seed::run(
            &state,
            &lectern::seed::Options {
                courses: support::size("SEARCH_BENCH_COURSES", 10_000, 2_000),
                users: support::pick(5_000, 1_000),
                enrollments_per_user: 4,
                lessons: 10,
                seed: 7,
            },
        )
        .await
        .unwrap();
        println!("\n[search] {report}");
        println!("[search] seeding took {:.1} s in all", t.elapsed().as_secs_f64());
        let search = state.search.clone();
        let t = Instant::now();
        let n = tokio::task::spawn_blocking(move || search.rebuild()).await.unwrap().unwrap();
        println!("[search] full reindex of {n} courses: {:.2} s", t.elapsed().as_secs_f64());
        state
    })
}

fn query(q: Option<&str>, sort: Sort, facets: bool, filters: Filters) -> ListQuery {
    ListQuery {
        q: q.map(str::to_owned),
        filters,
        sort,
        descending: true,
        limit: 20,
        cursor: None,
        facets,
        snippets: q.is_some(),
    }
}

/// `n` searches that are each different (`seed` picks which): two words of course titles, the first with a typo
/// (two letters swapped, or one dropped) three times in five, and a filter or another order
/// three times in eight.
fn unique_searches(rt: &tokio::runtime::Runtime, state: &AppState, n: usize, seed: u64) -> Vec<ListParams> {
    let courses: Vec<CourseRecord> = rt.block_on(async {
        let all = state.store.read(|rtx| Ok(rtx.range(COURSES, .., usize::MAX)?)).await.unwrap();
        all.into_iter().map(|(_, c)| c).collect()
    });
    let mut vocab: Vec<String> = courses
        .iter()
        .flat_map(|c| c.title.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>())
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .collect();
    vocab.sort();
    vocab.dedup();
    // A fixed xorshift: the same searches on every run.
    let mut x = seed;
    let mut rand = move |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let mut a: Vec<char> = vocab[rand(vocab.len())].chars().collect();
        let b = &vocab[rand(vocab.len())];
        if a.len() >= 5 && rand(5) < 3 {
            let i = 1 + rand(a.len() - 2);
            if rand(2) == 0 {
                a.swap(i, i + 1);
            } else {
                a.remove(i);
            }
        }
        let mut p =
            ListParams { q: Some(format!("{} {b}", a.iter().collect::<String>())), ..Default::default() };
        match rand(8) {
            0 => p.level = Some("beginner".into()),
            1 => p.is_free = Some(true),
            2 => (p.is_free, p.sort) = (Some(false), Some("avg_rating".into())),
            3 => p.sort = Some("popularity".into()),
            4 => p.language = Some("ru".into()),
            _ => {}
        }
        if seen.insert(format!("{:?} {:?} {:?} {:?} {:?}", p.q, p.level, p.is_free, p.sort, p.language)) {
            out.push(p);
        }
    }
    out
}

fn percentiles(label: &str, mut f: impl FnMut()) {
    let runs = support::pick(2000, 300);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs / 10 {
        f();
    }
    for _ in 0..runs {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "[search] {label:<58} p50 {:>7.1} µs   p99 {:>7.1} µs",
        p(0.50).as_secs_f64() * 1e6,
        p(0.99).as_secs_f64() * 1e6
    );
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = school(&rt, dir.path());
    let s = state.search.clone();
    let fuzzy = query(Some("pyhton bootcmp"), Sort::Relevance, true, Filters::default());
    let plain = query(Some("python bootcamp"), Sort::Relevance, false, Filters::default());
    let russian = query(Some("основы программирование"), Sort::Relevance, true, Filters::default());
    let filtered = query(
        Some("statistics"),
        Sort::Rating,
        true,
        Filters { is_free: Some(false), language: Some("en".into()), ..Filters::default() },
    );
    let listing = query(None, Sort::Created, true, Filters::default());
    let by_price = query(
        None,
        Sort::Price,
        false,
        Filters { level: Some(lectern::catalog::types::Level::Beginner), ..Filters::default() },
    );

    println!(
        "[search] in-process latency over {} indexed courses ({} runs each; a query asked again \
         finds its counts and typo forms memoised for the index as it is, the last line asks \
         nothing twice):",
        s.num_docs(),
        support::pick(2000, 300)
    );
    percentiles("two words, exact, BM25", || drop(s.list(&plain).unwrap()));
    percentiles("two words with typos, fuzzy + facets", || drop(s.list(&fuzzy).unwrap()));
    percentiles("Russian inflected words, fuzzy + facets", || drop(s.list(&russian).unwrap()));
    percentiles("one word, filtered (paid, en), sorted by rating, facets", || {
        drop(s.list(&filtered).unwrap())
    });
    percentiles("catalog page: no query, newest first, facets", || drop(s.list(&listing).unwrap()));
    percentiles("catalog page: beginner level, cheapest first", || drop(s.list(&by_price).unwrap()));
    percentiles("suggest \"pyt\"", || drop(s.suggest("pyt", 10).unwrap()));
    // Every query different, as `benches/load/search_unique.lua` asks them: through the API's
    // listing (record reads, names, snippets), nothing of it asked before.
    let unique = unique_searches(&rt, &state, support::pick(2000, 300) * 11 / 10, 0x9e37_79b9_7f4a_7c15);
    // The same searches, the index alone (no record reads, names or snippets): what of the line
    // below is the query itself. Their own copy: the listing's line must ask nothing twice.
    let mut alone = unique.clone().into_iter();
    percentiles("  the same kind, the index alone (query, counts, top 20)", || {
        let p = alone.next().expect("one query per run");
        let q = query(p.q.as_deref(), Sort::Relevance, false, Filters::default());
        drop(s.list(&q).unwrap())
    });
    let unique = unique_searches(&rt, &state, support::pick(2000, 300) * 11 / 10, 0x2545_f491_4f6c_dd1d);
    let mut next = unique.into_iter();
    percentiles("every query different: two title words, typos, filters, snippets", || {
        let p = next.next().expect("one query per run");
        let listed = rt.block_on(lectern::search::listing::list(&state.catalog, &s, p, None, "en"));
        drop(listed.unwrap())
    });

    let mut g = c.benchmark_group(support::pick("search_10k", "search_quick"));
    g.measurement_time(support::measurement(Duration::from_secs(3)))
        .warm_up_time(support::pick(Duration::from_secs(1), Duration::from_millis(300)));
    g.bench_function("fuzzy_facets_snippets", |b| b.iter(|| s.list(&fuzzy).unwrap()));
    g.bench_function("plain_two_words", |b| b.iter(|| s.list(&plain).unwrap()));
    g.bench_function("filtered_sorted_facets", |b| b.iter(|| s.list(&filtered).unwrap()));
    g.bench_function("listing_newest_facets", |b| b.iter(|| s.list(&listing).unwrap()));
    g.bench_function("suggest", |b| b.iter(|| s.suggest("pyt", 10).unwrap()));
    g.finish();
}

criterion_group! {
    name = search;
    config = support::criterion();
    targets = benches
}
criterion_main!(search);
