import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import { endpointOrigin, providerOrigins } from "../../../src/core/keys/keyOrigin";
import { KeyPools } from "../../../src/core/keys/keyPools";
import { AGENT_ID_HEADER, AGENT_ROLE_HEADER, ChatClient } from "../../../src/core/llm/chatClient";
import { startFakeOpenAiServer, type Fault } from "../../fixtures/fakeOpenAiServer";
import { MemoryKeyStore, testKeys } from "../keys/testDoubles";
import { harness, request, rejection } from "./harness";
import { waitUntil } from "../../fakes/polling";


describe("ChatClient", { timeout: 30_000 }, () => {
  it("streams a reply with usage, sends agent headers and reports the key fingerprint", async () => {
    const h = await harness({ server: { script: () => ({ text: "Hello from the fake model, in several chunks.", usage: { prompt_tokens: 11, completion_tokens: 7, reasoning_tokens: 3 } }) } });
    try {
      const deltas: string[] = [];
      const result = await h.client.complete(request({ agent: { id: "child-7", role: "subagent" }, onProgress: (p) => p.textDelta && deltas.push(p.textDelta) }));
      assert.equal(result.content, "Hello from the fake model, in several chunks.");
      assert.ok(deltas.length > 1 && deltas.join("") === result.content);
      assert.equal(result.finishReason, "stop");
      assert.deepEqual(result.usage, { promptTokens: 11, completionTokens: 7, reasoningTokens: 3 });
      assert.equal(result.keyFingerprint, fingerprint(h.keys[0] ?? ""));
      assert.equal(result.attempts, 1);
      assert.deepEqual(h.server.requests.map((r) => [r.agentId, r.agentRole, r.status]), [["child-7", "subagent", 200]]);
    } finally {
      await h.close();
    }
  });

  it("assembles tool calls from deltas split across chunks by index", async () => {
    const h = await harness({
      server: {
        script: () => ({
          chunkDelayMs: 2,
          toolCalls: [
            { name: "read_file", arguments: { path: "src/a.ts", start_line: 3 }, id: "call_a" },
            { name: "spawn_agent", arguments: { task: "look at b", name: "b" } },
            { name: "list_agents", arguments: "" },
          ],
        }),
      },
    });
    try {
      const tools = [{ type: "function" as const, function: { name: "read_file", parameters: { type: "object" } } }];
      const result = await h.client.complete(request({ tools }));
      assert.equal(result.finishReason, "tool_calls");
      assert.equal(result.content, "");
      assert.deepEqual(
        result.toolCalls.map((c) => [c.name, c.arguments]),
        [
          ["read_file", '{"path":"src/a.ts","start_line":3}'],
          ["spawn_agent", '{"task":"look at b","name":"b"}'],
          ["list_agents", ""],
        ],
      );
      assert.equal(result.toolCalls[0]?.id, "call_a");
      assert.ok(result.toolCalls.every((c) => c.id.length > 0));
    } finally {
      await h.close();
    }
  });

  it("retries a 429 on another key and paces the refused key without cooling it down", async () => {
    const h = await harness({ server: { script: (r) => (r.index === 0 ? { fault: "429", retryAfterSeconds: 1 } : { text: "done" }) } });
    try {
      const result = await h.client.complete(request());
      assert.equal(result.content, "done");
      const [first, second] = h.server.requests;
      assert.ok(first && second);
      assert.notEqual(first.keyFingerprint, second.keyFingerprint, "the retry uses another key");
      const refused = h.pools.pool("p")?.snapshot().find((k) => k.fingerprint === first.keyFingerprint);
      assert.equal(refused?.state, "healthy", "a 429 asking to slow down is not ill health");
      assert.equal(refused?.consecutiveFailures, 0);
      assert.ok(refused?.pacedUntil !== undefined, "the key waits out the Retry-After");
    } finally {
      await h.close();
    }
  });

  const keyFaults: Fault[] = ["quota_429", "402", "500", "502", "503", "529", "reset", "midstream_drop", "stall"];
  for (const fault of keyFaults) {
    it(`retries a "${fault}" on another key and cools the failing key down`, async () => {
      const h = await harness({
        client: fault === "stall" ? { stallTimeoutMs: 1000 } : {},
        server: { script: (r) => (r.index === 0 ? { fault, text: "partial text that will be cut" } : { text: "done" }) },
      });
      try {
        let restarted = false;
        const result = await h.client.complete(request({ onProgress: (p) => void (restarted ||= p.restarted === true) }));
        assert.equal(result.content, "done", "no text from the failed attempt leaks into the result");
        assert.equal(result.attempts, 2);
        const [first, second] = h.server.requests;
        assert.ok(first && second);
        assert.notEqual(first.keyFingerprint, second.keyFingerprint, "the retry uses another key");
        const failed = h.pools.pool("p")?.snapshot().find((k) => k.fingerprint === first.keyFingerprint);
        assert.equal(failed?.state, "cooling");
        assert.equal(failed?.consecutiveFailures, 1);
        if (fault === "midstream_drop") assert.equal(restarted, true, "listeners learn that streamed text was void");
      } finally {
        await h.close();
      }
    });
  }

  it("fails at once with a clear error on a context-length 400", async () => {
    const h = await harness({ server: { script: () => ({ fault: "context_length" }) } });
    try {
      const error = await rejection(h.client.complete(request()));
      assert.equal(error.kind, "context_length");
      assert.equal(error.status, 400);
      assert.match(error.message, /too long for model "m" of provider "p".*larger context window/);
      assert.equal(h.server.requests.length, 1, "no retry");
      assert.equal(h.pools.summaries()[0]?.healthy, 3, "not the key's fault");
    } finally {
      await h.close();
    }
  });

  it("fails at once naming the model on a 404 unknown model", async () => {
    const h = await harness({ server: { models: ["m"] } });
    try {
      const error = await rejection(h.client.complete(request({ model: "no-such-model" })));
      assert.equal(error.kind, "model_not_found");
      assert.match(error.message, /Model "no-such-model" was not found at provider "p".*subagents\.providers/);
      assert.equal(h.server.requests.length, 1);
      h.server.setScript(() => ({ fault: "unknown_model" }));
      assert.equal((await rejection(h.client.complete(request()))).kind, "model_not_found");
    } finally {
      await h.close();
    }
  });

  it("marks a rejected key invalid and continues on a valid one", async () => {
    const h = await harness({ keyCount: 3 });
    await h.server.close();
    const server = await startFakeOpenAiServer({ keys: h.keys.slice(1) });
    const oldOrigin = endpointOrigin(h.providers[0]?.baseUrl ?? "");
    h.providers[0] = { id: "p", baseUrl: server.baseUrl, models: ["m"] };
    await h.store.rebind("p", oldOrigin, endpointOrigin(server.baseUrl) ?? "");
    try {
      const result = await h.client.complete(request());
      assert.equal(result.keyFingerprint, fingerprint(h.keys[1] ?? ""));
      const first = h.pools.pool("p")?.snapshot()[0];
      assert.equal(first?.state, "invalid");
      assert.match(first?.invalidReason ?? "", /^HTTP 401/);
      assert.equal(h.pools.usableKeyCount("p"), 2);
      for (let i = 0; i < 4; i++) await h.client.complete(request());
      assert.equal(server.requests.filter((r) => r.status === 401).length, 1, "an invalid key is not tried again");
    } finally {
      await server.close();
      h.client.dispose();
      h.pools.dispose();
    }
  });

  it("says which provider has no valid key when every key is rejected", async () => {
    const h = await harness({ keyCount: 2, server: { keys: [] } });
    try {
      const error = await rejection(h.client.complete(request()));
      assert.equal(error.kind, "keys_invalid");
      assert.match(error.message, /provider "p".*Subagents: Add API Key…/);
      assert.equal(h.server.requests.length, 2);
    } finally {
      await h.close();
    }
  });

  it("names the provider and the Add API Key command when a provider has no keys", async () => {
    const h = await harness({ keys: [] });
    try {
      const error = await rejection(h.client.complete(request()));
      assert.equal(error.kind, "no_keys");
      assert.match(error.message, /No API key for provider "p"\. Run "Subagents: Add API Key…"/);
      assert.equal(h.server.requests.length, 0);
      const unknown = await rejection(h.client.complete(request({ providerId: "elsewhere" })));
      assert.equal(unknown.kind, "unknown_provider");
      assert.match(unknown.message, /"elsewhere".*subagents\.providers/);
    } finally {
      await h.close();
    }
  });

  it("retries a malformed tool call once, then returns the raw arguments", async () => {
    const h = await harness({ server: { script: () => ({ fault: "malformed_tool_args", toolCalls: [{ name: "read_file", arguments: {} }] }) } });
    try {
      const result = await h.client.complete(request());
      assert.equal(h.server.requests.length, 2);
      assert.equal(result.toolCalls[0]?.name, "read_file");
      assert.throws(() => JSON.parse(result.toolCalls[0]?.arguments ?? ""));
      h.server.resetStats();
      h.server.setScript((r) => (r.index === 0 ? { fault: "malformed_tool_args" } : { toolCalls: [{ name: "read_file", arguments: { path: "a" } }] }));
      const fixed = await h.client.complete(request());
      assert.equal(fixed.toolCalls[0]?.arguments, '{"path":"a"}');
    } finally {
      await h.close();
    }
  });

  it("retries an empty reply, and says so clearly when it persists", async () => {
    const h = await harness({ server: { script: (r) => (r.index === 0 ? { fault: "empty" } : { text: "second try" }) } });
    try {
      assert.equal((await h.client.complete(request())).content, "second try");
      h.server.setScript(() => ({ fault: "empty" }));
      const error = await rejection(h.client.complete(request()));
      assert.equal(error.kind, "empty_reply");
      assert.match(error.message, /empty reply 5 times/);
      assert.equal(h.pools.summaries()[0]?.cooling, 0, "an empty reply is not the key's fault");
    } finally {
      await h.close();
    }
  });

  it("gives up after the retry budget with the last error, and never more attempts", async () => {
    const h = await harness({ client: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }, server: { script: () => ({ fault: "503" }) } });
    try {
      const error = await rejection(h.client.complete(request()));
      assert.equal(error.kind, "retries_exhausted");
      assert.equal(error.status, 503);
      assert.match(error.message, /failed after 3 attempts\. The last error was server \(HTTP 503\)/);
      assert.equal(h.server.requests.length, 3);
    } finally {
      await h.close();
    }
  });

  it("when every key is cooling, advances round-robin instead of hammering one key", async () => {
    const h = await harness({ keyCount: 3, client: { retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 2 } }, server: { script: (r) => (r.index < 5 ? { fault: "500" } : { text: "finally" }) } });
    try {
      const result = await h.client.complete(request());
      assert.equal(result.content, "finally");
      const used = h.server.requests.map((r) => r.keyFingerprint);
      assert.equal(used.length, 6);
      for (let i = 1; i < used.length; i++) assert.notEqual(used[i], used[i - 1], `attempt ${i + 1} reused the key of attempt ${i}`);
      assert.deepEqual(new Set(used).size, 3);
    } finally {
      await h.close();
    }
  });

  it("honours Retry-After when no other key is available", async () => {
    const h = await harness({ keyCount: 1, server: { script: (r) => (r.index === 0 ? { fault: "429", retryAfterSeconds: 1 } : { text: "after the wait" }) } });
    try {
      const result = await h.client.complete(request());
      assert.equal(result.content, "after the wait");
      const [first, second] = h.server.requests;
      assert.ok(first && second);
      assert.ok(second.at - first.at >= 950, `waited only ${second.at - first.at} ms`);
    } finally {
      await h.close();
    }
  });

  it("tells the caller when it has waited for a key with room, and when the wait is over; a call with room at once says nothing", async () => {
    const h = await harness({ keyCount: 1, server: { rateLimit: { requests: 1, windowMs: 500 } }, client: { keyWaitNoticeMs: 20 } });
    try {
      const waits: Array<{ until?: number } | undefined> = [];
      await h.client.complete(request({ onKeyWait: (w) => waits.push(w) }));
      assert.equal(waits.length, 0, "the key had room");
      // Its answer said the one request of the window is spent: the next call waits for the window.
      const asked = Date.now();
      const result = await h.client.complete(request({ onKeyWait: (w) => waits.push(w) }));
      assert.equal(result.content, "ok");
      assert.equal(waits.length, 2, JSON.stringify(waits));
      const until = waits[0]?.until ?? 0;
      assert.ok(until > asked, `told when a key is expected: ${until - asked} ms after asking`);
      assert.equal(waits[1], undefined, "and when it has one");
      assert.equal(h.server.requests.filter((r) => r.status === 429).length, 0, "waited, not refused");
    } finally {
      await h.close();
    }
  });

  it("stops a stalled request when aborted", async () => {
    const h = await harness({ client: { stallTimeoutMs: 60_000 }, server: { script: () => ({ fault: "stall" }) } });
    try {
      const controller = new AbortController();
      const call = h.client.complete(request({ signal: controller.signal }));
      const settled = rejection(call);
      await waitUntil("the request to reach the server", () => h.server.inFlight === 1);
      // The stall never ends by itself (and the client's stall timeout is a minute): only the abort settles the call.
      controller.abort();
      const error = await settled;
      assert.equal(error.kind, "aborted");
      await waitUntil("the server to see the disconnect", () => h.server.inFlight === 0);
      assert.equal(h.pools.summaries()[0]?.healthy, 3, "an abort is not the key's fault");
      assert.deepEqual(h.pools.pool("p")?.snapshot().map((k) => k.inFlight), [0, 0, 0]);
    } finally {
      await h.close();
    }
  });

  it("stops while waiting out a Retry-After when aborted", async () => {
    const h = await harness({ keyCount: 1, server: { script: () => ({ fault: "429", retryAfterSeconds: 30 }) } });
    try {
      const controller = new AbortController();
      const settled = rejection(h.client.complete(request({ signal: controller.signal })));
      await waitUntil("the 429", () => h.server.requests.length === 1 && h.server.inFlight === 0);
      // The client now waits out a 30 s Retry-After: only the abort can settle the call before the test's timeout.
      controller.abort();
      const error = await settled;
      assert.equal(error.kind, "aborted");
      assert.equal(h.server.requests.length, 1);
    } finally {
      await h.close();
    }
  });

  it("does not start a call whose signal is already aborted", async () => {
    const h = await harness();
    try {
      const error = await rejection(h.client.complete(request({ signal: AbortSignal.abort() })));
      assert.equal(error.kind, "aborted");
      assert.equal(h.server.requests.length, 0);
    } finally {
      await h.close();
    }
  });

  it("sends the provider's extra headers but never lets them replace the pool key", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const h = await harness({ keyCount: 1, server: { script: (r) => (seen.push({ ...r.headers }), { text: "ok" }) } });
    try {
      h.providers[0] = { ...h.providers[0]!, headers: { "x-team": "blue", Authorization: "Bearer not-a-pool-key" } };
      await h.client.complete(request());
      assert.equal(seen[0]?.["x-team"], "blue");
      assert.equal(seen[0]?.authorization, `Bearer ${h.keys[0]}`);
      assert.equal(seen[0]?.[AGENT_ID_HEADER], "agent-1");
      assert.equal(seen[0]?.[AGENT_ROLE_HEADER], "root");
    } finally {
      await h.close();
    }
  });

  it("sends a provider's keys only to that provider", async () => {
    const keysA = testKeys("alpha", 3);
    const keysB = testKeys("beta", 2);
    // Each server accepts only its own provider's keys: a stray key would show up as a 401.
    const serverA = await startFakeOpenAiServer({ keys: keysA, script: (r) => (r.index % 4 === 0 ? { fault: "503" } : { text: "a" }) });
    const serverB = await startFakeOpenAiServer({ keys: keysB, script: (r) => (r.index % 3 === 0 ? { fault: "429", retryAfterSeconds: 0 } : { text: "b" }) });
    const providers = [
      { id: "a", baseUrl: serverA.baseUrl, models: ["m"] },
      { id: "b", baseUrl: serverB.baseUrl, models: ["m"] },
    ];
    const origins = providerOrigins(() => providers);
    const pools = new KeyPools({ store: new MemoryKeyStore({ a: keysA, b: keysB }, (id) => origins(id) ?? ""), originOf: origins });
    const client = new ChatClient({
      pools,
      providers: () => providers,
      retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 2 },
    });
    try {
      const calls = Array.from({ length: 24 }, (_, i) => client.complete(request({ providerId: i % 2 === 0 ? "a" : "b" })));
      const results = await Promise.all(calls);
      assert.deepEqual(new Set(results.map((r, i) => `${i % 2 === 0 ? "a" : "b"}:${r.content}`)), new Set(["a:a", "b:b"]));
      const fpsA = new Set(keysA.map(fingerprint));
      const fpsB = new Set(keysB.map(fingerprint));
      assert.ok(serverA.requests.every((r) => fpsA.has(r.keyFingerprint) && r.status !== 401));
      assert.ok(serverB.requests.every((r) => fpsB.has(r.keyFingerprint) && r.status !== 401));
      assert.ok(serverA.requests.some((r) => r.status === 503) && serverB.requests.some((r) => r.status === 429), "retries happened");
    } finally {
      client.dispose();
      pools.dispose();
      await serverA.close();
      await serverB.close();
    }
  });

  it("sends nothing after the base URL changed until the user re-binds the keys, then goes to the new URL", async () => {
    const h = await harness({ keyCount: 2 });
    const other = await startFakeOpenAiServer({ script: () => ({ text: "from the new URL" }) });
    const oldOrigin = endpointOrigin(h.server.baseUrl) ?? "";
    const newOrigin = endpointOrigin(other.baseUrl) ?? "";
    try {
      await h.client.complete(request());
      h.providers[0] = { ...h.providers[0]!, baseUrl: other.baseUrl };
      const refused = await rejection(h.client.complete(request()));
      assert.equal(refused.kind, "keys_unbound");
      assert.ok(refused.message.includes(oldOrigin) && refused.message.includes(newOrigin), refused.message);
      assert.match(refused.message, /Show Key Pool/);
      assert.equal(other.requests.length, 0, "no request reached the new URL");
      assert.deepEqual(h.pools.misbound("p").map((k) => k.boundTo), [oldOrigin, oldOrigin]);
      assert.equal(await h.store.rebind("p", oldOrigin, newOrigin), 2);
      assert.equal((await h.client.complete(request())).content, "from the new URL");
      assert.equal(h.server.requests.length, 1);
      assert.equal(other.requests.length, 1);
    } finally {
      await other.close();
      await h.close();
    }
  });

  it("never sends a key whose lease is bound to another origin, even when the pool is stale", async () => {
    const h = await harness({ keyCount: 1 });
    const other = await startFakeOpenAiServer();
    try {
      await h.pools.ready("p");
      // Simulate a bug elsewhere: the pool keeps its old binding while the provider points somewhere new.
      h.pools.pool("p")?.bindOrigin(endpointOrigin(h.server.baseUrl));
      const pool = h.pools.pool("p");
      const lease = pool?.acquire();
      assert.equal(lease?.origin, endpointOrigin(h.server.baseUrl));
      lease?.release({ kind: "unused" });
      h.providers[0] = { ...h.providers[0]!, baseUrl: other.baseUrl };
      const origins = { ready: h.pools.ready.bind(h.pools) };
      // Bypass the reload that ready() would do, so the stale pool is what the client gets.
      h.pools.ready = async () => pool!;
      const refused = await rejection(h.client.complete(request()));
      h.pools.ready = origins.ready;
      assert.equal(refused.kind, "keys_unbound");
      assert.equal(other.requests.length, 0);
    } finally {
      await other.close();
      await h.close();
    }
  });
});
