// @ts-check
// One build configuration for every bundle: the extension host, the webview
// and the agent-definition language server. Run directly it builds them
// (`--production` minifies and drops source maps; `--watch` rebuilds on
// change); imported (by tests and benchmarks) it only hands out the configs,
// so nobody keeps a copy of these options.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL(".", import.meta.url));

/**
 * @param {boolean} production
 * @returns {esbuild.BuildOptions}
 */
function base(production) {
  return {
    absWorkingDir: ROOT,
    bundle: true,
    minify: production,
    sourcemap: production ? false : "linked",
    logLevel: "info",
    legalComments: "none",
  };
}

/**
 * The extension host bundle (dist/extension.js).
 * @param {{ production?: boolean }} [options]
 * @returns {esbuild.BuildOptions}
 */
export function hostConfig({ production = false } = {}) {
  return {
    ...base(production),
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
}

/**
 * The webview bundle (dist/webview.js and its CSS and font).
 * @param {{ production?: boolean }} [options]
 * @returns {esbuild.BuildOptions}
 */
export function webviewConfig({ production = false } = {}) {
  return {
    ...base(production),
    entryPoints: { webview: "media/main.ts" },
    outdir: "dist",
    platform: "browser",
    target: "es2022",
    format: "iife",
    loader: { ".ttf": "file" },
  };
}

/**
 * The agent-definition language server (dist/server.js).
 * @param {{ production?: boolean }} [options]
 * @returns {esbuild.BuildOptions}
 */
export function serverConfig({ production = false } = {}) {
  return {
    ...base(production),
    entryPoints: { server: "src/server/main.ts" },
    outdir: "dist",
    platform: "node",
    // Started by the extension host's Node (22) over IPC.
    target: "node22",
    format: "cjs",
  };
}

/**
 * Every bundle of the extension.
 * @param {{ production?: boolean }} [options]
 * @returns {esbuild.BuildOptions[]}
 */
export function configs(options = {}) {
  return [hostConfig(options), webviewConfig(options), serverConfig(options)];
}

/** @param {string[]} argv */
async function main(argv) {
  const all = configs({ production: argv.includes("--production") });
  if (argv.includes("--watch")) {
    const contexts = await Promise.all(all.map((c) => esbuild.context(c)));
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(all.map((c) => esbuild.build(c)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((/** @type {unknown} */ error) => {
    console.error(error);
    process.exit(1);
  });
}
