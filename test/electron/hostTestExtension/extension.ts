/**
 * Test-only extension (never published): when the window has started it runs
 * the in-host suite (test/electron/suite.ts) with its own ExtensionContext —
 * whose `secrets` is a real SecretStorage — and writes the result as JSON.
 *
 * With $SUBAGENTS_HOST_TESTS_AUTORUN=0 it only exports its context (for the
 * suite run by @vscode/test-electron, see test/electron/runTests.ts).
 *
 * Result file: $SUBAGENTS_HOST_TEST_RESULT, else `<first workspace folder>/.host-test-result.json`.
 * While the suite runs, each line is appended to `<result file>.partial`, so
 * a run that never finishes still shows how far it got.
 */
import { appendFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import * as vscode from "vscode";
import { AUTORUN_ENV, RESULT_ENV, RESULT_FILE_NAME } from "../hostTestConstants";
import { runSuite, type HostSuiteResult } from "../suite";
import { registerEchoTool } from "../hostTestTool";

export interface HostTestReport extends HostSuiteResult {
  startedAt: string;
  durationMs: number;
  vscodeVersion: string;
  appHost: string;
}

function resultFile(): string | undefined {
  const fromEnv = process.env[RESULT_ENV];
  if (fromEnv) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file");
  return folder ? nodePath.join(folder.uri.fsPath, RESULT_FILE_NAME) : undefined;
}

async function runAndReport(context: vscode.ExtensionContext): Promise<void> {
  const target = resultFile();
  const started = Date.now();
  const partial = target ? `${target}.partial` : undefined;
  if (partial) writeFileSync(partial, "");
  let report: HostTestReport;
  try {
    const result = await runSuite(context, (line) => {
      console.log(`[subagents-host-tests] ${line}`);
      if (partial) appendFileSync(partial, `${line}\n`);
    });
    report = { ...result, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, vscodeVersion: vscode.version, appHost: vscode.env.appHost };
  } catch (error) {
    const line = `not ok - the suite itself: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    report = { lines: [line, "0 passed, 1 failed"], passed: 0, failed: 1, skipped: 0, exitCode: 1, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, vscodeVersion: vscode.version, appHost: vscode.env.appHost };
  }
  if (!target) {
    console.log("[subagents-host-tests] no workspace folder and no $SUBAGENTS_HOST_TEST_RESULT: results only in this log");
    return;
  }
  // Written whole and renamed, so a reader never sees half a file.
  writeFileSync(`${target}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${target}.tmp`, target);
  if (partial) rmSync(partial, { force: true });
}

/** The exports hand this extension's context (a real SecretStorage) to a suite run by @vscode/test-electron. */
export function activate(context: vscode.ExtensionContext): { context: vscode.ExtensionContext } {
  context.subscriptions.push(registerEchoTool());
  // Not awaited: activation finishes at once, the suite runs after it.
  if (process.env[AUTORUN_ENV] !== "0") void runAndReport(context);
  return { context };
}

export function deactivate(): void {}
