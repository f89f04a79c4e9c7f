import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContextMeter } from "../../../src/core/context/contextMeter";
import { countTextTokens, loadTokenizer } from "../../../src/core/context/tokenCount";
import type { ToolSpec } from "../../../src/core/llm/modelClient";

function spec(name: string, description: string): ToolSpec {
  return Object.freeze({
    type: "function",
    function: { name, description, parameters: { type: "object", properties: { path: { type: "string" } } } },
  }) as ToolSpec;
}

describe("ContextMeter", () => {
  it("counts each tool definition and one separator per definition", async () => {
    await loadTokenizer("o200k_base");
    const specs = [spec("read_file", "Reads a file of the workspace"), spec("list_files", "Lists the files under a folder")];
    const meter = new ContextMeter("o200k_base", 128_000);
    const expected = specs.reduce((sum, s) => sum + countTextTokens(JSON.stringify(s), "o200k_base") + 1, 0);
    assert.equal(meter.tools(specs), expected);
    assert.equal(meter.tools([]), 0);
  });

  it("gives every meter the same count for a shared definition, whichever list it comes in", async () => {
    await loadTokenizer("o200k_base");
    const shared = spec("search_text", "Searches the workspace for a pattern");
    const own = spec("run_command", "Runs an allowed command");
    const first = new ContextMeter("o200k_base", 128_000);
    const second = new ContextMeter("o200k_base", 128_000);
    const alone = first.tools([shared]);
    assert.equal(second.tools([own, shared]), second.tools([own]) + alone);
    // The other tokenizer counts the same definition by its own rule.
    const estimate = new ContextMeter("length_estimate", 128_000);
    assert.equal(estimate.tools([shared]), countTextTokens(JSON.stringify(shared), "length_estimate") + 1);
  });

  it("counts a message once and includes its tool calls", () => {
    const meter = new ContextMeter("length_estimate", 128_000);
    const message = {
      role: "assistant" as const,
      content: "abcdef",
      tool_calls: [{ id: "c1", type: "function" as const, function: { name: "read_file", arguments: '{"path":"a"}' } }],
    };
    const expected = 4 + 2 + 4 + countTextTokens("read_file", "length_estimate") + countTextTokens('{"path":"a"}', "length_estimate");
    assert.equal(meter.message(message), expected);
    assert.equal(meter.messages([message, message]), expected * 2);
  });
});
