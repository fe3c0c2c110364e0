// The local-first loop end to end: two tablets (independent Chromium profiles) and the real
// relay binary. Every wait is on an event in the page; nothing sleeps.
import assert from "node:assert/strict";
import { cpSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { APP_DIR, Relay, Tablet, tempDir, within } from "./harness.mjs";

describe("the local-first loop", () => {
  let relay;
  let dataDir;
  let a;
  let b;

  before(async () => {
    dataDir = tempDir("relay");
    relay = new Relay(dataDir);
    await relay.start();
    [a, b] = await Promise.all([Tablet.launch("A"), Tablet.launch("B")]);
  });

  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("a programme created on A appears on B without reloading", async () => {
    await a.enrollAsCurator(relay, "МБОУ «Берёзовская СОШ»");
    await b.join(relay, await a.inviteCode(), "Планшет наставника");
    await b.page.locator("[data-testid=school-name]", { hasText: "Берёзовская" }).waitFor();

    const navigations = [];
    b.page.on("framenavigated", (f) => f === b.page.mainFrame() && navigations.push(f.url()));
    await a.addProgramme("Служба учебной помощи", "Пары «успевающий – неуспевающий»");
    await b.programmeCard("Служба учебной помощи").waitFor();
    assert.deepEqual(navigations, [], "B did not reload or navigate");
    assert.equal(await b.programmeCard("Служба учебной помощи").locator("[data-testid=programme-form]").textContent(), "ученик – ученик");
    await Promise.all([a.waitSynced(), b.waitSynced()]);
    // The app ran under the relay's content-security policy without a refusal, and its
    // credential never travelled in a socket's URL (proxies log URLs).
    for (const tablet of [a, b]) {
      assert.deepEqual(tablet.cspViolations, [], `${tablet.name}: CSP refusals`);
      assert.ok(tablet.socketUrls.length > 0, `${tablet.name} opened a sync socket`);
      for (const url of tablet.socketUrls) assert.doesNotMatch(url, /token/, `${tablet.name}: ${url}`);
    }
  });

  test("a start paints the bar and the school's name before the app's code has arrived", async () => {
    // The app keeps the school's name for index.html's own shell and removes that shell once
    // its first screen is up.
    assert.equal(await a.page.evaluate(() => localStorage.getItem("nastavnik.school-name")), "МБОУ «Берёзовская СОШ»");
    assert.equal(await a.page.locator("#boot").count(), 0);
    // A tablet whose app code never arrives (its wasm refused; no service worker to serve it)
    // still shows the shell with the name its last visit kept, under the relay's policy.
    const c = await Tablet.launch("C", { serviceWorkers: "block" });
    try {
      await c.page.route("**/*.wasm", (route) => route.abort());
      await c.page.goto(`${relay.url}/`);
      await c.page.evaluate(() => localStorage.setItem("nastavnik.school-name", "МБОУ «Берёзовская СОШ»"));
      await c.page.reload();
      await c.page.locator("[data-testid=boot-school-name]", { hasText: "Берёзовская" }).waitFor();
      assert.match(await c.page.locator("#boot").textContent(), /Наставник.*Загрузка…/s);
      assert.deepEqual(c.cspViolations, [], "the shell's script is allowed by the relay's policy");
    } finally {
      await c.close();
    }
  });

  test("edits made on both tablets while the relay is down all survive its restart", async () => {
    await relay.stop("SIGKILL");
    await Promise.all([a.waitOffline(), b.waitOffline()]);

    // A renames the programme; B rewrites its note. Each is saved on its own tablet first.
    await a.programmeCard("Служба учебной помощи").click();
    await a.page.fill("input[name=title]", "Служба учебной помощи 7–9 классов");
    await a.page.press("input[name=title]", "Tab");
    await a.waitSaved();
    await b.programmeCard("Служба учебной помощи").click();
    await b.page.fill("textarea[name=note]", "Встречи по вторникам после уроков");
    await b.page.press("textarea[name=note]", "Tab");
    await b.waitSaved();
    await a.page.click(".brand");
    await b.page.click(".brand");
    await a.addProgramme("Учитель – учитель: молодой специалист");
    await b.addProgramme("Лидер – пассивный");

    await relay.start(); // same port and --data
    await Promise.all([a.waitSynced(), b.waitSynced()]);
    const expected = ["Лидер – пассивный", "Служба учебной помощи 7–9 классов", "Учитель – учитель: молодой специалист"];
    for (const tablet of [a, b]) {
      await tablet.programmeCard("Лидер – пассивный").waitFor();
      await tablet.programmeCard("Учитель – учитель").waitFor();
      await tablet.programmeCard("Служба учебной помощи 7–9 классов").waitFor();
      assert.deepEqual(await tablet.titles(), expected, `${tablet.name} has every programme`);
      const card = tablet.programmeCard("Служба учебной помощи 7–9 классов");
      assert.equal(await card.locator("[data-testid=programme-note]").textContent(), "Встречи по вторникам после уроков");
    }
  });

  test("with the relay down, a reload opens the app from the service worker with all its data", async () => {
    await a.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await relay.stop("SIGKILL");
    await a.waitOffline();
    await a.page.reload();
    await a.programmeCard("Лидер – пассивный").waitFor();
    assert.equal((await a.titles()).length, 3);
    // The shell came from the service worker, and the app in it names the screen.
    const shell = await a.page.evaluate(() => document.title);
    assert.equal(shell, "Программы — Наставник");
    await relay.start();
  });

  test("on a connection that takes the request and answers nothing, a reload opens the app from the cached shell", async () => {
    await a.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await relay.stop("SIGKILL");
    // The relay's address takes connections and never answers, as a weak rural connection can
    // stay "connected" while nothing arrives. The service worker waits for the network's shell
    // only briefly before answering with the cached one (a navigation that waited for the
    // network would never commit here).
    const held = new Set();
    const mute = createServer((socket) => {
      held.add(socket);
      socket.on("close", () => held.delete(socket));
    });
    await new Promise((resolve) => mute.listen(relay.port, "127.0.0.1", resolve));
    try {
      await a.page.reload({ waitUntil: "commit" });
      await a.programmeCard("Лидер – пассивный").waitFor();
      assert.equal((await a.titles()).length, 3);
      assert.ok(held.size > 0, "the page's requests reached the silent address");
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
    await relay.start();
    await a.waitSynced();
  });

  test("a new build is kept only with its code and starts offline, and builds do not pile up", async () => {
    // New builds: the app as built, its code under another hash.
    const html = readFileSync(join(APP_DIR, "index.html"), "utf8");
    const [, hash] = html.match(/\/app-([0-9a-f]{10,16})\.js/);
    const build = (renamed, later) => {
      const dir = tempDir(`build-${renamed}`);
      cpSync(APP_DIR, dir, { recursive: true });
      for (const f of readdirSync(dir)) {
        if (/\.(br|gz)$/.test(f)) {
          if (f.startsWith("index.html") || f.includes(hash)) rmSync(join(dir, f));
        } else if (f.includes(hash)) {
          renameSync(join(dir, f), join(dir, f.replaceAll(hash, renamed)));
        }
      }
      writeFileSync(join(dir, "index.html"), html.replaceAll(`app-${hash}`, `app-${renamed}`));
      // As a deploy's would, each build's shell has a time of its own: the relay's answer to a
      // revalidation is by the second, and two shells written in one second would be "not
      // modified" (the old body with the new build's headers).
      const at = new Date(Date.now() + later * 60_000);
      utimesSync(join(dir, "index.html"), at, at);
      return dir;
    };
    const [second, third] = ["feedfacefeedface", "beadbeadbeadbead"];
    const dirs = [build(second, 1), build(third, 2)];
    const kept = (name) => a.page.evaluate(async (name) => Boolean(await caches.match(name)), name);
    const keptShell = () => a.page.evaluate(async () => (await caches.match("/")).text());
    // Until the service worker has kept the shell of build `name`: its word, or the shell
    // already there when the page started listening (bounded: without either this would wait
    // for ever).
    const keptBuild = (name) =>
      within(
        60_000,
        a.page.evaluate(
          (name) =>
            new Promise((resolve) => {
              const check = async () => (await (await caches.match("/"))?.text())?.includes(name) && resolve(true);
              navigator.serviceWorker.addEventListener("message", (e) => e.data?.shellKept && check());
              check();
            }),
          `app-${name}`,
        ),
        `the service worker keeps build ${name}`,
      );
    await relay.stop();
    try {
      // The second build, behind the school's address, whose shell is held until the test lets
      // it go (a slow connection); everything else passes.
      const inner = new Relay(dataDir, 0, dirs[0]);
      await inner.start();
      const held = [];
      const front = createHttpServer((req, res) => {
        const forward = () => {
          const up = httpRequest({ host: "127.0.0.1", port: inner.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
            res.writeHead(answer.statusCode, answer.headers);
            answer.pipe(res);
          });
          up.on("error", () => res.destroy());
          req.pipe(up);
        };
        if (req.url === "/") held.push(forward);
        else forward();
      });
      await new Promise((resolve) => front.listen(relay.port, "127.0.0.1", resolve));
      try {
        await a.page.reload({ waitUntil: "commit" });
        await a.programmeCard("Лидер – пассивный").waitFor();
        assert.ok(held.length > 0, "the start asked the network for the shell");
        for (const go of held.splice(0)) go();
        await keptBuild(second);
        // The late shell is the one kept, with its code; the build it replaced keeps its code
        // too (a page given that shell a moment ago may still ask for it).
        assert.match(await keptShell(), new RegExp(`app-${second}`));
        assert.ok(await kept(`/app-${second}.js`), "the new build's JS is kept with its shell");
        assert.ok(await kept(`/app-${second}_bg.wasm`), "the new build's wasm is kept with its shell");
        assert.ok(await kept(`/app-${hash}_bg.wasm`), "the replaced build's wasm is still kept");
      } finally {
        const closed = new Promise((resolve) => front.close(resolve));
        front.closeAllConnections();
        await closed;
        await inner.stop();
      }
      // Offline, the next start runs the kept build from the cache.
      await a.page.reload({ waitUntil: "commit" });
      await a.programmeCard("Лидер – пассивный").waitFor();
      const ran = (name) => a.page.evaluate((name) => performance.getEntriesByType("resource").some((e) => e.name.endsWith(name)), `/app-${name}_bg.wasm`);
      assert.ok(await ran(second), "the offline start ran the kept build");
      // A third build, answering at once: its code is not here yet, so the start runs the kept
      // build and the third is downloaded behind it. Once it is kept, the first build's code,
      // which no kept shell names, is gone: two builds at most stay on the tablet.
      const next = new Relay(dataDir, relay.port, dirs[1]);
      await next.start();
      try {
        await a.page.reload({ waitUntil: "commit" });
        await a.programmeCard("Лидер – пассивный").waitFor();
        assert.ok(await ran(second), "the start did not wait for the third build's code");
        await keptBuild(third);
        assert.match(await keptShell(), new RegExp(`app-${third}`));
        assert.ok(await kept(`/app-${third}_bg.wasm`));
        assert.ok(await kept(`/app-${second}_bg.wasm`));
        assert.equal(await kept(`/app-${hash}_bg.wasm`), false, "the oldest build's code is dropped");
        assert.equal(await kept(`/app-${hash}.js`), false);
      } finally {
        await next.stop();
      }
    } finally {
      // The school's relay is back, whatever happened above.
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await relay.start();
    }
    await a.waitSynced();
  });

  test("the curator sees the school's devices and cuts one off", async () => {
    await a.page.click(".settings-link");
    const devices = a.page.locator("[data-testid=device]");
    await devices.nth(1).waitFor();
    assert.equal(await devices.count(), 2);
    // The curator is asked once, naming the device; declining changes nothing.
    let asked = "";
    a.page.once("dialog", (d) => { asked = d.message(); d.dismiss(); });
    await a.page.locator("[data-testid=revoke-device]").click();
    assert.match(asked, /Отключить устройство «Планшет наставника»/);
    assert.equal(await a.page.locator('[data-testid=device][data-revoked="true"]').count(), 0);
    a.page.once("dialog", (d) => d.accept());
    await a.page.locator("[data-testid=revoke-device]").click();
    await a.page.locator('[data-testid=device][data-revoked="true"]').waitFor();
    await b.page.locator('[data-testid=sync-status][data-state=refused]').waitFor();
    assert.match(await b.page.locator("[data-testid=sync-status]").textContent(), /отключено куратором/);
    // What B had stays on B: revocation stops sync, it does not wipe the tablet.
    assert.equal((await b.titles()).length, 3);
    await a.page.click(".brand");
  });

  test("Chromium finds the app installable", async () => {
    const cdp = await a.context.newCDPSession(a.page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, []);
    const manifest = await cdp.send("Page.getAppManifest");
    assert.match(manifest.data, /"short_name": "Наставник"/);
  });
});
