//! `publish`: the demo publisher harvested into a directory a static server can serve alone.

use std::time::Duration;

use activity_finder_proxy::config::Config;
use activity_finder_proxy::publish::{PublishOptions, run};

fn fake_dist(dir: &std::path::Path) {
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><html><head><script type=module>go()</script></head><body><header><div id=demo-banner-slot></div></header></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("app-0123456789abcdef.js"),
        "export function go() {}",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("images")).unwrap();
    std::fs::write(dir.join("images/icon.png"), [137u8, 80, 78, 71]).unwrap();
}

fn options(
    dist: &std::path::Path,
    out: &std::path::Path,
    state: &std::path::Path,
) -> PublishOptions {
    let mut config = Config {
        frame_ancestors: vec!["https://agency.example".into()],
        ..Config::default()
    };
    config.packs.retention_secs = 0;
    PublishOptions {
        config,
        demo_series: Some(60),
        state_dir: Some(state.to_path_buf()),
        dist: dist.to_path_buf(),
        out: out.to_path_buf(),
        wait: Duration::from_secs(60),
        nginx_listen: "127.0.0.1:8080".into(),
        nginx_root: None,
        nginx_brotli: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_writes_the_app_the_packs_and_a_server_block() {
    let (dist, out, state) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    fake_dist(dist.path());
    let out_dir = out.path().join("site");
    let p = run(options(dist.path(), &out_dir, state.path()))
        .await
        .unwrap();
    assert!(
        p.behind.is_empty(),
        "every demo feed catches up: {:?}",
        p.behind
    );
    assert!(p.occurrences > 0 && p.packs > 0);

    // The app, with compressed copies of its text files; the page unchanged but for the demo
    // banner in its static shell.
    let page = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(page.contains("<script type=module>go()</script>"));
    assert!(
        page.contains("<header><p class=\"demo-banner\" role=\"note\">"),
        "{page}"
    );
    assert!(out_dir.join("app-0123456789abcdef.js").is_file());
    assert!(out_dir.join("app-0123456789abcdef.js.gz").is_file());
    assert!(out_dir.join("images/icon.png").is_file());

    // The manifest names packs and detail chunks that are all there, each with a gzip copy.
    let m: contract::Manifest =
        serde_json::from_slice(&std::fs::read(out_dir.join("packs/manifest.json")).unwrap())
            .unwrap();
    assert!(m.demo);
    assert_eq!(
        m.packs
            .iter()
            .map(|p| u64::from(p.occurrences))
            .sum::<u64>(),
        p.occurrences
    );
    for r in &m.packs {
        for url in [Some(&r.url), r.details.as_ref()].into_iter().flatten() {
            let file = out_dir.join(url.trim_start_matches('/'));
            let bytes = std::fs::read(&file).unwrap();
            assert!(file.with_extension("pack.gz").is_file());
            if url == &r.url {
                let d = contract::pack::decode(&bytes).unwrap();
                assert_eq!(d.occurrences.len() as u32, r.occurrences);
            }
        }
    }
    // The feed list the proxy would serve at /api/feeds.
    let feeds: contract::FeedList =
        serde_json::from_slice(&std::fs::read(out_dir.join("api/feeds.json")).unwrap()).unwrap();
    assert_eq!(feeds.feeds.len(), m.feeds.len());
    assert!(feeds.demo);

    // The server block: the proxy's CSP with the page's inline script and the framing origin.
    let conf = std::fs::read_to_string(out_dir.join("nginx.conf")).unwrap();
    let hashes = activity_finder_proxy::http::inline_script_hashes(&page);
    assert_eq!(hashes.len(), 1);
    assert!(conf.contains(&hashes[0]));
    assert!(conf.contains("frame-ancestors https://agency.example;"));
    assert!(conf.contains(&format!(
        "root {};",
        std::path::absolute(&out_dir).unwrap().display()
    )));

    // A second run into the same directory: a stale pack nothing names goes (retention 0),
    // the current ones stay.
    let stale = out_dir.join("packs/00000000000000000000000000000000.pack");
    std::fs::write(&stale, b"old").unwrap();
    let p2 = run(options(dist.path(), &out_dir, state.path()))
        .await
        .unwrap();
    assert!(p2.swept >= 1);
    assert!(!stale.exists());
    let m2: contract::Manifest =
        serde_json::from_slice(&std::fs::read(out_dir.join("packs/manifest.json")).unwrap())
            .unwrap();
    for r in &m2.packs {
        assert!(out_dir.join(r.url.trim_start_matches('/')).is_file());
    }
}

#[tokio::test]
async fn publish_refuses_a_missing_app() {
    let (dist, out, state) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let e = run(options(dist.path(), out.path(), state.path()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("index.html"), "{e}");
}
