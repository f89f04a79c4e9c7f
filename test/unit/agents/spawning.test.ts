import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isFinal } from "../../../src/core/agents/status";
import { assertQuiet, byName, scriptedKitPerTest, spawnCall } from "../../fakes/agentTestKit";
import { lastToolResult } from "../../fakes/scriptedModelClient";
import { waitUntil } from "../../fakes/polling";

const start = scriptedKitPerTest();

const spawn = spawnCall;

describe("spawning", () => {
  it("registers the child at once, before a slow startup finishes", async () => {
    let releaseStartup!: () => void;
    const startupGate = new Promise<void>((r) => (releaseStartup = r));
    const { kit } = start(
      (call) => {
        if (call.role !== "root") return { text: `done ${call.task}` };
        if (call.turn === 0) return { toolCalls: [spawn("child", { background: true })] };
        if (call.turn === 1) return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: [JSON.parse(lastToolResult(call.messages)).agent_id] } }] };
        return { text: "root done" };
      },
      { deps: { resolveAgentType: async () => { await startupGate; return undefined; } } },
    );
    const root = kit.service.runRoot({ task: "root" });
    await waitUntil("the child in the registry", () => byName(kit.service, "child") !== undefined);
    assert.equal(byName(kit.service, "child")?.status, "pending_init");
    releaseStartup();
    const final = await root.done;
    assert.equal(final.status, "completed");
    assert.equal(byName(kit.service, "child")?.status, "completed");
    await assertQuiet(kit);
  });

  it("starts roots and children the same way: one spawned entry each, then pending_init", async () => {
    const { kit } = start((call) => {
      if (call.role !== "root") return { text: `done ${call.task}` };
      if (call.turn === 0) return { toolCalls: [spawn("child")] };
      return { text: "root done" };
    });
    const root = kit.service.runRoot({ task: "root" });
    await root.done;
    const child = byName(kit.service, "child");
    assert.ok(child);
    for (const [agent, parentId, role] of [
      [root.agentId, null, "root"],
      [child.id, root.agentId, "leaf"],
    ] as const) {
      const events = kit.transcripts.of(agent);
      assert.equal(events.filter((e) => e.type === "spawned").length, 1, `one spawned entry for ${role}`);
      assert.deepEqual(
        events.slice(0, 2).map((e) => (e.type === "spawned" ? `spawned ${e.parentId} ${e.role}` : e.type === "status" ? `status ${e.status}` : e.type)),
        [`spawned ${parentId} ${role}`, "status pending_init"],
      );
    }
    await assertQuiet(kit);
  });

  it("runs foreground children in parallel and returns their reports", async () => {
    const { kit, client } = start((call) => {
      if (call.role === "root") {
        if (call.turn === 0) return { toolCalls: [spawn("a"), spawn("b"), spawn("c")] };
        return { text: "root done" };
      }
      return { text: `result of ${call.task}`, delayMs: 40 };
    }, { settings: { maxConcurrentAgents: 4 } });
    const final = await kit.service.runRoot({ task: "fan out" }).done;
    assert.equal(final.status, "completed");
    assert.equal(client.maxInFlight, 3, "three children talked to the model at once");
    const rootSecondCall = client.calls.find((c) => c.role === "root" && c.turn === 1);
    const reports = rootSecondCall?.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content as string));
    assert.deepEqual(reports?.map((r) => [r.name, r.status, r.result]), [
      ["a", "completed", "result of a"],
      ["b", "completed", "result of b"],
      ["c", "completed", "result of c"],
    ]);
    assert.equal(typeof reports?.[0].elapsed_seconds, "number");
    assert.deepEqual(reports?.[0].tokens, { in: 10, out: 5 });
    assert.equal(final.subtreeTokensIn, 10 * 2 + 10 * 3);
    await assertQuiet(kit);
  });

  it("never has more model calls in flight than the cap with many parallel spawns", async () => {
    const { kit, client } = start((call) => {
      if (call.role === "root") {
        if (call.turn === 0) return { toolCalls: Array.from({ length: 6 }, (_, i) => spawn(`c${i}`)) };
        return { text: "ok" };
      }
      return { text: "x", delayMs: 20 };
    }, { settings: { maxConcurrentAgents: 4 } });
    await kit.service.runRoot({ task: "six" }).done;
    assert.equal(client.maxInFlight, 4);
    await assertQuiet(kit);
  });

  it("does not deadlock with cap 1, depth 3 and fan-out 3", async () => {
    const { kit } = start((call) => {
      const depth = (call.task.match(/\./g) ?? []).length;
      if (call.turn === 0 && depth < 3) {
        return { toolCalls: [0, 1, 2].map((i) => spawn(`${call.task}.${i}`, { role: depth < 2 ? "orchestrator" : "leaf" })) };
      }
      return { text: `done ${call.task}` };
    }, { settings: { maxConcurrentAgents: 1, maxSpawnDepth: 3 } });
    const final = await kit.service.runRoot({ task: "r" }).done;
    assert.equal(final.status, "completed");
    const all = kit.service.snapshot();
    assert.equal(all.length, 1 + 3 + 9 + 27);
    assert.ok(all.every((a) => a.status === "completed"), JSON.stringify(all.filter((a) => a.status !== "completed")));
    await assertQuiet(kit);
  });

  it("gives leaves no agent tools and enforces the depth limit", async () => {
    const seen = new Map<string, string[]>();
    const { kit } = start((call) => {
      seen.set(call.task, call.tools.map((t) => (t as { function: { name: string } }).function.name));
      if (call.role === "root" && call.turn === 0) return { toolCalls: [spawn("leaf"), spawn("orch", { role: "orchestrator" })] };
      if (call.task === "orch" && call.turn === 0) return { toolCalls: [spawn("grandchild", { role: "orchestrator" })] };
      return { text: `done: ${lastToolResult(call.messages)}` };
    }, { settings: { maxSpawnDepth: 2 } });
    await kit.service.runRoot({ task: "root" }).done;
    assert.ok(seen.get("root")?.includes("spawn_agent"));
    assert.ok(seen.get("orch")?.includes("spawn_agent"));
    assert.deepEqual(seen.get("leaf"), ["read_file", "list_files", "search_text", "edit_file", "write_file", "run_command", "get_diagnostics"]);
    assert.match(byName(kit.service, "orch")?.result ?? "", /role "orchestrator" is not possible here/);
    assert.equal(byName(kit.service, "grandchild"), undefined);
    await assertQuiet(kit);
  });

  it("rejects a background spawn with timeout 0 and a foreground spawn beyond 3600 s", async () => {
    const results: string[] = [];
    const { kit } = start((call) => {
      if (call.turn === 0) return { toolCalls: [spawn("bg", { background: true, timeout_seconds: 0 }), spawn("fg", { timeout_seconds: 4000 })] };
      results.push(...call.messages.filter((m) => m.role === "tool").map((m) => m.content as string));
      return { text: "ok" };
    });
    await kit.service.runRoot({ task: "root" }).done;
    assert.match(results[0] ?? "", /background agent needs a timeout greater than 0/);
    assert.match(results[1] ?? "", /timeout_seconds|3600/);
    assert.equal(kit.service.snapshot().length, 1);
  });

  it("queues beyond the cap and refuses beyond maxQueuedAgents with an actionable error", async () => {
    const { kit, client } = start((call) => {
      if (call.role === "root") {
        if (call.turn === 0) return { toolCalls: [1, 2, 3, 4].map((i) => spawn(`c${i}`, { background: true })) };
        if (call.turn === 1) {
          const ids = call.messages.flatMap((m) => {
            if (m.role !== "tool" || String(m.content).startsWith("Error:")) return [];
            return [JSON.parse(String(m.content)).agent_id as string];
          });
          return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: ids } }] };
        }
        return { text: "ok" };
      }
      return { text: "c", delayMs: 10 };
    }, { settings: { maxConcurrentAgents: 1, maxQueuedAgents: 3 } });
    await kit.service.runRoot({ task: "root" }).done;
    const toolResults = client.calls.find((c) => c.role === "root" && c.turn === 1)?.messages.filter((m) => m.role === "tool") ?? [];
    const refused = toolResults.filter((m) => String(m.content).startsWith("Error:"));
    assert.equal(refused.length, 1);
    assert.match(String(refused[0]?.content), /maxQueuedAgents is 3\)\. Wait for some of your agents/);
    assert.equal(kit.service.snapshot().filter((a) => a.parentId !== null).length, 3);
    await assertQuiet(kit);
  });

  it("pause spawning: spawns get a clear error, running agents continue, roots are refused", async () => {
    const { kit } = start((call) => {
      if (call.role === "root" && call.turn === 0) {
        kit.service.setSpawningPaused(true);
        return { toolCalls: [spawn("nope")] };
      }
      if (call.role === "root") return { text: `root saw: ${lastToolResult(call.messages)}` };
      return { text: "child" };
    });
    const final = await kit.service.runRoot({ task: "root" }).done;
    assert.equal(final.status, "completed");
    assert.match(final.result ?? "", /Spawning is paused/);
    assert.throws(() => kit.service.runRoot({ task: "another" }), /paused/);
    kit.service.setSpawningPaused(false);
    assert.equal((await kit.service.runRoot({ task: "now ok" }).done).status, "completed");
  });

  it("truncates a long child result for the parent with a note", async () => {
    const { kit, client } = start((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawn("big")] } : { text: "ok" };
      return { text: "y".repeat(20_000) };
    });
    await kit.service.runRoot({ task: "root" }).done;
    const report = JSON.parse(lastToolResult(client.calls.at(-1)?.messages ?? []));
    assert.equal(report.result.length, 12_000);
    assert.match(report.note, /first 12,000 of 20,000 characters \(8,000 cut\)/);
  });

  it("wait_agents collects background children; agent tools refuse agents outside the caller's subtree", async () => {
    let otherRoot = "";
    const { kit, client } = start((call) => {
      if (call.task === "other") return { text: "other", delayMs: 5 };
      if (call.role === "root") {
        if (call.turn === 0) return { toolCalls: [spawn("bg1", { background: true }), spawn("bg2", { background: true })] };
        if (call.turn === 1) {
          const ids = call.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content as string).agent_id as string);
          return {
            toolCalls: [
              { name: "wait_agents", arguments: { agent_ids: ids } },
              { name: "interrupt_agent", arguments: { agent_id: otherRoot } },
              { name: "list_agents", arguments: {} },
            ],
          };
        }
        return { text: "ok" };
      }
      return { text: `bg result ${call.task}`, delayMs: 30 };
    });
    otherRoot = kit.service.runRoot({ task: "other" }).agentId;
    await kit.service.runRoot({ task: "main" }).done;
    const last = client.calls.filter((c) => c.task === "main").at(-1)?.messages.filter((m) => m.role === "tool").slice(-3) ?? [];
    const waited = JSON.parse(String(last[0]?.content));
    assert.deepEqual(waited.map((r: { status: string; result: string }) => [r.status, r.result]), [
      ["completed", "bg result bg1"],
      ["completed", "bg result bg2"],
    ]);
    assert.match(String(last[1]?.content), /not one of your subagents/);
    assert.equal(JSON.parse(String(last[2]?.content)).length, 2);
    await waitUntil("all final", () => kit!.service.snapshot().every((a) => isFinal(a.status)));
    await assertQuiet(kit);
  });
  it("a provider cap counts only that provider's agents; the global cap counts all", async () => {
    const { kit, client } = start((call) => {
      if (call.role === "root") {
        if (call.turn > 0) return { text: "ok" };
        const alpha = [1, 2, 3, 4].map((i) => spawn(`alpha ${i}`));
        const beta = [1, 2, 3].map((i) => spawn(`beta ${i}`, { model: "beta:m-beta" }));
        return { toolCalls: [...alpha, ...beta] };
      }
      return { text: call.providerId, delayMs: 30 };
    }, { settings: { maxConcurrentAgents: 4 } });
    kit.keys.set("alpha", 1); // cap min(4, 1 × 2) = 2
    kit.keys.set("beta", 0); // no pool: cap 2
    await kit.service.runRoot({ task: "two providers" }).done;
    assert.equal(client.maxInFlightByProvider.get("alpha"), 2);
    assert.equal(client.maxInFlightByProvider.get("beta"), 2);
    assert.ok(client.maxInFlight <= 4);
    assert.equal(byName(kit.service, "beta 1")?.providerId, "beta");
    await assertQuiet(kit);
  });

  it("send_message from a parent wakes its finished child with the follow-up", async () => {
    const { kit, client } = start((call) => {
      if (call.role === "root") {
        if (call.turn === 0) return { toolCalls: [spawn("helper")] };
        if (call.turn === 1) {
          const id = JSON.parse(lastToolResult(call.messages)).agent_id as string;
          return { toolCalls: [{ name: "send_message", arguments: { agent_id: id, message: "and one more thing" } }, { name: "wait_agents", arguments: { agent_ids: [id] } }] };
        }
        return { text: lastToolResult(call.messages) };
      }
      const lastUser = [...call.messages].reverse().find((m) => m.role === "user");
      return { text: `helper answered: ${String(lastUser?.content).slice(0, 20)}`, delayMs: 10 };
    });
    const final = await kit.service.runRoot({ task: "root" }).done;
    assert.match(final.result ?? "", /helper answered: and one more thing/);
    assert.equal(client.calls.filter((c) => c.task === "helper").length, 2);
    await assertQuiet(kit);
  });
});
