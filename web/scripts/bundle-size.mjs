// JavaScript each exported page loads (its <script src> chunks), raw and gzipped, largest
// first: Next 16 no longer prints first-load sizes, and this is what a browser downloads.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "out");

function pages(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "_next" || name === "monaco" ? [] : pages(path);
    return name === "index.html" ? [path] : [];
  });
}

const sizes = new Map();
function size(src) {
  if (!sizes.has(src)) {
    const bytes = readFileSync(join(out, src));
    sizes.set(src, { raw: bytes.length, gzip: gzipSync(bytes).length });
  }
  return sizes.get(src);
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const rows = pages(out).map((file) => {
  const html = readFileSync(file, "utf8");
  const scripts = [...new Set([...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((m) => m[1]))];
  const total = scripts.map(size).reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });
  return { page: "/" + relative(out, dirname(file)).replace(/\\/g, "/"), chunks: scripts.length, ...total };
});
rows.sort((a, b) => b.raw - a.raw);
console.log("page".padEnd(28), "chunks".padStart(6), "JS".padStart(10), "gzipped".padStart(10));
for (const r of rows) console.log(r.page.padEnd(28), String(r.chunks).padStart(6), kb(r.raw).padStart(10), kb(r.gzip).padStart(10));
console.log("(Monaco's editor files load on demand from /monaco/vs and are not counted)");
