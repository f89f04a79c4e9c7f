/**
 * Standard `@vscode/test-electron` runner (`npm run test:electron`) for
 * machines that have VS Code or can download it. It runs the in-host suite in
 * test/electron/suite.ts against the built extension. Not part of `npm test`:
 * the offline CI machines cannot download VS Code, and run the same suite in
 * code-server instead (test/e2e/inHostSuite.e2e.test.ts).
 *
 * The suite edits files and settings in the workspace, so it gets a temp copy
 * of test/e2e/sample-workspace. The test-only extension
 * (test/electron/hostTestExtension) is loaded as a second development
 * extension with its auto-run off: the suite borrows its ExtensionContext for
 * the SecretStorage cases. The product's log is found under the temp
 * user-data-dir's logs ($SUBAGENTS_HOST_TEST_LOGS).
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { runTests } from "@vscode/test-electron";
import { buildElectronTests } from "./buildTests";
import { AUTORUN_ENV, LOGS_ENV } from "./hostTestConstants";

async function main(): Promise<void> {
  const root = join(__dirname, "..", "..");
  const { suite, hostTestExtension } = await buildElectronTests();
  const temp = mkdtempSync(join(os.tmpdir(), "subagents-electron-"));
  const workspace = join(temp, "workspace", "sample-project");
  const userDataDir = join(temp, "user-data");
  cpSync(join(root, "test/e2e/sample-workspace"), workspace, { recursive: true });
  try {
    await runTests({
      extensionDevelopmentPath: [root, hostTestExtension],
      extensionTestsPath: suite,
      launchArgs: ["--disable-extensions", "--disable-workspace-trust", "--user-data-dir", userDataDir, workspace],
      extensionTestsEnv: { [AUTORUN_ENV]: "0", [LOGS_ENV]: join(userDataDir, "logs") },
      ...(process.env.VSCODE_TEST_VERSION ? { version: process.env.VSCODE_TEST_VERSION } : {}),
    });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error("Extension tests failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
