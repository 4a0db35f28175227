#!/usr/bin/env bash
# End-to-end browser suite: the real proxy (demo mode) serving an existing dist/, driven in
# Debian's headless Chromium by playwright-core. Builds nothing: run `trunk build --release`
# and `cargo build -p activity-finder-proxy` first, and `npm ci` for playwright-core/axe-core.
#
#   PROXY_BIN  proxy binary (default target/debug/activity-finder-proxy)
#   DIST       built app (default dist)
#   CHROMIUM   browser (default /usr/bin/chromium)
#   NGINX      nginx binary (default /usr/sbin/nginx), run as the current user on a loopback port
#              to serve a published directory (tests/e2e/publish.test.mjs)
# Screenshots go to test-results/. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROXY_BIN="${PROXY_BIN:-target/debug/activity-finder-proxy}"
export DIST="${DIST:-dist}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export NGINX="${NGINX:-/usr/sbin/nginx}"

fail() { echo "e2e: $*" >&2; exit 2; }
[ -x "$PROXY_BIN" ] || fail "proxy binary $PROXY_BIN not found (cargo build -p activity-finder-proxy)"
[ -f "$DIST/index.html" ] || fail "$DIST/index.html not found (trunk build --release)"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found (apt-get install chromium)"
[ -x "$NGINX" ] || fail "$NGINX not found (apt-get install nginx-light, or scripts/bootstrap.sh)"
[ -d node_modules/playwright-core ] && [ -f node_modules/axe-core/axe.min.js ] || fail "node_modules missing (npm ci)"

mkdir -p test-results
# The suite bounds every wait itself; this is a last-resort cap for a wedged browser. Measured
# on 2 cores: 139–193 s for the nine spec files, each starting its own proxy and browser (153 s
# when the finder's flows were one file), so 900 s leaves room. Raise it with the suite,
# keeping CI well under 90 minutes.
exec timeout --kill-after=10 900 node --test --test-concurrency=1 tests/e2e/
