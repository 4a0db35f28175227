// The referral pack end to end: shortlist five sessions, reload (still five), share the link,
// open it on a fresh phone (the same five first, "What this link shows"), the QR code on screen
// decodes (jsQR) to that link, the calendar file parses, the printed sheet has no controls, and
// axe-core finds nothing serious in any of the new views.
// Run: PROXY_BIN=target/debug/activity-finder-proxy node --test --test-concurrency=1 tests/e2e/shortlist.test.mjs

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import jsQR from 'jsqr';
import * as h from './harness.mjs';
import { useFinder } from './pages/finder.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, contextOptions: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } };

/** One `sl=` entry (17 characters) for an id hash, a start and a series hash (finder::shortlist). */
function slEntry(id, startMin, series) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const put = (v, n) => {
    let s = '';
    for (let i = n - 1; i >= 0; i--) s += B64[Number((BigInt(v) >> BigInt(6 * i)) & 63n)];
    return s;
  };
  return put(id, 8) + put(startMin, 5) + put(series, 4);
}

/** Rasterises the QR's SVG path in the page (Path2D) and decodes it in node with jsQR. */
async function decodeQr(page, selector) {
  const img = await page.evaluate((sel) => {
    const svg = document.querySelector(sel);
    const size = Number(svg.getAttribute('viewBox').split(' ')[2]);
    const scale = 6;
    const c = document.createElement('canvas');
    c.width = c.height = size * scale;
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, c.width, c.height);
    g.scale(scale, scale);
    g.fillStyle = '#000';
    g.fill(new Path2D(svg.querySelector('path').getAttribute('d')));
    const d = g.getImageData(0, 0, c.width, c.height);
    return { w: d.width, h: d.height, data: Array.from(d.data) };
  }, selector);
  return jsQR(Uint8ClampedArray.from(img.data), img.w, img.h)?.data;
}

/** Interactive controls a person could see on the page (for the printed sheet: none). */
function visibleControls(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, input, select, textarea, summary, a[href]')]
    .filter((e) => {
      const r = e.getBoundingClientRect();
      const cs = getComputedStyle(e);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && !e.closest('.visually-hidden');
    })
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}: ${(e.textContent || '').trim().slice(0, 40)}`));
}

describe('Referral pack: shortlist, share, QR, calendar, printed sheet', () => {
  const finder = useFinder();
  const axeReports = [];

  test('shortlist five, reload, share to a phone: same five first, summary, QR, calendar, print', async () => {
    const { context, page } = await finder.newPage();
    let chosen;
    let link;
    try {
      await h.openApp(page, `${finder.url}?v=1&tod=am`);
      const toggles = page.locator('ol#results-list > li.card button.shortlist-toggle');
      chosen = (await h.cardKeys(page, 5));
      for (let i = 0; i < 5; i++) {
        await toggles.nth(i).click();
        await page.waitForFunction((n) => document.querySelectorAll('#shortlist-items > li').length === n, i + 1);
      }
      assert.equal(await toggles.nth(0).getAttribute('aria-pressed'), 'true');
      assert.equal(await toggles.nth(5).getAttribute('aria-pressed'), 'false');
      assert.match(await page.locator('#shortlist-status').textContent(), /^Added “.+” to the shortlist \(5 sessions\)\.$/);
      assert.match(await page.locator('#shortlist-heading').textContent(), /Your shortlist \(5\)/);

      // Reload: the device keeps the list.
      await page.reload({ waitUntil: 'domcontentloaded' });
      await h.waitLoaded(page);
      await page.waitForFunction(() => document.querySelectorAll('#shortlist-items > li').length === 5);
      const kept = await page.$$eval('#shortlist-items > li', (els) => els.map((e) => e.dataset.key));
      assert.deepEqual(kept, chosen);
      assert.deepEqual(
        await page.$$eval('#shortlist-items > li', (els) => els.map((e) => e.dataset.status)),
        ['found', 'found', 'found', 'found', 'found'],
      );
      axeReports.push(await h.axe(page, 'shortlist view (desktop)', '#shortlist'));

      // Share: the link, its length, the QR code on screen.
      await page.locator('#share-shortlist summary').click();
      link = (await page.locator('#shortlist-link').textContent()).trim();
      assert.match(link, /[?&]sl=[A-Za-z0-9_-]{85}(&|$)/);
      assert.match(link, /[?&]tod=am(&|$)/);
      assert.ok(link.length <= 200, `link is ${link.length} characters: ${link}`);
      assert.equal(await decodeQr(page, '#shortlist-qr'), link, 'the QR code on screen decodes to the link');
      const wa = await page.locator('#share-whatsapp').getAttribute('href');
      const msg = decodeURIComponent(wa.split('?text=')[1]);
      assert.match(msg, /^Physical activity sessions chosen for you:\n1\. .+, \w{3} \d+ \w{3}, \d+:\d\d[ap]m, .+\n/);
      assert.ok(msg.endsWith(link));
      axeReports.push(await h.axe(page, 'share panel', '#share-shortlist'));

      // The whole list as a calendar file.
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#ics-all').click()]);
      const ics = readFileSync(await download.path(), 'utf8');
      assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\n') && ics.endsWith('END:VCALENDAR\r\n'));
      assert.equal((ics.match(/^BEGIN:VEVENT\r$/gm) ?? []).length, 5);
      assert.equal((ics.match(/^DTSTART;TZID=Europe\/London:\d{8}T\d{6}\r$/gm) ?? []).length, 5);
      assert.ok(ics.includes('BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n'));
      for (const l of ics.split('\r\n')) assert.ok(Buffer.byteLength(l) <= 75, l);
      // Each event's local start is the card's time (hh:mm, London).
      const times = await page.$$eval('#shortlist-items .shortlist__when', (els) => els.map((e) => e.textContent));
      const starts = [...ics.matchAll(/^DTSTART;TZID=Europe\/London:\d{8}T(\d\d)(\d\d)\d\d\r$/gm)].map((m) => [Number(m[1]), m[2]]);
      starts.forEach(([hh, mm], i) => {
        const h12 = hh % 12 === 0 ? 12 : hh % 12;
        assert.ok(times[i].includes(`${h12}:${mm}${hh < 12 ? 'am' : 'pm'}`), `${times[i]} vs ${hh}:${mm}`);
      });

      // The printed sheet: a note, no interactive controls on paper, the QR code of the link.
      await page.locator('#sheet-note').fill('Meet Sam at the front desk, Tuesday.');
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
      assert.deepEqual(await visibleControls(page), [], 'no buttons, inputs or links on paper');
      assert.equal(await page.locator('.print-sheet .sheet__item').count(), 5);
      assert.match(await page.locator('.print-sheet .sheet__note').textContent(), /Meet Sam at the front desk/);
      assert.equal(await decodeQr(page, '#sheet-qr'), link, 'the printed QR code decodes to the link');
      const sheet = await page.locator('.print-sheet').textContent();
      assert.match(sheet, /Source: /);
      assert.match(sheet, /Getting there/);
      await h.screenshot(page, 'shortlist-print-sheet.png', { fullPage: true });
      axeReports.push(await h.axe(page, 'printed sheet', '.print-sheet'));
      await page.emulateMedia({ media: 'screen' });
      // The note is never stored nor put in a link.
      assert.ok(!link.includes('Sam'));
      const stored = await page.evaluate(() => JSON.stringify(localStorage));
      assert.ok(!stored.includes('Sam'), stored);
    } finally {
      await context.close();
    }

    // A fresh phone opens the link, with one more session the feed no longer lists.
    const startMin = Math.floor(Date.now() / 60000) + 3 * 24 * 60;
    const gone = slEntry(123456789, startMin, 4242);
    const phoneLink = link.replace(/sl=([A-Za-z0-9_-]+)/, (_, v) => `sl=${v}${gone}`);
    const { context: pctx, page: phone } = await finder.newPage(PHONE);
    try {
      await h.openApp(phone, phoneLink);
      await phone.waitForFunction(() => document.querySelectorAll('#shortlist-items > li').length === 6);
      await phone.waitForFunction(() => document.querySelector('#shortlist-items > li:last-child')?.dataset.status === 'gone');
      const keys = await phone.$$eval('#shortlist-items > li', (els) => els.map((e) => e.dataset.key ?? null));
      assert.deepEqual(keys.slice(0, 5), chosen, 'the same five, in order');
      assert.match(await phone.locator('#shortlist-items > li:last-child').textContent(), /no longer listed/);
      assert.match(await phone.locator('#shortlist-heading').textContent(), /Chosen for you \(6\)/);
      // Chosen sessions come before the search results.
      const [top, resultsTop] = await phone.evaluate(() => [
        document.querySelector('#shortlist').getBoundingClientRect().top,
        document.querySelector('#results-list').getBoundingClientRect().top,
      ]);
      assert.ok(top < resultsTop);
      // What this link shows, each part removable in one tap.
      const chip = phone.locator('.link-summary .summary-chip', { hasText: 'Mornings' });
      await chip.waitFor();
      assert.ok((await chip.boundingBox()).height >= 44, 'the chip is a full-size tap target');
      await h.screenshot(phone, 'shortlist-phone.png', { fullPage: false });
      await h.screenshot(phone, 'shortlist-phone-full.png', { fullPage: true });
      axeReports.push(await h.axe(phone, 'phone: shortlist and summary'));
      await chip.tap();
      await phone.waitForFunction(() => !/[?&]tod=/.test(location.search));
      assert.match(await phone.evaluate(() => location.search), /sl=/, 'the list stays');
      assert.equal(await phone.locator('.link-summary:not([hidden])').count(), 0, 'no summary without a filter');
    } finally {
      await pctx.close();
    }

    const serious = axeReports.filter((r) => r.serious.length);
    assert.equal(serious.length, 0, serious.map((r) => `${r.label}:\n${h.formatAxe(r.serious)}`).join('\n'));
  });

  test('the session page: shortlist toggle (announced) and calendar files for the session and its series', async () => {
    const { context, page } = await finder.newPage();
    try {
      await h.openApp(page, `${finder.url}?v=1`);
      await page.locator('ol#results-list > li.card h3 a').first().click();
      const dlg = page.locator('section.detail');
      await dlg.waitFor();
      const toggle = dlg.locator('button.shortlist-toggle');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await page.waitForFunction(() => /^Added “.+” to the shortlist \(1 session\)\.$/.test(document.querySelector('#shortlist-status')?.textContent ?? ''));
      const [one] = await Promise.all([page.waitForEvent('download'), dlg.locator('button.ics-session').click()]);
      const ics = readFileSync(await one.path(), 'utf8');
      assert.equal((ics.match(/^BEGIN:VEVENT\r$/gm) ?? []).length, 1);
      if (await dlg.locator('button.ics-series').count()) {
        const [all] = await Promise.all([page.waitForEvent('download'), dlg.locator('button.ics-series').click()]);
        const series = readFileSync(await all.path(), 'utf8');
        assert.ok(/^RRULE:FREQ=WEEKLY/m.test(series) || (series.match(/^BEGIN:VEVENT\r$/gm) ?? []).length > 1, series.slice(0, 1500));
      }
      const report = await h.axe(page, 'session page with the shortlist toggle', 'section.detail');
      assert.equal(report.serious.length, 0, h.formatAxe(report.serious));
    } finally {
      await context.close();
    }
  });

  test('a bad sl= value falls back to the search with a notice', async () => {
    const { context, page } = await finder.newPage(PHONE);
    try {
      await h.openApp(page, `${finder.url}?v=1&sl=nonsense`);
      await page.getByText('The shortlist in the link could not be read').waitFor();
      assert.equal(await page.locator('#shortlist').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('no console errors, page errors or failed requests', () => {
    assert.equal(finder.problems.problems.length, 0, finder.problems.format());
  });
});
