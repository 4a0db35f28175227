// The finder page object: one proxy and one browser per spec file (`useFinder`), and the
// locators and actions the specs share (open a view, read its counts, cards and markers).
// Specs keep their assertions; this module only says where things are and how to reach them.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as h from '../harness.mjs';

export const ACTIVITY_PREFIX = 'https://openactive.io/activity-list#';
export const HOSTILE_NAME = '<img src=x onerror=alert(1)><script>alert(1)</script>';

/** Where things are on the finder's page. */
export const at = {
  cards: 'ol#results-list > li.card',
  map: 'div.map',
  markers: '.venue-pin, .marker-cluster',
  demoBanner: '.demo-banner',
  detailHeading: '#detail-heading',
};

/**
 * Registers `before`/`after` hooks in the calling `describe` that start the real proxy
 * (demo mode unless `args` says otherwise) and one headless Chromium, shared by the spec's
 * tests, and returns the finder they drive. Console errors, page errors, failed and external
 * requests of every page opened through it are collected in `finder.problems`.
 */
export function useFinder({ args } = {}) {
  const finder = new Finder();
  before(async () => {
    finder.proxy = await h.startProxy(args ? { args } : {});
    try {
      finder.browser = await h.launchBrowser();
    } catch (e) {
      await finder.proxy.stop();
      throw e;
    }
  });
  after(async () => {
    await finder.browser?.close().catch(() => {});
    await finder.proxy?.stop();
  });
  return finder;
}

/** The finder served by one proxy, seen through one browser. */
export class Finder {
  constructor() {
    this.proxy = null;
    this.browser = null;
    this.problems = new h.Collector();
    /** axe-core reports gathered by the spec's tests, checked together. */
    this.axeReports = [];
    /** `{ loaded, heading }` of the default view, once measured (see `measureBaseline`). */
    this.baseline = undefined;
  }

  /** The proxy's base URL. */
  get url() {
    return this.proxy.url;
  }

  /** A new browser context and page, its problems collected (or into `collector`). */
  newPage(opts = {}, collector = this.problems) {
    return h.newPage(this.browser, collector, opts);
  }

  /** Opens the app at `path` (relative to the proxy) and waits for its data: `{ context, page, loaded }`. */
  async open(path = '', opts = {}) {
    const { context, page } = await this.newPage(opts);
    const loaded = await h.openApp(page, this.url + path);
    return { context, page, loaded };
  }

  /** Measures the default view's session counts (what later tests compare against). */
  async measureBaseline() {
    const { context, page, loaded } = await this.open();
    try {
      this.baseline = { loaded, heading: await h.headingCount(page) };
    } finally {
      await context.close();
    }
    return this.baseline;
  }
}

/** The result cards shown now. */
export const results = (page) => page.locator(at.cards);

/** The session count in the results heading. */
export const count = (page) => h.headingCount(page);

/** The venues with a marker (alone or grouped), as the map reports them. */
export const markers = (page) => h.markerCount(page);

/** Waits until the map's marker count has the same value for a few reads in a row; returns it. */
export async function stableMarkers(page) {
  let last = -1;
  let same = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < h.T.ui) {
    const n = await h.markerCount(page);
    same = n === last ? same + 1 : 0;
    last = n;
    if (same >= 3) return n;
    await page.waitForTimeout(100);
  }
  return last;
}

/** The id of the focused element ('' when none). */
export const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** Labels of an Activity List concept and everything narrower (the filter includes them). */
export function labelsUnder(id) {
  const list = JSON.parse(readFileSync(resolve(h.ROOT, 'crates/openactive/vocab/activity-list.jsonld'), 'utf8'));
  const byId = new Map(list.concept.map((c) => [c.id, c]));
  const children = new Map();
  for (const c of list.concept) {
    for (const n of c.narrower ?? []) children.set(c.id, [...(children.get(c.id) ?? []), n]);
    for (const b of c.broader ?? []) children.set(b, [...(children.get(b) ?? []), c.id]);
  }
  const out = new Set();
  const stack = [id];
  const seen = new Set();
  while (stack.length) {
    const x = stack.pop();
    if (seen.has(x)) continue;
    seen.add(x);
    if (byId.has(x)) out.add(byId.get(x).prefLabel);
    stack.push(...(children.get(x) ?? []));
  }
  return out;
}

/** "(123)" at the end of a control's label → 123. */
export const countInLabel = (page, id) => page.locator(`label[for="${id}"]`).textContent()
  .then((t) => Number(/\((\d+)\)\s*$/.exec(t.trim())?.[1]));

/** "Mon 30 Nov, 9:00am" → minutes after midnight. */
export function cardMinutes(text) {
  const m = /(\d{1,2}):(\d{2})(am|pm)$/.exec(text.trim());
  assert.ok(m, `a clock time in ${JSON.stringify(text)}`);
  return (Number(m[1]) % 12) * 60 + Number(m[2]) + (m[3] === 'pm' ? 720 : 0);
}
