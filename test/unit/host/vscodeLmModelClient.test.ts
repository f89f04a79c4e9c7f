import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as vscode from "vscode";
import type { CompletionRequest, CompletionResult, ModelClient } from "../../../src/core/llm/modelClient";
import { chatSelector, isQuotaAnswer, VscodeLmModelClient } from "../../../src/host/lm/vscodeLmModelClient";
import { SecretRedactor } from "../../../src/core/keys/redact";
import { ManualClock } from "../../fakes/manualClock";
import { waitUntil } from "../../fakes/polling";
import { LanguageModelChatMessage, LanguageModelError, LanguageModelTextPart, LanguageModelToolCallPart, LanguageModelToolResultPart } from "../../fakes/vscodeShim";

/** A LanguageModelChat that answers with fixed parts and records what it was sent. */
function fakeModel(parts: unknown[] | Error) {
  const sent: Array<{ messages: LanguageModelChatMessage[]; options: vscode.LanguageModelChatRequestOptions }> = [];
  const model = {
    sendRequest(messages: LanguageModelChatMessage[], options: vscode.LanguageModelChatRequestOptions) {
      sent.push({ messages, options });
      if (parts instanceof Error) return Promise.reject(parts);
      return Promise.resolve({
        stream: (async function* () {
          yield* parts;
        })(),
      });
    },
    countTokens: (input: string | LanguageModelChatMessage) => Promise.resolve(typeof input === "string" ? input.length : 10),
  } as unknown as vscode.LanguageModelChat;
  return { model, sent };
}

const fallback: ModelClient & { seen: string[] } = {
  seen: [],
  complete(request: CompletionRequest): Promise<CompletionResult> {
    this.seen.push(request.providerId);
    return Promise.resolve({ content: "from the key pool", toolCalls: [], finishReason: "stop", usage: { promptTokens: 0, completionTokens: 0 }, keyFingerprint: "abcd" });
  },
};

const request = (overrides: Partial<CompletionRequest> = {}): CompletionRequest => ({
  providerId: "vscode-lm",
  model: "copilot/gpt-5-mini",
  messages: [
    { role: "system", content: "You are a root agent." },
    { role: "user", content: "do it" },
    { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "read_file", arguments: '{"path":"a.ts"}' } }] },
    { role: "tool", tool_call_id: "c1", content: "file text" },
  ],
  tools: [{ type: "function", function: { name: "read_file", description: "Read", parameters: { type: "object" } } }],
  signal: new AbortController().signal,
  agent: { id: "a1", role: "root" },
  ...overrides,
});

describe("vscode-lm models as a ModelClient", () => {
  it("selects by vendor/family, maps the conversation and tools, and streams text and tool calls back", async () => {
    const { model, sent } = fakeModel([new LanguageModelTextPart("let me "), new LanguageModelTextPart("look"), new LanguageModelToolCallPart("c2", "list_files", { path: "." })]);
    const selectors: vscode.LanguageModelChatSelector[] = [];
    const client = new VscodeLmModelClient(fallback, { select: (selector) => (selectors.push(selector), Promise.resolve([model])) });
    const deltas: string[] = [];
    const result = await client.complete(request({ onProgress: (p) => p.textDelta && deltas.push(p.textDelta) }));
    assert.deepEqual(selectors, [{ vendor: "copilot", family: "gpt-5-mini" }]);
    assert.deepEqual(chatSelector("gpt-4o"), { family: "gpt-4o" });
    assert.deepEqual(chatSelector("byok/llama3:8b/models/llama3"), { vendor: "byok", family: "llama3:8b", id: "models/llama3" });
    const [first, second, third, fourth] = sent[0]?.messages ?? [];
    assert.deepEqual(first, LanguageModelChatMessage.User("You are a root agent."), "the system prompt goes in as a user message");
    assert.deepEqual(second, LanguageModelChatMessage.User("do it"));
    assert.deepEqual(third?.content, [new LanguageModelToolCallPart("c1", "read_file", { path: "a.ts" })]);
    assert.deepEqual(fourth?.content, [new LanguageModelToolResultPart("c1", [new LanguageModelTextPart("file text")])]);
    assert.deepEqual(sent[0]?.options.tools, [{ name: "read_file", description: "Read", inputSchema: { type: "object" } }]);
    assert.equal(result.content, "let me look");
    assert.deepEqual(deltas, ["let me ", "look"]);
    assert.deepEqual(result.toolCalls, [{ id: "c2", name: "list_files", arguments: '{"path":"."}' }]);
    assert.equal(result.finishReason, "tool_calls");
    assert.deepEqual(result.usage, { promptTokens: 40, completionTokens: "let me looklist_files".length + '{"path":"."}'.length });
    assert.equal(result.keyFingerprint, "vscode-lm");
  });

  it("turns VS Code's refusals into clear final errors", async () => {
    for (const [code, pattern] of [
      ["NoPermissions", /did not allow Subagents to use "vscode-lm:copilot\/gpt-5-mini"/],
      ["Blocked", /blocked the request to "vscode-lm:copilot\/gpt-5-mini".*choose another model/],
      ["NotFound", /has no model/],
    ] as const) {
      const { model, sent } = fakeModel(new LanguageModelError("nope", code));
      // A clock that never advances: a refusal must fail at once, never wait for a retry.
      await assert.rejects(new VscodeLmModelClient(fallback, { select: () => Promise.resolve([model]), clock: new ManualClock() }).complete(request()), pattern);
      assert.equal(sent.length, 1, `${code} is not retried`);
    }
    await assert.rejects(new VscodeLmModelClient(fallback, { select: () => Promise.resolve([]) }).complete(request()), /offers no model "vscode-lm:copilot\/gpt-5-mini"/);
  });

  it("backs off on a quota answer and retries, telling the caller that the streamed text restarted", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const limited = fakeModel(new LanguageModelError("Rate limit exceeded, try again later", "Unknown")).model;
    const { model: healthy } = fakeModel([new LanguageModelTextPart("done")]);
    const select = () => Promise.resolve([calls++ === 0 ? limited : healthy]);
    const client = new VscodeLmModelClient(fallback, { select, clock, backoffMs: [2_000] });
    const progress: Array<{ restarted?: boolean }> = [];
    const pending = client.complete(request({ onProgress: (p) => progress.push(p) }));
    await waitUntil("the back-off timer", () => clock.pendingTimers === 1);
    assert.equal(calls, 1, "no second request before the wait is over");
    clock.advance(2_000);
    const result = await pending;
    assert.equal(result.content, "done");
    assert.equal(result.attempts, 2);
    assert.ok(progress.some((p) => p.restarted === true));
  });

  it("tells quota answers (also in an Unknown error's cause) from refusals that waiting will not change", () => {
    assert.equal(isQuotaAnswer(new LanguageModelError("Rate limit exceeded", "Unknown")), true);
    assert.equal(isQuotaAnswer(Object.assign(new LanguageModelError("request failed", "Unknown"), { cause: new Error("429 Too Many Requests") })), true);
    assert.equal(isQuotaAnswer(new Error("You have exceeded your monthly quota")), true);
    assert.equal(isQuotaAnswer(new LanguageModelError("quota exceeded", "Blocked")), false, "Blocked is final, whatever it says");
    assert.equal(isQuotaAnswer(new Error("context length exceeded")), false);
  });

  it("leaves every other provider to the key-pool client", async () => {
    const client = new VscodeLmModelClient(fallback, { select: () => Promise.reject(new Error("not asked")) });
    assert.equal((await client.complete(request({ providerId: "openai" }))).content, "from the key pool");
    assert.deepEqual(fallback.seen, ["openai"]);
  });

  it("sends no pool key to the model, whatever the conversation holds", async () => {
    const key = ["sk", "vscodelm", "canary", "0123456789abcdef"].join("-");
    const redactor = new SecretRedactor(() => [key]);
    const { model, sent } = fakeModel([new LanguageModelTextPart("ok")]);
    const client = new VscodeLmModelClient(fallback, { select: () => Promise.resolve([model]), redactMessages: (messages) => redactor.redactEach(messages) });
    const read = `OPENAI_API_KEY=${key}\n`;
    await client.complete(request({ messages: [{ role: "system", content: "root" }, { role: "user", content: `the .env says ${read}` }, { role: "tool", tool_call_id: "c1", content: read }] }));
    const wire = JSON.stringify(sent[0]?.messages);
    assert.ok(wire.includes(".env says"), "the conversation was sent");
    for (let i = 0; i + 8 <= key.length; i++) assert.ok(!wire.includes(key.slice(i, i + 8)), `no 8-character piece of the key reaches the model (at ${i})`);
  });
});
