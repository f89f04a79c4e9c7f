/**
 * Builds the test-only extension into `outDir` (package.json + dist/extension.js,
 * the suite bundled in, `vscode` external), ready to be copied into an
 * extensions folder or packaged with vsce.
 */
import { build } from "esbuild";
import { hostConfig } from "../../../esbuild.mjs";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import { HOST_TEST_EXTENSION_ID } from "../hostTestConstants";


export async function buildHostTestExtension(outDir: string): Promise<string> {
  mkdirSync(nodePath.join(outDir, "dist"), { recursive: true });
  // The product's extension-host options (Node target, CommonJS, `vscode`
  // external), with this extension's entry point and an inline source map.
  await build({
    ...hostConfig(),
    entryPoints: { extension: nodePath.join(__dirname, "extension.ts") },
    outdir: nodePath.join(outDir, "dist"),
    sourcemap: "inline",
    logLevel: "warning",
  });
  copyFileSync(nodePath.join(__dirname, "package.json"), nodePath.join(outDir, "package.json"));
  writeFileSync(nodePath.join(outDir, "README.md"), "# Subagents host tests\n\nTest-only extension: runs the in-host suite. Never published.\n");
  writeFileSync(nodePath.join(outDir, "LICENSE"), "MIT\n");
  return outDir;
}

if (require.main === module) {
  const out = process.argv[2] ?? nodePath.join(__dirname, "..", "..", "..", "out", "host-test-extension");
  buildHostTestExtension(out).then(
    (dir) => console.log(`built ${HOST_TEST_EXTENSION_ID} into ${dir}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
