//! Embedding options: the keys a referral agency's snippet adds to the URL contract (embed mode,
//! theme colours, font, hidden and locked filters), their validation, the WCAG contrast check,
//! and the copy-paste snippet. No I/O.
//!
//! | key | meaning | example |
//! |---|---|---|
//! | `embed` | compact layout for an iframe; reports its height to the parent | `embed=1` |
//! | `fg` | text colour, `#rgb` or `#rrggbb` | `fg=%23222222` |
//! | `bg` | background colour | `bg=%23fffdf5` |
//! | `accent` | links, buttons and the header colour | `accent=%23005a30` |
//! | `font` | one of [`Font::ALL`] (system font stacks only) | `font=serif` |
//! | `hide` | filter keys whose controls are hidden | `hide=slots,acc` |
//! | `lock` | filter keys kept at the link's value and hidden | `lock=near,r` |
//!
//! Colours that fail WCAG AA against the background (4.5:1 for text) are corrected toward
//! black or white until they pass, with a [`Notice`](crate::url::Notice). Locking is an affordance for the host
//! page, not a security boundary: anyone can edit the frame's URL.

mod colour;
mod keys;
mod snippet;
mod theme;

pub use colour::{AA_TEXT, Rgb, contrast, corrected};
pub use keys::{apply_locks, decode, encode, from_pairs};
pub use snippet::{Snippet, SnippetError, snippet};
pub use theme::{DEFAULT_ACCENT, DEFAULT_BG, DEFAULT_ERROR, DEFAULT_FG, Font, Theme};

/// Filter keys a host may hide or lock, with the group of controls each belongs to.
pub const LOCKABLE: [&str; 21] = [
    "act", "near", "at", "r", "days", "tod", "from", "to", "free", "max", "age", "g", "acc", "wc",
    "lvl", "org", "q", "slots", "cx", "suit", "col",
];

/// Everything the embedding keys say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Compact layout in an iframe.
    pub embed: bool,
    /// Colours and font.
    pub theme: Theme,
    /// Filter keys whose controls are hidden (locked keys are hidden too).
    pub hidden: Vec<&'static str>,
    /// Filter keys kept at the link's value.
    pub locked: Vec<&'static str>,
}

impl EmbedOptions {
    /// Whether the controls for `key` are hidden (hidden or locked).
    pub fn is_hidden(&self, key: &str) -> bool {
        self.hidden.contains(&key) || self.locked.contains(&key)
    }
}
