//! Wiring and the accept loop: builds the feeds (demo and configured), starts the harvesters
//! and serves the router with hyper-util (header read timeout, graceful shutdown).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::app::{AppState, app};
use crate::config::{Config, FeedConfig, default_license};
use crate::demo::DEMO_SEED;
use crate::demo_server;
use crate::harvest::{Feed, HarvestSettings, Harvester, spawn_all};
use crate::net::Policy;
use crate::persist::{self, Persister};
use crate::ratelimit::RateLimiter;
use crate::store::Window;

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
pub async fn start(opts: ServeOptions) -> Result<Started, String> {
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
        let server = demo_server::start(DEMO_SEED, today, series, opts.demo_page_size)
            .await
            .map_err(|e| format!("cannot start the demo publisher: {e}"))?;
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
            return Err(format!("feed id {:?} clashes with a demo feed", f.id));
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
    tasks.extend(spawn_all(Arc::new(harvester), &feeds));
    let postcodes = if config.postcode_lookup.url.is_empty() {
        None
    } else {
        Some(Arc::new(crate::postcode::Lookup::new(
            config.postcode_lookup.clone(),
            Policy {
                allowed_networks: config.private_allowlist()?,
                allowed_sockets: Vec::new(),
            },
            &config.limits,
        )?))
    };
    let state = Arc::new(AppState {
        feeds,
        demo: demo.is_some(),
        page_size: config.page_size,
        epoch: seq / 1000,
        dist: config.dist.clone(),
        frame_ancestors: config.frame_ancestors.clone(),
        tiles: config.tiles.clone(),
        postcodes,
    });
    Ok(Started {
        state,
        demo,
        persister,
        tasks: Arc::new(tasks),
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
    .unwrap_or_else(|_| Err("discovery timed out after 120 s".into()));
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

/// Serves `router` on `listener` until `shutdown` resolves, then drains connections
/// (at most 10 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    serve_with(listener, router, header_timeout, None, shutdown).await;
}

fn too_many_requests(wait: Duration) -> axum::response::Response {
    let mut resp = crate::app::json_error(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "too many requests",
    );
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    resp
}

/// [`serve`] with an optional per-client rate limit (429 with `Retry-After` when exceeded).
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    limiter: Option<Arc<RateLimiter>>,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let limiter = limiter.clone();
                let ip = peer.ip();
                let service = TowerToHyperService::new(tower::service_fn(
                    move |req: axum::http::Request<hyper::body::Incoming>| {
                        let router = router.clone();
                        let limited = limiter.as_ref().and_then(|l| l.check(ip).err());
                        async move {
                            if let Some(wait) = limited {
                                return Ok::<_, std::convert::Infallible>(too_many_requests(wait));
                            }
                            tower::ServiceExt::oneshot(router, req).await
                        }
                    },
                ));
                let conn = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .into_owned();
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not close within 10 s");
    }
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// Binds, starts and serves until a shutdown signal.
pub async fn run(opts: ServeOptions) -> Result<(), String> {
    let listen: SocketAddr = opts.config.listen;
    let header_timeout = Duration::from_secs(opts.config.limits.header_timeout_secs);
    let limiter = RateLimiter::new(&opts.config.rate_limit).map(Arc::new);
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let started = start(opts).await?;
    let what = if started.state.demo {
        "demo data".to_string()
    } else {
        format!("{} feeds", started.state.feeds.len())
    };
    println!("Activity Finder on http://{addr}/ ({what})");
    serve_with(
        listener,
        started.router(),
        header_timeout,
        limiter,
        shutdown_signal(),
    )
    .await;
    started.abort_harvest();
    started.flush().await;
    Ok(())
}
