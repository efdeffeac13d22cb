//! What a certificate PDF costs to render (A4 landscape, two subset-embedded fonts, a vector QR
//! code): one at a time, and on every core at once.
//!
//! Run with `cargo bench --bench certificates` (`CERT_BENCH_N` PDFs per phase, default 500).
//! Target: < 30 ms each and >= 50 per second in release.

use std::time::{Duration, Instant};

use lectern::engagement::pdf::{Sheet, render};

mod support;

fn sheet(i: usize) -> Sheet {
    Sheet {
        school: "Lectern Online School".into(),
        title: "Сертификат об окончании курса".into(),
        certifies: "Настоящим подтверждается, что".into(),
        student: format!("Анна Петрова-Водкина {i}"),
        completed: "успешно завершил(а) курс".into(),
        course: "Rust с нуля: владение, заимствование и асинхронность".into(),
        taught_by: "преподаватель: Иван Иванов".into(),
        date_label: "Дата".into(),
        date: "6 декабря 2026 г.".into(),
        code_label: "Номер сертификата".into(),
        code: format!("s1EpLQVixUuD-iOtsmg{i:03}"),
        verify_label: "Проверить сертификат:".into(),
        verify_url: format!("https://school.example/certificates/s1EpLQVixUuD-iOtsmg{i:03}"),
        revoked: None,
        lang: "ru".into(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let n = support::size("CERT_BENCH_N", 500, 50);
    // The first render parses the fonts; it is not what a request pays afterwards.
    let first = Instant::now();
    let size = render(&sheet(0)).expect("renders").len();
    println!("[certificates] first PDF (parses the fonts): {:.1} ms, {size} bytes", ms(first.elapsed()));

    let mut samples = Vec::with_capacity(n);
    let wall = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        let pdf = render(&sheet(i)).expect("renders");
        samples.push(t.elapsed());
        std::hint::black_box(pdf);
    }
    let wall = wall.elapsed();
    samples.sort();
    let p = |q: f64| ms(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    println!(
        "[certificates] one at a time: n={n} p50={:.2} ms p99={:.2} ms max={:.2} ms; {:.0} per s",
        p(0.5),
        p(0.99),
        ms(*samples.last().unwrap()),
        n as f64 / wall.as_secs_f64()
    );

    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let wall = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                for i in (t..n).step_by(threads) {
                    std::hint::black_box(render(&sheet(i)).expect("renders"));
                }
            });
        }
    });
    let wall = wall.elapsed();
    println!(
        "[certificates] {threads} threads: {n} PDFs in {:.0} ms; {:.0} per s",
        ms(wall),
        n as f64 / wall.as_secs_f64()
    );
}
