import { Anthropic } from "@anthropic-ai/sdk";
import { OpenAI } from "openai";
import type { ChatMessage, CompletionRequest, ModelClient } from "../src/core/llm/modelClient";
import type { ProviderApi } from "../src/core/settings/schema";
import { spawnCall, startLiveKit } from "../test/fakes/liveModelKit";
import { renderPrompt } from "../test/fixtures/fakePromptCache";
import { startFakeOpenAiServer } from "../test/fixtures/fakeOpenAiServer";
import type { WireRequest } from "../test/fixtures/fakeWireRequests";
import { harness, request } from "../test/unit/llm/harness";

/**
 * Providers and their APIs:
 * - cache.prefixHitRatio: of the shared-prefix input tokens (tools, system
 *   prompt, the parent's shared context) of children 2…8 in an 8-child
 *   fan-out, the share the test server's prefix-cache model reports cached.
 *   `cache.prefixHitRatio.unordered` is the same fan-out with each request
 *   rewritten into the layout used before (the agent's name in the system
 *   prompt, the task ahead of the shared context, no cache key).
 * - client.overheadMsPerCall.{chat,responses,anthropic}: what ChatClient
 *   (key lease, retries, stall timer, redaction, conversion) adds per call
 *   over the bare SDK streaming the same reply from the same server.
 */
export async function runBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  out["cache.prefixHitRatio"] = await prefixHitRatio(false);
  out["cache.prefixHitRatio.unordered"] = await prefixHitRatio(true);
  for (const api of ["chat", "responses", "anthropic"] as ProviderApi[]) out[`client.overheadMsPerCall.${api}`] = await overheadMsPerCall(api);
  return out;
}

const SHARED_CONTEXT = "Shared background for every part. ".repeat(200);

async function prefixHitRatio(unordered: boolean): Promise<number> {
  const kit = await startLiveKit({
    api: "responses",
    keyCount: 2,
    server: { prefixCache: true },
    settings: { maxConcurrentAgents: 1 },
    script: (v) => {
      if (v.role === "root") {
        return v.turn === 0 ? { toolCalls: Array.from({ length: 8 }, (_, i) => spawnCall(`part ${i}`, { context: SHARED_CONTEXT })) } : { text: "merged" };
      }
      return { text: `${v.task} done` };
    },
  });
  try {
    if (unordered) wrapUnordered(kit);
    const final = await kit.service.runRoot({ task: "fan out" }).done;
    if (final.status !== "completed") throw new Error(`fan-out root ended ${final.status}: ${final.statusReason ?? ""}`);
    const children = kit.completions.filter((c) => c.request.agent.role === "subagent");
    const first = children[0]?.request;
    if (!first || children.length !== 8) throw new Error(`expected 8 children, saw ${children.length}`);
    const system = first.messages.filter((m) => m.role === "system");
    const sharedChars = renderPrompt({ tools: [...(first.tools ?? [])], messages: system as WireRequest["messages"] }).length + SHARED_CONTEXT.length;
    const sharedTokens = Math.floor(sharedChars / 4) * 7;
    const cached = children.slice(1).reduce((n, c) => n + (c.result.usage.cachedInputTokens ?? 0), 0);
    return cached / sharedTokens;
  } finally {
    await kit.close();
  }
}

/** Rewrites each child request into the earlier layout, before it reaches the real client. */
function wrapUnordered(kit: Awaited<ReturnType<typeof startLiveKit>>): void {
  const inner = kit.client;
  const rewrite = (r: CompletionRequest): CompletionRequest => {
    if (r.agent.role !== "subagent") return r;
    const { cacheKey: _key, ...rest } = r;
    const messages = r.messages.map((m, i): ChatMessage => {
      if (m.role === "system") return { role: "system", content: `${String(m.content)}\nYou are "${r.agent.id}".` };
      if (m.role === "user" && i === 1 && typeof m.content === "string") {
        const match = /^## Context from the agent that started you\n([\s\S]*)\n\n## Your task\n([\s\S]*)$/.exec(m.content);
        if (match) return { role: "user", content: `${match[2]}\n\n## Context from the agent that started you\n${match[1]}` };
      }
      return m;
    });
    return { ...rest, messages };
  };
  const original = inner.complete.bind(inner);
  (inner as ModelClient).complete = (r) => original(rewrite(r));
}

const CALLS = 150;

async function overheadMsPerCall(api: ProviderApi): Promise<number> {
  const reply = { text: "A reply of a few words, streamed in several chunks.", usage: { prompt_tokens: 20, completion_tokens: 10 } };
  const h = await harness({ keyCount: 1, server: { script: () => reply } });
  h.providers[0]!.api = api;
  const bareServer = await startFakeOpenAiServer({ script: () => reply });
  try {
    const key = h.keys[0]!;
    const bare = bareCall(api, bareServer.baseUrl, key);
    const ours = () => h.client.complete(request()).then(() => undefined);
    // Warm both up (connections, JIT), then alternate to share the machine's noise.
    for (let i = 0; i < 20; i++) {
      await bare();
      await ours();
    }
    const bareMs: number[] = [];
    const oursMs: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      let t = performance.now();
      await bare();
      bareMs.push(performance.now() - t);
      t = performance.now();
      await ours();
      oursMs.push(performance.now() - t);
    }
    // Medians: on a shared machine a few calls wait for the CPU far longer than any overhead.
    return median(oursMs) - median(bareMs);
  } finally {
    await h.close();
    await bareServer.close();
  }
}

function bareCall(api: ProviderApi, baseUrl: string, key: string): () => Promise<void> {
  const messages = [{ role: "user" as const, content: "hello" }];
  if (api === "anthropic") {
    const sdk = new Anthropic({ baseURL: baseUrl.replace(/\/v1$/, ""), apiKey: key, maxRetries: 0, logLevel: "off" });
    return async () => {
      const stream = await sdk.messages.create({ model: "m", max_tokens: 1024, messages, stream: true });
      for await (const _event of stream) void _event;
    };
  }
  const sdk = new OpenAI({ baseURL: baseUrl, apiKey: key, maxRetries: 0, logLevel: "off" });
  if (api === "responses") {
    return async () => {
      const stream = await sdk.responses.create({ model: "m", input: messages, stream: true, store: false });
      for await (const _event of stream) void _event;
    };
  }
  return async () => {
    const stream = await sdk.chat.completions.create({ model: "m", messages, stream: true, stream_options: { include_usage: true } });
    for await (const _chunk of stream) void _chunk;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
