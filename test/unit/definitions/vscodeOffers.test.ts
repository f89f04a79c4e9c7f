import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseVscodeOffers } from "../../../src/core/definitions/vscodeOffers";

describe("VS Code's models and tools offered to definition completion", () => {
  it("is no answer when the extension sends something else", () => {
    for (const raw of [null, undefined, "models", 42, []]) assert.equal(parseVscodeOffers(raw), undefined, JSON.stringify(raw));
  });

  it("keeps what inserts as one plain YAML value, once, and cuts long lists and descriptions short", () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ name: `tool_${i}`, description: "d".repeat(2000) }));
    const parsed = parseVscodeOffers({
      models: ["vscode-lm:copilot/gpt-5", "vscode-lm:copilot/gpt-5", "vscode-lm:a: b", 7],
      tools: [{ name: "x # comment", description: "" }, ...many],
    });
    assert.deepEqual(parsed?.models, ["vscode-lm:copilot/gpt-5"]);
    assert.equal(parsed?.tools.length, 500);
    assert.equal(parsed?.tools[0]?.name, "tool_0");
    assert.equal(parsed?.tools[0]?.description.length, 500);
  });

  it("reads a list it cannot use as empty rather than refusing the rest", () => {
    assert.deepEqual(parseVscodeOffers({ models: "none", tools: [{ name: "ok_tool", description: 3 }] }), { models: [], tools: [{ name: "ok_tool", description: "" }] });
  });
});
