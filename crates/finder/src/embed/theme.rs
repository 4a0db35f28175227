//! The theme: a font from fixed system stacks, colours, and the CSS properties they set.

use super::colour::{AA_TEXT, Rgb, corrected};

/// A font from a fixed list of system font stacks (nothing is downloaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// The platform's UI font.
    System,
    /// A humanist sans-serif.
    Humanist,
    /// A transitional serif.
    Serif,
    /// A rounded sans-serif where the platform has one.
    Rounded,
}

impl Font {
    /// Every font, in the order the embed page offers them.
    pub const ALL: [Font; 4] = [Font::System, Font::Humanist, Font::Serif, Font::Rounded];

    /// The URL value.
    pub fn key(self) -> &'static str {
        match self {
            Font::System => "system",
            Font::Humanist => "humanist",
            Font::Serif => "serif",
            Font::Rounded => "rounded",
        }
    }

    /// A label for the embed page.
    pub fn label(self) -> &'static str {
        match self {
            Font::System => "System UI",
            Font::Humanist => "Humanist sans-serif",
            Font::Serif => "Serif",
            Font::Rounded => "Rounded",
        }
    }

    /// The CSS `font-family` stack.
    pub fn stack(self) -> &'static str {
        match self {
            Font::System => {
                "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif"
            }
            Font::Humanist => {
                "Seravek, \"Gill Sans Nova\", Ubuntu, Calibri, \"DejaVu Sans\", source-sans-pro, sans-serif"
            }
            Font::Serif => {
                "Charter, \"Bitstream Charter\", \"Sitka Text\", Cambria, Georgia, serif"
            }
            Font::Rounded => {
                "ui-rounded, \"Hiragino Maru Gothic ProN\", Quicksand, Comfortaa, Manjari, \"Arial Rounded MT\", Calibri, sans-serif"
            }
        }
    }

    /// The font for a URL value.
    pub fn from_key(s: &str) -> Option<Font> {
        Font::ALL.into_iter().find(|f| f.key() == s)
    }
}

/// Theme colours and font; `None` keeps the app's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    /// Text colour.
    pub fg: Option<Rgb>,
    /// Background colour.
    pub bg: Option<Rgb>,
    /// Accent (links, buttons, header).
    pub accent: Option<Rgb>,
    /// Font stack.
    pub font: Option<Font>,
}

/// The app's own colours, against which a partial theme is checked.
pub const DEFAULT_FG: Rgb = Rgb(0x1b, 0x1b, 0x1b);
/// The app's background.
pub const DEFAULT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
/// The app's error colour.
pub const DEFAULT_ERROR: Rgb = Rgb(0xb3, 0x26, 0x1e);
/// The app's accent.
pub const DEFAULT_ACCENT: Rgb = Rgb(0x1d, 0x4f, 0x91);

impl Theme {
    /// CSS custom properties for this theme (name, value), every value built from a validated
    /// colour or a fixed font stack; set them with `style.setProperty`.
    pub fn css_properties(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(c) = self.fg {
            out.push(("--af-text", c.hex()));
            out.push(("--af-muted", c.hex()));
        }
        if let Some(c) = self.bg {
            out.push(("--af-bg", c.hex()));
            // Panels take the background, and the error colour is kept readable on it.
            out.push(("--af-panel", c.hex()));
            out.push(("--af-error", corrected(DEFAULT_ERROR, c, AA_TEXT).hex()));
        }
        if let Some(c) = self.accent {
            out.push(("--af-brand", c.hex()));
            out.push(("--af-brand-dark", c.hex()));
        }
        if let Some(f) = self.font {
            out.push(("--af-font", f.stack().to_string()));
        }
        out
    }

    /// Whether any value is set.
    pub fn is_empty(&self) -> bool {
        *self == Theme::default()
    }
}
