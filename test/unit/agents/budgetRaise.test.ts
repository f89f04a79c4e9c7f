import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { checkRaise, effectiveLimits } from "../../../src/core/agents/taskLimits";
import type { ChatMessage } from "../../../src/core/llm/modelClient";
import { assertQuiet, byName, createKit, type AgentTestKit } from "../../fakes/agentTestKit";
import { MemoryTranscriptStore, MemoryTreeStore } from "../../fakes/memoryStores";
import { ScriptedModelClient } from "../../fakes/scriptedModelClient";
import { waitUntil } from "../../fakes/polling";

/** Raising a task's budget from the tree: that task only, checked, remembered across a reload. */
const kits: AgentTestKit[] = [];
afterEach(() => {
  for (const k of kits.splice(0)) k.service.dispose();
});

const WRAP_UP = /The budget is spent/;
const RAISED = /raised this task's budget \(now 5000 tokens\)/;
const saw = (messages: readonly ChatMessage[], pattern: RegExp) =>
  messages.some((m) => m.role === "user" && typeof m.content === "string" && pattern.test(m.content));
const spawn = (name: string) => ({ name: "spawn_agent", arguments: { task: `do ${name}`, name } });

describe("raising a task's budget", () => {
  it("clears the reached state, lets children start again and tells the agent that was told to wrap up", async () => {
    let rootId = "";
    let reachedBeforeRaise: boolean | undefined;
    const client = new ScriptedModelClient((call) => {
      if (call.role === "subagent") return { text: `${call.task} done`, usage: { promptTokens: 600, completionTokens: 10 } };
      if (call.turn === 0) return { toolCalls: [spawn("first")], usage: { promptTokens: 400, completionTokens: 10 } };
      if (call.turn === 1) {
        // The user raises the budget while the root, just told to wrap up, is thinking.
        assert.ok(saw(call.messages, WRAP_UP), "the root was told the budget is spent");
        reachedBeforeRaise = kit.service.get(rootId)?.budget?.reached;
        kit.service.raiseBudget(rootId, "maxTokens", 5000);
        return { toolCalls: [spawn("second")], usage: { promptTokens: 10, completionTokens: 10 } };
      }
      return { text: saw(call.messages, RAISED) ? "went on" : "not told", usage: { promptTokens: 10, completionTokens: 10 } };
    });
    const kit = createKit(client, { settings: { "budget.maxTokensPerTask": 1000 } });
    kits.push(kit);
    const run = kit.service.runRoot({ task: "spend" });
    rootId = run.agentId;
    const final = await run.done;

    assert.equal(reachedBeforeRaise, true, "the tree showed the budget reached");
    assert.equal(final.status, "completed", final.statusReason);
    assert.equal(final.result, "went on");
    assert.equal(byName(kit.service, "second")?.status, "completed", "a child started after the raise");
    assert.deepEqual(final.budget, { maxTokens: 5000 }, "within the raised budget, no longer reached");
    assert.deepEqual(final.budgetRaise, { maxTokens: 5000 });
    assert.equal(kit.settings["budget.maxTokensPerTask"], 1000, "the setting is unchanged");
    await assertQuiet(kit);
  });

  it("is told again when the raised budget is spent too", async () => {
    let rootId = "";
    const client = new ScriptedModelClient((call) => {
      if (call.turn === 0) return { toolCalls: [{ name: "list_files", arguments: {} }], usage: { promptTokens: 1000, completionTokens: 0 } };
      if (call.turn === 1) {
        kit.service.raiseBudget(rootId, "maxTokens", 2000);
        return { toolCalls: [{ name: "list_files", arguments: {} }], usage: { promptTokens: 1000, completionTokens: 0 } };
      }
      const told = call.messages.filter((m) => m.role === "user" && typeof m.content === "string" && WRAP_UP.test(m.content)).length;
      return { text: `told ${told} times` };
    });
    const kit = createKit(client, { settings: { "budget.maxTokensPerTask": 1000 } });
    kits.push(kit);
    const run = kit.service.runRoot({ task: "spend twice" });
    rootId = run.agentId;
    const final = await run.done;
    assert.equal(final.result, "told 2 times");
    assert.match(final.statusReason ?? "", /finished/);
    assert.equal(final.budget?.reached, true);
    await assertQuiet(kit);
  });

  it("says nothing to the agents while the other kind of limit is still spent", async () => {
    let rootId = "";
    const seen: number[] = [];
    const client = new ScriptedModelClient((call) => {
      seen.push(call.messages.filter((m) => m.role === "user" && typeof m.content === "string" && /raised this task's budget/.test(m.content)).length);
      if (call.turn === 1) kit.service.raiseBudget(rootId, "maxTokens", 5000);
      if (call.turn === 2) kit.service.raiseBudget(rootId, "maxCostUsd", 1);
      if (call.turn < 3) return { toolCalls: [{ name: "list_files", arguments: {} }], usage: { promptTokens: call.turn === 0 ? 1000 : 1, completionTokens: 0 } };
      return { text: "done" };
    });
    const providers = [{ id: "alpha", baseUrl: "http://127.0.0.1:9/v1", models: ["m-alpha"], prices: { "m-alpha": { inputPerMillion: 1, outputPerMillion: 1 } } }];
    const kit = createKit(client, { settings: { providers, "budget.maxTokensPerTask": 1000, "budget.maxCostPerTask": 0.0005 } });
    kits.push(kit);
    const run = kit.service.runRoot({ task: "spend both" });
    rootId = run.agentId;
    const final = await run.done;
    assert.equal(final.status, "completed", final.statusReason);
    assert.deepEqual(seen, [0, 0, 0, 1], "told once both limits were raised, not after the first");
    assert.deepEqual(final.budget, { maxTokens: 5000, maxCostUsd: 1 });
    await assertQuiet(kit);
  });

  it("refuses a subagent, an unknown id, a limit that is off, and a value not above the limit or the spend", async () => {
    const client = new ScriptedModelClient((call) =>
      call.role === "root" && call.turn === 0
        ? { toolCalls: [spawn("child")], usage: { promptTokens: 700, completionTokens: 0 } }
        : { text: "done", usage: { promptTokens: 700, completionTokens: 0 } },
    );
    const kit = createKit(client, { settings: { "budget.maxTokensPerTask": 1000 } });
    kits.push(kit);
    const final = await kit.service.runRoot({ task: "spend" }).done;
    const child = byName(kit.service, "child")!;
    const spent = final.subtreeTokensIn + final.subtreeTokensOut;
    assert.ok(spent > 1000, `spent ${spent}`);

    assert.throws(() => kit.service.raiseBudget(child.id, "maxTokens", 9000), /is a subagent; .* raise it on the task's root agent/);
    assert.throws(() => kit.service.raiseBudget("nope", "maxTokens", 9000), /No agent with id "nope"/);
    assert.throws(() => kit.service.raiseBudget(final.id, "maxCostUsd", 5), /no cost budget \(subagents\.budget\.maxCostPerTask is 0\)/);
    assert.throws(() => kit.service.raiseBudget(final.id, "maxTokens", spent), new RegExp(`more than ${spent} tokens \\(what the task has already spent\\)`));
    assert.throws(() => kit.service.raiseBudget(final.id, "maxTokens", spent + 0.5), /whole number/);
    assert.throws(() => kit.service.raiseBudget(final.id, "maxTokens", Number.NaN), /whole number/);
    assert.deepEqual(kit.service.get(final.id)?.budget, { maxTokens: 1000, reached: true }, "nothing changed");
    assert.equal(kit.service.get(final.id)?.budgetRaise, undefined);
    await assertQuiet(kit);
  });

  it("is saved with the tree and comes back after a reload", async () => {
    const treeStore = new MemoryTreeStore();
    const transcripts = new MemoryTranscriptStore();
    const client = new ScriptedModelClient(() => ({ text: "done", usage: { promptTokens: 1500, completionTokens: 0 } }));
    const settings = { "budget.maxTokensPerTask": 1000 };
    const first = createKit(client, { settings, treeStore, transcripts });
    kits.push(first);
    const final = await first.service.runRoot({ task: "spend" }).done;
    first.service.raiseBudget(final.id, "maxTokens", 4000);
    await waitUntil("a save with the raise", () => treeStore.saved.find((a) => a.id === final.id)?.budgetRaise?.maxTokens === 4000);
    first.service.dispose();

    const second = createKit(new ScriptedModelClient(() => ({ text: "unused" })), { settings, treeStore, transcripts });
    kits.push(second);
    await second.service.ready;
    assert.deepEqual(second.service.get(final.id)?.budget, { maxTokens: 4000 });
    // A setting turned off turns the budget off, raise or not; turned up past the raise, the setting wins.
    second.settings["budget.maxTokensPerTask"] = 0;
    assert.equal(second.service.get(final.id)?.budget, undefined);
    second.settings["budget.maxTokensPerTask"] = 8000;
    assert.deepEqual(second.service.get(final.id)?.budget, { maxTokens: 8000 });
    await assertQuiet(second);
  });
});

describe("budget limits", () => {
  it("a raise applies per kind, only while that kind's setting is on, and the larger of setting and raise wins", () => {
    assert.deepEqual(effectiveLimits({ maxTokens: 1000, maxCostUsd: 2 }, { maxTokens: 3000 }), { maxTokens: 3000, maxCostUsd: 2 });
    assert.deepEqual(effectiveLimits({ maxTokens: 0, maxCostUsd: 2 }, { maxTokens: 3000, maxCostUsd: 1 }), { maxTokens: 0, maxCostUsd: 2 });
    assert.deepEqual(effectiveLimits({ maxTokens: 1000, maxCostUsd: 0 }, undefined), { maxTokens: 1000, maxCostUsd: 0 });
  });

  it("a new limit must be above both the current limit and the spend, within the settings' bounds", () => {
    const limits = { maxTokens: 1000, maxCostUsd: 1 };
    assert.throws(() => checkRaise("maxTokens", 900, limits, { tokens: 500, costUsd: 0.5 }), /more than 1000 tokens \(the current limit\)/);
    assert.doesNotThrow(() => checkRaise("maxTokens", 1001, limits, { tokens: 500, costUsd: 0.5 }));
    assert.throws(() => checkRaise("maxCostUsd", 1.2, limits, { tokens: 0, costUsd: 1.23456 }), /more than \$1\.2346 \(what the task has already spent\)/);
    assert.doesNotThrow(() => checkRaise("maxCostUsd", 1.5, limits, { tokens: 0, costUsd: 1.23456 }));
    assert.doesNotThrow(() => checkRaise("maxCostUsd", 1.5, limits, { tokens: 0, costUsd: undefined }), "unpriced: nothing spent");
    assert.throws(() => checkRaise("maxCostUsd", Infinity, limits, { tokens: 0, costUsd: 0 }), /number of US dollars/);
    assert.throws(() => checkRaise("maxTokens", 2e12, limits, { tokens: 0, costUsd: 0 }), /at most 1000000000000/);
  });
});
