// Prints the app's first download (a figure, not a check): index.html and every wasm, JS and CSS file of
// dist/ that a first visit fetches, raw and with brotli at its best level (what the relay
// serves precompressed-or-compressed), and apart from it the document worker, which is fetched
// only when a document, a table or an import is first asked for. Run by scripts/test after
// the build; tests/e2e/bench.mjs has the fuller picture.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

import { ROOT } from "./harness.mjs";

const dist = join(ROOT, "dist");
const brotli = (bytes) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;
const kb = (n) => `${(n / 1024).toFixed(0)} KB`.padStart(8);
// index.html is in it: the stylesheet is inlined there (one request fewer before the shell paints).
const files = readdirSync(dist).filter((f) => (/\.(wasm|js|css)$/.test(f) && f !== "sw.js") || f === "index.html");
const rows = files.map((f) => {
  const bytes = readFileSync(join(dist, f));
  return { f, worker: f.startsWith("export-worker"), raw: bytes.length, br: brotli(bytes) };
});
for (const [title, part] of [["first load", rows.filter((r) => !r.worker)], ["document worker (on first use)", rows.filter((r) => r.worker)]]) {
  console.log(`\n${title}:`);
  for (const r of part) console.log(`  ${r.f.padEnd(40)} ${kb(r.raw)} raw ${kb(r.br)} brotli-11`);
  const raw = part.reduce((a, r) => a + r.raw, 0);
  const br = part.reduce((a, r) => a + r.br, 0);
  console.log(`  ${"total".padEnd(40)} ${kb(raw)} raw ${kb(br)} brotli-11`);
}
