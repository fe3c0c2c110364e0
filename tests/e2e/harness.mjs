// Shared pieces of the end-to-end tests and the benchmark: the real relay binary in its own
// process group, and independent Chromium profiles driven by playwright-core.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inflateRawSync } from "node:zlib";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
const RELAY_BIN = process.env.NASTAVNIK_RELAY_BIN ?? join(ROOT, "target/release/sync-server");
export const APP_DIR = process.env.NASTAVNIK_APP_DIR ?? join(ROOT, "dist");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `nastavnik-${prefix}-`));
}

/** Rejects after `ms` so that a hung browser fails the test instead of hanging CI. */
export function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The relay binary, serving the built app (`appDir`) and /sync. `port` 0 picks a free one. */
export class Relay {
  constructor(dataDir, port = 0, appDir = APP_DIR) {
    this.dataDir = dataDir;
    this.port = port;
    this.appDir = appDir;
    this.child = null;
  }

  async start() {
    const child = spawn(
      RELAY_BIN,
      ["--listen", `127.0.0.1:${this.port}`, "--data", this.dataDir, "--app", this.appDir],
      { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
    );
    this.child = child;
    child.stderr.on("data", (d) => process.stderr.write(`[relay] ${d}`));
    const url = await within(
      20_000,
      new Promise((resolveUrl, reject) => {
        let buffer = "";
        child.stdout.on("data", (chunk) => {
          buffer += chunk;
          const m = buffer.match(/listening on (http:\/\/[\d.]+:(\d+))/);
          if (m) resolveUrl(m);
        });
        child.on("exit", (code) => reject(new Error(`relay exited with ${code}`)));
      }),
      "relay start",
    );
    this.url = url[1];
    this.port = Number(url[2]);
    return this.url;
  }

  /** Creates a school the way the relay's operator does; returns the curator's invitation code. */
  createSchool(name) {
    const out = execFileSync(RELAY_BIN, ["school", "create", "--data", this.dataDir, "--name", name], {
      encoding: "utf8",
      env: { ...process.env, RUST_LOG: "warn" },
    });
    return out.match(/curator invitation (\S+)/)[1];
  }

  /** A new curator invitation for an existing school, made by the operator (`school invite`). */
  inviteCurator(schoolName) {
    const env = { ...process.env, RUST_LOG: "warn" };
    const list = execFileSync(RELAY_BIN, ["school", "list", "--data", this.dataDir], { encoding: "utf8", env });
    const id = list.split("\n").map((l) => l.split("\t")).find(([, name]) => name === schoolName)[0];
    const out = execFileSync(RELAY_BIN, ["school", "invite", "--data", this.dataDir, "--school", id], { encoding: "utf8", env });
    return out.match(/curator invitation (\S+)/)[1];
  }

  /** Redeems an invitation through the API, as the app does; returns the device credential. */
  async join(code, deviceName) {
    const response = await fetch(`${this.url}/api/join`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, device_name: deviceName }),
    });
    if (!response.ok) throw new Error(`join: ${response.status} ${await response.text()}`);
    return (await response.json()).token;
  }

  /** A new staff invitation, made with a curator's credential. */
  async invite(curatorToken) {
    const response = await fetch(`${this.url}/api/invitations`, {
      method: "POST",
      headers: { authorization: `Bearer ${curatorToken}` },
    });
    if (!response.ok) throw new Error(`invite: ${response.status}`);
    return (await response.json()).code;
  }

  syncUrl(token) {
    return `${this.url.replace("http://", "ws://")}/sync?token=${encodeURIComponent(token)}`;
  }

  /** Ends the relay's whole process group (never a group we did not start). */
  async stop(signal = "SIGKILL") {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, signal);
    } catch {
      return;
    }
    await within(10_000, exited, "relay stop");
    this.child = null;
  }
}

const CHROME_ARGS = [
  "--no-sandbox",
  "--disable-dev-shm-usage",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** One tablet: an independent Chromium profile (its own IndexedDB, service worker, cache). */
export class Tablet {
  /** `options`: more of playwright's context options (e.g. `serviceWorkers: "block"`). */
  static async launch(name, options = {}) {
    const dir = tempDir(`profile-${name}`);
    const context = await within(
      30_000,
      chromium.launchPersistentContext(dir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROME_ARGS,
        viewport: { width: 800, height: 1100 },
        ...options,
      }),
      `launch ${name}`,
    );
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(60_000);
    page.on("pageerror", (e) => console.error(`[${name}] page error: ${e.message}`));
    const tablet = new Tablet(name, dir, context, page);
    // What the tests check of every tablet: the URLs of its sockets (no credential in them) and
    // what the content-security policy refused (nothing).
    page.on("websocket", (ws) => tablet.socketUrls.push(ws.url()));
    page.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) tablet.cspViolations.push(m.text());
    });
    return tablet;
  }

  constructor(name, dir, context, page) {
    Object.assign(this, { name, dir, context, page, socketUrls: [], cspViolations: [] });
  }

  async close() {
    try {
      await within(15_000, this.context.close(), `close ${this.name}`);
    } catch (e) {
      // A hung browser: kill its process so it cannot hold the test runner's stdout open.
      const pid = this.context.browser()?.process?.()?.pid;
      if (pid) process.kill(pid, "SIGKILL");
      console.error(e.message);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Loads the demo year once more into this tablet's school (each load adds its people anew). */
  async loadDemo() {
    await this.page.click(".settings-link");
    this.page.once("dialog", (d) => d.accept());
    await this.page.click("[data-testid=load-demo]");
    await this.page.locator("[data-testid=demo-loaded]").waitFor({ timeout: 600_000 });
    await this.waitSaved();
    await this.page.click(".brand");
  }

  async waitSynced() {
    await this.page.locator('[data-testid=sync-status][data-state=synced]').waitFor();
  }

  async waitOffline() {
    await this.page.locator('[data-testid=sync-status][data-state=offline]').waitFor();
  }

  async waitSaved() {
    await this.page.locator('[data-testid=save-status][data-state=saved]').waitFor();
  }

  /** Joins the school with an invitation code, through the invitation link. */
  async join(relay, code, deviceName) {
    await this.page.goto(`${relay.url}/join/${code}`);
    await this.page.fill("input[name=device-name]", deviceName);
    await this.page.click("[data-testid=join-school] button[type=submit]");
    await this.page.locator("[data-testid=school-name]").waitFor();
  }

  /** The operator creates the school; this tablet becomes its curator's first device. */
  async enrollAsCurator(relay, schoolName) {
    await this.join(relay, relay.createSchool(schoolName), "Планшет куратора");
  }

  /** The curator makes an invitation for another device, in «Настройки». */
  async inviteCode() {
    await this.page.click(".settings-link");
    await this.page.click("[data-testid=invite]");
    const code = (await this.page.locator("[data-testid=invitation-code]").textContent()).trim();
    // The same link as a QR code, for the new tablet's camera.
    await this.page.locator("[data-testid=invitation-qr] svg").waitFor();
    await this.page.click(".brand");
    return code;
  }

  async addProgramme(title, note = "") {
    await this.page.click("[data-testid=new-programme]");
    await this.page.fill("input[name=title]", title);
    await this.page.fill("textarea[name=note]", note);
    await this.page.click("[data-testid=programme-form] button[type=submit]");
    // The new programme opens; the list has it.
    await this.page.waitForURL(/\/programmes\/(?!new)[^/]+$/);
    await this.page.click("nav.tabs a[href='/']");
    await this.programmeCard(title).waitFor();
  }

  programmeCard(title) {
    return this.page.locator("[data-testid=programme]", {
      has: this.page.locator("[data-testid=programme-title]", { hasText: title }),
    });
  }

  async titles() {
    return (await this.page.locator("[data-testid=programmes] [data-testid=programme-title]").allTextContents()).sort();
  }
}

/** The entries of a zip file (central directory), by name → bytes. */
export function unzip(buffer) {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, "a zip file (end of central directory)");
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const files = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buffer.readUInt32LE(at), 0x02014b50, "central directory entry");
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString("utf8", at + 46, at + 46 + nameLength);
    assert.equal(buffer.readUInt32LE(local), 0x04034b50, "local header");
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extra + comment;
  }
  return files;
}
