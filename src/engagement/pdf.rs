//! The certificate as a PDF: A4 landscape, Noto Sans and Noto Serif embedded as subsets (so any
//! Latin or Cyrillic name renders), and a QR code to the verification page drawn as vector paths.
//!
//! Pure: the facts and the words come in, bytes go out. The fonts are embedded in the binary
//! (`web/fonts`, SIL Open Font License 1.1, `web/fonts/OFL.txt`).

use std::sync::LazyLock;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

static SANS_TTF: &[u8] = include_bytes!("../../web/fonts/NotoSans-Regular.ttf");
static SERIF_BOLD_TTF: &[u8] = include_bytes!("../../web/fonts/NotoSerif-Bold.ttf");

/// A font for krilla (which embeds it) with its bytes (which rustybuzz shapes with).
struct Face {
    font: Font,
    data: &'static [u8],
}

impl Face {
    fn new(data: &'static [u8]) -> Face {
        Face { font: Font::new(data.into(), 0).expect("an embedded font parses"), data }
    }
}

struct Fonts {
    sans: Face,
    serif: Face,
}

static FONTS: LazyLock<Fonts> =
    LazyLock::new(|| Fonts { sans: Face::new(SANS_TTF), serif: Face::new(SERIF_BOLD_TTF) });

/// A4 landscape, in points.
const W: f32 = 841.89;
const H: f32 = 595.28;

const INK: (u8, u8, u8) = (0x1f, 0x29, 0x37);
const MUTED: (u8, u8, u8) = (0x4b, 0x55, 0x63);
const ACCENT: (u8, u8, u8) = (0x1d, 0x4e, 0x89);
const REVOKED: (u8, u8, u8) = (0xb9, 0x1c, 0x1c);

/// What the certificate says, already in the reader's language.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub school: String,
    /// "Certificate of completion".
    pub title: String,
    /// "This certifies that".
    pub certifies: String,
    pub student: String,
    /// "has completed the course".
    pub completed: String,
    pub course: String,
    /// "taught by Anna Petrova".
    pub taught_by: String,
    /// "Date" and the formatted completion date.
    pub date_label: String,
    pub date: String,
    /// "Certificate no." and the code.
    pub code_label: String,
    pub code: String,
    /// "Verify at" and the verification URL (also the QR code's content).
    pub verify_label: String,
    pub verify_url: String,
    /// "Revoked: reason", for a revoked certificate.
    pub revoked: Option<String>,
    /// The document language (`en`, `ru`).
    pub lang: String,
}

/// Renders the certificate.
pub fn render(s: &Sheet) -> anyhow::Result<Vec<u8>> {
    let fonts = &*FONTS;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} — {}", s.title, s.student))
            .creator(s.school.clone())
            .producer("Lectern".into())
            .language(s.lang.clone()),
    );
    let mut page = doc.start_page_with(PageSettings::from_wh(W, H).expect("A4 is a valid size"));
    let mut surface = page.surface();
    let frame = if s.revoked.is_some() { REVOKED } else { ACCENT };

    // Frame: a heavy outer rule and a hairline inside it.
    stroke_rect(&mut surface, 24.0, 24.0, W - 48.0, H - 48.0, 3.0, frame);
    stroke_rect(&mut surface, 34.0, 34.0, W - 68.0, H - 68.0, 0.6, frame);

    let max = W - 160.0;
    let centre = W / 2.0;
    centred(&mut surface, &fonts.sans, &s.school.to_uppercase(), 13.0, max, centre, 92.0, MUTED, 2.0);
    centred(&mut surface, &fonts.serif, &s.title, 34.0, max, centre, 148.0, ACCENT, 0.0);
    centred(&mut surface, &fonts.sans, &s.certifies, 14.0, max, centre, 205.0, MUTED, 0.0);
    let name_size = centred(&mut surface, &fonts.serif, &s.student, 32.0, max, centre, 255.0, INK, 0.0);
    rule(&mut surface, centre - 180.0, centre + 180.0, 255.0 + name_size * 0.35, frame);
    centred(&mut surface, &fonts.sans, &s.completed, 14.0, max, centre, 305.0, MUTED, 0.0);
    centred(&mut surface, &fonts.serif, &s.course, 24.0, max, centre, 345.0, INK, 0.0);
    centred(&mut surface, &fonts.sans, &s.taught_by, 14.0, max, centre, 378.0, MUTED, 0.0);

    // Bottom left: the date and the code; bottom right: the QR code and where it leads.
    let (left, base) = (70.0, 470.0);
    text(&mut surface, &fonts.sans, &s.date_label.to_uppercase(), 9.0, left, base, MUTED, 1.0);
    text(&mut surface, &fonts.sans, &s.date, 14.0, left, base + 20.0, INK, 0.0);
    text(&mut surface, &fonts.sans, &s.code_label.to_uppercase(), 9.0, left, base + 46.0, MUTED, 1.0);
    text(&mut surface, &fonts.sans, &s.code, 12.0, left, base + 64.0, INK, 0.0);

    let qr_size = 104.0;
    let (qx, qy) = (W - 70.0 - qr_size, 400.0);
    qr(&mut surface, &s.verify_url, qx, qy, qr_size)?;
    let url_w = W - 70.0 - 300.0;
    right(&mut surface, &fonts.sans, &s.verify_label, 8.0, url_w, W - 70.0, qy + qr_size + 14.0, MUTED);
    right(&mut surface, &fonts.sans, &s.verify_url, 8.0, url_w, W - 70.0, qy + qr_size + 26.0, MUTED);

    if let Some(revoked) = &s.revoked {
        centred(&mut surface, &fonts.sans, revoked, 16.0, max, centre, 60.0, REVOKED, 0.0);
    }

    surface.finish();
    page.finish();
    doc.finish().map_err(|e| anyhow::anyhow!("writing the certificate PDF: {e:?}"))
}

fn colour((r, g, b): (u8, u8, u8)) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

fn fill(c: (u8, u8, u8)) -> Fill {
    Fill { paint: colour(c).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn stroke_rect(surface: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32, width: f32, c: (u8, u8, u8)) {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w, h).expect("a positive rectangle"));
    let path = pb.finish().expect("a rectangle is a path");
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke { paint: colour(c).into(), width, ..Stroke::default() }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

fn rule(surface: &mut Surface<'_>, x0: f32, x1: f32, y: f32, c: (u8, u8, u8)) {
    let mut pb = PathBuilder::new();
    pb.move_to(x0, y);
    pb.line_to(x1, y);
    let path = pb.finish().expect("a line is a path");
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke { paint: colour(c).into(), width: 0.6, ..Stroke::default() }));
    surface.draw_path(&path);
    surface.set_stroke(None);
}

/// Shapes `s` (kerning and ligatures from the font) with extra `tracking` points between
/// letters; returns the glyphs, normalised to 1 em, and the width at `size`.
fn shape(face: &Face, s: &str, size: f32, tracking: f32) -> (Vec<KrillaGlyph>, f32) {
    let upem = face.font.units_per_em();
    let Some(face) = rustybuzz::Face::from_slice(face.data, 0) else { return (Vec::new(), 0.0) };
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(s);
    buffer.guess_segment_properties();
    let out = rustybuzz::shape(&face, &[], buffer);
    let (infos, positions) = (out.glyph_infos(), out.glyph_positions());
    let extra = tracking / size;
    let mut glyphs = Vec::with_capacity(infos.len());
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        let end = infos[i + 1..]
            .iter()
            .find(|next| next.cluster != info.cluster)
            .map_or(s.len(), |next| next.cluster as usize);
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            pos.x_advance as f32 / upem + extra,
            pos.x_offset as f32 / upem,
            pos.y_offset as f32 / upem,
            pos.y_advance as f32 / upem,
            start..end.max(start),
            None,
        ));
    }
    let width = glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size
        - if glyphs.is_empty() { 0.0 } else { tracking };
    (glyphs, width)
}

/// Shapes `s`, shrinking the size until it fits in `max` points (down to 60 %).
fn fitted(font: &Face, s: &str, size: f32, max: f32, tracking: f32) -> (Vec<KrillaGlyph>, f32, f32) {
    let (glyphs, width) = shape(font, s, size, tracking);
    if width <= max || width == 0.0 {
        return (glyphs, width, size);
    }
    let smaller = (size * max / width).max(size * 0.6);
    let (glyphs, width) = shape(font, s, smaller, tracking);
    (glyphs, width, smaller)
}

#[expect(clippy::too_many_arguments, reason = "a drawing primitive: position, size, colour")]
fn draw(
    surface: &mut Surface<'_>,
    font: &Face,
    glyphs: &[KrillaGlyph],
    s: &str,
    size: f32,
    x: f32,
    y: f32,
    c: (u8, u8, u8),
) {
    surface.set_stroke(None);
    surface.set_fill(Some(fill(c)));
    surface.draw_glyphs(Point::from_xy(x, y), glyphs, font.font.clone(), s, size, false);
}

/// Draws `s` centred on `cx` with its baseline at `y`; returns the size used.
#[expect(clippy::too_many_arguments, reason = "a drawing primitive: position, size, colour")]
fn centred(
    surface: &mut Surface<'_>,
    font: &Face,
    s: &str,
    size: f32,
    max: f32,
    cx: f32,
    y: f32,
    c: (u8, u8, u8),
    tracking: f32,
) -> f32 {
    let (glyphs, width, size) = fitted(font, s, size, max, tracking);
    draw(surface, font, &glyphs, s, size, cx - width / 2.0, y, c);
    size
}

#[expect(clippy::too_many_arguments, reason = "a drawing primitive: position, size, colour")]
fn text(
    surface: &mut Surface<'_>,
    font: &Face,
    s: &str,
    size: f32,
    x: f32,
    y: f32,
    c: (u8, u8, u8),
    tracking: f32,
) {
    let (glyphs, _, size) = fitted(font, s, size, W - x - 200.0, tracking);
    draw(surface, font, &glyphs, s, size, x, y, c);
}

#[expect(clippy::too_many_arguments, reason = "a drawing primitive: position, size, colour")]
fn right(
    surface: &mut Surface<'_>,
    font: &Face,
    s: &str,
    size: f32,
    max: f32,
    x_end: f32,
    y: f32,
    c: (u8, u8, u8),
) {
    let (glyphs, width, size) = fitted(font, s, size, max, 0.0);
    draw(surface, font, &glyphs, s, size, x_end - width, y, c);
}

/// The QR code of `url` as filled squares (runs of dark modules merged into one rectangle per
/// run), with its quiet zone of four modules inside `size`.
fn qr(surface: &mut Surface<'_>, url: &str, x: f32, y: f32, size: f32) -> anyhow::Result<()> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)?;
    let n = code.width();
    let colors = code.to_colors();
    let module = size / (n + 8) as f32;
    let mut pb = PathBuilder::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                let rect = Rect::from_xywh(
                    x + (start + 4) as f32 * module,
                    y + (row + 4) as f32 * module,
                    (col - start) as f32 * module,
                    module,
                )
                .expect("a module is a positive rectangle");
                pb.push_rect(rect);
            } else {
                col += 1;
            }
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(fill(INK)));
        surface.draw_path(&path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sheet() -> Sheet {
        Sheet {
            school: "Lectern".into(),
            title: "Certificate of completion".into(),
            certifies: "This certifies that".into(),
            student: "Анна Петрова".into(),
            completed: "has completed the course".into(),
            course: "Rust from scratch".into(),
            taught_by: "taught by Ivan Ivanov".into(),
            date_label: "Date".into(),
            date: "6 December 2026".into(),
            code_label: "Certificate no.".into(),
            code: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            verify_label: "Verify at".into(),
            verify_url: "http://127.0.0.1:8080/certificates/AAAAAAAAAAAAAAAAAAAAAA".into(),
            revoked: None,
            lang: "en".into(),
        }
    }

    #[test]
    fn renders_a_pdf_with_its_fonts() {
        let pdf = render(&sheet()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // Both fonts are embedded as subsets (a six-letter tag before the name).
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("NotoSans"), "Noto Sans is embedded");
        assert!(text.contains("NotoSerif"), "Noto Serif is embedded");
        assert!(pdf.len() < 200_000, "subset fonts keep it small: {} bytes", pdf.len());
    }
}
