//! What each kind of upload may be, told from the file's first bytes (`infer`'s magic
//! numbers), never from its name or the Content-Type the client declared.

use serde::{Deserialize, Serialize};

use crate::config::UploadLimits;
use crate::error::Error;

/// What an upload is for; it decides the types, the limit and who may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A course's cover: JPEG, PNG, WebP or GIF, re-encoded as JPEG in the sizes pages use.
    Cover,
    /// A lesson's video: MP4, WebM, QuickTime or Ogg.
    LessonVideo,
    /// A lesson's attachment: PDF, office documents (docx, xlsx, pptx), ZIP, JPEG, PNG.
    Attachment,
    /// A teacher's identity or qualification document: PDF, JPEG or PNG.
    VerificationDocument,
}

/// Bytes read before the type is decided (ZIP-based office documents are told apart by the
/// names of their first entries).
pub const SNIFF_BYTES: usize = 64 * 1024;

impl Purpose {
    pub fn parse(s: &str) -> Option<Purpose> {
        Some(match s {
            "cover" => Purpose::Cover,
            "lesson_video" => Purpose::LessonVideo,
            "attachment" => Purpose::Attachment,
            "verification_document" => Purpose::VerificationDocument,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Cover => "cover",
            Purpose::LessonVideo => "lesson_video",
            Purpose::Attachment => "attachment",
            Purpose::VerificationDocument => "verification_document",
        }
    }

    /// The largest file of this kind, in bytes.
    pub fn limit(self, l: &UploadLimits) -> u64 {
        match self {
            Purpose::Cover => l.image_bytes,
            Purpose::LessonVideo => l.video_bytes,
            Purpose::Attachment | Purpose::VerificationDocument => l.document_bytes,
        }
    }

    fn allowed(self) -> &'static [&'static str] {
        match self {
            Purpose::Cover => &["image/jpeg", "image/png", "image/webp", "image/gif"],
            Purpose::LessonVideo => &["video/mp4", "video/webm", "video/quicktime", "video/ogg"],
            Purpose::Attachment => &[
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "application/vnd.oasis.opendocument.text",
                "application/zip",
                "image/jpeg",
                "image/png",
            ],
            Purpose::VerificationDocument => &["application/pdf", "image/jpeg", "image/png"],
        }
    }

    fn described(self) -> &'static str {
        match self {
            Purpose::Cover => "a JPEG, PNG, WebP or GIF image",
            Purpose::LessonVideo => "an MP4, WebM, QuickTime or Ogg video",
            Purpose::Attachment => {
                "a PDF, an office document (docx, xlsx, pptx, odt), a ZIP archive, a JPEG or a PNG"
            }
            Purpose::VerificationDocument => "a PDF, a JPEG or a PNG",
        }
    }

    /// The content type of a file starting with `head`, if this kind of upload may have it and
    /// the type the client declared (if any) is of the same family; 415 otherwise.
    pub fn check(self, head: &[u8], declared: Option<&str>) -> Result<&'static str, Error> {
        let refused = || {
            Error::FileType(format!(
                "This file is not {}: its contents were checked, not its name.",
                self.described()
            ))
        };
        let detected = infer::get(head).map(|t| canonical(t.mime_type())).ok_or_else(refused)?;
        let allowed = self.allowed().iter().find(|a| **a == detected).copied().ok_or_else(refused)?;
        if let Some(declared) = declared.map(family_of_declared)
            && declared != "application/octet-stream"
            && !declared.is_empty()
            && family(&declared) != family(allowed)
        {
            return Err(Error::FileType(format!(
                "The file was sent as {declared} but its contents are {allowed}."
            )));
        }
        Ok(allowed)
    }
}

/// The names `infer` gives, as this server serves them.
fn canonical(mime: &str) -> &str {
    match mime {
        // One Ogg container for audio and video; only lesson videos accept it.
        "audio/ogg" => "video/ogg",
        "video/x-m4v" => "video/mp4",
        other => other,
    }
}

fn family_of_declared(raw: &str) -> String {
    raw.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// `image`, `video` or `application`: a declared type must be of the detected one's family.
fn family(mime: &str) -> &str {
    match mime {
        "audio/ogg" | "application/ogg" => "video",
        m => m.split('/').next().unwrap_or(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const MP4: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";

    #[test]
    fn the_bytes_decide_and_the_declared_type_must_agree() {
        assert_eq!(Purpose::Cover.check(PNG, Some("image/png")).unwrap(), "image/png");
        assert_eq!(Purpose::Cover.check(PNG, None).unwrap(), "image/png");
        assert_eq!(Purpose::Cover.check(PNG, Some("application/octet-stream")).unwrap(), "image/png");
        assert!(matches!(Purpose::LessonVideo.check(PNG, Some("video/mp4")), Err(Error::FileType(_))));
        assert!(matches!(Purpose::Cover.check(MP4, Some("image/png")), Err(Error::FileType(_))));
        assert_eq!(Purpose::LessonVideo.check(MP4, Some("video/mp4")).unwrap(), "video/mp4");
        assert!(matches!(Purpose::Cover.check(PNG, Some("video/mp4")), Err(Error::FileType(_))));
        assert!(Purpose::Cover.check(b"<!doctype html><script>", Some("image/png")).is_err());
        assert!(Purpose::Cover.check(b"MZ\x90\0\x03\0\0\0", Some("image/png")).is_err());
        assert!(Purpose::Attachment.check(b"", None).is_err());
        assert_eq!(
            Purpose::VerificationDocument.check(b"%PDF-1.7\n", Some("application/pdf")).unwrap(),
            "application/pdf"
        );
    }
}
