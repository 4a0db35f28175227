// End to end, against the real proxy in demo mode and Debian's headless Chromium (split from
// the former finder.test.mjs; assertions unchanged). The session page and what every card says about its source, cancelled sessions, keyboard use, and axe-core over the views these tests opened.
// Run: node --test --test-concurrency=1 tests/e2e/views.test.mjs   (or scripts/e2e.sh for all)

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as h from './harness.mjs';
import { useFinder, activeId } from './pages/finder.mjs';

describe('The session page, trust, cancelled sessions, keyboard, axe-core, screenshots', () => {
  const finder = useFinder();
  const open = (path, opts) => finder.open(path, opts);
  // The default view's counts, which some checks below compare against.
  before(() => finder.measureBaseline());

  test('the session page: opens with focus on its heading and Source attribution; Escape closes it', async () => {
    const { context, page } = await open();
    try {
      const link = page.locator('ol#results-list > li.card h3 a').first();
      const title = (await link.textContent()).trim();
      const key = await page.locator('ol#results-list > li.card').first().getAttribute('data-key');
      await link.click();
      await page.locator('section.detail').waitFor({ state: 'visible' });
      await page.waitForURL((u) => u.searchParams.get('s') === key);
      await page.waitForFunction(() => document.activeElement?.id === 'detail-heading', null, { timeout: h.T.ui });
      assert.equal((await page.locator('#detail-heading').textContent()).trim(), title);
      assert.match(await page.locator('section.detail .detail__source').textContent(), /^Source: \S/);
      // What only a session page shows comes from the pack's detail chunk, fetched on opening.
      const instructions = page.locator('section.detail .detail__row', { hasText: 'Instructions' });
      await instructions.waitFor({ state: 'visible', timeout: h.T.ui });
      assert.match(await instructions.textContent(), /arrive 10 minutes early/);
      await page.waitForFunction(() => document.activeElement?.id === 'detail-heading', null, { timeout: h.T.ui });
      const a = await h.axe(page, 'session detail open (1280x900)');
      finder.axeReports.push(a);
      await page.keyboard.press('Escape');
      await page.locator('section.detail').waitFor({ state: 'detached' });
      await page.waitForURL((u) => !u.searchParams.has('s'));
      // Focus goes back to the session's card link, not to the top of the page.
      const f = await h.focusInfo(page);
      assert.ok(f.tag === 'a' && f.inCard && f.text === title, `focus after closing: ${JSON.stringify(f)}`);
    } finally {
      await context.close();
    }
  });

  test('trust on every card and the session page: who listed it, updated, checked; report a problem; hidden counts in Data sources', async () => {
    const { feeds } = await (await fetch(`${finder.url}api/feeds`)).json();
    const publishers = new Set(feeds.map((f) => f.publisher));
    const { context, page } = await open();
    try {
      const cards = page.locator('ol#results-list > li.card');
      const n = await cards.count();
      const lines = await page.$$eval('ol#results-list > li.card .card__trust', (els) => els.map((e) => e.textContent.trim()));
      assert.equal(lines.length, n, 'every card has a trust line');
      const TRUST = /^Listed by (.+?) · updated (just now|\d+ min ago|\d+ hours? ago|\d+ days? ago|on \d{1,2} [A-Z][a-z]{2}( \d{4})?) · checked (just now|\d+ min ago)$/;
      for (const l of lines) {
        const m = TRUST.exec(l);
        assert.ok(m, `trust line ${JSON.stringify(l)}`);
        assert.ok(publishers.has(m[1]), `${m[1]} is a feed's publisher`);
      }
      // The session page says the same, with where to report a problem.
      await cards.first().locator('h3 a').click();
      await page.locator('section.detail').waitFor({ state: 'visible' });
      const detailTrust = (await page.locator('section.detail .detail__trust').textContent()).trim();
      assert.match(detailTrust, TRUST);
      assert.equal(TRUST.exec(detailTrust)[1], TRUST.exec(lines[0])[1], 'the same publisher as its card');
      const report = page.locator('#report-problem');
      await report.waitFor({ state: 'visible' });
      assert.equal((await report.textContent()).trim(), 'Report a problem with this listing');
      const href = await report.getAttribute('href');
      assert.match(href, /^(https?:\/\/|mailto:[^?]+@[^?]+\?subject=)/, href);
      assert.match(await page.locator('section.detail .detail__report').textContent(), /\((emails the organiser|the organiser's website, opens in a new tab|the publisher's data page, opens in a new tab)\)/);
      if (!href.startsWith('mailto:')) assert.equal(await report.getAttribute('target'), '_blank');
      const until = page.locator('section.detail .detail__listed-until');
      if (await until.count()) assert.match(await until.textContent(), /^Dates listed until (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}( \d{4})?$/);
      await h.screenshot(page, 'session-trust.png');
      await report.scrollIntoViewIfNeeded();
      await h.screenshot(page, 'session-report-a-problem.png');
      finder.axeReports.push(await h.axe(page, 'session detail with trust line and report link (1280x900)'));
      await page.keyboard.press('Escape');
      await page.locator('section.detail').waitFor({ state: 'detached' });
      // Data sources: every feed with its hidden counts, by reason.
      await page.locator('.load-status__feeds summary').click();
      // Its lines are built when it is first opened.
      await page.locator('.feed-status').first().waitFor({ state: 'attached' });
      const statuses = await page.locator('.feed-status').allTextContents();
      assert.equal(statuses.length, feeds.length, 'one line per feed');
      assert.ok(statuses.some((t) => /not shown: .*\d+ (past|cancelled)/.test(t)), statuses.join('\n'));
      await page.locator('.load-status__feeds').screenshot({ path: join(h.RESULTS_DIR, 'data-sources-hidden-counts.png') });
      finder.axeReports.push(await h.axe(page, 'main view with Data sources open (1280x900)'));
    } finally {
      await context.close();
    }
  });

  test('cancelled sessions: hidden by default; "Show cancelled sessions" adds exactly its count, marked "Cancelled", and writes cx=1', async () => {
    // A cancelled upcoming session from the relay, and a filter that lists it among few.
    const { feeds } = await (await fetch(`${finder.url}api/feeds`)).json();
    let found = null;
    for (const f of feeds.filter((x) => x.kind === 'ScheduledSession')) {
      let url = `${finder.url}feeds/${f.id}`;
      for (let i = 0; i < 200 && !found; i += 1) {
        const pg = await (await fetch(url)).json();
        found = pg.items.find((it) => it.state === 'updated' && /Cancelled/.test(it.data?.eventStatus ?? '')
          && Date.parse(it.data.startDate) > Date.now() + 3600_000 && Date.parse(it.data.startDate) < Date.now() + 20 * 86400_000)?.data ?? null;
        if (!pg.items.length) break;
        url = new URL(pg.next, url).href;
      }
      if (found) break;
    }
    assert.ok(found, 'the demo has a cancelled upcoming session');
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(found.startDate)).map((p) => [p.type, p.value]));
    const day = `${parts.year}-${parts.month}-${parts.day}`;
    const mins = Number(parts.hour) * 60 + Number(parts.minute);
    const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const query = `?v=1&from=${day}&to=${day}&tod=${hhmm(mins)}-${hhmm(mins + 1)}`;
    const { context, page } = await open(query);
    const card = page.locator(`ol#results-list > li.card[data-key="${found['@id']}"]`);
    const labelCount = async () => Number(/\((\d+)\)\s*$/.exec((await page.locator('label[for="f-cancelled"]').textContent()).trim())?.[1]);
    try {
      assert.equal(await card.count(), 0, 'hidden by default');
      assert.equal(await page.isChecked('#f-cancelled'), false);
      const before = await h.headingCount(page);
      const n = await labelCount();
      assert.ok(n >= 1, `the option counts the cancelled session(s): ${n}`);
      await page.check('#f-cancelled');
      await page.waitForURL((u) => u.searchParams.get('cx') === '1');
      const after = await h.waitHeading(page, (x) => x !== before, 'cancelled sessions to be added');
      assert.equal(after, before + n, 'the checkbox adds exactly the count it showed');
      assert.equal(await labelCount(), n, 'and then counts how many of the results are cancelled');
      await card.waitFor({ state: 'visible' });
      assert.match(await card.getAttribute('class'), /card--cancelled/);
      assert.equal((await card.locator('.card__cancelled').textContent()).trim(), 'Cancelled: this session will not take place');
      assert.equal(await page.locator('ol#results-list > li.card .card__cancelled').count(), n, 'every cancelled result is marked');
      await card.scrollIntoViewIfNeeded();
      await h.screenshot(page, 'cancelled-shown-cx1.png');
      finder.axeReports.push(await h.axe(page, 'list with cancelled sessions shown (1280x900)'));
      // Data sources no longer calls them "not shown".
      await page.locator('.load-status__feeds summary').click();
      // Its lines are built when it is first opened.
      await page.locator('.feed-status').first().waitFor({ state: 'attached' });
      const statuses = (await page.locator('.feed-status').allTextContents()).join('\n');
      assert.match(statuses, /\d+ cancelled shown, marked/);
      assert.doesNotMatch(statuses, /not shown: [^;]*cancelled/);
      await card.locator('h3 a').click();
      await page.locator('section.detail').waitFor({ state: 'visible' });
      assert.match(await page.locator('section.detail .detail__cancelled').textContent(), /^Cancelled: this session has been cancelled/);
      await h.screenshot(page, 'cancelled-session-page.png');
      await page.keyboard.press('Escape');
      // The URL is written after the next paint: wait for it to drop the session before reloading.
      await page.waitForURL((u) => !u.searchParams.has('s'));
      // A reload keeps it; unticking goes back to the default (no cx in the URL).
      await page.reload();
      await h.waitLoaded(page);
      assert.equal(await page.isChecked('#f-cancelled'), true);
      assert.equal(await h.headingCount(page), after);
      await page.uncheck('#f-cancelled');
      await page.waitForURL((u) => !u.searchParams.has('cx'));
      assert.equal(await h.waitHeading(page, (x) => x === before, 'cancelled sessions to go'), before);
    } finally {
      await context.close();
    }
    // A bad value falls back to the default with the usual notice.
    const bad = await open('?v=1&cx=maybe');
    try {
      const notice = bad.page.locator('.notice[role=status]');
      await notice.first().waitFor({ state: 'visible' });
      assert.match(await notice.first().textContent(), /show cancelled sessions/);
      assert.equal(await bad.page.isChecked('#f-cancelled'), false);
      if (finder.baseline) assert.equal(await h.headingCount(bad.page), finder.baseline.heading);
    } finally {
      await bad.context.close();
    }
  });

  test('keyboard only: skip link, toggle "Free only" with Space, pick a gender with ArrowDown, open a session with Enter', async () => {
    const { context, page } = await open();
    const kb = page.keyboard;
    try {
      const n0 = await h.headingCount(page);
      // Give the tab real focus: with only emulated focus, headless Chromium sometimes keeps a
      // stale (unfocused) computed style for the focused element.
      await page.bringToFront();
      // The first Tab reaches the skip link, and it becomes visible.
      await kb.press('Tab');
      let f = await h.focusInfo(page);
      assert.equal(f.text, 'Skip to results');
      assert.ok(f.focusVisible && f.outline, 'skip link shows focus');
      const box = await page.evaluate(() => ({
        ...document.activeElement.getBoundingClientRect().toJSON(),
        hasFocus: document.hasFocus(),
        focus: document.activeElement.matches(':focus'),
        active: document.activeElement.className,
        visibility: document.visibilityState,
      }));
      assert.ok(box.left >= 0 && box.top >= 0 && box.width > 40 && box.height > 20, `skip link is on screen and unclipped when focused: ${JSON.stringify(box)}`);

      async function tabTo(pred, what, max = 200) {
        for (let i = 0; i < max; i++) {
          await kb.press('Tab');
          const info = await h.focusInfo(page);
          if (pred(info)) return info;
        }
        throw new Error(`Tab never reached ${what}`);
      }
      f = await tabTo((x) => x.id === 'f-free', '#f-free');
      assert.ok(f.focusVisible && f.outline, `#f-free shows focus: ${JSON.stringify(f)}`);
      await kb.press('Space');
      await page.waitForURL((u) => u.searchParams.get('free') === '1');
      assert.equal(await page.isChecked('#f-free'), true);
      const n1 = await h.waitHeading(page, (x) => x !== n0, 'the free filter');
      assert.equal(await activeId(page), 'f-free', 'focus stays on the checkbox');

      f = await tabTo((x) => x.id === 'f-gender', '#f-gender');
      assert.ok(f.focusVisible, '#f-gender shows focus');
      await kb.press('ArrowDown');
      await page.waitForURL((u) => u.searchParams.has('g'));
      await h.waitHeading(page, (x) => x !== n1, 'the gender filter');
      assert.equal(await activeId(page), 'f-gender');

      f = await tabTo((x) => x.tag === 'a' && x.inCard, 'the first card link');
      assert.ok(f.focusVisible && f.outline, 'card link shows focus');
      const first = (await page.locator('ol#results-list > li.card h3 a').first().textContent()).trim();
      assert.equal(f.text, first, 'the first card link is the first reached');
      await kb.press('Enter');
      await page.locator('section.detail').waitFor({ state: 'visible' });
      await page.waitForFunction(() => document.activeElement?.id === 'detail-heading', null, { timeout: h.T.ui });
      assert.equal((await page.locator('#detail-heading').textContent()).trim(), first);
      // The URL is written when the page is next idle (src/url_state.rs).
      await page.waitForURL((u) => u.searchParams.has('s'), { timeout: h.T.ui });
      // Back to results with the keyboard: focus returns to the card link, visibly.
      await tabTo((x) => x.text === 'Back to results', 'the Back to results button', 40);
      await kb.press('Enter');
      await page.locator('section.detail').waitFor({ state: 'detached' });
      f = await h.focusInfo(page);
      assert.ok(f.tag === 'a' && f.inCard && f.text === first && f.focusVisible, `focus after closing: ${JSON.stringify(f)}`);
    } finally {
      await context.close();
    }
  });

  test('axe-core: no serious or critical violations (main view, 320 px wide list and map)', async () => {
    const main = await open();
    try {
      await h.waitMarkersInView(main.page);
      finder.axeReports.push(await h.axe(main.page, 'main view (1280x900)'));
    } finally {
      await main.context.close();
    }
    const narrow = await open('', { viewport: { width: 320, height: 640 } });
    try {
      finder.axeReports.push(await h.axe(narrow.page, 'main view (320x640)'));
      await narrow.page.getByRole('button', { name: 'Map', exact: true }).click();
      await narrow.page.waitForURL((u) => u.searchParams.get('view') === 'map');
      await narrow.page.locator('div.map').waitFor({ state: 'visible' });
      await h.waitMarkersInView(narrow.page);
      await narrow.page.locator('.leaflet-control-attribution a').first().waitFor({ state: 'visible' });
      finder.axeReports.push(await h.axe(narrow.page, 'map view (320x640)'));
    } finally {
      await narrow.context.close();
    }
    const lines = [];
    for (const r of finder.axeReports) {
      lines.push(`axe ${r.label}: ${r.serious.length} serious/critical, ${r.other.length} other`);
      if (r.serious.length) lines.push(h.formatAxe(r.serious));
      if (r.other.length) lines.push(h.formatAxe(r.other));
    }
    console.log(lines.join('\n'));
    const bad = finder.axeReports.filter((r) => r.serious.length);
    assert.equal(bad.length, 0, bad.map((r) => `${r.label}:\n${h.formatAxe(r.serious)}`).join('\n'));
    assert.ok(finder.axeReports.some((r) => r.label.startsWith('session detail')), 'the detail view was checked');
  });

  test('screenshots: phone 390x844 list view and map view (via the Map toggle)', async () => {
    const { context, page } = await open('', { viewport: { width: 390, height: 844 } });
    try {
      // What a phone shows first, then the list itself (scrolled to the results heading).
      await h.screenshot(page, 'phone-390x844-top.png');
      await page.evaluate(() => document.querySelector('#results-heading').scrollIntoView({ block: 'start' }));
      await h.screenshot(page, 'phone-390x844-list.png');
      assert.equal(await page.locator('div.map').isVisible(), false, 'map hidden in list view');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.getByRole('button', { name: 'Map', exact: true }).click();
      await page.waitForURL((u) => u.searchParams.get('view') === 'map');
      await page.locator('div.map').waitFor({ state: 'visible' });
      await page.locator('.venue-pin, .marker-cluster').first().waitFor({ state: 'visible' });
      // A map first laid out while hidden must still show the venues once it is shown.
      await h.waitMarkersInView(page);
      assert.ok(!new URL(page.url()).searchParams.has('map'), 'showing the map is not recorded as a map move');
      assert.equal(await page.locator('section.results').isVisible(), false, 'list hidden in map view');
      await page.evaluate(() => document.querySelector('div.map').scrollIntoView({ block: 'start' }));
      await h.screenshot(page, 'phone-390x844-map.png');
    } finally {
      await context.close();
    }
  });

  test('no console errors, page errors, failed requests or external requests during the run', () => {
    assert.equal(finder.problems.problems.length, 0, `\n${finder.problems.format()}`);
  });
});
