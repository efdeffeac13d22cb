//! Backups: one consistent file, taken online, and restores that refuse anything damaged.
//!
//! A backup is taken inside one read transaction, so writers never pause and the file is the
//! store exactly as of one moment. Format (all integers big-endian):
//!
//! ```text
//! "LECTERN-BACKUP\n"  format u32  schema u64  created_at_ms i64  position u64  tables u32
//! per table:  name_len u16, name, entries u64, per entry: key_len u32, key, value_len u32, value
//! (format 2) files u64, per file: SHA-256 hex (64 bytes), size u64, the file's bytes
//! SHA-256 of everything above (32 bytes)
//! ```
//!
//! Format 2 adds the uploaded media: every file an upload record of the snapshot names
//! (`<data-dir>/media/xx/<sha256>`), each once, in hash order. Files are immutable and named by
//! their hash, and a record is committed only after its file is in place, so the snapshot's
//! files are all there while it is copied. Format 1 backups (no media) still restore.
//!
//! Restoring verifies the checksum and the schema *before* creating anything, restores into a
//! fresh directory only, runs redb's integrity check, and upgrades the schema if the backup is
//! older. The search index is derived and is rebuilt by the caller.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use redb::{Database, ReadableDatabase};
use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::schema::{ALL, SCHEMA, SCHEMA_VERSION};
use crate::store::{DB_FILE, Store, StoreError, migrate, position_in};

pub const MAGIC: &[u8] = b"LECTERN-BACKUP\n";
pub const FORMAT: u32 = 2;
/// The oldest format this build restores.
pub const OLDEST_FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct BackupInfo {
    /// File name (in `<data-dir>/backups` for backups the server takes).
    pub name: String,
    pub size: u64,
    pub schema_version: u64,
    pub position: u64,
    pub created_at_ms: i64,
    pub records: u64,
    /// Hex SHA-256 of the file's contents (before the checksum itself).
    pub checksum: String,
}

/// A writer that hashes what passes through it.
struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a backup of `store` to `path` (through a temporary file, renamed when complete).
/// Blocking: run it off the async runtime.
pub fn write(store: &Store, path: &Path, now: Timestamp) -> anyhow::Result<BackupInfo> {
    let tmp = path.with_extension("partial");
    let result = write_to(store, &tmp, path, now);
    if result.is_err() {
        // A failed backup (a full disk, say) leaves nothing half-written behind.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(store: &Store, tmp: &Path, path: &Path, now: Timestamp) -> anyhow::Result<BackupInfo> {
    let file = {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        // Backups hold password hashes and emails: private to the owner, like the store.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        opts.open(tmp).with_context(|| format!("creating {}", tmp.display()))?
    };
    let mut out = Hashing { inner: BufWriter::new(file), hash: Sha256::new(), written: 0 };
    let media = crate::media::files::dir(store.data_dir());
    let (schema, position, records) = store
        .read_now(|rtx| {
            let schema = crate::schema::META.get(rtx, &"schema_version".to_owned())?.unwrap_or(0);
            let position = position_in(rtx)?;
            let io = |e: std::io::Error| StoreError::Unavailable(e.to_string());
            out.write_all(MAGIC).map_err(io)?;
            out.write_all(&FORMAT.to_be_bytes()).map_err(io)?;
            out.write_all(&schema.to_be_bytes()).map_err(io)?;
            out.write_all(&now.millis().to_be_bytes()).map_err(io)?;
            out.write_all(&position.to_be_bytes()).map_err(io)?;
            out.write_all(&(ALL.len() as u32).to_be_bytes()).map_err(io)?;
            let mut records = 0;
            for t in ALL {
                let name = t.name().as_bytes();
                out.write_all(&(name.len() as u16).to_be_bytes()).map_err(io)?;
                out.write_all(name).map_err(io)?;
                // The entry count precedes the entries: count first (cheap), then copy.
                let count = t.count(rtx)?;
                out.write_all(&count.to_be_bytes()).map_err(io)?;
                let n = t.dump(rtx, &mut |k, v| {
                    out.write_all(&(k.len() as u32).to_be_bytes()).map_err(io)?;
                    out.write_all(k).map_err(io)?;
                    out.write_all(&(v.len() as u32).to_be_bytes()).map_err(io)?;
                    out.write_all(v).map_err(io)?;
                    Ok(())
                })?;
                debug_assert_eq!(n, count);
                records += n;
            }
            // Media named by the snapshot's upload records (format 2).
            let files = crate::media::repo::all_files(rtx)?;
            out.write_all(&(files.len() as u64).to_be_bytes()).map_err(io)?;
            for hash in &files {
                let path = media.join(&hash[..2]).join(hash);
                let mut f = File::open(&path).map_err(|e| {
                    StoreError::Unavailable(format!("media file {} named by an upload: {e}", path.display()))
                })?;
                let len = f.metadata().map_err(io)?.len();
                out.write_all(hash.as_bytes()).map_err(io)?;
                out.write_all(&len.to_be_bytes()).map_err(io)?;
                let copied = std::io::copy(&mut (&mut f).take(len), &mut out).map_err(io)?;
                if copied != len {
                    return Err(StoreError::Unavailable(format!(
                        "{} changed while it was copied",
                        path.display()
                    ))
                    .into());
                }
            }
            Ok((schema, position, records))
        })
        .map_err(|e| anyhow!("{e}"))?;
    let digest = out.hash.clone().finalize();
    out.write_all(&digest)?;
    let size = out.written;
    let mut inner = out.inner.into_inner().map_err(|e| anyhow!("flushing the backup: {e}"))?;
    inner.flush()?;
    inner.sync_all()?;
    drop(inner);
    std::fs::rename(tmp, path)?;
    Ok(BackupInfo {
        name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        size,
        schema_version: schema,
        position,
        created_at_ms: now.millis(),
        records,
        checksum: hex(&digest),
    })
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

struct Parser<R: Read> {
    r: R,
}

impl<R: Read> Parser<R> {
    fn bytes(&mut self, n: usize) -> anyhow::Result<Vec<u8>> {
        let mut b = vec![0; n];
        self.r.read_exact(&mut b).context("the backup ends early")?;
        Ok(b)
    }
    fn u16(&mut self) -> anyhow::Result<u16> {
        Ok(u16::from_be_bytes(self.bytes(2)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self) -> anyhow::Result<u32> {
        Ok(u32::from_be_bytes(self.bytes(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> anyhow::Result<u64> {
        Ok(u64::from_be_bytes(self.bytes(8)?.try_into().expect("8 bytes")))
    }
}

/// Checks a backup file end to end (size, checksum, header) without changing anything.
pub fn verify(path: &Path) -> anyhow::Result<BackupInfo> {
    let size = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    if size < (MAGIC.len() + 4 + 8 + 8 + 8 + 4 + 32) as u64 {
        bail!("{} is too short to be a Lectern backup", path.display());
    }
    let mut r = BufReader::new(File::open(path)?);
    let mut hash = Sha256::new();
    let mut left = size - 32;
    let mut buf = vec![0u8; 1 << 16];
    while left > 0 {
        let n = r.read(&mut buf[..(left.min(1 << 16)) as usize])?;
        if n == 0 {
            bail!("{} ends early", path.display());
        }
        hash.update(&buf[..n]);
        left -= n as u64;
    }
    let mut stored = [0u8; 32];
    r.read_exact(&mut stored)?;
    let digest = hash.finalize();
    if digest.as_slice() != stored {
        bail!(
            "{} is damaged: its checksum does not match its contents (truncated or altered)",
            path.display()
        );
    }
    let mut p = Parser { r: BufReader::new(File::open(path)?) };
    if p.bytes(MAGIC.len())? != MAGIC {
        bail!("{} is not a Lectern backup", path.display());
    }
    let format = p.u32()?;
    if !(OLDEST_FORMAT..=FORMAT).contains(&format) {
        bail!(
            "{} has backup format {format}; this Lectern reads formats {OLDEST_FORMAT} to {FORMAT}",
            path.display()
        );
    }
    let schema = p.u64()?;
    let created_at_ms = p.u64()? as i64;
    let position = p.u64()?;
    if schema > SCHEMA_VERSION {
        bail!(
            "{} was made by a newer Lectern (schema {schema}; this one knows up to {}): upgrade Lectern first",
            path.display(),
            SCHEMA_VERSION
        );
    }
    Ok(BackupInfo {
        name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        size,
        schema_version: schema,
        position,
        created_at_ms,
        records: 0,
        checksum: hex(&digest),
    })
}

/// Restores `from` into `data_dir`, which must not hold a database yet. Blocking.
pub fn restore(from: &Path, data_dir: &Path) -> anyhow::Result<BackupInfo> {
    let mut info = verify(from)?;
    let db_path = data_dir.join(DB_FILE);
    if db_path.exists() {
        bail!("{} already holds a database: restore into a new, empty directory", data_dir.display());
    }
    std::fs::create_dir_all(data_dir)?;
    let result = load(from, &db_path, data_dir, info.schema_version);
    match result {
        Ok(records) => info.records = records,
        Err(e) => {
            // Leave nothing half-restored behind.
            let _ = std::fs::remove_file(&db_path);
            let _ = std::fs::remove_dir_all(crate::media::files::dir(data_dir));
            return Err(e);
        }
    }
    let mut db = Database::open(&db_path)?;
    if !db.check_integrity()? {
        bail!("the restored database failed redb's integrity check");
    }
    // Brings an older backup up to this version's schema.
    migrate::migrate(&db, &SCHEMA, SCHEMA_VERSION).map_err(|e| anyhow!("{e}"))?;
    drop(db);
    crate::store::restrict_permissions(&db_path);
    Ok(info)
}

fn load(from: &Path, db_path: &Path, data_dir: &Path, schema: u64) -> anyhow::Result<u64> {
    let db = Database::create(db_path)?;
    migrate::migrate(&db, &SCHEMA, schema).map_err(|e| anyhow!("{e}"))?;
    let mut p = Parser { r: BufReader::new(File::open(from)?) };
    p.bytes(MAGIC.len())?;
    let format = p.u32()?;
    p.bytes(8 + 8 + 8)?;
    let tables = p.u32()?;
    let mut records = 0u64;
    for _ in 0..tables {
        let len = p.u16()? as usize;
        let name = String::from_utf8(p.bytes(len)?).context("table name")?;
        let table = ALL
            .iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| anyhow!("the backup has an unknown table {name}"))?;
        let entries = p.u64()?;
        let mut done = 0u64;
        while done < entries {
            let txn = db.begin_write()?;
            let chunk = (entries - done).min(50_000);
            for _ in 0..chunk {
                let kl = p.u32()? as usize;
                let k = p.bytes(kl)?;
                let vl = p.u32()? as usize;
                let v = p.bytes(vl)?;
                table.load(&txn, &k, &v).map_err(|e| anyhow!("{e}"))?;
            }
            txn.commit()?;
            done += chunk;
        }
        records += entries;
    }
    if format >= 2 {
        let files = crate::media::files::Files::open(data_dir)?;
        for _ in 0..p.u64()? {
            let hash = String::from_utf8(p.bytes(64)?).context("a media file's name")?;
            let len = p.u64()?;
            files.restore(&hash, len, &mut p.r)?;
        }
    }
    let rtx = db.begin_read()?;
    let restored_schema =
        crate::schema::META.get(&rtx, &"schema_version".to_owned()).map_err(|e| anyhow!("{e}"))?;
    if restored_schema != Some(schema) {
        bail!("the backup's contents do not match its header");
    }
    Ok(records)
}

/// `<data_dir>/backups`.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// A name sortable by time: `lectern-YYYYMMDDTHHMMSSZ.backup`.
pub fn file_name(now: Timestamp) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(now.millis() / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "lectern-{:04}{:02}{:02}T{:02}{:02}{:02}Z.backup",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Whether `name` is one of the names [`file_name`] gives (possibly with a `-N` suffix).
pub fn is_backup_name(name: &str) -> bool {
    name.starts_with("lectern-") && name.ends_with(".backup")
}

/// Sort key of a backup name, oldest first. Plain string order puts `…Z-2.backup` (the second
/// backup of a second) before `…Z.backup` because '-' sorts before '.'.
pub fn name_order(name: &str) -> (&str, u32) {
    let stem = name.strip_suffix(".backup").unwrap_or(name);
    match stem.rsplit_once('-') {
        Some((base, n)) if base.ends_with('Z') => match n.parse() {
            Ok(n) => (base, n),
            Err(_) => (stem, 1),
        },
        _ => (stem, 1),
    }
}

/// Backups in `dir`, oldest first.
pub fn list(dir: &Path) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let size = e.metadata().ok()?.len();
                    is_backup_name(&name).then_some((name, size))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|(a, _), (b, _)| name_order(a).cmp(&name_order(b)));
    out
}

/// Deletes the oldest backups beyond `keep`.
pub fn prune(dir: &Path, keep: usize) -> usize {
    let all = list(dir);
    let excess = all.len().saturating_sub(keep);
    let mut n = 0;
    for (name, _) in all.into_iter().take(excess) {
        if std::fs::remove_file(dir.join(&name)).is_ok() {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_even_within_one_second() {
        let mut names = vec![
            "lectern-20250601T101500Z-2.backup",
            "lectern-20250601T101501Z.backup",
            "lectern-20250601T101500Z-10.backup",
            "lectern-20250601T101500Z.backup",
        ];
        names.sort_by_key(|n| name_order(n));
        assert_eq!(
            names,
            [
                "lectern-20250601T101500Z.backup",
                "lectern-20250601T101500Z-2.backup",
                "lectern-20250601T101500Z-10.backup",
                "lectern-20250601T101501Z.backup",
            ]
        );
        assert!(is_backup_name(names[1]) && !is_backup_name("lectern-x.backup.manifest"));
    }
}
