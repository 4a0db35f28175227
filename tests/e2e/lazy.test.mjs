// End to end, against the real proxy in demo mode and Debian's headless Chromium: the modules
// loaded on demand (src/lazy.rs, scripts/split-wasm.mjs). What a phone downloads first and
// later, and what happens when a module cannot be fetched.
// Run: node --test --test-concurrency=1 tests/e2e/lazy.test.mjs   (or scripts/e2e.sh for all)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { useFinder } from './pages/finder.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, contextOptions: { isMobile: true, hasTouch: true } };
const SAVE_DATA = () => {
  Object.defineProperty(Navigator.prototype, 'connection', {
    configurable: true,
    get: () => ({ saveData: true, effectiveType: '4g', addEventListener() {}, removeEventListener() {} }),
  });
};
const splitName = (path) => /^\/af-(split|chunk)-([a-z0-9]+)-[0-9a-f]+\.wasm$/.exec(path);

describe('Modules loaded on demand', () => {
  const finder = useFinder();

  test('a phone starts with the main module only; the filters, map and session page come when first used', async () => {
    const { context, page } = await finder.newPage(PHONE);
    try {
      // Save-Data: no background fetching, so each module comes exactly when it is first used.
      await context.addInitScript(SAVE_DATA);
      const fetched = [];
      page.on('request', (r) => {
        const m = splitName(new URL(r.url()).pathname);
        if (m && m[1] === 'split') fetched.push(m[2]);
      });
      await h.openApp(page, finder.url);
      await page.locator('section.results[data-complete="true"]').waitFor();
      assert.deepEqual(fetched, [], 'no split module before it is needed');
      assert.equal(await page.locator('#f-col').count(), 0, 'the filter form is not built yet');

      await page.locator('#open-filters').click();
      await page.locator('#f-free').waitFor();
      assert.deepEqual(fetched, ['filters']);
      await page.locator('.filters__close').click();

      await page.locator('.view-toggle__views button', { hasText: 'Map' }).click();
      await page.locator('.map-pane .map .leaflet-container, .map-pane .map.leaflet-container').first().waitFor();
      assert.deepEqual(fetched, ['filters', 'map']);
      await page.locator('.view-toggle__views button', { hasText: 'List' }).click();

      await page.locator('ol#results-list > li.card h3 a').first().click();
      await page.locator('section.detail .detail__row').first().waitFor();
      assert.deepEqual(fetched, ['filters', 'map', 'detail']);
      assert.equal(finder.problems.format(), '', 'no browser errors');
    } finally {
      await context.close();
    }
  });

  test('a session page whose module cannot be fetched says so, leads back, and opens on the next try', async () => {
    const local = new h.Collector();
    const { context, page } = await finder.newPage({}, local);
    try {
      let refuse = true;
      let refused = 0;
      await context.route(/\/af-split-detail-[0-9a-f]+\.wasm$/, (route) => {
        if (!refuse) return route.continue();
        refused += 1;
        return route.abort('failed');
      });
      await h.openApp(page, finder.url);
      const link = page.locator('ol#results-list > li.card h3 a').first();
      const title = (await link.textContent()).trim();
      await link.click();
      const heading = page.locator('section.detail #detail-heading');
      await heading.waitFor();
      assert.equal((await heading.textContent()).trim(), 'This session page could not be loaded');
      await page.waitForFunction(() => document.activeElement?.id === 'detail-heading', null, { timeout: h.T.ui });
      await h.screenshot(page, 'session-page-not-loaded.png');
      const report = await h.axe(page, 'session page that could not be loaded (1280x900)');
      assert.equal(report.serious.length + report.other.length, 0, h.formatAxe([...report.serious, ...report.other]));
      assert.ok(refused > 0);

      // "Back to results": the dialog goes and the page is usable again.
      await page.locator('section.detail button', { hasText: 'Back to results' }).click();
      await page.locator('section.detail').waitFor({ state: 'detached' });
      await page.waitForURL((u) => !u.searchParams.has('s'));
      assert.equal(await page.locator('.page[inert]').count(), 0, 'the page is not inert');

      // The failure is not remembered: with the network back, the same card opens its page.
      refuse = false;
      await link.click();
      await page.locator('section.detail .detail__row').first().waitFor();
      assert.equal((await heading.textContent()).trim(), title);
      // Only the refused module failed (its request, and the split loader's log of it), and
      // nothing else went wrong.
      const aboutRefused = (p) => /af-split-detail-/.test(`${p.text} ${p.where ?? ''}`) ||
        (p.kind === 'console.error' && /^TypeError: Failed to fetch/.test(p.text) && /\/af-split-[0-9a-f]+\.js/.test(p.text));
      const unexpected = local.problems.filter((p) => !aboutRefused(p));
      assert.deepEqual(unexpected, []);
    } finally {
      await context.close();
    }
  });
});
