// Where each change of a filter-latency trace spent its time, from its input event to the
// frame the bench counted as its end: the main thread's tasks in that window (name @ start +
// duration, ms) and the time by event name (self time: an event's own, not its children's).
//
//   node bench/filter-latency.mjs --sizes 100k --profile phone --trace
//   node bench/analyse/trace-steps.mjs [--size 100k] [--profile phone] [--steps 1,16,43]
//
// Reads bench/out/filter-SIZE-PROFILE.trace.json and bench/out/filter-latency.json (the same run).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, ROOT } from '../lib.mjs';

const args = parseArgs(process.argv.slice(2), { size: '100k', profile: 'phone' });
const out = (f) => join(ROOT, 'bench', 'out', f);
const trace = JSON.parse(readFileSync(out(`filter-${args.size}-${args.profile}.trace.json`), 'utf8'));
const steps = JSON.parse(readFileSync(out('filter-latency.json'), 'utf8')).results[args.size][args.profile].steps;
const only = args.steps ? new Set(String(args.steps).split(',').map(Number)) : null;

const events = trace.traceEvents || trace;
const main = new Set(events
  .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  .map((e) => `${e.pid}:${e.tid}`));
const ev = events
  .filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`) && typeof e.dur === 'number')
  .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
// Self time and nesting depth (complete events on one thread nest properly).
const open = [];
for (const e of ev) {
  e.self = e.dur;
  while (open.length && open[open.length - 1].ts + open[open.length - 1].dur <= e.ts) open.pop();
  if (open.length) open[open.length - 1].self -= e.dur;
  e.depth = open.length;
  open.push(e);
}
// Each step starts with the first input event more than 150 ms after the previous step's end.
const inputs = ev.filter((e) => e.name === 'EventDispatch' && ['input', 'change', 'click', 'keydown'].includes(e.args?.data?.type));
let next = 0, lastEnd = -Infinity;
for (const s of steps) {
  while (next < inputs.length && inputs[next].ts < lastEnd + 150_000) next++;
  const d = inputs[next];
  if (!d || s.latency == null) continue;
  const t0 = d.ts, t1 = d.ts + s.latency * 1000;
  lastEnd = t1;
  if (only && !only.has(s.step)) continue;
  const inWindow = ev.filter((e) => e.ts >= t0 - 500 && e.ts <= t1);
  const by = new Map();
  for (const e of inWindow) by.set(e.name, (by.get(e.name) || 0) + e.self / 1000);
  const top = [...by.entries()].filter(([, v]) => v >= 0.2).sort((a, b) => b[1] - a[1]).slice(0, 12);
  const tasks = inWindow.filter((e) => e.depth === 0 && e.dur >= 300);
  console.log(`#${s.step} ${s.latency.toFixed(1)} ms  ${s.what}`);
  console.log(`   tasks: ${tasks.map((e) => `${e.name}@${((e.ts - t0) / 1000).toFixed(1)}+${(e.dur / 1000).toFixed(1)}`).join('  ')}`);
  console.log(`   self:  ${top.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
}
