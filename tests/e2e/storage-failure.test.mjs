// A write that the browser refuses is shown to the user, keeps the edit in memory, and is saved
// once the user retries. Here the browser force-closes the app's database under it (clearing the
// site's IndexedDB through the DevTools protocol), the harshest case: the retry must rebuild the
// stored document from memory, not just append to chunks that are gone.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";

import { Relay, Tablet, tempDir } from "./harness.mjs";

let relay;
let dataDir;
let tablet;

before(async () => {
  dataDir = tempDir("relay-closed-db");
  relay = new Relay(dataDir);
  await relay.start();
  tablet = await Tablet.launch("closed-db");
});

after(async () => {
  await tablet?.close();
  await relay?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("a write to a database the browser closed is shown, kept, and saved on retry", async () => {
  await tablet.enrollAsCurator(relay, "Школа с маленьким планшетом");
  await tablet.addProgramme("До сбоя");
  // Synced first: reaching «Синхронизировано» writes the relay's heads to IndexedDB, and that
  // write must not be the one that meets the closed database (the next write after a failure
  // reopens it, and this test is about the failure the user sees).
  await tablet.waitSynced();
  await tablet.waitSaved();

  const cdp = await tablet.context.newCDPSession(tablet.page);
  await cdp.send("Storage.clearDataForOrigin", { origin: relay.url, storageTypes: "indexeddb" });
  await tablet.addProgramme("Во время сбоя");
  const banner = tablet.page.locator("[data-testid=save-error]");
  await banner.waitFor();
  assert.match(await banner.textContent(), /не сохранены/);
  assert.equal(await tablet.page.locator("[data-testid=save-status]").getAttribute("data-state"), "failed");
  // The edit is still on screen: nothing was dropped.
  await tablet.programmeCard("Во время сбоя").waitFor();

  await banner.locator("button").click();
  await tablet.waitSaved();
  await banner.waitFor({ state: "detached" });

  // Stop the relay so the reload can only find the programme in this tablet's own storage.
  await relay.stop("SIGKILL");
  await tablet.page.reload();
  await tablet.programmeCard("Во время сбоя").waitFor();
  assert.deepEqual(await tablet.titles(), ["Во время сбоя", "До сбоя"]);
});
