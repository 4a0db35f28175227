// End to end, against the real proxy in demo mode and Debian's headless Chromium (split from
// the former finder.test.mjs; assertions unchanged). The first view (cards, markers, demo banner, link preview) and how loading survives a 429 and a publisher that stops answering.
// Run: node --test --test-concurrency=1 tests/e2e/loading.test.mjs   (or scripts/e2e.sh for all)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { useFinder } from './pages/finder.mjs';

describe('Loading the demo data: cards, map, banner; packs retried; a failing publisher kept', () => {
  const finder = useFinder();
  const open = (path, opts) => finder.open(path, opts);

  test('loads demo data: cards, map markers, demo banner and > 1000 sessions', async () => {
    const { context, page, loaded } = await open();
    try {
      assert.ok(loaded > 1000, `#loaded-count reports ${loaded} sessions`);
      const heading = await h.headingCount(page);
      assert.ok(heading > 1000, `heading reports ${heading} sessions`);
      finder.baseline = { loaded, heading };
      assert.equal(await page.locator('ol#results-list > li.card').count(), 10, 'the first page of 10 cards');
      await page.waitForFunction(() => Number(document.querySelector('div.map')?.dataset.markers) > 0, null, { timeout: h.T.ui });
      assert.ok((await h.markerCount(page)) > 0);
      await page.locator('.venue-pin, .marker-cluster').first().waitFor({ state: 'visible' });
      await h.waitMarkersInView(page);
      await assert.doesNotReject(page.locator('.demo-banner').waitFor({ state: 'visible' }));
      assert.match(await page.locator('.demo-banner').textContent(), /Demo data/);
      // The page as served (trunk's minified build) already says so in its static shell.
      const served = await (await fetch(finder.url)).text();
      assert.match(served, /id="?shell"?[^>]*>[\s\S]*<p class="demo-banner" role="note">[\s\S]*Demo data/, 'demo banner in the static shell');
      // A shared link previews what it shows (Open Graph tags from its own query).
      const preview = await (await fetch(`${finder.url}?v=1&free=1`)).text();
      assert.match(preview, /<meta property="og:title" content="Activity sessions: Free">/);
      await h.screenshot(page, 'desktop-1280x900.png');
    } finally {
      await context.close();
    }
  });

  test('a pack turned away with 429 is fetched again after Retry-After, and nothing is lost', async () => {
    // The proxy's rate limit says "not now" to the first pack request.
    let turnedAway = 0;
    let passed = 0;
    let path = null;
    const limit = [/\/packs\/[0-9a-f]{32}\.pack(\?.*)?$/, (route) => {
      if (turnedAway === 0) {
        turnedAway += 1;
        path = new URL(route.request().url()).pathname;
        return route.fulfill({ status: 429, contentType: 'application/json', headers: { 'retry-after': '1' }, body: '{"error":"too many requests"}' });
      }
      passed += 1;
      return route.continue();
    }];
    const local = new h.Collector();
    const { context, page } = await finder.newPage({ routes: [limit] }, local);
    try {
      const loaded = await h.openApp(page, finder.url);
      assert.equal(turnedAway, 1, 'the first pack request was turned away');
      assert.ok(passed >= 1, 'and asked again');
      if (finder.baseline) assert.equal(loaded, finder.baseline.loaded, 'every session loaded, as without the 429');
      assert.equal(await page.locator('.notice--warning').count(), 0, 'nothing shown as failing');
    } finally {
      await context.close();
    }
    const unexpected = local.problems.filter((p) => !(
      (p.kind === 'http' && p.text.startsWith('429 ') && new URL(p.text.slice(4)).pathname === path)
      || (p.kind === 'console.error' && /status of 429/.test(p.text))
    ));
    assert.deepEqual(unexpected, [], local.format());
  });

  test('a publisher that stops answering keeps its sessions, shown with their age; the others are unchanged', async () => {
    // The manifest says one publisher's sessions feed has been failing for two hours (as the
    // proxy reports a feed whose publisher stopped answering; the proxy test pins that its
    // harvested data stays in the packs).
    const { feeds } = await (await fetch(`${finder.url}api/feeds`)).json();
    const broken = feeds.find((f) => /scheduled-sessions/.test(f.id));
    assert.ok(broken, 'a scheduled-sessions feed to mark failing');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000 - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const stale = [/\/packs\/manifest\.json$/, async (route) => {
      const res = await route.fetch();
      const m = await res.json();
      const f = m.feeds.find((x) => x.id === broken.id);
      Object.assign(f, { status: 'failing', error: 'HTTP 503', last_harvest: twoHoursAgo });
      await route.fulfill({ response: res, json: m });
    }];
    const { context, page } = await finder.newPage({ routes: [stale] });
    try {
      const loaded = await h.openApp(page, finder.url);
      if (finder.baseline) assert.equal(loaded, finder.baseline.loaded, 'every session still loaded, the failing feed\'s too');
      const warning = page.locator('.notice--warning');
      await warning.first().waitFor({ state: 'visible' });
      const text = (await warning.allTextContents()).join(' ');
      assert.ok(text.includes(`${broken.publisher}: last updated 2 hours ago; the publisher is not answering.`), text);
      // Its sessions are still listed.
      const mine = new URL(broken.dataset_url).href.replace(/\/$/, '') + '/scheduled-sessions/';
      const keys = await h.cardKeys(page, 20);
      assert.ok(keys.some((k) => k.startsWith(mine)), `cards from the failing feed: ${keys.slice(0, 3)}`);
      // Their trust line says the publisher is not answering, and since when.
      const staleCard = page.locator('ol#results-list > li.card').filter({ has: page.locator('h3') }).nth(keys.findIndex((k) => k.startsWith(mine)));
      assert.match((await staleCard.locator('.card__trust').textContent()).trim(), / · last checked 2 hours ago; the publisher is not answering$/);
      // The data sources panel says so.
      await page.locator('.load-status__feeds summary').click();
      await page.locator('.feed-status').first().waitFor({ state: 'attached' });
      const status = await page.locator('.feed-status', { hasText: broken.kind }).filter({ hasText: broken.publisher }).first().textContent();
      assert.match(status, /not answering \(HTTP 503\); showing its last \d+ items, last updated 2 hours ago/);
      // Every feed says what it has that is not shown, and why (here: cancelled and past sessions).
      const all = (await page.locator('.feed-status').allTextContents()).join('\n');
      assert.match(all, /not shown: .*\d+ cancelled/);
    } finally {
      await context.close();
    }
  });

  test('no console errors, page errors, failed requests or external requests during the run', () => {
    assert.equal(finder.problems.problems.length, 0, `\n${finder.problems.format()}`);
  });
});
