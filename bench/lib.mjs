// Shared pieces of the browser benchmarks: the release proxy in demo mode, headless Chromium with
// the laptop / phone profiles, percentiles and tables. Everything runs on 127.0.0.1, bounded in
// time, and every process started here is stopped by its pid.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Chromium flags for a headless, offline, root-run browser (see docs/toolchain.md trap 5). */
export const CHROME_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Map tiles cannot load offline: block them (CDP, so that no other request is intercepted). */
export const BLOCKED_URLS = ['*tile.openstreetmap.org*', '*://*.tile.openstreetmap.org/*'];

/** The two device profiles. Throughput is in bytes per second, latency in ms. */
export const PROFILES = {
  laptop: { name: 'laptop', cpu: 1, network: null, viewport: { width: 1280, height: 900 } },
  phone: {
    name: 'phone',
    cpu: 4,
    // ~"fast 4G": 150 ms RTT, ~1.6 MB/s down, 750 KB/s up.
    network: { offline: false, latency: 150, downloadThroughput: 1.6 * 1024 * 1024, uploadThroughput: 750 * 1024 },
    viewport: { width: 412, height: 915 },
    mobile: true,
  },
};

/** Parses `--key value` and `--flag` arguments. */
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [k, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) out[k] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[k] = argv[++i];
    else out[k] = true;
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects after `ms` with a message saying what timed out. */
export function withTimeout(promise, ms, what) {
  let t;
  const timer = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([promise, timer]).finally(() => clearTimeout(t));
}

export function percentile(xs, p) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export function median(xs) { return percentile(xs, 50); }

async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/** The release proxy binary; builds it (bounded) when missing. `BENCH_PROXY` overrides. */
export function proxyBinary() {
  if (process.env.BENCH_PROXY) return process.env.BENCH_PROXY;
  const targets = [process.env.CARGO_TARGET_DIR, join(ROOT, 'target')].filter(Boolean);
  for (const t of targets) {
    const p = join(t, 'release', 'activity-finder-proxy');
    if (existsSync(p)) return p;
  }
  console.error('release proxy not found: cargo build --release -p activity-finder-proxy (up to 20 min)');
  const r = spawnSync('cargo', ['build', '--release', '-p', 'activity-finder-proxy'], { cwd: ROOT, stdio: 'inherit', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error('cargo build --release -p activity-finder-proxy failed');
  for (const t of targets) {
    const p = join(t, 'release', 'activity-finder-proxy');
    if (existsSync(p)) return p;
  }
  throw new Error('release proxy still not found after building');
}

/**
 * Starts `activity-finder-proxy serve --demo --demo-size SIZE` on a free loopback port, waits for
 * `/readyz` (harvest finished). Returns { base, pid, stop(), readyMs, feeds }.
 */
export async function startProxy(size, { timeoutMs = 300_000, dist = join(ROOT, 'dist') } = {}) {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html missing: run the trunk release build first`);
  const bin = proxyBinary();
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'af-bench-state-'));
  // The benchmarks load the same data many times from one client: the per-client rate limit
  // (a production default) is turned off so that it is not what gets measured.
  const configFile = join(stateDir, 'bench.toml');
  writeFileSync(configFile, '[rate_limit]\nper_second = 0\n');
  const args = ['serve', '--demo', '--demo-size', String(size), '--config', configFile, '--listen', `127.0.0.1:${port}`, '--dist', dist, '--state-dir', stateDir];
  let child = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } });
  let log = '';
  const onData = (d) => { log += d.toString(); if (log.length > 200_000) log = log.slice(-100_000); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const stop = async () => {
    if (child && exited === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    child = null;
    rmSync(stateDir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  try {
    // Old CLIs may not know --state-dir: retry once without it.
    while (Date.now() - t0 < timeoutMs) {
      if (exited !== null) {
        if (/state-dir/.test(log) && args.includes('--state-dir')) {
          args.splice(args.indexOf('--state-dir'), 2);
          exited = null; log = '';
          child = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } });
          child.stdout.on('data', onData); child.stderr.on('data', onData);
          child.on('exit', (code, sig) => { exited = { code, sig }; });
          continue;
        }
        throw new Error(`proxy exited (${JSON.stringify(exited)}):\n${log.slice(-4000)}`);
      }
      try {
        const r = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200) break;
      } catch { /* not listening yet */ }
      await sleep(200);
    }
    if (Date.now() - t0 >= timeoutMs) throw new Error(`proxy not ready within ${timeoutMs} ms:\n${log.slice(-4000)}`);
    const readyMs = Date.now() - t0;
    const feeds = await (await fetch(`${base}/api/feeds`, { signal: AbortSignal.timeout(10_000) })).json();
    return { base, pid: child.pid, stop, readyMs, feeds: feeds.feeds || [], log: () => log };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Opens `base + '/'` without CPU throttling and waits for the full load (`af:loaded`), then
 *  a second. On a phone the filters are a sheet whose form is built when it first opens (its
 *  code is fetched in the background once the results are complete): it is opened and closed
 *  once, as a person does before their first change, so filter steps find its controls.
 *  Clicked from the page: a click through Playwright would leave its pointer over the list,
 *  and every change under it would then be a hover (a card's highlight) that no phone has. */
export async function loadedForChanges(s, base, loadTimeoutMs) {
  await s.cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await s.page.goto(base + '/', { waitUntil: 'commit', timeout: 60_000 });
  await s.page.waitForFunction(() => performance.getEntriesByName('af:loaded').length > 0, null, { polling: 200, timeout: loadTimeoutMs });
  await sleep(1000);
  if (await s.page.locator('#open-filters').isVisible()) {
    await s.page.evaluate(() => document.getElementById('open-filters').click());
    await s.page.locator('#f-free').waitFor({ state: 'attached', timeout: 60_000 });
    await s.page.evaluate(() => document.querySelector('.filters__close').click());
    await sleep(500);
  }
}

/** Launches one headless Chromium for the whole run. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: CHROME_ARGS,
    timeout: 60_000,
  });
}

/**
 * A fresh context + page with the profile applied through the DevTools protocol (CPU throttling,
 * network emulation, tiles blocked). Returns { context, page, cdp, bytes() }.
 */
export async function profiledPage(browser, profile, { initScript, serviceWorkers = 'block' } = {}) {
  // Service workers are blocked unless asked for (a return visit): a first visit then measures
  // the page alone, as before the app had one, and with the HTTP cache off the worker's
  // install would fetch the app again.
  const context = await browser.newContext({
    serviceWorkers,
    viewport: profile.viewport,
    deviceScaleFactor: 1,
    isMobile: !!profile.mobile,
    hasTouch: !!profile.mobile,
  });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setBlockedURLs', { urls: BLOCKED_URLS });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', profile.network);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  await cdp.send('Performance.enable');
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests += 1; });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e.message || e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/tile\.openstreetmap|ERR_BLOCKED/.test(m.text())) errors.push(m.text()); });
  return {
    context, page, cdp, errors,
    bytes: () => bytes,
    requests: () => requests,
    resetBytes: () => { bytes = 0; requests = 0; },
    close: () => context.close().catch(() => {}),
  };
}

/** Reads a CDP Performance metric (e.g. JSHeapUsedSize). */
export async function metric(cdp, name) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = metrics.find((x) => x.name === name);
  return m ? m.value : null;
}

/** Samples CDP Runtime.getHeapUsage every `everyMs` until stopped; keeps the peak. */
export function heapSampler(cdp, everyMs = 200) {
  let peak = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { usedSize } = await withTimeout(cdp.send('Runtime.getHeapUsage'), 5000, 'getHeapUsage');
        peak = Math.max(peak, usedSize);
        samples += 1;
      } catch { /* page busy or closing */ }
      await sleep(everyMs);
    }
  })();
  return { stop: async () => { running = false; await loop; return { peak, samples }; } };
}

export function writeJson(name, data) {
  const dir = join(ROOT, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
  return path;
}

/** Prints rows (arrays) as an aligned table. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '–' : String(c))));
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(all[0]));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of all.slice(1)) console.log(line(r));
}

export const fmtMs = (x) => (x === null || x === undefined ? null : `${Math.round(x)}`);
export const fmtMB = (x) => (x === null || x === undefined ? null : (x / 1048576).toFixed(1));

/** Runs `fn` with cleanup handlers that also fire on SIGINT/SIGTERM and a global deadline. */
export async function guarded(deadlineMs, cleanups, fn) {
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) { try { await c(); } catch { /* best effort */ } }
  };
  const onSignal = async (sig) => { console.error(`\n${sig}: cleaning up`); await cleanup(); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deadline = setTimeout(async () => {
    console.error(`deadline of ${deadlineMs} ms reached: cleaning up`);
    await cleanup();
    process.exit(124);
  }, deadlineMs);
  try {
    return await fn();
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
}

/** Self time by category and the top functions of a CDP CPU profile, up to `untilMs`. */
export function summariseProfile(prof, untilMs) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const cats = {};
  let t = prof.startTime;
  const t0 = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i] || 0;
    const dt = (prof.timeDeltas[i + 1] || 0) / 1000;
    const n = byId.get(prof.samples[i]);
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    const wasm = /\.wasm/.test(f.url) || /^\$?func\d+|^wasm-function/.test(name) || /^\$/.test(name);
    const cat = name.startsWith('(') ? name : wasm ? 'wasm' : f.url ? `JS ${f.url.split('/').pop().replace(/-[0-9a-f]{16}/, '')}` : 'JS (native/builtin)';
    cats[cat] = (cats[cat] || 0) + dt;
    const key = `${name} ${wasm ? '[wasm]' : f.url.split('/').pop()}`;
    self.set(key, (self.get(key) || 0) + dt);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => [k, Math.round(v)]);
  const total = Object.values(cats).reduce((a, b) => a + b, 0);
  return { totalMs: Math.round(total), categories: Object.fromEntries(Object.entries(cats).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v)])), top };
}
