// The school's documents end to end: the document module is not part of the first load, it is
// loaded the first time a document is asked for (online), and after that a curator makes a
// programme, a pair's individual plan, the order fixing the pairs and a parent's consent with
// the relay down and the app reloaded from the service worker. Every file is checked as a .docx:
// a zip whose word/document.xml holds the expected Russian text. Nothing sleeps.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Relay, Tablet, tempDir, unzip, within } from "./harness.mjs";

/** A downloaded .docx: its file name, its document XML and its text (paragraphs on lines). */
async function docx(download) {
  const bytes = readFileSync(await download.path());
  const files = unzip(bytes);
  for (const part of ["[Content_Types].xml", "word/document.xml", "word/styles.xml"]) {
    assert.ok(files.has(part), `${download.suggestedFilename()} has ${part}`);
  }
  const xml = files.get("word/document.xml").toString("utf8");
  const text = xml
    .split(/<\/w:p>/)
    .map((p) => [...p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(""))
    .join("\n")
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
  return { name: download.suggestedFilename(), xml, text };
}

/** Clicks «Скачать .docx» of a document row and reads the file. */
async function download(page, row) {
  // A document that cannot be made says why in the row: fail with that rather than a timeout.
  const error = row.locator("[data-testid=doc-error]");
  const refused = error.waitFor().then(async () => {
    throw new Error(`no file: ${await error.textContent()}`);
  });
  const [file] = await Promise.all([
    Promise.race([page.waitForEvent("download"), refused]),
    row.locator("[data-testid=doc-docx]").click(),
  ]);
  await row.locator("[data-testid=doc-made]").waitFor();
  return docx(file);
}

function includes(doc, ...texts) {
  for (const t of texts) {
    assert.ok(doc.text.includes(t), `${doc.name} contains «${t}»:\n${doc.text.slice(0, 3000)}`);
  }
}

const FULL_NAME = "Муниципальное бюджетное общеобразовательное учреждение «Сосновская средняя школа»";

describe("documents", () => {
  let relay;
  let dataDir;
  let t;
  const worker = [];

  before(async () => {
    dataDir = tempDir("relay");
    relay = new Relay(dataDir);
    await relay.start();
    t = await Tablet.launch("documents");
    t.page.on("request", (r) => {
      if (r.url().includes("export-worker")) worker.push(r.url());
    });
    // The print view calls print(); headless Chromium has no dialog, so it is recorded instead.
    await t.context.addInitScript(() => {
      window.print = () => (window.top.__printed ??= []).push(document.title);
    });
  });

  after(async () => {
    await t?.close();
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("online: the document module loads on first use, not with the app", async () => {
    const page = t.page;
    await t.enrollAsCurator(relay, "МБОУ «Сосновская СШ»");
    await page.click(".settings-link");
    // The long profile texts are text areas showing the standard wording they default to.
    assert.match(await page.locator("textarea[name=profile-order_preamble]").getAttribute("placeholder"), /Р-145/);
    await page.fill("input[name=profile-full_name]", FULL_NAME);
    await page.press("input[name=profile-full_name]", "Tab");
    await page.fill("input[name=profile-director]", "Берёзкина А. С.");
    await page.press("input[name=profile-director]", "Tab");
    page.once("dialog", (d) => d.accept());
    await page.click("[data-testid=load-demo]");
    await page.locator("[data-testid=demo-loaded]").waitFor();
    await t.waitSaved();
    await t.waitSynced();
    assert.deepEqual(worker, [], "nothing of the document module is loaded with the app");

    await page.click("[data-testid=nav-documents]");
    const order = page.locator("[data-testid=doc][data-kind=order-target-model]");
    const doc = await download(page, order);
    assert.match(doc.name, /\.docx$/);
    includes(doc, "ПРИКАЗ", "О внедрении целевой модели наставничества", "Р-145", "ПРИКАЗЫВАЮ:", FULL_NAME, "Берёзкина А. С.");
    assert.ok(worker.some((u) => u.endsWith(".wasm")), `the module was loaded now: ${worker}`);
    // The fields the document lacked are named, with the way to «Настройки».
    const made = order.locator("[data-testid=doc-made]");
    assert.match(await made.locator("[data-testid=doc-missing]").textContent(), /Населённый пункт/);
    assert.equal(await made.locator("a[href='/settings']").count(), 1);

    // The module's names carry no hash: a shell loaded from the network refreshes the kept module
    // (here a stale copy planted in the cache), so an offline tablet never pairs a new shell
    // with an old module.
    const loader = () =>
      page.evaluate(async () => {
        const cached = await (await caches.open("nastavnik-shell-v1")).match("/export-worker_loader.js");
        return cached ? cached.text() : null;
      });
    assert.match(await loader(), /importScripts/);
    await page.evaluate(async () => {
      const cache = await caches.open("nastavnik-shell-v1");
      await cache.put("/export-worker_loader.js", new Response("// stale"));
    });
    assert.equal(await loader(), "// stale");
    await page.reload();
    await page.locator("[data-testid=nav-documents]").waitFor();
    // The refresh follows the navigation's response: read the cache until it has landed (each read
    // is a round trip to the page).
    let refreshed = false;
    await within(
      30_000,
      (async () => {
        while (!refreshed) refreshed = (await loader()).includes("importScripts");
      })(),
      "the kept module refreshed with the shell",
    ).finally(() => (refreshed = true));
  });

  test("offline, after a reload: a programme, a pair's plan, the order fixing pairs, a parent's consent", async () => {
    const page = t.page;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await relay.stop("SIGKILL");
    await t.waitOffline();
    await page.reload();
    await page.locator("[data-testid=nav-documents]").waitFor();
    await t.waitOffline();
    const before = worker.length;

    // The programme, from the «Документы» screen.
    await page.click("[data-testid=nav-documents]");
    const section = page.locator("[data-testid=programme-documents]", { hasText: "Служба учебной помощи" });
    const programme = await download(page, section.locator("[data-testid=doc][data-kind=programme]"));
    includes(programme, FULL_NAME, "СОГЛАСОВАНО", "УТВЕРЖДАЮ", "ПРОГРАММА НАСТАВНИЧЕСТВА", "«Служба учебной помощи»", "1. Пояснительная записка", "Берёзкина А. С.");
    assert.ok(worker.length > before, "the module was started again after the reload");

    // The order fixing the pairs: the curator leaves one pair out and numbers the order.
    const order = page.locator("[data-testid=doc][data-kind=order-pairs]");
    await order.locator("[data-testid=order-pairs] summary").click();
    const boxes = order.locator("input[name=order-pair]");
    const ticked = await order.locator("input[name=order-pair]:checked").count();
    assert.ok(ticked >= 2, `working pairs are ticked (${ticked})`);
    await order.locator("input[name=order-pair]:checked").first().uncheck();
    assert.equal(await order.locator("input[name=order-pair]:checked").count(), ticked - 1);
    assert.ok((await boxes.count()) >= ticked);
    await order.locator("input[name=order-number]").fill("12-о");
    await order.locator("input[name=order-number]").press("Tab");
    const orderDoc = await download(page, order);
    includes(orderDoc, "ПРИКАЗ", "№ 12-о", "О закреплении наставнических пар", "ПРИКАЗЫВАЮ:", "Список наставнических пар", "С приказом ознакомлены:", FULL_NAME);
    // The table of pairs has one row per ticked pair, under its header.
    const table = orderDoc.xml.split("<w:tbl>").find((x) => x.includes("Наставляем"));
    assert.ok(table, "the order has the table of pairs");
    const rows = table.split("</w:tbl>")[0].match(/<w:tr[ >]/g).length;
    assert.equal(rows, ticked - 1 + 1, "one row per selected pair plus the header");

    // A pair of the student–student programme: its individual plan, from the pair's page.
    await page.click("[data-testid=nav-pairs]");
    await page.selectOption("select[name=programme]", { label: "Служба учебной помощи" });
    await page.locator("[data-testid=pair] a").first().click();
    await page.locator("[data-testid=pair-page]").waitFor();
    const mentor = (await page.locator("[data-testid=mentor] a").first().textContent()).trim();
    const mentee = page.locator("[data-testid=mentee] a").first();
    const menteeName = (await mentee.textContent()).trim();
    const plan = await download(page, page.locator("[data-testid=record-documents] [data-testid=doc][data-kind=individual-plan]"));
    includes(plan, "ИНДИВИДУАЛЬНЫЙ ПЛАН РАБОТЫ", "Подготовительный этап", "Основной этап", "Заключительный этап", mentor.split(" ")[0], menteeName.split(" ")[0]);

    // The mentee is a minor: the consent on their page is their parent's.
    await mentee.click();
    await page.locator("[data-testid=person-title]", { hasText: menteeName }).waitFor();
    const card = page.locator("[data-testid=record-documents]");
    assert.match(await card.textContent(), /несовершеннолетний/);
    const consent = await download(page, card.locator("[data-testid=doc][data-kind=consent]"));
    includes(consent, "СОГЛАСИЕ", "родителя (законного представителя)", "являясь родителем (законным представителем)", "152-ФЗ", menteeName);

    // The print view: the document alone in a frame over the app, printed at once.
    await card.locator("[data-testid=doc-print]").click();
    const frame = page.frameLocator("[data-testid=print-frame]");
    await frame.locator("text=являясь родителем").first().waitFor();
    await page.waitForFunction(() => (window.__printed ?? []).length > 0);
    assert.equal(await frame.locator("input, button, nav").count(), 0, "no app chrome in the print page");
    await page.click("[data-testid=print-close]");
    await page.locator("[data-testid=print-view]").waitFor({ state: "detached" });

    // The registers as an Excel workbook, still offline: one sheet per table, the people in it.
    await page.click("[data-testid=nav-documents]");
    const registers = page.locator("[data-testid=table-row]", { hasText: "Реестры" });
    const [file] = await Promise.all([page.waitForEvent("download"), registers.locator("[data-testid=download-xlsx]").click()]);
    await registers.locator("[data-testid=table-made]").waitFor();
    assert.equal(file.suggestedFilename(), "Реестры.xlsx");
    const xlsx = unzip(readFileSync(await file.path()));
    const workbook = xlsx.get("xl/workbook.xml").toString("utf8");
    for (const sheet of ["База наставников", "База наставляемых", "Персонифицированный учёт", "Пары и группы", "Согласия и соглашения", "Дорожная карта"]) {
      assert.ok(workbook.includes(`name="${sheet}"`), `sheet «${sheet}» in ${workbook.slice(0, 1500)}`);
    }
    const strings = xlsx.get("xl/sharedStrings.xml").toString("utf8");
    assert.ok(strings.includes(menteeName.split(" ")[0]), "the mentee is in the registers");
    assert.ok(strings.includes(mentor.split(" ")[0]), "the mentor is in the registers");

    // The count for the РНЦ, still offline: a mentee noted as «группа риска» on her page is
    // counted on the screen and in the workbook downloaded from it.
    await page.click("[data-testid=open-count]");
    const risk = page.locator("[data-testid=count-line][data-number='3.2']");
    const figure = async () => Number((await risk.locator("td").nth(3).textContent()).trim());
    const riskBefore = await figure();
    assert.match(await risk.textContent(), /дети группы риска/);
    assert.ok(Number(await page.locator("[data-testid=count-line][data-number='1'] td").nth(4).textContent()) > 20);
    await page.click("[data-testid=nav-people]");
    await page.fill("input[name=search]", menteeName);
    await page.locator("[data-testid=person] a", { hasText: menteeName }).first().click();
    const box = page.locator("[data-testid=categories] label", { hasText: "дети группы риска" }).locator("input");
    const was = await box.isChecked();
    await box.click();
    assert.equal(await box.isChecked(), !was);
    await page.click("[data-testid=nav-documents]");
    await page.click("[data-testid=open-count]");
    const after = was ? riskBefore - 1 : riskBefore + 1;
    await page.waitForFunction(([n]) => document.querySelector("[data-testid=count-line][data-number='3.2'] td:nth-child(4)")?.textContent.trim() === String(n), [after]);
    const [countFile] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=download-count]")]);
    assert.equal(countFile.suggestedFilename(), "Численность участников для РНЦ.xlsx");
    const count = unzip(readFileSync(await countFile.path()));
    assert.ok(count.get("xl/workbook.xml").toString("utf8").includes('name="Численность для РНЦ"'));
    // The row of «дети группы риска» holds the figure shown.
    const shared = [...count.get("xl/sharedStrings.xml").toString("utf8").matchAll(/<si>(.*?)<\/si>/gs)].map((m) => m[1].replace(/<[^>]+>/g, ""));
    const index = shared.findIndex((t) => t.includes("дети группы риска"));
    assert.ok(index >= 0, "the category line is in the workbook");
    const row = count.get("xl/worksheets/sheet1.xml").toString("utf8").split("<row ").find((r) => r.includes(`t="s"><v>${index}</v>`));
    const numbers = [...row.matchAll(/<c r="([A-Z]+)\d+"[^>]*?(?<!t="s")><v>([\d.]+)<\/v>/g)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(numbers, [["D", after], ["E", after]], row);

    // December's monitoring, still offline: the figures of the day with their charts, the final
    // questionnaires still missing said plainly, the curator's conclusions, then fixed: the
    // справка says so, and a later edit changes the live figures, not the fixed ones.
    await page.click("[data-testid=nav-documents]");
    await page.click("[data-testid=open-monitoring]");
    const monitoring = page.locator("[data-testid=monitoring]");
    await monitoring.locator("[data-testid=quality]").first().waitFor();
    assert.match(await monitoring.locator("[data-testid=quality]").first().textContent(), /Все программы.*Встречи проведены.*\d+ из \d+/s);
    assert.ok((await monitoring.locator("[data-testid=quality] svg").count()) >= 3, "a chart per figure");
    await monitoring.locator("[data-testid=live]").waitFor();
    await page.locator("textarea[name=conclusions]").fill("Пары работают по плану; к маю провести итоговое анкетирование.");
    await page.locator("textarea[name=conclusions]").blur();
    const summary = async () => (await monitoring.locator("[data-testid=quality]").first().locator("p.muted").textContent()).trim();
    const fixedSummary = await summary();
    assert.match(fixedSummary, /^\d+ (пара|пары|пар)/);
    page.once("dialog", (d) => d.accept());
    await page.click("[data-testid=fix-monitoring]");
    await monitoring.locator("[data-testid=fixed]").waitFor();
    const report = await download(page, page.locator("[data-testid=record-documents] [data-testid=doc][data-kind=monitoring-report]"));
    includes(report, "АНАЛИТИЧЕСКАЯ СПРАВКА", "Показатели зафиксированы", "1. Качество реализации программы наставничества", "2. Динамика развития участников", "Пары работают по плану; к маю провести итоговое анкетирование.");
    // Its tables as a workbook, for the regional centre.
    const [tablesFile] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=download-monitoring]")]);
    assert.equal(tablesFile.suggestedFilename(), "Показатели мониторинга.xlsx");
    const tables = unzip(readFileSync(await tablesFile.path()));
    const book = tables.get("xl/workbook.xml").toString("utf8");
    for (const sheet of ["Качество реализации", "Удовлетворённость", "Динамика участников"]) {
      assert.ok(book.includes(`name="${sheet}"`), sheet);
    }
    assert.ok(tables.get("xl/sharedStrings.xml").toString("utf8").includes("Все программы"));
    // A pair removed after fixing: December's figures stay as fixed.
    await page.click("[data-testid=nav-pairs]");
    await page.locator("[data-testid=pair] a").first().click();
    await page.click("[data-testid=remove-pair]");
    await page.locator("[data-testid=removed-banner]").waitFor();
    await page.click("[data-testid=nav-documents]");
    await page.click("[data-testid=open-monitoring]");
    await monitoring.locator("[data-testid=fixed]").waitFor();
    assert.equal(await summary(), fixedSummary);

    // The year rollover, still offline: one confirmed action moves the school to the next year.
    const year = page.locator("[data-testid=year]");
    const thisYear = await year.inputValue();
    const [start] = thisYear.split("/").map(Number);
    const nextYear = `${start + 1}/${start + 2}`;
    await page.click("[data-testid=nav-people]");
    await page.locator("input[name=search]").fill("5А");
    const fifth = page.locator("[data-testid=person]", { hasText: "ученик, 5А" });
    await fifth.first().waitFor();
    const fifthBefore = await fifth.count();
    await page.locator("input[name=search]").fill("");
    await page.locator("a.brand").click();
    const programmesBefore = await page.locator("[data-testid=programmes] > li").count();
    await page.locator("[data-testid=rollover] summary").click();
    await page.click("[data-testid=rollover-prepare]");
    const rollover = await page.locator("[data-testid=rollover-plan]").textContent();
    assert.match(rollover, /Ученики перейдут в следующий класс: [1-9]\d*/);
    assert.match(rollover, /Выпускники \(11 класс\): [1-9]/);
    assert.match(rollover, new RegExp(`Программы будут скопированы для правки: ${programmesBefore}`));
    page.once("dialog", (d) => d.accept());
    await page.click("[data-testid=rollover-confirm]");
    await page.locator("[data-testid=rollover-done]").waitFor();
    assert.equal(await year.inputValue(), nextYear);
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=programmes] > li").length === n, programmesBefore);
    // The next year's roadmap is not late: its months are of the next year, its dates a year on.
    assert.doesNotMatch((await page.locator("[data-testid=due]").textContent()) ?? "", /Дорожная карта: .* срок прошёл/);
    // The next year's pairs are the ones still working, in the copied programmes.
    await page.click("[data-testid=nav-pairs]");
    await page.locator("[data-testid=pair]").first().waitFor();
    // Nobody is in the fifth class any more; the fifth-graders are in the sixth.
    await page.click("[data-testid=nav-people]");
    await page.locator("input[name=search]").fill("5А");
    await page.waitForFunction(() => ![...document.querySelectorAll("[data-testid=person]")].some((p) => p.textContent.includes("ученик, 5А")));
    await page.locator("input[name=search]").fill("6А");
    await page.locator("[data-testid=person]", { hasText: "ученик, 6А" }).first().waitFor();
    await page.locator("input[name=search]").fill("");
    // Last year is still there, as it was: its programmes and its fixed monitoring.
    await year.selectOption(thisYear);
    await page.locator("a.brand").click();
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=programmes] > li").length === n, programmesBefore);
    assert.ok(fifthBefore > 0);

    assert.deepEqual(t.cspViolations, [], "nothing refused by the content-security policy");
  });
});
