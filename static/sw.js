// Activity Finder service worker: one cache design for return visits and offline use.
//
// The app registers it as /sw.js?v=<build> (the build is the content hash trunk puts in the
// app's file names), so every release is a new worker with its own app cache, and the old
// release's cache is deleted when the new worker activates: a new release never serves a
// stale app.
//
// - af-app-<build>: the app shell (the page and the files it names), cache-first, filled at
//   install and on use. The page itself is network-first (it is `no-cache`), the cached copy
//   only when the network fails.
// - af-data-1: the pack manifest (network-first, cached copy when offline, marked with the
//   `x-af-offline: 1` header so the app can say so) and the packs last used (content-addressed
//   and immutable: cache-first). Packs no longer named by the current or previous manifest are
//   dropped when a new manifest arrives.
//
// Everything else (postcode lookups, feeds, health checks) goes to the network untouched.
'use strict';

const BUILD = new URL(self.location.href).searchParams.get('v') || 'dev';
const APP_CACHE = `af-app-${BUILD}`;
const DATA_CACHE = 'af-data-1';
const MANIFEST = '/packs/manifest.json';
const PACK = /^\/packs\/[0-9a-f]{32}\.pack$/;

/** Same-origin paths the page names (href/src attributes and the module loader's imports). */
function shellUrls(html) {
  const urls = new Set(['/']);
  const re = /(?:href|src)=["']?([^"' >]+)|(?:from |module_or_path: )'([^']+)'/g;
  for (const m of html.matchAll(re)) {
    const u = m[1] || m[2];
    if (u && u.startsWith('/') && !u.startsWith('//') && !u.startsWith('/packs/')) urls.add(u);
  }
  return [...urls];
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(APP_CACHE);
    try {
      const page = await fetch('/', { cache: 'no-cache' });
      if (page.ok) {
        const html = await page.clone().text();
        await cache.put('/', page);
        const connection = self.navigator.connection;
        const saveData = !!connection && (connection.saveData || /(^|-)2g$/.test(connection.effectiveType || ''));
        const seen = new Set();
        const keep = async (u) => {
          if (seen.has(u)) return;
          seen.add(u);
          try {
            const r = await fetch(u);
            if (!r.ok) return;
            // The app's JS names its split loader (`./af-split-….js`, part of every start) and
            // the modules loaded on demand (`./af-….wasm`): kept too, so the session page and
            // the shortlist work offline. The modules not when the connection asks to save
            // data: then each is kept when first used.
            if (u.endsWith('.js')) {
              const base = new URL(u, self.location.origin);
              const more = [...(await r.clone().text()).matchAll(/["']\.\/(af-[A-Za-z0-9_-]+\.(?:js|wasm))["']/g)]
                .map((m) => new URL(m[1], base).pathname)
                .filter((p) => !saveData || p.endsWith('.js'));
              await Promise.all(more.map(keep));
            }
            await cache.put(u, r);
          } catch { /* filled on use instead */ }
        };
        await Promise.all(shellUrls(html)
          .filter((u) => u !== '/' && !(saveData && /^\/af-.*\.wasm$/.test(u)))
          .map(keep));
      }
    } catch { /* offline at install: filled on use */ }
    // The first visit fetched its packs before this worker ran: keep the ones already in the
    // browser's HTTP cache (immutable), without downloading any the visit did not use.
    try {
      const data = await caches.open(DATA_CACHE);
      const m = await fetch(MANIFEST, { cache: 'no-cache' });
      if (m.ok) {
        const manifest = await m.clone().json();
        await data.put(MANIFEST, m);
        await Promise.all((manifest.packs || []).map(async (p) => {
          if (!PACK.test(p.url) || await data.match(p.url)) return;
          try {
            const r = await fetch(p.url, { cache: 'only-if-cached', mode: 'same-origin' });
            if (r.ok) await data.put(p.url, r);
          } catch { /* not used yet */ }
        }));
      }
    } catch { /* offline at install */ }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('af-') && name !== APP_CACHE && name !== DATA_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/** How long a return visit waits for a fresh manifest before using the saved one. */
const MANIFEST_WAIT_MS = 5000;

/** Network first; the cached copy (marked) when the network fails or is too slow. */
async function manifestFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const saved = await cache.match(MANIFEST);
    // Kept for next time even when it arrives after the wait.
    const network = fetch(request, { cache: 'no-cache' }).then(async (r) => {
      if (r.ok) {
        await cache.put(MANIFEST, r.clone());
        pruneData(cache, r.clone(), saved).catch(() => {});
      }
      return r;
    });
    network.catch(() => {});
    if (!saved) return await network;
    let timer;
    const slow = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('slow')), MANIFEST_WAIT_MS); });
    return await Promise.race([network, slow]).finally(() => clearTimeout(timer));
  } catch (e) {
    const cached = await cache.match(MANIFEST);
    if (!cached) throw e;
    const headers = new Headers(cached.headers);
    headers.set('x-af-offline', '1');
    return new Response(await cached.blob(), { status: 200, headers });
  }
}

/** Drops packs named by neither the new nor the previous manifest. */
async function pruneData(cache, fresh, previous) {
  const named = new Set();
  for (const r of [fresh, previous]) {
    if (!r) continue;
    const m = await r.json();
    for (const p of m.packs || []) {
      named.add(p.url);
      if (p.details) named.add(p.details);
    }
  }
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (PACK.test(path) && !named.has(path)) await cache.delete(req);
  }
}

/** Cache first (immutable content); fetched and kept on a miss. */
async function cacheFirst(cacheName, request, key = request) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(key);
  if (hit) return hit;
  const r = await fetch(request);
  if (r.ok && r.status === 200) await cache.put(key, r.clone());
  return r;
}

/** The page: network first, the cached shell when offline. */
async function page(request) {
  const cache = await caches.open(APP_CACHE);
  try {
    const r = await fetch(request);
    if (r.ok) await cache.put('/', r.clone());
    return r;
  } catch (e) {
    const cached = await cache.match('/');
    if (cached) return cached;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path === MANIFEST) {
    event.respondWith(manifestFirst(request));
  } else if (PACK.test(path)) {
    // `?refetch=1` is the app asking past a cached copy that did not decode: replace it.
    if (url.search) {
      event.respondWith(fetch(request).then(async (r) => {
        if (r.ok) await (await caches.open(DATA_CACHE)).put(path, r.clone());
        return r;
      }));
    } else {
      event.respondWith(cacheFirst(DATA_CACHE, request, path));
    }
  } else if (request.mode === 'navigate') {
    event.respondWith(page(request));
  } else if (path.startsWith('/api/') || path.startsWith('/feeds') || path === '/readyz' ||
             path === '/healthz' || path === '/metrics' || path === '/sw.js' || path.startsWith('/__')) {
    // Not cached.
  } else {
    event.respondWith(cacheFirst(APP_CACHE, request, path));
  }
});
