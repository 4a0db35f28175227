//! Command line: `serve`, `publish` and `check`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::demo;
use crate::server::{self, ServeOptions};

/// Activity Finder proxy.
#[derive(Debug, Parser)]
#[command(name = "activity-finder-proxy", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Harvest feeds and serve them with the app.
    Serve {
        /// Serve generated demo data (fictional London publishers) as well.
        #[arg(long)]
        demo: bool,
        /// Demo size: `small`, `default`, `london` (~100k sessions, 20 publishers) or a
        /// number of series.
        #[arg(long, value_name = "N|small|default|london", default_value = "default")]
        demo_size: String,
        /// TOML config file (see config/london.example.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Listen address (overrides the config file; default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// Built app directory (overrides the config file; default ./dist).
        #[arg(long, value_name = "DIR")]
        dist: Option<PathBuf>,
        /// Where the compacted state is saved (overrides the config file's `state_dir`;
        /// default ./state; `--demo` without a config uses a temporary directory).
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
    },
    /// Harvest the feeds until caught up, compile the packs once and write the app, the packs
    /// and an nginx server block to a directory for a static host or CDN (no proxy needed).
    Publish {
        /// TOML config file; without one (or without feeds in it) the demo data is published.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The directory to write (created if missing; re-running into it is safe while served).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Built app directory (overrides the config file; default ./dist).
        #[arg(long, value_name = "DIR")]
        dist: Option<PathBuf>,
        /// Publish generated demo data (the default when no feeds are configured).
        #[arg(long)]
        demo: bool,
        /// Demo size: `small`, `default`, `london` or a number of series.
        #[arg(long, value_name = "N|small|default|london", default_value = "default")]
        demo_size: String,
        /// Where the harvested state is kept between runs (overrides the config file's
        /// `state_dir`; demo data without a config uses a temporary directory).
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
        /// The longest wait for every feed to reach its end, in seconds; what was harvested by
        /// then is published.
        #[arg(long, value_name = "SECS", default_value_t = 600)]
        wait_secs: u64,
        /// `listen` of the generated nginx server block.
        #[arg(long, value_name = "ADDR", default_value = "80")]
        nginx_listen: String,
        /// `root` of the generated nginx server block (default: --out, absolute).
        #[arg(long, value_name = "DIR")]
        nginx_root: Option<PathBuf>,
        /// Serve the brotli copies too (`brotli_static on;`, needs Debian's
        /// libnginx-mod-http-brotli-static).
        #[arg(long)]
        nginx_brotli: bool,
    },
    /// Read saved RPDE pages, join them and print a report.
    Check {
        /// Files or directories of RPDE pages.
        #[arg(required = true, value_name = "FILE_OR_DIR")]
        paths: Vec<PathBuf>,
    },
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths } => crate::check::run(&paths),
        Command::Publish {
            config,
            out,
            dist,
            demo,
            demo_size,
            state_dir,
            wait_secs,
            nginx_listen,
            nginx_root,
            nginx_brotli,
        } => {
            init_tracing();
            let from_file = config.is_some();
            let mut cfg = match config {
                Some(path) => match Config::load(&path) {
                    Ok(c) => c,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => Config::default(),
            };
            if let Some(d) = dist {
                cfg.dist = d;
            }
            let no_feeds = cfg.feeds.is_empty() && cfg.discover.is_none();
            if no_feeds && !demo {
                eprintln!("no feeds configured: publishing the demo data");
            }
            let demo = demo || no_feeds;
            let demo_series = if demo {
                match demo::parse_size(&demo_size) {
                    Ok(n) => Some(n),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                None
            };
            // As with `serve --demo`: the demo's feed URLs change on every start.
            let mut temp_state = None;
            let state_dir = match state_dir {
                Some(d) => d,
                None if demo && !from_file => {
                    let d = std::env::temp_dir().join(format!(
                        "activity-finder-publish-state-{}",
                        std::process::id()
                    ));
                    temp_state = Some(d.clone());
                    d
                }
                None => cfg.state_dir.clone(),
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start the runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let dist = cfg.dist.clone();
            let opts = crate::publish::PublishOptions {
                config: cfg,
                demo_series,
                state_dir: Some(state_dir),
                dist,
                out: out.clone(),
                wait: std::time::Duration::from_secs(wait_secs),
                nginx_listen,
                nginx_root,
                nginx_brotli,
            };
            let result = runtime.block_on(crate::publish::run(opts));
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
            if let Some(d) = temp_state {
                let _ = std::fs::remove_dir_all(d);
            }
            match result {
                Ok(p) => {
                    println!(
                        "Published {} packs and their detail chunks ({} occurrences) to {}{}",
                        p.packs,
                        p.occurrences,
                        out.display(),
                        if p.behind.is_empty() {
                            String::new()
                        } else {
                            format!(" (not caught up: {})", p.behind.join(", "))
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Serve {
            demo,
            demo_size,
            config,
            listen,
            dist,
            state_dir,
        } => {
            init_tracing();
            let from_file = config.is_some();
            let mut cfg = match config {
                Some(path) => match Config::load(&path) {
                    Ok(c) => c,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => Config::default(),
            };
            if let Some(l) = listen {
                cfg.listen = l;
            }
            if let Some(d) = dist {
                cfg.dist = d;
            }
            let demo_series = if demo {
                match demo::parse_size(&demo_size) {
                    Ok(n) => Some(n),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                None
            };
            // The demo's feed URLs change on every start (ephemeral port), so without an
            // explicit directory its state goes to a temporary one, removed at exit.
            let mut temp_state = None;
            let state_dir = match state_dir {
                Some(d) => d,
                None if demo && !from_file => {
                    let d = std::env::temp_dir()
                        .join(format!("activity-finder-demo-state-{}", std::process::id()));
                    temp_state = Some(d.clone());
                    d
                }
                None => cfg.state_dir.clone(),
            };
            if !demo && cfg.feeds.is_empty() && cfg.discover.is_none() {
                eprintln!(
                    "error: no feeds: pass --demo or a --config with [[feeds]] or [discover]"
                );
                return ExitCode::from(2);
            }
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start the runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let opts = ServeOptions {
                config: cfg,
                demo_series,
                demo_page_size: 100,
                state_dir: Some(state_dir),
            };
            let result = runtime.block_on(server::run(opts));
            if let Some(d) = temp_state {
                let _ = std::fs::remove_dir_all(d);
            }
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
