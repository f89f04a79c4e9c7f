import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveChildModel, resolveResumeModel, resolveRootModel } from "../../../src/core/agents/modelResolution";
import { parseVscodeLmModel, vscodeLmRef } from "../../../src/core/llm/vscodeLmRef";
import { vscodeLmCap } from "../../../src/core/scheduler/providerCaps";
import { DEFAULT_SETTINGS, type Settings } from "../../../src/core/settings/schema";

const settings: Settings = { ...DEFAULT_SETTINGS, providers: [{ id: "openai", baseUrl: "https://example.invalid/v1", models: ["gpt-5-mini"] }] };

describe("vscode-lm model references", () => {
  it("parse vendor/family, an optional id (which may contain '/'), or a bare family", () => {
    assert.deepEqual(parseVscodeLmModel("copilot/gpt-5-mini"), { vendor: "copilot", family: "gpt-5-mini" });
    assert.deepEqual(parseVscodeLmModel("byok/llama3:8b/models/llama3"), { vendor: "byok", family: "llama3:8b", id: "models/llama3" });
    assert.deepEqual(parseVscodeLmModel("gpt-4o"), { family: "gpt-4o" });
    for (const bad of ["", "/gpt", "copilot/", "copilot/gpt/", "copilot/gpt 5"]) assert.equal(parseVscodeLmModel(bad), undefined, bad);
    assert.equal(vscodeLmRef({ vendor: "copilot", family: "gpt-5-mini", id: "gpt-5-mini" }), "vscode-lm:copilot/gpt-5-mini");
    assert.equal(vscodeLmRef({ vendor: "test", family: "fake", id: "fake-1" }), "vscode-lm:test/fake/fake-1");
  });

  it("are accepted wherever a model is chosen, without an entry in subagents.providers", () => {
    assert.deepEqual(resolveRootModel("vscode-lm:copilot/gpt-5-mini", settings), { providerId: "vscode-lm", model: "copilot/gpt-5-mini" });
    assert.deepEqual(resolveRootModel(undefined, { ...settings, model: "vscode-lm:copilot/gpt-5-mini" }), { providerId: "vscode-lm", model: "copilot/gpt-5-mini" });
    const parent = { providerId: "openai", model: "gpt-5-mini" };
    // spawn_agent's model, a definition's model: and subagents.subagentModel all resolve through here.
    const copilotUser = { ...settings, model: "vscode-lm:copilot/gpt-5-mini" };
    assert.deepEqual(resolveChildModel("vscode-lm:copilot/gpt-5", parent, copilotUser), { providerId: "vscode-lm", model: "copilot/gpt-5" });
    assert.deepEqual(resolveChildModel(undefined, parent, { ...settings, subagentModel: "vscode-lm:copilot/gpt-5" }), { providerId: "vscode-lm", model: "copilot/gpt-5" });
    const copilotParent = { providerId: "vscode-lm", model: "copilot/gpt-5" };
    assert.deepEqual(resolveChildModel("vscode-lm:copilot/gpt-4o", copilotParent, settings), { providerId: "vscode-lm", model: "copilot/gpt-4o" });
    // A bare model under a vscode-lm parent is a family of VS Code's models: of any vendor, so only a user's own vendorless choice allows it.
    const vendorless = { providerId: "vscode-lm", model: "gpt-4o" };
    assert.deepEqual(resolveChildModel("gpt-4o", vendorless, settings), { providerId: "vscode-lm", model: "gpt-4o" });
    assert.deepEqual(resolveResumeModel(undefined, { providerId: "vscode-lm", model: "copilot/gpt-5" }, settings), { providerId: "vscode-lm", model: "copilot/gpt-5" });
  });

  it("chosen by an agent type or a model, must be of a vendor the user chose", () => {
    const openaiParent = { providerId: "openai", model: "gpt-5-mini" };
    const copilotParent = { providerId: "vscode-lm", model: "copilot/gpt-5" };
    const refused = /a VS Code model of a vendor you have not chosen/;
    // The user runs on OpenAI only: a workspace definition or a model cannot move agents to Copilot's quota.
    assert.throws(() => resolveChildModel("vscode-lm:copilot/gpt-5", openaiParent, settings), refused);
    // On Copilot, another vendor's model (or a family of any vendor) is not theirs to pick either.
    assert.throws(() => resolveChildModel("vscode-lm:othervendor/big-model", copilotParent, settings), refused);
    assert.throws(() => resolveChildModel("gpt-4o", copilotParent, settings), refused);
    assert.throws(() => resolveChildModel("vscode-lm:gpt-4o", { providerId: "vscode-lm", model: "gpt-5" }, settings), refused);
    // The user's own settings are their choice, whatever the parent runs on.
    assert.deepEqual(resolveChildModel(undefined, openaiParent, { ...settings, subagentModel: "vscode-lm:othervendor/big-model" }), { providerId: "vscode-lm", model: "othervendor/big-model" });
  });

  it("name what is wrong with a malformed reference, and unknown providers point at vscode-lm", () => {
    assert.throws(() => resolveRootModel("vscode-lm:copilot/", settings), /not a VS Code model reference; expected "vscode-lm:<vendor>\/<family>"/);
    assert.throws(() => resolveRootModel("copilot:gpt-5", settings), /not in subagents.providers.*"vscode-lm:<vendor>\/<family>" for a model VS Code offers/);
  });

  it("have their own concurrency cap, under the global one", () => {
    assert.equal(vscodeLmCap(8, DEFAULT_SETTINGS["vscodeLm.maxConcurrent"]), 4);
    assert.equal(vscodeLmCap(2, 4), 2);
    assert.equal(vscodeLmCap(8, 0), 1);
  });
});
