// What the app's wasm is made of (a tool, not a test): the code of every function, grouped by
// the crate its name starts with, raw and brotli-compressed, and the data segments (string
// literals, tables). Function names need a build that keeps them: scripts/profile-build writes
// one to dist-profile/ (not optimised by wasm-opt, so the totals are larger than what the relay
// serves; the shares are what to look at).
//
// Usage: scripts/profile-build && [CRATE=model] [TOP=30] node tests/e2e/wasm-size.mjs [dist-profile]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

import { ROOT } from "./harness.mjs";

const dir = process.argv[2] ?? join(ROOT, "dist-profile");
const TOP = Number(process.env.TOP ?? 30);

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function name(bytes, at) {
  const [len, start] = leb(bytes, at);
  return [Buffer.from(bytes.subarray(start, start + len)).toString("utf8"), start + len];
}

/** Function bodies (with their index), imported function count, function names, data bytes. */
function parse(bytes) {
  let at = 8;
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let data = 0;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    const end = start + size;
    if (id === 2) {
      // Imports: count the functions among them (they take the first function indices).
      let [n, p] = leb(bytes, start);
      for (let i = 0; i < n; i++) {
        [, p] = name(bytes, p);
        [, p] = name(bytes, p);
        const kind = bytes[p++];
        if (kind === 0) {
          imported++;
          [, p] = leb(bytes, p);
        } else if (kind === 1) {
          p += 1;
          const flags = bytes[p++];
          [, p] = leb(bytes, p);
          if (flags & 1) [, p] = leb(bytes, p);
        } else if (kind === 2) {
          const flags = bytes[p++];
          [, p] = leb(bytes, p);
          if (flags & 1) [, p] = leb(bytes, p);
        } else if (kind === 3) {
          p += 2;
        } else {
          [, p] = leb(bytes, p + 1);
        }
      }
    } else if (id === 10) {
      let [n, p] = leb(bytes, start);
      for (let i = 0; i < n; i++) {
        const [len, body] = leb(bytes, p);
        bodies.push({ index: imported + i, bytes: bytes.subarray(body, body + len) });
        p = body + len;
      }
    } else if (id === 11) {
      data = size;
    } else if (id === 0) {
      const [section, p] = name(bytes, start);
      if (section === "name") {
        let q = p;
        while (q < end) {
          const sub = bytes[q];
          const [len, s] = leb(bytes, q + 1);
          if (sub === 1) {
            let [n, r] = leb(bytes, s);
            for (let i = 0; i < n; i++) {
              let idx;
              [idx, r] = leb(bytes, r);
              let fn;
              [fn, r] = name(bytes, r);
              names.set(idx, fn);
            }
          }
          q = s + len;
        }
      }
    }
    at = end;
  }
  return { bodies, names, data };
}

// CRATE=name: that crate's functions grouped by module instead (`CRATE=model` shows what the
// demo year's generator, `model::demo`, weighs).
const CRATE = process.env.CRATE;

/** The crate a (Rust-mangled, demangled or trait-impl) function name belongs to. */
function crateOf(fn) {
  if (!fn) return "(unnamed)";
  const m = fn.match(/^<?&?(?:mut )?(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::([A-Za-z_][A-Za-z0-9_]*)?/);
  if (m && CRATE) return m[1] === CRATE ? `${m[1]}::${m[2] ?? ""}` : "(other crates)";
  if (m) return m[1];
  if (/^(__wbg|__wbindgen|wasm_bindgen)/.test(fn)) return "wasm_bindgen";
  if (/^(mem|str|__rust|rust_|_ZN)/.test(fn)) return "(runtime)";
  return "(other)";
}

const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const pad = (v, w = 12) => String(v).padStart(w);

for (const file of readdirSync(dir).filter((f) => f.endsWith("_bg.wasm")).sort()) {
  const bytes = new Uint8Array(readFileSync(join(dir, file)));
  const { bodies, names, data } = parse(bytes);
  const groups = new Map();
  for (const b of bodies) {
    const c = crateOf(names.get(b.index));
    if (!groups.has(c)) groups.set(c, []);
    groups.get(c).push(b.bytes);
  }
  const rows = [...groups].map(([c, parts]) => {
    const code = Buffer.concat(parts);
    return { crate: c, functions: parts.length, raw: code.length, brotli: br(code) };
  });
  rows.sort((a, b) => b.brotli - a.brotli);
  const total = rows.reduce((s, r) => s + r.brotli, 0);
  console.log(`\n## ${file}: ${bytes.length} bytes, code by crate (brotli-11 of each crate's code alone)\n`);
  console.log(`${"crate".padEnd(28)}${pad("functions")}${pad("raw")}${pad("brotli")}${pad("share", 8)}`);
  for (const r of rows.slice(0, TOP)) {
    console.log(`${r.crate.padEnd(28)}${pad(r.functions)}${pad(r.raw)}${pad(r.brotli)}${pad(((100 * r.brotli) / total).toFixed(1) + "%", 8)}`);
  }
  const rest = rows.slice(TOP);
  if (rest.length) {
    console.log(`${`(${rest.length} more)`.padEnd(28)}${pad(rest.reduce((s, r) => s + r.functions, 0))}${pad(rest.reduce((s, r) => s + r.raw, 0))}${pad(rest.reduce((s, r) => s + r.brotli, 0))}`);
  }
  console.log(`${"data segments".padEnd(28)}${pad("")}${pad(data)}`);
}
