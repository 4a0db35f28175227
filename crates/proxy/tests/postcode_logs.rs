//! The postcode lookup logs outcomes and timings but never the postcode (its own test binary,
//! so a global subscriber sees every event).

mod common;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use common::fake_postcodes::{get_json, proxy_with_fake};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_record_outcomes_but_never_the_postcode() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let (proxy, fake) = proxy_with_fake().await;
    get_json(&proxy, "/api/postcode/E154HT").await;
    get_json(&proxy, "/api/postcode/ZZ99%209ZZ").await;
    fake.down.store(true, Ordering::SeqCst);
    get_json(&proxy, "/api/postcode/N1%209GU").await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for outcome in ["found", "not_found", "unavailable"] {
        assert!(
            logs.contains(&format!("outcome=\"{outcome}\"")),
            "{outcome} in {logs}"
        );
    }
    let upper = logs.to_ascii_uppercase();
    for pc in ["E15", "4HT", "ZZ99", "9ZZ", "N1 9GU", "N1%209GU", "9GU"] {
        assert!(!upper.contains(pc), "{pc} leaked into the logs: {logs}");
    }
}
