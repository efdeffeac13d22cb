//! Backups, restores and metrics.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// Every (table, key) → value in a store, from one snapshot.
fn dump(store: &lectern::store::Store) -> BTreeMap<(String, Vec<u8>), Vec<u8>> {
    store
        .read_now(|rtx| {
            let mut all = BTreeMap::new();
            for t in lectern::schema::ALL {
                t.dump(rtx, &mut |k, v| {
                    all.insert((t.name().to_owned(), k.to_vec()), v.to_vec());
                    Ok(())
                })?;
            }
            Ok(all)
        })
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_exactly() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let course = app.course(&teacher, "Busy course", json!({}), 4, true).await;
    let mut students = Vec::new();
    for i in 0..8 {
        students.push(access(&app.register_student(&format!("s{i}@school.test")).await));
    }
    let admin = app.sign_in_admin().await;

    // Writers: enroll, then complete lessons and review, as fast as they can.
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for s in students.clone() {
        let (client, base, stop, c) = (app.client.clone(), app.base.clone(), stop.clone(), course.id.clone());
        let lessons = course.lessons.clone();
        load.push(tokio::spawn(async move {
            let post = |path: String| {
                client
                    .post(format!("{base}{path}"))
                    .bearer_auth(&s)
                    .json(&json!({"rating": 4, "text": "fine"}))
                    .send()
            };
            let mut acked = 0;
            post(format!("/api/v1/courses/{c}/enroll")).await.unwrap();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let r =
                    post(format!("/api/v1/lessons/{}/complete", lessons[i % lessons.len()])).await.unwrap();
                acked += usize::from(r.status().is_success());
                if i == 2 {
                    post(format!("/api/v1/courses/{c}/reviews")).await.unwrap();
                }
                i += 1;
            }
            acked
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let info = app.admin(&admin).create_backup().await.assert_status(StatusCode::CREATED);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked = 0;
    for l in load {
        acked += l.await.unwrap();
    }
    assert!(acked > 0, "the load ran");

    let name = info["name"].as_str().unwrap();
    let file = app.dir.path().join("backups").join(name);
    assert_eq!(std::fs::metadata(&file).unwrap().len(), info["size"].as_u64().unwrap());
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600,
            "backups are private"
        );
    }
    let listed = app.admin(&admin).backups().await.assert_status(StatusCode::OK);
    assert_eq!(listed["items"][0]["name"], name);

    // Restore into a fresh directory: every record is the backup's, and the counters add up.
    let target = tempfile::tempdir().unwrap();
    let restored_dir = target.path().join("data");
    let restored = lectern::backup::restore(&file, &restored_dir).unwrap();
    assert_eq!(restored.records, info["records"].as_u64().unwrap());
    let store = lectern::schema::open(&restored_dir).unwrap();
    assert_eq!(
        store.position().unwrap(),
        info["position"].as_u64().unwrap(),
        "restored at the backup's moment"
    );
    let problems = store.read_now(|rtx| Ok(lectern::check::counters(rtx)?)).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let restored_records = dump(&store);
    assert_eq!(restored_records.len() as u64, restored.records);
    // A second backup of the restored store holds the same bytes as the first (record for record).
    let again = target.path().join("again.backup");
    let info2 = lectern::backup::write(
        &store,
        &again,
        lectern::clock::Timestamp(info["created_at_ms"].as_i64().unwrap()),
    )
    .unwrap();
    assert_eq!(info2.records, restored.records);
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&file).unwrap(), "restore is exact");
    store.close().await;
}

#[tokio::test]
async fn damaged_backups_are_refused_and_nothing_is_created() {
    let app = spawn_app().await;
    app.register_student("s@school.test").await;
    let admin = app.sign_in_admin().await;
    let info = app.admin(&admin).create_backup().await.assert_status(StatusCode::CREATED);
    let file = app.dir.path().join("backups").join(info["name"].as_str().unwrap());
    let bytes = std::fs::read(&file).unwrap();
    let work = tempfile::tempdir().unwrap();

    let truncated = work.path().join("truncated.backup");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let mut flipped_bytes = bytes.clone();
    let mid = flipped_bytes.len() / 2;
    flipped_bytes[mid] ^= 0x01;
    let flipped = work.path().join("flipped.backup");
    std::fs::write(&flipped, &flipped_bytes).unwrap();
    let garbage = work.path().join("garbage.backup");
    std::fs::write(&garbage, b"definitely not a backup").unwrap();

    for bad in [&truncated, &flipped, &garbage] {
        let target = work.path().join(format!("restore-{}", bad.file_name().unwrap().to_string_lossy()));
        let err = lectern::backup::restore(bad, &target).unwrap_err().to_string();
        assert!(
            err.contains("damaged") || err.contains("short") || err.contains("not a Lectern backup"),
            "{err}"
        );
        assert!(!target.join("lectern.redb").exists(), "nothing created for {}", bad.display());
    }
    // A good backup is refused over an existing database: live data is never overwritten.
    let err = lectern::backup::restore(&file, app.dir.path()).unwrap_err().to_string();
    assert!(err.contains("already holds a database"), "{err}");
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_move_with_traffic() {
    let app = spawn_app().await;
    let scrape = async || app.visitor().get("/metrics").await.assert_status(StatusCode::OK).text;
    let before = scrape().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let c = app.course(&teacher, "Metered", json!({}), 1, true).await;
    for _ in 0..3 {
        app.courses(&ANONYMOUS).get(&c.id).await.assert_status(StatusCode::OK);
    }
    app.indexed().await;
    app.list("q=metered").await;
    // Any token is a method to HTTP: it is counted, but not as a series of its own.
    let odd = Method::from_bytes(b"FROBNICATE").unwrap();
    app.visitor().send(odd, &format!("/api/v1/courses/{}", c.id), None).await;
    let after = scrape().await;
    assert!(!after.contains("FROBNICATE"), "a made-up method became a label");
    assert!(
        metric(
            &after,
            "lectern_http_requests_total",
            &[("route", "/api/v1/courses/{id}"), ("method", "other")]
        )
        .unwrap()
            >= 1.0
    );

    let route = [("route", "/api/v1/courses/{id}"), ("method", "GET"), ("status", "200")];
    let n0 = metric(&before, "lectern_http_requests_total", &route).unwrap_or(0.0);
    let n1 = metric(&after, "lectern_http_requests_total", &route).unwrap();
    assert!(n1 - n0 >= 3.0, "{n0} -> {n1}");
    assert!(
        metric(
            &after,
            "lectern_http_request_duration_seconds_count",
            &[("route", "/api/v1/courses/{id}"), ("method", "GET")]
        )
        .unwrap()
            >= 3.0
    );
    assert!(metric(&after, "lectern_cache_hits_total", &[("cache", "course")]).unwrap() >= 1.0);
    assert!(metric(&after, "lectern_search_duration_seconds_count", &[]).unwrap() >= 1.0);
    assert_eq!(metric(&after, "lectern_search_index_lag", &[]), Some(0.0));
    assert!(metric(&after, "lectern_store_bytes", &[]).unwrap() > 0.0);
    assert!(metric(&after, "lectern_outbox_depth", &[]).is_some());
    // The course just read is in the record cache, and what it holds is counted in bytes.
    let course_bytes = metric(&after, "lectern_cache_bytes", &[("cache", "course")]).unwrap();
    assert!((500.0..1_000_000.0).contains(&course_bytes), "{course_bytes}");
    assert!(metric(&after, "lectern_cache_bytes", &[("cache", "page")]).unwrap() > 0.0);
    for line in after.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (_, v) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line:?}"));
        assert!(v.parse::<f64>().is_ok(), "not a Prometheus sample: {line}");
    }
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let app =
        spawn_with(|c| c.metrics_token = Some(lectern::config::Secret::new(b"scrape-me".to_vec()))).await;
    app.visitor().get("/metrics").await.assert_status(StatusCode::UNAUTHORIZED);
    app.api(&Actor::bearer("scrape-me")).get("/metrics").await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn backup_restore_and_check_commands_work_on_stopped_data_dirs() {
    let mut app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    app.course(&teacher, "Command line", json!({}), 2, true).await;
    let dir = app.dir.clone();
    app.shutdown().await;
    let bin = env!("CARGO_BIN_EXE_lectern");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("school.backup");
    let run = |args: &[&std::ffi::OsStr]| std::process::Command::new(bin).args(args).output().unwrap();
    let r = run(&[
        "backup".as_ref(),
        "--out".as_ref(),
        file.as_os_str(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let target = out.path().join("restored");
    let r = run(&[
        "restore".as_ref(),
        "--from".as_ref(),
        file.as_os_str(),
        "--data-dir".as_ref(),
        target.as_os_str(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(
        String::from_utf8_lossy(&r.stdout).contains("(1 courses)"),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
    let r = run(&["check".as_ref(), "--data-dir".as_ref(), target.as_os_str()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stdout));
    let r = run(&[
        "restore".as_ref(),
        "--from".as_ref(),
        file.as_os_str(),
        "--data-dir".as_ref(),
        target.as_os_str(),
    ]);
    assert!(!r.status.success(), "restoring over existing data is refused");
}
