//! The accept loop: HTTP/1 and HTTP/2 connections with an idle timeout, a per-address
//! connection cap, the rate limit and graceful shutdown.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::error::json_error;
use crate::ratelimit::RateLimiter;

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

pub(super) fn too_many_requests(wait: Duration) -> axum::response::Response {
    let mut resp = json_error(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "too many requests",
    );
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    super::add_security_headers(resp.headers_mut());
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
pub(super) struct Activity {
    in_flight: AtomicUsize,
    idle_since: Mutex<Instant>,
}

/// Held while a request is in progress: from its headers until its response body is done.
pub(super) struct Busy(Arc<Activity>);

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
pub(super) struct TrackedBody {
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
pub(super) async fn idle_for(activity: Arc<Activity>, timeout: Duration) {
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
pub(super) struct IpSlot(PerIp, IpAddr);

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
                        let limited = limiter
                            .as_ref()
                            .and_then(|l| l.check_path(ip, req.uri().path()).err());
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
