#!/usr/bin/env node
// Trunk's post_build hook (Trunk.toml): splits the app's wasm into the main module and the
// modules loaded on demand (the split points of `src/lazy.rs`, under the app's `split` feature:
// the filter form, the map, the session page, the shortlist and the rest), so a visit starts
// with the main module only (ARCHITECTURE.md "Modules loaded on demand"; docs/toolchain.md
// trap 10).
//
// Trunk has already built the app (cargo, wasm-bindgen, wasm-opt) into its staging directory.
// This script starts again from cargo's own output, which has the split points and relocations
// (`--emit-relocs`, build.rs):
//   1. `wasm-split-cli` (wasm_split_cli_support, pinned in scripts/bootstrap.sh) cuts it into the
//      main module, one module per split point (plus chunks shared between them) and the small
//      JS module that loads them;
//   2. wasm-bindgen (the same pinned CLI trunk uses) makes the main module's JS glue, keeping
//      the linker's exports the split modules import;
//   3. wasm-opt (binaryen from npm, as trunk) optimises every module, in a release build;
//   4. the files replace trunk's under trunk's hashed names, the split files get names with the
//      same build hash (so the proxy and nginx serve them as immutable), the page's integrity
//      attributes are recomputed, and the page preloads the filter and map modules on a wide
//      screen.
// A build without split points (no `split` feature) is left as trunk made it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR || process.cwd();
const release = process.env.TRUNK_PROFILE === 'release';
if (!staging) {
  console.error('split-wasm: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)');
  process.exit(2);
}
const log = (m) => console.error(`[split-wasm] ${m}`);

const bgName = fs.readdirSync(staging).find((f) => /^activity-finder-[0-9a-f]+_bg\.wasm$/.test(f));
if (!bgName) {
  log('no app wasm in the staging directory: nothing to split');
  process.exit(0);
}
const base = bgName.slice(0, -'_bg.wasm'.length); // activity-finder-<hash>
const hash = base.slice('activity-finder-'.length);

function targetDir() {
  if (process.env.CARGO_TARGET_DIR) return path.resolve(source, process.env.CARGO_TARGET_DIR);
  const meta = execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], {
    cwd: source, maxBuffer: 64 << 20,
  });
  return JSON.parse(meta).target_directory;
}
const raw = path.join(targetDir(), 'wasm32-unknown-unknown', release ? 'release' : 'debug', 'activity-finder.wasm');
const input = fs.readFileSync(raw);
if (!input.includes(Buffer.from('__wasm_split_placeholder__'))) {
  log(`${path.basename(raw)} has no split points (built without the \`split\` feature): left as it is`);
  process.exit(0);
}

/** The files a split point needs, as the split loader names them: its own module and the chunks
 * loaded with it (`makeLoad(<its fetcher>, [<chunk loaders>])`). */
function modulesOf(linkJs, split) {
  const own = new RegExp(`__wasm_split_load_${split} = wrapAsyncCb\\(makeLoad\\(\\(\\) => \\{\\s*const src = fetch\\(new URL\\("\\./([^"]+)"[\\s\\S]*?\\n\\}\\n, \\[([^\\]]*)\\]`).exec(linkJs);
  if (!own) throw new Error(`the split loader has no module "${split}"`);
  const chunks = own[2].split(',').map((v) => v.trim()).filter(Boolean).map((v) => {
    const m = new RegExp(`const ${v} = makeLoad\\(\\(\\) => \\{\\s*const src = fetch\\(new URL\\("\\./([^"]+)"`).exec(linkJs);
    if (!m) throw new Error(`the split loader has no chunk ${v}`);
    return m[1];
  });
  return [own[1], ...chunks];
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'af-split-'));
try {
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: source, stdio: ['ignore', 'inherit', 'inherit'] });
  const splitDir = path.join(work, 'split');
  fs.mkdirSync(splitDir);
  run('wasm-split-cli', [raw, splitDir, '--out-name', base]);
  const bindgenDir = path.join(work, 'bindgen');
  // `--out-name` as trunk gives it (no hash): the wasm names its JS imports after it, so a
  // hash there would tie the wasm's bytes to this build's file names.
  run('wasm-bindgen', ['--target=web', '--no-typescript', '--keep-lld-exports', '--no-demangle',
    `--out-dir=${bindgenDir}`, '--out-name=activity-finder', path.join(splitDir, `${base}.wasm`)]);

  // Split modules: `split_<name>.wasm` and `chunk_<n>.wasm` → `af-<name>-<hash>.wasm`.
  const renames = new Map();
  for (const f of fs.readdirSync(splitDir)) {
    const m = /^(split|chunk)_(.+)\.wasm$/.exec(f);
    if (m) renames.set(f, `af-${m[1]}-${m[2].replace(/[^A-Za-z0-9]/g, '')}-${hash}.wasm`);
  }
  const linkName = `af-split-${hash}.js`;
  const optimise = (from, to) => {
    if (release) {
      // AF_WASM_NAMES=1 keeps the functions' names, for profiling (bench/filter-latency.mjs
      // --cpu-profile then names wasm functions); a few hundred KiB more, never shipped.
      run('wasm-opt', ['-Oz', ...(process.env.AF_WASM_NAMES === '1' ? ['-g'] : []), '--enable-reference-types', '--enable-bulk-memory', '--enable-sign-ext',
        '--enable-mutable-globals', '--enable-nontrapping-float-to-int', '--enable-multivalue',
        from, '-o', to]);
    } else {
      fs.copyFileSync(from, to);
    }
  };
  optimise(path.join(bindgenDir, 'activity-finder_bg.wasm'), path.join(staging, bgName));
  for (const [from, to] of renames) optimise(path.join(splitDir, from), path.join(staging, to));

  let link = fs.readFileSync(path.join(splitDir, '__wasm_split.js'), 'utf8');
  for (const [from, to] of renames) link = link.split(`"./${from}"`).join(`"./${to}"`);
  fs.writeFileSync(path.join(staging, linkName), link);
  let glue = fs.readFileSync(path.join(bindgenDir, 'activity-finder.js'), 'utf8');
  // The glue's `import … from "./__wasm_split.js"` names the renamed file; the key of its
  // imports object stays the wasm's import module name.
  const from = /(\bfrom\s*)(["'])\.\/__wasm_split\.js\2/g;
  if (!from.test(glue)) throw new Error('the JS glue does not import ./__wasm_split.js');
  glue = glue.replace(from, `$1$2./${linkName}$2`);
  fs.writeFileSync(path.join(staging, `${base}.js`), glue);

  // The page's integrity attributes for the two files trunk named.
  const indexPath = path.join(staging, 'index.html');
  let html = fs.readFileSync(indexPath, 'utf8');
  // A wide screen shows the filters and the map at once: it fetches their modules while the
  // main one downloads (`media` keeps phones from fetching them; the breakpoint is the app's,
  // `state::is_narrow`).
  const wide = [...new Set(['filters', 'map'].flatMap((split) => modulesOf(link, split)))];
  const preloads = wide.map((f) => `<link rel="preload" as="fetch" crossorigin="anonymous" href="/${f}" media="(min-width: 900px)">`).join('');
  if (!html.includes('</head>')) throw new Error('index.html has no </head>');
  html = html.replace('</head>', `${preloads}</head>`);
  for (const f of [`${base}.js`, bgName]) {
    const sri = `sha384-${createHash('sha384').update(fs.readFileSync(path.join(staging, f))).digest('base64')}`;
    // Trunk's tags, minified or not: `<link … href=/name … integrity=sha384-… …>`.
    html = html.replace(/<link\b[^>]*>/g, (tag) => (tag.includes(`/${f}`)
      ? tag.replace(/integrity=("?)[^"\s>]+\1/, `integrity=$1${sri}$1`)
      : tag));
  }
  fs.writeFileSync(indexPath, html);
  const size = (f) => fs.statSync(path.join(staging, f)).size;
  const splits = [...renames.values()].filter((f) => f.startsWith('af-split-'));
  const chunks = renames.size - splits.length;
  log(`main ${bgName} ${size(bgName)} bytes; ${splits.map((f) => `${f} ${size(f)}`).join(', ')}; ${chunks} shared chunks`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
