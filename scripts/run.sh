#!/usr/bin/env bash
# Builds everything and serves Activity Finder. With no feed configuration it serves the
# built-in demo publisher's data (clearly marked as demo data in the page).
#   scripts/run.sh                      # demo data on http://127.0.0.1:8080/
#   AF_CONFIG=config/london.toml scripts/run.sh   # real feeds from a config file
#   AF_LISTEN=0.0.0.0:8080 scripts/run.sh          # another address
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release
cargo build --release -p activity-finder-proxy
listen="${AF_LISTEN:-127.0.0.1:8080}"
if [ -n "${AF_CONFIG:-}" ]; then
  exec target/release/activity-finder-proxy serve --config "$AF_CONFIG" --listen "$listen" --dist dist
else
  exec target/release/activity-finder-proxy serve --demo --listen "$listen" --dist dist
fi
