/**
 * Builds a test-only extension (never published) from `sourceDir` into `outDir`:
 * package.json + dist/extension.js bundled with the product's extension-host
 * esbuild options (Node target, CommonJS, `vscode` external) and an inline
 * source map, ready to be copied into an extensions folder or packaged with vsce.
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import { hostConfig } from "../../esbuild.mjs";

export async function buildTestExtension(sourceDir: string, outDir: string, title: string, purpose: string): Promise<string> {
  mkdirSync(nodePath.join(outDir, "dist"), { recursive: true });
  await build({
    ...hostConfig(),
    entryPoints: { extension: nodePath.join(sourceDir, "extension.ts") },
    outdir: nodePath.join(outDir, "dist"),
    sourcemap: "inline",
    logLevel: "warning",
  });
  copyFileSync(nodePath.join(sourceDir, "package.json"), nodePath.join(outDir, "package.json"));
  writeFileSync(nodePath.join(outDir, "README.md"), `# ${title}\n\nTest-only extension: ${purpose}. Never published.\n`);
  writeFileSync(nodePath.join(outDir, "LICENSE"), "MIT\n");
  return outDir;
}
