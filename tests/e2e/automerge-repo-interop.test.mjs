// The relay speaks the reference protocol: two real automerge-repo JavaScript clients
// (@automerge/automerge-repo with its WebSocket adapter), each holding a device credential of
// the same school, sync a document through it, and a third finds it after the relay restarted
// on the same database. Without a credential the relay refuses the connection.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";

import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

import { Relay, tempDir, within } from "./harness.mjs";

let relay;
let dataDir;
const repos = [];

let tokens;

function connect(token) {
  const repo = new Repo({ network: [new WebSocketClientAdapter(relay.syncUrl(token), 200)] });
  repos.push(repo);
  return repo;
}

/**
 * Finds a document that may not have reached the relay yet: the relay answers
 * `doc-unavailable` but keeps the request, and syncs the document to this client as soon as it
 * has it, which makes the client's handle ready. Waits on that event, not on a timer.
 */
async function findWhenAvailable(repo, url) {
  const handle = await within(10_000, repo.find(url, { allowableStates: ["ready", "unavailable"] }), "find");
  await within(10_000, handle.whenReady(), "the document becoming ready");
  return handle;
}

function nextChange(handle) {
  return within(10_000, new Promise((resolve) => handle.once("change", resolve)), "change event");
}

before(async () => {
  dataDir = tempDir("relay-js");
  relay = new Relay(dataDir);
  await relay.start();
  const curator = await relay.join(relay.createSchool("Школа для JS-клиента"), "JS-клиент куратора");
  const staff = await relay.join(await relay.invite(curator), "JS-клиент наставника");
  tokens = { curator, staff };
});

after(async () => {
  for (const repo of repos) {
    await within(5_000, repo.shutdown(), "repo shutdown").catch((e) => console.error(String(e)));
  }
  await relay?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("two automerge-repo clients sync a document through the relay, which keeps it", async () => {
  const first = connect(tokens.curator);
  const handle = first.create({ title: "Служба учебной помощи", pairs: [] });

  const second = connect(tokens.staff);
  const found = await findWhenAvailable(second, handle.url);
  assert.equal(found.doc().title, "Служба учебной помощи");

  const changed = nextChange(handle);
  found.change((d) => d.pairs.push("Ученица 8 класса – ученица 6 класса"));
  await changed;
  assert.deepEqual(handle.doc().pairs, ["Ученица 8 класса – ученица 6 класса"]);

  await relay.stop("SIGKILL");
  await relay.start();
  const third = connect(tokens.staff);
  const again = await findWhenAvailable(third, handle.url);
  assert.deepEqual(again.doc().pairs, ["Ученица 8 класса – ученица 6 класса"]);
});

test("without a valid credential the relay answers `error` and closes", async () => {
  const { default: WebSocket } = await import("ws");
  const { encode, decode } = await import("cbor-x");
  for (const token of ["", "forged.0000"]) {
    const ws = new WebSocket(relay.syncUrl(token));
    const messages = [];
    const closed = new Promise((resolve) => ws.on("close", resolve));
    ws.on("open", () => ws.send(encode({ type: "join", senderId: "intruder", supportedProtocolVersions: ["1"], peerMetadata: {} })));
    ws.on("message", (data) => messages.push(decode(data)));
    await within(10_000, closed, "the relay closing the connection");
    assert.equal(messages.length, 1, JSON.stringify(messages));
    assert.equal(messages[0].type, "error");
  }
});
