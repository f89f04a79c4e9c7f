// @ts-check
// One build script for every bundle: the extension host, the webview and the
// agent-definition language server. `--production` minifies and drops source
// maps; `--watch` rebuilds on change.
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

/** @type {esbuild.BuildOptions} */
const base = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : "linked",
  logLevel: "info",
  legalComments: "none",
};

/** @type {esbuild.BuildOptions} */
const host = {
  ...base,
  entryPoints: { extension: "src/extension.ts" },
  outdir: "dist",
  platform: "node",
  // VS Code 1.105's extension host runs Node 22.
  target: "node22",
  format: "cjs",
  // `vscode` is provided by the extension host; everything else (openai, zod,
  // p-queue, which is ESM-only) is bundled so the VSIX ships no node_modules.
  external: ["vscode"],
  // jsonc-parser's default (UMD) build loads its parts with a require() that
  // esbuild cannot follow; its ESM build bundles cleanly.
  alias: { "jsonc-parser": "./node_modules/jsonc-parser/lib/esm/main.js" },
};

/** @type {esbuild.BuildOptions} */
const webview = {
  ...base,
  entryPoints: { webview: "media/main.ts" },
  outdir: "dist",
  platform: "browser",
  target: "es2022",
  format: "iife",
  loader: { ".ttf": "file" },
};

/** @type {esbuild.BuildOptions} */
const server = {
  ...base,
  entryPoints: { server: "src/server/main.ts" },
  outdir: "dist",
  platform: "node",
  // Started by the extension host's Node (22) over IPC.
  target: "node22",
  format: "cjs",
};

/** @type {esbuild.BuildOptions[]} */
export const configs = [host, webview, server];

async function main() {
  if (watch) {
    const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(configs.map((c) => esbuild.build(c)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
