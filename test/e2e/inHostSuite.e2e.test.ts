import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HOST_TEST_EXTENSION_ID } from "../electron/hostTestConstants";
import { hostTestExtensionVsix, waitForHostTestReport } from "./harness/hostTests";
import { log } from "./harness/provision";
import { E2ESession } from "./harness/session";

/**
 * The in-host suite (test/electron/suite.ts) inside code-server's real
 * extension host: SecretKeyStore on a real SecretStorage, VscodeWorkspaceTools
 * in the opened workspace (WorkspaceEdit, files.exclude, VS Code's ripgrep,
 * process groups, diagnostics) and the product's contract (activation,
 * commands, setting defaults, a bad setting's fallback). The product is
 * installed as a VSIX like in the other e2e files; the test-only extension
 * (test/electron/hostTestExtension) is installed into the running server,
 * and the open window activates it, which runs the suite and writes
 * `<workspace>/.host-test-result.json`.
 */

let session: E2ESession;
// Built while code-server starts; awaited (and its error reported) in the test.
const vsix = hostTestExtensionVsix();
vsix.catch(() => undefined);

describe("host modules against the real VS Code API (code-server)", { timeout: 10 * 60_000 }, () => {
  before(async () => {
    // Workspace trust off (the harness default): run_command and edits need a trusted folder.
    session = await E2ESession.start({ name: "in-host-suite" });
  });

  after(async () => {
    await session?.close();
  });

  it("every in-host case passes", { timeout: 240_000 }, async (t) => {
    await session.scenario("in-host-suite", async () => {
      const started = Date.now();
      await session.installExtension(await vsix, HOST_TEST_EXTENSION_ID);
      const report = await waitForHostTestReport(session.workspace, 120_000);
      log(`in-host suite: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped in ${(report.durationMs / 1000).toFixed(1)} s (VS Code ${report.vscodeVersion}, ${report.appHost}); ${((Date.now() - started) / 1000).toFixed(1)} s from install`);
      for (const line of report.lines) t.diagnostic(line);
      // The bad-setting case's user-visible half: the warning toast names the setting and its fallback.
      const toast = await session.workbench.waitForNotification(/subagents\.maxConcurrentAgents.*is invalid.*Using the default 8/, 10_000).then(
        () => undefined,
        (error: unknown) => `not ok - the bad-setting warning is shown as a notification: ${(error as Error).message}`,
      );
      const failures = [...report.lines.filter((line) => line.startsWith("not ok")), ...(toast ? [toast] : [])];
      assert.deepEqual(failures, [], `failing in-host cases:\n${failures.join("\n")}`);
      assert.equal(report.failed, 0);
      assert.equal(report.skipped, 0, `nothing may be skipped when the suite has an ExtensionContext:\n${report.lines.filter((l) => l.includes("# SKIP")).join("\n")}`);
      assert.ok(report.passed >= 15, `expected every case to run, got ${report.passed} passed`);
      assert.equal(report.exitCode, 0);
    });
  });
});
