#!/usr/bin/env bash
# Lighthouse (npm `lighthouse`, pinned) with the Debian Chromium: mobile performance and
# accessibility scores of the app on the demo at London size, offline (map tiles blocked).
#
#   bench/lighthouse.sh [SIZE]        # SIZE defaults to london
#
# Lighthouse is big, so it is installed with `npm install --no-save` into a cache directory
# (never into package.json). Writes bench/out/lighthouse.json (the summary) and
# bench/out/lighthouse-report.json (the full report). If Lighthouse cannot run here, says why,
# records it in bench/out/lighthouse.json and exits 0.
set -uo pipefail

LH_VERSION=12.8.2   # node >= 18.16; 13.x needs node >= 22.19
SIZE="${1:-london}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/bench/out"
LH_DIR="${LIGHTHOUSE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/activity-finder-bench/lighthouse-$LH_VERSION}"
LH="$LH_DIR/node_modules/.bin/lighthouse"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
mkdir -p "$OUT"

skip() {
  echo "lighthouse: not run: $1"
  printf '{"date":"%s","ran":false,"reason":%s}\n' "$(date -u +%FT%TZ)" "$(printf '%s' "$1" | node -e 'process.stdout.write(JSON.stringify(require("fs").readFileSync(0,"utf8")))')" > "$OUT/lighthouse.json"
  exit 0
}

if [ ! -x "$LH" ]; then
  echo "installing lighthouse@$LH_VERSION into $LH_DIR (npm, --no-save) …"
  mkdir -p "$LH_DIR"
  if ! timeout 600 npm install --no-save --no-audit --no-fund --prefix "$LH_DIR" "lighthouse@$LH_VERSION" >"$LH_DIR/install.log" 2>&1; then
    skip "npm install lighthouse@$LH_VERSION failed (see $LH_DIR/install.log): $(tail -3 "$LH_DIR/install.log" | tr '\n' ' ')"
  fi
fi
[ -x "$CHROME_PATH" ] || skip "no Chromium at $CHROME_PATH"
[ -f "$ROOT/dist/index.html" ] || skip "dist/index.html missing: run the trunk release build first"

# The release proxy in demo mode on a free loopback port; stopped by its pid on exit.
BIN="${BENCH_PROXY:-}"
for t in "${CARGO_TARGET_DIR:-}" "$ROOT/target"; do
  if [ -z "$BIN" ] && [ -n "$t" ] && [ -x "$t/release/activity-finder-proxy" ]; then BIN="$t/release/activity-finder-proxy"; fi
done
if [ -z "$BIN" ]; then
  (cd "$ROOT" && timeout 1200 cargo build --release -p activity-finder-proxy) || skip "cannot build the release proxy"
  for t in "${CARGO_TARGET_DIR:-}" "$ROOT/target"; do
    if [ -z "$BIN" ] && [ -n "$t" ] && [ -x "$t/release/activity-finder-proxy" ]; then BIN="$t/release/activity-finder-proxy"; fi
  done
fi
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
STATE="$(mktemp -d /tmp/af-bench-lh-state.XXXXXX)"
PROFILE_DIR="$(mktemp -d /tmp/af-bench-lh-chrome.XXXXXX)"
PROXY_LOG="$OUT/lighthouse-proxy.log"
"$BIN" serve --demo --demo-size "$SIZE" --listen "127.0.0.1:$PORT" --dist "$ROOT/dist" --state-dir "$STATE" >"$PROXY_LOG" 2>&1 &
PROXY_PID=$!
cleanup() {
  kill "$PROXY_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$PROXY_PID" 2>/dev/null
  rm -rf "$STATE" "$PROFILE_DIR"
}
trap cleanup EXIT INT TERM

BASE="http://127.0.0.1:$PORT"
ready=0
for _ in $(seq 1 1500); do   # up to ~5 minutes for the harvest
  kill -0 "$PROXY_PID" 2>/dev/null || skip "the proxy exited: $(tail -3 "$PROXY_LOG" | tr '\n' ' ')"
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/readyz")" = 200 ]; then ready=1; break; fi
  sleep 0.2
done
[ "$ready" = 1 ] || skip "the proxy was not ready within 5 minutes"
echo "demo ($SIZE) ready at $BASE; running lighthouse $LH_VERSION (mobile preset: 4x CPU, simulated slow 4G) …"

# Offline: no tile servers, no network beyond loopback. The mobile form factor is the default.
timeout 600 "$LH" "$BASE/" \
  --quiet \
  --only-categories=performance,accessibility \
  --form-factor=mobile \
  --throttling-method=simulate \
  --blocked-url-patterns='*tile.openstreetmap.org*' \
  --disable-full-page-screenshot \
  --max-wait-for-load=120000 \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$PROFILE_DIR" \
  --output=json --output-path="$OUT/lighthouse-report.json" >"$OUT/lighthouse.log" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$OUT/lighthouse-report.json" ]; then
  skip "lighthouse exited $rc: $(grep -iE 'error|runtime' "$OUT/lighthouse.log" | tail -3 | tr '\n' ' ')"
fi

node - "$OUT/lighthouse-report.json" "$OUT/lighthouse.json" "$SIZE" "$LH_VERSION" <<'EOF'
const fs = require('fs');
const [report, out, size, version] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(report, 'utf8'));
const a = (id) => r.audits[id] && r.audits[id].numericValue;
const score = (c) => (r.categories[c] && r.categories[c].score !== null ? Math.round(r.categories[c].score * 100) : null);
const s = {
  date: new Date().toISOString(), ran: true, size, lighthouse: version, userAgent: r.environment && r.environment.hostUserAgent,
  runtimeError: r.runtimeError || null, runWarnings: r.runWarnings || [],
  performance: score('performance'), accessibility: score('accessibility'),
  fcpMs: a('first-contentful-paint'), lcpMs: a('largest-contentful-paint'), tbtMs: a('total-blocking-time'),
  cls: a('cumulative-layout-shift'), speedIndexMs: a('speed-index'), ttiMs: a('interactive'),
  totalBytes: a('total-byte-weight'), mainThreadMs: a('mainthread-work-breakdown'), bootupMs: a('bootup-time'),
  failedAccessibility: Object.values(r.audits).filter((x) => x.score === 0 && r.categories.accessibility.auditRefs.some((ref) => ref.id === x.id)).map((x) => x.id),
};
fs.writeFileSync(out, JSON.stringify(s, null, 2) + '\n');
const f = (x) => (x === null || x === undefined ? '–' : Math.round(x));
console.log(`lighthouse ${version}, mobile, demo ${size}`);
console.log(`performance ${s.performance}  accessibility ${s.accessibility}`);
console.log(`FCP ${f(s.fcpMs)} ms  LCP ${f(s.lcpMs)} ms  TBT ${f(s.tbtMs)} ms  CLS ${s.cls?.toFixed(3)}  SI ${f(s.speedIndexMs)} ms  TTI ${f(s.ttiMs)} ms  bytes ${f(s.totalBytes / 1024)} KB`);
if (s.failedAccessibility.length) console.log('failed accessibility audits:', s.failedAccessibility.join(', '));
if (s.runWarnings.length) console.log('warnings:', s.runWarnings.join(' | '));
EOF
echo "wrote $OUT/lighthouse.json"
