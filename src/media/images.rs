//! Covers: decoded within limits (a decompression bomb is refused before it is allocated),
//! turned upright by their EXIF orientation, cropped to 16:9 and re-encoded as JPEG in the
//! sizes pages use. Re-encoding from pixels keeps no metadata: EXIF, GPS, XMP, comments go.

use std::io::Cursor;
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};

use crate::error::Error;

/// The sizes of a cover: the course page's and the cards'.
pub const SIZES: [(u32, u32); 2] = [(1280, 720), (480, 270)];
/// No side of an uploaded image may be longer.
pub const MAX_SIDE: u32 = 12_000;
/// At most this much memory for one decoded image (a 40-megapixel RGBA photo fits).
pub const MAX_ALLOC: u64 = 192 << 20;

pub struct Encoded {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

fn refused(e: ImageError) -> Error {
    match e {
        ImageError::Limits(_) => Error::FileTooLarge(format!(
            "This image is too large to process: at most {MAX_SIDE} pixels a side and {} MB decoded.",
            MAX_ALLOC >> 20
        )),
        _ => Error::FileType("This image could not be decoded.".into()),
    }
}

/// Decodes the image at `path` and encodes its [`SIZES`]. Blocking.
pub fn cover_variants(path: &Path) -> Result<Vec<Encoded>, Error> {
    let mut reader = ImageReader::open(path)
        .map_err(|e| Error::Internal(e.into()))?
        .with_guessed_format()
        .map_err(|e| Error::Internal(e.into()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refused)?;
    let orientation = decoder.orientation().map_err(refused)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(refused)?;
    img.apply_orientation(orientation);
    let mut out = Vec::with_capacity(SIZES.len());
    for (w, h) in SIZES {
        let sized = img.resize_to_fill(w, h, FilterType::Triangle);
        let rgb = on_white(&sized);
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(Cursor::new(&mut bytes), 82)
            .encode_image(&rgb)
            .map_err(|e| Error::Internal(e.into()))?;
        out.push(Encoded { name: format!("{w}.jpg"), width: w, height: h, bytes });
        // The next (smaller) size is made from this one: cheaper, and as sharp.
        img = sized;
    }
    Ok(out)
}

/// JPEG has no transparency: transparent pixels become white, not black.
fn on_white(img: &DynamicImage) -> DynamicImage {
    if !img.color().has_alpha() {
        return DynamicImage::ImageRgb8(img.to_rgb8());
    }
    let rgba = img.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (p, q) in rgba.pixels().zip(rgb.pixels_mut()) {
        let a = u32::from(p[3]);
        for c in 0..3 {
            q[c] = ((u32::from(p[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    DynamicImage::ImageRgb8(rgb)
}
