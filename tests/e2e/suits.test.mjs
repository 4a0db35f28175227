// "Suits me" end to end: choosing a pathway collection changes the list, the live counts, the
// map's markers and the URL; the shared link keeps it on a fresh phone; every card says why it
// matched; the "Suitable for" filter has live counts; axe-core finds nothing serious in the
// filter panel with the new controls. Saves a phone screenshot of a collection in use.
// Run: PROXY_BIN=target/debug/activity-finder-proxy node --test --test-concurrency=1 tests/e2e/suits.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as h from './harness.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, contextOptions: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } };
// Screenshots go with the others, into test-results/ (ignored by git).
const SCREENS = h.RESULTS_DIR;
const GP = 'c4bceff4-39a5-4e39-b16a-873ed79bc498';

/** "Label (12)" → 12. */
function countIn(text) {
  const m = /\((\d+)\)\s*$/.exec(text.trim());
  assert.ok(m, `no count in ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/** The "Matches: …" line of every shown card (null for a card without one). */
function whyLines(page) {
  return page.$$eval('ol#results-list > li.card', (els) => els.map((e) => e.querySelector('.why:not([hidden])')?.textContent?.trim() ?? null));
}

describe('Suits me: pathway collections, suitable for, why it matched', () => {
  let proxy;
  let browser;
  const problems = new h.Collector();
  const axeReports = [];
  let shared;
  let seatedCount;

  before(async () => {
    proxy = await h.startProxy();
    try {
      browser = await h.launchBrowser();
    } catch (e) {
      await proxy.stop();
      throw e;
    }
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await proxy?.stop();
  });

  test('a collection changes the list, counts, markers and URL; cards say why they matched', async () => {
    const { context, page } = await h.newPage(browser, problems);
    try {
      await h.openApp(page, `${proxy.url}?v=1`);
      const all = await h.headingCount(page);
      await h.waitMarkersInView(page);
      const markersBefore = await h.markerCount(page);
      const freeBefore = countIn(await page.locator('label[for="f-free"]').textContent());
      assert.equal(await page.locator('#f-col').inputValue(), '');
      // Every pathway of the collections file is offered, with its live count.
      const options = await page.$$eval('#f-col option', (os) => os.map((o) => [o.value, o.textContent.trim()]));
      for (const id of ['low-impact', 'seated', 'walking-sports', 'water', 'women-only', '60-plus', 'gp-referral']) {
        assert.ok(options.some(([v]) => v === id), `option ${id} in ${JSON.stringify(options)}`);
      }
      seatedCount = countIn(options.find(([v]) => v === 'seated')[1]);
      assert.ok(seatedCount > 0 && seatedCount < all, `seated: ${seatedCount} of ${all}`);

      await page.locator('#f-col').selectOption('seated');
      const n = await h.waitHeading(page, (c) => c === seatedCount, 'the seated collection');
      assert.equal(n, seatedCount);
      await page.waitForURL(/[?&]col=seated(&|$)/);
      assert.match(await page.locator('#f-col-hint').textContent(), /sitting down/);
      // Other counts follow the collection.
      await page.waitForFunction((before) => {
        const m = /\((\d+)\)\s*$/.exec(document.querySelector('label[for="f-free"]').textContent.trim());
        return m && Number(m[1]) !== before;
      }, freeBefore);
      assert.ok(countIn(await page.locator('label[for="f-free"]').textContent()) <= seatedCount);
      // Fewer venues on the map.
      await page.waitForFunction((before) => Number(document.querySelector('div.map').getAttribute('data-markers')) < before, markersBefore);
      assert.ok(await h.markerCount(page) > 0);
      // Every card says why it matched, in plain words.
      const why = await whyLines(page);
      assert.ok(why.length > 0);
      for (const w of why) assert.match(w ?? '', /^Matches: (Chair based|Chair Based Exercise|Chair Yoga|Boccia|KFA Seated\/Chair|Support for physical impairment)/, String(w));
      // The screen-reader text lists the phrases without the dots.
      assert.match(await page.locator('ol#results-list > li.card .why:not([hidden]) .visually-hidden').first().textContent(), /^[^·]+$/);

      // Adding "Free" adds its phrase to the cards.
      if (countIn(await page.locator('label[for="f-free"]').textContent()) > 0) {
        const free = countIn(await page.locator('label[for="f-free"]').textContent());
        await page.locator('#f-free').check();
        await h.waitHeading(page, (c) => c === free, 'free and seated');
        await page.waitForFunction(() => [...document.querySelectorAll('ol#results-list > li.card .why:not([hidden])')].every((e) => e.textContent.includes('· Free')));
        await page.locator('#f-free').uncheck();
        await h.waitHeading(page, (c) => c === seatedCount, 'back to seated');
        await page.waitForURL((u) => !/[?&]free=/.test(u.search));
      }
      shared = page.url();
      assert.match(shared, /[?&]col=seated(&|$)/);
      axeReports.push(await h.axe(page, 'filter panel with pathway and suitable-for controls', '#filters-panel'));
      axeReports.push(await h.axe(page, 'results with why it matched', '#results-list'));
    } finally {
      await context.close();
    }
  });

  test('the "Suitable for" filter has live counts and narrows the list', async () => {
    const { context, page } = await h.newPage(browser, problems);
    try {
      await h.openApp(page, `${proxy.url}?v=1`);
      const label = page.locator(`label[for="f-suit-${GP}"]`);
      assert.match(await label.textContent(), /^GP Referral \(\d+\)$/);
      const gp = countIn(await label.textContent());
      assert.ok(gp > 0);
      // A tag outside the EMD UK list is offered with the publisher's own label.
      assert.match(await page.locator('label[for="f-suit-x-menopause-support"]').textContent(), /^Menopause support \(\d+\)$/);
      await page.locator(`#f-suit-${GP}`).check();
      await h.waitHeading(page, (c) => c === gp, 'GP referral sessions');
      await page.waitForURL(new RegExp(`[?&]suit=${GP}(&|$)`));
      for (const w of await whyLines(page)) assert.match(w ?? '', /^Matches: GP Referral/);
      // With GP referral chosen, the pathway counts follow it.
      const gpCol = countIn(await page.locator('#f-col option[value="gp-referral"]').textContent());
      assert.equal(gpCol, gp, 'every GP-referral session is in the GP referral pathway');
      const water = countIn(await page.locator('#f-col option[value="water"]').textContent());
      assert.ok(water < gp || water === 0);
      axeReports.push(await h.axe(page, 'suitable-for checked', '#suits-filter'));
    } finally {
      await context.close();
    }
  });

  test('the shared link keeps the collection on a fresh phone (screenshot)', async () => {
    assert.ok(shared, 'the first test made a link');
    const { context, page } = await h.newPage(browser, problems, PHONE);
    try {
      await h.openApp(page, shared);
      await h.waitHeading(page, (c) => c === seatedCount, 'the seated collection from the link');
      // On a phone the filters are a sheet, built when first opened.
      await page.locator('#open-filters').click();
      assert.equal(await page.locator('#f-col').inputValue(), 'seated');
      await page.locator('.filters__close').click();
      const why = await whyLines(page);
      assert.ok(why.length > 0 && why.every((w) => w?.startsWith('Matches: ')), JSON.stringify(why));
      // "What this link shows" names the pathway.
      assert.match(await page.locator('.link-summary').textContent(), /Seated and chair-based/);
      mkdirSync(SCREENS, { recursive: true });
      await page.screenshot({ path: resolve(SCREENS, 'collection-phone.png'), animations: 'disabled' });
      // The filter sheet on the phone, with the pathway chosen.
      await page.locator('#open-filters').click();
      await page.locator('#f-col').scrollIntoViewIfNeeded();
      await page.screenshot({ path: resolve(SCREENS, 'collection-phone-filters.png'), animations: 'disabled' });
      axeReports.push(await h.axe(page, 'phone filter sheet', '#filters-panel'));
      // Reload keeps it too.
      await page.reload({ waitUntil: 'domcontentloaded' });
      await h.waitLoaded(page);
      await h.waitHeading(page, (c) => c === seatedCount, 'after reload');
      assert.match(page.url(), /[?&]col=seated(&|$)/);
    } finally {
      await context.close();
    }
  });

  test('no serious accessibility problems and no browser errors', () => {
    const serious = axeReports.filter((r) => r.serious.length);
    assert.equal(serious.length, 0, serious.map((r) => `${r.label}:\n${h.formatAxe(r.serious)}`).join('\n'));
    assert.equal(problems.problems.length, 0, problems.format());
  });
});
