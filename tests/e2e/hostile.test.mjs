// End to end, against the real proxy in demo mode and Debian's headless Chromium (split from
// the former finder.test.mjs; assertions unchanged). Feed text is untrusted: a publisher serving markup and script in names and links.
// Run: node --test --test-concurrency=1 tests/e2e/hostile.test.mjs   (or scripts/e2e.sh for all)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h from './harness.mjs';
import { useFinder, HOSTILE_NAME } from './pages/finder.mjs';

describe('Hostile feed text', () => {
  const finder = useFinder();
  const open = (path, opts) => finder.open(path, opts);

  test('hostile feed text is shown as text and unsafe links are dropped', async () => {
    // A hostile publisher on loopback, harvested by a second real proxy into its packs.
    const start = new Date(Date.now() + 2 * 86400_000);
    start.setUTCHours(10, 0, 0, 0);
    const data = {
      '@context': 'https://openactive.io/', '@type': 'Event', '@id': 'https://hostile.example/e/1',
      name: HOSTILE_NAME, description: HOSTILE_NAME, url: 'javascript:alert(1)',
      startDate: start.toISOString(), duration: 'PT1H',
      organizer: { '@type': 'Organization', name: 'Org', url: 'javascript:alert(2)', email: 'a@x.example?bcc=victim@y.example&body=<script>' },
      location: { '@type': 'Place', name: '\u202e<b onmouseover=alert(3)>Venue</b>', geo: { latitude: 51.54, longitude: -0.01 } },
      offers: [{ '@type': 'Offer', price: 0, priceCurrency: 'GBP', url: 'javascript:alert(4)' }],
    };
    const upstream = createServer((req, res) => {
      const last = req.url.includes('after=1');
      const page = { next: '/feed?after=1', items: last ? [] : [{ state: 'updated', kind: 'Event', id: '1', modified: 1, data }] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(page));
    });
    await new Promise((ok) => upstream.listen(0, '127.0.0.1', ok));
    const dir = mkdtempSync(join(tmpdir(), 'af-hostile-'));
    const config = join(dir, 'config.toml');
    writeFileSync(config, [
      'allow_private_networks = ["127.0.0.0/8"]',
      `state_dir = ${JSON.stringify(join(dir, 'state'))}`,
      '[[feeds]]', 'id = "hostile"', 'kind = "Event"',
      `url = "http://127.0.0.1:${upstream.address().port}/feed"`, 'publisher = "Hostile <i>Publisher</i>"',
    ].join('\n'));
    const hostileProxy = await h.startProxy({ args: ['--config', config] });
    const local = new h.Collector();
    const { context, page } = await finder.newPage({}, local);
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    try {
      await page.goto(`${hostileProxy.url}?v=1&q=onerror`);
      await h.waitLoaded(page);
      const n = await h.headingCount(page);
      assert.ok(n > 0, 'the hostile event is listed');
      const title = page.locator('ol#results-list > li.card h3 a').first();
      assert.equal((await title.textContent()).trim(), HOSTILE_NAME, 'the name is shown literally');
      const list = page.locator('#results-list');
      assert.equal(await list.locator('script, img, [onerror], [onmouseover], b').count(), 0);
      await title.click();
      await page.locator('section.detail').waitFor({ state: 'visible' });
      assert.equal((await page.locator('#detail-heading').textContent()).trim(), HOSTILE_NAME);
      const detail = page.locator('section.detail');
      assert.equal(await detail.locator('a[href^="javascript:" i]').count(), 0, 'no javascript: links');
      assert.equal(await detail.locator('script, img, [onerror], [onmouseover], b, i').count(), 0);
      assert.equal(await detail.getByText('Book or find out more').count(), 0, 'the unsafe booking link is not offered');
      // No safe contact and no dataset page: no "report a problem" link, and never a mailto: or
      // javascript: one; the trust line shows the publisher's name as text.
      assert.equal(await detail.locator('#report-problem, a[href^="mailto:" i]').count(), 0);
      assert.match((await detail.locator('.detail__trust').textContent()).trim(), /^Listed by Hostile <i>Publisher<\/i> · updated /);
      // The map popup/tooltip text is built from text nodes too.
      assert.equal(await page.locator('.leaflet-pane [onmouseover], .leaflet-pane script').count(), 0);
      assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0);
      assert.deepEqual(dialogs, [], 'no script ran');
      // A right-to-left override in the venue name is isolated: it cannot reverse the count
      // after it in the marker's title.
      await page.keyboard.press('Escape');
      const markerTitle = await page.locator('.leaflet-marker-icon[title]').first().getAttribute('title');
      assert.equal(markerTitle, '\u2068\u202e<b onmouseover=alert(3)>Venue</b>\u2069: 1 session');
    } finally {
      await context.close();
      await hostileProxy.stop();
      upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no console errors, page errors, failed requests or external requests during the run', () => {
    assert.equal(finder.problems.problems.length, 0, `\n${finder.problems.format()}`);
  });
});
