// Bundle size of the built app (dist/): app wasm + JS raw, gzip and brotli (max quality), and the
// total first-load bytes including Leaflet and CSS. Usage: node bench/bundle-size.mjs
// Writes bench/out/bundle-size.json and prints a table.
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
const app = sum(rows.filter((r) => /^activity-finder-.*\.(wasm|js)$/.test(r.file)));
const firstLoad = sum(rows.filter((r) => /\.(wasm|js|css|html)$/.test(r.file)));
const kb = (n) => (n / 1024).toFixed(1).padStart(8); // KiB
console.log('file'.padEnd(48), '     raw KB', '    gzip KB', '  brotli KB');
for (const r of rows) console.log(r.file.padEnd(48), kb(r.raw), '  ', kb(r.gzip), '  ', kb(r.brotli));
console.log('app wasm + JS'.padEnd(48), kb(app.raw), '  ', kb(app.gzip), '  ', kb(app.brotli), app.brotli <= 250 * 1024 ? '(target ≤ 250 KiB brotli: met)' : '(target ≤ 250 KiB brotli: NOT met)');
console.log('first load (html, css, js, wasm)'.padEnd(48), kb(firstLoad.raw), '  ', kb(firstLoad.gzip), '  ', kb(firstLoad.brotli));
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/bundle-size.json', JSON.stringify({ date: new Date().toISOString(), files: rows, app, firstLoad }, null, 2));
