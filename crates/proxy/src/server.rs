//! Wiring and the accept loop: builds the feeds (demo and configured), starts the harvesters
//! and serves the router with hyper-util (header read timeout, graceful shutdown).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::app::{AppState, app};
use crate::config::{Config, FeedConfig, default_license};
use crate::demo::DEMO_SEED;
use crate::demo::server as demo_server;
use crate::harvest::{Feed, HarvestSettings, Harvester, spawn_all};
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
        Some(Arc::new(crate::postcode::Lookup::new(
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
        openactive::ActivityList::from_jsonld(openactive::vocab::ACTIVITY_LIST_JSONLD)
            .map_err(|e| format!("the shipped Activity List cannot be read: {e}"))?,
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

/// How the listening side protects itself from idle and greedy clients.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time a client has to send a complete request after connecting or after its last
    /// response: HTTP/1.1 headers, HTTP/2 (prior knowledge) header frames, or any first byte.
    /// A connection with no request in progress for this long is closed.
    pub header_timeout: Duration,
    /// Most open connections per client IP address (IPv6 by /64); 0 means no cap.
    pub per_ip: usize,
}

impl ConnectionLimits {
    /// The default cap with this header timeout.
    pub fn with_timeout(header_timeout: Duration) -> Self {
        ConnectionLimits {
            header_timeout,
            per_ip: crate::config::Limits::default().max_connections_per_ip,
        }
    }
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
    crate::app::add_security_headers(resp.headers_mut());
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
    serve_limited(
        listener,
        router,
        ConnectionLimits::with_timeout(header_timeout),
        limiter,
        shutdown,
    )
    .await;
}

/// Requests in progress on one connection and when the last one ended.
#[derive(Debug)]
struct Activity {
    in_flight: AtomicUsize,
    idle_since: Mutex<Instant>,
}

/// Held while a request is in progress: from its headers until its response body is done.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(a: &Arc<Activity>) -> Self {
        a.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(a.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self.0.idle_since.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its connection marked busy until it is sent or dropped.
struct TrackedBody {
    inner: axum::body::Body,
    _busy: Busy,
}

impl axum::body::HttpBody for TrackedBody {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Resolves once the connection has had no request in progress for `timeout`.
async fn idle_for(activity: Arc<Activity>, timeout: Duration) {
    loop {
        let since = *activity
            .idle_since
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let due = since + timeout;
        if activity.in_flight.load(Ordering::Acquire) == 0 && Instant::now() >= due {
            return;
        }
        let wake = if Instant::now() >= due {
            Instant::now() + timeout.min(Duration::from_millis(250))
        } else {
            due
        };
        tokio::time::sleep_until(wake.into()).await;
    }
}

/// Open connections per client key.
type PerIp = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// Counts one open connection of a client; uncounts it when dropped.
struct IpSlot(PerIp, IpAddr);

impl IpSlot {
    fn take(map: &PerIp, ip: IpAddr, cap: usize) -> Option<IpSlot> {
        let key = crate::ratelimit::client_key(ip);
        let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(key).or_insert(0);
        if cap > 0 && *n >= cap {
            return None;
        }
        *n += 1;
        Some(IpSlot(map.clone(), key))
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.1);
            }
        }
    }
}

/// [`serve_with`] with explicit connection limits: a connection with no request in progress
/// for `header_timeout` (one that never sends a byte, an idle HTTP/2 connection, a half-sent
/// header frame, an idle keep-alive) is closed, and each client IP may hold at most `per_ip`
/// connections (further ones are closed at once).
pub async fn serve_limited(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    limiter: Option<Arc<RateLimiter>>,
    shutdown: impl Future<Output = ()>,
) {
    let header_timeout = limits.header_timeout;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let per_ip: PerIp = Arc::new(Mutex::new(HashMap::new()));
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
                let ip = peer.ip();
                let Some(slot) = IpSlot::take(&per_ip, ip, limits.per_ip) else {
                    tracing::debug!(%peer, "connection refused: too many from this address");
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let limiter = limiter.clone();
                let activity = Arc::new(Activity {
                    in_flight: AtomicUsize::new(0),
                    idle_since: Mutex::new(Instant::now()),
                });
                let on_request = activity.clone();
                let service = TowerToHyperService::new(tower::service_fn(
                    move |req: axum::http::Request<hyper::body::Incoming>| {
                        let busy = Busy::new(&on_request);
                        let router = router.clone();
                        let limited = limiter.as_ref().and_then(|l| l.check(ip).err());
                        async move {
                            let resp = match limited {
                                Some(wait) => too_many_requests(wait),
                                None => match tower::ServiceExt::oneshot(router, req).await {
                                    Ok(r) => r,
                                    Err(never) => match never {},
                                },
                            };
                            Ok::<_, std::convert::Infallible>(resp.map(|inner| {
                                axum::body::Body::new(TrackedBody { inner, _busy: busy })
                            }))
                        }
                    },
                ));
                let conn = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .into_owned();
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    tokio::select! {
                        r = conn => {
                            if let Err(e) = r {
                                tracing::debug!(%peer, error = %e, "connection ended with an error");
                            }
                        }
                        () = idle_for(activity, header_timeout) => {
                            tracing::debug!(%peer, "idle connection closed");
                        }
                    }
                    drop(slot);
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
    let started_limits = opts.config.limits.clone();
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
