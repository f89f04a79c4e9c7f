import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AgentTimeouts, resolveSpawnTimeout } from "../../../src/core/scheduler/agentTimeouts";
import { canSpawn, childRoleProblem, queueOverflow } from "../../../src/core/scheduler/spawnRules";
import { StaleMonitor } from "../../../src/core/scheduler/staleMonitor";
import { ManualClock } from "../../fakes/manualClock";
import { TrackingClock } from "../../fakes/trackingClock";

const defaults = { foregroundSeconds: 300, backgroundSeconds: 900 };

describe("spawn timeouts", () => {
  it("uses the defaults and treats 0 as no limit only in the foreground", () => {
    assert.deepEqual(resolveSpawnTimeout(undefined, false, defaults), { ok: true, seconds: 300 });
    assert.deepEqual(resolveSpawnTimeout(undefined, true, defaults), { ok: true, seconds: 900 });
    assert.deepEqual(resolveSpawnTimeout(0, false, defaults), { ok: true, seconds: undefined });
    const background = resolveSpawnTimeout(0, true, defaults);
    assert.equal(background.ok, false);
    assert.match(background.ok ? "" : background.error, /background agent needs a timeout greater than 0/);
  });

  it("rejects more than an hour and negative or non-finite values; keeps a fraction as it is", () => {
    const r = resolveSpawnTimeout(3601, false, defaults);
    assert.equal(r.ok, false);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const b = resolveSpawnTimeout(bad, false, defaults);
      assert.match(b.ok ? "" : b.error, /number of seconds from 0 to 3600/, String(bad));
    }
    assert.deepEqual(resolveSpawnTimeout(0.05, true, defaults), { ok: true, seconds: 0.05 }, "not rounded down to 0 = no limit");
    assert.deepEqual(resolveSpawnTimeout(3600, true, defaults), { ok: true, seconds: 3600 });
  });

  it("a foreground default of 0 means no limit", () => {
    assert.deepEqual(resolveSpawnTimeout(undefined, false, { ...defaults, foregroundSeconds: 0 }), { ok: true, seconds: undefined });
  });
});

describe("depth and roles", () => {
  it("lets the root spawn, orchestrators below the limit, never leaves", () => {
    assert.equal(canSpawn({ role: "root", depth: 0 }, 1), true);
    assert.equal(canSpawn({ role: "leaf", depth: 1 }, 3), false);
    assert.equal(canSpawn({ role: "orchestrator", depth: 1 }, 2), true);
    assert.equal(canSpawn({ role: "orchestrator", depth: 2 }, 2), false);
  });

  it("refuses an orchestrator child that could not spawn anyway", () => {
    assert.match(childRoleProblem("orchestrator", 1, 1) ?? "", /maxSpawnDepth is 1/);
    assert.equal(childRoleProblem("orchestrator", 1, 2), undefined);
    assert.equal(childRoleProblem("leaf", 2, 2), undefined);
    assert.match(childRoleProblem("leaf", 3, 2) ?? "", /cannot spawn/);
  });
});

describe("queue admission", () => {
  it("queues up to maxQueued waiting agents, then says how many wait and what the limit is", () => {
    assert.equal(queueOverflow({ waiting: 0, held: 4, globalCap: 4, maxQueued: 1 }), undefined);
    assert.match(queueOverflow({ waiting: 1, held: 4, globalCap: 4, maxQueued: 1 }) ?? "", /1 agents are already waiting .*maxQueuedAgents is 1/);
    // Free slots absorb waiting agents: maxQueued 0 still admits while a slot is free.
    assert.equal(queueOverflow({ waiting: 0, held: 3, globalCap: 4, maxQueued: 0 }), undefined);
    assert.ok(queueOverflow({ waiting: 0, held: 4, globalCap: 4, maxQueued: 0 }));
  });
});

describe("AgentTimeouts", () => {
  it("fires once, can be re-armed or removed, and leaves no timer behind", () => {
    const clock = new ManualClock();
    const timeouts = new AgentTimeouts(clock);
    const fired: string[] = [];
    timeouts.set("a", 20, () => fired.push("a"), true);
    timeouts.set("b", 10_000, () => fired.push("b"), true);
    timeouts.set("b", 15, () => fired.push("b2"), true);
    timeouts.set("c", 10, () => fired.push("c"), true);
    timeouts.set("c", undefined, () => fired.push("c2"), true);
    assert.equal(timeouts.pendingCount, 2);
    clock.advance(14);
    assert.deepEqual(fired, []);
    clock.advance(60);
    assert.deepEqual(fired, ["b2", "a"]);
    assert.equal(timeouts.pendingCount, 0);
    assert.equal(clock.pendingTimers, 0);
    timeouts.dispose();
  });
});

describe("StaleMonitor", () => {
  it("flags no progress past the threshold (a larger one in a tool) and clears on progress", () => {
    const clock = new TrackingClock();
    const changes: Array<[string, boolean]> = [];
    const monitor = new StaleMonitor(clock, () => ({ idleMs: 1000, inToolMs: 5000 }), (id, s) => changes.push([id, s]), 60_000);
    monitor.touch("idle", false);
    monitor.touch("tool", true);
    clock.offsetMs = 2000;
    monitor.check();
    assert.deepEqual(changes, [["idle", true]]);
    clock.offsetMs = 6000;
    monitor.check();
    assert.deepEqual(changes, [["idle", true], ["tool", true]]);
    monitor.touch("idle", false);
    assert.deepEqual(changes.at(-1), ["idle", false]);
    monitor.forget("idle");
    monitor.forget("tool");
    assert.deepEqual(changes.at(-1), ["tool", false]);
    assert.equal(monitor.timerPending, false, "no agent tracked, no timer");
    assert.equal(clock.pendingTimers, 0);
    monitor.dispose();
  });
});
