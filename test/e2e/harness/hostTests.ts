import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildHostTestExtension } from "../../electron/hostTestExtension/build";
import { HOST_TEST_EXTENSION_ID, RESULT_FILE_NAME } from "../../electron/hostTestConstants";
import type { HostTestReport } from "../../electron/hostTestExtension/extension";
import type { CodeServer } from "./codeServer";
import { REPO_ROOT } from "./paths";
import { log, tail } from "./provision";
import { waitUntil } from "../../fakes/polling";

/**
 * The in-host suite (test/electron/suite.ts) in code-server: the test-only
 * extension in test/electron/hostTestExtension is built, packaged with vsce
 * and installed next to the product; its activate() runs the suite and
 * writes `<workspace>/.host-test-result.json`.
 */

export const HOST_TEST_RESULT_FILE = RESULT_FILE_NAME;

let cached: Promise<string> | undefined;

/** Builds and packages the test extension once per test process; returns the VSIX path. */
export function hostTestExtensionVsix(): Promise<string> {
  cached ??= packageHostTestExtension();
  return cached;
}

function packageHostTestExtension(): Promise<string> {
  return packageTestExtension("subagents-host-tests", buildHostTestExtension);
}

/** Builds a test-only extension with `build(folder)` into a temp folder and packages it with vsce; returns the VSIX path. */
export async function packageTestExtension(name: string, build: (outDir: string) => Promise<string>): Promise<string> {
  const started = Date.now();
  const outDir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  process.on("exit", () => rmSync(outDir, { recursive: true, force: true }));
  const folder = await build(path.join(outDir, "extension"));
  const vsix = path.join(outDir, `${name}.vsix`);
  const vsce = path.join(REPO_ROOT, "node_modules", "@vscode", "vsce", "vsce");
  await runQuiet(process.execPath, [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "--out", vsix], folder, `vsce package (${name})`, 60_000);
  log(`built the test-only extension ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return vsix;
}

/**
 * Installs a VSIX into a code-server that is already running, with code-server's
 * own CLI on the same user-data/extensions dirs (a copied folder is not enough:
 * the server lists user extensions from `<extensions-dir>/extensions.json`).
 * The running server notices the new extension: an open window adds it and,
 * for `onStartupFinished`, activates it without a reload.
 */
export async function installIntoRunningCodeServer(codeServer: CodeServer, vsix: string, extensionId = HOST_TEST_EXTENSION_ID): Promise<void> {
  await codeServer.cli(["--install-extension", vsix, "--force"]);
  const installed = readdirSync(codeServer.extensionsDir).some((name) => name.startsWith(`${extensionId}-`));
  if (!installed) throw new Error(`${extensionId} did not install into ${codeServer.extensionsDir}`);
}

/** Removes an extension from a running code-server, so later windows do not load it. */
export async function uninstallFromRunningCodeServer(codeServer: CodeServer, extensionId: string): Promise<void> {
  await codeServer.cli(["--uninstall-extension", extensionId]);
}

/** Waits for the suite's result file; on timeout, says which lines the suite had written so far. */
export async function waitForHostTestReport(workspace: string, timeoutMs = 120_000): Promise<HostTestReport> {
  const file = path.join(workspace, HOST_TEST_RESULT_FILE);
  const partial = `${file}.partial`;
  const text = await waitUntil(
    () =>
      existsSync(partial)
        ? `${HOST_TEST_RESULT_FILE}; the suite got this far:\n${readFileSync(partial, "utf8")}`
        : `${HOST_TEST_RESULT_FILE} (the host-test extension never started: no ${HOST_TEST_RESULT_FILE}.partial)`,
    () => (existsSync(file) ? readFileSync(file, "utf8") : undefined),
    timeoutMs,
  );
  return JSON.parse(text) as HostTestReport;
}

function runQuiet(command: string, args: string[], cwd: string, what: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
      reject(new Error(`${what} did not finish in ${timeoutMs / 1000} s:\n${tail(output, 20)}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${String(code)}):\n${tail(output, 30)}`));
    });
  });
}
