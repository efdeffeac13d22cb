//! Uploads and media: files teachers and admins send (covers, lesson videos, attachments,
//! verification documents), stored content-addressed in `<data-dir>/media` ([`files`]) and
//! recorded in redb ([`repo`]). The type is told from the bytes ([`kinds`]); covers are
//! re-encoded without metadata ([`images`]). Who may read a file is decided above, where
//! courses and enrollments are known (`learning::media`); the catalog attaches uploads to
//! courses and lessons through [`repo`] in its own units of work.
//!
//! Never: trust a file's name or declared type; hold a whole upload in memory; commit a record
//! before its file is in place.

pub mod files;
pub mod images;
pub mod kinds;
pub mod repo;
pub mod routes;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

pub use kinds::Purpose;
use repo::{UploadRecord, Variant};

use crate::clock::Clock;
use crate::config::UploadLimits;
use crate::error::{Code, Error, Result};
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::UploadId;
use crate::store::Store;

/// A cover as a course keeps it: the upload and its sizes (largest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub upload: UploadId,
    pub variants: Vec<Variant>,
}

/// A lesson's video or attachment as the lesson keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: UploadId,
    pub filename: String,
    pub size: u64,
    pub content_type: String,
}

impl FileRef {
    pub fn of(u: &UploadRecord) -> FileRef {
        FileRef { id: u.id, filename: u.filename.clone(), size: u.size, content_type: u.content_type.clone() }
    }

    pub fn url(&self) -> String {
        url(self.id, &self.filename)
    }
}

impl Cover {
    pub fn of(u: &UploadRecord) -> Cover {
        Cover { upload: u.id, variants: u.variants.clone() }
    }
}

/// A cover in JSON: the course page's size and the cards' size.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverOut {
    /// 1280×720 JPEG.
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// 480×270 JPEG, for cards.
    pub url_small: String,
    pub width_small: u32,
    pub height_small: u32,
}

impl CoverOut {
    pub fn from(c: &Cover) -> Option<CoverOut> {
        let big = c.variants.first()?;
        let small = c.variants.last()?;
        Some(CoverOut {
            url: url(c.upload, &big.name),
            width: big.width,
            height: big.height,
            url_small: url(c.upload, &small.name),
            width_small: small.width,
            height_small: small.height,
        })
    }
}

/// A lesson's video in JSON.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VideoOut {
    pub url: String,
    pub content_type: String,
}

/// A lesson's attachment in JSON.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentOut {
    pub id: UploadId,
    pub url: String,
    pub filename: String,
    pub size: u64,
    pub content_type: String,
}

impl AttachmentOut {
    pub fn from(f: &FileRef) -> AttachmentOut {
        AttachmentOut {
            id: f.id,
            url: f.url(),
            filename: f.filename.clone(),
            size: f.size,
            content_type: f.content_type.clone(),
        }
    }
}

/// The path a file is served at: `/media/{id}/{name}` (the name percent-encoded).
pub fn url(id: UploadId, name: &str) -> String {
    format!("/media/{id}/{}", percent_encode(name))
}

/// RFC 3986 percent-encoding of everything but unreserved characters (also what RFC 8187's
/// `filename*=UTF-8''...` takes).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A file name as sent, made safe to keep and show: the last path segment, without control
/// characters or quotes, at most 120 characters; `file.<ext>` if nothing is left.
pub fn sanitise_filename(raw: &str, content_type: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | '<' | '>' | '`'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() { format!("file.{}", extension(content_type)) } else { cleaned.to_owned() }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        "video/quicktime" => "mov",
        "video/ogg" => "ogv",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "application/vnd.oasis.opendocument.text" => "odt",
        _ => "bin",
    }
}

/// What the request says about an upload (its type is only a claim, checked against the bytes).
pub struct Incoming {
    pub purpose: Purpose,
    pub declared_type: Option<String>,
    pub filename: Option<String>,
    /// `Content-Length`, when the client sent one: over the limit is refused before reading.
    pub length: Option<u64>,
}

pub struct Media {
    store: Store,
    clock: Arc<Clock>,
    files: files::Files,
    limits: UploadLimits,
    /// Covers decoded at once (each may take up to [`images::MAX_ALLOC`]).
    decoding: tokio::sync::Semaphore,
}

/// May `who` upload a file for `purpose`?
pub fn may_upload(who: &UserRecord, purpose: Purpose) -> Result<()> {
    let ok = match purpose {
        Purpose::VerificationDocument => who.role == Role::Teacher,
        _ => matches!(who.role, Role::Teacher | Role::Admin),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Forbidden {
            code: Code::TeachersOnly,
            detail: match purpose {
                Purpose::VerificationDocument => "Only teachers send verification documents.".into(),
                _ => "Only teachers and admins upload course files.".into(),
            },
        })
    }
}

fn internal(e: impl Into<anyhow::Error>) -> Error {
    Error::Internal(e.into())
}

impl Media {
    /// Opens `<data-dir>/media` (removing unfinished uploads of an earlier run). Blocking.
    pub fn open(
        store: Store,
        clock: Arc<Clock>,
        data_dir: &Path,
        limits: UploadLimits,
    ) -> std::io::Result<Media> {
        let files = files::Files::open(data_dir)?;
        let permits = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
        Ok(Media { store, clock, files, limits, decoding: tokio::sync::Semaphore::new(permits) })
    }

    pub fn limit(&self, purpose: Purpose) -> u64 {
        purpose.limit(&self.limits)
    }

    /// The file with this hash.
    pub fn path(&self, hash: &str) -> Option<PathBuf> {
        files::is_hash(hash).then(|| self.files.path(hash))
    }

    pub async fn upload(&self, id: UploadId) -> Result<Option<UploadRecord>> {
        self.store.read(move |rtx| Ok(repo::upload(rtx, id)?)).await
    }

    /// Receives an upload: streams `body` to a temporary file while hashing it (never more than
    /// one chunk and the first [`kinds::SNIFF_BYTES`] in memory), refuses it as soon as it is
    /// over its limit or its first bytes are of a type this purpose may not have, moves the
    /// file into place and records it. On any failure, or if the client goes away (the future
    /// is dropped), the temporary file is removed and nothing is recorded.
    pub async fn receive<S, E>(&self, who: &UserRecord, meta: Incoming, mut body: S) -> Result<UploadRecord>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        may_upload(who, meta.purpose)?;
        let limit = self.limit(meta.purpose);
        let too_large = || {
            Error::FileTooLarge(format!(
                "This file is larger than the {} MB a {} may be.",
                limit >> 20,
                meta.purpose.as_str().replace('_', " ")
            ))
        };
        if meta.length.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let (tmp, file) = self.files.temp().await.map_err(internal)?;
        let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
        let mut hash = Sha256::new();
        let mut size = 0u64;
        let mut head: Vec<u8> = Vec::new();
        let mut content_type: Option<&'static str> = None;
        let declared = meta.declared_type.as_deref();
        loop {
            let next = tokio::time::timeout(self.limits.idle, body.next())
                .await
                .map_err(|_| Error::Malformed("The upload stalled; send it again.".into()))?;
            let Some(chunk) = next else { break };
            let chunk = chunk.map_err(|e| Error::Malformed(format!("The upload was interrupted: {e}")))?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(too_large());
            }
            hash.update(&chunk);
            if content_type.is_none() {
                let want = kinds::SNIFF_BYTES - head.len();
                head.extend_from_slice(&chunk[..chunk.len().min(want)]);
                if head.len() >= kinds::SNIFF_BYTES {
                    content_type = Some(meta.purpose.check(&head, declared)?);
                    head = Vec::new();
                }
            }
            out.write_all(&chunk).await.map_err(internal)?;
        }
        let content_type = match content_type {
            Some(t) => t,
            None => meta.purpose.check(&head, declared)?,
        };
        out.flush().await.map_err(internal)?;
        out.into_inner().sync_all().await.map_err(internal)?;
        let sha256 = files::hex(&hash.finalize());
        let filename = sanitise_filename(meta.filename.as_deref().unwrap_or(""), content_type);

        let (sha256, content_type, size, variants) = if meta.purpose == Purpose::Cover {
            let _permit = self.decoding.acquire().await.map_err(internal)?;
            let files = self.files.clone();
            // The original goes with `tmp` when this returns: it is never kept or served.
            let variants = tokio::task::spawn_blocking(move || -> Result<Vec<Variant>> {
                let encoded = images::cover_variants(tmp.path())?;
                encoded
                    .into_iter()
                    .map(|e| {
                        let sha256 = files.put(&e.bytes).map_err(internal)?;
                        Ok(Variant {
                            name: e.name,
                            width: e.width,
                            height: e.height,
                            sha256,
                            size: e.bytes.len() as u64,
                        })
                    })
                    .collect()
            })
            .await
            .map_err(internal)??;
            let first =
                variants.first().cloned().ok_or_else(|| internal(anyhow::anyhow!("no cover sizes")))?;
            (first.sha256, "image/jpeg", first.size, variants)
        } else {
            let files = self.files.clone();
            let h = sha256.clone();
            tokio::task::spawn_blocking(move || files.commit(tmp, &h))
                .await
                .map_err(internal)?
                .map_err(internal)?;
            (sha256, content_type, size, Vec::new())
        };
        let record = UploadRecord {
            id: UploadId::generate(),
            owner: who.id,
            purpose: meta.purpose,
            sha256,
            content_type: content_type.to_owned(),
            size,
            filename: if meta.purpose == Purpose::Cover { "cover.jpg".into() } else { filename },
            created_at: self.clock.now(),
            variants,
            course: None,
            lesson: None,
        };
        let r = record.clone();
        self.store.write(move |tx| Ok(repo::insert(tx, &r)?)).await?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kept_readable_but_harmless() {
        assert_eq!(sanitise_filename("../../etc/passwd", "application/pdf"), "passwd");
        assert_eq!(
            sanitise_filename("C:\\Users\\me\\Конспект урока.pdf", "application/pdf"),
            "Конспект урока.pdf"
        );
        assert_eq!(sanitise_filename("a\"b\r\n.pdf", "application/pdf"), "ab.pdf");
        assert_eq!(sanitise_filename("", "video/mp4"), "file.mp4");
        assert_eq!(sanitise_filename(".hidden", "application/pdf"), "hidden");
        assert_eq!(
            percent_encode("Конспект 1.pdf"),
            "%D0%9A%D0%BE%D0%BD%D1%81%D0%BF%D0%B5%D0%BA%D1%82%201.pdf"
        );
    }
}
