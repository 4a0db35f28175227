//! Unit tests of `publish.rs`.

use super::*;

#[test]
fn the_server_block_carries_the_proxy_headers() {
    let csp = crate::http::content_security_policy(
        &["https://agency.example".into()],
        &["'sha256-abc'".into()],
        "https://tile.openstreetmap.org",
    );
    let conf = nginx_conf(&NginxConf {
        listen: "127.0.0.1:8080",
        root: Path::new("/srv/finder"),
        csp: &csp,
        brotli: false,
        generated: "2026-11-30T23:00:00Z",
    });
    assert!(conf.contains("listen 127.0.0.1:8080;"));
    assert!(conf.contains("root /srv/finder;"));
    assert!(conf.contains("frame-ancestors https://agency.example;"));
    assert!(conf.contains("'sha256-abc'"));
    assert!(conf.contains("public, max-age=31536000, immutable"));
    assert!(!conf.contains("brotli_static"));
    // Every location repeats the CSP (add_header is not inherited into a location with its own).
    assert_eq!(
        conf.matches("location ").count(),
        conf.matches("Content-Security-Policy").count()
    );
    let with_br = nginx_conf(&NginxConf {
        listen: "80",
        root: Path::new("/srv/finder"),
        csp: &csp,
        brotli: true,
        generated: "",
    });
    assert!(with_br.contains("brotli_static on;"));
}

#[test]
fn sweep_keeps_named_and_recent_packs() {
    let dir = tempfile::tempdir().unwrap();
    for n in [
        "a.pack",
        "a.pack.gz",
        "b.pack",
        "b.pack.br",
        "manifest.json",
    ] {
        std::fs::write(dir.path().join(n), b"x").unwrap();
    }
    // Recent: nothing goes.
    assert_eq!(
        crate::packs::sweep_dir(dir.path(), &["a".into()], Duration::from_secs(3600)),
        0
    );
    assert!(dir.path().join("b.pack").exists());
    // Past the retention: only what is not named.
    assert_eq!(
        crate::packs::sweep_dir(dir.path(), &["a".into()], Duration::ZERO),
        1
    );
    assert!(dir.path().join("a.pack").exists() && dir.path().join("a.pack.gz").exists());
    assert!(!dir.path().join("b.pack").exists() && !dir.path().join("b.pack.br").exists());
    assert!(dir.path().join("manifest.json").exists());
}
