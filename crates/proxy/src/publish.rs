//! `activity-finder-proxy publish`: harvests the feeds until they are caught up (bounded),
//! compiles the finder packs once and writes a directory a static host or CDN can serve with no
//! proxy in the path: the built app, `packs/manifest.json`, the packs and detail chunks (with
//! gzip and brotli copies), `api/feeds.json`, and `nginx.conf`, a server block with the headers
//! the proxy itself sends (CSP with `frame-ancestors`, cache rules).
//!
//! Re-running it into the same directory is safe while it is being served: packs are
//! content-addressed and written before the manifest naming them, the manifest and the page are
//! replaced atomically, and packs no manifest names any more are deleted only after the
//! retention time (`[packs] retention_secs`), so a page that read the previous manifest can still
//! fetch its packs.

//!
//! The nginx server block is written by `publish/nginx.rs`.

mod nginx;

pub use nginx::{NginxConf, nginx_conf};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::ProxyError;
use crate::harvest::Health;
use crate::server::{self, ServeOptions};

/// What to publish and where.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// Configuration (feeds, frame ancestors, tiles, look-ahead, pack settings).
    pub config: Config,
    /// Number of demo series, when publishing demo data.
    pub demo_series: Option<usize>,
    /// Where the harvested state is kept between runs (`None`: in memory only).
    pub state_dir: Option<PathBuf>,
    /// The built app (trunk's `dist`).
    pub dist: PathBuf,
    /// The directory to write.
    pub out: PathBuf,
    /// The longest wait for the feeds to catch up; what has been harvested by then is published.
    pub wait: Duration,
    /// `listen` line of the generated nginx server block (e.g. `80` or `127.0.0.1:8080`).
    pub nginx_listen: String,
    /// `root` of the generated nginx server block (default: `out`, made absolute).
    pub nginx_root: Option<PathBuf>,
    /// Add `brotli_static on;` (needs Debian's `libnginx-mod-http-brotli-static`).
    pub nginx_brotli: bool,
}

/// What a publish wrote.
#[derive(Debug, Clone)]
pub struct Published {
    /// Packs the manifest names (each with its detail chunk).
    pub packs: usize,
    /// Occurrences in the session and slot packs.
    pub occurrences: u64,
    /// Feeds that had not caught up when the wait ended.
    pub behind: Vec<String>,
    /// Old pack files deleted (past the retention time).
    pub swept: usize,
}

/// Why a publish failed.
#[derive(Debug)]
pub enum PublishError {
    /// The configuration or the harvesters could not be started.
    Start(ProxyError),
    /// `dist` has no `index.html` (build the app first).
    NoApp(PathBuf),
    /// No packs were compiled (no feed answered before the wait ended).
    NoPacks,
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Start(e) => write!(f, "{e}"),
            PublishError::NoApp(d) => write!(
                f,
                "{} has no index.html: build the app first (trunk build --release)",
                d.display()
            ),
            PublishError::NoPacks => f.write_str("no packs could be compiled"),
            PublishError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for PublishError {}

fn io_err(p: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |e| PublishError::Io(p.to_path_buf(), e)
}

/// Harvests, compiles and writes the directory.
pub async fn run(opts: PublishOptions) -> Result<Published, PublishError> {
    let index = opts.dist.join("index.html");
    let page =
        std::fs::read_to_string(&index).map_err(|_| PublishError::NoApp(opts.dist.clone()))?;
    let config = opts.config.clone();
    let started = server::start(ServeOptions {
        config: config.clone(),
        demo_series: opts.demo_series,
        demo_page_size: 100,
        state_dir: opts.state_dir.clone(),
    })
    .await
    .map_err(PublishError::Start)?;
    let st = started.state.clone();
    // Every feed at its end (a gone feed excepted), or the wait is over.
    let deadline = Instant::now() + opts.wait;
    let behind = loop {
        let behind: Vec<String> = st
            .feeds
            .iter()
            .filter(|f| {
                let s = f.status();
                !(f.ready() && (s.caught_up || s.health == Health::Gone))
            })
            .map(|f| f.spec.id.clone())
            .collect();
        if behind.is_empty() || Instant::now() >= deadline {
            break behind;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    if !behind.is_empty() {
        tracing::warn!(feeds = ?behind, "not caught up when the wait ended; publishing what was harvested");
    }
    let vocab = std::sync::Arc::new(
        openactive::ActivityList::from_jsonld(openactive::vocab::ACTIVITY_LIST_JSONLD).map_err(
            |e| {
                PublishError::Start(ProxyError::Internal(format!(
                    "the shipped Activity List: {e}"
                )))
            },
        )?,
    );
    started.abort_harvest();
    crate::packs::build_once(&st.packs, &st.feeds, &vocab, config.lookahead_days).await;
    started.flush().await;
    let manifest = st.manifest().ok_or(PublishError::NoPacks)?;
    let feeds = contract::FeedList {
        demo: st.demo,
        feeds: manifest.feeds.clone(),
        tiles: manifest.tiles.clone(),
        lookahead_days: manifest.lookahead_days,
    };

    let out = &opts.out;
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let packs_dir = out.join("packs");
    // 1. The packs and detail chunks (content-addressed: an existing file is the same bytes).
    let mut names = Vec::new();
    for r in &manifest.packs {
        names.push(r.hash.clone());
        if let Some(h) = r.details.as_deref().and_then(hash_of_url) {
            names.push(h.to_string());
        }
    }
    for hash in &names {
        let file = packs_dir.join(format!("{hash}.pack"));
        if file.is_file() {
            continue;
        }
        let Some(raw) = st.packs.get(hash) else {
            return Err(PublishError::NoPacks);
        };
        let br = st.packs.get_br(hash).unwrap_or_default();
        write_file(&packs_dir, &format!("{hash}.pack.gz"), &gzip(&raw))?;
        if !br.is_empty() {
            write_file(&packs_dir, &format!("{hash}.pack.br"), &br)?;
        }
        write_file(&packs_dir, &format!("{hash}.pack"), &raw)?;
    }
    // 2. The app, its page last (it names the hashed files copied before it).
    copy_app(&opts.dist, out, config.packs.brotli_quality)?;
    // 3. The feed list and the server block.
    write_file(&out.join("api"), "feeds.json", &json(&feeds))?;
    let root = match &opts.nginx_root {
        Some(r) => r.clone(),
        None => std::path::absolute(out).map_err(io_err(out))?,
    };
    let tile_source = config.tiles.img_source().map_err(PublishError::Start)?;
    let csp = crate::http::content_security_policy(
        &config.frame_ancestors,
        &crate::http::inline_script_hashes(&page),
        &tile_source,
    );
    let conf = nginx_conf(&NginxConf {
        listen: &opts.nginx_listen,
        root: &root,
        csp: &csp,
        brotli: opts.nginx_brotli,
        generated: &manifest.generated,
    });
    write_file(out, "nginx.conf", conf.as_bytes())?;
    // 4. The manifest, once everything it names is in place; then the page.
    write_file(&packs_dir, "manifest.json", &json(&manifest))?;
    let banner = if manifest.demo {
        crate::http::DEMO_BANNER
    } else {
        ""
    };
    let page = crate::http::with_shell_banner(&page, banner);
    write_file(out, "index.html", page.as_bytes())?;
    let swept = crate::packs::sweep_dir(
        &packs_dir,
        &names,
        Duration::from_secs(config.packs.retention_secs),
    );
    Ok(Published {
        packs: manifest.packs.len(),
        occurrences: manifest
            .packs
            .iter()
            .map(|p| u64::from(p.occurrences))
            .sum(),
        behind,
        swept,
    })
}

fn json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// `/packs/<hash>.pack` → `<hash>`.
fn hash_of_url(url: &str) -> Option<&str> {
    url.strip_prefix("/packs/")?.strip_suffix(".pack")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), PublishError> {
    crate::packs::write_atomic_in(dir, name, bytes)
        .map_err(|e| PublishError::Io(dir.join(name), e.0))
}

/// Text files a static server would otherwise compress on every request.
const COMPRESSIBLE: &[&str] = &["js", "mjs", "wasm", "css", "svg", "json", "webmanifest"];

/// Copies the built app (every file but `index.html`, which [`run`] writes last), with gzip and
/// brotli copies of the text files, for nginx's `gzip_static`/`brotli_static`.
fn copy_app(dist: &Path, out: &Path, quality: u32) -> Result<(), PublishError> {
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = dist.join(&rel);
        for e in std::fs::read_dir(&dir).map_err(io_err(&dir))? {
            let e = e.map_err(io_err(&dir))?;
            let name = e.file_name();
            let rel_file = rel.join(&name);
            let kind = e.file_type().map_err(io_err(&e.path()))?;
            if kind.is_dir() {
                stack.push(rel_file);
                continue;
            }
            if rel_file == Path::new("index.html") || !kind.is_file() {
                continue;
            }
            let src = e.path();
            let bytes = std::fs::read(&src).map_err(io_err(&src))?;
            let target_dir = out.join(&rel);
            let name = name.to_string_lossy();
            let ext = name.rsplit_once('.').map(|(_, x)| x).unwrap_or("");
            if COMPRESSIBLE.contains(&ext) {
                write_file(&target_dir, &format!("{name}.gz"), &gzip(&bytes))?;
                write_file(
                    &target_dir,
                    &format!("{name}.br"),
                    &crate::packs::brotli(&bytes, quality),
                )?;
            }
            write_file(&target_dir, &name, &bytes)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
