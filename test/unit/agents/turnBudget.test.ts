import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromSnapshot } from "../../../src/core/agents/agentRecord";
import { turnBudgetMessage } from "../../../src/core/agents/agentLoop";
import { AgentDefinitions } from "../../../src/core/definitions/agentDefinitions";
import { createAgentTypeResolver } from "../../../src/core/definitions/agentTypeResolver";
import { parseDefinitionFile } from "../../../src/core/definitions/parseDefinition";
import { DEFAULT_SETTINGS, parseSettings } from "../../../src/core/settings/schema";
import {assertQuiet, byName, scriptedKitPerTest, spawnCall, TEST_PROVIDERS } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";
import type { ScriptedCall } from "../../fakes/scriptedModelClient";

const start = scriptedKitPerTest();
const lastUser = (call: ScriptedCall) => String([...call.messages].reverse().find((m) => m.role === "user")?.content ?? "");

describe("turn budget", () => {
  it("defaults to 200 turns and refuses values outside 1..10000", () => {
    assert.equal(DEFAULT_SETTINGS.maxTurns, 200);
    const bad = parseSettings((key) => (key === "maxTurns" ? 0 : undefined));
    assert.equal(bad.settings.maxTurns, 200);
    assert.deepEqual(bad.problems.map((p) => p.key), ["maxTurns"]);
    assert.equal(parseSettings((key) => (key === "maxTurns" ? 20_000 : undefined)).problems.length, 1);
    assert.equal(parseSettings((key) => (key === "maxTurns" ? 350 : undefined)).settings.maxTurns, 350);
  });

  it("gives the agent one last turn without tools at the limit and completes with a note", async () => {
    const { client, kit } = start((call) =>
      call.tools.length === 0
        ? { text: "listed the files five times; nothing else to do" }
        : { text: `turn ${call.turn}`, toolCalls: [{ name: "list_files", arguments: {} }] },
      { settings: { maxTurns: 5 } },
    );
    const final = await kit.service.runRoot({ task: "loop forever" }).done;
    assert.equal(final.status, "completed");
    assert.equal(final.result, "listed the files five times; nothing else to do");
    assert.match(final.statusReason ?? "", /turn budget of 5 turns reached/);
    assert.equal(client.calls.length, 6, "five turns with tools and one without");
    assert.ok(client.calls.slice(0, 5).every((c) => c.tools.length > 0));
    const last = client.calls[5];
    assert.ok(last);
    assert.equal(last.tools.length, 0);
    assert.equal(lastUser(last), turnBudgetMessage(5));
    assert.equal(final.toolCount, 5);
    await assertQuiet(kit);
  });

  it("fails with the partial output when the last turn gives no answer", async () => {
    const { kit } = start((call) =>
      call.tools.length === 0 ? { text: "" } : { text: `progress note ${call.turn}`, toolCalls: [{ name: "list_files", arguments: {} }] },
      { settings: { maxTurns: 3 } },
    );
    const final = await kit.service.runRoot({ task: "loop forever" }).done;
    assert.equal(final.status, "failed");
    assert.match(final.statusReason ?? "", /turn budget of 3 turns reached.*no answer/);
    assert.match(final.result ?? "", /progress note 2/);
    await assertQuiet(kit);
  });

  it("tells a parent that its child completed at the turn budget", async () => {
    const { client, kit } = start((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawnCall("busy child")] } : { text: "root done" };
      return call.tools.length === 0 ? { text: "child summary" } : { toolCalls: [{ name: "list_files", arguments: {} }] };
    }, { settings: { maxTurns: 2 } });
    const final = await kit.service.runRoot({ task: "delegate" }).done;
    assert.equal(final.status, "completed");
    const rootSecond = client.calls.find((c) => c.role === "root" && c.turn === 1);
    const report = String(rootSecond?.messages.at(-1)?.content ?? "");
    assert.match(report, /"result": "child summary"/);
    assert.match(report, /"reason": "finished at the turn budget of 2 turns reached/);
    await assertQuiet(kit);
  });

  it("uses an agent type's max_turns over the setting, and keeps it across a reload of the tree", async () => {
    const definitions = AgentDefinitions.parse(
      [["/ws/.subagents/agents/brief.md", "---\nname: brief\ndescription: Short.\nmax_turns: 2\n---\nBe brief.\n"]],
      { providers: TEST_PROVIDERS },
    );
    assert.equal(definitions.get("brief")?.maxTurns, 2);
    const { client, kit } = start((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawnCall("typed", { agent_type: "brief" })] } : { text: "ok" };
      return call.tools.length === 0 ? { text: "typed summary" } : { toolCalls: [{ name: "list_files", arguments: {} }] };
    }, { settings: { maxTurns: 50 }, deps: { agentTypes: createAgentTypeResolver(() => definitions) } });
    await kit.service.runRoot({ task: "delegate" }).done;
    await waitUntil("the typed child to complete", () => byName(kit.service, "typed")?.status === "completed");
    const child = byName(kit.service, "typed");
    assert.equal(child?.maxTurns, 2);
    assert.ok(child);
    assert.equal(fromSnapshot(child, { backgroundSeconds: 900, foregroundSeconds: 300 }).maxTurns, 2, "a reloaded tree keeps the type's budget");
    assert.equal(client.calls.filter((c) => c.role === "subagent").length, 3);
    await assertQuiet(kit);
  });

  it("diagnoses a max_turns outside 1..10000 in a definition file", () => {
    const file = parseDefinitionFile("/ws/.subagents/agents/x.md", "---\nname: x\ndescription: d\nmax_turns: 0\n---\nP\n", {
      providers: TEST_PROVIDERS,
    });
    assert.equal(file.definition, undefined);
    assert.ok(file.diagnostics.some((d) => d.severity === "error" && /max_turns must be between 1 and 10000/.test(d.message)));
  });
});
