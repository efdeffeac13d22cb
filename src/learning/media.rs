//! Who may read an uploaded file (`GET /media/{id}/{name}`), decided here because it depends
//! on courses, lessons and enrollments:
//!
//! - covers are public;
//! - a lesson's video or attachment is public when its lesson is a preview or its course is
//!   free (and published); otherwise it is for the course's teacher, admins and the students
//!   enrolled in the published course;
//! - an upload attached to nothing (or to a lesson that no longer uses it) is for its owner
//!   and admins, and so is every verification document.
//!
//! Everyone else gets 404, signed in or not: a refused file is indistinguishable from one that
//! does not exist.

use crate::catalog::repo as catalog;
use crate::error::{Error, Result};
use crate::identity::Role;
use crate::identity::repo::UserRecord;
use crate::ids::UploadId;
use crate::media::Purpose;
use crate::media::repo::{self as uploads, UploadRecord};

/// A file a caller may read.
pub struct Readable {
    pub upload: UploadRecord,
    /// The SHA-256 of the file to send (a cover's size is chosen by name).
    pub file: String,
    /// Anyone may read it: it may be cached by anyone, for a year.
    pub public: bool,
}

impl super::Learning {
    /// The file behind `/media/{id}/{name}` if `who` may read it; 404 otherwise.
    pub async fn media(&self, id: UploadId, name: &str, who: Option<&UserRecord>) -> Result<Readable> {
        let who = who.map(|u| (u.id, u.role == Role::Admin));
        let name = name.to_owned();
        self.store
            .read(move |rtx| {
                let Some(u) = uploads::upload(rtx, id)? else { return Ok(None) };
                let owner_or_admin = who.is_some_and(|(me, admin)| admin || me == u.owner);
                let public = match u.purpose {
                    Purpose::Cover => Some(true),
                    Purpose::VerificationDocument => owner_or_admin.then_some(false),
                    Purpose::LessonVideo | Purpose::Attachment => {
                        let lesson = match u.lesson {
                            Some(l) => catalog::lesson(rtx, l)?.filter(|l| {
                                l.video_upload.as_ref().is_some_and(|v| v.id == id)
                                    || l.attachments.iter().any(|a| a.id == id)
                            }),
                            None => None,
                        };
                        let course = match &lesson {
                            Some(l) => catalog::course(rtx, l.course_id)?,
                            None => None,
                        };
                        match (lesson, course) {
                            (Some(l), Some(c)) => {
                                if c.is_published() && (c.is_free() || l.is_preview) {
                                    Some(true)
                                } else if owner_or_admin || who.is_some_and(|(me, _)| me == c.teacher_id) {
                                    Some(false)
                                } else {
                                    match who {
                                        Some((me, _)) if c.is_published() => {
                                            super::repo::enrollment(rtx, me, c.id)?.map(|_| false)
                                        }
                                        _ => None,
                                    }
                                }
                            }
                            _ => owner_or_admin.then_some(false),
                        }
                    }
                };
                let Some(public) = public else { return Ok(None) };
                let file = if u.purpose == Purpose::Cover {
                    match u.variants.iter().find(|v| v.name == name) {
                        Some(v) => v.sha256.clone(),
                        None => return Ok(None),
                    }
                } else {
                    u.sha256.clone()
                };
                Ok(Some(Readable { upload: u, file, public }))
            })
            .await?
            .ok_or(Error::NotFound)
    }
}
