// Browser load benchmark for a link (`--query`, default the local link of the issue): when the
// app shell starts (trunk's TrunkApplicationStarted), when the first result shows, when the final
// results show (`af:complete`: every pack the link needs decoded and indexed; `data-complete`
// on the results region), when every pack is in (`af:loaded`), the ratio final/shell, peak JS heap
// and wasm memory, bytes transferred (app included), beside the floor (the manifest and every
// pack fetched by a bare script) in the same browser and profile.
//
//   node bench/load.mjs [--size london|default|small|N] [--profile laptop|phone|both] [--runs N]
//                       [--query '/?v=1&at=51.541,-0.003&r=2'] (repeat with --query '/?v=1' for all of London)
//                       [--return-visit]  (measure a third visit, the packs and app cached by the
//                                          service worker)
//                       [--cpu-profile]   (also: a CDP CPU profile of each app load, summarised,
//                                          saved as bench/out/load-PROFILE.cpuprofile)
//                       [--dist DIR]      (another app build, `trunk build --release --dist DIR`,
//                                          to compare two builds under the same conditions)
//
// Needs the trunk release build in dist/ and the release proxy (built when missing).
// Writes bench/out/load.json.
import {
  PROFILES, parseArgs, startProxy, launchBrowser, profiledPage, heapSampler, metric, withTimeout,
  writeJson, table, fmtMs, fmtMB, median, guarded, sleep, ROOT, summariseProfile,
} from './lib.mjs';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = parseArgs(process.argv.slice(2), { size: 'london', profile: 'both', runs: '1', timeout: '240', query: '/?v=1&at=51.541,-0.003&r=2' });
const profiles = args.profile === 'both' ? ['laptop', 'phone'] : [args.profile];
for (const p of profiles) if (!PROFILES[p]) throw new Error(`unknown profile ${p}`);
const runs = Math.max(1, Number(args.runs) || 1);
const loadTimeoutMs = Number(args.timeout) * 1000;

// Installed before any page script: first `li.card` in #results-list (MutationObserver), the
// paint after it (next rAF), and the wasm instance's memory (trunk's TrunkApplicationStarted event).
const INIT = `(() => {
  const af = (window.__af = { firstCard: null, firstCardPaint: null, wasm: null, wasmPeak: 0, shellMs: null });
  addEventListener('TrunkApplicationStarted', (e) => { af.wasm = e.detail && e.detail.wasm; af.shellMs = performance.now(); });
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

// The floor: the same data requests the app makes (the manifest, then every pack, six at a
// time), bodies read as bytes, nothing else.
async function floorScript() {
  const t0 = performance.now();
  const r = await fetch('/packs/manifest.json');
  const m = await r.json();
  const queue = m.packs.slice();
  let bytes = 0;
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const b = await (await fetch(p.url)).arrayBuffer();
      bytes += b.byteLength;
    }
  };
  await Promise.all(Array.from({ length: Math.min(6, queue.length) }, worker));
  return { ms: performance.now() - t0, items: m.packs.reduce((a, p) => a + p.occurrences, 0), pages: m.packs.length, feeds: m.feeds.length, packBytes: bytes };
}

async function measureApp(browser, profile, base) {
  const s = await profiledPage(browser, profile, { initScript: INIT, serviceWorkers: args['return-visit'] ? 'allow' : 'block' });
  try {
    const heap = heapSampler(s.cdp, 200);
    const wasmSampler = setInterval(() => { s.page.evaluate(() => window.__af && window.__af.wasmBytes()).catch(() => {}); }, 500);
    if (args['cpu-profile']) {
      await s.cdp.send('Profiler.enable');
      await s.cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await s.cdp.send('Profiler.start');
    }
    let loadedMark;
    if (args['return-visit']) {
      // Two visits first: the service worker installs during the first and keeps the packs the
      // second loads through it; the measured visit is the third (HTTP cache off throughout).
      for (let i = 0; i < 2; i++) {
        await s.page.goto(base + args.query, { waitUntil: 'commit', timeout: 60_000 });
        await s.page.waitForFunction(() => performance.getEntriesByName('af:loaded').length > 0, null, { polling: 100, timeout: loadTimeoutMs });
        await s.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { polling: 100, timeout: 30_000 });
      }
      s.resetBytes();
    }
    try {
      await s.page.goto(base + args.query, { waitUntil: 'commit', timeout: 60_000 });
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
      const complete = performance.getEntriesByName('af:complete')[0];
      const idx = performance.getEntriesByName('af:index');
      const dec = performance.getEntriesByName('af:decode');
      const feedsReq = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/packs/manifest.json'));
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        firstCardMs: af.firstCard,
        shellMs: af.shellMs,
        resultsText: document.querySelector('#results-heading')?.textContent?.trim() ?? null,
        firstCardPaintMs: af.firstCardPaint,
        loadedMs: loaded ? loaded.startTime : null,
        completeMs: complete ? complete.startTime : null,
        feedsRequestMs: feedsReq ? feedsReq.startTime : null,
        domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : null,
        indexBuilds: idx.length,
        indexMsTotal: idx.reduce((a, e) => a + e.duration, 0),
        decodeMsTotal: dec.reduce((a, e) => a + e.duration, 0),
        decodeMsMax: dec.reduce((a, e) => Math.max(a, e.duration), 0),
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
  const proxy = await startProxy(args.size, args.dist ? { dist: args.dist } : {});
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
      shellMs: m(ours, 'shellMs'),
      completeMs: m(ours, 'completeMs'),
      completeOverShell: median(ours.map((o) => o.completeMs / o.shellMs)),
      resultsText: ours.at(-1).resultsText,
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
      decodeMsTotal: m(ours, 'decodeMsTotal'),
      decodeMsMax: m(ours, 'decodeMsMax'),
      items: floors[0].items,
      pages: floors[0].pages,
      loadedText: ours.at(-1).loadedText,
    };
  }

  console.log(`\nload ${args.query}${args['return-visit'] ? ' (return visit: app and packs from the service worker)' : ''}, demo size ${args.size}: ${proxy.feeds.length} feeds, ${results[profiles[0]].pages} packs, ${results[profiles[0]].items} occurrences; Chromium ${version}; median of ${runs}`);
  table(
    ['profile', 'shell ms', 'first card ms', 'final ms', 'final/shell', 'all packs ms', 'floor ms', 'decode ms (max)', 'index ms (last, total)', 'JS heap MB', 'wasm MB', 'MB transferred', 'results'],
    profiles.map((n) => {
      const r = results[n];
      return [n, fmtMs(r.shellMs), fmtMs(r.firstCardMs), fmtMs(r.completeMs), r.completeOverShell.toFixed(2), fmtMs(r.loadedMs), fmtMs(r.floorMs),
        `${fmtMs(r.decodeMsTotal)} (${fmtMs(r.decodeMsMax)})`, `${fmtMs(r.indexMsLast)}, ${fmtMs(r.indexMsTotal)}`, fmtMB(r.jsHeapPeak), fmtMB(r.wasmPeak), fmtMB(r.bytes), r.resultsText];
    }),
  );
  for (const n of profiles) {
    const cpu = results[n].runs.ours.at(-1).cpu;
    if (!cpu) continue;
    console.log(`\nCPU profile, ${n} (self time ms, ${cpu.totalMs} ms sampled):`, JSON.stringify(cpu.categories));
    for (const [k, v] of cpu.top.slice(0, 15)) console.log(`  ${String(v).padStart(7)}  ${k}`);
  }
  console.log('targets: local link final ≤ 2x shell (phone), ≤ 1.5x (laptop), ≤ 1.5 MiB moved; all of London final ≤ 3 s on the phone, wasm ≤ 64 MiB');
  const path = writeJson(`load${args.query === '/?v=1' ? '-all' : ''}${args['return-visit'] ? '-return' : ''}.json`, {
    date: new Date().toISOString(), size: args.size, query: args.query, returnVisit: !!args['return-visit'], chromium: version, feeds: proxy.feeds.length, proxyReadyMs: proxy.readyMs,
    targets: { localFinalOverShell: { laptop: 1.5, phone: 2 }, localMiB: 1.5, allLondonPhoneMs: 3000, wasmMiB: 64 }, results,
  });
  console.log(`wrote ${path}`);
});
process.exit(0);
