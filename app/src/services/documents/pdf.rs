//! The printable certificate: an A4 page made with krilla, in the seal's colours, with the issuer's logo, the
//! text of the certificate template, and the verified page's QR code and address. The DejaVu fonts (from the
//! `dejavu` crate) are embedded, subset, so every Latin name prints with its diacritics.

use super::qr::Qr;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::MetadataProvider;

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 64.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
const QR_SIDE: f32 = 120.0;

/// What goes on the page.
pub struct Certificate<'a> {
    /// The document's title (the template's subject).
    pub title: &'a str,
    /// The certificate template's text: "# " starts a title line, "## " a heading, an empty line is space.
    pub text: &'a str,
    pub issuer_name: &'a str,
    /// PNG, JPEG or WebP, as the issuer uploaded it.
    pub logo: Option<(&'a str, &'a [u8])>,
    /// `#rrggbb`: the frame and the title lines.
    pub colour: &'a str,
    pub verified_url: &'a str,
}

struct Fonts {
    regular: Font,
    bold: Font,
}

fn fonts() -> Result<Fonts, String> {
    let load = |bytes: &'static [u8]| Font::new(bytes.into(), 0).ok_or("the embedded font cannot be read");
    Ok(Fonts { regular: load(dejavu::sans::regular())?, bold: load(dejavu::sans::bold())? })
}

/// The width of `text` in points at `size`, from the font's advance widths (for centring and wrapping).
fn text_width(font_bytes: &[u8], size: f32, text: &str) -> f32 {
    let Ok(font) = skrifa::FontRef::new(font_bytes) else { return size * 0.6 * text.chars().count() as f32 };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(FontSize::new(size), LocationRef::default());
    text.chars().map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g)).unwrap_or(size * 0.6)).sum()
}

/// `#rrggbb` as a colour; anything else is the default dark blue.
fn colour(hex: &str) -> rgb::Color {
    let hex = hex.trim().trim_start_matches('#');
    let channel = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
    match (hex.len(), channel(0), channel(2), channel(4)) {
        (6, Some(r), Some(g), Some(b)) => rgb::Color::new(r, g, b),
        _ => rgb::Color::new(0x1f, 0x3a, 0x5f),
    }
}

fn fill(c: rgb::Color) -> Fill {
    Fill { paint: c.into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

/// Breaks `text` into lines no wider than `width` at word boundaries (a word wider than a line stands alone).
fn wrap(font_bytes: &[u8], size: f32, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if !line.is_empty() && text_width(font_bytes, size, &candidate) > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// One line of the template's text, as it is set.
struct Style {
    bold: bool,
    size: f32,
    coloured: bool,
}

fn style_of(line: &str) -> (Style, &str) {
    if let Some(rest) = line.strip_prefix("# ") {
        (Style { bold: true, size: 26.0, coloured: true }, rest)
    } else if let Some(rest) = line.strip_prefix("## ") {
        (Style { bold: true, size: 15.0, coloured: false }, rest)
    } else {
        (Style { bold: false, size: 12.0, coloured: false }, line)
    }
}

struct Writer<'s, 'p> {
    surface: &'s mut Surface<'p>,
    fonts: &'s Fonts,
    y: f32,
}

impl Writer<'_, '_> {
    /// Sets one line centred on the page at the current height, then moves down. A line too wide is set up to
    /// a third smaller to stay one line (a long client name), and wrapped at words beyond that.
    fn centred(&mut self, text: &str, bold: bool, size: f32, c: rgb::Color) {
        let (font, bytes) = if bold {
            (&self.fonts.bold, dejavu::sans::bold())
        } else {
            (&self.fonts.regular, dejavu::sans::regular())
        };
        let natural = text_width(bytes, size, text);
        let size = if natural > TEXT_W { (size * TEXT_W / natural).max(size * 2.0 / 3.0) } else { size };
        for line in wrap(bytes, size, text, TEXT_W) {
            let x = (PAGE_W - text_width(bytes, size, &line)) / 2.0;
            self.y += size;
            self.surface.set_fill(Some(fill(c)));
            self.surface.draw_text(Point::from_xy(x, self.y), font.clone(), size, &line, false, TextDirection::Auto);
            self.y += size * 0.45;
        }
    }
}

fn frame(surface: &mut Surface, c: rgb::Color) {
    let mut path = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(28.0, 28.0, PAGE_W - 56.0, PAGE_H - 56.0) {
        path.push_rect(rect);
    }
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke { paint: c.into(), width: 5.0, ..Default::default() }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// The logo, at most 160 × 64 points, centred at the top; the height it took.
fn logo(surface: &mut Surface, logo: Option<(&str, &[u8])>) -> f32 {
    let Some((content_type, bytes)) = logo else { return 0.0 };
    let data = bytes.to_vec().into();
    let image = match content_type {
        "image/png" => Image::from_png(data, true),
        "image/jpeg" => Image::from_jpeg(data, true),
        "image/webp" => Image::from_webp(data, true),
        _ => return 0.0,
    };
    // A logo that does not decode is left out rather than failing the certificate.
    let Ok(image) = image else { return 0.0 };
    let (w, h) = image.size();
    let scale = (160.0 / w as f32).min(64.0 / h as f32);
    let (w, h) = (w as f32 * scale, h as f32 * scale);
    let Some(size) = Size::from_wh(w, h) else { return 0.0 };
    surface.push_transform(&Transform::from_translate((PAGE_W - w) / 2.0, MARGIN));
    surface.draw_image(image, size);
    surface.pop();
    h
}

fn qr_code(surface: &mut Surface, qr: &Qr, top: f32) {
    let module = QR_SIDE / qr.width() as f32;
    let left = (PAGE_W - QR_SIDE) / 2.0;
    let mut path = PathBuilder::new();
    for y in 0..qr.width() {
        for x in 0..qr.width() {
            if qr.is_dark(x, y) {
                // A hair wider than a module, so that neighbours join without seams when rasterised.
                let rect =
                    Rect::from_xywh(left + x as f32 * module, top + y as f32 * module, module + 0.05, module + 0.05);
                if let Some(rect) = rect {
                    path.push_rect(rect);
                }
            }
        }
    }
    if let Some(path) = path.finish() {
        surface.set_fill(Some(fill(rgb::Color::new(0, 0, 0))));
        surface.draw_path(&path);
    }
}

/// The certificate as PDF bytes.
pub fn certificate(doc: &Certificate) -> Result<Vec<u8>, String> {
    let fonts = fonts()?;
    let qr = Qr::encode(doc.verified_url)?;
    let accent = colour(doc.colour);
    let ink = rgb::Color::new(0x1f, 0x29, 0x37);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title(doc.title.to_string()).creator("Signet".into()).authors(vec![doc.issuer_name.into()]),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("the page size is invalid")?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    frame(&mut surface, accent);
    let logo_height = logo(&mut surface, doc.logo);
    let mut writer = Writer { surface: &mut surface, fonts: &fonts, y: MARGIN + logo_height + 8.0 };
    writer.centred(doc.issuer_name, true, 13.0, ink);
    writer.y += 36.0;
    for line in doc.text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            writer.y += 14.0;
            continue;
        }
        let (style, text) = style_of(line);
        writer.centred(text, style.bold, style.size, if style.coloured { accent } else { ink });
    }
    // The QR code and the address sit at the foot of the page, below the text however long it is.
    // Around the code, at least the four modules of quiet zone a scanner needs.
    let qr_top = (PAGE_H - MARGIN - QR_SIDE - 28.0).max(writer.y + 24.0);
    qr_code(writer.surface, &qr, qr_top);
    writer.y = qr_top + QR_SIDE + 14.0;
    writer.centred(doc.verified_url, false, 10.0, ink);
    surface.finish();
    page.finish();
    document.finish().map_err(|e| format!("the PDF could not be written: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_a_whole_pdf() {
        let pdf = certificate(&Certificate {
            title: "Verified business certificate of Čokolada Đurđević",
            text: "# Certificate\n## Verified business · Gold\n\nČokolada Đurđević d.o.o.\nSplit, HR",
            issuer_name: "Connet d.o.o.",
            logo: None,
            colour: "#0b6e4f",
            verified_url: "https://verify.connet.example/cokolada",
        })
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
        // What pdftotext reads from it (the diacritics, the font) is checked by the e-mail test.
    }

    #[test]
    fn long_text_wraps_inside_the_margins() {
        let long = "word ".repeat(60);
        let lines = wrap(dejavu::sans::regular(), 12.0, &long, TEXT_W);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(dejavu::sans::regular(), 12.0, l) <= TEXT_W));
    }

    #[test]
    fn colours_come_from_the_seal_or_fall_back() {
        assert_eq!(colour("#ff0080"), rgb::Color::new(255, 0, 128));
        assert_eq!(colour("red"), rgb::Color::new(0x1f, 0x3a, 0x5f));
    }
}
