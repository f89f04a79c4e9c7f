import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { malformedToolCalls, StreamAssembler } from "../../../src/core/llm/streamAssembler";

function chunk(delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionChunk.Choice["finish_reason"] = null): ChatCompletionChunk {
  return { id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
}

describe("StreamAssembler", () => {
  it("joins interleaved tool-call fragments by index and keeps the first id", () => {
    const a = new StreamAssembler();
    a.add(chunk({ role: "assistant", content: "Let me look. " }));
    a.add(chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "list_files", arguments: "" } }] }));
    a.add(chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "read_file", arguments: '{"pa' } }] }));
    a.add(chunk({ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }));
    a.add(chunk({ tool_calls: [{ index: 0, id: "call_a", function: { arguments: 'th":"x"}' } }] }));
    assert.equal(a.finished, false);
    a.add(chunk({}, "tool_calls"));
    a.add({ ...chunk({}), choices: [], usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 } });
    const result = a.result();
    assert.equal(result.content, "Let me look. ");
    assert.deepEqual(result.toolCalls, [
      { id: "call_a", name: "read_file", arguments: '{"path":"x"}' },
      { id: "call_b", name: "list_files", arguments: "{}" },
    ]);
    assert.deepEqual(result.usage, { promptTokens: 5, completionTokens: 9 });
    assert.equal(result.finishReason, "tool_calls");
  });

  it("flags arguments that are not a JSON object; empty means no arguments", () => {
    const calls = [
      { id: "1", name: "a", arguments: "" },
      { id: "2", name: "b", arguments: '{"x":1}' },
      { id: "3", name: "c", arguments: '{"x":' },
      { id: "4", name: "d", arguments: "[1]" },
    ];
    assert.deepEqual(malformedToolCalls(calls).map((c) => c.id), ["3", "4"]);
  });
});
