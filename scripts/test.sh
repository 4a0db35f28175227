#!/usr/bin/env bash
# Runs every test of Activity Finder on a fresh or warm machine: installs the pinned toolchain
# (skipping what is present), then formatting and lints, native unit/property/integration
# tests, wasm tests in headless Chromium, a release build of the app, and the end-to-end suite
# (real proxy in demo mode + real Chromium + axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_COLOR=never
step() { printf '\n=== %s ===\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy (native workspace, then the app for wasm32)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p activity-finder --target wasm32-unknown-unknown --all-targets -- -D warnings
# The same with the split points on, as trunk builds it (src/lazy.rs).
cargo clippy -p activity-finder --target wasm32-unknown-unknown --features split -- -D warnings

step "native tests (openactive, finder, proxy, app)"
cargo test --workspace

step "wasm tests in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test -p activity-finder --target wasm32-unknown-unknown

step "release build of the app (split into its modules: scripts/split-wasm.mjs)"
trunk build --release
ls dist/af-split-*.js >/dev/null || { echo "the release build was not split (scripts/split-wasm.mjs)" >&2; exit 1; }

step "end-to-end (real proxy, real Chromium, axe-core)"
cargo build -p activity-finder-proxy
PROXY_BIN=target/debug/activity-finder-proxy scripts/e2e.sh

step "all tests passed"
