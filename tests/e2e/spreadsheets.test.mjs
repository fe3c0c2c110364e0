// People from a spreadsheet (issue 12), offline: a curator whose tablet has used the document
// module once imports a class list with a bad row and a duplicate (both reported before anything
// is written), adds the rest at once, forms a pair from a suggested mentor, and downloads the
// mentee base; the same file again adds nobody; a file that is not a table is refused. The file
// is read by the document worker, on the tablet. Invented names only.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Relay, Tablet, tempDir, unzip } from "./harness.mjs";

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

  async function choose(page, name, content, mimeType = "text/csv") {
    await page.click("[data-testid=nav-people]");
    await page.click("[data-testid=import-people]");
    await page.locator("input[name=import-file]").setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
  }

  test("online: a file that is not a table is refused with a clear message", async () => {
    const page = t.page;
    page.once("dialog", (d) => d.accept());
    await page.click("[data-testid=first-demo]");
    await page.locator("[data-testid=demo-loaded]").waitFor();
    await choose(page, "отчёт.xlsx", "%PDF-1.7 not a table", "application/pdf");
    await page.locator("[data-testid=import-error]", { hasText: "повреждён или это не таблица" }).waitFor();
    await t.waitSynced();
    // The next test reloads offline: what this one added is on the relay and in IndexedDB.
    await t.waitSaved();
  });

  test("offline: a class list is checked row by row, its good rows added at once, a pair formed from a suggestion, the mentee base downloaded", async () => {
    const page = t.page;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await relay.stop();
    await t.waitOffline();
    await page.reload();
    await page.locator("[data-testid=nav-people]").waitFor();

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
    await page.fill("input[name=search]", "елкина вера");
    assert.deepEqual(await page.locator("[data-testid=person-name]").allTextContents(), ["Ёлкина Вера Андреевна"]);

    // A pair for one of them, with a mentor the app suggests from the mentor base.
    await page.click("[data-testid=nav-pairs]");
    await page.click("[data-testid=new-pair]");
    const mentee = page.locator("[data-testid=picker-mentee]");
    await mentee.locator("select[name=mentee-role]").selectOption("");
    await mentee.locator("input[name=mentee-search]").fill("ласточкина");
    await mentee.locator("[data-testid=pick][data-name='Ласточкина Ада Олеговна']").click();
    const suggestion = page.locator("[data-testid=suggestion]").first();
    await suggestion.waitFor({ timeout: 15_000 }).catch(async (e) => {
      throw new Error(`no suggestion: ${await page.locator("[data-testid=pair-form]").textContent()}`, { cause: e });
    });
    const mentor = (await suggestion.locator("strong").textContent()).trim();
    await suggestion.locator("button").click();
    await page.click("[data-testid=pair-form] button[type=submit]");
    await page.locator("[data-testid=pair-title]", { hasText: `${mentor} — Ласточкина Ада Олеговна` }).waitFor();
    // The pair starts working (the mentee base names the mentors of working pairs).
    await page.selectOption("[data-testid=pair-page] select[name=status]", "active");

    // The pairs list finds it by her name, typed any way.
    await page.click("[data-testid=nav-pairs]");
    await page.fill("input[name=search]", "  ЛАСТОЧКИНА   ада ");
    await page.locator("[data-testid=pair-count]", { hasText: "1 пара" }).waitFor();

    // The mentee base as .xlsx: she is in it, with her mentor.
    await page.click("[data-testid=nav-documents]");
    const row = page.locator("[data-testid=table-row]", { hasText: "База наставляемых" });
    const [file] = await Promise.all([page.waitForEvent("download"), row.locator("[data-testid=download-xlsx]").click()]);
    assert.equal(file.suggestedFilename(), "База наставляемых и карта запросов.xlsx");
    const strings = unzip(readFileSync(await file.path())).get("xl/sharedStrings.xml").toString("utf8");
    assert.ok(strings.includes("Ласточкина Ада Олеговна"), "the new mentee is in the base");
    assert.ok(strings.includes(mentor.split(" ")[0]), "with her mentor");
  });

  test("the same file again adds nobody", async () => {
    const page = t.page;
    await choose(page, "5А.csv", CSV);
    await page.click("[data-testid=import-check]");
    await page.locator("[data-testid=import-good]", { hasText: "Будут добавлены: 0 участников." }).waitFor();
    assert.equal(await page.locator("[data-testid=import-run]").count(), 0);
    const duplicates = await page.locator("[data-testid=import-duplicates]").textContent();
    for (const name of ["Ёлкина Вера Андреевна", "Грачёв Тимур Ильич", "Ласточкина Ада Олеговна"]) {
      assert.ok(duplicates.includes(`${name} — уже в школе`), duplicates);
    }
    await relay.start();
    await t.waitSynced();
  });

  test("a list of hundreds draws its first 200 lines at once, and «Показать ещё» the next", async () => {
    const page = t.page;
    const last = ["Ёршиков", "Грибов", "Ветров", "Ольхов", "Рощин"];
    const first = ["Тихон", "Марк", "Савва", "Фрол"];
    const middle = ["Ильич", "Петрович", "Олегович", "Андреевич", "Сергеевич"];
    const rows = ["ФИО;Класс;Дата рождения"];
    for (const l of last) for (const f of first) for (const m of middle) rows.push(`${l} ${f} ${m};6В;01.03.2014`);
    await choose(page, "6В.csv", rows.join("\r\n"));
    await page.click("[data-testid=import-check]");
    await page.locator("[data-testid=import-good]", { hasText: "Будут добавлены: 100 участников." }).waitFor();
    await page.click("[data-testid=import-run]");
    await page.locator("[data-testid=import-done]").waitFor();
    await page.click("[data-testid=nav-people]");
    const total = Number((await page.locator("[data-testid=people-count]").textContent()).split(" ")[0]);
    assert.ok(total > 200 && total <= 400, `${total}`);
    assert.equal(await page.locator("[data-testid=person]").count(), 200);
    assert.match(await page.locator("[data-testid=show-more]").textContent(), /^Показать ещё \(\d+ человека?\)$/);
    await page.click("[data-testid=show-more]");
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=person]").length === n, total);
    assert.equal(await page.locator("[data-testid=show-more]").count(), 0);
    // A search narrows it: all of the new class, none hidden.
    await page.locator("input[name=search]").fill("6В");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=person]").length === 100);
  });
});
