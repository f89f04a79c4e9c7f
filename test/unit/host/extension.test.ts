import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import { activate } from "../../../src/extension";
import { startFakeOpenAiServer, type FakeOpenAiServer, type ScriptedRequest } from "../../fixtures/fakeOpenAiServer";
import { fakeExtensionContext, type FakeContext } from "../../fakes/vscodeContext";
import { commands, resetShim, shimState } from "../../fakes/vscodeShim";
import { makeWorkspace } from "./hostTestSupport";
import { waitUntil } from "../../fakes/polling";

const repoRoot = nodePath.join(__dirname, "..", "..", "..");
const ENV_PREFIX = "SUBAGENTS_TEST_CANARY";

/** Canary keys made at runtime: the repository holds no key-like literal. */
const canaryKeys = (n: number) => Array.from({ length: n }, () => `sk-canary-${randomBytes(18).toString("base64url")}`);

function leaks(texts: readonly string[], keys: readonly string[]): string[] {
  const found: string[] = [];
  for (const key of keys) {
    for (let i = 0; i + 8 <= key.length; i++) {
      const piece = key.slice(i, i + 8);
      for (const text of texts) if (text.includes(piece)) found.push(`"${piece}" in ${text.slice(0, 120)}`);
    }
  }
  return found;
}

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return names.map((n) => nodePath.join(dir, n)).filter((f) => statSync(f).isFile());
}

const hasToolResult = (r: ScriptedRequest) => r.messages.some((m) => m.role === "tool");
const docText = (query: string) => shimState.ui.shownDocuments.filter((d) => d.uri.query === query).map((d) => d.getText());

describe("the extension in a shimmed window", () => {
  let ws: ReturnType<typeof makeWorkspace>;
  let storageRoot: ReturnType<typeof makeWorkspace>;
  let storage: string;
  let server: FakeOpenAiServer;
  let window: FakeContext;
  const ui = shimState.ui;

  const reload = () => {
    window.deactivate();
    window = fakeExtensionContext({ storage, extensionPath: repoRoot, secrets: window.secrets });
    activate(window.context);
  };
  /** After a reload the tree comes back asynchronously; the transcript picker shows it. */
  const restoredAgents = () =>
    waitUntil("the restored tree", async () => {
      ui.pickAnswers = [() => undefined];
      const picksBefore = ui.picks.length;
      await commands.executeCommand("subagents.openTranscript");
      ui.pickAnswers = [];
      const items = ui.picks.length > picksBefore ? ui.picks.at(-1)?.items : undefined;
      return items && items.length > 0 ? items : undefined;
    }, 10_000);
  const addKey = async (key: string) => {
    ui.inputAnswers.push(key);
    await commands.executeCommand("subagents.addApiKey");
  };

  beforeEach(async () => {
    ws = makeWorkspace({ "notes.txt": "the secret number is 42\n" });
    storageRoot = makeWorkspace();
    storage = nodePath.join(storageRoot.root, "workspace-storage");
    resetShim({ root: ws.root });
    server = await startFakeOpenAiServer();
    shimState.config.set("subagents.providers", [{ id: "local", baseUrl: server.baseUrl, models: ["test-model"], envPrefix: ENV_PREFIX }]);
    window = fakeExtensionContext({ storage, extensionPath: repoRoot });
    activate(window.context);
  });

  afterEach(async () => {
    window.deactivate();
    await server.close();
    ws.cleanup();
    storageRoot.cleanup();
  });

  it("runs a task end to end; keys live only in SecretStorage; a reload keeps the tree and every transcript line", async () => {
    const keys = canaryKeys(2);
    await addKey(keys[0] ?? "");
    process.env[`${ENV_PREFIX}_3`] = keys[1];
    try {
      await commands.executeCommand("subagents.importApiKeys");
    } finally {
      delete process.env[`${ENV_PREFIX}_3`];
    }
    server.setScript((r) => (hasToolResult(r) ? { text: "The number is 42." } : { toolCalls: [{ name: "read_file", arguments: { path: "notes.txt" } }] }));
    ui.messageAnswer = (m) => (m.items.includes("Open Transcript") ? "Open Transcript" : undefined);

    await commands.executeCommand("subagents.runTask", "Read notes.txt and tell me the number");

    assert.match(docText("view=result")[0] ?? "", /The number is 42\./);
    const transcript = docText("")[0] ?? "";
    assert.match(transcript, /Read notes\.txt and tell me the number/);
    assert.match(transcript, /read_file/);
    assert.match(transcript, /the secret number is 42/);
    assert.ok(ui.executed.some((c) => c.id === "subagents.agentTree.focus"), "the view is revealed");
    assert.equal(ui.progress[0]?.done, true);
    assert.match(ui.messages.find((m) => m.items.includes("Open Transcript"))?.message ?? "", /finished in/);
    assert.deepEqual(new Set(server.requests.map((r) => r.keyFingerprint)), new Set(keys.map(fingerprint)), "both keys served requests");
    await waitUntil("context keys", () => ui.executed.some((c) => c.id === "setContext" && c.args[0] === "subagents.hasFinishedAgents" && c.args[1] === true), 3000);
    await waitUntil("the status bar to count 2 healthy keys", () => /\$\(key\) 2/.test(ui.statusBarItems[0]?.text ?? ""), 3000);

    const lines = () => filesUnder(nodePath.join(storage, "transcripts")).map((f) => readFileSync(f, "utf8").trim().split("\n").length);
    const before = lines();
    assert.ok((before[0] ?? 0) >= 5, "the transcript has the spawn, messages, tool call, result and statuses");

    reload();
    const items = await restoredAgents();
    assert.match(items[0]?.description ?? "", /completed/);
    ui.pickAnswers.push((list) => list[0]);
    await commands.executeCommand("subagents.openTranscript");
    assert.equal(ui.shownDocuments.at(-1)?.getText(), transcript, "same transcript after reload");
    assert.deepEqual(lines(), before, "no transcript line lost or added");

    const texts = [
      ...filesUnder(storage).map((f) => readFileSync(f, "utf8")),
      ...filesUnder(`${storage}-global`).map((f) => readFileSync(f, "utf8")),
      JSON.stringify([...shimState.config.entries()]),
      ...ui.logLines,
      ...ui.messages.map((m) => m.message),
      ...ui.shownDocuments.map((d) => d.getText()),
      ...ui.statusBarItems.map((s) => `${s.text} ${String(s.tooltip)}`),
    ];
    assert.deepEqual(leaks(texts, keys), []);
    assert.ok(ui.logLines.length > 0, "the log was searched, not empty");
    const stored = [...window.secrets.values.values()].join("\n");
    for (const key of keys) assert.ok(stored.includes(key), "the key is in SecretStorage");
  });

  it("runs several roots at once; Cancel interrupts one; a reload interrupts the other with 'window reloaded'", async () => {
    // One key per root, so neither waits for the other's key.
    for (const key of canaryKeys(2)) await addKey(key);
    // The behaviour without resuming (subagents.resumeAfterReload off); resuming has its own tests.
    shimState.config.set("subagents.resumeAfterReload", false);
    server.setScript(() => ({ delayMs: 20_000, text: "too late" }));
    const first = commands.executeCommand("subagents.runTask", "first slow task");
    const second = commands.executeCommand("subagents.runTask", "second slow task");
    await waitUntil("two roots calling the model", () => ui.progress.length === 2 && server.inFlight === 2, 10_000);
    // The model answers after 20 s: the task ending now means Cancel interrupted it.
    ui.progress[0]?.cancel();
    await first;
    assert.match(ui.messages.find((m) => m.message.includes("first slow task") || m.message.includes("interrupted"))?.message ?? "", /interrupted/);

    reload();
    await second;
    const shownBeforeReload = ui.shownDocuments.length;
    const items = await restoredAgents();
    assert.equal(ui.shownDocuments.length, shownBeforeReload, "nothing opens for a run the closing window stopped");
    assert.equal(items.length, 2);
    assert.ok(items.every((i) => /interrupted/.test(i.description ?? "")));
    const secondItem = items.find((i) => /second/.test(`${i.label} ${i.detail ?? ""}`));
    ui.pickAnswers.push(() => secondItem);
    await commands.executeCommand("subagents.openTranscript");
    assert.match(ui.shownDocuments.at(-1)?.getText() ?? "", /interrupted \(window reloaded\)/);
  });

  it("asks the user (non-modal) before a root agent runs a command, then runs it in the workspace", async () => {
    await addKey(canaryKeys(1)[0] ?? "");
    server.setScript((r) =>
      hasToolResult(r) ? { text: "ran it" } : { toolCalls: [{ name: "run_command", arguments: { command: "echo approved-$((40+2))" } }] },
    );
    ui.messageAnswer = (m) => (m.message.includes("wants to run") ? "Approve" : undefined);
    await commands.executeCommand("subagents.runTask", "Run the echo");
    const asked = ui.messages.find((m) => m.message.includes("wants to run"));
    assert.ok(asked && !asked.modal);
    assert.deepEqual(asked.items, ["Approve", "Deny", "Show Command"]);
    // Transcript lines reach the disk within a few milliseconds.
    await waitUntil("the command output in the transcript", async () => {
      const logs = filesUnder(nodePath.join(storage, "transcripts")).map((f) => readFileSync(f, "utf8")).join("\n");
      return /approved-42/.test(logs) ? true : undefined;
    }, 10_000);
    assert.match(docText("view=result")[0] ?? "", /ran it/);
  });

  it("in Restricted Mode explains why a task cannot run and offers to manage trust", async () => {
    shimState.trusted = false;
    ui.messageAnswer = (m) => (m.items.includes("Manage Workspace Trust") ? "Manage Workspace Trust" : undefined);
    await commands.executeCommand("subagents.runTask", "anything");
    assert.match(ui.messages[0]?.message ?? "", /needs a trusted workspace/);
    assert.ok(ui.executed.some((c) => c.id === "workbench.trust.manage"));
    assert.equal(server.requests.length, 0);
    // Key management still works.
    await addKey(canaryKeys(1)[0] ?? "");
    assert.match(ui.messages.at(-1)?.message ?? "", /added key/);
  });

  it("refuses an empty task with a message", async () => {
    await commands.executeCommand("subagents.runTask", "   ");
    assert.match(ui.messages.at(-1)?.message ?? "", /cannot be empty/);
    // Enter on blanks keeps the box open with the message; Escape then backs out.
    ui.inputAnswers.push("  ", undefined);
    await commands.executeCommand("subagents.runTask");
    assert.match(ui.inputBoxes[0]?.validationMessages?.join("\n") ?? "", /cannot be empty/);
    assert.equal(server.requests.length, 0);
  });
});
