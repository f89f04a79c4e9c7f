import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { newAgentRecord } from "../../../src/core/agents/agentRecord";
import { AgentRegistry } from "../../../src/core/agents/agentRegistry";
import { priceLookup } from "../../../src/core/agents/pricing";
import { budgetSpent } from "../../../src/core/agents/taskBudget";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";
import { spawnCall, startLiveKit, type LiveKit } from "../../fakes/liveModelKit";
import { TrackingClock } from "../../fakes/trackingClock";

/** A budget per task: once a tree has used it, no child starts and every agent is told to wrap up. */
let kit: LiveKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const WRAP_UP = /The budget is spent/;

describe("task budget", { timeout: 60_000 }, () => {
  it("once the tree's tokens reach the budget, spawns are refused and running agents are told to answer", async () => {
    kit = await startLiveKit({
      keyCount: 1,
      settings: { "budget.maxTokensPerTask": 1000 },
      script: (v) => {
        const told = v.messages.some((m) => m.role === "user" && typeof m.content === "string" && WRAP_UP.test(m.content));
        if (v.role === "root") {
          if (v.turn === 0) return { toolCalls: [spawnCall("first")], usage: { prompt_tokens: 400, completion_tokens: 10 } };
          if (v.turn === 1) return { toolCalls: [spawnCall("second")], usage: { prompt_tokens: 400, completion_tokens: 10 } };
          return { text: told ? "wrapped up" : "not told", usage: { prompt_tokens: 10, completion_tokens: 10 } };
        }
        return { text: "child result", usage: { prompt_tokens: 600, completion_tokens: 10 } };
      },
    });
    const final = await kit.service.runRoot({ task: "spend" }).done;
    assert.equal(final.status, "completed", final.statusReason);
    const names = kit.service.snapshot().filter((a) => a.parentId === final.id).map((a) => a.name);
    assert.deepEqual(names, ["first"], "the second spawn came after the budget was spent");
    const refusal = (await kit.transcripts.read(final.id)).find((e) => e.type === "tool_result" && !e.ok);
    assert.match(refusal?.type === "tool_result" ? refusal.content : "", /no new subagent: this task has used \d+ of its 1000 tokens/);
    assert.equal(final.result, "wrapped up");
    const root = kit.service.get(final.id);
    assert.deepEqual(root?.budget, { maxTokens: 1000, reached: true }, "the root carries the budget and that it is reached, for the tree to show spend against it");
    assert.equal(kit.service.snapshot().find((a) => a.name === "first")?.budget, undefined, "only roots carry it");
  });

  it("without a budget nothing is refused and nobody is told to wrap up", async () => {
    kit = await startLiveKit({
      keyCount: 1,
      script: (v) => {
        const told = v.messages.some((m) => m.role === "user" && typeof m.content === "string" && WRAP_UP.test(m.content));
        if (v.role === "root") {
          if (v.turn < 2) return { toolCalls: [spawnCall(`child ${v.turn}`)], usage: { prompt_tokens: 400_000, completion_tokens: 10 } };
          return { text: told ? "told" : "free" };
        }
        return { text: "child result", usage: { prompt_tokens: 600_000, completion_tokens: 10 } };
      },
    });
    const final = await kit.service.runRoot({ task: "spend" }).done;
    assert.equal(final.result, "free");
    assert.equal(kit.service.snapshot().filter((a) => a.parentId === final.id).length, 2);
  });

  it("a cost budget counts the subtree's priced agents, cached input at its own price", () => {
    const providers = [{ id: "p", baseUrl: "https://example.com/v1", models: ["m"], prices: { m: { inputPerMillion: 10, outputPerMillion: 10, cachedInputPerMillion: 1 } } }];
    const registry = new AgentRegistry(new TrackingClock(), () => priceLookup(providers));
    const base = { rootId: "root", background: false, createdAt: 0, timeoutSeconds: undefined, task: "t", providerId: "p", model: "m" };
    const root = newAgentRecord({ id: "root", name: "root", parentId: null, depth: 0, role: "root", ...base });
    const child = newAgentRecord({ id: "child", name: "child", parentId: "root", depth: 1, role: "leaf", ...base });
    registry.add(root);
    registry.add(child);
    const settings = { ...DEFAULT_SETTINGS, providers, "budget.maxCostPerTask": 1 };
    child.tokensIn = 100_000; // $1 uncached
    child.cachedTokensIn = 90_000; // $0.10 + $0.09
    assert.equal(budgetSpent(settings, registry, "child"), undefined, "$0.19 of $1");
    child.cachedTokensIn = 0;
    assert.match(budgetSpent(settings, registry, "child") ?? "", /spent \$1\.0000 of its \$1 budget/);
    assert.equal(budgetSpent({ ...settings, "budget.maxCostPerTask": 0 }, registry, "child"), undefined, "0 = no limit");
  });
});
