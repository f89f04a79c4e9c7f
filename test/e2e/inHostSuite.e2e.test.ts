import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HOST_TEST_EXTENSION_ID } from "../electron/hostTestConstants";
import { LM_EXT_MARKER, LM_HANG_MARKER, LM_RUN_MARKER } from "../electron/languageModelMarkers";
import { hostTestExtensionVsix, waitForHostTestReport } from "./harness/hostTests";
import { taskOf, toolResults } from "./harness/model";
import { log } from "./harness/provision";
import { E2ESession, makeTestKeys } from "./harness/session";
import type { Workbench } from "./harness/workbench";

/**
 * `vscode.lm.invokeTool` outside a chat asks in a modal dialog before our
 * tool runs; this answers "Yes" to each one that says what will run, and
 * keeps their texts, until stopped.
 */
function answerToolConfirmations(workbench: Workbench): { texts: string[]; stop(): Promise<void> } {
  const texts: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const dialog = workbench.page.locator(".monaco-dialog-box", { hasText: "Run a Subagents task?" }).first();
        if (await dialog.isVisible()) {
          texts.push(await dialog.innerText());
          await dialog.locator(".monaco-button", { hasText: /^Yes$/ }).first().click({ timeout: 5_000 });
        }
      } catch {
        /* the dialog closed while being read; look again */
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    texts,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

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
    // The language model tool cases run real agents on this fake model.
    session.server.setScript((request) => {
      const task = taskOf(request);
      if (task.includes(LM_HANG_MARKER)) return { text: "never sent", delayMs: 10 * 60_000 };
      const ext = new RegExp(`${LM_EXT_MARKER} ([0-9a-f]+)`).exec(task);
      if (ext) {
        const results = toolResults(request);
        if (results.length === 0) return { toolCalls: [{ name: "subagents_host_test_echo", arguments: { text: ext[1] } }] };
        return { text: `got: ${results.at(-1) ?? ""}` };
      }
      const run = new RegExp(`${LM_RUN_MARKER} [0-9a-f]+`).exec(task);
      return { text: run ? `done: ${run[0]}` : "ok" };
    });
    await session.addKeys(makeTestKeys(1));
  });

  after(async () => {
    await session?.close();
  });

  it("every in-host case passes", { timeout: 300_000 }, async (t) => {
    await session.scenario("in-host-suite", async () => {
      const started = Date.now();
      const confirmations = answerToolConfirmations(session.workbench);
      await session.installExtension(await vsix, HOST_TEST_EXTENSION_ID);
      const report = await waitForHostTestReport(session.workspace, 180_000).finally(() => confirmations.stop());
      // Each subagents_run asked first, naming the model and the task.
      assert.equal(confirmations.texts.length, 3, `confirmations seen: ${JSON.stringify(confirmations.texts)}`);
      for (const text of confirmations.texts) assert.match(text, /test:scripted[\s\S]*lm-tool-(run|hang|ext) [0-9a-f]{6}/);
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
