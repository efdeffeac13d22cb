//! Off-host backups against a real S3-compatible server: `moto_server` (from the `moto[server]`
//! Python package), started by each test on a free loopback port and killed when it ends.
//!
//! They need more than Rust, so they have their own command, which CI runs after installing
//! moto (`.ci/run`): `cargo test --features s3-tests --test offsite`. A missing `moto_server`
//! fails them.

#[allow(dead_code, reason = "the API tests' helpers; these tests use some of them")]
#[path = "api/helpers.rs"]
mod helpers;
#[allow(dead_code, unused_imports, reason = "the API tests' clients; these tests use some of them")]
#[path = "api/support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lectern::config::{OffsiteConfig, S3Connection, S3Url, Secret, UploadRetry};
use lectern::offsite::{Bucket, Offsite};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, PutPayload};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::*;

const BUCKET: &str = "school-backups";
const PREFIX: &str = "lectern/prod";

/// A moto S3 server of this test's own.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    async fn start() -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start moto_server ({e}): these tests need a local S3 server; \
                     install it with `pip install 'moto[server]'` (.ci/run does)"
                )
            });
        let mut moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Some(status) = moto.child.try_wait().unwrap() {
                panic!("moto_server exited at start ({status})");
            }
            // Moto does not check signatures: a plain PUT creates the bucket.
            if let Ok(res) = client.put(format!("{}/{BUCKET}", moto.endpoint)).send().await {
                assert!(res.status().is_success(), "creating the bucket: {}", res.status());
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        moto.stop();
        panic!("moto_server did not answer within 30 s");
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn connection(&self) -> S3Connection {
        connection_to(&self.endpoint)
    }

    fn bucket(&self) -> Bucket {
        Bucket::connect(&self.connection(), BUCKET).unwrap()
    }

    /// A plain S3 client, to look at and tamper with the bucket without going through Lectern.
    fn raw(&self) -> AmazonS3 {
        AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .build()
            .unwrap()
    }

    async fn object(&self, key: &str) -> Option<Vec<u8>> {
        match self.raw().get(&ObjectPath::from(key)).await {
            Ok(got) => Some(got.bytes().await.unwrap().to_vec()),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => panic!("get {key}: {e}"),
        }
    }

    async fn put_object(&self, key: &str, bytes: Vec<u8>) {
        self.raw().put(&ObjectPath::from(key), PutPayload::from(bytes)).await.unwrap();
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

fn connection_to(endpoint: &str) -> S3Connection {
    S3Connection {
        endpoint: Some(endpoint.to_owned()),
        access_key_id: Some(Secret::new(b"testing".to_vec())),
        secret_access_key: Some(Secret::new(b"testing".to_vec())),
        request_timeout: Duration::from_secs(10),
        // Attempts are counted by Lectern's own retries, so per-request retries are off.
        request_retries: 0,
        ..S3Connection::default()
    }
}

fn offsite_to(endpoint: &str, keep: usize) -> OffsiteConfig {
    OffsiteConfig {
        url: S3Url::parse(&format!("s3://{BUCKET}/{PREFIX}")).unwrap(),
        connection: connection_to(endpoint),
        keep,
        retry: UploadRetry { attempts: 3, backoff: Duration::from_millis(300) },
        stray_after: Duration::ZERO,
    }
}

/// What a TCP proxy in front of moto does with each new connection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Pass,
    /// Accept, then hang up at once: the server is down.
    Refuse,
    /// Forward this many request bytes, then cut both sides: an upload dies half-way.
    CutAfter(u64),
}

struct Proxy {
    addr: SocketAddr,
    mode: Arc<std::sync::Mutex<Mode>>,
    /// Connections refused or cut so far.
    failed: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: &str, mode: Mode) -> Proxy {
        let upstream: SocketAddr = upstream.strip_prefix("http://").unwrap().parse().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mode = Arc::new(std::sync::Mutex::new(mode));
        let failed = Arc::new(AtomicUsize::new(0));
        let (m, f) = (mode.clone(), failed.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mode = *m.lock().unwrap();
                let failed = f.clone();
                tokio::spawn(async move {
                    match mode {
                        Mode::Refuse => {
                            failed.fetch_add(1, Ordering::SeqCst);
                            drop(client);
                        }
                        Mode::Pass => {
                            let (mut client, mut server) =
                                (client, TcpStream::connect(upstream).await.unwrap());
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                        Mode::CutAfter(limit) => {
                            use tokio::io::AsyncReadExt;
                            let server = TcpStream::connect(upstream).await.unwrap();
                            let (mut cr, mut cw) = client.into_split();
                            let (mut sr, mut sw) = server.into_split();
                            let mut limited = (&mut cr).take(limit);
                            tokio::select! {
                                _ = tokio::io::copy(&mut limited, &mut sw) => {}
                                _ = tokio::io::copy(&mut sr, &mut cw) => {}
                            }
                            failed.fetch_add(1, Ordering::SeqCst);
                            // Dropping every half closes both connections mid-request.
                        }
                    }
                });
            }
        });
        Proxy { addr, mode, failed, task }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn take_backup(app: &TestApp) -> Value {
    let admin = app.sign_in_admin().await;
    app.admin(&admin).create_backup().await.assert_status(StatusCode::CREATED).json
}

fn local_file(app: &TestApp, taken: &Value) -> std::path::PathBuf {
    app.dir.path().join("backups").join(taken["name"].as_str().unwrap())
}

async fn scrape(app: &TestApp) -> String {
    app.visitor().get("/metrics").await.assert_status(StatusCode::OK).text
}

fn uploads_counted(metrics: &str, result: &str) -> f64 {
    let series = format!("lectern_backup_uploads_total{{result=\"{result}\"}} ");
    metrics.lines().find_map(|l| l.strip_prefix(&series)?.parse().ok()).unwrap_or(0.0)
}

/// A school with some records, so that backups are a few kilobytes.
async fn school(app: &TestApp) {
    let teacher = app.sign_up_teacher("t@school.test").await;
    app.course(&teacher, "Off-site", json!({}), 6, true).await;
    for i in 0..6 {
        app.register_student(&format!("s{i}@school.test")).await;
    }
}

#[tokio::test]
async fn a_manual_backup_is_uploaded_byte_for_byte_with_its_checksum() {
    let moto = Moto::start().await;
    let app = spawn_with(|c| c.offsite = Some(offsite_to(&moto.endpoint, 7))).await;
    school(&app).await;
    let before = uploads_counted(&scrape(&app).await, "uploaded");

    let taken = take_backup(&app).await;
    let name = taken["name"].as_str().unwrap();
    assert_eq!(taken["upload"]["state"], "uploaded", "{taken}");
    assert_eq!(taken["upload"]["attempts"], 1);
    assert_eq!(taken["upload"]["url"], format!("s3://{BUCKET}/{PREFIX}/{name}"));

    let local = std::fs::read(local_file(&app, &taken)).unwrap();
    let remote = moto.object(&format!("{PREFIX}/{name}")).await.expect("the object is in the bucket");
    assert_eq!(remote, local, "the bucket holds the backup byte for byte");
    let manifest: Value =
        serde_json::from_slice(&moto.object(&format!("{PREFIX}/{name}.manifest")).await.unwrap()).unwrap();
    assert_eq!(manifest["sha256"], taken["checksum"]);
    assert_eq!(manifest["size"], taken["size"]);

    let admin = app.sign_in_admin().await;
    let listed = app.admin(&admin).backups().await.assert_status(StatusCode::OK).json;
    assert_eq!(listed["items"][0]["name"], name, "still kept locally");
    assert_eq!(listed["offsite"]["url"], format!("s3://{BUCKET}/{PREFIX}"));
    assert_eq!(listed["offsite"]["reachable"], true);
    assert_eq!(listed["offsite"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["offsite"]["items"][0]["name"], name);
    assert_eq!(listed["offsite"]["items"][0]["sha256"], taken["checksum"]);

    let after = uploads_counted(&scrape(&app).await, "uploaded");
    assert!(
        after >= before + 1.0,
        "lectern_backup_uploads_total{{result=\"uploaded\"}}: {before} -> {after}"
    );
}

#[tokio::test]
async fn the_bucket_keeps_the_newest_complete_backups_and_clears_incomplete_uploads() {
    let moto = Moto::start().await;
    // Left by uploads that never finished: an object without manifest, and one whose manifest
    // does not match it (cut short). Neither is a backup. A stranger's file is never touched.
    moto.put_object(&format!("{PREFIX}/lectern-20200101T000000Z.backup"), b"half an upload".to_vec()).await;
    moto.put_object(&format!("{PREFIX}/lectern-20200102T000000Z.backup"), vec![7; 100]).await;
    let bogus = json!({"name": "lectern-20200102T000000Z.backup", "size": 4096, "sha256": "00",
        "schema_version": 1, "position": 1, "created_at_ms": 1_577_923_200_000i64});
    moto.put_object(
        &format!("{PREFIX}/lectern-20200102T000000Z.backup.manifest"),
        bogus.to_string().into_bytes(),
    )
    .await;
    moto.put_object(&format!("{PREFIX}/notes.txt"), b"not ours".to_vec()).await;
    let offsite = Offsite::connect(&offsite_to(&moto.endpoint, 2)).unwrap();
    assert!(offsite.backups().await.unwrap().is_empty(), "incomplete uploads are not backups");

    let app = spawn_with(|c| c.offsite = Some(offsite_to(&moto.endpoint, 2))).await;
    app.register_student("s@school.test").await;
    let mut names = Vec::new();
    for _ in 0..3 {
        let taken = take_backup(&app).await;
        assert_eq!(taken["upload"]["state"], "uploaded", "{taken}");
        names.push(taken["name"].as_str().unwrap().to_owned());
    }

    let kept: Vec<String> = offsite.backups().await.unwrap().into_iter().map(|b| b.manifest.name).collect();
    assert_eq!(kept, names[1..], "the newest two, oldest first");
    let mut expected: Vec<String> = names[1..]
        .iter()
        .flat_map(|n| [format!("{PREFIX}/{n}"), format!("{PREFIX}/{n}.manifest")])
        .chain([format!("{PREFIX}/notes.txt")])
        .collect();
    expected.sort();
    assert_eq!(
        moto.bucket().object_names(PREFIX).await.unwrap(),
        expected,
        "the oldest backup and the incomplete uploads are gone; the stranger's file stays"
    );
}

#[tokio::test]
async fn backup_and_restore_commands_go_through_the_bucket_and_restore_exactly() {
    let moto = Moto::start().await;
    let mut app = spawn_app().await;
    school(&app).await;
    let dir = app.dir.clone();
    app.shutdown().await;

    let bin = env!("CARGO_BIN_EXE_lectern");
    let work = tempfile::tempdir().unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(bin)
            .args(args)
            .env("LECTERN_BACKUP_S3_URL", format!("s3://{BUCKET}/{PREFIX}"))
            .env("LECTERN_BACKUP_S3_ENDPOINT", &moto.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("LECTERN_LOG_FORMAT", "json")
            .output()
            .unwrap()
    };
    let file = work.path().join("school.backup");
    let r = run(&[
        "backup".as_ref(),
        "--out".as_ref(),
        file.as_os_str(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(stdout.contains(&format!("uploaded to s3://{BUCKET}/{PREFIX}/lectern-")), "{stdout}");
    assert!(!String::from_utf8_lossy(&r.stderr).contains("testing"), "credentials are never logged");

    let target = work.path().join("restored");
    let r = run(&[
        "restore".as_ref(),
        "--from".as_ref(),
        format!("s3://{BUCKET}/{PREFIX}/latest").as_ref(),
        "--data-dir".as_ref(),
        target.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(stdout.contains("(1 courses)"), "{stdout}");
    assert_eq!(
        std::fs::read_dir(&target)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".download"))
            .count(),
        0,
        "the download is removed"
    );

    // A backup of the restored store, stamped with the original's time, is the same bytes.
    let original = lectern::backup::verify(&file).unwrap();
    let store = lectern::schema::open(&target).unwrap();
    let again = work.path().join("again.backup");
    lectern::backup::write(&store, &again, lectern::clock::Timestamp(original.created_at_ms)).unwrap();
    store.close().await;
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&file).unwrap(), "restore from S3 is exact");
    let r = run(&["check".as_ref(), "--data-dir".as_ref(), target.as_os_str()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stdout));
}

#[tokio::test]
async fn a_failed_upload_is_retried_until_the_server_is_back() {
    let moto = Moto::start().await;
    let proxy = Proxy::start(&moto.endpoint, Mode::Refuse).await;
    let app = Arc::new(spawn_with(|c| c.offsite = Some(offsite_to(&proxy.endpoint(), 7))).await);
    school(&app).await;

    let backup = tokio::spawn({
        let app = app.clone();
        async move { take_backup(&app).await }
    });
    // The server is down for the first attempt; it comes back during the backoff.
    for _ in 0..200 {
        if proxy.failed.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(proxy.failed.load(Ordering::SeqCst) > 0, "the first attempt reached the proxy");
    proxy.set(Mode::Pass);
    let taken = backup.await.unwrap();
    assert_eq!(taken["upload"]["state"], "uploaded", "{taken}");
    assert!(taken["upload"]["attempts"].as_u64().unwrap() >= 2, "{taken}");

    let name = taken["name"].as_str().unwrap();
    let local = std::fs::read(local_file(&app, &taken)).unwrap();
    assert_eq!(moto.object(&format!("{PREFIX}/{name}")).await.unwrap(), local);
    let counted = moto.bucket().backups(PREFIX).await.unwrap();
    assert_eq!(counted.len(), 1);
    assert_eq!(counted[0].manifest.sha256, taken["checksum"].as_str().unwrap());
}

#[tokio::test]
async fn an_upload_outlasting_the_admin_request_is_answered_in_progress_and_finishes() {
    let moto = Moto::start().await;
    let proxy = Proxy::start(&moto.endpoint, Mode::Refuse).await;
    // Attempts at about 0 s, 1 s and 3 s; the answer is due at 80% of the 2 s request timeout.
    let app = spawn_with(|c| {
        let mut offsite = offsite_to(&proxy.endpoint(), 7);
        offsite.retry = UploadRetry { attempts: 3, backoff: Duration::from_secs(1) };
        c.offsite = Some(offsite);
        c.request_timeout = Duration::from_secs(2);
    })
    .await;
    app.register_student("s@school.test").await;

    let taken = take_backup(&app).await;
    assert_eq!(taken["upload"]["state"], "in_progress", "{taken}");
    proxy.set(Mode::Pass);
    // The upload goes on after the answer, and its last attempt gets through.
    let bucket = moto.bucket();
    for _ in 0..100 {
        if !bucket.backups(PREFIX).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let counted = bucket.backups(PREFIX).await.unwrap();
    assert_eq!(counted.len(), 1, "uploaded after the answer");
    assert_eq!(counted[0].manifest.sha256, taken["checksum"].as_str().unwrap());
}

#[tokio::test]
async fn an_upload_that_never_succeeds_counts_nothing_and_keeps_the_local_backup() {
    let moto = Moto::start().await;
    // Every connection dies part-way through the request: the object's body never arrives whole.
    const CUT: u64 = 4000;
    let proxy = Proxy::start(&moto.endpoint, Mode::CutAfter(CUT)).await;
    let app = spawn_with(|c| c.offsite = Some(offsite_to(&proxy.endpoint(), 7))).await;
    school(&app).await;
    let before = uploads_counted(&scrape(&app).await, "failed");

    let taken = take_backup(&app).await;
    assert_eq!(taken["upload"]["state"], "failed", "{taken}");
    assert_eq!(taken["upload"]["attempts"], 3);
    assert!(taken["upload"].get("url").is_none());
    assert!(taken["size"].as_u64().unwrap() > 2 * CUT, "the cut falls inside the upload's body");
    assert!(proxy.failed.load(Ordering::SeqCst) >= 3);

    // The local backup is complete and verifies.
    let file = local_file(&app, &taken);
    assert_eq!(lectern::backup::verify(&file).unwrap().checksum, taken["checksum"].as_str().unwrap());
    let admin = app.sign_in_admin().await;
    let listed = app.admin(&admin).backups().await.assert_status(StatusCode::OK).json;
    assert_eq!(listed["items"][0]["name"], taken["name"]);

    // Nothing in the bucket counts as a backup, and nothing of the upload is visible at all.
    assert!(moto.bucket().backups(PREFIX).await.unwrap().is_empty());
    let names = moto.bucket().object_names(PREFIX).await.unwrap();
    assert!(names.iter().all(|n| !n.ends_with(".manifest")), "{names:?}");
    assert!(
        moto.object(&format!("{PREFIX}/{}", taken["name"].as_str().unwrap())).await.is_none(),
        "{names:?}"
    );

    let after = uploads_counted(&scrape(&app).await, "failed");
    assert!(after >= before + 1.0, "lectern_backup_uploads_total{{result=\"failed\"}}: {before} -> {after}");
}

#[tokio::test]
async fn a_damaged_object_is_refused_on_restore_and_leaves_nothing_behind() {
    let moto = Moto::start().await;
    let app = spawn_with(|c| c.offsite = Some(offsite_to(&moto.endpoint, 7))).await;
    school(&app).await;
    let taken = take_backup(&app).await;
    assert_eq!(taken["upload"]["state"], "uploaded", "{taken}");
    let name = taken["name"].as_str().unwrap();
    let key = format!("{PREFIX}/{name}");

    // One flipped bit in the middle: same size, so only the checksum can tell.
    let mut bytes = moto.object(&key).await.unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    moto.put_object(&key, bytes).await;

    let work = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_lectern");
    let target = work.path().join("restored");
    let r = Command::new(bin)
        .args(["restore", "--from", &format!("s3://{BUCKET}/{key}"), "--data-dir"])
        .arg(&target)
        .env("LECTERN_BACKUP_S3_ENDPOINT", &moto.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(!r.status.success(), "a damaged object is refused");
    assert!(
        stderr.contains(&format!("restoring s3://{BUCKET}/{key}")) && stderr.contains("damaged"),
        "{stderr}"
    );
    assert!(!target.exists(), "nothing is left behind");

    // Into an existing empty directory: refused the same way, and the directory stays empty.
    let empty = work.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let from = S3Url::parse(&format!("s3://{BUCKET}/{PREFIX}/latest")).unwrap();
    let err = lectern::offsite::restore(&moto.connection(), &from, &empty).await.unwrap_err();
    assert!(format!("{err:#}").contains("damaged"), "{err:#}");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0, "nothing is left behind");
    assert!(!Path::new(&empty).join("lectern.redb").exists());
}

#[tokio::test]
async fn a_large_backup_goes_up_in_parts_and_arrives_whole() {
    let moto = Moto::start().await;
    // Larger than one 8 MiB part. The bucket side checks only the size and the trailing
    // checksum, so a file shaped like a backup (its last 32 bytes its "SHA-256") is enough.
    let bytes: Vec<u8> = (0..12u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.backup");
    std::fs::write(&path, &bytes).unwrap();
    let tail: String = bytes[bytes.len() - 32..].iter().map(|b| format!("{b:02x}")).collect();
    let info = lectern::backup::BackupInfo {
        name: "big.backup".into(),
        size: bytes.len() as u64,
        schema_version: 1,
        position: 1,
        created_at_ms: 1_750_000_000_000,
        records: 0,
        checksum: tail,
    };
    let offsite = Offsite::connect(&offsite_to(&moto.endpoint, 7)).unwrap();
    let upload = offsite.upload(std::fs::File::open(&path).unwrap(), &info).await;
    assert_eq!(upload.state, lectern::offsite::UploadState::Uploaded);
    let name = "lectern-20250615T150640Z.backup";
    assert_eq!(upload.url.as_deref(), Some(format!("s3://{BUCKET}/{PREFIX}/{name}").as_str()));
    assert!(moto.object(&format!("{PREFIX}/{name}")).await.unwrap() == bytes, "arrives whole");
    assert_eq!(offsite.backups().await.unwrap().len(), 1);
}
