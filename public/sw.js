// Наставник service worker: after one visit the app opens with no server at all.
//
// - Navigations: the network's shell if it answers within SHELL_WAIT_MS (a new build is picked
//   up at once), else the cached one. A shell is kept for offline starts only once every file it
//   names is cached with it (keepShell), and the hashed files no kept shell names are dropped.
// - Trunk's hashed assets (name-<hex>.ext): cache first; they never change.
// - Everything else of ours: network first, falling back to the cache. This includes the
//   document worker (export-worker*.js, *_bg.wasm: unhashed names, not in index.html, so not in
//   the first load): cached when it is first started, and used from the cache offline.
// - The sync socket, /api/* and other origins are never touched.
const CACHE = "nastavnik-shell-v1";
// Trunk's hash is 64 bits in hex without leading zeros: 16 digits, or fewer in one build of
// sixteen (as the relay's assets::is_hashed).
const HASHED = /-[0-9a-f]{10,16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      // The very first visit is enough to work offline: the shell and what it loads.
      await keepShell(await fetch("/", { cache: "no-cache" }));
      await self.skipWaiting();
    })(),
  );
});

// The files a shell needs to start: what index.html names, the manifest and the icons.
function namedBy(html) {
  const files = new Set(["/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png"]);
  for (const match of html.matchAll(/(?:href|src)=["']([^"']+)["']|['"](\/[^'"]+_bg\.wasm)['"]/g)) {
    const url = match[1] || match[2];
    if (url && url.startsWith("/") && !url.startsWith("//")) files.add(url);
  }
  return files;
}

// Hashed files being fetched into the cache, by path: the page's request for one and keepShell
// wait for the same download instead of making two.
const pending = new Map();

function intoCache(cache, path, response) {
  const stored = cache.put(path, response).finally(() => pending.delete(path));
  pending.set(path, stored);
  return stored;
}

// Keeps `response` (a shell from the network) as the one offline starts use, once every file it
// names is in the cache: a shell kept before its code would not start offline (a connection lost
// while an update downloads, or a shell that arrived after the cached one had answered). Then
// the hashed files of older builds, which no start can ask for any more, are dropped: each build
// would otherwise stay on the tablet for good.
async function keepShell(response) {
  if (!response.ok) return;
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  const files = namedBy(html);
  for (const path of files) {
    if (await cache.match(path)) continue;
    if (pending.has(path)) {
      await pending.get(path).catch(() => {});
      if (await cache.match(path)) continue;
    }
    const fetched = await fetch(path, { cache: "no-cache" });
    if (!fetched.ok) throw new Error(`${path}: ${fetched.status}`);
    await intoCache(cache, path, fetched);
  }
  await cache.put("/", response);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (HASHED.test(path) && !files.has(path)) await cache.delete(request);
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request, fallbackKey) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackKey || request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackKey || request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const path = new URL(request.url).pathname;
  const cached = await cache.match(request);
  if (cached) return cached;
  // Being downloaded for a shell to keep: that download, not a second one.
  if (pending.has(path)) {
    await pending.get(path).catch(() => {});
    const stored = await cache.match(request);
    if (stored) return stored;
  }
  const response = await fetch(request);
  if (response.ok) await intoCache(cache, path, response.clone());
  return response;
}

// The document worker's files. Their names carry no hash, so a tablet that once used documents
// would otherwise keep an older module next to a newer shell until it next asks for a document
// online: whenever the shell comes from the network, the module is refreshed too (a revalidation,
// cheap when unchanged), but only where it is already kept: it is never part of the first load.
const MODULE = ["/export-worker_loader.js", "/export-worker.js", "/export-worker_bg.wasm"];

async function refreshModule() {
  const cache = await caches.open(CACHE);
  if (!(await cache.match(MODULE[0]))) return;
  await Promise.all(
    MODULE.map(async (url) => {
      const response = await fetch(url, { cache: "no-cache" });
      if (response.ok) await cache.put(url, response);
    }),
  );
}

// How long a start waits for the network's shell when a cached one is at hand. A rural
// connection can stay "connected" while nothing arrives; the school's tablet must not show a
// blank page meanwhile. Past this, the cached shell answers and the network's, when it comes,
// is kept for the next start.
const SHELL_WAIT_MS = 800;

// Every route of the app is the same shell: the network's (a new build is picked up at once)
// if it answers in time or nothing is cached; otherwise the cached one. A failed fetch or an
// error page falls back to the cache at once.
async function shell(event) {
  // The copy to keep is taken as the answer arrives, before the page reads its body.
  const fetched = fetch(event.request).then((response) => ({ response, copy: response.ok ? response.clone() : null }));
  // Whatever answers the page, the network's shell is stored when it arrives.
  event.waitUntil(
    fetched
      .then(async ({ copy }) => {
        if (!copy) return;
        await keepShell(copy);
        // The open pages learn that the next start has what it needs (the tests wait for it).
        for (const client of await self.clients.matchAll()) client.postMessage({ shellKept: true });
        await refreshModule();
      })
      .catch(() => {}),
  );
  const cached = await caches.match("/");
  if (!cached) return fetched.then(({ response }) => response);
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(cached), SHELL_WAIT_MS);
  });
  try {
    return await Promise.race([fetched.then(({ response }) => (response.ok ? response : cached), () => cached), late]);
  } finally {
    clearTimeout(timer);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // The sync socket, the relay's API (credentials, live answers) and health are never cached.
  if (url.pathname === "/sync" || url.pathname === "/healthz" || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(shell(event));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request));
  }
});
