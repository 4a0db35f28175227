// One kind of filter change, repeated under a CPU profile (or a Chromium trace): what a change
// of that kind costs, function by function, without the other steps of filter-latency.mjs
// mixed in. After the full load (unthrottled), the profile's CPU rate applies; the steps run
// once to warm up (unless --cold), then --n times, --gap ms apart.
//
//   node bench/repeat.mjs [--steps radius|activity|keyword|free] [--n 10] [--gap 400]
//                         [--profile laptop|phone] [--dist DIR] [--trace] [--cold]
//
// Writes bench/out/repeat-STEPS-PROFILE.cpuprofile (or .trace.json). Read a profile with
// `node bench/analyse/cpu-tree.mjs FILE --per N` (N: the number of changes). Build with
// `AF_WASM_NAMES=1 trunk build --release --dist DIR` for the wasm functions' names.
import { PROFILES, parseArgs, startProxy, launchBrowser, profiledPage, sleep, guarded, ROOT, loadedForChanges } from './lib.mjs';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const args = parseArgs(process.argv.slice(2), { profile: 'laptop', n: '10', steps: 'radius', gap: '400' });
const STEPS = {
  radius: [
    () => { const el = document.getElementById('f-near'); el.value = 'E15'; el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })); },
    () => { const el = document.getElementById('f-radius'); el.value = '2'; el.dispatchEvent(new Event('change', { bubbles: true })); },
    () => { const el = document.getElementById('f-radius'); el.value = '10'; el.dispatchEvent(new Event('change', { bubbles: true })); },
  ],
  // [select id, option index]
  activity: [['f-activity', 1], ['f-activity', 0]],
  keyword: [
    () => { const el = document.getElementById('f-keyword'); el.value = 'yoga'; el.dispatchEvent(new Event('input', { bubbles: true })); },
    () => { const el = document.getElementById('f-keyword'); el.value = ''; el.dispatchEvent(new Event('input', { bubbles: true })); },
  ],
  free: [() => document.getElementById('f-free').click()],
};
const steps = STEPS[args.steps];
if (!steps) throw new Error(`unknown --steps ${args.steps}`);
const profile = PROFILES[args.profile];
const cleanups = [];
await guarded(20 * 60_000, cleanups, async () => {
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const proxy = await startProxy('london', args.dist ? { dist: args.dist } : {});
  cleanups.push(() => proxy.stop());
  const s = await profiledPage(browser, profile, {});
  await loadedForChanges(s, proxy.base, 300_000);
  await s.cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  const run = async (st) => {
    await (Array.isArray(st) ? s.page.evaluate(([id, i]) => { const el = document.getElementById(id); el.selectedIndex = i; el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true })); }, st) : s.page.evaluate(st));
    await sleep(Number(args.gap));
  };
  if (!args.cold) for (const st of steps) await run(st);
  if (args.trace) {
    await browser.startTracing(s.page, { categories: ['devtools.timeline', 'blink', 'v8.execute'] });
  } else {
    await s.cdp.send('Profiler.enable');
    await s.cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await s.cdp.send('Profiler.start');
  }
  const n = Number(args.n);
  for (let i = 0; i < n; i++) for (const st of steps) await run(st);
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
  const base = join(ROOT, 'bench', 'out', `repeat-${args.steps}-${profile.name}`);
  if (args.trace) {
    writeFileSync(`${base}.trace.json`, await browser.stopTracing());
    console.log(`${n * steps.length} changes: ${base}.trace.json`);
  } else {
    const { profile: prof } = await s.cdp.send('Profiler.stop');
    writeFileSync(`${base}.cpuprofile`, JSON.stringify(prof));
    console.log(`${n * steps.length} changes: ${base}.cpuprofile`);
  }
  await s.close();
});
process.exit(0);
