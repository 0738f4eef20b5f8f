//! QR codes (the qrcode crate) for a client's verified page: the module matrix is drawn as vector squares in
//! the PDF, and written as a PNG for the e-mail attachment.

use qrcode::{Color, EcLevel, QrCode};

/// An encoded QR code: `width` × `width` modules, row by row.
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// Error correction M (15 %): a printed code still reads with a smudge, and a URL stays a small code.
    pub fn encode(text: &str) -> Result<Qr, String> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|e| format!("cannot encode {text:?} as a QR code: {e}"))?;
        Ok(Qr { width: code.width(), dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect() })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// A greyscale PNG, `scale` pixels per module, with the four-module quiet zone scanners need.
    pub fn png(&self, scale: usize) -> Result<Vec<u8>, String> {
        const QUIET: usize = 4;
        let side = (self.width + 2 * QUIET) * scale;
        let mut pixels = vec![255u8; side * side];
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    for row in 0..scale {
                        let start = ((y + QUIET) * scale + row) * side + (x + QUIET) * scale;
                        pixels[start..start + scale].fill(0);
                    }
                }
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&pixels).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_becomes_a_square_code_and_a_png_with_a_quiet_zone() {
        let qr = Qr::encode("https://verify.connet.example/cokolada").unwrap();
        assert!(qr.width() >= 21 && (qr.width() - 21) % 4 == 0, "QR widths are 21 + 4n: {}", qr.width());
        // The finder pattern's corner is dark in every QR code.
        assert!(qr.is_dark(0, 0) && qr.is_dark(qr.width() - 1, 0) && qr.is_dark(0, qr.width() - 1));
        let png = qr.png(4).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
