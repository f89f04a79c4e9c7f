import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { silentLogger } from "../../../src/core/common/logger";
import { SettingsReader } from "../../../src/host/settings/settingsReader";
import { resetShim, setConfig, shimState } from "../../fakes/vscodeShim";

describe("settings reader", () => {
  const ui = shimState.ui;
  beforeEach(() => resetShim());

  const warnings = () => ui.messages.filter((m) => m.level === "warning").map((m) => m.message);

  it("uses the defaults when nothing is set, with no warning", () => {
    const reader = new SettingsReader(silentLogger);
    assert.equal(reader.current.maxConcurrentAgents, 8);
    assert.equal(reader.current.providers[0]?.envPrefix, "OPENAI_API_KEY");
    assert.deepEqual(warnings(), []);
    reader.dispose();
  });

  it("falls back per bad setting with one warning naming it, and keeps the good ones", () => {
    shimState.config.set("subagents.maxConcurrentAgents", -2);
    shimState.config.set("subagents.maxSpawnDepth", 3);
    shimState.config.set("subagents.timeouts.backgroundSeconds", 0);
    const reader = new SettingsReader(silentLogger);
    assert.equal(reader.current.maxConcurrentAgents, 8);
    assert.equal(reader.current.maxSpawnDepth, 3);
    assert.equal(reader.current["timeouts.backgroundSeconds"], 900);
    const shown = warnings();
    assert.equal(shown.length, 2);
    assert.match(shown.find((m) => m.includes("maxConcurrentAgents")) ?? "", /"subagents\.maxConcurrentAgents" is invalid: .*Using the default 8/);
    assert.match(shown.find((m) => m.includes("backgroundSeconds")) ?? "", /"subagents\.timeouts\.backgroundSeconds" is invalid/);
    assert.deepEqual(ui.messages[0]?.items, ["Open Settings"]);
    reader.dispose();
  });

  it("applies changes without reload and warns once per bad value, not on every change", () => {
    const reader = new SettingsReader(silentLogger);
    const seen: number[] = [];
    reader.onDidChange((s) => seen.push(s.maxConcurrentAgents));
    setConfig("subagents.maxConcurrentAgents", 2);
    assert.equal(reader.current.maxConcurrentAgents, 2);
    setConfig("subagents.providers", [{ id: "bad:id", baseUrl: "http://127.0.0.1:1/v1", models: ["m"] }]);
    setConfig("subagents.maxQueuedAgents", 5);
    setConfig("files.exclude", {});
    assert.equal(warnings().length, 1);
    assert.match(warnings()[0] ?? "", /"subagents\.providers" is invalid: a provider id must not contain ':'.*Using its default/);
    assert.equal(reader.current.providers[0]?.id, "openai");
    assert.equal(reader.current.maxQueuedAgents, 5);
    setConfig("subagents.providers", [{ id: "x", baseUrl: "not a url", models: ["m"] }]);
    assert.equal(warnings().length, 2);
    setConfig("subagents.providers", undefined);
    setConfig("subagents.providers", [{ id: "bad:id", baseUrl: "http://127.0.0.1:1/v1", models: ["m"] }]);
    assert.equal(warnings().length, 3, "a value that was fixed and broken again warns again");
    assert.deepEqual(seen, [2, 2, 2, 2, 2, 2]);
    reader.dispose();
  });
});
