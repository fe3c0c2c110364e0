// People from a spreadsheet (issue 12): the curator picks a file, sees its rows and the
// mapping of its columns, sees each bad row with its reason before anything is written, adds the
// good rows at once; the same file again adds nobody; a file that is not a table is refused with
// a clear message. The file is read by the document worker, on the tablet. Invented names only.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Relay, Tablet, tempDir } from "./harness.mjs";

const CSV = [
  "Список 5 класса;;",
  "ФИО;Класс;Дата рождения",
  "Ёлкина Вера Андреевна;5а;12.03.2015",
  "Грачёв Тимур Ильич;5 А;7.11.15",
  ";;",
  "Мухина;5А;01.01.2015",
  "Сорокин Лев Петрович;5А;01.01.2099",
  "Ёлкина Вера Андреевна;5А;12.03.2015",
  "Ласточкина Ада Олеговна;5А;2 февраля 2015",
].join("\r\n");

describe("people from a spreadsheet", () => {
  let relay;
  let dataDir;
  let t;

  before(async () => {
    dataDir = tempDir("relay");
    relay = new Relay(dataDir);
    await relay.start();
    t = await Tablet.launch("A");
    await t.enrollAsCurator(relay, "МБОУ «Речная СОШ»");
  });

  after(async () => {
    await t?.close();
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function choose(page, name, content) {
    await page.click("[data-testid=nav-people]");
    await page.click("[data-testid=import-people]");
    await page.locator("input[name=import-file]").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(content) });
  }

  test("a class list is checked row by row, then its good rows are added at once", async () => {
    const page = t.page;
    await choose(page, "5А.csv", CSV);
    await page.locator("[data-testid=import-preview]").waitFor();
    // The headers were found under the title row, and their columns recognised.
    assert.equal(await page.locator("input[name=header-row]").inputValue(), "2");
    assert.equal(await page.locator("select[name=column-0]").inputValue(), "FullName");
    assert.equal(await page.locator("select[name=column-2]").inputValue(), "BirthDate");
    await page.click("[data-testid=import-check]");
    await page.locator("[data-testid=import-good]", { hasText: "Будут добавлены: 3 участника." }).waitFor();
    const bad = await page.locator("[data-testid=import-bad]").textContent();
    assert.match(bad, /строка 6.*нет фамилии или имени/);
    assert.match(bad, /строка 7.*в будущем/);
    assert.match(await page.locator("[data-testid=import-duplicates]").textContent(), /строка 8: Ёлкина Вера Андреевна — повтор строки 3/);

    await page.click("[data-testid=import-run]");
    await page.locator("[data-testid=import-done]", { hasText: "Добавлено: 3 участника." }).waitFor();
    await page.click("[data-testid=nav-people]");
    await page.fill("input[name=search]", "елкина");
    assert.deepEqual(await page.locator("[data-testid=person-name]").allTextContents(), ["Ёлкина Вера Андреевна"]);
    await page.fill("input[name=search]", "5А");
    assert.equal((await page.locator("[data-testid=person-name]").allTextContents()).length, 3);
    await t.waitSynced();
  });

  test("the same file again adds nobody, and a file that is not a table is refused", async () => {
    const page = t.page;
    await choose(page, "5А.csv", CSV);
    await page.click("[data-testid=import-check]");
    await page.locator("[data-testid=import-good]", { hasText: "Будут добавлены: 0 участников." }).waitFor();
    assert.equal(await page.locator("[data-testid=import-run]").count(), 0);
    const duplicates = await page.locator("[data-testid=import-duplicates]").textContent();
    for (const name of ["Ёлкина Вера Андреевна", "Грачёв Тимур Ильич", "Ласточкина Ада Олеговна"]) {
      assert.ok(duplicates.includes(`${name} — уже в школе`), duplicates);
    }

    await page.locator("input[name=import-file]").setInputFiles({ name: "отчёт.xlsx", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7 not a table") });
    await page.locator("[data-testid=import-error]", { hasText: "повреждён или это не таблица" }).waitFor();
  });
});
