//! Content-addressed files: `<data-dir>/media/xx/<sha256 hex>`, where `xx` is the hash's first
//! two hex digits. A file is written to `media/tmp/` (while its hash is computed), synced, then
//! renamed into place, so a named file is always complete; the same bytes are stored once.
//! Temporary files are removed when their upload fails or is abandoned ([`TempFile`]'s drop),
//! and at start for those a crash left behind ([`Files::open`]).

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The media directory of a data dir.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("media")
}

/// Whether `s` is a lower-case hex SHA-256 (the only names files here may have).
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
}

/// A file in `media/tmp/`, removed when dropped unless it was moved into place.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Also runs when a client disconnects mid-upload (the handler's future is dropped).
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Files {
    /// Opens (creating) `<data-dir>/media` and removes what a crash left in `media/tmp/`.
    pub fn open(data_dir: &Path) -> io::Result<Files> {
        let files = Files { root: dir(data_dir) };
        std::fs::create_dir_all(files.tmp_dir())?;
        let mut removed = 0;
        for entry in std::fs::read_dir(files.tmp_dir())? {
            let entry = entry?;
            if entry.file_type()?.is_file() && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "removed unfinished uploads left by an earlier run");
        }
        Ok(files)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where the file with this hash lives (`hash` must satisfy [`is_hash`]).
    pub fn path(&self, hash: &str) -> PathBuf {
        debug_assert!(is_hash(hash));
        self.root.join(&hash[..2]).join(hash)
    }

    pub fn exists(&self, hash: &str) -> bool {
        is_hash(hash) && self.path(hash).is_file()
    }

    /// A new, empty temporary file.
    pub async fn temp(&self) -> io::Result<(TempFile, tokio::fs::File)> {
        let path = self.tmp_dir().join(format!("{}.part", ulid::Ulid::generate()));
        let mut opts = tokio::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        opts.mode(0o600);
        let file = opts.open(&path).await?;
        Ok((TempFile { path }, file))
    }

    /// Moves a complete, synced temporary file into place under its hash. If the same bytes
    /// are stored already, the temporary file is just dropped. Blocking.
    pub fn commit(&self, tmp: TempFile, hash: &str) -> io::Result<()> {
        let to = self.path(hash);
        if to.is_file() {
            return Ok(());
        }
        let parent = to.parent().expect("a hash path has a parent");
        std::fs::create_dir_all(parent)?;
        std::fs::rename(tmp.path(), &to)?;
        std::mem::forget(tmp);
        // The rename itself must survive a crash before the record that names it commits.
        if let Ok(d) = std::fs::File::open(parent) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Stores `bytes` (a re-encoded image) and answers their hash. Blocking.
    pub fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let hash = hex(&Sha256::digest(bytes));
        if self.path(&hash).is_file() {
            return Ok(hash);
        }
        let path = self.tmp_dir().join(format!("{}.part", ulid::Ulid::generate()));
        let tmp = TempFile { path };
        {
            use std::io::Write;
            let mut f = std::fs::File::create(tmp.path())?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        self.commit(tmp, &hash)?;
        Ok(hash)
    }

    /// Copies `len` bytes from `r` into place as `hash` (a restore), checking the hash. Blocking.
    pub fn restore(&self, hash: &str, len: u64, r: &mut impl io::Read) -> anyhow::Result<()> {
        use std::io::Write;
        anyhow::ensure!(is_hash(hash), "a media file named {hash:?} in the backup");
        std::fs::create_dir_all(self.tmp_dir())?;
        let tmp = TempFile { path: self.tmp_dir().join(format!("{hash}.part")) };
        let mut out = std::io::BufWriter::new(std::fs::File::create(tmp.path())?);
        let mut digest = Sha256::new();
        let mut left = len;
        let mut buf = vec![0u8; 1 << 16];
        while left > 0 {
            let n = r.read(&mut buf[..left.min(1 << 16) as usize])?;
            anyhow::ensure!(n > 0, "the backup ends early");
            digest.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            left -= n as u64;
        }
        anyhow::ensure!(hex(&digest.finalize()) == hash, "media file {hash} in the backup is damaged");
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        self.commit(tmp, hash)?;
        Ok(())
    }
}
