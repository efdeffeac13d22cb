use std::process::ExitCode;

use clap::Parser;
use lectern::app::{App, Server, shutdown_signal};
use lectern::cli::{AdminCommand, BackupSource, Cli, Command};
use lectern::config::Config;
use lectern::identity::{Email, Name, Password, Role};
use lectern::offsite::{Upload, UploadState};

/// mimalloc returns freed memory to the system and keeps per-thread heaps small: with glibc's
/// allocator the many short-lived search and store buffers of a busy server fragmented into
/// hundreds of megabytes of resident memory. The `system-alloc` feature leaves it out, so a heap
/// profiler that wraps malloc (heaptrack) sees every allocation.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Blocking-pool threads (store reads, search, password hashing). Tokio's default of 512 lets a
/// burst of slow requests grow hundreds of threads, each holding a stack and an allocator arena;
/// past this many, work queues instead, which on a small machine is also faster.
const BLOCKING_THREADS: usize = 16;

/// I/O events a worker takes from the kernel at once: when it still has tasks to run (busy), and
/// when it has run out (idle). Each event wakes a connection's task into the worker's local
/// queue, which holds 256; tokio's default batch (1,024) overflows it when hundreds of connections
/// are ready, and the overflow moves the *oldest* half of the queue to the back of the shared
/// queue, which a busy worker serves one task in every few dozen. Tasks woken from other threads
/// (a lesson completion answered by the store's writer) queue there too, behind the overflow.
/// Under 1,000 busy connections that gave a tenth of the requests two or three times the others'
/// wait (mixed scenario p95 75 ms against a 21 ms median). Small batches leave the rest of the
/// ready connections in the kernel's list, which is first in, first out: the busy batch took the
/// p95 to 47–53 ms, and the idle batch (tokio's documentation asks for at most 256, with room for
/// the tasks those tasks wake) to 35–41 ms at the same throughput (docs/BENCHMARKS.md, fifth and
/// sixth passes).
const IO_EVENTS_PER_BUSY_TICK: usize = 16;
const IO_EVENTS_PER_TICK: usize = 128;

fn main() -> ExitCode {
    let cli = Cli::parse();
    lectern::telemetry::init(&cli.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .max_io_events_per_tick(IO_EVENTS_PER_TICK)
        .max_io_events_per_busy_tick(IO_EVENTS_PER_BUSY_TICK)
        .build()
        .expect("the async runtime starts");
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lectern: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let config = Config::from_args(*args)?;
            let demo = config.demo;
            let state = App::build(config).await?;
            if demo {
                let report = lectern::demo::load(&state).await?;
                lectern::demo::print_accounts(&state.config.public_url, &report);
            }
            Server::bind(state).await?.run_until(shutdown_signal()).await
        }
        Command::Reindex { data_dir, index_dir } => {
            let mut config = Config::new(&data_dir);
            config.index_dir = index_dir;
            let state = App::build(config).await?;
            let search = state.search.clone();
            let t = std::time::Instant::now();
            let n = tokio::task::spawn_blocking(move || search.rebuild()).await??;
            println!("indexed {n} published courses in {:.2} s", t.elapsed().as_secs_f64());
            state.store.clone().close().await;
            Ok(())
        }
        Command::Seed(args) => {
            let mut config = Config::new(&args.data_dir);
            config.index_dir = args.index_dir.clone();
            let state = App::build(config).await?;
            let report = lectern::seed::run(&state, &args.options()).await?;
            println!("{report}");
            state.store.clone().close().await;
            Ok(())
        }
        Command::Backup { out, data_dir, server, backup_keep, s3 } => {
            let offsite = s3.offsite(backup_keep)?;
            let (info, upload) = match server {
                // The server uploads it, as every backup it takes.
                Some(base) => backup_through(&base, &data_dir, &out)?,
                None => {
                    let store = lectern::schema::open(&data_dir).map_err(|e| match e {
                        lectern::store::StoreError::InUse(_) => anyhow::anyhow!(
                            "{} is in use by a running server: add --server http://127.0.0.1:PORT (with LECTERN_ADMIN_EMAIL and LECTERN_ADMIN_PASSWORD)",
                            data_dir.display()
                        ),
                        e => anyhow::anyhow!("{e}"),
                    })?;
                    let now = lectern::clock::Clock::default().now();
                    let path = out.clone();
                    let (info, file) = tokio::task::spawn_blocking({
                        let store = store.clone();
                        move || {
                            let info = lectern::backup::write(&store, &path, now)?;
                            let checked = lectern::backup::verify(&path)?;
                            anyhow::ensure!(
                                checked.checksum == info.checksum,
                                "the backup changed after it was written"
                            );
                            Ok((info, std::fs::File::open(&path)?))
                        }
                    })
                    .await??;
                    store.close().await;
                    let upload = match &offsite {
                        Some(config) => {
                            Some(lectern::offsite::Offsite::connect(config)?.upload(file, &info).await)
                        }
                        None => None,
                    };
                    (info, upload)
                }
            };
            println!(
                "backup written to {} ({} bytes, {} records, schema {}, sha256 {})",
                out.display(),
                info.size,
                info.records,
                info.schema_version,
                info.checksum
            );
            match upload {
                Some(Upload { state: UploadState::Uploaded, url, attempts }) => {
                    println!("uploaded to {} ({attempts} attempts)", url.unwrap_or_default());
                    Ok(())
                }
                // Fails the command so cron notices, but the local file above is complete.
                Some(Upload { state: UploadState::Failed, attempts, .. }) => anyhow::bail!(
                    "the backup in {} is complete, but uploading it failed after {attempts} attempts (see the log above)",
                    out.display()
                ),
                Some(Upload { state: UploadState::InProgress, .. }) => {
                    println!("the server is still uploading it (its log says when it is done)");
                    Ok(())
                }
                Some(Upload { state: UploadState::NotConfigured, .. }) | None => Ok(()),
            }
        }
        Command::Restore { from, data_dir, index_dir, s3 } => {
            let info = match &from {
                BackupSource::File(path) => {
                    let (from, data_dir) = (path.clone(), data_dir.clone());
                    tokio::task::spawn_blocking(move || lectern::backup::restore(&from, &data_dir)).await??
                }
                BackupSource::S3(url) => lectern::offsite::restore(&s3.connection()?, url, &data_dir).await?,
            };
            let index_dir = index_dir.unwrap_or_else(|| data_dir.join("index"));
            if index_dir.exists() {
                std::fs::remove_dir_all(&index_dir)?;
            }
            let mut config = Config::new(&data_dir);
            config.index_dir = index_dir.clone();
            let state = App::build(config).await?;
            let courses = state.search.num_docs();
            state.store.clone().close().await;
            println!(
                "restored {} records (schema {}, position {}) from {from} into {}; search index rebuilt in {} ({courses} courses)",
                info.records,
                info.schema_version,
                info.position,
                data_dir.display(),
                index_dir.display()
            );
            Ok(())
        }
        Command::Check { data_dir } => {
            let store = lectern::schema::open(&data_dir).map_err(|e| anyhow::anyhow!("{e}"))?;
            let problems = store
                .read_now(|rtx| Ok(lectern::check::counters(rtx)?))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            if problems.is_empty() {
                println!(
                    "every counter matches its records; every ledger transaction balances and every balance equals its entries"
                );
                Ok(())
            } else {
                for p in &problems {
                    println!("{p}");
                }
                anyhow::bail!("{} problems", problems.len())
            }
        }
        Command::Health { url } => {
            let (base, path) = match url.strip_prefix("http://").and_then(|r| r.find('/').map(|i| i + 7)) {
                Some(i) => (&url[..i], &url[i..]),
                None => (url.as_str(), "/health/ready"),
            };
            let reply = lectern::client::request(base, "GET", path, None, None)?;
            if reply.status == 200 { Ok(()) } else { anyhow::bail!("not ready: HTTP {}", reply.status) }
        }
        Command::Admin(AdminCommand::Create { email, password, name, data_dir }) => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email {}", e.message))?;
            let password = Password::parse("password", &password)
                .map_err(|e| anyhow::anyhow!("--password {}", e.message))?;
            let name = Name::parse(&name).map_err(|e| anyhow::anyhow!("--name {}", e.message))?;
            let state = App::build(Config::new(&data_dir)).await?;
            let user = state.identity.create_account(email, password, name, Role::Admin).await?;
            println!("created admin {} ({})", user.email, user.id);
            state.store.clone().close().await;
            Ok(())
        }
    }
}

/// Asks a running server for a backup and copies it out of its data dir.
fn backup_through(
    base: &str,
    data_dir: &std::path::Path,
    out: &std::path::Path,
) -> anyhow::Result<(lectern::backup::BackupInfo, Option<Upload>)> {
    let email =
        std::env::var("LECTERN_ADMIN_EMAIL").map_err(|_| anyhow::anyhow!("set LECTERN_ADMIN_EMAIL"))?;
    let password =
        std::env::var("LECTERN_ADMIN_PASSWORD").map_err(|_| anyhow::anyhow!("set LECTERN_ADMIN_PASSWORD"))?;
    let login = serde_json::json!({"email": email, "password": password}).to_string();
    let reply = lectern::client::request(base, "POST", "/api/v1/auth/login", None, Some(&login))?;
    if reply.status != 200 {
        anyhow::bail!("signing in as {email} failed: HTTP {}", reply.status);
    }
    let token: serde_json::Value = serde_json::from_str(&reply.body)?;
    let token =
        token["access_token"].as_str().ok_or_else(|| anyhow::anyhow!("no access token in the reply"))?;
    let reply = lectern::client::request(base, "POST", "/api/v1/admin/backups", Some(token), Some("{}"))?;
    if reply.status != 201 {
        anyhow::bail!("the server could not take a backup: HTTP {} {}", reply.status, reply.body);
    }
    let info: serde_json::Value = serde_json::from_str(&reply.body)?;
    let name = info["name"].as_str().ok_or_else(|| anyhow::anyhow!("no backup name in the reply"))?;
    let src = lectern::backup::dir(data_dir).join(name);
    std::fs::copy(&src, out)
        .map_err(|e| anyhow::anyhow!("copying {}: {e} (is --data-dir the server's?)", src.display()))?;
    let upload = match info["upload"]["state"].as_str() {
        Some("uploaded") => Some(UploadState::Uploaded),
        Some("failed") => Some(UploadState::Failed),
        Some("in_progress") => Some(UploadState::InProgress),
        _ => None,
    };
    let upload = upload.map(|state| Upload {
        state,
        url: info["upload"]["url"].as_str().map(str::to_owned),
        attempts: info["upload"]["attempts"].as_u64().unwrap_or(0) as u32,
    });
    Ok((lectern::backup::verify(out)?, upload))
}
