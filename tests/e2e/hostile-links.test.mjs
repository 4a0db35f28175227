// Hostile and broken links: every URL parameter given values that are out of range, malformed,
// repeated, huge or script-like. The app must never fail: no page error, no console error, the
// results heading shows, a value it could not use is named in "Some parts of this link could not
// be used" (and falls back to its default), and nothing from the link becomes markup.
// Run: PROXY_BIN=target/debug/activity-finder-proxy node --test --test-concurrency=1 tests/e2e/hostile-links.test.mjs

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { useFinder } from './pages/finder.mjs';

const big = 'x'.repeat(20_000);

/** [query, a notice expected (substring) or null when the link is read without complaint]. */
const LINKS = [
  ['v=2', 'newer version (2)'],
  ['v=1&r=1e308', 'not between 0 and 100 km'],
  ['v=1&r=NaN', 'not between 0 and 100 km'],
  ['v=1&at=NaN,NaN', 'location in the link could not be read'],
  ['v=1&at=91,181', 'location in the link could not be read'],
  ['v=1&near=%00', 'is not a postcode area'],
  ['v=1&days=funday,mon,mon', '"funday" is not a day'],
  ['v=1&tod=25:00-26:00', 'could not be read; showing any time'],
  ['v=1&from=2026-13-45&to=0000-00-00', 'Date "2026-13-45" could not be read'],
  ['v=1&max=1e400', 'showing any price'],
  ['v=1&age=999999999999', 'showing all ages'],
  ['v=1&g=zz', 'not a gender option'],
  ['v=1&acc=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'accessibility option in the link was not recognised'],
  ['v=1&sort=far', 'Sort "far" is not known'],
  ['v=1&view=3d', 'View "3d" is not known'],
  ['v=1&map=999,999,99', 'map position in the link could not be read'],
  [`v=1&sl=${'A'.repeat(17 * 40)}`, 'shortlist in the link could not be read'],
  ['v=1&sl=%25%25%25', 'shortlist in the link could not be read'],
  ['v=1&embed=1&fg=red;x:url(a)&accent=%23zzz', 'not a hex colour'],
  ['v=1&embed=1&font=comic', 'not one of the offered ones'],
  ['v=1&cx=yes&slots=maybe&wc=2&lvl=pro', 'Level "pro" is not known'],
  [`v=1&q=${big}`, null],
  ['v=1&q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', null],
  ['v=1&s=javascript:alert(1)', null],
  [`v=1&s=${big}`, null],
  [`v=1&act=${'a,'.repeat(3000)}`, null],
  [`v=1&days=${'mon,'.repeat(5000)}`, null],
  ['%ZZ=1&v=1', null],
];

describe('hostile links', () => {
  const finder = useFinder();
  const collector = finder.problems;

  test('every parameter with broken, huge or script-like values: no failure, a notice, no markup', async () => {
    const { context, page } = await finder.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
    try {
      for (const [query, notice] of LINKS) {
        const what = query.slice(0, 60);
        await page.goto(`${finder.url}/?${query}`, { waitUntil: 'domcontentloaded' });
        await h.waitLoaded(page);
        const heading = (await page.locator('#results-heading').textContent()).trim();
        assert.match(heading, /^(No sessions match|\d+ sessions? found)$/, `heading for ${what}`);
        const notices = (await page.locator('.notice').allTextContents()).join(' ');
        if (notice) assert.ok(notices.includes(notice), `notice "${notice}" for ${what}; got: ${notices.slice(0, 300)}`);
        // Nothing from the link became an element.
        const injected = await page.evaluate(() => document.querySelectorAll('img[src="x"], [onerror]').length
          + [...document.scripts].filter((s) => s.textContent.includes('alert')).length);
        assert.equal(injected, 0, `markup from ${what}`);
      }
      assert.equal(dialogs, 0, 'no script from a link ran');
      const problems = collector.problems.filter((p) => p.kind !== 'external-request');
      assert.deepEqual(problems, [], collector.format());
    } finally {
      await context.close();
    }
  });
});
