// Writes each of the built app's wasm, JS, CSS, HTML and manifest files compressed at the best
// level beside it (`name.br`, brotli 11; `name.gz`, gzip 9): the relay sends those as they are
// (sync-server/src/lib.rs) instead of compressing on the fly at a fast level.
// Usage: node scripts/precompress.mjs dist
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node scripts/precompress.mjs <dist>");
  process.exit(2);
}
let raw = 0;
let br = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!/\.(wasm|js|css|html|webmanifest)$/.test(name) || !statSync(path).isFile()) continue;
  const data = readFileSync(path);
  const brotli = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [constants.BROTLI_PARAM_MODE]: name.endsWith(".wasm") ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  writeFileSync(`${path}.br`, brotli);
  writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
  raw += data.length;
  br += brotli.length;
}
console.log(`precompressed ${dir}: ${(raw / 1024).toFixed(0)} KB -> ${(br / 1024).toFixed(0)} KB brotli-11`);
