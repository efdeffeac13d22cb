//! Upload records and every read and write of the upload tables.
//!
//! A record names its file by SHA-256 (see [`super::files`]); the file is in place before the
//! record is committed, so a committed record never points to a missing file.

use serde::{Deserialize, Serialize};

use super::Purpose;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{CourseId, LessonId, UploadId, UserId};
use crate::schema::{UPLOADS, UPLOADS_BY_OWNER};
use crate::store::{Readable, StoreResult, Tx};

/// One re-encoded size of a cover (the original is never kept or served).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// The last segment of its URL: `1280.jpg`, `480.jpg`.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadRecord {
    pub id: UploadId,
    pub owner: UserId,
    pub purpose: Purpose,
    /// Hex SHA-256 of the file served (for a cover: its largest variant).
    pub sha256: String,
    pub content_type: String,
    pub size: u64,
    /// The name it was sent with, sanitised (no path, no control characters).
    pub filename: String,
    pub created_at: Timestamp,
    /// A cover's sizes, largest first.
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// The course it is attached to (a cover, a lesson's video or attachment).
    #[serde(default)]
    pub course: Option<CourseId>,
    /// The lesson it is attached to (a video or an attachment).
    #[serde(default)]
    pub lesson: Option<LessonId>,
}

impl UploadRecord {
    /// Every file this record names (what a backup must carry).
    pub fn files(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.sha256.as_str()).chain(self.variants.iter().map(|v| v.sha256.as_str()))
    }
}

pub fn upload(r: &impl Readable, id: UploadId) -> StoreResult<Option<UploadRecord>> {
    r.get(UPLOADS, &id.key())
}

pub fn insert(tx: &mut Tx<'_>, u: &UploadRecord) -> StoreResult<()> {
    tx.put(UPLOADS, &u.id.key(), u)?;
    tx.put(UPLOADS_BY_OWNER, &(u.owner.key(), u.id.key()), &())
}

pub fn save(tx: &mut Tx<'_>, u: &UploadRecord) -> StoreResult<()> {
    tx.put(UPLOADS, &u.id.key(), u)
}

/// `who`'s upload of `purpose`, for attaching it: someone else's upload, one of another
/// purpose or an unknown id are the same 422 on `field` (no one learns whose uploads exist).
pub fn own_upload(
    tx: &Tx<'_>,
    who: UserId,
    id: UploadId,
    purpose: Purpose,
    field: &str,
) -> Result<UploadRecord> {
    match upload(tx, id)? {
        Some(u) if u.owner == who && u.purpose == purpose => Ok(u),
        _ => Err(Error::validation(
            field,
            format!("must be the id of one of your {} uploads", purpose.as_str()),
        )),
    }
}

/// Records where an upload is now used (or that it is used nowhere).
pub fn attach(
    tx: &mut Tx<'_>,
    id: UploadId,
    course: Option<CourseId>,
    lesson: Option<LessonId>,
) -> StoreResult<()> {
    if let Some(mut u) = upload(tx, id)?
        && (u.course != course || u.lesson != lesson)
    {
        u.course = course;
        u.lesson = lesson;
        save(tx, &u)?;
    }
    Ok(())
}

/// Every file named by a record, in one snapshot (for backups): sorted, each once.
pub fn all_files(r: &impl Readable) -> StoreResult<std::collections::BTreeSet<String>> {
    let mut out = std::collections::BTreeSet::new();
    let mut after: Option<u128> = None;
    loop {
        let chunk = match after {
            None => r.range(UPLOADS, .., 1000)?,
            Some(k) => r.range(UPLOADS, (std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded), 1000)?,
        };
        let Some((last, _)) = chunk.last() else { break };
        after = Some(*last);
        for (_, u) in &chunk {
            out.extend(u.files().map(str::to_owned));
        }
    }
    Ok(out)
}
