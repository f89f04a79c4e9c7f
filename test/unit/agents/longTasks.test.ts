import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { APIError } from "openai";
import { conversationFromTranscript } from "../../../src/core/agents/conversation";
import { SUMMARY_INSTRUCTION } from "../../../src/core/context/compaction";
import { classifyFailure } from "../../../src/core/llm/failure";
import { isFinal } from "../../../src/core/agents/status";
import { parseSettings } from "../../../src/core/settings/schema";
import { startLiveKit, spawnCall, viewOf, type AgentView, type LiveKit } from "../../fakes/liveModelKit";
import type { ScriptedReply } from "../../fixtures/fakeOpenAiServer";

/** About 2,400 characters (some 600 tokens): every tool result is worth shortening once it is old. */
const NOTE = Array.from({ length: 60 }, (_, i) => `note ${String(i).padStart(2, "0")}: the quick brown fox jumps`).join("\n");

const lastUserText = (view: AgentView) => {
  const last = [...view.messages].reverse().find((m) => m.role === "user");
  return typeof last?.content === "string" ? last.content : "";
};

/**
 * A model that calls read_file `turns` times and then answers; asked for a
 * summary (no tools, the compaction instruction), it writes one.
 */
function looping(turnsOf: (view: AgentView) => number, onRoot?: (view: AgentView) => ScriptedReply | undefined) {
  const done = new Map<string, number>();
  return (view: AgentView): ScriptedReply => {
    if (view.request.tools.length === 0 && lastUserText(view).startsWith(SUMMARY_INSTRUCTION)) {
      return { text: "Summary: read notes/n0.txt to notes/n4.txt repeatedly; changed nothing; open: keep reading." };
    }
    const fromRoot = onRoot?.(view);
    if (fromRoot) return fromRoot;
    const n = done.get(view.agentId) ?? 0;
    if (n >= turnsOf(view)) return { text: `finished after ${n} turns` };
    done.set(view.agentId, n + 1);
    return { toolCalls: [{ name: "read_file", arguments: { path: `notes/n${n % 5}.txt` } }] };
  };
}

const LIMIT = 12_000;
const MODELS = [{ name: "gpt-5-mini", contextWindow: LIMIT }];

describe("long tasks against a server that enforces a context limit", () => {
  let live: LiveKit | undefined;
  afterEach(async () => {
    await live?.close();
    live = undefined;
  });

  it("one agent completes a 300-turn tool loop; every request stays under the limit and the transcript holds every turn", async () => {
    live = await startLiveKit({
      keyCount: 2,
      models: MODELS,
      settings: { model: "live:gpt-5-mini", maxTurns: 400 },
      server: { contextLimit: LIMIT },
      script: looping(() => 300),
    });
    for (let i = 0; i < 5; i++) live.workspace.put(`notes/n${i}.txt`, NOTE);
    const requests: AgentView[] = [];
    const script = looping(() => 300);
    live.server.setScript((request) => {
      const view = { ...viewOf(request) };
      requests.push(view);
      return script(view);
    });

    const final = await live.service.runRoot({ task: "read the notes 300 times" }).done;
    assert.equal(final.status, "completed", final.error);
    assert.equal(final.result, "finished after 300 turns");
    assert.equal(live.server.refusedForContext, 0, "no request passed the limit");
    assert.ok(live.server.maxPromptTokens <= LIMIT);

    const events = await live.transcripts.read(final.id);
    assert.equal(events.filter((e) => e.type === "tool_result").length, 300, "the transcript holds every turn");
    assert.equal(events.filter((e) => e.type === "tool_call").length, 300);
    const markers = events.filter((e) => e.type === "compaction");
    assert.ok(markers.length >= 5, `compacted ${markers.length} times`);
    assert.ok(markers.some((m) => m.type === "compaction" && m.summary?.startsWith("Summary:")), "the model's summary replaced older turns");
    assert.equal(final.compactions, markers.length);

    // A resumed agent rebuilds the compacted conversation: the last request plus the answer.
    const lastWithTools = [...requests].reverse().find((r) => r.request.tools.length > 0);
    const rebuilt = conversationFromTranscript(events);
    assert.equal(rebuilt.compactions, markers.length);
    assert.deepEqual(JSON.parse(JSON.stringify(rebuilt.messages.slice(0, -1))), normalised(lastWithTools?.messages ?? []));
  });

  it("a root with 10 children of 100 turns each completes, every conversation under the limit", async () => {
    const children = looping(
      () => 100,
      (view) => {
        if (view.role !== "root") return undefined;
        if (view.turn === 0) return { toolCalls: Array.from({ length: 10 }, (_, i) => spawnCall(`worker ${i}`)) };
        return { text: `root saw ${view.toolResults.filter((r) => r.includes("finished after 100 turns")).length} finished workers` };
      },
    );
    live = await startLiveKit({
      keyCount: 4,
      models: MODELS,
      settings: { model: "live:gpt-5-mini", maxTurns: 400, "timeouts.foregroundSeconds": 0 },
      server: { contextLimit: LIMIT },
      script: children,
    });
    for (let i = 0; i < 5; i++) live.workspace.put(`notes/n${i}.txt`, NOTE);
    const final = await live.service.runRoot({ task: "fan out" }).done;
    assert.equal(final.status, "completed", final.error);
    assert.equal(final.result, "root saw 10 finished workers");
    assert.equal(live.server.refusedForContext, 0);
    const workers = live.service.snapshot().filter((a) => a.parentId === final.id);
    assert.equal(workers.length, 10);
    for (const worker of workers) {
      assert.equal(worker.status, "completed");
      assert.ok((worker.compactions ?? 0) >= 1, `${worker.name} compacted`);
      assert.equal((await live.transcripts.read(worker.id)).filter((e) => e.type === "tool_result").length, 100);
    }
    assert.ok(live.service.snapshot().every((a) => isFinal(a.status)));
  });

  it("a context_length_exceeded refusal compacts and retries once instead of failing", async () => {
    // The settings claim a large window, so only the server's refusal reveals the real one.
    const script = looping(() => 40);
    live = await startLiveKit({
      keyCount: 1,
      models: [{ name: "gpt-5-mini", contextWindow: 200_000 }],
      settings: { model: "live:gpt-5-mini" },
      server: { contextLimit: LIMIT },
      script,
    });
    for (let i = 0; i < 5; i++) live.workspace.put(`notes/n${i}.txt`, NOTE);
    const final = await live.service.runRoot({ task: "read" }).done;
    assert.equal(final.status, "completed", final.error);
    assert.equal(final.result, "finished after 40 turns");
    assert.ok(live.server.refusedForContext >= 1, "the server refused at least once");
    assert.ok((final.compactions ?? 0) >= 1);
  });
});

describe("context settings and refusals", () => {
  it("accepts model entries as names or {name, contextWindow, reasoningEffort}", () => {
    const { settings, problems } = parseSettings((key) =>
      key === "providers"
        ? [{ id: "p", baseUrl: "http://127.0.0.1:1/v1", models: ["plain", { name: "big", contextWindow: 400_000, reasoningEffort: "low" }] }]
        : undefined,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.providers[0]?.models, ["plain", "big"]);
    assert.deepEqual(settings.providers[0]?.modelOptions, { big: { contextWindow: 400_000, reasoningEffort: "low" } });
    const bad = parseSettings((key) => (key === "providers" ? [{ id: "p", baseUrl: "http://127.0.0.1:1/v1", models: [{ name: "x", contextWindow: 10 }] }] : undefined));
    assert.equal(bad.problems[0]?.key, "providers");
  });

  it("recognises context_length_exceeded in the Chat Completions, Responses and Anthropic forms", () => {
    const forms = [
      { error: { message: "This model's maximum context length is 8192 tokens.", type: "invalid_request_error", code: "context_length_exceeded" } },
      { error: { message: "Your input exceeds the context window of this model.", type: "invalid_request_error", code: "context_length_exceeded" } },
      { type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum" } },
    ];
    for (const body of forms) {
      const error = APIError.generate(400, body, undefined, new Headers());
      const failure = classifyFailure(error, false);
      assert.equal(failure.kind === "fatal" ? failure.reason : failure.kind, "context_length", JSON.stringify(body));
    }
  });
});

/** Messages as JSON after the SDK sent them (no undefined fields). */
function normalised(messages: unknown): unknown {
  return JSON.parse(JSON.stringify(messages));
}
