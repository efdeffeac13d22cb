//! A full disk: writes answer 503 problem+json, nothing half-applied is visible, and the server
//! recovers by itself once space is freed. Needs root (it mounts a small tmpfs):
//! `cargo test --features fault-tests --test diskfull` (run by `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lectern::app::{App, Server};
use lectern::config::Config;
use serde_json::{Value, json};

struct Mount(PathBuf);

impl Mount {
    fn new(dir: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(ok.success(), "mounting a tmpfs failed: this test needs root");
        Mount(dir.to_owned())
    }

    fn resize(&self, size: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_503_and_the_server_recovers() {
    let base = tempfile::tempdir().unwrap();
    let mount = Mount::new(&base.path().join("disk"), "3m");
    let data = mount.0.join("data");
    let mut config = Config::new(&data);
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.rate_limit_per_min = 0;
    // The index is derived data and lives elsewhere; the store is what must survive.
    config.index_dir = base.path().join("index");
    config.admin =
        Some(("admin@school.test".into(), lectern::config::Secret::new(b"admin password 123".to_vec())));
    let state = App::build(config).await.unwrap();
    let server = Server::bind(state.clone()).await.unwrap();
    let url = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();

    let v: Value = client
        .post(format!("{url}/api/v1/auth/register"))
        .json(&json!({"email": "t@school.test", "password": "correct horse battery", "name": "T", "role": "teacher"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let teacher = v["access_token"].as_str().unwrap().to_owned();
    let admin: Value = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"email": "admin@school.test", "password": "admin password 123"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    client
        .post(format!("{url}/api/v1/categories"))
        .bearer_auth(admin["access_token"].as_str().unwrap())
        .json(&json!({"slug": "general", "name": "General"}))
        .send()
        .await
        .unwrap();

    // Fill the disk with courses whose descriptions are large.
    let big = "Words to fill the disk with. ".repeat(1700);
    let create = |i: usize| {
        client
            .post(format!("{url}/api/v1/courses"))
            .bearer_auth(&teacher)
            .json(&json!({"title": format!("Filler {i}"), "description": big, "level": "beginner", "language": "en", "category": "general", "price_minor": 0, "currency": "USD"}))
            .send()
    };
    let mut created = 0;
    let mut refusal = None;
    for i in 0..200 {
        let res = create(i).await.unwrap();
        match res.status().as_u16() {
            201 => created += 1,
            503 => {
                assert_eq!(res.headers()["content-type"], "application/problem+json");
                refusal = Some(res.json::<Value>().await.unwrap());
                break;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let refusal = refusal.expect("the disk never filled up");
    assert_eq!(refusal["code"], "unavailable");
    assert!(!refusal["detail"].as_str().unwrap().contains("os error"), "no internals: {refusal}");
    assert!(created > 0);

    // Space comes back: the server recovers without a restart.
    mount.resize("64m");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let res = create(1000).await.unwrap();
        if res.status().as_u16() == 201 {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not recover: {}", res.status());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = client.get(format!("{url}/health/ready")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);

    // Every course that was acknowledged is there, the refused one is not, counters add up.
    let mine: Value = client
        .get(format!("{url}/api/v1/teachers/{}", v["user"]["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let _ = mine;
    let (courses, problems) = state
        .store
        .read_now(|rtx| Ok((lectern::schema::COURSES.len(rtx)?, lectern::check::counters(rtx)?)))
        .unwrap();
    assert_eq!(courses as usize, created + 1, "acknowledged courses plus the one after recovery");
    assert!(problems.is_empty(), "{problems:?}");

    drop(state);
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}
