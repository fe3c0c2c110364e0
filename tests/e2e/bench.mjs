// Benchmark (a program, not a test): prints
//  1. the app's first-load transfer: every wasm, JS and CSS file of dist/, raw, gzip and brotli,
//     and what the relay actually sends to a browser that accepts brotli (the build's brotli-11
//     files, scripts/precompress.mjs); and apart from it, the
//     document module (export-worker), which is loaded only when a document is first asked for;
//  2. the time from an edit on tablet A to its appearance on tablet B, through the relay
//     (two Chromium profiles, timed inside the pages with MutationObserver, not by polling);
//  3. a school year's worth of data (the demo: 190 people, 25 pairs, ~500 meetings): loading it,
//     saving it, syncing it to a second tablet, reopening the app, and opening the people and
//     pairs lists, side by side with the same steps on an empty school (the baseline);
//  4. the screens of issue 11 (cold start, people and search, a person, typing on a person's
//     page, pairs, a pair, the pair form, the roadmap) for an empty school, the demo year and five times the demo, at 1× and
//     with the CPU slowed 4× (a budget tablet);
//  5. importing a class list of 1,000 rows, at 1× and with the CPU slowed 4×.
//
// Usage: scripts/build && node tests/e2e/bench.mjs [edits=30]   (BENCH_ONLY=import,… for some parts)
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

import { ROOT, Relay, Tablet, tempDir } from "./harness.mjs";

const EDITS = Number(process.argv[2] ?? 30);
const dist = join(ROOT, "dist");

function servedBytes(url) {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a kept-alive one idles while the previous file is compressed
    // here (seconds for the wasm), past the relay's deadline for the next request's headers.
    const req = request(url, { agent: false, headers: { "accept-encoding": "br, gzip" } }, (res) => {
      let n = 0;
      res.on("data", (d) => (n += d.length));
      res.on("end", () => resolve({ bytes: n, encoding: res.headers["content-encoding"] ?? "identity" }));
    });
    req.on("error", reject);
    req.end();
  });
}

const pad = (v, n = 10) => String(v).padStart(n);

/** One table of files: raw, gzip, brotli and what the relay sends to a browser accepting brotli. */
async function sizes(relay, title, files) {
  console.log(`\n## ${title} (bytes)\n`);
  console.log(`${"file".padEnd(36)}${pad("raw")}${pad("gzip")}${pad("brotli")}${pad("br/raw", 8)}${pad("served")}  encoding`);
  const totals = { raw: 0, gzip: 0, br: 0, served: 0 };
  for (const file of files) {
    const data = readFileSync(join(dist, file));
    const gz = gzipSync(data, { level: 9 }).length;
    const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const served = await servedBytes(`${relay.url}/${file}`);
    totals.raw += data.length;
    totals.gzip += gz;
    totals.br += br;
    totals.served += served.bytes;
    console.log(`${file.padEnd(36)}${pad(data.length)}${pad(gz)}${pad(br)}${pad((br / data.length).toFixed(2), 8)}${pad(served.bytes)}  ${served.encoding}`);
  }
  console.log(`${"total".padEnd(36)}${pad(totals.raw)}${pad(totals.gzip)}${pad(totals.br)}${pad((totals.br / totals.raw).toFixed(2), 8)}${pad(totals.served)}`);
  return totals;
}

async function transfer(relay) {
  // index.html is in the first load: the stylesheet is inlined in it.
  const all = readdirSync(dist).filter((f) => (/\.(wasm|js|css)$/.test(f) && f !== "sw.js") || f === "index.html").sort();
  // The document module (export/worker) is not in index.html: the app starts it the first time
  // a document is asked for, so it is reported apart from the first load.
  const module = all.filter((f) => f.startsWith("export-worker"));
  const first = all.filter((f) => !module.includes(f));
  const totals = await sizes(relay, "First-load transfer", first);
  console.log(`\nserved / raw = ${(totals.served / totals.raw).toFixed(2)} (the relay sends the files scripts/build compressed at brotli 11)`);
  await sizes(relay, "Document module, loaded on first use of «Документы» (not in the first load)", module);
  const stack = await jsStack();
  console.log(`\nfirst load against the bare automerge-repo JS stack: ${totals.br} / ${stack} bytes brotli-11 = ${(totals.br / stack).toFixed(2)}`);
}

/**
 * The bare automerge-repo JavaScript stack a JS app of this design would start from (Repo with
 * the IndexedDB storage and the browser WebSocket adapters), bundled and minified by esbuild
 * from the npm packages, automerge's wasm as its own file: its brotli-11 bytes.
 */
async function jsStack() {
  const { build } = await import("esbuild");
  const out = tempDir("js-stack");
  try {
    await build({
      stdin: {
        contents: `import { Repo } from "@automerge/automerge-repo";
          import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
          import { BrowserWebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
          globalThis.repo = new Repo({ storage: new IndexedDBStorageAdapter("school"),
            network: [new BrowserWebSocketClientAdapter("wss://relay.example/sync")] });`,
        resolveDir: import.meta.dirname,
        loader: "js",
      },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      loader: { ".wasm": "file" },
      outdir: out,
      logLevel: "error",
    });
    const files = readdirSync(out).sort();
    console.log("\n## The bare automerge-repo JS stack (esbuild, minified), for comparison (bytes)\n");
    let total = 0;
    for (const file of files) {
      const data = readFileSync(join(out, file));
      const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
      total += br;
      console.log(`${file.padEnd(36)}${pad(data.length)}${pad(br)}`);
    }
    console.log(`${"total".padEnd(36)}${pad("")}${pad(total)}`);
    return total;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function stats(values) {
  const s = [...values].sort((x, y) => x - y);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, min: s[0], median: at(0.5), p90: at(0.9), max: s[s.length - 1] };
}

async function latency(relay) {
  const [a, b] = await Promise.all([Tablet.launch("bench-A"), Tablet.launch("bench-B")]);
  try {
    await a.enrollAsCurator(relay, "Школа для замеров");
    await b.join(relay, await a.inviteCode(), "Планшет B");
    await a.addProgramme("Замер 0");
    await b.programmeCard("Замер 0").waitFor();
    await a.programmeCard("Замер 0").click();
    await a.page.locator("input[name=title]").waitFor();

    const samples = [];
    for (let i = 1; i <= EDITS; i++) {
      const marker = `Замер ${i} ${Math.random().toString(36).slice(2, 8)}`;
      const seen = b.page.evaluate(
        (m) =>
          new Promise((resolve) => {
            const observer = new MutationObserver(() => {
              if (document.body.innerText.includes(m)) {
                observer.disconnect();
                resolve(performance.timeOrigin + performance.now());
              }
            });
            observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          }),
        marker,
      );
      const sent = await a.page.evaluate((m) => {
        const input = document.querySelector("input[name=title]");
        input.value = m;
        const t = performance.timeOrigin + performance.now();
        input.dispatchEvent(new Event("change", { bubbles: true }));
        return t;
      }, marker);
      samples.push((await seen) - sent);
    }
    const s = stats(samples);
    console.log("\n## Edit on A → visible on B, through the relay (ms)\n");
    console.log(`edits ${s.n}: min ${s.min.toFixed(1)}, median ${s.median.toFixed(1)}, p90 ${s.p90.toFixed(1)}, max ${s.max.toFixed(1)}`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** Milliseconds from `start()` until `until` resolves (wall clock in this process). */
async function timed(start, until) {
  const t = performance.now();
  await start();
  await until();
  return performance.now() - t;
}

/** Reopening the app and opening the lists, on whatever the tablet holds now. */
async function screens(t) {
  const reload = await timed(() => t.page.reload(), () => t.page.locator("[data-testid=school-name]").waitFor());
  const people = await timed(() => t.page.click("[data-testid=nav-people]"), () => t.page.locator("[data-testid=people-count]").waitFor());
  const pairs = await timed(() => t.page.click("[data-testid=nav-pairs]"), () => t.page.locator("[data-testid=pair-count]").waitFor());
  const roadmap = await timed(() => t.page.click("[data-testid=nav-roadmap]"), () => t.page.locator("[data-testid=indicator]").first().waitFor());
  await t.page.click(".brand");
  return { reload, people, pairs, roadmap };
}

/**
 * Issue 11's screens on whatever the tablet holds, with the CPU slowed `rate` times: the cold
 * start (a reload: the shell with the school's name, then the programme list), the people list
 * and a search typed into it, a person's page, the pairs list, a pair's page, «Сформировать
 * пару» and the roadmap. Each is timed from the tap to the element the user waits for.
 */
async function screenMatrix(t, rate) {
  const cdp = await t.page.context().newCDPSession(t.page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  const page = t.page;
  const out = {};
  const work = await mainThreadWork(cdp, page);
  // The page's long tasks from its start (a tap waits for the one under way).
  await page.addInitScript(() => {
    if (window.__long) return;
    window.__long = [];
    new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: "longtask" });
  });
  const t0 = performance.now();
  // Not waiting for the load event, which also waits for the app's code.
  await page.reload({ waitUntil: "commit" });
  // index.html's own shell shows the school's name from the last visit before the app's code
  // has arrived (its inline script runs before the first paint); the app's programme list then
  // replaces it. The shell's figure is the page's first contentful paint, from the navigation's
  // start, as the page itself recorded it.
  await page.locator("[data-testid=boot-school-name]:not(:empty), [data-testid=school-name]").first().waitFor({ timeout: 300_000 });
  out["cold start: shell with the name"] = await page.evaluate(
    () =>
      new Promise((resolve) =>
        new PerformanceObserver((list, observer) => {
          const fcp = list.getEntries().find((e) => e.name === "first-contentful-paint");
          if (fcp) {
            observer.disconnect();
            resolve(fcp.startTime);
          }
        }).observe({ type: "paint", buffered: true }),
      ),
  );
  await page.locator("[data-testid=programmes] > li, [data-testid=new-programme]").first().waitFor({ timeout: 300_000 });
  out["cold start: programme list"] = performance.now() - t0;
  // The home screen's panels (deadlines, progress) read every person: they follow the list.
  const cards = await page.locator("[data-testid=programmes] > li").count();
  if (cards) {
    await painted(page, "[data-testid=progress]");
    out["cold start: home with its panels"] = performance.now() - t0;
    // When the first programme's card was painted, by the page's clock (Element Timing). The
    // list above is when this test could see it, which also waits for the page's main thread.
    out["cold start: programme list painted"] = await page.evaluate(
      () =>
        new Promise((resolve) => {
          new PerformanceObserver((list, observer) => {
            const card = list.getEntries().find((e) => e.identifier === "programme");
            if (card) {
              observer.disconnect();
              resolve(card.renderTime || card.loadTime);
            }
          }).observe({ type: "element", buffered: true });
          setTimeout(() => resolve(undefined), 5_000);
        }),
    );
    // How long a tap on the painted list may have to wait before the page answers it: the
    // longest task still running or started after the paint, until the panels were painted.
    const since = out["cold start: programme list painted"] ?? out["cold start: programme list"];
    out["cold start: longest task after the list"] = await page.evaluate(
      (at) => Math.max(0, ...window.__long.filter(([start, length]) => start + length > at).map(([, length]) => length)),
      since,
    );
  }
  // The first exchange with the relay passes over every document; the screens below are timed
  // once it is over (a tap meanwhile shares the CPU with it).
  await page.locator("[data-testid=sync-status][data-state=synced]").waitFor({ timeout: 600_000 });
  out["cold start: in step with the relay"] = performance.now() - t0;
  await work.timed(out, "people list", () => page.click("[data-testid=nav-people]"), "[data-testid=people-count]");
  // Three keys typed, until the page has painted after the last (the list filters on input).
  await page.locator("input[name=search]").focus();
  await work.timed(out, "search «Лес» typed", () => typeKeys(page, "Лес"), "[data-testid=people-count]", 3);
  await page.locator("input[name=search]").fill("");
  const person = page.locator("[data-testid=person] a").first();
  if (await person.count()) {
    await work.timed(out, "a person's page", () => person.click(), "[data-testid=person-title]");
    Object.assign(out, await typing(page));
  }
  await work.timed(out, "pairs list", () => page.click("[data-testid=nav-pairs]"), "[data-testid=pair-count]");
  const pair = page.locator("[data-testid=pair] a").first();
  if (await pair.count()) {
    await work.timed(out, "a pair's page", () => pair.click(), "[data-testid=meetings]");
    await page.click("[data-testid=nav-pairs]");
  }
  await work.timed(out, "«Сформировать пару»", () => page.click("[data-testid=new-pair]"), "[data-testid=pair-form]");
  await work.timed(out, "roadmap", () => page.click("[data-testid=nav-roadmap]"), "[data-testid=indicator]");
  await page.click(".brand");
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await cdp.detach();
  return { out, work: work.split };
}

/**
 * Types `text` into the focused element as key events, a key every `gap` ms (a typist's pace;
 * 0: as fast as the browser takes them). Playwright types letters that are not on its US
 * keyboard layout (Cyrillic) as inserted text with no key events, whose timestamps leave out
 * the time a key waits behind the page's work; these are keys, as a tablet's keyboard sends.
 */
async function typeKeys(page, text, gap = 0) {
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const ch of text) {
      await cdp.send("Input.dispatchKeyEvent", { type: "keyDown", key: ch, text: ch, unmodifiedText: ch });
      await cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key: ch });
      if (gap) await new Promise((resolve) => setTimeout(resolve, gap));
    }
  } finally {
    await cdp.detach();
  }
}

/**
 * Arms the page to time what follows its next tap (or its next `inputs` input events: keys
 * typed) by its own clock: from the event's timestamp (when the browser took the input) until
 * `selector` is on the page and a frame after it has been painted. Read from `window.__tap`.
 */
async function armTap(page, selector, inputs) {
  await page.evaluate(
    ([selector, inputs]) => {
      window.__tap = new Promise((resolve) => {
        let t0;
        let seen = 0;
        const done = () => {
          for (const start of ["pointerdown", "keydown"]) removeEventListener(start, first, true);
          removeEventListener(inputs ? "input" : "click", counted, true);
          // Polled once a frame (the screen may be drawn in a later task than the input's)
          // until the element is laid out with something in it, as the test's clock waits for
          // it to be visible; then the end of the next frame (a task queued from its
          // animation-frame callback runs after that frame's layout and paint).
          const shown = () => {
            const el = document.querySelector(selector);
            return el && el.getClientRects().length > 0 && (el.textContent.trim() !== "" || el.children.length > 0);
          };
          const poll = () =>
            requestAnimationFrame(() => (shown() ? requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0))) : poll()));
          poll();
        };
        const first = (e) => {
          if (t0 === undefined) t0 = e.timeStamp;
        };
        const counted = () => {
          seen += 1;
          if (seen >= Math.max(1, inputs)) done();
        };
        // Keys are typed as key events (`typeKeys`), whose timestamp is when the browser took
        // them, so time a key waited behind the page's work is counted.
        for (const start of ["pointerdown", "keydown"]) addEventListener(start, first, true);
        addEventListener(inputs ? "input" : "click", counted, true);
      });
    },
    [selector, inputs],
  );
}

/**
 * Where a screen's time went on the page's main thread (Chromium's own counters, which vary
 * less from run to run than the time to the painted frame): script (ours and the browser's
 * bindings) against style and layout, in ms, recorded by `timed` for each screen it times.
 */
async function mainThreadWork(cdp, page) {
  await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
  const read = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    return { script: m.ScriptDuration * 1000, layout: (m.LayoutDuration + m.RecalcStyleDuration) * 1000 };
  };
  const split = {};
  return {
    split,
    /**
     * `start`, until `selector` is on the page and painted: into `out` by the test's clock (as
     * every run so far) and by the page's own clock, from the input event's timestamp. The test's
     * clock also counts the driver's work around a tap (Playwright waits for the element to be
     * visible, stable over two frames and hit; each step is a round trip to the page), which a
     * user's finger does not: on an empty school's pairs list that is most of the figure.
     * `inputs`: how many input events the action makes (keys typed); the page's clock runs from
     * the first to the frame after the last.
     */
    async timed(out, name, start, selector, inputs = 0) {
      await armTap(page, selector, inputs);
      const before = await read();
      out[name] = await timed(start, () => painted(page, selector));
      const after = await read();
      split[name] = { script: after.script - before.script, layout: after.layout - before.layout };
      out[`${name}: tap → frame, page clock`] = await page.evaluate(() => window.__tap);
    },
  };
}

/**
 * Typing on a person's page: a line typed into «Контакты» at a quick typist's pace (a key every
 * 60 ms), Tab (which saves it: the document's change and its write to IndexedDB), and at once a
 * line typed into «Заметка» while that save is under way. For each key, the time from its keydown
 * (when the browser took it) to the end of the next frame (measured inside the page); the keys lost (what the field holds
 * against what was typed, and what the page shows after reopening it from the stored document).
 */
async function typing(page) {
  const contacts = "тел. 8 900 123-45-67, мама";
  const note = "Встреча перенесена на четверг";
  const listen = (name) =>
    page.locator(`textarea[name=${name}]`).evaluate((el) => {
      window.__keys = [];
      // Until the end of the next frame: a task queued from its animation-frame callback runs
      // after that frame's layout and paint.
      el.addEventListener("keydown", (ev) => {
        const at = ev.timeStamp;
        requestAnimationFrame(() => setTimeout(() => window.__keys.push(performance.now() - at)));
      });
    });
  const typeInto = async (name, text) => {
    const box = page.locator(`textarea[name=${name}]`);
    await box.fill("");
    await listen(name);
    await box.focus();
    await typeKeys(page, text, 60);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const keys = await page.evaluate(() => window.__keys);
    const value = await box.inputValue();
    return { keys, lost: value === text ? 0 : Math.max(1, [...text].length - [...value].length) };
  };
  const first = await typeInto("contacts", contacts);
  await page.keyboard.press("Tab");
  const second = await typeInto("person-note", note);
  await page.keyboard.press("Tab");
  // Stored: the page reopened from the document shows both lines.
  await page.reload();
  await page.locator("textarea[name=person-note]").waitFor({ timeout: 300_000 });
  await page.locator("[data-testid=sync-status][data-state=synced]").waitFor({ timeout: 600_000 });
  const stored = await page
    .waitForFunction(
      ([c, n]) => document.querySelector("textarea[name=contacts]")?.value === c && document.querySelector("textarea[name=person-note]")?.value === n,
      [contacts, note],
      { timeout: 60_000 },
    )
    .then(() => true, () => false);
  const worst = (keys) => Math.max(...keys);
  const median = (keys) => stats(keys).median;
  return {
    "typing: key to frame, median": median(first.keys),
    "typing: key to frame, worst": worst(first.keys),
    "typing during a save: worst": worst(second.keys),
    "typing: keys lost": first.lost + second.lost + (stored ? 0 : 1),
  };
}

/** Until `selector` is on the page and the page has painted a frame after it. */
async function painted(page, selector) {
  await page.locator(selector).first().waitFor({ timeout: 300_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * The screens of issue 11 for an empty school, the demo year and five times the demo (the demo
 * loaded five times: 950 people, 125 pairs), at 1× and 4× CPU: one table, a column per size and
 * rate.
 */
async function screensBySize(relay) {
  const t = await Tablet.launch("sizes");
  const columns = [];
  const split = [];
  try {
    await t.enrollAsCurator(relay, "Школа для замеров экранов");
    await t.waitSynced();
    let loaded = 0;
    for (const [label, loads] of [["empty", 0], ["demo", 1], ["5× demo", 5]]) {
      while (loaded < loads) {
        await t.loadDemo();
        loaded += 1;
      }
      for (const rate of [1, 4]) {
        const { out, work } = await screenMatrix(t, rate);
        columns.push([`${label} ${rate}×`, out]);
        if (rate === 4) split.push([`${label} 4×`, work]);
      }
    }
  } finally {
    await t.close();
  }
  console.log("\n## Screens by school size and CPU slow-down (ms; 4× is a budget tablet)\n");
  console.log(`${"screen".padEnd(34)}${columns.map(([c]) => pad(c, 14)).join("")}`);
  const rows = Object.keys(columns[columns.length - 1][1]);
  for (const k of rows) {
    console.log(`${k.padEnd(34)}${columns.map(([, v]) => pad(v[k] === undefined ? "—" : v[k].toFixed(0), 14)).join("")}`);
  }
  console.log("\n## Main-thread work of each screen at 4×: script / style and layout (ms)\n");
  console.log(`${"screen".padEnd(34)}${split.map(([c]) => pad(c, 14)).join("")}`);
  for (const k of Object.keys(split[split.length - 1][1])) {
    const cells = split.map(([, v]) => pad(v[k] ? `${v[k].script.toFixed(0)} / ${v[k].layout.toFixed(0)}` : "—", 14));
    console.log(`${k.padEnd(34)}${cells.join("")}`);
  }
  // Beside the figures of the last run of another commit's build on this machine, if any.
  const previous = lastRun("screens");
  if (previous) {
    console.log(`\n## The same, against the last run of commit ${previous.commit} (${previous.date}): now ms / then ms\n`);
    console.log(`${"screen".padEnd(34)}${columns.map(([c]) => pad(c, 14)).join("")}`);
    for (const k of rows) {
      const cells = columns.map(([c, v]) => {
        const then = previous.figures[c]?.[k];
        // A figure a run could not take is kept as null (NaN in JSON).
        return pad(v[k] == null || then == null ? "—" : `${v[k].toFixed(0)}/${then.toFixed(0)}`, 14);
      });
      console.log(`${k.padEnd(34)}${cells.join("")}`);
    }
  } else {
    console.log("\n(no earlier run of another commit on this machine to compare with)");
  }
  keepRun("screens", Object.fromEntries(columns));
}

/** Where each part's figures are kept between runs (untracked, under target/). */
const RUNS = join(ROOT, "target", "bench");

function commit() {
  try {
    const head = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]).toString().trim();
    const dirty = execFileSync("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"]).toString().trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return "unknown";
  }
}

/** The latest kept run of `part` made from another commit than this one. */
function lastRun(part) {
  try {
    const runs = JSON.parse(readFileSync(join(RUNS, `${part}.json`), "utf8"));
    return runs.filter((r) => r.commit !== commit()).at(-1);
  } catch {
    return undefined;
  }
}

/** Keeps this run's figures of `part` (the last 20 runs). */
function keepRun(part, figures) {
  mkdirSync(RUNS, { recursive: true });
  const file = join(RUNS, `${part}.json`);
  let runs = [];
  try {
    runs = JSON.parse(readFileSync(file, "utf8"));
  } catch {}
  runs = runs.filter((r) => r.commit !== commit());
  runs.push({ commit: commit(), date: new Date().toISOString().slice(0, 16), figures });
  writeFileSync(file, JSON.stringify(runs.slice(-20), null, 1));
}

async function schoolYear(relay) {
  const [a, b] = await Promise.all([Tablet.launch("year-A"), Tablet.launch("year-B")]);
  try {
    await a.enrollAsCurator(relay, "Школа для замеров года");
    await b.join(relay, await a.inviteCode(), "Планшет B");
    await a.waitSynced();
    const baseline = await screens(a);

    await a.page.click(".settings-link");
    a.page.once("dialog", (d) => d.accept());
    const t0 = performance.now();
    await a.page.click("[data-testid=load-demo]");
    await a.page.locator("[data-testid=demo-loaded]").waitFor();
    const loaded = performance.now() - t0;
    await a.waitSaved();
    const saved = performance.now() - t0;
    await b.page.click("[data-testid=nav-people]");
    await b.page.locator("[data-testid=people-count]", { hasText: "190 человек" }).waitFor({ timeout: 300_000 });
    const onB = performance.now() - t0;
    await a.page.click(".brand");
    await a.waitSynced();
    const synced = performance.now() - t0;
    const year = await screens(a);
    const stored = await a.page.evaluate(async () => (await navigator.storage.estimate()).usage);

    console.log("\n## A school year of data (the demo: 190 people, 25 pairs) (ms)\n");
    console.log(`load the demo (one tap → shown)     ${pad(loaded.toFixed(0))}`);
    console.log(`  … saved in IndexedDB               ${pad(saved.toFixed(0))}`);
    console.log(`  … all 190 people on tablet B       ${pad(onB.toFixed(0))}`);
    console.log(`  … tablet A synced with the relay   ${pad(synced.toFixed(0))}`);
    console.log(`storage used by the origin (bytes)   ${pad(stored)}`);
    console.log(`\n${"step".padEnd(36)}${pad("empty")}${pad("year")}${pad("ratio", 8)}`);
    for (const k of Object.keys(baseline)) {
      console.log(`${k.padEnd(36)}${pad(baseline[k].toFixed(0))}${pad(year[k].toFixed(0))}${pad((year[k] / baseline[k]).toFixed(1), 8)}`);
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** A class list of `n` invented pupils, as an electronic journal exports it (`;`, CRLF). */
function classList(n) {
  const last = ["Ёлкин", "Грачёв", "Сорокин", "Ласточкин", "Мухин", "Зайцев", "Орлов", "Соколов", "Воронов", "Синицын"];
  const first = ["Тимур", "Лев", "Артём", "Марк", "Илья", "Фёдор", "Глеб", "Савва"];
  const middle = ["Ильич", "Петрович", "Андреевич", "Олегович", "Сергеевич"];
  const rows = ["ФИО;Класс;Дата рождения"];
  for (let i = 0; i < n; i++) {
    const grade = 1 + (i % 11);
    const day = 1 + (i % 28);
    const month = 1 + (Math.floor(i / 28) % 12);
    rows.push(
      `${last[i % last.length]} ${first[Math.floor(i / 10) % first.length]} ${middle[Math.floor(i / 80) % middle.length]};` +
        `${grade}${"абвг"[Math.floor(i / 11) % 4]};${String(day).padStart(2, "0")}.${String(month).padStart(2, "0")}.${2019 - grade}`,
    );
  }
  return rows.join("\r\n");
}

/**
 * Importing 1,000 rows on a tablet (issue 12), at 1× and with the CPU slowed 4× (a budget
 * tablet): reading the file in the document worker to the preview, checking every row, adding
 * them all (one change, stored in one transaction), and the longest the page's main thread was
 * busy at once meanwhile (long tasks), which is what a user feels as a frozen screen.
 */
async function importRows(relay, rows = 1000) {
  console.log(`\n## Import of ${rows} rows from a .csv (ms)\n`);
  console.log(`${"CPU".padEnd(6)}${pad("preview")}${pad("checked")}${pad("added")}${pad("stored")}${pad("longest", 10)}${pad("tasks>50", 10)}`);
  const csv = classList(rows);
  for (const rate of [1, 4]) {
    const t = await Tablet.launch(`import-${rate}`);
    try {
      await t.enrollAsCurator(relay, `Школа импорта ${rate}`);
      await t.waitSynced();
      const cdp = await t.page.context().newCDPSession(t.page);
      await t.page.evaluate(() => {
        window.__longTasks = [];
        new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
      });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate });
      await t.page.click("[data-testid=nav-people]");
      await t.page.click("[data-testid=import-people]");
      const t0 = performance.now();
      await t.page.locator("input[name=import-file]").setInputFiles({ name: "ученики.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await t.page.locator("[data-testid=import-preview]").waitFor({ timeout: 300_000 });
      const preview = performance.now() - t0;
      const t1 = performance.now();
      await t.page.click("[data-testid=import-check]");
      await t.page.locator("[data-testid=import-good]").waitFor({ timeout: 300_000 });
      const checked = performance.now() - t1;
      const t2 = performance.now();
      await t.page.click("[data-testid=import-run]");
      await t.page.locator("[data-testid=import-done]").waitFor({ timeout: 300_000 });
      const added = performance.now() - t2;
      await t.waitSaved();
      const stored = performance.now() - t2;
      const long = await t.page.evaluate(() => window.__longTasks);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
      const done = await t.page.locator("[data-testid=import-done]").textContent();
      console.log(
        `${(rate + "×").padEnd(6)}${pad(preview.toFixed(0))}${pad(checked.toFixed(0))}${pad(added.toFixed(0))}${pad(stored.toFixed(0))}` +
          `${pad(Math.max(0, ...long).toFixed(0), 10)}${pad(long.length, 10)}   ${done.trim()}`,
      );
    } finally {
      await t.close();
    }
  }
}

const dataDir = tempDir("bench");
const relay = new Relay(dataDir);
try {
  await relay.start();
  // BENCH_ONLY=transfer,latency,year,screens,import runs some of the parts.
  const only = process.env.BENCH_ONLY?.split(",");
  const parts = { transfer, latency, year: schoolYear, screens: screensBySize, import: importRows };
  for (const [name, part] of Object.entries(parts)) {
    if (!only || only.includes(name)) await part(relay);
  }
} finally {
  await relay.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
