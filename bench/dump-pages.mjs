// Saves every page the proxy relays at a demo size to a directory, with a manifest, for the native
// load profile (`cargo run --release -p finder --example load_profile -- DIR`), which replays the
// browser's parse / join / index path without a browser.
//
//   node bench/dump-pages.mjs [--size london] [--out bench/out/pages-london]
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, parseArgs, startProxy, sleep } from './lib.mjs';

const args = parseArgs(process.argv.slice(2), { size: 'london', out: null });
const out = resolve(args.out || join(ROOT, 'bench', 'out', `pages-${args.size}`));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

async function get(url) {
  // The proxy rate-limits each client: wait and retry on 429 (bounded).
  for (let i = 0; i < 200; i++) {
    const r = await fetch(url);
    if (r.status === 429) { await sleep(250); continue; }
    if (!r.ok) throw new Error(`${r.status} ${url}`);
    return r.text();
  }
  throw new Error(`still rate-limited: ${url}`);
}

const proxy = await startProxy(args.size);
try {
  const { feeds } = JSON.parse(await get(`${proxy.base}/api/feeds`));
  const manifest = [];
  let items = 0, bytes = 0;
  for (const [i, f] of feeds.entries()) {
    const pages = [];
    let url = new URL(f.url, proxy.base).href;
    for (let n = 0; n < 5000; n++) {
      const text = await get(url);
      const file = `${String(i).padStart(2, '0')}-${String(n).padStart(4, '0')}.json`;
      writeFileSync(join(out, file), text);
      pages.push({ file, url });
      bytes += text.length;
      const page = JSON.parse(text);
      items += page.items.length;
      const next = new URL(page.next, url).href;
      if (page.items.length === 0 || next === url) break;
      url = next;
    }
    manifest.push({ publisher: f.publisher, kind: f.kind, pages });
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
  console.log(`${feeds.length} feeds, ${items} items, ${(bytes / 1048576).toFixed(1)} MB -> ${out}`);
} finally {
  await proxy.stop();
}
