//! The services the proxy calls or names: postcode lookup and map tiles.

use serde::Deserialize;

use crate::error::ProxyError;

/// The postcode service behind `/api/postcode/{postcode}`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PostcodeLookup {
    /// URL template with `{postcode}` (postcodes.io's shape of answer); empty disables lookups.
    pub url: String,
    /// Most postcodes kept in the cache.
    pub cache_size: u64,
    /// Seconds a found postcode stays cached.
    pub cache_ttl_secs: u64,
}

impl Default for PostcodeLookup {
    fn default() -> Self {
        PostcodeLookup {
            url: "https://api.postcodes.io/postcodes/{postcode}".to_string(),
            cache_size: 10_000,
            cache_ttl_secs: 7 * 24 * 3600,
        }
    }
}

impl PostcodeLookup {
    /// The template with `postcode` (already percent-encoded) filled in.
    pub fn fill(&self, encoded_postcode: &str) -> Option<url::Url> {
        url::Url::parse(&self.url.replace("{postcode}", encoded_postcode)).ok()
    }

    /// Checks the template: empty, or an http(s) URL whose `{postcode}` lies in the path or
    /// query (so the origin can never depend on the postcode).
    pub fn validate(&self) -> Result<(), ProxyError> {
        if self.url.is_empty() {
            return Ok(());
        }
        let (Some(a), Some(b)) = (self.fill("E154HT"), self.fill("SW1A1AA")) else {
            return Err(ProxyError::Config(
                "postcode_lookup.url must be an http(s) URL".into(),
            ));
        };
        let host = self.url.split_once("://").map(|(_, r)| r).unwrap_or("");
        let authority = host.split(['/', '?', '#']).next().unwrap_or("");
        if !matches!(a.scheme(), "http" | "https")
            || a.host().is_none()
            || !self.url.contains("{postcode}")
            || authority.contains("{postcode}")
            || a.origin() != b.origin()
        {
            return Err(ProxyError::Config(
                "postcode_lookup.url must be an http(s) URL with {postcode} in its path or query"
                    .into(),
            ));
        }
        if self.cache_ttl_secs == 0 {
            return Err(ProxyError::Config(
                "postcode_lookup.cache_ttl_secs must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// A raster tile server for the map.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TileServer {
    /// URL template with `{z}`, `{x}` and `{y}` (and optionally `{s}` in the host).
    pub url: String,
    /// Attribution text shown on the map (plain text).
    pub attribution: String,
}

impl Default for TileServer {
    /// The wire type's default (OpenStreetMap).
    fn default() -> Self {
        let t = contract::Tiles::default();
        TileServer {
            url: t.url,
            attribution: t.attribution,
        }
    }
}

impl TileServer {
    /// The tiles as the app receives them (the wire type; this struct is the config file's).
    pub fn to_contract(&self) -> contract::Tiles {
        contract::Tiles {
            url: self.url.clone(),
            attribution: self.attribution.clone(),
        }
    }

    /// The CSP `img-src` source for the tile host (`{s}` becomes a `*.` wildcard), or why the
    /// template cannot be used.
    ///
    /// ```
    /// use activity_finder_proxy::config::TileServer;
    /// let t = TileServer { url: "https://{s}.tiles.example.org/{z}/{x}/{y}.png".into(), attribution: "x".into() };
    /// assert_eq!(t.img_source().unwrap(), "https://*.tiles.example.org");
    /// assert_eq!(TileServer::default().img_source().unwrap(), "https://tile.openstreetmap.org");
    /// ```
    pub fn img_source(&self) -> Result<String, ProxyError> {
        let bad = || {
            ProxyError::Config(format!(
                "tiles.url: {:?} is not an http(s) template with {{z}}/{{x}}/{{y}}",
                self.url
            ))
        };
        if !["{z}", "{x}", "{y}"].iter().all(|p| self.url.contains(p))
            || self.url.contains(['\'', ';', ',', ' ', '"'])
        {
            return Err(bad());
        }
        let probe = self.url.replace("{s}", "a").replace(['{', '}'], "");
        let u = url::Url::parse(&probe).map_err(|_| bad())?;
        let host = u
            .host_str()
            .filter(|_| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(bad)?;
        let host = if self.url.contains("{s}.") {
            host.strip_prefix("a.")
                .map(|h| format!("*.{h}"))
                .ok_or_else(bad)?
        } else {
            host.to_string()
        };
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        Ok(format!("{}://{host}{port}", u.scheme()))
    }
}
