/**
 * Standard `@vscode/test-electron` runner (`npm run test:electron`) for
 * machines that have VS Code or can download it. It runs the in-host suite in
 * test/electron/suite.ts against the built extension. Not part of `npm test`:
 * the offline CI machines cannot download VS Code, and run the product in
 * code-server instead (test/e2e).
 */
import { build } from "esbuild";
import { join } from "node:path";
import { runTests } from "@vscode/test-electron";

async function main(): Promise<void> {
  const root = join(__dirname, "..", "..");
  await build({
    entryPoints: { suite: join(root, "test/electron/suite.ts") },
    outdir: join(root, "out/electron"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    external: ["vscode"],
    logLevel: "warning",
  });
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, "out/electron/suite.js"),
    launchArgs: ["--disable-extensions", "--disable-workspace-trust", join(root, "test/e2e/sample-workspace")],
    ...(process.env.VSCODE_TEST_VERSION ? { version: process.env.VSCODE_TEST_VERSION } : {}),
  });
}

main().catch((error: unknown) => {
  console.error("Extension tests failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
