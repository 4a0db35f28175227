// End to end, against the real proxy in demo mode and Debian's headless Chromium (split from
// the former finder.test.mjs; assertions unchanged). Every filter against the list, the live counts and the map, and the filter panel's accessibility.
// Run: node --test --test-concurrency=1 tests/e2e/filters.test.mjs   (or scripts/e2e.sh for all)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { useFinder, ACTIVITY_PREFIX, activeId, cardMinutes, countInLabel, labelsUnder, stableMarkers } from './pages/finder.mjs';

describe('Filters: each one narrows the list, counts and markers; start times; facility bookings', () => {
  const finder = useFinder();
  const open = (path, opts) => finder.open(path, opts);

  test('activity filter round trip: URL gains act=, list and map narrow, a new context shows the same', async () => {
    const { context, page } = await open();
    let url;
    let expected;
    try {
      const before = { heading: await h.headingCount(page), markers: await stableMarkers(page) };
      // Pick the activity whose option count is the largest that is still below the total.
      const options = await page.$$eval('#f-activity option', (os) => os.map((o) => ({ value: o.value, text: o.textContent })));
      const candidates = options
        .filter((o) => o.value.startsWith('https://openactive.io/activity-list#'))
        .map((o) => ({ ...o, n: Number(/\((\d+)\)$/.exec(o.text)?.[1] ?? 0), label: o.text.replace(/ \(\d+\)$/, '') }))
        .filter((o) => o.n > 0 && o.n < before.heading)
        .sort((a, b) => b.n - a.n);
      assert.ok(candidates.length > 3, 'several activities with sessions');
      const pick = candidates[Math.floor(candidates.length / 2)];
      await page.selectOption('#f-activity', pick.value);
      const uuid = pick.value.slice(ACTIVITY_PREFIX.length);
      await page.waitForURL((u) => u.searchParams.get('act') === uuid);
      const n = await h.waitHeading(page, (x) => x !== before.heading, 'the activity filter to apply');
      assert.ok(n < before.heading, `${n} < ${before.heading}`);
      assert.equal(n, pick.n, 'the heading agrees with the count shown beside the option');
      // Every card shown is of that activity (or a narrower one).
      const allowed = labelsUnder(pick.value);
      const acts = await page.$$eval('ol#results-list > li.card .card__activity', (els) => els.map((e) => e.textContent.replace(/^ · /, '')));
      const cards = await page.locator('ol#results-list > li.card').count();
      assert.equal(acts.length, cards, 'every card names its activity');
      for (const a of acts) assert.ok(allowed.has(a), `card activity ${JSON.stringify(a)} is ${pick.label} or narrower`);
      const markers = await stableMarkers(page);
      assert.ok(markers > 0 && markers <= before.markers, `markers ${markers} within 1..${before.markers}`);
      url = page.url();
      expected = { heading: n, keys: await h.cardKeys(page, 20), value: pick.value };
    } finally {
      await context.close();
    }
    // The same link in a fresh browser context gives the same view.
    const fresh = await finder.newPage();
    try {
      await h.openApp(fresh.page, url);
      assert.equal(await h.headingCount(fresh.page), expected.heading);
      assert.deepEqual(await h.cardKeys(fresh.page, 20), expected.keys);
      assert.equal(await fresh.page.inputValue('#f-activity'), expected.value);
    } finally {
      await fresh.context.close();
    }
  });

  test('each filter changes the list, the counts and the markers consistently', async () => {
    // One fresh page per filter, each starting from the unfiltered URL.
    const first = await open();
    let base;
    let firstCard;
    try {
      base = { heading: await h.headingCount(first.page), markers: await stableMarkers(first.page) };
      const card = first.page.locator('ol#results-list > li.card').first();
      firstCard = {
        title: (await card.locator('h3 a').textContent()).trim(),
        venue: (await card.locator('.card__where').textContent()).trim().replace(/ · .*$/, ''),
      };
    } finally {
      await first.context.close();
    }
    const word = firstCard.title.split(/\s+/).find((w) => /^[A-Za-z]{4,}$/.test(w)) ?? firstCard.title.split(/\s+/)[0];
    const labelCount = (page, id) => page.locator(`label[for="${id}"]`).textContent()
      .then((t) => Number(/\((\d+)\)\s*$/.exec(t.trim())?.[1]));
    const cases = [
      { name: 'free', shown: (p) => labelCount(p, 'f-free'), apply: (p) => p.check('#f-free'), url: { free: '1' } },
      { name: 'beginner', shown: (p) => labelCount(p, 'f-beginner'), apply: (p) => p.check('#f-beginner'), url: { lvl: 'beginner' } },
      { name: 'wheelchair', shown: (p) => labelCount(p, 'f-wheelchair'), apply: (p) => p.check('#f-wheelchair'), url: { wc: '1' } },
      { name: 'Wednesday', shown: (p) => labelCount(p, 'f-day-2'), apply: (p) => p.check('#f-day-2'), url: { days: 'wed' } },
      { name: 'evening', shown: (p) => labelCount(p, 'f-tod-eve'), apply: (p) => p.check('#f-tod-eve'), url: { tod: 'eve' } },
      {
        name: 'women-only',
        shown: (p) => p.locator('#f-gender option[value="fo"]').textContent().then((t) => Number(/\((\d+)\)\s*$/.exec(t.trim())?.[1])),
        apply: (p) => p.selectOption('#f-gender', 'fo'),
        url: { g: 'fo' },
      },
      { name: 'age 70', apply: async (p) => { await p.fill('#f-age', '70'); await p.press('#f-age', 'Tab'); }, url: { age: '70' } },
      { name: 'max £3', apply: async (p) => { await p.fill('#f-max', '3'); await p.press('#f-max', 'Tab'); }, url: { max: '3' } },
      { name: `keyword ${word}`, apply: (p) => p.fill('#f-keyword', word), url: { q: word } },
      { name: `organiser ${firstCard.venue}`, apply: (p) => p.fill('#f-organiser', firstCard.venue), url: { org: firstCard.venue } },
      {
        name: 'near E15 within 2 km',
        apply: async (p) => {
          await p.fill('#f-near', 'E15');
          await p.press('#f-near', 'Enter');
          await p.waitForURL((u) => u.searchParams.get('near') === 'E15');
          await p.selectOption('#f-radius', '2');
        },
        url: { near: 'E15', r: '2' },
      },
    ];
    const failures = [];
    const summary = [`unfiltered: ${base.heading} sessions, ${base.markers} markers`];
    for (const c of cases) {
      const { context, page } = await open();
      try {
        assert.equal(await h.headingCount(page), base.heading, `${c.name}: starts unfiltered`);
        const shown = c.shown ? await c.shown(page) : undefined;
        if (c.shown) assert.ok(Number.isInteger(shown) && shown > 0, `${c.name}: the control shows a count (${shown})`);
        await c.apply(page);
        await page.waitForURL((u) => Object.entries(c.url).every(([k, v]) => u.searchParams.get(k) === v), { timeout: h.T.ui });
        const n = await h.waitHeading(page, (x) => x !== base.heading, `${c.name} to apply`);
        // (a) the count shown beside the option before applying it
        if (c.shown !== undefined) assert.equal(n, shown, `${c.name}: heading equals the count the control showed`);
        // (b) narrower, but not empty
        assert.ok(n > 0 && n <= base.heading, `${c.name}: 0 < ${n} <= ${base.heading}`);
        // (c) markers agree with the venues of the results
        const markers = await stableMarkers(page);
        const venues = await page.$$eval('ol#results-list > li.card', (els) => els.map((e) => e.dataset.venue));
        const distinct = new Set(venues).size;
        assert.ok(markers <= base.markers, `${c.name}: markers ${markers} <= ${base.markers}`);
        if (n <= venues.length) {
          assert.equal(venues.length, n, `${c.name}: every result is on the page`);
          assert.equal(markers, distinct, `${c.name}: one marker per distinct venue of the ${n} results`);
        } else {
          assert.ok(markers >= distinct, `${c.name}: markers ${markers} >= ${distinct} venues on the first page`);
        }
        // (d) the documented key is in the URL (already waited for; re-check the final URL)
        const u = new URL(page.url());
        for (const [k, v] of Object.entries(c.url)) assert.equal(u.searchParams.get(k), v, `${c.name}: URL ${k}=${v}`);
        summary.push(`${c.name}: ${n} sessions${c.shown ? ` (control showed ${shown})` : ''}, ${markers} markers, ${distinct} venues on the page`);
      } catch (e) {
        failures.push(`${c.name}: ${e.message}`);
      } finally {
        await context.close();
      }
    }
    console.log(summary.join('\n'));
    assert.deepEqual(failures, []);
  });

  test('start-time range: the two time inputs narrow the list, write tod=HH:MM-HH:MM, survive a reload; an invalid range says so', async () => {
    const { context, page } = await open();
    try {
      const base = await h.headingCount(page);
      await page.fill('#f-tod-start', '09:00');
      // One time alone is not applied; the panel says what is missing.
      await page.locator('#f-tod-status', { hasText: 'Set both times' }).waitFor({ state: 'visible' });
      assert.equal(new URL(page.url()).searchParams.get('tod'), null);
      await page.fill('#f-tod-end', '12:30');
      await page.waitForURL((u) => u.searchParams.get('tod') === '09:00-12:30');
      const n = await h.waitHeading(page, (x) => x !== base, 'the time range to apply');
      assert.ok(n > 0 && n < base, `0 < ${n} < ${base}`);
      // Every listed card (the first 50: five pages of ten) starts at 9:00 or later and before 12:30.
      for (let i = 0; i < 4 && (await page.locator('#show-more').count()); i++) await page.click('#show-more');
      const whens = await page.$$eval('ol#results-list > li.card .card__when', (els) => els.map((e) => e.textContent));
      assert.equal(whens.length, Math.min(n, 50));
      const outside = whens.filter((w) => { const m = cardMinutes(w); return m < 9 * 60 || m >= 12 * 60 + 30; });
      assert.deepEqual(outside, [], 'cards outside 09:00-12:30');
      for (const id of ['f-tod-am', 'f-tod-pm', 'f-tod-eve']) assert.equal(await page.isChecked(`#${id}`), false, `${id} unticked`);

      // A reload shows the same inputs and list.
      await page.reload({ waitUntil: 'domcontentloaded' });
      await h.waitLoaded(page);
      assert.equal(await page.inputValue('#f-tod-start'), '09:00');
      assert.equal(await page.inputValue('#f-tod-end'), '12:30');
      assert.equal(await h.headingCount(page), n);
      await page.locator('#f-tod-start').scrollIntoViewIfNeeded();
      await h.screenshot(page, 'filters-time-range-1280x900.png');

      // An end before the start: an inline message, the field marked invalid, the range dropped.
      await page.fill('#f-tod-end', '08:00');
      const error = page.locator('#f-tod-error');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.textContent(), /later than the first/);
      assert.equal(await page.getAttribute('#f-tod-end', 'aria-invalid'), 'true');
      await page.waitForURL((u) => !u.searchParams.has('tod'));
      assert.equal(await h.waitHeading(page, (x) => x === base, 'the list without the invalid range'), base);
      await h.screenshot(page, 'filters-time-range-invalid-1280x900.png');

      // A part of the day replaces the times, and the times replace a part of the day.
      await page.check('#f-tod-am');
      await page.waitForURL((u) => u.searchParams.get('tod') === 'am');
      assert.equal(await page.inputValue('#f-tod-start'), '');
      assert.equal(await page.inputValue('#f-tod-end'), '');
      assert.equal(await error.isVisible(), false);
      await page.locator('#f-tod-status', { hasText: 'start times were cleared' }).waitFor({ state: 'visible' });
      await page.fill('#f-tod-start', '18:00');
      await page.fill('#f-tod-end', '20:00');
      await page.waitForURL((u) => u.searchParams.get('tod') === '18:00-20:00');
      assert.equal(await page.isChecked('#f-tod-am'), false);
      await page.locator('#f-tod-status', { hasText: 'part-of-day choice was cleared' }).waitFor({ state: 'visible' });
      const evening = await h.waitHeading(page, (x) => x !== base, 'the evening range');
      const first = await page.$$eval('ol#results-list > li.card .card__when', (els) => els.map((e) => e.textContent));
      assert.ok(evening > 0 && first.every((w) => { const m = cardMinutes(w); return m >= 18 * 60 && m < 20 * 60; }), first.join(', '));
      // "Clear start times" empties both and removes the filter.
      await page.click('#f-tod-clear');
      await page.waitForURL((u) => !u.searchParams.has('tod'));
      assert.equal(await page.inputValue('#f-tod-start'), '');
      assert.equal(await activeId(page), 'f-tod-start', 'focus goes back to the first time');
    } finally {
      await context.close();
    }
  });

  test('facility bookings: off by default, the checkbox adds exactly the count it shows and writes slots=1', async () => {
    const { context, page } = await open();
    try {
      const box = page.locator('#f-slots');
      assert.equal(await box.isChecked(), false, 'off by default');
      const base = await h.headingCount(page);
      assert.equal(await page.locator('ol#results-list > li.card[data-kind="slot"]').count(), 0, 'no slot cards by default');
      const shown = await countInLabel(page, 'f-slots');
      assert.ok(Number.isInteger(shown) && shown > 0, `the checkbox shows a count (${shown})`);
      await box.check();
      await page.waitForURL((u) => u.searchParams.get('slots') === '1');
      const n = await h.waitHeading(page, (x) => x !== base, 'slots to be included');
      assert.equal(n, base + shown, `${base} sessions + ${shown} slots`);
      assert.equal(await countInLabel(page, 'f-slots'), shown, 'ticked, it counts the slots listed');

      // Only facility names say "hire": with the keyword, every card is a slot, tagged as such.
      await page.fill('#f-keyword', 'hire');
      await page.waitForURL((u) => u.searchParams.get('q') === 'hire');
      const hires = await h.waitHeading(page, (x) => x < n, 'the keyword to apply');
      assert.ok(hires > 0);
      const kinds = await page.$$eval('ol#results-list > li.card', (els) => els.map((e) => e.dataset.kind));
      assert.ok(kinds.length > 0 && kinds.every((k) => k === 'slot'), kinds.join(','));
      assert.match(await page.locator('ol#results-list > li.card').first().textContent(), /Facility booking/);
      assert.equal(await countInLabel(page, 'f-slots'), hires);
      await h.screenshot(page, 'slot-cards-1280x900.png');

      // The slot's own page: its facility, venue and availability.
      await page.locator('ol#results-list > li.card h3 a').first().click();
      const detail = page.locator('section.detail');
      await detail.waitFor({ state: 'visible' });
      assert.match(await detail.textContent(), /Facility booking/);
      assert.match(await detail.textContent(), /Hire/);
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'hidden' });

      // Unticked again: no slots at all.
      await box.uncheck();
      await page.waitForURL((u) => !u.searchParams.has('slots'));
      assert.equal(await h.waitHeading(page, (x) => x === 0, 'slots hidden again'), 0);
      assert.equal(await countInLabel(page, 'f-slots'), hires, 'unticked, it counts what ticking would add');
    } finally {
      await context.close();
    }
  });

  test('filter panel with a start-time range and facility bookings in use: axe-core, keyboard, tap targets at 320 px and desktop', async () => {
    const path = '?v=1&tod=09:00-12:30&slots=1';
    const failures = [];
    const check = (r) => {
      console.log(`axe ${r.label}: ${r.serious.length} serious/critical, ${r.other.length} other`);
      if (r.serious.length || r.other.length) failures.push(`${r.label}:\n${h.formatAxe([...r.serious, ...r.other])}`);
    };
    const desk = await open(path);
    try {
      const { page } = desk;
      assert.equal(await page.inputValue('#f-tod-start'), '09:00');
      assert.equal(await page.inputValue('#f-tod-end'), '12:30');
      assert.equal(await page.isChecked('#f-slots'), true);
      check(await h.axe(page, 'filter panel, range + slots (1280x900)', '#filters-panel'));
      // Keyboard: Tab goes from the first time to the second, then on out of the group.
      await page.focus('#f-tod-start');
      let presses = 0;
      while ((await activeId(page)) === 'f-tod-start' && presses++ < 6) await page.keyboard.press('Tab');
      assert.equal(await activeId(page), 'f-tod-end', 'Tab reaches the second time');
      presses = 0;
      while ((await activeId(page)) === 'f-tod-end' && presses++ < 6) await page.keyboard.press('Tab');
      assert.equal(await activeId(page), 'f-tod-clear', 'Tab leaves the time inputs');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await activeId(page), 'f-tod-end', 'Shift+Tab comes back');
      await page.fill('#f-tod-end', '08:00');
      await page.locator('#f-tod-error').waitFor({ state: 'visible' });
      check(await h.axe(page, 'filter panel, invalid range (1280x900)', '#filters-panel'));
      await page.locator('#f-slots').scrollIntoViewIfNeeded();
      await h.screenshot(page, 'filters-slots-1280x900.png');
    } finally {
      await desk.context.close();
    }
    const narrow = await open(path, { viewport: { width: 320, height: 640 } });
    try {
      const { page } = narrow;
      await page.click('#open-filters');
      await page.locator('#filters-panel.is-open').waitFor({ state: 'visible' });
      check(await h.axe(page, 'filter sheet, range + slots (320x640)', '#filters-panel'));
      const overflow = await page.evaluate(() => {
        const p = document.querySelector('#filters-panel');
        return { doc: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth };
      });
      assert.ok(overflow.doc <= 320 && overflow.panel <= 0, `no sideways scrolling: ${JSON.stringify(overflow)}`);
      for (const sel of ['#f-tod-start', '#f-tod-end', '#f-tod-clear', '.checkbox:has(#f-slots)', '.checkbox:has(#f-tod-am)']) {
        const box = await page.locator(sel).boundingBox();
        assert.ok(box && box.height >= 44 && box.width >= 44, `${sel} is at least 44x44 px: ${JSON.stringify(box)}`);
        assert.ok(box.x >= 0 && box.x + box.width <= 320, `${sel} fits the width: ${JSON.stringify(box)}`);
      }
      await page.locator('#f-slots').scrollIntoViewIfNeeded();
      await h.screenshot(page, 'filters-slots-320x640.png');
      await page.locator('#f-tod-start').scrollIntoViewIfNeeded();
      await h.screenshot(page, 'filters-time-range-320x640.png');
    } finally {
      await narrow.context.close();
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  test('no console errors, page errors, failed requests or external requests during the run', () => {
    assert.equal(finder.problems.problems.length, 0, `\n${finder.problems.format()}`);
  });
});
