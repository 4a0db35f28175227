// Embedding end to end: the app generates a snippet, a host page on another loopback origin
// pastes it, and the framed finder renders, resizes, keeps its theme and locked filters, opens
// links in new tabs and ignores messages from the host; an origin not in `frame_ancestors` is
// refused by the CSP. Needs an existing dist/ and proxy binary (see harness.mjs).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as h from './harness.mjs';

/** A static host page server on 127.0.0.1:<port>; `pages` maps a path to its HTML. */
async function startHost(pages) {
  const port = await h.freePort();
  const srv = createServer((req, res) => {
    const body = pages.get(req.url.split('?')[0]);
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise((ok) => srv.listen(port, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => srv.close(ok)) };
}

const hostPage = (title, colour, snippet, text = '#111') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="margin:0;font-family:sans-serif;background:${colour};color:${text}">
<header style="padding:1rem 2rem"><h1 style="margin:0">${title}</h1><p>Find something active near you.</p></header>
<main style="padding:0 2rem">
${snippet}
</main>
<footer style="padding:1rem 2rem">Host footer</footer>
</body></html>`;

/** The framed finder of a host page, once it has loaded its data. */
async function finderFrame(page) {
  const handle = await page.waitForSelector('div[data-activity-finder] iframe', { timeout: h.T.ui });
  const frame = await handle.contentFrame();
  await h.waitLoaded(frame);
  return { handle, frame };
}

const frameHeight = (page) => page.$eval('div[data-activity-finder] iframe', (f) => parseFloat(f.style.height));

/** The height of the content inside the frame. */
const contentHeight = (frame) => frame.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));

/** The frame's height once it has stopped changing: the host page's iframe as tall as the
 *  content inside it, and the same over half a second (opening "Share this list" or a change
 *  of results is reported after its own render). */
async function settledFrameHeight(page, frame) {
  const deadline = Date.now() + h.T.ui;
  let last = null;
  for (;;) {
    const outer = await frameHeight(page);
    const inner = await contentHeight(frame);
    if (Math.abs(outer - inner) <= 2 && last !== null && Math.abs(outer - last) <= 2) return outer;
    if (Date.now() > deadline) throw new Error(`frame height not settled: iframe ${outer}px, content ${inner}px, before ${last}px`);
    last = Math.abs(outer - inner) <= 2 ? outer : null;
    await page.waitForTimeout(250);
  }
}

/** Fills the "Embed this search" form on the app page and returns the two snippets. */
async function makeSnippet(page, { fg, bg, accent, font, view, groups }) {
  await page.locator('#embed-this summary').click();
  for (const [id, v] of [['#embed-fg', fg], ['#embed-bg', bg], ['#embed-accent', accent]]) {
    if (v) {
      await page.locator(id).fill(v);
      await page.locator(id).dispatchEvent('change');
    }
  }
  if (font) await page.locator('#embed-font').selectOption(font);
  if (view) await page.locator('#embed-view').selectOption(view);
  for (const [g, mode] of Object.entries(groups ?? {})) await page.locator(`#embed-group-${g}`).selectOption(mode);
  const script = await page.locator('#embed-snippet').inputValue();
  const iframe = await page.locator('#embed-iframe').inputValue();
  return { script, iframe };
}

describe('Embedding in a host page (demo data)', () => {
  let proxy;
  let browser;
  let host;
  let stranger;
  let tmp;
  const pages = new Map();
  const problems = new h.Collector();

  before(async () => {
    // The host's origin must be known before the proxy starts (frame_ancestors), so the host
    // server starts first and its pages are filled in once the snippets exist.
    host = await startHost(pages);
    stranger = await startHost(pages);
    tmp = mkdtempSync(join(tmpdir(), 'af-embed-'));
    const cfg = join(tmp, 'embed.toml');
    writeFileSync(cfg, `frame_ancestors = ["${host.origin}"]\n`);
    proxy = await h.startProxy({ args: ['--demo', '--config', cfg, '--state-dir', join(tmp, 'state')] });
    browser = await h.launchBrowser();
    mkdirSync(h.RESULTS_DIR, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await host?.close();
    await stranger?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('a pasted snippet gives a themed, resizing finder with its locked filters', async () => {
    const { context, page } = await h.newPage(browser, problems);
    try {
      // The agency's search: free weekday sessions, price locked.
      await h.openApp(page, `${proxy.url}?free=1&days=mon,tue,wed,thu,fri`);
      const a = await makeSnippet(page, {
        fg: '#222222', bg: '#fffdf5', accent: '#005a30', font: 'serif',
        groups: { price: 'locked', slots: 'hidden' },
      });
      assert.match(a.script, /^<script src="http:\/\/127\.0\.0\.1:\d+\/embed\.js" async><\/script>\n<div data-activity-finder data-src="[^"<>]+"><\/div>$/);
      assert.match(a.iframe, /^<iframe src="[^"<>]+" title="Activity Finder" width="100%" height="900" style="border:0"><\/iframe>$/);
      assert.ok(a.script.includes('lock=free%2Cmax'), a.script);
      // A too-light text colour is corrected, with a notice on the embed page.
      await page.locator('#embed-fg').fill('#dddddd');
      await page.locator('#embed-fg').dispatchEvent('change');
      await page.waitForFunction(() => /too little contrast/.test(document.querySelector('.embed-notices')?.textContent ?? ''));
      assert.ok(!(await page.locator('#embed-snippet').inputValue()).includes('fg=%23dddddd'));
      await page.locator('#embed-fg').fill('#222222');
      await page.locator('#embed-fg').dispatchEvent('change');
      const embedPage = await h.axe(page, 'Embed this search (open)', '#embed-this');
      assert.equal(embedPage.serious.length, 0, h.formatAxe(embedPage.serious));

      const b = await (async () => {
        await page.goto(`${proxy.url}?q=yoga`, { waitUntil: 'domcontentloaded' });
        await h.waitLoaded(page);
        return makeSnippet(page, {
          fg: '#f4f4f4', bg: '#1b1f3b', accent: '#ffd166', font: 'rounded', groups: { q: 'locked' },
        });
      })();
      writeFileSync(resolve(h.RESULTS_DIR, 'embed-snippets.html'), `<!-- host A -->\n${a.script}\n<!-- host A, plain frame -->\n${a.iframe}\n<!-- host B -->\n${b.script}\n`);
      pages.set('/a', hostPage('Northgate Health Hub', '#e9f5ee', a.script));
      pages.set('/b', hostPage('Riverside Social Prescribing', '#20243f', b.script, '#f4f4f4'));
      pages.set('/plain', hostPage('Plain frame', '#ffffff', a.iframe));
    } finally {
      await context.close();
    }

    const { context: hostCtx, page: hostA } = await h.newPage(browser, problems, { viewport: { width: 1100, height: 900 } });
    try {
      await hostA.goto(`${host.origin}/a`, { waitUntil: 'domcontentloaded' });
      const { frame } = await finderFrame(hostA);
      // Compact layout: no site header, demo banner kept.
      assert.equal(await frame.locator('.site-title').count(), 0);
      assert.equal(await frame.locator('.demo-banner').count(), 1);
      // The frame grows to its content.
      await hostA.waitForFunction(() => parseFloat(document.querySelector('div[data-activity-finder] iframe').style.height) !== 600);
      const tall = await frameHeight(hostA);
      const body = await contentHeight(frame);
      assert.ok(Math.abs(tall - body) <= 2, `frame ${tall}px, content ${body}px`);
      // Every card is drawn and counted at its own size, below the host's fold too (not left
      // to `content-visibility: auto`, which waits for the host page's scrolling).
      const undrawn = await frame.evaluate(() => [...document.querySelectorAll('li.card')]
        .filter((c) => !c.firstElementChild.checkVisibility({ contentVisibilityAuto: true })).length);
      assert.equal(undrawn, 0, `${undrawn} cards not drawn in the frame`);
      // Theme through CSS custom properties.
      const theme = await frame.evaluate(() => {
        const s = getComputedStyle(document.documentElement);
        return { bg: s.getPropertyValue('--af-bg').trim(), brand: s.getPropertyValue('--af-brand').trim(), font: s.fontFamily, background: s.backgroundColor };
      });
      assert.equal(theme.bg, '#fffdf5');
      assert.equal(theme.brand, '#005a30');
      assert.match(theme.font, /Charter|Georgia|serif/);
      assert.equal(theme.background, 'rgb(255, 253, 245)');
      // Locked and hidden filters: no controls, and "Clear all" keeps the locked ones.
      assert.equal(await frame.locator('#f-free').count(), 0);
      assert.equal(await frame.locator('#f-slots, [id^="f-slots"]').count(), 0);
      const before = await h.headingCount(frame);
      await frame.locator('button', { hasText: 'Clear all filters' }).click();
      await frame.waitForFunction(() => !/days=/.test(location.search));
      const search = await frame.evaluate(() => location.search);
      assert.match(search, /free=1/);
      assert.match(search, /lock=free%2Cmax/);
      // "Share this list" builds its links when first opened.
      await frame.locator('details.share summary').click();
      const mail = await frame.locator('a[href^="mailto:"]').getAttribute('href');
      assert.ok(mail.includes('free%3D1') && mail.includes('lock%3Dfree'), mail);
      assert.ok(!mail.includes('embed%3D1'), 'a shared link opens the full page');
      assert.ok((await h.headingCount(frame)) >= before);
      // Results change: the frame shrinks with them.
      const grown = await settledFrameHeight(hostA, frame);
      await frame.locator('#f-keyword').fill('zzzz-no-such-session');
      await h.waitHeading(frame, (n) => n === 0, 'no results');
      await hostA.waitForFunction((g) => parseFloat(document.querySelector('div[data-activity-finder] iframe').style.height) < g, grown);
      await frame.locator('#f-keyword').fill('');
      await h.waitHeading(frame, (n) => n > 0, 'results back');
      // The URL is written when the page is next idle (src/url_state.rs).
      await frame.waitForFunction(() => !/[?&]q=/.test(location.search));
      await hostA.waitForFunction((g) => Math.abs(parseFloat(document.querySelector('div[data-activity-finder] iframe').style.height) - g) <= 2, grown);

      // Messages from the host change nothing.
      const state = async () => ({
        search: await frame.evaluate(() => location.search),
        heading: await h.headingCount(frame),
        height: await frameHeight(hostA),
      });
      const s0 = await state();
      await hostA.evaluate(() => {
        const w = document.querySelector('div[data-activity-finder] iframe').contentWindow;
        w.postMessage({ type: 'activity-finder:height', height: 5 }, '*');
        w.postMessage({ type: 'activity-finder:filters', q: 'yoga', free: 0 }, '*');
        w.postMessage('navigate:/?q=yoga', '*');
      });
      await hostA.waitForTimeout(500);
      assert.deepEqual(await state(), s0);
      // A forged height message from the host page itself is ignored by embed.js.
      await hostA.evaluate(() => window.postMessage({ type: 'activity-finder:height', height: 7 }, '*'));
      await hostA.waitForTimeout(200);
      assert.equal(await frameHeight(hostA), s0.height);

      // Links to other sites open in a new tab.
      await frame.locator('ol#results-list > li.card a').first().click();
      await frame.waitForSelector('.detail');
      const book = frame.locator('.detail a.button[href^="http"]');
      if (await book.count()) assert.equal(await book.first().getAttribute('target'), '_blank');
      await frame.locator('.detail button', { hasText: 'Back to results' }).click();
      await frame.waitForFunction(() => !/[?&]s=/.test(location.search));
      const footerTarget = await frame.evaluate(() => {
        const a = document.querySelector('.site-footer a[href^="https://www.openactive.io"]');
        a.addEventListener('click', (e) => e.preventDefault(), { once: true });
        a.click();
        return a.target;
      });
      assert.equal(footerTarget, '_blank');

      // Accessibility inside the frame.
      const report = await h.axe(frame, 'embedded finder');
      assert.equal(report.serious.length, 0, h.formatAxe(report.serious));
      await hostA.screenshot({ path: resolve(h.RESULTS_DIR, 'embed-host-a.png'), fullPage: true });

      // The second host: dark theme, keyword locked.
      await hostA.goto(`${host.origin}/b`, { waitUntil: 'domcontentloaded' });
      const { frame: fb } = await finderFrame(hostA);
      assert.equal(await fb.locator('#f-keyword').count(), 0);
      assert.match(await fb.evaluate(() => location.search), /q=yoga/);
      const bgB = await fb.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      assert.equal(bgB, 'rgb(27, 31, 59)');
      const reportB = await h.axe(fb, 'embedded finder, dark theme');
      assert.equal(reportB.serious.length, 0, h.formatAxe(reportB.serious));
      await hostA.waitForFunction(() => parseFloat(document.querySelector('div[data-activity-finder] iframe').style.height) !== 600);
      await hostA.screenshot({ path: resolve(h.RESULTS_DIR, 'embed-host-b.png'), fullPage: true });
      // The map's own chrome takes the theme's colours: its attribution, and a venue's popup.
      // (axe leaves Leaflet's translucent attribution box as "needs review", so its link's
      // contrast is worked out here: WCAG's formula, a translucent box taken over white.)
      const attributionRatio = await fb.evaluate(() => {
        const rgba = (c) => (c.match(/[\d.]+/g) || []).map(Number);
        const box = document.querySelector('.leaflet-control-attribution');
        const link = box.querySelector('a');
        const [br, bg, bb, ba = 1] = rgba(getComputedStyle(box).backgroundColor);
        const back = [br, bg, bb].map((v) => v * ba + 255 * (1 - ba));
        const fore = rgba(getComputedStyle(link).color).slice(0, 3);
        const lum = (c) => c.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; })
          .reduce((t, v, i) => t + v * [0.2126, 0.7152, 0.0722][i], 0);
        const [a, b] = [lum(back), lum(fore)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
      });
      assert.ok(attributionRatio >= 4.5, `map attribution link contrast ${attributionRatio.toFixed(2)}:1`);
      const venue = await h.venueMarkerInView(fb);
      assert.ok(venue, 'a single venue marker in view');
      await venue.click();
      await fb.locator('.leaflet-popup .venue-popup').waitFor();
      const popupB = await h.axe(fb, 'dark theme, map popup', '.leaflet-popup');
      assert.equal(popupB.serious.length, 0, h.formatAxe(popupB.serious));
      await fb.locator('.leaflet-popup').scrollIntoViewIfNeeded();
      await hostA.screenshot({ path: resolve(h.RESULTS_DIR, 'embed-host-b-popup.png') });

      // The plain iframe fallback renders too.
      await hostA.goto(`${host.origin}/plain`, { waitUntil: 'domcontentloaded' });
      const plain = await (await hostA.waitForSelector('iframe')).contentFrame();
      await h.waitLoaded(plain);
    } finally {
      await hostCtx.close();
    }
    assert.equal(problems.problems.length, 0, problems.format());
  });

  test('an origin not in frame_ancestors is refused framing', async () => {
    const refused = new h.Collector();
    const { context, page } = await h.newPage(browser, refused);
    try {
      const snippet = `<script src="${proxy.url}embed.js" async></script>\n<div data-activity-finder data-src="${proxy.url}?free=1"></div>`;
      pages.set('/stranger', hostPage('Not allowed', '#fff', snippet));
      const csp = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: h.T.ui });
      await page.goto(`${stranger.origin}/stranger`, { waitUntil: 'domcontentloaded' });
      await csp;
      const handle = await page.waitForSelector('div[data-activity-finder] iframe');
      const frame = await handle.contentFrame();
      const rendered = frame ? await frame.locator('#main').count().catch(() => 0) : 0;
      assert.equal(rendered, 0, 'the finder must not render inside a refused frame');
      assert.equal(await frameHeight(page), 600, 'a refused frame never reports a height');
    } finally {
      await context.close();
    }
  });
});
