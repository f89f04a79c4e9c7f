/**
 * The in-host suite: host modules (src/host/**) and the installed product,
 * checked against the REAL vscode API inside a running extension host.
 *
 * Two ways in:
 * - `run()` — loaded by @vscode/test-electron as `extensionTestsPath`
 *   (`npm run test:electron`, machines with VS Code). VS Code calls it as
 *   `run(testsPath, callback)`, so there is no ExtensionContext: it borrows
 *   the test-only extension's (runTests.ts loads it as a second development
 *   extension); without that extension the SecretStorage cases are skipped
 *   with the reason printed.
 * - `runSuite(context)` — called by the test-only extension in
 *   test/electron/hostTestExtension (code-server, test/e2e/inHostSuite.e2e.test.ts),
 *   whose own `context.secrets` is a real SecretStorage.
 *
 * Each case makes its own scratch folder / secret / setting and removes it
 * afterwards, so cases do not depend on each other's order or leftovers.
 * Output: `ok - name`, `ok - name # SKIP reason`, `not ok - name: reason`,
 * then `N passed, N failed`.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import * as vscode from "vscode";
import { fingerprint } from "../../src/core/keys/fingerprint";
import { DEFAULT_SETTINGS, type SettingKey, type Settings } from "../../src/core/settings/schema";
import { SecretKeyStore, secretName } from "../../src/host/keys/secretKeyStore";
import { contentVersion } from "../../src/host/tools/fileText";
import { findRipgrep } from "../../src/host/tools/ripgrep";
import { VscodeWorkspaceTools } from "../../src/host/tools/vscodeWorkspaceTools";
import { HOST_TEST_EXTENSION_ID, LOGS_ENV } from "./hostTestConstants";
import { waitUntil } from "../fakes/polling";
import { chatParticipantCases } from "./chatParticipantCases";
import { languageModelCases } from "./languageModelCases";

const EXTENSION_ID = "subagents-dev.subagents";
/** One case may not take longer than this (a hang is reported, not waited out). */
const CASE_TIMEOUT_MS = 60_000;

export interface HostSuiteResult {
  lines: string[];
  passed: number;
  failed: number;
  skipped: number;
  exitCode: number;
}

interface SuiteEnv {
  /** The calling extension's context (the test extension), or undefined under @vscode/test-electron. */
  context: vscode.ExtensionContext | undefined;
}

type Case = [name: string, body: (env: SuiteEnv) => Promise<void>];

/** Thrown by a case that cannot run here; reported as `ok - name # SKIP reason`. */
class SkipCase extends Error {}

// ---------------------------------------------------------------- helpers

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file");
  assert.ok(folder, "a file workspace folder is open");
  return folder.uri.fsPath;
}

/** A fresh folder inside the workspace; `rel` is what an agent would pass to the tools. */
interface Scratch {
  rel: string;
  abs: string;
  write(name: string, text: string): string;
}

async function withScratch(body: (scratch: Scratch) => Promise<void>): Promise<void> {
  const rel = `host-test-${randomBytes(4).toString("hex")}`;
  const abs = nodePath.join(workspaceRoot(), rel);
  mkdirSync(abs, { recursive: true });
  const scratch: Scratch = {
    rel,
    abs,
    write(name, text) {
      const file = nodePath.join(abs, name);
      mkdirSync(nodePath.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return `${rel}/${name}`;
    },
  };
  try {
    await body(scratch);
  } finally {
    await revertDirtyDocumentsUnder(abs);
    rmSync(abs, { recursive: true, force: true });
  }
}

/** A failed case may leave an edited, unsaved document behind; revert and close it so the window is clean. */
async function revertDirtyDocumentsUnder(folder: string): Promise<void> {
  for (const document of vscode.workspace.textDocuments) {
    if (document.uri.scheme !== "file" || !document.isDirty || !document.uri.fsPath.startsWith(folder + nodePath.sep)) continue;
    try {
      await vscode.window.showTextDocument(document, { preview: true, preserveFocus: false });
      await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    } catch {
      /* best effort */
    }
  }
}

function tools(settings: Partial<Settings> = {}, ripgrep: "bundled" | "none" = "bundled"): VscodeWorkspaceTools {
  return new VscodeWorkspaceTools({
    settings: () => ({ ...DEFAULT_SETTINGS, ...settings }),
    ripgrepPath: ripgrep === "bundled" ? findRipgrep(vscode.env.appRoot) : undefined,
  });
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp, what: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    assert.match(message, pattern, `${what}: wrong error: ${message}`);
    return message;
  }
  throw new assert.AssertionError({ message: `${what}: expected a rejection matching ${String(pattern)}, but it succeeded` });
}

/**
 * Sets one setting at Workspace level for the duration of `body`, then puts
 * back what was there (and removes a .vscode/settings.json this created).
 */
async function withWorkspaceSetting(section: string, key: string, value: unknown, body: () => Promise<void>): Promise<void> {
  const settingsDir = nodePath.join(workspaceRoot(), ".vscode");
  const settingsFile = nodePath.join(settingsDir, "settings.json");
  const hadDir = existsSync(settingsDir);
  const hadFile = existsSync(settingsFile);
  const previous = vscode.workspace.getConfiguration(section).inspect(key)?.workspaceValue;
  const current = () => JSON.stringify(vscode.workspace.getConfiguration(section).inspect(key)?.workspaceValue);
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Workspace);
  try {
    await waitUntil(`${section}.${key} to read back as ${JSON.stringify(value)}`, () => current() === JSON.stringify(value), 10_000);
    await body();
  } finally {
    await vscode.workspace.getConfiguration(section).update(key, previous, vscode.ConfigurationTarget.Workspace);
    await waitUntil(`${section}.${key} to be restored`, () => current() === JSON.stringify(previous), 10_000).catch(() => undefined);
    if (!hadFile && existsSync(settingsFile) && /^\s*\{\s*\}\s*$/.test(readFileSync(settingsFile, "utf8"))) rmSync(settingsFile);
    if (!hadDir && existsSync(settingsDir) && readdirSync(settingsDir).length === 0) rmSync(settingsDir, { recursive: true });
  }
}

/** The product's "Subagents" log files: next to this extension's log folder, or under $SUBAGENTS_HOST_TEST_LOGS. */
function productLogFiles(env: SuiteEnv): string[] | undefined {
  const roots: string[] = [];
  // <logs>/<session>/window1/exthost/<this extension id>: the product logs beside it.
  if (env.context) roots.push(nodePath.dirname(nodePath.dirname(env.context.logUri.fsPath)));
  const fromEnv = process.env[LOGS_ENV];
  if (fromEnv) roots.push(fromEnv);
  if (roots.length === 0) return undefined;
  const found: Array<{ file: string; mtime: number }> = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = nodePath.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (entry.name === "Subagents.log" || entry.name.endsWith("-Subagents.log")) found.push({ file: full, mtime: statSync(full).mtimeMs });
    }
  };
  for (const root of roots) walk(root, 0);
  return found.sort((a, b) => b.mtime - a.mtime).map((f) => f.file);
}

function readLogs(files: readonly string[]): string {
  return files.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : "")).join("\n");
}

function count(text: string, pattern: RegExp): number {
  return (text.match(new RegExp(pattern.source, "g")) ?? []).length;
}

/**
 * Members of process group `pgid` that are still running. Zombies do not
 * count: they are dead, only not yet reaped (in containers whose PID 1 does
 * not reap, orphans stay zombies for ever). Without /proc, any member counts.
 */
function liveGroupMembers(pgid: number): string[] {
  if (!existsSync("/proc/self/stat")) {
    try {
      process.kill(-pgid, 0);
      return [`(group ${pgid})`];
    } catch {
      return [];
    }
  }
  const live: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …; comm may contain spaces, so split after the last ")".
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") live.push(`${entry} ${comm} (${state})`);
  }
  return live;
}

async function activeProduct(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  await extension.activate();
  return extension;
}

// ---------------------------------------------------------------- cases: the product's contract

const contractCases: Case[] = [
  [
    "activates",
    async () => {
      const extension = await activeProduct();
      assert.equal(extension.isActive, true);
    },
  ],
  [
    "registers every contract command",
    async () => {
      const extension = await activeProduct();
      const all = new Set(await vscode.commands.getCommands(true));
      const declared = (extension.packageJSON as { contributes: { commands: Array<{ command: string }> } }).contributes.commands;
      assert.ok(declared.length > 0, "package.json declares commands");
      const missing = declared.map((c) => c.command).filter((c) => !all.has(c));
      assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
    },
  ],
  [
    "reads the documented setting defaults, equal to the product's fallbacks",
    async () => {
      const extension = await activeProduct();
      const properties = (extension.packageJSON as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } })
        .contributes.configuration.properties;
      const config = vscode.workspace.getConfiguration("subagents");
      for (const [fullKey, { default: declared }] of Object.entries(properties)) {
        const key = fullKey.slice("subagents.".length) as SettingKey;
        assert.deepEqual(config.inspect(key)?.defaultValue, declared, `VS Code's default for ${fullKey}`);
        assert.deepEqual(declared, DEFAULT_SETTINGS[key], `package.json default of ${fullKey} vs the product's fallback`);
      }
      assert.equal(config.get("maxConcurrentAgents"), 8);
      assert.equal(config.get("maxSpawnDepth"), 1);
      assert.deepEqual(config.get("keyPool.cooldownSeconds"), [30, 300, 1800]);
    },
  ],
  [
    "a bad subagents.maxConcurrentAgents (-1) is reported and falls back to the default 8",
    async (env) => {
      await activeProduct();
      const logs = productLogFiles(env);
      if (!logs) throw new SkipCase(`no ExtensionContext and no ${LOGS_ENV}, so the product's log cannot be read`);
      const warning = /the setting "subagents\.maxConcurrentAgents" is invalid: [^\n]*Using the default 8 until it is fixed\./;
      const reloaded = /settings reloaded/;
      const log = () => readLogs(productLogFiles(env) ?? []);
      const warningsBefore = count(log(), warning);
      let reloadsAfterBad = 0;
      await withWorkspaceSetting("subagents", "maxConcurrentAgents", -1, async () => {
        // VS Code hands the raw value through; the fallback is the product's job.
        assert.equal(vscode.workspace.getConfiguration("subagents").get("maxConcurrentAgents"), -1);
        await waitUntil("the product to log a warning naming the bad setting and its fallback", () => count(log(), warning) > warningsBefore, 15_000);
        reloadsAfterBad = count(log(), reloaded);
      });
      await waitUntil('the product to re-read its settings after the restore ("settings reloaded")', () => count(log(), reloaded) > reloadsAfterBad, 15_000);
      assert.equal(count(log(), warning), warningsBefore + 1, "one warning per bad value, none after the restore");
      assert.equal(vscode.workspace.getConfiguration("subagents").get("maxConcurrentAgents"), 8);
    },
  ],
];

// ---------------------------------------------------------------- cases: SecretKeyStore on a real SecretStorage

function secretsOf(env: SuiteEnv): vscode.SecretStorage {
  if (!env.context) throw new SkipCase(`no ExtensionContext (run without ${HOST_TEST_EXTENSION_ID}), so no SecretStorage to test against`);
  return env.context.secrets;
}

const secretCases: Case[] = [
  [
    "SecretKeyStore add/list/remove round trip on SecretStorage, with onDidChange",
    async (env) => {
      const secrets = secretsOf(env);
      const provider = `host-test-${randomBytes(4).toString("hex")}`;
      const keyA = `sk-host-${randomBytes(12).toString("hex")}`;
      const keyB = `sk-host-${randomBytes(12).toString("hex")}`;
      const store = new SecretKeyStore(secrets);
      const changes: string[] = [];
      const listening = store.onDidChange((id) => changes.push(id));
      try {
        assert.deepEqual(await store.list(provider), []);
        const origin = "http://127.0.0.1:9";
        assert.equal(await store.add(provider, keyA, origin), true);
        assert.equal(await store.add(provider, keyB, origin), true);
        assert.equal(await store.add(provider, keyA, origin), false, "adding a key twice is a no-op");
        assert.deepEqual((await store.list(provider)).map((k) => k.key), [keyA, keyB]);
        assert.deepEqual(
          JSON.parse((await secrets.get(secretName(provider))) ?? "null"),
          [{ key: keyA, origin }, { key: keyB, origin }],
          "one JSON array per provider, each key with the origin it is bound to",
        );
        assert.ok((await store.providersWithKeys()).includes(provider), "providersWithKeys lists the provider");
        await waitUntil("onDidChange for the adds", () => changes.filter((c) => c === provider).length >= 2, 5000);

        assert.equal(await store.remove(provider, fingerprint(keyA)), true);
        assert.equal(await store.remove(provider, "…none"), false, "removing an unknown fingerprint is a no-op");
        assert.deepEqual((await store.list(provider)).map((k) => k.key), [keyB]);
        assert.equal(await store.remove(provider, fingerprint(keyB)), true);
        assert.deepEqual(await store.list(provider), []);
        assert.equal(await secrets.get(secretName(provider)), undefined, "the last remove deletes the secret");
        assert.ok(!(await store.providersWithKeys()).includes(provider));
        await waitUntil("onDidChange for the removes", () => changes.filter((c) => c === provider).length >= 4, 5000);
        assert.ok(changes.every((c) => c === provider), `only this provider changed: ${changes.join(", ")}`);
      } finally {
        listening.dispose();
        store.dispose();
        await secrets.delete(secretName(provider));
      }
    },
  ],
  [
    "SecretKeyStore forwards outside SecretStorage changes (another window) as onDidChange",
    async (env) => {
      const secrets = secretsOf(env);
      const provider = `host-test-${randomBytes(4).toString("hex")}`;
      const key = `sk-host-${randomBytes(12).toString("hex")}`;
      const store = new SecretKeyStore(secrets);
      const changes: string[] = [];
      const listening = store.onDidChange((id) => changes.push(id));
      try {
        const origin = "http://127.0.0.1:9";
        await secrets.store(secretName(provider), JSON.stringify([{ key, origin }]));
        await waitUntil("onDidChange for a secret written behind the store's back", () => changes.includes(provider), 5000);
        assert.deepEqual(await store.list(provider), [{ key, origin }]);
        await secrets.store(secretName(provider), "{damaged");
        assert.deepEqual(await store.list(provider), [], "a damaged secret reads as no keys");
        await secrets.store(`unrelated.${provider}`, "x");
        await secrets.delete(`unrelated.${provider}`);
        // A change of the provider's own secret after those: once its event is here, theirs
        // (if they were forwarded) would be too.
        const before = changes.length;
        await secrets.store(secretName(provider), JSON.stringify([]));
        await waitUntil("onDidChange for the provider's own later change", () => changes.length > before, 5000);
        assert.ok(!changes.includes(`unrelated.${provider}`) && changes.every((c) => c === provider), `unrelated secrets are not forwarded: ${changes.join(", ")}`);
      } finally {
        listening.dispose();
        store.dispose();
        await secrets.delete(secretName(provider));
      }
    },
  ],
];

// ---------------------------------------------------------------- cases: VscodeWorkspaceTools in the open workspace

const toolCases: Case[] = [
  [
    "write_file creates a new file through WorkspaceEdit",
    () =>
      withScratch(async (s) => {
        const t = tools();
        const path = `${s.rel}/nested/created.txt`;
        const content = "first line\nsecond line\n";
        assert.equal(await t.statVersion(path), undefined);
        const { version } = await t.writeFile({ path, content });
        assert.equal(version, contentVersion(content));
        assert.equal(readFileSync(nodePath.join(s.abs, "nested", "created.txt"), "utf8"), content, "the file is on disk");
        assert.equal(await t.statVersion(path), version);
        // Overwriting goes through the document; a stale expectedVersion is refused.
        const replaced = await t.writeFile({ path, content: "replaced\n", expectedVersion: version });
        assert.equal(readFileSync(nodePath.join(s.abs, "nested", "created.txt"), "utf8"), "replaced\n");
        await rejectsWith(t.writeFile({ path, content: "again\n", expectedVersion: version }), new RegExp(`${path}.* changed since you read it`), "stale write_file");
        assert.equal(replaced.version, contentVersion("replaced\n"));
      }),
  ],
  [
    "read_file returns a line range and the version of the whole file",
    () =>
      withScratch(async (s) => {
        const text = "one\ntwo\nthree\nfour\nfive\n";
        const path = s.write("lines.txt", text);
        const result = await tools().readFile(path, { startLine: 2, endLine: 3 });
        assert.equal(result.text, "two\nthree");
        assert.equal(result.totalLines, 5);
        assert.equal(result.version, contentVersion(text));
        await rejectsWith(tools().readFile(path, { startLine: 9 }), /past the end of the file \(5 lines\)/, "start_line past the end");
        await rejectsWith(tools().readFile(`${s.rel}/missing.txt`), new RegExp(`${s.rel}/missing.txt does not exist`), "missing file");
      }),
  ],
  [
    "edit_file replaces the one occurrence and saves the file",
    () =>
      withScratch(async (s) => {
        const path = s.write("edit.js", "export function add(a, b) {\n  return a + b;\n}\n");
        const t = tools();
        const { version } = await t.readFile(path);
        const edited = await t.editFile({ path, oldText: "return a + b;", newText: "return a + b + 0;", expectedVersion: version });
        const onDisk = readFileSync(nodePath.join(s.abs, "edit.js"), "utf8");
        assert.equal(onDisk, "export function add(a, b) {\n  return a + b + 0;\n}\n", "the edit is saved to disk");
        assert.equal(edited.version, contentVersion(onDisk));
        const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === nodePath.join(s.abs, "edit.js"));
        assert.equal(document?.isDirty ?? false, false, "the document is saved, not left dirty");
        await rejectsWith(t.editFile({ path, oldText: "no such text", newText: "x" }), new RegExp(`old_text was not found in ${path}`), "missing old_text");
      }),
  ],
  [
    "edit_file rejects a stale edit naming the file (changed on disk behind its back)",
    () =>
      withScratch(async (s) => {
        const path = s.write("stale.txt", "alpha\nbeta\n");
        const t = tools();
        const { version } = await t.readFile(path);
        writeFileSync(nodePath.join(s.abs, "stale.txt"), "alpha\nbeta changed by someone else\n");
        await rejectsWith(
          t.editFile({ path, oldText: "alpha", newText: "ALPHA", expectedVersion: version }),
          new RegExp(`^${path} changed since you read it.*Read it again`),
          "stale edit_file",
        );
        assert.equal(readFileSync(nodePath.join(s.abs, "stale.txt"), "utf8"), "alpha\nbeta changed by someone else\n", "the other change is kept");
      }),
  ],
  [
    "edit_file rejects a stale edit of a file open in VS Code (changed on disk behind its back)",
    () =>
      withScratch(async (s) => {
        const path = s.write("open.txt", "alpha\nbeta\n");
        const file = nodePath.join(s.abs, "open.txt");
        const t = tools();
        // The agent edits (which opens the document), then someone changes the file on disk.
        const { version } = await t.editFile({ path, oldText: "beta", newText: "gamma" });
        assert.ok(vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file), "the edited file is an open document");
        const theirs = "alpha\ngamma\nchanged by someone else\n";
        writeFileSync(file, theirs);
        let outcome: string;
        try {
          const accepted = await t.editFile({ path, oldText: "alpha", newText: "ALPHA", expectedVersion: version });
          const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
          await new Promise((resolve) => setTimeout(resolve, 1500));
          outcome =
            `the edit was accepted (returned version ${accepted.version === contentVersion(theirs) ? "of their text" : accepted.version === version ? "of the old text" : accepted.version}); ` +
            `the document ${document?.isDirty ? "is dirty" : "is saved"} with ${JSON.stringify(document?.getText())}; ` +
            `1.5 s later the disk holds ${JSON.stringify(readFileSync(file, "utf8"))}`;
        } catch (error) {
          outcome = (error as Error).message;
        }
        // Two refusals are right, depending on whether VS Code has already reloaded the open
        // document from disk when the edit arrives (on a busy machine it may not have).
        assert.ok(
          new RegExp(`^${path} changed (since you read it|on disk and its open editor differs)`).test(outcome),
          `a stale edit of an open document must be refused naming ${path}; instead ${outcome}`,
        );
        assert.equal(readFileSync(file, "utf8"), theirs, "the other change is kept on disk");
      }),
  ],
  [
    "paths outside the workspace are refused, also through a symlink",
    () =>
      withScratch(async (s) => {
        const t = tools();
        const outsideDir = realpathSync(os.tmpdir());
        const outsideFile = nodePath.join(outsideDir, `host-test-outside-${randomBytes(4).toString("hex")}.txt`);
        writeFileSync(outsideFile, "secret outside\n");
        try {
          const outside = /Refused: .* is outside the workspace/;
          await rejectsWith(t.readFile("../outside.txt"), outside, "read_file ../");
          await rejectsWith(t.readFile(outsideFile), outside, "read_file of an absolute path outside");
          const escapeName = `../host-test-escape-${randomBytes(4).toString("hex")}.txt`;
          await rejectsWith(t.writeFile({ path: escapeName, content: "x" }), outside, "write_file ../");
          assert.equal(existsSync(nodePath.resolve(workspaceRoot(), escapeName)), false, "nothing was written outside");
          await rejectsWith(t.listFiles({ path: ".." }), outside, "list_files ..");
          await rejectsWith(t.runCommand({ command: "pwd", cwd: "..", signal: new AbortController().signal }), outside, "run_command cwd ..");
          symlinkSync(outsideFile, nodePath.join(s.abs, "link.txt"));
          await rejectsWith(t.readFile(`${s.rel}/link.txt`), outside, "read_file through a symlink to outside");
          await rejectsWith(t.editFile({ path: `${s.rel}/link.txt`, oldText: "secret", newText: "x" }), outside, "edit_file through a symlink");
          assert.equal(readFileSync(outsideFile, "utf8"), "secret outside\n");
        } finally {
          rmSync(outsideFile, { force: true });
        }
      }),
  ],
  ...(["bundled", "none"] as const).map(
    (ripgrep): Case => [
      `list_files honours files.exclude (${ripgrep === "bundled" ? "VS Code's ripgrep" : "findFiles fallback"})`,
      () =>
        withScratch(async (s) => {
          if (ripgrep === "bundled") assert.ok(findRipgrep(vscode.env.appRoot), `VS Code's ripgrep is found under ${vscode.env.appRoot}`);
          s.write("keep.txt", "k\n");
          s.write("sub/also-kept.md", "k\n");
          s.write("skip.host-test-excluded", "x\n");
          s.write("sub/skip-too.host-test-excluded", "x\n");
          const t = tools({}, ripgrep);
          const before = await t.listFiles({ path: s.rel });
          assert.ok(before.includes(`${s.rel}/skip.host-test-excluded`), `listed before the exclude: ${before.join(", ")}`);
          await withWorkspaceSetting("files", "exclude", { "**/*.host-test-excluded": true }, async () => {
            const listed = await t.listFiles({ path: s.rel });
            assert.deepEqual(listed, [`${s.rel}/keep.txt`, `${s.rel}/sub/also-kept.md`]);
            const globbed = await t.listFiles({ path: s.rel, glob: "*.md" });
            assert.deepEqual(globbed, [`${s.rel}/sub/also-kept.md`]);
          });
        }),
    ],
  ),
  [
    "search_text finds a line with VS Code's bundled ripgrep",
    () =>
      withScratch(async (s) => {
        const rg = findRipgrep(vscode.env.appRoot);
        assert.ok(rg, `VS Code's ripgrep is found under ${vscode.env.appRoot}`);
        const token = `needle_${randomBytes(5).toString("hex")}`;
        const path = s.write("src/haystack.ts", `const a = 1;\nconst b = 2;\nconst found = "${token}";\n`);
        s.write("other.md", "no match here\n");
        const t = tools();
        const matches = await t.searchText({ query: token });
        assert.deepEqual(matches, [{ path, line: 3, text: `const found = "${token}";` }]);
        assert.deepEqual(await t.searchText({ query: token, glob: "*.md" }), [], "the glob narrows the search");
        const regex = await t.searchText({ query: `needle_[0-9a-f]{10}";$`, regex: true });
        assert.deepEqual(regex.map((m) => m.path), [path]);
      }),
  ],
  [
    "run_command captures output and exit code in the given folder",
    () =>
      withScratch(async (s) => {
        const result = await tools().runCommand({
          command: "printf 'to stdout\\n'; printf 'to stderr\\n' >&2; pwd; exit 3",
          cwd: s.rel,
          signal: new AbortController().signal,
        });
        assert.equal(result.exitCode, 3);
        assert.equal(result.timedOut, false);
        assert.match(result.output, /to stdout/);
        assert.match(result.output, /to stderr/);
        assert.ok(result.output.includes(realpathSync(s.abs)) || result.output.includes(s.abs), `runs in the scratch folder: ${result.output}`);
        await rejectsWith(
          tools({ "approval.deniedCommands": ["rm -rf"] }).runCommand({ command: "rm -rf nothing", signal: new AbortController().signal }),
          /Refused: .*subagents\.approval\.deniedCommands/,
          "a denied command",
        );
      }),
  ],
  ...[
    { label: "", background: "sleep 30 & sleep 30; wait" },
    // A child that ignores SIGTERM and holds no pipe of the command: only the SIGKILL after the grace period ends it.
    { label: " (a child ignoring SIGTERM, output redirected)", background: `sh -c 'trap "" TERM; sleep 30' > /dev/null 2>&1 & sleep 30; wait` },
  ].map(
    ({ label, background }): Case => [
      `run_command abort kills the whole process group before it rejects${label}`,
      () =>
        withScratch(async (s) => {
          const pidFile = nodePath.join(s.abs, "pgid");
          const controller = new AbortController();
          // The outer shell leads the command's process group; it records its pid, then runs `sh -c '…'`.
          const running = tools().runCommand({
            command: `echo $$ > pgid; sh -c '${background.replace(/'/g, `'\\''`)}'`,
            cwd: s.rel,
            signal: controller.signal,
          });
          let pgid: number | undefined;
          try {
            await waitUntil("the command to start (its pid file)", () => existsSync(pidFile) && /^\d+\s*$/.test(readFileSync(pidFile, "utf8")), 10_000);
            pgid = Number(readFileSync(pidFile, "utf8").trim());
            await waitUntil("both sleeps to run in the command's process group", () => !existsSync("/proc/self/stat") || liveGroupMembers(pgid ?? 0).filter((m) => m.includes(" sleep ")).length >= 2, 5000);
            const abortedAt = Date.now();
            controller.abort();
            const error = await running.then(
              () => undefined,
              (e: unknown) => e as Error,
            );
            const tookMs = Date.now() - abortedAt;
            const liveAtRejection = liveGroupMembers(pgid);
            assert.ok(error, "an aborted command rejects");
            // The sleeps last 30 s: an AbortError now is the abort's doing, not the command ending.
            assert.equal(error.name, "AbortError");
            // SIGKILL is delivered by the kernel a moment later; 250 ms of slack, far below the 1.5 s SIGTERM grace.
            await waitUntil("the process group to die", () => liveGroupMembers(pgid ?? 0).length === 0, 250).catch(() => undefined);
            assert.deepEqual(liveGroupMembers(pgid), [], `process group ${pgid} still has live members after the abort rejected (${tookMs} ms after abort; live at rejection: ${liveAtRejection.join(", ") || "none"})`);
          } finally {
            controller.abort();
            await running.catch(() => undefined);
            if (pgid !== undefined) {
              try {
                process.kill(-pgid, "SIGKILL");
              } catch {
                /* gone */
              }
            }
          }
        }),
    ],
  ),
  [
    "get_diagnostics returns the workspace's diagnostics as an array",
    () =>
      withScratch(async (s) => {
        const path = s.write("diag.ts", "const a = 1;\nconst b = ;\n");
        const uri = vscode.Uri.file(nodePath.join(s.abs, "diag.ts"));
        const message = `host-test diagnostic ${randomBytes(4).toString("hex")}`;
        const collection = vscode.languages.createDiagnosticCollection("subagents-host-tests");
        try {
          const all = await tools().getDiagnostics();
          assert.ok(Array.isArray(all), "get_diagnostics() is an array");
          collection.set(uri, [
            new vscode.Diagnostic(new vscode.Range(1, 10, 1, 11), message, vscode.DiagnosticSeverity.Error),
            new vscode.Diagnostic(new vscode.Range(0, 0, 0, 5), `${message} (hint)`, vscode.DiagnosticSeverity.Hint),
          ]);
          const forFile = await tools().getDiagnostics(path);
          assert.deepEqual(
            forFile.filter((d) => d.message.startsWith(message)).sort((a, b) => a.line - b.line),
            [
              { path, line: 1, severity: "hint", message: `${message} (hint)` },
              { path, line: 2, severity: "error", message },
            ],
          );
          const everywhere = await tools().getDiagnostics();
          assert.ok(everywhere.some((d) => d.path === path && d.message === message), "the whole-workspace answer includes it");
        } finally {
          collection.dispose();
        }
      }),
  ],
];

const lmCases: Case[] = languageModelCases((reason) => {
  throw new SkipCase(reason);
}).map(([name, body]) => [name, () => body()]);

const cases: Case[] = [...contractCases, ...secretCases, ...toolCases, ...lmCases, ...chatParticipantCases.map(([name, body]): Case => [name, () => body()])];

// ---------------------------------------------------------------- runner

/**
 * Under @vscode/test-electron, test/electron/runTests.ts also loads the
 * test-only extension (with its auto-run switched off); its exports carry its
 * ExtensionContext, so the SecretStorage cases run there too.
 */
async function hostTestExtensionContext(): Promise<vscode.ExtensionContext | undefined> {
  const extension = vscode.extensions.getExtension<unknown>(HOST_TEST_EXTENSION_ID);
  if (!extension) return undefined;
  const exported = await extension.activate();
  const context = typeof exported === "object" && exported !== null ? (exported as { context?: unknown }).context : undefined;
  return isExtensionContext(context) ? context : undefined;
}

function isExtensionContext(value: unknown): value is vscode.ExtensionContext {
  return typeof value === "object" && value !== null && "secrets" in value && "logUri" in value;
}

async function withTimeout(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`case did not finish within ${CASE_TIMEOUT_MS / 1000} s`)), CASE_TIMEOUT_MS);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every case; never throws. `log` gets each line as it is produced. */
export async function runSuite(context?: vscode.ExtensionContext, log: (line: string) => void = (line) => console.log(line)): Promise<HostSuiteResult> {
  const env: SuiteEnv = { context };
  const lines: string[] = [];
  const emit = (line: string) => {
    lines.push(line);
    log(line);
  };
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const [name, body] of cases) {
    const started = Date.now();
    try {
      await withTimeout(body(env));
      passed++;
      emit(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      if (error instanceof SkipCase) {
        skipped++;
        emit(`ok - ${name} # SKIP ${error.message}`);
        continue;
      }
      failed++;
      const reason = error instanceof Error ? error.message : String(error);
      emit(`not ok - ${name}: ${reason.replace(/\s*\n\s*/g, " ⏎ ")}`);
    }
  }
  emit(`${passed} passed, ${failed} failed${skipped > 0 ? ` (${skipped} skipped)` : ""}`);
  return { lines, passed, failed, skipped, exitCode: failed > 0 ? 1 : 0 };
}

/**
 * Entry point for @vscode/test-electron (called as `run(testsPath, callback)`)
 * and for callers that have an ExtensionContext (`run(context)`). Throws when
 * a case failed, as VS Code's test runner expects.
 */
export async function run(contextOrTestsPath?: unknown): Promise<HostSuiteResult> {
  const context = isExtensionContext(contextOrTestsPath) ? contextOrTestsPath : await hostTestExtensionContext();
  const result = await runSuite(context);
  if (result.failed > 0) throw new Error(`${result.failed} extension test(s) failed`);
  return result;
}
