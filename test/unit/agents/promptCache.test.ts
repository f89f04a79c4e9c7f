import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { ProviderApi } from "../../../src/core/settings/schema";
import { commonPrefixLength, PromptCache, renderPrompt } from "../../fixtures/fakePromptCache";
import type { WireRequest } from "../../fixtures/fakeWireRequests";
import { spawnCall, startLiveKit, type LiveKit } from "../../fakes/liveModelKit";

/**
 * Cache-aware fan-out: children of one parent send a byte-identical prefix
 * (tools, system prompt, the parent's shared context) before anything of
 * their own, under one cache key per tree, so the provider serves it cached.
 */
let kit: LiveKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const request = (content: string, key?: string): WireRequest => ({
  api: "responses",
  model: "m",
  messages: [{ role: "user", content }],
  tools: [],
  stream: true,
  includeUsage: true,
  body: key === undefined ? {} : { prompt_cache_key: key },
});

describe("the test server's prompt-cache model", () => {
  it("caches the longest shared prefix of the same key from 1,024 tokens on, in steps of 128", () => {
    const cache = new PromptCache();
    const shared = "x".repeat(4 * 1300);
    assert.equal(cache.lookup(request(`${shared}a`, "tree-1")), 0, "the first request finds nothing");
    const prefixTokens = Math.floor(commonPrefixLength(renderPrompt(request(`${shared}a`)), renderPrompt(request(`${shared}b`))) / 4);
    assert.equal(cache.lookup(request(`${shared}b`, "tree-1")), Math.floor(prefixTokens / 128) * 128);
    assert.equal(cache.lookup(request(`${shared}c`, "tree-2")), 0, "another key shares nothing");
    assert.equal(cache.lookup(request(`${"x".repeat(4 * 1000)}d`, "tree-1")), 0, "under 1,024 tokens nothing is cached");
  });
});

const SHARED_CONTEXT = "Shared background for every part. ".repeat(200);

for (const api of ["chat", "responses", "anthropic"] as ProviderApi[]) {
  describe(`cache-aware fan-out over the ${api} transport`, { timeout: 60_000 }, () => {
    it("children 2…8 of an 8-child fan-out get at least 90% of their shared prefix from the cache, under one key per tree", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 2,
        server: { prefixCache: true },
        script: (v) => {
          if (v.role === "root") {
            if (v.turn === 0) return { toolCalls: Array.from({ length: 8 }, (_, i) => spawnCall(`part ${i}`, { context: SHARED_CONTEXT })) };
            return { text: "merged" };
          }
          return { text: `${v.task} done` };
        },
        // One child at a time, so each finds its elder siblings' prompts in the cache.
        settings: { maxConcurrentAgents: 1 },
      });
      const final = await kit.service.runRoot({ task: "fan out" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      const children = kit.completions.filter((c) => c.request.agent.role === "subagent");
      assert.equal(children.length, 8);
      // The shared prefix by content: tool definitions, system prompt and the parent's shared context.
      const first = children[0]!.request;
      const system = first.messages.filter((m) => m.role === "system");
      const sharedChars = renderPrompt({ tools: [...(first.tools ?? [])], messages: system as WireRequest["messages"] }).length + SHARED_CONTEXT.length;
      const sharedTokens = Math.floor(sharedChars / 4);
      assert.ok(sharedTokens >= 1024, `the shared prefix is long enough to be cached (${sharedTokens} tokens)`);
      const cached = children.slice(1).reduce((n, c) => n + (c.result.usage.cachedInputTokens ?? 0), 0);
      const ratio = cached / (sharedTokens * 7);
      assert.ok(ratio >= 0.9, `prefix hit ratio ${ratio.toFixed(3)}`);
      assert.ok(children.every((c) => c.request.cacheKey === final.id), "one cache key per tree: the root's id");
      const root = kit.service.get(final.id);
      assert.equal(root?.subtreeCachedTokensIn, cached + (root?.cachedTokensIn ?? 0), "the tree counts what was cached");
      const second = children[1]!;
      const usage = (await kit.transcripts.read(second.request.agent.id)).find((e) => e.type === "usage");
      assert.equal(usage?.type === "usage" ? usage.cachedTokens : undefined, second.result.usage.cachedInputTokens, "the transcript records cached tokens");
    });
  });
}
