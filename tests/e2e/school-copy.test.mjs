// «Сохранить копию данных школы»: a curator's tablet that changed things offline is lost; the
// copy it saved brings those changes to a new tablet, which syncs them to the relay. A file that
// is not a copy is refused with a clear message, and nothing on the tablet changes.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Relay, Tablet, tempDir } from "./harness.mjs";

const SCHOOL = "МБОУ «Озёрная СОШ»";

describe("a copy of the school's data", () => {
  let relay;
  let dataDir;
  let a;
  let b;

  before(async () => {
    dataDir = tempDir("relay");
    relay = new Relay(dataDir);
    await relay.start();
    a = await Tablet.launch("A");
  });

  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("saved offline on a tablet that is then lost, it is restored on a new tablet and synced", async () => {
    await a.enrollAsCurator(relay, SCHOOL);
    await a.addProgramme("Программа на сервере");
    await a.waitSynced();

    // The relay becomes unreachable; the curator goes on and keeps a copy.
    await relay.stop();
    await a.waitOffline();
    await a.addProgramme("Программа только в копии");
    await a.page.click(".settings-link");
    const [download] = await Promise.all([
      a.page.waitForEvent("download"),
      a.page.click("[data-testid=save-school-copy]"),
    ]);
    assert.match(download.suggestedFilename(), /Озёрная СОШ \d{4}-\d{2}-\d{2}\.nastavnik$/);
    const copy = tempDir("copy") + "/school.nastavnik";
    await download.saveAs(copy);
    await a.page.locator("[data-testid=school-copy-result]", { hasText: "Копия сохранена" }).waitFor();

    // The tablet is lost before it ever synced again.
    await a.close();
    a = null;
    await relay.start();

    b = await Tablet.launch("B");
    await b.join(relay, relay.inviteCurator(SCHOOL), "Новый планшет куратора");
    await b.programmeCard("Программа на сервере").waitFor();
    assert.deepEqual(await b.titles(), ["Программа на сервере"]);

    await b.page.click(".settings-link");
    // Not a copy: refused, and the tablet's data stays as it was.
    await b.page.setInputFiles("[data-testid=restore-school-copy]", {
      name: "таблица.nastavnik",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("PK\u0003\u0004 это таблица, а не копия"),
    });
    await b.page.locator("[data-testid=school-copy-result][role=alert]", { hasText: "не копия данных школы" }).waitFor();

    await b.page.setInputFiles("[data-testid=restore-school-copy]", copy);
    await b.page.locator("[data-testid=school-copy-result]", { hasText: "Копия восстановлена" }).waitFor();
    await b.page.click(".brand");
    await b.programmeCard("Программа только в копии").waitFor();
    assert.deepEqual(await b.titles(), ["Программа на сервере", "Программа только в копии"]);
    // On the relay now, for every other tablet of the school.
    await b.waitSynced();
  });

  test("the curator sees an open invitation and cancels it", async () => {
    await b.page.click(".settings-link");
    await b.page.click("[data-testid=invite]");
    const code = (await b.page.locator("[data-testid=invitation-code]").textContent()).trim();
    const open = b.page.locator("[data-testid=open-invitation]");
    await open.first().waitFor();
    assert.equal(await open.count(), 1);
    assert.match(await open.first().textContent(), /Новый планшет куратора/);
    await b.page.click("[data-testid=cancel-invitation]");
    await b.page.locator("[data-testid=open-invitations]").waitFor({ state: "detached" });
    await assert.rejects(relay.join(code, "чужой планшет"), /join: 400/);
    await b.page.click(".brand");
  });
});
