//! Wiring and the accept loop: builds the feeds (demo and configured), starts the harvesters
//! and serves the router with hyper-util (header read timeout, graceful shutdown).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::{Config, FeedConfig, default_license};
use crate::demo::DEMO_SEED;
use crate::demo::server as demo_server;
use crate::error::ProxyError;
use crate::harvest::{Feed, HarvestSettings, Harvester, spawn_all};
use crate::http::{AppState, ConnectionLimits, app, serve_limited, shutdown_signal};
use crate::net::Policy;
use crate::persist::{self, Persister};
use crate::ratelimit::RateLimiter;
use crate::relay::Window;

/// What to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Configuration (defaults when no file was given).
    pub config: Config,
    /// Number of demo series, when serving demo data.
    pub demo_series: Option<usize>,
    /// Page size of the demo publisher's feeds.
    pub demo_page_size: usize,
    /// Where to save and load the compacted state; `None` keeps it in memory only.
    pub state_dir: Option<PathBuf>,
}

/// A started proxy (harvesters running, router ready).
#[derive(Debug, Clone)]
pub struct Started {
    /// Shared state (feeds and their stores).
    pub state: Arc<AppState>,
    /// The demo publisher, when serving demo data.
    pub demo: Option<demo_server::DemoServer>,
    /// Saves the state, when a state directory is used.
    pub persister: Option<Arc<Persister>>,
    /// The harvest tasks.
    pub tasks: Arc<Vec<tokio::task::AbortHandle>>,
    /// The per-client rate limit, unless the config disables it.
    pub limiter: Option<Arc<RateLimiter>>,
}

impl Started {
    /// Stops harvesting (tests simulate a crash with this) and the periodic saver.
    pub fn abort_harvest(&self) {
        for t in self.tasks.iter() {
            t.abort();
        }
    }

    /// Saves every changed feed now (at shutdown).
    pub async fn flush(&self) {
        if let Some(p) = &self.persister {
            p.save_dirty().await;
        }
    }

    /// The router over this state.
    pub fn router(&self) -> Router {
        app(self.state.clone())
    }
}

/// Change numbers start at the start time in milliseconds × 1000, so they keep increasing
/// across restarts and consumers holding an old cursor simply re-read.
fn first_seq() -> u64 {
    let ms = chrono::Utc::now().timestamp_millis().max(1) as u64;
    ms.saturating_mul(1000)
}

/// Starts the demo publisher (if asked), builds the feeds and spawns the harvesters.
pub async fn start(opts: ServeOptions) -> Result<Started, ProxyError> {
    let config = opts.config;
    config.validate()?;
    let mut policy = Policy {
        allowed_networks: config.private_allowlist()?,
        allowed_sockets: Vec::new(),
    };
    let mut specs: Vec<FeedConfig> = Vec::new();
    let mut demo = None;
    if let Some(series) = opts.demo_series {
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::London)
            .date_naive();
        let server = demo_server::spawn(DEMO_SEED, today, series, opts.demo_page_size)
            .await
            .map_err(|e| ProxyError::io("cannot start the demo publisher", &e))?;
        policy.allowed_sockets.push(server.addr);
        let base = &server.data.base_url;
        for feeds in &server.data.publishers {
            let p = feeds.publisher;
            let dataset_url = Some(format!("{base}/demo/{}/", p.slug));
            // Each parent feed before its child feed; facility feeds only for publishers with them.
            let mut paths = Vec::new();
            if feeds.has_facilities() {
                paths.push(("facility-uses", "FacilityUse"));
                paths.push(("facility-use-slots", "Slot"));
            }
            paths.push(("session-series", "SessionSeries"));
            paths.push(("scheduled-sessions", "ScheduledSession"));
            for (path, kind) in paths {
                specs.push(FeedConfig {
                    id: format!("{}-{path}", p.slug),
                    kind: kind.into(),
                    url: format!("{base}/demo/{}/{path}", p.slug),
                    publisher: p.name.into(),
                    dataset_url: dataset_url.clone(),
                    license: default_license(),
                });
            }
        }
        demo = Some(server);
    }
    for f in &config.feeds {
        if specs.iter().any(|s| s.id == f.id) {
            return Err(ProxyError::Config(format!(
                "feed id {:?} clashes with a demo feed",
                f.id
            )));
        }
        specs.push(f.clone());
    }
    if let Some(d) = &config.discover {
        let found = discover_feeds(&config, d, &policy, &specs, opts.state_dir.as_deref()).await;
        specs.extend(found);
    }
    let origins = specs
        .iter()
        .filter_map(|s| url::Url::parse(&s.url).ok())
        .map(|u| u.origin())
        .collect();
    let seq = first_seq();
    let mut feeds: Vec<Arc<Feed>> = specs
        .into_iter()
        .map(|s| Arc::new(Feed::new(s, seq)))
        .collect();
    // Parents first (stable), as the browser app expects.
    feeds.sort_by_key(|f| !f.is_parent());
    let persister = match &opts.state_dir {
        Some(dir) => {
            persist::prepare_dir(dir)?;
            let mut restored = 0;
            for feed in &feeds {
                if persist::load(dir, feed) {
                    restored += 1;
                }
                persist::resume_numbers(dir, feed);
            }
            tracing::info!(dir = %dir.display(), restored, feeds = feeds.len(), "state loaded");
            if restored > 0 {
                // A saved state exists: serve it at once (feeds without one start empty).
                for feed in &feeds {
                    feed.loaded
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            Some(Arc::new(Persister::new(
                dir.clone(),
                Duration::from_millis(config.state_save_interval_ms),
                feeds.clone(),
            )))
        }
        None => None,
    };
    let mut harvester = Harvester::new(HarvestSettings {
        policy,
        limits: config.limits.clone(),
        window: Window {
            lookahead_days: config.lookahead_days,
            region: config.region,
        },
        poll: Duration::from_secs(config.poll_interval_secs),
        origins,
    })?
    .with_resync(Duration::from_secs(config.resync_interval_secs));
    let mut tasks = Vec::new();
    if let Some(p) = &persister {
        harvester = harvester.with_persist(p.notifier());
        tasks.push(tokio::spawn(p.clone().run()).abort_handle());
    }
    let harvester = Arc::new(harvester);
    let limiter = RateLimiter::new(&config.rate_limit).map(Arc::new);
    let metrics = config.metrics.then(|| {
        Arc::new(crate::metrics::Metrics::new(
            harvester.clone(),
            limiter.clone(),
        ))
    });
    tasks.extend(spawn_all(harvester, &feeds));
    let postcodes = if config.postcode_lookup.url.is_empty() {
        None
    } else {
        Some(Arc::new(crate::postcode::PostcodeService::new(
            config.postcode_lookup.clone(),
            Policy {
                allowed_networks: config.private_allowlist()?,
                allowed_sockets: Vec::new(),
            },
            &config.limits,
        )?))
    };
    let packs = Arc::new(crate::packs::Packs::new(
        config.packs.clone(),
        opts.state_dir.as_ref().map(|d| d.join("packs")),
    ));
    let vocab = Arc::new(
        openactive::ActivityList::from_jsonld(openactive::vocab::ACTIVITY_LIST_JSONLD).map_err(
            |e| ProxyError::Internal(format!("the shipped Activity List cannot be read: {e}")),
        )?,
    );
    if feeds.iter().any(|f| f.ready()) {
        // Restored state: compile its packs before serving, so the app can load at once.
        crate::packs::build_once(&packs, &feeds, &vocab, config.lookahead_days).await;
    }
    tasks.push(
        tokio::spawn(crate::packs::run(
            packs.clone(),
            feeds.clone(),
            vocab,
            config.lookahead_days,
        ))
        .abort_handle(),
    );
    let state = Arc::new(AppState {
        feeds,
        demo: demo.is_some(),
        page_size: config.page_size,
        epoch: seq / 1000,
        dist: config.dist.clone(),
        frame_ancestors: config.frame_ancestors.clone(),
        tiles: config.tiles.clone(),
        postcodes,
        lookahead_days: config.lookahead_days,
        packs,
        metrics,
    });
    Ok(Started {
        state,
        demo,
        persister,
        tasks: Arc::new(tasks),
        limiter,
    })
}

/// Runs discovery (bounded to two minutes); the result is saved in the state directory and
/// reused when a later discovery fails (e.g. offline). Feeds already configured are kept.
async fn discover_feeds(
    config: &Config,
    d: &crate::config::Discover,
    policy: &Policy,
    specs: &[FeedConfig],
    state_dir: Option<&std::path::Path>,
) -> Vec<FeedConfig> {
    let mut taken: std::collections::HashSet<String> = specs.iter().map(|s| s.id.clone()).collect();
    let urls: std::collections::HashSet<&str> = specs.iter().map(|s| s.url.as_str()).collect();
    let saved = state_dir.map(|dir| dir.join("discovered.json"));
    let harvester = match Harvester::new(HarvestSettings {
        policy: policy.clone(),
        limits: config.limits.clone(),
        window: Window {
            lookahead_days: config.lookahead_days,
            region: config.region,
        },
        poll: Duration::from_secs(config.poll_interval_secs),
        origins: Vec::new(),
    }) {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "discovery not possible");
            return Vec::new();
        }
    };
    let result = tokio::time::timeout(
        Duration::from_secs(120),
        crate::discover::discover(&harvester, d, &mut taken),
    )
    .await
    .unwrap_or_else(|_| {
        Err(ProxyError::Upstream(
            "discovery timed out after 120 s".into(),
        ))
    });
    let feeds = match result {
        Ok(found) => {
            for (url, why) in &found.skipped {
                tracing::info!(dataset = %url, reason = %why, "dataset skipped");
            }
            if let Some(path) = &saved
                && let Ok(bytes) = serde_json::to_vec_pretty(&found.feeds)
                && let Err(e) = persist::write_atomic(path, &bytes)
            {
                tracing::warn!(error = %e, "discovered feeds not saved");
            }
            found.feeds
        }
        Err(e) => {
            tracing::error!(error = %e, "feed discovery failed");
            let loaded: Vec<FeedConfig> = saved
                .as_ref()
                .and_then(|p| std::fs::read(p).ok())
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            if !loaded.is_empty() {
                tracing::info!(feeds = loaded.len(), "using the feeds discovered last time");
            }
            loaded
                .into_iter()
                .filter(|f| {
                    !taken.contains(&f.id) && crate::config::validate_feed_id(&f.id).is_ok()
                })
                .collect()
        }
    };
    feeds
        .into_iter()
        .filter(|f| !urls.contains(f.url.as_str()))
        .collect()
}

/// Binds, starts and serves until a shutdown signal.
pub async fn run(opts: ServeOptions) -> Result<(), ProxyError> {
    let listen: SocketAddr = opts.config.listen;
    let header_timeout = Duration::from_secs(opts.config.limits.header_timeout_secs);
    let started_limits = opts.config.limits.clone();
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| ProxyError::io(format_args!("cannot listen on {listen}"), &e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ProxyError::io("cannot read the listening address", &e))?;
    let started = start(opts).await?;
    let what = if started.state.demo {
        "demo data".to_string()
    } else {
        format!("{} feeds", started.state.feeds.len())
    };
    println!("Activity Finder on http://{addr}/ ({what})");
    serve_limited(
        listener,
        started.router(),
        ConnectionLimits {
            header_timeout,
            per_ip: started_limits.max_connections_per_ip,
        },
        started.limiter.clone(),
        shutdown_signal(),
    )
    .await;
    started.abort_harvest();
    started.flush().await;
    Ok(())
}
