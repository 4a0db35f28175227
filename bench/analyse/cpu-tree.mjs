// A CPU profile (.cpuprofile) as a top-down tree: each function's total and self time, per
// change (--per N divides by N), wasm names shortened. Nodes under --min ms are left out.
//
//   node bench/analyse/cpu-tree.mjs FILE [--per N] [--min 0.2] [--skip-glue]
//
// --skip-glue hides wasm-bindgen's shims and closures' trampolines (their children stay).
import { readFileSync } from 'node:fs';
import { parseArgs } from '../lib.mjs';

const [file, ...rest] = process.argv.slice(2);
const args = parseArgs(rest, { per: '1', min: '0.2' });
const per = Number(args.per), min = Number(args.min);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const short = (s) => s.replace(/^_ZN|^_RNv\w*?_/, '').replace(/17h[0-9a-f]{16}E$/, '')
  .replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ').replace(/\$u7b\$/g, '{')
  .replace(/\$u7d\$/g, '}').replace(/\$C\$/g, ',').replace(/\.\./g, '::').replace(/\d+([a-zA-Z_])/g, '$1');
const GLUE = /shim|convertclosures|js-to-wasm|wasm-to-js|Pin<P>|handleError|^real /;
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) || 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
const total = new Map();
const sum = (id) => {
  let t = self.get(id) || 0;
  for (const c of byId.get(id).children || []) t += sum(c);
  total.set(id, t);
  return t;
};
sum(p.nodes[0].id);
const print = (id, depth) => {
  const n = byId.get(id);
  if (total.get(id) / per < min) return;
  const name = `${short(n.callFrame.functionName || '(anonymous)')} ${(n.callFrame.url.split('/').pop() || '').replace(/-[0-9a-f]{16}/, '')}`;
  const hide = (args['skip-glue'] && GLUE.test(name)) || /^\((root|idle|program|garbage)/.test(name);
  if (!hide) console.log(`${(total.get(id) / per).toFixed(2).padStart(8)} ${((self.get(id) || 0) / per).toFixed(2).padStart(7)} ${'  '.repeat(depth)}${name.slice(0, 160)}`);
  for (const c of (n.children || []).sort((a, b) => total.get(b) - total.get(a))) print(c, hide ? depth : depth + 1);
};
console.log('   total    self  (ms' + (per > 1 ? ` per change, of ${per}` : '') + ')');
print(p.nodes[0].id, 0);
