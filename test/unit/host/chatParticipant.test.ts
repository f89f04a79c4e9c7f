import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";
import { silentLogger } from "../../../src/core/common/logger";
import { RESTRICTED_MODE_MESSAGE } from "../../../src/host/agents/runTask";
import { chatRequestHandler, type ChatStream } from "../../../src/host/lm/chatParticipant";
import { scriptedKitPerTest, spawnCall, type AgentTestKit } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";
import { ShimCancellationTokenSource } from "../../fakes/vscodeShimClasses";
import { MarkdownString, resetShim, shimState } from "../../fakes/vscodeShim";
import { makeWorkspace } from "./hostTestSupport";

const SECRET = `sk-chat-${"z".repeat(30)}`;
const redact = (text: string) => text.split(SECRET).join("[redacted]");

/** A ChatResponseStream that records what the handler wrote. */
class RecordingStream implements ChatStream {
  readonly progressLines: string[] = [];
  readonly parts: Array<string | MarkdownString> = [];
  progress(value: string): void {
    this.progressLines.push(value);
  }
  markdown(value: string | vscode.MarkdownString): void {
    this.parts.push(value as string | MarkdownString);
  }
  get text(): string {
    return this.parts.map((part) => (typeof part === "string" ? part : part.value)).join("\n");
  }
}

function handlerFor(kit: AgentTestKit) {
  return chatRequestHandler({ supervisor: kit.service, settings: () => kit.settings, redact, logger: silentLogger });
}

describe("@subagents chat participant", () => {
  const start = scriptedKitPerTest();
  beforeEach(() => resetShim({ root: makeWorkspace().root }));

  it("runs the prompt as a root agent, lists each subagent with a transcript link, then renders the answer", async () => {
    const { kit } = start((call) =>
      call.role === "root"
        ? call.turn === 0
          ? { toolCalls: [spawnCall("read *the* docs")] }
          : { text: `## Answer\nall good ${SECRET}` }
        : { text: "child done" },
    );
    const stream = new RecordingStream();
    const result = await handlerFor(kit)({ prompt: "check the docs" }, {}, stream, new ShimCancellationTokenSource().token);
    const root = kit.service.snapshot().find((a) => a.parentId === null);
    const child = kit.service.snapshot().find((a) => a.parentId !== null);
    assert.ok(root && child);
    assert.equal(root.task, "check the docs");
    assert.deepEqual(result.metadata, { agentId: root.id, status: "completed" });
    assert.deepEqual(stream.progressLines, ["Starting a root agent on alpha:m-alpha…"]);
    const links = stream.parts.filter((part): part is MarkdownString => typeof part !== "string");
    assert.equal(links.length, 3, "root running, child started, child completed");
    assert.ok(links[1]?.value.includes("read \\*the\\* docs started"), "an agent's name is text, not markdown");
    assert.ok(links[2]?.value.includes("completed"));
    for (const link of links) {
      assert.deepEqual(link.isTrusted, { enabledCommands: ["subagents.openTranscript"] }, "only the transcript command may run from a link");
    }
    assert.ok(links[1]?.value.includes(`command:subagents.openTranscript?${encodeURIComponent(JSON.stringify([child.id]))}`));
    const answer = stream.parts.at(-1);
    assert.equal(typeof answer, "string", "the model's answer is untrusted markdown");
    assert.equal(answer, "\n## Answer\nall good [redacted]");
  });

  it("runs on the model chosen in the Chat view, as a vscode-lm model that needs no provider entry", async () => {
    const { kit } = start(() => ({ text: "answered on the chat's model" }));
    const stream = new RecordingStream();
    const model = { vendor: "copilot", family: "gpt-5-mini", id: "gpt-5-mini" };
    const result = await handlerFor(kit)({ prompt: "summarise", model }, {}, stream, new ShimCancellationTokenSource().token);
    const root = kit.service.snapshot().find((a) => a.parentId === null);
    assert.equal(root?.providerId, "vscode-lm");
    assert.equal(root?.model, "copilot/gpt-5-mini");
    assert.deepEqual(stream.progressLines, ["Starting a root agent on vscode-lm:copilot/gpt-5-mini…"]);
    assert.equal((result.metadata as { status: string }).status, "completed");
  });

  it("interrupts the root when the chat request is cancelled", async () => {
    const { kit } = start(() => ({ text: "slow", delayMs: 60_000, chunkMs: 20 }));
    const stream = new RecordingStream();
    const source = new ShimCancellationTokenSource();
    const pending = handlerFor(kit)({ prompt: "long job" }, {}, stream, source.token);
    await waitUntil("the root to run", () => kit.service.snapshot().some((a) => a.status === "running"));
    source.cancel();
    const result = await pending;
    assert.equal((result.metadata as { status: string }).status, "interrupted");
    assert.match(stream.text, /was interrupted .*cancelled in chat/);
  });

  it("refuses in Restricted Mode with Run Task's explanation", async () => {
    const { kit } = start(() => ({ text: "x" }));
    shimState.trusted = false;
    const stream = new RecordingStream();
    const result = await handlerFor(kit)({ prompt: "t" }, {}, stream, new ShimCancellationTokenSource().token);
    assert.equal(result.errorDetails?.message, RESTRICTED_MODE_MESSAGE);
    assert.equal(stream.text, RESTRICTED_MODE_MESSAGE);
    assert.equal(kit.service.snapshot().length, 0);
  });
});
