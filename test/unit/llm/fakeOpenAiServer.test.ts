import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { OpenAI } from "openai";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import { startFakeOpenAiServer } from "../../fixtures/fakeOpenAiServer";
import { RateLimiter } from "../../fixtures/fakeOpenAiRateLimit";
import { testKeys } from "../keys/testDoubles";
import { waitUntil } from "../../fakes/polling";

const [keyA = "", keyB = "", keyC = ""] = testKeys("fake", 3);

function sdk(baseURL: string, apiKey: string): OpenAI {
  return new OpenAI({ baseURL, apiKey, maxRetries: 0, logLevel: "off" });
}

const ask = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

describe("fake OpenAI-compatible server (test fixture)", { timeout: 30_000 }, () => {
  it("answers the default script with 'ok', streaming and not, and lists models", async () => {
    const server = await startFakeOpenAiServer({ models: ["m", "m2"] });
    try {
      const client = sdk(server.baseUrl, keyA);
      const plain = await client.chat.completions.create(ask);
      assert.equal(plain.choices[0]?.message.content, "ok");
      assert.ok(plain.usage && plain.usage.prompt_tokens > 0);
      let text = "";
      let usageChunks = 0;
      for await (const chunk of await client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } })) {
        text += chunk.choices[0]?.delta.content ?? "";
        if (chunk.usage) usageChunks++;
      }
      assert.equal(text, "ok");
      assert.equal(usageChunks, 1);
      const models = await client.models.list();
      assert.deepEqual(models.data.map((m) => m.id), ["m", "m2"]);
      assert.deepEqual(server.requests.map((r) => [r.keyFingerprint, r.status]), [[fingerprint(keyA), 200], [fingerprint(keyA), 200]]);
    } finally {
      await server.close();
    }
  });

  it("enforces a per-key rate limit with 429, Retry-After and rate-limit headers", async () => {
    const server = await startFakeOpenAiServer({ rateLimit: { requests: 2, windowMs: 60_000 } });
    try {
      const a = sdk(server.baseUrl, keyA);
      const ok = await a.chat.completions.create(ask).withResponse();
      assert.equal(ok.response.headers.get("x-ratelimit-remaining-requests"), "1");
      assert.equal(ok.response.headers.get("x-ratelimit-limit-requests"), "2");
      await a.chat.completions.create(ask);
      await assert.rejects(a.chat.completions.create(ask), (error: unknown) => {
        const e = error as { status?: number; headers?: Headers };
        assert.equal(e.status, 429);
        assert.ok(Number(e.headers?.get("retry-after")) >= 1);
        assert.equal(e.headers?.get("x-ratelimit-remaining-requests"), "0");
        assert.match(e.headers?.get("x-ratelimit-reset-requests") ?? "", /^\d+(\.\d+)?(ms|s|m)/);
        return true;
      });
      await sdk(server.baseUrl, keyB).chat.completions.create(ask);
      assert.deepEqual(server.requests.map((r) => r.status), [200, 200, 429, 200], "the limit is per key");
    } finally {
      await server.close();
    }
  });

  it("counts refused requests against the limit only when told to (as OpenAI says its limits do)", () => {
    mock.timers.enable({ apis: ["Date"], now: 0 });
    try {
      const verdicts = (options: { refusalsCount?: boolean }) => {
        const limiter = new RateLimiter({ requests: 1, windowMs: 1000, ...options });
        return [0, 500, 1000, 1600, 2100].map((at) => {
          mock.timers.setTime(at);
          return limiter.check(keyA, 1).accepted;
        });
      };
      // Free refusals: the request at 1000 finds the one at 0 gone.
      assert.deepEqual(verdicts({}), [true, false, true, false, true]);
      // Counted refusals: each one holds the window, so a client that keeps
      // asking within it is refused until it stops for a whole window.
      assert.deepEqual(verdicts({ refusalsCount: true }), [true, false, false, false, false]);
    } finally {
      mock.timers.reset();
    }
  });

  it("answers 401 for keys it does not know", async () => {
    const server = await startFakeOpenAiServer({ keys: [keyA] });
    try {
      await assert.rejects(sdk(server.baseUrl, keyC).chat.completions.create(ask), { status: 401 });
      assert.equal(server.requests[0]?.status, 401);
    } finally {
      await server.close();
    }
  });

  it("counts concurrent requests overall and per key, and records agent headers", async () => {
    const server = await startFakeOpenAiServer({ script: () => ({ text: "slow", delayMs: 100 }) });
    try {
      const headers = { "x-subagents-agent-id": "a-1", "x-subagents-agent-role": "subagent" };
      const calls = [keyA, keyA, keyA, keyB, keyB].map((key) => sdk(server.baseUrl, key).chat.completions.create(ask, { headers }));
      await Promise.all(calls);
      assert.equal(server.maxConcurrent, 5);
      assert.equal(server.maxConcurrentByKey.get(fingerprint(keyA)), 3);
      assert.equal(server.maxConcurrentByKey.get(fingerprint(keyB)), 2);
      assert.equal(server.inFlight, 0);
      assert.ok(server.requests.every((r) => r.agentId === "a-1" && r.agentRole === "subagent"));
      server.resetStats();
      assert.equal(server.maxConcurrent, 0);
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  it("closes even with a stalled stream open", async () => {
    const server = await startFakeOpenAiServer({ script: () => ({ fault: "stall" }) });
    const stream = sdk(server.baseUrl, keyA).chat.completions.create({ ...ask, stream: true });
    const consumed = stream.then(async (s) => {
      for await (const _ of s) void _;
    }).catch(() => undefined);
    await waitUntil("the stalled request to reach the server", () => server.inFlight > 0);
    // A stall never ends by itself: close() returning and the client's stream ending show close() cut it.
    await server.close();
    await consumed;
  });
});
