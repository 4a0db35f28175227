//! `GET /api/feeds`: the feeds the proxy harvests and relays, with their health.

use serde::{Deserialize, Serialize};

/// Health of a harvested feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// First full pass in progress.
    #[default]
    Harvesting,
    /// Reached the end of the feed; polling.
    Ok,
    /// The last attempt failed; retrying with back-off. Its last data is still served.
    Failing,
    /// The publisher answered 404/410: checked again daily. Its last data is still served.
    Gone,
}

impl Health {
    /// The publisher is not answering (failing or gone): its last data is shown with its age.
    pub fn is_unreachable(self) -> bool {
        matches!(self, Health::Failing | Health::Gone)
    }
}

/// One feed the proxy relays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedInfo {
    /// Proxy feed id.
    pub id: String,
    /// RPDE kind, e.g. "SessionSeries".
    pub kind: String,
    /// First page of the RPDE relay on the proxy (`/feeds/{id}`).
    pub url: String,
    /// Publisher name for attribution.
    pub publisher: String,
    /// Dataset Site URL.
    #[serde(default)]
    pub dataset_url: Option<String>,
    /// Licence URL.
    #[serde(default)]
    pub license: Option<String>,
    /// Live items held.
    #[serde(default)]
    pub items: u64,
    /// Health.
    #[serde(default)]
    pub status: Health,
    /// When the proxy last read the feed successfully (RFC 3339).
    #[serde(default)]
    pub last_harvest: Option<String>,
    /// Why the proxy cannot harvest it, when failing or gone.
    #[serde(default)]
    pub error: Option<String>,
    /// When the proxy tries again after a failure (RFC 3339).
    #[serde(default)]
    pub retry_at: Option<String>,
    /// The first full pass has reached the end of the feed.
    #[serde(default)]
    pub caught_up: bool,
    /// What the feed has that is not shown, and why (from the last pack compile).
    #[serde(default)]
    pub hidden: Option<openactive::join::Hidden>,
}

/// Map tile server settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tiles {
    /// URL template with `{z}/{x}/{y}` (and optionally `{s}`).
    pub url: String,
    /// Attribution text.
    pub attribution: String,
}

impl Default for Tiles {
    fn default() -> Self {
        Tiles {
            url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "© OpenStreetMap contributors".into(),
        }
    }
}

/// `GET /api/feeds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedList {
    /// True when the proxy serves its built-in demo data.
    #[serde(default)]
    pub demo: bool,
    /// Feeds, parents first.
    pub feeds: Vec<FeedInfo>,
    /// Map tiles.
    #[serde(default)]
    pub tiles: Option<Tiles>,
    /// How many days ahead occurrences are compiled (the proxy's configured look-ahead).
    #[serde(default = "default_lookahead")]
    pub lookahead_days: u32,
}

/// The look-ahead when an older proxy does not say.
pub fn default_lookahead() -> u32 {
    28
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_lower_case_on_the_wire_and_unknown_fields_are_ignored() {
        let f: FeedList = serde_json::from_str(
            r#"{"demo":true,"feeds":[{"id":"a","kind":"SessionSeries","url":"/feeds/a",
                "publisher":"P","status":"failing","future_field":1}]}"#,
        )
        .unwrap();
        assert_eq!(f.feeds[0].status, Health::Failing);
        assert!(f.feeds[0].status.is_unreachable());
        assert_eq!(f.lookahead_days, 28);
        let back = serde_json::to_string(&f).unwrap();
        assert!(back.contains(r#""status":"failing""#), "{back}");
    }
}
