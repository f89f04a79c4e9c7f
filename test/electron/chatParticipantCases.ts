/**
 * In-host cases of the `@subagents` chat participant's handler. code-server's
 * Chat view needs a signed-in chat provider, so it cannot send a request
 * offline; the handler is called directly instead, with VS Code's real
 * MarkdownString, CancellationTokenSource and workspace trust, a stream that
 * records what it is given, and a supervisor on a scripted model.
 */
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { AgentSupervisor } from "../../src/core/agents/agentSupervisor";
import { silentLogger } from "../../src/core/common/logger";
import { DEFAULT_SETTINGS, type Settings } from "../../src/core/settings/schema";
import { chatRequestHandler, type ChatStream } from "../../src/host/lm/chatParticipant";
import { FakeWorkspaceTools } from "../fakes/fakeWorkspaceTools";
import { MemoryTranscriptStore, MemoryTreeStore } from "../fakes/memoryStores";
import { waitUntil } from "../fakes/polling";
import { ScriptedModelClient, type ModelScript } from "../fakes/scriptedModelClient";

type ChatCase = [name: string, body: () => Promise<void>];

const SETTINGS: Settings = { ...DEFAULT_SETTINGS, providers: [{ id: "scripted", baseUrl: "http://127.0.0.1:9/v1", models: ["m"] }], model: "scripted:m" };

class RecordingStream implements ChatStream {
  readonly progressLines: string[] = [];
  readonly parts: Array<string | vscode.MarkdownString> = [];
  progress(value: string): void {
    this.progressLines.push(value);
  }
  markdown(value: string | vscode.MarkdownString): void {
    this.parts.push(value);
  }
}

async function withHandler(script: ModelScript, body: (handler: ReturnType<typeof chatRequestHandler>, supervisor: AgentSupervisor) => Promise<void>): Promise<void> {
  const supervisor = new AgentSupervisor({
    settings: () => SETTINGS,
    modelClient: new ScriptedModelClient(script),
    workspace: new FakeWorkspaceTools(),
    transcripts: new MemoryTranscriptStore(),
    treeStore: new MemoryTreeStore(),
    usableKeyCount: () => 2,
  });
  try {
    await body(chatRequestHandler({ supervisor, settings: () => SETTINGS, redact: (text) => text, logger: silentLogger }), supervisor);
  } finally {
    supervisor.dispose();
  }
}

export const chatParticipantCases: ChatCase[] = [
  [
    "the @subagents handler streams a line per subagent with a trusted transcript link, then the answer",
    () =>
      withHandler(
        (call) =>
          call.role === "root" ? (call.turn === 0 ? { toolCalls: [{ name: "spawn_agent", arguments: { task: "look", name: "scout" } }] } : { text: "**the answer**" }) : { text: "seen" },
        async (handler, supervisor) => {
          const stream = new RecordingStream();
          const source = new vscode.CancellationTokenSource();
          const result = await handler({ prompt: "survey the repo" }, {}, stream, source.token);
          source.dispose();
          assert.equal((result.metadata as { status: string }).status, "completed");
          assert.deepEqual(stream.progressLines, ["Starting a root agent on scripted:m…"]);
          const links = stream.parts.filter((part): part is vscode.MarkdownString => part instanceof vscode.MarkdownString);
          assert.equal(links.length, 3, "root running, child started, child completed");
          const child = supervisor.snapshot().find((a) => a.parentId !== null);
          assert.ok(child);
          assert.ok(links[1]?.value.includes(`command:subagents.openTranscript?${encodeURIComponent(JSON.stringify([child.id]))}`), links[1]?.value);
          for (const link of links) assert.deepEqual(link.isTrusted, { enabledCommands: ["subagents.openTranscript"] });
          assert.equal(stream.parts.at(-1), "\n**the answer**");
        },
      ),
  ],
  [
    "cancelling the @subagents request interrupts its root",
    () =>
      withHandler(
        () => ({ text: "slow", delayMs: 60_000, chunkMs: 20 }),
        async (handler, supervisor) => {
          const stream = new RecordingStream();
          const source = new vscode.CancellationTokenSource();
          const pending = handler({ prompt: "long job" }, {}, stream, source.token);
          await waitUntil("the root to run", () => supervisor.snapshot().some((a) => a.status === "running"), 20_000);
          source.cancel();
          const result = await pending;
          source.dispose();
          assert.equal((result.metadata as { status: string }).status, "interrupted");
          assert.ok(supervisor.snapshot().every((a) => a.status === "interrupted"));
        },
      ),
  ],
];
