// The local-first loop end to end: two tablets (independent Chromium profiles) and the real
// relay binary. Every wait is on an event in the page; nothing sleeps.
import assert from "node:assert/strict";
import { cpSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { APP_DIR, Relay, Tablet, tempDir } from "./harness.mjs";

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

  test("a new build whose shell arrives after the cached one has answered is kept with its code, and the next start offline runs it", async () => {
    // A new build: the app as built, its code under another hash.
    const next = tempDir("next-build");
    cpSync(APP_DIR, next, { recursive: true });
    const html = readFileSync(join(next, "index.html"), "utf8");
    const [, hash] = html.match(/\/app-([0-9a-f]{10,16})\.js/);
    const renamed = "feedfacefeedface";
    for (const f of readdirSync(next)) {
      if (/\.(br|gz)$/.test(f)) {
        if (f.startsWith("index.html") || f.includes(hash)) rmSync(join(next, f));
      } else if (f.includes(hash)) {
        renameSync(join(next, f), join(next, f.replaceAll(hash, renamed)));
      }
    }
    writeFileSync(join(next, "index.html"), html.replaceAll(`app-${hash}`, `app-${renamed}`));
    await relay.stop();
    const inner = new Relay(dataDir, 0, next);
    await inner.start();
    // The school's address in front of it: the shell is held until the test lets it go (a slow
    // connection), everything else passes.
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
    const kept = (name) => a.page.evaluate(async (name) => Boolean(await caches.match(name)), name);
    try {
      try {
        await a.page.reload({ waitUntil: "commit" });
        await a.programmeCard("Лидер – пассивный").waitFor();
        assert.ok(held.length > 0, "the start asked the network for the shell");
        // The late shell becomes the one kept, and only with its code: the service worker says
        // so once it is stored.
        await a.page.evaluate(() => {
          window.__shellKept = new Promise((resolve) => navigator.serviceWorker.addEventListener("message", (e) => e.data?.shellKept && resolve(true)));
        });
        for (const go of held.splice(0)) go();
        await a.page.evaluate(() => window.__shellKept);
        assert.match(await a.page.evaluate(async () => (await caches.match("/")).text()), new RegExp(`app-${renamed}`));
        assert.ok(await kept(`/app-${renamed}.js`), "the new build's JS is kept with its shell");
        assert.ok(await kept(`/app-${renamed}_bg.wasm`), "the new build's wasm is kept with its shell");
        // The older build's code, which no start asks for any more, is not kept.
        assert.equal(await kept(`/app-${hash}_bg.wasm`), false);
      } finally {
        const closed = new Promise((resolve) => front.close(resolve));
        front.closeAllConnections();
        await closed;
        await inner.stop();
        rmSync(next, { recursive: true, force: true });
      }
      // Offline, the next start runs the kept build from the cache.
      await a.page.reload({ waitUntil: "commit" });
      await a.programmeCard("Лидер – пассивный").waitFor();
      assert.ok(await a.page.evaluate((name) => performance.getEntriesByType("resource").some((e) => e.name.endsWith(name)), `/app-${renamed}_bg.wasm`));
    } finally {
      // The school's relay is back, whatever happened above.
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
