// @ts-check
// `npm run check:cycles`: fails when any module of the extension, the
// webview, the tests or the benchmarks imports itself through a chain of
// other modules. Type-only imports count too: a cycle of types still means
// two files that cannot be understood (or moved) one without the other.
import { parseCircular, parseDependencyTree } from "dpdm";

const FILES = ["src/**/*.ts", "media/**/*.ts", "test/**/*.ts", "bench/**/*.ts"];

/**
 * Cycles known and being removed, each as its files in dpdm's order. An entry
 * here is a debt with an owner, not a permission: delete it with the fix.
 */
/** Cycles allowed while they are being removed (none now); a gone one is reported so it is dropped here. */
const KNOWN_CYCLES = /** @type {string[][]} */ ([]);

const key = (/** @type {readonly string[]} */ cycle) => cycle.join(" -> ");

const tree = await parseDependencyTree(FILES, { context: process.cwd(), transform: false, skipDynamicImports: false });
const found = parseCircular(tree);
const known = new Set(KNOWN_CYCLES.map(key));
const unexpected = found.filter((cycle) => !known.has(key(cycle)));
const gone = KNOWN_CYCLES.filter((cycle) => !found.some((f) => key(f) === key(cycle)));

for (const cycle of gone) console.log(`import cycle gone, remove it from KNOWN_CYCLES in scripts/checkImportCycles.mjs: ${key(cycle)}`);
if (unexpected.length > 0) {
  console.error(`${unexpected.length} import cycle(s):`);
  for (const cycle of unexpected) console.error(`  ${key(cycle)} -> ${cycle[0] ?? ""}`);
  process.exit(1);
}
console.log(`no import cycles in ${Object.keys(tree).filter((file) => !file.includes("node_modules")).length} modules${found.length > 0 ? ` (besides ${found.length} known, being removed)` : ""}`);
