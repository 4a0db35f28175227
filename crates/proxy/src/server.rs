//! Wiring and the accept loop: builds the feeds (demo and configured), starts the harvesters
//! and serves the router with hyper-util (header read timeout, graceful shutdown).

use std::future::Future;
use std::net::SocketAddr;
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
use crate::demo::{DEMO_SEED, PUBLISHERS};
use crate::demo_server;
use crate::harvest::{Feed, HarvestSettings, Harvester, spawn_all};
use crate::net::Policy;
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
}

/// A started proxy (harvesters running, router ready).
#[derive(Debug, Clone)]
pub struct Started {
    /// Shared state (feeds and their stores).
    pub state: Arc<AppState>,
    /// The demo publisher, when serving demo data.
    pub demo: Option<demo_server::DemoServer>,
}

impl Started {
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
        for p in PUBLISHERS {
            let dataset_url = Some(format!("{base}/demo/{}/", p.slug));
            specs.push(FeedConfig {
                id: format!("{}-session-series", p.slug),
                kind: "SessionSeries".into(),
                url: format!("{base}/demo/{}/session-series", p.slug),
                publisher: p.name.into(),
                dataset_url: dataset_url.clone(),
                license: default_license(),
            });
            specs.push(FeedConfig {
                id: format!("{}-scheduled-sessions", p.slug),
                kind: "ScheduledSession".into(),
                url: format!("{base}/demo/{}/scheduled-sessions", p.slug),
                publisher: p.name.into(),
                dataset_url,
                license: default_license(),
            });
        }
        demo = Some(server);
    }
    for f in &config.feeds {
        if specs.iter().any(|s| s.id == f.id) {
            return Err(format!("feed id {:?} clashes with a demo feed", f.id));
        }
        specs.push(f.clone());
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
    let harvester = Harvester::new(HarvestSettings {
        policy,
        limits: config.limits.clone(),
        window: Window {
            lookahead_days: config.lookahead_days,
            region: config.region,
        },
        poll: Duration::from_secs(config.poll_interval_secs),
        origins,
    })?;
    spawn_all(Arc::new(harvester), &feeds);
    let state = Arc::new(AppState {
        feeds,
        demo: demo.is_some(),
        page_size: config.page_size,
        epoch: seq / 1000,
        dist: config.dist.clone(),
        frame_ancestors: config.frame_ancestors.clone(),
    });
    Ok(Started { state, demo })
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains connections
/// (at most 10 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
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
                let service = TowerToHyperService::new(router.clone());
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
    serve(
        listener,
        started.router(),
        header_timeout,
        shutdown_signal(),
    )
    .await;
    Ok(())
}
