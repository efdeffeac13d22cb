//! One large upload to the real binary over HTTP on 127.0.0.1: throughput, and how much the
//! server's memory grows while it streams the file to disk (it must not hold the file).
//!
//! Run with `cargo bench --bench uploads` (`UPLOAD_BENCH_MB` sets the size, default 1024). The
//! server is the release `lectern` binary in its own process, so its RSS is its own: the peak
//! (`VmHWM`) is reset through `/proc/<pid>/clear_refs` just before the upload and read after.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;

fn status_kb(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() {
    let mb = support::size("UPLOAD_BENCH_MB", 1024, 128) as u64;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_lectern"))
            .arg("serve")
            .env("LECTERN_DATA_DIR", dir.path())
            .env("LECTERN_ADDR", format!("127.0.0.1:{port}"))
            .env("LECTERN_RATE_LIMIT_PER_MIN", "0")
            .env("LECTERN_BACKUP_EVERY", "0")
            .env("LECTERN_MAX_UPLOAD_MB", (mb + 16).to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the release binary starts"),
    );
    let pid = server.0.id();
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{base}/health/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let tokens: Value = client
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"email": "bench@school.test", "password": "correct horse battery", "name": "Bench", "role": "teacher"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().expect("registered").to_owned();

    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    let rss_before = status_kb(pid, "VmRSS:");
    // An MP4 header, then `mb` MiB in 256 KiB chunks generated on the fly.
    let chunk = 256 * 1024;
    let total = mb << 20;
    let mut header = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    header.resize(chunk, 0);
    let body = futures_util::stream::iter((0..total / chunk as u64).map(move |i| {
        let mut c = if i == 0 { header.clone() } else { vec![(i % 251) as u8; chunk] };
        c[chunk - 1] = (i % 256) as u8;
        Ok::<_, std::io::Error>(c)
    }));
    let started = Instant::now();
    let res = client
        .post(format!("{base}/api/v1/uploads?purpose=lesson_video&filename=bench.mp4"))
        .bearer_auth(&token)
        .header("content-type", "video/mp4")
        .header("content-length", total.to_string())
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let answer: Value = res.json().await.unwrap_or(Value::Null);
    let secs = started.elapsed().as_secs_f64();
    let (rss_after, hwm) = (status_kb(pid, "VmRSS:"), status_kb(pid, "VmHWM:"));
    assert_eq!(status, reqwest::StatusCode::CREATED, "{answer}");
    assert_eq!(answer["size"], total);
    println!("upload of {mb} MiB as one lesson video over 127.0.0.1 (release server, own process)");
    println!("  {:.1} s, {:.0} MB/s", secs, total as f64 / 1e6 / secs);
    println!(
        "  server RSS: {} MB before, {} MB after, peak {} MB during: growth {} MB",
        rss_before / 1024,
        rss_after / 1024,
        hwm / 1024,
        hwm.saturating_sub(rss_before) / 1024
    );
}
