//! A QR code of a link as an SVG path: the app sets it as the `d` of one `<path>` (no markup
//! from strings). Made with the `qrcode` crate without its default features (no image or SVG
//! renderer): the path is built here from the module matrix, one rectangle per run of dark
//! modules in a row.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of quiet zone around the code.
pub const QUIET: usize = 4;

/// A QR code: its width in modules (without the quiet zone) and the dark modules, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    /// Modules per side.
    pub width: usize,
    /// `width * width` values, true for dark.
    pub dark: Vec<bool>,
}

impl Qr {
    /// The code for `text` (error correction M, the usual for printed links); `None` when it
    /// is too long for a QR code.
    pub fn new(text: &str) -> Option<Qr> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Some(Qr { width, dark })
    }

    /// The side of the SVG `viewBox`, quiet zone included.
    pub fn view_size(&self) -> usize {
        self.width + 2 * QUIET
    }

    /// The `viewBox` attribute.
    pub fn view_box(&self) -> String {
        format!("0 0 {0} {0}", self.view_size())
    }

    /// The path data: `M x y h n v 1 h -n z` per run of dark modules.
    pub fn path(&self) -> String {
        let mut d = String::new();
        for y in 0..self.width {
            let row = &self.dark[y * self.width..(y + 1) * self.width];
            let mut x = 0;
            while x < self.width {
                if !row[x] {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && row[x] {
                    x += 1;
                }
                let n = x - start;
                d.push_str(&format!("M{} {}h{n}v1h-{n}z", start + QUIET, y + QUIET));
            }
        }
        d
    }

    /// Is the module at (x, y) of the SVG (quiet zone included) dark?
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        let (Some(x), Some(y)) = (x.checked_sub(QUIET), y.checked_sub(QUIET)) else {
            return false;
        };
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rasterises the path data itself (not the matrix), so what the page draws is what is
    /// decoded.
    fn raster(qr: &Qr, scale: usize) -> (usize, Vec<u8>) {
        let side = qr.view_size() * scale;
        let mut px = vec![255u8; side * side];
        for cmd in qr.path().split('z').filter(|c| !c.is_empty()) {
            let nums: Vec<usize> = cmd
                .trim_start_matches('M')
                .split(['h', 'v', ' '])
                .filter(|s| !s.is_empty() && !s.starts_with('-'))
                .map(|s| s.parse().unwrap())
                .collect();
            let (x, y, n) = (nums[0], nums[1], nums[2]);
            for yy in y * scale..(y + 1) * scale {
                for xx in x * scale..(x + n) * scale {
                    px[yy * side + xx] = 0;
                }
            }
        }
        (side, px)
    }

    #[test]
    fn the_svg_path_decodes_back_to_the_link() {
        let link = "https://activity-finder.example.org/?v=1&near=E15&r=2&free=1&sl=AbCdEfGhIjKlMnOpQAbCdEfGhIjKlMnOpQ";
        let qr = Qr::new(link).unwrap();
        let (side, px) = raster(&qr, 4);
        for y in 0..qr.view_size() {
            for x in 0..qr.view_size() {
                assert_eq!(px[(y * 4 + 1) * side + x * 4 + 1] == 0, qr.is_dark(x, y));
            }
        }
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| px[y * side + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, link);
    }

    #[test]
    fn a_long_link_still_fits() {
        let link = format!(
            "https://activity-finder.example.org/?v=1&sl={}",
            "A".repeat(17 * 20)
        );
        let qr = Qr::new(&link).unwrap();
        assert!(qr.width <= 101);
        assert!(Qr::new(&"x".repeat(5000)).is_none());
    }
}
