// Monaco is served from our own origin: the UI must work offline, with no CDN.
// @monaco-editor/react loads the AMD build from `paths.vs`, so copy it into public/.
import { cpSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules", "monaco-editor", "min", "vs");
const target = join(root, "public", "monaco", "vs");
if (!existsSync(source)) {
  console.error(`monaco-editor is not installed: ${source} is missing`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
console.log(`copied Monaco to ${target}`);
