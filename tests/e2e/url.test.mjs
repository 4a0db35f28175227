// End to end, against the real proxy in demo mode and Debian's headless Chromium (split from
// the former finder.test.mjs; assertions unchanged). Filters live in the URL: history navigation restores them, bad values fall back with a notice.
// Run: node --test --test-concurrency=1 tests/e2e/url.test.mjs   (or scripts/e2e.sh for all)

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { useFinder } from './pages/finder.mjs';

describe('The URL: back/forward and bad values', () => {
  const finder = useFinder();
  const open = (path, opts) => finder.open(path, opts);
  // The default view's counts, which some checks below compare against.
  before(() => finder.measureBaseline());

  test('back/forward: going back after two filter changes restores the previous URL and list', async () => {
    const { context, page } = await open();
    try {
      const n0 = await h.headingCount(page);
      const url0 = page.url();
      await page.check('#f-free');
      await page.waitForURL((u) => u.searchParams.get('free') === '1');
      const n1 = await h.waitHeading(page, (x) => x !== n0, 'the free filter');
      const url1 = page.url();
      const keys1 = await h.cardKeys(page);
      await page.check('#f-day-0');
      await page.waitForURL((u) => u.searchParams.get('days') === 'mon');
      const n2 = await h.waitHeading(page, (x) => x !== n1, 'the Monday filter');
      assert.ok(n0 > n1 && n1 > n2, `${n0} > ${n1} > ${n2}`);

      await page.goBack();
      await page.waitForURL(url1);
      assert.equal(await h.waitHeading(page, (x) => x === n1, 'the list after back'), n1);
      assert.deepEqual(await h.cardKeys(page), keys1);
      assert.equal(await page.isChecked('#f-day-0'), false);
      assert.equal(await page.isChecked('#f-free'), true);

      await page.goBack();
      await page.waitForURL(url0);
      await h.waitHeading(page, (x) => x === n0, 'the full list after a second back');
      assert.equal(await page.isChecked('#f-free'), false);

      await page.goForward();
      await page.waitForURL(url1);
      await h.waitHeading(page, (x) => x === n1, 'the list after forward');
    } finally {
      await context.close();
    }
  });

  test('a bad URL value shows a notice and falls back to defaults (full list)', async () => {
    const { context, page } = await open('?v=1&age=old&g=zz');
    try {
      const notice = page.locator('.notice[role=status]');
      await notice.first().waitFor({ state: 'visible' });
      const text = await notice.first().textContent();
      assert.match(text, /could not be used/);
      assert.ok((await notice.first().locator('li').count()) >= 2, `one line per bad value: ${text}`);
      assert.equal(await h.headingCount(page), finder.baseline?.heading ?? (await h.headingCount(page)));
      assert.equal(await page.inputValue('#f-gender'), '');
      assert.equal(await page.inputValue('#f-age'), '');
    } finally {
      await context.close();
    }
  });

  test('no console errors, page errors, failed requests or external requests during the run', () => {
    assert.equal(finder.problems.problems.length, 0, `\n${finder.problems.format()}`);
  });
});
