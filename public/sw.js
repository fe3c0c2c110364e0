// Наставник service worker: after one visit the app opens with no server at all.
//
// - A navigation to the app (a path without a file extension): the kept shell at once; the
//   network's is fetched behind it, and a new build is downloaded in the background and starts
//   at the next opening once its code is all here. A weak connection never holds the start. See
//   keepShell for the invariant.
// - Trunk's hashed assets (name-<hex>.ext): cache first; they never change.
// - Everything else of ours: network first with the same deadline, falling back to the cache.
//   This includes the document worker (export-worker*.js, *_bg.wasm: unhashed names, not in
//   index.html, so not in the first load): cached when it is first started, used offline.
// - The sync socket, /api/* and other origins are never touched.
const CACHE = "nastavnik-shell-v1";
// Trunk's hash is 64 bits in lowercase hex without leading zeros: 16 digits, or fewer in one
// build of sixteen (the relay's assets::is_hashed is the same rule).
const HASHED = /-[0-9a-f]{10,16}(_bg)?\.(js|wasm|css)$/;
// How long a file other than the shell waits for the network before the cached copy answers. A
// rural connection can stay "connected" while nothing arrives.
const NETWORK_WAIT_MS = 800;
// At most this many files are taken from a shell's markup.
const MAX_NAMED = 32;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      // The very first visit is enough to work offline: the shell and what it loads, or the
      // install fails and the next visit tries again.
      if (!(await keepShell(await fetch("/", { cache: "no-cache" })))) throw new Error("the app's shell could not be kept");
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

// The files a shell needs to start, by path, with the integrity Trunk wrote for them where it
// did: what index.html's tags name on this origin (at most MAX_NAMED), its wasm, the manifest
// and the icons.
function namedBy(html) {
  const files = new Map([["/manifest.webmanifest", ""], ["/icons/icon-192.png", ""], ["/icons/icon-512.png", ""]]);
  const add = (url, integrity) => {
    if (files.size >= MAX_NAMED) return;
    let parsed;
    try {
      parsed = new URL(url, self.location.origin);
    } catch {
      return;
    }
    const path = parsed.pathname;
    if (parsed.origin !== self.location.origin || path === "/sync" || path.startsWith("/api/")) return;
    if (!files.get(path)) files.set(path, integrity ?? "");
  };
  for (const [tag] of html.matchAll(/<(?:link|script)\b[^>]*>/g)) {
    const url = tag.match(/\b(?:href|src)=["']([^"']+)["']/)?.[1];
    if (url) add(url, tag.match(/\bintegrity=["']([^"']+)["']/)?.[1]);
  }
  for (const [, url] of html.matchAll(/['"](\/[^'"]+_bg\.wasm)['"]/g)) add(url);
  return files;
}

// Whether `response` is the app's shell: HTML that names the app's hashed code. A captive
// portal's page, an error page or an icon opened as a page is not.
function isAppShell(response, files) {
  const type = response.headers.get("content-type") ?? "";
  const paths = [...files.keys()].filter((p) => HASHED.test(p));
  return type.startsWith("text/html") && paths.some((p) => p.endsWith(".js")) && paths.some((p) => p.endsWith("_bg.wasm"));
}

// Hashed files being fetched into the cache, by path, registered before the fetch starts: the
// page's request for one and keepShell wait for the same download instead of making two.
const pending = new Map();

function track(path, work) {
  const entry = work.finally(() => {
    if (pending.get(path) === entry) pending.delete(path);
  });
  pending.set(path, entry);
  return entry;
}

function fetchInto(cache, path, integrity) {
  if (pending.has(path)) return pending.get(path);
  return track(
    path,
    (async () => {
      // With the integrity index.html gives it, a file that is not what the build made (a
      // proxy's page, a broken download) is refused rather than kept as the app's code.
      const response = await fetch(path, { cache: "no-cache", integrity });
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      await cache.put(path, response);
    })(),
  );
}

// One keepShell at a time, across this worker and a newer one being installed.
let keeping = Promise.resolve();

// Keeps `response` (the app's shell from the network) as the one offline starts use.
// Invariant: the kept shell's code is always cached. The shell replaces the kept one only once
// every file it names is in the cache, so a connection lost during an update, or a new build
// whose shell arrived after the cached one had answered, never leaves a tablet that cannot
// start offline. Then the hashed files of the builds before the one it replaced are dropped:
// builds do not pile up in the tablet's storage, and a page given the replaced shell a moment
// ago still finds its code. Returns whether the shell was kept.
function keepShell(response) {
  const run = () => keepShellNow(response);
  const next = keeping.then(() => (self.navigator?.locks ? self.navigator.locks.request("nastavnik-keep-shell", run) : run()));
  keeping = next.catch(() => {});
  return next;
}

async function keepShellNow(response) {
  if (!response.ok) return false;
  const files = namedBy(await response.clone().text());
  if (!isAppShell(response, files)) return false;
  const cache = await caches.open(CACHE);
  for (const [path, integrity] of files) {
    if (!(await cache.match(path))) await fetchInto(cache, path, integrity);
  }
  const replaced = await cache.match("/");
  const before = replaced ? namedBy(await replaced.text()) : new Map();
  await cache.put("/", response);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (HASHED.test(path) && !files.has(path) && !before.has(path)) await cache.delete(request);
  }
  return true;
}

// Resolves to `value` after NETWORK_WAIT_MS; `clear` stops the timer.
function deadline(value) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(value), NETWORK_WAIT_MS);
  });
  return { late, clear: () => clearTimeout(timer) };
}

async function networkFirst(event) {
  const request = event.request;
  const cache = await caches.open(CACHE);
  const fetched = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(request, response.clone()).catch(() => {});
    return response;
  });
  event.waitUntil(fetched.catch(() => {}));
  const cached = await cache.match(request);
  if (!cached) return fetched;
  const { late, clear } = deadline(cached);
  try {
    // An error page (a proxy in front of a relay that is down) does not beat the kept copy.
    return await Promise.race([fetched.then((r) => (r.ok ? r : cached), () => cached), late]);
  } finally {
    clear();
  }
}

async function cacheFirst(event) {
  const request = event.request;
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
  // The page's own download, registered before it starts and stored while the page reads it
  // (the copy is taken before the page can read the body). A full storage does not fail it.
  const fetched = fetch(request);
  const stored = track(
    path,
    fetched.then(async (response) => {
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      await cache.put(request, response.clone());
    }),
  );
  event.waitUntil(stored.catch(() => {}));
  return fetched;
}

// The document worker's files. Their names carry no hash, so they are kept as one set that
// follows the build the starts run: whenever the network's shell is the kept one (the same
// build), the set is revalidated (cheap when unchanged) and stored together or not at all; a
// new build's set is taken at the first start that runs it. Only where a set is already kept:
// it is never part of the first load.
const MODULE = ["/export-worker_loader.js", "/export-worker.js", "/export-worker_bg.wasm"];

// A file of the document worker: the kept one, so the three files a worker starts from are one
// set of one build, refreshed together while that build's shell is the one answering starts;
// from the network the first time.
async function moduleFile(event) {
  const cached = await caches.match(event.request);
  return cached ?? networkFirst(event);
}

async function refreshModule() {
  const cache = await caches.open(CACHE);
  if (!(await cache.match(MODULE[0]))) return;
  const fetched = await Promise.all(MODULE.map((url) => fetch(url, { cache: "no-cache" })));
  if (!fetched.every((r) => r.ok)) return;
  // Unchanged (the same Last-Modified as the kept copies, as on most starts): nothing is read or
  // written again; the 1.8 MB wasm is not rewritten on every start.
  const stamp = (r) => r?.headers.get("last-modified") ?? "";
  const kept = await Promise.all(MODULE.map((url) => cache.match(url)));
  if (fetched.every((r, i) => stamp(r) !== "" && stamp(r) === stamp(kept[i]))) return;
  const copies = await Promise.all(fetched.map(async (r) => new Response(await r.arrayBuffer(), { headers: bodyHeaders(r.headers) })));
  await Promise.all(MODULE.map((url, i) => cache.put(url, copies[i])));
}

// A response's headers for a copy made from its decoded body: without the transfer encoding.
function bodyHeaders(headers) {
  const copy = new Headers(headers);
  copy.delete("content-encoding");
  copy.delete("content-length");
  return copy;
}

// Every route of the app is the same shell: the kept one answers at once, and the network's is
// fetched behind it and kept (with its code) for the next start. The network's is read whole
// before it is kept: headers alone can arrive and the body stall.
async function shell(event) {
  const fetched = fetch(event.request).then(async (response) => {
    if (!response.ok) return { response };
    const body = await response.arrayBuffer();
    const make = () => new Response(body, { status: response.status, statusText: response.statusText, headers: bodyHeaders(response.headers) });
    return { response, make };
  });
  event.waitUntil(
    fetched
      .then(async ({ make }) => {
        if (!make) return;
        const fresh = make();
        const kept = await caches.match("/");
        if (kept && (await kept.text()) === (await fresh.clone().text())) {
          // The build that starts run: nothing to keep again (and the build before it keeps
          // its code); its document worker's files are revalidated.
          await refreshModule();
          return;
        }
        if (!(await keepShell(fresh))) return;
        // The open pages learn that the next start has what it needs (the tests wait for it).
        for (const client of await self.clients.matchAll()) client.postMessage({ shellKept: true });
      })
      .catch(() => {}),
  );
  const cached = await caches.match("/");
  if (cached) return cached;
  // The first start after the worker was installed without a shell: the network's.
  return fetched.then(({ response, make }) => (make ? make() : response));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // The sync socket, the relay's API (credentials, live answers) and health are never cached.
  if (url.pathname === "/sync" || url.pathname === "/healthz" || url.pathname.startsWith("/api/")) return;
  // A file opened as a page (an icon, the manifest) is that file, not the app's shell.
  const route = !url.pathname.split("/").pop().includes(".");
  if (request.mode === "navigate" && route) {
    event.respondWith(shell(event));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(event));
  } else if (MODULE.includes(url.pathname)) {
    event.respondWith(moduleFile(event));
  } else {
    event.respondWith(networkFirst(event));
  }
});
