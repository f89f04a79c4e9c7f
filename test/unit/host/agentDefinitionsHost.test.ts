import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Emitter } from "../../../src/core/common/emitter";
import type { ProviderConfig } from "../../../src/core/settings/schema";
import { activate, deactivate } from "../../../src/extension";
import { AgentDefinitionWatcher } from "../../../src/host/definitions/agentDefinitionWatcher";
import { startFakeOpenAiServer, type FakeOpenAiServer, type ScriptedRequest } from "../../fixtures/fakeOpenAiServer";
import { fakeExtensionContext, type FakeContext } from "../../fakes/vscodeContext";
import { commands, resetShim, shimState, Uri } from "../../fakes/vscodeShim";
import { makeWorkspace, writeFile } from "./hostTestSupport";
import { waitUntil } from "../../fakes/polling";

const repoRoot = nodePath.join(__dirname, "..", "..", "..");

function definition(name: string, frontMatter: string, body = `You are ${name}.`): string {
  return `---\nname: ${name}\ndescription: The ${name} agent.\n${frontMatter}---\n${body}\n`;
}

const toolNames = (r: ScriptedRequest) => r.tools.map((t) => (t as { function?: { name: string } }).function?.name ?? "?");

describe("AgentDefinitionWatcher (shimmed workspace)", () => {
  let ws: ReturnType<typeof makeWorkspace>;
  let watcher: AgentDefinitionWatcher | undefined;
  afterEach(() => {
    watcher?.dispose();
    ws.cleanup();
  });

  it("loads both folders, reloads on file events and on settings changes", async () => {
    ws = makeWorkspace({
      ".subagents/agents/reader.md": definition("reader", "tools: [read_file]\n"),
      ".claude/agents/claude-helper.md": definition("claude-helper", "tools: Read, Grep\n"),
      ".subagents/agents/notes.txt": "not a definition",
      ".subagents/agents/pinned.md": definition("pinned", "model: other:m2\n"),
    });
    resetShim({ root: ws.root });
    let providers: ProviderConfig[] = [{ id: "local", baseUrl: "http://127.0.0.1:9/v1", models: ["m1"] }];
    const settingsChanged = new Emitter<unknown>();
    watcher = new AgentDefinitionWatcher({ providers: () => providers, onDidChangeSettings: settingsChanged.event, delayMs: 5 });
    const changes: string[][] = [];
    watcher.onDidChange((d) => changes.push(d.names()));
    await watcher.ready;
    assert.deepEqual(watcher.current.names(), ["claude-helper", "reader"], "pinned names an unknown provider");
    assert.deepEqual(watcher.current.get("claude-helper")?.tools, ["read_file", "search_text"]);

    writeFile(ws.root, ".subagents/agents/writer.md", definition("writer", "tools: [write_file]\n"));
    shimState.fileEvents.fire({ kind: "create", uri: Uri.file(nodePath.join(ws.root, ".subagents/agents/writer.md")) });
    await waitUntil("the new definition", () => watcher?.current.get("writer"), 3000);

    providers = [...providers, { id: "other", baseUrl: "http://127.0.0.1:9/v1", models: ["m2"] }];
    settingsChanged.fire(undefined);
    await waitUntil("the definition valid under the new providers", () => watcher?.current.get("pinned"), 3000);
    assert.deepEqual(changes.at(-1), ["claude-helper", "pinned", "reader", "writer"]);
  });
});

describe("the extension wires agent definitions", () => {
  let ws: ReturnType<typeof makeWorkspace>;
  let storageRoot: ReturnType<typeof makeWorkspace>;
  let server: FakeOpenAiServer;
  let window: FakeContext;

  beforeEach(async () => {
    ws = makeWorkspace({
      "notes.txt": "the secret number is 42\n",
      ".subagents/agents/reader.md": definition("reader", "tools: [read_file, write_file]\ntimeout_seconds: 60\n", "Read, never write."),
      ".subagents/agents/broken.md": definition("broken", "timeout_seconds: 99999\n"),
    });
    storageRoot = makeWorkspace();
    resetShim({ root: ws.root });
    server = await startFakeOpenAiServer();
    shimState.config.set("subagents.providers", [{ id: "local", baseUrl: server.baseUrl, models: ["test-model"] }]);
    window = fakeExtensionContext({ storage: nodePath.join(storageRoot.root, "ws"), extensionPath: repoRoot });
    activate(window.context);
  });

  afterEach(async () => {
    await deactivate();
    window.deactivate();
    await server.close();
    ws.cleanup();
    storageRoot.cleanup();
  });

  it("registers New Agent Definition and runs a typed subagent with the type's tools and prompt", async () => {
    assert.ok(shimState.commands.has("subagents.newAgentDefinition"), "the command is registered");
    await waitUntil("the first load", () => shimState.ui.logLines.some((l) => l.includes("agent definitions loaded: reader")), 3000);

    shimState.ui.inputAnswers.push(`sk-test-${randomBytes(18).toString("base64url")}`);
    await commands.executeCommand("subagents.addApiKey");
    const seen: ScriptedRequest[] = [];
    server.setScript((r) => {
      seen.push(r);
      const toolResults = r.messages.filter((m) => m.role === "tool").length;
      if (r.agentRole === "root") {
        return toolResults === 0
          ? { toolCalls: [{ name: "spawn_agent", arguments: { task: "find the number", name: "finder", agent_type: "reader" } }] }
          : { text: "The number is 42." };
      }
      return toolResults === 0 ? { toolCalls: [{ name: "read_file", arguments: { path: "notes.txt" } }] } : { text: "42" };
    });
    await commands.executeCommand("subagents.runTask", "What is the number?");

    const root = seen.find((r) => r.agentRole === "root");
    const rootPrompt = String(root?.messages[0]?.content ?? "");
    assert.match(rootPrompt, /- reader: The reader agent\./);
    assert.doesNotMatch(rootPrompt, /broken/, "the invalid definition is not offered");
    const child = seen.filter((r) => r.agentRole !== "root");
    assert.equal(child.length, 2);
    for (const request of child) assert.deepEqual(toolNames(request), ["read_file", "write_file"]);
    assert.equal(String(child[0]?.messages[0]?.content), "Read, never write.");
    assert.match(String(child[1]?.messages.at(-1)?.content ?? ""), /the secret number is 42/);
  });
});
