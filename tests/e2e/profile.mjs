// A CPU profile of a cold start (a tool, not a test): a school with the demo year loaded
// `times` times is reopened with the CPU slowed `rate`×, until the home screen's panels are
// painted, and the functions are printed by self and by total time. Function names need a
// build that keeps them: scripts/profile-build writes one to dist-profile/.
//
// Usage: scripts/profile-build && NASTAVNIK_APP_DIR=dist-profile [SCREEN=pair] node tests/e2e/profile.mjs [times=1] [rate=4]
import { rmSync } from "node:fs";

import { Relay, Tablet, tempDir } from "./harness.mjs";

const TIMES = Number(process.argv[2] ?? 1);
const RATE = Number(process.argv[3] ?? 4);
const TOP = Number(process.env.TOP ?? 40);
// FOCUS=regex: also print which of our functions (app::, model::, export::, sync_core::) the
// time under the matching frames is spent for.
const FOCUS = process.env.FOCUS ? new RegExp(process.env.FOCUS) : undefined;
const OURS = /^<?(app|model|export|sync_core)::/;

/** Self and total (inclusive) milliseconds per function name. */
function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => n.callFrame.functionName || `(${n.callFrame.url.split("/").pop() || "anonymous"})`;
  const self = new Map();
  const total = new Map();
  const focus = new Map();
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(id);
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
    if (FOCUS) {
      let n = leaf;
      while (n && !FOCUS.test(name(n))) n = byId.get(parent.get(n.id));
      while (n && !OURS.test(name(n))) n = byId.get(parent.get(n.id));
      if (n) focus.set(name(n), (focus.get(name(n)) ?? 0) + dt);
    }
    const seen = new Set();
    for (let n = leaf; n; n = byId.get(parent.get(n.id))) {
      const k = name(n);
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + dt);
      }
    }
  });
  return { self, total, focus };
}

function print(title, map) {
  console.log(`\n## ${title} (ms)\n`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${v.toFixed(0).padStart(8)}  ${k.slice(0, 150)}`);
  }
}

const dataDir = tempDir("profile");
const relay = new Relay(dataDir);
const t = await (async () => {
  await relay.start();
  return Tablet.launch("profile");
})();
try {
  await t.enrollAsCurator(relay, "Школа для профиля");
  await t.waitSynced();
  for (let i = 0; i < TIMES; i++) await t.loadDemo();
  const cdp = await t.page.context().newCDPSession(t.page);
  const painted = () => t.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // SCREEN=pair: a pair's page opened from the pairs list, after a start and its first exchange
  // with the relay; SCREEN=roadmap, people, pairs: that screen from the home screen after the
  // same; SCREEN=person: a person's page from the people list; SCREEN=search: «Лес» typed in the
  // people list's search; SCREEN=list: a start until the programme list; SCREEN=sync: a start
  // until the first exchange with the relay is over; otherwise a start until the home screen's
  // panels.
  const screen = process.env.SCREEN;
  if (["pair", "roadmap", "person", "people", "search", "pairs"].includes(screen)) {
    await t.page.reload();
    await t.waitSynced();
  }
  // A start as on any later day: what the demo wrote is stored and sent (and the home screen
  // stored with the school's document).
  if (screen === "list" || screen === "sync") await t.waitSynced();
  if (screen === "person" || screen === "search") {
    await t.page.click("[data-testid=nav-people]");
    await t.page.locator("[data-testid=person] a").first().waitFor();
  }
  if (screen === "pair") {
    await t.page.click("[data-testid=nav-pairs]");
    await t.page.locator("[data-testid=pair] a").first().waitFor();
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: RATE });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const t0 = performance.now();
  if (screen === "pair") {
    await t.page.locator("[data-testid=pair] a").first().click();
    await t.page.locator("[data-testid=meetings]").waitFor({ timeout: 600_000 });
  } else if (screen === "person") {
    await t.page.locator("[data-testid=person] a").first().click();
    await t.page.locator("[data-testid=person-title]").waitFor({ timeout: 600_000 });
  } else if (screen === "people") {
    await t.page.click("[data-testid=nav-people]");
    await t.page.locator("[data-testid=people-count]").waitFor({ timeout: 600_000 });
  } else if (screen === "search") {
    await t.page.locator("input[name=search]").pressSequentially("Лес");
  } else if (screen === "pairs") {
    await t.page.click("[data-testid=nav-pairs]");
    await t.page.locator("[data-testid=pair-count]").waitFor({ timeout: 600_000 });
  } else if (screen === "roadmap") {
    await t.page.click("[data-testid=nav-roadmap]");
    await t.page.locator("[data-testid=indicator]").first().waitFor({ timeout: 600_000 });
  } else if (screen === "list") {
    await t.page.reload({ waitUntil: "commit" });
    await t.page.locator("[data-testid=programmes] > li").first().waitFor({ timeout: 600_000 });
  } else if (screen === "sync") {
    await t.page.reload({ waitUntil: "commit" });
    await t.page.locator("[data-testid=sync-status][data-state=synced]").waitFor({ timeout: 600_000 });
  } else {
    await t.page.reload();
    await t.page.locator("[data-testid=progress]").waitFor({ timeout: 600_000 });
  }
  await painted();
  const ms = performance.now() - t0;
  const { profile } = await cdp.send("Profiler.stop");
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  const what = {
    pair: "a pair's page",
    roadmap: "the roadmap, opened from the home screen",
    person: "a person's page, opened from the people list",
    people: "the people list, opened from the home screen",
    search: "«Лес» typed in the people list's search",
    pairs: "the pairs list, opened from the home screen",
    list: "cold start to the programme list",
    sync: "cold start until in step with the relay",
  }[screen] ?? "cold start to the home screen's panels";
  console.log(`${what}, ${TIMES}× demo at ${RATE}× CPU: ${ms.toFixed(0)} ms`);
  const { self, total, focus } = summarise(profile);
  print("self time", self);
  print("total time", total);
  if (FOCUS) print(`our callers of ${FOCUS}`, focus);
} finally {
  await t.close();
  await relay.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
