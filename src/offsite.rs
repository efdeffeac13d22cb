//! Off-host copies of backups in S3-compatible object storage: upload with retries, listing and
//! retention in the bucket, and fetching a backup back for a restore. One machine's disk is not a
//! backup.
//!
//! Layout under `s3://BUCKET/PREFIX/`:
//!
//! ```text
//! lectern-YYYYMMDDTHHMMSSZ.backup            the backup file, byte for byte
//! lectern-YYYYMMDDTHHMMSSZ.backup.manifest   JSON: name, size, sha256, schema, position; written LAST
//! ```
//!
//! A backup *counts* (in listings, in retention, as `latest`) only when its manifest exists and
//! its object has the manifest's size. The object goes up in one PUT or as a multipart upload,
//! neither of which S3 shows before it is complete; the manifest is written only after the
//! complete object was checked (its size, and its trailing SHA-256 read back). An upload cut off
//! anywhere therefore leaves at most an object without a manifest: never counted, and deleted by
//! pruning once older than `stray_after`. Objects under the prefix that are not named like ours
//! are never touched.
//!
//! Built on `object_store` (Apache Arrow's): maintained, async on tokio like the server, with
//! multipart uploads, per-request retries, SigV4 and S3-compatible endpoints, on reqwest + rustls.
//!
//! Must never: delete a complete backup except by retention, log a credential, or fail a local
//! backup because the bucket is unreachable.

use std::collections::BTreeMap;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, Checksum};
use object_store::path::Path as Key;
use object_store::{
    BackoffConfig, ClientOptions, ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
    WriteMultipart,
};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::backup::{self, BackupInfo};
use crate::config::{OffsiteConfig, S3Connection, S3Url, UploadRetry};

const MANIFEST_SUFFIX: &str = ".manifest";
/// Files up to this size go up in one PUT; larger ones in parts of this size (S3 wants parts of
/// at least 5 MiB, and some compatible stores want them all equal but the last).
const PART_BYTES: usize = 8 << 20;
/// Parts in flight at once: enough to fill a link, little memory (4 x 8 MiB).
const PARTS_IN_FLIGHT: usize = 4;

/// What the bucket holds about one complete backup (the `.manifest` object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Manifest {
    pub name: String,
    pub size: u64,
    /// The backup's own SHA-256 (hex), as in [`BackupInfo::checksum`].
    pub sha256: String,
    pub schema_version: u64,
    pub position: u64,
    pub created_at_ms: i64,
}

impl Manifest {
    fn of(name: &str, info: &BackupInfo) -> Manifest {
        Manifest {
            name: name.to_owned(),
            size: info.size,
            sha256: info.checksum.clone(),
            schema_version: info.schema_version,
            position: info.position,
            created_at_ms: info.created_at_ms,
        }
    }
}

/// A complete backup in the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RemoteBackup {
    /// `s3://bucket/prefix/name`.
    pub url: String,
    #[serde(flatten)]
    pub manifest: Manifest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadState {
    /// No `LECTERN_BACKUP_S3_URL`: the backup stays on this machine only.
    NotConfigured,
    /// The copy is complete in the bucket and counts as a backup there.
    Uploaded,
    /// Every attempt failed (see the server log); the local backup is intact.
    Failed,
    /// Still uploading when the admin's answer was due; the listing shows it once complete.
    InProgress,
}

/// What became of a backup's off-host copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Upload {
    pub state: UploadState,
    /// Where the copy is, once uploaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Attempts made (0 when not configured).
    pub attempts: u32,
}

impl Upload {
    pub fn not_configured() -> Upload {
        Upload { state: UploadState::NotConfigured, url: None, attempts: 0 }
    }
}

/// One bucket, reached with one connection's settings.
pub struct Bucket {
    store: AmazonS3,
    name: String,
}

impl Bucket {
    /// Configures the client; nothing is sent until the first request.
    pub fn connect(connection: &S3Connection, bucket: &str) -> anyhow::Result<Bucket> {
        let options = ClientOptions::new()
            .with_timeout(connection.request_timeout)
            .with_connect_timeout(Duration::from_secs(10))
            // `check_endpoint` already refused plain http where it is not allowed.
            .with_allow_http(connection.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")));
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: connection.request_retries,
            retry_timeout: connection.request_timeout,
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(&connection.region)
            .with_client_options(options)
            .with_retry(retry)
            // S3 checks each PUT's body against this header and refuses a damaged one.
            .with_checksum_algorithm(Checksum::SHA256);
        if let Some(endpoint) = &connection.endpoint {
            // Compatible servers are addressed by path (http://host:9000/bucket/key).
            builder = builder.with_endpoint(endpoint).with_virtual_hosted_style_request(false);
        }
        if let (Some(id), Some(secret)) = (&connection.access_key_id, &connection.secret_access_key) {
            builder = builder.with_access_key_id(id.expose_str()).with_secret_access_key(secret.expose_str());
            if let Some(token) = &connection.session_token {
                builder = builder.with_token(token.expose_str());
            }
        }
        let store = builder.build().map_err(|e| anyhow!("configuring S3 bucket {bucket:?}: {e}"))?;
        Ok(Bucket { store, name: bucket.to_owned() })
    }

    fn url(&self, key: &Key) -> String {
        S3Url { bucket: self.name.clone(), path: key.to_string() }.to_string()
    }

    /// What lies directly under `prefix` (one level, every page).
    async fn scan(&self, prefix: &str) -> anyhow::Result<Scan> {
        let prefix = key(prefix, None)?;
        let listed = self
            .store
            .list_with_delimiter((!prefix.as_ref().is_empty()).then_some(&prefix))
            .await
            .with_context(|| format!("listing {}", self.url(&prefix)))?;
        let mut objects: BTreeMap<String, ObjectMeta> = BTreeMap::new();
        let mut manifests: BTreeMap<String, ObjectMeta> = BTreeMap::new();
        for meta in listed.objects {
            let Some(name) = meta.location.filename().map(str::to_owned) else { continue };
            if backup::is_backup_name(&name) {
                objects.insert(name, meta);
            } else if let Some(of) = name.strip_suffix(MANIFEST_SUFFIX).filter(|n| backup::is_backup_name(n))
            {
                manifests.insert(of.to_owned(), meta);
            }
        }
        let mut scan = Scan::default();
        for (name, object) in objects {
            let manifest = match manifests.remove(&name) {
                Some(meta) => Some((self.read_manifest(&meta.location).await?, meta)),
                None => None,
            };
            match manifest {
                Some((Some(m), _)) if m.name == name && m.size == object.size => {
                    scan.complete.push(RemoteBackup { url: self.url(&object.location), manifest: m })
                }
                Some((_, manifest)) => {
                    // A manifest that does not describe its object: neither counts.
                    scan.strays.push(manifest);
                    scan.strays.push(object);
                }
                None => scan.strays.push(object),
            }
        }
        // Manifests whose object is gone (a prune cut short between its two deletes).
        scan.strays.extend(manifests.into_values());
        scan.complete.sort_by(|a, b| {
            (a.manifest.created_at_ms, backup::name_order(&a.manifest.name))
                .cmp(&(b.manifest.created_at_ms, backup::name_order(&b.manifest.name)))
        });
        Ok(scan)
    }

    /// `None` if the manifest is not one of ours (unreadable JSON).
    async fn read_manifest(&self, key: &Key) -> anyhow::Result<Option<Manifest>> {
        let bytes = self.store.get(key).await.with_context(|| format!("reading {}", self.url(key)))?;
        let bytes = bytes.bytes().await.with_context(|| format!("reading {}", self.url(key)))?;
        Ok(serde_json::from_slice(&bytes).ok())
    }

    /// Complete backups under `prefix`, oldest first.
    pub async fn backups(&self, prefix: &str) -> anyhow::Result<Vec<RemoteBackup>> {
        Ok(self.scan(prefix).await?.complete)
    }

    /// Every object name under `prefix` (one level), whatever it is: for tests and diagnosis.
    pub async fn object_names(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        let prefix = key(prefix, None)?;
        let mut names = Vec::new();
        let mut listing = self.store.list((!prefix.as_ref().is_empty()).then_some(&prefix));
        while let Some(meta) = listing.next().await {
            names.push(meta?.location.to_string());
        }
        names.sort();
        Ok(names)
    }

    /// Streams the object at `key` into a new file `to` (mode 0600), returning its size.
    async fn download(&self, key: &Key, to: &Path) -> anyhow::Result<u64> {
        let got = self.store.get(key).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => anyhow!("{} does not exist", self.url(key)),
            e => anyhow!("downloading {}: {e}", self.url(key)),
        })?;
        let mut opts = tokio::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        // Backups hold password hashes and emails: private to the owner, like the store.
        #[cfg(unix)]
        opts.mode(0o600);
        let mut file = opts.open(to).await.with_context(|| format!("creating {}", to.display()))?;
        let mut stream = got.into_stream();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.with_context(|| format!("downloading {}", self.url(key)))?;
            file.write_all(&chunk).await?;
            size += chunk.len() as u64;
        }
        file.sync_all().await?;
        Ok(size)
    }
}

#[derive(Default)]
struct Scan {
    /// Oldest first.
    complete: Vec<RemoteBackup>,
    /// Our objects that are not (part of) a complete backup.
    strays: Vec<ObjectMeta>,
}

/// `prefix/name` (or `name`) as an object key.
fn key(prefix: &str, name: Option<&str>) -> anyhow::Result<Key> {
    let joined = match (prefix.trim_matches('/'), name) {
        ("", Some(name)) => name.to_owned(),
        (prefix, Some(name)) => format!("{prefix}/{name}"),
        (prefix, None) => prefix.to_owned(),
    };
    Key::parse(&joined).map_err(|e| anyhow!("{joined:?} is not a valid object key: {e}"))
}

/// The configured upload target: a bucket, a prefix, and the retention there.
pub struct Offsite {
    bucket: Bucket,
    prefix: String,
    keep: usize,
    retry: UploadRetry,
    stray_after: Duration,
    /// One upload (and its pruning) at a time: a manual backup during a scheduled one waits.
    busy: tokio::sync::Mutex<()>,
}

impl Offsite {
    pub fn connect(config: &OffsiteConfig) -> anyhow::Result<Offsite> {
        Ok(Offsite {
            bucket: Bucket::connect(&config.connection, &config.url.bucket)?,
            prefix: config.url.path.clone(),
            keep: config.keep.max(1),
            retry: config.retry,
            stray_after: config.stray_after,
            busy: tokio::sync::Mutex::new(()),
        })
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self) -> String {
        S3Url { bucket: self.bucket.name.clone(), path: self.prefix.clone() }.to_string()
    }

    pub fn retry_attempts(&self) -> u32 {
        self.retry.attempts.max(1)
    }

    /// Complete backups in the bucket, oldest first.
    pub async fn backups(&self) -> anyhow::Result<Vec<RemoteBackup>> {
        self.bucket.backups(&self.prefix).await
    }

    /// Uploads the verified backup open as `file` (described by `info`), retrying with backoff,
    /// then prunes the bucket. Never fails: the outcome is reported, and logged here.
    ///
    /// `file` is an open handle, not a path, so local pruning cannot pull it away mid-upload.
    pub async fn upload(&self, file: std::fs::File, info: &BackupInfo) -> Upload {
        let _one_at_a_time = self.busy.lock().await;
        let mut file = tokio::fs::File::from_std(file);
        let mut wait = self.retry.backoff;
        let attempts = self.retry_attempts();
        for attempt in 1..=attempts {
            match self.upload_once(&mut file, info).await {
                Ok(url) => {
                    tracing::info!(%url, attempts = attempt, bytes = info.size, "backup uploaded");
                    if let Err(e) = self.prune().await {
                        tracing::warn!(error = describe(&e), "pruning the backup bucket failed");
                    }
                    return Upload { state: UploadState::Uploaded, url: Some(url), attempts: attempt };
                }
                Err(e) if attempt < attempts => {
                    tracing::warn!(
                        name = %info.name, attempt, error = describe(&e),
                        retry_in_secs = wait.as_secs_f64(), "backup upload failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
                Err(e) => {
                    tracing::error!(
                        name = %info.name, attempts, error = describe(&e), target = %self.url(),
                        "backup upload failed; the local backup is kept"
                    );
                }
            }
        }
        Upload { state: UploadState::Failed, url: None, attempts }
    }

    /// One attempt: object, check, manifest. Returns the object's URL.
    async fn upload_once(&self, file: &mut tokio::fs::File, info: &BackupInfo) -> anyhow::Result<String> {
        // The bucket's name for it derives from its time, whatever the local file is called.
        let base = backup::file_name(crate::clock::Timestamp(info.created_at_ms));
        let mut name = base.clone();
        for n in 2.. {
            match self.bucket.read_manifest_if_any(&key(&self.prefix, Some(&manifest_name(&name)))?).await? {
                None => break,
                // This very backup: an earlier attempt got as far as its manifest. If its object
                // is intact that attempt is done; else it goes up again under the same name.
                Some(m) if m.sha256 == info.checksum && m.size == info.size => {
                    let object = key(&self.prefix, Some(&name))?;
                    if self.confirm(&object, info).await.is_ok() {
                        return Ok(self.bucket.url(&object));
                    }
                    break;
                }
                // Another backup of the same second holds the name.
                Some(_) => name = base.replace(".backup", &format!("-{n}.backup")),
            }
        }
        let object = key(&self.prefix, Some(&name))?;
        let store = &self.bucket.store;
        file.seek(SeekFrom::Start(0)).await?;
        if info.size <= PART_BYTES as u64 {
            let mut bytes = Vec::with_capacity(info.size as usize);
            file.read_to_end(&mut bytes).await?;
            if bytes.len() as u64 != info.size {
                bail!("{} changed size since it was written", info.name);
            }
            store.put(&object, PutPayload::from(bytes)).await?;
        } else {
            let mut parts =
                WriteMultipart::new_with_chunk_size(store.put_multipart(&object).await?, PART_BYTES);
            match send_parts(file, &mut parts, info.size).await {
                Ok(()) => {
                    parts.finish().await?;
                }
                Err(e) => {
                    // Best effort: parts never completed are invisible anyway (and a bucket
                    // lifecycle rule removes what an abort could not).
                    let _ = parts.abort().await;
                    return Err(e);
                }
            }
        }
        if let Err(e) = self.confirm(&object, info).await {
            let _ = store.delete(&object).await;
            return Err(e);
        }
        // The commit point: from here on the backup counts.
        let manifest = serde_json::to_vec(&Manifest::of(&name, info))?;
        store.put(&key(&self.prefix, Some(&manifest_name(&name)))?, PutPayload::from(manifest)).await?;
        Ok(self.bucket.url(&object))
    }

    /// The object in the bucket has the file's size and ends with its SHA-256.
    async fn confirm(&self, object: &Key, info: &BackupInfo) -> anyhow::Result<()> {
        let store = &self.bucket.store;
        let meta = store.head(object).await?;
        if meta.size != info.size {
            bail!("{} holds {} bytes, not {}", self.bucket.url(object), meta.size, info.size);
        }
        let tail = store.get_range(object, info.size.saturating_sub(32)..info.size).await?;
        if backup::hex(&tail) != info.checksum {
            bail!("{} does not end with the backup's checksum", self.bucket.url(object));
        }
        Ok(())
    }

    /// Keeps the newest `keep` complete backups; deletes older ones, and strays (objects of ours
    /// that never became a complete backup) older than `stray_after`.
    pub async fn prune(&self) -> anyhow::Result<usize> {
        let scan = self.bucket.scan(&self.prefix).await?;
        let store = &self.bucket.store;
        let excess = scan.complete.len().saturating_sub(self.keep);
        let mut deleted = 0;
        for old in scan.complete.into_iter().take(excess) {
            // Manifest first: a prune cut short leaves a stray, never a half-deleted "backup".
            store.delete(&key(&self.prefix, Some(&manifest_name(&old.manifest.name)))?).await?;
            store.delete(&key(&self.prefix, Some(&old.manifest.name))?).await?;
            deleted += 1;
        }
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        let stray_after_ms = self.stray_after.as_millis() as i64;
        for stray in scan.strays {
            if now_ms - stray.last_modified.timestamp_millis() >= stray_after_ms {
                tracing::info!(url = %self.bucket.url(&stray.location), "deleting an incomplete upload");
                store.delete(&stray.location).await?;
            }
        }
        Ok(deleted)
    }
}

/// An error and its causes on one line, without repeating a cause that the message before it
/// already quotes (object_store's messages include their sources).
pub fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain().map(|c| c.to_string()) {
        if !out.contains(&cause) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&cause);
        }
    }
    out
}

fn manifest_name(name: &str) -> String {
    format!("{name}{MANIFEST_SUFFIX}")
}

impl Bucket {
    async fn read_manifest_if_any(&self, key: &Key) -> anyhow::Result<Option<Manifest>> {
        match self.store.head(key).await {
            Ok(_) => self.read_manifest(key).await,
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(anyhow!("reading {}: {e}", self.url(key))),
        }
    }
}

/// Reads `file` to its end into `parts`, a bounded number in flight.
async fn send_parts(file: &mut tokio::fs::File, parts: &mut WriteMultipart, size: u64) -> anyhow::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    let mut sent = 0u64;
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        parts.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        parts.write(&buf[..n]);
        sent += n as u64;
    }
    if sent != size {
        bail!("the backup file changed size since it was written");
    }
    Ok(())
}

/// Restores `from` (`s3://bucket/key`, or `s3://bucket/prefix/latest` for the newest complete
/// backup there) into `data_dir`, which must not hold a database yet. The object is downloaded
/// into `data_dir`, checked against its manifest and by [`backup::verify`], then restored as a
/// local file is; whatever fails, the download and any directory this created are removed.
pub async fn restore(connection: &S3Connection, from: &S3Url, data_dir: &Path) -> anyhow::Result<BackupInfo> {
    let bucket = Bucket::connect(connection, &from.bucket)?;
    let (object, manifest) = match from.path.rsplit_once('/').unwrap_or(("", &from.path)) {
        (prefix, "latest") => {
            let newest = bucket.backups(prefix).await?.pop().ok_or_else(|| {
                anyhow!(
                    "no complete backup under {}",
                    S3Url { bucket: from.bucket.clone(), path: prefix.into() }
                )
            })?;
            (key(prefix, Some(&newest.manifest.name))?, Some(newest.manifest))
        }
        (_, "") => bail!("{from} names no object: give s3://bucket/prefix/NAME or .../latest"),
        _ => {
            let object = key(&from.path, None)?;
            let manifest = bucket.read_manifest_if_any(&key(&manifest_name(&from.path), None)?).await?;
            (object, manifest)
        }
    };
    let url = bucket.url(&object);
    // Refuse before downloading anything; `backup::restore` checks again.
    if data_dir.join(crate::store::DB_FILE).exists() {
        bail!("{} already holds a database: restore into a new, empty directory", data_dir.display());
    }
    let created = !data_dir.exists();
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let download = data_dir.join(format!(".{}.download", object.filename().unwrap_or("backup")));
    let result = fetch_and_restore(&bucket, &object, manifest.as_ref(), &download, data_dir).await;
    let _ = std::fs::remove_file(&download);
    if result.is_err() && created {
        let _ = std::fs::remove_dir_all(data_dir);
    }
    result.with_context(|| format!("restoring {url}"))
}

async fn fetch_and_restore(
    bucket: &Bucket,
    object: &Key,
    manifest: Option<&Manifest>,
    download: &Path,
    data_dir: &Path,
) -> anyhow::Result<BackupInfo> {
    let size = bucket.download(object, download).await?;
    if let Some(m) = manifest
        && m.size != size
    {
        bail!("the object is damaged: {size} bytes where its manifest says {}", m.size);
    }
    let (download, data_dir, manifest): (PathBuf, PathBuf, Option<Manifest>) =
        (download.to_owned(), data_dir.to_owned(), manifest.cloned());
    tokio::task::spawn_blocking(move || {
        let info = backup::verify(&download)?;
        if let Some(m) = manifest
            && m.sha256 != info.checksum
        {
            bail!("the object is damaged: its checksum is not the one its manifest recorded");
        }
        backup::restore(&download, &data_dir)
    })
    .await?
}
