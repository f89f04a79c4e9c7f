import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse as parseJsonc } from "jsonc-parser";
import {
  DEFAULT_SETTINGS,
  isKeyless,
  modelNames,
  modelOptions,
  parseSettings,
  providerApi,
  requestOptions,
  rootModelRef,
  splitModelRef,
  type SettingKey,
} from "../../../src/core/settings/schema";

function parse(values: Partial<Record<SettingKey, unknown>>) {
  return parseSettings((key) => values[key]);
}

describe("settings", () => {
  it("uses defaults when nothing is set", () => {
    const { settings, problems } = parse({});
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.deepEqual(problems, []);
  });

  it("falls back per key and names the bad setting", () => {
    const { settings, problems } = parse({ maxConcurrentAgents: -3, maxSpawnDepth: 2, "approval.root": "sometimes" });
    assert.equal(settings.maxConcurrentAgents, 8);
    assert.equal(settings.maxSpawnDepth, 2);
    assert.equal(settings["approval.root"], "ask");
    assert.deepEqual(problems.map((p) => p.key).sort(), ["approval.root", "maxConcurrentAgents"]);
  });

  it("rejects a background timeout of 0 and accepts a foreground timeout of 0", () => {
    const { settings, problems } = parse({ "timeouts.backgroundSeconds": 0, "timeouts.foregroundSeconds": 0 });
    assert.equal(settings["timeouts.backgroundSeconds"], 900);
    assert.equal(settings["timeouts.foregroundSeconds"], 0);
    assert.deepEqual(problems.map((p) => p.key), ["timeouts.backgroundSeconds"]);
  });

  it("rejects provider ids with ':' and duplicate ids", () => {
    const bad = parse({ providers: [{ id: "a:b", baseUrl: "http://127.0.0.1:1/v1", models: ["m"] }] });
    assert.equal(bad.problems[0]?.key, "providers");
    const dup = parse({
      providers: [
        { id: "a", baseUrl: "http://127.0.0.1:1/v1", models: ["m"] },
        { id: "a", baseUrl: "http://127.0.0.1:2/v1", models: ["m"] },
      ],
    });
    assert.equal(dup.problems[0]?.key, "providers");
    assert.deepEqual(dup.settings.providers, DEFAULT_SETTINGS.providers);
  });

  it("splits model references at the first colon", () => {
    assert.deepEqual(splitModelRef("ollama:llama3:8b"), { providerId: "ollama", model: "llama3:8b" });
    assert.equal(splitModelRef("nocolon"), undefined);
    assert.equal(splitModelRef(":x"), undefined);
    assert.equal(rootModelRef(DEFAULT_SETTINGS), "openai:gpt-5-mini");
  });

  it("accepts optional per-model prices on a provider and rejects negative or non-numeric ones", () => {
    const provider = { id: "a", baseUrl: "http://127.0.0.1:1/v1", models: ["m"] };
    const prices = { m: { inputPerMillion: 0.25, outputPerMillion: 2 }, free: { inputPerMillion: 0, outputPerMillion: 0 } };
    const ok = parse({ providers: [{ ...provider, prices }] });
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.settings.providers[0]?.prices, prices);
    assert.deepEqual(parse({ providers: [provider] }).problems, [], "prices stay optional");
    for (const bad of [
      { m: { inputPerMillion: -1, outputPerMillion: 2 } },
      { m: { inputPerMillion: 1 } },
      { m: { inputPerMillion: "1", outputPerMillion: 2 } },
      { m: { inputPerMillion: Number.POSITIVE_INFINITY, outputPerMillion: 2 } },
      { m: { inputPerMillion: Number.NaN, outputPerMillion: 2 } },
      { m: 3 },
    ]) {
      const result = parse({ providers: [{ ...provider, prices: bad }] });
      assert.equal(result.problems[0]?.key, "providers", JSON.stringify(bad));
      assert.match(result.problems[0]?.message ?? "", /prices/);
      assert.deepEqual(result.settings.providers, DEFAULT_SETTINGS.providers);
    }
  });

  it("accepts providers with an api, keyless auth, a concurrency cap, model options and cached prices", () => {
    const providers = [
      { id: "oai", baseUrl: "https://api.openai.com/v1", api: "responses", models: [{ name: "gpt-5", reasoningEffort: "high", contextWindow: 400_000 }, "gpt-5-mini"] },
      { id: "claude", baseUrl: "https://api.anthropic.com/v1", api: "anthropic", models: ["claude-sonnet-4-5"], prices: { "claude-sonnet-4-5": { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 } } },
      { id: "local", baseUrl: "http://127.0.0.1:8080/v1", auth: "none", maxConcurrent: 2, models: ["qwen"] },
    ];
    const { settings, problems } = parse({ providers, model: "oai:gpt-5" });
    assert.deepEqual(problems, []);
    const [oai, claude, local] = settings.providers;
    assert.ok(oai && claude && local);
    assert.deepEqual(modelNames(oai), ["gpt-5", "gpt-5-mini"]);
    assert.deepEqual(modelOptions(oai, "gpt-5"), { name: "gpt-5", reasoningEffort: "high", contextWindow: 400_000 });
    assert.deepEqual(modelOptions(oai, "gpt-5-mini"), { name: "gpt-5-mini" });
    assert.equal(modelOptions(oai, "gpt-4"), undefined);
    assert.equal(providerApi(oai), "responses");
    assert.equal(providerApi(local), "chat", "chat is the default");
    assert.equal(isKeyless(local), true);
    assert.equal(isKeyless(oai), false);
    assert.equal(claude.prices?.["claude-sonnet-4-5"]?.cachedInputPerMillion, 0.3);
    assert.equal(rootModelRef({ ...settings, model: "" }), "oai:gpt-5", "the first model of an object entry");
  });

  it("takes a reasoning effort per provider, overridden by the model entry's and then the agent type's", () => {
    const { settings, problems } = parse({
      providers: [{ id: "p", baseUrl: "https://example.com/v1", reasoningEffort: "low", models: ["plain", { name: "tuned", reasoningEffort: "high" }] }],
    });
    assert.deepEqual(problems, []);
    const [provider] = settings.providers;
    assert.ok(provider);
    assert.equal(requestOptions(provider, "plain")?.reasoningEffort, "low");
    assert.equal(requestOptions(provider, "tuned")?.reasoningEffort, "high");
    assert.equal(requestOptions(provider, "plain", "minimal")?.reasoningEffort, "minimal");
    assert.equal(requestOptions(provider, "tuned", "none")?.reasoningEffort, "none");
    assert.equal(requestOptions({ ...provider, reasoningEffort: undefined }, "plain")?.reasoningEffort, undefined);
  });

  it("accepts the README's provider examples as they are written", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const block = /```jsonc\n("subagents\.providers": \[[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(block, "the README has a subagents.providers example");
    const values = parseJsonc(`{${block}}`) as Partial<Record<string, unknown>>;
    const { settings, problems } = parse({ providers: values["subagents.providers"], model: values["subagents.model"], subagentModel: values["subagents.subagentModel"] });
    assert.deepEqual(problems, []);
    const apis = settings.providers.map((p) => `${p.id}:${providerApi(p)}${isKeyless(p) ? ":keyless" : ""}`);
    assert.deepEqual(apis, ["openai:responses", "anthropic:anthropic", "openrouter:chat", "local:chat:keyless", "ollama:chat:keyless"]);
  });

  it("rejects an unknown api, auth, model option or negative cached price, and keeps the default providers", () => {
    const base = { id: "p", baseUrl: "https://example.com/v1", models: ["m"] };
    const bad = [
      { ...base, api: "completions" },
      { ...base, auth: "basic" },
      { ...base, maxConcurrent: 0 },
      { ...base, models: [{ name: "m", reasoningEffort: "extreme" }] },
      { ...base, reasoningEffort: "max" },
      { ...base, models: [{ name: "m", contextwindow: 8192 }] },
      { ...base, models: [{ contextWindow: 8192 }] },
      { ...base, prices: { m: { inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: -1 } } },
    ];
    for (const provider of bad) {
      const { settings, problems } = parse({ providers: [provider] });
      assert.deepEqual(problems.map((p) => p.key), ["providers"], JSON.stringify(provider));
      assert.deepEqual(settings.providers, DEFAULT_SETTINGS.providers);
    }
  });
});
