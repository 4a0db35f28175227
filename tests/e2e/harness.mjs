// Test harness for the end-to-end suite: starts the real proxy in demo mode on a free
// 127.0.0.1 port, launches Debian's headless Chromium through playwright-core, answers map-tile
// requests with a local 1x1 PNG, refuses every other non-local request, and records console
// errors, page errors and refused requests so a test can assert there were none.
//
// Environment: PROXY_BIN (default target/debug/activity-finder-proxy), DIST (default dist),
// CHROMIUM (default /usr/bin/chromium). Nothing here builds anything.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS_DIR = resolve(ROOT, 'test-results');
export const AXE_PATH = resolve(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** Bounded waits (ms). */
export const T = { ready: 30_000, load: 30_000, ui: 10_000 };

// A valid 1x1 transparent PNG, served for every map tile.
const TILE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts `activity-finder-proxy serve --demo` and waits (bounded) until `/readyz` says 200.
 * Returns { url, stop, log }. The child is killed on stop(), on failure to get ready, and when
 * this node process exits.
 */
export async function startProxy({ timeoutMs = T.ready, args = ['--demo'] } = {}) {
  const bin = resolve(ROOT, process.env.PROXY_BIN || 'target/debug/activity-finder-proxy');
  const dist = resolve(ROOT, process.env.DIST || 'dist');
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', ...args, '--listen', addr, '--dist', dist], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let log = '';
  let exited = null;
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  child.on('error', (e) => { exited = { error: e.message }; });
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exited) return;
    child.kill('SIGTERM');
    const t0 = Date.now();
    while (!exited && Date.now() - t0 < 3000) await sleep(50);
    if (!exited) child.kill('SIGKILL');
  };

  const url = `http://${addr}/`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) throw new Error(`proxy exited early (${JSON.stringify(exited)}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`proxy not ready within ${timeoutMs} ms:\n${log}`);
      try {
        const r = await fetch(`${url}readyz`, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200) break;
      } catch { /* not listening yet */ }
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop, log: () => log };
}

/** Launches headless Chromium (playwright gives each launch a fresh temporary user-data-dir). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: T.ui * 3,
  });
}

/**
 * Problems seen in the browser during the run: console errors, page errors, failed and refused
 * (non-local) requests. One collector is shared by every page of a test file.
 */
export class Collector {
  constructor() { this.problems = []; }
  add(kind, text, where) { this.problems.push({ kind, text, where }); }
  format() { return this.problems.map((p) => `[${p.kind}] ${p.text}${p.where ? ` (${p.where})` : ''}`).join('\n'); }
}

/**
 * A fresh browser context + page with tile interception and problem collection.
 * `routes` lets a test add its own page.route handlers before the first navigation;
 * `contextOptions` are passed on to browser.newContext (e.g. isMobile, hasTouch).
 */
export async function newPage(browser, collector, { viewport = { width: 1280, height: 900 }, routes = [], contextOptions = {} } = {}) {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce', serviceWorkers: 'block', ...contextOptions });
  context.setDefaultTimeout(T.ui);
  context.setDefaultNavigationTimeout(T.load);
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => {
    const url = route.request().url();
    if (/tile\.openstreetmap\.org\//.test(url)) {
      return route.fulfill({ status: 200, contentType: 'image/png', body: TILE_PNG });
    }
    collector.add('external-request', url);
    return route.abort('blockedbyclient');
  });
  await context.route(`**${AXE_URL_PATH}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', path: AXE_PATH }));
  for (const [pattern, handler] of routes) await context.route(pattern, handler);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') collector.add('console.error', m.text(), m.location()?.url);
  });
  page.on('pageerror', (e) => collector.add('pageerror', e.stack || e.message));
  page.on('requestfailed', (r) => {
    const url = r.url();
    // Refused external requests are already recorded; aborted navigations are not errors.
    if (!url.startsWith('http://127.0.0.1')) return;
    const why = r.failure()?.errorText || '';
    if (why.includes('ERR_ABORTED')) return;
    collector.add('requestfailed', `${url}: ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().startsWith('http://127.0.0.1')) collector.add('http', `${r.status()} ${r.url()}`);
  });
  return { context, page };
}

/** Waits until every feed has loaded ("N upcoming sessions loaded") and returns N. */
export async function waitLoaded(page, timeout = T.load) {
  await page.waitForFunction(
    () => /^\d+ upcoming sessions loaded$/.test(document.querySelector('#loaded-count')?.textContent?.trim() ?? ''),
    null,
    { timeout },
  );
  const text = await page.locator('#loaded-count').textContent();
  return Number(text.trim().split(' ')[0]);
}

/** Opens `url` and waits for all data plus the first card. */
export async function openApp(page, url) {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const loaded = await waitLoaded(page);
  return loaded;
}

/** "N sessions found" → N (0 for "No sessions match"). */
export async function headingCount(page) {
  const t = (await page.locator('#results-heading').textContent()).trim();
  if (/^No sessions/.test(t)) return 0;
  const m = /^(\d+) sessions? found$/.exec(t);
  if (!m) throw new Error(`unexpected results heading: ${JSON.stringify(t)}`);
  return Number(m[1]);
}

/** Waits until the heading count satisfies `pred`; returns it. */
export async function waitHeading(page, pred, what = 'heading count to change', timeout = T.ui) {
  const t0 = Date.now();
  let n;
  for (;;) {
    n = await headingCount(page);
    if (pred(n)) return n;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}; last heading count ${n}`);
    await sleep(50);
  }
}

/** data-key of the shown cards (first `limit`). */
export function cardKeys(page, limit = 20) {
  return page.$$eval('ol#results-list > li.card', (els, n) => els.slice(0, n).map((e) => e.dataset.key), limit);
}

/** Number of venue markers the map reports. */
export async function markerCount(page) {
  return Number(await page.locator('div.map').getAttribute('data-markers'));
}

/**
 * Waits until at least one marker or cluster icon lies inside the map's visible box (an icon
 * can exist yet sit outside the clipped map pane when the map is fitted wrongly).
 */
export async function waitMarkersInView(page, timeout = T.ui) {
  await page.waitForFunction(() => {
    const m = document.querySelector('div.map')?.getBoundingClientRect();
    if (!m || m.width === 0 || m.height === 0) return false;
    return [...document.querySelectorAll('div.map .leaflet-marker-icon')].some((i) => {
      const r = i.getBoundingClientRect();
      return r.width > 0 && r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= m.bottom;
    });
  }, null, { timeout });
}

/**
 * A single venue's marker well inside the map (clear of the zoom buttons and the edges), as a
 * locator, or null when none is; a group's marker zooms in instead of opening a popup.
 */
export async function venueMarkerInView(page) {
  const i = await page.evaluate(() => {
    const m = document.querySelector('div.map').getBoundingClientRect();
    return [...document.querySelectorAll('div.map .leaflet-marker-icon.venue-icon')].findIndex((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.left >= m.left + 20 && r.right <= m.right - 20 && r.top >= m.top + 120 && r.bottom <= m.bottom - 20;
    });
  });
  return i >= 0 ? page.locator('div.map .leaflet-marker-icon.venue-icon').nth(i) : null;
}

/** Same-origin path the harness serves axe-core at (see newPage). */
export const AXE_URL_PATH = '/__e2e__/axe.min.js';

/**
 * Runs axe-core on the page (or only inside the element matching `include`); returns
 * { serious, other } violation lists. The proxy's CSP
 * (`script-src 'self'`) forbids the inline script `addScriptTag({ path })` would insert, and
 * we do not want `bypassCSP` (it would hide the app's own CSP violations), so axe is
 * served from node_modules at a same-origin URL that the context routes locally.
 */
export async function axe(page, label, include = null) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ url: AXE_URL_PATH });
    await page.waitForFunction(() => typeof window.axe !== 'undefined');
  }
  const res = await page.evaluate(async (sel) => {
    const r = await window.axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      count: v.nodes.length,
    }));
  }, include);
  const serious = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const other = res.filter((v) => !(v.impact === 'serious' || v.impact === 'critical'));
  return { label, serious, other };
}

export function formatAxe(list) {
  return list
    .map((v) => `  ${v.impact} ${v.id} (${v.count} nodes): ${v.help}\n${v.nodes.map((n) => `    - ${n.target}: ${n.summary?.split('\n').join(' ')}`).join('\n')}`)
    .join('\n');
}

/** Saves a screenshot under test-results/ and returns its path. */
export async function screenshot(page, name, opts = {}) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = resolve(RESULTS_DIR, name);
  await page.screenshot({ path, animations: 'disabled', ...opts });
  return path;
}

/** What element has focus, and whether it shows a visible focus indicator. */
export function focusInfo(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    if (!a) return null;
    const cs = getComputedStyle(a);
    return {
      tag: a.tagName.toLowerCase(),
      id: a.id,
      type: a.getAttribute('type'),
      text: (a.textContent || '').trim().slice(0, 80),
      inCard: !!a.closest('li.card'),
      focusVisible: a.matches(':focus-visible'),
      outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0,
    };
  });
}

/**
 * Runs `activity-finder-proxy publish` (demo data) into `out`, its nginx server block listening
 * on 127.0.0.1:`port`. Bounded; throws with the log when it fails. `dist` defaults to DIST.
 */
export async function publish(out, { port, dist, args = [], timeoutMs = 120_000 } = {}) {
  const bin = resolve(ROOT, process.env.PROXY_BIN || 'target/debug/activity-finder-proxy');
  const from = resolve(ROOT, dist || process.env.DIST || 'dist');
  const child = spawn(bin, ['publish', '--dist', from, '--out', out, '--nginx-listen', `127.0.0.1:${port}`, '--wait-secs', '60', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const code = await new Promise((ok) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); ok('timeout'); }, timeoutMs);
    child.on('exit', (c) => { clearTimeout(timer); ok(c); });
    child.on('error', (e) => { clearTimeout(timer); ok(e.message); });
  });
  if (code !== 0) throw new Error(`publish failed (${code}):\n${log}`);
  return log;
}

/**
 * Starts Debian's nginx as the current user (single process, no daemon) with a temporary
 * prefix, pid file, logs and temp paths, serving the server block `conf` (a published
 * directory's nginx.conf); waits (bounded) until `url` answers. Returns { url, stop, log }.
 */
export async function startNginx(conf, url, { timeoutMs = T.ready } = {}) {
  const prefix = mkdtempSync(join(tmpdir(), 'af-nginx-'));
  const top = join(prefix, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(prefix, t)};`).join('\n');
  writeFileSync(top, `daemon off;
master_process off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${join(prefix, 'access.log')};
${temp}
  include ${conf};
}
`);
  const bin = process.env.NGINX || '/usr/sbin/nginx';
  const child = spawn(bin, ['-p', prefix, '-c', top, '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exited = null;
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  child.on('error', (e) => { exited = { error: e.message }; });
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.once('exit', killOnExit);
  const errors = () => { try { return readFileSync(join(prefix, 'error.log'), 'utf8'); } catch { return ''; } };
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const t0 = Date.now();
      while (!exited && Date.now() - t0 < 3000) await sleep(50);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) { const e = new Error(`nginx exited (${JSON.stringify(exited)}):\n${log}\n${errors()}`); await stop(); throw e; }
    if (Date.now() > deadline) { const e = new Error(`nginx not answering within ${timeoutMs} ms:\n${log}\n${errors()}`); await stop(); throw e; }
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  return { url, stop, log: () => `${log}\n${errors()}` };
}
