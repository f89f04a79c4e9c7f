import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { isFinal } from "../../../src/core/agents/status";
import { spawnCall, spawnedIds, startLiveKit, type LiveKit, assertDrained } from "../../fakes/liveModelKit";
import { waitUntil } from "../../fakes/polling";

/**
 * Scheduling scenarios against the real stack: the test server on 127.0.0.1,
 * KeyPools and ChatClient over the `openai` SDK, and the agent supervisor.
 */
let kit: LiveKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});


const byName = (k: LiveKit, name: string) => k.service.snapshot().find((a) => a.name === name);

describe("scenarios against the test server", () => {
  it("parallel fan-out: the root spawns 8 children on 3 keys; all complete and keys are used evenly", async () => {
    kit = await startLiveKit({
      keyCount: 3,
      script: (v) => {
        if (v.role === "root") {
          if (v.turn === 0) return { toolCalls: Array.from({ length: 8 }, (_, i) => spawnCall(`part ${i}`)) };
          return { text: `merged ${v.toolResults.length} results` };
        }
        if (v.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }], delayMs: 20 };
        return { text: `${v.task} done`, delayMs: 20, usage: { prompt_tokens: 100, completion_tokens: 10 } };
      },
    });
    const final = await kit.service.runRoot({ task: "fan out" }).done;
    assert.equal(final.status, "completed", final.statusReason);
    assert.equal(final.result, "merged 8 results");
    const children = kit.service.snapshot().filter((a) => a.parentId === final.id);
    assert.equal(children.length, 8);
    assert.ok(children.every((c) => c.status === "completed"));
    assert.ok(final.subtreeTokensIn >= 8 * 100);
    const perKey = new Map<string, number>();
    for (const r of kit.server.requests) if (r.status === 200) perKey.set(r.keyFingerprint, (perKey.get(r.keyFingerprint) ?? 0) + 1);
    const counts = [...perKey.values()];
    assert.equal(counts.length, 3, "all three keys served requests");
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 3, `uneven key use: ${counts.join(", ")}`);
    assert.ok(kit.server.maxConcurrent <= 6, "provider cap min(8, 3 keys × 2)");
    await assertDrained(kit);
  });

  it("50 parallel spawn_agent calls with cap 4 never have more than 4 model calls in flight", async () => {
    kit = await startLiveKit({
      keyCount: 4,
      settings: { maxConcurrentAgents: 4 },
      script: (v) => {
        if (v.role === "root") {
          if (v.turn === 0) return { toolCalls: Array.from({ length: 50 }, (_, i) => spawnCall(`c${i}`)) };
          return { text: "ok" };
        }
        return { text: "child", delayMs: 15 };
      },
    });
    const final = await kit.service.runRoot({ task: "wide" }).done;
    assert.equal(final.status, "completed");
    assert.equal(kit.service.snapshot().filter((a) => a.status === "completed").length, 51);
    assert.ok(kit.server.maxConcurrent <= 4, `max in flight ${kit.server.maxConcurrent}`);
    assert.ok(kit.server.maxConcurrent >= 2, "children did run in parallel");
    await assertDrained(kit);
  });

  it("nested orchestrator at depth 2", async () => {
    kit = await startLiveKit({
      keyCount: 2,
      settings: { maxSpawnDepth: 2 },
      script: (v) => {
        if (v.role === "root") return v.turn === 0 ? { toolCalls: [spawnCall("orchestrate", { role: "orchestrator" })] } : { text: "root: " + v.lastTool.length };
        if (v.task === "orchestrate") {
          return v.turn === 0 ? { toolCalls: [spawnCall("leaf a"), spawnCall("leaf b")] } : { text: "orchestrator merged" };
        }
        const names = (v.request.tools ?? []).map((t) => (t as { function: { name: string } }).function.name);
        return { text: names.includes("spawn_agent") ? "leaf can spawn!" : `${v.task} ok` };
      },
    });
    const final = await kit.service.runRoot({ task: "nested" }).done;
    assert.equal(final.status, "completed");
    assert.deepEqual(
      kit.service.snapshot().map((a) => [a.name, a.depth, a.role, a.status, a.result]),
      [
        ["nested", 0, "root", "completed", final.result],
        ["orchestrate", 1, "orchestrator", "completed", "orchestrator merged"],
        ["leaf a", 2, "leaf", "completed", "leaf a ok"],
        ["leaf b", 2, "leaf", "completed", "leaf b ok"],
      ],
    );
    await assertDrained(kit);
  });

  it("a 429 storm during fan-out: retries rotate keys and every child still completes", async () => {
    let storm = 0;
    kit = await startLiveKit({
      keyCount: 3,
      script: (v) => {
        if (storm < 14 && v.request.index % 3 !== 0) {
          storm++;
          return { fault: "429", retryAfterSeconds: 0.05 };
        }
        if (v.role === "root") return v.turn === 0 ? { toolCalls: Array.from({ length: 6 }, (_, i) => spawnCall(`w${i}`)) } : { text: "ok" };
        return { text: `${v.task} ok`, delayMs: 10 };
      },
    });
    const final = await kit.service.runRoot({ task: "storm" }).done;
    assert.equal(final.status, "completed", final.statusReason);
    assert.ok(kit.service.snapshot().every((a) => a.status === "completed"));
    assert.ok(kit.server.requests.filter((r) => r.status === 429).length >= 10);
    await assertDrained(kit);
  });

  it("one child times out while its siblings finish", async () => {
    kit = await startLiveKit({
      keyCount: 2,
      script: (v) => {
        if (v.role === "root") {
          if (v.turn === 0) return { toolCalls: [spawnCall("slow", { timeout_seconds: 0.3 }), spawnCall("quick a"), spawnCall("quick b")] };
          return { text: "root ok" };
        }
        if (v.task === "slow") return { text: "slow answer", delayMs: 30_000 };
        return { text: `${v.task} ok`, delayMs: 20 };
      },
    });
    const final = await kit.service.runRoot({ task: "mixed" }).done;
    assert.equal(final.status, "completed");
    assert.equal(byName(kit, "slow")?.status, "timed_out");
    assert.equal(byName(kit, "quick a")?.status, "completed");
    assert.equal(byName(kit, "quick b")?.status, "completed");
    await waitUntil("the timed-out request was aborted", () => kit!.server.inFlight === 0);
    await assertDrained(kit);
  });

  it("interrupting a parent mid-fan-out ends the whole subtree within 200 ms, mid-stream", async () => {
    kit = await startLiveKit({
      keyCount: 3,
      script: (v) => {
        if (v.role === "root") return { toolCalls: Array.from({ length: 4 }, (_, i) => spawnCall(`streamer ${i}`)) };
        return { text: "word ".repeat(2000), chunkDelayMs: 20 };
      },
    });
    const root = kit.service.runRoot({ task: "interrupt me" });
    await waitUntil("children streaming", () => kit!.server.inFlight >= 4 && kit!.service.snapshot().filter((a) => a.status === "running").length >= 4);
    // The streams would run for 40 s more: the run ending at all shows the interrupt stopped them.
    kit.service.interrupt(root.agentId);
    const final = await root.done;
    assert.equal(final.status, "interrupted");
    assert.ok(kit.service.snapshot().every((a) => a.status === "interrupted"));
    await waitUntil("streams closed", () => kit!.server.inFlight === 0);
    await assertDrained(kit);
  });

  it("cap 1, depth 3, fan-out 3: the deep tree completes without deadlock", async () => {
    kit = await startLiveKit({
      keyCount: 1,
      settings: { maxConcurrentAgents: 1, maxSpawnDepth: 3 },
      script: (v) => {
        const depth = (v.task.match(/\./g) ?? []).length;
        if (v.turn === 0 && depth < 3) {
          return { toolCalls: [0, 1, 2].map((i) => spawnCall(`${v.task}.${i}`, { role: depth < 2 ? "orchestrator" : "leaf" })) };
        }
        return { text: `${v.task} done` };
      },
    });
    const final = await kit.service.runRoot({ task: "t" }).done;
    assert.equal(final.status, "completed");
    const all = kit.service.snapshot();
    assert.equal(all.length, 40);
    assert.ok(all.every((a) => a.status === "completed"));
    assert.equal(kit.server.maxConcurrent, 1);
    await assertDrained(kit);
  });

  it("a startup failure makes the child failed and tells the parent", async () => {
    kit = await startLiveKit({
      keyCount: 1,
      deps: {
        resolveAgentType: async ({ agent }) => {
          await new Promise((r) => setTimeout(r, 10));
          if (agent.task.includes("broken")) throw new Error("agent definition 'broken' not found");
          return undefined;
        },
      },
      script: (v) => {
        if (v.role === "root") return v.turn === 0 ? { toolCalls: [spawnCall("broken one"), spawnCall("fine one")] } : { text: v.toolResults.join("\n") };
        return { text: "fine" };
      },
    });
    const final = await kit.service.runRoot({ task: "startup" }).done;
    assert.equal(byName(kit, "broken one")?.status, "failed");
    assert.equal(byName(kit, "fine one")?.status, "completed");
    assert.match(final.result ?? "", /"status": "failed"/);
    assert.match(final.result ?? "", /startup failed: agent definition 'broken' not found/);
    await assertDrained(kit);
  });

  it("pause spawning: a new spawn gets a clear error while a running child continues", async () => {
    let paused = false;
    kit = await startLiveKit({
      keyCount: 2,
      script: (v) => {
        if (v.role === "root") {
          if (v.turn === 0) return { toolCalls: [spawnCall("before pause", { background: true })] };
          if (v.turn === 1) {
            kit!.service.setSpawningPaused(true);
            paused = true;
            return { toolCalls: [spawnCall("after pause")] };
          }
          if (v.turn === 2) return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: spawnedIds(v) } }] };
          return { text: v.toolResults.join("\n") };
        }
        return { text: `child saw paused=${paused}`, delayMs: 100 };
      },
    });
    const final = await kit.service.runRoot({ task: "pause" }).done;
    assert.match(final.result ?? "", /Spawning is paused by the user/);
    assert.equal(byName(kit, "before pause")?.status, "completed");
    assert.equal(byName(kit, "after pause"), undefined);
    assert.ok(kit.service.snapshot().every((a) => isFinal(a.status)));
    await assertDrained(kit);
  });
});
