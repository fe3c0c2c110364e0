// A curator runs a small programme of the target model on a tablet, end to end: people, a
// programme of form «ученик – ученик», a pair, the meeting cycle with feedback, the entry and
// final questionnaires, consents — then reloads with the relay down and finds all of it.
// Then: erasing a person's personal data reaches the other tablet and the relay; and the demo
// year loads with one tap. Every wait is on an event in the page; nothing sleeps.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { Relay, Tablet, tempDir } from "./harness.mjs";

/** Types into a field and leaves it, as a user does: the app writes on `change`. */
/** Chooses a person in a picker by a search and the full name it shows. */
async function pick(page, name, search, fullName) {
  const picker = page.locator(`[data-testid=picker-${name}]`);
  await picker.locator(`input[name=${name}-search]`).fill(search);
  await picker.locator(`[data-testid=pick][data-name="${fullName}"]`).click();
  await picker.locator("[data-testid=picked]", { hasText: fullName }).waitFor();
}

async function commit(locator, value) {
  await locator.fill(value);
  await locator.blur();
}

async function addPerson(page, { role = "student", last, first, middle = "", birth = "", klass = "" }) {
  await page.click("[data-testid=nav-people]");
  await page.click("[data-testid=new-person]");
  await page.selectOption("[data-testid=person-form] select[name=role]", role);
  await page.fill("input[name=last-name]", last);
  await page.fill("input[name=first-name]", first);
  await page.fill("input[name=patronymic]", middle);
  await page.fill("input[name=birth-date]", birth);
  if (klass) await page.fill("input[name=class]", klass);
  await page.click("[data-testid=person-form] button[type=submit]");
  await page.locator("[data-testid=person-title]", { hasText: last }).waitFor();
  return page.url().split("/people/")[1];
}

async function openPerson(page, name) {
  await page.click("[data-testid=nav-people]");
  await page.fill("input[name=search]", name);
  await page.locator("[data-testid=person] a", { hasText: name }).click();
  await page.locator("[data-testid=person-title]", { hasText: name }).waitFor();
}

async function sign(page, kind, signer) {
  const box = page.locator(`[data-testid=consent-${kind}]`);
  await box.locator("input[name=signed-on]").fill("10.09.2026");
  await box.locator("input[name=signed-by]").fill(signer);
  await box.locator("button[type=submit]").click();
  await box.locator("[data-testid=consent-status]", { hasText: "Подписано 10 сентября 2026 г." }).waitFor();
}

async function fillQuestionnaire(page, person, stage, score, words) {
  await openPerson(page, person);
  await page.locator("[data-testid=person-questionnaires] a", { hasText: `${stage} анкетирование` }).click();
  await page.locator("[data-testid=fill-questionnaire]").waitFor();
  await page.selectOption("select[name=answer-0]", String(score));
  await commit(page.locator("textarea[name=answer-1]"), words);
  await page.fill("input[name=filled-on]", stage === "входное" ? "12.09.2026" : "18.05.2027");
  await page.click("[data-testid=finish-questionnaire]");
  await openPerson(page, person);
  await page.locator("[data-testid=person-questionnaires] li", { hasText: `${stage} анкетирование` })
    .locator("[data-testid=filled]", { hasText: "заполнено" }).waitFor();
}

describe("the target model on a tablet", () => {
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

  test("a curator runs a small programme and finds all of it after an offline reload", async () => {
    const page = a.page;
    await a.enrollAsCurator(relay, "МБОУ «Сосновская СОШ»");
    await a.addProgramme("Служба учебной помощи", "Старшеклассники помогают младшим");
    assert.equal(await a.programmeCard("Служба учебной помощи").locator("[data-testid=programme-form]").textContent(), "ученик – ученик");

    // People. A birth date in the future is refused with a Russian sentence.
    await page.click("[data-testid=nav-people]");
    await page.click("[data-testid=new-person]");
    await page.fill("input[name=last-name]", "Тестовый");
    await page.fill("input[name=first-name]", "Ученик");
    await page.fill("input[name=birth-date]", "01.01.2099");
    await page.click("[data-testid=person-form] button[type=submit]");
    await page.locator("[data-testid=form-error]", { hasText: "Дата рождения не может быть в будущем." }).waitFor();
    await addPerson(page, { last: "Берёзкин", first: "Степан", middle: "Олегович", birth: "01.02.2010", klass: "10а" });
    await addPerson(page, { last: "Озерова", first: "Яна", middle: "Игоревна", birth: "12.05.2014", klass: "6б" });
    // A parent, linked to her child; the child's page shows the parent.
    await addPerson(page, { role: "parent", last: "Озеров", first: "Игорь", middle: "Петрович" });
    await pick(page, "child", "яна 6б", "Озерова Яна Игоревна");
    await page.click("[data-testid=link-child]");
    await page.locator("[data-testid=family] [data-testid=relative]", { hasText: "Озерова Яна" }).waitFor();
    await page.click("[data-testid=family] [data-testid=relative] a");
    await page.locator("[data-testid=family] [data-testid=relative]", { hasText: "Озеров Игорь Петрович" }).waitFor();
    await page.click("[data-testid=nav-people]");
    await page.fill("input[name=search]", "6Б");
    assert.deepEqual(await page.locator("[data-testid=person-name]").allTextContents(), ["Озерова Яна Игоревна"], "search by class");
    // The list's lines are plain links the router takes: the page is not loaded again.
    await page.evaluate(() => (window.__sameDocument = true));
    await page.click("[data-testid=person] a");
    await page.locator("[data-testid=person-title]", { hasText: "Озерова Яна" }).waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "a person's line opens in the same page");

    // A pair of the programme.
    await page.click("[data-testid=nav-pairs]");
    await page.click("[data-testid=new-pair]");
    // Each picker starts at the role the programme's form offers (ученик – ученик: students).
    await page.waitForFunction(() => ["mentee", "mentor"].every((n) => document.querySelector(`select[name=${n}-role]`).value === "student"));
    // The pickers find people by part of a name, ё as е, any case.
    await pick(page, "mentee", "озерова", "Озерова Яна Игоревна");
    await pick(page, "mentor", "березкин", "Берёзкин Степан Олегович");
    await page.fill("input[name=goal]", "Совершенствовать учебные компетенции по математике");
    await page.click("[data-testid=pair-form] button[type=submit]");
    await page.locator("[data-testid=pair-page]").waitFor();
    // Each picker line counts the person's current pairs: the page's list is not the one the
    // form built before this pair existed.
    const adder = page.locator("[data-testid=picker-add-person]");
    await adder.locator("input[type=search]").fill("березкин");
    await adder.locator("[data-testid=pick][data-name='Берёзкин Степан Олегович']", { hasText: "1 пара" }).waitFor();
    await adder.locator("input[type=search]").fill("");
    await page.selectOption("[data-testid=pair-page] select[name=status]", "active");
    await commit(page.locator("input[name=order-number]"), "45-о");
    await commit(page.locator("input[name=order-date]"), "20.09.2026");
    const plan = page.locator("[data-testid=plan]");
    await plan.locator(".add-row input[name=row-text]").fill("Подготовить мини-проект");
    await plan.locator(".add-row input[name=row-period]").fill("октябрь – декабрь");
    await plan.locator(".add-row button").click();
    await plan.locator("[data-testid=row] input[name=row-period]").first().evaluate((e) => e.value).then((v) => assert.equal(v, "октябрь – декабрь"));
    const pairUrl = page.url();

    // The meeting cycle: planned, held, with attendance, notes and each side's feedback.
    const meetings = [["introduction", "15.09.2026", "Познакомились, обсудили цели."], ["working", "06.10.2026", "Разобрали задачи на проценты."], ["final", "19.05.2027", "Подвели итоги года."]];
    for (const [kind, date, notes] of meetings) {
      await page.goto(pairUrl);
      await page.selectOption("[data-testid=new-meeting] select[name=kind]", kind);
      await page.fill("[data-testid=new-meeting] input[name=date]", date);
      await page.click("[data-testid=new-meeting] button[type=submit]");
      await page.locator("[data-testid=meeting-page]").waitFor();
      await page.check("input[name=held]");
      for (const p of await page.locator("[data-testid=participant]").all()) {
        await p.locator("input[name=attended]").check();
      }
      await commit(page.locator("textarea[name=notes]"), notes);
      const [mentor, mentee] = await page.locator("[data-testid=participant] textarea[name=feedback]").all();
      await commit(mentor, `Наставник: ${notes}`);
      await commit(mentee, `Наставляемая: было полезно (${date})`);
    }
    await page.goto(pairUrl);
    await page.locator("[data-testid=meeting]", { hasText: "итоговая встреча" }).waitFor();
    assert.equal(await page.locator("[data-testid=meeting]").count(), 3);

    // The school's questionnaire, filled at entry and at the end; compared before/after.
    await page.click("[data-testid=nav-questionnaires]");
    await page.fill("input[name=questionnaire-title]", "Анкета наставляемого");
    await page.click("form.add-row button[type=submit]");
    await page.locator("[data-testid=questionnaire] a", { hasText: "Анкета наставляемого" }).click();
    await page.fill("input[name=question]", "Мне интересно учиться");
    await page.click("form.add-row button[type=submit]");
    await page.locator("[data-testid=question]").first().waitFor();
    await page.fill("input[name=question]", "Чему вы хотели бы научиться?");
    await page.selectOption("select[name=question-kind]", "text");
    await page.click("form.add-row button[type=submit]");
    await page.locator("[data-testid=question]").nth(1).waitFor();
    await fillQuestionnaire(page, "Озерова", "входное", 2, "Решать задачи быстрее");
    // Before anyone fills the final one, the comparison says so instead of empty columns.
    await page.click("[data-testid=nav-questionnaires]");
    await page.locator("[data-testid=questionnaire] a", { hasText: "Анкета наставляемого" }).click();
    assert.equal(
      await page.locator("[data-testid=comparison-missing]").textContent(),
      "Итоговую анкету ещё никто не заполнил (входную — 1 участник): сравнение появится, когда участники заполнят обе.",
    );
    await fillQuestionnaire(page, "Озерова", "итоговое", 4, "Объяснять решение другим");
    await page.click("[data-testid=nav-questionnaires]");
    await page.locator("[data-testid=questionnaire] a", { hasText: "Анкета наставляемого" }).click();
    const row = page.locator("[data-testid=comparison-row]");
    assert.deepEqual(await row.locator("td").allTextContents(), ["Мне интересно учиться", "1", "2.0", "4.0", "+2.0"]);
    assert.equal(await page.locator("[data-testid=comparison-missing]").count(), 0);
    // The same over one programme's pairs.
    await page.selectOption("select[name=comparison-programme]", { label: "программа «Служба учебной помощи»" });
    assert.deepEqual(await row.locator("td").allTextContents(), ["Мне интересно учиться", "1", "2.0", "4.0", "+2.0"]);

    // Consents: the working pair's participants are flagged until both documents are signed;
    // a minor cannot sign for herself.
    await page.click(".brand");
    assert.equal(await page.locator("[data-testid=missing]").count(), 2);
    // An adult signs for himself: that is what the signer's select starts at; a minor's parent
    // signs for her.
    await openPerson(page, "Озеров Игорь");
    assert.equal(await page.locator("[data-testid=consent-personal-data] select[name=signer-role]").inputValue(), "self");
    await openPerson(page, "Озерова");
    const pd = page.locator("[data-testid=consent-personal-data]");
    assert.equal(await pd.locator("select[name=signer-role]").inputValue(), "representative");
    await pd.locator("input[name=signed-by]").fill("Озерова Я. И.");
    await pd.locator("select[name=signer-role]").selectOption("self");
    await pd.locator("button[type=submit]").click();
    await page.locator("[data-testid=form-error]", { hasText: "подписывает родитель или законный представитель" }).waitFor();
    await pd.locator("select[name=signer-role]").selectOption("representative");
    await sign(page, "personal-data", "Озеров Игорь Петрович (отец)");
    // The linked parent is offered as the signer with one tap (a minor is not offered herself).
    const agreement = page.locator("[data-testid=consent-agreement]");
    assert.deepEqual(await agreement.locator("[data-testid=signer]").allTextContents(), ["Озеров Игорь Петрович"]);
    await agreement.locator("[data-testid=signer]").click();
    assert.equal(await agreement.locator("input[name=signed-by]").inputValue(), "Озеров Игорь Петрович");
    assert.equal(await agreement.locator("select[name=signer-role]").inputValue(), "representative");
    await agreement.locator("input[name=signed-on]").fill("10.09.2026");
    await agreement.locator("button[type=submit]").click();
    await agreement.locator("[data-testid=consent-status]", { hasText: "Подписано 10 сентября 2026 г. — Озеров Игорь Петрович" }).waitFor();
    await page.click(".brand");
    assert.equal(await page.locator("[data-testid=missing]").count(), 1, "only the mentor is left");
    await openPerson(page, "Берёзкин");
    await sign(page, "personal-data", "Берёзкина Вера Андреевна (мать)");
    await sign(page, "agreement", "Берёзкина Вера Андреевна (мать)");
    await page.click(".brand");
    await page.locator("[data-testid=missing-documents]").waitFor({ state: "detached" });
    await a.waitSaved();
    await a.waitSynced();

    // Offline: the relay is down; a reload comes from the service worker and IndexedDB.
    await relay.stop("SIGKILL");
    await page.reload();
    await a.waitOffline();
    await openPerson(page, "Озерова");
    assert.match(await page.locator("[data-testid=consent-personal-data] [data-testid=consent-status]").textContent(), /Подписано 10 сентября 2026 г\. — Озеров Игорь Петрович/);
    assert.equal(await page.locator("[data-testid=person-questionnaires] [data-testid=filled]").allTextContents().then((t) => t.filter((x) => x.includes("заполнено 18 мая 2027")).length), 1);
    // Her own before/after.
    assert.deepEqual(
      await page.locator("[data-testid=person-comparison] [data-testid=comparison-row] td").allTextContents(),
      ["Мне интересно учиться", "1", "2.0", "4.0", "+2.0"],
    );
    await page.locator("[data-testid=person-pairs] a", { hasText: "по математике" }).click();
    await page.locator("[data-testid=pair-page]").waitFor();
    assert.equal(await page.locator("input[name=order-number]").inputValue(), "45-о");
    // The pair's own before/after.
    assert.deepEqual(
      await page.locator("[data-testid=pair-comparison] [data-testid=comparison-row] td").allTextContents(),
      ["Мне интересно учиться", "1", "2.0", "4.0", "+2.0"],
    );
    assert.equal(await page.locator("[data-testid=meeting]").count(), 3);
    await page.locator("[data-testid=meeting] a", { hasText: "рабочая встреча" }).click();
    assert.equal(await page.locator("textarea[name=notes]").inputValue(), "Разобрали задачи на проценты.");
    const feedback = await page.locator("textarea[name=feedback]").evaluateAll((es) => es.map((e) => e.value));
    assert.deepEqual(feedback, ["Наставник: Разобрали задачи на проценты.", "Наставляемая: было полезно (06.10.2026)"]);
    await relay.start();
    await a.waitSynced();

    // Templates, each applied with one tap and only once: the standard roadmap, the
    // questionnaires with their answer kinds, a programme's standard parts.
    await page.click("[data-testid=nav-roadmap]");
    await page.click("[data-testid=template-roadmap]");
    await page.locator("[data-testid=template-done]", { hasText: "Добавлено: 20." }).waitFor();
    for (const n of [1, 2, 3, 4, 5]) {
      assert.ok((await page.locator(`[data-testid=section-${n}] li`).count()) > 0, `section ${n}`);
    }
    await page.click("[data-testid=template-roadmap]");
    await page.locator("[data-testid=template-done]", { hasText: "уже добавлены" }).waitFor();
    await page.click("[data-testid=nav-questionnaires]");
    await page.click("[data-testid=template-questionnaires]");
    await page.locator("[data-testid=template-done]", { hasText: "Добавлено: 3." }).waitFor();
    assert.equal(await page.locator("[data-testid=questionnaire]").count(), 4);
    await page.locator("[data-testid=questionnaire] a", { hasText: "удовлетворённости" }).click();
    assert.deepEqual(
      await page.locator("[data-testid=questions] .meta").allTextContents(),
      ["оценка от 1 до 10", "оценка от 1 до 10", "оценка от 1 до 10", "да или нет", "ответ словами"],
    );
    await openPerson(page, "Озерова");
    await page.locator("[data-testid=person-questionnaires] a", { hasText: "удовлетворённости участием в программе наставничества: итоговое" }).click();
    await page.locator("[data-testid=fill-questionnaire]").waitFor();
    assert.equal(await page.locator("select[name=answer-0] option").count(), 11, "— and 1 to 10");
    await page.selectOption("select[name=answer-0]", "9");
    assert.deepEqual(await page.locator("select[name=answer-3] option").allTextContents(), ["—", "да", "нет"]);
    await page.selectOption("select[name=answer-3]", "да");
    await openPerson(page, "Озерова");
    await page.locator("[data-testid=person-questionnaires] a", { hasText: "Анкета наставляемого: входное" }).last().click();
    await page.locator("[data-testid=fill-questionnaire]").waitFor();
    assert.deepEqual(
      await page.locator("select[name=answer-4] option").allTextContents(),
      ["—", "помощи в учёбе", "совета в выборе профессии", "поддержки в трудной ситуации", "участия в проектах и конкурсах"],
    );
    await page.goto(new URL("/", page.url()).href);
    await a.programmeCard("Служба учебной помощи").locator("a").first().click();
    await page.click("[data-testid=template-programme]");
    await page.locator("textarea[name=rights]").waitFor();
    await page.waitForFunction(() => document.querySelector("textarea[name=rights]").value.startsWith("Наставник обязан"));
    await a.waitSaved();
  });

  test("erasing a person's data removes it from the other tablet and from the relay", async () => {
    await b.join(relay, await a.inviteCode(), "Планшет наставника");
    await openPerson(b.page, "Озерова");
    await b.waitSynced();
    const id = b.page.url().split("/people/")[1];
    const storedOnB = () => b.page.evaluate((doc) => new Promise((resolve, reject) => {
      const open = indexedDB.open("nastavnik");
      open.onsuccess = () => {
        const req = open.result.transaction("chunks").objectStore("chunks").getAllKeys();
        req.onsuccess = () => { resolve(req.result.filter((k) => String(k).startsWith(`${doc}/`)).length); open.result.close(); };
        req.onerror = () => reject(req.error);
      };
      open.onerror = () => reject(open.error);
    }), id);
    assert.ok((await storedOnB()) > 0, "B holds her document");
    const relayHolds = (text) => readdirSync(dataDir)
      .filter((f) => f.startsWith("relay.sqlite3"))
      .some((f) => readFileSync(join(dataDir, f)).includes(Buffer.from(text)));
    assert.ok(relayHolds("Озеров Игорь Петрович"), "the relay holds her consent before the erasure");

    await openPerson(a.page, "Озерова");
    a.page.once("dialog", (d) => d.accept());
    await a.page.click("[data-testid=erase-person]");
    await a.page.waitForURL(/\/people$/);
    await a.page.fill("input[name=search]", "Озерова");
    assert.equal(await a.page.locator("[data-testid=person]").count(), 0);

    // B is looking at her page: it turns into «данные удалены», and her chunks leave B's storage.
    await b.page.locator("[data-testid=erased]").waitFor();
    await b.waitSaved();
    assert.equal(await storedOnB(), 0, "B deleted its copy");
    // The pair keeps its history, without her name.
    await b.page.click("[data-testid=nav-pairs]");
    await b.page.locator("[data-testid=pair]", { hasText: "персональные данные удалены" }).waitFor();
    // The relay keeps nothing of hers: not in its database files.
    await a.waitSynced();
    assert.equal(relayHolds("Озеров Игорь Петрович"), false, "the relay still holds her consent");
    assert.equal(relayHolds("Наставляемая: было полезно"), false, "the relay still holds her feedback");
  });

  test("the demo school year loads with one tap", async () => {
    const page = b.page;
    await page.click(".settings-link");
    page.once("dialog", (d) => d.accept());
    await page.click("[data-testid=load-demo]");
    await page.locator("[data-testid=demo-loaded]", { hasText: "Добавлено: 190 участников." }).waitFor();
    await page.click("[data-testid=nav-people]");
    await page.selectOption("select[name=role]", "student");
    assert.equal(await page.locator("[data-testid=people-count]").textContent(), "151 человек");
    await page.selectOption("select[name=role]", "teacher");
    assert.equal(await page.locator("[data-testid=people-count]").textContent(), "20 человек");
    await page.click("[data-testid=nav-pairs]");
    assert.equal(await page.locator("[data-testid=pair-count]").textContent(), "26 пар");
    await page.click("[data-testid=nav-roadmap]");
    await page.locator("[data-testid=indicator][data-met=true]", { hasText: "Доля учеников" }).waitFor();
    // Each indicator says how it was counted.
    assert.match(
      await page.locator("[data-testid=indicator]", { hasText: "Доля учеников" }).locator("[data-testid=indicator-how]").textContent(),
      /^По записям: ученики реестра, которые состоят в работающих парах/,
    );
    assert.ok(await page.locator("[data-testid=indicator]", { hasText: "Обучение наставников" }).count() === 1);
    // On a 1,024-pixel-wide tablet scrolled to the end of the roadmap, the bar and every tab
    // are still on screen and not under one another: each is what lies under its own middle.
    const size = page.viewportSize();
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await page.waitForFunction(() => window.scrollY > 0);
      for (const selector of ["[data-testid=nav-people]", "[data-testid=nav-pairs]", ".settings-link", "[data-testid=year]"]) {
        const hidden = await page.locator(selector).evaluate((el) => {
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return el.contains(hit) ? null : (hit?.outerHTML.slice(0, 80) ?? "off screen");
        });
        assert.equal(hidden, null, `${selector} is on screen and uncovered`);
      }
    } finally {
      await page.setViewportSize(size);
    }
    // Last year is there as the curator left it: its pairs in its year, its December monitoring
    // fixed with her conclusions.
    const year = page.locator("[data-testid=year]");
    const thisYear = await year.inputValue();
    const [start] = thisYear.split("/").map(Number);
    await year.selectOption(`${start - 1}/${start}`);
    await page.click("[data-testid=nav-pairs]");
    await page.locator("[data-testid=pair-count]", { hasText: "8 пар" }).waitFor();
    await page.click("[data-testid=nav-documents]");
    await page.click("[data-testid=open-monitoring]");
    await page.selectOption("select[name=period]", `${start - 1}-12`);
    await page.locator("[data-testid=monitoring] [data-testid=fixed]").waitFor();
    assert.match(await page.locator("textarea[name=conclusions]").inputValue(), /^Пары сформированы/);
    await year.selectOption(thisYear);
    await page.click("[data-testid=nav-pairs]");
    await page.locator("[data-testid=pair-count]", { hasText: "26 пар" }).waitFor();
    await b.waitSaved();
    // It reaches the curator's tablet.
    await a.page.click("[data-testid=nav-pairs]");
    await a.page.locator("[data-testid=pair-count]", { hasText: "26 пар" }).waitFor();
  });

  test("typing is not overwritten by another tablet's edits, and both edits of one text are kept", async () => {
    for (const t of [a, b]) {
      await t.page.click(".brand");
      await t.programmeCard("Служба учебной помощи").first().click();
      await t.page.locator("textarea[name=note]").waitFor();
    }
    const note = (t) => t.page.locator("textarea[name=note]");
    const title = (t) => t.page.locator("input[name=title]");
    const before = await note(a).inputValue();

    // A types in the note (not yet left); B renames the programme meanwhile.
    await note(a).fill(`${before} Взять анкеты.`);
    await commit(title(b), "Служба учебной помощи «Вместе»");
    await a.page.waitForFunction(() => document.querySelector("input[name=title]").value.includes("Вместе"));
    assert.equal(await note(a).inputValue(), `${before} Взять анкеты.`, "A's typing survived B's edit");

    // B edits the same note at its start and leaves the field; then A leaves hers.
    await commit(note(b), `Важно: ${before}`);
    await commit(title(b), "Служба учебной помощи «Вместе!»");
    await a.page.waitForFunction(() => document.querySelector("input[name=title]").value.includes("Вместе!"));
    await note(a).blur();
    const merged = `Важно: ${before} Взять анкеты.`;
    await a.page.waitForFunction((m) => document.querySelector("textarea[name=note]").value === m, merged);
    await b.page.waitForFunction((m) => document.querySelector("textarea[name=note]").value === m, merged);
  });
});
