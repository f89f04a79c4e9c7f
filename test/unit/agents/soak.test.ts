import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { isFinal } from "../../../src/core/agents/status";
import type { Fault, ScriptedReply } from "../../fixtures/fakeOpenAiServer";
import { spawnCall, spawnedIds, startLiveKit, type AgentView, type LiveKit } from "../../fakes/liveModelKit";
import { waitUntil } from "../../fakes/polling";

/** A small seeded PRNG, so a failing soak can be replayed with the same tree. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type LeafFate = "normal" | "slow" | "interrupt" | "fail";
interface PlanNode {
  name: string;
  children: PlanNode[];
  background: boolean;
  fate: LeafFate;
}

const TOTAL_AGENTS = 200;
const SEED = Number(process.env.SOAK_SEED ?? 4242);

/** Random trees (depth ≤ 3) with exactly TOTAL_AGENTS agents. */
function planForest(random: () => number): PlanNode[] {
  let count = 0;
  let serial = 0;
  const node = (depth: number): PlanNode => {
    count++;
    const name = `n${serial++}`;
    const r = random();
    const fate: LeafFate = r < 0.05 ? "slow" : r < 0.1 ? "interrupt" : r < 0.15 ? "fail" : "normal";
    const n: PlanNode = { name, children: [], background: random() < 0.4, fate };
    const fanOut = depth === 0 ? 3 + Math.floor(random() * 4) : depth < 3 && random() < 0.5 ? 1 + Math.floor(random() * 4) : 0;
    for (let i = 0; i < fanOut && count < TOTAL_AGENTS; i++) n.children.push(node(depth + 1));
    return n;
  };
  const roots: PlanNode[] = [];
  while (count < TOTAL_AGENTS) roots.push(node(0));
  return roots;
}

const RETRYABLE: Fault[] = ["429", "500", "502", "503", "reset", "midstream_drop"];

describe("soak", () => {
  let kit: LiveKit | undefined;
  after(async () => kit?.close());

  it(`${TOTAL_AGENTS} agents in random trees with 10% injected faults all end with a reason and leave nothing behind`, async () => {
    const random = prng(SEED);
    const forest = planForest(random);
    const plan = new Map<string, PlanNode>();
    const index = (n: PlanNode) => {
      plan.set(n.name, n);
      n.children.forEach(index);
    };
    forest.forEach(index);
    assert.equal(plan.size, TOTAL_AGENTS);
    const faultRandom = prng(SEED + 1);

    const script = (v: AgentView): ScriptedReply => {
      const node = plan.get(v.task);
      if (!node) return { text: "unknown" };
      const isLeaf = node.children.length === 0;
      if (faultRandom() < 0.1) {
        // Parents only get retryable faults, so the planned tree is really spawned.
        const pick = isLeaf ? faultRandom() : faultRandom() * 0.99;
        if (isLeaf && pick > 0.85) return { fault: "context_length" };
        return { fault: RETRYABLE[Math.floor(pick * RETRYABLE.length)] ?? "500", retryAfterSeconds: 0.02 };
      }
      if (!isLeaf) {
        if (v.turn === 0) {
          return {
            toolCalls: node.children.map((c) =>
              spawnCall(c.name, {
                background: c.background,
                role: c.children.length > 0 ? "orchestrator" : "leaf",
                ...(c.fate === "slow" && c.children.length === 0 ? { timeout_seconds: 0.3 } : {}),
              }),
            ),
          };
        }
        const background = spawnedIds(v);
        if (v.turn === 1 && background.length > 0) return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: background } }] };
        return { text: `${node.name} merged ${v.toolResults.length} results`, delayMs: 2 };
      }
      if (node.fate === "fail") return { fault: "context_length" };
      if (node.fate === "slow" || node.fate === "interrupt") return { text: "slow", delayMs: 3000, chunkDelayMs: 50 };
      if (v.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }], delayMs: 1 + Math.floor(faultRandom() * 8) };
      return { text: `${node.name} ok`, delayMs: 1 + Math.floor(faultRandom() * 8) };
    };

    kit = await startLiveKit({
      keyCount: 4,
      settings: { maxConcurrentAgents: 8, maxQueuedAgents: 1000, maxSpawnDepth: 3 },
      script,
    });
    const live = kit;
    const started = Date.now();
    const roots = forest.map((root) => live.service.runRoot({ task: root.name }));

    // Interrupt the leaves planned for it once they exist, like a user clicking around the tree.
    const toInterrupt = new Set([...plan.values()].filter((n) => n.fate === "interrupt" && n.children.length === 0).map((n) => n.name));
    const interrupter = (async () => {
      while (toInterrupt.size > 0 && Date.now() - started < 30_000) {
        for (const agent of live.service.snapshot()) {
          if (toInterrupt.has(agent.name) && agent.status === "running") {
            live.service.interrupt(agent.id, "interrupted by the soak test");
            toInterrupt.delete(agent.name);
          } else if (toInterrupt.has(agent.name) && isFinal(agent.status)) {
            toInterrupt.delete(agent.name);
          }
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const finals = await Promise.all(roots.map((r) => r.done));
    await interrupter;
    await waitUntil("every agent final", () => live.service.snapshot().every((a) => isFinal(a.status)), 20_000);

    const all = live.service.snapshot();
    assert.equal(all.length, TOTAL_AGENTS, "every planned agent was spawned");
    const withoutReason = all.filter((a) => !a.statusReason);
    assert.deepEqual(withoutReason.map((a) => a.name), [], "every agent has a reason");
    const statuses = new Map<string, number>();
    for (const a of all) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    assert.ok((statuses.get("completed") ?? 0) > TOTAL_AGENTS / 2, JSON.stringify([...statuses]));
    assert.ok((statuses.get("timed_out") ?? 0) > 0, "some agents timed out");
    assert.ok((statuses.get("failed") ?? 0) > 0, "some agents failed");
    assert.ok(finals.every((f) => isFinal(f.status)));
    assert.ok(live.server.requests.filter((r) => r.status !== 200).length > 0, "faults were injected");

    await waitUntil(`zero slots and runs: ${JSON.stringify(live.service.stats())}`, () => {
      const s = live.service.stats();
      return s.slots.held === 0 && s.slots.queued === 0 && s.activeRuns === 0 && s.deadlineTimers === 0 && !s.staleTimerPending && s.pendingApprovals === 0;
    });
    assert.equal(live.leasesOut(), 0, "zero key leases out");
    await waitUntil("no request in flight", () => live.server.inFlight === 0);
    await waitUntil(`zero timers pending (${live.clock.pendingTimers})`, () => live.clock.pendingTimers === 0, 5000);
  });
});
