// The published directory (`activity-finder-proxy publish`) served by Debian's nginx with the
// generated server block, no proxy in the path: the finder works, a full postcode falls back to
// its outward code; the service worker gives an offline reload and drops an old release's
// cache; Save-Data loads only the link's own areas until asked.
// Run: node --test --test-concurrency=1 tests/e2e/publish.test.mjs   (or scripts/e2e.sh)
// Needs dist/ (trunk build), the proxy binary (PROXY_BIN) and nginx (NGINX, default /usr/sbin/nginx).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as h from './harness.mjs';

const LOCAL = '?v=1&at=51.541,-0.003&r=2';

/** The content hash in the app's file names (what the service worker's cache is named by). */
function buildId(dist) {
  const page = readFileSync(join(dist, 'index.html'), 'utf8');
  const m = /activity-finder-([0-9a-f]{12,16})\.js/.exec(page);
  assert.ok(m, 'the built page names a hashed app file');
  return m[1];
}

/** A copy of `dist` whose app files carry another hash: what the next release looks like
 * (the page and the app's JS name each other's files by that hash). */
function nextRelease(dist, from, to) {
  const dir = mkdtempSync(join(tmpdir(), 'af-dist-next-'));
  cpSync(dist, dir, { recursive: true });
  for (const f of readdirSync(dir)) {
    if (f.includes(from)) renameSync(join(dir, f), join(dir, f.replace(from, to)));
  }
  for (const f of readdirSync(dir)) {
    if (!/\.(html|js)$/.test(f)) continue;
    const p = join(dir, f);
    writeFileSync(p, readFileSync(p, 'utf8').replaceAll(from, to));
  }
  // The page's integrity attributes for the files whose text changed, as a build writes them.
  const page = join(dir, 'index.html');
  const html = readFileSync(page, 'utf8').replace(/<link\b[^>]*>/g, (tag) => {
    const href = /href="?\/([^"\s>]+)/.exec(tag)?.[1];
    if (!href || !/\.js$/.test(href) || !/integrity=/.test(tag)) return tag;
    const sri = `sha384-${createHash('sha384').update(readFileSync(join(dir, href))).digest('base64')}`;
    return tag.replace(/integrity=("?)[^"\s>]+\1/, `integrity=$1${sri}$1`);
  });
  writeFileSync(page, html);
  return dir;
}

const cacheNames = (page) => page.evaluate(() => caches.keys());

/** Waits (bounded) until `pred(value of fn())` holds; returns the value. */
async function until(fn, pred, what, timeout = h.T.ui) {
  const t0 = Date.now();
  let v;
  for (;;) {
    v = await fn();
    if (pred(v)) return v;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Published directory served by nginx (no proxy)', () => {
  const dist = resolve(h.ROOT, process.env.DIST || 'dist');
  let out;
  let port;
  let site;
  let browser;
  let manifest;
  const problems = new h.Collector();
  const cleanup = [];

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'af-published-'));
    port = await h.freePort();
    await h.publish(out, { port });
    manifest = JSON.parse(readFileSync(join(out, 'packs', 'manifest.json'), 'utf8'));
    site = await h.startNginx(join(out, 'nginx.conf'), `http://127.0.0.1:${port}/`);
    browser = await h.launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await site?.stop();
    for (const d of [out, ...cleanup]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('nginx sends the proxy\'s headers: CSP with frame-ancestors, cache rules, no postcode API', async () => {
    const page = await fetch(site.url);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const m = await fetch(`${site.url}packs/manifest.json`);
    assert.equal(m.headers.get('cache-control'), 'no-cache');
    assert.ok(m.headers.get('etag'));
    const pack = await fetch(`${site.url}${manifest.packs[0].url.slice(1)}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(pack.status, 200);
    assert.equal(pack.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(pack.headers.get('content-encoding'), 'gzip');
    const app = await fetch(`${site.url}activity-finder-${buildId(dist)}_bg.wasm`);
    assert.equal(app.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(app.headers.get('content-type'), 'application/wasm');
    assert.equal((await fetch(`${site.url}sw.js`)).headers.get('cache-control'), 'no-cache');
    const feeds = await (await fetch(`${site.url}api/feeds`)).json();
    assert.equal(feeds.feeds.length, manifest.feeds.length);
    assert.equal((await fetch(`${site.url}api/postcode/E154HT`)).status, 404);
    assert.equal((await fetch(`${site.url}nginx.conf`)).status, 404);
    assert.equal((await fetch(`${site.url}missing-0123456789abcdef.js`)).status, 404, 'a missing asset is not the page');
  });

  test('the finder shows the local link\'s results, complete, from the published packs', async () => {
    const { context, page } = await h.newPage(browser, problems);
    try {
      await h.openApp(page, site.url + LOCAL);
      await page.locator('section.results[data-complete="true"]').waitFor();
      const n = await h.headingCount(page);
      assert.ok(n > 0, `${n} sessions near the local link`);
      await page.locator('ol#results-list > li.card').first().waitFor();
      await h.screenshot(page, 'published-nginx.png');
      assert.equal(problems.format(), '', 'no console errors, CSP violations or failed requests');
    } finally {
      await context.close();
    }
  });

  test('a full postcode, with no lookup service, falls back to its outward code', async () => {
    const local = new h.Collector();
    const { context, page } = await h.newPage(browser, local);
    try {
      await h.openApp(page, `${site.url}?v=1`);
      await page.fill('#f-near', 'E15 1AB');
      await page.press('#f-near', 'Enter');
      await page.waitForURL((u) => u.searchParams.get('near') === 'E15');
      await page.locator('#f-near-status').getByText("Postcode lookup is unavailable, so we're searching from the centre of E15").waitFor();
      const left = local.problems.filter((p) => !(p.kind === 'http' && /^404 .*\/api\/postcode\/E151AB$/.test(p.text)) &&
        !(p.kind === 'console.error' && /404/.test(p.text)));
      assert.deepEqual(left, [], 'only the refused lookup');
    } finally {
      await context.close();
    }
  });

  describe('service worker', () => {
    let context;
    let page;
    let online;
    const h1 = () => buildId(dist);

    before(async () => {
      ({ context, page } = await h.newPage(browser, new h.Collector(), { contextOptions: { serviceWorkers: 'allow' } }));
    });
    after(async () => { await context?.close(); });

    test('offline reload shows the saved results, marked "offline — data from <time>"', async () => {
      await h.openApp(page, site.url + LOCAL);
      online = await h.headingCount(page);
      assert.ok(online > 0);
      await until(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? ''),
        (u) => u.endsWith(`/sw.js?v=${h1()}`), 'the service worker to control the page');
      // A return visit, now through the worker: the packs it uses are kept. (On a first visit
      // the worker also keeps those already in the HTTP cache, but Playwright's request
      // interception turns that cache off, so the test makes the return visit.)
      await page.reload({ waitUntil: 'domcontentloaded' });
      await h.waitLoaded(page);
      const want = manifest.packs.length + 1;
      await until(() => page.evaluate(async () => (await (await caches.open('af-data-1')).keys()).length),
        (n) => n >= want, `the manifest and ${want - 1} packs in the data cache`);
      assert.ok((await cacheNames(page)).includes(`af-app-${h1()}`));
      assert.equal(await page.locator('#offline-note').count(), 0, 'no offline note online');
      // Two sessions on the shortlist (kept on the device, in localStorage).
      const shortlisted = await h.cardKeys(page, 2);
      const toggles = page.locator('ol#results-list > li.card button.shortlist-toggle');
      await toggles.nth(0).click();
      await toggles.nth(1).click();
      await page.waitForFunction(() => document.querySelectorAll('#shortlist-items > li').length === 2);

      await context.setOffline(true);
      try {
        await page.reload({ waitUntil: 'domcontentloaded' });
        await h.waitLoaded(page);
        await page.locator('section.results[data-complete="true"]').waitFor();
        assert.equal(await h.headingCount(page), online, 'the same results as online');
        const note = (await page.locator('#offline-note').textContent()).trim();
        assert.match(note, /^Offline — data from \w{3} \d{1,2} \w{3}, \d{1,2}:\d{2}(am|pm)$/);
        // The shortlist opens offline too, each session found in the saved data.
        await page.waitForFunction(() => document.querySelectorAll('#shortlist-items > li[data-status="found"]').length === 2);
        assert.deepEqual(await page.$$eval('#shortlist-items > li', (els) => els.map((e) => e.dataset.key)), shortlisted);
        await h.screenshot(page, 'published-offline.png');
      } finally {
        await context.setOffline(false);
      }
    });

    test('a new release (new build hash) replaces the old release\'s cache', async () => {
      const next = 'feedfacecafe0001';
      const dist2 = nextRelease(dist, h1(), next);
      cleanup.push(dist2);
      await h.publish(out, { port, dist: dist2 });
      manifest = JSON.parse(readFileSync(join(out, 'packs', 'manifest.json'), 'utf8'));
      await site.stop();
      site = await h.startNginx(join(out, 'nginx.conf'), `http://127.0.0.1:${port}/`);
      await page.reload({ waitUntil: 'domcontentloaded' });
      await h.waitLoaded(page);
      assert.ok(await h.headingCount(page) > 0);
      const names = await until(() => cacheNames(page),
        (k) => k.includes(`af-app-${next}`) && !k.includes(`af-app-${h1()}`), 'the old app cache to go');
      assert.ok(names.includes('af-data-1'), 'the data cache stays');
      await until(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? ''),
        (u) => u.endsWith(`/sw.js?v=${next}`), 'the new worker to control the page');
      assert.equal(await page.locator('#offline-note').count(), 0);
    });
  });

  test('near=E15 on a cold phone with Save-Data: the manifest\'s gazetteer gives its circle, only its packs load', async () => {
    assert.ok(manifest.outward?.E15, 'the manifest knows E15');
    const local = new h.Collector();
    const { context, page } = await h.newPage(browser, local, {
      viewport: { width: 390, height: 844 },
      contextOptions: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    });
    try {
      await context.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'connection', {
          configurable: true,
          get: () => ({ saveData: true, effectiveType: '4g', addEventListener() {}, removeEventListener() {} }),
        });
      });
      const packs = new Set(manifest.packs.map((p) => p.url));
      const asked = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (packs.has(path)) asked.push(path);
      });
      await page.goto(`${site.url}?v=1&near=E15&r=2`, { waitUntil: 'domcontentloaded' });
      await page.locator('section.results[data-complete="true"]').waitFor({ timeout: h.T.load });
      await h.waitLoaded(page);
      assert.ok(asked.length > 0 && asked.length < manifest.packs.length, `${asked.length} of ${manifest.packs.length} packs`);
      assert.ok(await h.headingCount(page) > 0);
      await page.waitForFunction(() => /from the centre of E15$/.test(document.querySelector('ol#results-list > li.card .card__where')?.textContent ?? ''));
      assert.equal(local.format(), '', 'no console errors or failed requests');
    } finally {
      await context.close();
    }
  });

  test('an s= link to a session outside the link\'s area, cold phone with Save-Data: its session opens', async () => {
    // A session ~25 km west of the local link, in another area's pack.
    const far = await h.newPage(browser, new h.Collector());
    let key;
    let title;
    try {
      await h.openApp(far.page, `${site.url}?v=1&at=51.46,-0.4&r=3`);
      const card = far.page.locator('ol#results-list > li.card').first();
      await card.waitFor();
      key = await card.getAttribute('data-key');
      title = (await card.locator('h3, .card__title').first().textContent()).trim();
    } finally {
      await far.context.close();
    }
    const local = new h.Collector();
    const { context, page } = await h.newPage(browser, local, {
      viewport: { width: 390, height: 844 },
      contextOptions: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    });
    try {
      await context.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'connection', {
          configurable: true,
          get: () => ({ saveData: true, effectiveType: '4g', addEventListener() {}, removeEventListener() {} }),
        });
      });
      await page.goto(`${site.url}${LOCAL}&s=${encodeURIComponent(key)}`, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction((t) => document.querySelector('#detail-heading')?.textContent?.trim() === t, title, { timeout: h.T.load });
      assert.equal(await page.getByRole('button', { name: /other areas?$/ }).count(), 0, 'loaded without asking');
      assert.equal(local.format(), '', 'no console errors or failed requests');
    } finally {
      await context.close();
    }
  });

  test('Save-Data on a phone: only the link\'s own areas load, the rest when asked', async () => {
    const local = new h.Collector();
    const { context, page } = await h.newPage(browser, local, {
      viewport: { width: 390, height: 844 },
      contextOptions: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    });
    try {
      await context.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'connection', {
          configurable: true,
          get: () => ({ saveData: true, effectiveType: '4g', addEventListener() {}, removeEventListener() {} }),
        });
      });
      const packs = new Set(manifest.packs.map((p) => p.url));
      const asked = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (packs.has(path)) asked.push(path);
      });
      await page.goto(site.url + LOCAL, { waitUntil: 'domcontentloaded' });
      await page.locator('section.results[data-complete="true"]').waitFor({ timeout: h.T.load });
      await h.waitLoaded(page);
      const first = asked.length;
      const rest = manifest.packs.length - first;
      assert.ok(first > 0 && rest > 0, `${first} packs for the link, ${rest} others`);
      assert.ok(await h.headingCount(page) > 0);
      const button = page.getByRole('button', { name: `Load ${rest} other area${rest === 1 ? '' : 's'}` });
      await button.waitFor();
      await page.waitForTimeout(1000);
      assert.equal(asked.length, first, 'nothing loads in the background');
      await h.screenshot(page, 'save-data-phone.png');
      const before = await h.waitLoaded(page);
      await button.click();
      await until(() => asked.length, (n) => n === manifest.packs.length, 'every pack after the click', h.T.load);
      await until(() => h.waitLoaded(page), (n) => n > before, 'more sessions loaded', h.T.load);
      assert.equal(await button.count(), 0, 'the button goes once they load');
      assert.equal(local.format(), '', 'no console errors or failed requests');
    } finally {
      await context.close();
    }
  });
});
