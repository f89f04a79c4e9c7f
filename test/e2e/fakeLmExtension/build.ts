/**
 * Builds the test-only fake language model extension into `outDir`
 * (package.json + dist/extension.js, `vscode` external), like the host-test
 * extension: the product's extension-host esbuild options.
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import { hostConfig } from "../../../esbuild.mjs";

export const FAKE_LM_EXTENSION_ID = "subagents-dev.subagents-fake-lm";

export async function buildFakeLmExtension(outDir: string): Promise<string> {
  mkdirSync(nodePath.join(outDir, "dist"), { recursive: true });
  await build({
    ...hostConfig(),
    entryPoints: { extension: nodePath.join(__dirname, "extension.ts") },
    outdir: nodePath.join(outDir, "dist"),
    sourcemap: "inline",
    logLevel: "warning",
  });
  copyFileSync(nodePath.join(__dirname, "package.json"), nodePath.join(outDir, "package.json"));
  writeFileSync(nodePath.join(outDir, "README.md"), "# Subagents fake language model\n\nTest-only extension: a scripted model provider and tool. Never published.\n");
  writeFileSync(nodePath.join(outDir, "LICENSE"), "MIT\n");
  return outDir;
}
