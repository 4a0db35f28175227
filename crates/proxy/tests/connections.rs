//! The listening side against idle and greedy clients: connections that send nothing, idle or
//! half-sent HTTP/2 (prior knowledge) connections, and too many connections from one address.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use activity_finder_proxy::http::{self, ConnectionLimits};
use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An empty SETTINGS frame.
const SETTINGS: [u8; 9] = [0, 0, 0, 4, 0, 0, 0, 0, 0];

fn router() -> Router {
    Router::new().route("/", get(|| async { "hi" })).route(
        "/slow",
        get(|| async {
            // A body sent over ~2.5 s: slower than the idle timeout, never cut.
            let chunks = futures_util::stream::unfold(0u32, |i| async move {
                if i == 5 {
                    return None;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                Some((Ok::<_, std::io::Error>(format!("chunk{i};")), i + 1))
            });
            axum::body::Body::from_stream(chunks)
        }),
    )
}

async fn serve(limits: ConnectionLimits) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(http::serve_limited(
        listener,
        router(),
        limits,
        None,
        std::future::pending(),
    ));
    addr
}

/// Reads until the server closes the connection (at most 8 s); returns the time it took.
async fn closed_after(stream: &mut TcpStream) -> Duration {
    let t0 = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(8), stream.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the server did not close the connection within 8 s"
    );
    t0.elapsed()
}

fn one_second() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_secs(1),
        per_ip: 0,
    }
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_within_the_header_timeout() {
    let addr = serve(one_second()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let took = closed_after(&mut stream).await;
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn an_idle_http2_prior_knowledge_connection_is_closed_within_the_header_timeout() {
    let addr = serve(one_second()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(PREFACE).await.unwrap();
    stream.write_all(&SETTINGS).await.unwrap();
    let took = closed_after(&mut stream).await;
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_half_sent_http2_header_frame_is_closed_within_the_header_timeout() {
    let addr = serve(one_second()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(PREFACE).await.unwrap();
    stream.write_all(&SETTINGS).await.unwrap();
    // A HEADERS frame on stream 1 announcing 100 bytes, of which 10 are sent.
    stream
        .write_all(&[0, 0, 100, 1, 4, 0, 0, 0, 1])
        .await
        .unwrap();
    stream.write_all(&[0x82; 10]).await.unwrap();
    let took = closed_after(&mut stream).await;
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_slow_response_body_is_not_cut_and_an_idle_keep_alive_is() {
    let addr = serve(one_second()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let t0 = Instant::now();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !String::from_utf8_lossy(&buf).contains("chunk4;") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .expect("body keeps coming")
            .unwrap();
        assert!(n > 0, "connection closed mid-body after {:?}", t0.elapsed());
        buf.extend_from_slice(&chunk[..n]);
    }
    assert!(t0.elapsed() >= Duration::from_secs(2), "the body was slow");
    // Then, with no new request, the keep-alive connection is closed.
    let took = closed_after(&mut stream).await;
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn connections_per_address_are_capped() {
    let addr = serve(ConnectionLimits {
        header_timeout: Duration::from_secs(6),
        per_ip: 2,
    })
    .await;
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    let took = closed_after(&mut third).await;
    assert!(
        took < Duration::from_secs(1),
        "over the cap: closed at once ({took:?})"
    );
    // A slot frees when a connection ends.
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = TcpStream::connect(addr).await.unwrap();
    fourth
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), fourth.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.ends_with("hi"), "{text}");
}
