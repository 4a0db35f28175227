// A venue's map popup lists its next matching sessions, each with a shortlist toggle that works
// like a card's: its state is in aria-pressed, the shortlist panel and the card follow it, and
// axe-core finds nothing serious in the open popup.
// Run: PROXY_BIN=target/debug/activity-finder-proxy node --test --test-concurrency=1 tests/e2e/map-popup.test.mjs

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { useFinder } from './pages/finder.mjs';

describe('map popup shortlist', () => {
  const finder = useFinder();
  const collector = finder.problems;

  test("a venue's popup shortlists a session, and the card and panel follow", async () => {
    const { context, page } = await finder.open('/?v=1');
    try {
      await h.waitMarkersInView(page);
      const marker = await h.venueMarkerInView(page);
      assert.ok(marker, 'a single venue marker in view');
      await marker.click();
      const popup = page.locator('.leaflet-popup .venue-popup');
      await popup.waitFor();
      const toggles = popup.locator('button.shortlist-toggle');
      const n = await toggles.count();
      assert.ok(n >= 1 && n <= 3, `1 to 3 sessions listed, got ${n}`);
      const first = toggles.first();
      assert.equal(await first.getAttribute('aria-pressed'), 'false');
      const key = await first.getAttribute('data-key');
      assert.ok(key, 'the toggle names its session');
      const name = (await popup.locator('.venue-popup__sessions bdi').first().textContent()).trim();
      assert.ok((await first.textContent()).includes(name), 'the toggle names the session for screen readers');
      await first.click();
      await page.waitForFunction(() => document.querySelector('.leaflet-popup button.shortlist-toggle')?.getAttribute('aria-pressed') === 'true');
      // The shortlist panel says so, and the session's card (when shown) is pressed too.
      await page.locator('#shortlist-heading').waitFor();
      assert.match((await page.locator('#shortlist-heading').textContent()).trim(), /^Your shortlist \(1\)$/);
      const card = page.locator(`.card[data-key="${key.replace(/"/g, '\\"')}"] .shortlist-toggle`);
      if (await card.count()) assert.equal(await card.getAttribute('aria-pressed'), 'true');
      await h.screenshot(page, 'map-popup-shortlist.png');
      const a = await h.axe(page, 'map popup', '.leaflet-popup');
      assert.deepEqual(a.serious, [], h.formatAxe(a.serious));
      // Off again from the popup.
      await page.locator('.leaflet-popup button.shortlist-toggle').first().click();
      await page.waitForFunction(() => document.querySelector('.leaflet-popup button.shortlist-toggle')?.getAttribute('aria-pressed') === 'false');
      const problems = collector.problems.filter((p) => p.kind !== 'external-request');
      assert.deepEqual(problems, [], collector.format());
    } finally {
      await context.close();
    }
  });
});
