// Bundle size of the built app (dist/): raw, gzip and brotli (max quality) per file, and
// - the app's first load: its main wasm, its JS glue and the split loader (`af-split-*.js`, which
//   the glue imports): what every visit downloads before the app starts (the budget);
// - a wide screen's start: that plus the filter and map modules (and the chunks they need),
//   which a wide screen shows at once and fetches as the app starts (a phone fetches them when
//   first shown, or in the background once the results are complete);
// - on demand: every other split module (`af-*.wasm`: the session page, the shortlist, …);
// - the first-load bytes including Leaflet, CSS and HTML.
// Usage: node bench/bundle-size.mjs [dist]. Writes bench/out/bundle-size.json and prints a table.
import { readdirSync, readFileSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] || 'dist';
const files = readdirSync(dist).filter((f) => statSync(join(dist, f)).isFile() && !/\.(br|gz)$/.test(f));
const row = (f) => {
  const b = readFileSync(join(dist, f));
  return {
    file: f,
    raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const rows = files.map(row);
const sum = (rs) => rs.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const isMain = (f) => /^activity-finder-.*\.(wasm|js)$/.test(f) || /^af-split-[0-9a-f]+\.js$/.test(f);
const app = sum(rows.filter((r) => isMain(r.file)));
// The modules a wide screen fetches at start: the ones the built page preloads for it
// (scripts/split-wasm.mjs writes those links).
const page = readFileSync(join(dist, 'index.html'), 'utf8');
const wideFiles = new Set([...page.matchAll(/<link\b[^>]*\bhref="?\/(af-[^"\s>]+\.wasm)[^>]*>/g)]
  .filter((m) => /min-width/.test(m[0]))
  .map((m) => m[1]));
const wide = sum(rows.filter((r) => isMain(r.file) || wideFiles.has(r.file)));
const onDemand = sum(rows.filter((r) => /^af-.*\.wasm$/.test(r.file) && !wideFiles.has(r.file)));
const firstLoad = sum(rows.filter((r) => /\.(wasm|js|css|html)$/.test(r.file) && !/^af-.*\.wasm$/.test(r.file)));
const kb = (n) => (n / 1024).toFixed(1).padStart(8); // KiB
console.log('file'.padEnd(48), '     raw KB', '    gzip KB', '  brotli KB');
for (const r of rows) console.log(r.file.padEnd(48), kb(r.raw), '  ', kb(r.gzip), '  ', kb(r.brotli));
const line = (label, t, note = '') => console.log(label.padEnd(48), kb(t.raw), '  ', kb(t.gzip), '  ', kb(t.brotli), note);
line('app first load: main wasm + JS + split loader', app, app.brotli <= 250 * 1024 ? '(target ≤ 250 KiB brotli: met)' : '(target ≤ 250 KiB brotli: NOT met)');
line('wide screen start: + filters and map modules', wide);
line('on demand: the other split modules', onDemand);
line('first load (html, css, js, wasm)', firstLoad);
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/bundle-size.json', JSON.stringify({ date: new Date().toISOString(), files: rows, app, wideScreen: wide, wideFiles: [...wideFiles], onDemand, firstLoad }, null, 2));
