import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import { ANTHROPIC_MAX_TOKENS, THINKING_BUDGETS } from "../../../src/core/llm/anthropicTransport";
import { KEYLESS_FINGERPRINT } from "../../../src/core/llm/chatClient";
import type { ChatMessage, ToolSpec } from "../../../src/core/llm/modelClient";
import type { ProviderApi } from "../../../src/core/settings/schema";
import type { Fault, ScriptedRequest } from "../../fixtures/fakeOpenAiServer";
import { harness, request, type Harness, rejection } from "./harness";
import { testKeys } from "../keys/testDoubles";

/**
 * The one ChatClient over each wire format, with the real SDKs talking HTTP
 * to the test server: the same replies, usage, faults and key handling,
 * whichever API the provider speaks.
 */

const APIS: ProviderApi[] = ["chat", "responses", "anthropic"];

const READ_FILE: ToolSpec = {
  type: "function",
  function: {
    name: "read_file",
    description: "Read a file",
    parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
};


async function on(api: ProviderApi, options: Parameters<typeof harness>[0], body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness(options);
  h.providers[0]!.api = api;
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

for (const api of APIS) {
  describe(`ChatClient over the ${api} transport`, { timeout: 30_000 }, () => {
    it("streams text with usage, on the route and key header of its API", async () => {
      const seen: ScriptedRequest[] = [];
      const script = (r: ScriptedRequest) => {
        seen.push(r);
        return { text: "Hello from the fake model, in several chunks.", usage: { prompt_tokens: 40, completion_tokens: 7, cached_tokens: 24 } };
      };
      await on(api, { server: { script } }, async (h) => {
        const deltas: string[] = [];
        const result = await h.client.complete(
          request({
            messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }],
            onProgress: (p) => p.textDelta && deltas.push(p.textDelta),
          }),
        );
        assert.equal(result.content, "Hello from the fake model, in several chunks.");
        assert.equal(deltas.join(""), result.content);
        assert.ok(deltas.length > 1, "streamed in pieces");
        assert.equal(result.finishReason, "stop");
        assert.equal(result.usage.promptTokens, 40);
        assert.equal(result.usage.completionTokens, 7);
        assert.equal(result.usage.cachedInputTokens, 24);
        assert.equal(result.keyFingerprint, fingerprint(h.keys[0] ?? ""));
        const [r] = seen;
        assert.ok(r);
        assert.equal(r.api, api);
        assert.deepEqual(r.messages, [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }]);
        assert.equal(r.headers["x-subagents-agent-id"], "agent-1");
        if (api === "anthropic") {
          assert.equal(r.headers["x-api-key"], h.keys[0]);
          assert.equal(r.headers.authorization, undefined, "Anthropic's key goes in x-api-key only");
        } else {
          assert.equal(r.headers.authorization, `Bearer ${h.keys[0]}`);
          assert.equal(r.headers["x-api-key"], undefined);
        }
      });
    });

    it("runs a tool round trip: the call's id, name and arguments come back, and its result goes out in the API's shape", async () => {
      const seen: ScriptedRequest[] = [];
      await on(
        api,
        {
          server: {
            script: (r) => {
              seen.push(r);
              if (!r.messages.some((m) => m.role === "tool")) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }] };
              return { text: "the file says 1" };
            },
          },
        },
        async (h) => {
          const first = await h.client.complete(request({ tools: [READ_FILE] }));
          assert.equal(first.finishReason, "tool_calls");
          assert.equal(first.toolCalls.length, 1);
          const call = first.toolCalls[0]!;
          assert.equal(call.name, "read_file");
          assert.deepEqual(JSON.parse(call.arguments), { path: "src/a.ts" });
          const messages: ChatMessage[] = [
            { role: "user", content: "hello" },
            { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] },
            { role: "tool", tool_call_id: call.id, content: "export const a = 1;" },
          ];
          const second = await h.client.complete(request({ tools: [READ_FILE], messages }));
          assert.equal(second.content, "the file says 1");
          const sent = seen[1]!;
          assert.deepEqual(sent.tools.map((t) => (t.type === "function" ? t.function.name : "")), ["read_file"]);
          assert.deepEqual(sent.messages.at(-1), { role: "tool", tool_call_id: call.id, content: "export const a = 1;" });
          const assistant = sent.messages.find((m) => m.role === "assistant");
          assert.ok(assistant?.role === "assistant" && assistant.tool_calls?.[0]?.type === "function");
          assert.equal(assistant.tool_calls[0].id, call.id);
          assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), { path: "src/a.ts" });
        },
      );
    });

    const faults: Array<[Fault, string]> = [
      ["429", "a 429 with Retry-After"],
      ["503", "a 503"],
      ["529", "a 529 overloaded"],
      ["midstream_drop", "a connection dropped while the stream is read"],
      ["reset", "a connection reset before any byte"],
    ];
    for (const [fault, what] of faults) {
      it(`retries ${what} on another key and succeeds`, async () => {
        await on(
          api,
          { keyCount: 2, server: { script: (r) => (r.index === 0 ? { fault, retryAfterSeconds: 0, text: "a long reply that is cut in the middle of its stream" } : { text: "recovered" }) } },
          async (h) => {
            const result = await h.client.complete(request());
            assert.equal(result.content, "recovered");
            assert.equal(result.attempts, 2);
            const fps = h.server.requests.map((r) => r.keyFingerprint);
            assert.notEqual(fps[0], fps[1], "the retry went to the other key");
          },
        );
      });
    }

    it("asks once more after cut-off tool arguments, then hands the raw arguments over", async () => {
      await on(api, { server: { script: () => ({ fault: "malformed_tool_args", toolCalls: [{ name: "read_file", arguments: {} }] }) } }, async (h) => {
        const result = await h.client.complete(request({ tools: [READ_FILE] }));
        assert.equal(result.attempts, 2);
        assert.equal(result.toolCalls[0]?.arguments, '{"path": "src/read_file.ts", "start_line": ');
      });
    });

    it("an empty reply is retried and, when it keeps coming, reported as empty", async () => {
      await on(api, { client: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } }, server: { script: () => ({ fault: "empty" }) } }, async (h) => {
        const error = await rejection(h.client.complete(request()));
        assert.equal(error.kind, "empty_reply");
        assert.equal(h.server.requests.length, 2);
      });
    });

    it("retries a stalled stream after the stall timeout", async () => {
      await on(
        api,
        { keyCount: 2, client: { stallTimeoutMs: 200 }, server: { script: (r) => (r.index === 0 ? { fault: "stall" } : { text: "after the stall" }) } },
        async (h) => {
          const result = await h.client.complete(request());
          assert.equal(result.content, "after the stall");
          assert.equal(result.attempts, 2);
        },
      );
    });

    it("fails at once on a context-length error, naming the provider", async () => {
      await on(api, { server: { script: () => ({ fault: "context_length" }) } }, async (h) => {
        const error = await rejection(h.client.complete(request()));
        assert.equal(error.kind, "context_length");
        assert.match(error.message, /provider "p"/);
        assert.equal(h.server.requests.length, 1);
      });
    });

    it("an error body that echoes the key reaches neither the error nor the log", async () => {
      await on(api, { server: { script: () => ({ fault: "echo_key" }) } }, async (h) => {
        const error = await rejection(h.client.complete(request()));
        assert.equal(error.kind, "bad_request");
        const key = h.keys[0]!;
        assert.ok(!error.message.includes(key), error.message);
        assert.ok(!error.message.includes(key.slice(3)), "not even without its prefix");
        assert.ok(h.lines.every((line) => !line.includes(key)));
      });
    });

    it("sends no credential at all to a keyless provider, and needs no key pool", async () => {
      const seen: ScriptedRequest[] = [];
      await on(api, { keys: [], server: { keyless: true, script: (r) => (seen.push(r), { text: "local" }) } }, async (h) => {
        h.providers[0]!.auth = "none";
        const result = await h.client.complete(request());
        assert.equal(result.content, "local");
        assert.equal(result.keyFingerprint, KEYLESS_FINGERPRINT);
        assert.equal(seen.length, 1);
        assert.equal(seen[0]!.headers.authorization, undefined, "no Authorization header");
        assert.equal(seen[0]!.headers["x-api-key"], undefined, "no x-api-key header");
        assert.equal(seen[0]!.key, "");
        assert.deepEqual(h.pools.snapshot().map((p) => p.providerId), [], "no pool was loaded");
      });
    });
  });
}

describe("transport specifics", { timeout: 30_000 }, () => {
  it("Responses: stateless requests carry reasoning items across turns, with the model's reasoning effort", async () => {
    const seen: ScriptedRequest[] = [];
    await on("responses", { server: { script: (r) => (seen.push(r), r.index === 0 ? { reasoning: "think first", toolCalls: [{ name: "read_file", arguments: { path: "a" } }] } : { text: "done" }) } }, async (h) => {
      h.providers[0]!.models = ["m"];
      h.providers[0]!.modelOptions = { m: { reasoningEffort: "high" } };
      const first = await h.client.complete(request({ tools: [READ_FILE] }));
      assert.equal(first.replay?.api, "responses");
      assert.equal(first.replay?.items.length, 1);
      const call = first.toolCalls[0]!;
      await h.client.complete(
        request({
          tools: [READ_FILE],
          messages: [
            { role: "user", content: "hello" },
            { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }], replay: first.replay! },
            { role: "tool", tool_call_id: call.id, content: "A" },
          ],
        }),
      );
      for (const r of seen) {
        assert.equal(r.body.store, false);
        assert.deepEqual(r.body.include, ["reasoning.encrypted_content"]);
        assert.deepEqual(r.body.reasoning, { effort: "high" });
      }
      const input = seen[1]!.body.input as Array<Record<string, unknown>>;
      assert.deepEqual(input.map((i) => i.type ?? i.role), ["user", "reasoning", "function_call", "function_call_output"]);
      assert.equal(input[1]!.encrypted_content, Buffer.from("fake-reasoning:think first").toString("base64"));
    });
  });

  it("Anthropic: thinking blocks go back first and unchanged on the next turn; an altered one is refused", async () => {
    const seen: ScriptedRequest[] = [];
    const script = (r: ScriptedRequest) => (seen.push(r), r.index === 0 ? { reasoning: "think first", toolCalls: [{ name: "read_file", arguments: { path: "a" } }] } : { text: "done" });
    await on("anthropic", { server: { script } }, async (h) => {
      h.providers[0]!.reasoningEffort = "medium";
      const first = await h.client.complete(request({ tools: [READ_FILE] }));
      assert.equal(first.replay?.api, "anthropic");
      const [thinking] = first.replay?.items as Array<{ type: string; thinking: string; signature: string }>;
      assert.equal(thinking?.type, "thinking");
      assert.equal(thinking?.thinking, "think first");
      assert.ok((thinking?.signature ?? "").length > 0);
      const call = first.toolCalls[0]!;
      const turn = (replay: NonNullable<typeof first.replay>): ChatMessage[] => [
        { role: "user", content: "hello" },
        { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }], replay },
        { role: "tool", tool_call_id: call.id, content: "A" },
      ];
      const second = await h.client.complete(request({ tools: [READ_FILE], messages: turn(first.replay!) }));
      assert.equal(second.content, "done");
      const assistant = (seen[1]!.body.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>)[1]!;
      assert.deepEqual(assistant.content.map((b) => b.type), ["thinking", "tool_use"]);
      assert.deepEqual(assistant.content[0], thinking);
      for (const r of seen) assert.deepEqual(r.body.thinking, { type: "enabled", budget_tokens: THINKING_BUDGETS.medium });

      const altered = { api: "anthropic" as const, items: [{ ...thinking, thinking: "something else" }] };
      const error = await rejection(h.client.complete(request({ tools: [READ_FILE], messages: turn(altered) })));
      assert.equal(error.kind, "bad_request");
      assert.match(error.message, /invalid signature in thinking block/);
    });
  });

  it("Anthropic: a tool turn made while thinking was off is answered without thinking instead of being refused", async () => {
    const seen: ScriptedRequest[] = [];
    await on("anthropic", { server: { script: (r) => (seen.push(r), { text: "ok" }) } }, async (h) => {
      h.providers[0]!.reasoningEffort = "low";
      const call = { id: "toolu_1", type: "function" as const, function: { name: "read_file", arguments: '{"path":"a"}' } };
      const answered: ChatMessage[] = [{ role: "user", content: "hello" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "A" }];
      assert.equal((await h.client.complete(request({ tools: [READ_FILE], messages: answered }))).content, "ok");
      assert.equal(seen[0]!.body.thinking, undefined);
      await h.client.complete(request({ tools: [READ_FILE], messages: [...answered, { role: "assistant", content: "ok" }, { role: "user", content: "more" }] }));
      assert.deepEqual(seen[1]!.body.thinking, { type: "enabled", budget_tokens: THINKING_BUDGETS.low }, "a new user turn thinks again");
    });
  });

  it("Anthropic: a thinking block whose text holds a key is left out, and that turn is answered without thinking instead of refused", async () => {
    const seen: ScriptedRequest[] = [];
    const keys = testKeys("thinking", 1);
    const script = (r: ScriptedRequest) => (seen.push(r), r.index === 0 ? { reasoning: `the key is ${keys[0]}`, toolCalls: [{ name: "read_file", arguments: { path: "a" } }] } : { text: "done" });
    await on("anthropic", { keys, server: { script } }, async (h) => {
      h.providers[0]!.reasoningEffort = "medium";
      const first = await h.client.complete(request({ tools: [READ_FILE] }));
      const call = first.toolCalls[0]!;
      const messages: ChatMessage[] = [
        { role: "user", content: "hello" },
        { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }], replay: first.replay! },
        { role: "tool", tool_call_id: call.id, content: "A" },
      ];
      const second = await h.client.complete(request({ tools: [READ_FILE], messages }));
      assert.equal(second.content, "done");
      const sent = seen[1]!.body;
      const assistant = (sent.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>)[1]!;
      assert.deepEqual(assistant.content.map((b) => b.type), ["tool_use"], "the signed block whose text redaction would change is not sent");
      assert.equal(sent.thinking, undefined);
      assert.ok(!JSON.stringify(sent).includes(keys[0]!), "the key is not sent back");
    });
  });

  for (const api of APIS) {
    it(`${api}: reasoning effort of the agent type wins over the model entry's, which wins over the provider's`, async () => {
      const seen: ScriptedRequest[] = [];
      await on(api, { server: { script: (r) => (seen.push(r), { text: "ok" }) } }, async (h) => {
        h.providers[0]!.models = ["plain", "tuned"];
        h.providers[0]!.modelOptions = { tuned: { reasoningEffort: "medium" } };
        await h.client.complete(request({ model: "plain" }));
        h.providers[0]!.reasoningEffort = "low";
        await h.client.complete(request({ model: "plain" }));
        await h.client.complete(request({ model: "tuned" }));
        await h.client.complete(request({ model: "tuned", reasoningEffort: "high" }));
        await h.client.complete(request({ model: "tuned", reasoningEffort: "none" }));
        const sent = seen.map((r) => {
          if (api === "chat") return r.body.reasoning_effort;
          if (api === "responses") return (r.body.reasoning as { effort?: string } | undefined)?.effort;
          return (r.body.thinking as { budget_tokens?: number } | undefined)?.budget_tokens;
        });
        const expected =
          api === "anthropic"
            ? [undefined, THINKING_BUDGETS.low, THINKING_BUDGETS.medium, THINKING_BUDGETS.high, undefined]
            : [undefined, "low", "medium", "high", "none"];
        assert.deepEqual(sent, expected);
        if (api === "anthropic") {
          assert.deepEqual(seen.map((r) => r.body.max_tokens), [ANTHROPIC_MAX_TOKENS, ANTHROPIC_MAX_TOKENS + THINKING_BUDGETS.low, ANTHROPIC_MAX_TOKENS + THINKING_BUDGETS.medium, ANTHROPIC_MAX_TOKENS + THINKING_BUDGETS.high, ANTHROPIC_MAX_TOKENS]);
        }
      });
    });
  }

  it("Chat Completions: replay state of another API is not sent, and reasoning effort is", async () => {
    const seen: ScriptedRequest[] = [];
    await on("chat", { server: { script: (r) => (seen.push(r), { text: "ok" }) } }, async (h) => {
      h.providers[0]!.models = ["m"];
      h.providers[0]!.modelOptions = { m: { reasoningEffort: "low" } };
      await h.client.complete(request({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: "b", replay: { api: "responses", items: [{ type: "reasoning" }] } }, { role: "user", content: "c" }] }));
      assert.equal(seen[0]!.body.reasoning_effort, "low");
      assert.ok(!JSON.stringify(seen[0]!.body).includes("replay"));
    });
  });

  it("Chat Completions: the 'use /v1/responses' refusal says to set api: responses", async () => {
    await on("chat", { server: { script: () => ({ fault: "responses_only" }) } }, async (h) => {
      const error = await rejection(h.client.complete(request()));
      assert.equal(error.kind, "bad_request");
      assert.match(error.message, /Chat Completions API/);
      assert.match(error.message, /set "api": "responses"/);
    });
  });

  it("Anthropic: cache breakpoints on the tools, the system prompt and the last turn; alternating turns; cache reads counted", async () => {
    const seen: ScriptedRequest[] = [];
    await on("anthropic", { server: { script: (r) => (seen.push(r), { text: "ok", usage: { prompt_tokens: 3000, completion_tokens: 5, cached_tokens: 2048 } }) } }, async (h) => {
      const result = await h.client.complete(
        request({
          tools: [READ_FILE, { ...READ_FILE, function: { ...READ_FILE.function, name: "list_files" } }],
          messages: [
            { role: "system", content: "you are a subagent" },
            { role: "user", content: "task" },
            { role: "assistant", content: "reading", tool_calls: [{ id: "toolu_1", type: "function", function: { name: "read_file", arguments: '{"path":"a"}' } }, { id: "toolu_2", type: "function", function: { name: "read_file", arguments: '{"path":"b"}' } }] },
            { role: "tool", tool_call_id: "toolu_1", content: "A" },
            { role: "tool", tool_call_id: "toolu_2", content: "B" },
          ],
        }),
      );
      assert.equal(result.usage.promptTokens, 3000);
      assert.equal(result.usage.cachedInputTokens, 2048);
      const body = seen[0]!.body as { tools: Array<Record<string, unknown>>; system: Array<Record<string, unknown>>; messages: Array<{ role: string; content: Array<Record<string, unknown>> }>; max_tokens: number };
      assert.equal(body.tools[0]!.cache_control, undefined);
      assert.deepEqual(body.tools[1]!.cache_control, { type: "ephemeral" });
      assert.deepEqual(body.system, [{ type: "text", text: "you are a subagent", cache_control: { type: "ephemeral" } }]);
      assert.deepEqual(body.messages.map((m) => m.role), ["user", "assistant", "user"], "both tool results in one user turn");
      assert.deepEqual(body.messages[2]!.content.map((b) => b.type), ["tool_result", "tool_result"]);
      assert.deepEqual(body.messages[2]!.content[1]!.cache_control, { type: "ephemeral" });
      assert.equal(body.messages[2]!.content[0]!.cache_control, undefined);
      assert.deepEqual(body.messages[1]!.content[1], { type: "tool_use", id: "toolu_1", name: "read_file", input: { path: "a" } });
      assert.ok(body.max_tokens > 0);
    });
  });

  it("Anthropic: a 529 that keeps coming ends in an error naming the provider, the API and the overload", async () => {
    await on("anthropic", { keyCount: 2, client: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }, server: { script: () => ({ fault: "529" }) } }, async (h) => {
      const error = await rejection(h.client.complete(request()));
      assert.equal(error.kind, "retries_exhausted");
      assert.match(error.message, /"p:m" \(Anthropic Messages API\) failed after 3 attempts/);
      assert.match(error.message, /overloaded \(HTTP 529\)/);
    });
  });

  it("Anthropic: anthropic-ratelimit-* headers pace each key, so a spent key is not sent again", async () => {
    await on("anthropic", { keyCount: 2, server: { rateLimit: { requests: 1, windowMs: 60_000, headers: "anthropic" }, script: () => ({ text: "ok" }) } }, async (h) => {
      await h.client.complete(request());
      await h.client.complete(request());
      const statuses = h.server.requests.map((r) => r.status);
      assert.deepEqual(statuses, [200, 200], "no request was refused");
      assert.equal(new Set(h.server.requests.map((r) => r.keyFingerprint)).size, 2, "the second call went to the key with room");
      const readyAt = (await h.pools.ready("p")).nextReadyAt({ inputTokens: 1 });
      assert.ok(readyAt !== undefined && readyAt > Date.now() + 30_000, "both keys said they have no request left this minute");
    });
  });

  it("a keyless server that asks for a key gets an error saying to remove auth: none", async () => {
    await on("chat", { keys: [], server: { script: () => ({ text: "never" }) } }, async (h) => {
      h.providers[0]!.auth = "none";
      const error = await rejection(h.client.complete(request()));
      assert.match(error.message, /"auth": "none".*HTTP 401/);
      assert.equal(h.server.requests.length, 1, "not retried");
    });
  });
});
