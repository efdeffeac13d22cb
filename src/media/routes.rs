//! `POST /api/v1/uploads`: a file as the raw body (with its Content-Type) or as the `file`
//! part of a `multipart/form-data` body. Served outside the body limit and the request
//! timeout (`http::router`): its own limits apply while it streams.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::repo::UploadRecord;
use super::{Cover, CoverOut, Incoming, Purpose};
use crate::app::AppState;
use crate::error::{Error, Result};
use crate::http::extract::{Json, Query};
use crate::identity::AuthUser;
use crate::ids::UploadId;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// What the file is for: it decides the types accepted, the size limit and who may read it.
    purpose: Purpose,
    /// The file's name (for a raw body; a multipart part carries its own). Kept sanitised: the
    /// last path segment, without control characters or quotes, at most 120 characters.
    filename: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadOut {
    pub id: UploadId,
    /// Where the file is served (a cover: its 1280×720 JPEG).
    pub url: String,
    /// The type read from the file's bytes (a cover's is `image/jpeg`, as re-encoded).
    pub content_type: String,
    pub size: u64,
    pub purpose: Purpose,
    pub filename: String,
    /// A cover's sizes.
    pub cover: Option<CoverOut>,
}

impl UploadOut {
    pub fn from(u: &UploadRecord) -> UploadOut {
        let cover = (u.purpose == Purpose::Cover).then(|| CoverOut::from(&Cover::of(u))).flatten();
        UploadOut {
            id: u.id,
            url: cover.as_ref().map_or_else(|| super::url(u.id, &u.filename), |c| c.url.clone()),
            content_type: u.content_type.clone(),
            size: u.size,
            purpose: u.purpose,
            filename: u.filename.clone(),
            cover,
        }
    }
}

/// `filename="..."` or `filename*=UTF-8''...` of a Content-Disposition header.
fn disposition_filename(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_DISPOSITION)?.to_str().ok()?;
    for part in v.split(';').map(str::trim) {
        if let Some(enc) =
            part.strip_prefix("filename*=UTF-8''").or_else(|| part.strip_prefix("filename*=utf-8''"))
        {
            return percent_decode(enc);
        }
    }
    v.split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("filename="))
        .map(|f| f.trim_matches('"').to_owned())
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Upload a file (teachers and admins; verification documents: teachers). The type is read
/// from the file's first bytes, never from its name or declared type; a declared type of
/// another family than the bytes' is refused too. Covers are decoded and re-encoded as JPEG
/// (1280×720 and 480×270, 16:9, metadata stripped); the original is not kept. Limits: lesson
/// videos `LECTERN_MAX_UPLOAD_MB` (2048 MB by default), covers 10 MB, documents 20 MB.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "media", params(UploadQuery),
    request_body(description = "The file itself, with its Content-Type; or multipart/form-data with one `file` part.",
        content(
            (Vec<u8> = "application/octet-stream"),
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "video/mp4"),
            (Vec<u8> = "application/pdf"),
        )),
    responses(
        (status = 201, body = UploadOut),
        (status = 400, description = "malformed_request: the query does not parse, the multipart body is broken, or the upload was interrupted or stalled."),
        (status = 403, description = "teachers_only: students may not upload; only teachers send verification documents."),
        (status = 413, description = "payload_too_large: the file is over the limit of its purpose, or a cover's pixels are too many to decode."),
        (status = 415, description = "unsupported_media_type: the bytes are not a type this purpose accepts, or the declared Content-Type is of another family than the bytes."),
        (status = 422, description = "validation_failed: a multipart body without a `file` part."),
    ),
    security(("bearer" = [])))]
async fn upload(
    State(app): State<AppState>,
    AuthUser(who): AuthUser,
    Query(q): Query<UploadQuery>,
    req: Request,
) -> Result<(StatusCode, Json<UploadOut>)> {
    // Refused before a byte of the body is read.
    super::may_upload(&who.user, q.purpose)?;
    let headers = req.headers().clone();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let record =
        if content_type.as_deref().is_some_and(|t| t.to_ascii_lowercase().starts_with("multipart/form-data"))
        {
            let mut parts = Multipart::from_request(req, &app).await.map_err(|e| {
                Error::Malformed(format!("The multipart body cannot be read: {}", e.body_text()))
            })?;
            loop {
                let field = parts
                    .next_field()
                    .await
                    .map_err(|e| {
                        Error::Malformed(format!("The multipart body cannot be read: {}", e.body_text()))
                    })?
                    .ok_or_else(|| Error::validation("file", "send the file as a part named `file`"))?;
                if field.name() != Some("file") {
                    continue;
                }
                let meta = Incoming {
                    purpose: q.purpose,
                    declared_type: field.content_type().map(str::to_owned),
                    filename: field.file_name().map(str::to_owned).or(q.filename.clone()),
                    length: None,
                };
                break app.media.receive(&who.user, meta, Box::pin(field)).await?;
            }
        } else {
            let meta = Incoming {
                purpose: q.purpose,
                declared_type: content_type,
                filename: q.filename.clone().or_else(|| disposition_filename(&headers)),
                length: headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok()),
            };
            app.media.receive(&who.user, meta, req.into_body().into_data_stream()).await?
        };
    Ok((StatusCode::CREATED, Json(UploadOut::from(&record))))
}
