//! Operations over HTTP and on a schedule: backups (take, list, prune).

use std::path::Path;
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::watch;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::backup::{self, BackupInfo};
use crate::error::{Error, Result};
use crate::http::extract::Json;
use crate::identity::AdminUser;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_backup, list_backups))
}

/// Takes a backup into `<data-dir>/backups` and prunes old ones beyond the configured number.
pub async fn take_backup(app: &AppState) -> Result<BackupInfo> {
    let dir = backup::dir(&app.config.data_dir);
    let now = app.clock.now();
    let (store, keep) = (app.store.clone(), app.config.backup_keep);
    tokio::task::spawn_blocking(move || {
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
        let info = backup::write(&store, &dir.join(&name), now)?;
        backup::prune(&dir, keep.max(1));
        Ok::<_, anyhow::Error>(info)
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("backup task: {e}")))?
    .map_err(|e| {
        tracing::error!(error = %e, "backup failed");
        Error::Unavailable(format!("backup failed: {e}"))
    })
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
        match take_backup(&app).await {
            Ok(info) => {
                tracing::info!(name = %info.name, bytes = info.size, records = info.records, "scheduled backup taken")
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

/// Take a backup now (admins). One consistent snapshot; the school keeps serving meanwhile.
#[utoipa::path(post, path = "/api/v1/admin/backups", tag = "admin",
    responses((status = 201, body = BackupInfo), (status = 403, description = "forbidden: admins only."),
        (status = 503, description = "unavailable: the backup could not be written (disk full...).")),
    security(("bearer" = [])))]
async fn create_backup(State(app): State<AppState>, _admin: AdminUser) -> Result<Response> {
    let info = take_backup(&app).await?;
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BackupFile {
    name: String,
    size: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BackupList {
    items: Vec<BackupFile>,
}

/// Backups in `<data-dir>/backups`, newest first (admins).
#[utoipa::path(get, path = "/api/v1/admin/backups", tag = "admin",
    responses((status = 200, body = BackupList), (status = 403, description = "forbidden: admins only.")),
    security(("bearer" = [])))]
async fn list_backups(State(app): State<AppState>, _admin: AdminUser) -> Result<Json<BackupList>> {
    let mut items: Vec<BackupFile> = backup::list(&backup::dir(&app.config.data_dir))
        .into_iter()
        .map(|(name, size)| BackupFile { name, size })
        .collect();
    items.reverse();
    Ok(Json(BackupList { items }))
}

/// Parses "24h", "6h", "30m", "90s", "2d" or "0" (off).
pub fn parse_every(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("{s:?}: expected a number with s, m, h or d"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" | "" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: unit must be s, m, h or d")),
    };
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_every("24h").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_every("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_every("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(parse_every("0").unwrap(), Duration::ZERO);
        assert!(parse_every("soon").is_err());
        assert!(parse_every("5y").is_err());
    }
}
