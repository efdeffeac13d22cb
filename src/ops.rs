//! Operations over HTTP and on a schedule: backups (take, list, prune), each also copied off the
//! machine when `LECTERN_BACKUP_S3_URL` is set (see [`crate::offsite`]).

use std::path::Path;
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::watch;
use tokio::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::backup::{self, BackupInfo};
use crate::error::{Error, Result};
use crate::http::extract::Json;
use crate::identity::AdminUser;
use crate::offsite::{RemoteBackup, Upload, UploadState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_backup, list_backups))
}

/// A backup just taken, and what became of its off-host copy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BackupTaken {
    #[serde(flatten)]
    pub backup: BackupInfo,
    pub upload: Upload,
}

/// Takes a backup into `<data-dir>/backups`, prunes old ones beyond the configured number, and
/// uploads it when off-host backups are configured. A failed upload is reported in the answer
/// (and logged, and counted), never as a failed backup: the local file is complete.
///
/// With a `deadline`, an upload still running then is reported `in_progress` and goes on.
pub async fn take_backup(app: &AppState, deadline: Option<Instant>) -> Result<BackupTaken> {
    let dir = backup::dir(&app.config.data_dir);
    let now = app.clock.now();
    let (store, keep) = (app.store.clone(), app.config.backup_keep);
    let (info, file) = tokio::task::spawn_blocking(move || {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        let mut name = backup::file_name(now);
        // Two backups in the same second get distinct names.
        let mut n = 1;
        while dir.join(&name).exists() {
            n += 1;
            name = backup::file_name(now).replace(".backup", &format!("-{n}.backup"));
        }
        let path = dir.join(&name);
        let info = backup::write(&store, &path, now)?;
        // Read back what reached the disk before sending it anywhere.
        let checked = backup::verify(&path)?;
        anyhow::ensure!(checked.checksum == info.checksum, "{name} changed after it was written");
        // Opened before pruning, so a prune (with a small keep) cannot pull it from the upload.
        let file = std::fs::File::open(&path)?;
        backup::prune(&dir, keep.max(1));
        Ok::<_, anyhow::Error>((info, file))
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("backup task: {e}")))?
    .map_err(|e| {
        tracing::error!(error = %e, "backup failed");
        Error::Unavailable(format!("backup failed: {e}"))
    })?;
    let upload = match app.offsite.clone() {
        None => Upload::not_configured(),
        Some(offsite) => {
            // Its own task: a request that times out or a client that hangs up does not cut the
            // upload short, and shutdown waits for it.
            let (info, attempts) = (info.clone(), offsite.retry_attempts());
            let task = app.tasks.spawn(async move {
                let upload = offsite.upload(file, &info).await;
                crate::observe::backup_upload(upload.state);
                upload
            });
            let failed = |e: tokio::task::JoinError| {
                tracing::error!(error = %e, "backup upload task failed");
                Upload { state: UploadState::Failed, url: None, attempts }
            };
            match deadline {
                None => task.await.unwrap_or_else(failed),
                // Dropping the handle on time-out detaches the task; it is not cancelled.
                Some(at) => match tokio::time::timeout_at(at, task).await {
                    Ok(joined) => joined.unwrap_or_else(failed),
                    Err(_) => Upload { state: UploadState::InProgress, url: None, attempts: 0 },
                },
            }
        }
    };
    Ok(BackupTaken { backup: info, upload })
}

pub fn newest_backup_age(data_dir: &Path) -> Option<Duration> {
    let dir = backup::dir(data_dir);
    let (name, _) = backup::list(&dir).pop()?;
    let modified = std::fs::metadata(dir.join(name)).ok()?.modified().ok()?;
    SystemTime::now().duration_since(modified).ok()
}

/// Takes backups every `every` until `stop`.
pub async fn scheduled(app: AppState, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        // Wait the remaining time since the newest backup, so restarts do not reset the clock.
        let wait = newest_backup_age(&app.config.data_dir)
            .map_or(Duration::from_secs(60), |age| every.saturating_sub(age));
        tokio::select! {
            _ = tokio::time::sleep(wait.max(Duration::from_secs(1))) => {}
            _ = stop.changed() => return,
        }
        match take_backup(&app, None).await {
            Ok(BackupTaken { backup: info, upload }) => {
                tracing::info!(
                    name = %info.name, bytes = info.size, records = info.records,
                    upload = ?upload.state, "scheduled backup taken"
                )
            }
            Err(e) => {
                tracing::warn!(error = %e, "scheduled backup failed; retrying in 5 minutes");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(300)) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// Take a backup now (admins). One consistent snapshot; the school keeps serving meanwhile. With
/// off-host backups configured, answers once the upload succeeded or finally failed (`upload`).
#[utoipa::path(post, path = "/api/v1/admin/backups", tag = "admin",
    responses((status = 201, body = BackupTaken), (status = 403, description = "forbidden: admins only."),
        (status = 503, description = "unavailable: the backup could not be written (disk full...).")),
    security(("bearer" = [])))]
async fn create_backup(State(app): State<AppState>, AdminUser(admin): AdminUser) -> Result<Response> {
    // Answer before the request timeout would turn a taken backup into a 503.
    let deadline = Instant::now() + app.config.request_timeout.mul_f64(0.8);
    let taken = take_backup(&app, Some(deadline)).await?;
    // The backup is a file, not a write: its audit entry follows in a unit of work of its own.
    let (actor, name, now) = (admin.user.id, taken.backup.name.clone(), app.clock.now());
    app.store
        .write(move |tx| {
            let a = crate::audit::Action {
                actor: Some(actor),
                action: "backup.create",
                target_type: "backup",
                target_id: name.clone(),
                reason: None,
            };
            crate::audit::record(tx, a, now).map(|_| ())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(taken)).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BackupFile {
    name: String,
    size: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BackupList {
    items: Vec<BackupFile>,
    /// The complete backups in the bucket, when off-host backups are configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    offsite: Option<OffsiteList>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OffsiteList {
    /// `s3://bucket/prefix`.
    url: String,
    /// False when the bucket could not be listed (the reason is in the server log).
    reachable: bool,
    /// Newest first.
    items: Vec<RemoteBackup>,
}

/// Backups in `<data-dir>/backups` and, when configured, in the bucket; newest first (admins).
#[utoipa::path(get, path = "/api/v1/admin/backups", tag = "admin",
    responses((status = 200, body = BackupList), (status = 403, description = "forbidden: admins only.")),
    security(("bearer" = [])))]
async fn list_backups(State(app): State<AppState>, _admin: AdminUser) -> Result<Json<BackupList>> {
    let mut items: Vec<BackupFile> = backup::list(&backup::dir(&app.config.data_dir))
        .into_iter()
        .map(|(name, size)| BackupFile { name, size })
        .collect();
    items.reverse();
    let offsite = match &app.offsite {
        None => None,
        Some(offsite) => Some(match offsite.backups().await {
            Ok(mut items) => {
                items.reverse();
                OffsiteList { url: offsite.url(), reachable: true, items }
            }
            Err(e) => {
                tracing::warn!(error = crate::offsite::describe(&e), "listing the backup bucket failed");
                OffsiteList { url: offsite.url(), reachable: false, items: Vec::new() }
            }
        }),
    };
    Ok(Json(BackupList { items, offsite }))
}
