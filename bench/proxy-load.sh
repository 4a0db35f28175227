#!/usr/bin/env bash
# Load benchmark of the proxy beside nginx (Debian) serving the same bytes, on 127.0.0.1 only.
#
#   bench/proxy-load.sh            # ~10 s per target, 32 connections
#   DURATION=5 CONNS=16 bench/proxy-load.sh
#
# Builds the proxy in release, starts it in demo mode, saves one full relayed page plus the
# app's index.html and wasm, serves those bytes with nginx, loads both with oha (or wrk), and
# measures the demo's harvest throughput at a larger size. Writes bench/out/proxy-load.json.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
HARVEST_SIZE=${HARVEST_SIZE:-3000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$CARGO_TARGET_DIR/release/activity-finder-proxy"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

echo "== building the proxy (release)"
cargo build --release -q -p activity-finder-proxy

# Load generator: oha from crates.io, else wrk from Debian.
# LOAD_TOOL=wrk|oha forces one.
TOOL=${LOAD_TOOL:-}
if [ -n "$TOOL" ]; then
  command -v "$TOOL" >/dev/null || { [ "$TOOL" = wrk ] && apt-get install -y wrk >/dev/null; } || cargo install oha --locked -q
elif command -v oha >/dev/null; then TOOL=oha
elif cargo install oha --locked -q 2>/dev/null && command -v oha >/dev/null; then TOOL=oha
else
  command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
  TOOL=wrk
fi
command -v nginx >/dev/null || apt-get install -y nginx-light >/dev/null

# Start the proxy in demo mode: rate limit off (one client IP drives all the load).
start_proxy() { # $1 = demo size, $2 = log file; prints the address
  local cfg="$TMP/proxy-$1.toml"
  cat >"$cfg" <<TOML
listen = "127.0.0.1:0"
dist = "$ROOT/dist"
[limits]
max_connections_per_ip = 0
[rate_limit]
per_second = 0
TOML
  "$BIN" serve --demo --demo-size "$1" --config "$cfg" --state-dir "$TMP/state-$1" \
    >"$TMP/stdout-$1" 2>"$2" &
  PIDS+=($!)
  for _ in $(seq 1 200); do
    if grep -q "http://" "$TMP/stdout-$1" 2>/dev/null; then break; fi
    sleep 0.05
  done
  sed -n 's|.*http://\([^/]*\)/.*|\1|p' "$TMP/stdout-$1" | head -1
}

wait_ready() { # $1 = addr, $2 = timeout s
  local t0=$(date +%s.%N)
  for _ in $(seq 1 $(($2 * 20))); do
    if curl -fsS "http://$1/readyz" >/dev/null 2>&1; then
      python3 -c "import time;print(round(time.time()-$t0,3))"; return 0
    fi
    sleep 0.05
  done
  echo "proxy at $1 not ready" >&2; return 1
}

echo "== starting the proxy (demo, default size)"
PROXY=$(start_proxy default "$TMP/proxy.log")
wait_ready "$PROXY" 60 >/dev/null

WWW="$TMP/www"
mkdir -p "$WWW/feeds"
RELAY_PATH=/feeds/riverside-scheduled-sessions
curl -fsS "http://$PROXY$RELAY_PATH" -o "$WWW/feeds/page.json"
curl -fsS "http://$PROXY/" -o "$WWW/index.html"
WASM=$(grep -o '[A-Za-z0-9_./-]*_bg\.wasm' "$WWW/index.html" | head -1 || true)
if [ -n "$WASM" ]; then
  mkdir -p "$WWW/$(dirname "/${WASM#/}")"
  curl -fsS "http://$PROXY/${WASM#/}" -o "$WWW/${WASM#/}"
fi
RELAY_ITEMS=$(python3 -c "import json;print(len(json.load(open('$WWW/feeds/page.json'))['items']))")
RELAY_BYTES=$(stat -c %s "$WWW/feeds/page.json")
INDEX_BYTES=$(stat -c %s "$WWW/index.html")

echo "== starting nginx"
# nginx workers may run as an unprivileged user: make the served bytes readable.
chmod 755 "$TMP"
chmod -R a+rX "$WWW"
NGINX_PORT=$(free_port)
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { application/json json; text/html html; application/wasm wasm; application/javascript js; }
  default_type application/octet-stream;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WWW;
  }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
PIDS+=($!)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$NGINX_PORT/index.html" >/dev/null 2>&1 && break; sleep 0.05; done
cmp <(curl -fsS "http://127.0.0.1:$NGINX_PORT/feeds/page.json") "$WWW/feeds/page.json"

# run_load NAME URL -> appends a JSON line {name, rps, mbps, p99_ms, p50_ms}
RESULTS="$TMP/results.jsonl"
run_load() {
  local name=$1 url=$2
  if [ "$TOOL" = oha ]; then
    oha -z "${DURATION}s" -c "$CONNS" --no-tui --output-format json "$url" >"$TMP/$name.json" 2>/dev/null \
      || oha -z "${DURATION}s" -c "$CONNS" --no-tui -j "$url" >"$TMP/$name.json"
    python3 - "$name" "$TMP/$name.json" >>"$RESULTS" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
s = d["summary"]
p = d.get("latencyPercentiles", {})
codes = d.get("statusCodeDistribution", {})
print(json.dumps({"name": name, "rps": round(s["requestsPerSec"], 1),
  "mbps": round(s.get("sizePerSec", 0) / 1e6, 1),
  "p50_ms": round(p.get("p50", 0) * 1000, 2), "p99_ms": round(p.get("p99", 0) * 1000, 2),
  "success": s.get("successRate"), "status": codes}))
PY
  else
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$url" >"$TMP/$name.txt"
    python3 - "$name" "$TMP/$name.txt" >>"$RESULTS" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(\w+)", v).groups(); n = float(n)
    return {"us": n / 1000, "ms": n, "s": n * 1000}[u]
def mb(v):
    n, u = re.match(r"([\d.]+)(\w+)", v).groups(); n = float(n)
    return n * {"B": 1e-6, "KB": 1.024e-3, "MB": 1.048576, "GB": 1073.741824}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
tr = mb(re.search(r"Transfer/sec:\s+(\S+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)); p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
import json
print(json.dumps({"name": name, "rps": rps, "mbps": round(tr, 1), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}))
PY
  fi
}

echo "== load: ${DURATION}s per target, $CONNS connections, $TOOL"
run_load proxy-relay-page "http://$PROXY$RELAY_PATH"
run_load nginx-relay-page "http://127.0.0.1:$NGINX_PORT/feeds/page.json"
run_load proxy-index-html "http://$PROXY/index.html"
run_load nginx-index-html "http://127.0.0.1:$NGINX_PORT/index.html"

echo "== harvest throughput: demo size $HARVEST_SIZE"
HPROXY=$(start_proxy "$HARVEST_SIZE" "$TMP/harvest.log")
SECS=$(wait_ready "$HPROXY" 300)
HARVEST=$(python3 - "$HPROXY" "$SECS" <<'PY'
import json, sys, urllib.request
addr, secs = sys.argv[1], float(sys.argv[2])
op = urllib.request.build_opener(urllib.request.ProxyHandler({}))
feeds = json.load(op.open(f"http://{addr}/api/feeds"))["feeds"]
items = sum(f["items"] for f in feeds)
total = 0
for f in feeds:
    path = f["url"]
    while True:
        body = op.open(f"http://{addr}{path}").read()
        total += len(body)
        page = json.loads(body)
        if not page["items"] and page["next"] == path:
            break
        path = page["next"]
print(json.dumps({"demo_size": None, "seconds_to_ready": secs, "items": items,
  "relayed_bytes": total, "items_per_s": round(items / secs, 1),
  "mb_per_s": round(total / secs / 1e6, 2)}))
PY
)
HARVEST=$(echo "$HARVEST" | sed "s/\"demo_size\": null/\"demo_size\": $HARVEST_SIZE/")

python3 - "$RESULTS" "$OUT/proxy-load.json" "$TOOL" "$DURATION" "$CONNS" "$RELAY_ITEMS" "$RELAY_BYTES" "$INDEX_BYTES" "$HARVEST" <<'PY'
import json, sys, os, platform, datetime
res_path, out, tool, dur, conns, items, rbytes, ibytes, harvest = sys.argv[1:10]
rows = [json.loads(l) for l in open(res_path)]
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
doc = {"date": datetime.date.today().isoformat(), "nproc": os.cpu_count(), "cpu": model,
       "tool": tool, "duration_s": int(dur), "connections": int(conns),
       "relay_page": {"items": int(items), "bytes": int(rbytes)}, "index_html_bytes": int(ibytes),
       "results": rows, "harvest": json.loads(harvest)}
json.dump(doc, open(out, "w"), indent=2)
print(f"\n{'target':<20}{'req/s':>12}{'MB/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
for r in rows:
    print(f"{r['name']:<20}{r['rps']:>12}{r['mbps']:>10}{r['p50_ms']:>10}{r['p99_ms']:>10}")
h = doc["harvest"]
print(f"\nrelay page: {items} items, {rbytes} bytes; index.html {ibytes} bytes")
print(f"harvest (demo {h['demo_size']}): {h['items']} items in {h['seconds_to_ready']} s "
      f"= {h['items_per_s']} items/s, {h['mb_per_s']} MB/s (relayed bytes)")
print(f"wrote {out}")
PY
