// Browser load benchmark: time to first result, time to the full index, peak JS heap and wasm
// memory, bytes transferred, beside the floor (the same pages fetched and JSON.parse'd by a bare
// script) in the same browser and profile.
//
//   node bench/load.mjs [--size london|default|small|N] [--profile laptop|phone|both] [--runs N]
//                       [--cpu-profile]   (also: a CDP CPU profile of each app load, summarised,
//                                          saved as bench/out/load-PROFILE.cpuprofile)
//
// Needs the trunk release build in dist/ and the release proxy (built when missing).
// Writes bench/out/load.json.
import {
  PROFILES, parseArgs, startProxy, launchBrowser, profiledPage, heapSampler, metric, withTimeout,
  writeJson, table, fmtMs, fmtMB, median, guarded, sleep, ROOT, summariseProfile,
} from './lib.mjs';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = parseArgs(process.argv.slice(2), { size: 'london', profile: 'both', runs: '1', timeout: '240' });
const profiles = args.profile === 'both' ? ['laptop', 'phone'] : [args.profile];
for (const p of profiles) if (!PROFILES[p]) throw new Error(`unknown profile ${p}`);
const runs = Math.max(1, Number(args.runs) || 1);
const loadTimeoutMs = Number(args.timeout) * 1000;

// Installed before any page script: first `li.card` in #results-list (MutationObserver), the
// paint after it (next rAF), and the wasm instance's memory (trunk's TrunkApplicationStarted event).
const INIT = `(() => {
  const af = (window.__af = { firstCard: null, firstCardPaint: null, wasm: null, wasmPeak: 0 });
  addEventListener('TrunkApplicationStarted', (e) => { af.wasm = e.detail && e.detail.wasm; });
  const mo = new MutationObserver(() => {
    if (af.firstCard === null && document.querySelector('#results-list li.card')) {
      af.firstCard = performance.now();
      mo.disconnect();
      requestAnimationFrame(() => { af.firstCardPaint = performance.now(); });
    }
  });
  mo.observe(document, { childList: true, subtree: true });
  af.wasmBytes = () => { try { const b = af.wasm.memory.buffer.byteLength; af.wasmPeak = Math.max(af.wasmPeak, b); return b; } catch { return null; } };
})();`;

// The floor: the same requests the app makes (feed list, vocab, every feed's pages following
// `next`, 4 feeds at a time), each body JSON.parse'd, nothing else.
async function floorScript() {
  const t0 = performance.now();
  const get = async (u) => { const r = await fetch(u); if (!r.ok) throw new Error(`${u}: ${r.status}`); return r.text(); };
  const list = JSON.parse(await get('/api/feeds'));
  JSON.parse(await get('/vocab/activity-list.jsonld'));
  const queue = list.feeds.filter((f) => f.status !== 'failing' && f.status !== 'gone').slice();
  let items = 0;
  let pages = 0;
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      let url = new URL(f.url, location.href).href;
      for (let n = 0; n < 2000; n++) {
        const page = JSON.parse(await get(url));
        pages += 1;
        const count = (page.items || []).length;
        items += count;
        const next = new URL(page.next, url).href;
        if (count === 0 || next === url) break;
        url = next;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  return { ms: performance.now() - t0, items, pages, feeds: list.feeds.length };
}

async function measureApp(browser, profile, base) {
  const s = await profiledPage(browser, profile, { initScript: INIT });
  try {
    const heap = heapSampler(s.cdp, 200);
    const wasmSampler = setInterval(() => { s.page.evaluate(() => window.__af && window.__af.wasmBytes()).catch(() => {}); }, 500);
    if (args['cpu-profile']) {
      await s.cdp.send('Profiler.enable');
      await s.cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await s.cdp.send('Profiler.start');
    }
    let loadedMark;
    try {
      await s.page.goto(base + '/', { waitUntil: 'commit', timeout: 60_000 });
      loadedMark = await withTimeout(
        s.page.waitForFunction(() => performance.getEntriesByName('af:loaded').length > 0, null, { polling: 100, timeout: loadTimeoutMs }),
        loadTimeoutMs + 5000, 'af:loaded');
    } finally {
      clearInterval(wasmSampler);
    }
    await sleep(300);
    const heapPeak = await heap.stop();
    const r = await s.page.evaluate(() => {
      const af = window.__af;
      const loaded = performance.getEntriesByName('af:loaded')[0];
      const idx = performance.getEntriesByName('af:index');
      const feedsReq = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/feeds'));
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        firstCardMs: af.firstCard,
        firstCardPaintMs: af.firstCardPaint,
        loadedMs: loaded ? loaded.startTime : null,
        feedsRequestMs: feedsReq ? feedsReq.startTime : null,
        domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : null,
        indexBuilds: idx.length,
        indexMsTotal: idx.reduce((a, e) => a + e.duration, 0),
        indexMsLast: idx.length ? idx[idx.length - 1].duration : null,
        wasmBytes: af.wasmBytes(),
        wasmPeak: af.wasmPeak,
        heading: document.querySelector('#results-heading')?.textContent?.trim() ?? null,
        loadedText: document.querySelector('#loaded-count')?.textContent?.trim() ?? null,
        markers: document.querySelector('.map[data-markers]')?.getAttribute('data-markers') ?? null,
        jsHeapPerf: performance.memory ? performance.memory.usedJSHeapSize : null,
      };
    });
    r.jsHeapUsedCdp = await metric(s.cdp, 'JSHeapUsedSize');
    r.jsHeapPeak = Math.max(heapPeak.peak, r.jsHeapUsedCdp || 0);
    r.heapSamples = heapPeak.samples;
    r.bytes = s.bytes();
    r.requests = s.requests();
    r.errors = s.errors.slice(0, 5);
    if (args['cpu-profile']) {
      const { profile: prof } = await s.cdp.send('Profiler.stop');
      mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
      writeFileSync(join(ROOT, 'bench', 'out', `load-${profile.name}.cpuprofile`), JSON.stringify(prof));
      r.cpu = summariseProfile(prof, r.loadedMs);
    }
    return r;
  } finally {
    await s.close();
  }
}

async function measureFloor(browser, profile, base) {
  const s = await profiledPage(browser, profile);
  try {
    await s.page.goto(base + '/healthz', { timeout: 60_000 });
    s.resetBytes();
    const r = await withTimeout(s.page.evaluate(floorScript), loadTimeoutMs, 'floor');
    r.bytes = s.bytes();
    r.requests = s.requests();
    r.jsHeapUsedCdp = await metric(s.cdp, 'JSHeapUsedSize');
    return r;
  } finally {
    await s.close();
  }
}

const cleanups = [];
await guarded(30 * 60_000, cleanups, async () => {
  console.log(`starting the release proxy, demo size ${args.size} …`);
  const proxy = await startProxy(args.size);
  cleanups.push(proxy.stop);
  console.log(`ready in ${proxy.readyMs} ms at ${proxy.base}: ${proxy.feeds.length} feeds`);
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const version = browser.version();

  // Warm-up (laptop, untimed): the proxy's first relay of each page, the OS file cache.
  await measureFloor(browser, PROFILES.laptop, proxy.base);

  const results = {};
  for (const name of profiles) {
    const profile = PROFILES[name];
    const ours = [];
    const floors = [];
    for (let i = 0; i < runs; i++) {
      // Alternate the order so that neither side always runs on a warmer machine.
      if (i % 2 === 0) {
        ours.push(await measureApp(browser, profile, proxy.base));
        floors.push(await measureFloor(browser, profile, proxy.base));
      } else {
        floors.push(await measureFloor(browser, profile, proxy.base));
        ours.push(await measureApp(browser, profile, proxy.base));
      }
      const o = ours.at(-1); const f = floors.at(-1);
      console.log(`  ${name} run ${i + 1}: first card ${fmtMs(o.firstCardMs)} ms, loaded ${fmtMs(o.loadedMs)} ms, floor ${fmtMs(f.ms)} ms (${o.loadedText})`);
      if (o.errors.length) console.log('    page errors:', o.errors.join(' | '));
    }
    const m = (xs, k) => median(xs.map((x) => x[k]));
    results[name] = {
      profile,
      runs: { ours, floor: floors },
      firstCardMs: m(ours, 'firstCardMs'),
      firstCardPaintMs: m(ours, 'firstCardPaintMs'),
      loadedMs: m(ours, 'loadedMs'),
      loadedFromFeedsRequestMs: median(ours.map((o) => o.loadedMs - (o.feedsRequestMs ?? 0))),
      floorMs: m(floors, 'ms'),
      ratio: m(ours, 'loadedMs') / m(floors, 'ms'),
      ratioFromFeedsRequest: median(ours.map((o) => o.loadedMs - (o.feedsRequestMs ?? 0))) / m(floors, 'ms'),
      jsHeapPeak: m(ours, 'jsHeapPeak'),
      wasmPeak: m(ours, 'wasmPeak'),
      bytes: m(ours, 'bytes'),
      floorBytes: m(floors, 'bytes'),
      indexMsLast: m(ours, 'indexMsLast'),
      indexBuilds: m(ours, 'indexBuilds'),
      indexMsTotal: m(ours, 'indexMsTotal'),
      items: floors[0].items,
      pages: floors[0].pages,
      loadedText: ours.at(-1).loadedText,
    };
  }

  console.log(`\nload, demo size ${args.size}: ${proxy.feeds.length} feeds, ${results[profiles[0]].pages} pages, ${results[profiles[0]].items} items; Chromium ${version}; median of ${runs}`);
  table(
    ['profile', 'first card ms', 'full index ms', 'floor ms', 'ours/floor', '(from /api/feeds)', 'last index ms', 'JS heap MB', 'wasm MB', 'MB transferred', 'floor MB'],
    profiles.map((n) => {
      const r = results[n];
      return [n, fmtMs(r.firstCardMs), fmtMs(r.loadedMs), fmtMs(r.floorMs), r.ratio.toFixed(2), r.ratioFromFeedsRequest.toFixed(2),
        fmtMs(r.indexMsLast), fmtMB(r.jsHeapPeak), fmtMB(r.wasmPeak), fmtMB(r.bytes), fmtMB(r.floorBytes)];
    }),
  );
  for (const n of profiles) {
    const cpu = results[n].runs.ours.at(-1).cpu;
    if (!cpu) continue;
    console.log(`\nCPU profile, ${n} (self time ms, ${cpu.totalMs} ms sampled):`, JSON.stringify(cpu.categories));
    for (const [k, v] of cpu.top.slice(0, 15)) console.log(`  ${String(v).padStart(7)}  ${k}`);
  }
  console.log('targets: first card ≤ 1000 ms laptop / ≤ 2500 ms phone at London size; full index ≤ 1.5 × floor');
  const path = writeJson('load.json', {
    date: new Date().toISOString(), size: args.size, chromium: version, feeds: proxy.feeds.length, proxyReadyMs: proxy.readyMs,
    targets: { firstCardMs: { laptop: 1000, phone: 2500 }, ratio: 1.5 }, results,
  });
  console.log(`wrote ${path}`);
});
process.exit(0);
