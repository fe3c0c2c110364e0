// Наставник service worker: after one visit the app opens with no server at all.
//
// - Navigations: network first (a new build is picked up at once), the cached shell offline.
// - Trunk's hashed assets (name-<16 hex>.ext): cache first; they never change.
// - Everything else of ours: network first, falling back to the cache. This includes the
//   document worker (export-worker*.js, *_bg.wasm: unhashed names, not in index.html, so not in
//   the first load): cached when it is first started, and used from the cache offline.
// - The sync socket, /api/* and other origins are never touched.
const CACHE = "nastavnik-shell-v1";
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const response = await fetch("/", { cache: "no-cache" });
      const html = await response.clone().text();
      await cache.put("/", response);
      // Precache what index.html loads, so the very first visit is enough to work offline.
      const assets = new Set(["/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png"]);
      for (const match of html.matchAll(/(?:href|src)=["']([^"']+)["']|['"](\/[^'"]+_bg\.wasm)['"]/g)) {
        const url = match[1] || match[2];
        if (url && url.startsWith("/") && !url.startsWith("//")) assets.add(url);
      }
      await cache.addAll([...assets]);
      await self.skipWaiting();
    })(),
  );
});

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
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
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

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // The sync socket, the relay's API (credentials, live answers) and health are never cached.
  if (url.pathname === "/sync" || url.pathname === "/healthz" || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Every route of the app is the same shell.
    // Every route of the app is the same shell: network first, the cached one offline.
    const shell = fetch(request).then(
      async (response) => {
        if (response.ok) {
          const cache = await caches.open(CACHE);
          await cache.put("/", response.clone());
          event.waitUntil(refreshModule().catch(() => {}));
        }
        return response;
      },
      async (error) => {
        const cached = await caches.match("/");
        if (cached) return cached;
        throw error;
      },
    );
    event.respondWith(shell);
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request));
  }
});
