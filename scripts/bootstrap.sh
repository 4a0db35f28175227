#!/usr/bin/env bash
# Installs everything Activity Finder needs, from the package registries only, at pinned versions.
# Skips whatever is already present at the right version, so a warm machine takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock exactly (docs/toolchain.md trap 2).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
# The wasm-split CLI; its runtime half (wasm_split_helpers) comes with leptos in Cargo.lock.
WASM_SPLIT_VERSION=0.2.4
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[bootstrap] %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ] ||
   ! command -v wasm-bindgen-test-runner >/dev/null; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --force
fi

# Splits the app's wasm into the modules loaded on demand (scripts/split-wasm.mjs, src/lazy.rs).
# (It has no --version: cargo's list of installed crates says which one is there.)
if ! command -v wasm-split-cli >/dev/null ||
   ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  log "installing wasm-split-cli (wasm_split_cli_support $WASM_SPLIT_VERSION, about 1 minute)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --force
fi

if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
  log "installing Debian chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
fi

# Debian's nginx: the e2e suite serves a published directory with it (tests/e2e/publish.test.mjs).
if ! [ -x /usr/sbin/nginx ]; then
  log "installing Debian nginx-light"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
fi

# npm ci only when node_modules is missing or older than the lock file.
if ! [ -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci (leaflet, leaflet.markercluster, binaryen, playwright-core, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "toolchain ready: $(trunk --version), $(wasm-bindgen --version), wasm-split-cli $WASM_SPLIT_VERSION, $(node_modules/.bin/wasm-opt --version | head -1)"
