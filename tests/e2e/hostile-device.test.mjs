// A hostile device inside a school: a staff credential (a stolen or a fired employee's tablet)
// driving a real automerge-repo client against the relay. It marks every person of the demo
// school erased and claims schema 99 in the school document. Nothing irreversible may follow:
// no tablet deletes anyone, the relay lists no erasure, the curator's tablet names the device
// and repairs both with one tap.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

import { Relay, Tablet, tempDir, within } from "./harness.mjs";

/** How many IndexedDB chunk keys the tablet holds. */
function storedChunks(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open("nastavnik");
    open.onsuccess = () => {
      const req = open.result.transaction("chunks").objectStore("chunks").count();
      req.onsuccess = () => { resolve(req.result); open.result.close(); };
      req.onerror = () => reject(req.error);
    };
    open.onerror = () => reject(open.error);
  }));
}

async function api(relay, token, path) {
  const response = await fetch(`${relay.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.ok(response.ok, `${path}: ${response.status}`);
  return response.json();
}

describe("a hostile staff device", () => {
  let relay;
  let dataDir;
  let curator;
  let hostile;

  before(async () => {
    dataDir = tempDir("relay-hostile");
    relay = new Relay(dataDir);
    await relay.start();
    curator = await Tablet.launch("curator");
  });

  after(async () => {
    await within(5_000, hostile?.shutdown() ?? Promise.resolve(), "repo shutdown").catch(() => {});
    await curator?.close();
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("cannot erase the school's people or freeze its tablets", async () => {
    const page = curator.page;
    await curator.enrollAsCurator(relay, "МБОУ «Сосновская СОШ»");
    await page.click(".settings-link");
    page.once("dialog", (d) => d.accept());
    await page.click("[data-testid=load-demo]");
    await page.locator("[data-testid=demo-loaded]").waitFor();
    await curator.waitSaved();
    await curator.waitSynced();
    await page.click("[data-testid=nav-people]");
    const count = await page.locator("[data-testid=people-count]").textContent();
    const chunksBefore = await storedChunks(page);
    await page.click(".brand");

    // The hostile device joins with an ordinary staff invitation.
    const token = await relay.join(await curator.inviteCode(), "Планшет уволенного сотрудника");
    const me = await api(relay, token, "/api/me");
    hostile = new Repo({ network: [new WebSocketClientAdapter(relay.syncUrl(token), 200)] });
    const root = me.school.root_doc.startsWith("automerge:") ? me.school.root_doc : `automerge:${me.school.root_doc}`;
    const handle = await within(20_000, hostile.find(root), "find the school document");
    await within(20_000, handle.whenReady(), "the school document");
    const people = Object.keys(handle.doc().people);
    assert.ok(people.length >= 190, `${people.length} people`);
    handle.change((d) => {
      for (const id of people) d.people[id].erased_at = Date.now();
      d.schema = 99;
    });

    // The curator's tablet sees the claim, names the device, and deleted nothing.
    await page.locator("[data-testid=suspect-schema]").waitFor();
    await page.locator("[data-testid=schema-writer]", { hasText: "Планшет уволенного сотрудника" }).waitFor();
    await curator.waitSaved();
    assert.ok((await storedChunks(page)) >= chunksBefore, "no person's document left the tablet");
    assert.deepEqual((await api(relay, token, "/api/erasures")).erased, [], "the relay erased nobody");

    // One tap repairs the schema; the marks the relay never confirmed are taken back.
    await page.click("[data-testid=repair-schema]");
    await page.locator("[data-testid=suspect-schema]").waitFor({ state: "detached" });
    await page.click("[data-testid=nav-people]");
    await page.locator("[data-testid=people-count]", { hasText: count }).waitFor();
    await curator.waitSynced();
    const repaired = handle.doc();
    assert.equal(Number(repaired.schema), 2);
    assert.equal(
      Object.values(repaired.people).filter((p) => p.erased_at != null).length,
      0,
      "every mark is taken back, on the hostile device's copy too",
    );
  });
});
